"""Smoke test of benchmarks/translation.py: its quick mode on the tier-2 Multi30k sample."""

import math

import pytest

from benchmarks import translation
from benchmarks.records import FIELDS


@pytest.fixture(scope="module")
def records(shared_data):
    data = shared_data("multi30k")
    return translation.run(data, quick=True)


def test_one_record_per_model_with_the_schema(records):
    assert [r["name"] for r in records] == ["multi30k-gru-attention", "multi30k-transformer"]
    for record in records:
        assert set(record) == set(FIELDS)
        for key in ("value", "anchor", "budget_cpu_s", "cpu_s", "wall_s"):
            assert math.isfinite(record[key]), (record["name"], key)
        assert record["anchor_cite"] == "trevett2019seq2seq"
        assert "tok:13a" in record["details"]["sacrebleu_signature"]


def test_bleu_is_a_percentage_and_training_lowers_the_loss(records):
    gru, transformer = records
    assert gru["details"]["val_loss_after"] < gru["details"]["val_loss_before"] - 0.3
    assert 0.0 <= gru["details"]["bleu_anchors_way"] <= 100.0
    assert len(gru["details"]["examples"]) == 3
    for result in transformer["details"]["bleu"].values():
        assert 0.0 <= result["anchor_bleu"] <= 100.0
    for record in records:
        assert 0.0 <= record["value"] <= 100.0
        assert "German->English" in record["task"]


def test_the_transformer_is_the_checkpoint_and_reads_german(records):
    transformer = records[1]
    best = max(result["sacrebleu"] for result in transformer["details"]["bleu"].values())
    assert transformer["value"] == best
    assert transformer["cpu_s"] > 600  # the training's CPU time, from the record
    # even on the first 32 test sentences the checkpoint translates well
    assert transformer["value"] > 25, transformer["details"]["examples"]
