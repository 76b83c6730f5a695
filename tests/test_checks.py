"""nlpcourse.checks: the one-line input checks of the models the lessons write out."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from nlpcourse import checks


def test_sizes_and_rates():
    assert checks.positive_int("n", 3) == 3
    for bad in (0, -1, 2.0, True, "3"):
        with pytest.raises(ValueError, match="n must be a positive int"):
            checks.positive_int("n", bad)
    assert checks.sizes("hidden", [64, 32]) == (64, 32) and checks.sizes("hidden", ()) == ()
    with pytest.raises(ValueError, match=r"for one layer write \(16,\)"):
        checks.sizes("hidden", 16)
    assert checks.positive_ints("widths", [2, 3], "each width") == (2, 3)
    with pytest.raises(ValueError, match="non-empty sequence"):
        checks.positive_ints("widths", [], "each width")
    with pytest.raises(ValueError, match="each width"):
        checks.positive_ints("widths", [2, 0], "each width")
    assert checks.fraction("dropout", 0) == 0.0 and checks.fraction("dropout", 0.5) == 0.5
    for bad in (1.0, -0.1, "0.3", None):
        with pytest.raises(ValueError, match=r"dropout must be a number in \[0, 1\)"):
            checks.fraction("dropout", bad)
    assert checks.one_of("cell", "LSTM", {"rnn", "lstm"}) == "lstm"
    with pytest.raises(ValueError, match=r"\['lstm', 'rnn'\]"):
        checks.one_of("cell", "gru", {"rnn", "lstm"})


def test_features_name_what_was_expected():
    x = torch.zeros(3, 5)
    assert checks.features(x, 5, "M") is x
    assert checks.features(torch.zeros(2, 4, 5), 5, "M", steps=True).shape == (2, 4, 5)
    cases = [
        (np.zeros((3, 5), dtype=np.float32), TypeError, "torch.as_tensor"),
        (sp.random(3, 5, format="csr"), TypeError, "toarray"),
        (torch.zeros(3, 5).to_sparse(), TypeError, "dense tensor"),
        (torch.zeros(3, 5, dtype=torch.long), TypeError, "floating-point"),
        (torch.zeros(3, 5, dtype=torch.float64), TypeError, "float64"),
        (torch.zeros(3, 4), ValueError, r"\(batch, 5\)"),
        (torch.zeros(0, 5), ValueError, "non-empty"),
    ]
    for value, error, message in cases:
        with pytest.raises(error, match=message):
            checks.features(value, 5, "M", dtype=torch.float32)


def test_token_ids_and_lengths():
    ids = torch.tensor([[1, 2, 3]], dtype=torch.int32)
    assert checks.token_ids(ids, "M", vocab_size=4, width=3).dtype == torch.long
    for value, error, message in [
        (torch.zeros(1, 3), TypeError, "integer token ids"),
        (torch.zeros(1, 2, dtype=torch.long), ValueError, r"\(batch, 3\)"),
        (torch.tensor([[1, 2, 4]]), ValueError, r"\[0, 4\), got values from 1 to 4"),
        (torch.zeros(0, 3, dtype=torch.long), ValueError, "non-empty"),
    ]:
        with pytest.raises(error, match=message):
            checks.token_ids(value, "M", vocab_size=4, width=3)
    assert checks.lengths([3, 1], batch=2, steps=3, who="M").tolist() == [3, 1]
    with pytest.raises(ValueError, match=r"in \[1, 3\]"):
        checks.lengths([4, 1], batch=2, steps=3, who="M")
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        checks.lengths([1, 1, 1], batch=2, steps=3, who="M")
    with pytest.raises(TypeError, match="integer lengths"):
        checks.lengths([1.0, 2.0], batch=2, steps=3, who="M")


def test_word_ids_positive_and_corpora():
    assert checks.word_ids(torch.tensor([[1, 2]]), (1, "K"), "noise", 3).shape == (1, 2)
    with pytest.raises(ValueError, match=r"expects shape \(2, K\)"):
        checks.word_ids(torch.tensor([[1, 2]]), (2, "K"), "noise", 3)
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        checks.word_ids(torch.tensor([3]), ("B",), "center", 3)
    assert checks.positive("x_max", 100) == 100
    with pytest.raises(ValueError, match="x_max must be positive"):
        checks.positive("x_max", 0)
    with pytest.raises(ValueError, match="non-negative"):
        checks.positive("counts", np.array([1.0, -1.0]), strict=False)
    with pytest.raises(ValueError, match="non-negative"):
        checks.positive("counts", torch.tensor([float("nan")]), strict=False)
    assert [a.tolist() for a in checks.id_sequences([[0, 1], [], [2]], 3)] == [[0, 1], [2]]
    with pytest.raises(ValueError, match="holds id 3, outside"):
        checks.id_sequences([[0, 3]], 3)
    with pytest.raises(TypeError, match="a string"):
        checks.id_sequences("abc", 3)
    with pytest.raises(ValueError, match="empty"):
        checks.id_sequences([[]], 3)
    assert checks.word_counts([1, 0, 2]).dtype == np.float64
    with pytest.raises(ValueError, match="all counts are zero"):
        checks.word_counts([0, 0])
