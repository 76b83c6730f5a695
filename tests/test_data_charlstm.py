import importlib.util
import math
import re
from pathlib import Path

import h5py
import numpy as np
import pytest
import torch

from nlpcourse.data import DataFileError
from nlpcourse.data.charlstm import (
    _PIP_SPEC,
    _VOCAB,
    _VOCAB_SHA256,
    _WEIGHTS,
    _WEIGHTS_SHA256,
    char_lstm_pretrained,
    sample_next,
)
from nlpcourse.data.files import carrier_file
from nlpcourse.text import pad_sequences

WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


@pytest.fixture(scope="module")
def pretrained():
    return char_lstm_pretrained()


@pytest.fixture(scope="module")
def weights_file() -> Path:
    return carrier_file(*_WEIGHTS, sha256=_WEIGHTS_SHA256, pip_spec=_PIP_SPEC)


def keras_reference_probs(path: Path, windows: np.ndarray) -> np.ndarray:
    """textgenrnn's forward pass in NumPy, float64, written in Keras' own terms."""
    with h5py.File(path, "r") as f:
        w = {name: np.asarray(f[name], dtype=np.float64) for name in _dataset_names(f)}

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def keras_lstm(xs, layer):  # Keras LSTM, recurrent_activation="sigmoid", gates i, f, c, o
        kernel, recurrent, bias = (w[f"{layer}/{layer}/{n}:0"] for n in ("kernel", "recurrent_kernel", "bias"))
        # what Keras' _convert_rnn_weights does to CuDNNLSTM weights on loading
        kernel = np.hstack([k.T.reshape(k.shape, order="F") for k in np.hsplit(kernel, 4)])
        recurrent = np.hstack([k.T for k in np.hsplit(recurrent, 4)])
        bias = np.sum(np.split(bias, 2), axis=0)
        h = c = np.zeros(recurrent.shape[0])
        out = []
        for x in xs:
            i, f_, g, o = np.split(x @ kernel + h @ recurrent + bias, 4)
            c = sigmoid(f_) * c + sigmoid(i) * np.tanh(g)
            h = sigmoid(o) * np.tanh(c)
            out.append(h)
        return np.array(out)

    probs = []
    for ids in windows:
        e = w["embedding/embedding/embeddings:0"][ids]  # (T, 100)
        h1 = keras_lstm(e, "rnn_1")
        h2 = keras_lstm(h1, "rnn_2")
        x = np.concatenate([e, h1, h2], axis=1)  # (T, 356)
        logits = (x @ w["attention/attention/attention_W:0"])[:, 0]
        a = np.exp(logits - logits.max())
        a = a / (a.sum() + 1e-7)
        z = (a[:, None] * x).sum(0) @ w["output/output/kernel:0"] + w["output/output/bias:0"]
        probs.append(np.exp(z - z.max()) / np.exp(z - z.max()).sum())
    return np.array(probs)


def _dataset_names(f: h5py.File) -> list[str]:
    names = []
    f.visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Dataset) else None)
    return names


def test_sizes_and_vocabulary(pretrained):
    model, vocab = pretrained
    assert sum(p.numel() for p in model.parameters()) == 462_717
    assert len(vocab) == 465 and vocab.itos[0] == "<pad>" and vocab["<s>"] == 464
    assert vocab.itos[1:6] == ["I", "t", "'", "s", " "]
    assert model.vocab is vocab and not model.training


def test_encode_pads_in_front_and_keeps_the_end(pretrained):
    model, vocab = pretrained
    ids = model.encode("Hi")
    assert ids.shape == (1, 40) and ids.dtype == torch.int64
    assert ids[0, :37].tolist() == [0] * 37 and ids[0, 37:].tolist() == [464, vocab["H"], vocab["i"]]
    text = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ"  # 46 characters: <s> and 6 fall off
    assert model.encode(text)[0].tolist() == vocab.lookup_indices(text[-40:])


def test_forward_matches_a_numpy_reference_from_the_hdf5_arrays(pretrained, weights_file):
    model, _ = pretrained
    windows = torch.cat(
        [
            model.encode(""),
            model.encode("What is the best way"),
            model.encode("x" * 20 + "I made a thing for my cat today"),
        ]
    )
    with torch.no_grad():
        ours = torch.softmax(model(windows), dim=-1).double()  # (3, 465)
    reference = torch.from_numpy(keras_reference_probs(weights_file, windows.numpy()))
    assert torch.allclose(ours, reference, atol=1e-6, rtol=1e-4)
    # and the comparison is not trivially true: the three contexts predict differently
    assert (ours[0] - ours[1]).abs().max() > 0.05


