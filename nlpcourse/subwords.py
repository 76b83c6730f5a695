"""Character n-grams and their hash buckets, as fastText computes them.

Built in notebooks/04_fasttext, whose ``#@save`` cells are this module's code.

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

from nlpcourse import checks

__all__ = [
    "char_ngrams",
    "fnv1a_32",
    "ngram_bucket",
    "ngram_hash",
    "word_buckets",
    "word_vector_from_ngrams",
]

BOW = "<"  # begin-of-word marker
EOW = ">"  # end-of-word marker


def char_ngrams(word: str, min_n: int = 3, max_n: int = 6) -> list[str]:
    """The character n-grams of ``<word>`` with ``min_n <= n <= max_n``, in fastText
    order: by start position, then by length, duplicates kept (each occurrence gets a
    vector). The whole ``<word>`` is one of them when it is at most ``max_n`` long."""
    checks.word("word", word)
    checks.ngram_range(min_n, max_n)
    marked = BOW + word + EOW
    grams = []
    for start in range(len(marked)):
        for n in range(min_n, min(max_n, len(marked) - start) + 1):
            if n == 1 and start in (0, len(marked) - 1):
                continue  # a lone marker says nothing about the word
            grams.append(marked[start : start + n])
    return grams


def fnv1a_32(data: bytes, signed_bytes: bool = False) -> int:
    """32-bit FNV-1a of a bytes object; signed_bytes=True reproduces fastText."""
    h = 2166136261  # FNV offset basis
    for byte in data:
        if signed_bytes and byte >= 128:
            byte -= 256  # C++ int8_t(byte): 0xEB becomes -21
        h = ((h ^ (byte % 2**32)) * 16777619) % 2**32  # negative -> 0xFFFFFFxx
    return h


def ngram_hash(ngram: str) -> int:
    """fastText's hash of an n-gram: FNV-1a of its UTF-8 bytes, read as signed chars."""
    checks.word("ngram", ngram)
    return fnv1a_32(ngram.encode("utf-8"), signed_bytes=True)


def ngram_bucket(ngram: str, buckets: int = 2_000_000) -> int:
    """The row of the n-gram table that ``ngram`` shares with every n-gram of equal
    hash modulo ``buckets``."""
    return ngram_hash(ngram) % checks.positive_int("buckets", buckets)


def word_buckets(word: str, min_n: int = 3, max_n: int = 6,
                 buckets: int = 2_000_000) -> list[int]:
    """Bucket ids of all n-grams of ``word``, in fastText order (gensim's
    ``ft_ngram_hashes``)."""
    checks.positive_int("buckets", buckets)
    return [ngram_bucket(g, buckets) for g in char_ngrams(word, min_n, max_n)]


def word_vector_from_ngrams(word: str, ngram_vectors, min_n: int = 3, max_n: int = 6,
                            word_vector=None) -> np.ndarray:
    """A word's fastText vector, composed from the (buckets, d) n-gram table as gensim
    does it: the mean of the word's n-gram rows, and for a vocabulary word its own
    vector ``word_vector`` averaged in as one more term."""
    table = np.asarray(ngram_vectors)
    if table.ndim != 2 or len(table) == 0:
        raise ValueError(
            f"ngram_vectors must be a (buckets, d) matrix, got {table.shape}"
        )
    rows = table[word_buckets(word, min_n, max_n, len(table))]  # (G, d)
    if word_vector is None:
        if len(rows) == 0:  # gensim returns zeros (and warns); an error is clearer
            raise ValueError(f"{word!r} has no character n-grams of length {min_n} "
                             f"to {max_n}")
        return rows.mean(axis=0)  # (d,)
    own = np.asarray(word_vector, dtype=table.dtype)  # (d,)
    if own.shape != table.shape[1:]:
        raise ValueError(
            f"word_vector has shape {own.shape}, expected {table.shape[1:]}"
        )
    return (own + rows.sum(axis=0)) / (len(rows) + 1)  # (d,)
