"""Multi30k German -> English BLEU of the course's two translation models.

``multi30k-transformer``: the course's checkpoint ``multi30k-de-en-transformer``
(``nlpcourse.checkpoints``; trained by ``make checkpoints``, training/translation.py: a
subword Transformer built from lesson 14's pieces). This run loads it, translates
test_2016_flickr greedily and with beam search (5), and scores both ways; the value is
the better of the two by sacrebleu. Its time is the training's, from the checkpoint's
record (CPU seconds of two threads).

``multi30k-gru-attention``: the GRU encoder-decoder with additive (Bahdanau) attention of
notebooks/13_attention (``nlpcourse.models.seq2seq.Seq2Seq``), trained here for one epoch
(fixed, so the number is reproducible; sized for about 420 CPU-seconds on two threads)
on batches of the course's ``"words"`` tokens (lower-cased), decoded greedily.

Both are scored with sacrebleu (detokenised output against the raw references,
case-insensitively, since the models only ever saw lower-cased text) and the anchors'
way (:func:`nlpcourse.translate.anchor_bleu`: BLEU-4 on lower-cased word tokens).

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

from benchmarks.records import Stopwatch, reference, stopwatch
from nlpcourse import checkpoints
from nlpcourse.batching import bucketed
from nlpcourse.data import multi30k
from nlpcourse.metrics import corpus_bleu, detokenize
from nlpcourse.models.seq2seq import Seq2Seq
from nlpcourse.text import pair_loaders
from nlpcourse.train import evaluate, fit, seed_everything
from nlpcourse.translate import anchor_bleu, translate as translate_sentences

SEED = 0
BUDGET_CPU_S = 420.0
CHECKPOINT = "multi30k-de-en-transformer"
CHECKPOINT_BUDGET_CPU_S = 9000.0  # its share of make checkpoints' 2 hours on 2 threads
BEAM_SIZE = 5
TOKENIZER = "words"  # lower-cases; punctuation becomes tokens of its own
MIN_FREQ = 3  # words seen fewer times in training become <unk>: a smaller output layer
BATCH_SIZE = 128
EPOCHS = 1
MAX_OUTPUT_TOKENS = 50  # as the anchor's translate_sentence

# A few hundred pairs and small batches: the same code path in a few seconds.
QUICK_SIZES = {"train": 256, "validation": 32, "test": 32}  # the checkpoint: test only
QUICK_BATCH_SIZE = 32

ANCHOR_SOURCE = (
    "bentrevett/pytorch-seq2seq at commit 7faa64a (torchtext 0.9 notebooks), German->English "
    "Multi30k test set, greedy decoding (max_len 50), torchtext bleu_score on lower-cased spaCy "
    "tokens: {notebook}, last cell, prints '{printed}'"
)
DIFFERENCES = (
    "Same direction and test set. Our regex tokenizer ('words', min_freq {min_freq}) "
    "instead of spaCy (min_freq 2); a one-way GRU encoder and decoder of 128 with 128-d "
    "embeddings against the anchor's bidirectional GRU encoder (2x512) with a 512 decoder "
    "and 256-d embeddings; {epochs} epoch on 2 CPU threads instead of 10 epochs on a GPU; "
    "value by sacrebleu (13a tokenisation of detokenised output against raw references, "
    "case-insensitive), the anchors' way in the details; greedy decoding in both."
)
CHECKPOINT_DIFFERENCES = (
    "Same direction and test set. One lower-cased BPE vocabulary of 8,000 pieces for both "
    "languages instead of spaCy words; 3+3 pre-norm layers of width 256 (4 heads, "
    "feed-forward 512) with shared embeddings and sinusoidal positions, against the "
    "anchor's 3+3 post-norm layers of 256 (8 heads, feed-forward 512) with learned "
    "positions; label smoothing, warm-up and cosine decay, weights chosen on validation "
    "BLEU ({weights}), trained on 2 CPU threads; value by sacrebleu (13a, case-insensitive), the better of greedy "
    "and beam search (the anchor decodes greedily; both of ours are in the details, "
    "with BLEU the anchors' way on lower-cased word tokens)."
)

GRU = dict(
    name="multi30k-gru-attention",
    model="GRU encoder-decoder with additive attention (nlpcourse Seq2Seq, lesson 13)",
    anchor=28.11,
    notebook="'4 - Packed Padded Sequences, Masking, Inference and BLEU.ipynb'",
    printed="BLEU score = 28.11",
    lr=1e-3,
)
TRANSFORMER = dict(
    name="multi30k-transformer",
    model="encoder-decoder Transformer, the course's checkpoint (nlpcourse "
          "TransformerSeq2Seq from lesson 14's pieces, make checkpoints)",
    anchor=36.52,
    notebook="'6 - Attention is All You Need.ipynb'",
    printed="BLEU score = 36.52",
)
TASK = ("Multi30k test_2016_flickr (1,000 sentences), German->English, sacrebleu BLEU "
        "(case-insensitive)")


def load_pairs(data_dir: Path, quick: bool) -> dict[str, list[tuple[str, str]]]:
    """German-English pairs by split; in quick mode the first few of each split."""
    splits = multi30k("de", "en", path=Path(data_dir) / "multi30k").splits()
    if quick:
        splits = {name: pairs[: QUICK_SIZES[name]] for name, pairs in splits.items()}
    return splits


def scores(hypotheses: list[str], references: list[str]) -> dict:
    bleu = corpus_bleu(hypotheses, references, lowercase=True)
    return {"sacrebleu": round(bleu.score, 2),
            "anchor_bleu": round(anchor_bleu(hypotheses, references).score, 2),
            "sacrebleu_signature": bleu.signature}


def train_gru(pairs: dict, quick: bool) -> dict:
    loaders = pair_loaders(pairs, TOKENIZER, min_freq=1 if quick else MIN_FREQ,
                           batch_size=QUICK_BATCH_SIZE if quick else BATCH_SIZE, seed=SEED)
    references = [target for _, target in pairs["test"]]  # raw: cased, untokenised
    seed_everything(SEED)
    # Sentences of similar length share a batch, so the decoder loop pads little.
    train_batches = bucketed(loaders.train, seed=SEED)
    model = Seq2Seq(len(loaders.src_vocab), len(loaders.tgt_vocab), embedding_dim=128,
                    hidden_size=128, attention="additive", dropout=0.1)
    loss_fn = functools.partial(F.cross_entropy, ignore_index=loaders.tgt_vocab["<pad>"])
    optimizer = torch.optim.Adam(model.parameters(), lr=GRU["lr"], betas=(0.9, 0.98))
    with stopwatch() as watch:
        start_loss, _ = evaluate(model, loaders.validation, loss_fn, metric=None)
        history = fit(model, train_batches, loaders.validation, epochs=EPOCHS, optimizer=optimizer,
                      loss_fn=loss_fn, metric=None, grad_clip=1.0, progress=False)
        token_outputs, _ = loaders.greedy_outputs(model, "test", max_len=MAX_OUTPUT_TOKENS)
        hypotheses = [detokenize(text.split()) for text in token_outputs]
        greedy = scores(hypotheses, references)
    return reference(
        name=GRU["name"], task=TASK + ", greedy decoding", model=GRU["model"], metric="BLEU",
        value=greedy["sacrebleu"], higher_is_better=True, anchor=GRU["anchor"],
        anchor_source=ANCHOR_SOURCE.format(notebook=GRU["notebook"], printed=GRU["printed"]),
        anchor_cite="trevett2019seq2seq",
        differences=DIFFERENCES.format(min_freq=MIN_FREQ, epochs=EPOCHS),
        budget_cpu_s=BUDGET_CPU_S, watch=watch, seed=SEED,
        details={
            "sacrebleu_signature": greedy["sacrebleu_signature"],
            "bleu_anchors_way": greedy["anchor_bleu"],
            "parameters": sum(p.numel() for p in model.parameters()),
            "src_vocab": len(loaders.src_vocab),
            "tgt_vocab": len(loaders.tgt_vocab),
            "train_pairs": len(loaders.train.dataset),
            "test_sentences": len(references),
            "epochs": EPOCHS,
            "steps": EPOCHS * len(train_batches),
            "batch_size": train_batches.batch_sampler.batch_size,
            "batching": "bucketed by source length (nlpcourse.batching.bucketed, pools of 50 batches)",
            "optimizer": f"Adam lr {GRU['lr']}, betas (0.9, 0.98), gradient norm clipped at 1",
            "val_loss_before": round(start_loss, 3),
            "val_loss_after": round(history.val_loss[-1], 3),
            "val_perplexity_after": round(math.exp(history.val_loss[-1]), 1),
            "max_output_tokens": MAX_OUTPUT_TOKENS,
            "examples": [{"source": s, "output": h, "reference": r}
                         for (s, _), h, r in zip(pairs["test"][:3], hypotheses, references)],
            "quick": quick,
        },
    )


def score_checkpoint(pairs: dict, quick: bool) -> dict:
    checkpoint = checkpoints.load(CHECKPOINT)
    record = checkpoint.record
    sources = [source for source, _ in pairs["test"]]
    references = [target for _, target in pairs["test"]]
    by_decoding, outputs = {}, {}
    for decoding, beam in (("greedy", 1), (f"beam {BEAM_SIZE}", BEAM_SIZE)):
        outputs[decoding] = translate_sentences(checkpoint.model, checkpoint.tokenizer, sources,
                                                beam_size=beam, max_len=record["max_output_tokens"])
        by_decoding[decoding] = scores(outputs[decoding], references)
    best = max(by_decoding, key=lambda decoding: by_decoding[decoding]["sacrebleu"])
    training = Stopwatch()  # the run's cost is the checkpoint's training
    training.cpu_s, training.wall_s = record["cpu_s"], record["wall_s"]
    return reference(
        name=TRANSFORMER["name"], task=f"{TASK}, the better of greedy and beam search ({best})",
        model=TRANSFORMER["model"], metric="BLEU", value=by_decoding[best]["sacrebleu"],
        higher_is_better=True, anchor=TRANSFORMER["anchor"],
        anchor_source=ANCHOR_SOURCE.format(notebook=TRANSFORMER["notebook"],
                                           printed=TRANSFORMER["printed"]),
        anchor_cite="trevett2019seq2seq",
        differences=CHECKPOINT_DIFFERENCES.format(weights=record["recipe"]["weights"]),
        budget_cpu_s=CHECKPOINT_BUDGET_CPU_S, watch=training, seed=record["seed"],
        details={
            "checkpoint": CHECKPOINT,
            "trained_by": f"{record['command']} at commit {record['commit']} on {record['date']}",
            "time": "the training's, from the checkpoint's record; scoring is not counted",
            "bleu": {decoding: {k: v for k, v in result.items() if k != "sacrebleu_signature"}
                     for decoding, result in by_decoding.items()},
            "sacrebleu_signature": by_decoding[best]["sacrebleu_signature"],
            "parameters": record["parameters"],
            "recipe": record["recipe"],
            "test_sentences": len(references),
            "examples": [{"source": s, "output": h, "reference": r} for s, h, r in
                         zip(sources[:3], outputs[best][:3], references[:3])],
            "quick": quick,
        },
    )


def run(data_dir: Path, quick: bool = False) -> list[dict]:
    pairs = load_pairs(data_dir, quick)
    return [train_gru(pairs, quick), score_checkpoint(pairs, quick)]
