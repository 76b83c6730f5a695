"""BLEU for translations made of the course's tokens, through sacrebleu.

Built for benchmarks/translation.py (Multi30k BLEU of the models of notebooks/13_attention
and notebooks/14_transformer).

sacrebleu scores *detokenised* text against the raw reference sentences and tokenises
both itself, so that numbers from different papers can be compared (Post 2018). A model
trained on ``"words"`` tokens writes ``a man in a t - shirt .``: joined with
spaces, the hyphen and the full stop would stand apart where the reference has
``t-shirt.``, and sacrebleu's tokeniser does not split ``t-shirt``, so every hyphenated
word would cost n-gram matches. :func:`detokenize` undoes those splits first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["BleuResult", "corpus_bleu", "detokenize"]

# Punctuation that sticks to the word before it, and brackets that stick to the next one.
_CLOSING = set(".,!?;:)]}%")
_OPENING = set("([{")
# A hyphen or an apostrophe between two word characters, written as a separate token.
_INNER_JOINER = re.compile(r"(?<=\w) ([-'’/]) (?=\w)")


def detokenize(tokens: Sequence[str]) -> str:
    """Tokens back to text: no space before closing punctuation or after an opening
    bracket, and ``a - b`` / ``a ' b`` between word characters become ``a-b`` / ``a'b``."""
    if isinstance(tokens, str):
        raise TypeError("detokenize expects a list of tokens, not a string; split it first")
    text = ""
    for token in tokens:
        glue = not text or token in _CLOSING or text[-1] in _OPENING
        text += token if glue else " " + token
    return _INNER_JOINER.sub(r"\1", text)


@dataclass(frozen=True)
class BleuResult:
    """A corpus BLEU score (0-100) and the sacrebleu signature that makes it reproducible."""

    score: float
    signature: str


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[str], lowercase: bool = False,
                tokenize: str = "13a") -> BleuResult:
    """sacrebleu's corpus BLEU of detokenised ``hypotheses`` against one reference each.

    ``lowercase=True`` compares case-insensitively (for models trained on lower-cased
    tokens); ``tokenize`` is sacrebleu's tokeniser (``"13a"``, its default, or ``"none"``
    for text that is already tokenised). One hypothesis per reference, in the same order.
    """
    import sacrebleu  # imported here: only the translation benchmark needs it

    hypotheses, references = list(hypotheses), list(references)
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references; "
                         "BLEU needs one hypothesis per reference")
    if not references:
        raise ValueError("no sentences to score")
    # force: with tokenize="none" the text is tokenised on purpose, so sacrebleu's
    # warning that it looks tokenised would only be noise
    metric = sacrebleu.BLEU(lowercase=lowercase, tokenize=tokenize, force=tokenize == "none")
    score = metric.corpus_score(hypotheses, [references])
    return BleuResult(float(score.score), str(metric.get_signature()))
