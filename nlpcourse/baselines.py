"""The bag-of-words baseline later lessons compare their networks with.

Built in notebooks/01_text_to_numbers, step by step: TF-IDF features of words and word
pairs seen at least twice (sublinear term frequencies), then logistic regression.
``tfidf_logistic_regression`` is that cell in one call, with the same settings, so that
a later lesson fits the same baseline on its own run instead of quoting lesson 01's
number (notebooks/06_cnn_for_text does).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

__all__ = ["tfidf_logistic_regression"]


def tfidf_logistic_regression(texts: Sequence[str], labels: Sequence[int],
                              tokenizer: Callable[[str], list[str]]) -> Pipeline:
    """Lesson 01's baseline, fitted on ``texts``: a scikit-learn pipeline whose
    ``predict`` takes raw texts (``pipeline[0]`` is the vectorizer, ``pipeline[1]``
    the classifier)."""
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    vectorizer = TfidfVectorizer(
        tokenizer=tokenizer,
        lowercase=False,
        token_pattern=None,
        ngram_range=(1, 2),
        min_df=2,
        sublinear_tf=True,
    )
    return Pipeline([("tfidf", vectorizer), ("logreg", LogisticRegression(C=1.0, max_iter=1000))]).fit(
        texts, labels)
