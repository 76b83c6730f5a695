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
# # 13. Attention (어텐션)
#
# The encoder-decoder of lesson 12 reads the whole input and hands the decoder one
# vector, its last hidden state. Everything the decoder will ever know about the input
# has to fit in that vector, and lesson 12 watched the model fail as the inputs grew
# longer: the information bottleneck (정보 병목). {term}`Attention` (어텐션)
# {cite:p}`bahdanau2015attention` removes the bottleneck. The encoder keeps **all** its
# hidden states, one per input token, and at every output step the decoder looks back
# at them and takes a weighted average, with weights that say how relevant each input
# position is to the token it is about to write. The weights are computed, not fixed,
# so the decoder can look at the year while it writes the year and at the month while it
# writes the month.
#
# **You will learn to**
# - say what a {term}`query` (쿼리), a {term}`key` (키) and a {term}`value` (값) are,
#   and compute attention as $\mathrm{softmax}(QK^\top)V$ with every shape explained;
# - explain why the scores are divided by $\sqrt{d}$, and show the reason numerically;
# - write {term}`scaled dot-product attention` (스케일드 닷-프로덕트 어텐션) and
#   {term}`additive attention` (가산 어텐션) in a few lines, with a padding mask, check
#   them against PyTorch and the formula, and write the decoder that uses them;
# - train the attention decoder on the date task of lesson 12, in a fraction of the
#   steps the context-vector model needed;
# - read the attention weights as an {term}`alignment` (정렬) between output and input
#   characters, and measure how often it lands on the right part of the input;
# - draw the bottleneck curve of lesson 12 again, with and without attention;
# - see attention align real German and English sentences in the course's translator,
#   and score translations with {term}`BLEU`.
#
# The dates and digits are generated here; the German-English pairs (Multi30k) are
# downloaded once and cached, as in lesson 12.
# It runs on the CPU, on a GPU runtime too, so that the numbers it asserts are the ones
# measured on a CPU; the Scale-up section says how to move the training to a GPU.

# %% tags=["remove-cell"]
# Runs only in Google Colab: installs the course package and sacrebleu (for BLEU);
# Multi30k downloads itself on first use.
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
import copy
import datetime as dt
import math
import re
import time

import matplotlib.pyplot as plt
from matplotlib.colors import PowerNorm
import numpy as np
import sacrebleu
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader

from nlpcourse import checkpoints, checks
from nlpcourse.bands import Headlines, lesson_seed
from nlpcourse.data import dates, multi30k
from nlpcourse.data.dates import FORMATS, format_date
from nlpcourse.data.toy import reversal_pairs
from nlpcourse.models.attention import padding_mask
from nlpcourse.models.seq2seq import Seq2Seq
from nlpcourse.text import PairCollate, pair_loaders
from nlpcourse.train import fit, seed_everything
from nlpcourse.translate import train_bpe

# One thread: these models are tiny, and on a shared 2-core machine two threads spend
# more time waiting for each other than computing.
torch.set_num_threads(1)
# The training seed: change it to see how much the numbers below move (`make bench`
# reruns the lesson with seeds 0 to 4, and the headline numbers print their band).
SEED = lesson_seed()
seed_everything(SEED)
headlines = Headlines("13_attention")
lesson_start = time.perf_counter()

# %% [markdown]
# ## 1. The decoder looks back
#
# In lesson 12 the decoder wrote `2026-11-21` from a single vector $c$, the encoder's
# last state. With attention, the encoder's outputs $h_1, \dots, h_S$ (one per input
# character) stay available, and before writing output $t$ the decoder asks: *which of
# them matter now?* The question is asked with three roles, borrowed from looking
# something up in a dictionary:
#
# | role | what it is here | what it does |
# |---|---|---|
# | **query** $q$ (쿼리) | the decoder's state before step $t$ | what I am looking for |
# | **key** $k_s$ (키) | encoder output $h_s$ | what position $s$ offers to be matched on |
# | **value** $v_s$ (값) | encoder output $h_s$ again | what position $s$ hands over if chosen |
#
# A Python dictionary returns the value of the one key equal to the query. Attention is
# a *soft* lookup: it scores the query against every key, turns the scores into weights
# that are positive and sum to 1 with a {term}`softmax`, and returns the weighted
# average of the values,
#
# $$
# e_s = \mathrm{score}(q, k_s), \qquad
# \alpha_s = \frac{\exp(e_s)}{\sum_{s'} \exp(e_{s'})}, \qquad
# c = \sum_{s=1}^{S} \alpha_s v_s .
# $$
#
# The result $c$ is a context vector, as in lesson 12, but a fresh one at every output
# step. Everything is differentiable, so the model learns where to look from the
# translation loss alone: nobody tells it that `11` comes from `November`. Here keys and
# values are the same vectors; in the Transformer of lesson 14 they are two different
# projections of them.
#
# ## 2. Dot-product attention, shape by shape
#
# The simplest score is the dot product, $e_s = q \cdot k_s$: large when the two vectors
# point the same way. The source notes (see the introduction) try it on random numbers:
# two queries and three keys of 4 numbers each. We add three values of 5 numbers, so
# that every shape is different and can be told apart.

# %%
torch.manual_seed(0)
Q = torch.randn(2, 4)  # 2 queries, d = 4 numbers each
K = torch.randn(3, 4)  # 3 keys, same d: a query is compared with every key
V = torch.randn(3, 5)  # 3 values, one per key; their size (5) may differ from d
scores = Q @ K.T  # (2, 3): row i holds query i's score with each of the 3 keys
# (2, 3): softmax over the keys, so each row sums to 1
weights = F.softmax(scores, dim=1)
context = weights @ V  # (2, 5): query i gets a weighted average of the 3 values
print("scores\n", scores.numpy().round(2))
print("weights\n", weights.numpy().round(2))
print("context", tuple(context.shape))
assert torch.allclose(weights.sum(dim=1), torch.ones(2))
assert torch.allclose(context[0], sum(weights[0, s] * V[s] for s in range(3)))

# %% [markdown]
# `dim=1` matters: it normalises **across the keys** for each query, so each query
# distributes one unit of attention over the positions. `dim=0` would instead make each
# key's weights over the queries sum to 1, which means nothing here. Row by row the
# recipe is: one score per key, softmax, weighted sum; with a batch it becomes a matrix
# product, and with a batch of sequences a batched matrix product over the last two
# dimensions, `q @ k.transpose(-2, -1)`.
#
# ## 3. Why divide by $\sqrt{d}$
#
# {cite:t}`vaswani2017attention` use the **scaled** dot product,
#
# $$
# \mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d}}\right) V ,
# $$
#
# and give the reason in a footnote. If the $d$ components of $q$ and $k$ are
# independent with mean 0 and variance 1, then $q \cdot k = \sum_{i=1}^{d} q_i k_i$ is a
# sum of $d$ terms of mean 0 and variance 1, so its variance is $d$ and its standard
# deviation $\sqrt{d}$. With $d = 256$ the scores spread over dozens of units, the
# softmax puts nearly all the weight on the largest one, and a saturated softmax has
# almost no gradient: $\partial \alpha_i / \partial e_j = \alpha_i(\delta_{ij} -
# \alpha_j)$ is zero when $\alpha$ is one-hot. Dividing by $\sqrt{d}$ brings the
# standard deviation back to 1 for every $d$. We check both claims with random vectors:
# the spread of $q \cdot k$, and the {term}`entropy` (엔트로피) of the weights over 16
# keys (in nats: $\log 16$ for uniform weights, 0 for one-hot ones).

# %% mystnb={"image": {"alt": "Left: standard deviation of the dot product q.k of random vectors against their dimension d on log-log axes, following the sqrt(d) line. Right: entropy of the softmax weights over 16 keys against d; with raw scores it falls towards 0 (nearly one-hot weights), with scores divided by sqrt(d) it stays at the same level for every d, below the uniform line."}}
DIMS = [4, 16, 64, 256, 1024]
KEYS = 16
g = torch.Generator().manual_seed(0)
spread, entropy_raw, entropy_scaled, top_raw = [], [], [], []
for d in DIMS:
    q = torch.randn(500, 1, d, generator=g)  # (N, 1, d): N independent queries
    k = torch.randn(500, KEYS, d, generator=g)  # (N, KEYS, d): their keys
    e = (q @ k.transpose(1, 2))[:, 0]  # (N, KEYS) dot products
    spread.append(e.std().item())
    for dot_scores, entropies in [(e, entropy_raw), (e / math.sqrt(d), entropy_scaled)]:
        p = F.softmax(dot_scores, dim=-1)  # (N, KEYS)
        entropies.append(-(p * p.clamp_min(1e-30).log()).sum(-1).mean().item())
    top_raw.append(F.softmax(e, dim=-1).max(-1).values.mean().item())
    print(
        f"d = {d:4d}: std of q.k {spread[-1]:6.2f} (sqrt(d) = {math.sqrt(d):5.2f}); "
        f"entropy raw {entropy_raw[-1]:.2f}, scaled {entropy_scaled[-1]:.2f}; "
        f"largest raw weight {top_raw[-1]:.2f}"
    )
