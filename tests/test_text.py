import io
import sys
import types
from collections import Counter, OrderedDict

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from nlpcourse.text import (
    DuplicateTokenError,
    IndexOutOfRangeError,
    PadCollate,
    TokenNotFoundError,
    Vocab,
    build_vocab_from_iterator,
    get_tokenizer,
    pad_sequences,
    vocab,
)

CORPUS = ["The cat sat on the mat.", "The dog sat, didn't it?", "A cat!"]

# --- tokenizers: torchtext's documented behaviour (torchtext.data.utils.get_tokenizer) ---


def test_basic_english_is_torchtexts_docstring_example():
    tokenizer = get_tokenizer("basic_english")
    assert tokenizer("You can now install TorchText using pip!") == [
        "you", "can", "now", "install", "torchtext", "using", "pip", "!"]


def test_basic_english_applies_every_rule_of_torchtexts():
    # lower-case; ' . , ( ) ! ? split off as tokens; " ; : and <br /> removed; the rest
    # (hyphens, digits, $, #, /) stays inside its word
    text = 'Don\'t (really) say "it\'s fine"; OK: yes, no. Wow!<br />Why? A t-shirt costs $5/#1'
    assert get_tokenizer("basic_english")(text) == [
        "don", "'", "t", "(", "really", ")", "say", "it", "'", "s", "fine", "ok", "yes", ",", "no",
        ".", "wow", "!", "why", "?", "a", "t-shirt", "costs", "$5/#1"]
    assert get_tokenizer("basic_english")("  ") == []


def test_basic_english_is_for_english_only_and_other_tokenizers_take_a_language():
    with pytest.raises(ValueError, match="English only"):
        get_tokenizer("basic_english", language="de")
    assert get_tokenizer("basic_english", language="en")("Hi!") == ["hi", "!"]
    assert get_tokenizer("words", language="ko")("학교에서 공부해요!") == ["학교에서", "공부해요", "!"]
    assert get_tokenizer(None, language="de")(" a  b ") == ["a", "b"]


def test_the_course_words_tokenizer_keeps_inner_apostrophes_and_splits_all_punctuation():
    tok = get_tokenizer("words")
    assert tok("The dog sat, didn't it?") == ["the", "dog", "sat", ",", "didn't", "it", "?"]
    assert tok('say "hi"; ok: t-shirt') == ["say", '"', "hi", '"', ";", "ok", ":", "t", "-", "shirt"]


def test_tweet_tokenizer_keeps_mentions_hashtags_urls_emoticons():
    tok = get_tokenizer("tweet")
    tokens = tok("@United lost my bag :( #fail http://t.co/AbC")
    assert tokens == ["@united", "lost", "my", "bag", ":(", "#fail", "http://t.co/AbC"]


def test_char_none_and_callable_tokenizers():
    assert get_tokenizer("char")("ab c") == ["a", "b", " ", "c"]
    assert get_tokenizer(None)(" a  b ") == ["a", "b"]
    upper = lambda s: s.upper().split()  # noqa: E731
    assert get_tokenizer(upper) is upper


@pytest.mark.parametrize("name, module, package", [
    ("spacy", "spacy", "spacy"), ("moses", "sacremoses", "sacremoses"),
    ("toktok", "nltk", "nltk"), ("revtok", "revtok", "revtok"), ("subword", "revtok", "revtok"),
])
def test_a_library_tokenizer_without_its_package_names_the_package(monkeypatch, name, module, package):
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed: import fails
    with pytest.raises(ImportError, match=f"needs the '{package}' package.*pip install {package}"):
        get_tokenizer(name)


def test_a_library_tokenizer_is_the_librarys_when_installed(monkeypatch):
    class MosesTokenizer:
        def tokenize(self, text):
            return ["moses:" + text]

    monkeypatch.setitem(sys.modules, "sacremoses", types.SimpleNamespace(MosesTokenizer=MosesTokenizer))
    assert get_tokenizer("moses")("hi") == ["moses:hi"]

    loaded = []

    class Pipeline:
        def tokenizer(self, text):
            return [types.SimpleNamespace(text=word) for word in text.split()]

    def load(name):
        loaded.append(name)
        if name != "en_core_web_sm":  # the one pipeline "installed"; spaCy 3 has no "en"
            raise OSError(f"[E050] Can't find model '{name}'")
        return Pipeline()

    shortcuts = types.SimpleNamespace(OLD_MODEL_SHORTCUTS={"en": "en_core_web_sm"})
    fake_spacy = types.SimpleNamespace(load=load, errors=shortcuts)
    monkeypatch.setitem(sys.modules, "spacy", fake_spacy)
    assert get_tokenizer("spacy")("a b") == ["a", "b"] and loaded == ["en", "en_core_web_sm"]
    with pytest.raises(OSError, match="python -m spacy download xx_fake"):
        get_tokenizer("spacy", language="xx_fake")