def test_it_knows_english(pretrained):
    # bits per character of real sentences; a mis-converted kernel scores about 70
    model, vocab = pretrained
    sentences = [
        "What is the best way to learn a new language as an adult?",
        "I made a birthday cake for my dog today.",
    ]
    total, count = 0.0, 0
    for sentence in sentences:
        ids = [vocab["<s>"], *vocab.lookup_indices(sentence), vocab["<s>"]]
        windows = torch.from_numpy(pad_sequences([ids[:i] for i in range(1, len(ids))], maxlen=40))  # (N, 40)
        with torch.no_grad():
            log_probs = torch.log_softmax(model(windows), dim=-1)
        total -= log_probs[torch.arange(len(windows)), torch.tensor(ids[1:])].sum().item()
        count += len(windows)
    assert total / count / math.log(2) < 1.6  # measured 1.3; a uniform guess is 8.9


def test_low_temperature_writes_english_words(pretrained):
    model, _ = pretrained
    gensim_root = importlib.util.find_spec("gensim")
    assert gensim_root is not None, "gensim (a course dependency) provides the word list for this test"
    news = Path(next(iter(gensim_root.submodule_search_locations))) / "test" / "test_data" / "lee_background.cor"
    known = set(WORD.findall(news.read_text(encoding="utf-8").lower()))  # about 7,200 words
    texts = [model.generate(max_length=120, temperature=0.2, seed=seed) for seed in range(3)]
    words = [w for text in texts for w in WORD.findall(text.lower())]
    assert len(words) > 30
    assert sum(w in known for w in words) / len(words) > 0.8  # measured 0.92 to 1.0
    joined = "".join(texts)
    assert sum(c.isalpha() or c == " " for c in joined) / len(joined) > 0.9


def test_generation_is_deterministic_for_a_seed(pretrained):
    model, _ = pretrained
    first = model.generate("I made a", max_length=60, temperature=0.5, seed=7)
    assert first == model.generate("I made a", max_length=60, temperature=0.5, seed=7)
    assert first != model.generate("I made a", max_length=60, temperature=0.5, seed=8)
    assert first.startswith("I made a") and len(first) <= len("I made a") + 60
    assert model.generate(max_length=5, temperature=[1.0, 0.5, 0.2, 0.2], seed=0) == "20 [F"


def test_the_model_ends_a_text_by_itself(pretrained):
    model, _ = pretrained
    text = model.generate(max_length=300, temperature=0.2, seed=2)
    assert 10 < len(text) < 300 and "<s>" not in text


def test_sample_next_follows_textgenrnn():
    rng = np.random.default_rng(0)
    probs = np.array([0.0, 0.7, 0.3])
    draws = [sample_next(probs, 1.0, rng) for _ in range(2000)]
    assert draws.count(1) / 2000 == pytest.approx(0.7, abs=0.03)
    draws = [sample_next(probs, 0.5, rng) for _ in range(2000)]  # p ** 2, renormalised
    assert draws.count(1) / 2000 == pytest.approx(0.49 / 0.58, abs=0.03)
    assert sample_next(probs, 0, rng) == 1
    # padding is never written: the second most likely id replaces it
    assert sample_next(np.array([0.9, 0.02, 0.08]), 0, rng) == 2
    assert sample_next(np.array([1.0, 0.0, 0.0]), 1.0, rng) in (1, 2)


def test_bad_input_is_a_clear_error(pretrained):
    model, _ = pretrained
    with pytest.raises(ValueError, match=r"character '\\n' \(U\+000A\) at position 5 .* 463 characters"):
        model.generate("Hello\nworld")
    with pytest.raises(ValueError, match=r"expected a \(batch, 40\) tensor .* got shape \(1, 39\)"):
        model(torch.zeros(1, 39, dtype=torch.long))
    with pytest.raises(ValueError, match=r"got shape \(40,\)"):
        model(torch.zeros(40, dtype=torch.long))
    with pytest.raises(ValueError, match=r"dtype torch.float32"):
        model(torch.zeros(2, 40))
    with pytest.raises(ValueError, match=r"ids must lie in 0\.\.464, got 465\.\.465"):
        model(torch.full((1, 40), 465))
    with pytest.raises(ValueError, match=r"temperature must be >= 0"):
        model.generate(temperature=-1.0)


def test_corrupt_copy_is_a_clear_error(tmp_path, weights_file):
    bad = tmp_path / "textgenrnn_weights.hdf5"
    bad.write_bytes(weights_file.read_bytes()[:-4] + b"\0\0\0\1")
    with pytest.raises(DataFileError, match=r"has sha256 .* expected 6a89ca4235ed9f00.*corrupt"):
        char_lstm_pretrained(weights_path=bad)
    vocab = carrier_file(*_VOCAB, sha256=_VOCAB_SHA256, pip_spec=_PIP_SPEC)
    model, _ = char_lstm_pretrained(weights_path=weights_file, vocab_path=vocab)  # exact copies are fine
    assert not model.training
