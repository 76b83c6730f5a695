"""Word vectors: skip-gram training speed (ours against gensim) and GloVe analogies.

``skipgram-speed-ours`` / ``skipgram-speed-gensim``: one epoch of skip-gram with
negative sampling over the words of tiny Shakespeare, first with the course's PyTorch
pieces trained the way notebooks/03_word2vec trains them (``subsample``,
``skipgram_pairs`` with a dynamic window, ``NegativeSampler`` table, ``SkipGramNS`` and
Adam over batches of 8,192 pairs), then with ``gensim.models.Word2Vec(sg=1, negative=5,
window=5, vector_size=100, workers=1)``. Speed is words of text read per CPU-second
(``time.process_time``, all threads of the process): on a shared machine that counts the
work done, not the waiting, and it charges our two torch threads for both cores. The
same quality checks on both models stand beside the speed in ``details``.

``glove50-analogy``: GloVe 6B 50d on the 19,544 Google analogy questions with
``analogy_accuracy`` as notebooks/05_glove runs it (3CosAdd, the 100,000 most frequent
words as candidates, questions lower-cased).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch

from benchmarks.records import reference, stopwatch
from nlpcourse.data import analogy_questions, glove, tiny_shakespeare, wordsim353
from nlpcourse.embeddings import analogy_accuracy, to_keyed_vectors, word_similarity
from nlpcourse.models.word2vec import NegativeSampler, SkipGramNS, skipgram_pairs, subsample
from nlpcourse.text import build_vocab_from_iterator

SEED = 0
SKIPGRAM_BUDGET_CPU_S = 120.0
GLOVE_BUDGET_CPU_S = 90.0
WINDOW, NEGATIVES, DIM, MIN_COUNT, THRESHOLD = 5, 5, 100, 5, 1e-3
BATCH_PAIRS, LR = 8192, 0.02  # lesson 03's train_sgns
GENSIM_ALPHA = 0.05  # lesson 03's setting for a single epoch on little text
QUERIES = ("king", "love", "night", "father", "sword")
RESTRICT_VOCAB = 100_000  # lesson 05
QUICK_SPEECHES, QUICK_BATCH_PAIRS = 1000, 1024  # enough steps for the loss to move

WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def speeches(text: str) -> list[list[str]]:
    """Blocks between blank lines as lists of lower-case words; the speaker's name
    (a line ending in a colon, such as ``First Citizen:``) is left out, so it does not
    become a neighbour of everything the speaker says."""
    blocks = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if not line.rstrip().endswith(":")]
        words = WORD.findall(" ".join(lines).lower())
        if words:
            blocks.append(words)
    return blocks


def train_ours(corpus: list[np.ndarray], counts: np.ndarray, batch_pairs: int) -> tuple[SkipGramNS, list[float]]:
    """One pass of SGNS over ``corpus`` (ids), as lesson 03's ``train_sgns``."""
    torch.manual_seed(SEED)
    model = SkipGramNS(len(counts), DIM)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    sampler = NegativeSampler(counts, method="table", seed=SEED)
    kept = subsample(corpus, counts, THRESHOLD, formula="word2vec", seed=SEED)
    centers, contexts = skipgram_pairs(kept, WINDOW, dynamic=True, seed=SEED)  # (P,), (P,)
    order = torch.randperm(len(centers))
    losses = []
    for first in range(0, len(order), batch_pairs):
        batch = order[first : first + batch_pairs]  # (B,) pair indices
        loss = model(centers[batch], contexts[batch], sampler.sample(len(batch), NEGATIVES))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return model, losses


def train_gensim(sentences: list[list[str]]):
    from gensim.models import Word2Vec

    model = Word2Vec(sg=1, vector_size=DIM, window=WINDOW, min_count=MIN_COUNT, negative=NEGATIVES,
                     sample=THRESHOLD, alpha=GENSIM_ALPHA, workers=1, seed=SEED)
    model.build_vocab(sentences)
    with stopwatch() as watch:
        _, raw_words = model.train(sentences, total_examples=len(sentences), epochs=1)
    return model, raw_words, watch


