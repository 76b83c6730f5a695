"""Feed-forward models: an MLP text classifier and Bengio's neural language model.

Built in notebooks/02_feedforward_and_nnlm. Lesson 10 reuses :class:`DNNClassifier` in
its results table.

- :class:`DNNClassifier` maps a fixed-size vector (a TF-IDF or bag-of-words row, an
  averaged embedding) through hidden layers to class scores (logits).
- :class:`NNLM` is the neural probabilistic language model of Bengio et al. (2003):
  look up the embeddings of the n previous words, concatenate them, one tanh hidden
  layer, and scores for every word of the vocabulary as the next one; optionally the
  paper's direct connection from the concatenated embeddings to the output.
- :func:`context_pairs` turns one long token-id sequence into (n previous ids, next id)
  training pairs.
- :class:`MeanEmbeddingDNN` averages a text's word vectors into a DNNClassifier; it is
  written out in notebooks/10_text_classification, and this copy is the lesson's code
  exactly (tests/test_notebooks.py compares them), for the benchmark's longer
  comparison of Part II's classifiers.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

__all__ = ["DNNClassifier", "MeanEmbeddingDNN", "NNLM", "context_pairs", "mlp_parameter_count", "nnlm_parameter_count"]


def _positive_int(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def mlp_parameter_count(sizes: Sequence[int]) -> int:
    """Weights and biases of fully connected layers ``sizes[0] -> sizes[1] -> ...``.

    A layer from ``a`` to ``b`` units has an (b, a) weight matrix and b biases, so the
    total is the sum of ``a * b + b`` over consecutive pairs. For the notes' network
    100 -> 64 -> 32 -> 2 that is 6,464 + 2,080 + 66 = 8,610.
    """
    sizes = [_positive_int("every layer size", s) for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"need at least an input and an output size, got {sizes}")
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def nnlm_parameter_count(
    vocab_size: int, context_size: int, embedding_dim: int, hidden_dim: int, direct: bool = False
) -> int:
    """Parameters of :class:`NNLM`, in the paper's notation (|V|, n, m, h):

    embedding table C: |V| m; hidden layer H, d: h (n m) + h; output U, b: |V| h + |V|;
    and with the direct connection W: |V| (n m) more.
    """
    V, n, m, h = vocab_size, context_size, embedding_dim, hidden_dim
    return V * m + (h * n * m + h) + (V * h + V) + (V * n * m if direct else 0)


class DNNClassifier(nn.Module):
    """A multi-layer perceptron over a fixed-size input vector.

    ``input_dim -> hidden[0] -> ... -> hidden[-1] -> num_classes``, each hidden layer a
    ``Linear`` followed by ReLU (and dropout when ``dropout > 0``). The output is raw
    scores (logits), shape (B, num_classes): apply ``F.cross_entropy`` to train and
    ``softmax`` to read probabilities. ``hidden=()`` gives multinomial logistic
    regression. The layers are ``self.layers``, an ``nn.Sequential``.
    """

    def __init__(
        self, input_dim: int, hidden: Sequence[int] = (64, 32), num_classes: int = 2, dropout: float = 0.0
    ):
        super().__init__()
        if isinstance(hidden, int):
            hidden = (hidden,)
        self.input_dim = _positive_int("input_dim", input_dim)
        self.hidden = tuple(_positive_int("every hidden size", h) for h in hidden)
        self.num_classes = _positive_int("num_classes", num_classes)
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        layers: list[nn.Module] = []
        sizes = (self.input_dim, *self.hidden)
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(sizes[-1], self.num_classes))
        self.layers = nn.Sequential(*layers)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Units per layer, input first: what :func:`mlp_parameter_count` takes."""
        return (self.input_dim, *self.hidden, self.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            raise TypeError(
                f"DNNClassifier expects a float tensor of shape (batch, {self.input_dim}), got "
                f"{type(x).__name__}; convert with torch.as_tensor(x, dtype=torch.float32) "
                "(a scipy sparse matrix: torch.from_numpy(x.toarray()))"
            )
        if x.layout != torch.strided:
            raise TypeError(
                f"DNNClassifier expects a dense tensor, got layout {x.layout}; densify a batch of "
                "rows first (scipy: torch.from_numpy(X[rows].toarray()), torch: x.to_dense())"
            )
        if not x.is_floating_point():
            raise TypeError(
                f"DNNClassifier expects floating-point features, got dtype {x.dtype}; "
                "integer token ids belong in an embedding layer (see NNLM), counts need .float()"
            )
        expected = self.layers[0].weight.dtype
        if x.dtype != expected:
            raise TypeError(
                f"DNNClassifier's weights are {expected} but the input is {x.dtype}; convert "
                f"with x.to({expected}) (scikit-learn and NumPy default to float64)"
            )
        if x.dim() != 2 or x.shape[1] != self.input_dim:
            raise ValueError(
                f"DNNClassifier expects shape (batch, {self.input_dim}), got {tuple(x.shape)}"
            )
        return self.layers(x)  # (B, num_classes)


class MeanEmbeddingDNN(nn.Module):
    """Average the tweet's word vectors, then lesson 02's DNNClassifier."""

    def __init__(self, vocab_size, embedding_dim, num_classes, hidden=64):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.mlp = DNNClassifier(embedding_dim, (hidden,), num_classes, dropout=0.5)

    def forward(self, ids, lengths):
        summed = self.embedding(ids).sum(dim=1)  # (B, E); <pad> rows are zero
        return self.mlp(summed / lengths.to(summed.device)[:, None])  # (B, C)


class NNLM(nn.Module):
    """Bengio et al.'s (2003) neural probabilistic language model.

    Given the ids of the n previous words, shape (B, n), it returns scores (logits) for
    every vocabulary word as the next one, shape (B, V):

        x = [C(w_{t-n}); ...; C(w_{t-1})]          concatenated embeddings, (B, n m)
        y = b + W x + U tanh(d + H x)              (B, V); W only if ``direct=True``

    ``C`` is ``self.embedding`` (the projection layer: a one-hot vector times C picks a
    row), ``H, d`` are ``self.hidden``, ``U, b`` are ``self.output`` and ``W`` is
    ``self.direct`` (no bias of its own; ``b`` serves both). Train with
    ``F.cross_entropy(logits, next_ids)``; perplexity is ``exp`` of the mean loss.

    The embedding table starts small, normal with standard deviation
    ``embedding_init_std`` (0.1), not ``nn.Embedding``'s N(0, 1): a row of N(0, 1) noise
    has length about sqrt(m), and a short training run moves rare rows too little to
    overcome it, so their nearest neighbours would still be random. Starting small, what
    a row holds is mostly what training put there.
    """

    def __init__(
        self, vocab_size: int, context_size: int = 4, embedding_dim: int = 64, hidden_dim: int = 128,
        direct: bool = False, embedding_init_std: float = 0.1,
    ):
        super().__init__()
        self.vocab_size = _positive_int("vocab_size", vocab_size)
        self.context_size = _positive_int("context_size", context_size)
        self.embedding_dim = _positive_int("embedding_dim", embedding_dim)
        self.hidden_dim = _positive_int("hidden_dim", hidden_dim)
        concat = self.context_size * self.embedding_dim
        if not embedding_init_std > 0:
            raise ValueError(f"embedding_init_std must be positive, got {embedding_init_std!r}")
        self.embedding = nn.Embedding(self.vocab_size, self.embedding_dim)  # C: (V, m)
        nn.init.normal_(self.embedding.weight, std=embedding_init_std)
        self.hidden = nn.Linear(concat, self.hidden_dim)  # H: (h, n m), d: (h,)
        self.output = nn.Linear(self.hidden_dim, self.vocab_size)  # U: (V, h), b: (V,)
        self.direct = nn.Linear(concat, self.vocab_size, bias=False) if direct else None  # W

    def forward(self, context: torch.Tensor) -> torch.Tensor:
        if not isinstance(context, torch.Tensor):
            raise TypeError(f"NNLM expects a LongTensor of word ids, got {type(context).__name__}")
        if context.dtype not in (torch.int64, torch.int32):
            raise TypeError(
                f"NNLM expects integer word ids (torch.long), got dtype {context.dtype}; "
                "the model looks the embeddings up itself, so do not pass one-hot or float vectors"
            )
        if context.dim() != 2 or context.shape[1] != self.context_size:
            raise ValueError(
                f"NNLM expects shape (batch, {self.context_size}) = the {self.context_size} "
                f"previous word ids, got {tuple(context.shape)}"
            )
        if context.numel() and (context.min() < 0 or context.max() >= self.vocab_size):
            raise ValueError(
                f"word ids must lie in [0, {self.vocab_size}), got values from "
                f"{int(context.min())} to {int(context.max())}"
            )
        x = self.embedding(context).flatten(1)  # (B, n, m) -> (B, n m)
        logits = self.output(torch.tanh(self.hidden(x)))  # (B, V)
        if self.direct is not None:
            logits = logits + self.direct(x)
        return logits


def context_pairs(ids, context_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every (n previous ids, next id) pair of one token-id sequence.

    For ids ``[w0, w1, ..., wT-1]`` and n = ``context_size`` returns ``contexts`` of
    shape (T - n, n), row t being ``[w_t, ..., w_{t+n-1}]``, and ``targets`` of shape
    (T - n,), entry t being ``w_{t+n}``. The rows are views of one tensor, so a corpus of
    a million tokens costs no copy.
    """
    context_size = _positive_int("context_size", context_size)
    ids = torch.as_tensor(ids)
    if ids.dim() != 1 or ids.is_floating_point() or ids.dtype == torch.bool:
        raise ValueError(f"ids must be a 1-D sequence of integers, got dtype {ids.dtype} and shape {tuple(ids.shape)}")
    if len(ids) <= context_size:
        raise ValueError(f"a sequence of {len(ids)} ids has no pair with {context_size} ids of context")
    ids = ids.long()
    contexts = ids[:-1].unfold(0, context_size, 1)  # (T - n, n), windows that share storage
    targets = ids[context_size:]  # (T - n,)
    return contexts, targets
