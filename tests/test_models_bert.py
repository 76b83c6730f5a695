"""Tests for nlpcourse.models.bert: MLM masking, mean pooling, encoding texts."""

import math

import pytest
import torch

from nlpcourse.models.bert import IGNORE_INDEX, encode_texts, mask_tokens, mean_pool

VOCAB, MASK, PAD, CLS, SEP = 1000, 103, 0, 101, 102
SPECIALS = (PAD, CLS, SEP, MASK)


def batch(n_rows=400, length=500, seed=0):
    """(n_rows, length) ids: [CLS] words [SEP] [PAD]..., words drawn from 200..999."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(200, VOCAB, (n_rows, length), generator=g)
    ids[:, 0] = CLS
    ids[:, -50] = SEP
    ids[:, -49:] = PAD
    return ids


def within(observed, expected_share, n, sigmas=5):
    """|observed share - expected| below `sigmas` binomial standard deviations."""
    std = math.sqrt(expected_share * (1 - expected_share) / n)
    return abs(observed - expected_share) < sigmas * std


def test_proportions_follow_the_80_10_10_rule():
    ids = batch()
    inputs, labels = mask_tokens(ids, VOCAB, MASK, SPECIALS, generator=torch.Generator().manual_seed(1))
    ordinary = ~torch.isin(ids, torch.tensor(SPECIALS))
    selected = labels != IGNORE_INDEX
    n_ordinary, n_selected = int(ordinary.sum()), int(selected.sum())
    assert within(n_selected / n_ordinary, 0.15, n_ordinary)
    masked = (inputs == MASK) & selected
    kept = (inputs == ids) & selected
    randomised = selected & ~masked & ~kept
    assert within(masked.sum().item() / n_selected, 0.8, n_selected)
    # a random draw equals the original token with probability 1/VOCAB: counted as kept
    assert within(kept.sum().item() / n_selected, 0.1 + 0.1 / VOCAB, n_selected)
    assert within(randomised.sum().item() / n_selected, 0.1 - 0.1 / VOCAB, n_selected)


def test_labels_and_untouched_positions():
    ids = batch(50, 100)
    original = ids.clone()
    inputs, labels = mask_tokens(ids, VOCAB, MASK, SPECIALS, generator=torch.Generator().manual_seed(0))
    assert torch.equal(ids, original)  # the input tensor is not modified
    assert inputs.shape == labels.shape == ids.shape and inputs.dtype == ids.dtype
    selected = labels != IGNORE_INDEX
    assert torch.equal(labels[selected], ids[selected])  # labels are the original tokens
    assert (labels[~selected] == IGNORE_INDEX).all()
    assert torch.equal(inputs[~selected], ids[~selected])  # nothing else changes
    special = torch.isin(ids, torch.tensor(SPECIALS))
    assert not selected[special].any()  # specials are never selected


def test_specials_never_selected_even_at_probability_one():
    ids = batch(10, 100)
    inputs, labels = mask_tokens(ids, VOCAB, MASK, SPECIALS, probability=1.0, mask_fraction=1.0, random_fraction=0.0)
    special = torch.isin(ids, torch.tensor(SPECIALS))
    assert (labels[special] == IGNORE_INDEX).all() and (labels[~special] != IGNORE_INDEX).all()
    assert (inputs[~special] == MASK).all() and torch.equal(inputs[special], ids[special])


def test_seeded_generator_reproduces_and_zero_probability_selects_nothing():
    ids = batch(20, 60)
    a = mask_tokens(ids, VOCAB, MASK, SPECIALS, generator=torch.Generator().manual_seed(7))
    b = mask_tokens(ids, VOCAB, MASK, SPECIALS, generator=torch.Generator().manual_seed(7))
    c = mask_tokens(ids, VOCAB, MASK, SPECIALS, generator=torch.Generator().manual_seed(8))
    assert torch.equal(a[0], b[0]) and torch.equal(a[1], b[1])
    assert not torch.equal(a[1], c[1])
    inputs, labels = mask_tokens(ids, VOCAB, MASK, SPECIALS, probability=0.0)
    assert torch.equal(inputs, ids) and (labels == IGNORE_INDEX).all()


def test_random_replacements_cover_the_vocabulary():
    ids = batch(200, 500)
    inputs, labels = mask_tokens(
        ids, VOCAB, MASK, SPECIALS, probability=0.5, mask_fraction=0.0, random_fraction=1.0,
        generator=torch.Generator().manual_seed(3),
    )
    drawn = inputs[labels != IGNORE_INDEX]
    assert drawn.min() >= 0 and drawn.max() < VOCAB
    assert drawn.min() < 200  # ids the words never use: drawn from the whole vocabulary


def test_bad_arguments():
    ids = batch(2, 60)
    with pytest.raises(TypeError, match="integer"):
        mask_tokens(ids.float(), VOCAB, MASK, SPECIALS)
    with pytest.raises(TypeError, match="Tensor"):
        mask_tokens(ids.tolist(), VOCAB, MASK, SPECIALS)
    with pytest.raises(ValueError, match="probability"):
        mask_tokens(ids, VOCAB, MASK, SPECIALS, probability=1.5)
    with pytest.raises(ValueError, match="at most 1"):
        mask_tokens(ids, VOCAB, MASK, SPECIALS, mask_fraction=0.8, random_fraction=0.3)
    with pytest.raises(ValueError, match="mask_id"):
        mask_tokens(ids, VOCAB, VOCAB, SPECIALS)
    with pytest.raises(ValueError, match=r"\[0, 1000\)"):
        mask_tokens(ids + VOCAB, VOCAB, MASK, SPECIALS)


def test_mean_pool_ignores_padding():
    hidden = torch.randn(3, 5, 4)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [1, 0, 0, 0, 0]])
    pooled = mean_pool(hidden, mask)
    assert pooled.shape == (3, 4)
    assert torch.allclose(pooled[0], hidden[0].mean(0))
    assert torch.allclose(pooled[1], hidden[1, :2].mean(0))
    assert torch.allclose(pooled[2], hidden[2, 0])
    with pytest.raises(ValueError, match=r"\(B, T\)"):
        mean_pool(hidden, mask[:, :4])
    with pytest.raises(ValueError, match="no real token"):
        mean_pool(hidden, torch.zeros(3, 5))


class _ToyTokenizer:
    """Word-per-token tokenizer with the call signature encode_texts uses."""

    def __call__(self, texts, truncation=True, max_length=8, padding=False, return_tensors=None):
        rows = [[1] + [len(w) + 2 for w in t.split()][: max_length - 1] for t in texts]
        if not padding:
            return {"input_ids": rows}
        width = max(map(len, rows))
        ids = torch.tensor([r + [0] * (width - len(r)) for r in rows])
        return _Batch(input_ids=ids, attention_mask=(ids != 0).long())


class _Batch(dict):
    def to(self, device):
        return _Batch({k: v.to(device) for k, v in self.items()})


class _ToyEncoder(torch.nn.Module):
    """last_hidden_state = an embedding of each id: pooling is easy to check by hand."""

    def __init__(self):
        super().__init__()
        self.embed = torch.nn.Embedding(20, 3)

    def forward(self, input_ids, attention_mask):
        return type("Out", (), {"last_hidden_state": self.embed(input_ids)})()


def test_encode_texts_keeps_the_order_and_pools():
    torch.manual_seed(0)
    tokenizer, model = _ToyTokenizer(), _ToyEncoder()
    texts = ["a bb ccc dddd eeeee", "x", "hello there", "one two three"]
    mean = encode_texts(tokenizer, model, texts, batch_size=2)
    cls = encode_texts(tokenizer, model, texts, pooling="cls")
    assert mean.shape == cls.shape == (4, 3)
    for i, text in enumerate(texts):  # each row equals the text encoded alone
        ids = torch.tensor([1] + [len(w) + 2 for w in text.split()])
        assert torch.allclose(mean[i], model.embed(ids).mean(0), atol=1e-6)
        assert torch.allclose(cls[i], model.embed.weight[1])
    with pytest.raises(ValueError, match="pooling"):
        encode_texts(tokenizer, model, texts, pooling="max")
    with pytest.raises(TypeError, match="one string"):
        encode_texts(tokenizer, model, "a text")
    with pytest.raises(ValueError, match="no texts"):
        encode_texts(tokenizer, model, [])


# ------------------------------------------------------------------------- MiniBERT

def tiny_bert(**sizes):
    from nlpcourse.models.bert import BERTConfig, MiniBERT

    torch.manual_seed(0)
    return MiniBERT(BERTConfig(vocab_size=50, max_len=12, n_layer=2, n_head=2, d_model=16,
                               d_ff=32, dropout=0.0, **sizes)).eval()


def test_mini_bert_shapes_and_tied_head():
    model = tiny_bert()
    ids = torch.randint(5, 50, (3, 12))
    hidden = model(ids)
    assert hidden.shape == (3, 12, 16)
    assert model.mlm_logits(hidden).shape == (3, 12, 50)
    assert model.mlm_logits(hidden[:, 0]).shape == (3, 50)  # any leading shape
    # the head's last matrix is the input table: moving one token's row moves its logit
    before = model.mlm_logits(hidden)
    with torch.no_grad():
        model.tokens.weight[7] *= 2.0
    after = model.mlm_logits(hidden)
    assert not torch.allclose(before[..., 7], after[..., 7])
    assert torch.allclose(before[..., 8], after[..., 8])
    tables = [n for n, p in model.named_parameters() if p.shape == (50, 16)]
    assert tables == ["tokens.weight"]  # one table of token vectors, read and written


def test_mini_bert_padding_changes_nothing_at_real_positions():
    model = tiny_bert()
    ids = torch.randint(5, 50, (2, 6))
    padded = torch.cat([ids, torch.zeros(2, 4, dtype=torch.long)], dim=1)  # [PAD] = 0
    short, long = model(ids), model(padded)
    assert torch.allclose(short, long[:, :6], atol=1e-5)
    # an explicit attention mask does the same for a pad id the model does not know
    mask = torch.cat([torch.ones(2, 6), torch.zeros(2, 4)], dim=1)
    other = torch.cat([ids, torch.full((2, 4), 9)], dim=1)
    assert torch.allclose(model(other, attention_mask=mask)[:, :6], short, atol=1e-5)


def test_mini_bert_bad_input():
    from nlpcourse.models.bert import BERTConfig

    model = tiny_bert()
    with pytest.raises(ValueError, match="longer than max_len=12"):
        model(torch.ones(1, 13, dtype=torch.long))
    with pytest.raises(ValueError, match="attention_mask has shape"):
        model(torch.ones(2, 5, dtype=torch.long), attention_mask=torch.ones(2, 4))
    with pytest.raises(ValueError):
        model(torch.full((1, 3), 50))  # id outside the vocabulary
    with pytest.raises(ValueError, match="not divisible"):
        BERTConfig(vocab_size=10, d_model=10, n_head=3)
