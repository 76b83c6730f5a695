"""nlpcourse.baselines: lesson 01's TF-IDF + logistic regression in one call."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from nlpcourse.baselines import tfidf_logistic_regression
from nlpcourse.data import tweets
from nlpcourse.text import get_tokenizer


def test_it_is_lesson_01s_cell():
    """The same settings as notebooks/01_text_to_numbers' cell give the same predictions."""
    data, tokenize = tweets(), get_tokenizer("tweet")
    texts, labels = data.train.texts[:3000], data.train.labels[:3000]
    pipeline = tfidf_logistic_regression(texts, labels, tokenize)
    vectorizer = TfidfVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None,
                                 ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    classifier = LogisticRegression(C=1.0, max_iter=1000).fit(vectorizer.fit_transform(texts), labels)
    test = data.test.texts[:500]
    expected = classifier.predict(vectorizer.transform(test))
    assert np.array_equal(pipeline.predict(test), expected)
    assert (expected == np.array(data.test.labels[:500])).mean() > 0.55  # it learned something


def test_texts_and_labels_must_pair_up():
    with pytest.raises(ValueError, match="3 texts but 2 labels"):
        tfidf_logistic_regression(["a", "b", "c"], [0, 1], str.split)
