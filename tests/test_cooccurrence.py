import numpy as np
import pytest
import scipy.sparse as sp

from nlpcourse.cooccurrence import cooccurrence_matrix


def slow_reference(sequences, vocab_size, window, distance_weighting=True, symmetric=True):
    """The definition, one pair at a time (GloVe's cooccur.c loop, in Python)."""
    counts = np.zeros((vocab_size, vocab_size))
    for ids in sequences:
        for position, target in enumerate(ids):
            for distance in range(1, window + 1):
                if position - distance < 0:
                    break
                context = ids[position - distance]  # to the left of target
                weight = 1.0 / distance if distance_weighting else 1.0
                counts[context, target] += weight
                if symmetric:
                    counts[target, context] += weight
    return counts


@pytest.mark.parametrize("window", [1, 2, 5, 40])
@pytest.mark.parametrize("distance_weighting", [True, False])
@pytest.mark.parametrize("symmetric", [True, False])
def test_matches_the_slow_reference(window, distance_weighting, symmetric):
    rng = np.random.default_rng(window)
    sequences = [rng.integers(0, 12, size=n) for n in (0, 1, 3, 30, 57)]
    fast = cooccurrence_matrix(sequences, 12, window, distance_weighting, symmetric)
    slow = slow_reference(sequences, 12, window, distance_weighting, symmetric)
    assert sp.issparse(fast) and fast.shape == (12, 12)
    np.testing.assert_allclose(fast.toarray(), slow, rtol=0, atol=1e-12)


def test_symmetric_is_symmetric_and_equals_one_sided_plus_transpose():
    rng = np.random.default_rng(0)
    sequences = [rng.integers(0, 50, size=400) for _ in range(3)]
    both = cooccurrence_matrix(sequences, 50, window=4)
    left = cooccurrence_matrix(sequences, 50, window=4, symmetric=False)
    assert abs(both - both.T).max() == 0
    assert abs(left + left.T - both).max() < 1e-12
    assert abs(left - left.T).max() > 0


def test_inverse_distance_weights_on_a_hand_example():
    # "a b c a" with window 2: (a,b) at 1, (a,c) at 2, (b,c) at 1, (b,a) at 2, (c,a) at 1
    a, b, c = 0, 1, 2
    X = cooccurrence_matrix([[a, b, c, a]], 3, window=2).toarray()
    expected = np.zeros((3, 3))
    for i, j, w in [(a, b, 1), (a, c, 0.5), (b, c, 1), (b, a, 0.5), (c, a, 1)]:
        expected[i, j] += w
        expected[j, i] += w
    np.testing.assert_array_equal(X, expected)
    assert X[a, c] == 1.5  # c-a at distance 1 plus a-c at distance 2
    unweighted = cooccurrence_matrix([[a, b, c, a]], 3, window=2, distance_weighting=False)
    assert unweighted.toarray()[a, c] == 2 and unweighted.sum() == 2 * (3 + 2)


def test_windows_do_not_cross_sequences():
    joined = cooccurrence_matrix([[0, 1, 2, 3]], 4, window=3)
    split = cooccurrence_matrix([[0, 1], [2, 3]], 4, window=3)
    assert joined[1, 2] == 1 and split[1, 2] == 0 and split[0, 1] == 1 and split[2, 3] == 1


def test_accepts_numpy_and_int32_and_returns_csr():
    X = cooccurrence_matrix([np.array([0, 1, 1], dtype=np.int32), (1, 0)], 2, window=1)
    assert isinstance(X, sp.csr_matrix) and X.dtype == np.float64
    # pairs (0,1), (1,1) and (1,0), each counted both ways; the self-pair lands twice on
    # the diagonal, as in cooccur.c
    assert X.toarray().tolist() == [[0, 2], [2, 2]]


def test_sequence_of_one_token_gives_zeros():
    assert cooccurrence_matrix([[3]], 5).nnz == 0


@pytest.mark.parametrize(
    "sequences, vocab_size, window, error, match",
    [
        ([], 5, 2, ValueError, "corpus is empty"),
        ([[], []], 5, 2, ValueError, "corpus is empty"),
        ([[0, 1]], 5, 0, ValueError, r"window \(tokens on each side\) must be a positive int"),
        ([[0, 1]], 5, 2.5, ValueError, r"window \(tokens on each side\) must be a positive int"),
        ([[0, 1]], 0, 2, ValueError, "vocab_size must be a positive int"),
        ([[0, 7]], 5, 2, ValueError, r"id 7, outside \[0, 5\)"),
        ([[0, -1]], 5, 2, ValueError, r"id -1, outside \[0, 5\)"),
        ([[0.0, 1.0]], 5, 2, TypeError, "not integer ids"),
        ([["the", "cat"]], 5, 2, TypeError, "not integer ids"),
        ([0, 1, 2], 5, 2, ValueError, "list of sequences"),
        ("the cat", 5, 2, TypeError, "got a string"),
    ],
)
def test_bad_input_gives_clear_errors(sequences, vocab_size, window, error, match):
    with pytest.raises(error, match=match):
        cooccurrence_matrix(sequences, vocab_size, window=window)
