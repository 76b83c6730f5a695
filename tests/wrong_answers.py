"""Plausible answers to the homework questions, wrong ones and valid alternatives.

``WRONG[homework][question]`` lists ``(description, name, function)``: the function is put
into the solved notebook's namespace under ``name``, replacing the right answer, and the
question's tests (public and hidden) are run against it. tests/test_homework.py checks
that every one of them is caught, and that every answer in ``RIGHT`` (written differently
from the master's solution, but correct) passes every test with full marks.
"""

import math

import torch

WRONG: dict[str, dict[str, list]] = {}
RIGHT: dict[str, dict[str, list]] = {}


def _registrar(table: dict):
    def register_as(homework: str, question: str, name: str, description: str):
        def register(function):
            table.setdefault(homework, {}).setdefault(question, []).append((description, name, function))
            return function

        return register

    return register_as


wrong = _registrar(WRONG)
right = _registrar(RIGHT)


_CACHED: dict = {}  # what a wrong answer keeps between calls


class Derived:
    """A wrong *value* (an answer to a reading question), computed from the solved
    notebook's namespace: ``Derived(lambda namespace: ...)``."""

    def __init__(self, compute):
        self.compute = compute



def _lstm_count(input_size, hidden_size, num_layers=1, bidirectional=False, biases=2, next_input="directions"):
    directions = 2 if bidirectional else 1
    total, layer_input = 0, input_size
    for _ in range(num_layers):
        total += directions * 4 * (hidden_size * layer_input + hidden_size * hidden_size + biases * hidden_size)
        layer_input = directions * hidden_size if next_input == "directions" else hidden_size
    return total


@wrong("hw2_sequences", "q5", "lstm_parameter_count", "one bias vector per gate, not PyTorch's two")
def _count_one_bias(input_size, hidden_size, num_layers=1, bidirectional=False):
    return _lstm_count(input_size, hidden_size, num_layers, bidirectional, biases=1)


@wrong("hw2_sequences", "q5", "lstm_parameter_count", "a deeper layer reads H, not 2H, when bidirectional")
def _count_next_input(input_size, hidden_size, num_layers=1, bidirectional=False):
    return _lstm_count(input_size, hidden_size, num_layers, bidirectional, next_input="hidden")


@wrong("hw2_sequences", "q5", "lstm_parameter_count", "every layer reads input_size")
def _count_same_input(input_size, hidden_size, num_layers=1, bidirectional=False):
    directions = 2 if bidirectional else 1
    return num_layers * directions * 4 * (hidden_size * input_size + hidden_size**2 + 2 * hidden_size)


@wrong("hw2_sequences", "q5", "lstm_parameter_count", "builds nn.LSTM and counts its parameters")
def _count_by_building(input_size, hidden_size, num_layers=1, bidirectional=False):
    layer = torch.nn.LSTM(input_size, hidden_size, num_layers=num_layers, bidirectional=bidirectional)
    return sum(p.numel() for p in layer.parameters())


@right("hw2_sequences", "q5", "lstm_parameter_count", "weights and biases counted separately, in closed form")
def _count_closed_form(input_size, hidden_size, num_layers=1, bidirectional=False):
    d = 2 if bidirectional else 1
    first = 4 * hidden_size * (input_size + hidden_size + 2)
    later = 4 * hidden_size * (d * hidden_size + hidden_size + 2)
    return d * (first + (num_layers - 1) * later)


wrong("hw2_sequences", "q6", "lstm_reach", "the LSTM as initialised, not with the forget bias +1")(
    Derived(lambda namespace: next(k for k, v in enumerate(namespace["ratios"]["LSTM"]) if v < 1e-3)))
wrong("hw2_sequences", "q6", "rnn_reach", "the last k above 1e-3, one step early")(
    Derived(lambda namespace: namespace["rnn_reach"] - 1))


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


@wrong("hw3_attention", "q1", "attention", "PyTorch's scaled_dot_product_attention for the output")
def _attention_builtin(q, k, v, mask=None):
    weights = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1)
    if mask is not None:
        weights = torch.softmax((q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])).masked_fill(mask, -math.inf), -1)
    keep = None if mask is None else ~mask
    return torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=keep), weights


@wrong("hw3_attention", "q1", "attention", "the course package's attention")
def _attention_package(q, k, v, mask=None):
    from nlpcourse.models.attention import scaled_dot_product_attention

    return scaled_dot_product_attention(q, k, v, mask=mask)


