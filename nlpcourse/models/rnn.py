"""Recurrent sequence classifiers: vanilla RNN, LSTM or GRU over token ids or features.

Built in notebooks/08_lstm_gru. Lessons 09 and 10 reuse :class:`RNNClassifier`.
:class:`ConvLSTMClassifier` is written out in notebooks/09_bidirectional_and_stacked,
and this copy is the lesson's code exactly (tests/test_notebooks.py compares them); the
benchmark's longer comparison of Part II's classifiers imports it from here.

- :class:`RNNClassifier` embeds token ids (or takes float feature vectors), runs one
  recurrent layer stack (``nn.RNN``, ``nn.LSTM`` or ``nn.GRU``, batch first), and
  classifies from the hidden state at the last real (non-padding) time step.
- :func:`recurrent_parameter_count` gives the parameter count of one such stack by
  formula: ``gates * (h * (x + h) + 2 * h)`` per layer and direction, with 1 gate block
  for a vanilla RNN, 4 for an LSTM and 3 for a GRU.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

__all__ = ["ConvLSTMClassifier", "GATE_BLOCKS", "RNNClassifier", "recurrent_parameter_count"]

#: how many (weight, bias) blocks each cell has: RNN one, LSTM i f g o, GRU r z n
GATE_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}
_LAYERS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def _cell_name(cell) -> str:
    if not isinstance(cell, str) or cell.lower() not in GATE_BLOCKS:
        raise ValueError(f"cell must be one of {sorted(GATE_BLOCKS)}, got {cell!r}")
    return cell.lower()


def recurrent_parameter_count(
    input_size: int,
    hidden_size: int,
    cell: str = "rnn",
    num_layers: int = 1,
    bidirectional: bool = False,
) -> int:
    """Parameters of ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` with these sizes.

    Each gate block has an input weight (h, x), a recurrent weight (h, h) and PyTorch's
    two bias vectors (b_ih and b_hh), so one layer and direction holds
    ``gates * (h * x + h * h + 2 * h)``. Layers after the first read the previous
    layer's output, of size h (2h when bidirectional).
    """
    x = _positive_int("input_size", input_size)
    h = _positive_int("hidden_size", hidden_size)
    layers = _positive_int("num_layers", num_layers)
    gates = GATE_BLOCKS[_cell_name(cell)]
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(layers):
        layer_input = x if layer == 0 else h * directions
        total += directions * gates * (h * layer_input + h * h + 2 * h)
    return total


class RNNClassifier(nn.Module):
    """Classify a sequence from the last hidden state of an RNN, LSTM or GRU.

    Token ids: ``RNNClassifier(vocab_size, hidden_size, num_classes,
    embedding_dim=32)`` takes a (B, T) long tensor. Float features:
    ``RNNClassifier(input_size, hidden_size, num_classes)`` (``embedding_dim=None``)
    takes a (B, T, input_size) float tensor. ``forward(x, lengths)`` with the true
    length of each padded sequence packs the batch, so padding never enters the
    recurrence, and reads the state at each sequence's last real step. A bidirectional
    model concatenates the forward direction's last state with the backward
    direction's state at step 0 (which has read the whole sequence).

    ``dropout`` acts between stacked layers and, unless ``head_dropout`` says otherwise,
    on the final state before the linear head (the notes' LSTMClassifier uses 0.3 and
    0.5).
    """

    def __init__(
        self,
        vocab_size: int | None = None,
        hidden_size: int = 64,
        num_classes: int = 2,
        cell: str = "rnn",
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
        embedding_dim: int | None = None,
        padding_idx: int | None = 0,
        *,
        input_size: int | None = None,
        head_dropout: float | None = None,
    ):
        super().__init__()
        if input_size is not None and vocab_size is not None and embedding_dim is None:
            raise ValueError("give vocab_size or input_size, not both")
        size = vocab_size if vocab_size is not None else input_size
        size = _positive_int("vocab_size (or input_size)", size)
        self.hidden_size = _positive_int("hidden_size", hidden_size)
        self.num_classes = _positive_int("num_classes", num_classes)
        self.num_layers = _positive_int("num_layers", num_layers)
        self.cell = _cell_name(cell)
        self.bidirectional = bool(bidirectional)
        head_dropout = dropout if head_dropout is None else head_dropout
        for name, p in (("dropout", dropout), ("head_dropout", head_dropout)):
            if not 0.0 <= float(p) < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {p!r}")
        if embedding_dim is None:
            self.embedding = None
            self.input_size = size
            rnn_input = size
        else:
            embedding_dim = _positive_int("embedding_dim", embedding_dim)
            self.embedding = nn.Embedding(size, embedding_dim, padding_idx=padding_idx)
            self.input_size = None
            rnn_input = embedding_dim
        self.vocab_size = size if self.embedding is not None else None
        self.rnn = _LAYERS[self.cell](
            rnn_input,
            self.hidden_size,
            num_layers=self.num_layers,
            batch_first=True,
            bidirectional=self.bidirectional,
            dropout=float(dropout) if self.num_layers > 1 else 0.0,
        )
        self.dropout = nn.Dropout(float(head_dropout))  # on the final state, before the head
        directions = 2 if self.bidirectional else 1
        self.head = nn.Linear(directions * self.hidden_size, self.num_classes)

    def _check_input(self, x: torch.Tensor) -> None:
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"expected a torch.Tensor, got {type(x).__name__}")
        if self.embedding is not None:
            if x.dim() != 2:
                raise ValueError(
                    f"expected token ids of shape (batch, time), got {tuple(x.shape)}"
                )
            if x.dtype not in (torch.long, torch.int, torch.int16, torch.uint8):
                raise TypeError(f"expected integer token ids, got dtype {x.dtype}")
        else:
            if x.dim() != 3 or x.shape[-1] != self.input_size:
                raise ValueError(
                    "expected float features of shape (batch, time, "
                    f"{self.input_size}), got {tuple(x.shape)}"
                )
            if not x.is_floating_point():
                raise TypeError(f"expected floating-point features, got dtype {x.dtype}")
        if x.shape[0] == 0 or x.shape[1] == 0:
            raise ValueError(f"expected a non-empty batch, got shape {tuple(x.shape)}")

    def _check_lengths(self, lengths, batch: int, steps: int) -> torch.Tensor:
        lengths = torch.as_tensor(lengths)
        if lengths.dim() != 1 or lengths.shape[0] != batch:
            raise ValueError(
                f"expected lengths of shape ({batch},), got {tuple(lengths.shape)}"
            )
        if lengths.is_floating_point() or lengths.is_complex() or lengths.dtype == torch.bool:
            raise TypeError(f"expected integer lengths, got dtype {lengths.dtype}")
        lengths = lengths.to("cpu", torch.long)
        if (lengths < 1).any() or (lengths > steps).any():
            raise ValueError(
                f"every length must be in [1, {steps}] (the padded time dimension), "
                f"got min {int(lengths.min())}, max {int(lengths.max())}"
            )
        return lengths

    def forward(self, x: torch.Tensor, lengths=None) -> torch.Tensor:
        """(B, T) ids or (B, T, input_size) features -> (B, num_classes) logits."""
        self._check_input(x)
        batch, steps = x.shape[0], x.shape[1]
        inputs = self.embedding(x.long()) if self.embedding is not None else x  # (B,T,E)
        if lengths is None:
            _, state = self.rnn(inputs)
        else:
            lengths = self._check_lengths(lengths, batch, steps)
            packed = pack_padded_sequence(
                inputs, lengths, batch_first=True, enforce_sorted=False
            )
            _, state = self.rnn(packed)  # the state after each sequence's own last step
        h_n = state[0] if self.cell == "lstm" else state  # (layers * dirs, B, H)
        if self.bidirectional:
            # last layer: forward direction's final state (after the last real step) and
            # backward direction's final state (after reading back to step 0)
            last = torch.cat([h_n[-2], h_n[-1]], dim=-1)  # (B, 2H)
        else:
            last = h_n[-1]  # (B, H)
        return self.head(self.dropout(last))  # (B, num_classes)


class ConvLSTMClassifier(nn.Module):
    """Embedding -> Conv1d (width 3) -> ReLU -> MaxPool1d(2) -> LSTM -> linear head."""

    def __init__(
        self, vocab_size, embedding_dim, num_filters, hidden_size, num_classes
    ):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.conv = nn.Conv1d(embedding_dim, num_filters, kernel_size=3, padding=1)
        self.pool = nn.MaxPool1d(kernel_size=2, ceil_mode=True)
        self.rnn = nn.LSTM(num_filters, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, num_classes)

    @staticmethod
    def pooled_lengths(lengths):
        return (lengths + 1) // 2  # ceil(n / 2) pooled steps for n tokens

    def forward(self, ids, lengths):
        lengths = torch.as_tensor(lengths).cpu()
        emb = self.embedding(ids).transpose(1, 2)  # (B, T, E) -> (B, E, T)
        features = F.relu(self.conv(emb))  # (B, F, T)
        real = torch.arange(ids.shape[1]) < lengths[:, None]  # (B, T)
        features = features * real[:, None, :].to(features.device)  # zero past each end
        pooled = self.pool(features).transpose(1, 2)  # (B, F, ceil(T/2)) -> (B, T', F)
        packed = pack_padded_sequence(
            pooled, self.pooled_lengths(lengths), batch_first=True, enforce_sorted=False
        )
        _, (h_n, _) = self.rnn(packed)  # h_n (1, B, H)
        return self.head(h_n[-1])  # (B, num_classes)
