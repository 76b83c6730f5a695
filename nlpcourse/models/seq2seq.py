"""A GRU encoder-decoder, with or without attention, trained with teacher forcing.

Built in notebooks/12_seq2seq (:class:`Seq2Seq` and the context-vector
:class:`Decoder`) and notebooks/13_attention (:class:`AttentionDecoder`, the same
decoder attending over the encoder's outputs); lesson 14 and the benchmarks reuse it.

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

from nlpcourse import checks
from nlpcourse.models.attention import (
    AdditiveAttention,
    padding_mask,
    scaled_dot_product_attention,
)

__all__ = ["AttentionDecoder", "Decoder", "Seq2Seq"]


class Decoder(nn.Module):
    """One step of the context-vector decoder: a GRU cell, then a linear layer over the
    target vocabulary.

    ``forward(embedded (B, E), state (B, H), memory, mask)`` returns the logits (B, V),
    the new state (B, H) and None. The first state is the encoder's last one, and the
    state is all this decoder ever knows of the source: ``memory`` and ``mask`` (the
    encoder's outputs and the source padding) are there for :class:`AttentionDecoder`,
    which reads them, and are ignored here.
    """

    def __init__(self, embedding_dim, hidden_size, vocab_size, dropout=0.0):
        super().__init__()
        self.cell = nn.GRUCell(embedding_dim, hidden_size)
        self.dropout = nn.Dropout(dropout)  # on the state, before the output layer
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, embedded, state, memory=None, mask=None):
        state = self.cell(embedded, state)  # (B, H)
        return self.out(self.dropout(state)), state, None  # (B, V), (B, H), no weights


class Seq2Seq(nn.Module):
    """GRU encoder, GRU decoder; ``attention`` None (the context vector only, a
    :class:`Decoder`), ``"dot"`` or ``"additive"`` (an :class:`AttentionDecoder`).

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
        self.attention = attention
        self.sos_index, self.eos_index, self.pad_index = sos_index, eos_index, pad_index
        self.teacher_forcing = 1.0
        E, H = embedding_dim, hidden_size
        self.src_embedding = nn.Embedding(src_vocab_size, E, padding_idx=pad_index)
        self.tgt_embedding = nn.Embedding(tgt_vocab_size, E, padding_idx=pad_index)
        self.encoder = nn.GRU(E, H, batch_first=True)
        if attention is None:
            self.decoder = Decoder(E, H, tgt_vocab_size, dropout)
        else:  # lesson 13's decoder, which looks back at the encoder's outputs
            self.decoder = AttentionDecoder(E, H, tgt_vocab_size, attention, dropout)
        self.dropout = nn.Dropout(dropout)  # on the embeddings

    def encode(self, src, src_lengths):
        """Encoder outputs (B, S, H), last state (B, H) and the source padding mask
        (B, S), True at padding."""
        src = checks.token_ids(src, "Seq2Seq", self.src_embedding.num_embeddings)
        lengths = checks.lengths(src_lengths, len(src), src.shape[1], "Seq2Seq")
        embedded = self.dropout(self.src_embedding(src))  # (B, S, E)
        # a packed batch skips the padding: each row stops at its own last token
        packed = pack_padded_sequence(
            embedded, lengths, batch_first=True, enforce_sorted=False
        )
        outputs, last = self.encoder(packed)  # last: (1, B, H)
        outputs, _ = pad_packed_sequence(
            outputs, batch_first=True, total_length=src.shape[1]
        )  # (B, S, H), zeros at padding
        return outputs, last[0], padding_mask(lengths, src.shape[1]).to(src.device)

    def step(self, token, state, memory, mask):
        """Read one token (B,); return logits (B, V), the new state (B, H) and the
        attention weights (B, S), None without attention."""
        embedded = self.dropout(self.tgt_embedding(token))  # (B, E)
        return self.decoder(embedded, state, memory, mask)

    def forward(self, src, src_lengths, tgt_in):
        """Logits (B, T, V) for every target position; ``tgt_in`` (B, T) starts with
        <sos>."""
        memory, state, mask = self.encode(src, src_lengths)  # state: the context vector
        tgt_in = checks.word_ids(tgt_in, (len(state), "T"), "Seq2Seq's tgt_in",
                                 self.tgt_embedding.num_embeddings)  # (B, T)
        token = tgt_in[:, 0]  # <sos>
        all_logits = []
        for t in range(tgt_in.shape[1]):
            logits, state, _ = self.step(token, state, memory, mask)  # (B, V)
            all_logits.append(logits)
            if t + 1 < tgt_in.shape[1]:
                # teacher forcing: one coin per step for the whole batch; in eval mode
                # (a validation loss) the true tokens are always fed
                forced = not self.training or torch.rand(()) < self.teacher_forcing
                token = tgt_in[:, t + 1] if forced else logits.argmax(-1)
        return torch.stack(all_logits, dim=1)  # (B, T, V)

    @torch.no_grad()
    def greedy_decode(self, src, src_lengths, max_len=20):
        """Token ids (B, L) up to and including <eos> (then padding), and the attention
        weights (B, L, S) (None without attention). Uses only the source."""
        max_len = checks.positive_int("max_len", max_len)
        was_training = self.training
        self.eval()
        memory, state, mask = self.encode(src, src_lengths)
        token = torch.full((len(state),), self.sos_index, device=state.device)  # (B,)
        done = torch.zeros(len(state), dtype=torch.bool, device=state.device)
        tokens, weights = [], []
        for _ in range(max_len):
            logits, state, attention = self.step(token, state, memory, mask)
            # the most likely token, fed back at the next step; padding after <eos>
            token = logits.argmax(-1).masked_fill(done, self.pad_index)  # (B,)
            tokens.append(token)
            weights.append(attention)
            done |= token == self.eos_index
            if done.all():  # every row has written <eos>
                break
        self.train(was_training)
        if weights[0] is not None:
            weights = torch.stack(weights, dim=1)  # (B, L, S)
        else:
            weights = None
        return torch.stack(tokens, dim=1), weights  # (B, L)

    def init_decoding(self, src, src_lengths):
        """The decoder's starting state for :meth:`decode_step` (and for
        ``nlpcourse.translate.beam_search``): a dict of tensors, batch first."""
        memory, state, mask = self.encode(src, src_lengths)
        return {"state": state, "memory": memory, "mask": mask}

    def decode_step(self, token, cache):
        """Logits (B, V) of the token after ``token`` (B,), and the next state."""
        logits, state, _ = self.step(
            token, cache["state"], cache["memory"], cache["mask"]
        )
        return logits, {**cache, "state": state}


class AttentionDecoder(nn.Module):
    """One step of the attention decoder (Bahdanau's order): the previous state asks
    where to look in the encoder's outputs; the context it gets goes into the GRU cell
    beside the token, and into the output layer beside the new state.

    ``attention="dot"`` scores a key by the scaled dot product (Luong et al.'s "dot",
    divided by sqrt(d) as in Vaswani et al. 2017), ``"additive"`` by
    :class:`~nlpcourse.models.attention.AdditiveAttention` (Bahdanau's). ``forward``
    takes what :class:`Decoder`'s does and also returns the weights (B, S).
    """

    def __init__(self, embedding_dim, hidden_size, vocab_size, attention="dot",
                 dropout=0.0):
        super().__init__()
        attention = checks.one_of("attention", attention, ("dot", "additive"))
        H = hidden_size
        self.cell = nn.GRUCell(embedding_dim + H, H)  # reads the token and the context
        self.additive = AdditiveAttention(H, H, H) if attention == "additive" else None
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(2 * H, vocab_size)  # reads the state and the context

    def attend(self, state, memory, mask):
        """Context (B, H) and weights (B, S): the query ``state`` (B, H) over the
        encoder's outputs ``memory`` (B, S, H), which are the keys and the values."""
        if self.additive is not None:
            return self.additive(state, memory, mask)
        context, weights = scaled_dot_product_attention(
            state[:, None], memory, memory, mask[:, None]
        )  # (B, 1, H), (B, 1, S): one query per row
        return context[:, 0], weights[:, 0]

    def forward(self, embedded, state, memory, mask):
        context, weights = self.attend(state, memory, mask)  # (B, H), (B, S)
        state = self.cell(torch.cat([embedded, context], dim=-1), state)  # (B, H)
        logits = self.out(self.dropout(torch.cat([state, context], dim=-1)))  # (B, V)
        return logits, state, weights