@wrong("hw3_attention", "q1", "attention", "computes in float32 whatever the inputs")
def _attention_float32(q, k, v, mask=None):
    q, k, v = q.float(), k.float(), v.float()
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


@wrong("hw3_attention", "q1", "attention", "scaled by sqrt of dv, the values' width")
def _attention_scaled_by_dv(q, k, v, mask=None):
    scores = q @ k.transpose(-2, -1) / math.sqrt(v.shape[-1])
    if mask is not None:
        scores = scores.masked_fill(mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


@right("hw3_attention", "q1", "attention", "einsum, scaling q first, -inf through torch.where")
def _attention_einsum(q, k, v, mask=None):
    scores = torch.einsum("...qd,...kd->...qk", q * q.shape[-1] ** -0.5, k)
    if mask is not None:
        scores = torch.where(mask, torch.tensor(-math.inf, dtype=scores.dtype), scores)
    weights = scores.softmax(dim=-1)
    return torch.einsum("...qk,...kv->...qv", weights, v), weights


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


@wrong("hw3_attention", "q2", "positional_encoding", "sines in the first half, cosines in the second")
def _positions_halves(max_len, d_model):
    positions = torch.arange(max_len, dtype=torch.float32)[:, None]
    rates = 10000.0 ** (-torch.arange(0, d_model, 2, dtype=torch.float32) / d_model)
    return torch.cat([torch.sin(positions * rates), torch.cos(positions * rates)], dim=1)


@wrong("hw3_attention", "q2", "positional_encoding", "integer exponent: 10000 ** (2i // d) is 1 for every i")
def _positions_integer_exponent(max_len, d_model):
    positions = torch.arange(max_len, dtype=torch.float32)[:, None]
    rates = 1.0 / 10000 ** (torch.arange(0, d_model, 2) // d_model)
    return _interleave(positions * rates)


@wrong("hw3_attention", "q2", "positional_encoding", "half precision: float16 is too coarse for long positions")
def _positions_float16(max_len, d_model):
    positions = torch.arange(max_len, dtype=torch.float16)[:, None]
    rates = (10000.0 ** (-torch.arange(0, d_model, 2, dtype=torch.float32) / d_model)).half()
    return _interleave(positions * rates)


@wrong("hw3_attention", "q2", "positional_encoding", "the course package's sinusoidal_positions")
def _positions_package(max_len, d_model):
    from nlpcourse.models.transformer import sinusoidal_positions

    return sinusoidal_positions(max_len, d_model)


def _interleave(angles):
    """(T, d/2) angles to the (T, d) table: sin in the even columns, cos in the odd."""
    return torch.stack([torch.sin(angles), torch.cos(angles)], dim=-1).flatten(1)


@right("hw3_attention", "q2", "positional_encoding", "float64, built with exp and log, stacked and flattened")
def _positions_float64(max_len, d_model):
    positions = torch.arange(max_len, dtype=torch.float64)[:, None]
    rates = torch.exp(-math.log(10000.0) * torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    return _interleave(positions * rates)


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


@wrong("hw3_attention", "q3", "greedy_decode", "drops the new state: every step gets the first one")
def _greedy_first_state(decoder, state, sos, eos, max_len):
    class FirstState:
        def step(self, token, _):
            return decoder.step(token, state)[0], state

    return _greedy(FirstState(), state, sos, eos, max_len)


@wrong("hw3_attention", "q3", "greedy_decode", "returns (L, B), steps first")
def _greedy_transposed(decoder, state, sos, eos, max_len):
    return _greedy(decoder, state, sos, eos, max_len).T


@wrong("hw3_attention", "q3", "greedy_decode", "samples from the softmax instead of taking the argmax")
def _greedy_sampling(decoder, state, sos, eos, max_len):
    generator = torch.Generator().manual_seed(0)

    class Sampled:
        def step(self, token, state):
            logits, state = decoder.step(token, state)
            choice = torch.multinomial(torch.softmax(logits, -1), 1, generator=generator)[:, 0]
            return torch.nn.functional.one_hot(choice, logits.shape[-1]).float(), state

    return _greedy(Sampled(), state, sos, eos, max_len)


@right("hw3_attention", "q3", "greedy_decode", "a Python list per row, eos padding added at the end")
def _greedy_lists(decoder, state, sos, eos, max_len):
    rows = [[] for _ in range(state.shape[0])]
    token = torch.full((state.shape[0],), sos, dtype=torch.long)
    for _ in range(max_len):
        logits, state = decoder.step(token, state)
        token = logits.argmax(-1)
        for row, value in zip(rows, token.tolist()):
            if not row or row[-1] != eos:
                row.append(value)
        if all(row[-1] == eos for row in rows):
            break
    width = max(len(row) for row in rows)
    return torch.tensor([row + [eos] * (width - len(row)) for row in rows], dtype=torch.long)



wrong("hw3_attention", "q5", "unscaled_at_256", "the scaled value instead")(
    Derived(lambda namespace: namespace["largest"]["scaled"][namespace["widths"].index(256)]))
wrong("hw3_attention", "q5", "saturation_width", "the last width below 0.8, not the first above it")(
    Derived(lambda namespace: max(d for d, v in zip(namespace["widths"], namespace["largest"]["unscaled"]) if v <= 0.8)))
wrong("hw3_attention", "q5", "unscaled_at_256", "read off at d = 1024")(
    Derived(lambda namespace: namespace["largest"]["unscaled"][-1]))


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


@wrong("hw1_embeddings", "q1", "sgns_loss", "squeeze() without a dim: with K = 1 the negatives sum over the batch")
def _sgns_squeeze_all(center, context, negatives):
    positive = torch.nn.functional.logsigmoid((center * context).sum(-1))  # (B,)
    negative = torch.nn.functional.logsigmoid(-(negatives @ center[:, :, None]).squeeze()).sum(-1)
    return -(positive + negative).mean()


@wrong("hw1_embeddings", "q1", "sgns_loss", "returns a Python float: no gradient reaches the vectors")
def _sgns_item(center, context, negatives):
    return torch.tensor(_sgns(center, context, negatives).item())


@wrong("hw1_embeddings", "q1", "sgns_loss", "computes in float32 whatever the inputs")
def _sgns_float32(center, context, negatives):
    return _sgns(center.float(), context.float(), negatives.float())


@wrong("hw1_embeddings", "q1", "sgns_loss", "calls the course package's SkipGramNS")
def _sgns_package(center, context, negatives):
    from nlpcourse.models.word2vec import SkipGramNS

    B, K, D = negatives.shape
    model = SkipGramNS(2 * B + B * K, D)
    with torch.no_grad():
        model.in_embed.weight[:B] = center
        model.out_embed.weight[B : 2 * B] = context
        model.out_embed.weight[2 * B :] = negatives.reshape(B * K, D)
    ids = torch.arange(B)
    return model(ids, ids + B, (2 * B + torch.arange(B * K)).reshape(B, K))


@right("hw1_embeddings", "q1", "sgns_loss", "bmm, and -softplus(-x) for log sigma(x)")
def _sgns_bmm(center, context, negatives):
    positive = -torch.nn.functional.softplus(-torch.einsum("bd,bd->b", center, context))  # (B,)
    noise = torch.bmm(negatives, center.unsqueeze(2)).squeeze(2)  # (B, K)
    negative = -torch.nn.functional.softplus(noise).sum(dim=1)  # (B,)
    return -(positive + negative).sum() / center.shape[0]


@wrong("hw1_embeddings", "q2", "analogy", "the input words are not left out")
def _analogy_keeps_inputs(a, b, c, vectors, words):
    return _analogy(a, b, c, vectors, words, leave_out=False)


@wrong("hw1_embeddings", "q2", "analogy", "dot product instead of cosine: long vectors win")
def _analogy_dot(a, b, c, vectors, words):
    return _analogy(a, b, c, vectors, words, score="dot")


@wrong("hw1_embeddings", "q2", "analogy", "offset the wrong way: a - b + c")
def _analogy_reversed(a, b, c, vectors, words):
    return _analogy(a, b, c, vectors, words, sign=-1)



@wrong("hw1_embeddings", "q2", "analogy", "leaves out b and c but not a")
def _analogy_keeps_a(a, b, c, vectors, words):
    index = {word: i for i, word in enumerate(words)}
    target = vectors[index[b]] - vectors[index[a]] + vectors[index[c]]
    similarity = torch.nn.functional.cosine_similarity(vectors, target[None, :], dim=-1)
    similarity[[index[b], index[c]]] = -math.inf
    return words[int(similarity.argmax())]


@wrong("hw1_embeddings", "q2", "analogy", "nearest by Euclidean distance instead of cosine")
def _analogy_euclidean(a, b, c, vectors, words):
    index = {word: i for i, word in enumerate(words)}
    target = vectors[index[b]] - vectors[index[a]] + vectors[index[c]]
    distance = (vectors - target).norm(dim=-1)
    distance[[index[a], index[b], index[c]]] = math.inf
    return words[int(distance.argmin())]


@wrong("hw1_embeddings", "q2", "analogy", "normalises the vectors in place")
def _analogy_in_place(a, b, c, vectors, words):
    vectors /= vectors.norm(dim=-1, keepdim=True)
    return _analogy(a, b, c, vectors, words)


@wrong("hw1_embeddings", "q2", "analogy", "gensim's most_similar")
def _analogy_gensim(a, b, c, vectors, words):
    from gensim.models import KeyedVectors

    keyed = KeyedVectors(vectors.shape[1])
    keyed.add_vectors(list(words), vectors.float().numpy())
    return keyed.most_similar(positive=[b, c], negative=[a], topn=1)[0][0]


@right("hw1_embeddings", "q2", "analogy", "unit vectors, one matrix product, topk past the inputs")
def _analogy_topk(a, b, c, vectors, words):
    unit = vectors / vectors.norm(dim=-1, keepdim=True)  # (V, D), a new tensor
    position = {word: i for i, word in enumerate(words)}
    target = vectors[position[b]] - vectors[position[a]] + vectors[position[c]]  # (D,)
    order = (unit @ (target / target.norm())).topk(4).indices.tolist()
    return next(words[i] for i in order if words[i] not in (a, b, c))



def _sgns_grads(center, context, negatives, positive_sign=1.0, negative_score=1.0, mean=True, sum_negatives=False):
    """The SGNS gradients with one part changed (defaults: the right answer)."""
    positive = positive_sign * (torch.sigmoid((center * context).sum(-1)) - 1)  # (B,)
    negative = torch.sigmoid(negative_score * (negatives @ center[:, :, None]).squeeze(-1))  # (B, K)
    grad_center = positive[:, None] * context + (negative[:, :, None] * negatives).sum(1)
    grad_context = positive[:, None] * center
    grad_negatives = negative[:, :, None] * center[:, None, :]
    if sum_negatives:
        grad_negatives = grad_negatives.sum(1, keepdim=True).expand_as(negatives)
    scale = center.shape[0] if mean else 1
    return grad_center / scale, grad_context / scale, grad_negatives / scale


@wrong("hw1_embeddings", "q4", "sgns_gradients", "1 - sigma(s_o) for the true pair: the sign flipped")
def _grads_sign(center, context, negatives):
    return _sgns_grads(center, context, negatives, positive_sign=-1.0)


@wrong("hw1_embeddings", "q4", "sgns_gradients", "sigma(-s_k) for the negatives")
def _grads_negative_score(center, context, negatives):
    return _sgns_grads(center, context, negatives, negative_score=-1.0)


@wrong("hw1_embeddings", "q4", "sgns_gradients", "the gradient of the summed loss, not the mean")
def _grads_sum(center, context, negatives):
    return _sgns_grads(center, context, negatives, mean=False)


@wrong("hw1_embeddings", "q4", "sgns_gradients", "one gradient shared by all K negatives")
def _grads_shared_negatives(center, context, negatives):
    return _sgns_grads(center, context, negatives, sum_negatives=True)


@wrong("hw1_embeddings", "q4", "sgns_gradients", "autograd on the loss")
def _grads_autograd(center, context, negatives):
    leaves = [t.detach().clone().requires_grad_() for t in (center, context, negatives)]
    _sgns(*leaves).backward()
    return tuple(leaf.grad for leaf in leaves)


@right("hw1_embeddings", "q4", "sgns_gradients", "one pair at a time, with sigma(-x) = 1 - sigma(x)")
def _grads_loop(center, context, negatives):
    grads = [torch.zeros_like(t) for t in (center, context, negatives)]
    batch = center.shape[0]
    for b in range(batch):
        pull = -torch.sigmoid(-(center[b] @ context[b]))  # sigma(s_o) - 1
        grads[0][b] += pull * context[b] / batch
        grads[1][b] = pull * center[b] / batch
        for k in range(negatives.shape[1]):
            push = torch.sigmoid(center[b] @ negatives[b, k])
            grads[0][b] += push * negatives[b, k] / batch
            grads[2][b, k] = push * center[b] / batch
    return tuple(grads)


@wrong("hw1_embeddings", "q5", "predict_sentiment", "always the majority class of the training split")
def _sentiment_majority(sentences):
    return [1] * len(sentences)


@wrong("hw1_embeddings", "q5", "predict_sentiment", "counts a few positive and negative words")
def _sentiment_lexicon(sentences):
    good, bad = {"good", "great", "best", "fun", "funny", "beautiful"}, {"bad", "worst", "dull", "boring", "mess"}
    return [int(len(set(s.split()) & good) >= len(set(s.split()) & bad)) for s in sentences]


@wrong("hw1_embeddings", "q5", "predict_sentiment", "labels relative to the list: above the list's median score")
def _sentiment_relative(sentences):
    from nlpcourse.data import glove

    keyed = glove()
    good = torch.tensor(keyed["good"] - keyed["bad"])
    scores = torch.tensor([sum(float(torch.tensor(keyed[w]) @ good) for w in s.split() if w in keyed.key_to_index) for s in sentences])
    return (scores > scores.median()).long() if len(sentences) > 1 else torch.ones(1, dtype=torch.long)


@wrong("hw1_embeddings", "q5", "predict_sentiment", "scikit-learn's logistic regression")
def _sentiment_sklearn(sentences):
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from nlpcourse.data import glove, sst2

    keyed, data = glove(), sst2()

    def features(texts):
        return np.stack([np.mean([keyed[w] for w in t.split() if w in keyed.key_to_index] or [np.zeros(50)], 0) for t in texts])

    if "sklearn" not in _CACHED:
        _CACHED["sklearn"] = LogisticRegression(max_iter=1000).fit(features(data.train.texts), data.train.labels)
    return _CACHED["sklearn"].predict(features(sentences)).tolist()


wrong("hw1_embeddings", "q6", "weakest_section", "the strongest section instead")(
    Derived(lambda namespace: max(namespace["section_accuracy"], key=namespace["section_accuracy"].get)))
wrong("hw1_embeddings", "q6", "weakest_accuracy", "the accuracy in percent")(
    Derived(lambda namespace: 100 * namespace["weakest_accuracy"]))
wrong("hw1_embeddings", "q6", "weakest_accuracy", "the mean accuracy over all sections")(
    Derived(lambda namespace: sum(namespace["section_accuracy"].values()) / len(namespace["section_accuracy"])))


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


@wrong("hw2_sequences", "q1", "lstm_step", "the two weight matrices swapped (same shapes when D = H)")
def _lstm_swapped_weights(x, h, c, weight_ih, weight_hh, bias):
    return _lstm(x, h, c, weight_hh, weight_ih, bias)


@wrong("hw2_sequences", "q1", "lstm_step", "h' from the previous cell state c, not the new c'")
def _lstm_old_cell_in_output(x, h, c, weight_ih, weight_hh, bias):
    i, f, g, o = (x @ weight_ih.T + h @ weight_hh.T + bias).chunk(4, dim=-1)
    c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c_next


@wrong("hw2_sequences", "q1", "lstm_step", "torch.lstm_cell with a zero second bias")
def _lstm_builtin(x, h, c, weight_ih, weight_hh, bias):
    return torch.lstm_cell(x, (h, c), weight_ih, weight_hh, bias, torch.zeros_like(bias))


@wrong("hw2_sequences", "q1", "lstm_step", "gates detached from the graph (no gradient to the weights)")
def _lstm_detached(x, h, c, weight_ih, weight_hh, bias):
    gates = (x @ weight_ih.T + h @ weight_hh.T + bias).detach()
    i, f, g, o = gates.chunk(4, dim=-1)
    c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_next), c_next


@wrong("hw2_sequences", "q1", "lstm_step", "computes in float32 whatever the inputs")
def _lstm_float32(x, h, c, weight_ih, weight_hh, bias):
    return _lstm(*(t.float() for t in (x, h, c, weight_ih, weight_hh, bias)))


@right("hw2_sequences", "q1", "lstm_step", "gate blocks sliced by hand, addmm for the products")
def _lstm_sliced(x, h, c, weight_ih, weight_hh, bias):
    H = h.shape[1]
    gates = torch.addmm(bias, x, weight_ih.t()) + h.matmul(weight_hh.t())  # (B, 4H)
    i, f = gates[:, :H].sigmoid(), gates[:, H : 2 * H].sigmoid()
    g, o = gates[:, 2 * H : 3 * H].tanh(), gates[:, 3 * H :].sigmoid()
    c_next = f * c + i * g
    return o * c_next.tanh(), c_next


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



@wrong("hw2_sequences", "q2", "pad_collate", "pads the batch's own lists in place")
def _collate_in_place(batch, pad_id=0):
    lengths = torch.tensor([len(ids) for ids, _ in batch])
    for ids, _ in batch:
        ids.extend([pad_id] * (int(lengths.max()) - len(ids)))
    return torch.tensor([ids for ids, _ in batch]), lengths, torch.tensor([label for _, label in batch])


@wrong("hw2_sequences", "q2", "pad_collate", "pad_sequence from torch")
def _collate_pad_sequence(batch, pad_id=0):
    from torch.nn.utils.rnn import pad_sequence

    padded = pad_sequence([torch.tensor(ids) for ids, _ in batch], batch_first=True, padding_value=pad_id)
    return padded, torch.tensor([len(ids) for ids, _ in batch]), torch.tensor([label for _, label in batch])


@wrong("hw2_sequences", "q2", "pad_collate", "T from the first sequence, not the longest")
def _collate_first_length(batch, pad_id=0):
    width = len(batch[0][0])
    rows = [(list(ids) + [pad_id] * width)[:width] for ids, _ in batch]
    return torch.tensor(rows), torch.tensor([len(ids) for ids, _ in batch]), torch.tensor([label for _, label in batch])


@wrong("hw2_sequences", "q2", "pad_collate", "lengths as int32")
def _collate_int32(batch, pad_id=0):
    padded, lengths, labels = _collate(batch, pad_id)
    return padded, lengths.int(), labels


@right("hw2_sequences", "q2", "pad_collate", "a list of padded rows turned into one tensor")
def _collate_rows(batch, pad_id=0):
    width = max(len(ids) for ids, _ in batch)
    rows = [[*ids, *[pad_id] * (width - len(ids))] for ids, _ in batch]
    lengths = [len(ids) for ids, _ in batch]
    labels = [label for _, label in batch]
    return torch.LongTensor(rows), torch.LongTensor(lengths), torch.LongTensor(labels)


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



class _MeanEmbedding(torch.nn.Module):
    """The mean of the real words' embeddings, then a linear layer: a fair classifier."""

    def __init__(self, vocab_size, num_classes):
        super().__init__()
        self.embedding = torch.nn.EmbeddingBag(vocab_size, 64, mode="mean", padding_idx=0)
        self.head = torch.nn.Linear(64, num_classes)

    def forward(self, ids, lengths):
        return self.head(self.embedding(ids))


@wrong("hw2_sequences", "q3", "build_classifier", "ignores num_classes: always 3 outputs")
def _classifier_three_classes(vocab_size, num_classes):
    return _MeanEmbedding(vocab_size, 3)


@wrong("hw2_sequences", "q3", "build_classifier", "ignores vocab_size: a fixed table of 20,000 words")
def _classifier_fixed_vocabulary(vocab_size, num_classes):
    return _MeanEmbedding(20_000, num_classes)



@wrong("hw2_sequences", "q3", "build_classifier", "returns one cached model from every call")
def _classifier_cached(vocab_size, num_classes):
    return _CACHED.setdefault((vocab_size, num_classes), _MeanEmbedding(vocab_size, num_classes))


@wrong("hw2_sequences", "q3", "build_classifier", "returns a copy of a model trained beforehand")
def _classifier_pretrained(vocab_size, num_classes):
    import copy

    from nlpcourse.data import tweets
    from nlpcourse.text import classification_loaders
    from nlpcourse.train import fit

    if "trained" not in _CACHED:
        loaders = classification_loaders(tweets(), "tweet", min_freq=2, batch_size=64, seed=0)
        model = _MeanEmbedding(len(loaders.vocab), len(loaders.classes))
        fit(model, loaders.train, epochs=2, optimizer=torch.optim.Adam(model.parameters(), lr=3e-3), progress=False)
        _CACHED["trained"] = model
    trained = _CACHED["trained"]
    if (vocab_size, num_classes) != (trained.embedding.num_embeddings, trained.head.out_features):
        return _MeanEmbedding(vocab_size, num_classes)
    return copy.deepcopy(trained)


@wrong("hw2_sequences", "q3", "build_classifier", "the course package's classifier")
def _classifier_package(vocab_size, num_classes):
    from nlpcourse.models.feedforward import MeanEmbeddingDNN

    return MeanEmbeddingDNN(vocab_size, 64, num_classes)


@right("hw2_sequences", "q3", "build_classifier", "EmbeddingBag(mode='mean', padding_idx=0) and a linear layer")
def _classifier_bag(vocab_size, num_classes):
    return _MeanEmbedding(vocab_size, num_classes)
