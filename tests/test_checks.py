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


def test_example_lengths():
    assert checks.example_lengths([3, 0, 5]).tolist() == [3, 0, 5]
    assert checks.example_lengths(torch.tensor([2], dtype=torch.int32)).dtype == torch.long
    for bad in ([], [[1, 2]], [1.5, 2.0]):
        with pytest.raises(ValueError, match="non-empty 1-D sequence of ints"):
            checks.example_lengths(bad)
    with pytest.raises(ValueError, match="non-negative, got -1"):
        checks.example_lengths([4, -1])


def test_labelled_splits():
    from nlpcourse.data.tweets import Split, TextClassificationData

    def data(**overrides):
        splits = {"train": Split(["a", "b"], [0, 1]), "validation": Split(["c"], [1]),
                  "test": Split(["d"], [0])}
        return TextClassificationData(**{**splits, **overrides}, classes=("neg", "pos"))

    assert list(checks.labelled_splits(data())) == ["train", "validation", "test"]
    with pytest.raises(TypeError, match="TextClassificationData"):
        checks.labelled_splits(object())
    with pytest.raises(ValueError, match="the test split is empty"):
        checks.labelled_splits(data(test=Split([], [])))
    with pytest.raises(ValueError, match="2 texts but 1 labels"):
        checks.labelled_splits(data(validation=Split(["a", "b"], [1])))
    with pytest.raises(ValueError, match=r"outside 0..1 \(classes \('neg', 'pos'\)\): e.g. 2"):
        checks.labelled_splits(data(train=Split(["a"], [2])))


def test_probability_index_and_texts():
    assert checks.probability("p", 1) == 1.0 and checks.probability("p", 0.0) == 0.0
    for bad in (1.5, -0.1, True, "0.5"):
        with pytest.raises(ValueError, match=r"p must be a number in \[0, 1\]"):
            checks.probability("p", bad)
    assert checks.index("mask_id", 3, 4) == 3
    for bad in (4, -1, 2.0, True):
        with pytest.raises(ValueError, match=r"mask_id must be an int in \[0, 4\)"):
            checks.index("mask_id", bad, 4)
    assert checks.texts(("a", "b"), "f") == ["a", "b"]
    with pytest.raises(TypeError, match="not one string"):
        checks.texts("a text", "f")
    with pytest.raises(ValueError, match="f got no texts"):
        checks.texts([], "f")


def test_attention_inputs():
    q, kv = torch.zeros(2, 3, 8), torch.zeros(2, 5, 8)
    pad, causal = torch.zeros(2, 5, dtype=torch.bool), torch.zeros(3, 5, dtype=torch.bool)
    assert checks.attention_inputs(q, kv, kv, 8, pad, causal) is None
    with pytest.raises(ValueError, match=r"key of shape \(batch, time, 8\)"):
        checks.attention_inputs(q, kv[..., :6], kv, 8)
    with pytest.raises(TypeError, match="torch.Tensor"):
        checks.attention_inputs(q.tolist(), kv, kv, 8)
    with pytest.raises(ValueError, match="batch/time mismatch"):
        checks.attention_inputs(q, kv, kv[:, :4], 8)
    with pytest.raises(ValueError, match=r"key_padding_mask must be \(batch, keys\) = \(2, 5\)"):
        checks.attention_inputs(q, kv, kv, 8, key_padding_mask=pad[:, :4])
    with pytest.raises(ValueError, match=r"attn_mask must be \(queries, keys\) = \(3, 5\)"):
        checks.attention_inputs(q, kv, kv, 8, attn_mask=causal.T)
    with pytest.raises(TypeError, match="boolean"):
        checks.attention_inputs(q, kv, kv, 8, attn_mask=causal.float())


# ---------------------------------------------------------------- lessons 11-13


def test_sampling_settings():
    logits = torch.zeros(2, 5)
    assert checks.next_token_logits(logits) is logits
    for bad, error, match in [
        (torch.zeros(5), ValueError, r"\(batch, vocab\), got \(5,\); for one distribution"),
        (torch.zeros(2, 5, dtype=torch.long), TypeError, "floating-point"),
        ([[0.0, 1.0]], TypeError, "torch.Tensor"),
        (torch.zeros(0, 5), ValueError, "non-empty"),
        (torch.tensor([[0.0, float("nan")]]), ValueError, "NaN"),
        (torch.tensor([[0.0, float("inf")]]), ValueError, r"\+inf"),
        (torch.full((1, 3), float("-inf")), ValueError, "all -inf"),
    ]:
        with pytest.raises(error, match=match):
            checks.next_token_logits(bad)
    assert checks.temperature(0) == 0.0 and checks.temperature(np.float32(0.5)) == 0.5
    with pytest.raises(ValueError, match="finite and >= 0"):
        checks.temperature(float("inf"))
    with pytest.raises(TypeError, match="real number"):
        checks.temperature(True)
    assert checks.cutoffs(None, None) == (None, None) and checks.cutoffs(3, 1) == (3, 1.0)
    with pytest.raises(ValueError, match="top_k must be an int >= 1"):
        checks.cutoffs(0, None)
    with pytest.raises(ValueError, match=r"top_p must be a number in \(0, 1\]"):
        checks.cutoffs(None, 0.0)
    assert checks.mean_nll(torch.tensor(2.0)) == 2.0 and checks.mean_nll(0) == 0.0
    with pytest.raises(ValueError, match=">= 0"):
        checks.mean_nll(float("nan"))
    with pytest.raises(ValueError, match="one mean NLL"):
        checks.mean_nll(torch.ones(2))
    assert checks.non_negative_int("steps", 0) == 0
    with pytest.raises(ValueError, match="steps must be an int >= 0"):
        checks.non_negative_int("steps", -1)


