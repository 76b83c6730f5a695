"""Text to numbers: tokenizers, a vocabulary, padding and a padding collate.

Built in notebooks/01_text_to_numbers, which writes out (``#@save``) the course's
"words" and "tweet" tokenizers (:func:`split_words`, :func:`split_tweet`), the core of
:class:`Vocab` (the two tables, the default index, look-ups in both directions),
:func:`build_vocab_from_iterator`, :func:`pad_sequences`, :class:`PadCollate` and
:func:`classification_loaders` with :class:`ClassificationLoaders`. :class:`PairCollate`
and :func:`pair_loaders` are the sequence-to-sequence counterparts of notebooks/12_seq2seq.

The rest is the torchtext-compatible layer, kept in the package and only called by the
lessons. torchtext itself is not used: its last release (0.18) supports torch 2.3 only.
Instead this module keeps torchtext's names *and their behaviour*, so that code written
against torchtext 0.18 runs with ``torchtext`` replaced by ``nlpcourse.text`` and gives
the same tokens and indices:

- ``get_tokenizer(tokenizer, language="en")``: ``None`` (white space), a callable,
  ``"basic_english"`` (torchtext's rules exactly) and the library tokenizers ``"spacy"``,
  ``"moses"``, ``"toktok"``, ``"revtok"`` and ``"subword"`` when their package is
  installed; the course's own ``"words"``, ``"tweet"`` and ``"char"`` besides.
- ``vocab(ordered_dict, min_freq, specials, special_first)`` and
  ``build_vocab_from_iterator`` with torchtext's ordering rules; ``Vocab`` with
  ``__getitem__``, ``lookup_indices``, ``lookup_token(s)``, ``set_default_index`` and
  ``append_token``, and from :class:`TorchtextMethods` ``get_itos``, ``get_stoi``,
  ``get_default_index``, ``insert_token`` and saving. Its errors are
  ``RuntimeError``s, as torchtext's are (and also the ``KeyError``, ``ValueError`` or
  ``IndexError`` that names the mistake).

What differs, on purpose: a ``Vocab`` is a plain Python object, not an ``nn.Module``,
so it cannot be compiled with TorchScript; ``torch.save(vocab)`` loads back with
``torch.load``'s default ``weights_only=True``; ``vocab()`` does not remove the specials
from the dict it is given; and ``build_vocab_from_iterator`` refuses an empty corpus, a
vocabulary of specials only and a string in place of a token list, where torchtext
silently builds something.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import torch
from torch.utils.data import DataLoader

from nlpcourse import checks

__all__ = [
    "Vocab",
    "TorchtextMethods",
    "split_words",
    "split_tweet",
    "vocab",
    "build_vocab_from_iterator",
    "get_tokenizer",
    "TokenNotFoundError",
    "DuplicateTokenError",
    "IndexOutOfRangeError",
    "pad_sequences",
    "PadCollate",
    "ClassificationLoaders",
    "classification_loaders",
    "PairCollate",
    "PairLoaders",
    "pair_loaders",
    "PAIR_SPECIALS",
]

# Indices of the specials in both vocabularies of pair_loaders; Seq2Seq's defaults.
PAIR_SPECIALS = ("<pad>", "<sos>", "<eos>", "<unk>")

# ---------------------------------------------------------------- tokenizers

# torchtext's basic_english (torchtext.data.utils): lower-case the text, make these
# replacements one after the other, then split on white space. So ' . , ( ) ! ? become
# tokens of their own ("don't" -> don ' t), " ; : and <br /> disappear, and every other
# character stays inside its word ("t-shirt", "$5", "#fail").
_BASIC_ENGLISH = [
    (re.compile(pattern), replacement)
    for pattern, replacement in [
        (r"'", " '  "), (r'"', ""), (r"\.", " . "), (r"<br \/>", " "), (r",", " , "),
        (r"\(", " ( "), (r"\)", " ) "), (r"!", " ! "), (r"\?", " ? "), (r";", " "),
        (r":", " "), (r"\s+", " "),
    ]
]

# The course's own tokenizers, written out in notebooks/01_text_to_numbers.
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


def _basic_english(text: str) -> list[str]:
    text = text.lower()
    for pattern, replacement in _BASIC_ENGLISH:
        text = pattern.sub(replacement, text)
    return text.split()


def _characters(text: str) -> list[str]:
    return list(text)


# The course's own tokenizers; they work on any language, so `language` is not used.
_TOKENIZERS: dict[str, Callable[[str], list[str]]] = {
    "words": split_words,
    "tweet": split_tweet,
    "char": _characters,
}
# torchtext's tokenizers from other libraries: name -> the pip package that brings it.
_LIBRARY_TOKENIZERS = {"spacy": "spacy", "moses": "sacremoses", "toktok": "nltk",
                       "revtok": "revtok", "subword": "revtok"}


def get_tokenizer(
    tokenizer: str | Callable[[str], list[str]] | None, language: str = "en"
) -> Callable[[str], list[str]]:
    """Return a function that turns a string into a list of tokens, as torchtext's does.

    - ``None``: split on white space (``str.split``).
    - ``"basic_english"``: torchtext's rule, exactly: lower-case; ``'`` ``.`` ``,``
      ``(`` ``)`` ``!`` ``?`` become tokens of their own (so "don't" gives
      ``don ' t``); ``"`` ``;`` ``:`` and ``<br />`` are dropped; all other characters
      stay in their word. Only ``language="en"``.
    - a callable is returned unchanged, so a morpheme analyser can be plugged in.
    - ``"spacy"``, ``"moses"``, ``"toktok"``, ``"revtok"``, ``"subword"``: the
      tokenizer of that library, as torchtext loads it (spaCy's pipeline for
      ``language``), if its package is installed; the course does not ship them.
    - The course's own: ``"words"`` (lower-case; words of letters and digits, with
      one inner apostrophe as in "don't", and every other non-space character as a
      token), ``"tweet"`` (like ``"words"``, but URLs, @mentions, #hashtags and
      emoticons such as ``:)`` stay whole, and URLs keep their case) and ``"char"``
      (every character, spaces included).
    """
    if tokenizer is None:
        return str.split
    if tokenizer == "basic_english":
        if language != "en":
            raise ValueError(f"basic_english is for English only (language='en'), got language={language!r}")
        return _basic_english
    if callable(tokenizer):
        return tokenizer
    if tokenizer in _TOKENIZERS:
        return _TOKENIZERS[tokenizer]
    if tokenizer in _LIBRARY_TOKENIZERS:
        return _library_tokenizer(tokenizer, language)
    known = ", ".join(repr(k) for k in ["basic_english", *_TOKENIZERS, *_LIBRARY_TOKENIZERS])
    raise ValueError(
        f"unknown tokenizer {tokenizer!r}; choose one of {known}, None (white space) "
        "or pass your own function str -> list[str]"
    )


def _library_tokenizer(name: str, language: str) -> Callable[[str], list[str]]:
    """A library's tokenizer, loaded as torchtext loads it."""
    package = _LIBRARY_TOKENIZERS[name]
    try:
        if name == "spacy":
            import spacy

            return partial(_spacy_tokenize, nlp=_spacy_pipeline(spacy, language))
        if name == "moses":
            from sacremoses import MosesTokenizer

            return MosesTokenizer().tokenize
        if name == "toktok":
            from nltk.tokenize.toktok import ToktokTokenizer

            return ToktokTokenizer().tokenize
        import revtok

        return revtok.tokenize if name == "revtok" else partial(revtok.tokenize, decap=True)
    except ImportError as error:
        raise ImportError(
            f"get_tokenizer({name!r}) needs the {package!r} package, which the course does not "
            f"ship: pip install {package}"
            + (" (then a pipeline, e.g. python -m spacy download en_core_web_sm)" if name == "spacy" else "")
            + "; or use 'basic_english', 'words' or a function of your own"
        ) from error


