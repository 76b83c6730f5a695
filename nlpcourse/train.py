"""Reproducibility and device choice; the fit/evaluate loop joins in Part II.

Built in notebooks/01_text_to_numbers.
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch

__all__ = ["seed_everything", "get_device"]


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
    """The device to train on: ``prefer`` if given, else CUDA, then Apple's MPS, then CPU.

    ``NLPCOURSE_DEVICE`` (e.g. ``cpu``) overrides the automatic choice, which is how a
    GPU machine reproduces CI's CPU numbers. Asking for a device that is not there is
    an error rather than a silent fallback.
    """
    choice = prefer or os.environ.get("NLPCOURSE_DEVICE")
    if choice:
        device = torch.device(choice)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(f"device {choice!r} requested but CUDA is not available here")
        if device.type == "mps" and not torch.backends.mps.is_available():
            raise RuntimeError(f"device {choice!r} requested but MPS is not available here")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")