print(f"uniform weights over {KEYS} keys: entropy log {KEYS} = {math.log(KEYS):.2f}")
for d, s in zip(DIMS, spread):
    assert abs(s / math.sqrt(d) - 1) < 0.05  # std of q.k is sqrt(d)
assert max(entropy_scaled) - min(entropy_scaled) < 0.1  # scaling: the same for every d
assert entropy_raw[-1] < 0.3 < 2.0 < entropy_scaled[-1]
assert entropy_raw[1] < math.log(KEYS) / 2  # d = 16: already far from uniform
assert top_raw[-1] > 0.9  # d = 1024: the largest weight takes most of the mass

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
ax1.loglog(DIMS, spread, "o-", label="measured std of $q \\cdot k$")
ax1.loglog(DIMS, np.sqrt(DIMS), "k--", label="$\\sqrt{d}$")
ax1.set(xlabel="dimension d", ylabel="standard deviation",
        title="Dot products grow with d")
ax1.legend()
ax2.semilogx(DIMS, entropy_raw, "o-", label="softmax($q \\cdot k$)")
ax2.semilogx(DIMS, entropy_scaled, "s-", label="softmax($q \\cdot k / \\sqrt{d}$)")
ax2.axhline(math.log(KEYS), color="grey", linestyle=":", label="uniform over 16 keys")
ax2.set(xlabel="dimension d", ylabel="entropy of the weights (nats)", ylim=(0, 3),
        title="Unscaled scores saturate the softmax")
ax2.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# The measured spread follows $\sqrt{d}$ to within 5%. Without scaling, the weights over
# 16 keys are already far from uniform at $d = 16$ (less than half the entropy of
# uniform weights) and close to one-hot at $d = 1024$, where the largest weight takes
# most of the mass; with scaling, the entropy hardly depends on $d$. Trained vectors are
# not independent unit Gaussians, but the scaling keeps the starting point of training
# in the region where the softmax still has gradients, whatever the width of the model.
#
# **Our version against PyTorch's.** Ours takes a batch of query and key sequences (any
# number of leading dimensions: lesson 14 adds one for the heads) and a **padding
# mask**. Sequences in a batch have different
# lengths and are padded to the longest (lesson 10); a query must give the padding keys
# no weight at all. The course marks positions that may *not* be attended with `True`
# (`nlpcourse.models.attention.padding_mask`, as `nn.MultiheadAttention` does) and puts
# $-\infty$ in their scores, so that $\exp(-\infty) = 0$. PyTorch's
# `F.scaled_dot_product_attention` uses the **opposite** convention for a boolean mask
# (`True` = may attend), a classic source of bugs; we pass it `~mask`.
#
# Around the formula's four lines, `scaled_dot_product_attention` checks its inputs (a
# one-line call into `nlpcourse.checks`: shapes that do not fit are named), gives a
# query whose keys are *all* masked zero weights instead of the NaN that a softmax over
# $-\infty$ alone returns, and can drop some weights at random (`dropout_p`), which
# lesson 14's Transformer does in training. It returns the weights too, so that we can
# look at them. (`#@save` marks code that `nlpcourse` keeps verbatim, as in the
# lessons before; lesson 14 calls this function in every head.)

