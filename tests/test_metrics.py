import math

import pytest

from nlpcourse.metrics import corpus_bleu, detokenize
from nlpcourse.text import get_tokenizer


def test_detokenize_undoes_the_splits_of_the_words_tokenizer():
    tokenize = get_tokenizer("words")
    for text in ["a man in a t-shirt walks (slowly) by.", "zwei hunde, ein ball!", "it's 5 o'clock; go."]:
        assert detokenize(tokenize(text)) == text


def test_detokenize_keeps_spaced_dashes_and_rejects_a_string():
    assert detokenize(["a", "-", "b"]) == "a-b"
    assert detokenize(["end", "-", "."]) == "end -."  # no word character after the hyphen
    with pytest.raises(TypeError):
        detokenize("a b")


def test_corpus_bleu_of_a_copy_is_100_and_order_matters():
    refs = ["Ein Mann fährt Rad.", "Zwei Hunde spielen im Schnee."]
    assert math.isclose(corpus_bleu(refs, refs).score, 100.0)
    lower = corpus_bleu([r.lower() for r in refs], refs, lowercase=True)
    assert math.isclose(lower.score, 100.0) and "case:lc" in lower.signature
    assert corpus_bleu([r.lower() for r in refs], refs).score < 100.0  # case counts by default
    assert corpus_bleu(refs[::-1], refs).score < 10.0


def test_corpus_bleu_needs_one_hypothesis_per_reference():
    with pytest.raises(ValueError, match="one hypothesis per reference"):
        corpus_bleu(["a"], ["a", "b"])
    with pytest.raises(ValueError, match="no sentences"):
        corpus_bleu([], [])
