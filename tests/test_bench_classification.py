"""Smoke test of benchmarks/classification.py: every record in quick mode (a few hundred
examples, one epoch); the full runs are `make bench`."""

import math

import pytest

from benchmarks import classification
from benchmarks.records import FIELDS

NAMES = ["sst2-cnn", "sst2-bilstm", "sst2-minilm-probe", "imdb5k-lstm", "imdb5k-cnn"]


@pytest.fixture(scope="module")
def data(shared_data):
    return shared_data("sst2", "imdb")


@pytest.fixture(scope="module")
def records(data):
    return {record["name"]: record for record in classification.run(data, quick=True)}


def test_every_record_is_there_with_the_schema(records):
    assert list(records) == NAMES
    for record in records.values():
        assert set(record) == set(FIELDS), record["name"]
        assert record["metric"] == "accuracy %"
        assert 0.0 <= record["value"] <= 100.0
        for key in ("value", "budget_cpu_s", "cpu_s", "wall_s"):
            assert math.isfinite(record[key]), (record["name"], key)
        assert record["differences"] and record["anchor_source"]
        if record["anchor"] is not None:
            assert 0.0 < record["anchor"] <= 100.0 and record["anchor_cite"]


def test_quick_mode_trains_one_epoch_on_the_slices(records):
    train, validation, test = classification.QUICK_SIZES
    for name in ("sst2-cnn", "sst2-bilstm", "imdb5k-lstm", "imdb5k-cnn"):
        details = records[name]["details"]
        assert details["epochs_run"] == 1 and details["best_epoch"] == 1, name
        assert (details["train_examples"], details["validation_examples"], details["test_examples"]) == (
            train, validation, test)
        assert all(math.isfinite(x) for x in details["train_loss"] + details["val_loss"]), name


def test_frozen_embedding_is_not_trained(records):
    details = records["sst2-cnn"]["details"]
    assert details["trained_parameters"] == details["parameters"] - details["vocab_size"] * classification.GLOVE_DIM


def test_probe_beats_the_majority_class_on_its_test_slice(records, data):
    details = records["sst2-minilm-probe"]["details"]
    labels = classification.sst2(path=data / "sst2").test.labels[: classification.QUICK_SIZES[2]]
    majority = 100 * classification._majority_share(labels)
    # frozen MiniLM features carry sentiment: even a probe fit on a few hundred sentences
    # is well above always answering the larger class (broken features would sit near it)
    assert records["sst2-minilm-probe"]["value"] > majority + 5
    assert details["best_C"] in classification.PROBE_C_GRID
    assert details["feature_dim"] == 384