# %%
#@save nlpcourse/models/attention.py
def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    dropout_p: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(q k^T / sqrt(d) with masked scores at -inf) v, and the weights.

    q (..., Tq, d), k (..., Tk, d), v (..., Tk, dv); ``mask`` broadcastable to
    (..., Tq, Tk), True where a query may not look. Returns the output (..., Tq, dv)
    and the attention weights (..., Tq, Tk), each row summing to 1. A query whose keys
    are all masked gets zero weights (and output) instead of NaN. ``dropout_p`` > 0
    drops attention weights (as PyTorch does in training); the returned weights are the
    ones used.
    """
    checks.dot_product_inputs(q, k, v)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., Tq, Tk)
    if mask is not None:  # True = may not look there; exp(-inf) = 0
        scores = scores.masked_fill(checks.attention_mask(mask, scores), float("-inf"))
    weights = torch.softmax(scores, dim=-1)  # (..., Tq, Tk): each row sums to 1
    weights = torch.nan_to_num(weights, nan=0.0)  # rows with every key masked: zeros
    if dropout_p > 0:  # lesson 14's Transformer, in training
        weights = F.dropout(weights, p=dropout_p)
    return weights @ v, weights  # (..., Tq, dv), (..., Tq, Tk)


# %%
torch.manual_seed(0)
B, TQ, TK, D, DV = 2, 3, 5, 8, 6
q, k, v = torch.randn(B, TQ, D), torch.randn(B, TK, D), torch.randn(B, TK, DV)
key_lengths = torch.tensor([5, 3])  # the second sequence has 2 padding positions
mask = padding_mask(key_lengths)[:, None, :]  # (B, 1, TK): the same for every query
print("mask (True = padding):\n", mask[:, 0].int())

ours, ours_weights = scaled_dot_product_attention(q, k, v, mask)
# True = may attend
torch_out = F.scaled_dot_product_attention(q, k, v, attn_mask=~mask)
assert torch.allclose(ours, torch_out, atol=1e-6)
assert (ours_weights[1, :, 3:] == 0).all()  # padding keys get exactly zero weight
# the padded sequence gives the same answer as the same sequence without padding
alone, _ = scaled_dot_product_attention(q[1:], k[1:, :3], v[1:, :3])
assert torch.allclose(ours[1:], alone, atol=1e-6)
print("ours and PyTorch agree; padding keys get weight",
      ours_weights[1, :, 3:].sum().item())

# %% [markdown]
# ## 4. Additive attention
#
# The first attention model, {cite:t}`bahdanau2015attention`'s, scored a query against
# a key with a small one-hidden-layer network instead of a dot product:
#
# $$
# e_s = v^\top \tanh(W q + U k_s + b),
# $$
#
# with $W$ of shape $(h, d_q)$, $U$ of shape $(h, d_k)$, a bias $b$ and a vector $v$ of
# $h$ numbers (a learned weight vector, not a value). This is {term}`additive attention`
# (가산 어텐션): the projected query and key are *added* before the non-linearity. Query
# and key may have different sizes, and the score can be a non-linear function of the
# two. We write it as a module, `AdditiveAttention`, with $W$ as `query_proj`, $U$ and
# $b$ as `key_proj` and $v$ as `score` (a linear layer without bias is a weight matrix
# applied to its input). It takes one query per sequence, the decoder's state, and the
# sequence's keys; the context it returns is the weighted average of the keys, which
# double as the values.

# %%
#@save nlpcourse/models/attention.py
class AdditiveAttention(nn.Module):
    """Bahdanau's additive attention: score(q, k) = w^T tanh(W_q q + W_k k + b).

    ``forward(query (B, dq), keys (B, T, dk), mask (B, T) True at padding)`` returns
    the context (B, dk), a weighted average of the keys, and the weights (B, T).
    """

    def __init__(self, query_dim: int, key_dim: int, hidden_dim: int):
        super().__init__()
        self.query_proj = nn.Linear(query_dim, hidden_dim, bias=False)  # W_q
        self.key_proj = nn.Linear(key_dim, hidden_dim, bias=True)  # W_k and b
        self.score = nn.Linear(hidden_dim, 1, bias=False)  # w

    def forward(
        self, query: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        checks.query_and_keys(query, keys, self.query_proj.in_features,
                              self.key_proj.in_features)
        # the query and every key, projected and added: (B, 1, h) + (B, T, h)
        hidden = torch.tanh(self.query_proj(query)[:, None, :] + self.key_proj(keys))
        scores = self.score(hidden).squeeze(-1)  # (B, T): one score per key
        if mask is not None:
            mask = checks.attention_mask(mask, scores)  # (B, T), True at padding
            scores = scores.masked_fill(mask, float("-inf"))
        weights = torch.nan_to_num(torch.softmax(scores, dim=-1), nan=0.0)  # (B, T)
        context = (weights[:, :, None] * keys).sum(dim=1)  # (B, dk): keys as values
        return context, weights


# %% [markdown]
# The module against the formula, written out with the module's own weights:

# %%
torch.manual_seed(0)
DQ, DK, HID, S = 6, 8, 10, 5
additive = AdditiveAttention(query_dim=DQ, key_dim=DK, hidden_dim=HID)
query, keys = torch.randn(B, DQ), torch.randn(B, S, DK)  # one query per sequence
key_mask = padding_mask(torch.tensor([5, 3]))  # (B, S)

W, U, b = additive.query_proj.weight, additive.key_proj.weight, additive.key_proj.bias
w_score = additive.score.weight[0]  # (HID,): the vector v of the formula
hidden = torch.tanh((query @ W.T)[:, None, :] + keys @ U.T + b)  # (B, S, HID)
e = hidden @ w_score  # (B, S): one score per key
e = e.masked_fill(key_mask, float("-inf"))
alpha = F.softmax(e, dim=-1)  # (B, S)
ours_context = (alpha[:, :, None] * keys).sum(dim=1)  # (B, DK): keys double as values

module_context, module_alpha = additive(query, keys, key_mask)
assert torch.allclose(alpha, module_alpha, atol=1e-6)
assert torch.allclose(ours_context, module_context, atol=1e-6)
print("the formula by hand matches AdditiveAttention; weights:\n",
      alpha.detach().numpy().round(2))

# %% [markdown]
# **Dot against additive.** {cite:t}`luong2015attention` compared scoring functions in
# translation: the plain dot product $q^\top k_s$ ("dot"), **unscaled**, and a bilinear
# form $q^\top W k_s$ ("general") both worked well, while their version of the additive
# score ("concat") did worse, although Bahdanau's model had used it successfully. The
# division by $\sqrt{d}$ came two years later, from {cite:t}`vaswani2017attention`;
# the course's `"dot"` score uses it, so there it follows Vaswani et al., not Luong et
# al. The dot product is also the cheapest. For a query and $S$ keys of size $d$ with a
# hidden size $h$:
#
# | score | formula | parameters | cost per query |
# |---|---|---|---|
# | dot (Luong), scaled (Vaswani) | $q \cdot k_s / \sqrt{d}$ | none | $S d$ multiply-adds, one matrix product for all queries |
# | additive | $v^\top \tanh(W q + U k_s + b)$ | $h d_q + h d_k + 2h$ | $d_q h$ for $Wq$, plus $S h$ additions and $\tanh$es, plus $S h$ for $v$; $U k_s$ can be computed once per input |
#
# The dot product needs the query and the keys in the same space, and it has no
# parameters of its own: the encoder and decoder must learn to produce vectors whose dot
# products mean something. The additive score pays for its flexibility with a tensor of
# shape $(B, S, h)$ at every step. We time both on the sizes of the date model below
# (64 sequences, 35 input positions, $d = h = 64$).

# %%
torch.manual_seed(0)
Bt, St, Ht = 64, 35, 64
memory, state = torch.randn(Bt, St, Ht), torch.randn(Bt, Ht)
additive_64 = AdditiveAttention(Ht, Ht, Ht)


def seconds_per_call(fn, repeats=40):
    start = time.perf_counter()
    with torch.no_grad():
        for _ in range(repeats):
            fn()
    return (time.perf_counter() - start) / repeats


query = state[:, None]  # (B, 1, H): one query per sequence
calls = {
    "dot": lambda: scaled_dot_product_attention(query, memory, memory),
    "additive": lambda: additive_64(state, memory),
}
# the best of 5 interleaved rounds: another program busy on the CPU slows a round down,
# never speeds it up
rounds = [{name: seconds_per_call(fn) for name, fn in calls.items()} for _ in range(5)]
per_call = {name: min(times[name] for times in rounds) for name in calls}
dot_seconds, add_seconds = per_call["dot"], per_call["additive"]
add_params = sum(p.numel() for p in additive_64.parameters())
print(f"dot: {dot_seconds * 1e6:.0f} us per step, 0 parameters")
print(f"additive: {add_seconds * 1e6:.0f} us per step, {add_params:,} parameters "
      f"({add_seconds / dot_seconds:.1f} times the dot product's time)")
assert add_params == Ht * Ht + (Ht * Ht + Ht) + Ht  # W, U and b, v
assert add_seconds > 2 * dot_seconds

# %% [markdown]
# Our `AdditiveAttention` recomputes $U k_s$ at every decoder step for
# simplicity; a decoder that caches it saves most of that cost. Either way the dot
# product is several times cheaper per call (the ratio printed above). In training the
# gap shrinks, because the GRU cells and the output layer cost the same in both models:
# section 5 trains both and prints how long each took.
#
# ## 5. An attention decoder for dates
#
# `Seq2Seq(..., attention="dot")` is lesson 12's GRU encoder-decoder with another
# decoder, `AttentionDecoder`. At output step $t$ the decoder holds its previous state
# $s_{t-1}$:
#
# 1. **Look**: $s_{t-1}$ is the query; the encoder outputs $h_1 \dots h_S$ are keys and
#    values; the padding of the source is masked; the result is a context $c_t$ and
#    weights $\alpha_t$ over the $S$ input positions.
# 2. **Update**: the GRU cell reads the previous output character *and* $c_t$,
#    $s_t = \mathrm{GRU}([y_{t-1}; c_t], s_{t-1})$.
# 3. **Write**: the output layer reads the new state and the context,
#    $P(y_t) = \mathrm{softmax}(W_o [s_t; c_t] + b_o)$.
#
# This is Bahdanau's order (the query is the state *before* the step); Luong's computes
# $s_t$ first and uses it as the query. The score is the dot product divided by
# $\sqrt{d}$, Vaswani et al.'s scaled form (section 3 above; Luong et al.'s "dot" score
# is the same product without the division). `attention="additive"` swaps the dot
# product for `AdditiveAttention`, with $h$ equal to the hidden size. The rest is as in
# lesson 12: characters in and out, {term}`teacher forcing` (교사 강요) during training,
# {term}`greedy decoding` (탐욕적 디코딩) at test time.
#
# In code, lesson 12's `Decoder` gains a method `attend` (the look) and its `forward`
# two concatenations. It takes and returns what lesson 12's decoder does, plus the
# weights, so `Seq2Seq` runs either one unchanged: its `encode` already returns the
# encoder outputs (`memory`) and the padding mask.

# %%
#@save nlpcourse/models/seq2seq.py
class AttentionDecoder(nn.Module):
    """One step of the attention decoder (Bahdanau's order): the previous state asks
    where to look in the encoder's outputs; the context it gets goes into the GRU cell
    beside the token, and into the output layer beside the new state.

    ``attention="dot"`` scores a key by the scaled dot product (Luong et al.'s "dot",
    divided by sqrt(d) as in Vaswani et al. 2017), ``"additive"`` by
    :class:`~nlpcourse.models.attention.AdditiveAttention` (Bahdanau's). ``forward``
    takes what :class:`Decoder`'s does and also returns the weights (B, S).
    """

    def __init__(self, embedding_dim, hidden_size, vocab_size, attention="dot",
                 dropout=0.0):
        super().__init__()
        attention = checks.one_of("attention", attention, ("dot", "additive"))
        H = hidden_size
        self.cell = nn.GRUCell(embedding_dim + H, H)  # reads the token and the context
        self.additive = AdditiveAttention(H, H, H) if attention == "additive" else None
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(2 * H, vocab_size)  # reads the state and the context

    def attend(self, state, memory, mask):
        """Context (B, H) and weights (B, S): the query ``state`` (B, H) over the
        encoder's outputs ``memory`` (B, S, H), which are the keys and the values."""
        if self.additive is not None:
            return self.additive(state, memory, mask)
        context, weights = scaled_dot_product_attention(
            state[:, None], memory, memory, mask[:, None]
        )  # (B, 1, H), (B, 1, S): one query per row
        return context[:, 0], weights[:, 0]

    def forward(self, embedded, state, memory, mask):
        context, weights = self.attend(state, memory, mask)  # (B, H), (B, S)
        state = self.cell(torch.cat([embedded, context], dim=-1), state)  # (B, H)
        logits = self.out(self.dropout(torch.cat([state, context], dim=-1)))  # (B, V)
        return logits, state, weights


# %% [markdown]
# `Seq2Seq(..., attention=...)`, from lesson 12, builds this decoder. It comes from the
# course package, which holds the code above verbatim, so the models trained below run
# exactly that code; after training we check that ours, given their weights, writes the
# same outputs and looks at the same places.
#
# **The task and the recipe.** The 11 English and Korean date formats of lesson 12
# (`nlpcourse.data.dates`), rewritten as ISO 8601. Test dates are held-out *days*, never
# seen in training in any format. Each model gets 10,000 training pairs and **one**
# epoch (in batches of 64 pairs), Adam at learning rate $10^{-2}$, embeddings of 32 and a
# hidden size of 64, half of lesson 12's; the loss skips the padding. To draw a
# learning curve we record the loss of every training step inside the loss function
# (`evaluate` runs without gradients, so its calls are left out).

# %%
DATE_EMBED, DATE_HIDDEN = 32, 64
date_pairs = dates(n_train=10_000, n_valid=500, n_test=1_000, seed=0)
print(len(date_pairs["train"]), "training pairs, e.g.", date_pairs["train"][:3])


def recording_loss(losses):
    """Cross-entropy that skips <pad> (index 0) and keeps every training step's
    value."""

    def loss_fn(logits, target):
        loss = F.cross_entropy(logits, target, ignore_index=0)
        # a training step; evaluate() runs without gradients
        if torch.is_grad_enabled():
            losses.append(loss.item())
        return loss

    return loss_fn


def train_seq2seq(pairs, attention, seed, embedding_dim, hidden_size, epochs,
                  batch_size=64):
    """A fresh Seq2Seq trained with Adam (lr 1e-2): the model (in eval mode), the
    loaders, the loss of every training step and fit's History."""
    seed_everything(seed)
    loaders = pair_loaders(pairs, "char", batch_size=batch_size, seed=seed)
    assert loaders.tgt_vocab["<pad>"] == 0  # what recording_loss ignores
    model = Seq2Seq(len(loaders.src_vocab), len(loaders.tgt_vocab), embedding_dim,
                    hidden_size, attention=attention)
    losses = []
    history = fit(model, loaders.train, loaders.validation, epochs=epochs,
                  optimizer=torch.optim.Adam(model.parameters(), lr=1e-2),
                  loss_fn=recording_loss(losses), metric=None, progress=False)
    return model.eval(), loaders, losses, history


date_models, date_losses, date_exact, date_seconds = {}, {}, {}, {}
n_wrong = n_wrong_day = 0  # mistakes of both models, and those in the day
for attention in ["dot", "additive"]:
    start = time.perf_counter()
    model, date_loaders, losses, history = train_seq2seq(
        date_pairs, attention, SEED, DATE_EMBED, DATE_HIDDEN, epochs=1)
    date_seconds[attention] = time.perf_counter() - start
    outputs, targets = date_loaders.greedy_outputs(model, "test", max_len=12)
    date_exact[attention] = np.mean([o == t for o, t in zip(outputs, targets)])
    date_models[attention], date_losses[attention] = model, losses
    print(f"{attention:8s}: {len(losses)} steps in {date_seconds[attention]:.1f} s, "
          f"validation loss {history.val_loss[-1]:.4f}, "
          f"test exact match {date_exact[attention]:.3f}")
    wrong = [(o, t) for o, t in zip(outputs, targets) if o != t]
    wrong_day = sum(o[8:] != t[8:] for o, t in wrong)  # YYYY-MM-DD: the day is [8:]
    print(f"          {len(wrong)} mistakes, {wrong_day} of them in the day; "
          "e.g. (output, truth):", wrong[:4])
    n_wrong, n_wrong_day = n_wrong + len(wrong), n_wrong_day + wrong_day
assert n_wrong == 0 or n_wrong_day > n_wrong / 2  # most mistakes are in the day

# %% mystnb={"image": {"alt": "Training loss at every step, on a log scale, of the GRU decoders with dot-product and with additive attention on dates over one epoch; both fall steadily, by about two orders of magnitude."}}
fig, ax = plt.subplots(figsize=(7, 3.5))
for attention, losses in date_losses.items():
    ax.plot(np.arange(1, len(losses) + 1), losses, label=f'attention="{attention}"')
ax.set(xlabel="training step (64 pairs)", ylabel="training loss (nats per character)",
       yscale="log", title="Attention decoders on dates, one epoch")
ax.legend()
plt.show()

# %%
for attention, losses in date_losses.items():
    first, last = np.mean(losses[:5]), np.mean(losses[-20:])
    print(f"{attention:8s}: training loss {first:.2f} over the first 5 steps, "
          f"{last:.4f} over the last 20, {first / last:.0f} times lower")
    assert last < first / 50  # about two orders of magnitude in one epoch
# the per-call gap of section 4 shrinks in training, where both share the GRU's cost
training_ratio = date_seconds["additive"] / date_seconds["dot"]
print(f"training time, additive / dot: {training_ratio:.1f} "
      f"(per attention call: {add_seconds / dot_seconds:.1f})")
assert training_ratio < add_seconds / dot_seconds
headlines.report("dates: exact match, dot", date_exact["dot"])
headlines.report("dates: exact match, additive", date_exact["additive"])
assert date_exact["dot"] > 0.9 and date_exact["additive"] > 0.9

# %% [markdown]
# Both decoders learn the task in one pass over 10,000 pairs: the training loss falls
# steadily, by about two orders of magnitude in one epoch (the ratios are printed).
# Lesson 12's context-vector model, with twice the hidden size and no attention, saw
# several times as many training pairs and was still learning when it stopped: compare
# the exact match it printed with the two above, this run's share of the 1,000 held-out
# test dates that come out right, each beside the band of five seeds. The asserts ask
# for more than 0.9 for both. Most of the remaining mistakes are in the day (counted
# above), often a one-digit day whose zero went to the wrong place (`10` for `01`): the
# decoder found the day but not yet where the zero goes. Last, the two training times
# differ much less than the two costs per attention call of section 4 (both ratios are
# printed above): most of a training step is the GRU and the output layer.
#
# **Ours against the package's.** Each trained model gets a copy whose decoder is this
# lesson's `AttentionDecoder` with the trained weights; both decode the first test
# batch greedily.

# %%
src, src_lengths, _, _ = next(iter(date_loaders.test))
for attention, model in date_models.items():
    ours = AttentionDecoder(DATE_EMBED, DATE_HIDDEN, len(date_loaders.tgt_vocab),
                            attention)
    ours.load_state_dict(model.decoder.state_dict())
    with_ours = copy.deepcopy(model)
    with_ours.decoder = ours
    package_ids, package_weights = model.greedy_decode(src, src_lengths, 12)
    our_ids, our_weights = with_ours.greedy_decode(src, src_lengths, 12)
    assert torch.equal(our_ids, package_ids)
    assert torch.equal(our_weights, package_weights)
print(f"our AttentionDecoder writes the trained models' outputs on {len(src)} test "
      "dates, with the same attention weights")

# %% [markdown]
# ## 6. Alignment: where the decoder looks
#
# `greedy_decode` also returns the attention weights of every output step, a
# (output length, input length) matrix per example: row $t$ shows where the decoder
# looked while writing output character $t$. {cite:t}`bahdanau2015attention` called
# such a matrix an {term}`alignment` (정렬): in translation it recovers which source
# words a target word came from. We write one held-out test day in three formats,
# English, Korean and numeric, and plot the weights of the "dot" model.
#
# The book's default font has no Hangul, so the Korean characters of the inputs are
# labelled by their romanisation: 년 (*nyeon*, year), 월 (*wol*, month), 일 (*il*,
# day); a space is shown as ␣.


# %% mystnb={"image": {"alt": "Three grey-scale attention maps of the dot-product decoder for one held-out day written in three formats (English with weekday, Korean, numeric day.month.year), output characters as rows and input characters as columns: the year digits look at the year, the month digits at the month and the day digits at the day, wherever each field sits, and the weekday gets no weight."}}
HANGUL_LABELS = {"년": "nyeon", "월": "wol", "일": "il"}


def char_labels(text):
    return [HANGUL_LABELS.get(ch, "␣" if ch == " " else ch) for ch in text]


def source_batch(loaders, texts):
    """Padded source ids (B, S) and lengths (B,) for a list of input texts."""
    ids = [torch.tensor(loaders.encode_source(text)) for text in texts]
    return pad_sequence(ids, batch_first=True), torch.tensor([len(i) for i in ids])


def decode_with_weights(model, loaders, texts, max_len=12):
    """Greedy outputs (strings) and attention weights (B, L, S) for a batch of
    inputs."""
    src, src_lengths = source_batch(loaders, texts)
    ids, weights = model.greedy_decode(src, src_lengths, max_len)  # (B, L), (B, L, S)
    return [loaders.decode_target(row) for row in ids], weights


def plot_alignment(ax, weights, source, output):
    """Attention weights as an (output characters x input characters) grey map."""
    rows = list(output) + ["<eos>"]
    # a square-root colour scale keeps weights of 0.05 visible next to weights of 0.9
    ax.imshow(weights[: len(rows), : len(source)].numpy(), cmap="Greys",
              norm=PowerNorm(0.5, 0, 1))
    ax.set_xticks(range(len(source)), char_labels(source), rotation=90)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlabel("input character")


test_days = [dt.date.fromisoformat(iso) for _, iso in date_pairs["test"]]
# two-digit month and day
day = next(d for d in test_days if d.month >= 10 and d.day >= 10)
examples = [format_date(day, style) for style in ("long_weekday", "korean", "eu_dot")]
outputs, weights = decode_with_weights(date_models["dot"], date_loaders, examples)
print(day.isoformat(), "<-", examples)
assert outputs == [day.isoformat()] * 3

fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), layout="constrained",
                         gridspec_kw={"width_ratios": [len(t) for t in examples]})
