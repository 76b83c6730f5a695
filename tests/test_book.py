"""Build the book as `make book` does and check the HTML a reader gets."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, lesson_sources, toc_files


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"book build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return out / "_build" / "html"


def test_every_toc_entry_is_a_page(html):
    missing = [f for f in toc_files() if not (html / f"{f}.html").is_file()]
    assert not missing


@pytest.mark.parametrize("source", lesson_sources(), ids=lambda p: p.stem)
def test_lesson_page_has_outputs_figures_and_colab(html, source, book_config):
    page = (html / "notebooks" / f"{source.stem}.html").read_text()
    # executed: output blocks with text in them
    outputs = re.findall(r'<div class="cell_output docutils container">(.*?)</div>\s*</div>', page, re.S)
    assert len(outputs) >= 10 and any("<pre>" in o for o in outputs)
    # figures: PNGs that exist next to the page
    images = re.findall(r'<img[^>]+src="(\.\./_images/[^"]+\.png)"', page)
    assert len(images) >= 2, "a lesson shows its figures"
    for src in images:
        assert (html / "notebooks" / src).resolve().is_file(), src
    # the Colab button opens this notebook's .ipynb in the repository
    repo = book_config["repository"]["url"].removeprefix("https://github.com/")
    colab = f"https://colab.research.google.com/github/{repo}/blob/{book_config['repository']['branch']}/notebooks/{source.stem}.ipynb"
    assert colab in page
    # the Colab setup cell is hidden; solutions are collapsed, not open
    assert "google.colab" not in page
    details = re.findall(r"<details[^>]*>", page)
    assert details and not any(" open" in d for d in details)
    # every exercise's solution sits in a closed dropdown inside the Exercises section
    exercises = page.split('<section id="exercises">', 1)[1].split('<section id="summary">', 1)[0]
    solutions = source.read_text().split("## Exercises", 1)[1].split("## Summary", 1)[0].count('tags=["hide-input"]')
    dropdowns = re.findall(r'<details class="[^"]*hide above-input[^"]*">', exercises)
    assert solutions >= 1 and len(dropdowns) == solutions, f"{len(dropdowns)} dropdowns for {solutions} solutions"
    # citations resolve to the references page
    assert 'href="../book/references.html#' in page


def test_no_error_output_in_any_page(html):
    for page in html.rglob("*.html"):
        text = page.read_text()
        assert "Traceback (most recent call last)" not in text, page
        assert 'class="output traceback' not in text, page