def _spacy_pipeline(spacy, language: str):
    """spacy.load(language); spaCy 3 dropped short names such as "en", so, like
    torchtext, try the full name it stood for."""
    try:
        return spacy.load(language)
    except OSError:
        full_name = getattr(spacy.errors, "OLD_MODEL_SHORTCUTS", {}).get(language)
        if full_name is None:
            raise OSError(f"spaCy has no pipeline {language!r}: python -m spacy download {language}") from None
        return spacy.load(full_name)


def _spacy_tokenize(text: str, nlp) -> list[str]:
    return [token.text for token in nlp.tokenizer(text)]


# ---------------------------------------------------------------- vocabulary


class TokenNotFoundError(KeyError, RuntimeError):
    """A token that is not in the vocabulary, and no default index is set. A
    ``RuntimeError`` as in torchtext, and a ``KeyError`` as in a dict."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""


class DuplicateTokenError(ValueError, RuntimeError):
    """A token added to a vocabulary that already holds it (a ``RuntimeError`` in torchtext)."""


class IndexOutOfRangeError(IndexError, RuntimeError):
    """An index outside the vocabulary (a ``RuntimeError`` in torchtext)."""


class TorchtextMethods:
    """The rest of torchtext's ``Vocab`` methods, which :class:`Vocab` inherits: copies
    of the two tables, the default index, ``insert_token``, and saving with
    ``torch.save``. Kept apart so that the class lesson 01 writes out is the idea."""

    def get_itos(self) -> list[str]:
        return list(self._itos)

    def get_stoi(self) -> dict[str, int]:
        return dict(self._stoi)

    def get_default_index(self) -> int | None:
        return self._default_index

    def insert_token(self, token: str, index: int) -> None:
        """Put ``token`` at ``index`` (0..len): the tokens from there on move up by one."""
        if not 0 <= index <= len(self):
            raise IndexOutOfRangeError(f"cannot insert at index {index}: it must be in [0, {len(self)}]")
        self._check_new(token)
        self._itos.insert(index, token)
        for i in range(index, len(self._itos)):
            self._stoi[self._itos[i]] = i

    # -- saving: plain lists and numbers only, which torch.load(weights_only=True) accepts
    def __getstate__(self) -> dict:
        return {"itos": list(self._itos), "default_index": self._default_index}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["itos"], state["default_index"])


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


if hasattr(torch.serialization, "add_safe_globals"):  # torch >= 2.4, where weights_only exists
    torch.serialization.add_safe_globals([Vocab])


def vocab(
    ordered_dict: Mapping[str, int | float],
    min_freq: int = 1,
    specials: Sequence[str] | None = None,
    special_first: bool = True,
) -> Vocab:
    """torchtext's factory: a :class:`Vocab` of the tokens of ``ordered_dict`` (token ->
    frequency) whose frequency is at least ``min_freq``, in the dict's order.

    The dict's order is kept, so sort it by frequency first if that order matters
    (``OrderedDict(counter.most_common())``). ``specials`` are removed from the tokens
    and put first (or last, ``special_first=False``) in the given order. The default
    index is left unset. As in torchtext, ``vocab(glove.stoi)`` drops the token of
    index 0 (its "frequency" 0 is below ``min_freq=1``): pass ``min_freq=0``.
    """
    if not isinstance(ordered_dict, Mapping):
        raise TypeError(f"vocab() wants a dict of token -> frequency, got {type(ordered_dict).__name__}")
    specials = list(specials or [])
    tokens = [token for token, freq in ordered_dict.items() if freq >= min_freq and token not in specials]
    return Vocab(specials + tokens if special_first else tokens + specials)


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


# ---------------------------------------------------------------- padding


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


# ---------------------------------------------------------------- a whole pipeline


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


# ---------------------------------------------------------------- sequence pairs


class PairCollate:
    """``collate_fn`` for a DataLoader over ``(source_ids, target_ids)`` pairs.

    Returns ``(src, src_lengths, tgt_in, tgt_out)``: ``src`` (B, S) post-padded,
    ``src_lengths`` (B,), ``tgt_in`` = ``<sos>`` + target and ``tgt_out`` = target +
    ``<eos>``, both (B, T) padded with ``pad_index``. Position t of ``tgt_in`` is what
    a teacher-forced decoder reads when it must write position t of ``tgt_out``, and
    the last element is the target, as ``nlpcourse.train.fit`` expects. Pass
    ``ignore_index=pad_index`` to the loss so padding is not scored.
    """

    def __init__(self, pad_index=0, sos_index=1, eos_index=2):
        self.pad_index, self.sos_index, self.eos_index = pad_index, sos_index, eos_index

    def __call__(self, batch):
        sources, targets = checks.pair_batch(batch)  # B source and B target id lists
        src_lengths = torch.tensor([len(source) for source in sources])  # (B,)
        src = self.pad([list(source) for source in sources])  # (B, S)
        tgt_in = self.pad([[self.sos_index, *target] for target in targets])  # (B, T)
        tgt_out = self.pad([[*target, self.eos_index] for target in targets])  # (B, T)
        return src, src_lengths, tgt_in, tgt_out

    def pad(self, rows):
        """Lists of ids -> a (B, longest) tensor, padded at the end with pad_index."""
        padded = torch.full((len(rows), max(len(row) for row in rows)), self.pad_index)
        for i, row in enumerate(rows):
            padded[i, : len(row)] = torch.tensor(row, dtype=torch.long)
        return padded


@dataclass
class PairLoaders:
    """What :func:`pair_loaders` returns: one vocabulary per side, the tokenizer and
    one DataLoader per split (``train`` shuffled, the others in the given order)."""

    src_vocab: Vocab
    tgt_vocab: Vocab
    tokenizer: Callable[[str], list[str]]
    train: DataLoader
    validation: DataLoader
    test: DataLoader
    joiner: str = ""

    def encode_source(self, text: str) -> list[int]:
        """Source token ids of one text (unknown tokens become ``<unk>``)."""
        ids = self.src_vocab(self.tokenizer(text))
        if not ids:
            raise ValueError(f"{text!r} has no tokens")
        return ids

    def encode_target(self, text: str) -> list[int]:
        """Target token ids of one text, without ``<sos>``/``<eos>``."""
        return self.tgt_vocab(self.tokenizer(text))

    def decode_target(self, ids: Iterable[int]) -> str:
        """Target ids back to text: stops at the first ``<eos>``, skips ``<pad>``/``<sos>``."""
        tokens = []
        for index in ids:
            token = self.tgt_vocab.lookup_token(int(index))
            if token == "<eos>":
                break
            if token not in ("<pad>", "<sos>"):
                tokens.append(token)
        return self.joiner.join(tokens)

    def greedy_outputs(self, model, split: str = "test", max_len: int = 20) -> tuple[list[str], list[str]]:
        """``(outputs, targets)``: the model's greedy output and the true target, as text,
        for every pair of ``split``, in the loader's order.

        ``model.greedy_decode(src, src_lengths, max_len)`` must return the ids (B, L)
        first, as ``Seq2Seq`` and ``TransformerSeq2Seq`` do; ``max_len`` counts ``<eos>``.
        Exact match is then ``mean(o == t for o, t in zip(outputs, targets))``.
        """
        if split not in ("train", "validation", "test"):
            raise ValueError(f"split must be 'train', 'validation' or 'test', got {split!r}")
        outputs, targets = [], []
        with torch.no_grad():
            for src, src_lengths, _, tgt_out in getattr(self, split):
                ids, _ = model.greedy_decode(src, src_lengths, max_len)  # (B, L)
                if ids.dim() != 2 or ids.shape[0] != src.shape[0]:
                    raise ValueError(f"greedy_decode returned ids of shape {tuple(ids.shape)}, expected (batch={src.shape[0]}, L)")
                outputs += [self.decode_target(row) for row in ids.tolist()]
                targets += [self.decode_target(row) for row in tgt_out.tolist()]
        return outputs, targets


def pair_loaders(
    pairs: dict[str, Sequence[tuple[str, str]]],
    tokenizer: str | Callable[[str], list[str]] = "char",
    *,
    min_freq: int = 1,
    batch_size: int = 64,
    seed: int = 0,
) -> PairLoaders:
    """(source text, target text) pairs to Seq2Seq batches in one call.

    Introduced in notebooks/12_seq2seq for the date task (``nlpcourse.data.dates()``),
    which writes out its collate function, :class:`PairCollate`, and calls this
    bookkeeping as it stands; lessons 13 and 14 reuse it, and Multi30k's pairs go
    through it unchanged. ``pairs`` maps ``"train"``, ``"validation"`` and ``"test"`` to lists of pairs. Both
    vocabularies are built on the training split only and share the special indices
    ``<pad>`` = 0, ``<sos>`` = 1, ``<eos>`` = 2, ``<unk>`` = 3 (the defaults of
    :class:`nlpcourse.models.seq2seq.Seq2Seq`). Batches come from :class:`PairCollate`.
    With the ``"char"`` tokenizer decoded targets are joined with no separator,
    otherwise with a space.
    """
    tokenize = get_tokenizer(tokenizer)
    if not isinstance(pairs, dict):
        raise TypeError(f"pairs must be a dict of split name -> list of pairs, got {type(pairs).__name__}")
    missing = [name for name in ("train", "validation", "test") if name not in pairs]
    if missing:
        raise ValueError(f"pairs has no {missing} split(s); expected train, validation and test")
    tokenized = {}
    for name in ("train", "validation", "test"):
        split = list(pairs[name])
        if not split:
            raise ValueError(f"the {name} split is empty")
        bad = [p for p in split if not (isinstance(p, (tuple, list)) and len(p) == 2)]
        if bad:
            raise ValueError(f"the {name} split holds items that are not (source, target) pairs: e.g. {bad[0]!r}")
        tokenized[name] = [(tokenize(source), tokenize(target)) for source, target in split]
        empty = [i for i, (source, _) in enumerate(tokenized[name]) if not source]
        if empty:
            raise ValueError(f"the {name} split has {len(empty)} empty sources, e.g. item {empty[0]}")

    def vocab_of(side: int) -> Vocab:
        vocab = build_vocab_from_iterator(
            (pair[side] for pair in tokenized["train"]), min_freq=min_freq, specials=list(PAIR_SPECIALS)
        )
        vocab.set_default_index(vocab["<unk>"])
        return vocab

    src_vocab, tgt_vocab = vocab_of(0), vocab_of(1)
    collate = PairCollate(*(tgt_vocab[s] for s in PAIR_SPECIALS[:3]))
    generator = torch.Generator().manual_seed(seed)
    loaders = {
        name: DataLoader(
            [(src_vocab(source), tgt_vocab(target)) for source, target in tokenized[name]],
            batch_size=batch_size,
            shuffle=name == "train",
            generator=generator if name == "train" else None,
            collate_fn=collate,
        )
        for name in tokenized
    }
    joiner = "" if tokenizer == "char" else " "
    return PairLoaders(src_vocab, tgt_vocab, tokenize, joiner=joiner, **loaders)
