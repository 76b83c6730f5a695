"""Clear errors for wrong inputs, one line in the models that lessons write out.

The models and training functions a lesson builds are copied into the package as they
stand in the lesson (tests/test_written_in_lessons.py keeps the two identical). A model that
checks its input does it in one call to a function of this module, so the lesson's code
stays about the idea and a learner who passes the wrong thing still gets an error that
says what was expected, instead of a silent wrong answer or a message from deep inside
PyTorch. Every function returns the value it checked (converted where that is safe).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

__all__ = ["features", "fraction", "id_sequences", "lengths", "one_of", "positive", "positive_int",
           "positive_ints", "sizes", "token_ids", "word_counts", "word_ids"]

_INTEGER_DTYPES = (torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8)


def positive_int(name: str, value) -> int:
    """``value`` if it is an int of at least 1 (a size, a count), else a ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value


def positive_ints(name: str, values, each: str) -> tuple[int, ...]:
    """``values`` as a tuple if it is a non-empty sequence of positive ints (filter
    widths, layer sizes), else a ValueError; ``each`` names one element in the message."""
    if isinstance(values, (int, str)) or not isinstance(values, Sequence) or not values:
        raise ValueError(f"{name} must be a non-empty sequence of ints, got {values!r}")
    return tuple(positive_int(each, value) for value in values)


def sizes(name: str, values) -> tuple[int, ...]:
    """``values`` as a tuple of positive ints (layer sizes; empty is allowed)."""
    if isinstance(values, (int, str)) or not hasattr(values, "__iter__"):
        raise ValueError(f"{name} must be a sequence of sizes such as (64, 32), got {values!r}"
                         + (f"; for one layer write ({values},)" if isinstance(values, int) else ""))
    return tuple(positive_int(f"every size in {name}", v) for v in values)


