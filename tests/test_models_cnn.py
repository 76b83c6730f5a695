"""Tests for nlpcourse.models.cnn (built in notebooks/06_cnn_for_text)."""

import pytest
import torch
import torch.nn.functional as F

from nlpcourse.models.cnn import TextCNN, textcnn_parameter_count


def test_shapes_and_parameter_count():
    model = TextCNN(100, 8, 3, widths=(2, 3, 5), num_filters=7)
    ids = torch.randint(1, 100, (4, 9))
    assert model(ids).shape == (4, 3)
    maps = model.feature_maps(ids)
    assert [tuple(m.shape) for m in maps] == [(4, 7, 8), (4, 7, 7), (4, 7, 5)]
    n = sum(p.numel() for p in model.parameters())
    assert n == textcnn_parameter_count(100, 8, 3, (2, 3, 5), 7)


def test_matches_a_hand_written_window_score():
    torch.manual_seed(0)
    model = TextCNN(20, 4, 2, widths=(3,), num_filters=5).eval()
    ids = torch.randint(1, 20, (2, 6))
    emb = model.embedding(ids)  # (B, T, E)
    conv = model.convs[0]
    # window j of width 3: sum over k, e of W[f, e, k] * emb[b, j + k, e] + bias[f]
    windows = torch.stack([emb[:, j:j + 3, :] for j in range(4)], dim=1)  # (B, W, 3, E)
    scores = torch.einsum("bwke,fek->bfw", windows, conv.weight) + conv.bias[None, :, None]
    assert torch.allclose(model.feature_maps(ids)[0], F.relu(scores), atol=1e-6)
    pooled = F.relu(scores).max(dim=-1).values
    assert torch.allclose(model(ids), model.head(pooled), atol=1e-6)


def test_padding_never_changes_the_prediction():
    torch.manual_seed(0)
    model = TextCNN(30, 6, 3, widths=(2, 3), num_filters=4, dropout=0.0).eval()
    short = torch.randint(1, 30, (1, 5))
    padded = torch.cat([short, torch.zeros(1, 7, dtype=torch.long)], dim=1)
    # the padding row of the embedding is zero, but a window of zeros still scores
    # relu(bias); with lengths those windows are masked out
    padded_logits = model(padded, lengths=torch.tensor([5]))
    assert torch.allclose(model(short), padded_logits, atol=1e-6)


def test_windows_that_overlap_the_padding_are_masked():
    # A window that starts in the text but ends in the padding does not exist when the
    # text is alone; were it kept, a text's logits would depend on its batch.
    torch.manual_seed(0)
    model = TextCNN(50, 8, 3, widths=(2, 3, 4), num_filters=16, dropout=0.0).eval()
    with torch.no_grad():
        model.embedding.weight[0] = 5.0  # make <pad> windows loud if they leak through
    texts = [torch.randint(1, 50, (n,)) for n in (5, 9, 3, 2)]
    batch = torch.zeros(len(texts), 12, dtype=torch.long)
    for row, text in enumerate(texts):
        batch[row, : len(text)] = text
    lengths = torch.tensor([len(t) for t in texts])
    batch_logits = model(batch, lengths)
    for row, text in enumerate(texts):
        assert torch.allclose(model(text[None]), batch_logits[row], atol=1e-5)
    for k, m in zip(model.widths, model.feature_maps(batch, lengths)):
        for row, n in enumerate(lengths.tolist()):
            real = max(n - k + 1, 1)  # a text shorter than k keeps its first window
            assert torch.isfinite(m[row, :, :real]).all()
            assert torch.isinf(m[row, :, real:]).all()


def test_text_shorter_than_the_widest_filter():
    model = TextCNN(30, 6, 3, widths=(2, 4), num_filters=4)
    ids = torch.randint(1, 30, (3, 2))
    assert model(ids, lengths=torch.tensor([2, 1, 2])).shape == (3, 3)
    assert torch.isfinite(model(ids, lengths=torch.tensor([2, 1, 2]))).all()


@pytest.mark.parametrize(
    "bad, error, message",
    [
        (torch.randn(2, 5), TypeError, "integer token ids"),
        (torch.randint(0, 9, (2, 5, 3)), ValueError, r"\(batch, time\)"),
        (torch.zeros(0, 5, dtype=torch.long), ValueError, "non-empty"),
    ],
)
def test_bad_input_is_named(bad, error, message):
    model = TextCNN(10, 4, 2, widths=(2,), num_filters=3)
    with pytest.raises(error, match=message):
        model(bad)


def test_bad_lengths_and_settings():
    model = TextCNN(10, 4, 2, widths=(2,), num_filters=3)
    ids = torch.randint(0, 10, (2, 5))
    with pytest.raises(ValueError, match=r"lengths of shape \(2,\)"):
        model(ids, lengths=torch.tensor([5]))
    with pytest.raises(ValueError, match=r"\[1, 5\]"):
        model(ids, lengths=torch.tensor([6, 2]))
    with pytest.raises(ValueError, match="widths"):
        TextCNN(10, widths=3)
    with pytest.raises(ValueError, match="filter width"):
        TextCNN(10, widths=(3, 0))
    with pytest.raises(ValueError, match="dropout"):
        TextCNN(10, dropout=1.0)
