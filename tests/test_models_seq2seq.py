"""Tests for nlpcourse.models.seq2seq."""

import pytest
import torch
import torch.nn.functional as F

from nlpcourse.models.seq2seq import Seq2Seq

ATTENTION = [None, "dot", "additive"]


def _batch():
    src = torch.tensor([[5, 6, 7, 8], [9, 4, 0, 0]])
    lengths = torch.tensor([4, 2])
    tgt_in = torch.tensor([[1, 5, 6], [1, 7, 0]])
    tgt_out = torch.tensor([[5, 6, 2], [7, 2, 0]])
    return src, lengths, tgt_in, tgt_out


@pytest.mark.parametrize("attention", ATTENTION)
def test_shapes(attention):
    torch.manual_seed(0)
    model = Seq2Seq(10, 11, 8, 16, attention=attention)
    src, lengths, tgt_in, _ = _batch()
    assert model(src, lengths, tgt_in).shape == (2, 3, 11)
    ids, weights = model.greedy_decode(src, lengths, max_len=5)
    assert ids.shape[0] == 2 and ids.shape[1] <= 5
    if attention:
        assert weights.shape == (2, ids.shape[1], 4)
        assert torch.allclose(weights.sum(-1), torch.ones(2, ids.shape[1]))
        assert (weights[1, :, 2:] == 0).all()  # padding gets no attention
    else:
        assert weights is None


@pytest.mark.parametrize("attention", ATTENTION)
def test_padding_does_not_change_the_output(attention):
    torch.manual_seed(0)
    model = Seq2Seq(10, 11, 8, 16, attention=attention).eval()
    src, lengths, tgt_in, _ = _batch()
    alone = model(src[1:, :2], lengths[1:], tgt_in[1:])
    in_batch = model(src, lengths, tgt_in)[1:]
    assert torch.allclose(alone, in_batch, atol=1e-5)


@pytest.mark.parametrize("attention", ATTENTION)
def test_learns_to_copy(attention):
    torch.manual_seed(0)
    model = Seq2Seq(10, 10, 16, 32, attention=attention)
    opt = torch.optim.Adam(model.parameters(), 1e-2)
    for _ in range(300):
        body = torch.randint(3, 10, (32, 4))
        src, lengths = body, torch.full((32,), 4)
        tgt_in = torch.cat([torch.ones(32, 1, dtype=torch.long), body], 1)
        tgt_out = torch.cat([body, torch.full((32, 1), 2)], 1)
        loss = F.cross_entropy(model(src, lengths, tgt_in).flatten(0, 1), tgt_out.flatten())
        opt.zero_grad(); loss.backward(); opt.step()
    body = torch.randint(3, 10, (64, 4))
    ids, _ = model.greedy_decode(body, torch.full((64,), 4), max_len=6)
    exact = (ids[:, :4] == body).all(1) & (ids[:, 4] == 2)
    assert exact.float().mean() > 0.8


def test_teacher_forcing_ratio_changes_what_the_decoder_reads():
    torch.manual_seed(0)
    model = Seq2Seq(10, 11, 8, 16).train()
    src, lengths, tgt_in, _ = _batch()
    model.teacher_forcing = 1.0
    forced = [model(src, lengths, tgt_in) for _ in range(2)]
    assert torch.allclose(*forced)  # no dropout: teacher forcing is deterministic
    model.teacher_forcing = 0.0
    free = model(src, lengths, tgt_in)
    assert torch.allclose(free[:, 0], forced[0][:, 0])  # the first step reads <sos> anyway
    assert not torch.allclose(free, forced[0])


def test_bad_input():
    model = Seq2Seq(10, 11, 8, 16)
    src, lengths, tgt_in, _ = _batch()
    with pytest.raises(ValueError, match=r"lengths of shape \(2,\)"):
        model(src, torch.tensor([4]), tgt_in)
    with pytest.raises(ValueError, match=r"\[1, 4\]"):
        model(src, torch.tensor([5, 2]), tgt_in)
    with pytest.raises(TypeError, match="integer"):
        model(src.float(), lengths, tgt_in)
    with pytest.raises(ValueError, match="attention"):
        Seq2Seq(10, 11, attention="luong")
