import math
import random

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from nlpcourse.train import (
    History,
    accuracy,
    evaluate,
    fit,
    get_device,
    predict,
    seed_everything,
    use_threads,
)


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


@pytest.fixture
def restore_threads():
    before = torch.get_num_threads()
    yield
    torch.set_num_threads(before)


def test_use_threads_obeys_omp_num_threads_and_the_cores(monkeypatch, restore_threads):
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    assert use_threads(2) == 2 == torch.get_num_threads()
    assert use_threads(8) == 2  # never more than the cores
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert use_threads(2) == 1 == torch.get_num_threads()  # make test's setting wins
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    assert use_threads(1) == 1


@pytest.mark.parametrize("wanted", [0, -1, 1.5, "2", True])
def test_use_threads_rejects_bad_counts(wanted, restore_threads):
    with pytest.raises(ValueError, match="wanted must be a positive int"):
        use_threads(wanted)


@pytest.mark.parametrize("value", ["0", "two", "-3"])
def test_use_threads_rejects_a_bad_omp_num_threads(monkeypatch, value, restore_threads):
    monkeypatch.setenv("OMP_NUM_THREADS", value)
    with pytest.raises(ValueError, match="OMP_NUM_THREADS must be a positive integer"):
        use_threads(2)


def test_get_device(monkeypatch):
    monkeypatch.delenv("NLPCOURSE_DEVICE", raising=False)
    assert get_device("cpu") == torch.device("cpu")
    monkeypatch.setenv("NLPCOURSE_DEVICE", "cpu")
    assert get_device() == torch.device("cpu")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            get_device("cuda")


