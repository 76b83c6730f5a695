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

__all__ = ["TextCNN", "textcnn_parameter_count"]


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def _widths(widths) -> tuple[int, ...]:
    if isinstance(widths, int) or not isinstance(widths, Sequence) or len(widths) == 0:
        raise ValueError(f"widths must be a non-empty sequence of ints, got {widths!r}")
    return tuple(_positive_int("each filter width", w) for w in widths)


def textcnn_parameter_count(
    vocab_size: int, embedding_dim: int, num_classes: int,
    widths: Sequence[int] = (3, 4, 5), num_filters: int = 100,
) -> int:
    """Parameters of :class:`TextCNN` by formula.

    Embedding ``V * E``; each width k has ``F`` filters of ``k * E`` weights plus a bias;
    the linear head reads ``len(widths) * F`` pooled features.
    """
    v, e = _positive_int("vocab_size", vocab_size), _positive_int("embedding_dim", embedding_dim)
    c, f = _positive_int("num_classes", num_classes), _positive_int("num_filters", num_filters)
    widths = _widths(widths)
    conv = sum(f * (k * e + 1) for k in widths)
    head = (len(widths) * f + 1) * c
    return v * e + conv + head


class TextCNN(nn.Module):
    """Embedding -> Conv1d of several widths -> ReLU -> max over time -> dropout -> linear.

    ``forward(ids, lengths=None)`` takes (B, T) token ids and returns (B, num_classes)
    logits. With ``lengths``, windows that reach into the padding are ignored by the
    max, so a text gets the same logits alone or padded in any batch; texts shorter
    than the widest filter are padded up to it.
    :meth:`feature_maps` returns each width's activations before pooling (B, F, windows),
    which is how lesson 06 finds the n-grams that excite a filter most.
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
        self.vocab_size = _positive_int("vocab_size", vocab_size)
        self.embedding_dim = _positive_int("embedding_dim", embedding_dim)
        self.num_classes = _positive_int("num_classes", num_classes)
        self.widths = _widths(widths)
        self.num_filters = _positive_int("num_filters", num_filters)
        if not 0.0 <= float(dropout) < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        self.padding_idx = padding_idx
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=padding_idx)
        self.convs = nn.ModuleList(
            nn.Conv1d(embedding_dim, num_filters, kernel_size=k) for k in self.widths
        )
        self.dropout = nn.Dropout(float(dropout))
        self.head = nn.Linear(len(self.widths) * num_filters, num_classes)

    def _check(self, ids: torch.Tensor, lengths) -> torch.Tensor | None:
        if not isinstance(ids, torch.Tensor):
            raise TypeError(f"expected a torch.Tensor of token ids, got {type(ids).__name__}")
        if ids.dim() != 2:
            raise ValueError(f"expected token ids of shape (batch, time), got {tuple(ids.shape)}")
        if ids.is_floating_point() or ids.is_complex() or ids.dtype == torch.bool:
            raise TypeError(f"expected integer token ids, got dtype {ids.dtype}")
        if ids.shape[0] == 0 or ids.shape[1] == 0:
            raise ValueError(f"expected a non-empty batch, got shape {tuple(ids.shape)}")
        if lengths is None:
            return None
        lengths = torch.as_tensor(lengths)
        if lengths.dim() != 1 or lengths.shape[0] != ids.shape[0]:
            raise ValueError(
                f"expected lengths of shape ({ids.shape[0]},), got {tuple(lengths.shape)}"
            )
        if lengths.is_floating_point() or lengths.dtype == torch.bool:
            raise TypeError(f"expected integer lengths, got dtype {lengths.dtype}")
        if (lengths < 1).any() or (lengths > ids.shape[1]).any():
            raise ValueError(
                f"every length must be in [1, {ids.shape[1]}] (the padded time dimension)"
            )
        return lengths.to(ids.device, torch.long)

    def feature_maps(self, ids: torch.Tensor, lengths=None) -> list[torch.Tensor]:
        """One (B, num_filters, windows) ReLU activation map per filter width.

        Window j of width k covers tokens j .. j+k-1. With ``lengths``, windows that
        reach past a text's end (j + k > length) are set to -inf, so a padded text keeps
        exactly the windows it has alone. A text shorter than k keeps its first window,
        which overlaps padding: it is the only one it has.
        """
        lengths = self._check(ids, lengths)
        ids = ids.long()
        shortfall = max(self.widths) - ids.shape[1]
        if shortfall > 0:  # too short for the widest filter: pad on the right
            if lengths is None:  # the padding added here is not text either
                lengths = torch.full((ids.shape[0],), ids.shape[1], device=ids.device)
            pad = self.padding_idx if self.padding_idx is not None else 0
            ids = F.pad(ids, (0, shortfall), value=pad)
        x = self.embedding(ids).transpose(1, 2)  # (B, E, T): Conv1d wants channels first
        maps = []
        for k, conv in zip(self.widths, self.convs):
            a = F.relu(conv(x))  # (B, F, T - k + 1)
            if lengths is not None:
                starts = torch.arange(a.shape[-1], device=a.device)  # (W,)
                outside = starts[None, :] + k > lengths[:, None]  # (B, W): reaches padding
                outside[:, 0] = False  # every text keeps at least one window
                a = a.masked_fill(outside[:, None, :], float("-inf"))
            maps.append(a)
        return maps

    def forward(self, ids: torch.Tensor, lengths=None) -> torch.Tensor:
        """(B, T) token ids -> (B, num_classes) logits."""
        pooled = [a.max(dim=-1).values for a in self.feature_maps(ids, lengths)]  # (B, F) each
        features = torch.cat(pooled, dim=-1)  # (B, len(widths) * F)
        return self.head(self.dropout(features))  # (B, C)
