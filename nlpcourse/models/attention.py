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

__all__ = [
    "causal_mask",
    "padding_mask",
    "scaled_dot_product_attention",
    "AdditiveAttention",
    "MultiHeadAttention",
]


def causal_mask(size: int, device: torch.device | str | None = None) -> torch.Tensor:
    """(size, size) bool mask, True above the diagonal: position i may not see j > i."""
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValueError(f"size must be a positive int, got {size!r}")
    return torch.ones(size, size, dtype=torch.bool, device=device).triu(diagonal=1)


def padding_mask(lengths, max_len: int | None = None) -> torch.Tensor:
    """(B, max_len) bool mask, True at padding positions (index >= the sequence's length)."""
    lengths = torch.as_tensor(lengths)
    if lengths.dim() != 1 or lengths.is_floating_point() or lengths.dtype == torch.bool:
        raise ValueError(f"lengths must be a 1-D integer tensor, got {lengths.dtype} {tuple(lengths.shape)}")
    if len(lengths) == 0:
        raise ValueError("lengths is empty")
    longest = int(lengths.max())
    max_len = longest if max_len is None else max_len
    if (lengths < 1).any() or longest > max_len:
        raise ValueError(f"every length must be in [1, {max_len}], got {lengths.tolist()}")
    positions = torch.arange(max_len, device=lengths.device)  # (T,)
    return positions[None, :] >= lengths[:, None]  # (B, T)


