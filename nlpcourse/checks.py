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

__all__ = ["attention_inputs", "attention_mask", "cutoffs", "dot_product_inputs",
           "example_lengths", "features", "fraction", "id_sequences", "index",
           "labelled_splits", "lengths", "lstm_state", "mean_nll", "next_token_logits",
           "non_negative_int", "one_of", "pair_batch", "positive", "positive_int",
           "positive_ints", "probability", "query_and_keys", "sizes", "temperature",
           "text_ids", "texts", "token_ids", "word_counts", "word_ids"]

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


def example_lengths(values) -> torch.Tensor:
    """The length of every example of a data set (a non-empty 1-D sequence of
    non-negative ints), as an int64 tensor, else a ValueError."""
    lengths = torch.as_tensor(values)
    if lengths.dim() != 1 or len(lengths) == 0 or lengths.dtype not in _INTEGER_DTYPES:
        raise ValueError("lengths must be a non-empty 1-D sequence of ints, one per example")
    if (lengths < 0).any():
        raise ValueError(f"lengths must be non-negative, got {int(lengths.min())}")
    return lengths.long()


def labelled_splits(data) -> dict:
    """The ``train``, ``validation`` and ``test`` splits of a ``TextClassificationData``,
    by name: each must hold as many ``labels`` as ``texts``, at least one text, and
    labels in 0..len(data.classes)-1."""
    splits = {}
    for name in ("train", "validation", "test"):
        split = getattr(data, name, None)
        if split is None or not hasattr(split, "texts") or not hasattr(split, "labels"):
            raise TypeError(
                "data must have train, validation and test splits with .texts and "
                f".labels (a TextClassificationData); {name!r} is missing or malformed"
            )
        if len(split.texts) != len(split.labels):
            raise ValueError(
                f"the {name} split has {len(split.texts)} texts but {len(split.labels)} labels"
            )
        if len(split.texts) == 0:
            raise ValueError(f"the {name} split is empty")
        splits[name] = split
    classes = tuple(data.classes)
    for name, split in splits.items():
        bad = [y for y in split.labels if not 0 <= int(y) < len(classes)]
        if bad:
            raise ValueError(
                f"the {name} split has labels outside 0..{len(classes) - 1} "
                f"(classes {classes}): e.g. {bad[0]!r}"
            )
    return splits


