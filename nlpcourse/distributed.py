"""Data-parallel training with torchrun and DistributedDataParallel (DDP).

Introduced in notebooks/10_text_classification ("Scale up"), which explains data
parallelism and shows, as code it does not run, the script that uses these pieces and
the torchrun commands that start it: torchrun cannot start its processes inside a
notebook, and two fresh processes would cost much of the lesson's minute.
tests/test_distributed.py runs those commands. torchrun starts one process per
device and tells each its place in environment variables (``RANK``, ``LOCAL_RANK``,
``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT``). The pieces here turn a script that
calls :func:`nlpcourse.train.fit` into one that runs on several processes; in a plain
``python`` run (no torchrun variables) they join no group and wrap nothing:

- :func:`distributed_env` reads torchrun's variables; :func:`process_group` joins the
  process group (``nccl`` on CUDA, ``gloo`` on the CPU) and leaves it at the end;
- :func:`shard_loader` gives each rank its own share of the data (``DistributedSampler``);
  pass ``on_epoch_start=loader.sampler.set_epoch`` to ``fit`` so every epoch reshuffles;
- :func:`wrap_model` wraps the model in DDP, which averages the gradients of all ranks
  in ``backward``; :func:`unwrap` gets the plain module back for saving;
- :func:`ranks_agree` checks that every rank holds the same weights;
  ``DistributedEnv.is_main`` picks the one process (rank 0) that prints and saves.

``python -m nlpcourse.distributed`` (or ``torchrun --nproc_per_node=N -m
nlpcourse.distributed``) trains the lesson's GRU classifier on the tweets; see
:func:`main`.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Dataset
from torch.utils.data.distributed import DistributedSampler

from nlpcourse.data import tweets
from nlpcourse.models.rnn import RNNClassifier
from nlpcourse.text import PadCollate, build_vocab_from_iterator, get_tokenizer
from nlpcourse.train import evaluate, fit, get_device, seed_everything

__all__ = [
    "DistributedEnv",
    "backend_for",
    "build_classifier",
    "device_for",
    "distributed_env",
    "main",
    "process_group",
    "ranks_agree",
    "shard_loader",
    "unwrap",
    "wrap_model",
]

_RANK_VARIABLES = ("RANK", "LOCAL_RANK", "WORLD_SIZE")
_RENDEZVOUS_VARIABLES = ("MASTER_ADDR", "MASTER_PORT")


@dataclass(frozen=True)
class DistributedEnv:
    """This process's place in the run: global ``rank``, ``local_rank`` on its machine
    (which GPU it drives) and ``world_size`` (how many processes train together)."""

    rank: int = 0
    local_rank: int = 0
    world_size: int = 1

    @property
    def is_main(self) -> bool:
        """Rank 0: the one process that prints, evaluates and saves."""
        return self.rank == 0

    @property
    def is_distributed(self) -> bool:
        return self.world_size > 1


def _int_variable(environ: Mapping[str, str], name: str) -> int:
    try:
        return int(environ[name])
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {environ[name]!r}") from None


def distributed_env(environ: Mapping[str, str] | None = None) -> DistributedEnv:
    """Read torchrun's ``RANK``, ``LOCAL_RANK`` and ``WORLD_SIZE`` (default: ``os.environ``).

    None of them set means a plain single-process run: rank 0 of 1. torchrun always sets
    all three, so finding only some of them, values out of range, or a world size above
    1 without ``MASTER_ADDR`` and ``MASTER_PORT`` (where the processes meet) is an error
    that says how to launch instead of a hang at the rendezvous.
    """
    environ = os.environ if environ is None else environ
    present = [name for name in _RANK_VARIABLES if name in environ]
    if not present:
        return DistributedEnv()
    missing = [name for name in _RANK_VARIABLES if name not in environ]
    if missing:
        raise ValueError(
            f"{', '.join(present)} set but {', '.join(missing)} not: torchrun sets all of "
            "RANK, LOCAL_RANK and WORLD_SIZE. Launch with `torchrun --nproc_per_node=N ...`, "
            "or unset them for a single-process run."
        )
    rank, local_rank, world_size = (_int_variable(environ, n) for n in _RANK_VARIABLES)
    if world_size < 1:
        raise ValueError(f"WORLD_SIZE must be at least 1, got {world_size}")
    if not 0 <= rank < world_size:
        raise ValueError(f"RANK must be in [0, WORLD_SIZE={world_size}), got {rank}")
    if not 0 <= local_rank <= rank:
        raise ValueError(f"LOCAL_RANK must be in [0, RANK={rank}], got {local_rank}")
    unset = [name for name in _RENDEZVOUS_VARIABLES if not environ.get(name)]
    if world_size > 1 and unset:
        raise ValueError(
            f"WORLD_SIZE={world_size} but {' and '.join(unset)} not set, so the processes "
            "cannot find each other. Start them with torchrun, which sets both."
        )
    return DistributedEnv(rank, local_rank, world_size)


def device_for(env: DistributedEnv, prefer: str | None = None) -> torch.device:
    """This rank's device: GPU number ``local_rank`` on a CUDA machine, else ``get_device``'s
    choice (``prefer`` or ``NLPCOURSE_DEVICE`` override it, as there)."""
    device = get_device(prefer)
    if device.type != "cuda":
        return device
    if env.local_rank >= torch.cuda.device_count():
        raise RuntimeError(
            f"LOCAL_RANK {env.local_rank} needs GPU {env.local_rank}, but this machine has "
            f"{torch.cuda.device_count()}: start at most that many processes per node"
        )
    return torch.device("cuda", env.local_rank)


def backend_for(device: torch.device | str) -> str:
    """``nccl`` (GPU to GPU) for CUDA devices, ``gloo`` (works on the CPU) otherwise."""
    return "nccl" if torch.device(device).type == "cuda" else "gloo"


@contextmanager
def process_group(
    env: DistributedEnv | None = None,
    device: torch.device | str | None = None,
    backend: str | None = None,
) -> Iterator[DistributedEnv]:
    """Join the run's process group on entry and destroy it on exit; yields the env.

    ``backend`` defaults to :func:`backend_for` the device. With a world size of 1
    nothing is joined, so the same script also runs as a plain ``python`` process.
    """
    env = distributed_env() if env is None else env
    device = device_for(env) if device is None else torch.device(device)
    backend = backend_for(device) if backend is None else backend
    if backend == "nccl" and device.type != "cuda":
        raise ValueError(f"the nccl backend needs CUDA devices, got {device}; use gloo")
    if not dist.is_available() or not dist.is_backend_available(backend):
        raise ValueError(f"the distributed backend {backend!r} is not available in this torch")
    if not env.is_distributed:
        yield env
        return
    if device.type == "cuda":
        torch.cuda.set_device(device)  # before the group, so NCCL binds the right GPU
    dist.init_process_group(backend, rank=env.rank, world_size=env.world_size)
    try:
        yield env
    finally:
        dist.destroy_process_group()


def shard_loader(
    dataset: Dataset,
    batch_size: int,
    env: DistributedEnv,
    *,
    shuffle: bool = True,
    seed: int = 0,
    collate_fn=None,
) -> DataLoader:
    """A DataLoader over this rank's shard of ``dataset``, ``batch_size`` examples a batch.

    ``DistributedSampler`` shuffles all indices with ``seed + epoch`` (the same on every
    rank), then rank r takes every ``world_size``-th one from position r, so the shards
    are disjoint and equally long (a few examples repeat when the size does not divide).
    Equal lengths matter: every rank must run the same number of steps, or the gradient
    averaging waits forever. Call ``loader.sampler.set_epoch(epoch)`` before each epoch
    (``fit(..., on_epoch_start=loader.sampler.set_epoch)``) for a new order every epoch.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if len(dataset) == 0:
        raise ValueError("cannot shard an empty dataset")
    sampler = DistributedSampler(
        dataset, num_replicas=env.world_size, rank=env.rank, shuffle=shuffle, seed=seed
    )
    return DataLoader(dataset, batch_size=batch_size, sampler=sampler, collate_fn=collate_fn)


