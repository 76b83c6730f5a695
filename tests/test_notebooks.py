"""The notebooks' form: paired with their .py source, clean, in the book, Colab-ready.

nbval executes them (pytest collects notebooks/ with --nbval-lax); this file checks
everything about them that executing does not.
"""

import json
import re
import shutil
import subprocess
import sys

import jupytext
import pytest

from conftest import ROOT, homework_sources, lesson_sources, toc_files

LESSONS = lesson_sources()
PAIRED = LESSONS + homework_sources()  # every jupytext pair: lessons and homework masters


def test_there_are_lessons():
    assert LESSONS, "no notebooks/NN_topic.py found"


def test_every_ipynb_has_its_py_source():
    pys = {p.stem for p in LESSONS}
    ipynbs = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert pys == ipynbs
    assert {p.stem for p in homework_sources()} == {p.stem for p in (ROOT / "homework").glob("*.ipynb")}


@pytest.mark.parametrize("source", PAIRED, ids=lambda p: p.stem)
def test_ipynb_is_what_jupytext_makes_of_the_py(source, tmp_path):
    """The drift check: `jupytext --to ipynb --update` on the .py must change nothing."""
    committed = source.with_suffix(".ipynb")
    shutil.copy(source, tmp_path / source.name)
    shutil.copy(committed, tmp_path / committed.name)
    subprocess.run(
        [sys.executable, "-m", "jupytext", "--quiet", "--to", "ipynb", "--update", str(tmp_path / source.name)],
        check=True,
    )
    regenerated = (tmp_path / committed.name).read_text()
    assert regenerated == committed.read_text(), f"{committed.name} drifted from {source.name}: run `make sync`"


@pytest.mark.parametrize("source", PAIRED, ids=lambda p: p.stem)
def test_ipynb_is_committed_without_outputs(source):
    cells = json.loads(source.with_suffix(".ipynb").read_text())["cells"]
    dirty = [i for i, c in enumerate(cells) if c["cell_type"] == "code" and (c["outputs"] or c["execution_count"])]
    assert not dirty, f"cells {dirty} carry outputs; the book executes the notebook itself"


@pytest.mark.parametrize("source", LESSONS, ids=lambda p: p.stem)
def test_lesson_is_in_the_toc(source):
    assert f"notebooks/{source.stem}" in toc_files()


@pytest.mark.parametrize("source", LESSONS, ids=lambda p: p.stem)
def test_first_code_cell_sets_up_colab_only(source, book_config):
    notebook = jupytext.read(source)
    first = next(c for c in notebook.cells if c.cell_type == "code")
    assert "remove-cell" in first.metadata.get("tags", []), "the Colab cell must be hidden in the book"
    assert 'if "google.colab" in sys.modules:' in first.source, "the Colab cell must do nothing outside Colab"
    assert f'REPO = "{book_config["repository"]["url"]}"' in first.source, "repository URL differs from _config.yml"
    assert "torch" not in first.source, "Colab brings its own torch; never install it there"


# Names whose use needs sacrebleu, which the package does not require (it is the BLEU
# lessons' extra): a lesson that uses one installs sacrebleu in its Colab cell.
NEEDS_SACREBLEU = re.compile(r"\bimport sacrebleu\b|\bsacrebleu\.|\b(?:corpus_bleu|anchor_bleu)\(")


@pytest.mark.parametrize("source", LESSONS, ids=lambda p: p.stem)
def test_a_lesson_that_scores_bleu_installs_sacrebleu_in_colab(source):
    cells = [c for c in jupytext.read(source).cells if c.cell_type == "code"]
    uses = any(NEEDS_SACREBLEU.search(c.source) for c in cells[1:])
    assert not uses or "sacrebleu==" in cells[0].source, (
        f"{source.name} computes BLEU but its Colab cell does not install sacrebleu")


@pytest.mark.parametrize("source", LESSONS, ids=lambda p: p.stem)
def test_lesson_has_the_parts_of_a_lesson(source):
    text = source.read_text()
    for heading in ("## Exercises", "## Summary", "## References"):
        assert f"# {heading}" in text, f"{source.name} lacks a '{heading}' section"
    assert "{cite" in text, "a lesson cites its sources"


@pytest.mark.parametrize("source", LESSONS, ids=lambda p: p.stem)
def test_every_exercise_has_a_solution_collapsed_in_the_book_colab_and_jupyterlab(source):
    """An exercise's solution is one code cell, code and output closed until asked for:
    in the book by the hide-cell tag (one dropdown for both), in Colab by a form cell
    (a first line `# @title ...` and cellView "form"), in JupyterLab and Notebook 7 by
    the jupyter source_hidden and outputs_hidden flags. Read from the .ipynb, which is
    what Colab and Jupyter open."""
    cells = jupytext.read(source.with_suffix(".ipynb")).cells
    start = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and "## Exercises" in c.source)
    end = next(i for i, c in enumerate(cells) if c.cell_type == "markdown" and "## Summary" in c.source)
    # a question is a markdown cell with **N.**; the cell right after it is its solution
    asked = [(n, cells[i + 1]) for i in range(start, end) if cells[i].cell_type == "markdown"
             for n in re.findall(r"^\*\*(\d+)\.\*\*", cells[i].source, re.M)]
    assert asked, "a lesson has exercises"
    for number, cell in asked:
        assert cell.cell_type == "code", f"exercise {number} has no solution cell right after it"
        assert cell.metadata.get("tags") == ["hide-cell"], (number, cell.metadata)
        assert cell.metadata.get("cellView") == "form", number
        assert cell.metadata.get("jupyter") == {"source_hidden": True, "outputs_hidden": True}, number
        assert cell.source.splitlines()[0] == f"# @title Solution to exercise {number}", number


@pytest.mark.parametrize("source", LESSONS, ids=lambda p: p.stem)
def test_lesson_runs_with_the_benchmarks_seed_and_reports_its_headlines(source):
    """make bench reruns each lesson with seeds 0-4 (NLPCOURSE_SEED, read by lesson_seed)
    and records what it reports through Headlines, the numbers of its summary table."""
    text = source.read_text()
    assert "SEED = lesson_seed()" in text, "the lesson's seed comes from lesson_seed()"
    assert f'Headlines("{source.stem}")' in text, "the lesson reports its headline numbers"
    assert re.search(r"\.report\(", text), "at least one headline number is reported"


# Classes a lesson writes out in a cell and the package keeps an exact copy of (the
# benchmark imports them): (lesson, module, class).
CODE_WIDTH = 88  # columns; the course's line length for lesson code


@pytest.mark.parametrize("source", LESSONS, ids=lambda p: p.stem)
def test_code_lines_fit_the_book_column(source):
    """No line of a code cell is longer than 88 characters, comments included.

    The book's code column shows about 96 characters in a 1280-pixel window
    (book/_static/course.css); 88 leaves room for a wider font or a narrower window, so
    no code cell scrolls sideways. Cell header lines and markdown are not shown as code.
    """
    notebook = jupytext.read(source)
    long = [
        (cell.source.splitlines()[0], line)
        for cell in notebook.cells
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if len(line) > CODE_WIDTH
    ]
    assert not long, f"{source.stem}: {len(long)} code lines over {CODE_WIDTH} characters:\n" + "\n".join(
        f"  in the cell starting {first!r}: ({len(line)}) {line}" for first, line in long
    )
