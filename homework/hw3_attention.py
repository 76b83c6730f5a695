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

# %% [raw]
# # ASSIGNMENT CONFIG
# init_cell: false
# export_cell: false
# check_all_cell: true
# generate: true
# run_tests: false
# tests:
#   files: true

# %% [markdown]
# # Homework III: attention and Transformers (어텐션과 트랜스포머)
#
# Three functions from lessons 13, 14 and 12, written by you and checked by the
# autograder. Each question says what to write; after it, `grader.check("q...")` runs
# the public tests. The grader keeps more tests, hidden ones, and your grade counts
# them too, so test your code on cases of your own as well.
#
# Use only `torch` and `math`; `torch.nn.functional.scaled_dot_product_attention`,
# `nlpcourse` and other ready-made versions of what you are asked to write are off
# limits (the tests compare against them).
#
# | question | lesson | points |
# |---|---|---|
# | 1. scaled dot-product attention with a mask | 13, 14 | 4 |
# | 2. sinusoidal positional encoding | 14 | 3 |
# | 3. greedy decoding | 12 | 3 |

# %%
# Setup: in Colab, install otter-grader and fetch this homework's public tests first.
import shutil
import subprocess
import sys
from pathlib import Path

if "google.colab" in sys.modules and not Path("tests").is_dir():
    REPO = "https://github.com/nlp-dl-course/nlp-deep-learning"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "otter-grader==7.0.0"], check=True)
    subprocess.run(["git", "clone", "-q", "--depth", "1", REPO, "/tmp/course"], check=True)
    shutil.copytree("/tmp/course/homework/student/hw3_attention/tests", "tests")

import math

import otter
import torch

grader = otter.Notebook()  # grader.check("q1") runs the tests in ./tests on your code
torch.manual_seed(0)

# %% [markdown]
# ## Question 1. Scaled dot-product attention
#
# Write `attention(q, k, v, mask=None)` for queries `q` (..., Tq, d), keys `k`
# (..., Tk, d) and values `v` (..., Tk, dv). It returns the output (..., Tq, dv) and
# the weights (..., Tq, Tk):
#
# $$
# \mathrm{weights} = \mathrm{softmax}\Big(\frac{q k^\top}{\sqrt{d}}\Big), \qquad
# \mathrm{output} = \mathrm{weights}\; v .
# $$
#
# `mask` is `None` or a boolean tensor that broadcasts to (..., Tq, Tk) and is `True`
# where a query may **not** look (a padding key, or a future position). A masked
# score becomes $-\infty$ before the softmax, so its weight is exactly 0 and each row
# of weights still sums to 1. You may assume every query can see at least one key.

# %% [raw]
# # BEGIN QUESTION
# name: q1
# points: 4

# %% [raw]
# # BEGIN SOLUTION

# %%
def attention(q, k, v, mask=None):
    # BEGIN SOLUTION
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., Tq, Tk)
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights  # (..., Tq, dv), (..., Tq, Tk)
    # END SOLUTION


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
# Without a mask: PyTorch's function gives the same output; weights are a softmax.
_q, _k, _v = torch.randn(2, 5, 8), torch.randn(2, 7, 8), torch.randn(2, 7, 3)
_out, _weights = attention(_q, _k, _v)
assert _out.shape == (2, 5, 3) and _weights.shape == (2, 5, 7)
assert torch.allclose(_weights.sum(-1), torch.ones(2, 5), atol=1e-5)
assert torch.allclose(_out, torch.nn.functional.scaled_dot_product_attention(_q, _k, _v), atol=1e-5)

# %%
# A causal mask: nothing above the diagonal, and PyTorch's causal result.
_x = torch.randn(1, 6, 4)
_causal = torch.ones(6, 6, dtype=torch.bool).triu(1)
_out, _weights = attention(_x, _x, _x, mask=_causal)
assert torch.all(_weights[0][_causal] == 0)
assert torch.allclose(_weights.sum(-1), torch.ones(1, 6), atol=1e-5)
assert torch.allclose(_out, torch.nn.functional.scaled_dot_product_attention(_x, _x, _x, is_causal=True), atol=1e-5)

# %%
# HIDDEN
# Large dimension: the 1/sqrt(d) scaling matters.
_q, _k, _v = 3 * torch.randn(4, 2, 64), 3 * torch.randn(4, 9, 64), torch.randn(4, 9, 5)
_out, _weights = attention(_q, _k, _v)
_expected = torch.softmax(_q @ _k.transpose(-2, -1) / 8.0, dim=-1)
assert torch.allclose(_weights, _expected, atol=1e-5)
assert torch.allclose(_out, _expected @ _v, atol=1e-5)

# %%
# HIDDEN
# A padding mask (B, 1, Tk) broadcast over the queries, in 4-D (B, heads, T, d).
_q, _k, _v = torch.randn(2, 3, 4, 8), torch.randn(2, 3, 5, 8), torch.randn(2, 3, 5, 8)
_lengths = torch.tensor([5, 2])
_padding = (torch.arange(5)[None, :] >= _lengths[:, None])[:, None, None, :]  # (B, 1, 1, Tk)
_out, _weights = attention(_q, _k, _v, mask=_padding)
assert torch.all(_weights[1, :, :, 2:] == 0)
_expected = torch.nn.functional.scaled_dot_product_attention(_q, _k, _v, attn_mask=~_padding)
assert torch.allclose(_out, _expected, atol=1e-5)
assert torch.allclose(_weights.sum(-1), torch.ones(2, 3, 4), atol=1e-5)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Question 2. Sinusoidal positional encoding
#
# Write `positional_encoding(max_len, d_model)`, the (max_len, d_model) table of
# Vaswani et al. for an even `d_model`: for position $p$ and $i = 0, 1, \dots, d/2 - 1$,
#
# $$
# PE[p, 2i] = \sin\!\big(p / 10000^{2i/d}\big), \qquad
# PE[p, 2i + 1] = \cos\!\big(p / 10000^{2i/d}\big).
# $$

