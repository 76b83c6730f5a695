"""Prose equals run: every number a lesson's text states has a source a reader can check.

A number in a lesson's markdown (a decimal, a percentage, a number of three or more digits,
a multiplier such as 1.5x) is accepted when it is

- **printed**: a code cell above it printed it, at the precision the text writes it
  (0.76 for a printed 0.7612; 76% for 0.7612 or 76.1%);
- **code**: a literal of the notebook's code (a hyperparameter, a size), or of code
  the markdown quotes (a fenced block, or inline code such as `dropout=0.3`);
- **cited**: its sentence carries a ``{cite}`` role (a published number);
- **benchmarked**: its sentence links to the results page and the number is one of
  ``benchmarks/results/*.json`` or of the seed bands in ``nlpcourse/seed_bands.json``,
  read here;
- **allowed**: it is in the lesson's allowlist (tests/test_book.py), with a reason.

Not numbers in this sense: years, version numbers of a named package, section numbers of a
heading, and what only a machine reads (links, labels, citation keys, file names).

``python tests/prose_numbers.py [--explain] EXECUTED.ipynb ...`` lists what a lesson
states without a source (with ``--explain``, every number and its source);
tests/test_book.py runs the same check on every lesson of the built book.
"""

from __future__ import annotations

import io
import json
import math
import re
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARK_RESULTS = ROOT / "benchmarks" / "results"
SEED_BANDS = ROOT / "nlpcourse" / "seed_bands.json"  # written by make bench too

# A number as prose writes it: 37,170 / 0.76 / 1e-3 / 9.5e-7 / 76% / 1.5x. The lookarounds
# keep out parts of words and names (SmolLM2-135M, 6B, 50d, t5, x86).
NUMBER = re.compile(
    r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:e[-+]?\d+)?)(?:\s?%|\s?[x×](?![A-Za-z]))?(?![\w]|\.\d)"
)
# A number in an output: anything numeric (tensors, tables, f-strings, percentages).
OUTPUT_NUMBER = re.compile(r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[-+]?\d+)?(?:\s?%)?", re.I)
PACKAGES = (r"torch|PyTorch|torchtext|transformers|tokenizers|gensim|numpy|NumPy|scikit-learn|sklearn|"
            r"Python|matplotlib|jupyter-book|Jupyter Book|nbval|jupytext|sacrebleu|otter-grader|spaCy|CUDA")
VERSION = re.compile(rf"\b(?:{PACKAGES})\s+v?\d+(?:\.\d+)+|\bISO\s+\d+")  # and standards' names
YEAR = range(1950, 2030)


@dataclass(frozen=True)
class Number:
    text: str  # as written, e.g. "0.76", "37,170", "76%", "1.5x"
    sentence: str  # the sentence (or table row, or heading) it stands in

    @property
    def value(self) -> float:
        return float(re.sub(r"[,%x×\s]", "", self.text))

    @property
    def decimals(self) -> int:
        """Decimal places written (for 9.5e-7: significant decimals of the mantissa)."""
        mantissa = re.sub(r"[,%x×\s]", "", self.text).lower().split("e")[0]
        return len(mantissa.split(".")[1]) if "." in mantissa else 0

    @property
    def is_percent(self) -> bool:
        return self.text.endswith("%")

    @property
    def is_scientific(self) -> bool:
        return "e" in self.text.lower()


@dataclass(frozen=True)
class Unsourced:
    where: str
    number: str
    sentence: str

    def __str__(self) -> str:
        return f"{self.where}: {self.number!r} in: {self.sentence}"


# --- what prose is -----------------------------------------------------------------------

FENCE = re.compile(r"^[ \t]*(```+|~~~+)([^\n]*)\n(.*?)^[ \t]*\1[ \t]*$", re.S | re.M)  # also inside a list


def split_fences(markdown: str) -> tuple[str, list[str]]:
    """Markdown without its fenced code blocks, and those blocks' code. A directive fence
    (```{math}, ```{admonition}) is prose and stays; a code fence's comments stay as prose."""
    code_blocks: list[str] = []

    def replace(match: re.Match) -> str:
        info, body = match.group(2).strip(), match.group(3)
        if info.startswith("{") and not info.startswith("{code"):
            return match.group(0)
        code, comments = [], []
        for line in body.splitlines():
            before, hash_, after = line.partition("#")
            code.append(before)
            if hash_:
                comments.append(after)
        code_blocks.append("\n".join(code))
        return "\n".join(comments) + "\n"

    return FENCE.sub(replace, markdown), code_blocks


