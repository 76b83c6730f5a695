"""A character-level LSTM language model, and the training windows it reads.

Built in notebooks/11_text_generation; lesson 16 compares a mini GPT against it.

- :class:`CharLM` embeds character ids, runs a stack of LSTM layers and predicts, at
  every position, the next character: ``forward(ids (B, T), state)`` returns logits
  (B, T, V) and the LSTM state after the last position, so a long text can be read in
  pieces and generation can go on one character at a time.
- :meth:`CharLM.generate` continues a prompt by sampling with
  :func:`nlpcourse.generate.sample_next` (temperature, top-k, top-p, greedy).
- :func:`random_windows` draws a batch of training windows from one long id tensor:
  the inputs and the same characters shifted by one, the targets (teacher forcing:
  the model always reads the true previous characters).
- :func:`charlm_parameter_count` counts the parameters by formula.
"""

from __future__ import annotations

import torch
from torch import nn

from nlpcourse import checks
from nlpcourse.generate import sample_next
from nlpcourse.models.rnn import recurrent_parameter_count

__all__ = ["CharLM", "charlm_parameter_count", "random_windows"]


def random_windows(
    ids: torch.Tensor,
    batch_size: int,
    length: int,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch_size`` windows of ``length + 1`` consecutive ids at random offsets of
    ``ids``.

    Returns ``(inputs, targets)``, both (B, length): ``targets[:, t]`` is the id after
    ``inputs[:, t]``, i.e. ``targets[:, :-1] == inputs[:, 1:]``. The same ``generator``
    state gives the same windows.
    """
    batch_size = checks.positive_int("batch_size", batch_size)
    length = checks.positive_int("length", length)
    ids = checks.text_ids(ids, "random_windows", min_length=length + 1)  # (N,)
    starts = torch.randint(0, len(ids) - length, (batch_size,), generator=generator)
    windows = ids[starts[:, None] + torch.arange(length + 1)]  # (B, T + 1)
    return windows[:, :-1], windows[:, 1:]  # (B, T) each: the targets are one step on


State = tuple[torch.Tensor, torch.Tensor]  # (h, c), each (num_layers, B, H)


def charlm_parameter_count(
    vocab_size: int, embedding_dim: int, hidden_size: int, num_layers: int = 1
) -> int:
    """Parameters of :class:`CharLM`: embedding ``V * E``, the LSTM stack (see
    :func:`nlpcourse.models.rnn.recurrent_parameter_count`) and the head
    ``H * V + V``."""
    v = checks.positive_int("vocab_size", vocab_size)
    lstm = recurrent_parameter_count(embedding_dim, hidden_size, "lstm", num_layers)
    return v * embedding_dim + lstm + hidden_size * v + v


class CharLM(nn.Module):
    """Next-character language model: embedding, LSTM layers, a linear head over the
    vocabulary.

    ``dropout`` acts between stacked LSTM layers and on the last layer's output before
    the head (as in Zaremba et al., 2014); it is off in ``eval()`` mode.
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int = 64,
        hidden_size: int = 256,
        num_layers: int = 1,
        dropout: float = 0.0,
    ):
        super().__init__()
        self.vocab_size = checks.positive_int("vocab_size", vocab_size)
        self.hidden_size = checks.positive_int("hidden_size", hidden_size)
        self.num_layers = checks.positive_int("num_layers", num_layers)
        embedding_dim = checks.positive_int("embedding_dim", embedding_dim)
        dropout = checks.fraction("dropout", dropout)
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(
            embedding_dim,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,  # between stacked layers
        )
        self.dropout = nn.Dropout(dropout)  # on the top layer's output
        self.head = nn.Linear(hidden_size, vocab_size)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def forward(
        self, ids: torch.Tensor, state: State | None = None
    ) -> tuple[torch.Tensor, State]:
        """(B, T) character ids -> next-character logits (B, T, V) and the state (h, c).

        Logit ``[b, t]`` scores the character that follows ``ids[b, : t + 1]``. Passing
        the returned state back in continues the same texts where they stopped.
        """
        ids = checks.token_ids(ids, "CharLM", self.vocab_size)  # (B, T)
        x = self.embedding(ids)  # (B, T, E)
        shape = (self.num_layers, len(ids), self.hidden_size)
        state = checks.lstm_state(state, shape, x.dtype)  # None: start from zeros
        out, state = self.lstm(x, state)  # out (B, T, H); h and c (layers, B, H)
        return self.head(self.dropout(out)), state  # (B, T, V)

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

        Free-running: every new character is fed back as the next input. The prompt is
        read in one call, then one character per step, carrying the LSTM state. Returns
        (B, T0 + max_new_tokens); temperature 0 is greedy decoding. Runs in eval mode
        (no dropout) and restores the previous mode.
        """
        ids = checks.token_ids(prompt, "CharLM.generate", self.vocab_size)  # (B, T0)
        steps = checks.non_negative_int("max_new_tokens", max_new_tokens)
        was_training = self.training
        self.eval()
        try:
            logits, state = self(ids)  # (B, T0, V): the whole prompt in one call
            new = []
            for step in range(steps):
                next_id = sample_next(
                    logits[:, -1], temperature, top_k, top_p, generator
                )  # (B,): picked from the last position's scores
                new.append(next_id)
                if step + 1 < steps:  # feed the sample back: the model reads its output
                    logits, state = self(next_id[:, None], state)  # (B, 1, V)
            return torch.cat([ids, *(n[:, None] for n in new)], dim=1)  # (B, T0 + n)
        finally:
            self.train(was_training)
