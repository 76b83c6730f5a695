"""What every long run shares: the record it writes and how its weights are saved.

A run ends with :func:`publish`: its weights in half precision and its other files
go into ``nlpcourse/checkpoints/`` (written to a temporary name first, then renamed,
so an interrupted run never leaves half a file), and its entry in ``manifest.json``
(files with sha256 and size, model kind and config, training record) replaces the
old one.
"""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
import sys
from pathlib import Path

import torch

from benchmarks.records import machine  # the facts a results file carries
from nlpcourse.checkpoints import FOLDER, MANIFEST
from nlpcourse.data.files import atomic_path, sha256_of

ROOT = Path(__file__).resolve().parents[1]


def log(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


def commit() -> str:
    """The repository's commit, with ``+dirty`` when tracked files differ from it."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout
    head = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    # the checkpoints folder is excluded: it holds this run's own output, being written
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "nlpcourse", "training",
                ":(exclude)nlpcourse/checkpoints")
    return head + ("+dirty" if dirty.strip() else "")


def half_precision(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Floating-point tensors in float16, the rest as they are; tied weights once."""
    out, converted = {}, {}
    for key, value in state.items():
        # tied weights are one tensor under several keys: convert it once, so that
        # torch.save writes it once
        same = (value.data_ptr(), tuple(value.shape), value.dtype)
        if same not in converted:
            value = value.detach().cpu()
            converted[same] = value.half() if value.is_floating_point() else value
        out[key] = converted[same]
    return out


def _save_file(source_or_tensors, target: Path) -> dict:
    with atomic_path(target) as temporary:
        if isinstance(source_or_tensors, dict):
            torch.save(source_or_tensors, temporary)
        else:
            shutil.copyfile(source_or_tensors, temporary)
    return {"file": target.name, "bytes": target.stat().st_size, "sha256": sha256_of(target)}


def publish(name: str, *, kind: str, config: dict, state: dict[str, torch.Tensor],
            extra_files: dict[str, Path], record: dict) -> dict:
    """Write checkpoint ``name`` into the package and its entry into the manifest."""
    files = {"weights": _save_file(half_precision(state), FOLDER / f"{name}.pt")}
    for role, source in extra_files.items():
        files[role] = _save_file(source, FOLDER / f"{name}.{role}{source.suffix}")
    record = {"command": " ".join([Path(sys.executable).name, "-m", "training", name]),
              "commit": commit(), "date": datetime.date.today().isoformat(),
              "machine": machine(), **record}
    entries = json.loads(MANIFEST.read_text()) if MANIFEST.exists() else {}
    entries[name] = {"kind": kind, "config": config, "files": files, "record": record}
    with atomic_path(MANIFEST) as temporary:
        temporary.write_text(json.dumps(dict(sorted(entries.items())), indent=1) + "\n")
    log(f"{name}: wrote {', '.join(f['file'] for f in files.values())} and its manifest entry")
    return entries[name]
