"""The benchmark runner and the results page (benchmarks/run.py, benchmarks/report.py).

The reference runs themselves are smoke-tested in tests/test_bench_<module>.py; here:
the committed page is exactly what the committed JSON gives, the JSON covers every
lesson and every reference module, and the runner measures what it says it measures.
"""

import json
import re
import sys
from pathlib import Path

import pytest

from benchmarks import report, run
from benchmarks.records import FIELDS, ROOT, reference, stopwatch


def test_a_record_has_exactly_the_fields_in_their_order():
    with stopwatch() as watch:
        pass
    record = reference(name="x", task="x", model="x", metric="x", value=1.0, higher_is_better=True,
                       anchor=None, anchor_source="x", anchor_cite=None, differences="x",
                       budget_cpu_s=1.0, watch=watch, seed=0)
    assert tuple(record) == FIELDS


def test_committed_page_and_figures_are_what_the_json_gives():
    for path, text in report.render().items():
        assert path.exists(), f"{path.relative_to(ROOT)} is missing: run `python -m benchmarks report`"
        assert path.read_text() == text, (
            f"{path.relative_to(ROOT)} differs from what benchmarks/results/*.json give: it was edited by "
            "hand or the JSON changed without `python -m benchmarks report`")


def test_reference_runs_are_a_short_table_then_each_run_in_detail():
    # Four short columns fit the book's column at 1280 pixels (tests/test_book.py checks it in
    # a browser); the long text of each run sits in its own sub-section, which its row links to.
    page = report.render()[report.PAGE]
    section = page.split("## Reference runs against published numbers\n", 1)[1].split("\n## ", 1)[0]
    table = [line for line in section.split("```{figure}", 1)[0].splitlines() if line.startswith("|")]
    records = [record for module in run.REFERENCES if (run.RESULTS / f"{module}.json").exists()
               for record in run.read_json(run.RESULTS / f"{module}.json")["records"]]
    assert table[0] == "| run | ours | anchor | share of anchor |" and len(table) == 2 + len(records)
    details = section.split("### Each run in detail\n", 1)[1]
    for row, record in zip(table[2:], records):
        label = report.run_label(record)
        assert f"<{label}>`" in row, row
        own = details.split(f"({label})=\n#### `{record['name']}`\n", 1)[1].split("\n#### ", 1)[0]
        for term in ("Task", "Model", "Source of the anchor", "Time", "What differs"):
            assert f"\n{term}\n: " in "\n" + own, (record["name"], term)
        if record["anchor_cite"]:
            assert f"{{cite:p}}`{record['anchor_cite']}`" in own, record["name"]


def test_results_page_is_in_the_book():
    toc = (ROOT / "_toc.yml").read_text()
    assert "book/results" in toc


def test_every_lesson_is_timed_with_the_same_repeats():
    lessons = run.read_json(run.RESULTS / "lessons.json")
    assert sorted(lessons["lessons"]) == run.lesson_names(), "rerun `python -m benchmarks lessons` for new lessons"
    for name, lesson in lessons["lessons"].items():
        assert len(lesson["runs"]) == lessons["repeats"], name
        walls = sorted(r["wall_s"] for r in lesson["runs"])
        assert lesson["min_s"] == walls[0] and lesson["max_s"] == walls[-1]
        assert lesson["median_s"] == pytest.approx(walls[len(walls) // 2])
        assert lesson["peak_rss_mb"] > 100, f"{name}: a kernel with torch loaded uses more than 100 MB"


def test_every_reference_record_is_complete_and_cites_a_known_source():
    bibtex_keys = set(re.findall(r"^@\w+\{([^,]+),", (ROOT / "book" / "references.bib").read_text(), re.MULTILINE))
    names = []
    modules = [module for module in run.REFERENCES if (run.RESULTS / f"{module}.json").exists()]
    assert modules, "no reference results: run `make bench`"
    for module in modules:
        result = run.read_json(run.RESULTS / f"{module}.json")
        assert {"cpu", "cores", "torch", "torch_threads", "date", "commit"} <= set(result["machine"])
        assert result["wall_s"] > 0 and result["peak_rss_mb"] > 100
        for record in result["records"]:
            assert list(record) == list(FIELDS), record["name"]
            assert record["anchor_cite"] is None or record["anchor_cite"] in bibtex_keys, record["name"]
            assert record["differences"].strip() and record["anchor_source"].strip(), record["name"]
            assert record["cpu_s"] > 0
            names.append(record["name"])
    assert len(names) == len(set(names)), "record names must be unique"


def test_relative_quality_is_oriented_so_100_means_as_good_as_the_anchor():
    accuracy = {"value": 80.0, "anchor": 87.5, "higher_is_better": True}
    loss = {"value": 2.0, "anchor": 1.88, "higher_is_better": False}
    assert report.relative_quality(accuracy) == pytest.approx(100 * 80 / 87.5)
    assert report.relative_quality(loss) == pytest.approx(100 * 1.88 / 2.0)
    assert report.relative_quality({"value": 1.0, "anchor": None, "higher_is_better": True}) is None


def test_number_keeps_integer_digits_and_three_significant_figures():
    assert report.number(86.234) == "86.2"
    assert report.number(1.8765) == "1.88"
    assert report.number(123456.7) == "123,457"


def test_timed_child_counts_the_memory_of_a_grandchild():
    # The child starts a grandchild that holds about 300 MB: as a notebook kernel is a
    # grandchild of the benchmark, its memory must show up in the peak.
    grandchild = "import time; block = bytearray(300 * 2**20); time.sleep(0.3)"
    child = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {grandchild!r}], check=True)"
    result = run.timed_child([sys.executable, "-c", child])
    assert result["returncode"] == 0
    assert result["peak_rss_mb"] >= 300
    assert 0.3 <= result["wall_s"] < 30