def test_unknown_tokenizer_name_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown tokenizer 'basic'.*'basic_english', 'words'"):
        get_tokenizer("basic")


# --- vocabularies: torchtext's documented behaviour (torchtext.vocab) ----------------------


def test_vocab_factory_follows_torchtexts_docstring_example():
    counter = Counter(["a", "a", "b", "b", "b"])
    sorted_by_freq_tuples = sorted(counter.items(), key=lambda x: x[1], reverse=True)
    v1 = vocab(OrderedDict(sorted_by_freq_tuples))
    assert v1["a"] == 1 and v1.get_itos() == ["b", "a"]
    with pytest.raises(RuntimeError):  # no default index set
        v1["out of vocab"]
    v2 = vocab(OrderedDict([(token, 1) for token in ["e", "d", "c", "b", "a"]]), specials=["<unk>"])
    v2.set_default_index(-1)
    assert v2["<unk>"] == 0 and v2["out of vocab"] == -1
    v2.set_default_index(v2["<unk>"])
    assert v2["out of vocab"] == v2["<unk>"] == 0 and v2.get_default_index() == 0


def test_vocab_factory_keeps_the_dicts_order_and_applies_min_freq_and_specials():
    counts = OrderedDict([("z", 5), ("<unk>", 9), ("y", 1), ("x", 3)])
    assert vocab(counts, min_freq=3).get_itos() == ["z", "<unk>", "x"]  # order kept, y dropped
    assert vocab(counts, min_freq=2, specials=["<pad>", "<unk>"]).get_itos() == ["<pad>", "<unk>", "z", "x"]
    assert vocab(counts, specials=["<unk>"], special_first=False).get_itos() == ["z", "y", "x", "<unk>"]
    assert list(counts) == ["z", "<unk>", "y", "x"]  # the caller's dict is left alone
    # the torchtext idiom vocab(glove.stoi): token -> index, so index 0 is below min_freq=1
    stoi = {"the": 0, ",": 1, ".": 2}
    assert vocab(stoi).get_itos() == [",", "."] and vocab(stoi, min_freq=0).get_itos() == ["the", ",", "."]
    with pytest.raises(RuntimeError, match="already in the vocabulary"):
        vocab(counts, specials=["<s>", "<s>"])


def build(min_freq=1, max_tokens=None, specials=("<pad>", "<unk>")):
    tok = get_tokenizer("words")
    return build_vocab_from_iterator(
        (tok(t) for t in CORPUS), min_freq=min_freq, specials=list(specials), max_tokens=max_tokens
    )


def test_vocab_orders_specials_then_frequency_then_alphabet():
    vocab = build()
    # the: 3, cat/sat: 2 (alphabetical), then the singletons alphabetically
    assert vocab.itos[:5] == ["<pad>", "<unk>", "the", "cat", "sat"]
    assert vocab.stoi["the"] == 2 and vocab["cat"] == 3
    assert len(vocab) == 2 + len(set(get_tokenizer("words")(" ".join(CORPUS))))
    assert build(specials=("<unk>",), max_tokens=3).get_itos() == ["<unk>", "the", "cat"]
    last = build_vocab_from_iterator([["b", "a", "b"]], specials=["<unk>"], special_first=False)
    assert last.get_itos() == ["b", "a", "<unk>"]


def test_vocab_min_freq_and_max_tokens():
    assert build(min_freq=2).itos == ["<pad>", "<unk>", "the", "cat", "sat"]
    assert build(max_tokens=4).itos == ["<pad>", "<unk>", "the", "cat"]


def test_max_tokens_cuts_before_removing_specials_as_torchtext_does():
    # "<unk>" is the most frequent token of the corpus: it is cut into the top
    # max_tokens - len(specials) = 2 and then moved to the front, so one word fewer fits
    corpus = [["<unk>"] * 5, ["a"] * 3, ["b"] * 2, ["c"]]
    assert build_vocab_from_iterator(corpus, specials=["<unk>"], max_tokens=3).get_itos() == ["<unk>", "a"]


