"""A mini BERT pretrained by masked-language modelling on the course's English text.

Text: the speeches of the Shakespeare training works (``nlpcourse.data.shakespeare()``,
lower-cased words, cut into pieces of at most 48 words) and the training split of the
tweets (``nlpcourse.data.tweets()``; their labels are never read). Held out: the
speeches of the four validation works and the tweets' test split, from which the
tests re-mask a fixed slice.

Recipe: a WordPiece vocabulary of 6,000 pieces learnt on that text (HF ``tokenizers``,
BERT's normaliser and pre-tokeniser, lower-cased); :class:`nlpcourse.models.bert.MiniBERT`
of 4 layers, width 128, 4 heads, feed-forward 512; dynamic masking with BERT's 80/10/10
rule (:func:`nlpcourse.models.bert.mask_tokens`, a new mask for every batch); the loss
on the selected positions only; AdamW, warm-up then cosine decay; batches of about
4,000 tokens of similar-length inputs.
"""

from __future__ import annotations

import math
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

import torch
import torch.nn.functional as F

from nlpcourse.data import shakespeare, tweets
from nlpcourse.models.bert import BERTConfig, MiniBERT, mask_tokens
from nlpcourse.train import seed_everything
from training.common import log, publish

NAME = "mini-bert-mlm"
SEED = 0
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]  # ids 0-4
VOCAB_SIZE, MAX_LEN, CHUNK_WORDS = 6000, 64, 48
CONFIG = dict(max_len=MAX_LEN, n_layer=4, n_head=4, d_model=128, d_ff=512, dropout=0.1, pad_id=0)
EPOCHS, TOKENS_PER_BATCH = 8, 4000
PEAK_LR, WARMUP_SHARE, WEIGHT_DECAY = 2e-3, 0.05, 0.01
HELD_OUT = 1000  # held-out texts (half Shakespeare, half tweets) the tests re-mask
HELD_OUT_SEED = 1234


def texts() -> dict[str, list[str]]:
    corpus, data = shakespeare(), tweets()

    def pieces(split):
        return [" ".join(words[i : i + CHUNK_WORDS]) for words in corpus.speeches(split)
                for i in range(0, len(words), CHUNK_WORDS)]

    return {"train": pieces("train") + list(data.train.texts),
            "shakespeare_held_out": pieces("validation"), "tweets_held_out": list(data.test.texts)}


def held_out_texts(split_texts: dict[str, list[str]]) -> list[str]:
    half = HELD_OUT // 2
    return split_texts["shakespeare_held_out"][:half] + split_texts["tweets_held_out"][:half]


def train_wordpiece(train_texts: list[str], path: Path):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=VOCAB_SIZE, special_tokens=SPECIALS,
                                        limit_alphabet=300, show_progress=False)
    tokenizer.train_from_iterator(train_texts, trainer)
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tokenizer.enable_truncation(max_length=MAX_LEN)
    tokenizer.save(str(path))
    return tokenizer


def batches(sequences: list[list[int]], rng: random.Random) -> list[list[int]]:
    order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]) + rng.random() * 3)
    out, batch, longest = [], [], 0
    for i in order:
        longest_if_added = max(longest, len(sequences[i]))
        if batch and longest_if_added * (len(batch) + 1) > TOKENS_PER_BATCH:
            out.append(batch)
            batch, longest_if_added = [], len(sequences[i])
        batch.append(i)
        longest = longest_if_added
    out.append(batch)
    rng.shuffle(out)
    return out


def pad(sequences: list[list[int]]) -> torch.Tensor:
    ids = torch.zeros(len(sequences), max(map(len, sequences)), dtype=torch.long)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = torch.tensor(sequence)
    return ids  # (B, T), 0 = [PAD]


def masked(ids: torch.Tensor, vocab_size: int, generator: torch.Generator):
    """BERT's 80/10/10 masking; ids 0-3 ([PAD], [UNK], [CLS], [SEP]) are never chosen."""
    return mask_tokens(ids, vocab_size, mask_id=4, special_ids=range(4), generator=generator)


@torch.no_grad()
def mlm_scores(model, sequences: list[list[int]], seed: int = HELD_OUT_SEED) -> dict:
    """Loss (nats) and top-1 / top-5 accuracy at the masked positions of ``sequences``,
    masked by the 80/10/10 rule with a generator seeded ``seed`` (the same every time)."""
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    total, hits1, hits5, count = 0.0, 0, 0, 0
    for start in range(0, len(sequences), 100):
        inputs, labels = masked(pad(sequences[start : start + 100]), model.config.vocab_size,
                               generator)
        selected = labels != -100
        logits = model.mlm_logits(model(inputs)[selected])  # (N, V): selected positions only
        targets = labels[selected]
        total += F.cross_entropy(logits, targets, reduction="sum").item()
        top5 = logits.topk(5, dim=-1).indices
        hits1 += (top5[:, 0] == targets).sum().item()
        hits5 += (top5 == targets[:, None]).any(dim=1).sum().item()
        count += len(targets)
    return {"loss": round(total / count, 5), "top1": round(hits1 / count, 5),
            "top5": round(hits5 / count, 5), "masked_tokens": count}