def quality(keyed, vocab_size: int) -> dict:
    """WordSim353 (Spearman, on the pairs both words of which are known) and the nearest
    neighbours of a few common words among the 2,000 most frequent."""
    restrict = min(2000, vocab_size)
    try:
        similarity = word_similarity(keyed, wordsim353())
        spearman, used = round(similarity.spearman, 3), f"{similarity.used}/{similarity.total}"
    except ValueError:  # a tiny vocabulary (quick mode) covers fewer than 3 pairs
        spearman, used = None, "fewer than 3/353"
    return {
        "wordsim353_spearman": spearman,
        "wordsim353_pairs_used": used,
        "neighbours": {q: [w for w, _ in keyed.most_similar(q, topn=5, restrict_vocab=restrict)]
                       for q in QUERIES if q in keyed.key_to_index},
    }


def skipgram_records(data_dir: Path, quick: bool) -> list[dict]:
    sentences = speeches(tiny_shakespeare(path=Path(data_dir) / "tinyshakespeare"))
    if quick:
        sentences = sentences[:QUICK_SPEECHES]
    vocab = build_vocab_from_iterator(sentences, min_freq=MIN_COUNT)
    corpus = [np.array([vocab.stoi[w] for w in s if w in vocab.stoi], dtype=np.int64) for s in sentences]
    counts = np.bincount(np.concatenate(corpus), minlength=len(vocab))  # (V,) by id
    words = sum(len(s) for s in sentences)  # words of text, rare ones included, as gensim counts

    batch_pairs = QUICK_BATCH_PAIRS if quick else BATCH_PAIRS
    with stopwatch() as ours_watch:
        model, losses = train_ours(corpus, counts, batch_pairs)
    gensim_model, gensim_words, gensim_watch = train_gensim(sentences)
    if gensim_words != words:
        raise RuntimeError(f"gensim read {gensim_words} words, we counted {words}")

    ours_speed = words / ours_watch.cpu_s
    gensim_speed = words / gensim_watch.cpu_s
    corpus_facts = {"corpus": "tiny Shakespeare, speeches as sentences, lower-case words",
                    "speeches": len(sentences), "words": words, "vocabulary": len(vocab),
                    "min_count": MIN_COUNT, "window": WINDOW, "negatives": NEGATIVES, "dim": DIM,
                    "subsampling": THRESHOLD, "epochs": 1, "quick": quick}
    ours_details = {
        **corpus_facts,
        "words_per_wall_s": round(words / ours_watch.wall_s),
        "loss_first_batch": round(losses[0], 4), "loss_last_10_batches": round(float(np.mean(losses[-10:])), 4),
        "steps": len(losses), "batch_pairs": batch_pairs, "optimizer": f"Adam lr {LR}",
        "clock": "subsampling, pair building and training (as lesson 03's clock)",
        **quality(to_keyed_vectors(vocab.itos, model.vectors), len(vocab)),
    }
    gensim_details = {
        **corpus_facts,
        "words_per_wall_s": round(words / gensim_watch.wall_s),
        "alpha": GENSIM_ALPHA, "workers": 1,
        "clock": "Word2Vec.train only (vocabulary built before)",
        **quality(gensim_model.wv, len(gensim_model.wv)),
    }
    task = "skip-gram with negative sampling, one epoch over tiny Shakespeare: training speed"
    return [
        reference(
            name="skipgram-speed-ours", task=task,
            model="PyTorch SGNS from nlpcourse.models.word2vec, batches of 8,192 pairs (lesson 03)",
            metric="words/s", value=round(ours_speed), higher_is_better=True,
            anchor=round(gensim_speed),
            anchor_source="measured in the same run: gensim 4.4 Word2Vec(sg=1, negative=5, window=5, "
                          "vector_size=100, workers=1) on the same words (record skipgram-speed-gensim)",
            anchor_cite="rehurek2010gensim",
            differences="Same corpus, vocabulary, window, negatives, dimension and subsampling; ours "
                        "runs Adam on shuffled batches of pairs in PyTorch on 2 threads, gensim plain "
                        "SGD pair by pair in compiled code on 1 worker; speed per CPU-second.",
            budget_cpu_s=SKIPGRAM_BUDGET_CPU_S, watch=ours_watch, seed=SEED, details=ours_details,
        ),
        reference(
            name="skipgram-speed-gensim", task=task,
            model="gensim Word2Vec(sg=1, negative=5, window=5, vector_size=100, workers=1)",
            metric="words/s", value=round(gensim_speed), higher_is_better=True,
            anchor=None, anchor_source="none: this is the reference speed for skipgram-speed-ours",
            anchor_cite="rehurek2010gensim",
            differences=f"The comparison run for skipgram-speed-ours (ours: {round(ours_speed):,} words/s).",
            budget_cpu_s=SKIPGRAM_BUDGET_CPU_S, watch=gensim_watch, seed=SEED, details=gensim_details,
        ),
    ]