def test_lookup_roundtrip_and_default_index():
    vocab = build()
    vocab.set_default_index(vocab["<unk>"])
    ids = vocab.lookup_indices(["the", "zebra", "cat"])
    assert ids == [2, 1, 3] and vocab(["the"]) == [2]
    assert vocab.lookup_tokens(ids) == ["the", "<unk>", "cat"] and vocab.lookup_token(3) == "cat"
    assert vocab.get_default_index() == 1 and "zebra" not in vocab and "cat" in vocab
    assert vocab.get_stoi() == {token: i for i, token in enumerate(vocab.get_itos())}
    vocab.set_default_index(None)
    with pytest.raises(RuntimeError):
        vocab["zebra"]


def test_insert_token_moves_the_later_tokens_up_as_torchtext_does():
    v = Vocab(["a", "b", "c"])
    v.insert_token("<unk>", 0)
    assert v.get_itos() == ["<unk>", "a", "b", "c"] and v["c"] == 3 and v["<unk>"] == 0
    v.insert_token("z", len(v))  # the end is a valid place
    v.insert_token("m", 2)
    assert v.get_itos() == ["<unk>", "a", "m", "b", "c", "z"]
    assert v.get_stoi() == {"<unk>": 0, "a": 1, "m": 2, "b": 3, "c": 4, "z": 5}
    v.set_default_index(1)
    v.insert_token("first", 0)
    assert v.get_default_index() == 1 and v["unseen"] == 1  # an index, not a token: not moved
    with pytest.raises(RuntimeError, match="already in the vocabulary, at index 3"):
        v.insert_token("m", 0)
    with pytest.raises(RuntimeError, match="must be in \\[0, 7\\]"):
        v.insert_token("new", 8)


def test_errors_are_runtime_errors_as_in_torchtext_and_name_the_mistake():
    v = Vocab(["a", "b"])
    with pytest.raises(RuntimeError) as unknown:
        v["zebra"]
    assert isinstance(unknown.value, KeyError) and isinstance(unknown.value, TokenNotFoundError)
    assert str(unknown.value).startswith("token 'zebra' is not in the vocabulary")  # no KeyError quotes
    with pytest.raises(RuntimeError) as duplicate:
        v.append_token("a")
    assert isinstance(duplicate.value, (ValueError, DuplicateTokenError))
    with pytest.raises(RuntimeError, match="index 2 is outside the vocabulary"):
        v.lookup_token(2)
    with pytest.raises(IndexOutOfRangeError, match="index -1 at position 1 is outside"):
        v.lookup_tokens([0, -1])
    with pytest.raises(RuntimeError, match="already in the vocabulary"):
        Vocab(["a", "a"])


def test_bad_vocab_input_is_rejected():
    with pytest.raises(ValueError, match="corpus is empty"):
        build_vocab_from_iterator([])
    with pytest.raises(ValueError, match="corpus is empty"):
        build_vocab_from_iterator([[], []], specials=["<unk>"])
    with pytest.raises(ValueError, match="nothing but specials"):
        build(min_freq=10)
    with pytest.raises(TypeError, match="got a str"):
        build_vocab_from_iterator(["not", "tokenized"])
    with pytest.raises(ValueError, match="min_freq"):
        build(min_freq=-1)
    with pytest.raises(ValueError, match="specials contain duplicates"):
        build(specials=("<unk>", "<unk>"))
    with pytest.raises(IndexError):
        build().lookup_token(999)
    with pytest.raises(TypeError, match="an int or None"):
        build().set_default_index("<unk>")
    with pytest.raises(TypeError, match="dict of token -> frequency"):
        vocab(["a", "b"])


def test_a_saved_vocab_loads_with_torch_loads_default_weights_only():
    v = build()
    v.set_default_index(v["<unk>"])
    buffer = io.BytesIO()
    torch.save({"vocab": v, "weights": torch.ones(2)}, buffer)  # e.g. inside a checkpoint
    buffer.seek(0)
    loaded = torch.load(buffer)  # weights_only=True, the default since torch 2.6
    restored = loaded["vocab"]
    assert isinstance(restored, Vocab) and restored.get_itos() == v.get_itos()
    assert restored.get_stoi() == v.get_stoi() and restored["zebra"] == v["<unk>"] == 1


def test_pad_sequences_follows_keras_defaults():
    seqs = [[1, 2, 3, 4], [5, 6]]
    # defaults: pad at the front, cut at the front (keep the end)
    assert pad_sequences(seqs, maxlen=3).tolist() == [[2, 3, 4], [0, 5, 6]]
    assert pad_sequences(seqs, maxlen=3, padding="post", truncating="post").tolist() == [[1, 2, 3], [5, 6, 0]]
    assert pad_sequences(seqs).shape == (2, 4)
    assert pad_sequences(seqs, value=-1, padding="post").tolist() == [[1, 2, 3, 4], [5, 6, -1, -1]]
    assert pad_sequences([[], [7]], maxlen=2).tolist() == [[0, 0], [0, 7]]
    assert pad_sequences([]).shape == (0, 0)
    assert pad_sequences(seqs).dtype == np.int64


