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
# # 12. Sequence-to-sequence models (시퀀스-투-시퀀스)
#
# Every model of Part II turned a sequence into either one answer (a class, a forecast)
# or one answer per input position (the next character). Many tasks fit neither shape.
# A translation has its own length and its own word order; a summary is much shorter
# than its article; `Saturday, November 21, 2026` (27 characters) means the same as
# `2026-11-21` (10). A {term}`sequence-to-sequence <sequence-to-sequence model>`
# (시퀀스-투-시퀀스) model handles them with two recurrent networks: an
# {term}`encoder` (인코더) reads the whole input and compresses it into one vector, the
# {term}`context vector` (문맥 벡터), and a {term}`decoder` (디코더) writes the output
# from that vector, one token at a time, until it decides to stop
# {cite:p}`sutskever2014seq2seq,cho2014gru`.
#
# **You will learn to**
# - describe the encoder-decoder and its special tokens `<sos>`, `<eos>` and `<pad>`,
#   and follow the shape of every tensor from the input characters to the output scores;
# - turn (input, output) text pairs into batches whose decoder inputs and targets are
#   shifted by one position, and say why;
# - write the encoder-decoder, `Seq2Seq`: the encoder's context vector, a
#   teacher-forced decoder and a greedy decoder, a few lines each;
# - set the {term}`teacher forcing` (교사 강요) ratio and say what
#   {term}`exposure bias` (노출 편향) is;
# - train a character-level model that rewrites dates in 11 English and Korean formats
#   as ISO dates (`YYYY-MM-DD`), and score it by {term}`exact match` (정확 일치) on days
#   it never saw;
# - measure the {term}`information bottleneck` (정보 병목): a smaller model of the same
#   kind, asked to reverse strings of digits, gets most short strings right and almost
#   none of the long ones;
# - translate real German captions into English: learn a {term}`byte-pair encoding`
#   vocabulary, train the same model briefly, then load the course's long-trained
#   translator;
# - write {term}`beam search` (빔 서치) with a {term}`length penalty` (길이 패널티), check
#   that it finds outputs the model rates higher than greedy decoding's, and compare
#   the two on BLEU.
#
# The dates and digit strings are generated here; the German-English pairs (Multi30k)
# are downloaded once and cached. Lesson 13 keeps the same model and tasks and removes
# the bottleneck with attention.
# It runs on the CPU, on a GPU runtime too, so that the numbers it asserts are the ones
# measured on a CPU; the Scale-up section says how to move the training to a GPU.

# %% tags=["remove-cell"]
# Runs only in Google Colab: installs the course package and sacrebleu (for BLEU);
# Multi30k, the one data set this lesson reads, downloads itself on first use.
import subprocess
import sys

if "google.colab" in sys.modules:
    REPO = "https://github.com/nlp-dl-course/nlp-deep-learning"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", f"nlpcourse @ git+{REPO}"],
        check=True,
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "sacrebleu==2.6.0"], check=True
    )

# %%
import datetime
import time
from collections import defaultdict

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.patches import FancyBboxPatch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from torch.utils.data import DataLoader

from nlpcourse import checkpoints, checks
from nlpcourse.bands import Headlines, lesson_seed
from nlpcourse.data import dates, multi30k
from nlpcourse.data.dates import FORMATS, format_date
from nlpcourse.data.toy import reversal_pairs
from nlpcourse.metrics import corpus_bleu
from nlpcourse.models.attention import padding_mask
from nlpcourse.text import PairCollate, pair_loaders
from nlpcourse.train import evaluate, fit, seed_everything
from nlpcourse.translate import anchor_bleu, translate

# The training seed: change it to see how much the numbers below move (`make bench`
# reruns the lesson with seeds 0 to 4, and the headline numbers print their band).
SEED = lesson_seed()
# One thread, even where two are free: a second one saves only about 15% here (these
# recurrent steps are small), and it adds the numbers up in another order, which is
# enough to move this lesson's results by a few points (see exercise 4). The bands
# are measured with one thread too.
torch.set_num_threads(1)
seed_everything(SEED)
headlines = Headlines("12_seq2seq")
lesson_start = time.perf_counter()

# %% [markdown]
# ## 1. Two recurrent networks and one vector
#
# The encoder is an RNN like those of lesson 07, here a GRU (lesson 08). It reads the
# source tokens $x_1 \dots x_S$ and keeps only its last hidden state, the context vector
# $c$:
#
# $$
# h_i = \mathrm{GRU}_{\text{enc}}\big(\mathrm{Emb}_{\text{src}}(x_i),\, h_{i-1}\big),
# \quad i = 1, \dots, S, \qquad c = h_S .
# $$
#
# The decoder is the character language model of lesson 11 with two changes: its first
# state is $c$ instead of zeros, and its first input is a special token `<sos>` (start
# of sequence), because at step 1 there is no previous output to read:
#
# $$
# s_0 = c, \qquad s_t = \mathrm{GRU}_{\text{dec}}\big(\mathrm{Emb}_{\text{tgt}}(y_{t-1}),\,
# s_{t-1}\big), \qquad P(y_t \mid y_{<t}, x) = \mathrm{softmax}(W s_t + b),
# $$
#
# with $y_0 = $ `<sos>`. Multiplying these probabilities gives the probability of a whole
# output, $P(y \mid x) = \prod_t P(y_t \mid y_{<t}, x)$: a *conditional* language
# model, conditioned on the input through $c$ alone. The output ends with a second
# special token, `<eos>` (end of sequence). Writing `<eos>` is how the decoder says "done",
# so the model, not the programmer, chooses the output length. Two more specials
# belong to batching: `<pad>` fills the short sequences of a batch to a common length
# (the encoder skips it, the loss ignores it), and `<unk>` stands for any token that
# never occurred in training.
#
# The two networks share nothing but $c$. They have separate embeddings, since
# source and target may be different languages or alphabets, and separate weights.
# Training minimises the cross-entropy of every target token, end to end: the gradient
# of the decoder's mistakes flows back through $c$ into the encoder, which therefore
# learns to put into $c$ whatever the decoder needs. The figure shows one example from
# this lesson's task.


# %% mystnb={"image": {"alt": "Diagram of the encoder-decoder on one date: a row of encoder GRU boxes reads the characters of 'Nov 21, 2026' one per step into a context vector c; a row of decoder GRU boxes starts from c, reads <sos> and then the target, and writes 2026-11-21 one character per step, followed by <eos>."}} tags=["hide-input"]
def draw_encoder_decoder(source, target):
    """A box diagram of the encoder-decoder reading `source` and writing `target`."""
    show = lambda token: "␣" if token == " " else token  # make spaces visible
    tgt_in, tgt_out = ["<sos>", *target], [*target, "<eos>"]
    gap = 1.6  # horizontal room for the context vector
    c_x = len(source) - 1 + gap  # where the context vector sits
    dec_x = [c_x + gap + t for t in range(len(tgt_in))]
    fig, ax = plt.subplots(figsize=(13, 3.2))

    def box(x, y, color, text=""):
        ax.add_patch(
            FancyBboxPatch(
                (x - 0.34, y - 0.3), 0.68, 0.6,
                boxstyle="round,pad=0.03", fc=color, ec="black"
            )
        )
        ax.text(x, y, text, ha="center", va="center", fontsize=9)

    def arrow(x0, y0, x1, y1, **style):
        ax.annotate(
            "", (x1, y1), (x0, y0), arrowprops=dict(arrowstyle="->", lw=0.8, **style)
        )

    for i, char in enumerate(source):  # encoder: one GRU step per source character
        box(i, 1, "#cfe2f3")
        ax.text(i, 0.2, show(char), ha="center", fontsize=11)
        arrow(i, 0.42, i, 0.68)
        if i:
            arrow(i - 0.64, 1, i - 0.36, 1)
    box(c_x, 1, "#f9cb9c", "c")
    arrow(len(source) - 1 + 0.36, 1, c_x - 0.36, 1)
    arrow(c_x + 0.36, 1, dec_x[0] - 0.36, 1)
    for t, x in enumerate(dec_x):  # decoder: reads tgt_in[t], writes tgt_out[t]
        box(x, 1, "#d9ead3")
        ax.text(x, 0.2, tgt_in[t], ha="center", fontsize=9 if t == 0 else 11)
        ax.text(
            x, 1.75, tgt_out[t], ha="center", fontsize=9 if t == len(dec_x) - 1 else 11
        )
        arrow(x, 0.42, x, 0.68)
        arrow(x, 1.32, x, 1.62)
        if t:
            arrow(x - 0.64, 1, x - 0.36, 1)
    ax.text((len(source) - 1) / 2, -0.45, "encoder: reads the source", ha="center")
    ax.text(c_x, 1.5, "context\nvector", ha="center", fontsize=9)
    ax.text((dec_x[0] + dec_x[-1]) / 2, -0.45,
            "decoder: reads <sos> + target, writes target + <eos>", ha="center")
    ax.set(xlim=(-0.7, dec_x[-1] + 0.7), ylim=(-0.7, 2.1))
    ax.axis("off")
    plt.show()


draw_encoder_decoder("Nov 21, 2026", "2026-11-21")

# %% [markdown]
# The encoder made 12 steps and the decoder 11 (10 characters and `<eos>`); nothing ties
# one length to the other. Every blue box is the same GRU with the same weights, and so
# is every green box. In training, the decoder's inputs along the bottom are the *true*
# target characters; when it generates on its own, each output is fed back as the next
# input.
#
# ## 2. The task: dates, written eleven ways
#
# `nlpcourse.data.dates` draws days from one century (a cell below prints the first
# and last) and writes each in one of 11 formats, English and Korean; the target is
# always the ISO 8601 form `YYYY-MM-DD`. Here is one day in all of them.

# %%
day = datetime.date(2026, 11, 21)
for style in FORMATS:
    print(f"{style:15s} {format_date(day, style)!r:34} -> {day.isoformat()}")

# %% [markdown]
# It is a good first task for a sequence-to-sequence model:
#
# - **One right answer.** Every format states year, month and day unambiguously (no
#   two-digit years; the day-first format uses dots, the month-first one slashes), so an
#   output is either right or wrong and exact match is a fair score. Translation has
#   many right answers and needs a softer score (lesson 13 uses BLEU).
# - **Real sequence-to-sequence structure, in miniature.** Inputs of 8 to 29
#   characters become 10; month names become numbers; the year moves from the end of
#   `11/21/2026` to the front, and single digits gain a leading zero.
# - **No download, no limit.** The pairs are generated, so we can ask for as many as the
#   time budget allows, and the same arguments always give the same pairs.
# - **An honest test.** About one day in ten is held out: those days occur only in the
#   validation and test pairs, in any format, so the test measures whether the model
#   learned to *read* dates, not whether it remembers them.
#
# We take 22,000 training pairs, 500 for validation and 1,000 for testing.

