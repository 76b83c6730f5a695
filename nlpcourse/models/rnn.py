"""Recurrent sequence classifiers: vanilla RNN, LSTM or GRU over token ids or features.

Built in notebooks/08_lstm_gru, whose ``#@save`` cells write out :data:`GATE_BLOCKS`,
:func:`recurrent_parameter_count` and :class:`RNNClassifier` as they stand here; lessons
09 and 10 reuse :class:`RNNClassifier`. :class:`ConvLSTMClassifier` is written out in
notebooks/09_bidirectional_and_stacked, and this copy is the lesson's code exactly
(tests/test_written_in_lessons.py compares them, and the lesson 08 cells too); the
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

from nlpcourse import checks

__all__ = ["ConvLSTMClassifier", "GATE_BLOCKS", "RNNClassifier", "recurrent_parameter_count"]

GATE_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}  # LSTM: i f g o; GRU: r z n


def recurrent_parameter_count(input_size, hidden_size, cell="rnn", num_layers=1,
                              bidirectional=False):
    """Parameters of ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU`` with these sizes.

    Each gate block has an input weight (h, x), a recurrent weight (h, h) and PyTorch's
    two bias vectors (b_ih and b_hh), so one layer and direction holds
    ``gates * (h * x + h * h + 2 * h)``. Layers after the first read the previous
    layer's output, of size h (2h when bidirectional).
    """
    x = checks.positive_int("input_size", input_size)
    h = checks.positive_int("hidden_size", hidden_size)
    layers = checks.positive_int("num_layers", num_layers)
    gates = GATE_BLOCKS[checks.one_of("cell", cell, GATE_BLOCKS)]
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(layers):
        layer_input = x if layer == 0 else h * directions  # the layer below's output
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

    def __init__(self, vocab_size=None, hidden_size=64, num_classes=2, cell="rnn",
                 num_layers=1, bidirectional=False, dropout=0.0, embedding_dim=None,
                 padding_idx=0, *, input_size=None, head_dropout=None):
        super().__init__()
        if input_size is not None and vocab_size is not None and embedding_dim is None:
            raise ValueError("give vocab_size or input_size, not both")
        size = vocab_size if vocab_size is not None else input_size
        size = checks.positive_int("vocab_size (or input_size)", size)
        self.hidden_size = checks.positive_int("hidden_size", hidden_size)
        self.num_classes = checks.positive_int("num_classes", num_classes)
        self.num_layers = checks.positive_int("num_layers", num_layers)
        self.cell = checks.one_of("cell", cell, GATE_BLOCKS)
        self.bidirectional = bool(bidirectional)
        dropout = checks.fraction("dropout", dropout)
        if head_dropout is None:
            head_dropout = dropout
        head_dropout = checks.fraction("head_dropout", head_dropout)
        if embedding_dim is None:  # float features go into the recurrence as they are
            self.embedding, self.vocab_size, self.input_size = None, None, size
            rnn_input = size
        else:  # token ids are looked up first
            embedding_dim = checks.positive_int("embedding_dim", embedding_dim)
            self.embedding = nn.Embedding(size, embedding_dim, padding_idx=padding_idx)
            self.vocab_size, self.input_size = size, None
            rnn_input = embedding_dim
        layer = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[self.cell]
        self.rnn = layer(
            rnn_input,
            self.hidden_size,
            num_layers=self.num_layers,
            batch_first=True,
            bidirectional=self.bidirectional,
            dropout=dropout if self.num_layers > 1 else 0.0,  # between stacked layers
        )
        self.dropout = nn.Dropout(head_dropout)  # on the final state, before the head
        directions = 2 if self.bidirectional else 1
        self.head = nn.Linear(directions * self.hidden_size, self.num_classes)

    def forward(self, x, lengths=None):
        """(B, T) ids or (B, T, input_size) features -> (B, num_classes) logits."""
        if self.embedding is not None:
            ids = checks.token_ids(x, "RNNClassifier", self.vocab_size)  # (B, T)
            x = self.embedding(ids)  # (B, T, E)
        else:
            dtype = self.head.weight.dtype
            x = checks.features(x, self.input_size, "RNNClassifier", dtype, steps=True)
        if lengths is None:
            _, state = self.rnn(x)  # every sequence runs all T steps
        else:  # pack: each sequence stops after its own last real step
            lengths = checks.lengths(lengths, x.shape[0], x.shape[1], "RNNClassifier")
            packed = pack_padded_sequence(
                x, lengths, batch_first=True, enforce_sorted=False
            )
            _, state = self.rnn(packed)  # the state comes back in the batch's order
        h_n = state[0] if self.cell == "lstm" else state  # (layers * dirs, B, H)
        if self.bidirectional:
            # last layer: forward direction's final state (after the last real step) and
            # backward direction's final state (after reading back to step 0)
            last = torch.cat([h_n[-2], h_n[-1]], dim=-1)  # (B, 2H)
        else:
            last = h_n[-1]  # (B, H), the top layer
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
