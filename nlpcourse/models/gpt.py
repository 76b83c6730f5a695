"""A mini GPT in the style of nanoGPT: a decoder-only Transformer language model.

Built in notebooks/16_gpt, whose ``#@save`` cell writes out :class:`GPTConfig`,
:class:`Block` and :class:`GPT` as they stand here; the attention is lesson 14's
:class:`nlpcourse.models.attention.MultiHeadAttention`.

Token and learned position embeddings, ``n_layer`` pre-norm blocks (causal multi-head
self-attention, then a GELU MLP, each with a residual connection), a final layer norm
and a linear head tied to the token embedding. ``forward(idx (B, T))`` returns next-token
logits (B, T, vocab), the shape ``nlpcourse.train.fit`` flattens against (B, T) targets.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from nlpcourse import checks
from nlpcourse.generate import sample_next
from nlpcourse.models.attention import MultiHeadAttention, causal_mask

__all__ = ["GPTConfig", "GPT"]


@dataclass
class GPTConfig:
    """The sizes of a :class:`GPT`; checked when it is made."""

    vocab_size: int
    block_size: int = 64  # the longest context the model reads
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0

    def __post_init__(self):
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            checks.positive_int(name, getattr(self, name))
        if self.n_embd % self.n_head:  # each head reads n_embd / n_head numbers
            raise ValueError(f"n_embd={self.n_embd} is not divisible by "
                             f"n_head={self.n_head}")
        checks.fraction("dropout", self.dropout)


class Block(nn.Module):
    """x + attention(norm(x)), then x + mlp(norm(x)): GPT-2's pre-norm block."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.attn = MultiHeadAttention(config.n_embd, config.n_head,
                                       dropout=config.dropout)  # lesson 14's
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = nn.Sequential(  # C -> 4C -> C, each position on its own
            nn.Linear(config.n_embd, 4 * config.n_embd),
            nn.GELU(),
            nn.Linear(4 * config.n_embd, config.n_embd),
            nn.Dropout(config.dropout),
        )
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        h = self.ln_1(x)
        attended, _ = self.attn(h, h, h, attn_mask=mask)  # (B, T, C)
        x = x + self.dropout(attended)  # positions exchange information
        return x + self.mlp(self.ln_2(x))  # (B, T, C): each position thinks alone


class GPT(nn.Module):
    """A decoder-only Transformer language model: token and position embeddings,
    ``n_layer`` causal blocks (:class:`Block`), a final layer norm and an output layer
    tied to the token embedding. ``forward(idx (B, T))`` returns next-token logits
    (B, T, vocab); :meth:`generate` writes."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)  # token embedding
        self.wpe = nn.Embedding(config.block_size, config.n_embd)  # learned positions
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying, as GPT-2 does
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        """nanoGPT's start: normal weights of standard deviation 0.02, zero biases."""
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def num_parameters(self) -> int:
        """Parameters counted once (the tied head shares the token embedding)."""
        return sum(p.numel() for p in self.parameters())

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """(B, T) token ids -> (B, T, vocab): logits of each position's next token."""
        idx = checks.token_ids(idx, "GPT", self.config.vocab_size)  # (B, T)
        steps = idx.shape[1]
        if steps > self.config.block_size:
            raise ValueError(f"sequence length {steps} must be in "
                             f"[1, block_size={self.config.block_size}]")
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

        Each step rereads the last ``block_size`` tokens (no cache: simple, and cheap
        at this size) and draws the next id with :func:`nlpcourse.generate.sample_next`
        (temperature 0 = greedy). Runs in eval mode and restores the previous mode.
        """
        ids = checks.token_ids(prompt, "GPT.generate", self.config.vocab_size)
        checks.positive_int("max_new_tokens", max_new_tokens)
        was_training = self.training
        self.eval()
        try:
            for _ in range(max_new_tokens):
                logits = self(ids[:, -self.config.block_size :])  # (B, T, V)
                next_id = sample_next(logits[:, -1], temperature, top_k, top_p,
                                      generator)  # (B,): the last position's pick
                ids = torch.cat([ids, next_id[:, None]], dim=1)  # (B, T + 1)
            return ids
        finally:
            self.train(was_training)
