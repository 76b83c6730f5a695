"""GloVe: a weighted least-squares fit of word vectors to log co-occurrence counts.

Built in notebooks/05_glove.

Pennington, Socher and Manning (2014) fit, for every non-zero entry ``X_ij`` of the
co-occurrence matrix (see :mod:`nlpcourse.cooccurrence`),

    w_i . w~_j + b_i + b~_j  ~  log X_ij,

weighting each squared error by ``f(X_ij)`` so that rare, noisy pairs count little and
very frequent ones do not dominate. The word vectors used afterwards are ``w + w~``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

__all__ = ["glove_weight", "GloVeModel"]


def glove_weight(x, x_max: float = 100.0, alpha: float = 0.75):
    """GloVe's weighting function f(x) = (x / x_max) ** alpha, capped at 1.

    f(0) = 0, so empty cells of X would not count even if they were fed in; f rises
    sub-linearly and reaches 1 at ``x_max``. Takes a tensor (returns a tensor) or a
    number / NumPy array (returns a NumPy value). The paper uses x_max=100, alpha=3/4.
    """
    if not x_max > 0:
        raise ValueError(f"x_max must be positive, got {x_max!r}")
    if not alpha > 0:
        raise ValueError(f"alpha must be positive (alpha=0 would give f(0)=1), got {alpha!r}")
    if isinstance(x, torch.Tensor):
        if (x < 0).any():
            raise ValueError("co-occurrence counts cannot be negative")
        return torch.clamp((x / x_max) ** alpha, max=1.0)
    x = np.asarray(x, dtype=np.float64)
    if (x < 0).any():
        raise ValueError("co-occurrence counts cannot be negative")
    return np.minimum((x / x_max) ** alpha, 1.0)


class GloVeModel(nn.Module):
    """Word vectors w, context vectors w~ and their biases b, b~, as four embedding tables.

    ``forward(i, j, x)`` takes a batch of non-zero co-occurrence entries (row ids,
    column ids, counts, each of shape (B,)) and returns the weighted squared error
    ``f(x) (w_i . w~_j + b_i + b~_j - log x)^2``, averaged over the batch
    (``reduction="mean"``) or summed (``"sum"``, the paper's J for that batch).
    Parameters start uniform in [-0.5/dim, 0.5/dim], as in the reference ``glove.c``.
    """

    def __init__(
        self, vocab_size: int, dim: int, x_max: float = 100.0, alpha: float = 0.75, reduction: str = "mean"
    ):
        super().__init__()
        if vocab_size < 1 or dim < 1:
            raise ValueError(f"vocab_size and dim must be positive, got {vocab_size} and {dim}")
        if reduction not in ("mean", "sum"):
            raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
        glove_weight(1.0, x_max, alpha)  # checks x_max and alpha now, not at the first batch
        self.vocab_size, self.dim = vocab_size, dim
        self.x_max, self.alpha, self.reduction = x_max, alpha, reduction
        self.word = nn.Embedding(vocab_size, dim)  # w_i
        self.context = nn.Embedding(vocab_size, dim)  # w~_j
        self.word_bias = nn.Embedding(vocab_size, 1)  # b_i
        self.context_bias = nn.Embedding(vocab_size, 1)  # b~_j
        for table in (self.word, self.context, self.word_bias, self.context_bias):
            nn.init.uniform_(table.weight, -0.5 / dim, 0.5 / dim)

    def predict(self, i: torch.Tensor, j: torch.Tensor) -> torch.Tensor:
        """The model's log co-occurrence w_i . w~_j + b_i + b~_j, shape (B,)."""
        # index_select rather than calling the embeddings: the same rows, but its backward
        # is a plain index_add, about a third faster on a CPU than nn.Embedding's
        w = self.word.weight.index_select(0, i)  # (B, D)
        w_ctx = self.context.weight.index_select(0, j)  # (B, D)
        b = self.word_bias.weight[:, 0].index_select(0, i)  # (B,)
        b_ctx = self.context_bias.weight[:, 0].index_select(0, j)  # (B,)
        return (w * w_ctx).sum(dim=-1) + b + b_ctx

    def forward(self, i: torch.Tensor, j: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        self._check(i, j, x)
        x = x.to(self.word.weight.dtype)
        error = self.predict(i, j) - torch.log(x)  # (B,)
        loss = glove_weight(x, self.x_max, self.alpha) * error**2  # (B,)
        return loss.mean() if self.reduction == "mean" else loss.sum()

    def vectors(self) -> torch.Tensor:
        """The (V, D) word vectors w + w~ that the paper keeps after training."""
        return (self.word.weight + self.context.weight).detach()

    def _check(self, i: torch.Tensor, j: torch.Tensor, x: torch.Tensor) -> None:
        if not (i.shape == j.shape == x.shape) or i.dim() != 1 or len(i) == 0:
            raise ValueError(
                f"i, j and x must be non-empty 1-d tensors of one shape (B,), got {tuple(i.shape)}, "
                f"{tuple(j.shape)} and {tuple(x.shape)}"
            )
        for name, ids in (("i", i), ("j", j)):
            if ids.dtype not in (torch.int32, torch.int64):
                raise TypeError(f"{name} must hold integer word ids, got {ids.dtype}")
            if int(ids.min()) < 0 or int(ids.max()) >= self.vocab_size:
                raise ValueError(f"{name} holds ids outside [0, {self.vocab_size})")
        if bool((~(x > 0)).any()):  # zero, negative or NaN
            raise ValueError(
                "every count x must be positive: log(0) is undefined, so GloVe trains only on the "
                "non-zero entries of X"
            )