def wrap_model(model: nn.Module, env: DistributedEnv, device: torch.device | str) -> nn.Module:
    """Move ``model`` to ``device`` and, with several ranks, wrap it in DDP.

    DDP copies rank 0's weights to every rank when it is built and averages the
    gradients of all ranks during ``backward``, so the optimizers take identical steps.
    A single process gets its model back unwrapped.
    """
    device = torch.device(device)
    model.to(device)
    if not env.is_distributed:
        return model
    if not dist.is_initialized():
        raise RuntimeError("wrap_model needs the process group: call it inside process_group()")
    device_ids = [device] if device.type == "cuda" else None  # CPU modules take none
    return DistributedDataParallel(model, device_ids=device_ids)


def unwrap(model: nn.Module) -> nn.Module:
    """The plain module inside a DDP wrapper (its state_dict has no ``module.`` prefix)."""
    return model.module if isinstance(model, DistributedDataParallel) else model


def ranks_agree(model: nn.Module) -> bool:
    """True if every rank holds bitwise the same parameters (always true for one process).

    The element-wise maximum and minimum over all ranks are equal exactly when all ranks
    agree, so two all-reduces answer it without gathering every copy.
    """
    flat = torch.cat([p.detach().reshape(-1) for p in unwrap(model).parameters()])  # (P,)
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return True
    highest, lowest = flat.clone(), flat.clone()
    dist.all_reduce(highest, op=dist.ReduceOp.MAX)
    dist.all_reduce(lowest, op=dist.ReduceOp.MIN)
    return torch.equal(highest, lowest)