# %%
pairs = dates(n_train=22_000, n_valid=500, n_test=1_000, seed=0)
for source, target in pairs["train"][:4]:
    print(f"{source!r:34} -> {target}")
train_days = {target for _, target in pairs["train"]}
test_days = {target for _, target in pairs["test"]}
assert not train_days & test_days  # no test day was ever seen in training
source_lengths = [len(source) for source, _ in pairs["train"]]
print(f"{len(train_days):,} distinct training days; {len(test_days)} test days, "
      "none of them in training")
print(f"source lengths {min(source_lengths)} to {max(source_lengths)} characters; "
      "target 10")
print(f"days from {min(train_days | test_days)} to {max(train_days | test_days)}")

# %% [markdown]
# **From pairs to batches.** `pair_loaders` (in `nlpcourse.text`) splits every text into
# characters, builds one {term}`vocabulary` per side on the training pairs, with the
# four specials first (`<pad>` = 0, `<sos>` = 1, `<eos>` = 2, `<unk>` = 3), and returns
# a shuffled training loader and ordered validation and test loaders. Each batch is a
# tuple `(src, src_lengths, tgt_in, tgt_out)`:
#
# | tensor | shape | holds |
# |---|---|---|
# | `src` | (B, S) | source ids, padded with `<pad>` to the longest source in the batch |
# | `src_lengths` | (B,) | how many of each row's S positions are real |
# | `tgt_in` | (B, T) | `<sos>` followed by the target: what the decoder **reads** |
# | `tgt_out` | (B, T) | the target followed by `<eos>`: what it must **write** |
#
# `tgt_in` and `tgt_out` are the same sequence shifted by one position, exactly like
# the inputs and targets of lesson 11's language model: at step $t$ the decoder reads
# the true character $t - 1$ and is scored on character $t$. Feeding the true previous
# character, whatever the model predicted, is teacher forcing; section 4 comes back to
# it.
#
# The four tensors come from the loaders' collate function, which turns a list of
# (source ids, target ids) pairs into one batch; it is where the shift happens, so we
# write it out. (`#@save` marks code that `nlpcourse` keeps verbatim, as in the lessons
# before; `pair_loaders`, which builds the vocabularies and the loaders around it, is
# bookkeeping and stays in the package.)

# %%
#@save nlpcourse/text.py
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


# %%
data = pair_loaders(pairs, "char", batch_size=64, seed=SEED)
SRC_V, TGT_V = len(data.src_vocab), len(data.tgt_vocab)
PAD, SOS, EOS = (data.tgt_vocab[token] for token in ("<pad>", "<sos>", "<eos>"))
print(f"source vocabulary: {SRC_V} characters "
      "(Latin and Hangul letters, digits, '.,/ ')")
print(f"target vocabulary: {TGT_V}: {data.tgt_vocab.itos}")
assert (PAD, SOS, EOS) == (0, 1, 2) and TGT_V == 15

src, src_lengths, tgt_in, tgt_out = next(iter(data.validation))
print("src", tuple(src.shape), "src_lengths", tuple(src_lengths.shape),
      "tgt_in", tuple(tgt_in.shape), "tgt_out", tuple(tgt_out.shape))
row = 0
print("source :", repr(pairs["validation"][row][0]), "length", src_lengths[row].item())
print("src ids:", src[row].tolist())
print(f"{'t':>7}:", " ".join(f"{t:>5}" for t in range(tgt_in.shape[1])))
print(f"{'tgt_in':>7}:",
      " ".join(f"{tok:>5}" for tok in data.tgt_vocab.lookup_tokens(tgt_in[row])))
print(f"{'tgt_out':>7}:",
      " ".join(f"{tok:>5}" for tok in data.tgt_vocab.lookup_tokens(tgt_out[row])))
# the same characters, shifted by one
assert torch.equal(tgt_in[:, 1:], tgt_out[:, :-1])
assert (tgt_in[:, 0] == SOS).all() and (tgt_out[:, -1] == EOS).all()
# the loaders collate with the package's PairCollate, which is ours: the same batch
first_pairs = data.validation.dataset[: len(src)]  # (source ids, target ids) pairs
ours = PairCollate(PAD, SOS, EOS)(first_pairs)
assert all(torch.equal(a, b) for a, b in zip(ours, (src, src_lengths, tgt_in, tgt_out)))

# %% [markdown]
# All targets have 10 characters, so `tgt_in` and `tgt_out` need no padding here; the
# sources do, and `src_lengths` records where each one ends.
#
# ## 3. The model, written out
#
# The model of section 1 takes two pieces of code. The first is one step of the
# decoder: a `nn.GRUCell` (one step at a time, because in generation the next input is
# not known until the current output is chosen) and a linear layer that scores every
# target token. Its `forward` also takes `memory` and `mask`, the encoder's outputs and
# the padding of the source, and ignores them: this decoder knows the source only
# through its state. Lesson 13 writes a second decoder that reads them.

# %%
#@save nlpcourse/models/seq2seq.py
class Decoder(nn.Module):
    """One step of the context-vector decoder: a GRU cell, then a linear layer over the
    target vocabulary.

    ``forward(embedded (B, E), state (B, H), memory, mask)`` returns the logits (B, V),
    the new state (B, H) and None. The first state is the encoder's last one, and the
    state is all this decoder ever knows of the source: ``memory`` and ``mask`` (the
    encoder's outputs and the source padding) are there for :class:`AttentionDecoder`,
    which reads them, and are ignored here.
    """

    def __init__(self, embedding_dim, hidden_size, vocab_size, dropout=0.0):
        super().__init__()
        self.cell = nn.GRUCell(embedding_dim, hidden_size)
        self.dropout = nn.Dropout(dropout)  # on the state, before the output layer
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, embedded, state, memory=None, mask=None):
        state = self.cell(embedded, state)  # (B, H)
        return self.out(self.dropout(state)), state, None  # (B, V), (B, H), no weights


# %% [markdown]
# The second is `Seq2Seq`, the whole model. Its methods are the parts of section 1:
#
# - `__init__`: two embeddings (source and target have their own alphabets), the
#   encoder `nn.GRU`, and the decoder above. `attention=` stays `None` in this lesson;
#   lesson 13 writes the `AttentionDecoder` that it selects.
# - `encode`: the encoder reads the source as a {term}`packed sequence` (lesson 10), so
#   it stops at each row's last real character and never reads the `<pad>` after it;
#   its last state is the context vector $c$. It also returns its output at every
#   position and a padding mask (lesson 13's decoder looks at them; here they go
#   unused).
# - `step`: embed one token and run one decoder step from the given state.
# - `forward`: the teacher-forced loop, $s_0 = c$, reading `tgt_in` and returning the
#   scores for every position of `tgt_out`; its `teacher_forcing` ratio is section 4.
# - `greedy_decode`: generation from the source alone (section 5).
#
# The checks at the top of `encode` and `forward` are one-line calls into
# `nlpcourse.checks`: ids outside the vocabulary or lengths that do not fit the batch
# get an error that says so.

# %%
#@save nlpcourse/models/seq2seq.py
class Seq2Seq(nn.Module):
    """GRU encoder, GRU decoder; ``attention`` None (the context vector only, a
    :class:`Decoder`), ``"dot"`` or ``"additive"`` (an :class:`AttentionDecoder`).

    Without attention the decoder starts from the encoder's last state and sees nothing
    else of the source: the information bottleneck (정보 병목) of lesson 12. With
    attention each decoder step also reads a weighted average of all encoder outputs,
    with weights computed from its current state.

    ``teacher_forcing`` (default 1.0) is the probability that a training step feeds the
    true previous token rather than the model's own prediction; set it on the model
    (``model.teacher_forcing = 0.5``); in eval mode ``forward`` always feeds the true
    tokens (a validation loss), and :meth:`greedy_decode` never sees the targets.
    """

    def __init__(
        self,
        src_vocab_size: int,
        tgt_vocab_size: int,
        embedding_dim: int = 64,
        hidden_size: int = 128,
        attention: str | None = None,
        sos_index: int = 1,
        eos_index: int = 2,
        pad_index: int = 0,
        dropout: float = 0.0,
    ):
        super().__init__()
        self.attention = attention
        self.sos_index, self.eos_index, self.pad_index = sos_index, eos_index, pad_index
        self.teacher_forcing = 1.0
        E, H = embedding_dim, hidden_size
        self.src_embedding = nn.Embedding(src_vocab_size, E, padding_idx=pad_index)
        self.tgt_embedding = nn.Embedding(tgt_vocab_size, E, padding_idx=pad_index)
        self.encoder = nn.GRU(E, H, batch_first=True)
        if attention is None:
            self.decoder = Decoder(E, H, tgt_vocab_size, dropout)
        else:  # lesson 13's decoder, which looks back at the encoder's outputs
            self.decoder = AttentionDecoder(E, H, tgt_vocab_size, attention, dropout)
        self.dropout = nn.Dropout(dropout)  # on the embeddings

    def encode(self, src, src_lengths):
        """Encoder outputs (B, S, H), last state (B, H) and the source padding mask
        (B, S), True at padding."""
        src = checks.token_ids(src, "Seq2Seq", self.src_embedding.num_embeddings)
        lengths = checks.lengths(src_lengths, len(src), src.shape[1], "Seq2Seq")
        embedded = self.dropout(self.src_embedding(src))  # (B, S, E)
        # a packed batch skips the padding: each row stops at its own last token
        packed = pack_padded_sequence(
            embedded, lengths, batch_first=True, enforce_sorted=False
        )
        outputs, last = self.encoder(packed)  # last: (1, B, H)
        outputs, _ = pad_packed_sequence(
            outputs, batch_first=True, total_length=src.shape[1]
        )  # (B, S, H), zeros at padding
        return outputs, last[0], padding_mask(lengths, src.shape[1]).to(src.device)

    def step(self, token, state, memory, mask):
        """Read one token (B,); return logits (B, V), the new state (B, H) and the
        attention weights (B, S), None without attention."""
        embedded = self.dropout(self.tgt_embedding(token))  # (B, E)
        return self.decoder(embedded, state, memory, mask)

    def forward(self, src, src_lengths, tgt_in):
        """Logits (B, T, V) for every target position; ``tgt_in`` (B, T) starts with
        <sos>."""
        memory, state, mask = self.encode(src, src_lengths)  # state: the context vector
        tgt_in = checks.word_ids(tgt_in, (len(state), "T"), "Seq2Seq's tgt_in",
                                 self.tgt_embedding.num_embeddings)  # (B, T)
        token = tgt_in[:, 0]  # <sos>
        all_logits = []
        for t in range(tgt_in.shape[1]):
            logits, state, _ = self.step(token, state, memory, mask)  # (B, V)
            all_logits.append(logits)
            if t + 1 < tgt_in.shape[1]:
                # teacher forcing: one coin per step for the whole batch; in eval mode
                # (a validation loss) the true tokens are always fed
                forced = not self.training or torch.rand(()) < self.teacher_forcing
                token = tgt_in[:, t + 1] if forced else logits.argmax(-1)
        return torch.stack(all_logits, dim=1)  # (B, T, V)

    @torch.no_grad()
    def greedy_decode(self, src, src_lengths, max_len=20):
        """Token ids (B, L) up to and including <eos> (then padding), and the attention
        weights (B, L, S) (None without attention). Uses only the source."""
        max_len = checks.positive_int("max_len", max_len)
        was_training = self.training
        self.eval()
        memory, state, mask = self.encode(src, src_lengths)
        token = torch.full((len(state),), self.sos_index, device=state.device)  # (B,)
        done = torch.zeros(len(state), dtype=torch.bool, device=state.device)
        tokens, weights = [], []
        for _ in range(max_len):
            logits, state, attention = self.step(token, state, memory, mask)
            # the most likely token, fed back at the next step; padding after <eos>
            token = logits.argmax(-1).masked_fill(done, self.pad_index)  # (B,)
            tokens.append(token)
            weights.append(attention)
            done |= token == self.eos_index
            if done.all():  # every row has written <eos>
                break
        self.train(was_training)
        if weights[0] is not None:
            weights = torch.stack(weights, dim=1)  # (B, L, S)
        else:
            weights = None
        return torch.stack(tokens, dim=1), weights  # (B, L)

    def init_decoding(self, src, src_lengths):
        """The decoder's starting state for :meth:`decode_step` (and for
        ``nlpcourse.translate.beam_search``): a dict of tensors, batch first."""
        memory, state, mask = self.encode(src, src_lengths)
        return {"state": state, "memory": memory, "mask": mask}

    def decode_step(self, token, cache):
        """Logits (B, V) of the token after ``token`` (B,), and the next state."""
        logits, state, _ = self.step(
            token, cache["state"], cache["memory"], cache["mask"]
        )
        return logits, {**cache, "state": state}


