"""Multi30k English -> German BLEU of the course's two translation models.

``multi30k-gru-attention``: the GRU encoder-decoder with additive (Bahdanau) attention of
notebooks/13_attention (``nlpcourse.models.seq2seq.Seq2Seq``); ``multi30k-transformer``:
the ``nn.Transformer`` model of notebooks/14_transformer
(``nlpcourse.models.transformer.TransformerSeq2Seq``). Both read the same batches
(``pair_loaders`` with the course's ``"words"`` tokenizer, which lower-cases), train for
one epoch (fixed, so the number is reproducible; sized for about 420 CPU-seconds each
on two threads), translate test_2016_flickr greedily and are scored with sacrebleu:
detokenised output against the raw references, case-insensitively, since the models
only ever saw lower-cased text.

Anchor: bentrevett/pytorch-seq2seq, German -> English, as printed in the notebooks of
commit 7faa64a (the torchtext 0.9 version): tutorial 4 "Packed Padded Sequences,
Masking, Inference and BLEU" ends with ``BLEU score = 28.11`` and tutorial 6 "Attention
is All You Need" with ``BLEU score = 36.52``, both on the test set, greedy decoding
(max 50 tokens), torchtext's ``bleu_score`` on lower-cased spaCy tokens.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import torch
import torch.nn.functional as F

from benchmarks.records import reference, stopwatch
from nlpcourse.batching import bucketed
from nlpcourse.data import multi30k
from nlpcourse.metrics import corpus_bleu, detokenize
from nlpcourse.models.seq2seq import Seq2Seq
from nlpcourse.models.transformer import TransformerSeq2Seq
from nlpcourse.text import pair_loaders
from nlpcourse.train import evaluate, fit, seed_everything

SEED = 0
BUDGET_CPU_S = 420.0
TOKENIZER = "words"  # lower-cases; punctuation becomes tokens of its own
MIN_FREQ = 3  # words seen fewer times in training become <unk>: a smaller output layer
BATCH_SIZE = 128
EPOCHS = 1
MAX_OUTPUT_TOKENS = 50  # as the anchor's translate_sentence

# A few hundred pairs and small batches: the same code path in a few seconds.
QUICK_SIZES = {"train": 256, "validation": 32, "test": 32}
QUICK_BATCH_SIZE = 32

ANCHOR_SOURCE = (
    "bentrevett/pytorch-seq2seq at commit 7faa64a (torchtext 0.9 notebooks), German->English "
    "Multi30k test set, greedy decoding (max_len 50), torchtext bleu_score on lower-cased spaCy "
    "tokens: {notebook}, last cell, prints '{printed}'"
)
DIFFERENCES = (
    "English->German here, German->English in the anchor (German is the harder side to "
    "write); our regex tokenizer ('words', min_freq {min_freq}) instead of spaCy "
    "(min_freq 2); {ours_model} against the anchor's {their_model}; {epochs} epoch on 2 CPU "
    "threads instead of 10 epochs on a GPU; sacrebleu (13a tokenisation of detokenised "
    "output against raw references, case-insensitive) instead of torchtext's BLEU on the "
    "tokens; greedy decoding in both."
)

MODELS = {
    "multi30k-gru-attention": dict(
        model="GRU encoder-decoder with additive attention (nlpcourse Seq2Seq, lesson 13)",
        anchor=28.11,
        notebook="'4 - Packed Padded Sequences, Masking, Inference and BLEU.ipynb'",
        printed="BLEU score = 28.11",
        their_model="bidirectional GRU encoder (2x512) with a 512 decoder and 256-d embeddings",
        lr=1e-3,
    ),
    "multi30k-transformer": dict(
        model="encoder-decoder Transformer (nlpcourse TransformerSeq2Seq, lesson 14)",
        anchor=36.52,
        notebook="'6 - Attention is All You Need.ipynb'",
        printed="BLEU score = 36.52",
        their_model="3+3-layer Transformer of width 256 with learned positions",
        lr=1e-3,
    ),
}


def build_model(name: str, src_vocab_size: int, tgt_vocab_size: int) -> torch.nn.Module:
    if name == "multi30k-gru-attention":
        return Seq2Seq(src_vocab_size, tgt_vocab_size, embedding_dim=128, hidden_size=128,
                       attention="additive", dropout=0.1)
    return TransformerSeq2Seq(src_vocab_size, tgt_vocab_size, d_model=128, nhead=4,
                              num_encoder_layers=3, num_decoder_layers=3,
                              dim_feedforward=256, dropout=0.1)


def load_pairs(data_dir: Path, quick: bool) -> dict[str, list[tuple[str, str]]]:
    """English-German pairs by split; in quick mode the first few of each split."""
    splits = multi30k("en", "de", path=Path(data_dir) / "multi30k").splits()
    if quick:
        splits = {name: pairs[: QUICK_SIZES[name]] for name, pairs in splits.items()}
    return splits


def translate(loaders, model) -> list[str]:
    """Greedy translations of the test split as space-separated tokens, in the split's order."""
    outputs, _ = loaders.greedy_outputs(model, "test", max_len=MAX_OUTPUT_TOKENS)
    return outputs


