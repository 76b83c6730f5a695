"""Translating with an encoder-decoder: beam search, whole sentences, and BLEU two ways.

:func:`beam_search` works with any model that decodes one token at a time through
``init_decoding(src, src_lengths)`` and ``decode_step(token, state)``, as
:class:`nlpcourse.models.seq2seq.Seq2Seq` and
:class:`nlpcourse.models.transformer.TransformerSeq2Seq` do. It keeps ``beam_size``
prefixes per sentence, all sentences in one batch, and ranks hypotheses by their
log-probability divided by a length penalty, so that a finished short hypothesis does
not win only for being short. :func:`translate` turns sentences into sentences with a
subword tokenizer (a ``tokenizers.Tokenizer``, as the course's Multi30k checkpoint has).

:func:`anchor_bleu` scores the way bentrevett's pytorch-seq2seq notebooks do
(torchtext's ``bleu_score`` on lower-cased tokens, 4-grams, no smoothing), so the
course's number can be set beside theirs like for like; :func:`nlpcourse.metrics.corpus_bleu`
is sacrebleu's standard score on detokenised text.

Built in notebooks/12_seq2seq, whose ``#@save`` cells write out :func:`train_bpe`,
:func:`length_penalty` and :func:`beam_search` as they stand here.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from nlpcourse import checks
from nlpcourse.metrics import BleuResult, corpus_bleu
from nlpcourse.text import get_tokenizer

__all__ = ["anchor_bleu", "beam_search", "length_penalty", "train_bpe", "translate"]


def train_bpe(texts, vocab_size, specials=("<pad>", "<sos>", "<eos>", "<unk>")):
    """A lower-cased byte-pair-encoding tokenizer (a ``tokenizers.Tokenizer``) learnt
    on ``texts``, with ``vocab_size`` pieces; ``specials`` get the first ids.

    Words are cut at spaces (each marked with "▁", so that decoding puts the spaces
    back) and punctuation marks stand alone before the merges are learnt.
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers
    from tokenizers.trainers import BpeTrainer

    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.NFKC(), normalizers.Lowercase()]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Metaspace(), pre_tokenizers.Punctuation()]
    )
    tokenizer.decoder = decoders.Metaspace()
    trainer = BpeTrainer(vocab_size=vocab_size, special_tokens=list(specials),
                         show_progress=False)
    tokenizer.train_from_iterator(texts, trainer)
    return tokenizer

def length_penalty(length: torch.Tensor, alpha: float) -> torch.Tensor:
    """Wu et al. (2016)'s ((5 + length) / 6) ** alpha: 1 for one token, growing slowly;
    alpha = 0 ranks by plain log-probability (which favours short outputs)."""
    return ((5.0 + length.float()) / 6.0) ** alpha


