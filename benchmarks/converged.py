"""Part II's classifier comparisons, trained to convergence (part of ``make bench``).

Lessons 09 and 10 compare their tweet classifiers after one epoch each, which is what a
lesson's minute allows, so "none is better" there could be an artefact of one short
epoch. Here the same models, on the same data pipeline, with the same optimiser, train
until the validation loss has not improved for ``PATIENCE`` epochs (at most
``MAX_EPOCHS``; ``fit`` keeps the best epoch's weights), with seeds ``SEEDS``, and are
tested once. Each model's test accuracies go to ``benchmarks/results/converged.json``
and, as bands the two lessons print beside their one-epoch runs, into the "converged"
table of ``nlpcourse/seed_bands.json``.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from benchmarks.records import stopwatch
from nlpcourse.batching import bucketed
from nlpcourse.data import glove, tweets
from nlpcourse.data.tweets import Split, TextClassificationData
from nlpcourse.embeddings import embedding_matrix
from nlpcourse.models.cnn import TextCNN
from nlpcourse.models.feedforward import MeanEmbeddingDNN
from nlpcourse.models.rnn import ConvLSTMClassifier, RNNClassifier
from nlpcourse.text import classification_loaders
from nlpcourse.train import evaluate, fit, seed_everything

__all__ = ["LESSONS", "MAX_EPOCHS", "PATIENCE", "SEEDS", "run"]

SEEDS = (0, 1, 2)
MAX_EPOCHS = 15
PATIENCE = 3
LR = 1e-2


def lesson09_models(V: int) -> dict[str, Callable[[], torch.nn.Module]]:
    """Lesson 09's four: embeddings of 32 trained from scratch, 16 hidden units."""
    E, H = 32, 16
    return {
        "LSTM": lambda: RNNClassifier(V, H, 3, cell="lstm", embedding_dim=E),
        "BiLSTM": lambda: RNNClassifier(V, H, 3, cell="lstm", embedding_dim=E, bidirectional=True),
        "2-layer LSTM": lambda: RNNClassifier(V, H, 3, cell="lstm", embedding_dim=E, num_layers=2,
                                              dropout=0.3, head_dropout=0.5),
        "Conv1D + LSTM": lambda: ConvLSTMClassifier(V, E, E, H, 3),
    }


def lesson10_models(V: int) -> dict[str, Callable[[], torch.nn.Module]]:
    """Lesson 10's five: a 50-d embedding started from GloVe and fine-tuned, 32 units."""
    E, H, C = 50, 32, 3
    return {
        "DNN (mean of embeddings)": lambda: MeanEmbeddingDNN(V, E, C),
        "CNN": lambda: TextCNN(V, E, C, widths=(2, 3, 4), num_filters=32, dropout=0.5),
        "RNN": lambda: RNNClassifier(V, H, C, cell="rnn", dropout=0.5, embedding_dim=E),
        "LSTM": lambda: RNNClassifier(V, H, C, cell="lstm", dropout=0.5, embedding_dim=E),
        "GRU": lambda: RNNClassifier(V, H, C, cell="gru", dropout=0.5, embedding_dim=E),
    }


# lesson -> (models, start from GloVe, bucketed batches with gradient clipping)
LESSONS = {
    "09_bidirectional_and_stacked": (lesson09_models, False, False),
    "10_text_classification": (lesson10_models, True, True),
}


def train_one(model: torch.nn.Module, loaders, seed: int, lesson10: bool, max_epochs: int) -> dict:
    if lesson10:
        train_loader, grad_clip = bucketed(loaders.train, seed=seed), 1.0
    else:
        loaders.train.generator.manual_seed(seed)
        train_loader, grad_clip = loaders.train, None
    trainable = [p for p in model.parameters() if p.requires_grad]
    with stopwatch() as watch:
        history = fit(model, train_loader, loaders.validation, epochs=max_epochs,
                      optimizer=torch.optim.Adam(trainable, lr=LR), patience=PATIENCE,
                      grad_clip=grad_clip, progress=False)
        _, test_accuracy = evaluate(model, loaders.test)
    return {"test_accuracy": round(test_accuracy, 4), "best_epoch": history.best_epoch + 1,
            "epochs_run": len(history.train_loss), "seconds": round(watch.wall_s, 1)}


def run(quick: bool = False) -> dict:
    """Every model of both lessons, every seed: ``{lesson: {model: [result by seed]}}``.
    ``quick``: one seed, one epoch on 600 / 200 / 200 tweets, the smoke test's size."""
    seeds, max_epochs = ((0,), 1) if quick else (SEEDS, MAX_EPOCHS)
    data = tweets()
    if quick:
        data = TextClassificationData(*(Split(split.texts[:n], split.labels[:n])
                                        for split, n in zip(data.splits().values(), (600, 200, 200))),
                                      classes=data.classes)
    results: dict[str, dict[str, list[dict]]] = {}
    for lesson, (models, from_glove, lesson10) in LESSONS.items():
        results[lesson] = {}
        for seed in seeds:
            seed_everything(seed)
            loaders = classification_loaders(data, "tweet", min_freq=3, max_len=32, batch_size=256, seed=seed)
            matrix = embedding_matrix(loaders.vocab, glove(50))[0] if from_glove else None  # (V, 50)
            for name, build in models(len(loaders.vocab)).items():
                seed_everything(seed)
                model = build()
                if matrix is not None:
                    with torch.no_grad():
                        model.embedding.weight.copy_(matrix)
                result = train_one(model, loaders, seed, lesson10, max_epochs)
                results[lesson].setdefault(name, []).append({"seed": seed, **result})
                print(f"  {lesson[:2]} {name:24} seed {seed}: test {result['test_accuracy']:.3f} "
                      f"(best epoch {result['best_epoch']} of {result['epochs_run']}, "
                      f"{result['seconds']:.0f} s)", flush=True)
    return results
