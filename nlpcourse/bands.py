"""Is my run normal? A lesson's headline numbers beside the band of five seeds.

A lesson trains for a minute, so its numbers move with the seed and the machine. ``make
bench`` runs every lesson with seeds 0 to 4 on one machine and records the headline
numbers (those of its summary table) in ``nlpcourse/seed_bands.json``, which ships with
the package. The lesson prints its own run beside that band::

    headlines = Headlines("10_text_classification")
    headlines.report("GRU test accuracy", accuracy)
    # GRU test accuracy: your run 0.741; seeds 0-4 on the course machine: 0.735-0.746

and a claim about every seed ("the GRU beats the RNN on all five") is checked on the
recorded numbers (``headlines.band(name).values``), not on one run. The same file holds
Part II's classifiers trained to convergence (``make bench``'s longer runs, table
"converged"), which lessons 09 and 10 show beside their one-epoch runs as bands named
"<model>, to convergence".

Under ``make bench`` the environment sets ``NLPCOURSE_SEED`` (the lesson's seed, read by
:func:`lesson_seed`) and ``NLPCOURSE_HEADLINES`` (a file that :meth:`Headlines.report`
appends each number to).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["BANDS_FILE", "Band", "Headlines", "lesson_seed", "read_bands"]

BANDS_FILE = Path(__file__).with_name("seed_bands.json")
SEED_ENV = "NLPCOURSE_SEED"
RECORD_ENV = "NLPCOURSE_HEADLINES"


def lesson_seed(default: int = 0) -> int:
    """The seed a lesson runs with: ``default``, unless ``make bench`` sets another."""
    raw = os.environ.get(SEED_ENV)
    if raw is None:
        return default
    try:
        seed = int(raw)
    except ValueError:
        raise ValueError(f"{SEED_ENV} must be a whole number, got {raw!r}") from None
    if not 0 <= seed < 2**32:
        raise ValueError(f"{SEED_ENV} must be in [0, 2**32), got {seed}")
    return seed


@dataclass(frozen=True)
class Band:
    """One headline number over the benchmark's seeds, as recorded on one machine."""

    name: str
    seeds: tuple[int, ...]
    values: tuple[float, ...]
    machine: str

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    def describe(self, spec: str = ".3f") -> str:
        seeds = f"{self.seeds[0]}-{self.seeds[-1]}" if len(self.seeds) > 1 else str(self.seeds[0])
        return f"seeds {seeds} on the course machine: {self.low:{spec}}-{self.high:{spec}}"


def read_bands(path: Path = BANDS_FILE) -> dict:
    """The recorded bands, ``{}`` if ``make bench`` never wrote them. A damaged file is
    an error, not an empty record."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    try:
        bands = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON ({error}); run `make bench` to write it again") from None
    if not isinstance(bands, dict) or not isinstance(bands.get("lessons"), dict):
        raise ValueError(f"{path} has no 'lessons' table; run `make bench` to write it again")
    return bands


class Headlines:
    """A lesson's headline numbers: each printed beside its band, recorded under ``make bench``."""

    def __init__(self, lesson: str, path: Path = BANDS_FILE):
        self.lesson = lesson
        self._bands = read_bands(path)

    def band(self, name: str) -> Band:
        """The recorded band of ``name``; a clear error if the benchmark never ran it."""
        recorded = {**self._bands.get("lessons", {}).get(self.lesson, {}),
                    **self._bands.get("converged", {}).get(self.lesson, {})}
        if name not in recorded:
            known = ", ".join(sorted(recorded)) or "none"
            raise KeyError(f"no band recorded for {self.lesson!r} / {name!r} (recorded: {known}); "
                           "run `make bench` to measure it")
        entry = recorded[name]
        return Band(name, tuple(entry["seeds"]), tuple(entry["values"]), self._bands.get("machine", "?"))

    def report(self, name: str, value: float, spec: str = ".3f") -> None:
        """Print ``value`` beside its band (or say that none is recorded yet)."""
        value = float(value)
        if value != value:
            raise ValueError(f"{name}: the value is NaN")
        record = os.environ.get(RECORD_ENV)
        if record:
            with open(record, "a") as out:
                out.write(json.dumps({"lesson": self.lesson, "name": name, "value": value}) + "\n")
        try:
            where = self.band(name).describe(spec)
        except KeyError:
            where = "no band recorded yet (make bench measures it)"
        print(f"{name}: your run {value:{spec}}; {where}")