def test_pad_sequences_rejects_bad_arguments():
    with pytest.raises(ValueError, match="padding must be 'pre' or 'post'"):
        pad_sequences([[1]], padding="left")
    with pytest.raises(ValueError, match="truncating"):
        pad_sequences([[1]], truncating="end")
    with pytest.raises(TypeError, match="encode it to integers"):
        pad_sequences(["abc"])
    with pytest.raises(ValueError, match="non-negative"):
        pad_sequences([[1]], maxlen=-1)


def test_pad_collate_pads_and_returns_lengths():
    data = [([4, 5, 6], 1), ([7], 0), ([8, 9], 2)]
    ids, lengths, labels = next(iter(DataLoader(data, batch_size=3, collate_fn=PadCollate(pad_index=0))))
    assert ids.tolist() == [[4, 5, 6], [7, 0, 0], [8, 9, 0]]
    assert lengths.tolist() == [3, 1, 2] and labels.tolist() == [1, 0, 2]
    assert ids.dtype == lengths.dtype == labels.dtype == torch.long
    ids, lengths, _ = PadCollate(pad_index=1, max_len=2)(data)
    assert ids.tolist() == [[4, 5], [7, 1], [8, 9]] and lengths.tolist() == [2, 1, 2]


def test_pad_collate_rejects_empty_and_ragged_input():
    collate = PadCollate()
    with pytest.raises(ValueError, match="empty batch"):
        collate([])
    with pytest.raises(ValueError, match=r"batch items \[1\] have no tokens"):
        collate([([1, 2], 0), ([], 1)])
    with pytest.raises(ValueError, match="max_len"):
        PadCollate(max_len=0)


# ---------------------------------------------------------------- classification_loaders

from nlpcourse.data.tweets import Split, TextClassificationData  # noqa: E402
from nlpcourse.text import classification_loaders  # noqa: E402


def _toy_data(**overrides):
    splits = {
        "train": Split(["good film", "bad film", "good good", "so bad"], [1, 0, 1, 0]),
        "validation": Split(["good", "awful film"], [1, 0]),
        "test": Split(["bad", "", "unseen words"], [0, 1, 1]),
    }
    splits.update(overrides)
    return TextClassificationData(**splits, classes=("neg", "pos"))


def test_classification_loaders_batches():
    loaders = classification_loaders(_toy_data(), min_freq=2, batch_size=2)
    assert loaders.vocab.itos[:2] == ["<pad>", "<unk>"]
    assert set(loaders.vocab.itos[2:]) == {"good", "film", "bad"}  # train words >= 2
    ids, lengths, labels = next(iter(loaders.test))
    assert ids.shape == (2, 1) and lengths.tolist() == [1, 1] and labels.tolist() == [0, 1]
    assert ids[1, 0] == loaders.vocab["<unk>"]  # the empty text is kept as [<unk>]
    assert sum(len(b[0]) for b in loaders.test) == 3  # every test text kept
    assert loaders.encode("unseen words") == [1, 1]
    assert loaders.encode("") == [1]  # a text with no tokens becomes [<unk>]
    assert sum(len(b[2]) for b in loaders.train) == 4


def test_classification_loaders_shuffle_is_seeded():
    order = [
        [b[2].tolist() for b in classification_loaders(_toy_data(), batch_size=1, seed=3).train]
        for _ in range(2)
    ]
    assert order[0] == order[1]


def test_classification_loaders_bad_input():
    with pytest.raises(TypeError, match="TextClassificationData"):
        classification_loaders(object())
    with pytest.raises(ValueError, match="empty"):
        classification_loaders(_toy_data(validation=Split([], [])))
    with pytest.raises(ValueError, match="2 texts but 1 labels"):
        classification_loaders(_toy_data(validation=Split(["a", "b"], [1])))
    with pytest.raises(ValueError, match="outside 0..1"):
        classification_loaders(_toy_data(test=Split(["a"], [2])))
    with pytest.raises(ValueError, match="min_freq"):
        classification_loaders(_toy_data(), min_freq=10)


# ---------------------------------------------------------------- sequence pairs

from nlpcourse.text import PairCollate, pair_loaders  # noqa: E402