# %% [markdown]
# We build one with embeddings of $E = 32$ and hidden states of $H = 128$ and follow
# the shapes.

# %%
EMBED, HIDDEN = 32, 128
model = Seq2Seq(SRC_V, TGT_V, embedding_dim=EMBED, hidden_size=HIDDEN).eval()
print(model)
encoder_states, context, source_mask = model.encode(src, src_lengths)
print("encoder states", tuple(encoder_states.shape),
      "# (B, S, H): one per source position")
print("context vector", tuple(context.shape),
      "# (B, H): the last real state of each row")
logits = model(src, src_lengths, tgt_in)
print("decoder logits", tuple(logits.shape),
      "# (B, T, V_tgt): scores for every output position")
assert logits.shape == (*tgt_out.shape, TGT_V)

# %% [markdown]
# Why pack? Without packing, the encoder runs over the padded batch in one call, as in
# lesson 07, and steps through the `<pad>` positions of short rows too; the context
# vector must then be picked at each row's **last real character**, position
# `length - 1`, not at the end of the padded row. That gives the same vector as the
# packed batch, and the state at the end of a padded row is a different one:


# %%
def context_by_hand(model, src, src_lengths):
    """The context vector (B, H): the encoder's state after each row's
    last real token, from a run over the padding."""
    embedded = model.src_embedding(src)  # (B, S, E)
    states, _ = model.encoder(embedded)  # (B, S, H), computed over the padding too
    return states[torch.arange(len(src)), src_lengths - 1]  # (B, H)


with torch.no_grad():
    ours = context_by_hand(model, src, src_lengths)
    assert torch.allclose(ours, context, atol=1e-6)
    # the state at the end of the padded rows is NOT the context vector
    padded_end = model.encoder(model.src_embedding(src))[0][:, -1]  # (B, H)
    shorter = src_lengths < src.shape[1]
    assert not torch.allclose(padded_end[shorter], context[shorter], atol=1e-3)
print(f"picked at length - 1, the context vector is the packed encoder's; "
      f"{shorter.sum().item()} of {len(src)} rows would get a wrong one without "
      "their lengths")

# %% [markdown]
# ## 4. Teacher forcing, and what it hides
#
# In training, the decoder reads the true previous character even when its own
# prediction was wrong. That is teacher forcing {cite:p}`williams1989teacher`, met in
# lesson 11 for language models: every step starts from the right context, so every
# position gives a clean learning signal, and early in training, when the model's own
# outputs are nonsense, it still learns from the steps after its first mistake.
#
# At test time there is no true target to read: the decoder reads its own outputs. So it
# is trained on one input distribution and used on another; its first mistake puts it in
# a situation it never met in training, and one error can cause the next.
# {cite:t}`ranzato2016sequence` named this mismatch **exposure bias** (노출 편향): the model
# is never exposed to its own predictions during training. {cite:t}`bengio2015scheduled`
# proposed **scheduled sampling**: at each step, feed the true token with probability
# $\epsilon$ and the model's own prediction otherwise, and lower $\epsilon$ during
# training from 1 towards 0, so the model gradually learns to recover from its own
# mistakes. In `Seq2Seq` the probability is an attribute, `model.teacher_forcing`
# (default 1.0): a training step of `forward` draws one coin per position for the
# whole batch; in eval mode the model always reads the true tokens.
#
# Here is what the still untrained decoder reads with ratio 1.0 and 0.5, for one row.
# To see what `forward` feeds the decoder we record every token that goes into the
# target embedding, with a forward hook (a function PyTorch calls after a layer runs).

# %%
read = []  # the tokens the decoder reads, one (B,) tensor per step
hook = model.tgt_embedding.register_forward_hook(
    lambda layer, inputs, output: read.append(inputs[0])
)
model.train()  # teacher forcing below 1 acts in training only
model.teacher_forcing = 0.5
torch.manual_seed(1)  # the coins
with torch.no_grad():
    model(src, src_lengths, tgt_in)
hook.remove()
model.teacher_forcing = 1.0
model.eval()
read_half = torch.stack(read, dim=1)  # (B, T)
tokens = lambda ids: " ".join(f"{tok:>5}" for tok in data.tgt_vocab.lookup_tokens(ids))
print(f"{'ratio 1.0':>9}:", tokens(tgt_in[row]))
print(f"{'ratio 0.5':>9}:", tokens(read_half[row]))
own_guess = read_half != tgt_in  # (B, T): steps that read the model's own prediction
print(f"{own_guess.any(dim=0).sum().item()} of {tgt_in.shape[1]} steps "
      "read the model's own guess")
assert own_guess.any() and torch.equal(read_half[:, 0], tgt_in[:, 0])

# %% [markdown]
# The untrained model's guesses are near random, so at ratio 0.5 the decoder would learn
# from inputs that are half noise. That is why scheduled sampling starts at 1 and
# decreases. We train with the default, 1.0, and measure in section 5 how much exposure
# bias costs this model.
#
# ## 5. Training on dates
#
# Training minimises the cross-entropy of every target character, `<eos>` included,
# with `ignore_index` set to `<pad>` so that padding is never scored (the date targets
# have none, the digit strings of section 7 do). `fit` from `nlpcourse.train` calls
# `model(src, src_lengths, tgt_in)` and compares the (B, T, V) logits with `tgt_out`,
# keeps the weights with the lowest validation loss and restores them at the end. To
# draw a curve with one point per step we record the training loss inside the loss
# function: `evaluate` runs without gradients, so its calls are left out.
#
# **The recipe**, sized by steps to fit the lesson's time budget: 22,000 pairs, 2 epochs
# of batches of 64, {term}`Adam <Adam optimizer>` at learning rate $10^{-2}$
# {cite:p}`kingma2015adam`, embeddings of 32, hidden states of 128. The cell prints the
# number of steps and how long they took on your machine's one CPU thread.

# %%
EPOCHS, LR = 2, 1e-2
step_losses = []


def target_loss(logits, targets):
    """Cross-entropy over the real target tokens; records each training step's value."""
    loss = F.cross_entropy(logits, targets, ignore_index=PAD)
    if torch.is_grad_enabled():  # a training step of fit (evaluate runs under no_grad)
        step_losses.append(loss.item())
    return loss


seed_everything(SEED)
model = Seq2Seq(SRC_V, TGT_V, embedding_dim=EMBED, hidden_size=HIDDEN)
initial_val_loss, _ = evaluate(model, data.validation, loss_fn=target_loss)
history = fit(
    model,
    data.train,
    data.validation,
    epochs=EPOCHS,
    optimizer=torch.optim.Adam(model.parameters(), lr=LR),
    loss_fn=target_loss,
    progress=False,
)
train_seconds = history.seconds
steps_per_epoch = len(data.train)
print(f"{len(step_losses)} steps in {train_seconds:.1f} s; validation loss per epoch "
      f"{[round(v, 3) for v in history.val_loss]}; kept epoch {history.best_epoch + 1}")
final_train_loss = np.mean(step_losses[-20:])
print(f"validation loss before training {initial_val_loss:.2f} "
      f"(log {TGT_V} = {np.log(TGT_V):.2f}); training loss over the last 20 steps "
      f"{final_train_loss:.3f}")
assert history.val_loss[-1] < initial_val_loss / 10  # more than an order of magnitude
assert history.val_loss[-1] < history.val_loss[-2] / 2  # still falling fast at the end
assert history.val_loss[-1] < 3 * final_train_loss  # held-out days: no memorising

