"""Tiny Shakespeare character GPT: nanoGPT's "baby GPT on a CPU" run with the course's GPT.

``tinyshakespeare-gpt`` trains ``nlpcourse.models.gpt.GPT`` (notebooks/16_gpt) with the
configuration of nanoGPT's README for a laptop CPU: 4 layers, 4 heads, width 128,
context 64, batch 12, dropout 0, learning rate 1e-3 with 100 warm-up steps and a cosine
decay to 1e-4 over 2,000 steps (config/train_shakespeare_char.py plus the README's
command-line overrides). Data as nanoGPT's data/shakespeare_char/prepare.py cuts it: the
first 90% of the characters train, the last 10% validate.

Validation loss as nanoGPT's ``estimate_loss`` computes it: the mean of the mean
cross-entropy (nats per character) of ``EVAL_BATCHES`` batches of 12 windows of 64
characters. nanoGPT draws them afresh at every evaluation; here they are drawn once with
a fixed seed, so the number is reproducible.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from benchmarks.records import reference, stopwatch
from nlpcourse.data import tiny_shakespeare
from nlpcourse.models.charlm import random_windows
from nlpcourse.models.gpt import GPT, GPTConfig
from nlpcourse.text import Vocab
from nlpcourse.train import seed_everything

SEED = 0
BUDGET_CPU_S = 420.0
TRAIN_SHARE = 0.9  # nanoGPT's split: first 90% of the characters
BLOCK, BATCH = 64, 12
LR, MIN_LR, WARMUP, WEIGHT_DECAY = 1e-3, 1e-4, 100, 0.1
BETAS = (0.9, 0.99)
STEPS = 2000
EVAL_BATCHES = 200  # nanoGPT's default eval_iters (its README's CPU command uses 20)
README_EVAL_BATCHES = 20
CURVE_EVERY = 500

QUICK_STEPS, QUICK_EVAL_BATCHES = 30, 4

ANCHOR_SOURCE = (
    "karpathy/nanoGPT README.md (stored version at commit 0110f3c), section 'quick start', "
    "paragraph 'I only have a macbook': `python train.py config/train_shakespeare_char.py "
    "--device=cpu --compile=False --eval_iters=20 --log_interval=1 --block_size=64 "
    "--batch_size=12 --n_layer=4 --n_head=4 --n_embd=128 --max_iters=2000 "
    "--lr_decay_iters=2000 --dropout=0.0` 'runs in about ~3 minutes, but gets us a loss of "
    "only 1.88' (validation loss)"
)
DIFFERENCES = (
    "Same data split, model shape, batch, steps, learning-rate schedule and optimizer "
    "settings, and both tie the output layer to the token embedding. Our GPT has biases in "
    "its linear and layer-norm layers (nanoGPT's train.py defaults to bias=False); its "
    "attention is the course's own MultiHeadAttention rather than a fused kernel. The "
    "validation loss is the mean over 200 fixed batches (nanoGPT's README run used 20 "
    "freshly drawn ones, so its 1.88 carries a few hundredths of sampling noise); one seed; 2 CPU threads of this machine instead of a MacBook."
)


def nanogpt_lr(step: int, steps: int) -> float:
    """nanoGPT's learning rate at ``step``: linear warm-up, then a cosine down to MIN_LR."""
    if step < WARMUP:
        return LR * (step + 1) / (WARMUP + 1)
    progress = min(1.0, (step - WARMUP) / max(1, steps - WARMUP))
    return MIN_LR + 0.5 * (1 + math.cos(math.pi * progress)) * (LR - MIN_LR)


def make_optimizer(model: nn.Module) -> torch.optim.AdamW:
    """AdamW with weight decay on the matrices only (not on biases and layer norms), as
    nanoGPT's configure_optimizers does."""
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [
        {"params": [p for p in params if p.dim() >= 2], "weight_decay": WEIGHT_DECAY},
        {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=LR, betas=BETAS)


@torch.no_grad()
def batch_losses(model: GPT, batches: list[tuple[torch.Tensor, torch.Tensor]]) -> list[float]:
    """Mean next-character loss of each (inputs, targets) batch, in eval mode."""
    model.eval()
    losses = []
    for inputs, targets in batches:
        logits = model(inputs)  # (B, T, V)
        losses.append(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1)).item())
    model.train()
    return losses


