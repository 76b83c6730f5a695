"""Tests for nlpcourse.models.rnn (built in notebooks/08_lstm_gru)."""

import pytest
import torch
from torch import nn

from nlpcourse.models.rnn import RNNClassifier, recurrent_parameter_count

CELLS = ["rnn", "lstm", "gru"]


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_output_shape_token_ids(cell, bidirectional):
    torch.manual_seed(0)
    model = RNNClassifier(50, 16, 3, cell=cell, embedding_dim=8, num_layers=2,
                          bidirectional=bidirectional, dropout=0.1)
    x = torch.randint(1, 50, (4, 7))
    assert model(x).shape == (4, 3)
    assert model(x, lengths=torch.tensor([7, 3, 1, 5])).shape == (4, 3)


@pytest.mark.parametrize("cell", CELLS)
def test_output_shape_float_features(cell):
    model = RNNClassifier(input_size=10, hidden_size=20, num_classes=5, cell=cell,
                          num_layers=2)
    assert model(torch.randn(3, 15, 10)).shape == (3, 5)


@pytest.mark.parametrize("cell, gates", [("rnn", 1), ("lstm", 4), ("gru", 3)])
@pytest.mark.parametrize("layers, bidirectional", [(1, False), (2, False), (2, True)])
def test_parameter_count_formula(cell, gates, layers, bidirectional):
    ref = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell](
        12, 20, num_layers=layers, bidirectional=bidirectional)
    n = sum(p.numel() for p in ref.parameters())
    assert recurrent_parameter_count(12, 20, cell, layers, bidirectional) == n
    vanilla = recurrent_parameter_count(12, 20, "rnn", layers, bidirectional)
    assert n == gates * vanilla


def test_classifier_parameter_count():
    model = RNNClassifier(30, 16, 4, cell="gru", embedding_dim=8)
    expected = 30 * 8 + recurrent_parameter_count(8, 16, "gru") + 16 * 4 + 4
    assert sum(p.numel() for p in model.parameters()) == expected


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_packing_matches_unpadded(cell, bidirectional):
    torch.manual_seed(0)
    model = RNNClassifier(20, 8, 3, cell=cell, embedding_dim=6, num_layers=2,
                          bidirectional=bidirectional).eval()
    lengths = [5, 2, 4]
    x = torch.zeros(3, 5, dtype=torch.long)  # 0 = padding
    for i, n in enumerate(lengths):
        x[i, :n] = torch.randint(1, 20, (n,))
    batched = model(x, lengths=torch.tensor(lengths))
    for i, n in enumerate(lengths):
        alone = model(x[i : i + 1, :n])
        assert torch.allclose(batched[i], alone[0], atol=1e-6)


def test_float_features_packing_matches_unpadded():
    torch.manual_seed(0)
    model = RNNClassifier(input_size=4, hidden_size=8, num_classes=2, cell="lstm").eval()
    x = torch.randn(2, 6, 4)
    out = model(x, lengths=[6, 3])
    assert torch.allclose(out[1], model(x[1:, :3])[0], atol=1e-6)


def test_bad_inputs():
    ids_model = RNNClassifier(20, 8, 3, cell="gru", embedding_dim=4)
    feat_model = RNNClassifier(input_size=4, hidden_size=8, num_classes=2)
    with pytest.raises(ValueError, match=r"\(batch, time\)"):
        ids_model(torch.randint(0, 20, (2, 3, 4)))
    with pytest.raises(TypeError, match="integer token ids"):
        ids_model(torch.randn(2, 3))
    with pytest.raises(ValueError, match=r"\(batch, time, 4\)"):
        feat_model(torch.randn(2, 3, 5))
    with pytest.raises(TypeError, match="floating-point"):
        feat_model(torch.ones(2, 3, 4, dtype=torch.long))
    with pytest.raises(TypeError, match="torch.Tensor"):
        ids_model([[1, 2]])
    with pytest.raises(ValueError, match=r"must lie in \[0, 20\)"):
        ids_model(torch.tensor([[1, 20]]))  # an id the embedding table does not have
    with pytest.raises(TypeError, match="float64"):
        feat_model(torch.randn(2, 3, 4, dtype=torch.float64))  # NumPy's default dtype
    x = torch.randint(1, 20, (2, 5))
    with pytest.raises(ValueError, match=r"lengths of shape \(2,\)"):
        ids_model(x, lengths=torch.tensor([5, 4, 3]))
    with pytest.raises(ValueError, match=r"in \[1, 5\]"):
        ids_model(x, lengths=torch.tensor([6, 2]))
    with pytest.raises(ValueError, match=r"in \[1, 5\]"):
        ids_model(x, lengths=torch.tensor([0, 2]))
    with pytest.raises(TypeError, match="integer lengths"):
        ids_model(x, lengths=torch.tensor([5.0, 2.0]))


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="cell"):
        RNNClassifier(10, 8, 2, cell="transformer")
    with pytest.raises(ValueError, match="hidden_size"):
        RNNClassifier(10, 0, 2)
    with pytest.raises(ValueError, match="dropout"):
        RNNClassifier(10, 8, 2, dropout=1.5)
    with pytest.raises(ValueError, match="not both"):
        RNNClassifier(10, 8, 2, input_size=4)


def test_head_dropout_is_separate_from_layer_dropout():
    model = RNNClassifier(20, 8, 2, cell="lstm", num_layers=2, dropout=0.3,
                          head_dropout=0.5, embedding_dim=4)
    assert model.rnn.dropout == 0.3 and model.dropout.p == 0.5
    assert RNNClassifier(20, 8, 2, dropout=0.2, embedding_dim=4).dropout.p == 0.2
    with pytest.raises(ValueError, match="head_dropout"):
        RNNClassifier(20, 8, 2, head_dropout=1.0, embedding_dim=4)