# %% [raw]
# # BEGIN QUESTION
# name: q2
# points: 3

# %% [raw]
# # BEGIN SOLUTION

# %%
def positional_encoding(max_len, d_model):
    # BEGIN SOLUTION
    positions = torch.arange(max_len, dtype=torch.float32)[:, None]  # (T, 1)
    rates = 10000.0 ** (-torch.arange(0, d_model, 2, dtype=torch.float32) / d_model)  # (d/2,)
    table = torch.zeros(max_len, d_model)
    table[:, 0::2] = torch.sin(positions * rates)
    table[:, 1::2] = torch.cos(positions * rates)
    return table
    # END SOLUTION


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
# Shape, position 0 (sin 0 = 0, cos 0 = 1), and the fastest clock in the first pair.
_pe = positional_encoding(50, 16)
assert tuple(_pe.shape) == (50, 16)
assert torch.allclose(_pe[0], torch.tensor([0.0, 1.0] * 8))
assert torch.allclose(_pe[:, 0], torch.sin(torch.arange(50.0)), atol=1e-5)

# %%
# HIDDEN
# Every entry, against the formula written out with Python floats.
_pe = positional_encoding(30, 10)
for _p in (1, 7, 29):
    for _i in range(5):
        _angle = _p / 10000 ** (2 * _i / 10)
        assert abs(_pe[_p, 2 * _i].item() - math.sin(_angle)) < 1e-5
        assert abs(_pe[_p, 2 * _i + 1].item() - math.cos(_angle)) < 1e-5

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Question 3. Greedy decoding
#
# A decoder produces one token at a time. Its method `step(token, state)` takes the
# previous token ids (B,) and its state, and returns the logits for the next token
# (B, V) and the new state. Write `greedy_decode(decoder, state, sos, eos, max_len)`,
# where `state` is the decoder's first state, a tensor whose first dimension is the
# batch size B: start from `sos` for every row, feed back the most likely token at
# each step, and return the generated ids as a (B, L) tensor, `L <= max_len`, without
# the `sos`.
#
# - Once a row has produced `eos`, every later position of that row is `eos` too.
# - Stop early when every row has produced `eos`; otherwise stop after `max_len` steps.
#
# `CountingDecoder` below is a toy decoder to try your function on: it always wants
# the token after the one it was given, and writes `eos` (= 5) after 4.

# %%
class CountingDecoder:
    """Logits that favour (token + 1); V = 6 tokens, so from 4 it writes 5 = eos."""

    vocab_size = 6

    def step(self, token, state):
        logits = torch.nn.functional.one_hot((token + 1).clamp(max=5), self.vocab_size).float()  # (B, V)
        return 5.0 * logits, state + 1


# %% [raw]
# # BEGIN QUESTION
# name: q3
# points: 3

# %% [raw]
# # BEGIN SOLUTION

# %%
def greedy_decode(decoder, state, sos, eos, max_len):
    # BEGIN SOLUTION
    batch = state.shape[0]
    token = torch.full((batch,), sos, dtype=torch.long)
    done = torch.zeros(batch, dtype=torch.bool)
    outputs = []
    for _ in range(max_len):
        logits, state = decoder.step(token, state)  # (B, V)
        token = logits.argmax(dim=-1).masked_fill(done, eos)  # (B,)
        outputs.append(token)
        done |= token == eos
        if done.all():
            break
    return torch.stack(outputs, dim=1)  # (B, L)
    # END SOLUTION


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
# Counting from the start token to eos, then stopping.
_ids = greedy_decode(CountingDecoder(), torch.zeros(2), sos=0, eos=5, max_len=10)
assert _ids.tolist() == [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]]

# %%
# max_len stops a decoder that has not finished.
_ids = greedy_decode(CountingDecoder(), torch.zeros(1), sos=0, eos=5, max_len=3)
assert _ids.tolist() == [[1, 2, 3]]

# %%
# HIDDEN
# Rows that finish at different steps: eos is repeated in a finished row.


class _TwoSpeeds:
    # Row 0 counts by one, row 1 by two; eos = 6, V = 7.

    def step(self, token, state):
        nxt = token + state  # state holds each row's stride
        nxt = torch.where(nxt > 6, torch.ones_like(nxt), nxt)  # past eos: start again at 1
        return torch.nn.functional.one_hot(nxt, 7).float(), state


_ids = greedy_decode(_TwoSpeeds(), torch.tensor([1, 2]), sos=0, eos=6, max_len=20)
assert _ids.tolist() == [[1, 2, 3, 4, 5, 6], [2, 4, 6, 6, 6, 6]]

# %%
# HIDDEN
# The decoder must be fed its own previous output, and greedy means argmax.


class _Echo:
    # Most weight on the token it was given plus 2 (mod 9), a little on plus 1.

    def step(self, token, state):
        logits = 3.0 * torch.nn.functional.one_hot((token + 2) % 9, 9).float()
        logits += torch.nn.functional.one_hot((token + 1) % 9, 9).float()
        return logits, state


_ids = greedy_decode(_Echo(), torch.zeros(1), sos=1, eos=0, max_len=6)
assert _ids.tolist() == [[3, 5, 7, 0]]

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Submit
#
# Run every cell, save the notebook, and hand it in as your instructor asks (see the
# course's instructors' page). `grader.check_all()` below runs all public tests at once.