@torch.no_grad()
def beam_search(model, src, src_lengths, beam_size=5, max_len=50, alpha=0.6):
    """The best of ``beam_size`` hypotheses per source row: token ids (B, L), ending
    with ``model.eos_index`` (then ``model.pad_index``), without ``<sos>``.

    Every step extends each live prefix by every token, keeps the ``beam_size`` best
    of the ``beam_size * V`` candidates per sentence (a finished hypothesis is one
    candidate: itself, padded), and stops when all are finished or after ``max_len``
    tokens. Candidates are ranked by log-probability / :func:`length_penalty`.
    ``beam_size=1`` is greedy decoding. The model decodes one token at a time:
    ``init_decoding(src, src_lengths)`` returns its decoder's starting state as a dict
    of tensors, batch first, and ``decode_step(token, state)`` the next logits (B, V)
    and state.
    """
    beam_size = checks.positive_int("beam_size", beam_size)
    max_len = checks.positive_int("max_len", max_len)
    sos, eos, pad = model.sos_index, model.eos_index, model.pad_index
    was_training = model.training
    model.eval()
    batch, device = src.shape[0], src.device
    state = model.init_decoding(src, src_lengths)
    # each sentence's state once per beam: row b * K + k is beam k of sentence b
    state = {name: t.repeat_interleave(beam_size, dim=0) for name, t in state.items()}
    prefix = torch.full((batch * beam_size, 1), sos, dtype=torch.long, device=device)
    scores = torch.zeros(batch, beam_size, device=device)  # (B, K) log-probabilities
    scores[:, 1:] = float("-inf")  # at the start the K beams are one and the same
    lengths = torch.zeros(batch * beam_size, dtype=torch.long, device=device)
    finished = torch.zeros(batch * beam_size, dtype=torch.bool, device=device)
    for step in range(1, max_len + 1):
        logits, state = model.decode_step(prefix[:, -1], state)  # (B*K, V)
        log_probs = F.log_softmax(logits.float(), dim=-1)
        vocab = log_probs.shape[-1]
        # a finished hypothesis has one continuation, padding, which costs nothing
        log_probs[finished] = float("-inf")
        log_probs[finished, pad] = 0.0
        candidates = scores.reshape(-1, 1) + log_probs  # (B*K, V)
        new_lengths = torch.where(finished, lengths, torch.full_like(lengths, step))
        rank = candidates / length_penalty(new_lengths, alpha)[:, None]
        _, best = rank.reshape(batch, -1).topk(beam_size, dim=1)  # (B, K) of K*V
        beam, token = best // vocab, best % vocab  # which prefix, which next token
        first_row = torch.arange(batch, device=device)[:, None] * beam_size  # (B, 1)
        rows = (first_row + beam).reshape(-1)  # (B*K,) the prefix each new row extends
        scores = candidates.reshape(batch, -1).gather(1, best)  # (B, K)
        prefix = torch.cat([prefix[rows], token.reshape(-1, 1)], dim=1)  # (B*K, t+1)
        state = {name: t[rows] for name, t in state.items()}  # follow the kept prefixes
        lengths = new_lengths[rows]
        finished = finished[rows] | (token.reshape(-1) == eos)
        if finished.all():
            break
    model.train(was_training)
    final = scores / length_penalty(lengths.reshape(batch, beam_size), alpha)
    winner = final.argmax(dim=1)  # (B,)
    return prefix[torch.arange(batch, device=device) * beam_size + winner, 1:]  # (B, L)


@torch.no_grad()
def translate(
    model,
    tokenizer,
    sentences: Sequence[str],
    *,
    beam_size: int = 1,
    max_len: int = 60,
    alpha: float = 0.6,
    batch_size: int = 100,
) -> list[str]:
    """Translations of ``sentences``, in their order: greedy (``beam_size=1``) or
    :func:`beam_search`, each output cut at ``<eos>`` and decoded by ``tokenizer``.

    ``tokenizer`` is the ``tokenizers.Tokenizer`` the model was trained with; sentences
    are decoded in batches of similar length, which changes nothing but the time.
    """
    sentences = checks.texts(sentences, "translate")
    encoded = [encoding.ids for encoding in tokenizer.encode_batch(list(sentences))]
    empty = [i for i, ids in enumerate(encoded) if not ids]
    if empty:
        raise ValueError(f"sentence {empty[0]} has no tokens: {sentences[empty[0]]!r}")
    order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
    outputs = [""] * len(encoded)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]  # indices of similar length
        lengths = torch.tensor([len(encoded[i]) for i in chunk])  # (B,)
        src = torch.full((len(chunk), int(lengths.max())), model.pad_index)  # (B, S)
        for row, i in enumerate(chunk):
            src[row, : len(encoded[i])] = torch.tensor(encoded[i])
        if beam_size == 1:
            ids, _ = model.greedy_decode(src, lengths, max_len=max_len)  # (B, L)
        else:
            ids = beam_search(model, src, lengths, beam_size, max_len, alpha)
        for i, row in zip(chunk, ids.tolist()):
            if model.eos_index in row:
                row = row[: row.index(model.eos_index)]
            outputs[i] = tokenizer.decode(row)
    return outputs


def anchor_bleu(hypotheses: Sequence[str], references: Sequence[str]) -> BleuResult:
    """BLEU the way bentrevett's notebooks compute it: both sides lower-cased and cut
    into word and punctuation tokens (the course's ``"words"`` tokenizer where they use
    spaCy's), then corpus BLEU-4 of the tokens with no further tokenisation."""
    tokenize = get_tokenizer("words")  # lower-cases
    return corpus_bleu([" ".join(tokenize(text)) for text in hypotheses],
                       [" ".join(tokenize(text)) for text in references], tokenize="none")
