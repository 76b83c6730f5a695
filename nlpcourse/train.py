"""Reproducibility, device choice, and the course's one fit/evaluate loop.

Built in notebooks/01_text_to_numbers and notebooks/06_cnn_for_text. Lesson 01 writes
out ``seed_everything`` and ``get_device``; lesson 06, the first lesson that trains a
neural network with it, writes out ``use_threads`` and the loop: ``History``,
``accuracy``, ``_split_batch``, ``_flatten_sequence``, ``_model_device``, ``evaluate``,
``predict`` and ``fit``. Later lessons import them from here. Only the argument checks,
``_check_batch`` and ``_check_fit``, are not written out in a lesson: lesson 06 imports
them.

A batch is a tuple whose last element is the target and whose other elements are the
model's inputs, so ``(x, y)`` and ``PadCollate``'s ``(ids, lengths, y)`` both work:
``logits = model(*batch[:-1])``.
"""

from __future__ import annotations

import copy
import math
import os
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from nlpcourse import checks

__all__ = ["History", "accuracy", "evaluate", "fit", "get_device", "predict",
           "seed_everything", "use_threads"]


def seed_everything(seed: int = 0, deterministic: bool = False) -> int:
    """Seed Python, NumPy and torch (CPU and every GPU) so that a run can be repeated.

    ``deterministic=True`` also asks torch for deterministic kernels, which are slower
    on a GPU and raise an error for the few operations that have none. Returns the seed.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an int in [0, 2**32), got {seed!r}")
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device
    os.environ["PYTHONHASHSEED"] = str(seed)  # inherited by worker processes
    if deterministic:
        torch.use_deterministic_algorithms(True)
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    return seed


def get_device(prefer: str | None = None) -> torch.device:
    """The device to train on: ``prefer`` if given, else CUDA, then Apple's MPS, then
    the CPU.

    ``NLPCOURSE_DEVICE`` (e.g. ``cpu``) overrides the automatic choice, which is how a
    GPU machine reproduces CI's CPU numbers. Asking for a device that is not there is
    an error rather than a silent fallback.
    """
    choice = prefer or os.environ.get("NLPCOURSE_DEVICE")
    if choice:
        device = torch.device(choice)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(
                f"device {choice!r} requested but CUDA is not available here")
        if device.type == "mps" and not torch.backends.mps.is_available():
            raise RuntimeError(
                f"device {choice!r} requested but MPS is not available here")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


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


def _check_batch(batch) -> None:
    """A batch must be a tuple or list of at least two tensors: (inputs..., target)."""
    if not isinstance(batch, (tuple, list)) or len(batch) < 2:
        raise TypeError(
            "each batch must be a tuple or list (inputs..., target) of at least two "
            f"tensors, got {type(batch).__name__}"
            + (f" of length {len(batch)}" if isinstance(batch, (tuple, list)) else "")
        )
    if not all(isinstance(t, torch.Tensor) for t in batch):
        kinds = ", ".join(type(t).__name__ for t in batch)
        raise TypeError(f"every element of a batch must be a tensor, got ({kinds})")


def _check_fit(epochs, patience, val_loader, grad_clip, on_epoch_start) -> None:
    """Clear errors for the settings of :func:`fit`."""
    if not isinstance(epochs, int) or isinstance(epochs, bool) or epochs < 1:
        raise ValueError(f"epochs must be an int >= 1, got {epochs!r}")
    if patience is not None:
        if not isinstance(patience, int) or isinstance(patience, bool) or patience < 1:
            raise ValueError(f"patience must be an int >= 1 or None, got {patience!r}")
        if val_loader is None:
            raise ValueError("patience (early stopping) needs a val_loader")
    if grad_clip is not None and not grad_clip > 0:
        raise ValueError(f"grad_clip must be positive or None, got {grad_clip!r}")
    if on_epoch_start is not None and not callable(on_epoch_start):
        raise TypeError(
            f"on_epoch_start must be callable or None, got {on_epoch_start!r}")


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
