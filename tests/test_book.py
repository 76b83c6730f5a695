"""Build the book as `make book` does and check the HTML a reader gets."""

import functools
import io
import json
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from html import unescape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, Request, Route, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

import prose_numbers
from conftest import ROOT, lesson_sources, toc_files

# Where `make mathjax` copies MathJax for _config.yml's html_static_path.
MATHJAX_COPY = ROOT / "_build" / "static" / "mathjax" / "tex-mml-chtml.js"
COLAB = "https://colab.research.google.com"


# The lessons' kernels show every DeprecationWarning and FutureWarning once per place, even
# those raised inside a library because of how a lesson calls it (by default Python shows
# a DeprecationWarning only when the lesson's own line raises it), so that a call that will
# break with the next release shows up in the page, and test_no_warning_in_any_lesson fails.
KERNEL_WARNINGS = "default::DeprecationWarning,default::PendingDeprecationWarning,default::FutureWarning"


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    # Without the copy Sphinx only warns (html_static_path) and the pages lose their math.
    assert MATHJAX_COPY.is_file(), f"{MATHJAX_COPY} is missing: run `make mathjax` (make test does) first"
    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": KERNEL_WARNINGS},  # the kernels inherit it
    )
    assert result.returncode == 0, f"book build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return out / "_build" / "html"


def colab_url(book_config: dict, lesson: str) -> str:
    """Where the Colab launch button of a lesson page must point: its .ipynb in the repository."""
    repo = book_config["repository"]["url"].removeprefix("https://github.com/")
    branch = book_config["repository"]["branch"]
    return f"{COLAB}/github/{repo}/blob/{branch}/notebooks/{lesson}.ipynb"


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
    assert colab_url(book_config, source.stem) in page
    # the Colab setup cell is hidden; solutions are collapsed, not open
    assert "google.colab" not in page
    details = re.findall(r"<details[^>]*>", page)
    assert details and not any(" open" in d for d in details)
    # every exercise's solution sits in a closed dropdown inside the Exercises section
    exercises = page.split('<section id="exercises">', 1)[1].split('<section id="summary">', 1)[0]
    solutions = source.read_text().split("## Exercises", 1)[1].split("## Summary", 1)[0].count('tags=["hide-cell"]')
    dropdowns = re.findall(r'<details class="[^"]*hide above-input[^"]*">\s*<summary[^>]*>\s*<p[^>]*>([^<]*)</p>',
                           exercises)
    assert solutions >= 1 and dropdowns == ["Show the solution"] * solutions, f"{dropdowns} for {solutions} solutions"
    # one dropdown holds a solution's code and its output: none of it shows until opened
    # (a lesson may end with a visible cell after the last solution: its timing and results)
    solutions_part = exercises[: exercises.rindex("</details>") + len("</details>")]
    closed = re.sub(r"<details\b.*?</details>", "", solutions_part, flags=re.S)
    assert 'class="cell_output' not in closed and 'class="cell_input' not in closed, "a solution shows outside its dropdown"
    # citations resolve to the references page
    assert 'href="../book/references.html#' in page


# An image's alt text that is only its file: myst-nb's default for a cell's figure is the
# image's path (alt="../_images/fda83d....png"), which a screen reader reads out as such.
IMAGE_FILE_NAME = re.compile(r"\.(png|jpe?g|gif|svg)\b|_images/|^[0-9a-f]{16,}", re.I)


def article_images(page_html: str) -> list[str]:
    """The <img> tags of a page's article (the theme's launch-button logos are outside it)."""
    article = page_html.split('<article class="bd-article">', 1)[1].split("</article>", 1)[0]
    return re.findall(r"<img\b[^>]*>", article)


@pytest.mark.parametrize("source", lesson_sources(), ids=lambda p: p.stem)
def test_lesson_figures_have_alt_text_that_says_what_they_show(html, source):
    # A figure cell sets it in its metadata: `# %% mystnb={"image": {"alt": "..."}}`.
    images = article_images((html / "notebooks" / f"{source.stem}.html").read_text())
    assert images, "a lesson shows its figures"
    for tag in images:
        alt = re.search(r'\salt="([^"]*)"', tag)
        text = unescape(alt.group(1)).strip() if alt else ""
        assert len(text.split()) >= 5 and not IMAGE_FILE_NAME.search(text), (
            f"{source.stem}: a figure without alt text that says what it shows: {tag[:300]}")


