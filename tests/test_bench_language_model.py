"""Smoke test of benchmarks/language_model.py: its quick mode on tiny Shakespeare."""

import math

import pytest

from benchmarks import language_model
from benchmarks.records import FIELDS


@pytest.fixture(scope="module")
def record(shared_data):
    data = shared_data("tinyshakespeare/input.txt")
    records = language_model.run(data, quick=True)
    assert len(records) == 1
    return records[0]


def test_record_has_the_schema(record):
    assert record["name"] == "tinyshakespeare-gpt"
    assert set(record) == set(FIELDS)
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
