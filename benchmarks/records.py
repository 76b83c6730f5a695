"""What a reference run returns, and the machine facts every results file carries.

A reference run is a function ``run(data_dir: Path, quick: bool = False) -> list[dict]``
in a module of this package, registered in ``benchmarks.run.REFERENCES``. Each dict is a
:func:`reference` record: one number of ours beside one published anchor. ``quick=True``
shrinks the run to a few seconds for the smoke test in tests/test_benchmarks.py (its
numbers are never written to the results).
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]

__all__ = ["FIELDS", "Stopwatch", "machine", "reference", "stopwatch"]

# The keys of every reference record, in the order the JSON files list them.
FIELDS = ("name", "task", "model", "metric", "value", "higher_is_better", "anchor", "anchor_source",
          "anchor_cite", "differences", "budget_cpu_s", "cpu_s", "wall_s", "seed", "details")


class Stopwatch:
    """Wall and process-CPU seconds of a ``with stopwatch():`` block (all threads)."""

    wall_s: float = 0.0
    cpu_s: float = 0.0


@contextmanager
def stopwatch():
    watch = Stopwatch()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield watch
    finally:
        watch.wall_s = time.perf_counter() - wall
        watch.cpu_s = time.process_time() - cpu


def reference(
    *,
    name: str,
    task: str,
    model: str,
    metric: str,
    value: float,
    higher_is_better: bool,
    anchor: float | None,
    anchor_source: str,
    anchor_cite: str | None,
    differences: str,
    budget_cpu_s: float,
    watch: Stopwatch,
    seed: int,
    details: dict | None = None,
) -> dict:
    """One reference record.

    name: short unique id (``sst2-cnn``); task: data set, split and metric in words;
    model: what we trained; metric: unit of ``value`` (``accuracy %``, ``BLEU``,
    ``nats/char``, ``words/s``); anchor: the published number (None if there is none) and
    anchor_source where it is printed (paper table, repository README); anchor_cite: its
    key in book/references.bib; differences: what differs between our run and the
    anchor's (data size, direction, epochs, tokenisation), so the comparison is honest;
    budget_cpu_s: the CPU time the run was sized for; watch: the measured block (training
    and evaluation); details: hyperparameters, data sizes, parameter counts.
    """
    if not isinstance(value, (int, float)) or value != value:
        raise ValueError(f"{name}: value must be a finite number, got {value!r}")
    return {
        "name": name, "task": task, "model": model, "metric": metric,
        "value": float(value), "higher_is_better": higher_is_better,
        "anchor": None if anchor is None else float(anchor),
        "anchor_source": anchor_source, "anchor_cite": anchor_cite,
        "differences": differences,
        "budget_cpu_s": float(budget_cpu_s),
        "cpu_s": round(watch.cpu_s, 2), "wall_s": round(watch.wall_s, 2),
        "seed": seed, "details": details or {},
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def machine() -> dict:
    """The facts that make a time comparable: CPU, cores, torch and its threads, date."""
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "date": datetime.date.today().isoformat(),
        "commit": _git_commit(),
    }
