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

from nlpcourse import checks

__all__ = ["glove_weight", "GloVeModel"]


def glove_weight(x, x_max: float = 100.0, alpha: float = 0.75):
    """GloVe's weighting function f(x) = (x / x_max) ** alpha, capped at 1.

    f(0) = 0, so empty cells of X would not count even if they were fed in; f rises
    sub-linearly and reaches 1 at ``x_max``. Takes a tensor (returns a tensor) or a
    number / NumPy array (returns a NumPy value). The paper uses x_max=100, alpha=3/4.
    """
    checks.positive("x_max", x_max)
    checks.positive("alpha", alpha, why=" (alpha=0 would give f(0)=1)")
    if not isinstance(x, torch.Tensor):  # a number or a NumPy array
        x = np.asarray(x, dtype=np.float64)
    x = checks.positive("co-occurrence counts", x, strict=False)
    weight = (x / x_max) ** alpha
    if isinstance(x, torch.Tensor):
        return torch.clamp(weight, max=1.0)
    return np.minimum(weight, 1.0)


LOG_OF_ZERO = ": log(0) is undefined, so GloVe trains only on the non-zero entries of X"


class GloVeModel(nn.Module):
    """Word vectors w, context vectors w~ and their biases b, b~: four embedding tables.

    ``forward(i, j, x)`` takes a batch of non-zero co-occurrence entries (row ids,
    column ids, counts, each of shape (B,)) and returns the weighted squared error
    ``f(x) (w_i . w~_j + b_i + b~_j - log x)^2``, averaged over the batch
    (``reduction="mean"``) or summed (``"sum"``, the paper's J for that batch).
    Parameters start uniform in [-0.5/dim, 0.5/dim], as in the reference ``glove.c``.
    """

    def __init__(self, vocab_size: int, dim: int, x_max: float = 100.0,
                 alpha: float = 0.75, reduction: str = "mean"):
        super().__init__()
        self.vocab_size = checks.positive_int("vocab_size", vocab_size)
        self.dim = checks.positive_int("dim", dim)
        self.reduction = checks.one_of("reduction", reduction, {"mean", "sum"})
        glove_weight(1.0, x_max, alpha)  # checks x_max and alpha now, not at batch one
        self.x_max, self.alpha = x_max, alpha
        self.word = nn.Embedding(vocab_size, dim)  # w_i, (V, D)
        self.context = nn.Embedding(vocab_size, dim)  # w~_j, (V, D)
        self.word_bias = nn.Embedding(vocab_size, 1)  # b_i, (V, 1)
        self.context_bias = nn.Embedding(vocab_size, 1)  # b~_j, (V, 1)
        for table in (self.word, self.context, self.word_bias, self.context_bias):
            nn.init.uniform_(table.weight, -0.5 / dim, 0.5 / dim)

    def predict(self, i: torch.Tensor, j: torch.Tensor) -> torch.Tensor:
        """The model's log co-occurrence w_i . w~_j + b_i + b~_j, shape (B,)."""
        # index_select rather than calling the embeddings: the same rows, but its
        # backward is a plain index_add, about a third faster on a CPU
        w = self.word.weight.index_select(0, i)  # (B, D)
        w_ctx = self.context.weight.index_select(0, j)  # (B, D)
        b = self.word_bias.weight[:, 0].index_select(0, i)  # (B,)
        b_ctx = self.context_bias.weight[:, 0].index_select(0, j)  # (B,)
        return (w * w_ctx).sum(dim=-1) + b + b_ctx

    def forward(self, i, j, x) -> torch.Tensor:
        """The weighted squared error of B entries (i, j, X_ij) of the matrix."""
        i = checks.word_ids(i, ("B",), "GloVeModel i", self.vocab_size)  # (B,)
        j = checks.word_ids(j, i.shape, "GloVeModel j", self.vocab_size)  # (B,)
        x = checks.positive("GloVeModel counts x", x, shape=i.shape, why=LOG_OF_ZERO)
        x = x.to(self.word.weight.dtype)  # (B,)
        error = self.predict(i, j) - torch.log(x)  # (B,)
        loss = glove_weight(x, self.x_max, self.alpha) * error**2  # (B,)
        return loss.mean() if self.reduction == "mean" else loss.sum()

    def vectors(self) -> torch.Tensor:
        """The (V, D) word vectors w + w~ that the paper keeps after training."""
        return (self.word.weight + self.context.weight).detach()
