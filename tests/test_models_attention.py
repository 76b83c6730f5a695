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
    TransformerSeq2Seq,
    sinusoidal_positions,
)


def test_masks():
    assert causal_mask(3).tolist() == [[False, True, True], [False, False, True], [False, False, False]]
    assert torch.equal(causal_mask(5), nn.Transformer.generate_square_subsequent_mask(5) == -math.inf)
    assert padding_mask(torch.tensor([2, 3]), 4).tolist() == [
        [False, False, True, True], [False, False, False, True]]
    with pytest.raises(ValueError, match=r"\[1, 2\]"):
        padding_mask(torch.tensor([3]), 2)
    with pytest.raises(ValueError, match="lengths is empty"):
        padding_mask([])
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


# ---------------------------------------------------------------- TransformerSeq2Seq


def _pair_batch():
    src = torch.tensor([[5, 6, 7, 8], [9, 4, 0, 0]])
    lengths = torch.tensor([4, 2])
    tgt_in = torch.tensor([[1, 5, 6], [1, 7, 0]])
    return src, lengths, tgt_in


def test_transformer_seq2seq_shapes_and_greedy_decode():
    torch.manual_seed(0)
    model = TransformerSeq2Seq(10, 11, d_model=16, nhead=2, dim_feedforward=32)
    src, lengths, tgt_in = _pair_batch()
    assert model(src, lengths, tgt_in).shape == (2, 3, 11)
    ids, weights = model.greedy_decode(src, lengths, max_len=5)
    assert weights is None and ids.shape[0] == 2 and 1 <= ids.shape[1] <= 5
    assert model.training  # greedy_decode restores the mode it found
    # greedy decoding = argmax of a teacher-forced pass over its own output (causal mask)
    model.eval()
    tgt = torch.cat([torch.ones(2, 1, dtype=torch.long), ids[:, :-1]], dim=1)  # (B, L)
    again = model(src, lengths, tgt).argmax(-1)  # (B, L)
    done_before = torch.cumsum(ids == model.eos_index, dim=1) - (ids == model.eos_index).long() > 0
    assert torch.equal(again[~done_before], ids[~done_before])


def test_transformer_seq2seq_is_nn_transformer_with_masks():
    torch.manual_seed(0)
    model = TransformerSeq2Seq(10, 11, d_model=16, nhead=2, dim_feedforward=32).eval()
    src, lengths, tgt_in = _pair_batch()
    scale = math.sqrt(16)
    x = model.src_embedding(src) * scale + sinusoidal_positions(4, 16)  # (B, S, d)
    y = model.tgt_embedding(tgt_in) * scale + sinusoidal_positions(3, 16)  # (B, T, d)
    src_mask = padding_mask(lengths, 4)
    hidden = model.transformer(
        x, y, tgt_mask=causal_mask(3), src_key_padding_mask=src_mask,
        tgt_key_padding_mask=tgt_in == 0, memory_key_padding_mask=src_mask,
    )
    assert torch.allclose(model.out(hidden), model(src, lengths, tgt_in), atol=1e-5)


def test_transformer_seq2seq_masks_hide_padding_and_the_future():
    torch.manual_seed(0)
    model = TransformerSeq2Seq(10, 11, d_model=16, nhead=2, dim_feedforward=32).eval()
    src, lengths, tgt_in = _pair_batch()
    alone = model(src[1:, :2], lengths[1:], tgt_in[1:, :2])
    in_batch = model(src, lengths, tgt_in)[1:, :2]
    assert torch.allclose(alone, in_batch, atol=1e-5)  # source and target padding ignored
    changed = tgt_in.clone()
    changed[0, 2] = 9  # a later target token
    before, after = model(src, lengths, tgt_in), model(src, lengths, changed)
    assert torch.allclose(before[:, :2], after[:, :2], atol=1e-6)
    assert not torch.allclose(before[0, 2], after[0, 2], atol=1e-4)


def test_transformer_seq2seq_learns_to_reverse():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: a second thread only waits on a busy machine
    try:
        _train_and_check_reversal()
    finally:
        torch.set_num_threads(threads)


def _train_and_check_reversal():
    torch.manual_seed(0)
    model = TransformerSeq2Seq(10, 10, d_model=32, nhead=2, num_encoder_layers=1,
                               num_decoder_layers=1, dim_feedforward=64, dropout=0.0)
    optimizer = torch.optim.Adam(model.parameters(), 5e-3)
    for _ in range(100):
        body = torch.randint(3, 10, (32, 4))
        tgt = body.flip(1)  # reversing needs the positions: content alone cannot do it
        tgt_in = torch.cat([torch.ones(32, 1, dtype=torch.long), tgt], 1)
        tgt_out = torch.cat([tgt, torch.full((32, 1), 2)], 1)
        logits = model(body, torch.full((32,), 4), tgt_in)
        loss = F.cross_entropy(logits.flatten(0, 1), tgt_out.flatten())
        optimizer.zero_grad(); loss.backward(); optimizer.step()
    body = torch.randint(3, 10, (64, 4))
    ids, _ = model.greedy_decode(body, torch.full((64,), 4), max_len=6)
    exact = (ids[:, :4] == body.flip(1)).all(1) & (ids[:, 4] == 2)
    assert exact.float().mean() > 0.7  # 0.88 to 1.0 with seeds 0-2; chance is 7^-4


def test_transformer_seq2seq_bad_input():
    model = TransformerSeq2Seq(10, 11, d_model=16, nhead=2, dim_feedforward=32, max_len=8)
    src, lengths, tgt_in = _pair_batch()
    with pytest.raises(ValueError, match=r"src_lengths of shape \(2,\)"):
        model(src, torch.tensor([4]), tgt_in)
    with pytest.raises(ValueError, match=r"\[1, 4\]"):
        model(src, torch.tensor([5, 2]), tgt_in)
    with pytest.raises(TypeError, match="integer"):
        model(src.float(), lengths, tgt_in)
    with pytest.raises(ValueError, match="tgt_in"):
        model(src, lengths, tgt_in[0])
    with pytest.raises(ValueError, match="longer than max_len"):
        model(torch.ones(1, 9, dtype=torch.long), torch.tensor([9]), tgt_in[:1])
    with pytest.raises(ValueError, match="max_len"):
        model.greedy_decode(src, lengths, max_len=8)
    with pytest.raises(ValueError, match="divisible"):
        TransformerSeq2Seq(10, 11, d_model=10, nhead=3)
