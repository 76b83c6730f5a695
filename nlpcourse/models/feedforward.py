"""Feed-forward models: the multi-layer perceptron and Bengio's neural language model.

Built in notebooks/02_feedforward_and_nnlm, whose ``#@save`` cells are this module's
code (tests/test_written_in_lessons.py keeps the two identical): :func:`mlp_parameter_count`,
:class:`DNNClassifier` (lesson 10 reuses it), :class:`NNLM`, :func:`nnlm_parameter_count`
and :func:`context_pairs`. :class:`MeanEmbeddingDNN` averages a text's word vectors into a
DNNClassifier; it is written out in notebooks/10_text_classification, for the
benchmark's longer comparison of Part II's classifiers.
"""

from __future__ import annotations

import torch
from torch import nn

from nlpcourse import checks

__all__ = ["DNNClassifier", "MeanEmbeddingDNN", "NNLM", "context_pairs", "mlp_parameter_count", "nnlm_parameter_count"]


def mlp_parameter_count(sizes):
    """Weights and biases of fully connected layers ``sizes[0] -> sizes[1] -> ...``:
    a layer from a to b units has an (b, a) weight matrix and b biases."""
    sizes = [checks.positive_int("every layer size", s) for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"need at least an input and an output size, got {sizes}")
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


class DNNClassifier(nn.Module):
    """A multi-layer perceptron on fixed-size inputs: input_dim -> hidden[0] -> ... ->
    num_classes, each hidden layer Linear + ReLU (+ dropout), returning logits. With
    hidden=() it is multinomial logistic regression."""

    def __init__(self, input_dim, hidden=(64, 32), num_classes=2, dropout=0.0):
        super().__init__()
        self.sizes = (
            checks.positive_int("input_dim", input_dim),
            *checks.sizes("hidden", hidden),
            checks.positive_int("num_classes", num_classes),
        )
        dropout = checks.fraction("dropout", dropout)
        layers = []
        for a, b in zip(self.sizes[:-2], self.sizes[1:-1]):  # the hidden layers
            layers += [nn.Linear(a, b), nn.ReLU()]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(self.sizes[-2], self.sizes[-1]))  # the output layer
        self.layers = nn.Sequential(*layers)

    def forward(self, x):  # x: (B, input_dim)
        dtype = self.layers[0].weight.dtype
        x = checks.features(x, self.sizes[0], "DNNClassifier", dtype)
        return self.layers(x)  # (B, num_classes)


class NNLM(nn.Module):
    """Bengio et al.'s (2003) neural probabilistic language model: the embeddings of
    the n previous words, concatenated, a tanh hidden layer and a score (logit) for
    every vocabulary word as the next one; with direct=True also the paper's direct
    connection from the embeddings to the output. (B, n) ids -> (B, V) logits."""

    def __init__(self, vocab_size, context_size=4, embedding_dim=64, hidden_dim=128,
                 direct=False, embedding_init_std=0.1):
        super().__init__()
        self.vocab_size = checks.positive_int("vocab_size", vocab_size)
        self.context_size = checks.positive_int("context_size", context_size)
        concat = context_size * checks.positive_int("embedding_dim", embedding_dim)
        if not embedding_init_std > 0:
            raise ValueError(
                f"embedding_init_std must be positive, got {embedding_init_std!r}")
        self.embedding = nn.Embedding(vocab_size, embedding_dim)  # C: (V, m)
        nn.init.normal_(self.embedding.weight, std=embedding_init_std)
        hidden_dim = checks.positive_int("hidden_dim", hidden_dim)
        self.hidden = nn.Linear(concat, hidden_dim)  # H: (h, n m), d: (h,)
        self.output = nn.Linear(hidden_dim, vocab_size)  # U: (V, h), b: (V,)
        self.direct = nn.Linear(concat, vocab_size, bias=False) if direct else None  # W

    def forward(self, context):  # context: (B, n) ids of the n previous words
        context = checks.token_ids(context, "NNLM", self.vocab_size, self.context_size)
        x = self.embedding(context).flatten(1)  # (B, n, m) -> (B, n m)
        logits = self.output(torch.tanh(self.hidden(x)))  # (B, V)
        if self.direct is not None:
            logits = logits + self.direct(x)  # the paper's optional W x
        return logits


def nnlm_parameter_count(vocab_size, context_size, embedding_dim, hidden_dim,
                         direct=False):
    """Parameters of NNLM in the paper's notation (|V|, n, m, h): the table C |V| m,
    the hidden layer h (n m) + h, the output layer |V| h + |V|, and with the direct
    connection |V| (n m) more."""
    V, n, m, h = vocab_size, context_size, embedding_dim, hidden_dim
    return V * m + (h * n * m + h) + (V * h + V) + (V * n * m if direct else 0)


def context_pairs(ids, context_size):
    """Every (n previous ids, next id) pair of one token-id sequence: contexts
    (T - n, n), row t being ids[t : t + n], and targets (T - n,), entry t ids[t + n]."""
    ids = torch.as_tensor(ids)  # (T,)
    if ids.dim() != 1 or ids.is_floating_point() or ids.dtype == torch.bool:
        raise ValueError(f"ids must be a 1-D sequence of integers, got dtype "
                         f"{ids.dtype} and shape {tuple(ids.shape)}")
    if len(ids) <= checks.positive_int("context_size", context_size):
        raise ValueError(f"a sequence of {len(ids)} ids has no pair with "
                         f"{context_size} ids of context")
    ids = ids.long()
    contexts = ids[:-1].unfold(0, context_size, 1)  # (T - n, n), views of one tensor
    targets = ids[context_size:]  # (T - n,)
    return contexts, targets


class MeanEmbeddingDNN(nn.Module):
    """Average the tweet's word vectors, then lesson 02's DNNClassifier."""

    def __init__(self, vocab_size, embedding_dim, num_classes, hidden=64):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.mlp = DNNClassifier(embedding_dim, (hidden,), num_classes, dropout=0.5)

    def forward(self, ids, lengths):
        summed = self.embedding(ids).sum(dim=1)  # (B, E); <pad> rows are zero
        return self.mlp(summed / lengths.to(summed.device)[:, None])  # (B, C)
