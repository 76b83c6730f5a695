"""BERT's pretraining inputs, a mini BERT, and sentence features from a BERT encoder.

Built in notebooks/15_bert, whose ``#@save`` cells write out :data:`IGNORE_INDEX`,
:func:`mask_tokens` (section 3), :func:`mean_pool` and :func:`encode_texts` (section
8) as they stand here.

- :func:`mask_tokens` makes masked-language-model inputs with the 80/10/10 rule of
  Devlin et al. (2019): each non-special token is selected with probability
  ``probability`` (15%); a selected token becomes ``[MASK]`` 80% of the time, a random
  token 10% of the time and stays unchanged 10% of the time. The labels hold the
  original id at the selected positions and -100 (ignored by ``F.cross_entropy`` and by
  transformers' models) everywhere else.
- :func:`mean_pool` averages token vectors over the real (non-padding) positions.
- :func:`encode_texts` runs a transformers encoder over many texts in length-sorted
  batches and returns one vector per text, mean-pooled or the ``[CLS]`` vector.
- :class:`MiniBERT` is the course's own small BERT: token and learned position
  embeddings, lesson 14's :class:`~nlpcourse.models.transformer.TransformerEncoderLayer`
  stacked, and BERT's masked-language-model head. ``make checkpoints`` pretrains one
  (``nlpcourse.checkpoints.load("mini-bert-mlm")``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from nlpcourse import checks

__all__ = ["IGNORE_INDEX", "BERTConfig", "MiniBERT", "encode_texts", "mask_tokens", "mean_pool"]

IGNORE_INDEX = -100  # the label of unscored positions: F.cross_entropy's ignore_index


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

    ``ids`` is a (B, T) tensor of token ids; positions holding one of ``special_ids``
    (``[CLS]``, ``[SEP]``, ``[PAD]``, ...) are never selected. Every other position is
    selected independently with ``probability``; a selected position becomes
    ``mask_id`` with probability ``mask_fraction``, a token drawn uniformly from
    ``0 .. vocab_size - 1`` with probability ``random_fraction``, and keeps its token
    otherwise. ``labels`` has the original id where selected and -100 elsewhere.
    ``ids`` is not modified. Random numbers come from ``generator`` (a CPU
    ``torch.Generator``; the global one if None), so a seeded generator gives the
    same masks on every run and every device.
    """
    vocab_size = checks.positive_int("vocab_size", vocab_size)
    ids = checks.token_ids(ids, "mask_tokens", vocab_size)  # (B, T), int64
    mask_id = checks.index("mask_id", mask_id, vocab_size)
    probability = checks.probability("probability", probability)
    mask_fraction = checks.probability("mask_fraction", mask_fraction)
    random_fraction = checks.probability("random_fraction", random_fraction)
    if mask_fraction + random_fraction > 1.0 + 1e-9:
        raise ValueError("mask_fraction + random_fraction must be at most 1, got "
                         f"{mask_fraction} + {random_fraction}")
    special = torch.tensor(sorted({int(i) for i in special_ids}), dtype=torch.long)

    ids_cpu = ids.detach().cpu()  # (B, T); drawn on the CPU, the same on any device
    is_special = torch.isin(ids_cpu, special)
    drawn = torch.rand(ids_cpu.shape, generator=generator)  # (B, T) in [0, 1)
    selected = (drawn < probability) & ~is_special  # 15%, never a special token
    choice = torch.rand(ids_cpu.shape, generator=generator)  # one draw decides 80/10/10
    to_mask = selected & (choice < mask_fraction)  # 80%: [MASK]
    to_random = selected & ~to_mask & (choice < mask_fraction + random_fraction)  # 10%
    random_ids = torch.randint(vocab_size, ids_cpu.shape, generator=generator)

    inputs = ids_cpu.clone()  # the other 10% of the selected keep their token
    inputs[to_mask] = mask_id
    inputs[to_random] = random_ids[to_random]
    labels = torch.where(selected, ids_cpu, torch.full_like(ids_cpu, IGNORE_INDEX))
    return inputs.to(ids.device), labels.to(ids.device)  # (B, T) each


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """Mean of the token vectors ``hidden`` (B, T, H) over positions where
    ``attention_mask`` (B, T) is 1, i.e. without the padding: (B, H)."""
    if hidden.dim() != 3 or attention_mask.shape != hidden.shape[:2]:
        raise ValueError("mean_pool wants hidden (B, T, H) and attention_mask (B, T), "
                         f"got {tuple(hidden.shape)} and {tuple(attention_mask.shape)}")
    weights = attention_mask.to(hidden.dtype).unsqueeze(-1)  # (B, T, 1): 1 = real token
    counts = weights.sum(dim=1)  # (B, 1): real tokens per row
    if (counts == 0).any():
        raise ValueError("mean_pool got a row with no real token "
                         "(attention_mask all 0)")
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
    pooling = checks.one_of("pooling", pooling, ("mean", "cls"))
    texts = checks.texts(texts, "encode_texts")
    batch_size = checks.positive_int("batch_size", batch_size)
    model.eval()
    device = next(model.parameters()).device
    lengths = [len(ids) for ids in tokenizer(texts, truncation=True,
                                             max_length=max_length)["input_ids"]]
    # the texts' indices from the shortest to the longest: similar lengths together
    order = sorted(range(len(texts)), key=lengths.__getitem__)
    vectors = [None] * len(texts)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]  # indices of texts of similar length
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
            vectors[i] = row  # back in the order of texts
    return torch.stack(vectors)  # (N, H)