def _check_mask(mask: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
    if mask.dtype != torch.bool:
        raise TypeError(f"the mask must be boolean (True = forbidden), got dtype {mask.dtype}")
    try:
        torch.broadcast_shapes(mask.shape, scores.shape)
    except RuntimeError:
        raise ValueError(
            f"mask of shape {tuple(mask.shape)} does not broadcast to the attention "
            f"scores' shape {tuple(scores.shape)} (..., queries, keys)"
        ) from None
    return mask


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    dropout_p: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(q k^T / sqrt(d) with masked scores at -inf) v, and the weights.

    q (..., Tq, d), k (..., Tk, d), v (..., Tk, dv); ``mask`` broadcastable to
    (..., Tq, Tk), True where a query may not look. Returns the output (..., Tq, dv) and
    the attention weights (..., Tq, Tk), each row summing to 1. A query whose keys are
    all masked gets zero weights (and output) instead of NaN. ``dropout_p`` > 0 drops
    attention weights (as PyTorch does in training); the returned weights are the ones
    used.
    """
    if q.dim() < 2 or k.dim() < 2 or v.dim() < 2:
        raise ValueError("q, k and v need at least 2 dimensions (..., time, features)")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must share their last dimension, got {q.shape[-1]} and {k.shape[-1]}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v must have the same number of keys, got {k.shape[-2]} and {v.shape[-2]}")
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., Tq, Tk)
    if mask is not None:
        scores = scores.masked_fill(_check_mask(mask, scores), float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    weights = torch.nan_to_num(weights, nan=0.0)  # rows with every key masked
    if dropout_p > 0:
        weights = F.dropout(weights, p=dropout_p)
    return weights @ v, weights  # (..., Tq, dv), (..., Tq, Tk)


class AdditiveAttention(nn.Module):
    """Bahdanau's additive attention: score(q, k) = w^T tanh(W_q q + W_k k).

    ``forward(query (B, dq), keys (B, T, dk), mask (B, T) True at padding)`` returns the
    context (B, dk), a weighted average of the keys, and the weights (B, T).
    """

    def __init__(self, query_dim: int, key_dim: int, hidden_dim: int):
        super().__init__()
        self.query_proj = nn.Linear(query_dim, hidden_dim, bias=False)
        self.key_proj = nn.Linear(key_dim, hidden_dim, bias=True)
        self.score = nn.Linear(hidden_dim, 1, bias=False)

    def forward(
        self, query: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if query.dim() != 2 or keys.dim() != 3 or query.shape[0] != keys.shape[0]:
            raise ValueError(
                f"expected query (B, {self.query_proj.in_features}) and keys (B, T, "
                f"{self.key_proj.in_features}), got {tuple(query.shape)} and {tuple(keys.shape)}"
            )
        hidden = torch.tanh(self.query_proj(query)[:, None, :] + self.key_proj(keys))  # (B, T, H)
        scores = self.score(hidden).squeeze(-1)  # (B, T)
        if mask is not None:
            scores = scores.masked_fill(_check_mask(mask, scores), float("-inf"))
        weights = torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0)  # (B, T)
        context = (weights[:, :, None] * keys).sum(dim=1)  # (B, dk)
        return context, weights


class MultiHeadAttention(nn.Module):
    """Multi-head attention with ``nn.MultiheadAttention``'s parameter names (batch first).

    The query, key and value projections are one (3d, d) matrix ``in_proj_weight``, then
    ``out_proj``; so ``load_state_dict(torch_mha.state_dict())`` copies PyTorch's weights
    and the two give the same output, which lesson 14 checks. Each head attends in a
    d / num_heads dimensional subspace; heads are concatenated and projected back.
    ``forward(query, key, value, key_padding_mask=None, attn_mask=None)`` takes
    (B, Tq, d), (B, Tk, d), (B, Tk, d); masks are True where attention is forbidden:
    ``key_padding_mask`` (B, Tk), ``attn_mask`` (Tq, Tk). Returns (B, Tq, d) and the
    weights (B, heads, Tq, Tk).
    """

    def __init__(self, d_model: int, num_heads: int, dropout: float = 0.0, bias: bool = True):
        super().__init__()
        if d_model % num_heads != 0:
            raise ValueError(f"d_model={d_model} is not divisible by num_heads={num_heads}")
        self.d_model, self.num_heads = d_model, num_heads
        self.in_proj_weight = nn.Parameter(torch.empty(3 * d_model, d_model))
        self.in_proj_bias = nn.Parameter(torch.zeros(3 * d_model)) if bias else None
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)
        self.dropout = float(dropout)
        nn.init.xavier_uniform_(self.in_proj_weight)
        if bias:
            nn.init.zeros_(self.out_proj.bias)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        batch, steps, _ = x.shape
        x = x.view(batch, steps, self.num_heads, self.d_model // self.num_heads)  # (B, T, h, dh)
        return x.transpose(1, 2)  # (B, h, T, dh)

    def forward(
        self,
        query: torch.Tensor,
        key: torch.Tensor,
        value: torch.Tensor,
        key_padding_mask: torch.Tensor | None = None,
        attn_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        for name, x in (("query", query), ("key", key), ("value", value)):
            if x.dim() != 3 or x.shape[-1] != self.d_model:
                raise ValueError(
                    f"expected {name} of shape (batch, time, {self.d_model}), got {tuple(x.shape)}"
                )
        if key.shape[:2] != value.shape[:2] or query.shape[0] != key.shape[0]:
            raise ValueError(
                f"batch/time mismatch: query {tuple(query.shape)}, key {tuple(key.shape)}, "
                f"value {tuple(value.shape)}"
            )
        w_q, w_k, w_v = self.in_proj_weight.chunk(3)
        b_q, b_k, b_v = self.in_proj_bias.chunk(3) if self.in_proj_bias is not None else (None,) * 3
        q = self._heads(F.linear(query, w_q, b_q))  # (B, h, Tq, dh)
        k = self._heads(F.linear(key, w_k, b_k))  # (B, h, Tk, dh)
        v = self._heads(F.linear(value, w_v, b_v))  # (B, h, Tk, dh)
        mask = None
        if key_padding_mask is not None:
            if key_padding_mask.shape != key.shape[:2]:
                raise ValueError(
                    f"key_padding_mask must be (batch, keys) = {tuple(key.shape[:2])}, "
                    f"got {tuple(key_padding_mask.shape)}"
                )
            mask = key_padding_mask[:, None, None, :]  # (B, 1, 1, Tk)
        if attn_mask is not None:
            if attn_mask.shape != (query.shape[1], key.shape[1]):
                raise ValueError(
                    f"attn_mask must be (queries, keys) = {(query.shape[1], key.shape[1])}, "
                    f"got {tuple(attn_mask.shape)}"
                )
            mask = attn_mask if mask is None else mask | attn_mask  # (B, 1, Tq, Tk)
        dropout_p = self.dropout if self.training else 0.0
        out, weights = scaled_dot_product_attention(q, k, v, mask, dropout_p)  # (B, h, Tq, dh)
        batch, _, steps, _ = out.shape
        out = out.transpose(1, 2).reshape(batch, steps, self.d_model)  # (B, Tq, d)
        return self.out_proj(out), weights
