"""The bag-of-words baseline later lessons compare their networks with.

Built in notebooks/01_text_to_numbers, whose ``#@save`` cell is
:func:`tfidf_logistic_regression`: TF-IDF features of words and word pairs seen at least
twice (sublinear term frequencies), then logistic regression, so that a later lesson fits
the same baseline on its own run instead of quoting lesson 01's number
(notebooks/06_cnn_for_text does).
"""

from __future__ import annotations

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

__all__ = ["tfidf_logistic_regression"]


def tfidf_logistic_regression(texts, labels, tokenizer):
    """Lesson 01's baseline fitted on ``texts``: a scikit-learn pipeline whose
    ``predict`` takes raw texts (``pipeline[0]`` is the TF-IDF vectorizer,
    ``pipeline[1]`` the logistic regression)."""
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    vectorizer = TfidfVectorizer(
        tokenizer=tokenizer,
        lowercase=False,
        token_pattern=None,
        ngram_range=(1, 2),  # words and word pairs
        min_df=2,  # seen in at least two texts
        sublinear_tf=True,  # 1 + log(count)
    )
    classifier = LogisticRegression(C=1.0, max_iter=1000)
    return Pipeline([("tfidf", vectorizer), ("logreg", classifier)]).fit(texts, labels)