def fixed_batches(ids: torch.Tensor, count: int, seed: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(seed)
    return [random_windows(ids, BATCH, BLOCK, generator=generator) for _ in range(count)]


def train(model: GPT, train_ids: torch.Tensor, steps: int, curve_batches) -> list[tuple[int, float]]:
    """``steps`` AdamW steps on random training windows; the validation curve (step, loss)."""
    optimizer = make_optimizer(model)
    windows = torch.Generator().manual_seed(SEED)
    curve = [(0, sum(batch_losses(model, curve_batches)) / len(curve_batches))]
    for step in range(steps):
        for group in optimizer.param_groups:
            group["lr"] = nanogpt_lr(step, steps)
        inputs, targets = random_windows(train_ids, BATCH, BLOCK, generator=windows)  # (B, T) each
        logits = model(inputs)  # (B, T, V)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if (step + 1) % CURVE_EVERY == 0 and step + 1 < steps:
            curve.append((step + 1, sum(batch_losses(model, curve_batches)) / len(curve_batches)))
    return curve


def run(data_dir: Path, quick: bool = False) -> list[dict]:
    text = tiny_shakespeare(path=Path(data_dir) / "tinyshakespeare")
    vocab = Vocab(sorted(set(text)))
    ids = torch.tensor(vocab(text), dtype=torch.long)  # (N,)
    split = int(TRAIN_SHARE * len(ids))
    train_ids, val_ids = ids[:split], ids[split:]
    steps = QUICK_STEPS if quick else STEPS
    eval_batches = QUICK_EVAL_BATCHES if quick else EVAL_BATCHES
    val_batches = fixed_batches(val_ids, eval_batches, seed=1)
    train_eval_batches = fixed_batches(train_ids, eval_batches, seed=2)
    curve_batches = val_batches[:README_EVAL_BATCHES]

    seed_everything(SEED)
    config = GPTConfig(vocab_size=len(vocab), block_size=BLOCK, n_layer=4, n_head=4, n_embd=128, dropout=0.0)
    model = GPT(config)
    with stopwatch() as watch:
        curve = train(model, train_ids, steps, curve_batches)
        val = batch_losses(model, val_batches)
        train_loss = batch_losses(model, train_eval_batches)
    val_loss = sum(val) / len(val)
    curve.append((steps, sum(val[:README_EVAL_BATCHES]) / len(val[:README_EVAL_BATCHES])))
    return [reference(
        name="tinyshakespeare-gpt",
        task="tiny Shakespeare, characters, last 10% as validation: mean cross-entropy (nats/char)",
        model="character GPT, 4 layers x 128 wide, 4 heads, context 64 (nlpcourse GPT, lesson 16)",
        metric="nats/char",
        value=round(val_loss, 4),
        higher_is_better=False,
        anchor=1.88,
        anchor_source=ANCHOR_SOURCE,
        anchor_cite="karpathy2022nanogpt",
        differences=DIFFERENCES,
        budget_cpu_s=BUDGET_CPU_S,
        watch=watch,
        seed=SEED,
        details={
            "val_loss_first_20_batches": round(curve[-1][1], 4),
            "val_loss_std_over_batches": round(torch.tensor(val).std().item(), 4),
            "train_loss": round(sum(train_loss) / len(train_loss), 4),
            "val_curve_20_batches": [(step, round(loss, 4)) for step, loss in curve],
            "eval": f"{eval_batches} fixed batches of {BATCH} x {BLOCK} characters (seeded), "
                    "mean of the batch means",
            "characters": len(ids), "train_characters": len(train_ids), "val_characters": len(val_ids),
            "vocabulary": len(vocab),
            "parameters": model.num_parameters(),
            "steps": steps, "batch_size": BATCH, "block_size": BLOCK,
            "optimizer": f"AdamW betas {BETAS}, weight decay {WEIGHT_DECAY} on matrices, "
                         f"lr {LR} warm-up {WARMUP} steps then cosine to {MIN_LR}, grad clip 1.0",
            "split": "the loader returns one string; first 90% train, last 10% validation (nanoGPT's prepare.py)",
            "quick": quick,
        },
    )]
