"""Multi30k German -> English: a subword Transformer, the course's checkpoint for
lessons 12-14.

The recipe (each choice a standard one, named where it comes from):

- one BPE vocabulary of 8,000 pieces for both languages, learnt on the training split
  only (HF ``tokenizers``; lower-cased, as bentrevett's anchors are; the Metaspace
  marker makes decoding exact);
- :class:`nlpcourse.models.transformer.TransformerSeq2Seq`, 3 + 3 pre-norm layers of
  width 256 (4 heads, feed-forward 512), one embedding table shared by the encoder,
  the decoder and the output layer (Vaswani et al. 2017, section 3.4);
- batches of about 2,500 target tokens, sentences of similar length together;
- cross-entropy with label smoothing 0.1 (Szegedy et al. 2016; Vaswani et al. 2017);
- AdamW, a linear warm-up then a cosine decay to zero; gradient norm clipped at 1;
- at the end, the average of the last five epochs' weights (Vaswani et al. 2017, 6.1)
  if it translates the validation split better than the last epoch alone.

Test BLEU on test_2016_flickr, greedy and beam search (5), two ways: sacrebleu on the
detokenised output and the anchors' way (:func:`nlpcourse.translate.anchor_bleu`).
"""

from __future__ import annotations

import math
import random
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from nlpcourse.data import multi30k
from nlpcourse.metrics import corpus_bleu
from nlpcourse.models.transformer import TransformerSeq2Seq
from nlpcourse.train import seed_everything
from nlpcourse.translate import anchor_bleu, train_bpe, translate
from training.common import log, publish

NAME = "multi30k-de-en-transformer"
SEED = 0
SPECIALS = ["<pad>", "<sos>", "<eos>", "<unk>"]  # ids 0-3, TransformerSeq2Seq's defaults
VOCAB_SIZE = 8000
CONFIG = dict(d_model=256, nhead=4, num_encoder_layers=3, num_decoder_layers=3,
              dim_feedforward=512, dropout=0.1, max_len=128, norm_first=True)
EPOCHS = 15
TOKENS_PER_BATCH = 2500
PEAK_LR, WARMUP_STEPS, WEIGHT_DECAY = 1e-3, 400, 0.01
LABEL_SMOOTHING = 0.1
AVERAGE_LAST = 5
BEAM_SIZE, MAX_OUTPUT = 5, 60
HELD_OUT = 200  # first test pairs whose loss the tests recompute from the shipped file


def encode_pairs(tokenizer, pairs):
    """(source ids, target ids) per pair; the target gets <sos> ... <eos> around it."""
    sources = tokenizer.encode_batch([source for source, _ in pairs])
    targets = tokenizer.encode_batch([target for _, target in pairs])
    return [(s.ids, [1] + t.ids + [2]) for s, t in zip(sources, targets)]


def token_batches(examples, tokens_per_batch: int, rng: random.Random):
    """Lists of example indices: similar lengths together, at most ``tokens_per_batch``
    padded target tokens each, in a random order."""
    # sort by length with a little noise, so the batches differ from epoch to epoch
    order = sorted(range(len(examples)),
                   key=lambda i: (len(examples[i][1]) + rng.random() * 2, len(examples[i][0])))
    batches, batch, longest = [], [], 0
    for i in order:
        longest_if_added = max(longest, len(examples[i][1]), len(examples[i][0]))
        if batch and longest_if_added * (len(batch) + 1) > tokens_per_batch:
            batches.append(batch)
            batch, longest_if_added = [], max(len(examples[i][1]), len(examples[i][0]))
        batch.append(i)
        longest = longest_if_added
    batches.append(batch)
    rng.shuffle(batches)
    return batches


