"""A convolutional text classifier in the style of Kim (2014).

Built in notebooks/06_cnn_for_text; lesson 10 reuses :class:`TextCNN`.

Token ids are embedded, and several ``nn.Conv1d`` layers of different widths slide over
the sequence: a filter of width k is an n-gram detector that scores every k-token window.
Max-over-time pooling keeps each filter's best score anywhere in the text, so the
classifier sees "did this n-gram pattern occur?", independent of where and of length.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from nlpcourse import checks

__all__ = ["TextCNN", "textcnn_parameter_count"]


def textcnn_parameter_count(
    vocab_size: int, embedding_dim: int, num_classes: int,
    widths: Sequence[int] = (3, 4, 5), num_filters: int = 100,
) -> int:
    """Parameters of :class:`TextCNN` by formula.

    Embedding ``V * E``; each width k has ``F`` filters of ``k * E`` weights plus a
    bias; the linear head reads ``len(widths) * F`` pooled features.
    """
    v = checks.positive_int("vocab_size", vocab_size)
    e = checks.positive_int("embedding_dim", embedding_dim)
    c = checks.positive_int("num_classes", num_classes)
    f = checks.positive_int("num_filters", num_filters)
    widths = checks.positive_ints("widths", widths, "each filter width")
    conv = sum(f * (k * e + 1) for k in widths)  # F filters of k x E weights, + a bias
    head = (len(widths) * f + 1) * c  # one weight per pooled feature, + a bias
    return v * e + conv + head


class TextCNN(nn.Module):
    """Embedding -> Conv1d of several widths -> ReLU -> max over time -> dropout ->
    linear.

    ``forward(ids, lengths=None)`` takes (B, T) token ids and returns (B, num_classes)
    logits. With ``lengths``, windows that reach into the padding are ignored by the
    max, so a text gets the same logits alone or padded in any batch; texts shorter
    than the widest filter are padded up to it.
    :meth:`feature_maps` returns each width's activations before pooling
    (B, F, windows), which is how lesson 06 finds the n-grams that excite a filter most.
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int = 50,
        num_classes: int = 2,
        widths: Sequence[int] = (3, 4, 5),
        num_filters: int = 100,
        dropout: float = 0.5,
        padding_idx: int | None = 0,
    ):
        super().__init__()
        self.vocab_size = checks.positive_int("vocab_size", vocab_size)
        self.embedding_dim = checks.positive_int("embedding_dim", embedding_dim)
        self.num_classes = checks.positive_int("num_classes", num_classes)
        self.widths = checks.positive_ints("widths", widths, "each filter width")
        self.num_filters = checks.positive_int("num_filters", num_filters)
        dropout = checks.fraction("dropout", dropout)
        self.padding_idx = padding_idx
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx)
        self.convs = nn.ModuleList(
            nn.Conv1d(embedding_dim, num_filters, kernel_size=k) for k in self.widths
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(len(self.widths) * num_filters, num_classes)

    def feature_maps(self, ids: torch.Tensor, lengths=None) -> list[torch.Tensor]:
        """One (B, num_filters, windows) ReLU activation map per filter width.

        Window j of width k covers tokens j .. j+k-1. With ``lengths``, windows that
        reach past a text's end (j + k > length) are set to -inf, so a padded text keeps
        exactly the windows it has alone. A text shorter than k keeps its first window,
        which overlaps padding: it is the only one it has.
        """
        ids = checks.token_ids(ids, "TextCNN", self.vocab_size)  # (B, T) int64
        batch, steps = ids.shape
        if lengths is not None:  # (B,), each in [1, T]
            lengths = checks.lengths(lengths, batch, steps, "TextCNN", ids.device)
        shortfall = max(self.widths) - ids.shape[1]
        if shortfall > 0:  # too short for the widest filter: pad on the right
            if lengths is None:  # the padding added here is not text either
                lengths = torch.full((ids.shape[0],), ids.shape[1], device=ids.device)
            pad = self.padding_idx if self.padding_idx is not None else 0
            ids = F.pad(ids, (0, shortfall), value=pad)
        x = self.embedding(ids).transpose(1, 2)  # (B, T, E) -> (B, E, T), channels 1st
        maps = []
        for k, conv in zip(self.widths, self.convs):
            a = F.relu(conv(x))  # (B, F, T - k + 1)
            if lengths is not None:
                starts = torch.arange(a.shape[-1], device=a.device)  # (W,)
                outside = starts[None, :] + k > lengths[:, None]  # (B, W): in padding
                outside[:, 0] = False  # every text keeps at least one window
                a = a.masked_fill(outside[:, None, :], float("-inf"))
            maps.append(a)
        return maps

    def forward(self, ids: torch.Tensor, lengths=None) -> torch.Tensor:
        """(B, T) token ids -> (B, num_classes) logits."""
        maps = self.feature_maps(ids, lengths)  # (B, F, T - k + 1) per width k
        pooled = [a.max(dim=-1).values for a in maps]  # (B, F) each: max over time
        features = torch.cat(pooled, dim=-1)  # (B, len(widths) * F)
        return self.head(self.dropout(features))  # (B, C)
