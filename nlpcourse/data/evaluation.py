"""Word-vector evaluation sets and a small corpus shipped inside gensim (tier 1).

First used in notebooks/03_word2vec.

All four files come with gensim's test data (``gensim.test.utils.datapath``), so they
are present wherever gensim is installed:

- ``questions-words.txt``: the 19,544 analogy questions of Mikolov et al. (2013),
  "a is to b as c is to d", in 14 sections (5 semantic, 9 syntactic).
- ``wordsim353.tsv``: WordSim353 (Finkelstein et al. 2001), 353 word pairs with the
  mean human relatedness score on a 0-10 scale.
- ``simlex999.txt``: SimLex-999 (Hill et al. 2015), 999 pairs scored for similarity
  (not relatedness) on a 0-10 scale.
- ``lee_background.cor``: 300 news articles of the Lee et al. (2005) corpus, one per
  line, the corpus gensim's own tutorials train on.
"""

from __future__ import annotations

from nlpcourse.data.files import carrier_file

__all__ = ["analogy_questions", "wordsim353", "simlex999", "lee_corpus"]

_PIP_SPEC = "gensim==4.4.0"
_SHA256 = {
    "questions-words.txt": "8c29b3332afc46f3fb8be04cb5297bf96f39aa7131272dff57869b4485b22a36",
    "wordsim353.tsv": "f92a022fc2537793a15bc3a8c162ebcd74990e033a228bb6388cb71e4c0b1e1d",
    "simlex999.txt": "d5e0501971478a511430ee880bd0121e94ac701ba86d90544d83e6d2ba3db05d",
    "lee_background.cor": "5d78d6dafd953bbf65797bef09a9ffb9ec430583381be705f8fd460000f370fb",
}


def _read(name: str) -> str:
    # gensim is installed normally (not a --no-deps carrier), but its test data is read
    # as plain files like any carrier's, and verified the same way.
    return carrier_file("gensim", f"test/test_data/{name}", _SHA256[name], _PIP_SPEC).read_text(encoding="utf-8")


def analogy_questions() -> dict[str, list[tuple[str, str, str, str]]]:
    """``{section: [(a, b, c, d), ...]}``: a is to b as c is to d, words as stored
    (capitalised names such as "Athens"). Sections in file order; the first five
    (capital-common-countries, capital-world, currency, city-in-state, family) are
    semantic, the ``gram*`` ones syntactic."""
    sections: dict[str, list[tuple[str, str, str, str]]] = {}
    current = None
    for line in _read("questions-words.txt").splitlines():
        if line.startswith(":"):
            current = sections.setdefault(line[1:].strip(), [])
        elif line.strip():
            a, b, c, d = line.split()
            current.append((a, b, c, d))
    return sections


def _scored_pairs(name: str) -> list[tuple[str, str, float]]:
    pairs = []
    for line in _read(name).splitlines():
        if line.startswith("#") or not line.strip():
            continue
        first, second, score = line.split("\t")[:3]
        pairs.append((first, second, float(score)))
    return pairs


def wordsim353() -> list[tuple[str, str, float]]:
    """The 353 ``(word, word, mean human score 0-10)`` pairs of WordSim353."""
    return _scored_pairs("wordsim353.tsv")


def simlex999() -> list[tuple[str, str, float]]:
    """The 999 ``(word, word, mean human similarity 0-10)`` pairs of SimLex-999."""
    return _scored_pairs("simlex999.txt")


def lee_corpus() -> list[str]:
    """The 300 background news articles of the Lee corpus, one string each."""
    return [line.strip() for line in _read("lee_background.cor").splitlines() if line.strip()]
