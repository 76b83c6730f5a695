"""Attention: masks, scaled dot-product, additive (Bahdanau) and multi-head attention.

Built in notebooks/13_attention (dot-product and additive attention) and
notebooks/14_transformer (masks and multi-head attention); lessons 14-16 reuse them.

Mask convention, everywhere in the course: a boolean mask is ``True`` where attention is
**forbidden** (a padding key, a future position). That is the convention of
``nn.MultiheadAttention``'s ``key_padding_mask`` and ``attn_mask`` and of
``nn.Transformer.generate_square_subsequent_mask`` (as booleans); note that
``F.scaled_dot_product_attention`` uses the opposite one (``True`` = may attend).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from nlpcourse import checks

__all__ = [
    "causal_mask",
    "padding_mask",
    "scaled_dot_product_attention",
    "AdditiveAttention",
    "MultiHeadAttention",
]


def causal_mask(size: int, device: torch.device | str | None = None) -> torch.Tensor:
    """(size, size) bool mask, True above the diagonal: position i may not see j > i."""
    size = checks.positive_int("size", size)
    return torch.ones(size, size, dtype=torch.bool, device=device).triu(diagonal=1)


def padding_mask(lengths, max_len: int | None = None) -> torch.Tensor:
    """(B, max_len) bool mask, True at padding: positions >= the sequence's length."""
    lengths = torch.as_tensor(lengths)
    if lengths.numel() == 0:
        raise ValueError("padding_mask: lengths is empty")
    if max_len is None:  # as long as the longest sequence
        max_len = int(lengths.max())
    lengths = checks.lengths(lengths, len(lengths), max_len, "padding_mask",
                             lengths.device)
    positions = torch.arange(max_len, device=lengths.device)  # (T,)
    return positions[None, :] >= lengths[:, None]  # (B, T): True from each length on


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    dropout_p: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(q k^T / sqrt(d) with masked scores at -inf) v, and the weights.

    q (..., Tq, d), k (..., Tk, d), v (..., Tk, dv); ``mask`` broadcastable to
    (..., Tq, Tk), True where a query may not look. Returns the output (..., Tq, dv)
    and the attention weights (..., Tq, Tk), each row summing to 1. A query whose keys
    are all masked gets zero weights (and output) instead of NaN. ``dropout_p`` > 0
    drops attention weights (as PyTorch does in training); the returned weights are the
    ones used.
    """
    checks.dot_product_inputs(q, k, v)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., Tq, Tk)
    if mask is not None:  # True = may not look there; exp(-inf) = 0
        scores = scores.masked_fill(checks.attention_mask(mask, scores), float("-inf"))
    weights = torch.softmax(scores, dim=-1)  # (..., Tq, Tk): each row sums to 1
    weights = torch.nan_to_num(weights, nan=0.0)  # rows with every key masked: zeros
    if dropout_p > 0:  # lesson 14's Transformer, in training
        weights = F.dropout(weights, p=dropout_p)
    return weights @ v, weights  # (..., Tq, dv), (..., Tq, Tk)


class AdditiveAttention(nn.Module):
    """Bahdanau's additive attention: score(q, k) = w^T tanh(W_q q + W_k k + b).

    ``forward(query (B, dq), keys (B, T, dk), mask (B, T) True at padding)`` returns
    the context (B, dk), a weighted average of the keys, and the weights (B, T).
    """

    def __init__(self, query_dim: int, key_dim: int, hidden_dim: int):
        super().__init__()
        self.query_proj = nn.Linear(query_dim, hidden_dim, bias=False)  # W_q
        self.key_proj = nn.Linear(key_dim, hidden_dim, bias=True)  # W_k and b
        self.score = nn.Linear(hidden_dim, 1, bias=False)  # w

    def forward(
        self, query: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        checks.query_and_keys(query, keys, self.query_proj.in_features,
                              self.key_proj.in_features)
        # the query and every key, projected and added: (B, 1, h) + (B, T, h)
        hidden = torch.tanh(self.query_proj(query)[:, None, :] + self.key_proj(keys))
        scores = self.score(hidden).squeeze(-1)  # (B, T): one score per key
        if mask is not None:
            mask = checks.attention_mask(mask, scores)  # (B, T), True at padding
            scores = scores.masked_fill(mask, float("-inf"))
        weights = torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0)  # (B, T)
        context = (weights[:, :, None] * keys).sum(dim=1)  # (B, dk): keys as values
        return context, weights


class MultiHeadAttention(nn.Module):
    """Multi-head attention with ``nn.MultiheadAttention``'s parameter names.

    The query, key and value projections are one (3d, d) matrix ``in_proj_weight``,
    then ``out_proj``; so ``load_state_dict(torch_mha.state_dict())`` copies
    PyTorch's weights and the two give the same output, which lesson 14 checks. Each
    head attends in a d / num_heads dimensional subspace; heads are concatenated and
    projected back. ``forward(query, key, value, key_padding_mask=None,
    attn_mask=None)`` takes (B, Tq, d), (B, Tk, d), (B, Tk, d) (batch first); masks
    are True where attention is forbidden: ``key_padding_mask`` (B, Tk),
    ``attn_mask`` (Tq, Tk). Returns (B, Tq, d) and the weights (B, heads, Tq, Tk).
    """

    def __init__(self, d_model: int, num_heads: int, dropout: float = 0.0,
                 bias: bool = True):
        super().__init__()
        self.d_model = checks.positive_int("d_model", d_model)
        self.num_heads = checks.positive_int("num_heads", num_heads)
        if d_model % num_heads:  # every head gets d_model / num_heads of the width
            raise ValueError(f"d_model={d_model} is not divisible by "
                             f"num_heads={num_heads}")
        self.dropout = checks.fraction("dropout", dropout)  # on the attention weights
        # W^Q, W^K and W^V stacked in one (3d, d) matrix, as nn.MultiheadAttention does
        self.in_proj_weight = nn.Parameter(torch.empty(3 * d_model, d_model))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * d_model)) if bias else None
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)  # W^O
        nn.init.xavier_uniform_(self.in_proj_weight)
        if bias:
            nn.init.zeros_(self.out_proj.bias)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, d) -> (B, h, T, d/h): a reshape, not a loop over the heads."""
        batch, steps, _ = x.shape
        head_size = self.d_model // self.num_heads
        x = x.view(batch, steps, self.num_heads, head_size)  # (B, T, h, dh)
        return x.transpose(1, 2)  # (B, h, T, dh)

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        key_padding_mask: torch.Tensor | None = None,
        attn_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        checks.attention_inputs(query, key, value, self.d_model, key_padding_mask,
                                attn_mask)
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)  # each (d, d)
        b_q, b_k, b_v = ((None, None, None) if self.in_proj_bias is None
                         else self.in_proj_bias.chunk(3))  # each (d,)
        q = self._heads(F.linear(query, w_q, b_q))  # (B, h, Tq, dh)
        k = self._heads(F.linear(key, w_k, b_k))  # (B, h, Tk, dh)
        v = self._heads(F.linear(value, w_v, b_v))  # (B, h, Tk, dh)
        mask = None
        if key_padding_mask is not None:  # the same keys hidden from every query
            mask = key_padding_mask[:, None, None, :]  # (B, 1, 1, Tk)
        if attn_mask is not None:  # e.g. the causal mask, the same for every sequence
            mask = attn_mask if mask is None else mask | attn_mask  # (B, 1, Tq, Tk)
        dropout_p = self.dropout if self.training else 0.0
        # lesson 13's attention, in every head at once
        out, weights = scaled_dot_product_attention(q, k, v, mask, dropout_p)
        batch, _, steps, _ = out.shape  # out: (B, h, Tq, dh)
        out = out.transpose(1, 2).reshape(batch, steps, self.d_model)  # (B, Tq, d)
        return self.out_proj(out), weights  # (B, Tq, d), (B, h, Tq, Tk)
