"""A pretrained character-level LSTM: textgenrnn's model and weights, in PyTorch.

First used in notebooks/11_text_generation.

Source: the sdist ``textgenrnn==2.0.0`` (MIT licence, Max Woolf; its attention layer is
from DeepMoji, also MIT) ships ``textgenrnn/textgenrnn_weights.hdf5`` (Keras 2.1.5) and
``textgenrnn/textgenrnn_vocab.json``. Its author trained the weights on hundreds of
thousands of Reddit submission titles from a wide variety of subreddits, so the model
writes one-line, Reddit-title-like English ("What is the best ...", "I made a ...",
"[Request] ...") and ends the text with its start/end token; there is no newline in its
vocabulary. Being Reddit, it can also write crude or adult titles, more often at high
temperature. We read the HDF5 file with h5py: textgenrnn itself is never imported,
because importing it needs TensorFlow.

Architecture (textgenrnn's ``model.py``, reproduced exactly):

- input: the last 40 tokens of ``<s>`` + text, padded with 0 at the front (Keras
  ``pad_sequences`` defaults); 0 is padding, 1..464 are 463 characters and ``<s>``;
- embedding 465 x 100 (row 0 is a learned vector too: Keras did not mask padding);
- two stacked LSTMs of 128 units, each returning its whole sequence;
- the embeddings and both LSTM outputs concatenated, 100 + 128 + 128 = 356 features
  per step (skip connections, as in DeepMoji);
- attention-weighted average over the 40 steps (one score vector of 356 weights);
- a linear layer to 465 logits: the next token, softmax in textgenrnn.

462,717 parameters in PyTorch's layout, which keeps two LSTM biases as cuDNN does
(Keras' LSTM has one, so Keras reports 461,693). The model does not carry a hidden
state from one step to the next: to write a text it rereads the last 40 tokens for
every new character, as it was trained to.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import torch
from torch import nn

from nlpcourse.data.files import carrier_file, verify_sha256
from nlpcourse.generate import next_token_probs
from nlpcourse.text import Vocab, pad_sequences

__all__ = ["CharLSTM", "char_lstm_pretrained", "load_textgenrnn_weights", "read_textgenrnn_vocab", "sample_next"]

_PIP_SPEC = "textgenrnn==2.0.0"
_WEIGHTS = ("textgenrnn", "textgenrnn_weights.hdf5")
_WEIGHTS_SHA256 = "6a89ca4235ed9f00be7b2acd65d5fe4a099967d676bfe20afb696106286ffbca"
_VOCAB = ("textgenrnn", "textgenrnn_vocab.json")
_VOCAB_SHA256 = "f9c6c0db9b07fb57da023d32df66e16a488d086c138e15706307bb5177c2be74"

PAD = "<pad>"  # index 0; textgenrnn leaves it unnamed
START = "<s>"  # textgenrnn's meta token: starts every text and, when generated, ends it
CONTEXT_LENGTH = 40
_KERAS_EPSILON = 1e-7  # K.epsilon(), used by textgenrnn's attention and sampling


class CharLSTM(nn.Module):
    """textgenrnn's network: embedding, stacked LSTMs, skip connections, attention.

    ``forward`` maps token ids (B, 40) to next-token logits (B, vocabulary size).
    """

    def __init__(
        self,
        vocab: Vocab,
        context_length: int = CONTEXT_LENGTH,
        embedding_dim: int = 100,
        hidden_size: int = 128,
        num_layers: int = 2,
    ):
        super().__init__()
        self.vocab = vocab
        self.context_length = context_length
        self.embedding = nn.Embedding(len(vocab), embedding_dim)
        sizes = [embedding_dim] + [hidden_size] * num_layers
        self.lstms = nn.ModuleList(nn.LSTM(n_in, hidden_size, batch_first=True) for n_in in sizes[:-1])
        features = sum(sizes)  # embeddings + every LSTM's output, concatenated
        self.attention = nn.Linear(features, 1, bias=False)  # one score per time step
        self.output = nn.Linear(features, len(vocab))

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        expected = f"a (batch, {self.context_length}) tensor of integer token ids"
        if ids.dim() != 2 or ids.shape[1] != self.context_length:
            # The weights only ever saw 40-wide, front-padded windows: see encode().
            raise ValueError(f"expected {expected}, got shape {tuple(ids.shape)}; use model.encode(text)")
        if ids.dtype.is_floating_point or ids.dtype == torch.bool:
            raise ValueError(f"expected {expected}, got dtype {ids.dtype}")
        if ids.numel() and not 0 <= int(ids.min()) <= int(ids.max()) < len(self.vocab):
            raise ValueError(f"token ids must lie in 0..{len(self.vocab) - 1}, got {int(ids.min())}..{int(ids.max())}")

        x = self.embedding(ids)  # (B, T, E)
        features = [x]
        for lstm in self.lstms:
            x, _ = lstm(x)  # (B, T, H)
            features.append(x)
        x = torch.cat(features, dim=-1)  # (B, T, C), C = E + layers * H
        scores = self.attention(x).squeeze(-1)  # (B, T)
        # softmax over time, written out because Keras adds epsilon to the denominator
        a = torch.exp(scores - scores.max(dim=1, keepdim=True).values)
        a = a / (a.sum(dim=1, keepdim=True) + _KERAS_EPSILON)  # (B, T)
        pooled = (a.unsqueeze(-1) * x).sum(dim=1)  # (B, C)
        return self.output(pooled)  # (B, V) logits; textgenrnn applies the softmax in the layer

    def encode(self, text: str) -> torch.Tensor:
        """The model's input for predicting what follows ``text``: ids of shape (1, 40).

        ``<s>`` goes first, as at the start of every training text; the last 40 tokens
        are kept and padded with 0 at the front, as Keras' ``pad_sequences`` does.
        """
        return self._window([self.vocab[START], *self._ids(text)])

    def _window(self, ids: list[int]) -> torch.Tensor:
        return torch.from_numpy(pad_sequences([ids], maxlen=self.context_length))  # (1, T)

    def _ids(self, text: str) -> list[int]:
        for position, char in enumerate(text):
            if char not in self.vocab:
                # textgenrnn silently reads an unknown character as padding (id 0)
                raise ValueError(
                    f"character {char!r} (U+{ord(char):04X}) at position {position} is not in "
                    f"the model's vocabulary of {len(self.vocab) - 2} characters"
                )
        return self.vocab.lookup_indices(text)

    @torch.no_grad()
    def generate(
        self,
        prefix: str = "",
        max_length: int = 300,
        temperature: float | Sequence[float] = 0.5,
        seed: int | None = None,
    ) -> str:
        """Write one text: ``prefix`` followed by at most ``max_length`` new characters.

        Sampling follows textgenrnn: the probabilities are sharpened by ``temperature``
        (lower is safer and duller, 0 picks the most likely character), padding is never
        chosen, and the text ends when the model writes ``<s>``. A list of temperatures
        is used in turn, one per character (textgenrnn's default is [1.0, 0.5, 0.2, 0.2]).
        The same ``seed`` gives the same text. Unlike textgenrnn's ``max_gen_length``,
        ``max_length`` does not count the prefix.
        """
        temperatures = list(temperature) if isinstance(temperature, Sequence) else [float(temperature)]
        if not temperatures or any(t < 0 for t in temperatures):
            raise ValueError(f"temperature must be >= 0 (or a non-empty list of such), got {temperature!r}")
        rng = np.random.default_rng(seed)
        ids = [self.vocab[START], *self._ids(prefix)]
        end = self.vocab[START]
        with _one_thread():
            for _ in range(max_length):
                logits = self(self._window(ids))[0]  # (V,)
                probs = torch.softmax(logits.double(), dim=-1).numpy()
                index = sample_next(probs, temperatures[(len(ids) - 1) % len(temperatures)], rng)
                if index == end:
                    break
                ids.append(index)
        return "".join(self.vocab.lookup_tokens(ids[1:]))


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    # One (1, 40) window is too small to share between threads: a second thread only
    # waits, and when another process holds a core it makes each step several times slower.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def sample_next(probs: np.ndarray, temperature: float, rng: np.random.Generator) -> int:
    """Draw the next token id the way textgenrnn does (``textgenrnn_sample``).

    The temperature is the course's :func:`nlpcourse.generate.next_token_probs`, i.e.
    ``softmax(log(probs + 1e-7) / temperature)`` (textgenrnn adds Keras' epsilon before
    the log). The draw uses NumPy's ``rng`` as textgenrnn does, so a seed gives the same
    text as before. Index 0 (padding) is never returned: if drawn, the second most likely
    id is taken.
    """
    if temperature == 0:
        index = int(np.argmax(probs))
    else:
        logits = torch.from_numpy(np.log(np.asarray(probs, dtype=np.float64) + _KERAS_EPSILON))  # (V,)
        probs = next_token_probs(logits[None], temperature)[0].numpy()  # (1, V) -> (V,)
        index = int(rng.choice(len(probs), p=probs))
    if index == 0:
        index = int(np.argsort(probs)[-2])
    return index


def read_textgenrnn_vocab(path: str | Path) -> Vocab:
    """textgenrnn's ``{character: id}`` JSON as a :class:`Vocab` with ``<pad>`` at 0."""
    stoi = json.loads(Path(path).read_text(encoding="utf-8"))
    itos = sorted(stoi, key=stoi.get)
    if [stoi[c] for c in itos] != list(range(1, len(itos) + 1)) or START not in stoi:
        raise ValueError(f"{path} does not hold ids 1..{len(itos)} with {START!r} among the tokens")
    return Vocab([PAD, *itos])


def load_textgenrnn_weights(model: CharLSTM, path: str | Path) -> CharLSTM:
    """Copy the Keras HDF5 weights of textgenrnn into ``model`` (read with h5py)."""
    import h5py  # only this loader needs it

    with h5py.File(path, "r") as f:

        def weight(layer: str, name: str) -> np.ndarray:
            return np.asarray(f[f"{layer}/{layer}/{name}:0"])

        with torch.no_grad():
            _copy(model.embedding.weight, weight("embedding", "embeddings"))  # (V, E)
            for number, lstm in enumerate(model.lstms, start=1):
                layer = f"rnn_{number}"
                _copy_cudnn_lstm(
                    lstm, weight(layer, "kernel"), weight(layer, "recurrent_kernel"), weight(layer, "bias")
                )
            _copy(model.attention.weight, weight("attention", "attention_W").T)  # Keras (C, 1) -> (1, C)
            _copy(model.output.weight, weight("output", "kernel").T)  # Keras (C, V) -> (V, C)
            _copy(model.output.bias, weight("output", "bias"))
    return model


def _copy_cudnn_lstm(lstm: nn.LSTM, kernel: np.ndarray, recurrent_kernel: np.ndarray, bias: np.ndarray) -> None:
    """Copy one LSTM layer saved by Keras' CuDNNLSTM (the model was trained on a GPU).

    The bias has 8H entries: cuDNN, like PyTorch, keeps an input and a recurrent bias.
    Gates come in the same order (i, f, g, o). Each gate's block of the Keras-shaped
    kernel (in, H) holds cuDNN's row-major (H, in) matrix; Keras undoes this when it
    loads the file (``kernel.T.reshape(kernel.shape, order="F")`` per gate), and in
    PyTorch's (4H, in) layout it is a plain reshape. cuDNN's gates use the logistic
    sigmoid (never Keras 1/2's hard_sigmoid), which is what ``nn.LSTM`` computes.
    """
    hidden = lstm.hidden_size
    weight_ih = np.concatenate([block.reshape(hidden, -1) for block in np.hsplit(kernel, 4)])  # (4H, in)
    weight_hh = np.concatenate([block.reshape(hidden, -1) for block in np.hsplit(recurrent_kernel, 4)])  # (4H, H)
    bias_ih, bias_hh = np.split(bias, 2)  # (4H,) each
    _copy(lstm.weight_ih_l0, weight_ih)
    _copy(lstm.weight_hh_l0, weight_hh)
    _copy(lstm.bias_ih_l0, bias_ih)
    _copy(lstm.bias_hh_l0, bias_hh)


def _copy(param: torch.Tensor, array: np.ndarray) -> None:
    if tuple(param.shape) != array.shape:  # copy_ would broadcast a wrong shape silently
        raise ValueError(f"weight of shape {array.shape} in the file, the model expects {tuple(param.shape)}")
    param.copy_(torch.from_numpy(np.ascontiguousarray(array)))


def _carrier_or_copy(carrier: tuple[str, str], sha256: str, path: str | Path | None) -> Path:
    if path is None:
        return carrier_file(*carrier, sha256=sha256, pip_spec=_PIP_SPEC)
    remedy = f"Pass the original file from {_PIP_SPEC}, or None to use the installed one."
    return verify_sha256(path, sha256, remedy)


def char_lstm_pretrained(
    weights_path: str | Path | None = None, vocab_path: str | Path | None = None
) -> tuple[CharLSTM, Vocab]:
    """textgenrnn's pretrained character LSTM in eval mode, and its vocabulary.

    The vocabulary (465 tokens: ``<pad>`` at 0, 463 characters, ``<s>`` at 464) is also
    ``model.vocab``; ``model.encode(text)`` makes the (1, 40) input and
    ``model.generate(prefix, temperature=..., seed=...)`` writes text. Both files come
    from the installed ``textgenrnn==2.0.0`` sdist (``pip install --no-deps``) and are
    checked by sha256; other paths must be byte-identical copies.
    """
    vocab = read_textgenrnn_vocab(_carrier_or_copy(_VOCAB, _VOCAB_SHA256, vocab_path))
    model = CharLSTM(vocab)
    load_textgenrnn_weights(model, _carrier_or_copy(_WEIGHTS, _WEIGHTS_SHA256, weights_path))
    return model.eval(), vocab
