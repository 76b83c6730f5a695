"""Transformer building blocks: sinusoidal positions and an encoder layer from scratch.

Built in notebooks/14_transformer; lessons 15 and 16 reuse them.

:class:`TransformerEncoderLayer` uses the parameter names of
``nn.TransformerEncoderLayer`` (``self_attn``, ``linear1``, ``linear2``, ``norm1``,
``norm2``), so PyTorch's weights load into it with ``load_state_dict`` and the two can
be compared number for number.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from nlpcourse.models.attention import MultiHeadAttention

__all__ = ["sinusoidal_positions", "PositionalEncoding", "TransformerEncoderLayer"]


def sinusoidal_positions(max_len: int, d_model: int) -> torch.Tensor:
    """(max_len, d_model) table of Vaswani et al.'s positional encodings.

    PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d)):
    each pair of dimensions is a clock at its own frequency, from one turn every 2*pi
    positions down to one every 10000*2*pi.
    """
    if max_len < 1 or d_model < 2 or d_model % 2:
        raise ValueError(f"need max_len >= 1 and an even d_model >= 2, got {max_len}, {d_model}")
    positions = torch.arange(max_len, dtype=torch.float32)[:, None]  # (T, 1)
    frequencies = torch.exp(
        torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model)
    )  # (d/2,)
    table = torch.zeros(max_len, d_model)
    table[:, 0::2] = torch.sin(positions * frequencies)  # (T, d/2)
    table[:, 1::2] = torch.cos(positions * frequencies)
    return table


class PositionalEncoding(nn.Module):
    """Add sinusoidal positions to (B, T, d) embeddings (scaled by sqrt(d) first, as in
    the paper, when ``scale=True``), then dropout."""

    def __init__(self, d_model: int, max_len: int = 512, dropout: float = 0.0, scale: bool = True):
        super().__init__()
        self.register_buffer("table", sinusoidal_positions(max_len, d_model), persistent=False)
        self.scale = math.sqrt(d_model) if scale else 1.0
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 3 or x.shape[-1] != self.table.shape[1]:
            raise ValueError(
                f"expected embeddings of shape (batch, time, {self.table.shape[1]}), got {tuple(x.shape)}"
            )
        if x.shape[1] > self.table.shape[0]:
            raise ValueError(
                f"sequence of length {x.shape[1]} is longer than max_len={self.table.shape[0]}"
            )
        return self.dropout(x * self.scale + self.table[: x.shape[1]])  # (B, T, d)


class TransformerEncoderLayer(nn.Module):
    """Self-attention and a feed-forward block, each with a residual connection and
    layer normalisation: post-norm ``x = norm(x + sublayer(x))`` as in the paper and
    PyTorch's default, or pre-norm ``x = x + sublayer(norm(x))`` (``norm_first=True``,
    as GPT-2 does). ``forward(x (B, T, d), key_padding_mask (B, T), attn_mask (T, T))``,
    masks True where attention is forbidden.
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        norm_first: bool = False,
        layer_norm_eps: float = 1e-5,
    ):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, nhead, dropout=dropout)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.norm2 = nn.LayerNorm(d_model, eps=layer_norm_eps)
        self.dropout = nn.Dropout(dropout)
        self.norm_first = norm_first

    def _attend(self, x, key_padding_mask, attn_mask):
        out, _ = self.self_attn(x, x, x, key_padding_mask=key_padding_mask, attn_mask=attn_mask)
        return self.dropout(out)

    def _feed_forward(self, x):
        return self.dropout(self.linear2(self.dropout(F.relu(self.linear1(x)))))

    def forward(self, x, key_padding_mask=None, attn_mask=None) -> torch.Tensor:
        if self.norm_first:
            x = x + self._attend(self.norm1(x), key_padding_mask, attn_mask)
            return x + self._feed_forward(self.norm2(x))
        x = self.norm1(x + self._attend(x, key_padding_mask, attn_mask))
        return self.norm2(x + self._feed_forward(x))  # (B, T, d)