# %% mystnb={"image": {"alt": "Training loss of the context-vector Seq2Seq model on dates at every step (raw and as a 20-step mean), on a log scale, with the validation loss on held-out days after each epoch; both fall by more than an order of magnitude."}}
fig, ax = plt.subplots(figsize=(7, 3.5))
steps = np.arange(1, len(step_losses) + 1)
# 20-step running mean
smooth = np.convolve(step_losses, np.ones(20) / 20, mode="valid")
ax.plot(steps, step_losses, color="C0", alpha=0.25)
ax.plot(steps[19:], smooth, color="C0", label="training (20-step mean)")
val_steps = [0] + [steps_per_epoch * (e + 1) for e in range(len(history.val_loss))]
ax.plot(val_steps, [initial_val_loss, *history.val_loss], "o", color="C1",
        label="validation (held-out days), after each epoch")
ax.set(xlabel="step", ylabel="loss (nats per character)", yscale="log",
       title="Context-vector Seq2Seq on dates")
ax.legend()
plt.show()

# %% [markdown]
# The loss starts at $\log 15 \approx 2.7$, drops quickly to about 1 once the model
# has learned what an ISO date looks like (`19` or `20`, a dash, a month that starts
# with 0 or 1), and then keeps falling by more than an order of magnitude as it learns to
# read the input. The validation loss, on days never seen in training, follows the
# training loss: the model generalises rather than memorises.
#
# **Exact match.** The loss scores teacher-forced predictions. The real test is to
# generate: `greedy_decode` reads only the source and, at every step, feeds back the
# single most likely character ({term}`greedy decoding`, 탐욕적 디코딩, as in lesson 11)
# until it writes `<eos>`. Exact match is the share of test inputs whose whole output is
# right; per-character accuracy is the share of the 10 output positions that are right.
# Chance level for exact match is essentially zero.
#
# `PairLoaders.greedy_outputs(model, split, max_len)` runs `greedy_decode` over every
# batch of a split and turns each row of ids, and each true target, back into text
# (`decode_target`); lessons 13 and 14 score their models with it too.


# %%
def char_accuracy(output, truth):
    """Share of the true characters that the output has at the same position."""
    return sum(o == t for o, t in zip(output, truth)) / len(truth)


test_sources = [source for source, _ in pairs["test"]]
test_truths = [target for _, target in pairs["test"]]
start = time.perf_counter()
test_outputs, decoded_truths = data.greedy_outputs(
    model, "test", max_len=12  # 10 characters + <eos>
)
assert decoded_truths == test_truths  # the test loader keeps the order of pairs["test"]
decode_seconds = time.perf_counter() - start
exact = np.mean([o == t for o, t in zip(test_outputs, test_truths)])
per_char = np.mean([char_accuracy(o, t) for o, t in zip(test_outputs, test_truths)])
print(f"greedy decoding of {len(test_outputs):,} test dates in {decode_seconds:.2f} s")
print(f"exact match {exact:.3f}, per-character accuracy {per_char:.3f}")
headlines.report("dates: exact match", exact)
headlines.report("dates: per-character accuracy", per_char)
assert exact > 0.8 and per_char > 0.95

# %% [markdown]
# The band beside each number is the range of five training seeds on the course's
# machine. The asserts ask for more than 0.8 and 0.95: the model is still learning fast
# when training ends, so a little more or less luck with the seed moves exact match by
# several points.
#
# The course package holds `Decoder` and `Seq2Seq` exactly as this lesson wrote them
# (the `#@save` cells; a test of the course compares the two), and lessons 13 and 14
# import them from there. Loaded with the trained weights, the package's model gives the
# same scores and the same greedy outputs:

# %%
from nlpcourse.models.seq2seq import Seq2Seq as PackageSeq2Seq

package_model = PackageSeq2Seq(SRC_V, TGT_V, embedding_dim=EMBED, hidden_size=HIDDEN)
package_model.load_state_dict(model.state_dict())
package_model.eval()
model.eval()
src, src_lengths, tgt_in, tgt_out = next(iter(data.test))
with torch.no_grad():
    assert torch.equal(package_model(src, src_lengths, tgt_in),
                       model(src, src_lengths, tgt_in))
package_ids, _ = package_model.greedy_decode(src, src_lengths, max_len=12)
package_outputs = [data.decode_target(row) for row in package_ids.tolist()]
assert package_outputs == test_outputs[: len(src)]
print(f"nlpcourse's Seq2Seq writes our outputs on {len(src)} test dates")

# %% [markdown]
# Some outputs, right and wrong:

# %%
right = [i for i, (o, t) in enumerate(zip(test_outputs, test_truths)) if o == t]
wrong = [i for i, (o, t) in enumerate(zip(test_outputs, test_truths)) if o != t]
for label, chosen in [("right", right[:5]), ("wrong", wrong[:8])]:
    for i in chosen:
        mark = "  " if label == "right" else "x "
        print(f"{mark}{test_sources[i]!r:34} -> {test_outputs[i]:12} "
              f"(true {test_truths[i]})")
print(f"{len(wrong)} wrong of {len(test_truths)}")


def iso_shaped(text):
    """Whether text looks like YYYY-MM-DD (digits and two dashes in place)."""
    return (len(text) == 10 and text[4] + text[7] == "--"
            and (text[:4] + text[5:7] + text[8:]).isdigit())


shaped = sum(iso_shaped(test_outputs[i]) for i in wrong)
near = sum(sum(o != t for o, t in zip(test_outputs[i], test_truths[i])) <= 2
           for i in wrong)
print(f"of the wrong outputs, {shaped} have the shape YYYY-MM-DD and {near} differ "
      "from the truth in at most two characters")
assert shaped >= 0.95 * len(wrong) and near >= 0.5 * len(wrong)

# %% [markdown]
# The mistakes are near misses: nearly every wrong output has the right shape, and most
# differ from the truth in one or two characters. The model has learned the structure
# of the task; what it lacks is precision in what $c$ remembers.
#
# **Exposure bias, measured.** With teacher forcing, a wrong character does no harm to
# the next step; in greedy decoding, the model reads its own wrong character. Comparing
# per-character accuracy in both modes on the test set shows how much reading its own
# output costs.

# %%
forced_right = total_chars = 0
with torch.no_grad():
    for src, src_lengths, tgt_in, tgt_out in data.test:
        # (B, T), teacher-forced
        guesses = model(src, src_lengths, tgt_in).argmax(dim=-1)
        # the 10 characters
        forced_right += (guesses[:, :10] == tgt_out[:, :10]).sum().item()
        total_chars += tgt_out[:, :10].numel()
forced_accuracy = forced_right / total_chars
print(f"per-character accuracy: teacher-forced {forced_accuracy:.4f}, "
      f"free-running (greedy) {per_char:.4f}")
assert forced_accuracy >= per_char - 0.002
assert forced_accuracy - per_char < 0.02  # close: exposure bias costs little here

# %% [markdown]
# The two are close: reading its own outputs costs the model less than 0.02 of
# per-character accuracy. The outputs are only 10 characters long, and each character
# depends mostly on the input, so one wrong digit rarely leads to another. Exposure bias
# matters more for long outputs that depend on their own past, like the text of lesson
# 11.
#
# ## 6. Which formats are hard?
#
# `dates()` does not say which format it used, but we can recover it: each source
# matches exactly one format, except that May is written the same in `long` and `short`
# (we count those as `long`). Then we score each format separately.


# %% mystnb={"image": {"alt": "Horizontal bars of exact match on held-out test days for each of the 11 date formats, sorted from hardest to easiest, each labelled with its number of test dates, and a dashed line at the exact match over all formats."}}
def format_of(source, iso):
    """The first format in FORMATS that writes the day `iso` as `source`."""
    day = datetime.date.fromisoformat(iso)
    styles = [s for s in FORMATS if format_date(day, s) == source]
    assert len(styles) == 1 or styles == ["long", "short"]  # "May 5, 2026" is both
    return styles[0]


hits_by_format = defaultdict(list)
for source, output, truth in zip(test_sources, test_outputs, test_truths):
    hits_by_format[format_of(source, truth)].append(output == truth)
format_exact = {s: np.mean(hits) for s, hits in hits_by_format.items()}
order = sorted(format_exact, key=format_exact.get)

fig, ax = plt.subplots(figsize=(8, 3.5))
ax.barh([f"{s} ({len(hits_by_format[s])})" for s in order],
        [format_exact[s] for s in order])
ax.axvline(exact, color="grey", linestyle="--")  # all formats together
ax.set(xlabel="exact match on held-out days", xlim=(0, 1),
       title=f"Exact match per format (test dates); dashed: all formats, {exact:.2f}")
plt.show()
for s in order:
    print(f"{s:15s} {format_exact[s]:.2f}  e.g. {format_date(day, s)!r}")