for ax, text, output, w in zip(axes, examples, outputs, weights):
    plot_alignment(ax, w, text, output)
axes[0].set_ylabel("output character")
fig.suptitle('Where the "dot" decoder looks while writing each character')
plt.show()

# %% [markdown]
# Read each map row by row (the grey levels are on a square-root scale, so that weak
# weights stay visible). The year digits look at the year, the day digits at the day,
# whatever the order of the fields: the English format puts the year last, the Korean
# one first. The month digits spread their weight over the month, its name or its
# number. The weekday is ignored, as it should be: it repeats what the date already
# says. No one told the model where the fields are; it found them because looking there
# lowers the loss.
#
# Two details are worth a second look. First, the weights are often highest on the
# **last** character of a field, or on the separator right after it (`,`, `.`, `월`),
# rather than on the digit being copied. The encoder is a left-to-right GRU: its state at
# a position has read everything up to there, so the state after `November` or after
# `21` holds the whole field, and the decoder reads it there. (Bahdanau's encoder was
# bidirectional, so that each state also summarised what follows.) Second, the very first
# row often looks at the end of the input: the decoder starts from the encoder's last
# state, and a state's dot product with itself is large.
#
# **Measuring it.** We write 300 held-out test days in all 11 formats, decode them, and
# for the last digit of each field of the output (`YYYY-MM-DD` positions 3, 6 and 9)
# check whether the input position with the largest weight lies inside that field of
# the input or on the character just after it. A decoder that looked at a random
# position would score the share of input characters in that span.

