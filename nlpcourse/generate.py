"""Choosing the next token from a language model's logits, and perplexity.

Built in notebooks/11_text_generation; lesson 16 (GPT) reuses it.

- :func:`next_token_probs` turns next-token logits (B, V) into the distribution a
  sampler draws from: the softmax of ``logits / temperature``, optionally cut to the
  ``top_k`` most likely tokens and to the smallest "nucleus" holding ``top_p`` of the
  probability, and renormalised.
- :func:`sample_next` draws one token id per row from that distribution. Temperature 0
  is *greedy decoding*: the most likely token, with no randomness at all.
- :func:`perplexity` is ``exp(mean negative log-likelihood)``.
- :func:`kv_cache_argument` (built in notebooks/16_gpt) passes a KV cache to a Hugging
  Face language model under the name its installed version expects.

The order of the steps (temperature, then top-k, then top-p) is the one of Hugging Face
transformers' ``generate``, so the same settings mean the same thing there.
"""

from __future__ import annotations

import inspect
import math
import numbers

import torch

__all__ = ["filter_logits", "kv_cache_argument", "next_token_probs", "perplexity", "sample_next"]


def _check_logits(logits) -> torch.Tensor:
    if not isinstance(logits, torch.Tensor):
        raise TypeError(f"expected logits as a torch.Tensor, got {type(logits).__name__}")
    if logits.dim() != 2:
        hint = "; for one distribution pass logits[None]" if logits.dim() == 1 else ""
        raise ValueError(f"expected logits of shape (batch, vocab), got {tuple(logits.shape)}{hint}")
    if not logits.is_floating_point():
        raise TypeError(f"expected floating-point logits, got dtype {logits.dtype}")
    if logits.shape[0] == 0 or logits.shape[1] == 0:
        raise ValueError(f"expected a non-empty (batch, vocab) tensor, got {tuple(logits.shape)}")
    if torch.isnan(logits).any():
        raise ValueError("logits contain NaN")
    if (logits == float("inf")).any():
        raise ValueError("logits contain +inf")
    if (logits == float("-inf")).all(dim=-1).any():
        raise ValueError("a row of logits is all -inf: no token can be chosen")
    return logits


def _check_temperature(temperature) -> float:
    if isinstance(temperature, bool) or not isinstance(temperature, numbers.Real):
        raise TypeError(f"temperature must be a real number, got {temperature!r}")
    temperature = float(temperature)
    if not math.isfinite(temperature) or temperature < 0:
        raise ValueError(f"temperature must be finite and >= 0 (0 means greedy), got {temperature!r}")
    return temperature


def _check_top_k(top_k) -> int | None:
    if top_k is None:
        return None
    if isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral) or top_k < 1:
        raise ValueError(f"top_k must be an int >= 1 or None, got {top_k!r}")
    return int(top_k)


def _check_top_p(top_p) -> float | None:
    if top_p is None:
        return None
    if isinstance(top_p, bool) or not isinstance(top_p, numbers.Real) or not 0 < float(top_p) <= 1:
        raise ValueError(f"top_p must be a number in (0, 1] or None, got {top_p!r}")
    return float(top_p)


def filter_logits(logits: torch.Tensor, top_k: int | None = None, top_p: float | None = None) -> torch.Tensor:
    """A copy of ``logits`` (B, V) with every token outside the candidates set to -inf.

    ``top_k`` keeps exactly the k highest logits of each row (ties broken by
    ``torch.topk``). ``top_p`` keeps the smallest set of most likely tokens whose
    probability (softmax of the logits given, so apply the temperature first) sums to at
    least ``top_p``: the nucleus of Holtzman et al. (2020). The most likely token always
    stays. With both, top-k is applied first.
    """
    logits = _check_logits(logits).clone()
    top_k, top_p = _check_top_k(top_k), _check_top_p(top_p)
    vocab = logits.shape[-1]
    if top_k is not None and top_k < vocab:
        keep = torch.zeros_like(logits, dtype=torch.bool)
        keep.scatter_(-1, logits.topk(top_k, dim=-1).indices, True)  # (B, V)
        logits = logits.masked_fill(~keep, float("-inf"))
    if top_p is not None and top_p < 1.0:
        sorted_logits, order = logits.sort(dim=-1, descending=True)  # (B, V) each
        sorted_probs = torch.softmax(sorted_logits, dim=-1)
        mass_before = sorted_probs.cumsum(dim=-1) - sorted_probs  # mass of the better tokens
        drop_sorted = mass_before >= top_p  # already enough without this token
        drop = torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)  # back to vocab order
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
    towards the most likely tokens, above 1 flattens it towards uniform, and 1 leaves the
    model's own probabilities. Temperature 0 is the limit: all the probability on the
    most likely token (the first one, if several tie). Then ``top_k`` and ``top_p``
    (see :func:`filter_logits`) zero the tokens outside the candidates, and the rest is
    renormalised.
    """
    logits = _check_logits(logits)
    temperature = _check_temperature(temperature)
    if temperature == 0:
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
    the id is drawn from :func:`next_token_probs`; the same ``generator`` state gives the
    same ids.
    """
    logits = _check_logits(logits)
    if _check_temperature(temperature) == 0:
        _check_top_k(top_k)  # bad settings are errors even when greedy ignores them
        _check_top_p(top_p)
        return logits.argmax(dim=-1)  # (B,)
    probs = next_token_probs(logits, temperature, top_k, top_p)
    if probs.dtype in (torch.float16, torch.bfloat16):  # multinomial wants float32 or 64
        probs = probs.float()
    return torch.multinomial(probs, num_samples=1, generator=generator).squeeze(-1)  # (B, 1) -> (B,)


def perplexity(mean_nll) -> float:
    """``exp(mean_nll)``: the perplexity of a model whose mean negative log-likelihood
    per token (in nats, i.e. natural log, as ``F.cross_entropy`` returns) is ``mean_nll``.

    A model that spreads its probability evenly over k tokens has perplexity k.
    """
    if isinstance(mean_nll, torch.Tensor):
        if mean_nll.numel() != 1:
            raise ValueError(f"expected one mean NLL, got a tensor of shape {tuple(mean_nll.shape)}")
        mean_nll = mean_nll.item()
    if isinstance(mean_nll, bool) or not isinstance(mean_nll, numbers.Real):
        raise TypeError(f"mean_nll must be a real number, got {mean_nll!r}")
    mean_nll = float(mean_nll)
    if math.isnan(mean_nll) or mean_nll < 0:
        raise ValueError(f"a mean negative log-likelihood is >= 0, got {mean_nll!r}")
    return math.exp(mean_nll) if mean_nll < 709 else math.inf


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
