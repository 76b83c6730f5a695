"""A mini GPT in the style of nanoGPT: a decoder-only Transformer language model.

Built in notebooks/16_gpt.

Token and learned position embeddings, ``n_layer`` pre-norm blocks (causal multi-head
self-attention, then a GELU MLP, each with a residual connection), a final layer norm
and a linear head tied to the token embedding. ``forward(idx (B, T))`` returns next-token
logits (B, T, vocab), the shape ``nlpcourse.train.fit`` flattens against (B, T) targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from nlpcourse.generate import sample_next
from nlpcourse.models.attention import MultiHeadAttention, causal_mask

__all__ = ["GPTConfig", "GPT"]


@dataclass
class GPTConfig:
    vocab_size: int
    block_size: int = 64  # the longest context the model reads
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0

    def __post_init__(self):
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd={self.n_embd} is not divisible by n_head={self.n_head}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")


class Block(nn.Module):
    """x + attention(norm(x)), then x + mlp(norm(x)): GPT-2's pre-norm block."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.attn = MultiHeadAttention(config.n_embd, config.n_head, dropout=config.dropout)
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = nn.Sequential(
            nn.Linear(config.n_embd, 4 * config.n_embd),
            nn.GELU(),
            nn.Linear(4 * config.n_embd, config.n_embd),
            nn.Dropout(config.dropout),
        )
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        h = self.ln_1(x)
        attended, _ = self.attn(h, h, h, attn_mask=mask)  # (B, T, C)
        x = x + self.dropout(attended)
        return x + self.mlp(self.ln_2(x))  # (B, T, C)


class GPT(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.block_size, config.n_embd)
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying, as GPT-2 does
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def num_parameters(self) -> int:
        """Parameters counted once (the tied head shares the token embedding)."""
        return sum(p.numel() for p in self.parameters())

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """(B, T) token ids -> (B, T, vocab) logits for the token after each position."""
        if not isinstance(idx, torch.Tensor) or idx.dim() != 2:
            raise ValueError(f"expected token ids of shape (batch, time), got {getattr(idx, 'shape', idx)}")
        if idx.is_floating_point() or idx.dtype == torch.bool:
            raise TypeError(f"expected integer token ids, got dtype {idx.dtype}")
        steps = idx.shape[1]
        if not 1 <= steps <= self.config.block_size:
            raise ValueError(
                f"sequence length {steps} must be in [1, block_size={self.config.block_size}]"
            )
        positions = torch.arange(steps, device=idx.device)  # (T,)
        x = self.drop(self.wte(idx) + self.wpe(positions))  # (B, T, C)
        mask = causal_mask(steps, idx.device)  # (T, T), True above the diagonal
        for block in self.blocks:
            x = block(x, mask)
        return self.lm_head(self.ln_f(x))  # (B, T, vocab)

    @torch.no_grad()
    def generate(
        self,
        prompt: torch.Tensor,
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Continue each row of ``prompt`` (B, T0) by ``max_new_tokens`` sampled ids.

        Each step rereads the last ``block_size`` tokens (no cache: simple, and cheap at
        this size) and draws the next id with :func:`nlpcourse.generate.sample_next`
        (temperature 0 = greedy). Runs in eval mode and restores the previous mode.
        """
        if not isinstance(prompt, torch.Tensor) or prompt.dim() != 2 or prompt.shape[1] == 0:
            raise ValueError(f"expected a prompt of shape (batch, time >= 1), got {getattr(prompt, 'shape', prompt)}")
        if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or max_new_tokens < 0:
            raise ValueError(f"max_new_tokens must be an int >= 0, got {max_new_tokens!r}")
        was_training = self.training
        self.eval()
        try:
            ids = prompt.long()
            for _ in range(max_new_tokens):
                logits = self(ids[:, -self.config.block_size :])  # (B, T, V)
                next_id = sample_next(logits[:, -1], temperature, top_k, top_p, generator)  # (B,)
                ids = torch.cat([ids, next_id[:, None]], dim=1)  # (B, T + 1)
            return ids
        finally:
            self.train(was_training)
