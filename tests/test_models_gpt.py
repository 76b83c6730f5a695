"""Tests for nlpcourse.models.gpt."""

import pytest
import torch
import torch.nn.functional as F

from nlpcourse.models.gpt import GPT, GPTConfig


def test_shapes_and_parameter_count():
    config = GPTConfig(vocab_size=30, block_size=16, n_layer=2, n_head=2, n_embd=32)
    model = GPT(config)
    assert model(torch.randint(0, 30, (3, 16))).shape == (3, 16, 30)
    V, T, L, C = 30, 16, 2, 32
    per_block = 12 * C * C + 13 * C  # attention 4C^2+4C, MLP 8C^2+5C, two norms 4C
    assert model.num_parameters() == V * C + T * C + L * per_block + 2 * C
    assert model.lm_head.weight is model.wte.weight


def test_causal_no_peeking():
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=20, block_size=8, n_layer=2, n_head=2, n_embd=16)).eval()
    idx = torch.randint(0, 20, (1, 8))
    changed = idx.clone()
    changed[0, 5:] = (changed[0, 5:] + 1) % 20
    a, b = model(idx), model(changed)
    assert torch.allclose(a[:, :5], b[:, :5], atol=1e-6)
    assert not torch.allclose(a[:, 5:], b[:, 5:], atol=1e-4)


def test_memorises_a_sequence():
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=12, block_size=10, n_layer=1, n_head=2, n_embd=32))
    data = torch.arange(11).repeat(4, 1) % 12  # (4, 11)
    x, y = data[:, :-1], data[:, 1:]
    opt = torch.optim.AdamW(model.parameters(), 3e-3)
    first = None
    for _ in range(100):
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        first = first if first is not None else loss.item()
        opt.zero_grad(); loss.backward(); opt.step()
    assert first > 2.0 and loss.item() < 0.1
    # greedy generation continues the memorised sequence
    assert model.generate(torch.tensor([[0, 1, 2]]), 8, temperature=0)[0].tolist() == list(range(11))
    assert model.training  # mode restored
    # past block_size the context is cropped to the last 10 tokens
    assert model.generate(torch.tensor([[0, 1, 2]]), 12, temperature=1.0).shape == (1, 15)


def test_bad_input():
    model = GPT(GPTConfig(vocab_size=10, block_size=4, n_layer=1, n_head=1, n_embd=8))
    with pytest.raises(ValueError, match="block_size=4"):
        model(torch.zeros(1, 5, dtype=torch.long))
    with pytest.raises(TypeError, match="integer"):
        model(torch.zeros(1, 3))
    with pytest.raises(ValueError, match=r"\(batch, time\)"):
        model(torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match="divisible"):
        GPTConfig(vocab_size=10, n_head=3, n_embd=8)