def test_pair_collate_shifts_the_target():
    src, lengths, tgt_in, tgt_out = PairCollate()([([5, 6, 7], [8, 9]), ([4], [8, 9, 10])])
    assert src.tolist() == [[5, 6, 7], [4, 0, 0]]
    assert lengths.tolist() == [3, 1]
    assert tgt_in.tolist() == [[1, 8, 9, 0], [1, 8, 9, 10]]
    assert tgt_out.tolist() == [[8, 9, 2, 0], [8, 9, 10, 2]]
    with pytest.raises(ValueError, match="empty"):
        PairCollate()([])
    with pytest.raises(ValueError, match="empty sources"):
        PairCollate()([([], [1])])


def _pairs():
    return {
        "train": [("ab", "xy"), ("ba", "yx"), ("aab", "xxy")],
        "validation": [("ab", "xy")],
        "test": [("ca", "zx")],  # c and z were never seen in training
    }


def test_pair_loaders_round_trip():
    loaders = pair_loaders(_pairs(), batch_size=2)
    assert loaders.src_vocab.itos[:4] == ["<pad>", "<sos>", "<eos>", "<unk>"]
    assert loaders.tgt_vocab.itos[:4] == ["<pad>", "<sos>", "<eos>", "<unk>"]
    src, lengths, tgt_in, tgt_out = next(iter(loaders.test))
    assert src.tolist() == [[3, loaders.src_vocab["a"]]]
    assert loaders.decode_target(tgt_out[0]) == "<unk>x"
    assert loaders.decode_target(loaders.encode_target("xy") + [2, 5, 5]) == "xy"
    assert sum(len(b[0]) for b in loaders.train) == 3
    words = pair_loaders({k: [(s + " !", t + " ?") for s, t in v] for k, v in _pairs().items()}, None)
    assert words.decode_target(words.encode_target("xy ?")) == "xy ?"


def test_pair_loaders_bad_input():
    with pytest.raises(ValueError, match="test"):
        pair_loaders({"train": [("a", "b")], "validation": [("a", "b")]})
    with pytest.raises(ValueError, match="validation split is empty"):
        pair_loaders({"train": [("a", "b")], "validation": [], "test": [("a", "b")]})
    with pytest.raises(ValueError, match="not \\(source, target\\) pairs"):
        pair_loaders({"train": ["ab"], "validation": [("a", "b")], "test": [("a", "b")]})
    with pytest.raises(ValueError, match="empty sources"):
        pair_loaders({"train": [("", "b")], "validation": [("a", "b")], "test": [("a", "b")]})
    with pytest.raises(TypeError):
        pair_loaders([("a", "b")])


class _LetterSwap:
    """A stand-in Seq2Seq: writes each source letter's partner (a->x, b->y, c->z)."""

    def __init__(self, loaders, reverse=False):
        self.loaders, self.reverse = loaders, reverse

    def greedy_decode(self, src, src_lengths, max_len):
        rows = []
        for ids, length in zip(src.tolist(), src_lengths.tolist()):
            letters = [self.loaders.src_vocab.lookup_token(i) for i in ids[:length]]
            partner = [{"a": "x", "b": "y", "c": "z"}.get(c, "<unk>") for c in letters]
            partner = partner[::-1] if self.reverse else partner
            out = self.loaders.tgt_vocab(partner) + [self.loaders.tgt_vocab["<eos>"]]
            rows.append((out + [0] * max_len)[:max_len])
        return torch.tensor(rows), None


def test_greedy_outputs_pairs_each_output_with_its_target():
    loaders = pair_loaders(_pairs(), batch_size=2)
    outputs, targets = loaders.greedy_outputs(_LetterSwap(loaders), "train", max_len=5)
    assert sorted(targets) == ["xxy", "xy", "yx"] and outputs == targets  # shuffled, still aligned
    outputs, targets = loaders.greedy_outputs(_LetterSwap(loaders, reverse=True), "train", max_len=5)
    assert sorted(zip(outputs, targets)) == [("xy", "yx"), ("yx", "xy"), ("yxx", "xxy")]
    assert loaders.greedy_outputs(_LetterSwap(loaders), "validation", max_len=1) == (["x"], ["xy"])  # cut at max_len


def test_greedy_outputs_bad_input():
    loaders = pair_loaders(_pairs(), batch_size=2)
    with pytest.raises(ValueError, match="split must be"):
        loaders.greedy_outputs(_LetterSwap(loaders), "dev")

    class Flat:
        def greedy_decode(self, src, src_lengths, max_len):
            return torch.zeros(max_len, dtype=torch.long), None

    with pytest.raises(ValueError, match="expected \\(batch=1, L\\)"):
        loaders.greedy_outputs(Flat(), "test")
