"""Smoke test of benchmarks/language_model.py: its quick mode on tiny Shakespeare."""

import math
from pathlib import Path

import pytest

from benchmarks import language_model
from benchmarks.records import reference, stopwatch

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FIELDS = set(reference(name="x", task="x", model="x", metric="x", value=0.0, higher_is_better=True,
                       anchor=None, anchor_source="x", anchor_cite=None, differences="x",
                       budget_cpu_s=1.0, watch=stopwatch().__enter__(), seed=0))


@pytest.fixture(scope="module")
def record():
    if not (DATA / "tinyshakespeare" / "input.txt").is_file():
        pytest.fail(f"the tier-2 sample data is missing: expected {DATA / 'tinyshakespeare'} "
                    "(../shared/data beside the repository)")
    records = language_model.run(DATA, quick=True)
    assert len(records) == 1
    return records[0]


def test_record_has_the_schema(record):
    assert record["name"] == "tinyshakespeare-gpt"
    assert set(record) == FIELDS
    for key in ("value", "anchor", "budget_cpu_s", "cpu_s", "wall_s"):
        assert math.isfinite(record[key]), key
    assert record["anchor_cite"] == "karpathy2022nanogpt"
    assert record["details"]["vocabulary"] == 65  # tiny Shakespeare's distinct characters


def test_the_loss_starts_near_uniform_and_falls(record):
    curve = record["details"]["val_curve_20_batches"]
    start = curve[0][1]
    assert abs(start - math.log(65)) < 0.2  # an untrained model guesses uniformly
    assert record["value"] < start - 0.3
    assert record["details"]["train_loss"] < start - 0.3