@pytest.mark.parametrize("source", lesson_sources(), ids=lambda p: p.stem)
def test_no_deprecation_warning_in_any_lesson(html, source):
    """Colab installs the newest releases; what they deprecate today breaks a lesson there
    next. (make test-colab runs the lessons on those releases.)"""
    page = (html / "notebooks" / f"{source.stem}.html").read_text()
    warnings = sorted({unescape(m.group(0)) for m in re.finditer(
        r"[^<>\n]{0,200}\b(?:Deprecation|PendingDeprecation|Future)Warning\b[^<>\n]{0,200}", page)})
    assert not warnings, f"{source.stem} prints warnings of things that will change:\n" + "\n".join(warnings)


# --- Prose equals run ---------------------------------------------------------------------
# Every number a page states is printed above it by the page's own run, a literal of its
# code, cited, read from the benchmark JSON, or allowed here with the reason
# (tests/prose_numbers.py says exactly what counts). Keep these lists short: a number the
# run can print belongs in a print.
PROSE_ALLOWED: dict[str, dict[str, str]] = {}


@pytest.fixture(scope="module")
def executed(html) -> Path:
    """The book build's executed notebooks (their markdown and outputs together)."""
    return html.parent / "jupyter_execute" / "notebooks"


def executed_cells(executed: Path, lesson: str) -> list[dict]:
    return json.loads((executed / f"{lesson}.ipynb").read_text())["cells"]


@pytest.mark.parametrize("source", lesson_sources(), ids=lambda p: p.stem)
def test_every_number_a_lesson_states_is_printed_coded_cited_or_benchmarked(executed, source):
    missing = prose_numbers.unsourced(executed_cells(executed, source.stem), source.stem,
                                      PROSE_ALLOWED.get(source.stem))
    assert not missing, f"{len(missing)} numbers without a source:\n" + "\n".join(map(str, missing))


def test_every_number_of_the_closing_page_is_a_lessons_or_the_benchmarks(executed):
    printed = [number for source in lesson_sources() for cell in executed_cells(executed, source.stem)
               if cell["cell_type"] == "code" for number in prose_numbers.printed_numbers(prose_numbers.output_text(cell))]
    missing = prose_numbers.unsourced(prose_numbers.markdown_cells(ROOT / "book" / "closing.md"), "closing",
                                      PROSE_ALLOWED.get("closing"), benchmarked_page=True, printed_elsewhere=printed)
    assert not missing, f"{len(missing)} numbers without a source:\n" + "\n".join(map(str, missing))


@pytest.mark.parametrize("source", lesson_sources(), ids=lambda p: p.stem)
def test_every_headline_is_printed_beside_its_recorded_band(executed, source):
    """Each lesson prints its headline numbers ("your run ...") and make bench has
    recorded the band of every one of them: none says "no band recorded yet"."""
    lines = [line for cell in executed_cells(executed, source.stem) if cell["cell_type"] == "code"
             for line in prose_numbers.output_text(cell).splitlines() if ": your run " in line]
    assert lines, f"{source.stem} prints no headline beside its band (nlpcourse.bands.Headlines.report)"
    unrecorded = [line for line in lines if "no band recorded" in line]
    assert not unrecorded, "headlines without a band (run `python -m benchmarks lessons`):\n" + "\n".join(unrecorded)


def test_a_wrong_number_planted_in_a_lesson_fails_the_prose_check(executed):
    """On a real executed lesson: a sentence with a number its run did not print is named."""
    cells = executed_cells(executed, "08_lstm_gru")
    planted = "The LSTM reached 0.8137 after 4,711 steps."
    position = max(i for i, cell in enumerate(cells) if cell["cell_type"] == "code")
    cells.insert(position + 1, {"cell_type": "markdown", "metadata": {}, "source": planted})
    missing = prose_numbers.unsourced(cells, "08_lstm_gru", PROSE_ALLOWED.get("08_lstm_gru"))
    assert [(m.number, m.sentence) for m in missing] == [("0.8137", planted), ("4,711", planted)]


def test_no_error_output_in_any_page(html):
    for page in html.rglob("*.html"):
        text = page.read_text()
        assert "Traceback (most recent call last)" not in text, page
        assert 'class="output traceback' not in text, page