# %%
MONTH_NAME = re.compile(
    r"(?i)\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*")
LAST_DIGIT = {"year": 3, "month": 6, "day": 9}  # positions in YYYY-MM-DD


def field_spans(text, style):
    """Character spans [start, end) of the year, the month and the day in a
    written date."""
    numbers = [m.span() for m in re.finditer(r"\d+", text)]
    year = next(span for span in numbers if span[1] - span[0] == 4)
    day_or_month = [span for span in numbers if span != year]
    name = MONTH_NAME.search(text)
    if name:  # English formats: the month is a word and the only other number the day
        month, day = name.span(), day_or_month[0]
    elif style == "eu_dot":  # 21.11.2026
        day, month = day_or_month
    else:  # 11/21/2026 and the Korean formats: the month comes before the day
        month, day = day_or_month
    return {"year": year, "month": month, "day": day}


def alignment_hits(model, loaders, days):
    """Share of (input, field) pairs where the field's last output digit looks inside
    that input field or at the character after it; the same share for a random look;
    and the share of output digits that look at the very same digit."""
    hits = chance = same_digit = digits = total = 0
    for style in FORMATS:
        texts = [format_date(d, style) for d in days]
        # weights (B, L, S)
        outputs, weights = decode_with_weights(model, loaders, texts)
        for text, output, w in zip(texts, outputs, weights):
            # (L,): the top input position per step
            looked_at = w[:, : len(text)].argmax(dim=-1)
            for field, (start, end) in field_spans(text, style).items():
                hits += start <= looked_at[LAST_DIGIT[field]] <= end
                chance += (min(end + 1, len(text)) - start) / len(text)
                total += 1
            for t, ch in enumerate(output[:10]):
                if ch.isdigit():
                    same_digit += text[looked_at[t]] == ch
                    digits += 1
    return hits / total, chance / total, same_digit / digits


alignment = {a: alignment_hits(date_models[a], date_loaders, test_days[:300])
             for a in ["dot", "additive"]}
for attention, (hit, chance, same) in alignment.items():
    print(f"{attention:8s}: the right field {hit:.3f} (random look {chance:.3f}); "
          f"the very same digit {same:.3f}")
headlines.report("alignment: right field, dot", alignment["dot"][0])
headlines.report("alignment: right field, additive", alignment["additive"][0])
assert alignment["dot"][0] > 0.9 and alignment["additive"][0] > 0.85
assert alignment["dot"][1] < 0.35
# the same digit: about half the time or less, far less often than the right field
assert all(same < 0.65 and same < hit - 0.3 for hit, _, same in alignment.values())

# %% [markdown]
# Both decoders look at the right field for nearly every field, against about 28% for
# a random look (the asserts ask for more than 0.9 and 0.85; the bands beside the two
# headline numbers show how much the seed moves them). Only about half of the output
# digits, or fewer, look at the *same* digit in the input, for the reason above: a
# left-to-right encoder stores a field at its end. Alignment here is a property of the
# field, not of the character.
#
# ## 7. The bottleneck, with and without attention
#
# Lesson 12 measured the bottleneck on a task where every output character depends on
# exactly one input character far away: reversing a string of digits (`reversal_pairs`
# in `nlpcourse.data.toy`). A context vector of fixed size must hold the whole string
# before the first digit comes out, which gets harder with every extra digit. With
# attention the decoder can fetch each digit when it needs it.
#
# **The recipe, the same for both models.** Strings of 4 to 10 digits, 7,000 training
# pairs (seed 0), two epochs of batches of 64, Adam at $10^{-2}$, embeddings of 16 and
# a hidden size of 64; 2,000 test strings (seed 2). Without attention this is exactly
# lesson 12's reversal model, trained the same way. The only difference is
# `attention=None` or `"dot"`. We score exact match and
# per-character accuracy (the share of positions where the output has the right digit)
# for each input length.

# %%
MIN_LEN, MAX_LEN = 4, 10
reversal = {
    "train": reversal_pairs(7_000, MIN_LEN, MAX_LEN, seed=0),
    "validation": reversal_pairs(300, MIN_LEN, MAX_LEN, seed=1),
    "test": reversal_pairs(2_000, MIN_LEN, MAX_LEN, seed=2),
}
print("e.g.", reversal["train"][:2])
LENGTHS = list(range(MIN_LEN, MAX_LEN + 1))


def scores_by_length(outputs, targets):
    """Exact match and per-character accuracy, for each target length."""
    exact, per_char = {n: [] for n in LENGTHS}, {n: [] for n in LENGTHS}
    for output, target in zip(outputs, targets):
        exact[len(target)].append(output == target)
        per_char[len(target)].append(
            sum(a == b for a, b in zip(output, target)) / len(target))
    return [np.mean(exact[n]) for n in LENGTHS], [np.mean(per_char[n]) for n in LENGTHS]


reversal_models, reversal_scores = {}, {}
for attention in [None, "dot"]:
    start = time.perf_counter()
    model, reversal_loaders, _, history = train_seq2seq(
        reversal, attention, SEED, embedding_dim=16, hidden_size=64, epochs=2)
    outputs, targets = reversal_loaders.greedy_outputs(
        model, "test", max_len=MAX_LEN + 2)
    reversal_models[attention] = model
    reversal_scores[attention] = scores_by_length(outputs, targets)
    overall = np.mean([o == t for o, t in zip(outputs, targets)])
    print(f"attention={attention!s:5s}: {time.perf_counter() - start:.1f} s, "
          f"validation loss {history.val_loss[-1]:.3f}, exact match {overall:.3f}")

