"""The course's own long training runs, shipped with the package: load and verify.

``make checkpoints`` (the ``training`` package of the repository) trains each model
with the course's code and writes its weights into this folder, in half precision,
with ``manifest.json``: per checkpoint its files with sha256 and size, how to rebuild
the model (``kind`` and ``config``), and the training record (command, commit, seed,
data, CPU time, final metrics, and the metric on a small fixed held-out slice that
``tests/test_checkpoints.py`` recomputes). The files are package data, so a
``pip install "nlpcourse @ git+..."`` in Colab carries them.

:func:`load` checks every file against the manifest before it reads it: a damaged or
replaced file is an error that names it, never a model with wrong weights.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from nlpcourse.data.files import sha256_of

__all__ = ["FOLDER", "Checkpoint", "CheckpointError", "load", "manifest", "names", "verified_file"]

FOLDER = Path(__file__).resolve().parent
MANIFEST = FOLDER / "manifest.json"


class CheckpointError(RuntimeError):
    """A checkpoint is unknown, missing, or does not match its manifest."""


@dataclass
class Checkpoint:
    """A trained model in eval mode, the tokenizer it was trained with (a ``tokenizers``
    ``Tokenizer`` for subword models, a character :class:`nlpcourse.text.Vocab` for the
    character GPT), and its training record."""

    name: str
    model: torch.nn.Module
    tokenizer: Any
    record: dict


def manifest() -> dict:
    """The manifest: checkpoint name -> its entry (files, kind, config, record)."""
    if not MANIFEST.exists():
        raise CheckpointError(f"{MANIFEST} is missing: run `make checkpoints` in the course "
                              "repository, or reinstall nlpcourse")
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def names() -> list[str]:
    return sorted(manifest())


def _entry(name: str) -> dict:
    entries = manifest()
    if name not in entries:
        raise CheckpointError(f"no checkpoint named {name!r}; the course ships "
                              f"{', '.join(sorted(entries))}")
    return entries[name]


def verified_file(name: str, role: str) -> Path:
    """The path of checkpoint ``name``'s file ``role`` (``"weights"``, ``"tokenizer"``),
    after checking its size and sha256 against the manifest."""
    files = _entry(name)["files"]
    if role not in files:
        raise CheckpointError(f"checkpoint {name!r} has no {role!r} file; it has {sorted(files)}")
    expected = files[role]
    path = FOLDER / expected["file"]
    if not path.exists():
        raise CheckpointError(f"{path} is missing: reinstall nlpcourse, or run "
                              "`make checkpoints` in the course repository")
    if path.stat().st_size != expected["bytes"] or sha256_of(path) != expected["sha256"]:
        raise CheckpointError(f"{path} does not match manifest.json (size or sha256): the "
                              "file is damaged or from another run; reinstall nlpcourse")
    return path


def _state_dict(name: str) -> dict[str, torch.Tensor]:
    state = torch.load(verified_file(name, "weights"), map_location="cpu", weights_only=True)
    return {key: value.float() if value.is_floating_point() else value
            for key, value in state.items()}  # stored in half precision, used in float32


def _tokenizer(name: str):
    from tokenizers import Tokenizer  # imported here: only the subword checkpoints need it

    return Tokenizer.from_file(str(verified_file(name, "tokenizer")))


def _build(entry: dict) -> torch.nn.Module:
    kind, config = entry["kind"], dict(entry["config"])
    if kind == "transformer-seq2seq":
        from nlpcourse.models.transformer import TransformerSeq2Seq

        return TransformerSeq2Seq(**config)
    if kind == "mini-bert":
        from nlpcourse.models.bert import BERTConfig, MiniBERT

        return MiniBERT(BERTConfig(**config))
    if kind == "gpt":
        from nlpcourse.models.gpt import GPT, GPTConfig

        config.pop("vocabulary")
        return GPT(GPTConfig(**config))
    raise CheckpointError(f"unknown checkpoint kind {kind!r}: this nlpcourse is older than "
                          "its manifest; reinstall it")


def load(name: str) -> Checkpoint:
    """Checkpoint ``name``, verified, with its model rebuilt, loaded and in eval mode."""
    entry = _entry(name)
    model = _build(entry)
    model.load_state_dict(_state_dict(name))
    model.eval()
    if "tokenizer" in entry["files"]:
        tokenizer = _tokenizer(name)
    else:  # a character model: its vocabulary is in the manifest
        from nlpcourse.text import Vocab

        tokenizer = Vocab(list(entry["config"]["vocabulary"]))
    return Checkpoint(name, model, tokenizer, entry["record"])