def test_math_pages_load_mathjax_from_the_book_not_a_cdn(html):
    math_pages = [page for page in html.rglob("*.html") if 'class="math' in page.read_text()]
    assert len(math_pages) >= len(lesson_sources())
    for page in math_pages:
        scripts = re.findall(r'<script[^>]+src="([^"]*mathjax[^"]*)"', page.read_text(), re.I)
        assert len(scripts) == 1 and re.match(r"(\.\./)*_static/mathjax/tex-mml-chtml\.js", scripts[0]), (page, scripts)
        assert (page.parent / scripts[0].split("?")[0]).resolve().is_file()


# --- The built book in a real browser ---------------------------------------------------
# Debian's chromium, driven by playwright, opens the book served on 127.0.0.1. Requests
# that would leave the machine are stopped and recorded: a page must make none by itself.

# Debian packages the browser test needs, each with a file that shows it is installed. The
# Korean font makes the screenshots show the course's Hangul terms instead of empty boxes.
BROWSER_PACKAGES = {
    "chromium": Path("/usr/bin/chromium"),
    "fonts-nanum": Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf"),
}
# CI runs as root, where chromium starts only without its sandbox. The other flags stop its
# own background connections (updates, sync, QUIC probes), refused on a closed network.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Console errors of the toolchain itself, on every page and harmless (sphinx-thebe 0.3.1,
# pydata-sphinx-theme 0.17.1): sphinx-thebe writes its inline config script twice, so the
# second `const` fails; on a first visit (empty localStorage) the theme reads an empty
# light/dark mode, logs this and falls back to "auto".
TOOLCHAIN_CONSOLE_ERRORS = {
    "Identifier 'THEBE_JS_URL' has already been declared",
    "Got invalid theme mode: . Resetting to auto.",
}
BROWSER_LESSONS = ["02_feedforward_and_nnlm", "14_transformer"]  # Part I and Part III, both with math
# Every lesson's code keeps to 88 columns, which tests/test_notebooks.py checks
# (book/_static/course.css makes room for 96 at 1280 pixels); in the browser, a sample
# of Part I, II and III shows that no code cell scrolls sideways.
CODE_WIDTH_LESSONS = [
    "02_feedforward_and_nnlm",
    "03_word2vec",
    "07_rnn",
    "09_bidirectional_and_stacked",
    "14_transformer",
    "16_gpt",
]
SCREENSHOTS = ROOT / "_build" / "screenshots"
# TeX delimiters and commands that are only visible if MathJax did not typeset the math.
RAW_TEX = re.compile(r"\$\$|\\[()\[\]]|\\begin\{|\\frac\b")