# %% mystnb={"image": {"alt": "Reversing digit strings with and without attention. Left and middle: exact match and per-character accuracy against input length; without attention both collapse as the strings grow, with attention they stay high much longer. Right: the attention map for reversing one string, an anti-diagonal: the decoder walks backwards through the input."}}
example = next(s for s, _ in reversal["test"] if len(s) == MAX_LEN)
(output,), weights = decode_with_weights(  # weights (1, L, S)
    reversal_models["dot"], reversal_loaders, [example], MAX_LEN + 2)

fig, axes = plt.subplots(1, 3, figsize=(15, 4),
                         gridspec_kw={"width_ratios": [1, 1, 0.8]})
for ax, k, name in [(axes[0], 0, "exact match"),
                    (axes[1], 1, "per-character accuracy")]:
    for attention, label in [(None, "no attention (as in lesson 12)"),
                             ("dot", 'attention="dot"')]:
        ax.plot(LENGTHS, reversal_scores[attention][k], "o-", label=label)
    if k == 1:
        ax.axhline(0.1, color="grey", linestyle=":", label="chance (1 digit in 10)")
    ax.set(xlabel="input length (digits)", ylabel=name, ylim=(0, 1.02), title=name)
    ax.legend()
plot_alignment(axes[2], weights[0], example, output)
axes[2].set(ylabel="output character", title=f"reversing {example}")
plt.tight_layout()
plt.show()

# %%
for n, exact_none, exact_dot in zip(LENGTHS, reversal_scores[None][0],
                                    reversal_scores["dot"][0]):
    print(f"{n:2d} digits: exact match {exact_none:.2f} without attention, "
          f"{exact_dot:.2f} with")
longest = [i for i, n in enumerate(LENGTHS) if n >= MAX_LEN - 1]  # lengths 9 and 10
shortest = [0, 1]  # lengths 4 and 5
exact_long = {a: np.mean([reversal_scores[a][0][i] for i in longest])
              for a in reversal_scores}
char_long = {a: np.mean([reversal_scores[a][1][i] for i in longest])
             for a in reversal_scores}
for attention in reversal_scores:
    short = np.mean([reversal_scores[attention][0][i] for i in shortest])
    print(f"attention={attention!s:5s}: exact match {short:.2f} on 4-5 digits, "
          f"{exact_long[attention]:.2f} on 9-10; "
          f"per character {char_long[attention]:.2f} on 9-10")
    assert short > 0.8  # both models reverse short strings
headlines.report("reversal: exact match 9-10 digits, no attention", exact_long[None])
headlines.report("reversal: exact match 9-10 digits, dot", exact_long["dot"])
assert exact_long["dot"] > 0.5 and exact_long[None] < 0.15
assert char_long["dot"] - char_long[None] > 0.2
assert char_long[None] < 0.7  # without attention, many digits of long strings wrong

# %% [markdown]
# Both models reverse four or five digits. Without attention, exact match collapses
# within a few more digits, and on 9 or 10 digits many of the characters are wrong.
# With attention the curve bends much later, and on the longest strings most come out
# exactly right. The map on the right shows how: an anti-diagonal, the decoder walks
# backwards through the input one position per output character.
#
# The asserts ask for exact match above 0.5 with attention against below 0.15 without
# on 9 and 10 digits, and a per-character gap of 0.2; the two headline numbers print
# this run beside the band of five seeds (same data, different initialisation and batch
# order). The curves are a snapshot after two short epochs; the scale-up section says
# how to watch the gap grow with longer training and longer strings.
#
# ## 8. Real sentences: German and English, aligned
#
# Dates and digits have one right alignment that we can check. Translation is where
# Bahdanau's attention earned its name, so we end on real sentences: the Multi30k
# captions of lesson 12, German into English. First the lesson's own model, the
# attention decoder of section 5 on lesson 12's recipe, a BPE vocabulary of 1,000
# pieces, for half as long: 32 steps of 64 pairs (attention makes each step dearer).
# Then the course's translator, trained for hours, which lesson 12 loaded.

# %%
translation_pairs = multi30k("de", "en")  # downloaded once, then read from the cache
bpe = train_bpe([text for pair in translation_pairs.train for text in pair], 1000)
pieces = [bpe.encode_batch([pair[side] for pair in translation_pairs.train[:2048]])
          for side in (0, 1)]
short_run_batches = DataLoader(
    [(de.ids, en.ids) for de, en in zip(*pieces)], batch_size=64, shuffle=True,
    collate_fn=PairCollate(),
)
seed_everything(SEED)
de_en_attention = Seq2Seq(1000, 1000, embedding_dim=64, hidden_size=128,
                          attention="dot")
short_losses = []
short_run = fit(de_en_attention, short_run_batches, epochs=1,
                loss_fn=recording_loss(short_losses), metric=None, grad_clip=1.0,
                optimizer=torch.optim.Adam(de_en_attention.parameters(), lr=3e-3),
                progress=False)
print(f"{len(short_losses)} steps in {short_run.seconds:.1f} s: loss "
      f"{np.mean(short_losses[:10]):.2f} over the first 10, "
      f"{np.mean(short_losses[-10:]):.2f} over the last 10")
translator = checkpoints.load("multi30k-de-en-transformer")
print(f"the course's translator: {translator.record['cpu_s'] / 60:.0f} CPU minutes "
      f"on all {len(translation_pairs.train):,} training pairs")
assert np.mean(short_losses[-10:]) < np.mean(short_losses[:10]) - 0.5

# %% [markdown]
# To see where a decoder looks, we feed it a human translation, teacher-forced, and
# keep its weights over the source while it writes each piece. For the recurrent model
# these are the weights its `step` returns. The Transformer has a cross-attention in
# each of its three decoder layers, each with four heads; `decode_step` appends every
# layer's weights to a list when given one, and we average the heads of one layer.


# %%
def aligned_pieces(tokenizer, source, target):
    """The source's pieces and the target's pieces with <eos>, as ids."""
    return tokenizer.encode(source).ids, tokenizer.encode(target).ids + [EOS]


def recurrent_alignment(model, source_ids, target_ids):
    """(T, S) attention weights of a Seq2Seq decoder writing target_ids, teacher
    forced: row t is where it looks while it writes target piece t."""
    src = torch.tensor([source_ids])  # (1, S)
    memory, state, mask = model.encode(src, torch.tensor([len(source_ids)]))
    rows, token = [], torch.tensor([SOS])
    with torch.no_grad():
        for next_id in target_ids:
            _, state, weights = model.step(token, state, memory, mask)  # (1, S)
            rows.append(weights[0])
            token = torch.tensor([next_id])
    return torch.stack(rows)  # (T, S)


def transformer_alignment(model, source_ids, target_ids, layer):
    """(T, S) cross-attention weights of one decoder layer, averaged over its heads,
    while the Transformer writes target_ids, teacher forced."""
    src, src_lengths = torch.tensor([source_ids]), torch.tensor([len(source_ids)])
    cache = model.init_decoding(src, src_lengths)
    rows, token = [], torch.tensor([SOS])
    for next_id in target_ids:
        weights = []  # one (1, heads, S) tensor per decoder layer
        _, cache = model.decode_step(token, cache, cross_attention=weights)
        rows.append(weights[layer][0].mean(dim=0))  # (S,)
        token = torch.tensor([next_id])
    return torch.stack(rows)  # (T, S)


SOS, EOS = translator.model.sos_index, translator.model.eos_index
shown = [translation_pairs.test[i] for i in (0, 4)]
maps = []
for source, target in shown:
    for model, tokenizer in ((de_en_attention, bpe),
                             (translator.model, translator.tokenizer)):
        source_ids, target_ids = aligned_pieces(tokenizer, source, target)
        if model is de_en_attention:
            weights = recurrent_alignment(model, source_ids, target_ids)
        else:
            weights = transformer_alignment(model, source_ids, target_ids, layer=1)
        maps.append((weights, [tokenizer.id_to_token(i) for i in source_ids],
                     [tokenizer.id_to_token(i) for i in target_ids]))

