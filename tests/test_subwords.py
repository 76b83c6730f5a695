import numpy as np
import pytest
from gensim.models import FastText
from gensim.models.fasttext import ft_ngram_hashes
from gensim.models.fasttext_inner import (
    compute_ngrams,
    compute_ngrams_bytes,
    ft_hash_bytes,
)

from nlpcourse.subwords import (
    char_ngrams,
    ngram_bucket,
    ngram_hash,
    word_buckets,
    word_vector_from_ngrams,
)

WORDS = [
    "apple", "a", "running", "runner", "banana", "fasttextual", "o'er", "x",
    "먹었다", "먹는", "학교에서", "공부했습니다", "가", "갔다", "café", "naïve", "日本語",
]
RANGES = [(3, 6), (3, 3), (1, 3), (1, 1), (2, 5), (5, 6), (4, 10)]


def test_apple_trigrams():
    assert char_ngrams("apple", 3, 3) == ["<ap", "app", "ppl", "ple", "le>"]


def test_default_range_and_order():
    grams = char_ngrams("cat")  # min_n=3, max_n=6: by start position, then length
    assert grams == ["<ca", "<cat", "<cat>", "cat", "cat>", "at>"]


def test_lone_markers_are_never_ngrams():
    assert char_ngrams("ab", 1, 1) == ["a", "b"]
    assert "<" not in char_ngrams("먹다", 1, 3) and ">" not in char_ngrams("먹다", 1, 3)


def test_duplicates_are_kept():
    assert char_ngrams("banana", 3, 3).count("ana") == 2


def test_korean_counts_syllables():
    assert char_ngrams("먹었다", 1, 3) == [
        "<먹", "<먹었", "먹", "먹었", "먹었다", "었", "었다", "었다>", "다", "다>",
    ]


def test_too_short_word_has_no_ngrams():
    assert char_ngrams("a", 5, 6) == []


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("min_n,max_n", RANGES)
def test_ngrams_match_gensim(word, min_n, max_n):
    ours = char_ngrams(word, min_n, max_n)
    # the byte-level function is the one gensim hashes during training, in fastText order
    assert ours == [g.decode("utf-8") for g in compute_ngrams_bytes(word, min_n, max_n)]
    # the str-level one orders by length first and keeps lone markers for n = 1
    theirs = [g for g in compute_ngrams(word, min_n, max_n) if g not in ("<", ">")]
    assert sorted(ours) == sorted(theirs)


@pytest.mark.parametrize("word", WORDS)
def test_hash_matches_gensim(word):
    for gram in char_ngrams(word, 1, 6):
        assert ngram_hash(gram) == ft_hash_bytes(gram.encode("utf-8"))


def test_hash_is_textbook_fnv1a_for_ascii_only():
    def textbook(data: bytes) -> int:
        h = 2166136261
        for byte in data:
            h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
        return h

    assert ngram_hash("<ap") == textbook(b"<ap")
    assert ngram_hash("먹었") != textbook("먹었".encode())  # signed-char quirk


def test_known_hash_value():
    assert ngram_hash("a") == 0xE40C292C  # FNV-1a test vector


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("buckets", [1, 7, 2_000, 2_000_000])
@pytest.mark.parametrize("min_n,max_n", [(3, 6), (1, 3)])
def test_buckets_match_gensim(word, buckets, min_n, max_n):
    expected = ft_ngram_hashes(word, min_n, max_n, buckets)
    assert word_buckets(word, min_n, max_n, buckets) == expected
    grams = char_ngrams(word, min_n, max_n)
    assert [ngram_bucket(g, buckets) for g in grams] == expected


@pytest.fixture(scope="module")
def small_model():
    sentences = [
        ["the", "runner", "was", "running", "to", "run"],
        ["a", "runner", "runs", "and", "the", "apple", "falls"],
        ["학교에서", "밥을", "먹었다"],
        ["학교에", "가서", "밥을", "먹는다"],
    ] * 5
    return FastText(
        sentences, vector_size=8, min_count=1, min_n=1, max_n=4, bucket=500,
        epochs=3, workers=1, seed=0,
    )


@pytest.mark.parametrize("word", ["fasttextual", "runners", "먹었습니다", "banana"])
def test_oov_vector_matches_gensim(small_model, word):
    wv = small_model.wv
    assert word not in wv.key_to_index
    ours = word_vector_from_ngrams(word, wv.vectors_ngrams, wv.min_n, wv.max_n)
    np.testing.assert_allclose(ours, wv[word], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("word", ["runner", "apple", "먹었다", "a"])
def test_vocab_vector_matches_gensim(small_model, word):
    wv = small_model.wv
    own = wv.vectors_vocab[wv.key_to_index[word]]
    ours = word_vector_from_ngrams(word, wv.vectors_ngrams, wv.min_n, wv.max_n, word_vector=own)
    np.testing.assert_allclose(ours, wv[word], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: char_ngrams(""), ValueError, "non-empty"),
        (lambda: char_ngrams(None), TypeError, "must be a str"),
        (lambda: char_ngrams("apple", 0, 3), ValueError, "min_n must be at least 1"),
        (lambda: char_ngrams("apple", 4, 3), ValueError, "must not be smaller than min_n"),
        (lambda: ngram_hash(""), ValueError, "non-empty"),
        (lambda: ngram_hash(b"ab"), TypeError, "must be a str"),
        (lambda: ngram_bucket("ab", 0), ValueError, "buckets must be a positive int"),
        (lambda: word_buckets("", 3, 6, 10), ValueError, "non-empty"),
        (lambda: word_buckets("apple", 3, 6, -1), ValueError, "buckets must be a positive int"),
    ],
)
def test_bad_input_raises_clear_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_word_vector_bad_input():
    table = np.ones((10, 4), dtype=np.float32)
    with pytest.raises(ValueError, match="no character n-grams"):
        word_vector_from_ngrams("a", table, 5, 6)
    with pytest.raises(ValueError, match=r"\(buckets, d\) matrix"):
        word_vector_from_ngrams("apple", np.ones(4))
    with pytest.raises(ValueError, match="word_vector has shape"):
        word_vector_from_ngrams("apple", table, word_vector=np.ones(3))
    with pytest.raises(ValueError, match="non-empty"):
        word_vector_from_ngrams("", table)


def test_word_vector_with_no_ngrams_but_own_vector_is_the_own_vector():
    table = np.ones((10, 4), dtype=np.float32)
    own = np.arange(4, dtype=np.float32)
    np.testing.assert_array_equal(word_vector_from_ngrams("a", table, 5, 6, word_vector=own), own)