@dataclass
class BERTConfig:
    """The sizes of a :class:`MiniBERT`; checked when it is made."""

    vocab_size: int
    max_len: int = 64  # the longest input, [CLS] and [SEP] included
    n_layer: int = 4
    n_head: int = 4
    d_model: int = 128
    d_ff: int = 512
    dropout: float = 0.1
    pad_id: int = 0

    def __post_init__(self):
        for name in ("vocab_size", "max_len", "n_layer", "n_head", "d_model", "d_ff"):
            checks.positive_int(name, getattr(self, name))
        if self.d_model % self.n_head:
            raise ValueError(f"d_model={self.d_model} is not divisible by n_head={self.n_head}")
        checks.fraction("dropout", self.dropout)
        checks.index("pad_id", self.pad_id, self.vocab_size)


class MiniBERT(nn.Module):
    """A small BERT encoder with its masked-language-model head.

    ``forward(ids (B, T), attention_mask (B, T) or None)`` returns the last layer's
    vectors (B, T, d): token plus learned position embeddings, then ``n_layer`` of
    lesson 14's encoder layers (pre-norm, which trains without tuning at this size; BERT
    itself is post-norm) and a final layer norm. Padding (``attention_mask == 0``, or
    ``ids == pad_id`` when no mask is given) is never attended to.
    ``mlm_logits(hidden)`` is BERT's head: a dense layer, GELU and a layer norm, then the
    token embedding table again (tied) and a bias, giving (B, T, vocab) logits.
    """

    def __init__(self, config: BERTConfig):
        super().__init__()
        from nlpcourse.models.transformer import TransformerEncoderLayer  # lesson 14's

        self.config = config
        self.tokens = nn.Embedding(config.vocab_size, config.d_model)
        self.positions = nn.Embedding(config.max_len, config.d_model)
        self.dropout = nn.Dropout(config.dropout)
        self.layers = nn.ModuleList(
            TransformerEncoderLayer(config.d_model, config.n_head, config.d_ff,
                                    config.dropout, norm_first=True)
            for _ in range(config.n_layer))
        self.norm = nn.LayerNorm(config.d_model)
        self.mlm_dense = nn.Linear(config.d_model, config.d_model)
        self.mlm_norm = nn.LayerNorm(config.d_model)
        self.mlm_bias = nn.Parameter(torch.zeros(config.vocab_size))
        for module in self.modules():  # BERT's start: N(0, 0.02), zero biases
            if isinstance(module, (nn.Linear, nn.Embedding)):
                nn.init.normal_(module.weight, std=0.02)
            if isinstance(module, nn.Linear) and module.bias is not None:
                nn.init.zeros_(module.bias)

    def forward(self, ids: torch.Tensor, attention_mask: torch.Tensor | None = None) -> torch.Tensor:
        ids = checks.token_ids(ids, "MiniBERT", self.config.vocab_size)  # (B, T)
        if ids.shape[1] > self.config.max_len:
            raise ValueError(f"input of length {ids.shape[1]} is longer than "
                             f"max_len={self.config.max_len}")
        if attention_mask is None:
            attention_mask = ids != self.config.pad_id
        elif attention_mask.shape != ids.shape:
            raise ValueError(f"attention_mask has shape {tuple(attention_mask.shape)}, "
                             f"ids {tuple(ids.shape)}")
        padding = attention_mask == 0  # (B, T), True where attention is forbidden
        steps = torch.arange(ids.shape[1], device=ids.device)
        x = self.dropout(self.tokens(ids) + self.positions(steps))  # (B, T, d)
        for layer in self.layers:
            x = layer(x, key_padding_mask=padding)
        return self.norm(x)  # (B, T, d)

    def mlm_logits(self, hidden: torch.Tensor) -> torch.Tensor:
        """(..., d) vectors -> (..., vocab) logits of the token at each position."""
        h = self.mlm_norm(F.gelu(self.mlm_dense(hidden)))
        return h @ self.tokens.weight.T + self.mlm_bias  # tied to the input table
