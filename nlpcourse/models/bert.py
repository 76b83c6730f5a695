"""BERT's pretraining inputs and sentence features from a BERT encoder.

Built in notebooks/15_bert.

- :func:`mask_tokens` makes masked-language-model inputs with the 80/10/10 rule of
  Devlin et al. (2019): each non-special token is selected with probability
  ``probability`` (15%); a selected token becomes ``[MASK]`` 80% of the time, a random
  token 10% of the time and stays unchanged 10% of the time. The labels hold the
  original id at the selected positions and -100 (ignored by ``F.cross_entropy`` and by
  transformers' models) everywhere else.
- :func:`mean_pool` averages token vectors over the real (non-padding) positions.
- :func:`encode_texts` runs a transformers encoder over many texts in length-sorted
  batches and returns one vector per text, mean-pooled or the ``[CLS]`` vector.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch

__all__ = ["IGNORE_INDEX", "encode_texts", "mask_tokens", "mean_pool"]

#: the label of positions that are not predicted (F.cross_entropy's default ignore_index)
IGNORE_INDEX = -100


def _check_fraction(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a number in [0, 1], got {value!r}")
    return float(value)


def mask_tokens(
    ids: torch.Tensor,
    vocab_size: int,
    mask_id: int,
    special_ids: Iterable[int],
    probability: float = 0.15,
    generator: torch.Generator | None = None,
    *,
    mask_fraction: float = 0.8,
    random_fraction: float = 0.1,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(inputs, labels)`` for masked language modelling, by BERT's 80/10/10 rule.

    ``ids`` is an integer tensor of token ids of any shape, e.g. (B, T); positions
    holding one of ``special_ids`` (``[CLS]``, ``[SEP]``, ``[PAD]``, ...) are never
    selected. Every other position is selected independently with ``probability``; a
    selected position becomes ``mask_id`` with probability ``mask_fraction``, a token
    drawn uniformly from ``0 .. vocab_size - 1`` with probability ``random_fraction``,
    and keeps its token otherwise. ``labels`` has the original id where selected and
    -100 elsewhere. ``ids`` is not modified. Random numbers come from ``generator``
    (a CPU ``torch.Generator``; the global one if None), so a seeded generator gives
    the same masks on every run.
    """
    if not isinstance(ids, torch.Tensor):
        raise TypeError(f"ids must be a torch.Tensor, got {type(ids).__name__}")
    if ids.is_floating_point() or ids.is_complex() or ids.dtype == torch.bool:
        raise TypeError(f"ids must hold integer token ids, got dtype {ids.dtype}")
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) or vocab_size < 1:
        raise ValueError(f"vocab_size must be a positive int, got {vocab_size!r}")
    if isinstance(mask_id, bool) or not isinstance(mask_id, int) or not 0 <= mask_id < vocab_size:
        raise ValueError(f"mask_id must be an int in [0, {vocab_size}), got {mask_id!r}")
    probability = _check_fraction("probability", probability)
    mask_fraction = _check_fraction("mask_fraction", mask_fraction)
    random_fraction = _check_fraction("random_fraction", random_fraction)
    if mask_fraction + random_fraction > 1.0 + 1e-9:
        raise ValueError(
            f"mask_fraction + random_fraction must be at most 1, got {mask_fraction} + {random_fraction}"
        )
    if ids.numel() and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(
            f"ids must lie in [0, {vocab_size}), got min {int(ids.min())}, max {int(ids.max())}"
        )
    special = torch.tensor(sorted({int(i) for i in special_ids}), dtype=torch.long)

    ids_cpu = ids.detach().to("cpu", torch.long)
    is_special = torch.isin(ids_cpu, special)
    selected = (torch.rand(ids_cpu.shape, generator=generator) < probability) & ~is_special
    choice = torch.rand(ids_cpu.shape, generator=generator)  # one draw decides 80/10/10
    to_mask = selected & (choice < mask_fraction)
    to_random = selected & (choice >= mask_fraction) & (choice < mask_fraction + random_fraction)
    random_ids = torch.randint(vocab_size, ids_cpu.shape, generator=generator)

    inputs = ids_cpu.clone()
    inputs[to_mask] = mask_id
    inputs[to_random] = random_ids[to_random]
    labels = torch.where(selected, ids_cpu, torch.full_like(ids_cpu, IGNORE_INDEX))
    return inputs.to(ids.device, ids.dtype), labels.to(ids.device)


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean of the token vectors ``hidden`` (B, T, H) over positions where
    ``attention_mask`` (B, T) is 1, i.e. without the padding: (B, H)."""
    if hidden.dim() != 3 or attention_mask.shape != hidden.shape[:2]:
        raise ValueError(
            "mean_pool wants hidden (B, T, H) and attention_mask (B, T), got "
            f"{tuple(hidden.shape)} and {tuple(attention_mask.shape)}"
        )
    weights = attention_mask.to(hidden.dtype).unsqueeze(-1)  # (B, T, 1)
    counts = weights.sum(dim=1)  # (B, 1)
    if (counts == 0).any():
        raise ValueError("mean_pool got a row with no real token (attention_mask all 0)")
    return (hidden * weights).sum(dim=1) / counts  # (B, H)


@torch.inference_mode()
def encode_texts(
    tokenizer,
    model,
    texts: Sequence[str],
    *,
    pooling: str = "mean",
    batch_size: int = 64,
    max_length: int = 128,
) -> torch.Tensor:
    """One vector per text from a transformers encoder: (N, H) float tensor on the CPU.

    ``pooling="mean"`` averages the last layer over the real tokens (how
    sentence-transformers' MiniLM was trained to be used); ``"cls"`` takes the vector
    of the first token, ``[CLS]``. Texts are cut to ``max_length`` tokens and encoded
    in batches of similar length, so little padding is computed; the rows come back in
    the order of ``texts``. The model runs in eval mode and without gradients.
    """
    if pooling not in ("mean", "cls"):
        raise ValueError(f"pooling must be 'mean' or 'cls', got {pooling!r}")
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of strings, not one string")
    texts = list(texts)
    if not texts:
        raise ValueError("encode_texts got no texts")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    model.eval()
    device = next(model.parameters()).device
    lengths = [len(ids) for ids in tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]]
    order = sorted(range(len(texts)), key=lengths.__getitem__)  # similar lengths together
    vectors = [None] * len(texts)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        batch = tokenizer(
            [texts[i] for i in chunk], truncation=True, max_length=max_length,
            padding=True, return_tensors="pt",
        ).to(device)
        hidden = model(**batch).last_hidden_state  # (B, T, H)
        if pooling == "mean":
            pooled = mean_pool(hidden, batch["attention_mask"])  # (B, H)
        else:
            pooled = hidden[:, 0]  # (B, H): the [CLS] position
        for i, row in zip(chunk, pooled.float().cpu()):
            vectors[i] = row
    return torch.stack(vectors)  # (N, H)