KOREAN = ["korean", "korean_weekday", "korean_dot"]
WORD_MONTH = ["long", "long_weekday", "day_month", "ordinal", "short", "short_lower"]
korean_exact = np.mean([format_exact[s] for s in KOREAN])
word_exact = np.mean([format_exact[s] for s in WORD_MONTH])
counts = sorted(len(hits) for hits in hits_by_format.values())
n_typical = counts[len(counts) // 2]  # the median number of test dates per format
standard_error = np.sqrt(exact * (1 - exact) / n_typical)
print(f"mean exact match: Korean formats {korean_exact:.2f}, month as a word "
      f"{word_exact:.2f}")
print(f"{counts[0]} to {counts[-1]} test dates per format; the standard error of a "
      f"share of {exact:.2f} measured on {n_typical} dates is {standard_error:.2f}")

# %% [markdown]
# Where do the mistakes fall? An ISO date has fixed fields, so we can check the year
# (characters 1-4), the month (6-7) and the day (9-10) separately.

# %%
fields = {"year": slice(0, 4), "month": slice(5, 7), "day": slice(8, 10)}
wrong_field = {
    field: np.mean([o[chars] != t[chars] for o, t in zip(test_outputs, test_truths)])
    for field, chars in fields.items()
}
for field, share in wrong_field.items():
    print(f"wrong {field:5s} in {share:.1%} of the test dates")
# the day is wrong clearly more often than the year or the month
assert wrong_field["day"] > 1.5 * max(wrong_field["year"], wrong_field["month"])

# %% [markdown]
# Most mistakes are in the **day**: it is wrong clearly more often than the year or the
# month (the assert asks for one and a half times as often). The day is the last field
# the decoder writes, so it must keep the day in its state through eight characters of
# year and month, and the day has 31 values where the month has 12.
#
# The bars are harder to read than they look. Each rests on only about a hundred test
# dates, so differences of a few points between neighbouring bars are noise: the
# standard error printed under the chart is that size, and the order of the bars
# changes with the seed. Compare the mean of the Korean formats with that of the
# formats that spell the month as a word (both printed under the chart): a plausible
# reason for Korean formats to lag is that they start with the year, so the field the
# decoder writes first is the one the encoder read earliest and has overwritten most,
# and section 7 shows how much an RNN state loses of what it read long ago. Whether the
# gap is larger than the noise is exercise 5.
#
# ## 7. The information bottleneck
#
# Everything the decoder knows about the input is in $c$, a vector of $H = 128$
# numbers, however long the input is. {cite:t}`cho2014properties` found that the
# translations of such encoder-decoders got markedly worse as sentences got longer, and
# {cite:t}`bahdanau2015attention` called the fixed-length vector a bottleneck. Dates are
# short (8 to 29 characters) and mostly redundant (a weekday adds nothing the digits do
# not say), so on dates the effect is weak. Split by source length, the test exact
# match looks like this:

# %%
length_bins = [(8, 12), (13, 17), (18, 22), (23, 29)]
bin_exact = []
for low, high in length_bins:
    hits = [o == t for s, o, t in zip(test_sources, test_outputs, test_truths)
            if low <= len(s) <= high]
    bin_exact.append(np.mean(hits))
    print(f"source of {low:2d}-{high:2d} characters: exact match {bin_exact[-1]:.2f} "
          f"({len(hits)} dates)")
assert bin_exact[-1] > bin_exact[0] - 0.08  # the longest sources are not the hardest

# %% [markdown]
# No trend that hurts long inputs: the longest sources do about as well as the shortest
# or better (they are the weekday formats, whose extra words repeat what the date
# already says). For inputs of 8 to 29 characters, with this much redundancy, 128
# numbers are enough: the bottleneck does not show on dates.
#
# To see the bottleneck clearly we need a task where every input character matters and
# nothing can be guessed: **reversing a string of digits** (`reversal_pairs` in
# `nlpcourse.data.toy`), so that the input's last digit is the output's first. A string
# of $L$ random digits holds $L \log_2 10$ bits; all of them must pass through $c$
# before the first output digit is written, and the first digit the decoder needs is
# the one the encoder read last, the last one it needs the one read first.
#
# **The recipe.** The same model, half the size (embeddings 16, hidden 64, no
# attention), so that the bottleneck shows on strings short enough to train on quickly:
# strings of 4 to 10 digits, 7,000 training pairs (seed 0), 2 epochs of batches of 64,
# Adam at $10^{-2}$; 300 validation pairs (seed 1) and 2,000 test pairs (seed 2), a
# couple of hundred per length. Lesson 13 trains exactly this model again, beside one
# with attention. The cell prints the number of steps and how long they took.

# %%
MIN_LEN, MAX_LEN = 4, 10
REV_EMBED, REV_HIDDEN = 16, 64
reversal = {
    "train": reversal_pairs(7_000, MIN_LEN, MAX_LEN, seed=0),
    "validation": reversal_pairs(300, MIN_LEN, MAX_LEN, seed=1),
    "test": reversal_pairs(2_000, MIN_LEN, MAX_LEN, seed=2),
}
print(reversal["train"][:3])
rev_data = pair_loaders(reversal, "char", batch_size=64, seed=SEED)
seed_everything(SEED)
rev_model = Seq2Seq(len(rev_data.src_vocab), len(rev_data.tgt_vocab), REV_EMBED,
                    REV_HIDDEN)
rev_history = fit(
    rev_model,
    rev_data.train,
    rev_data.validation,
    epochs=2,
    optimizer=torch.optim.Adam(rev_model.parameters(), lr=1e-2),
    loss_fn=lambda logits, targets: F.cross_entropy(logits, targets, ignore_index=PAD),
    metric=None,  # fit's accuracy would count the padding positions
    progress=False,
)
rev_outputs, rev_truths = rev_data.greedy_outputs(
    rev_model, "test", max_len=MAX_LEN + 1
)
print(f"{2 * len(rev_data.train)} steps in {rev_history.seconds:.1f} s; validation "
      f"loss {[round(v, 3) for v in rev_history.val_loss]}")
print(f"{MAX_LEN} digits hold {MAX_LEN * np.log2(10):.0f} bits; c holds "
      f"{REV_HIDDEN} numbers")

# %% mystnb={"image": {"alt": "Reversing digit strings through one context vector. Left: exact match and per-character accuracy against string length, both falling as strings grow, per-character staying above the 0.1 chance line. Right: heatmap of the share of right digits by output position and string length; the first few output digits, the last ones the encoder read, stay right at every length, the later ones are mostly wrong."}}
lengths = np.arange(MIN_LEN, MAX_LEN + 1)
exact_by_length, char_by_length = [], []
# (length, output position)
right_by_position = np.full((len(lengths), MAX_LEN), np.nan)
for k, L in enumerate(lengths):
    chosen = [(o, t) for o, t in zip(rev_outputs, rev_truths) if len(t) == L]
    exact_by_length.append(np.mean([o == t for o, t in chosen]))
    char_by_length.append(np.mean([char_accuracy(o, t) for o, t in chosen]))
    for position in range(L):
        right_by_position[k, position] = np.mean(
            [len(o) > position and o[position] == t[position] for o, t in chosen]
        )
exact_by_length, char_by_length = np.array(exact_by_length), np.array(char_by_length)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.8))
ax1.plot(lengths, exact_by_length, "o-", label="exact match")
ax1.plot(lengths, char_by_length, "s-", label="per-character accuracy")
ax1.axhline(0.1, color="grey", linestyle="--", label="chance per character")
ax1.set(xlabel="length of the digit string", ylabel="test accuracy", ylim=(0, 1.03),
        title="Reversing digits through one context vector")
ax1.legend()
image = ax2.imshow(right_by_position, aspect="auto", cmap="viridis", vmin=0, vmax=1,
                   origin="lower",
                   extent=(0.5, MAX_LEN + 0.5, MIN_LEN - 0.5, MAX_LEN + 0.5))
ax2.set(xlabel="output position (1 = the input's last digit)", ylabel="string length",
        title="Share of right digits by output position",
        xticks=range(1, MAX_LEN + 1), yticks=lengths)
fig.colorbar(image, ax=ax2)
plt.show()
for k, L in enumerate(lengths):
    print(f"length {L:2d}: exact {exact_by_length[k]:.2f}, "
          f"per character {char_by_length[k]:.2f}")
below_half = lengths[np.argmax(exact_by_length < 0.5)]
print(f"exact match first falls below one half at {below_half} digits")

short, long = lengths <= 5, lengths >= MAX_LEN - 1  # 4-5 and 9-10 digits
first_three = np.nanmean(right_by_position[long][:, :3])  # the last 3 digits read
the_rest = np.nanmean(right_by_position[long][:, 3:])
print(f"9-10 digits: output positions 1-3 right {first_three:.2f}, "
      f"the rest {the_rest:.2f}")
headlines.report("reversal: exact match, 4-5 digits", exact_by_length[short].mean())
headlines.report("reversal: exact match, 9-10 digits", exact_by_length[long].mean())
headlines.report("reversal: per-character accuracy, 9-10 digits",
                 char_by_length[long].mean())
assert exact_by_length[short].mean() > 0.8 and char_by_length[short].mean() > 0.9
assert exact_by_length[long].mean() < 0.15
assert 0.2 < char_by_length[long].mean() < 0.7  # above chance (0.1), far below 1
assert first_three > 0.6 and the_rest < first_three - 0.3

# %% [markdown]
# Most short strings are reversed exactly; exact match falls below one half a few digits
# later (the length is printed above), and the longest strings almost never come out
# right. Per-character accuracy falls more slowly, and the heatmap shows why it stays
# well above the chance level of 0.1: the first three output digits, which are the
# **last three** the encoder read, are right most of the time at every length; the
# digits read earlier are mostly lost. The context vector keeps the recent past and
# loses the distant past, like every RNN state of Part II.
#
# Raw capacity is not the problem: 10 digits hold about 33 bits (printed above the
# figure), and $c$ has 64 floating-point numbers. The problem is that the encoder must
# learn to write each digit into $c$ so that it survives every later update, and the
# decoder to read the digits back in the opposite order, from a vector of the same size
# for 4 digits as for 10.
# Lesson 13 removes the bottleneck instead of widening it: its decoder looks at every
# encoder state, not only the last.
#
# The headline numbers above print this run beside the band of five seeds. The asserts
# ask for exact match above 0.8 on 4 and 5 digits and below 0.15 on 9 and 10,
# per-character accuracy between 0.2 and 0.7 on the longest strings, and more than 0.6
# on the first three output positions, at least 0.3 above the rest.

# %% [markdown]
# ## 8. Real sentences: German to English
#
# Dates are a clean laboratory; translation is the task the encoder-decoder was built
# for. **Multi30k** {cite:p}`elliott2016multi30k` pairs English captions of Flickr
# photos with German translations of them, in fixed training, validation and test
# splits. As most tutorials do, we translate German into English. It is the one data set
# of Part III that no package carries: `multi30k()` downloads it on first use, checks
# every file against its sha256 and keeps it in the course's cache (`NLPCOURSE_MIRROR`
# points it at a local copy instead, which is how the course's tests read it).

# %%
translation_pairs = multi30k("de", "en")  # downloaded once, then read from the cache
for split, split_pairs in translation_pairs.splits().items():
    print(f"{split:10s} {len(split_pairs):6,} pairs")
german, english = translation_pairs.train[0]
print(f"de: {german}\nen: {english}")

# %% [markdown]
# **Subwords.** Characters, as for dates, would make every sentence a long sequence;
# whole words make a large vocabulary in which most words are rare, and a word the
# training split lacks becomes `<unk>`. The usual middle way is a {term}`subword`
# vocabulary learnt by {term}`byte-pair encoding` (바이트 쌍 인코딩, BPE)
# {cite:p}`sennrich2016bpe`: start from single characters and, again and again, add the
# merge of the pair of adjacent pieces that is most frequent in the training text, until
# the vocabulary has the size asked for. Frequent words end up as one piece, rare words
# as a few, and nothing is unknown that is spelled with known characters. One
# vocabulary serves both languages, which share names, numbers and punctuation.
# `train_bpe` lets Hugging Face's `tokenizers` do the counting; lower-casing first
# halves the work for a short run. The four special tokens come first, so their ids are
# the ones `Seq2Seq` and `PairCollate` expect.

