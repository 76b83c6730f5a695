import numpy as np
import pytest
import scipy.sparse as sp
import torch
import torch.nn.functional as F

from nlpcourse.models.feedforward import (
    NNLM,
    DNNClassifier,
    context_pairs,
    mlp_parameter_count,
    nnlm_parameter_count,
)


def n_parameters(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# ---------------------------------------------------------------- parameter counts


def test_the_notes_network_has_8610_parameters():
    model = DNNClassifier(100, (64, 32), num_classes=2)
    assert mlp_parameter_count([100, 64, 32, 2]) == 6_464 + 2_080 + 66 == 8_610
    assert n_parameters(model) == 8_610 and model.sizes == (100, 64, 32, 2)


@pytest.mark.parametrize(
    "input_dim, hidden, classes",
    [(3000, (64, 32), 3), (7, (), 4), (5, (9,), 2), (12, [8, 8, 8], 5)],
)
def test_dnn_parameter_count_matches_the_formula(input_dim, hidden, classes):
    model = DNNClassifier(input_dim, hidden, classes, dropout=0.5)  # dropout adds none
    assert n_parameters(model) == mlp_parameter_count([input_dim, *hidden, classes])


@pytest.mark.parametrize("direct", [False, True])
def test_nnlm_parameter_count_matches_the_formula(direct):
    V, n, m, h = 50, 3, 8, 16
    model = NNLM(V, n, m, h, direct=direct)
    expected = V * m + (h * n * m + h) + (V * h + V) + (V * n * m if direct else 0)
    assert n_parameters(model) == nnlm_parameter_count(V, n, m, h, direct) == expected


def test_parameter_count_helpers_reject_bad_sizes():
    with pytest.raises(ValueError, match="at least an input and an output"):
        mlp_parameter_count([10])
    with pytest.raises(ValueError, match="positive int"):
        mlp_parameter_count([10, 0, 2])


# ---------------------------------------------------------------- shapes and maths


def test_dnn_output_shape_and_one_hidden_layer():
    model = DNNClassifier(20, (16,), num_classes=3)
    assert model.sizes == (20, 16, 3)
    assert model(torch.randn(5, 20)).shape == (5, 3)
    with pytest.raises(ValueError, match=r"for one layer write \(16,\)"):
        DNNClassifier(20, 16)


def test_dnn_without_hidden_layers_is_a_linear_model():
    model = DNNClassifier(6, (), num_classes=3)
    x = torch.randn(4, 6)
    layer = model.layers[0]
    assert len(model.layers) == 1
    assert torch.allclose(model(x), x @ layer.weight.T + layer.bias)


def test_dnn_forward_is_the_matrix_formula():
    torch.manual_seed(0)
    model = DNNClassifier(10, (6, 4), num_classes=2)
    W1, W2, W3 = (model.layers[i].weight for i in (0, 2, 4))
    b1, b2, b3 = (model.layers[i].bias for i in (0, 2, 4))
    x = torch.randn(3, 10)
    by_hand = torch.relu(torch.relu(x @ W1.T + b1) @ W2.T + b2) @ W3.T + b3
    assert torch.allclose(model(x), by_hand, atol=1e-6)


def test_dnn_dropout_is_active_only_in_training():
    model = DNNClassifier(30, (64,), num_classes=2, dropout=0.5)
    assert any(isinstance(layer, torch.nn.Dropout) for layer in model.layers)
    x = torch.randn(8, 30)
    model.eval()
    assert torch.equal(model(x), model(x))


@pytest.mark.parametrize("direct", [False, True])
def test_nnlm_forward_is_bengios_formula(direct):
    torch.manual_seed(0)
    model = NNLM(vocab_size=20, context_size=3, embedding_dim=4, hidden_dim=5, direct=direct)
    context = torch.randint(20, (6, 3))
    C = model.embedding.weight
    x = torch.cat([C[context[:, i]] for i in range(3)], dim=1)  # (6, 12)
    y = model.output.bias + torch.tanh(x @ model.hidden.weight.T + model.hidden.bias) @ model.output.weight.T
    if direct:
        y = y + x @ model.direct.weight.T
    assert model(context).shape == (6, 20)
    assert torch.allclose(model(context), y, atol=1e-6)


def test_nnlm_projection_is_one_hot_times_the_table():
    model = NNLM(vocab_size=15, context_size=2, embedding_dim=3, hidden_dim=4)
    ids = torch.tensor([[3, 14], [0, 7]])
    one_hot = F.one_hot(ids, 15).float()  # (2, 2, 15)
    assert torch.allclose(one_hot @ model.embedding.weight, model.embedding(ids))


def test_nnlm_embeddings_start_small():
    model = NNLM(vocab_size=2000, embedding_dim=32, embedding_init_std=0.1)
    assert 0.09 < model.embedding.weight.std().item() < 0.11


def test_nnlm_accepts_int32_ids():
    model = NNLM(vocab_size=10, context_size=2, embedding_dim=3, hidden_dim=4)
    assert model(torch.tensor([[1, 2]], dtype=torch.int32)).shape == (1, 10)


# ---------------------------------------------------------------- bad input


def test_dnn_rejects_bad_input():
    model = DNNClassifier(8, (4,), num_classes=2)
    with pytest.raises(ValueError, match=r"shape \(batch, 8\)"):
        model(torch.randn(3, 9))
    with pytest.raises(ValueError, match=r"shape \(batch, 8\)"):
        model(torch.randn(8))
    with pytest.raises(TypeError, match="floating-point"):
        model(torch.ones(3, 8, dtype=torch.long))
    with pytest.raises(TypeError, match="float64"):
        model(torch.from_numpy(np.zeros((3, 8))))
    with pytest.raises(TypeError, match="torch.as_tensor"):
        model(np.zeros((3, 8), dtype=np.float32))
    with pytest.raises(TypeError, match="toarray"):
        model(sp.random(3, 8, format="csr"))
    with pytest.raises(TypeError, match="dense tensor"):
        model(torch.randn(3, 8).to_sparse())


def test_dnn_rejects_bad_configuration():
    with pytest.raises(ValueError, match="input_dim"):
        DNNClassifier(0)
    with pytest.raises(ValueError, match="every size in hidden"):
        DNNClassifier(10, (8, 0))
    with pytest.raises(ValueError, match="num_classes"):
        DNNClassifier(10, (8,), num_classes=1.5)
    with pytest.raises(ValueError, match="dropout"):
        DNNClassifier(10, (8,), dropout=1.0)


def test_nnlm_rejects_bad_input():
    model = NNLM(vocab_size=10, context_size=3, embedding_dim=4, hidden_dim=5)
    with pytest.raises(TypeError, match="integer token ids"):
        model(torch.zeros(2, 3))
    with pytest.raises(TypeError, match="torch.Tensor"):
        model([[1, 2, 3]])
    with pytest.raises(ValueError, match=r"\(batch, 3\)"):
        model(torch.zeros(2, 4, dtype=torch.long))
    with pytest.raises(ValueError, match=r"\(batch, 3\)"):
        model(torch.zeros(3, dtype=torch.long))
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        model(torch.tensor([[1, 2, 10]]))
    with pytest.raises(ValueError, match=r"\[0, 10\)"):
        model(torch.tensor([[1, -1, 2]]))


def test_nnlm_rejects_bad_configuration():
    with pytest.raises(ValueError, match="vocab_size"):
        NNLM(0)
    with pytest.raises(ValueError, match="context_size"):
        NNLM(10, context_size=0)
    with pytest.raises(ValueError, match="embedding_init_std"):
        NNLM(10, embedding_init_std=0.0)


# ---------------------------------------------------------------- context pairs


def test_context_pairs_slides_a_window():
    contexts, targets = context_pairs([5, 6, 7, 8, 9], context_size=2)
    assert contexts.tolist() == [[5, 6], [6, 7], [7, 8]]
    assert targets.tolist() == [7, 8, 9]
    assert contexts.dtype == targets.dtype == torch.long


def test_context_pairs_from_numpy_and_every_pair_is_right():
    ids = np.arange(100, 150)
    contexts, targets = context_pairs(ids, context_size=4)
    assert contexts.shape == (46, 4) and targets.shape == (46,)
    for t in range(46):
        assert contexts[t].tolist() == ids[t : t + 4].tolist() and targets[t] == ids[t + 4]


def test_context_pairs_rejects_bad_input():
    with pytest.raises(ValueError, match="no pair"):
        context_pairs([1, 2, 3], context_size=3)
    with pytest.raises(ValueError, match="1-D sequence of integers"):
        context_pairs([0.5, 1.5, 2.5], context_size=1)
    with pytest.raises(ValueError, match="1-D sequence of integers"):
        context_pairs([[1, 2], [3, 4]], context_size=1)
    with pytest.raises(ValueError, match="context_size"):
        context_pairs([1, 2, 3], context_size=0)


# ---------------------------------------------------------------- can it learn?


@pytest.fixture
def one_thread():
    """Tiny models gain nothing from threads, and lose a lot when another process
    holds a core; run their few hundred steps on one."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_tiny_dnn_overfits_a_tiny_batch(one_thread):
    torch.manual_seed(0)
    x, y = torch.randn(16, 10), torch.randint(3, (16,))
    model = DNNClassifier(10, (32, 32), num_classes=3)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(300):
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.05 and (model(x).argmax(1) == y).all()


@pytest.mark.parametrize("direct", [False, True])
def test_tiny_nnlm_memorises_a_short_text(direct, one_thread):
    torch.manual_seed(0)
    ids = torch.randint(12, (40,))  # random text: every next word depends on its context
    contexts, targets = context_pairs(ids, context_size=3)
    model = NNLM(vocab_size=12, context_size=3, embedding_dim=8, hidden_dim=32, direct=direct)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(400):
        loss = F.cross_entropy(model(contexts), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    # random 3-word contexts of 12 words almost never repeat, so memorising is possible
    assert loss.item() < 0.1 and (model(contexts).argmax(1) == targets).float().mean() > 0.95