def apt_get(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(["apt-get", *args], capture_output=True, text=True, env=env)


def missing_browser_packages() -> list[str]:
    return [name for name, marker in BROWSER_PACKAGES.items() if not marker.is_file()]


def install_browser_packages() -> None:
    """Install Debian's chromium (never a downloaded browser build) and the font, if missing."""
    missing = missing_browser_packages()
    if not missing:
        return
    install = apt_get("install", "-y", *missing)
    if install.returncode != 0:  # a fresh machine may have no package lists yet
        apt_get("update")
        install = apt_get("install", "-y", *missing)
    if install.returncode != 0 or missing_browser_packages():
        pytest.fail(f"the browser test needs Debian's {' and '.join(missing)}; apt-get install failed:\n{install.stderr[-2000:]}")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # one line per request would bury pytest's report
        pass


@pytest.fixture(scope="module")
def book_url(html):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(html)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def browser():
    install_browser_packages()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=BROWSER_PACKAGES["chromium"], args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@dataclass
class Visit:
    """A page opened in its own browser context, and what went wrong while it was open."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    http_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)

    def assert_clean(self, expected_outside: tuple[str, ...] = ()) -> None:
        assert tuple(self.outside_requests) == expected_outside, f"requests leaving the machine: {self.outside_requests}"
        assert not self.http_errors, self.http_errors
        assert not self.failed_requests, self.failed_requests
        errors = [error for error in self.console_errors if error not in TOOLCHAIN_CONSOLE_ERRORS]
        assert not errors, errors


def route_request(route: Route, book_url: str, visit: Visit) -> None:
    """Serve the book's own files; stop and record everything else (Colab gets a stand-in page)."""
    url = route.request.url
    if url.startswith(f"{book_url}/"):
        route.continue_()
        return
    visit.outside_requests.append(url)
    if url.startswith(f"{COLAB}/"):
        route.fulfill(content_type="text/html", body="<title>Colab stand-in</title>")
    else:
        route.abort()


def record_failure(request: Request, book_url: str, visit: Visit) -> None:
    """Record a failed request for the book's own files (stopped outside ones are recorded already)."""
    if request.url.startswith(f"{book_url}/"):
        visit.failed_requests.append(f"{request.url}: {request.failure}")


@pytest.fixture
def visit(browser: Browser, book_url: str):
    contexts = []

    def open_page(path: str) -> Visit:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        seen = Visit(context.new_page())
        context.route("**/*", lambda route: route_request(route, book_url, seen))
        seen.page.on("console", lambda message: message.type == "error" and seen.console_errors.append(message.text))
        seen.page.on("pageerror", lambda error: seen.console_errors.append(str(error)))
        seen.page.on("requestfailed", lambda request: record_failure(request, book_url, seen))
        seen.page.on("response", lambda response: response.status >= 400 and seen.http_errors.append(f"{response.status} {response.url}"))
        seen.page.goto(f"{book_url}/{path}")
        return seen

    yield open_page
    for context in contexts:
        context.close()


def screenshot_pixels(page: Page, name: str) -> np.ndarray:
    """A full-page screenshot saved to _build/screenshots/<name>.png, as grey levels (H, W)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    png = page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"))


def assert_rendered(page: Page, name: str) -> None:
    """The page has a title and a heading, and its screenshot is not one flat colour."""
    assert page.title() and page.locator("article.bd-article h1").first.is_visible()
    pixels = screenshot_pixels(page, name)
    assert pixels.shape[0] >= 900 and pixels.std() > 10, f"{name}: the screenshot looks blank"


def assert_figures_loaded(page: Page, at_least: int) -> None:
    images = page.eval_on_selector_all(
        "article.bd-article img",
        "images => images.map(img => ({src: img.currentSrc, complete: img.complete, width: img.naturalWidth}))",
    )
    assert len(images) >= at_least, f"{len(images)} figures, expected at least {at_least}"
    broken = [image["src"] for image in images if not (image["complete"] and image["width"] > 0)]
    assert not broken, f"figures that did not load: {broken}"


def wait_for_math(seen: Visit) -> None:
    """Wait until MathJax has loaded and typeset the page (its startup promise resolves then)."""
    try:
        seen.page.wait_for_function("() => window.MathJax?.startup?.promise !== undefined", timeout=20_000)
    except PlaywrightTimeoutError:
        pytest.fail(f"MathJax did not load within 20 s; failed responses: {seen.http_errors}")
    seen.page.evaluate("() => MathJax.startup.promise")


def assert_math_typeset(page: Page) -> None:
    """Every math element holds MathJax output without TeX errors, and no raw TeX is left."""
    counts = page.evaluate(
        """() => {
            const math = [...document.querySelectorAll("article.bd-article .math")];
            return {
                math: math.length,
                untypeset: math.filter(element => !element.querySelector("mjx-container")).length,
                tex_errors: document.querySelectorAll("article.bd-article mjx-merror").length,
            };
        }"""
    )
    assert counts["math"] >= 5 and counts["untypeset"] == 0 and counts["tex_errors"] == 0, counts
    # the article's text outside code, scripts and typeset math: where raw TeX would show
    prose = page.eval_on_selector(
        "article.bd-article",
        """article => {
            const copy = article.cloneNode(true);
            copy.querySelectorAll("pre, code, script, mjx-container").forEach(node => node.remove());
            return copy.textContent;
        }""",
    )
    raw_tex = RAW_TEX.findall(prose)
    assert not raw_tex, f"raw TeX left in the text: {raw_tex[:5]}"


def assert_colab_button_opens(page: Page, expected_url: str) -> None:
    """The rocket menu's Colab item points at expected_url, and clicking it opens that URL."""
    page.click(".dropdown-launch-buttons button")
    colab_link = page.locator(f'.dropdown-launch-buttons a[href^="{COLAB}/"]')
    assert colab_link.get_attribute("href") == expected_url
    with page.context.expect_page() as new_tab:  # the link opens a new tab
        colab_link.click()
    new_tab.value.wait_for_load_state()
    assert new_tab.value.url == expected_url


def test_index_opens_the_first_page_in_a_browser(visit):
    seen = visit("index.html")
    seen.page.wait_for_url("**/book/intro.html")  # index.html is a meta-refresh redirect
    seen.page.wait_for_load_state()
    assert_rendered(seen.page, "index")
    assert_figures_loaded(seen.page, at_least=0)
    seen.assert_clean()


@pytest.mark.parametrize("lesson", BROWSER_LESSONS)
def test_lesson_in_a_browser(visit, book_config, lesson):
    seen = visit(f"notebooks/{lesson}.html")
    wait_for_math(seen)
    assert_rendered(seen.page, lesson)
    assert_figures_loaded(seen.page, at_least=2)
    assert_math_typeset(seen.page)
    # the only request that leaves the machine is the Colab one, made by the click
    assert_colab_button_opens(seen.page, colab_url(book_config, lesson))
    seen.assert_clean(expected_outside=(colab_url(book_config, lesson),))


def code_blocks_that_scroll(page: Page) -> tuple[int, list[str]]:
    """How many code cells the article shows (the collapsed solutions opened), and those whose
    code is wider than its box, i.e. has a scrollbar. (Printed output is not lesson code:
    its lines can be longer, and scroll.)"""
    measured = page.evaluate(
        """() => {
            document.querySelectorAll("article.bd-article details").forEach(details => { details.open = true; });
            const blocks = [...document.querySelectorAll("article.bd-article div.cell_input pre")];
            const longest = pre => pre.textContent.split("\\n").reduce((a, b) => (b.length > a.length ? b : a), "");
            return {
                count: blocks.length,
                scrolling: blocks.filter(pre => pre.scrollWidth > pre.clientWidth)
                    .map(pre => `${pre.scrollWidth} px in ${pre.clientWidth}: ${longest(pre)}`),
            };
        }"""
    )
    return measured["count"], measured["scrolling"]


@pytest.mark.parametrize("lesson", CODE_WIDTH_LESSONS)
def test_code_cells_fit_the_column_without_scrolling(visit, lesson):
    seen = visit(f"notebooks/{lesson}.html")
    count, scrolling = code_blocks_that_scroll(seen.page)
    assert count >= 10, f"only {count} code cells: are the cells rendered?"
    assert not scrolling, f"{len(scrolling)} of {count} code cells scroll sideways at 1280 px: {scrolling[:5]}"
    screenshot_pixels(seen.page, f"{lesson}-code")


def table_layout(page: Page, selector: str) -> list[dict]:
    """Each table's width against its container's and where its header cells are."""
    return page.eval_on_selector_all(
        selector,
        """tables => tables.map(table => {
            const container = table.parentElement;
            const visible = container.getBoundingClientRect();
            return {
                scroll_width: container.scrollWidth,
                client_width: container.clientWidth,
                right: table.getBoundingClientRect().right,
                article_right: document.querySelector("article.bd-article").getBoundingClientRect().right,
                visible_right: Math.min(visible.right, window.innerWidth),
                headers: [...table.querySelectorAll("thead th")].map(th => {
                    const box = th.getBoundingClientRect();
                    return {text: th.textContent.trim(), left: box.left, right: box.right};
                }),
            };
        })""",
    )


def test_results_comparison_fits_at_a_glance(visit):
    seen = visit("book/results.html")
    seen.page.wait_for_load_state()
    assert_rendered(seen.page, "results")
    assert_figures_loaded(seen.page, at_least=2)
    # The comparison the page exists for: the first table of the reference section, with
    # every column on screen at 1280 pixels, no scrolling needed.
    comparison = table_layout(seen.page, "section#reference-runs-against-published-numbers table")[0]
    assert "anchor" in [header["text"] for header in comparison["headers"]], comparison
    off_screen = [header["text"] for header in comparison["headers"]
                  if header["left"] < 0 or header["right"] > comparison["visible_right"] + 0.5]
    assert not off_screen, f"columns cut or off-screen at 1280 px: {off_screen}"
    # No table of the page (the lesson times too) is wider than the article's column.
    for table in table_layout(seen.page, "article.bd-article table"):
        assert table["scroll_width"] <= table["client_width"], table
        assert table["right"] <= table["article_right"] + 0.5, table
    seen.assert_clean()