# %%
#@save nlpcourse/translate.py
def train_bpe(texts, vocab_size, specials=("<pad>", "<sos>", "<eos>", "<unk>")):
    """A lower-cased byte-pair-encoding tokenizer (a ``tokenizers.Tokenizer``) learnt
    on ``texts``, with ``vocab_size`` pieces; ``specials`` get the first ids.

    Words are cut at spaces (each marked with "▁", so that decoding puts the spaces
    back) and punctuation marks stand alone before the merges are learnt.
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers.trainers import BpeTrainer

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.NFKC(), normalizers.Lowercase()]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Metaspace(), pre_tokenizers.Punctuation()]
    )
    tokenizer.decoder = decoders.Metaspace()
    trainer = BpeTrainer(vocab_size=vocab_size, special_tokens=list(specials),
                         show_progress=False)
    tokenizer.train_from_iterator(texts, trainer)
    return tokenizer


# %%
BPE_PIECES = 1000
bpe = train_bpe([text for pair in translation_pairs.train for text in pair], BPE_PIECES)
for text in (german, english):
    print(bpe.encode(text).tokens)
round_trip = bpe.decode(bpe.encode(german).ids)
print(f"{bpe.get_vocab_size()} pieces; decoded back: {round_trip!r}")
assert bpe.get_vocab_size() == BPE_PIECES and bpe.token_to_id("<eos>") == EOS

# %% [markdown]
# **A short run.** The same `Seq2Seq`, sized for the new vocabulary (embeddings 64,
# hidden 128), reads the German pieces and writes the English ones. The output layer now
# scores 1,000 pieces at every step, not 15 characters, so each step costs far more than
# on dates; the lesson can afford one pass over the first 4,096 training pairs
# (64 steps of 64), with Adam at $3 \times 10^{-3}$ and the gradient clipped, as for
# the language models of lesson 11. `translate` from `nlpcourse.translate` turns
# sentences into sentences: it encodes them with the tokenizer, decodes greedily (or by
# beam search, section 9) and turns the pieces back into text.

# %%
SHORT_RUN_PAIRS = 4_096


def bpe_pairs(pairs, tokenizer):
    """(source ids, target ids) of each (source, target) sentence pair."""
    sources = tokenizer.encode_batch([source for source, _ in pairs])
    targets = tokenizer.encode_batch([target for _, target in pairs])
    return [(s.ids, t.ids) for s, t in zip(sources, targets)]


short_run_batches = DataLoader(
    bpe_pairs(translation_pairs.train[:SHORT_RUN_PAIRS], bpe),
    batch_size=64, shuffle=True, collate_fn=PairCollate(),
)
real_losses = []


def real_loss(logits, targets):
    """Cross-entropy of the real target pieces; records every training step."""
    loss = F.cross_entropy(logits, targets, ignore_index=PAD)
    real_losses.append(loss.item())
    return loss


seed_everything(SEED)
de_en_model = Seq2Seq(BPE_PIECES, BPE_PIECES, embedding_dim=64, hidden_size=128)
short_run = fit(de_en_model, short_run_batches, epochs=1, loss_fn=real_loss,
                optimizer=torch.optim.Adam(de_en_model.parameters(), lr=3e-3),
                metric=None, grad_clip=1.0, progress=False)
first, last = np.mean(real_losses[:10]), np.mean(real_losses[-10:])
print(f"{len(real_losses)} steps in {short_run.seconds:.1f} s; loss {first:.2f} over "
      f"the first 10 steps (log {BPE_PIECES} = {np.log(BPE_PIECES):.2f}), "
      f"{last:.2f} over the last 10")
examples = translation_pairs.test[:4]
short_run_outputs = translate(de_en_model, bpe, [source for source, _ in examples])
for (source, reference), output in zip(examples, short_run_outputs):
    print(f"de: {source}\n   reference: {reference}\n   short run: {output}")
assert last < first - 1.0  # the loss falls by more than a nat in 64 steps
assert len(set(short_run_outputs)) <= 2  # hardly any dependence on the source yet

# %% [markdown]
# The loss falls fast, and the outputs are English, in the shape of a caption ("a man
# in a ..."), but they hardly depend on the German: the decoder has learnt which
# English pieces follow which before it has learnt to read its context vector. Training
# until the outputs become translations takes hours on a CPU, not seconds. So the
# course trained a translator once, for 15 epochs (`make checkpoints`), and ships its
# weights: `nlpcourse.checkpoints.load` checks each file against the checksum in the
# course's manifest and returns the model, its tokenizer and the record of its
# training. It is a Transformer, the model of lesson 14, with a larger vocabulary
# learnt by the same `train_bpe` (its size is printed below); what this lesson needs
# from it is only what every encoder-decoder has, a probability for the next piece
# given the source and the pieces so far.

# %%
translator = checkpoints.load("multi30k-de-en-transformer")
record = translator.record
print(f"{translator.name}: {record['parameters']:,} parameters, "
      f"{translator.tokenizer.get_vocab_size():,} BPE pieces, "
      f"{record['recipe']['epochs']} epochs in {record['cpu_s'] / 60:.0f} CPU minutes")
print(f"test BLEU (sacrebleu, 1,000 sentences), greedy: "
      f"{record['test_bleu']['greedy']['sacrebleu']}")
for (source, reference), output in zip(
    examples, translate(translator.model, translator.tokenizer,
                        [source for source, _ in examples])
):
    print(f"de: {source}\n   reference: {reference}\n   long run:  {output}")

# %% [markdown]
# These are translations, and good ones: {term}`BLEU`, the translation score of lesson
# 13 (0 to 100, the overlap of an output's word sequences with the reference's), is
# above 40 on the whole test set. The difference is training, not a trick of
# decoding: both models decode greedily here. Greedy decoding can still be improved.
#
# ## 9. Beam search
#
# Greedy decoding takes the most probable piece at every step. The most probable
# *sentence* can start with a less probable piece: "a man in an orange hat" may start
# with "a" at the same odds as "one", and only later pieces decide. Searching all
# sentences is impossible ($V^L$ of them), so {term}`beam search` (빔 서치) keeps the
# $k$ best prefixes at every step: extend each of them by every piece, score the
# $k \cdot V$ candidates, keep the $k$ best, and stop when all $k$ have written `<eos>`.
# $k = 1$ is greedy decoding.
#
# The score of a hypothesis $y$ is its log-probability, $\sum_t \log P(y_t \mid
# y_{<t}, x)$. Every extra piece adds a negative number, so this sum prefers short
# outputs; a {term}`length penalty` (길이 패널티) divides it by
# $\mathrm{lp}(y) = \left(\frac{5 + |y|}{6}\right)^{\alpha}$, as Google's translation
# system did {cite:p}`wu2016wordpiece` ($\alpha = 0$: no penalty; we use 0.6).
#
# The search needs the model one step at a time, from outside: `init_decoding` returns
# the decoder's starting state as a dictionary of tensors (for `Seq2Seq`, the context
# vector and what lesson 13's attention reads), and `decode_step` the next piece's
# scores and the next state (`Seq2Seq` in section 3 has both; the Transformer keeps
# the keys and values of the pieces so far, lesson 16's KV cache). All sentences and
# all their beams run as one batch: row $b k + j$ is beam $j$ of sentence $b$, and after
# each step the rows are reordered to follow the prefixes that were kept.

# %%
#@save nlpcourse/translate.py
def length_penalty(length: torch.Tensor, alpha: float) -> torch.Tensor:
    """Wu et al. (2016)'s ((5 + length) / 6) ** alpha: 1 for one token, growing slowly;
    alpha = 0 ranks by plain log-probability (which favours short outputs)."""
    return ((5.0 + length.float()) / 6.0) ** alpha


# %%
#@save nlpcourse/translate.py
@torch.no_grad()
def beam_search(model, src, src_lengths, beam_size=5, max_len=50, alpha=0.6):
    """The best of ``beam_size`` hypotheses per source row: token ids (B, L), ending
    with ``model.eos_index`` (then ``model.pad_index``), without ``<sos>``.

    Every step extends each live prefix by every token, keeps the ``beam_size`` best
    of the ``beam_size * V`` candidates per sentence (a finished hypothesis is one
    candidate: itself, padded), and stops when all are finished or after ``max_len``
    tokens. Candidates are ranked by log-probability / :func:`length_penalty`.
    ``beam_size=1`` is greedy decoding. The model decodes one token at a time:
    ``init_decoding(src, src_lengths)`` returns its decoder's starting state as a dict
    of tensors, batch first, and ``decode_step(token, state)`` the next logits (B, V)
    and state.
    """
    beam_size = checks.positive_int("beam_size", beam_size)
    max_len = checks.positive_int("max_len", max_len)
    sos, eos, pad = model.sos_index, model.eos_index, model.pad_index
    was_training = model.training
    model.eval()
    batch, device = src.shape[0], src.device
    state = model.init_decoding(src, src_lengths)
    # each sentence's state once per beam: row b * K + k is beam k of sentence b
    state = {name: t.repeat_interleave(beam_size, dim=0) for name, t in state.items()}
    prefix = torch.full((batch * beam_size, 1), sos, dtype=torch.long, device=device)
    scores = torch.zeros(batch, beam_size, device=device)  # (B, K) log-probabilities
    scores[:, 1:] = float("-inf")  # at the start the K beams are one and the same
    lengths = torch.zeros(batch * beam_size, dtype=torch.long, device=device)
    finished = torch.zeros(batch * beam_size, dtype=torch.bool, device=device)
    for step in range(1, max_len + 1):
        logits, state = model.decode_step(prefix[:, -1], state)  # (B*K, V)
        log_probs = F.log_softmax(logits.float(), dim=-1)
        vocab = log_probs.shape[-1]
        # a finished hypothesis has one continuation, padding, which costs nothing
        log_probs[finished] = float("-inf")
        log_probs[finished, pad] = 0.0
        candidates = scores.reshape(-1, 1) + log_probs  # (B*K, V)
        new_lengths = torch.where(finished, lengths, torch.full_like(lengths, step))
        rank = candidates / length_penalty(new_lengths, alpha)[:, None]
        _, best = rank.reshape(batch, -1).topk(beam_size, dim=1)  # (B, K) of K*V
        beam, token = best // vocab, best % vocab  # which prefix, which next token
        first_row = torch.arange(batch, device=device)[:, None] * beam_size  # (B, 1)
        rows = (first_row + beam).reshape(-1)  # (B*K,) the prefix each new row extends
        scores = candidates.reshape(batch, -1).gather(1, best)  # (B, K)
        prefix = torch.cat([prefix[rows], token.reshape(-1, 1)], dim=1)  # (B*K, t+1)
        state = {name: t[rows] for name, t in state.items()}  # follow the kept prefixes
        lengths = new_lengths[rows]
        finished = finished[rows] | (token.reshape(-1) == eos)
        if finished.all():
            break
    model.train(was_training)
    final = scores / length_penalty(lengths.reshape(batch, beam_size), alpha)
    winner = final.argmax(dim=1)  # (B,)
    return prefix[torch.arange(batch, device=device) * beam_size + winner, 1:]  # (B, L)


# %% [markdown]
# First a check that the code does what it says: with $k = 1$ and no length penalty
# the beam is the greedy decoder, piece for piece. Then the translator decodes the
# first 100 test sentences both ways. `hypothesis_scores` computes the quantity the
# search maximises, log-probability over length penalty, for any output.


# %%
def hypothesis_scores(model, src, src_lengths, ids, alpha=0.6):
    """Log-probability / length_penalty of each row of ``ids`` (B, L): the output
    pieces up to and including <eos>, padded after it."""
    tgt_in = torch.cat([torch.full((len(ids), 1), SOS), ids[:, :-1]], dim=1)  # (B, L)
    with torch.no_grad():
        log_probs = F.log_softmax(model(src, src_lengths, tgt_in), dim=-1)  # (B, L, V)
    picked = log_probs.gather(2, ids[:, :, None])[:, :, 0]  # (B, L)
    real = ids != PAD  # the pieces written, <eos> included
    return (picked * real).sum(1) / length_penalty(real.sum(1), alpha)  # (B,)


def as_text(tokenizer, ids):
    """Each row of ids (B, L) as a sentence: cut at <eos>, pieces joined."""
    rows = [row[: row.index(EOS)] if EOS in row else row for row in ids.tolist()]
    return [tokenizer.decode(row) for row in rows]


sample = translation_pairs.test[:100]
sample_sources = [source for source, _ in sample]
sample_references = [reference for _, reference in sample]
encoded = [e.ids for e in translator.tokenizer.encode_batch(sample_sources)]
sample_src = PairCollate().pad(encoded)  # (100, S)
sample_lengths = torch.tensor([len(ids) for ids in encoded])  # (100,)
model_de_en = translator.model
start = time.perf_counter()
greedy_ids, _ = model_de_en.greedy_decode(sample_src, sample_lengths, max_len=60)
greedy_seconds = time.perf_counter() - start
one_beam = beam_search(model_de_en, sample_src[:10], sample_lengths[:10], beam_size=1,
                       alpha=0.0, max_len=60)  # (10, L): greedy, found by the beam
assert torch.equal(one_beam, greedy_ids[:10, : one_beam.shape[1]])
start = time.perf_counter()
beam_ids = beam_search(model_de_en, sample_src, sample_lengths, beam_size=5, max_len=60)
beam_seconds = time.perf_counter() - start
greedy_score = hypothesis_scores(model_de_en, sample_src, sample_lengths, greedy_ids)
beam_score = hypothesis_scores(model_de_en, sample_src, sample_lengths, beam_ids)
greedy_text = as_text(translator.tokenizer, greedy_ids)
beam_text = as_text(translator.tokenizer, beam_ids)
changed = [i for i in range(len(sample)) if greedy_text[i] != beam_text[i]]
higher = (beam_score > greedy_score + 1e-4).sum().item()
lower = (beam_score < greedy_score - 1e-4).sum().item()
print(f"greedy: {greedy_seconds:.1f} s; beam of 5: {beam_seconds:.1f} s "
      f"for {len(sample)} sentences")
print(f"the beam changed {len(changed)} outputs: {higher} now score higher, "
      f"{lower} lower")
for i in changed[:3]:
    print(f"de: {sample_sources[i]}\n   reference: {sample_references[i]}\n"
          f"   greedy ({greedy_score[i]:.2f}): {greedy_text[i]}\n"
          f"   beam   ({beam_score[i]:.2f}): {beam_text[i]}")
assert len(changed) < len(sample) / 2  # a minority of the outputs change
assert higher >= 0.9 * len(changed) and lower <= 2
assert beam_score.mean() > greedy_score.mean()

# %% [markdown]
# The beam changes a minority of the outputs, and almost every change is one the model
# itself rates higher: the search does what it is for. Whether the model's favourite
# sentence is a better translation is a different question, which BLEU answers against
# the references. On 100 sentences BLEU moves by a point or two when a few sentences
# change, so the comparison that counts is the one over the whole test set, in the
# training record (where `make checkpoints` decoded all 1,000 sentences both ways). BLEU
# is computed twice: by sacrebleu, the standard implementation, case-insensitive here
# because the model writes lower case, and "the anchors' way", as bentrevett's PyTorch
# tutorials {cite:p}`trevett2019seq2seq` compute it, on lower-cased word tokens
# (`anchor_bleu`), so that the course's numbers can be set beside theirs.

# %%
sample_bleu = {
    name: (corpus_bleu(text, sample_references, lowercase=True).score,
           anchor_bleu(text, sample_references).score)
    for name, text in (("greedy", greedy_text), ("beam 5", beam_text))
}
print("BLEU (sacrebleu, anchors' way)")
for name, (sacre, anchor) in sample_bleu.items():
    full = record["test_bleu"][name]
    print(f"{name:7s} first 100 test sentences: {sacre:5.2f} {anchor:5.2f}   "
          f"all 1,000 (record): {full['sacrebleu']:5.2f} {full['anchor_bleu']:5.2f}")
full_gain = (record["test_bleu"]["beam 5"]["sacrebleu"]
             - record["test_bleu"]["greedy"]["sacrebleu"])
print(f"beam search gains {full_gain:.2f} BLEU on the whole test set")
assert full_gain > 0.5  # the record: beam search helps on all 1,000 sentences
assert min(sample_bleu["greedy"]) > 25  # and the first 100 are translated, too

# %% [markdown]
# Beam search buys about a point of BLEU here (the gain is printed above), for five
# times the decoding work. The model matters far more than the search: the short run
# and the long run above decode the same way and differ by everything. Larger beams
# are not always better: with a wide beam, a model's favourite sentence is sometimes a
# short or empty one, which is what the length penalty is there to counter
# (exercise 6 varies $\alpha$).

# %% [markdown]
# ## 10. Scale up
#
# - **Steps.** The date model is still improving when it stops (its validation loss
#   fell by more than half in the last epoch, as asserted in section 5): try
#   `EPOCHS = 4` and watch exact match rise. On a GPU (`fit(..., device=get_device())`,
#   and `greedy_decode` on batches moved to the same device) raise the batch size
#   (`batch_size=512`) and the learning rate a little.
# - **Size.** `Seq2Seq(..., embedding_dim=64, hidden_size=256, dropout=0.2)`. On the
#   reversal task, train hidden sizes 64, 128 and 256 on strings of up to 24 digits: does
#   a larger $c$ remove the cliff, or only move it?
# - **Teacher forcing.** Train with `model.teacher_forcing = 0.5`, or lower it from 1.0
#   to 0.5 over the epochs (scheduled sampling), and compare greedy exact match.
# - **Translation.** Train `de_en_model` of section 8 on all 29,000 pairs for ten
#   epochs, with `embedding_dim=256`, `hidden_size=512` and `dropout=0.3`, on a GPU
#   (`fit(..., device=get_device())`); then lesson 13 adds attention to it. The
#   course's long run is one command, `make checkpoints` (about two hours on two CPU
#   cores for all three long runs; `CHECKPOINTS=multi30k-de-en-transformer` trains the
#   translator alone).
# - **The original recipe.** {cite:t}`sutskever2014seq2seq` translated English to French
#   (WMT'14) with an LSTM encoder and decoder of 4 layers of 1,000 units each, and reached
#   34.8 BLEU with an ensemble, above a phrase-based system's 33.3. One trick mattered:
#   **reversing the source sentence** (not the target). The first source words then sit
#   next to the first target words, which shortens the paths the gradient must cross;
#   test BLEU of a single model rose from 25.9 to 30.6 {cite:p}`sutskever2014seq2seq`.
#   An LSTM's context is two vectors, $(h, c)$; a 2-layer encoder hands the decoder one
#   state per layer.
# - **Beam search on dates.** Decode the test dates with `beam_search(model, src,
#   src_lengths, beam_size=5, max_len=12)`: does exact match move? (The date model is
#   sure of most characters, so expect little.)

# %% [markdown]
# ## Exercises
#
# Try each one before opening its solution (click *Show the solution* in the book).
#
# **1.** Count the parameters of the date model by hand: two embeddings, a GRU encoder
# (lesson 08: $3(HX + H^2 + 2H)$ for input size $X$), a GRU cell decoder and the output
# layer. Check against PyTorch.

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 1
E, H = EMBED, HIDDEN
gru_weights = lambda X: 3 * (H * X + H * H + 2 * H)  # r, z, n blocks; two bias vectors
by_formula = SRC_V * E + TGT_V * E + gru_weights(E) + gru_weights(E) + H * TGT_V + TGT_V
n_params = sum(p.numel() for p in model.parameters())
assert n_params == by_formula
print(f"{n_params:,} parameters; the two GRUs hold {2 * gru_weights(E) / n_params:.0%}")

# %% [markdown]
# **2.** Write the decoder's input and target for the pair
# `("2026년 11월 21일", "2026-11-21")` by hand, as ids, and check them against
# `PairCollate`.

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 2
source, target = "2026년 11월 21일", "2026-11-21"
target_ids = data.encode_target(target)  # 10 ids, no specials
my_tgt_in = [SOS, *target_ids]  # what the decoder reads
my_tgt_out = [*target_ids, EOS]  # what it must write
batch = PairCollate()([(data.encode_source(source), target_ids)])
assert batch[2][0].tolist() == my_tgt_in and batch[3][0].tolist() == my_tgt_out
assert batch[1].tolist() == [len(source)]  # one id per character, Hangul included
print("tgt_in :", my_tgt_in)
print("tgt_out:", my_tgt_out)

# %% [markdown]
# **3.** Decode the test set with `max_len=6`. What comes out, and why is there no
# `<eos>`? What would happen with `max_len=12` for a model that never writes `<eos>`?

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 3
src, src_lengths, _, _ = next(iter(data.test))
cut_ids, _ = model.greedy_decode(src, src_lengths, max_len=6)  # (B, 6)
cut = [data.decode_target(row) for row in cut_ids.tolist()]
assert cut_ids.shape[1] == 6 and not (cut_ids == EOS).any()
assert cut == [full[:6] for full in test_outputs[: len(src)]]
print(cut[:3], "...")
# Greedy decoding is deterministic, so the cut outputs are the first 6 characters of the
# full ones. The model writes <eos> only after 10 characters, and decoding stopped at 6:
# the outputs are simply truncated. A model that never wrote <eos> would run to max_len
# every time, which is why max_len is always needed and set a little above the longest
# expected output.

# %% [markdown]
# **4.** Put the trained model in training mode and compute the loss on the first
# validation batch with `model.teacher_forcing` at 1.0 and at 0.0. At which positions
# can the two runs differ at all, and why can the difference go either way? (The model
# has no dropout, so training mode changes nothing else.)

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 4
src, src_lengths, tgt_in, tgt_out = next(iter(data.validation))
token_losses = {}  # ratio -> (B, T) loss of every target token, 0 at padding
model.train()
with torch.no_grad():
    for ratio in [1.0, 0.0]:
        model.teacher_forcing = ratio
        logits = model(src, src_lengths, tgt_in)  # (B, T, V)
        token_losses[ratio] = F.cross_entropy(
            logits.transpose(1, 2), tgt_out, ignore_index=PAD, reduction="none"
        )  # (B, V, T) scores against (B, T) targets
        if ratio == 1.0:
            wrong = (logits.argmax(-1) != tgt_out) & (tgt_out != PAD)  # (B, T) mistakes
model.teacher_forcing = 1.0
model.eval()
n_tokens = (tgt_out != PAD).sum()
losses = {
    ratio: (per_token.sum() / n_tokens).item()
    for ratio, per_token in token_losses.items()
}
print(f"loss reading the true characters {losses[1.0]:.4f}, "
      f"reading its own {losses[0.0]:.4f}")
# Up to and including a row's first mistake, both runs read the same characters, so
# they give the same losses there; only what comes after a mistake can differ.
first_wrong = torch.where(
    wrong.any(1), wrong.float().argmax(1), tgt_out.shape[1]
)  # (B,)
same_past = torch.arange(tgt_out.shape[1]) <= first_wrong[:, None]  # (B, T)
assert torch.allclose(
    token_losses[0.0][same_past], token_losses[1.0][same_past], atol=1e-6
)
rows_wrong = int(wrong.any(1).sum())
print(f"{rows_wrong} of {len(src)} rows have a mistake; "
      "the losses can differ only after it")
assert rows_wrong < len(src) // 3  # a trained model: most dates come out right
# After a mistake, the free-running model reads a character it did not expect, a
# context it never saw in training (exposure bias). That can cost it the rest of the
# row, and then teacher forcing gives the lower loss. But the loss scores the *true*
# next character, and a model that has just written a wrong digit may follow its own
# track with confidence, or a wrong digit may even lead to the right next one: then the
# free-running loss comes out lower. Only the few rows with a mistake decide which, so
# the answer changes with the seed.

# %% [markdown]
# **5.** Section 6 asked whether the Korean formats really lag behind the formats that
# spell the month as a word. Pool the test dates of each group, compute the two shares
# of exact matches, and compare their difference with its standard error,
# $\sqrt{p_1(1-p_1)/n_1 + p_2(1-p_2)/n_2}$. Is the gap larger than twice that?

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 5
korean_hits = [hit for s in KOREAN for hit in hits_by_format[s]]
word_hits = [hit for s in WORD_MONTH for hit in hits_by_format[s]]
p_korean, p_word = np.mean(korean_hits), np.mean(word_hits)
# the standard error of the difference of two independent shares
gap_error = np.sqrt(p_korean * (1 - p_korean) / len(korean_hits)
                    + p_word * (1 - p_word) / len(word_hits))
gap = p_word - p_korean
print(f"Korean {p_korean:.3f} on {len(korean_hits)} dates, month as a word "
      f"{p_word:.3f} on {len(word_hits)}; gap {gap:+.3f}, standard error "
      f"{gap_error:.3f}")
print("more than twice its standard error" if abs(gap) > 2 * gap_error
      else "within twice its standard error: it could be noise")
# The answer depends on the run: try other seeds (set NLPCOURSE_SEED before starting
# Jupyter, or change SEED at the top). Two standard errors is a rough test: with
# eleven formats to compare, some pair will look different by chance now and then.

# %% [markdown]
# **6.** Decode the first 20 test sentences of section 9 with a beam of 5 and
# $\alpha = 0$ (plain log-probability), then with $\alpha = 1$. Which setting gives
# the shorter outputs on average, and why?

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 6
few_src, few_lengths = sample_src[:20], sample_lengths[:20]
mean_length = {}
for alpha in (0.0, 1.0):
    ids = beam_search(model_de_en, few_src, few_lengths, beam_size=5, alpha=alpha)
    mean_length[alpha] = (ids != PAD).sum(1).float().mean().item()
print(f"mean output length in pieces: alpha 0: {mean_length[0.0]:.2f}, "
      f"alpha 1: {mean_length[1.0]:.2f}")
assert mean_length[0.0] <= mean_length[1.0]
# Every piece multiplies the probability by a number below 1, so with alpha = 0 a
# hypothesis that ends early keeps a higher score than its longer rivals; dividing by
# a penalty that grows with the length takes that advantage away, and alpha = 1 takes
# away more of it than 0.6 does. On these captions the effect is small: the model is
# confident where its sentences end.

# %%
lesson_seconds = time.perf_counter() - lesson_start
print(f"lesson ran in {lesson_seconds:.1f} s (date training {train_seconds:.1f} s, "
      f"reversal training {rev_history.seconds:.1f} s, German-English "
      f"{short_run.seconds:.1f} s)")
print(f"dates: exact match {exact:.3f}, per character {per_char:.3f}; wrong day "
      f"{wrong_field['day']:.1%}, month {wrong_field['month']:.1%}, "
      f"year {wrong_field['year']:.1%}")
print(f"reversal: exact match {exact_by_length[short].mean():.2f} on 4-5 digits, "
      f"{exact_by_length[long].mean():.2f} on 9-10; per character "
      f"{char_by_length[short].mean():.2f}, then {char_by_length[long].mean():.2f}")

# %% [markdown]
# ## Summary
#
# | piece | what it does | here |
# |---|---|---|
# | encoder | an RNN that reads the source and keeps its last state | `nn.GRU`, embeddings 32, hidden 128 |
# | context vector $c$ | the only thing the decoder learns about the source | 128 numbers for every input length |
# | decoder | a language model that starts from $c$ and writes until `<eos>` | `nn.GRUCell` and a linear layer over 15 target tokens |
# | `<sos>`, `<eos>`, `<pad>` | first input; "done"; filler ignored by encoder and loss | `tgt_in` = `<sos>` + target, `tgt_out` = target + `<eos>` |
# | teacher forcing | training reads the true previous token | `model.teacher_forcing` = 1.0; exposure bias small on 10-character dates |
# | greedy decoding | generation reads its own most likely token | `greedy_decode`, `max_len=12` |
# | byte-pair encoding | a subword vocabulary: the most frequent adjacent pairs merged, again and again | `train_bpe`, 1,000 pieces for the short run, 8,000 for the long one |
# | beam search | keeps the $k$ best prefixes, ranked by log-probability / length penalty | `beam_search`, $k = 5$, $\alpha = 0.6$; $k = 1$ is greedy |
#
# | task | recipe | result (printed above; bands in the headline lines) | strengths | weaknesses |
# |---|---|---|---|---|
# | dates, 11 formats -> ISO | 22,000 pairs x 2 epochs of batches of 64 | most held-out days exactly right and nearly every character; most mistakes in the day | inputs and outputs of any length; learns month names, reordering, Korean and English from pairs alone | still improving when it stops, so exact match moves with the seed |
# | German -> English, short run | 4,096 Multi30k pairs x 1 pass, hidden 128 | the loss falls; English caption words, but hardly a translation | learns the target language first | far too short to read the source |
# | German -> English, the course's translator | a Transformer (lesson 14), 15 epochs, `make checkpoints` | test BLEU above 40, greedy; beam search adds about a point | real translations | hours of CPU training, shipped as a checkpoint |
# | reversing 4-10 digits | 7,000 pairs x 2 epochs, hidden 64 | most short strings right, the longest almost never; per character well above chance, mostly from the last digits read | right on most short strings | the information bottleneck: fails within a few digits |
#
# Formulas to keep: $c = h_S$; $s_0 = c$, $s_t = \mathrm{GRU}(\mathrm{Emb}(y_{t-1}),
# s_{t-1})$; $P(y \mid x) = \prod_t \mathrm{softmax}(W s_t + b)_{y_t}$, trained with the
# cross-entropy of `tgt_out` given `tgt_in`.
#
# ## References
#
# - {cite:t}`sutskever2014seq2seq`: sequence to sequence learning with deep LSTMs, and
#   the reversed source.
# - {cite:t}`cho2014gru`: the RNN encoder-decoder (and the GRU).
# - {cite:t}`cho2014properties`: encoder-decoders get worse as sentences get longer.
# - {cite:t}`bahdanau2015attention`: the fixed-length vector as a bottleneck, and
#   attention (lesson 13).
# - {cite:t}`williams1989teacher`: teacher forcing.
# - {cite:t}`bengio2015scheduled`: scheduled sampling.
# - {cite:t}`ranzato2016sequence`: the name exposure bias, and training on whole
#   generated sequences instead.
# - {cite:t}`elliott2016multi30k`: the Multi30k data set of sections 8 and 9.
# - {cite:t}`sennrich2016bpe`: byte-pair encoding for subword vocabularies.
# - {cite:t}`wu2016wordpiece`: Google's translation system, whose length penalty
#   section 9 uses.
# - {cite:t}`trevett2019seq2seq`: PyTorch seq2seq tutorials on Multi30k, whose way of
#   computing BLEU `anchor_bleu` follows.
# - {cite:t}`zhang2023d2l`, chapter 10: encoder-decoder architectures and seq2seq.
