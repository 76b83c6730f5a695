"""Tests for nlpcourse.data.toy."""

import pytest

from nlpcourse.data.toy import reversal_pairs


def test_reversal_pairs():
    pairs = reversal_pairs(500, 3, 7, seed=1)
    assert len(pairs) == 500
    assert all(target == source[::-1] for source, target in pairs)
    assert {len(source) for source, _ in pairs} == set(range(3, 8))
    assert set("".join(source for source, _ in pairs)) == set("0123456789")
    assert pairs == reversal_pairs(500, 3, 7, seed=1)
    assert pairs != reversal_pairs(500, 3, 7, seed=2)
    assert reversal_pairs(0) == []


def test_reversal_pairs_bad_input():
    with pytest.raises(ValueError, match="non-negative"):
        reversal_pairs(-1)
    with pytest.raises(ValueError, match="min_len"):
        reversal_pairs(10, 5, 4)
    with pytest.raises(ValueError, match="min_len"):
        reversal_pairs(10, 0, 4)
    with pytest.raises(ValueError, match="alphabet"):
        reversal_pairs(10, alphabet="aa")
