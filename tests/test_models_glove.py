import math

import numpy as np
import pytest
import torch

from nlpcourse.models.glove import GloVeModel, glove_weight


def test_weighting_function_values():
    assert glove_weight(0.0) == 0.0
    assert glove_weight(100.0) == 1.0 and glove_weight(1e6) == 1.0
    assert glove_weight(10.0) == pytest.approx(0.1**0.75)
    assert glove_weight(5.0, x_max=10, alpha=1.0) == pytest.approx(0.5)
    values = glove_weight(np.array([1.0, 50.0, 99.0, 100.0, 101.0]))
    assert np.all(np.diff(values) >= 0) and values[-1] == 1.0  # rises, then flat
    as_tensor = glove_weight(torch.tensor([0.0, 10.0, 200.0]))
    assert isinstance(as_tensor, torch.Tensor)
    assert torch.allclose(as_tensor, torch.tensor([0.0, 0.1**0.75, 1.0]))


@pytest.mark.parametrize("kwargs, match", [({"x_max": 0}, "x_max"), ({"alpha": 0}, "alpha")])
def test_weighting_function_rejects_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        glove_weight(1.0, **kwargs)


def test_weighting_function_rejects_negative_counts():
    with pytest.raises(ValueError, match="negative"):
        glove_weight(np.array([1.0, -2.0]))
    with pytest.raises(ValueError, match="negative"):
        glove_weight(torch.tensor([-1.0]))


def _tiny_model(reduction):
    model = GloVeModel(vocab_size=3, dim=2, reduction=reduction)
    with torch.no_grad():
        model.word.weight.copy_(torch.tensor([[0.1, 0.2], [0.3, -0.1], [0.0, 0.4]]))
        model.context.weight.copy_(torch.tensor([[0.2, 0.1], [-0.2, 0.3], [0.1, 0.1]]))
        model.word_bias.weight.copy_(torch.tensor([[0.1], [-0.2], [0.05]]))
        model.context_bias.weight.copy_(torch.tensor([[0.0], [0.1], [-0.1]]))
    return model


def test_loss_equals_hand_computation():
    # entry (0, 1, x=3): w.w~ = 0.1*-0.2 + 0.2*0.3 = 0.04; + 0.1 + 0.1 - log 3
    # entry (2, 2, x=150): w.w~ = 0 + 0.4*0.1 = 0.04; + 0.05 - 0.1 - log 150, weight 1
    e1 = 0.04 + 0.1 + 0.1 - math.log(3)
    e2 = 0.04 + 0.05 - 0.1 - math.log(150)
    expected_sum = (3 / 100) ** 0.75 * e1**2 + 1.0 * e2**2
    i, j, x = torch.tensor([0, 2]), torch.tensor([1, 2]), torch.tensor([3.0, 150.0])
    assert _tiny_model("sum")(i, j, x).item() == pytest.approx(expected_sum, rel=1e-6)
    assert _tiny_model("mean")(i, j, x).item() == pytest.approx(expected_sum / 2, rel=1e-6)


def test_predict_and_vectors():
    model = _tiny_model("sum")
    prediction = model.predict(torch.tensor([0]), torch.tensor([1]))
    assert prediction.shape == (1,) and prediction.item() == pytest.approx(0.04 + 0.1 + 0.1)
    assert torch.equal(model.vectors(), model.word.weight.detach() + model.context.weight.detach())
    assert not model.vectors().requires_grad


def test_training_fits_log_counts():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    true = rng.normal(size=(20, 4)) * 0.5
    i, j = np.meshgrid(np.arange(20), np.arange(20), indexing="ij")
    counts = np.exp(true @ true.T + 2.0).ravel()  # every entry non-zero, log-linear
    i, j, x = torch.tensor(i.ravel()), torch.tensor(j.ravel()), torch.tensor(counts, dtype=torch.float32)
    model = GloVeModel(20, 4, x_max=10.0)
    optimizer = torch.optim.Adagrad(model.parameters(), lr=0.2)
    with torch.no_grad():
        before = model(i, j, x).item()
    for _ in range(500):
        loss = model(i, j, x)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.02 * before


def test_parameters_start_small_and_uniform():
    model = GloVeModel(100, 10)
    for table in (model.word, model.context, model.word_bias, model.context_bias):
        assert table.weight.abs().max() <= 0.05


@pytest.mark.parametrize(
    "i, j, x, error, match",
    [
        ([0, 1], [1, 0], [1.0, 0.0], ValueError, "must be positive"),
        ([0, 1], [1, 0], [1.0, -2.0], ValueError, "must be positive"),
        ([0, 3], [1, 0], [1.0, 2.0], ValueError, r"i: token ids must lie in \[0, 3\), got values from 0 to 3"),
        ([0, 1], [-1, 0], [1.0, 2.0], ValueError, r"j: token ids must lie in \[0, 3\), got values from -1 to 0"),
        ([0, 1], [1], [1.0, 2.0], ValueError, r"j expects shape \(2,\), got \(1,\)"),
        ([], [], [], ValueError, "non-empty"),
        ([0.0, 1.0], [1, 0], [1.0, 2.0], TypeError, "i expects integer token ids"),
    ],
)
def test_forward_rejects_bad_input(i, j, x, error, match):
    model = GloVeModel(3, 2)
    as_tensor = [
        torch.tensor(v, dtype=torch.float32) if k == 2 or (v and isinstance(v[0], float)) else torch.tensor(v, dtype=torch.long)
        for k, v in enumerate((i, j, x))
    ]
    with pytest.raises(error, match=match):
        model(*as_tensor)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"vocab_size": 0, "dim": 2}, "positive"),
        ({"vocab_size": 3, "dim": 0}, "positive"),
        ({"vocab_size": 3, "dim": 2, "reduction": "max"}, "reduction"),
        ({"vocab_size": 3, "dim": 2, "x_max": -1}, "x_max"),
        ({"vocab_size": 3, "dim": 2, "alpha": 0}, "alpha"),
    ],
)
def test_constructor_rejects_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GloVeModel(**kwargs)
