"""Plausible wrong answers to the homework questions: each must fail at least one test.

``WRONG[homework][question]`` lists ``(description, name, function)``: the function is put
into the solved notebook's namespace under ``name``, replacing the right answer, and the
question's tests (public and hidden) are run against it. tests/test_homework.py checks
that every one of them is caught.
"""

import math

import torch

WRONG: dict[str, dict[str, list]] = {}


def wrong(homework: str, question: str, name: str, description: str):
    def register(function):
        WRONG.setdefault(homework, {}).setdefault(question, []).append((description, name, function))
        return function

    return register


# Homework III: attention and Transformers


@wrong("hw3_attention", "q1", "attention", "no 1/sqrt(d) scaling")
def _attention_unscaled(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1)
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


@wrong("hw3_attention", "q1", "attention", "mask applied after the softmax (rows no longer sum to 1)")
def _attention_mask_late(q, k, v, mask=None):
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
    if mask is not None:
        weights = weights.masked_fill(mask, 0.0)
    return weights @ v, weights


@wrong("hw3_attention", "q1", "attention", "mask read the wrong way round (True = may look)")
def _attention_mask_inverted(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.nan_to_num(torch.softmax(scores, dim=-1))
    return weights @ v, weights


@wrong("hw3_attention", "q1", "attention", "softmax over the queries instead of the keys")
def _attention_wrong_axis(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    weights = torch.nan_to_num(torch.softmax(scores, dim=-2))
    return weights @ v, weights


@wrong("hw3_attention", "q1", "attention", "scaled by sqrt of the number of keys, not of d")
def _attention_scaled_by_keys(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(k.shape[-2])
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


def _table(max_len, d_model, exponent, first, second):
    positions = torch.arange(max_len, dtype=torch.float32)[:, None]
    rates = 10000.0 ** (-exponent(torch.arange(0, d_model, 2, dtype=torch.float32), d_model))
    table = torch.zeros(max_len, d_model)
    table[:, 0::2] = first(positions * rates)
    table[:, 1::2] = second(positions * rates)
    return table


@wrong("hw3_attention", "q2", "positional_encoding", "sin and cos swapped")
def _positions_swapped(max_len, d_model):
    return _table(max_len, d_model, lambda even, d: even / d, torch.cos, torch.sin)


@wrong("hw3_attention", "q2", "positional_encoding", "exponent i/d instead of 2i/d")
def _positions_half_exponent(max_len, d_model):
    return _table(max_len, d_model, lambda even, d: even / 2 / d, torch.sin, torch.cos)


@wrong("hw3_attention", "q2", "positional_encoding", "rates 10000^(+2i/d): slower clocks become faster")
def _positions_sign(max_len, d_model):
    return _table(max_len, d_model, lambda even, d: -even / d, torch.sin, torch.cos)


def _greedy(decoder, state, sos, eos, max_len, stop=True, pad_finished=True, feed_back=True, keep_sos=False):
    """Greedy decoding with one of its parts switched off (all on: the right answer)."""
    start = torch.full((state.shape[0],), sos, dtype=torch.long)
    token, done = start, torch.zeros(state.shape[0], dtype=torch.bool)
    outputs = [start] if keep_sos else []
    for _ in range(max_len):
        logits, state = decoder.step(token if feed_back else start, state)
        token = logits.argmax(dim=-1)
        if pad_finished:
            token = token.masked_fill(done, eos)
        outputs.append(token)
        done |= token == eos
        if stop and done.all():
            break
    return torch.stack(outputs, dim=1)


@wrong("hw3_attention", "q3", "greedy_decode", "never stops at eos")
def _greedy_no_stop(decoder, state, sos, eos, max_len):
    return _greedy(decoder, state, sos, eos, max_len, stop=False, pad_finished=False)


@wrong("hw3_attention", "q3", "greedy_decode", "finished rows keep generating after eos")
def _greedy_no_padding(decoder, state, sos, eos, max_len):
    return _greedy(decoder, state, sos, eos, max_len, pad_finished=False)


@wrong("hw3_attention", "q3", "greedy_decode", "feeds sos at every step instead of its own output")
def _greedy_no_feedback(decoder, state, sos, eos, max_len):
    return _greedy(decoder, state, sos, eos, max_len, feed_back=False)


@wrong("hw3_attention", "q3", "greedy_decode", "returns the sos column too")
def _greedy_with_sos(decoder, state, sos, eos, max_len):
    return _greedy(decoder, state, sos, eos, max_len, keep_sos=True)


# Homework I: word embeddings


def _sgns(center, context, negatives, negative_sign=-1.0, over_negatives="sum", log_sigmoid=None, over_batch="mean"):
    """The negative-sampling loss with one of its parts changed (defaults: the right answer)."""
    log_sigmoid = log_sigmoid or torch.nn.functional.logsigmoid
    positive = log_sigmoid((center * context).sum(-1))  # (B,)
    negative = log_sigmoid(negative_sign * (negatives @ center[:, :, None]).squeeze(-1))  # (B, K)
    per_pair = -(positive + getattr(negative, over_negatives)(-1))  # (B,)
    return getattr(per_pair, over_batch)()


@wrong("hw1_embeddings", "q1", "sgns_loss", "negatives scored like positives: log sigma(c.n), no minus")
def _sgns_negative_sign(center, context, negatives):
    return _sgns(center, context, negatives, negative_sign=1.0)


@wrong("hw1_embeddings", "q1", "sgns_loss", "mean over the K negatives instead of the sum")
def _sgns_mean_negatives(center, context, negatives):
    return _sgns(center, context, negatives, over_negatives="mean")


@wrong("hw1_embeddings", "q1", "sgns_loss", "log(sigmoid(x)) computed directly: overflows to inf")
def _sgns_naive_log(center, context, negatives):
    return _sgns(center, context, negatives, log_sigmoid=lambda x: torch.log(torch.sigmoid(x)))


@wrong("hw1_embeddings", "q1", "sgns_loss", "summed over the batch instead of averaged")
def _sgns_batch_sum(center, context, negatives):
    return _sgns(center, context, negatives, over_batch="sum")


def _analogy(a, b, c, vectors, words, sign=1, leave_out=True, score="cosine"):
    index = {word: i for i, word in enumerate(words)}
    target = sign * (vectors[index[b]] - vectors[index[a]]) + vectors[index[c]]
    if score == "cosine":
        similarity = torch.nn.functional.cosine_similarity(vectors, target[None, :], dim=-1)
    else:
        similarity = vectors @ target
    if leave_out:
        for word in (a, b, c):
            similarity[index[word]] = -math.inf
    return words[int(similarity.argmax())]


@wrong("hw1_embeddings", "q2", "analogy", "the input words are not left out")
def _analogy_keeps_inputs(a, b, c, vectors, words):
    return _analogy(a, b, c, vectors, words, leave_out=False)


@wrong("hw1_embeddings", "q2", "analogy", "dot product instead of cosine: long vectors win")
def _analogy_dot(a, b, c, vectors, words):
    return _analogy(a, b, c, vectors, words, score="dot")


@wrong("hw1_embeddings", "q2", "analogy", "offset the wrong way: a - b + c")
def _analogy_reversed(a, b, c, vectors, words):
    return _analogy(a, b, c, vectors, words, sign=-1)


# Homework II: sequence models


def _lstm(x, h, c, weight_ih, weight_hh, bias, forget_uses_state=True, gate_order="ifgo", cell_in_output=True):
    gates = dict(zip(gate_order, (x @ weight_ih.T + h @ weight_hh.T + bias).chunk(4, dim=-1)))
    kept = torch.sigmoid(gates["f"]) * c if forget_uses_state else torch.sigmoid(gates["f"])
    c_next = kept + torch.sigmoid(gates["i"]) * torch.tanh(gates["g"])
    h_next = torch.sigmoid(gates["o"]) * (torch.tanh(c_next) if cell_in_output else c_next)
    return h_next, c_next


@wrong("hw2_sequences", "q1", "lstm_step", "a forget gate that ignores the previous cell state")
def _lstm_forget_without_state(x, h, c, weight_ih, weight_hh, bias):
    return _lstm(x, h, c, weight_ih, weight_hh, bias, forget_uses_state=False)


@wrong("hw2_sequences", "q1", "lstm_step", "gates read in the order i, f, o, g (not PyTorch's)")
def _lstm_gate_order(x, h, c, weight_ih, weight_hh, bias):
    return _lstm(x, h, c, weight_ih, weight_hh, bias, gate_order="ifog")


@wrong("hw2_sequences", "q1", "lstm_step", "h' = sigma(o) * c' without the tanh")
def _lstm_no_output_tanh(x, h, c, weight_ih, weight_hh, bias):
    return _lstm(x, h, c, weight_ih, weight_hh, bias, cell_in_output=False)


def _collate(batch, pad_id=0, side="post", sort=False):
    if sort:
        batch = sorted(batch, key=lambda pair: -len(pair[0]))
    longest = max(len(ids) for ids, _ in batch)
    rows = []
    for ids, _ in batch:
        padding = [pad_id] * (longest - len(ids))
        rows.append(list(ids) + padding if side == "post" else padding + list(ids))
    lengths = torch.tensor([len(ids) for ids, _ in batch])
    return torch.tensor(rows), lengths, torch.tensor([label for _, label in batch])


@wrong("hw2_sequences", "q2", "pad_collate", "padding on the wrong side (pre-padding)")
def _collate_pre(batch, pad_id=0):
    return _collate(batch, pad_id, side="pre")


@wrong("hw2_sequences", "q2", "pad_collate", "sorts the batch by length (labels no longer match the input order)")
def _collate_sorted(batch, pad_id=0):
    return _collate(batch, pad_id, sort=True)


@wrong("hw2_sequences", "q2", "pad_collate", "ignores pad_id and always pads with 0")
def _collate_zero(batch, pad_id=0):
    return _collate(batch, 0)


class _MeanOverPadding(torch.nn.Module):
    """Averages the embeddings of every position, padding included."""

    def __init__(self, vocab_size, num_classes):
        super().__init__()
        self.embedding = torch.nn.Embedding(vocab_size, 64)
        self.head = torch.nn.Linear(64, num_classes)

    def forward(self, ids, lengths):
        return self.head(self.embedding(ids).mean(1))


class _Constant(torch.nn.Module):
    """Learns only a bias: the most frequent class, whatever the text."""

    def __init__(self, vocab_size, num_classes):
        super().__init__()
        self.bias = torch.nn.Parameter(torch.zeros(num_classes))

    def forward(self, ids, lengths):
        return self.bias.expand(ids.shape[0], -1)


@wrong("hw2_sequences", "q3", "build_classifier", "averages over the padding too")
def _classifier_mean_over_padding(vocab_size, num_classes):
    return _MeanOverPadding(vocab_size, num_classes)


@wrong("hw2_sequences", "q3", "build_classifier", "ignores the text: learns the majority class")
def _classifier_constant(vocab_size, num_classes):
    return _Constant(vocab_size, num_classes)
