"""Character n-grams and their hash buckets, as fastText computes them.

Built in notebooks/04_fasttext.

FastText (Bojanowski et al. 2017) represents a word by the character n-grams of the
word wrapped in boundary markers, ``<`` and ``>``: with n = 3, "apple" becomes
``<ap, app, ppl, ple, le>``. Each n-gram is hashed into one of ``buckets`` rows of a
shared table, and a word's vector is the mean of its rows (plus the word's own vector
when the word is in the vocabulary). The functions here reproduce the reference C++
code and gensim's port of it exactly, so the notebook can check them against
``gensim.models.fasttext``:

- n-grams are taken over characters (Unicode code points, so a Korean syllable counts
  as one), ordered by start position and then by length, and the lone markers ``<`` and
  ``>`` are never n-grams of their own;
- the hash is 32-bit FNV-1a over the UTF-8 bytes, with fastText's quirk that each byte
  is read as a *signed* char, so bytes from 0x80 up (every byte of a Korean syllable)
  are sign-extended before the XOR. For ASCII it equals textbook FNV-1a.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "char_ngrams",
    "ngram_bucket",
    "ngram_hash",
    "word_buckets",
    "word_vector_from_ngrams",
]

BOW, EOW = "<", ">"  # begin- and end-of-word markers
_FNV_OFFSET = 2166136261  # 32-bit FNV offset basis
_FNV_PRIME = 16777619  # 32-bit FNV prime
_MASK32 = 0xFFFFFFFF


def _check_word(word: str) -> None:
    if not isinstance(word, str):
        raise TypeError(f"word must be a str, got {type(word).__name__}")
    if not word:
        raise ValueError("word must be a non-empty string")


def _check_range(min_n: int, max_n: int) -> None:
    if min_n < 1:
        raise ValueError(f"min_n must be at least 1, got {min_n}")
    if max_n < min_n:
        raise ValueError(f"max_n ({max_n}) must not be smaller than min_n ({min_n})")


def _check_buckets(buckets: int) -> None:
    if buckets < 1:
        raise ValueError(f"buckets must be at least 1, got {buckets}")


def char_ngrams(word: str, min_n: int = 3, max_n: int = 6) -> list[str]:
    """The character n-grams of ``<word>`` with ``min_n <= n <= max_n``, in fastText order.

    Order: by start position, then by length, duplicates kept (each occurrence gets a
    vector in fastText). ``char_ngrams("apple", 3, 3)`` is
    ``['<ap', 'app', 'ppl', 'ple', 'le>']``. The whole ``<word>`` is included when it is
    at most ``max_n`` characters long; a word that has no n-gram in the range gives ``[]``.
    """
    _check_word(word)
    _check_range(min_n, max_n)
    marked = BOW + word + EOW
    ngrams = []
    for start in range(len(marked)):
        for n in range(min_n, max_n + 1):
            end = start + n
            if end > len(marked):
                break
            if n == 1 and start in (0, len(marked) - 1):
                continue  # a marker alone says nothing about the word
            ngrams.append(marked[start:end])
    return ngrams


def ngram_hash(ngram: str) -> int:
    """fastText's 32-bit FNV-1a hash of the UTF-8 bytes of ``ngram`` (an int < 2**32)."""
    if not isinstance(ngram, str):
        raise TypeError(f"ngram must be a str, got {type(ngram).__name__}")
    if not ngram:
        raise ValueError("ngram must be a non-empty string")
    h = _FNV_OFFSET
    for byte in ngram.encode("utf-8"):
        signed = byte - 256 if byte >= 128 else byte  # C++: uint32_t(int8_t(byte))
        h = ((h ^ (signed & _MASK32)) * _FNV_PRIME) & _MASK32
    return h


def ngram_bucket(ngram: str, buckets: int = 2_000_000) -> int:
    """The row of the n-gram table that ``ngram`` shares with every n-gram of equal hash."""
    _check_buckets(buckets)
    return ngram_hash(ngram) % buckets


def word_buckets(
    word: str, min_n: int = 3, max_n: int = 6, buckets: int = 2_000_000
) -> list[int]:
    """Bucket ids of all n-grams of ``word``, in fastText order (gensim: ft_ngram_hashes)."""
    _check_buckets(buckets)
    return [ngram_bucket(g, buckets) for g in char_ngrams(word, min_n, max_n)]


def word_vector_from_ngrams(
    word: str,
    ngram_vectors: np.ndarray,
    min_n: int = 3,
    max_n: int = 6,
    word_vector: np.ndarray | Sequence[float] | None = None,
) -> np.ndarray:
    """A word's fastText vector composed from the (buckets, d) n-gram table.

    Without ``word_vector`` (an out-of-vocabulary word) it is the mean of the word's
    n-gram rows; with it (a word in the vocabulary) the word's own vector is averaged
    in as one more term, ``(v_word + sum of n-gram rows) / (number of n-grams + 1)``.
    These are the rules of gensim's ``FastTextKeyedVectors.get_vector`` and
    ``adjust_vectors``. The number of buckets is ``len(ngram_vectors)``.
    """
    ngram_vectors = np.asarray(ngram_vectors)
    if ngram_vectors.ndim != 2 or len(ngram_vectors) == 0:
        raise ValueError(f"ngram_vectors must be a (buckets, d) matrix, got {ngram_vectors.shape}")
    rows = ngram_vectors[word_buckets(word, min_n, max_n, len(ngram_vectors))]  # (G, d)
    if word_vector is None:
        if len(rows) == 0:
            # gensim returns the zero vector here (with a warning); an error is clearer
            raise ValueError(f"{word!r} has no character n-grams of length {min_n} to {max_n}")
        return rows.mean(axis=0)
    word_vector = np.asarray(word_vector, dtype=ngram_vectors.dtype)
    if word_vector.shape != ngram_vectors.shape[1:]:
        raise ValueError(f"word_vector has shape {word_vector.shape}, expected {ngram_vectors.shape[1:]}")
    return (word_vector + rows.sum(axis=0)) / (len(rows) + 1)
