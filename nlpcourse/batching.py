"""Batches of similar length for padded text: a bucketing batch sampler.

Built in notebooks/10_text_classification, whose ``#@save`` cell is this module's code
(tests/test_written_in_lessons.py keeps the two identical); the reference runs in
benchmarks/classification.py reuse it from here.

A recurrent layer reads every padded position, so a batch that mixes a 5-token and a
300-token text costs as much as two 300-token texts. :class:`BucketSampler` shuffles,
then sorts small pools of examples by length before cutting them into batches, so each
batch holds texts of similar length while the order of batches stays random.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch.utils.data import DataLoader

from nlpcourse import checks

__all__ = ["BucketSampler", "bucketed"]


class BucketSampler:
    """Batches of indices of similar length, in random order (a DataLoader
    ``batch_sampler``).

    Each pass: shuffle all indices, split them into pools of ``pool`` batches, sort each
    pool by length (stable), cut it into batches, shuffle the batches. Pass k draws
    from ``seed + k``, so two samplers made with the same seed give the same batches.
    Every index appears exactly once per pass.
    """

    def __init__(
        self, lengths: Sequence[int], batch_size: int, pool: int = 50, seed: int = 0
    ):
        self.lengths = checks.example_lengths(lengths)  # (N,)
        self.batch_size = checks.positive_int("batch_size", batch_size)
        self.pool = checks.positive_int("pool", pool)
        self.seed, self.passes = seed, 0

    def __iter__(self):
        generator = torch.Generator().manual_seed(self.seed + self.passes)
        self.passes += 1  # so the next pass is a new shuffle
        order = torch.randperm(len(self.lengths), generator=generator)  # (N,)
        batches = []
        for pool in order.split(self.pool * self.batch_size):
            by_length = pool[self.lengths[pool].argsort(stable=True)]  # shortest first
            batches.extend(by_length.split(self.batch_size))
        # without this, every pool would run from its shortest batch to its longest
        for i in torch.randperm(len(batches), generator=generator).tolist():
            yield batches[i].tolist()

    def __len__(self) -> int:
        return math.ceil(len(self.lengths) / self.batch_size)


def bucketed(loader: DataLoader, seed: int = 0, pool: int = 50) -> DataLoader:
    """A DataLoader over ``loader``'s data and collate function, in bucketed batches.

    ``loader.dataset`` must hold ``(token_ids, label)`` pairs, as the loaders of
    :func:`nlpcourse.text.classification_loaders` do; the batch size is kept.
    """
    if loader.batch_size is None:
        raise ValueError(
            "bucketed needs a loader with a batch_size (not a batch_sampler)"
        )
    lengths = [len(ids) for ids, _ in loader.dataset]
    sampler = BucketSampler(lengths, loader.batch_size, pool=pool, seed=seed)
    return DataLoader(
        loader.dataset, batch_sampler=sampler, collate_fn=loader.collate_fn
    )