def collate(examples, indices):
    """src (B, S), src_lengths (B,), tgt_in (B, T), tgt_out (B, T), padded with 0."""
    sources = [examples[i][0] for i in indices]
    targets = [examples[i][1] for i in indices]
    src = torch.zeros(len(indices), max(map(len, sources)), dtype=torch.long)
    tgt = torch.zeros(len(indices), max(map(len, targets)), dtype=torch.long)
    for row, (source, target) in enumerate(zip(sources, targets)):
        src[row, : len(source)] = torch.tensor(source)
        tgt[row, : len(target)] = torch.tensor(target)
    lengths = torch.tensor([len(source) for source in sources])
    return src, lengths, tgt[:, :-1], tgt[:, 1:]


def learning_rate(step: int, total: int) -> float:
    if step < WARMUP_STEPS:
        return PEAK_LR * (step + 1) / WARMUP_STEPS
    progress = (step - WARMUP_STEPS) / max(1, total - WARMUP_STEPS)
    return PEAK_LR * 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))


@torch.no_grad()
def mean_loss(model, examples, batch_size: int = 100) -> float:
    """Cross-entropy per target token (nats, no label smoothing), teacher forced."""
    model.eval()
    total, count = 0.0, 0
    for start in range(0, len(examples), batch_size):
        src, lengths, tgt_in, tgt_out = collate(examples, range(start, min(start + batch_size, len(examples))))
        logits = model(src, lengths, tgt_in)
        total += F.cross_entropy(logits.flatten(0, 1), tgt_out.flatten(), ignore_index=0,
                                 reduction="sum").item()
        count += (tgt_out != 0).sum().item()
    return total / count


def averaged(states: list[dict]) -> dict:
    return {key: sum(state[key] for state in states) / len(states) for key in states[0]}


