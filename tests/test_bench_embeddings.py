"""Smoke test of benchmarks/embeddings.py: its quick mode (a slice of tiny Shakespeare,
20 analogy questions per section)."""

import math

import pytest

from benchmarks import embeddings
from benchmarks.records import FIELDS


@pytest.fixture(scope="module")
def records(shared_data):
    data = shared_data("tinyshakespeare/input.txt")
    return {r["name"]: r for r in embeddings.run(data, quick=True)}


def test_three_records_with_the_schema(records):
    assert set(records) == {"skipgram-speed-ours", "skipgram-speed-gensim", "glove50-analogy"}
    for record in records.values():
        assert set(record) == set(FIELDS)
        for key in ("value", "budget_cpu_s", "cpu_s", "wall_s"):
            assert math.isfinite(record[key]), (record["name"], key)
    assert records["skipgram-speed-ours"]["anchor"] == records["skipgram-speed-gensim"]["value"]


def test_both_skipgrams_read_the_same_words_and_ours_learns(records):
    ours, gensim = records["skipgram-speed-ours"], records["skipgram-speed-gensim"]
    assert ours["details"]["words"] == gensim["details"]["words"] > 5_000
    assert ours["value"] > 0 and gensim["value"] > 0
    # the SGNS loss starts at 6 log 2 (all scores 0) and must fall within one pass
    assert abs(ours["details"]["loss_first_batch"] - 6 * math.log(2)) < 0.01
    assert ours["details"]["loss_last_10_batches"] < ours["details"]["loss_first_batch"] - 0.1


def test_glove_answers_analogies_far_above_chance(records):
    glove = records["glove50-analogy"]
    assert 20.0 < glove["value"] <= 100.0  # chance is about 1 in 100,000
    details = glove["details"]
    assert 0 <= details["semantic"] <= 100 and 0 <= details["syntactic"] <= 100
