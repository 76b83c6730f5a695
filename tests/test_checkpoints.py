"""The shipped checkpoints: each matches its manifest, loads, and still scores what its
training record says on a fixed held-out slice, so the code that loads a checkpoint
cannot drift from the code that trained it without a test failing."""

import json
import shutil

import pytest
import torch

from nlpcourse import checkpoints
from nlpcourse.data import multi30k, shakespeare
from training import chargpt, mlm, translation

EXPECTED = {"multi30k-de-en-transformer", "mini-bert-mlm", "shakespeare-char-gpt"}
SIZE_LIMIT = 25 * 2**20  # all checkpoint files together


def test_manifest_lists_the_three_runs_and_they_fit_the_size_budget():
    entries = checkpoints.manifest()
    assert set(entries) == EXPECTED, sorted(entries)
    total = sum(f["bytes"] for entry in entries.values() for f in entry["files"].values())
    assert total <= SIZE_LIMIT, f"checkpoints take {total / 2**20:.1f} MB, over 25 MB"
    on_disk = {p.name for p in checkpoints.FOLDER.iterdir()
               if p.suffix in (".pt", ".json") and p.name != "manifest.json"}
    listed = {f["file"] for entry in entries.values() for f in entry["files"].values()}
    assert on_disk == listed, f"files not in the manifest: {on_disk - listed}; " \
                              f"missing: {listed - on_disk}"
    for name, entry in entries.items():
        record = entry["record"]
        for key in ("command", "commit", "seed", "data", "cpu_s", "held_out"):
            assert key in record, f"{name}'s record has no {key!r}"
        assert record["cpu_s"] > 0


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_file_matches_its_checksum(name):
    for role in checkpoints.manifest()[name]["files"]:
        assert checkpoints.verified_file(name, role).exists()


def test_translator_scores_its_record_on_the_held_out_slice():
    checkpoint = checkpoints.load("multi30k-de-en-transformer")
    held_out = checkpoint.record["held_out"]
    pairs = multi30k("de", "en").test[: translation.HELD_OUT]
    loss = translation.mean_loss(checkpoint.model,
                                 translation.encode_pairs(checkpoint.tokenizer, pairs))
    assert loss == pytest.approx(held_out["value"], abs=2e-3), (loss, held_out)
    # and it translates: greedy output of the first test sentence is real English
    src, lengths, _, _ = translation.collate(
        translation.encode_pairs(checkpoint.tokenizer, pairs[:1]), [0])
    ids, _ = checkpoint.model.greedy_decode(src, lengths, max_len=40)
    words = checkpoint.tokenizer.decode([i for i in ids[0].tolist() if i > 3]).split()
    assert len(words) >= 4 and {"a", "man", "the"} & set(words), words


def test_mini_bert_scores_its_record_on_the_held_out_slice():
    checkpoint = checkpoints.load("mini-bert-mlm")
    held_out = checkpoint.record["held_out"]
    sequences = [e.ids for e in checkpoint.tokenizer.encode_batch(mlm.held_out_texts(mlm.texts()))]
    scores = mlm.mlm_scores(checkpoint.model, sequences)
    assert scores["masked_tokens"] == held_out["masked_tokens"]
    assert scores["loss"] == pytest.approx(held_out["value"], abs=2e-3), (scores, held_out)
    # it learnt something a frequency count cannot
    assert scores["top1"] > held_out["most_frequent_token_top1"] + 0.1


def test_char_gpt_scores_its_record_on_the_held_out_slice():
    checkpoint = checkpoints.load("shakespeare-char-gpt")
    vocab = checkpoint.tokenizer
    val_ids = torch.tensor(vocab(shakespeare().text("validation")))
    windows = chargpt.validation_windows(val_ids, checkpoint.model.config.block_size)
    loss = chargpt.window_loss(checkpoint.model, windows)
    assert loss == pytest.approx(checkpoint.record["held_out"]["value"], abs=2e-3)


def _copy_of_folder(tmp_path, monkeypatch):
    folder = tmp_path / "checkpoints"
    shutil.copytree(checkpoints.FOLDER, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setattr(checkpoints, "FOLDER", folder)
    monkeypatch.setattr(checkpoints, "MANIFEST", folder / "manifest.json")
    return folder


def test_a_damaged_file_is_an_error_that_names_it(tmp_path, monkeypatch):
    folder = _copy_of_folder(tmp_path, monkeypatch)
    weights = folder / checkpoints.manifest()["shakespeare-char-gpt"]["files"]["weights"]["file"]
    data = bytearray(weights.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte, same size
    weights.write_bytes(bytes(data))
    with pytest.raises(checkpoints.CheckpointError, match="shakespeare-char-gpt.pt does not match"):
        checkpoints.load("shakespeare-char-gpt")
    weights.unlink()
    with pytest.raises(checkpoints.CheckpointError, match="is missing"):
        checkpoints.load("shakespeare-char-gpt")


def test_unknown_names_and_kinds_are_clear_errors(tmp_path, monkeypatch):
    with pytest.raises(checkpoints.CheckpointError, match="no checkpoint named 'gpt-2'.*mini-bert-mlm"):
        checkpoints.load("gpt-2")
    folder = _copy_of_folder(tmp_path, monkeypatch)
    entries = json.loads((folder / "manifest.json").read_text())
    entries["shakespeare-char-gpt"]["kind"] = "lstm"
    (folder / "manifest.json").write_text(json.dumps(entries))
    with pytest.raises(checkpoints.CheckpointError, match="unknown checkpoint kind 'lstm'"):
        checkpoints.load("shakespeare-char-gpt")
    (folder / "manifest.json").unlink()
    with pytest.raises(checkpoints.CheckpointError, match="manifest.json is missing"):
        checkpoints.names()


def test_the_package_carries_the_checkpoints(tmp_path, root):
    """What `pip install "nlpcourse @ git+..."` installs in Colab: a wheel built from the
    package's files, which must hold every file the manifest lists."""
    import subprocess
    import sys
    import zipfile

    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(root / name, source / name)
    shutil.copytree(root / "nlpcourse", source / "nlpcourse",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(tmp_path / "wheel"), str(source)],
                   check=True, capture_output=True)
    wheel, = (tmp_path / "wheel").glob("nlpcourse-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    listed = {f["file"] for entry in checkpoints.manifest().values() for f in entry["files"].values()}
    for file in sorted(listed | {"manifest.json"}):
        assert f"nlpcourse/checkpoints/{file}" in names, f"the wheel has no {file}"
