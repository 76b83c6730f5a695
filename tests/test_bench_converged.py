"""Smoke test of benchmarks/converged.py in quick mode (600 training tweets, one
epoch, one seed); the full runs are part of `make bench`."""

from benchmarks import converged


def test_every_model_of_both_lessons_trains_and_is_tested_once():
    results = converged.run(quick=True)
    assert list(results) == list(converged.LESSONS)
    assert list(results["09_bidirectional_and_stacked"]) == ["LSTM", "BiLSTM", "2-layer LSTM", "Conv1D + LSTM"]
    assert list(results["10_text_classification"]) == ["DNN (mean of embeddings)", "CNN", "RNN", "LSTM", "GRU"]
    for models in results.values():
        for name, runs in models.items():
            (run,) = runs
            assert run["seed"] == 0 and run["best_epoch"] == run["epochs_run"] == 1, name
            assert 0.1 < run["test_accuracy"] < 0.9, name  # three classes, one short epoch