def probability(name: str, value) -> float:
    """``value`` as a float in [0, 1] (a probability or a share; 1 is allowed, unlike
    :func:`fraction`), else a ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    return float(value)


def index(name: str, value, size: int) -> int:
    """``value`` if it is an int in [0, size) (one token id, such as [MASK]'s), else a
    ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < size:
        raise ValueError(f"{name} must be an int in [0, {size}), got {value!r}")
    return value


def texts(values, who: str) -> list:
    """A non-empty sequence of texts, as a list. One string is a TypeError: it would be
    read as a sequence of one-character texts."""
    if isinstance(values, str):
        raise TypeError(f"{who} expects a sequence of texts, not one string; pass [text]")
    values = list(values)
    if not values:
        raise ValueError(f"{who} got no texts")
    return values


def attention_inputs(query, key, value, d_model: int, key_padding_mask=None,
                     attn_mask=None) -> None:
    """The inputs of multi-head attention: ``query`` (B, Tq, d_model), ``key`` and
    ``value`` (B, Tk, d_model), and boolean masks (True = forbidden) of shape (B, Tk)
    for ``key_padding_mask`` and (Tq, Tk) for ``attn_mask``; a ValueError or TypeError
    that names the wrong argument otherwise."""
    for name, x in (("query", query), ("key", key), ("value", value)):
        x = _tensor(x, "multi-head attention", f"{name} of shape (batch, time, {d_model})")
        if x.dim() != 3 or x.shape[-1] != d_model:
            raise ValueError(f"expected {name} of shape (batch, time, {d_model}), got {tuple(x.shape)}")
    if key.shape[:2] != value.shape[:2] or query.shape[0] != key.shape[0]:
        raise ValueError(f"batch/time mismatch: query {tuple(query.shape)}, key {tuple(key.shape)}, "
                         f"value {tuple(value.shape)}")
    for name, mask, shape, dims in (
        ("key_padding_mask", key_padding_mask, (key.shape[0], key.shape[1]), "(batch, keys)"),
        ("attn_mask", attn_mask, (query.shape[1], key.shape[1]), "(queries, keys)"),
    ):
        if mask is None:
            continue
        if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
            raise TypeError(f"{name} must be a boolean tensor (True = forbidden), got "
                            f"{getattr(mask, 'dtype', type(mask).__name__)}")
        if tuple(mask.shape) != shape:
            raise ValueError(f"{name} must be {dims} = {shape}, got {tuple(mask.shape)}")


# ---------------------------------------------------------------- generation (lesson 11)


def next_token_logits(logits) -> torch.Tensor:
    """A language model's next-token scores, (B, V): a non-empty float tensor without NaN
    or +inf, whose every row leaves at least one token that can be chosen."""
    if not isinstance(logits, torch.Tensor):
        raise TypeError(f"expected logits as a torch.Tensor, got {type(logits).__name__}")
    if logits.dim() != 2:
        hint = "; for one distribution pass logits[None]" if logits.dim() == 1 else ""
        raise ValueError(f"expected logits of shape (batch, vocab), got {tuple(logits.shape)}{hint}")
    if not logits.is_floating_point():
        raise TypeError(f"expected floating-point logits, got dtype {logits.dtype}")
    if logits.shape[0] == 0 or logits.shape[1] == 0:
        raise ValueError(f"expected a non-empty (batch, vocab) tensor, got {tuple(logits.shape)}")
    if torch.isnan(logits).any():
        raise ValueError("logits contain NaN")
    if (logits == float("inf")).any():
        raise ValueError("logits contain +inf")
    if (logits == float("-inf")).all(dim=-1).any():
        raise ValueError("a row of logits is all -inf: no token can be chosen")
    return logits


def temperature(value) -> float:
    """A sampling temperature as a float: finite and >= 0 (0 means greedy decoding)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"temperature must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"temperature must be finite and >= 0 (0 means greedy), got {value!r}")
    return value


def cutoffs(top_k, top_p) -> tuple[int | None, float | None]:
    """``(top_k, top_p)`` of a sampler: each None (no cut), or an int >= 1 and a number
    in (0, 1]."""
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer))
                              or top_k < 1):
        raise ValueError(f"top_k must be an int >= 1 or None, got {top_k!r}")
    if top_p is not None and (isinstance(top_p, bool) or not isinstance(top_p, (int, float, np.number))
                              or not 0 < float(top_p) <= 1):
        raise ValueError(f"top_p must be a number in (0, 1] or None, got {top_p!r}")
    return (None if top_k is None else int(top_k)), (None if top_p is None else float(top_p))


def mean_nll(value) -> float:
    """A mean negative log-likelihood (a number, or a one-element tensor) as a float >= 0."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError(f"expected one mean NLL, got a tensor of shape {tuple(value.shape)}")
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"mean_nll must be a real number, got {value!r}")
    value = float(value)
    if np.isnan(value) or value < 0:
        raise ValueError(f"a mean negative log-likelihood is >= 0, got {value!r}")
    return value


