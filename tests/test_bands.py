"""nlpcourse.bands: a lesson's headline numbers beside the seed band make bench records."""

import json

import pytest

from nlpcourse import bands
from nlpcourse.bands import Headlines, lesson_seed, read_bands


def write_bands(path, lessons):
    path.write_text(json.dumps({"machine": "AMD EPYC, 2 cores", "lessons": lessons}))
    return path


def test_the_seed_is_the_default_unless_make_bench_sets_one(monkeypatch):
    monkeypatch.delenv(bands.SEED_ENV, raising=False)
    assert lesson_seed() == 0 and lesson_seed(7) == 7
    monkeypatch.setenv(bands.SEED_ENV, "3")
    assert lesson_seed() == 3
    for bad in ("three", "-1", "1.5"):
        monkeypatch.setenv(bands.SEED_ENV, bad)
        with pytest.raises(ValueError, match=bands.SEED_ENV):
            lesson_seed()


def test_a_run_is_printed_beside_its_band(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(bands.RECORD_ENV, raising=False)
    path = write_bands(tmp_path / "b.json", {"10_x": {"GRU accuracy": {"seeds": [0, 1, 2, 3, 4],
                                                                       "values": [0.74, 0.735, 0.746, 0.741, 0.738]}}})
    headlines = Headlines("10_x", path)
    headlines.report("GRU accuracy", 0.7412)
    assert capsys.readouterr().out == (
        "GRU accuracy: your run 0.741; seeds 0-4 on the course machine: 0.735-0.746\n")
    band = headlines.band("GRU accuracy")
    assert (band.low, band.high, band.seeds) == (0.735, 0.746, (0, 1, 2, 3, 4))


def test_a_headline_without_a_band_says_so_and_band_names_what_is_recorded(tmp_path, capsys):
    path = write_bands(tmp_path / "b.json", {"10_x": {"CNN": {"seeds": [0], "values": [0.7]}}})
    headlines = Headlines("10_x", path)
    headlines.report("GRU", 0.5, ".2f")
    assert capsys.readouterr().out == "GRU: your run 0.50; no band recorded yet (make bench measures it)\n"
    with pytest.raises(KeyError, match="recorded: CNN.*make bench"):
        headlines.band("GRU")
    with pytest.raises(KeyError):  # no file: no bands, and a clear error
        Headlines("10_x", tmp_path / "missing.json").band("CNN")


def test_under_make_bench_every_reported_number_is_recorded(tmp_path, monkeypatch):
    record = tmp_path / "run.jsonl"
    monkeypatch.setenv(bands.RECORD_ENV, str(record))
    headlines = Headlines("03_y", tmp_path / "none.json")
    headlines.report("loss", 1.25)
    headlines.report("perplexity", 3.5)
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert lines == [{"lesson": "03_y", "name": "loss", "value": 1.25},
                     {"lesson": "03_y", "name": "perplexity", "value": 3.5}]
    with pytest.raises(ValueError, match="NaN"):
        headlines.report("loss", float("nan"))


def test_a_damaged_bands_file_is_an_error(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ValueError, match="not valid JSON"):
        read_bands(tmp_path / "bad.json")
    (tmp_path / "odd.json").write_text("[1, 2]")
    with pytest.raises(ValueError, match="no 'lessons' table"):
        read_bands(tmp_path / "odd.json")


def test_the_shipped_bands_name_lessons_that_exist(root):
    recorded = read_bands()
    assert recorded, "nlpcourse/seed_bands.json ships with the package (make bench writes it)"
    lessons = {path.stem for path in (root / "notebooks").glob("[0-9][0-9]_*.py")}
    tables = [recorded[key] for key in ("lessons", "converged") if key in recorded]
    assert any(tables), "the bands file records something"
    for table in tables:
        for lesson, bands_of_lesson in table.items():
            assert lesson in lessons, lesson
            for name, band in bands_of_lesson.items():
                assert len(band["seeds"]) == len(band["values"]) >= 1, (lesson, name)