def pooled(scores: dict, names: list[str]) -> float:
    """Accuracy in percent over several sections together (correct / answered)."""
    return 100 * sum(scores[s].correct for s in names) / max(1, sum(scores[s].answered for s in names))


def glove_record(quick: bool) -> dict:
    sections = analogy_questions()
    if quick:
        sections = {name: questions[:20] for name, questions in sections.items()}
    semantic = list(sections)[:5]  # the file's first five sections are the semantic ones
    syntactic = list(sections)[5:]
    keyed = glove(50)
    with stopwatch() as watch:
        scores = analogy_accuracy(keyed, sections, restrict_vocab=RESTRICT_VOCAB)
    total = scores["all"]
    return reference(
        name="glove50-analogy",
        task="Google analogy questions (19,544; Mikolov et al. 2013), 3CosAdd, accuracy",
        model="GloVe 6B 50d, pretrained (nlpcourse.data.glove)",
        metric="accuracy %",
        value=round(100 * total.accuracy, 2),
        higher_is_better=True,
        anchor=71.7,
        anchor_source="Pennington et al. 2014, Table 2 (word analogy, percent accuracy): GloVe 300d "
                      "on the 6B corpus, Sem 77.4 / Syn 67.0 / Tot 71.7; the table has no 50d row, "
                      "and its 100d GloVe row is on the 1.6B corpus: 67.5 / 54.3 / 60.3",
        anchor_cite="pennington2014glove",
        differences="Same vectors' corpus (6B) and question set, but 50 dimensions against the "
                    "anchor's 300 (analogy accuracy rises steeply with dimension, the paper's "
                    "Figure 2a); candidates are the 100,000 most frequent words as in lesson 05, and "
                    "the 2% of questions with a word outside them are skipped (with all 400,000 "
                    "words as candidates, measured once while writing this run: 46.2% of all "
                    "19,544, with four times as many candidates to score).",
        budget_cpu_s=GLOVE_BUDGET_CPU_S,
        watch=watch,
        seed=SEED,
        details={
            "semantic": round(pooled(scores, semantic), 2),
            "syntactic": round(pooled(scores, syntactic), 2),
            "answered": f"{total.answered}/{total.total}",
            "restrict_vocab": RESTRICT_VOCAB,
            "per_section": {s: round(100 * scores[s].accuracy, 1) for s in sections},
            "method": "3CosAdd on unit vectors, a, b, c excluded; questions lower-cased",
            "paper_anchor_100d_1.6B_total": 60.3,
            "quick": quick,
        },
    )


def run(data_dir: Path, quick: bool = False) -> list[dict]:
    return skipgram_records(data_dir, quick) + [glove_record(quick)]