# ---------------------------------------------------------------- the runnable example


def build_classifier(vocab_size: int, hidden_size: int = 32, num_classes: int = 3) -> nn.Module:
    """Lesson 10's GRU classifier (50-d embedding, no dropout, so runs can be compared)."""
    return RNNClassifier(vocab_size, hidden_size, num_classes, cell="gru", embedding_dim=50)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def _positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m nlpcourse.distributed",
        description="Train lesson 10's GRU tweet classifier with DistributedDataParallel. "
        "Run it with torchrun for several processes, or with python for one.",
    )
    parser.add_argument("--epochs", type=_positive_int, default=1)
    parser.add_argument(
        "--steps", type=_positive_int, default=None,
        help="optimizer steps per epoch; trains on the first steps x batch-size x world "
        "size training tweets (default: all of them)",
    )
    parser.add_argument("--batch-size", type=_positive_int, default=64, help="per rank")
    parser.add_argument("--optimizer", choices=("adam", "sgd"), default="adam")
    parser.add_argument("--lr", type=_positive_float, default=1e-2)
    parser.add_argument("--hidden", type=_positive_int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", default=None, help="e.g. cpu (default: get_device)")
    parser.add_argument("--backend", default=None, help="default: nccl on CUDA, else gloo")
    parser.add_argument(
        "--out", type=Path, default=None,
        help="folder for each rank's final weights, rank<r>.pt (normally only rank 0 "
        "saves; every rank writes here so that the copies can be compared)",
    )
    return parser


def _tweet_datasets(steps: int | None, examples_per_step: int):
    """(train pairs, validation pairs, vocab size): ``(ids, label)`` pairs as lesson 10
    makes them, with the vocabulary built on the training tweets used."""
    data = tweets()
    wanted = len(data.train) if steps is None else steps * examples_per_step
    if wanted > len(data.train):
        raise ValueError(
            f"--steps x --batch-size x world size = {wanted} tweets, but the training "
            f"split has {len(data.train):,}"
        )
    tokenize = get_tokenizer("tweet")
    train_tokens = [tokenize(text) for text in data.train.texts[:wanted]]
    vocab = build_vocab_from_iterator(train_tokens, min_freq=3, specials=["<pad>", "<unk>"])
    vocab.set_default_index(vocab["<unk>"])
    unk = vocab["<unk>"]
    train = [(vocab(t) or [unk], y) for t, y in zip(train_tokens, data.train.labels)]
    validation = [
        (vocab(tokenize(text)) or [unk], y)
        for text, y in zip(data.validation.texts, data.validation.labels)
    ]
    return train, validation, len(vocab)


def main(argv: list[str] | None = None) -> nn.Module:
    """Train on every rank and report on rank 0; returns the trained (plain) model.

    Every rank reads the same tweets and seeds the same generators; its loader yields
    only its shard, ``--batch-size`` tweets a step, so one optimizer step sees
    ``batch-size x world size`` tweets in all. ``--out`` gets ``rank<r>.pt`` from every
    rank. Rank 0 evaluates on the validation split at the end and prints whether all
    ranks ended with the same weights.
    """
    args = _parser().parse_args(argv)
    env = distributed_env()
    device = device_for(env, args.device)
    with process_group(env, device, args.backend):
        train, validation, vocab_size = _tweet_datasets(
            args.steps, args.batch_size * env.world_size
        )
        collate = PadCollate(pad_index=0, max_len=32)
        loader = shard_loader(train, args.batch_size, env, seed=args.seed, collate_fn=collate)
        seed_everything(args.seed)  # the model's initial weights depend only on the seed
        model = wrap_model(build_classifier(vocab_size, args.hidden), env, device)
        make_optimizer = torch.optim.Adam if args.optimizer == "adam" else torch.optim.SGD
        history = fit(
            model,
            loader,
            epochs=args.epochs,
            optimizer=make_optimizer(model.parameters(), lr=args.lr),
            progress=env.is_main,
            on_epoch_start=loader.sampler.set_epoch,  # a new shuffle every epoch
        )
        agree = ranks_agree(model)
        if args.out is not None:
            args.out.mkdir(parents=True, exist_ok=True)
            torch.save(unwrap(model).state_dict(), args.out / f"rank{env.rank}.pt")
        if env.is_main:
            val_loader = DataLoader(validation, batch_size=512, collate_fn=collate)
            _, val_accuracy = evaluate(unwrap(model), val_loader)
            print(
                f"{env.world_size} process(es) x {args.batch_size} tweets = "
                f"{env.world_size * args.batch_size} per step, {len(loader)} steps per epoch; "
                f"train loss {history.train_loss[-1]:.3f} (rank 0's shard), "
                f"validation accuracy {val_accuracy:.3f}; ranks agree: {agree}"
            )
    return unwrap(model)


if __name__ == "__main__":
    main()
