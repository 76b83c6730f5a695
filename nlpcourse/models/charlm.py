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

from nlpcourse.generate import sample_next
from nlpcourse.models.rnn import recurrent_parameter_count

__all__ = ["CharLM", "charlm_parameter_count", "random_windows"]

State = tuple[torch.Tensor, torch.Tensor]  # (h, c), each (num_layers, B, H)


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def _check_ids(ids, vocab_size: int | None, name: str = "ids", dims: int = 2) -> torch.Tensor:
    shape = "(batch, time)" if dims == 2 else "(length,)"
    if not isinstance(ids, torch.Tensor):
        raise TypeError(f"expected {name} as a torch.Tensor of shape {shape}, got {type(ids).__name__}")
    if ids.dim() != dims:
        raise ValueError(f"expected {name} of shape {shape}, got {tuple(ids.shape)}")
    if ids.is_floating_point() or ids.is_complex() or ids.dtype == torch.bool:
        raise TypeError(f"expected integer {name}, got dtype {ids.dtype}")
    if ids.numel() == 0:
        raise ValueError(f"expected non-empty {name}, got shape {tuple(ids.shape)}")
    if vocab_size is not None:
        low, high = int(ids.min()), int(ids.max())
        if low < 0 or high >= vocab_size:
            raise ValueError(f"{name} must lie in 0..{vocab_size - 1}, got {low}..{high}")
    return ids


def charlm_parameter_count(vocab_size: int, embedding_dim: int, hidden_size: int, num_layers: int = 1) -> int:
    """Parameters of :class:`CharLM`: embedding ``V * E``, the LSTM stack (see
    :func:`nlpcourse.models.rnn.recurrent_parameter_count`) and the head ``H * V + V``."""
    v = _positive_int("vocab_size", vocab_size)
    e = _positive_int("embedding_dim", embedding_dim)
    h = _positive_int("hidden_size", hidden_size)
    return v * e + recurrent_parameter_count(e, h, "lstm", num_layers) + h * v + v


class CharLM(nn.Module):
    """Next-character language model: embedding, LSTM layers, a linear head over the vocabulary.

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
        self.vocab_size = _positive_int("vocab_size", vocab_size)
        self.hidden_size = _positive_int("hidden_size", hidden_size)
        self.num_layers = _positive_int("num_layers", num_layers)
        if isinstance(dropout, bool) or not 0.0 <= float(dropout) < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        self.embedding = nn.Embedding(self.vocab_size, _positive_int("embedding_dim", embedding_dim))
        self.lstm = nn.LSTM(
            embedding_dim,
            self.hidden_size,
            num_layers=self.num_layers,
            batch_first=True,
            dropout=float(dropout) if self.num_layers > 1 else 0.0,
        )
        self.dropout = nn.Dropout(float(dropout))
        self.head = nn.Linear(self.hidden_size, self.vocab_size)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def _check_state(self, state, batch: int, reference: torch.Tensor) -> State | None:
        if state is None:
            return None
        expected = (self.num_layers, batch, self.hidden_size)
        if not isinstance(state, (tuple, list)) or len(state) != 2:
            raise ValueError(f"state must be the pair (h, c) that forward returned, each of shape {expected}")
        for name, tensor in zip("hc", state):
            if not isinstance(tensor, torch.Tensor) or tuple(tensor.shape) != expected:
                shape = tuple(tensor.shape) if isinstance(tensor, torch.Tensor) else type(tensor).__name__
                raise ValueError(f"state {name} must have shape (num_layers, batch, hidden) = {expected}, got {shape}")
            if tensor.dtype != reference.dtype:
                raise TypeError(f"state {name} has dtype {tensor.dtype}, the model computes in {reference.dtype}")
        return tuple(state)

    def forward(self, ids: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        """(B, T) character ids -> next-character logits (B, T, V) and the state (h, c).

        Logit ``[b, t]`` scores the character that follows ``ids[b, : t + 1]``. Passing the
        returned state back in continues the same texts where they stopped.
        """
        _check_ids(ids, self.vocab_size)
        x = self.embedding(ids.long())  # (B, T, E)
        state = self._check_state(state, ids.shape[0], x)
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
        _check_ids(prompt, self.vocab_size, name="prompt")
        steps = max_new_tokens
        if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
            raise ValueError(f"max_new_tokens must be an int >= 0, got {max_new_tokens!r}")
        was_training = self.training
        self.eval()
        try:
            ids = prompt.long()
            logits, state = self(ids)  # (B, T0, V)
            new = []
            for step in range(steps):
                next_id = sample_next(logits[:, -1], temperature, top_k, top_p, generator)  # (B,)
                new.append(next_id)
                if step + 1 < steps:  # feed the sample back in: the model reads its own output
                    logits, state = self(next_id[:, None], state)  # (B, 1, V)
            return torch.cat([ids, *(n[:, None] for n in new)], dim=1)  # (B, T0 + steps)
        finally:
            self.train(was_training)


def random_windows(
    ids: torch.Tensor,
    batch_size: int,
    length: int,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch_size`` windows of ``length + 1`` consecutive ids at random offsets of ``ids``.

    Returns ``(inputs, targets)``, both (B, length): ``targets[:, t]`` is the id after
    ``inputs[:, t]``, i.e. ``targets[:, :-1] == inputs[:, 1:]``. The same ``generator``
    state gives the same windows.
    """
    _check_ids(ids, None, dims=1)
    batch_size = _positive_int("batch_size", batch_size)
    length = _positive_int("length", length)
    if ids.shape[0] < length + 1:
        raise ValueError(f"a window of {length} + 1 ids needs a text of at least {length + 1}, got {ids.shape[0]}")
    starts = torch.randint(0, ids.shape[0] - length, (batch_size,), generator=generator)  # (B,)
    windows = ids[starts[:, None] + torch.arange(length + 1)]  # (B, T + 1)
    return windows[:, :-1], windows[:, 1:]  # (B, T) each: targets are the inputs shifted by one