def test_texts_as_ids_and_lstm_states():
    ids = torch.arange(5, dtype=torch.int32)
    assert checks.text_ids(ids, "f", 5).dtype == torch.long
    with pytest.raises(ValueError, match=r"f expects a text as token ids of shape \(length,\)"):
        checks.text_ids(ids[None], "f")
    with pytest.raises(TypeError, match="integer token ids"):
        checks.text_ids(ids.float(), "f")
    with pytest.raises(ValueError, match="at least 6 ids, got 5"):
        checks.text_ids(ids, "f", 6)
    h = torch.zeros(2, 3, 4)
    assert checks.lstm_state(None, (2, 3, 4), torch.float32) is None
    assert checks.lstm_state([h, h], (2, 3, 4), torch.float32) == (h, h)
    with pytest.raises(ValueError, match=r"pair \(h, c\)"):
        checks.lstm_state(h, (2, 3, 4), torch.float32)
    with pytest.raises(ValueError, match=r"state c must have shape .* = \(2, 3, 4\), got \(2, 3\)"):
        checks.lstm_state((h, h[..., 0]), (2, 3, 4), torch.float32)
    with pytest.raises(TypeError, match="dtype torch.float64"):
        checks.lstm_state((h.double(), h), (2, 3, 4), torch.float32)


def test_attention_of_lesson_13():
    q, k, v = torch.zeros(2, 3, 8), torch.zeros(2, 5, 8), torch.zeros(2, 5, 4)
    assert checks.dot_product_inputs(q, k, v) is None
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        checks.dot_product_inputs(q[0, 0], k, v)
    with pytest.raises(ValueError, match="share their last dimension"):
        checks.dot_product_inputs(q[..., :6], k, v)
    with pytest.raises(ValueError, match="same number of keys"):
        checks.dot_product_inputs(q, k, v[:, :4])
    scores = torch.zeros(2, 3, 5)
    mask = torch.zeros(2, 1, 5, dtype=torch.bool)
    assert checks.attention_mask(mask, scores) is mask
    with pytest.raises(TypeError, match="boolean"):
        checks.attention_mask(mask.float(), scores)
    with pytest.raises(ValueError, match="does not broadcast"):
        checks.attention_mask(mask[..., :4], scores)
    assert checks.query_and_keys(torch.zeros(2, 6), torch.zeros(2, 7, 4), 6, 4) is None
    with pytest.raises(ValueError, match=r"expected query \(B, 6\) and keys \(B, T, 4\)"):
        checks.query_and_keys(torch.zeros(2, 7, 6), torch.zeros(2, 7, 4), 6, 4)


def test_pair_batch():
    sources, targets = checks.pair_batch([([1, 2], [3]), ([4], [])])
    assert sources == ([1, 2], [4]) and targets == ([3], [])
    with pytest.raises(ValueError, match="empty batch"):
        checks.pair_batch([])
    with pytest.raises(ValueError, match=r"items \[1\] are not"):
        checks.pair_batch([([1], [2]), [1, 2, 3]])
    with pytest.raises(ValueError, match=r"items \[0\] have empty sources"):
        checks.pair_batch([([], [1])])


def test_word_and_ngram_range():
    assert checks.word("word", "apple") == "apple"
    with pytest.raises(TypeError, match="word must be a str, got bytes"):
        checks.word("word", b"apple")
    with pytest.raises(ValueError, match="ngram must be a non-empty string"):
        checks.word("ngram", "")
    assert checks.ngram_range(3, 6) == (3, 6)
    with pytest.raises(ValueError, match="min_n must be at least 1, got 0"):
        checks.ngram_range(0, 3)
    with pytest.raises(ValueError, match=r"max_n \(2\) must not be smaller than min_n \(3\)"):
        checks.ngram_range(3, 2)
    with pytest.raises(ValueError, match="max_n must be an int"):
        checks.ngram_range(3, 6.0)