def run() -> dict:
    torch.set_num_threads(2)
    seed_everything(SEED)
    data = multi30k("de", "en").splits()
    start_cpu = time.process_time()
    start_wall = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        tokenizer_file = Path(folder) / "tokenizer.json"
        tokenizer = train_bpe([text for pair in data["train"] for text in pair], VOCAB_SIZE,
                              SPECIALS)
        tokenizer.save(str(tokenizer_file))
        splits = {name: encode_pairs(tokenizer, pairs) for name, pairs in data.items()}
        log(f"BPE: {tokenizer.get_vocab_size()} pieces; train {len(splits['train'])} pairs")
        config = dict(src_vocab_size=tokenizer.get_vocab_size(),
                      tgt_vocab_size=tokenizer.get_vocab_size(), shared_embeddings=True,
                      **CONFIG)
        model = TransformerSeq2Seq(**config)
        decay = [p for p in model.parameters() if p.dim() >= 2]
        no_decay = [p for p in model.parameters() if p.dim() < 2]
        optimizer = torch.optim.AdamW(
            [{"params": decay, "weight_decay": WEIGHT_DECAY},
             {"params": no_decay, "weight_decay": 0.0}], lr=PEAK_LR, betas=(0.9, 0.98), eps=1e-9)
        rng = random.Random(SEED)
        steps_per_epoch = len(token_batches(splits["train"], TOKENS_PER_BATCH, random.Random(SEED)))
        total_steps, step, snapshots, curve = EPOCHS * steps_per_epoch, 0, [], []
        log(f"{sum(p.numel() for p in model.parameters()):,} parameters; "
            f"{steps_per_epoch} batches an epoch, {total_steps} steps")
        for epoch in range(1, EPOCHS + 1):
            model.train()
            running, tokens = 0.0, 0
            for batch in token_batches(splits["train"], TOKENS_PER_BATCH, rng):
                for group in optimizer.param_groups:
                    group["lr"] = learning_rate(step, total_steps)
                src, lengths, tgt_in, tgt_out = collate(splits["train"], batch)
                logits = model(src, lengths, tgt_in)  # (B, T, V)
                loss = F.cross_entropy(logits.flatten(0, 1), tgt_out.flatten(), ignore_index=0,
                                       label_smoothing=LABEL_SMOOTHING)
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                step += 1
                n = (tgt_out != 0).sum().item()
                running, tokens = running + loss.item() * n, tokens + n
            val_loss = mean_loss(model, splits["validation"])
            curve.append({"epoch": epoch, "train_loss_smoothed": round(running / tokens, 4),
                          "val_loss": round(val_loss, 4), "cpu_s": round(time.process_time() - start_cpu, 1)})
            log(f"epoch {epoch}: train {running / tokens:.3f} (label-smoothed), "
                f"validation {val_loss:.3f} nats/token")
            if epoch > EPOCHS - AVERAGE_LAST:
                snapshots.append({k: v.detach().clone() for k, v in model.state_dict().items()})

        last = {k: v.clone() for k, v in model.state_dict().items()}
        references = {name: [target for _, target in data[name]] for name in ("validation", "test")}
        sources = {name: [source for source, _ in data[name]] for name in ("validation", "test")}
        choices = {}
        for label, state in (("last epoch", last), (f"average of last {AVERAGE_LAST}", averaged(snapshots))):
            model.load_state_dict(state)
            hyps = translate(model, tokenizer, sources["validation"], max_len=MAX_OUTPUT)
            choices[label] = (corpus_bleu(hyps, references["validation"], lowercase=True).score, state)
            log(f"{label}: validation BLEU {choices[label][0]:.2f} (greedy)")
        chosen = max(choices, key=lambda label: choices[label][0])
        model.load_state_dict(choices[chosen][1])

        scores, examples = {}, {}
        for decoding, beam in (("greedy", 1), (f"beam {BEAM_SIZE}", BEAM_SIZE)):
            hyps = translate(model, tokenizer, sources["test"], beam_size=beam,
                             max_len=MAX_OUTPUT)
            scores[decoding] = {
                "sacrebleu": round(corpus_bleu(hyps, references["test"], lowercase=True).score, 2),
                "anchor_bleu": round(anchor_bleu(hyps, references["test"]).score, 2)}
            examples[decoding] = hyps[:5]
            log(f"test, {decoding}: {scores[decoding]}")
        test_loss = mean_loss(model, splits["test"])
        state = model.state_dict()
        # the check the tests repeat: the shipped (half-precision) weights on a fixed slice
        shipped = TransformerSeq2Seq(**config)
        shipped.load_state_dict({k: v.half().float() for k, v in state.items()})
        held_out = mean_loss(shipped, splits["test"][:HELD_OUT])
        record = {
            "seed": SEED,
            "data": "Multi30k task 1 (multi30k/dataset, data/task1/raw), de->en: train 29,000 "
                    "pairs; validation 1,014 (picks the weights); test_2016_flickr 1,000",
            "recipe": {"vocab": f"joint lower-cased BPE, {VOCAB_SIZE} pieces, training split",
                       "epochs": EPOCHS, "tokens_per_batch": TOKENS_PER_BATCH,
                       "steps": total_steps, "optimizer": f"AdamW betas (0.9, 0.98), weight decay "
                       f"{WEIGHT_DECAY} on matrices, peak lr {PEAK_LR}, {WARMUP_STEPS} warm-up steps, "
                       "cosine to 0, gradient norm clipped at 1",
                       "label_smoothing": LABEL_SMOOTHING, "weights": chosen},
            "cpu_s": round(time.process_time() - start_cpu, 1),
            "wall_s": round(time.perf_counter() - start_wall, 1),
            "parameters": sum(p.numel() for p in model.parameters()),
            "curve": curve,
            "validation_bleu_greedy": {label: round(score, 2) for label, (score, _) in choices.items()},
            "test_bleu": scores,
            "test_loss": round(test_loss, 4),
            "examples": {"sources": [s for s, _ in data["test"][:5]],
                         "references": references["test"][:5], **examples},
            "held_out": {"slice": f"the first {HELD_OUT} test_2016_flickr pairs",
                         "metric": "cross-entropy per target token (nats), teacher forced",
                         "value": round(held_out, 5)},
            "max_output_tokens": MAX_OUTPUT,
        }
        return publish(NAME, kind="transformer-seq2seq", config=config, state=state,
                       extra_files={"tokenizer": tokenizer_file}, record=record)