def separable(n=64, seed=0):
    """Two Gaussian blobs in 2-D, far apart: class = which blob."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = torch.randn(n, 2, generator=g) * 0.3 + (y.float() * 4 - 2).unsqueeze(1)
    return x, y


def loader(x, y, batch_size=16, shuffle=False):
    return DataLoader(TensorDataset(x, y), batch_size=batch_size, shuffle=shuffle)


def test_accuracy_on_classes_and_sequences():
    logits = torch.tensor([[2.0, 1.0], [0.0, 3.0], [1.0, 0.0], [0.0, 1.0]])
    assert accuracy(logits, torch.tensor([0, 1, 1, 1])) == 0.75
    seq = torch.zeros(2, 3, 4)  # (N, T, C)
    seq[..., 2] = 1.0  # every position predicts class 2
    targets = torch.tensor([[2, 2, 0], [2, 1, 2]])  # (N, T): 4 of 6 right
    assert accuracy(seq, targets) == pytest.approx(4 / 6)
    with pytest.raises(ValueError, match="accuracy wants"):
        accuracy(seq, torch.tensor([2, 2]))


def test_fit_learns_a_separable_problem():
    seed_everything(0)
    x, y = separable()
    model = nn.Linear(2, 2)
    history = fit(
        model, loader(x, y, shuffle=True), loader(x, y), epochs=30,
        optimizer=torch.optim.SGD(model.parameters(), lr=0.5), progress=False,
    )
    assert isinstance(history, History)
    assert len(history.train_loss) == len(history.val_loss) == 30
    assert history.train_loss[-1] < 0.2 * history.train_loss[0]
    assert history.val_metric[-1] == 1.0
    loss, acc = evaluate(model, loader(x, y))
    assert acc == 1.0 and loss == pytest.approx(min(history.val_loss))
    assert history.best_epoch == int(np.argmin(history.val_loss))
    assert history.seconds > 0


class PairModel(nn.Module):
    """Takes two inputs, like (ids, lengths): uses only the first."""

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 2)

    def forward(self, x, lengths):
        return self.linear(x)


def test_fit_passes_every_input_but_the_last():
    seed_everything(0)
    x, y = separable()
    data = DataLoader(TensorDataset(x, torch.ones(len(x)), y), batch_size=16)
    model = PairModel()
    history = fit(
        model, data, data, epochs=20,
        optimizer=torch.optim.SGD(model.parameters(), lr=0.5), progress=False,
    )
    assert history.val_metric[-1] == 1.0


def test_best_weights_are_restored_and_early_stopping_stops():
    seed_everything(0)
    x, y = separable()
    # Validation labels are the flipped training labels: the better the model learns the
    # training set, the worse validation gets, so the best epoch is the first one.
    model = nn.Linear(2, 2)
    history = fit(
        model, loader(x, y), loader(x, 1 - y), epochs=20,
        optimizer=torch.optim.SGD(model.parameters(), lr=0.5), patience=3, progress=False,
    )
    assert history.best_epoch == 0
    assert len(history.train_loss) == 4  # epoch 0 best, then 3 epochs without improvement
    assert evaluate(model, loader(x, 1 - y))[0] == pytest.approx(history.val_loss[0])
    assert history.val_loss[-1] > history.val_loss[0]


def test_fit_on_sequence_outputs_and_regression():
    seed_everything(0)
    x, y = separable(32)
    xs = x.unsqueeze(1).expand(-1, 3, -1).contiguous()  # (N, T, 2)
    ys = y.unsqueeze(1).expand(-1, 3).contiguous()  # (N, T)
    model = nn.Linear(2, 2)  # applied at every step: (N, T, 2) -> (N, T, 2)
    history = fit(
        model, loader(xs, ys), loader(xs, ys), epochs=20,
        optimizer=torch.optim.SGD(model.parameters(), lr=0.5), progress=False,
    )
    assert history.val_metric[-1] == 1.0

    def mae(pred, target):
        return (pred - target).abs().mean().item()

    target = x @ torch.tensor([[1.0], [-2.0]]) + 0.5  # (N, 1), a linear function
    model = nn.Linear(2, 1)
    history = fit(
        model, loader(x, target), loader(x, target), epochs=60, loss_fn=nn.MSELoss(),
        metric=mae, optimizer=torch.optim.Adam(model.parameters(), lr=0.1),
        grad_clip=1.0, progress=True,
    )
    assert history.val_metric[history.best_epoch] < 0.05
    assert history.train_loss[-1] < 0.01 * history.train_loss[0]


def test_clear_errors():
    x, y = separable(8)
    model = nn.Linear(2, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="epochs must be"):
            fit(model, loader(x, y), epochs=bad, optimizer=opt, progress=False)
    with pytest.raises(ValueError, match="empty train_loader"):
        fit(model, [], epochs=1, optimizer=opt, progress=False)
    with pytest.raises(ValueError, match="empty loader"):
        evaluate(model, [])
    with pytest.raises(ValueError, match="needs a val_loader"):
        fit(model, loader(x, y), epochs=1, optimizer=opt, patience=2, progress=False)
    with pytest.raises(TypeError, match="at least two"):
        fit(model, [x], epochs=1, optimizer=opt, progress=False)  # a bare tensor
    with pytest.raises(TypeError, match="at least two"):
        fit(model, [(x,)], epochs=1, optimizer=opt, progress=False)
    with pytest.raises(TypeError, match="must be a tensor"):
        fit(model, [(x, [0, 1])], epochs=1, optimizer=opt, progress=False)
    assert math.isnan(evaluate(model, loader(x, y), metric=None)[1])


def test_predict_returns_probabilities_and_labels_in_order():
    torch.manual_seed(0)
    model = nn.Linear(3, 4)
    x, y = torch.randn(10, 3), torch.arange(10) % 4
    probs, labels = predict(model, DataLoader(TensorDataset(x, y), batch_size=3))
    assert torch.equal(labels, y)
    assert torch.allclose(probs, torch.softmax(model(x), -1).detach(), atol=1e-6)
    with pytest.raises(ValueError, match="empty"):
        predict(model, [])
    with pytest.raises(ValueError, match=r"\(batch, classes\)"):
        predict(nn.Identity(), [(torch.randn(2, 3, 4), torch.zeros(2))])


class RecordingSampler(torch.utils.data.Sampler):
    """Yields 0..n-1 in an order drawn from seed + epoch, like a DistributedSampler."""

    def __init__(self, n):
        self.n, self.epoch, self.orders = n, 0, []

    def set_epoch(self, epoch):
        self.epoch = epoch

    def __iter__(self):
        order = torch.randperm(self.n, generator=torch.Generator().manual_seed(self.epoch))
        self.orders.append(order.tolist())
        return iter(order.tolist())

    def __len__(self):
        return self.n


def test_on_epoch_start_runs_before_every_epoch():
    seed_everything(0)
    x, y = separable(32)
    sampler = RecordingSampler(len(x))
    train = DataLoader(TensorDataset(x, y), batch_size=8, sampler=sampler)
    model = nn.Linear(2, 2)
    calls = []

    def start_epoch(epoch):
        assert len(sampler.orders) == epoch  # called before the epoch's batches are drawn
        calls.append(epoch)
        sampler.set_epoch(epoch)

    fit(model, train, epochs=3, optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
        progress=False, on_epoch_start=start_epoch)
    assert calls == [0, 1, 2]
    assert len({tuple(order) for order in sampler.orders}) == 3  # a new order each epoch

    # With early stopping it runs only for the epochs that run: 4 of 20, as in
    # test_best_weights_are_restored_and_early_stopping_stops.
    calls.clear()
    seed_everything(0)
    x, y = separable()
    model = nn.Linear(2, 2)
    fit(model, loader(x, y), loader(x, 1 - y), epochs=20, patience=3,
        optimizer=torch.optim.SGD(model.parameters(), lr=0.5), progress=False,
        on_epoch_start=calls.append)
    assert calls == [0, 1, 2, 3]
    with pytest.raises(TypeError, match="on_epoch_start must be callable"):
        fit(model, train, epochs=1, optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
            progress=False, on_epoch_start=0)
