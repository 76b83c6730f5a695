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
    for record in records:
        details = record["details"]
        assert 0.0 <= record["value"] <= 100.0
        assert 0.0 <= details["bleu_on_our_tokens"] <= 100.0
        assert details["val_loss_after"] < details["val_loss_before"] - 0.3, record["name"]
        assert len(details["examples"]) == 3
