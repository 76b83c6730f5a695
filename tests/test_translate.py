"""Tests for nlpcourse.translate: beam search and BLEU the anchors' way; and the shared
embeddings of TransformerSeq2Seq."""

import pytest
import torch
import torch.nn.functional as F

from nlpcourse.models.transformer import TransformerSeq2Seq
from nlpcourse.translate import anchor_bleu, beam_search, length_penalty


def model(seed=0, vocab=12):
    torch.manual_seed(seed)
    return TransformerSeq2Seq(vocab, vocab, d_model=16, nhead=2, num_encoder_layers=1,
                              num_decoder_layers=1, dim_feedforward=32, dropout=0.0,
                              shared_embeddings=True).eval()


def source(batch=4, length=5, vocab=12):
    src = torch.randint(4, vocab, (batch, length), generator=torch.Generator().manual_seed(1))
    return src, torch.full((batch,), length)


def log_prob(m, src, lengths, ids):
    """Sum of log-probabilities of each row's tokens up to and including <eos>."""
    memory, mask = m.encode(src, lengths)
    tgt_in = torch.cat([torch.full((len(ids), 1), m.sos_index), ids[:, :-1]], dim=1)
    logp = F.log_softmax(m.decode(tgt_in, memory, mask), dim=-1)
    picked = logp.gather(2, ids[:, :, None]).squeeze(2)  # (B, L)
    real = torch.ones_like(ids, dtype=torch.bool)
    for row in range(len(ids)):
        eos = (ids[row] == m.eos_index).nonzero()
        if len(eos):
            real[row, eos[0, 0] + 1:] = False
    return (picked * real).sum(1), real.sum(1)


def test_shared_embeddings_are_one_table():
    m = model()
    assert m.src_embedding is m.tgt_embedding
    assert m.out.weight is m.src_embedding.weight
    with pytest.raises(ValueError, match="one vocabulary for both sides"):
        TransformerSeq2Seq(10, 11, d_model=16, nhead=2, shared_embeddings=True)


def test_beam_of_one_is_greedy():
    m, (src, lengths) = model(), source()
    greedy, _ = m.greedy_decode(src, lengths, max_len=8)
    beam = beam_search(m, src, lengths, beam_size=1, max_len=8, alpha=0.0)
    width = min(greedy.shape[1], beam.shape[1])
    assert torch.equal(greedy[:, :width], beam[:, :width])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_wider_beam_never_scores_worse_than_greedy(seed):
    m, (src, lengths) = model(seed), source()
    greedy = beam_search(m, src, lengths, beam_size=1, max_len=6, alpha=0.0)
    wide = beam_search(m, src, lengths, beam_size=6, max_len=6, alpha=0.0)
    with torch.no_grad():
        g, _ = log_prob(m, src, lengths, greedy)
        w, _ = log_prob(m, src, lengths, wide)
    assert (w >= g - 1e-4).all(), (w, g)
    assert (w > g + 1e-4).any() or seed != 0  # seed 0: the beam finds a better sentence


def test_beam_search_keeps_the_model_mode_and_checks_its_arguments():
    m, (src, lengths) = model(), source()
    m.train()
    beam_search(m, src, lengths, beam_size=3, max_len=4)
    assert m.training
    with pytest.raises(ValueError):
        beam_search(m, src, lengths, beam_size=0)
    assert length_penalty(torch.tensor([1]), 0.6).item() == pytest.approx(1.0)


def test_anchor_bleu_ignores_case_and_splits_punctuation():
    refs = ["A man in a blue shirt is standing on a ladder.", "Two dogs play in the snow."]
    assert anchor_bleu(refs, refs).score == pytest.approx(100.0)
    assert anchor_bleu([r.upper().replace(".", " .") for r in refs], refs).score == pytest.approx(100.0)
    assert anchor_bleu(["a dog runs .", "two cats sleep ."], refs).score < 10


