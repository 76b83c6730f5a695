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

import numpy as np
import scipy.sparse as sp

from nlpcourse import checks

__all__ = ["cooccurrence_matrix"]


def cooccurrence_matrix(token_id_sequences, vocab_size: int, window: int = 5,
                        distance_weighting: bool = True, symmetric: bool = True):
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
    checks.positive_int("vocab_size", vocab_size)
    checks.positive_int("window (tokens on each side)", window)
    sequences = checks.id_sequences(token_id_sequences, vocab_size)
    ids = np.concatenate(sequences)  # (N,) the whole corpus, one sequence after another
    lengths = [len(sequence) for sequence in sequences]
    document = np.repeat(np.arange(len(sequences)), lengths)  # (N,) sequence of each id
    shape = (vocab_size, vocab_size)
    total = sp.csr_matrix(shape, dtype=np.float64)
    for distance in range(1, min(window, len(ids) - 1) + 1):
        earlier, later = ids[:-distance], ids[distance:]  # (N - d,): the pairs at d
        same = document[:-distance] == document[distance:]  # no pair across a boundary
        weight = 1.0 / distance if distance_weighting else 1.0
        values = np.full(int(same.sum()), weight)
        # duplicate (row, column) pairs are summed when the matrix is built: that is
        # the counting
        total = total + sp.csr_matrix((values, (earlier[same], later[same])), shape)
    if symmetric:
        total = total + total.T  # each pair counted the other way round too
    result = sp.csr_matrix(total)
    result.sum_duplicates()
    result.sort_indices()
    return result
