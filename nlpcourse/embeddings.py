"""Word vectors: evaluation on similarity and analogy sets, and embedding matrices.

Built in notebooks/03_word2vec and notebooks/05_glove; lesson 05 ends with
:func:`compare_word_vectors`, the one evaluation that puts Word2Vec, FastText and GloVe
side by side on the same candidate words and the same questions.

Everything here takes gensim ``KeyedVectors``, the common container of the course: a
gensim model's ``.wv``, ``nlpcourse.data.glove()``, or the rows of a PyTorch embedding
table wrapped with :func:`to_keyed_vectors`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from scipy.stats import spearmanr

from nlpcourse import checks
from nlpcourse.text import Vocab

__all__ = [
    "to_keyed_vectors",
    "SimilarityResult",
    "word_similarity",
    "AnalogyScore",
    "analogy_accuracy",
    "on_common_words",
    "compare_word_vectors",
    "embedding_matrix",
]


def to_keyed_vectors(words, vectors):
    """Wrap a (V, d) matrix whose row i is the vector of ``words[i]`` as KeyedVectors.
    """
    from gensim.models import KeyedVectors

    if isinstance(vectors, torch.Tensor):
        vectors = vectors.detach().cpu().numpy()
    matrix = np.asarray(vectors, dtype=np.float32)  # (V, d)
    if matrix.ndim != 2 or matrix.shape[0] != len(words):
        raise ValueError(f"expected a ({len(words)}, d) matrix for {len(words)} words, "
                         f"got shape {matrix.shape}")
    if len(set(words)) != len(words):
        raise ValueError("words must be unique")
    keyed = KeyedVectors(vector_size=matrix.shape[1])
    keyed.add_vectors(list(words), matrix)
    return keyed


def _lookup(keyed, word: str, lowercase: bool):
    """The key under which ``keyed`` holds ``word`` (or its lower case), else None."""
    if word in keyed.key_to_index:
        return word
    if lowercase and word.lower() in keyed.key_to_index:
        return word.lower()
    return None


@dataclass(frozen=True)
class SimilarityResult:
    """Spearman correlation of model cosines with human scores, on the pairs found."""

    spearman: float
    used: int  # pairs whose two words both have a vector
    total: int
    missing: list = field(repr=False)  # the (first, second) pairs left out

    @property
    def coverage(self) -> float:
        return self.used / self.total


def word_similarity(keyed, pairs, lowercase: bool = True) -> SimilarityResult:
    """Rank correlation of cosine similarity with human judgements (WordSim353,
    SimLex-999), on ``pairs`` of (first word, second word, human score).

    Pairs with a word the vectors do not know are left out and counted in ``missing``;
    report ``coverage`` next to the correlation, since a small vocabulary can look good
    on the few easy pairs it covers. At least three covered pairs are needed.
    """
    if not pairs:
        raise ValueError("no word pairs given")
    model_scores, human_scores, missing = [], [], []
    for first, second, score in pairs:
        a, b = _lookup(keyed, first, lowercase), _lookup(keyed, second, lowercase)
        if a is None or b is None:
            missing.append((first, second))
            continue
        model_scores.append(float(keyed.similarity(a, b)))  # the cosine
        human_scores.append(score)
    if len(model_scores) < 3:
        raise ValueError(f"only {len(model_scores)} of {len(pairs)} pairs have vectors "
                         "for both words")
    rho = float(spearmanr(model_scores, human_scores).statistic)
    return SimilarityResult(rho, len(model_scores), len(pairs), missing)


@dataclass(frozen=True)
class AnalogyScore:
    correct: int
    answered: int  # questions whose four words are all in the (restricted) vocabulary
    total: int

    @property
    def accuracy(self) -> float:
        """Share correct among the answered questions (0 when none was answered)."""
        return self.correct / self.answered if self.answered else 0.0


def _lookup_index(index: dict, word: str, lowercase: bool):
    """The row of ``word`` (or of its lower case) in ``index``, else None."""
    if word in index:
        return index[word]
    return index.get(word.lower()) if lowercase else None


def analogy_accuracy(keyed, sections: dict, restrict_vocab: int | None = 100_000,
                     lowercase: bool = True, batch_size: int = 256) -> dict:
    """3CosAdd analogy accuracy by section: for "a : b :: c : ?" answer the word nearest
    (by cosine) to b - a + c, excluding a, b and c themselves (Mikolov et al. 2013).

    ``sections`` maps a section name to its (a, b, c, d) questions. Only the
    ``restrict_vocab`` most frequent words are candidates and questions with a word
    outside them are skipped, as in gensim's ``evaluate_word_analogies``. The result, an
    ``AnalogyScore`` per section, also holds ``"all"``, the total over sections. Runs as
    batched matrix products.
    """
    checks.positive_int("batch_size", batch_size)
    words = keyed.index_to_key[: restrict_vocab or len(keyed)]
    index = {w: i for i, w in enumerate(words)}
    unit = torch.from_numpy(np.array(keyed.vectors[: len(words)], dtype=np.float32))
    unit = unit / unit.norm(dim=1, keepdim=True).clamp_min(1e-8)  # (V, d)

    scores = {}
    for section, questions in sections.items():
        ids = []
        for question in questions:
            found = [_lookup_index(index, w, lowercase) for w in question]
            if None not in found:
                ids.append(found)
        correct = 0
        for start in range(0, len(ids), batch_size):
            batch = torch.tensor(ids[start : start + batch_size])  # (B, 4)
            a, b, c, d = batch.unbind(1)  # (B,) each
            query = unit[b] - unit[a] + unit[c]  # (B, d)
            cosine = query @ unit.T  # (B, V); the norm of query does not change ranks
            rows = torch.arange(len(batch))
            for exclude in (a, b, c):
                cosine[rows, exclude] = -float("inf")
            correct += int((cosine.argmax(dim=1) == d).sum())
        scores[section] = AnalogyScore(correct, len(ids), len(questions))
    scores["all"] = AnalogyScore(
        sum(s.correct for s in scores.values()),
        sum(s.answered for s in scores.values()),
        sum(s.total for s in scores.values()),
    )
    return scores


def on_common_words(keyed, words):
    """``keyed`` cut down to ``words``, in their order: the candidates every model
    answers from, so that neighbours and analogy answers come from one list."""
    return to_keyed_vectors(words, np.stack([keyed[w] for w in words]))  # (W, d)


def compare_word_vectors(keyed, words, pairs, questions, probes, k: int = 5) -> dict:
    """One model's row of the comparison, on the candidates ``words``: the Spearman
    correlation with people on ``pairs``, 3CosAdd analogy scores on ``questions``
    ({section: questions}, scored by section and "all") and the ``k`` nearest
    neighbours of each word in ``probes``.
    """
    common = on_common_words(keyed, words)
    return {
        "similarity": word_similarity(common, pairs),
        "analogies": analogy_accuracy(common, questions, restrict_vocab=None),
        "neighbours": {w: [n for n, _ in common.most_similar(w, topn=k)]
                       for w in probes},
    }


def embedding_matrix(
    vocab: Vocab, keyed, lowercase: bool = True, scale: float | None = None, seed: int = 0
) -> tuple[torch.Tensor, float]:
    """A (len(vocab), d) matrix for ``nn.Embedding.from_pretrained``, and its coverage.

    Rows of words the vectors know are copied; the others (specials, rare words) are
    drawn from a normal distribution with the pretrained vectors' standard deviation (or
    ``scale``), so they start at the same size as the rest; ``<pad>`` (if present) is 0.
    Returns the matrix and the share of vocabulary entries that were found.
    """
    if len(vocab) == 0:
        raise ValueError("the vocabulary is empty")
    generator = torch.Generator().manual_seed(seed)
    std = scale if scale is not None else float(np.std(keyed.vectors[: min(len(keyed), 50_000)]))
    matrix = torch.randn(len(vocab), keyed.vector_size, generator=generator) * std
    found = 0
    for i, token in enumerate(vocab.itos):
        key = _lookup(keyed, token, lowercase)
        if key is not None:
            matrix[i] = torch.from_numpy(np.array(keyed[key], dtype=np.float32))
            found += 1
    if "<pad>" in vocab:
        matrix[vocab["<pad>"]] = 0.0
    return matrix, found / len(vocab)