def fraction(name: str, value) -> float:
    """``value`` as a float in [0, 1) (a dropout rate), else a ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return float(value)


def one_of(name: str, value, choices) -> str:
    """``value`` lower-cased if it is one of ``choices``, else a ValueError naming them."""
    if not isinstance(value, str) or value.lower() not in choices:
        raise ValueError(f"{name} must be one of {sorted(choices)}, got {value!r}")
    return value.lower()


def _tensor(x, who: str, what: str) -> torch.Tensor:
    if hasattr(x, "toarray"):  # a scipy sparse matrix
        raise TypeError(f"{who} expects {what} as a dense torch.Tensor, got a scipy sparse "
                        f"{type(x).__name__}; densify a batch of rows first: "
                        "torch.from_numpy(X[rows].toarray())")
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{who} expects {what} as a torch.Tensor, got {type(x).__name__}; "
                        "convert with torch.as_tensor")
    if x.layout != torch.strided:
        raise TypeError(f"{who} expects a dense tensor, got layout {x.layout}; densify a batch "
                        "first (scipy: torch.from_numpy(X[rows].toarray()), torch: x.to_dense())")
    return x


def features(x, size: int, who: str, dtype: torch.dtype | None = None, steps: bool = False) -> torch.Tensor:
    """A dense float batch of feature vectors: (B, size), or (B, T, size) with ``steps``.

    ``dtype`` is the dtype of the model's weights; a mismatch (NumPy and scikit-learn
    give float64) is named rather than left to a matmul error.
    """
    shape = f"(batch, time, {size})" if steps else f"(batch, {size})"
    x = _tensor(x, who, f"float features of shape {shape}")
    if not x.is_floating_point():
        raise TypeError(f"{who} expects floating-point features, got dtype {x.dtype}; integer "
                        "token ids belong in an embedding layer, counts need .float()")
    if dtype is not None and x.dtype != dtype:
        raise TypeError(f"{who}'s weights are {dtype} but the input is {x.dtype}; convert with "
                        f"x.to({dtype}) (scikit-learn and NumPy default to float64)")
    if x.dim() != (3 if steps else 2) or x.shape[-1] != size:
        raise ValueError(f"{who} expects shape {shape}, got {tuple(x.shape)}")
    if 0 in x.shape[:-1]:
        raise ValueError(f"{who} expects a non-empty batch, got shape {tuple(x.shape)}")
    return x


def token_ids(ids, who: str, vocab_size: int | None = None, width: int | None = None) -> torch.Tensor:
    """A non-empty (B, T) batch of integer token ids, returned as int64.

    ``width`` fixes T (a language model's context size); ``vocab_size`` requires every id
    to lie in [0, vocab_size), which an ``nn.Embedding`` would otherwise report as an
    index error deep in its kernel (or not at all, on some devices).
    """
    shape = f"(batch, {width})" if width is not None else "(batch, time)"
    ids = _tensor(ids, who, f"token ids of shape {shape}")
    if ids.dtype not in _INTEGER_DTYPES:
        raise TypeError(f"{who} expects integer token ids (torch.long), got dtype {ids.dtype}; "
                        "the model looks the embeddings up itself, so pass ids, not one-hot "
                        "or float vectors")
    if ids.dim() != 2 or (width is not None and ids.shape[1] != width):
        raise ValueError(f"{who} expects token ids of shape {shape}, got {tuple(ids.shape)}")
    if ids.shape[0] == 0 or ids.shape[1] == 0:
        raise ValueError(f"{who} expects a non-empty batch, got shape {tuple(ids.shape)}")
    if vocab_size is not None and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"{who}: token ids must lie in [0, {vocab_size}), got values from "
                         f"{int(ids.min())} to {int(ids.max())}")
    return ids.long()


def lengths(lengths, batch: int, steps: int, who: str, device="cpu") -> torch.Tensor:
    """The true length of each padded sequence, (B,) int64 on ``device``, each in
    [1, steps]. ``pack_padded_sequence`` wants them on the CPU (the default)."""
    lengths = torch.as_tensor(lengths)
    if lengths.dim() != 1 or lengths.shape[0] != batch:
        raise ValueError(f"{who} expects lengths of shape ({batch},), one per sequence, got "
                         f"{tuple(lengths.shape)}")
    if lengths.dtype not in _INTEGER_DTYPES:
        raise TypeError(f"{who} expects integer lengths, got dtype {lengths.dtype}")
    if (lengths < 1).any() or (lengths > steps).any():
        raise ValueError(f"{who}: every length must be in [1, {steps}] (the padded time "
                         f"dimension), got min {int(lengths.min())}, max {int(lengths.max())}")
    return lengths.to(device, torch.long)


def _shape_text(shape) -> str:
    """``("B", "K")`` -> ``(B, K)``, ``(4,)`` -> ``(4,)``: ints are fixed, names are free."""
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _has_shape(x, shape) -> bool:
    return x.dim() == len(shape) and all(
        isinstance(want, str) or got == want for got, want in zip(x.shape, shape))


def word_ids(ids, shape, who: str, vocab_size: int) -> torch.Tensor:
    """A non-empty batch of integer word ids of ``shape``, each in [0, vocab_size), as int64.

    ``shape`` holds an int for a size that is fixed and a name for one that is free:
    ``("B",)`` for B center words, ``(B, "K")`` for K noise words per pair. So the pairs,
    noise words and matrix entries that the embedding models take (1-D or 2-D) are
    checked against each other: a context batch of another length than the centers is
    named, not broadcast or left to an index error deep in ``nn.Embedding``.
    """
    ids = _tensor(ids, who, f"integer word ids of shape {_shape_text(shape)}")
    if ids.dtype not in _INTEGER_DTYPES:
        raise TypeError(f"{who} expects integer token ids (torch.long), got dtype {ids.dtype}")
    if not _has_shape(ids, shape):
        raise ValueError(f"{who} expects shape {_shape_text(shape)}, got {tuple(ids.shape)}")
    if 0 in ids.shape:
        raise ValueError(f"{who} expects a non-empty batch, got shape {tuple(ids.shape)}")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(f"{who}: token ids must lie in [0, {vocab_size}), got values from "
                         f"{int(ids.min())} to {int(ids.max())}")
    return ids.long()


def positive(name: str, value, strict: bool = True, shape=None, why: str = ""):
    """``value`` (a number, a NumPy array or a tensor) if every entry is > 0, or >= 0 when
    not ``strict``; NaN fails both. ``shape`` (ints and names, as in :func:`word_ids`)
    fixes a tensor's shape too, and ``why`` ends the message: what such a value breaks."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number, np.ndarray, torch.Tensor)):
        raise TypeError(f"{name} must be a number, a NumPy array or a tensor, got {type(value).__name__}")
    if shape is not None and not _has_shape(value, shape):
        raise ValueError(f"{name} must have shape {_shape_text(shape)}, got {tuple(value.shape)}")
    ok = value > 0 if strict else value >= 0
    if (~ok).any() if isinstance(ok, (np.ndarray, torch.Tensor)) else not ok:
        got = (repr(value) if np.ndim(value) == 0
               else f"values from {float(value.min()):g} to {float(value.max()):g}")
        kind = "positive" if strict else "non-negative"
        raise ValueError(f"{name} must be {kind}{why}, got {got}")
    return value


def id_sequences(sequences, vocab_size: int) -> list[np.ndarray]:
    """A corpus of token ids, a list of sequences (documents, works, lines) of ints in
    [0, vocab_size), as a list of non-empty 1-D int64 arrays (empty sequences dropped)."""
    if isinstance(sequences, (str, bytes)):
        raise TypeError("expected a list of sequences of token ids, got a string; tokenize and map to ids first")
    arrays = []
    for number, sequence in enumerate(sequences):
        array = np.asarray(sequence)
        if array.ndim != 1:
            raise ValueError(
                f"sequence {number} is not a 1-d sequence of ids (shape {array.shape}); pass a list of "
                "sequences, e.g. [ids] for a single text"
            )
        if array.size == 0:
            continue
        if array.dtype.kind not in "iu":
            raise TypeError(
                f"sequence {number} holds {array.dtype} values, not integer ids; map tokens to ids "
                "with a Vocab first"
            )
        low, high = int(array.min()), int(array.max())
        if low < 0 or high >= vocab_size:
            bad = low if low < 0 else high
            raise ValueError(
                f"sequence {number} holds id {bad}, outside [0, {vocab_size}); drop out-of-vocabulary "
                "tokens or enlarge vocab_size"
            )
        arrays.append(array.astype(np.int64))
    if not arrays:
        raise ValueError("the corpus is empty: no sequence holds a single token id")
    return arrays


def word_counts(counts) -> np.ndarray:
    """How often each word occurs, indexed by id (``counts[i]`` for id i), as a (V,)
    float64 array: a non-empty 1-D sequence of finite, non-negative numbers, not all 0."""
    array = counts.numpy() if isinstance(counts, torch.Tensor) else np.asarray(counts)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"counts must be a non-empty 1-D sequence indexed by token id, got shape {array.shape}")
    array = array.astype(np.float64)
    if (array < 0).any() or not np.isfinite(array).all():
        raise ValueError("counts must be finite and non-negative")
    if array.sum() == 0:
        raise ValueError("all counts are zero")
    return array