def strip_machine_text(markdown: str) -> str:
    """Remove what a reader does not read as a number: link targets, labels, roles' targets
    (but keep `{cite}` as a marker), file names, HTML tags, versions, years."""
    text = markdown.replace("{,}", ",")  # TeX's thousands separator: 8{,}610
    text = re.sub(r"^\([\w-]+\)=\s*$", "", text, flags=re.M)  # (label)=
    text = re.sub(r"\]\([^)]*results(?:\.md|\.html)?(?:#[^)]*)?\)", "] {results}", text)  # a link to the results page
    text = re.sub(r"\{doc\}`[^`]*results>?`", " {results} ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # [text](target)
    text = re.sub(r"<[^>\n]+>", " ", text)  # HTML tags
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"\{cite(?::\w+)?\}`[^`]*`", " {cite} ", text)
    text = re.sub(r"\{(?:numref|ref|doc|eq|term|download)\}`([^`<]*)(?:<[^`]*>)?`", r"\1", text)
    text = re.sub(r"^:\w[\w-]*:.*$", "", text, flags=re.M)  # directive options (:label: ...)
    text = re.sub(r"[\w./-]+\.(?:py|ipynb|md|json|txt|csv|tsv|png|pt|zip|gz)\b", " ", text)
    text = VERSION.sub(" ", text)
    text = re.sub(r"^(#+)\s+\d+(?:\.\d+)*\.?\s", r"\1 ", text, flags=re.M)  # section numbers
    return text


def sentences(text: str) -> list[str]:
    """Table rows, headings and list items one each; paragraphs split after . ! ? or :."""
    pieces: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = block.splitlines()
        if any(line.lstrip().startswith("|") for line in lines) or any(line.startswith("#") for line in lines):
            pieces += lines
            continue
        items = re.split(r"\n(?=\s*(?:[-*+]|\d+\.)\s)", block)
        for item in items:
            flat = " ".join(item.split())
            pieces += re.split(r"(?<=[.!?])\s+(?=[A-Z(*_`${])", flat)
    return [piece.strip() for piece in pieces if piece.strip()]


def prose_numbers(markdown: str) -> tuple[list[Number], list[str]]:
    """The numbers a markdown cell states, each with its sentence, and the code it quotes."""
    prose, code_blocks = split_fences(markdown)
    numbers = []
    for sentence in sentences(strip_machine_text(prose)):
        for match in NUMBER.finditer(sentence):
            number = Number(match.group(0), sentence)
            digits = match.group(0)
            if re.fullmatch(r"\d{4}", digits) and int(digits) in YEAR:
                continue
            if re.fullmatch(r"\d{1,2}\s?[x×]?", digits):  # small counts, lesson numbers, 4x
                continue
            numbers.append(number)
    return numbers, code_blocks


# --- where a number may come from --------------------------------------------------------

def inline_code(markdown: str) -> list[str]:
    """Inline code that is code, not a quoted value: `dropout=0.3`, `Linear(3000, 64)`."""
    return [span for span in re.findall(r"`([^`\n]+)`", markdown) if re.search(r"[=(\[]", span)]