# %% mystnb={"image": {"alt": "Four grey-scale attention maps for two Multi30k test pairs, German source pieces as columns and the English reference pieces as rows. Left, the lesson's 32-step attention decoder: weights spread over many source pieces with no pattern. Right, the course's long-trained Transformer (second decoder layer, heads averaged): nearly one dark cell per row, each English piece on its German counterpart, hat on Hut, roof on Dach, house on Hauses."}}
fig, axes = plt.subplots(2, 2, figsize=(12, 9.5))
titles = [f"the lesson's attention GRU, {len(short_losses)} steps",
          "the course's Transformer, layer 2"]
for ax, (weights, source_pieces, target_pieces), title in zip(axes.flat, maps,
                                                                titles * 2):
    ax.imshow(weights.numpy(), cmap="Greys", vmin=0, vmax=1)
    ax.set_xticks(range(len(source_pieces)), source_pieces, rotation=90, fontsize=8)
    ax.set_yticks(range(len(target_pieces)), target_pieces, fontsize=8)
    ax.set_title(title, fontsize=10)
fig.tight_layout()
plt.show()
peak = [weights.max(dim=1).values.mean().item() for weights, _, _ in maps]
print(f"mean largest weight per row: short run {peak[0]:.2f} and {peak[2]:.2f}, "
      f"translator {peak[1]:.2f} and {peak[3]:.2f}")


def looks_at(alignment, english, german):
    """The source piece the row of the target piece `english` weighs most."""
    weights, source_pieces, target_pieces = alignment
    return source_pieces[weights[target_pieces.index(english)].argmax()]


pairs_found = {(english, looks_at(maps[k], english, german)): german
               for k, english, german in ((1, "▁hat", "▁hut"), (3, "▁roof", "▁dach"),
                                          (3, "▁house", "▁hauses"))}
print(pairs_found)
assert all(found == german for (_, found), german in pairs_found.items())
assert min(peak[1], peak[3]) > max(peak[0], peak[2]) + 0.2

# %% [markdown]
# After 32 steps the recurrent decoder's weights are spread over the sentence: it has
# not yet learnt where to look. The long-trained Transformer's second layer has, and
# its map is an alignment in the sense of {cite:t}`bahdanau2015attention`: nearly one
# dark cell per English piece, on the German piece it translates ("hat" on "Hut",
# "roof" on "Dach", "house" on "Hauses", as the assert checks), with a jump where the
# two word orders differ. Nobody told the model which words correspond; it learnt
# that from sentence pairs alone, because looking there made the next piece easier
# to predict. Not every layer or head is this clean: other layers spread their weight
# more, and reading attention maps as explanations has its critics (exercise 5 draws
# the other layers).
#
# **Scoring translations.** Translation has no single right answer, so exact match is
# useless there. The standard score is {term}`BLEU` {cite:p}`papineni2002bleu`: the
# geometric mean of the modified precisions of the output's 1- to 4-grams against the
# reference translation (each n-gram counted at most as often as the reference has
# it), times a brevity penalty for outputs shorter than the reference, on a 0 to 100
# scale. Scores depend on the tokenisation and casing, so {cite:t}`post2018sacrebleu`
# wrote `sacrebleu`, which tokenises the references itself and reports its settings.
# Lesson 12 scored the translator both with sacrebleu and the way
# {cite:t}`trevett2019seq2seq` computes BLEU (lower-cased, tokenised words), whose GRU
# encoder-decoder with additive attention reaches about 28 on this test set. Here is
# `sacrebleu` on three toy sentences.

# %%
references = ["A man is riding a bicycle.", "Two dogs play in the snow.",
              "A woman sings."]
hypotheses = ["A man is riding a bicycle.", "Two dogs are playing in snow.",
              "A man sings."]
corpus = sacrebleu.corpus_bleu(hypotheses, [references])
print(corpus)
for hypothesis, reference in zip(hypotheses, references):
    sentence = sacrebleu.sentence_bleu(hypothesis, [reference]).score
    print(f"{sentence:6.1f}  {hypothesis!r} against {reference!r}")
assert math.isclose(sacrebleu.corpus_bleu(references, [references]).score, 100.0)
assert 0 < corpus.score < 100

# %% [markdown]
# A perfect copy scores 100. *Two dogs are playing in snow.* means the same as its
# reference but shares few 3- and 4-grams with it, so it scores low, while *A man sings.*
# gets a wrong word and still keeps some n-grams: BLEU counts overlapping n-grams, not
# meaning, which is why it is reported over a whole test set and used to compare
# systems rather than to judge one sentence.
#
# ## 9. Scale up
#
# - **Steps and lengths.** Everything here is one or two epochs on one CPU thread. On
#   the reversal task, try `epochs=10`, then strings of up to 24 digits
#   (`reversal_pairs(50_000, 4, 24)`), and watch the gap between the two curves grow.
#   On dates, `DATE_HIDDEN = 128` matches lesson 12's model exactly.
# - **A bidirectional encoder.** Bahdanau's encoder read the input both ways, so that
#   every state also knew what follows it; the course's `Seq2Seq` keeps lesson 12's
#   one-way GRU, and lesson 14's Transformer encoder sees both sides by construction.
# - **Size and device.** For real sentences on a GPU, train section 8's model for ten
#   epochs on all 29,000 pairs, with `embedding_dim=256`, `hidden_size=512`,
#   `attention="additive"` and `dropout=0.3`, and `fit(..., device=get_device())`
#   (from `nlpcourse.train`).

# %%
lesson_seconds = time.perf_counter() - lesson_start
print(f"lesson ran in {lesson_seconds:.1f} s "
      f"(German-English {short_run.seconds:.1f} s)")
print(f"dates, exact match: dot {date_exact['dot']:.3f}, "
      f"additive {date_exact['additive']:.3f}")
print(f"dates, the right field: dot {alignment['dot'][0]:.3f}, "
      f"additive {alignment['additive'][0]:.3f}")
print(f"reversal, exact match on 9-10 digits: no attention {exact_long[None]:.2f}, "
      f"dot {exact_long['dot']:.2f}")

# %% [markdown]
# ## Exercises
#
# Try each one before opening its solution (click *Show the solution* in the book).
#
# **1.** Section 3 said that a saturated softmax has almost no gradient. The Jacobian of
# $\alpha = \mathrm{softmax}(e)$ is $\partial \alpha_i / \partial e_j = \alpha_i
# (\delta_{ij} - \alpha_j)$. For 500 random queries of $d = 256$ against 16 keys, compare
# the size (Frobenius norm) of this Jacobian with and without the $1/\sqrt{d}$ scaling,
# and check the formula against `torch.autograd` on one query.

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 1
d = 256
g = torch.Generator().manual_seed(1)
q, k = torch.randn(500, 1, d, generator=g), torch.randn(500, 16, d, generator=g)
dots = (q @ k.transpose(1, 2))[:, 0]  # (500, 16)
norms = {}
for name, e in [("raw", dots), ("scaled", dots / math.sqrt(d))]:
    p = F.softmax(e, dim=-1)  # (500, 16)
    jacobian = torch.diag_embed(p) - p[:, :, None] * p[:, None, :]  # (500, 16, 16)
    norms[name] = jacobian.flatten(1).norm(dim=1).median().item()
    autograd = torch.autograd.functional.jacobian(lambda x: F.softmax(x, dim=-1), e[0])
    assert torch.allclose(autograd, jacobian[0], atol=1e-6)
print(f"median Jacobian norm: raw {norms['raw']:.4f}, scaled {norms['scaled']:.4f}")
assert norms["raw"] < norms["scaled"] / 5
# Unscaled, most rows are nearly one-hot and their Jacobian nearly zero: the scores
# receive almost no gradient, so the attention cannot learn to look elsewhere.

# %% [markdown]
# **2.** Masking a padded key. Encode a short and a long date in one batch with the
# trained "dot" model (`model.encode` returns the encoder outputs, the last state and the
# padding mask), and attend from the decoder's first query (the last state) with and
# without the mask, using `scaled_dot_product_attention` from section 3. How much
# weight does the short input give to its padding without the mask?

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 2
model = date_models["dot"]
src, src_lengths = source_batch(date_loaders,
                                ["2/3/2031", "Wednesday, November 12, 2031"])
with torch.no_grad():
    memory, state, mask = model.encode(src, src_lengths)  # (2, S, H), (2, H), (2, S)
    _, masked = scaled_dot_product_attention(
        state[:, None], memory, memory, mask[:, None])  # (2, 1, S)
    _, unmasked = scaled_dot_product_attention(state[:, None], memory, memory)