def test_translate_keeps_the_order_cuts_at_eos_and_checks_its_input():
    from nlpcourse.translate import train_bpe, translate

    texts = ["ein hund läuft .", "a dog runs .", "zwei katzen schlafen .", "two cats sleep ."]
    tokenizer = train_bpe(texts * 20, 60)
    m = model(vocab=tokenizer.get_vocab_size())
    sentences = ["zwei katzen schlafen lange .", "ein hund ."]
    greedy = translate(m, tokenizer, sentences, max_len=6)
    assert len(greedy) == 2 and all(isinstance(text, str) for text in greedy)
    # each sentence alone gives what it gave in the batch: order and padding change nothing
    assert [translate(m, tokenizer, [text], max_len=6)[0] for text in sentences] == greedy
    assert len(translate(m, tokenizer, sentences, beam_size=3, max_len=6)) == 2
    with pytest.raises(TypeError, match="not one string"):
        translate(m, tokenizer, "ein hund .")
    with pytest.raises(ValueError, match="sentence 1 has no tokens"):
        translate(m, tokenizer, ["ein hund .", ""])


@pytest.mark.parametrize("norm_first", [True, False])
def test_decode_step_gives_the_logits_of_decode_on_the_whole_prefix(norm_first):
    torch.manual_seed(0)
    m = TransformerSeq2Seq(20, 20, d_model=16, nhead=2, num_encoder_layers=2,
                           num_decoder_layers=2, dim_feedforward=32,
                           norm_first=norm_first).eval()
    src, lengths = torch.randint(4, 20, (3, 7)), torch.tensor([7, 4, 2])
    prefix = torch.cat([torch.ones(3, 1, dtype=torch.long), torch.randint(4, 20, (3, 5))], 1)
    memory, mask = m.encode(src, lengths)
    whole = m.decode(prefix, memory, mask)  # (B, T, V)
    cache = m.init_decoding(src, lengths)
    for t in range(prefix.shape[1]):
        logits, cache = m.decode_step(prefix[:, t], cache)
        assert torch.allclose(logits, whole[:, t], atol=1e-5), t


def test_beam_search_works_with_the_recurrent_seq2seq():
    from nlpcourse.models.seq2seq import Seq2Seq

    torch.manual_seed(0)
    m = Seq2Seq(12, 12, embedding_dim=8, hidden_size=16, attention="dot").eval()
    src, lengths = source()
    greedy, _ = m.greedy_decode(src, lengths, max_len=6)
    beam = beam_search(m, src, lengths, beam_size=1, max_len=6, alpha=0.0)
    assert torch.equal(beam, greedy[:, : beam.shape[1]])
    assert beam_search(m, src, lengths, beam_size=4, max_len=6).shape[0] == len(src)


def test_train_bpe_puts_the_specials_first_and_round_trips_lower_case():
    from nlpcourse.translate import train_bpe

    tokenizer = train_bpe(["Ein Hund läuft.", "A dog runs."] * 10, 50)
    assert [tokenizer.token_to_id(t) for t in ("<pad>", "<sos>", "<eos>", "<unk>")] == [0, 1, 2, 3]
    assert tokenizer.decode(tokenizer.encode("Ein Hund läuft.").ids) == "ein hund läuft."


def test_decode_step_hands_out_cross_attention_without_changing_the_logits():
    torch.manual_seed(0)
    m = TransformerSeq2Seq(20, 20, d_model=16, nhead=2, num_encoder_layers=1,
                           num_decoder_layers=2, dim_feedforward=32, norm_first=True).eval()
    src, lengths = torch.randint(4, 20, (2, 6)), torch.tensor([6, 3])
    token = torch.ones(2, dtype=torch.long)
    plain, _ = m.decode_step(token, m.init_decoding(src, lengths))
    weights = []
    logits, _ = m.decode_step(token, m.init_decoding(src, lengths), cross_attention=weights)
    assert torch.allclose(logits, plain, atol=1e-6)
    assert len(weights) == 2 and weights[0].shape == (2, 2, 6)  # layers; (B, heads, S)
    for w in weights:
        assert torch.allclose(w.sum(-1), torch.ones(2, 2))
        assert (w[1, :, 3:] == 0).all()  # the second source's padding gets no weight