def code_literals(source: str) -> set[float]:
    """The numeric literals of a cell of Python (magics and shell lines left out)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    values: set[float] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO("\n".join(lines) + "\n").readline):
            if token.type == tokenize.NUMBER and not token.string.endswith(("j", "J")):
                values.add(float(token.string.replace("_", "")) if "." in token.string or "e" in token.string.lower()
                           else float(int(token.string.replace("_", ""), 0)))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        for match in re.finditer(r"(?<![\w.])\d[\d_]*(?:\.\d+)?(?:e[-+]?\d+)?", source):
            values.add(float(match.group(0).replace("_", "")))
    return values


def output_text(cell: dict) -> str:
    texts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            texts.append("".join(output["text"]))
        data = output.get("data", {})
        for mime in ("text/plain", "text/html", "text/markdown", "text/latex"):
            if mime in data:
                texts.append("".join(data[mime]))
    return "\n".join(texts)


@dataclass(frozen=True)
class Printed:
    value: float
    decimals: int
    is_percent: bool


def printed_numbers(text: str) -> list[Printed]:
    found = []
    for match in OUTPUT_NUMBER.finditer(text):
        raw = match.group(0).replace(",", "").replace(" ", "")
        is_percent = raw.endswith("%")
        mantissa = raw.rstrip("%").lower().split("e")[0]
        try:
            value = abs(float(raw.rstrip("%")))
        except ValueError:
            continue
        found.append(Printed(value, len(mantissa.split(".")[1]) if "." in mantissa else 0, is_percent))
    return found


def rounds_to(value: float, number: Number) -> bool:
    target = number.value
    if number.is_scientific:
        if value == 0 or target == 0:
            return value == target
        exponent = math.floor(math.log10(abs(target)))
        return round(value / 10**exponent, number.decimals) == round(target / 10**exponent, number.decimals)
    return math.isclose(round(value, number.decimals), target, rel_tol=0, abs_tol=10 ** -(number.decimals + 3))


def is_printed(number: Number, printed: list[Printed]) -> bool:
    """The text's number, at the precision it is written, is a number the run printed (a
    fraction the text writes as a percentage counts; a printed number is never made more
    precise than it was printed)."""
    for out in printed:
        candidates = []
        if number.is_percent:
            # 76% is a printed 76.1% or a printed fraction 0.761, never a plain 76
            candidates = [(out.value, out.decimals)] if out.is_percent else [(out.value * 100, out.decimals - 2)]
        else:
            candidates = [(out.value, out.decimals)]
        for value, decimals in candidates:
            if (number.is_scientific or decimals >= number.decimals) and rounds_to(value, number):
                return True
    return False


def is_code(number: Number, literals: set[float]) -> bool:
    value = number.value
    return any(math.isclose(value, literal, rel_tol=1e-12) or (number.is_percent and math.isclose(value / 100, literal))
               for literal in literals)


def json_numbers(folder: Path = BENCHMARK_RESULTS) -> list[Printed]:
    """Every number in the benchmark results, as if printed at full precision."""
    values: list[Printed] = []

    def walk(node, least_decimals: int) -> None:
        if isinstance(node, dict):
            for child in node.values():
                walk(child, least_decimals)
        elif isinstance(node, list):
            for child in node:
                walk(child, least_decimals)
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            text = repr(node)
            decimals = max(least_decimals, len(text.split(".")[1]) if "." in text else 0)
            # the JSON holds accuracies both as fractions and in % (metric "accuracy %")
            values.extend([Printed(abs(float(node)), decimals, False), Printed(abs(float(node)), decimals, True)])
        elif isinstance(node, str):
            values.extend(printed_numbers(node))

    for path in [*sorted(folder.glob("*.json")), SEED_BANDS]:
        if path.exists():
            recorded = json.loads(path.read_text())
            if path == SEED_BANDS:  # the lessons' bands are rounded to 6 decimals: 0.53 is 0.530000
                walk(recorded.pop("lessons", {}), 6)
            walk(recorded, 0)
    return values


def classify(cells: list[dict], allowed: dict[str, str] | None = None,
             benchmark: list[Printed] | None = None, benchmarked_page: bool = False,
             printed_elsewhere: list[Printed] = ()) -> list[tuple[Number, str | None]]:
    """Each number of a notebook's markdown cells (in the order of `cells`, nbformat
    dicts with outputs) with where it comes from: "allowed", "cited", "printed", "code",
    "benchmarked", or None. `benchmarked_page`: the whole page quotes the benchmark (the
    closing page, which also quotes what the lessons printed: `printed_elsewhere`)."""
    allowed = allowed or {}
    benchmark = json_numbers() if benchmark is None else benchmark
    literals: set[float] = set()
    for cell in cells:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code":
            literals |= code_literals(source)
        elif cell["cell_type"] == "markdown":
            for block in split_fences(source)[1] + inline_code(source):
                literals |= code_literals(block)
    printed: list[Printed] = list(printed_elsewhere)
    found = []
    for cell in cells:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code":
            printed += printed_numbers(output_text(cell))
            continue
        if cell["cell_type"] != "markdown":
            continue
        for number in prose_numbers(source)[0]:
            if number.text in allowed or number.text.replace(" ", "") in allowed:
                kind = "allowed"
            elif "{cite}" in number.sentence:
                kind = "cited"
            elif is_printed(number, printed):
                kind = "printed"
            elif is_code(number, literals):
                kind = "code"
            elif (benchmarked_page or "{results}" in number.sentence) and is_printed(number, benchmark):
                kind = "benchmarked"
            else:
                kind = None
            found.append((number, kind))
    return found


def unsourced(cells: list[dict], where: str, allowed: dict[str, str] | None = None, **kwargs) -> list[Unsourced]:
    """The numbers of :func:`classify` without a source, named for a failure message."""
    return [Unsourced(where, number.text, number.sentence)
            for number, kind in classify(cells, allowed, **kwargs) if kind is None]


def markdown_cells(path: Path) -> list[dict]:
    """A MyST markdown page as one markdown cell."""
    return [{"cell_type": "markdown", "source": path.read_text()}]


def main(argv: list[str]) -> int:
    explain = "--explain" in argv  # every number with its source, not only the unsourced
    failures = 0
    for path in (Path(arg) for arg in argv if arg != "--explain"):
        cells = json.loads(path.read_text())["cells"] if path.suffix == ".ipynb" else markdown_cells(path)
        for number, kind in classify(cells, benchmarked_page=path.suffix == ".md"):
            failures += kind is None
            if explain or kind is None:
                print(f"{path.stem}: {kind or 'NO SOURCE':>11} {number.text!r} in: {number.sentence}")
    print(f"{failures} numbers without a source")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