short = src_lengths[0].item()
print(f"weight on the {src.shape[1] - short} padding positions of the short input: "
      f"{masked[0, 0, short:].sum():.3f} with the mask, "
      f"{unmasked[0, 0, short:].sum():.3f} without")
assert masked[0, 0, short:].sum() == 0 and unmasked[0, 0, short:].sum() > 0
# Padding outputs are zero vectors, so their score is 0, not minus infinity: without the
# mask they share the weight, and the answer would depend on what else is in the batch.

# %% [markdown]
# **3.** Hard attention. Replace the softmax weights by a one-hot vector on the
# position with the largest weight (the decoder then reads exactly one encoder state per
# step) and decode 300 test dates greedily. Check first that your loop with the soft
# weights reproduces `greedy_decode`. How much exact match does the hard version keep?

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 3
@torch.no_grad()
def greedy_decode_by_hand(model, src, src_lengths, max_len=12, hard=False):
    """The attention decoder's greedy loop, written out; hard=True reads one
    position."""
    memory, state, mask = model.encode(src, src_lengths)  # (B, S, H), (B, H), (B, S)
    token = torch.full((src.shape[0],), model.sos_index)
    tokens = []
    for _ in range(max_len):
        _, weights = scaled_dot_product_attention(
            state[:, None], memory, memory, mask[:, None])  # (B, 1, S)
        weights = weights[:, 0]  # (B, S)
        if hard:
            weights = F.one_hot(
                weights.argmax(dim=-1), memory.shape[1]).float()  # (B, S)
        context = (weights[:, :, None] * memory).sum(dim=1)  # (B, H)
        state = model.decoder.cell(
            torch.cat([model.tgt_embedding(token), context], dim=-1), state)
        scores = model.decoder.out(torch.cat([state, context], dim=-1))  # (B, V)
        token = scores.argmax(dim=-1)  # (B,)
        tokens.append(token)
    return torch.stack(tokens, dim=1)  # (B, max_len)


texts, truths = zip(*date_pairs["test"][:300])
src, src_lengths = source_batch(date_loaders, texts)
package_ids, _ = model.greedy_decode(src, src_lengths, 12)
soft_ids = greedy_decode_by_hand(model, src, src_lengths)
same = [date_loaders.decode_target(a) == date_loaders.decode_target(b)
        for a, b in zip(package_ids, soft_ids)]
assert all(same)
exact = {}
for hard in [False, True]:
    ids = greedy_decode_by_hand(model, src, src_lengths, hard=hard)
    exact[hard] = np.mean([date_loaders.decode_target(r) == t
                           for r, t in zip(ids, truths)])
print(f"exact match: soft attention {exact[False]:.3f}, "
      f"hard (top-1) attention {exact[True]:.3f}")
assert exact[True] < exact[False] - 0.3  # hard attention loses most of it
# The decoder was trained to read a mixture: the year's digits, for example, are spread
# over several positions of a left-to-right encoder, and one position does not hold them
# all. Hard attention needs its own training (it is not differentiable; Luong et al.'s
# local attention is a soft compromise: a window around one predicted position).

# %% [markdown]
# **4.** Count the parameters of the date model without attention, with "dot" and with
# "additive" attention by formula, and check against PyTorch. Where do the extra
# weights of the attention models sit?

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 4
Vs, Vt, E, H = (len(date_loaders.src_vocab), len(date_loaders.tgt_vocab),
                DATE_EMBED, DATE_HIDDEN)


def gru_weights(input_size, hidden):
    return 3 * (hidden * input_size + hidden * hidden + 2 * hidden)


no_attention = Vs * E + Vt * E + gru_weights(E, H) + gru_weights(E, H) + H * Vt + Vt
# with attention the decoder GRU also reads the context (H more inputs) and so does the
# output layer
dot = Vs * E + Vt * E + gru_weights(E, H) + gru_weights(E + H, H) + 2 * H * Vt + Vt
additive_count = dot + H * H + (H * H + H) + H  # W, U and b, v
for name, formula in [(None, no_attention), ("dot", dot), ("additive", additive_count)]:
    counted = sum(p.numel() for p in Seq2Seq(Vs, Vt, E, H, attention=name).parameters())
    print(f"attention={name!s:8s}: {counted:,} parameters")
    assert counted == formula
print(f"dot adds {dot - no_attention:,} (3H^2 in the GRU, H*V in the output layer); "
      f"additive another {additive_count - dot:,}")

# %% [markdown]
# **5.** Draw the Transformer's alignment of the second pair of section 8 in each of its
# three decoder layers. Which layer is the sharpest, by the mean largest weight per row?

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution", "image": {"alt": "Three grey-scale maps of the translator's cross-attention for one Multi30k test pair, one per decoder layer, English reference pieces as rows and German source pieces as columns; the second layer has nearly one dark cell per row, the first and third spread their weight."}}
# @title Solution to exercise 5
source_ids, target_ids = aligned_pieces(translator.tokenizer, *shown[1])
fig, axes = plt.subplots(1, 3, figsize=(13, 4))
sharpness = []
for layer, ax in enumerate(axes):
    weights = transformer_alignment(translator.model, source_ids, target_ids, layer)
    sharpness.append(weights.max(dim=1).values.mean().item())
    ax.imshow(weights.numpy(), cmap="Greys", vmin=0, vmax=1)
    ax.set_title(f"layer {layer + 1}: mean largest weight {sharpness[-1]:.2f}")
plt.show()
print(f"sharpest: layer {np.argmax(sharpness) + 1}")
assert np.argmax(sharpness) == 1
# The first layer reads the source before the decoder knows much about its own
# prefix, and spreads its weight; the second lines up the words; the third mixes
# alignment with weight on the end of the sentence, where the model keeps
# sentence-level information. Other models and seeds put the sharpest map elsewhere.

# %% [markdown]
# ## Summary
#
# | model | idea | on this lesson's tasks | strengths | weaknesses |
# |---|---|---|---|---|
# | context vector (lesson 12) {cite:p}`sutskever2014seq2seq` | the decoder sees only the encoder's last state | dates: still learning after several times as many pairs, hidden 128; reversal: almost no string of 9-10 digits right | simple; one vector per input | a fixed-size bottleneck: fails as inputs grow |
# | dot-product attention {cite:p}`luong2015attention`, scaled as in {cite:p}`vaswani2017attention` | score $q \cdot k / \sqrt{d}$ (Luong's is unscaled, $q \cdot k$), softmax, weighted sum of values | dates: nearly all right after one epoch of 10,000 (hidden 64); reversal: most strings of 9-10 digits right; the right field nearly always | no parameters; one matrix product; the Transformer's form | query and keys must live in one space; unscaled, it saturates as $d$ grows |
# | cross-attention of a trained Transformer (lesson 14) | each decoder layer attends over the source, four heads | German-English captions: one German piece per English piece in layer 2, with jumps where the word orders differ | learnt alignment with no alignment labels | other layers and heads are less clean; attention is not an explanation |
# | additive attention {cite:p}`bahdanau2015attention` | score $v^\top \tanh(Wq + Uk + b)$ | dates: nearly all right after one epoch; the right field nearly always | any query and key sizes; a learned non-linear score | $2h^2 + 2h$ more weights; a (B, S, h) tensor per step, several times slower per call |
#
# Formulas to keep: $\alpha = \mathrm{softmax}(q K^\top / \sqrt{d})$, $c = \alpha V$;
# the standard deviation of $q \cdot k$ is $\sqrt{d}$; masked scores are $-\infty$
# (`True` = forbidden in the course and `nn.MultiheadAttention`, the opposite in
# `F.scaled_dot_product_attention`). Lesson 14 lets every position of a sequence attend
# to every other one (self-attention) and drops the recurrence altogether.
#
# ## References
#
# - {cite:t}`bahdanau2015attention`: the first attention model for translation, with the
#   additive score and the alignment pictures.
# - {cite:t}`luong2015attention`: dot (unscaled), general and concat scores compared;
#   global and local attention.
# - {cite:t}`vaswani2017attention`: scaled dot-product attention and why to scale (the
#   $1/\sqrt{d}$ of the course's `"dot"` score).
# - {cite:t}`sutskever2014seq2seq`: the encoder-decoder without attention.
# - {cite:t}`papineni2002bleu` and {cite:t}`post2018sacrebleu`: BLEU, and reporting it
#   reproducibly.
# - {cite:t}`elliott2016multi30k`: the Multi30k data set.
# - {cite:t}`trevett2019seq2seq`: PyTorch tutorials of these models on Multi30k.
