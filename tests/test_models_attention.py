"""Tests for nlpcourse.models.attention and nlpcourse.models.transformer."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from nlpcourse.models.attention import (
    AdditiveAttention,
    MultiHeadAttention,
    causal_mask,
    padding_mask,
    scaled_dot_product_attention,
)
from nlpcourse.models.transformer import (
    PositionalEncoding,
    TransformerEncoderLayer,
    sinusoidal_positions,
)


def test_masks():
    assert causal_mask(3).tolist() == [[False, True, True], [False, False, True], [False, False, False]]
    assert torch.equal(causal_mask(5), nn.Transformer.generate_square_subsequent_mask(5) == -math.inf)
    assert padding_mask(torch.tensor([2, 3]), 4).tolist() == [
        [False, False, True, True], [False, False, False, True]]
    with pytest.raises(ValueError, match=r"\[1, 2\]"):
        padding_mask(torch.tensor([3]), 2)
    with pytest.raises(ValueError):
        causal_mask(0)


def test_sdpa_matches_pytorch_with_a_mask():
    torch.manual_seed(0)
    q, k, v = torch.randn(2, 3, 5, 8), torch.randn(2, 3, 7, 8), torch.randn(2, 3, 7, 4)
    mask = torch.rand(5, 7) < 0.3
    mask[:, 0] = False  # every query keeps a key
    ours, weights = scaled_dot_product_attention(q, k, v, mask)
    theirs = F.scaled_dot_product_attention(q, k, v, attn_mask=~mask)  # True = may attend
    assert torch.allclose(ours, theirs, atol=1e-6)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 3, 5))
    assert (weights[..., mask] == 0).all()


def test_sdpa_scaling_matters_and_masked_rows_are_zero():
    torch.manual_seed(0)
    q, k, v = torch.randn(4, 16), torch.randn(6, 16), torch.randn(6, 2)
    out, _ = scaled_dot_product_attention(q, k, v)
    unscaled = torch.softmax(q @ k.T, -1) @ v  # the classic mistake: no 1/sqrt(d)
    assert not torch.allclose(out, unscaled, atol=1e-3)
    all_masked = torch.ones(4, 6, dtype=torch.bool)
    out, weights = scaled_dot_product_attention(q, k, v, all_masked)
    assert torch.equal(out, torch.zeros(4, 2)) and torch.equal(weights, torch.zeros(4, 6))


def test_sdpa_bad_input():
    with pytest.raises(ValueError, match="last dimension"):
        scaled_dot_product_attention(torch.randn(2, 3), torch.randn(2, 4), torch.randn(2, 4))
    with pytest.raises(TypeError, match="boolean"):
        scaled_dot_product_attention(torch.randn(2, 3), torch.randn(2, 3), torch.randn(2, 3),
                                     torch.zeros(2, 2))
    with pytest.raises(ValueError, match="broadcast"):
        scaled_dot_product_attention(torch.randn(2, 3), torch.randn(4, 3), torch.randn(4, 3),
                                     torch.zeros(3, 3, dtype=torch.bool))


@pytest.mark.parametrize("masks", ["none", "padding", "causal", "both"])
def test_multi_head_attention_matches_pytorch(masks):
    torch.manual_seed(0)
    ours, theirs = MultiHeadAttention(16, 4), nn.MultiheadAttention(16, 4, batch_first=True)
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(3, 6, 16)
    kpm = padding_mask(torch.tensor([6, 4, 2]), 6) if masks in ("padding", "both") else None
    am = causal_mask(6) if masks in ("causal", "both") else None
    out, weights = ours(x, x, x, key_padding_mask=kpm, attn_mask=am)
    ref, ref_weights = theirs(x, x, x, key_padding_mask=kpm, attn_mask=am,
                              average_attn_weights=False)
    assert torch.allclose(out, ref, atol=1e-5)
    assert torch.allclose(weights, ref_weights, atol=1e-6)


def test_causal_attention_never_reads_the_future():
    torch.manual_seed(0)
    mha = MultiHeadAttention(8, 2).eval()
    x = torch.randn(1, 5, 8)
    later_changed = x.clone()
    later_changed[:, 3:] = torch.randn(1, 2, 8)
    out1, _ = mha(x, x, x, attn_mask=causal_mask(5))
    out2, _ = mha(later_changed, later_changed, later_changed, attn_mask=causal_mask(5))
    assert torch.allclose(out1[:, :3], out2[:, :3], atol=1e-6)
    assert not torch.allclose(out1[:, 3:], out2[:, 3:], atol=1e-3)


def test_padding_never_changes_real_positions():
    torch.manual_seed(0)
    mha = MultiHeadAttention(8, 2).eval()
    x = torch.randn(1, 3, 8)
    padded = torch.cat([x, 100 * torch.randn(1, 4, 8)], dim=1)
    out, _ = mha(x, x, x)
    out_padded, _ = mha(padded, padded, padded, key_padding_mask=padding_mask(torch.tensor([3]), 7))
    assert torch.allclose(out, out_padded[:, :3], atol=1e-5)


def test_multi_head_attention_bad_shapes():
    mha = MultiHeadAttention(8, 2)
    with pytest.raises(ValueError, match=r"\(batch, time, 8\)"):
        mha(torch.randn(2, 3, 6), torch.randn(2, 3, 8), torch.randn(2, 3, 8))
    with pytest.raises(ValueError, match="key_padding_mask"):
        mha(torch.randn(2, 3, 8), torch.randn(2, 3, 8), torch.randn(2, 3, 8),
            key_padding_mask=torch.zeros(2, 4, dtype=torch.bool))
    with pytest.raises(ValueError, match="divisible"):
        MultiHeadAttention(10, 3)


def test_additive_attention():
    torch.manual_seed(0)
    attention = AdditiveAttention(6, 4, 5)
    query, keys = torch.randn(2, 6), torch.randn(2, 7, 4)
    mask = padding_mask(torch.tensor([7, 3]), 7)
    context, weights = attention(query, keys, mask)
    assert context.shape == (2, 4) and weights.shape == (2, 7)
    assert torch.allclose(weights.sum(-1), torch.ones(2)) and (weights[1, 3:] == 0).all()
    # by hand: w^T tanh(W_q q + W_k k)
    scores = attention.score(torch.tanh(attention.query_proj(query)[:, None] + attention.key_proj(keys)))
    expected = torch.softmax(scores.squeeze(-1).masked_fill(mask, -math.inf), -1)
    assert torch.allclose(weights, expected)
    assert torch.allclose(context, torch.einsum("bt,btk->bk", expected, keys), atol=1e-6)
    with pytest.raises(ValueError, match="expected query"):
        attention(torch.randn(2, 7, 6), keys)


def test_sinusoidal_positions():
    table = sinusoidal_positions(50, 16)
    assert table.shape == (50, 16)
    assert torch.equal(table[0, 0::2], torch.zeros(8)) and torch.equal(table[0, 1::2], torch.ones(8))
    assert math.isclose(table[7, 2].item(), math.sin(7 / 10000 ** (2 / 16)), rel_tol=1e-5)
    assert math.isclose(table[7, 3].item(), math.cos(7 / 10000 ** (2 / 16)), rel_tol=1e-5)
    encoding = PositionalEncoding(16, max_len=50)
    with pytest.raises(ValueError, match="longer than max_len"):
        encoding(torch.zeros(1, 51, 16))
    with pytest.raises(ValueError, match="even"):
        sinusoidal_positions(10, 7)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_matches_pytorch(norm_first):
    torch.manual_seed(0)
    theirs = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True,
                                        norm_first=norm_first).eval()
    ours = TransformerEncoderLayer(16, 4, 32, dropout=0.0, norm_first=norm_first).eval()
    ours.load_state_dict(theirs.state_dict())
    x = torch.randn(3, 6, 16)
    kpm = padding_mask(torch.tensor([6, 5, 2]), 6)
    with torch.no_grad():
        assert torch.allclose(ours(x), theirs(x), atol=1e-5)
        assert torch.allclose(ours(x, attn_mask=causal_mask(6)),
                              theirs(x, src_mask=causal_mask(6)), atol=1e-5)
        out, ref = ours(x, key_padding_mask=kpm), theirs(x, src_key_padding_mask=kpm)
    real = ~kpm  # PyTorch's fast path may zero padded positions: compare real ones
    assert torch.allclose(out[real], ref[real], atol=1e-5)