def train_and_score(name: str, loaders, references: list[str], quick: bool) -> dict:
    spec = MODELS[name]
    seed_everything(SEED)
    # Sentences of similar length share a batch, so the decoder loop pads little; a new
    # sampler per model, so both models see the same batches in the same order.
    train_batches = bucketed(loaders.train, seed=SEED)
    model = build_model(name, len(loaders.src_vocab), len(loaders.tgt_vocab))
    loss_fn = functools.partial(F.cross_entropy, ignore_index=loaders.tgt_vocab["<pad>"])
    optimizer = torch.optim.Adam(model.parameters(), lr=spec["lr"], betas=(0.9, 0.98))
    with stopwatch() as watch:
        start_loss, _ = evaluate(model, loaders.validation, loss_fn, metric=None)
        history = fit(model, train_batches, loaders.validation, epochs=EPOCHS, optimizer=optimizer,
                      loss_fn=loss_fn, metric=None, grad_clip=1.0, progress=False)
        token_outputs = translate(loaders, model)
        hypotheses = [detokenize(text.split()) for text in token_outputs]
        bleu = corpus_bleu(hypotheses, references, lowercase=True)
    # Closer to the anchor's way of scoring: BLEU on our own tokens of both sides.
    tokenized_refs = [" ".join(loaders.tokenizer(text)) for text in references]
    token_bleu = corpus_bleu(token_outputs, tokenized_refs, tokenize="none")
    steps = EPOCHS * len(train_batches)
    return reference(
        name=name,
        task="Multi30k test_2016_flickr (1,000 sentences), English->German, greedy decoding, "
             "sacrebleu BLEU (case-insensitive)",
        model=spec["model"],
        metric="BLEU",
        value=round(bleu.score, 2),
        higher_is_better=True,
        anchor=spec["anchor"],
        anchor_source=ANCHOR_SOURCE.format(notebook=spec["notebook"], printed=spec["printed"]),
        anchor_cite="trevett2019seq2seq",
        differences=DIFFERENCES.format(min_freq=MIN_FREQ, ours_model=_describe(name),
                                       their_model=spec["their_model"], epochs=EPOCHS),
        budget_cpu_s=BUDGET_CPU_S,
        watch=watch,
        seed=SEED,
        details={
            "sacrebleu_signature": bleu.signature,
            "bleu_on_our_tokens": round(token_bleu.score, 2),
            "bleu_on_our_tokens_note": "sacrebleu with tokenize='none' on 'words' tokens "
                                       "of output and reference (lower-cased): closer to the "
                                       "anchor's torchtext BLEU on spaCy tokens",
            "parameters": sum(p.numel() for p in model.parameters()),
            "src_vocab": len(loaders.src_vocab),
            "tgt_vocab": len(loaders.tgt_vocab),
            "train_pairs": len(loaders.train.dataset),
            "test_sentences": len(references),
            "epochs": EPOCHS,
            "steps": steps,
            "batch_size": train_batches.batch_sampler.batch_size,
            "batching": "bucketed by source length (nlpcourse.batching.bucketed, pools of 50 batches)",
            "optimizer": f"Adam lr {spec['lr']}, betas (0.9, 0.98), gradient norm clipped at 1",
            "val_loss_before": round(start_loss, 3),
            "val_loss_after": round(history.val_loss[-1], 3),
            "val_perplexity_after": round(math.exp(history.val_loss[-1]), 1),
            "max_output_tokens": MAX_OUTPUT_TOKENS,
            "examples": [{"output": h, "reference": r} for h, r in zip(hypotheses[:3], references[:3])],
            "quick": quick,
        },
    )


def _describe(name: str) -> str:
    if name == "multi30k-gru-attention":
        return "a one-way GRU encoder and decoder of 128 with 128-d embeddings"
    return "a 3+3-layer post-norm Transformer of width 128 (4 heads, feed-forward 256) with sinusoidal positions"


def run(data_dir: Path, quick: bool = False) -> list[dict]:
    pairs = load_pairs(data_dir, quick)
    loaders = pair_loaders(pairs, TOKENIZER, min_freq=1 if quick else MIN_FREQ,
                           batch_size=QUICK_BATCH_SIZE if quick else BATCH_SIZE, seed=SEED)
    references = [target for _, target in pairs["test"]]  # raw: cased, untokenised
    return [train_and_score(name, loaders, references, quick) for name in MODELS]
