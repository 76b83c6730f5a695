"""Choosing the next token from a language model's logits, and perplexity.

Built in notebooks/11_text_generation; lesson 16 (GPT) reuses it.

- :func:`next_token_probs` turns next-token logits (B, V) into the distribution a
  sampler draws from: the softmax of ``logits / temperature``, optionally cut to the
  ``top_k`` most likely tokens and to the smallest "nucleus" holding ``top_p`` of the
  probability, and renormalised.
- :func:`sample_next` draws one token id per row from that distribution. Temperature 0
  is *greedy decoding*: the most likely token, with no randomness at all.
- :func:`perplexity` is ``exp(mean negative log-likelihood)``.
- :func:`kv_cache_argument` passes a KV cache to a Hugging Face language model under the
  name its installed version expects. It is package-only: notebooks/16_gpt calls it and
  says why it exists, but does not write it out.

The order of the steps (temperature, then top-k, then top-p) is the one of Hugging Face
transformers' ``generate``, so the same settings mean the same thing there.
"""

from __future__ import annotations

import inspect
import math

import torch

from nlpcourse import checks

__all__ = ["filter_logits", "kv_cache_argument", "next_token_probs", "perplexity", "sample_next"]


def filter_logits(
    logits: torch.Tensor, top_k: int | None = None, top_p: float | None = None
) -> torch.Tensor:
    """A copy of ``logits`` (B, V) with every token outside the candidates set to -inf.

    ``top_k`` keeps exactly the k highest logits of each row (ties broken by
    ``torch.topk``). ``top_p`` keeps the smallest set of most likely tokens whose
    probability (softmax of the logits given, so apply the temperature first) sums to at
    least ``top_p``: the nucleus of Holtzman et al. (2020). The most likely token always
    stays. With both, top-k is applied first.
    """
    logits = checks.next_token_logits(logits).clone()
    top_k, top_p = checks.cutoffs(top_k, top_p)
    if top_k is not None and top_k < logits.shape[-1]:
        keep = torch.zeros_like(logits, dtype=torch.bool)  # (B, V)
        best = logits.topk(top_k, dim=-1).indices  # (B, k): exactly k, even with ties
        keep.scatter_(-1, best, True)
        logits = logits.masked_fill(~keep, float("-inf"))
    if top_p is not None and top_p < 1.0:
        sorted_logits, order = logits.sort(dim=-1, descending=True)  # (B, V) each
        sorted_probs = torch.softmax(sorted_logits, dim=-1)
        mass_before = sorted_probs.cumsum(dim=-1) - sorted_probs  # of the better tokens
        drop_sorted = mass_before >= top_p  # already enough without this token
        # back to the vocabulary's order
        drop = torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)
        logits = logits.masked_fill(drop, float("-inf"))
    return logits


def next_token_probs(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> torch.Tensor:
    """The distribution (B, V) that :func:`sample_next` draws from.

    ``softmax(logits / temperature)``: a temperature below 1 sharpens the distribution
    towards the most likely tokens, above 1 flattens it towards uniform, and 1 leaves
    the model's own probabilities. Temperature 0 is the limit: all the probability on
    the most likely token (the first one, if several tie). Then ``top_k`` and ``top_p``
    (see :func:`filter_logits`) zero the tokens outside the candidates, and the rest is
    renormalised.
    """
    logits = checks.next_token_logits(logits)
    temperature = checks.temperature(temperature)
    if temperature == 0:  # the limit: a one-hot row on the most likely token
        greedy = logits.argmax(dim=-1, keepdim=True)  # (B, 1)
        return torch.zeros_like(logits).scatter_(-1, greedy, 1.0)
    # Subtract the row maximum before dividing, so that a tiny temperature gives large
    # negative numbers (exp -> 0) rather than overflowing to inf.
    scaled = (logits - logits.max(dim=-1, keepdim=True).values) / temperature  # (B, V)
    return torch.softmax(filter_logits(scaled, top_k, top_p), dim=-1)


def sample_next(
    logits: torch.Tensor,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """One token id per row of ``logits`` (B, V): a (B,) long tensor.

    Temperature 0 is greedy decoding (the argmax; ``generator`` is not used). Otherwise
    the id is drawn from :func:`next_token_probs`; the same ``generator`` state gives
    the same ids.
    """
    logits = checks.next_token_logits(logits)
    if checks.temperature(temperature) == 0:  # greedy decoding: no randomness at all
        checks.cutoffs(top_k, top_p)  # bad settings fail even if greedy ignores them
        return logits.argmax(dim=-1)  # (B,)
    probs = next_token_probs(logits, temperature, top_k, top_p)  # (B, V)
    if probs.dtype in (torch.float16, torch.bfloat16):  # multinomial: 32 or 64 bits
        probs = probs.float()
    ids = torch.multinomial(probs, num_samples=1, generator=generator)  # (B, 1)
    return ids.squeeze(-1)  # (B,)


def perplexity(mean_nll) -> float:
    """``exp(mean_nll)``: the perplexity of a model whose mean negative log-likelihood
    per token (in nats, i.e. natural log, as ``F.cross_entropy`` returns) is
    ``mean_nll``.

    A model that spreads its probability evenly over k tokens has perplexity k.
    """
    mean_nll = checks.mean_nll(mean_nll)  # a float >= 0, also from a one-element tensor
    return math.exp(mean_nll) if mean_nll < 709 else math.inf  # e^709: float's limit


def kv_cache_argument(model, cache) -> dict:
    """``{name: cache}``, to pass a KV cache to ``model(...)`` of Hugging Face transformers.

    transformers 5.25 renamed the forward argument ``past_key_values`` to ``cache`` (the
    old name still works there, with a warning, until 5.40), and the course runs on both
    sides of that change: its pinned version and whatever Colab installs. This reads the
    name from the signature of the installed model's ``forward``. The cache object
    (e.g. ``DynamicCache``) is filled in place by every call, so no output needs reading.
    """
    parameters = inspect.signature(model.forward).parameters
    for name in ("cache", "past_key_values"):
        if name in parameters:
            return {name: cache}
    raise TypeError(f"{type(model).__name__}.forward takes neither `cache` nor `past_key_values`: "
                    "it is not a transformers model with a KV cache")
