"""A GRU encoder-decoder, with or without attention, trained with teacher forcing.

Built in notebooks/12_seq2seq (the context-vector model) and notebooks/13_attention
(the same decoder attending over the encoder's outputs); benchmarks reuse it.

Batches are ``(src, src_lengths, tgt_in, tgt_out)``: ``tgt_in`` is the target with
``<sos>`` in front, ``tgt_out`` the same target followed by ``<eos>``, so position t of
``tgt_in`` is what the decoder reads when it must write position t of ``tgt_out``. That
is the shape ``nlpcourse.train.fit`` wants: ``model(src, src_lengths, tgt_in)`` returns
(B, T, V) logits compared with ``tgt_out``.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from nlpcourse.models.attention import AdditiveAttention, padding_mask, scaled_dot_product_attention

__all__ = ["Seq2Seq"]

_ATTENTION = (None, "dot", "additive")


class Seq2Seq(nn.Module):
    """GRU encoder, GRU decoder; ``attention`` None (the context vector only), ``"dot"``
    (a dot-product score, as in Luong et al. 2015, but divided by sqrt(d) as in Vaswani
    et al. 2017: Luong's own dot score is unscaled, score = h_t^T h_s) or ``"additive"``
    (Bahdanau's).

    Without attention the decoder starts from the encoder's last state and sees nothing
    else of the source: the information bottleneck (정보 병목) of lesson 12. With
    attention each decoder step also reads a weighted average of all encoder outputs,
    with weights computed from its current state.

    ``teacher_forcing`` (default 1.0) is the probability that a training step feeds the
    true previous token rather than the model's own prediction; set it on the model
    (``model.teacher_forcing = 0.5``); in eval mode ``forward`` always feeds the true
    tokens (a validation loss), and :meth:`greedy_decode` never sees the targets.
    """

    def __init__(
        self,
        src_vocab_size: int,
        tgt_vocab_size: int,
        embedding_dim: int = 64,
        hidden_size: int = 128,
        attention: str | None = None,
        sos_index: int = 1,
        eos_index: int = 2,
        pad_index: int = 0,
        dropout: float = 0.0,
    ):
        super().__init__()
        if attention not in _ATTENTION:
            raise ValueError(f"attention must be one of {_ATTENTION}, got {attention!r}")
        self.attention = attention
        self.sos_index, self.eos_index, self.pad_index = sos_index, eos_index, pad_index
        self.teacher_forcing = 1.0
        self.src_embedding = nn.Embedding(src_vocab_size, embedding_dim, padding_idx=pad_index)
        self.tgt_embedding = nn.Embedding(tgt_vocab_size, embedding_dim, padding_idx=pad_index)
        self.encoder = nn.GRU(embedding_dim, hidden_size, batch_first=True)
        context_size = hidden_size if attention else 0
        self.decoder = nn.GRUCell(embedding_dim + context_size, hidden_size)
        self.additive = (
            AdditiveAttention(hidden_size, hidden_size, hidden_size) if attention == "additive" else None
        )
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_size + context_size, tgt_vocab_size)

    # -------------------------------------------------------------- encoder

    def _check(self, src: torch.Tensor, src_lengths) -> torch.Tensor:
        if not isinstance(src, torch.Tensor) or src.dim() != 2:
            raise ValueError(f"expected src token ids of shape (batch, time), got {getattr(src, 'shape', src)}")
        if src.is_floating_point() or src.dtype == torch.bool:
            raise TypeError(f"expected integer token ids, got dtype {src.dtype}")
        lengths = torch.as_tensor(src_lengths).to("cpu", torch.long)
        if lengths.shape != (src.shape[0],):
            raise ValueError(f"expected src_lengths of shape ({src.shape[0]},), got {tuple(lengths.shape)}")
        if (lengths < 1).any() or (lengths > src.shape[1]).any():
            raise ValueError(f"every source length must be in [1, {src.shape[1]}]")
        return lengths

    def encode(self, src: torch.Tensor, src_lengths) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Encoder outputs (B, S, H), last state (B, H) and the source padding mask (B, S)."""
        lengths = self._check(src, src_lengths)
        embedded = self.dropout(self.src_embedding(src))  # (B, S, E)
        packed = pack_padded_sequence(embedded, lengths, batch_first=True, enforce_sorted=False)
        outputs, last = self.encoder(packed)
        outputs, _ = pad_packed_sequence(outputs, batch_first=True, total_length=src.shape[1])  # (B, S, H)
        return outputs, last[0], padding_mask(lengths, src.shape[1]).to(src.device)

    # -------------------------------------------------------------- one decoder step

    def _attend(self, state, memory, mask):
        if self.attention == "dot":
            context, weights = scaled_dot_product_attention(
                state[:, None, :], memory, memory, mask[:, None, :]
            )  # (B, 1, H), (B, 1, S)
            return context[:, 0], weights[:, 0]
        return self.additive(state, memory, mask)  # (B, H), (B, S)

    def step(self, token, state, memory, mask):
        """Read one token (B,), return logits (B, V), the new state and attention weights."""
        embedded = self.dropout(self.tgt_embedding(token))  # (B, E)
        if self.attention is None:
            state = self.decoder(embedded, state)  # (B, H)
            return self.out(self.dropout(state)), state, None
        # Bahdanau's order: the previous state asks where to look, the context it gets
        # goes into the GRU beside the token and into the output layer beside the state
        context, weights = self._attend(state, memory, mask)  # (B, H), (B, S)
        state = self.decoder(torch.cat([embedded, context], dim=-1), state)  # (B, H)
        logits = self.out(self.dropout(torch.cat([state, context], dim=-1)))  # (B, V)
        return logits, state, weights

    # -------------------------------------------------------------- whole sequences

    def forward(self, src: torch.Tensor, src_lengths, tgt_in: torch.Tensor) -> torch.Tensor:
        """Logits (B, T, V) for every target position; ``tgt_in`` (B, T) starts with <sos>."""
        if tgt_in.dim() != 2 or tgt_in.shape[0] != src.shape[0]:
            raise ValueError(f"expected tgt_in of shape ({src.shape[0]}, time), got {tuple(tgt_in.shape)}")
        memory, state, mask = self.encode(src, src_lengths)
        token = tgt_in[:, 0]
        all_logits = []
        for t in range(tgt_in.shape[1]):
            logits, state, _ = self.step(token, state, memory, mask)
            all_logits.append(logits)
            if t + 1 < tgt_in.shape[1]:
                # in eval mode (validation loss) the true tokens are always fed
                forced = not self.training or torch.rand(()) < self.teacher_forcing
                token = tgt_in[:, t + 1] if forced else logits.argmax(-1)
        return torch.stack(all_logits, dim=1)  # (B, T, V)

    @torch.no_grad()
    def greedy_decode(self, src: torch.Tensor, src_lengths, max_len: int = 20):
        """Token ids (B, L) up to and including <eos> (then padding), and the attention
        weights (B, L, S) (None without attention). Uses only the source."""
        was_training = self.training
        self.eval()
        memory, state, mask = self.encode(src, src_lengths)
        token = torch.full((src.shape[0],), self.sos_index, dtype=torch.long, device=src.device)
        done = torch.zeros(src.shape[0], dtype=torch.bool, device=src.device)
        tokens, weights = [], []
        for _ in range(max_len):
            logits, state, attention = self.step(token, state, memory, mask)
            token = logits.argmax(-1).masked_fill(done, self.pad_index)  # (B,)
            tokens.append(token)
            weights.append(attention)
            done |= token == self.eos_index
            if done.all():
                break
        self.train(was_training)
        stacked = torch.stack(weights, dim=1) if self.attention else None  # (B, L, S)
        return torch.stack(tokens, dim=1), stacked
