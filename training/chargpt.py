"""A character GPT on the course's Shakespeare: lesson 16's model, trained long.

The shape and optimiser of nanoGPT's "baby GPT on a CPU" (its README: 4 layers, 4 heads,
width 128, context 64, AdamW with betas (0.9, 0.99), learning rate 1e-3 warmed up over
100 steps and decayed along a cosine to 1e-4, weight decay 0.1 on matrices, gradient
norm clipped at 1, dropout 0), trained on more text: batches of 32 windows instead of
12 and 5,000 steps instead of 2,000, about 10 million characters read, two passes
over the training works.

The data and the measure are lesson 16's, so the lesson can set its own short run
beside this one: ``nlpcourse.data.shakespeare()``'s training works (every work but the
four held out), one id per character of the training text (84), and the mean loss
over every position of 512 fixed windows of 64 characters spread evenly over the
held-out works (Macbeth, Twelfth Night, King Richard II, the Sonnets).
"""

from __future__ import annotations

import math
import time

import torch
import torch.nn.functional as F

from nlpcourse.data import shakespeare
from nlpcourse.models.charlm import random_windows
from nlpcourse.models.gpt import GPT, GPTConfig
from nlpcourse.text import Vocab
from nlpcourse.train import seed_everything
from training.common import log, publish

NAME = "shakespeare-char-gpt"
SEED = 0
CONFIG = dict(block_size=64, n_layer=4, n_head=4, n_embd=128, dropout=0.0)
BATCH, STEPS = 32, 5000
LR, MIN_LR, WARMUP, WEIGHT_DECAY, BETAS = 1e-3, 1e-4, 100, 0.1, (0.9, 0.99)
EVAL_EVERY = 500
WINDOWS = 512  # lesson 16's validation windows
SAMPLE_PROMPT, SAMPLE_LENGTH = "ROMEO.\n", 300


def learning_rate(step: int) -> float:
    if step < WARMUP:
        return LR * (step + 1) / WARMUP
    progress = min(1.0, (step - WARMUP) / (STEPS - WARMUP))
    return MIN_LR + 0.5 * (1 + math.cos(math.pi * progress)) * (LR - MIN_LR)


def validation_windows(val_ids: torch.Tensor, block: int) -> torch.Tensor:
    """(512, block + 1) windows spread evenly over the held-out text, as lesson 16's."""
    starts = torch.linspace(0, len(val_ids) - block - 2, WINDOWS).long()
    return val_ids[starts[:, None] + torch.arange(block + 1)]


@torch.no_grad()
def window_loss(model, windows: torch.Tensor) -> float:
    """Mean next-character loss (nats) over every position of the windows (N, T + 1)."""
    model.eval()
    total = 0.0
    for chunk in windows.split(64):
        logits = model(chunk[:, :-1])  # (64, T, V)
        total += F.cross_entropy(logits.flatten(0, 1), chunk[:, 1:].flatten(),
                                 reduction="sum").item()
    model.train()
    return total / windows[:, 1:].numel()


def run() -> dict:
    torch.set_num_threads(2)
    seed_everything(SEED)
    corpus = shakespeare()
    train_text, val_text = corpus.text("train"), corpus.text("validation")
    vocab = Vocab(sorted(set(train_text)))
    train_ids, val_ids = torch.tensor(vocab(train_text)), torch.tensor(vocab(val_text))
    windows = validation_windows(val_ids, CONFIG["block_size"])
    config = dict(vocab_size=len(vocab), **CONFIG)
    model = GPT(GPTConfig(**config))
    matrices = [p for p in model.parameters() if p.dim() >= 2]
    others = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": matrices, "weight_decay": WEIGHT_DECAY},
                                   {"params": others, "weight_decay": 0.0}], lr=LR, betas=BETAS)
    batches = torch.Generator().manual_seed(SEED)
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    curve = [{"step": 0, "val_loss": round(window_loss(model, windows), 4)}]
    running = 0.0
    for step in range(1, STEPS + 1):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step - 1)
        inputs, targets = random_windows(train_ids, BATCH, CONFIG["block_size"],
                                         generator=batches)  # (B, T) each
        loss = F.cross_entropy(model(inputs).flatten(0, 1), targets.flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        running += loss.item()
        if step % EVAL_EVERY == 0:
            curve.append({"step": step, "train_loss": round(running / EVAL_EVERY, 4),
                          "val_loss": round(window_loss(model, windows), 4),
                          "cpu_s": round(time.process_time() - start_cpu, 1)})
            running = 0.0
            log(f"step {step}: {curve[-1]}")
    cpu_s, wall_s = time.process_time() - start_cpu, time.perf_counter() - start_wall
    state = model.state_dict()
    shipped = GPT(GPTConfig(**config))
    shipped.load_state_dict({k: v.half().float() for k, v in state.items()})
    prompt = torch.tensor([vocab(SAMPLE_PROMPT)])
    sample = shipped.generate(prompt, SAMPLE_LENGTH, temperature=0.8,
                              generator=torch.Generator().manual_seed(SEED))
    record = {
        "seed": SEED,
        "data": "nlpcourse.data.shakespeare(): training works (38 of 42, "
                f"{len(train_ids):,} characters); validation: Macbeth, Twelfth Night, "
                f"King Richard II, the Sonnets ({len(val_ids):,} characters)",
        "recipe": {"batch": BATCH, "steps": STEPS, "characters_read": BATCH * STEPS * CONFIG["block_size"],
                   "optimizer": f"AdamW betas {BETAS}, weight decay {WEIGHT_DECAY} on matrices, "
                                f"lr {LR} warm-up {WARMUP} steps then cosine to {MIN_LR}, "
                                "gradient norm clipped at 1"},
        "cpu_s": round(cpu_s, 1), "wall_s": round(wall_s, 1),
        "parameters": model.num_parameters(),
        "curve": curve,
        "val_loss": curve[-1]["val_loss"],
        "sample": {"prompt": SAMPLE_PROMPT, "temperature": 0.8, "seed": SEED,
                   "text": "".join(vocab.lookup_tokens(sample[0].tolist()))},
        "held_out": {"slice": f"lesson 16's {WINDOWS} validation windows of "
                              f"{CONFIG['block_size']} characters",
                     "metric": "cross-entropy per character (nats)",
                     "value": round(window_loss(shipped, windows), 5)},
    }
    log(record["sample"]["text"])
    return publish(NAME, kind="gpt", config={**config, "vocabulary": "".join(vocab.get_itos())},
                   state=state, extra_files={}, record=record)
