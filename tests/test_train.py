import random

import numpy as np
import pytest
import torch

from nlpcourse.train import get_device, seed_everything


def draw():
    return random.random(), float(np.random.rand()), float(torch.rand(1))


def test_seed_everything_repeats_every_generator():
    seed_everything(123)
    first = draw()
    seed_everything(123)
    assert draw() == first
    seed_everything(124)
    assert draw() != first


def test_seed_must_be_a_valid_int():
    for bad in (-1, 2**32, 1.5, "7", True):
        with pytest.raises(ValueError, match="seed must be an int"):
            seed_everything(bad)


def test_get_device(monkeypatch):
    monkeypatch.delenv("NLPCOURSE_DEVICE", raising=False)
    assert get_device("cpu") == torch.device("cpu")
    monkeypatch.setenv("NLPCOURSE_DEVICE", "cpu")
    assert get_device() == torch.device("cpu")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            get_device("cuda")