def learning_rate(step: int, total: int) -> float:
    warmup = max(1, int(WARMUP_SHARE * total))
    if step < warmup:
        return PEAK_LR * (step + 1) / warmup
    return PEAK_LR * 0.5 * (1 + math.cos(math.pi * min(1.0, (step - warmup) / (total - warmup))))


def run() -> dict:
    torch.set_num_threads(2)
    seed_everything(SEED)
    split_texts = texts()
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        tokenizer_file = Path(folder) / "tokenizer.json"
        tokenizer = train_wordpiece(split_texts["train"], tokenizer_file)
        train = [e.ids for e in tokenizer.encode_batch(split_texts["train"])]
        held_out = [e.ids for e in tokenizer.encode_batch(held_out_texts(split_texts))]
        log(f"WordPiece: {tokenizer.get_vocab_size()} pieces; {len(train):,} training texts, "
            f"{sum(map(len, train)):,} tokens")
        config = dict(vocab_size=tokenizer.get_vocab_size(), **CONFIG)
        model = MiniBERT(BERTConfig(**config))
        # the most frequent training token, always: the baseline a model must beat
        counts = Counter(t for sequence in train for t in sequence[1:-1])
        matrices = [p for p in model.parameters() if p.dim() >= 2]
        others = [p for p in model.parameters() if p.dim() < 2]
        optimizer = torch.optim.AdamW([{"params": matrices, "weight_decay": WEIGHT_DECAY},
                                       {"params": others, "weight_decay": 0.0}],
                                      lr=PEAK_LR, betas=(0.9, 0.98))
        rng, generator = random.Random(SEED), torch.Generator().manual_seed(SEED)
        total = EPOCHS * len(batches(train, random.Random(SEED)))
        step, curve = 0, []
        log(f"{sum(p.numel() for p in model.parameters()):,} parameters, {total} steps")
        for epoch in range(1, EPOCHS + 1):
            model.train()
            running, seen = 0.0, 0
            for batch in batches(train, rng):
                for group in optimizer.param_groups:
                    group["lr"] = learning_rate(step, total)
                inputs, labels = masked(pad([train[i] for i in batch]), config["vocab_size"],
                                        generator)  # (B, T)
                selected = labels != -100
                hidden = model(inputs)  # (B, T, d)
                # the head only where a token was selected: 15% of the work of all
                loss = F.cross_entropy(model.mlm_logits(hidden[selected]), labels[selected])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                step += 1
                running, seen = running + loss.item(), seen + 1
            scores = mlm_scores(model, held_out)
            curve.append({"epoch": epoch, "train_loss": round(running / seen, 4), **scores,
                          "cpu_s": round(time.process_time() - start_cpu, 1)})
            log(f"epoch {epoch}: {curve[-1]}")
        state = model.state_dict()
        shipped = MiniBERT(BERTConfig(**config))
        shipped.load_state_dict({k: v.half().float() for k, v in state.items()})
        shipped_scores = mlm_scores(shipped, held_out)
        generator = torch.Generator().manual_seed(HELD_OUT_SEED)
        labels = torch.cat([masked(pad(held_out[s : s + 100]), config["vocab_size"],
                                   generator)[1].flatten()
                            for s in range(0, len(held_out), 100)])
        labels = labels[labels != -100]
        most_frequent = counts.most_common(1)[0][0]
        record = {
            "seed": SEED,
            "data": "Shakespeare training works' speeches (nlpcourse.data.shakespeare(), "
                    f"pieces of at most {CHUNK_WORDS} words) and the tweets' training split "
                    f"(texts only): {len(train):,} texts",
            "recipe": {"vocab": f"WordPiece, {VOCAB_SIZE} pieces, lower-cased", "epochs": EPOCHS,
                       "tokens_per_batch": TOKENS_PER_BATCH, "steps": total,
                       "masking": "15% of non-special tokens; 80% [MASK], 10% random, 10% kept; "
                                  "a new mask every batch",
                       "optimizer": f"AdamW betas (0.9, 0.98), weight decay {WEIGHT_DECAY} on "
                                    f"matrices, peak lr {PEAK_LR}, warm-up {WARMUP_SHARE:.0%} "
                                    "of the steps, cosine to 0, gradient norm clipped at 1"},
            "cpu_s": round(time.process_time() - start_cpu, 1),
            "wall_s": round(time.perf_counter() - start_wall, 1),
            "parameters": sum(p.numel() for p in model.parameters()),
            "curve": curve,
            "held_out": {"slice": f"the first {HELD_OUT // 2} held-out Shakespeare pieces and the "
                                  f"first {HELD_OUT // 2} test tweets, masked by the 80/10/10 rule "
                                  f"with torch.Generator().manual_seed({HELD_OUT_SEED}), 100 a batch",
                         "metric": "cross-entropy at the masked positions (nats)",
                         "value": shipped_scores["loss"], **shipped_scores,
                         "most_frequent_token_top1": round((labels == most_frequent).float().mean().item(), 5)},
        }
        return publish(NAME, kind="mini-bert", config=config, state=state,
                       extra_files={"tokenizer": tokenizer_file}, record=record)