def test_timed_child_reports_a_failing_command():
    result = run.timed_child([sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"])
    assert result["returncode"] == 3 and "boom" in result["output"]


def test_unknown_lesson_and_module_names_are_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="no lesson notebook named"):
        run.time_lessons(["99_nothing"], repeats=1, jupyter="jupyter")
    with pytest.raises(ValueError, match="repeats must be at least 1"):
        run.time_lessons(run.lesson_names()[:1], repeats=0, jupyter="jupyter")
    with pytest.raises(ValueError, match="no reference module"):
        run.main(["references", "--only", "nothing"])
    with pytest.raises(FileNotFoundError, match="tier-2 sample data"):
        run.main(["references", "--only", run.REFERENCES[0], "--data", str(tmp_path / "absent")])


def test_each_run_of_a_lesson_gets_its_seed_and_its_headlines_are_collected(tmp_path, monkeypatch):
    """End to end through `jupyter execute`: run k sees NLPCOURSE_SEED=k, and what the
    notebook reports with Headlines comes back per seed."""
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from nlpcourse.bands import Headlines, lesson_seed\n"
        "Headlines('99_probe').report('seed squared', lesson_seed() ** 2)")])
    nbformat.write(notebook, tmp_path / "99_probe.ipynb")
    monkeypatch.setattr(run, "NOTEBOOKS", tmp_path)
    jupyter = str(Path(sys.executable).with_name("jupyter"))
    timed, headlines, failed = run.time_lessons(["99_probe"], repeats=3, jupyter=jupyter)
    assert headlines == {"99_probe": {"seed squared": {"seeds": [0, 1, 2], "values": [0.0, 1.0, 4.0]}}}
    assert [r["seed"] for r in timed["99_probe"]["runs"]] == [0, 1, 2] and not failed


def test_a_lesson_failing_on_one_seed_is_reported_and_the_others_still_timed(tmp_path, monkeypatch):
    import nbformat

    for name, source in [("98_fails_on_seed_1", "from nlpcourse.bands import lesson_seed\n"
                                                "assert lesson_seed() != 1, 'seed 1 breaks me'"),
                         ("99_passes", "print('fine')")]:
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)]),
                       tmp_path / f"{name}.ipynb")
    monkeypatch.setattr(run, "NOTEBOOKS", tmp_path)
    jupyter = str(Path(sys.executable).with_name("jupyter"))
    timed, headlines, failed = run.time_lessons(["98_fails_on_seed_1", "99_passes"], repeats=3,
                                                jupyter=jupyter)
    assert list(timed) == ["99_passes"] and len(timed["99_passes"]["runs"]) == 3
    assert list(failed) == ["98_fails_on_seed_1"] and "seed 1 breaks me" in failed["98_fails_on_seed_1"]
    assert "with seed 1" in failed["98_fails_on_seed_1"]


def test_the_calibration_workload_takes_seconds():
    seconds = run.calibration_seconds()
    assert 0.05 < seconds < 120


def test_a_missing_results_file_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="make bench"):
        run.read_json(tmp_path / "lessons.json")


def test_results_files_are_valid_json_written_whole():
    for path in run.RESULTS.glob("*.json"):
        json.loads(path.read_text())
    assert not list(run.RESULTS.glob(".*.partial")), "a partial write was left behind"
