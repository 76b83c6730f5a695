"""Word-word co-occurrence counts, the input of GloVe.

Built in notebooks/05_glove.

``cooccurrence_matrix`` counts, for every pair of vocabulary ids, how often the two
occur within ``window`` tokens of each other, optionally weighting a pair at distance
``d`` by ``1/d``. It follows the counting rules of the reference implementation
(``cooccur.c`` in the GloVe repository): windows never cross the boundary between two
sequences, and the caller drops out-of-vocabulary tokens before counting, so that the
tokens on either side of a dropped one become neighbours.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

__all__ = ["cooccurrence_matrix"]


def cooccurrence_matrix(
    token_id_sequences: Iterable[Sequence[int]],
    vocab_size: int,
    window: int = 5,
    distance_weighting: bool = True,
    symmetric: bool = True,
) -> sp.csr_matrix:
    """The (vocab_size, vocab_size) co-occurrence matrix X of a corpus, as sparse CSR.

    ``token_id_sequences``: the corpus as a list of sequences of integer ids in
    ``[0, vocab_size)`` (one per document, work or line; windows stay inside one).
    ``X[i, j]`` sums, over every occurrence of ``j`` at most ``window`` tokens after an
    occurrence of ``i``, the weight ``1/d`` (``d`` the distance) or 1 when
    ``distance_weighting`` is False. With ``symmetric=True`` (the default, and GloVe's)
    every pair is also counted the other way round, so X equals its transpose and
    ``X[i, j]`` covers ``j`` on either side of ``i``.

    Runs as one vectorised pass per distance ``d = 1..window``, not a loop over tokens.
    """
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, (int, np.integer)) or vocab_size < 1:
        raise ValueError(f"vocab_size must be a positive int, got {vocab_size!r}")
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"window must be an int >= 1 (tokens on each side), got {window!r}")

    ids, document = _concatenate(token_id_sequences, vocab_size)
    total = sp.csr_matrix((vocab_size, vocab_size), dtype=np.float64)
    for distance in range(1, min(window, len(ids) - 1) + 1):
        earlier, later = ids[:-distance], ids[distance:]  # (N - d,) each
        same_document = document[:-distance] == document[distance:]  # no pair across a boundary
        weight = 1.0 / distance if distance_weighting else 1.0
        values = np.full(int(same_document.sum()), weight)
        # duplicate (row, column) pairs are summed when the matrix is built: that is the counting
        total = total + sp.csr_matrix(
            (values, (earlier[same_document], later[same_document])), shape=(vocab_size, vocab_size)
        )
    if symmetric:
        total = total + total.T
    result = sp.csr_matrix(total)
    result.sum_duplicates()
    result.sort_indices()
    return result


def _concatenate(token_id_sequences, vocab_size: int) -> tuple[np.ndarray, np.ndarray]:
    """All ids in one (N,) array, and the (N,) index of the sequence each came from."""
    if isinstance(token_id_sequences, (str, bytes)):
        raise TypeError("expected a list of sequences of token ids, got a string; tokenize and map to ids first")
    pieces, owners = [], []
    for number, sequence in enumerate(token_id_sequences):
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
        pieces.append(array.astype(np.int64))
        owners.append(np.full(array.size, number, dtype=np.int64))
    if not pieces:
        raise ValueError("the corpus is empty: no sequence holds a single token id")
    return np.concatenate(pieces), np.concatenate(owners)
