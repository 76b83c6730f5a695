"""Tests for nlpcourse.batching (the bucketing sampler of notebooks/10_text_classification)."""

import pytest
import torch
from torch.utils.data import DataLoader

from nlpcourse.batching import BucketSampler, bucketed
from nlpcourse.text import PadCollate


def _lengths(n=500, seed=1):
    return torch.randint(1, 200, (n,), generator=torch.Generator().manual_seed(seed)).tolist()


def test_every_index_once_per_pass_and_batch_sizes():
    lengths = _lengths()
    sampler = BucketSampler(lengths, batch_size=32, pool=4)
    for _ in range(2):
        batches = list(sampler)
        assert len(batches) == len(sampler) == 16  # ceil(500 / 32)
        assert sorted(i for batch in batches for i in batch) == list(range(500))
        assert sum(len(b) < 32 for b in batches) <= 500 // (32 * 4) + 1  # one short batch per pool


def test_batches_hold_similar_lengths():
    lengths = torch.tensor(_lengths())
    bucket = list(BucketSampler(lengths.tolist(), batch_size=32, pool=10))
    shuffled = torch.randperm(500, generator=torch.Generator().manual_seed(0)).split(32)

    def spread(batches):  # mean (max - min) length within a batch
        return sum(float(lengths[b].max() - lengths[b].min()) for b in batches) / len(batches)

    assert spread(bucket) < spread(shuffled) / 4


def test_same_seed_same_batches_and_passes_differ():
    lengths = _lengths()
    first, second = BucketSampler(lengths, 16, seed=3), BucketSampler(lengths, 16, seed=3)
    pass_one = list(first)
    assert pass_one == list(second)
    assert list(first) != pass_one  # the next pass is a new shuffle


def test_bucketed_loader_keeps_data_and_collate():
    data = [([1] * n, n % 2) for n in _lengths(100)]
    loader = DataLoader(data, batch_size=8, collate_fn=PadCollate())
    seen = 0
    for ids, lengths, labels in bucketed(loader, seed=0):
        assert ids.shape == (len(lengths), int(lengths.max()))  # (B, T)
        assert torch.equal(labels, lengths % 2)
        seen += len(labels)
    assert seen == 100


@pytest.mark.parametrize("kwargs", [{"batch_size": 0}, {"batch_size": 4, "pool": 0}])
def test_bad_sizes_are_clear_errors(kwargs):
    with pytest.raises(ValueError, match="positive int"):
        BucketSampler([3, 4, 5], **kwargs)


def test_empty_lengths_is_an_error():
    with pytest.raises(ValueError, match="non-empty"):
        BucketSampler([], 4)