def non_negative_int(name: str, value) -> int:
    """``value`` if it is an int of at least 0 (a number of steps), else a ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be an int >= 0, got {value!r}")
    return value


def text_ids(ids, who: str, min_length: int = 1) -> torch.Tensor:
    """A whole text as token ids: a 1-D integer tensor of at least ``min_length`` ids,
    returned as int64."""
    ids = _tensor(ids, who, "a text as token ids of shape (length,)")
    if ids.dim() != 1:
        raise ValueError(f"{who} expects a text as token ids of shape (length,), got {tuple(ids.shape)}")
    if ids.dtype not in _INTEGER_DTYPES:
        raise TypeError(f"{who} expects integer token ids, got dtype {ids.dtype}")
    if len(ids) < min_length:
        raise ValueError(f"{who} needs a text of at least {min_length} ids, got {len(ids)}")
    return ids.long()


def lstm_state(state, shape: tuple[int, int, int], dtype: torch.dtype):
    """An LSTM's state ``(h, c)``, each of ``shape`` (num_layers, B, H) and ``dtype``, as a
    tuple; None (a zero start) stays None."""
    if state is None:
        return None
    if not isinstance(state, (tuple, list)) or len(state) != 2:
        raise ValueError(f"state must be the pair (h, c) that forward returned, each of shape {shape}")
    for name, tensor in zip("hc", state):
        if not isinstance(tensor, torch.Tensor) or tuple(tensor.shape) != tuple(shape):
            got = tuple(tensor.shape) if isinstance(tensor, torch.Tensor) else type(tensor).__name__
            raise ValueError(f"state {name} must have shape (num_layers, batch, hidden) = {tuple(shape)}, "
                             f"got {got}")
        if tensor.dtype != dtype:
            raise TypeError(f"state {name} has dtype {tensor.dtype}, the model computes in {dtype}")
    return tuple(state)


# ---------------------------------------------------------------- attention (lesson 13)


def dot_product_inputs(q, k, v) -> None:
    """The inputs of scaled dot-product attention: q (..., Tq, d), k (..., Tk, d) and
    v (..., Tk, dv), tensors of at least 2 dimensions; a ValueError naming the mismatch."""
    if any(not isinstance(x, torch.Tensor) or x.dim() < 2 for x in (q, k, v)):
        raise ValueError("q, k and v need at least 2 dimensions (..., time, features)")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must share their last dimension, got {q.shape[-1]} and {k.shape[-1]}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"k and v must have the same number of keys, got {k.shape[-2]} and {v.shape[-2]}")


def attention_mask(mask, scores: torch.Tensor) -> torch.Tensor:
    """A boolean mask (True = may not attend) that broadcasts to the attention scores'
    shape (..., queries, keys)."""
    if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
        raise TypeError(f"the mask must be boolean (True = forbidden), got dtype "
                        f"{getattr(mask, 'dtype', type(mask).__name__)}")
    try:
        torch.broadcast_shapes(mask.shape, scores.shape)
    except RuntimeError:
        raise ValueError(f"mask of shape {tuple(mask.shape)} does not broadcast to the attention "
                         f"scores' shape {tuple(scores.shape)} (..., queries, keys)") from None
    return mask


def query_and_keys(query, keys, query_dim: int, key_dim: int) -> None:
    """One query per sequence, (B, query_dim), and its keys, (B, T, key_dim); a
    ValueError that shows both shapes otherwise."""
    if (not isinstance(query, torch.Tensor) or not isinstance(keys, torch.Tensor)
            or query.dim() != 2 or keys.dim() != 3 or query.shape[0] != keys.shape[0]
            or query.shape[1] != query_dim or keys.shape[2] != key_dim):
        raise ValueError(f"expected query (B, {query_dim}) and keys (B, T, {key_dim}), got "
                         f"{tuple(getattr(query, 'shape', ()))} and {tuple(getattr(keys, 'shape', ()))}")


def pair_batch(batch) -> tuple[tuple, tuple]:
    """A non-empty batch of ``(source_ids, target_ids)`` pairs whose sources are not
    empty, as ``(sources, targets)``."""
    batch = list(batch)
    if not batch:
        raise ValueError("cannot collate an empty batch")
    bad = [i for i, item in enumerate(batch) if not (isinstance(item, (tuple, list)) and len(item) == 2)]
    if bad:
        raise ValueError(f"batch items {bad} are not (source_ids, target_ids) pairs")
    sources, targets = zip(*batch)
    empty = [i for i, source in enumerate(sources) if len(source) == 0]
    if empty:
        raise ValueError(f"batch items {empty} have empty sources; an encoder cannot read length 0")
    return sources, targets


def word(name: str, value) -> str:
    """``value`` if it is a non-empty str (a word or an n-gram), else a TypeError or a
    ValueError naming ``name``."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must be a non-empty string")
    return value


def ngram_range(min_n, max_n) -> tuple[int, int]:
    """``(min_n, max_n)`` if both are ints with 1 <= min_n <= max_n, else a ValueError."""
    for name, value in (("min_n", min_n), ("max_n", max_n)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be an int, got {value!r}")
    if min_n < 1:
        raise ValueError(f"min_n must be at least 1, got {min_n}")
    if max_n < min_n:
        raise ValueError(f"max_n ({max_n}) must not be smaller than min_n ({min_n})")
    return min_n, max_n
