"""book/results.md and its two figures, made from benchmarks/results/*.json only.

``python -m benchmarks report`` (the last step of ``make bench``) writes them;
tests/test_benchmarks.py checks that the committed page and figures are exactly what the
committed JSON gives, so the page cannot be edited by hand or fall behind the numbers.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from benchmarks.records import ROOT  # noqa: E402
from benchmarks.run import REFERENCES, RESULTS, read_json  # noqa: E402
from nlpcourse.bands import read_bands  # noqa: E402

PAGE = ROOT / "book" / "results.md"
FIGURES = ROOT / "book" / "figures"
LESSON_FIGURE = FIGURES / "results_lessons.svg"
REFERENCE_FIGURE = FIGURES / "results_references.svg"

LESSON_BUDGET_S = 60
LESSON_TARGET_S = 30
COURSE_BUDGET_S = 15 * 60


def lesson_title(name: str) -> str:
    """The lesson's first Markdown heading, from its .py source."""
    source = (ROOT / "notebooks" / f"{name}.py").read_text()
    match = re.search(r"^# # (.+)$", source, flags=re.MULTILINE)
    if not match:
        raise ValueError(f"notebooks/{name}.py has no '# # Title' heading")
    return match.group(1).strip()


def number(value: float) -> str:
    """Three significant figures, but never hide digits left of the point; thousands
    separated."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def relative_quality(record: dict) -> float | None:
    """Our number as a percentage of the anchor, oriented so that 100 means "as good as
    the anchor" for both higher-is-better and lower-is-better metrics."""
    if record["anchor"] is None:
        return None
    ratio = record["value"] / record["anchor"] if record["higher_is_better"] else record["anchor"] / record["value"]
    return 100 * ratio


def _svg(figure) -> str:
    # Fixed ids and no date: the same numbers give the same bytes, so the test can
    # compare the committed figure with a fresh one.
    with matplotlib.rc_context({"svg.hashsalt": "nlpcourse-results", "svg.fonttype": "none"}):
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def lesson_figure(lessons: dict) -> str:
    names = list(lessons)
    medians = [lessons[name]["median_s"] for name in names]
    low = [lessons[name]["median_s"] - lessons[name]["min_s"] for name in names]
    high = [lessons[name]["max_s"] - lessons[name]["median_s"] for name in names]
    colours = ["tab:red" if m > LESSON_BUDGET_S else "tab:blue" for m in medians]
    figure, axis = plt.subplots(figsize=(8, 3.6))
    axis.bar(range(len(names)), medians, yerr=[low, high], color=colours, capsize=3)
    axis.axhline(LESSON_BUDGET_S, color="tab:red", linestyle="--", label=f"budget {LESSON_BUDGET_S} s")
    axis.axhline(LESSON_TARGET_S, color="tab:green", linestyle=":", label=f"target {LESSON_TARGET_S} s")
    axis.set_xticks(range(len(names)), [name[:2] for name in names])
    axis.set_xlabel("lesson")
    axis.set_ylabel("wall time, s (median, min-max)")
    axis.legend(loc="upper left", frameon=False)
    return _svg(figure)


def reference_figure(records: list[dict]) -> str:
    anchored = [record for record in records if record["anchor"] is not None]
    shares = [relative_quality(record) for record in anchored]
    figure, axis = plt.subplots(figsize=(8, 0.45 * len(anchored) + 1.2))
    rows = range(len(anchored))[::-1]
    axis.barh(rows, shares, color="tab:blue")
    axis.axvline(100, color="black", linewidth=1)
    for row, share in zip(rows, shares):
        axis.text(share + 1, row, f"{share:.0f}%", va="center", fontsize=9)
    axis.set_yticks(rows, [record["name"] for record in anchored])
    axis.set_xlabel("our number as % of the published anchor (100 = as good; lower-is-better metrics inverted)")
    axis.set_xlim(0, max(shares + [100]) * 1.15)
    return _svg(figure)


def _machine_line(machine: dict) -> str:
    return (f"{machine['cpu']}, {machine['cores']} cores, Python {machine['python']}, torch "
            f"{machine['torch']}, measured on {machine['date']} at commit `{machine['commit']}`")


def run_label(record: dict) -> str:
    """The target of a run's sub-section, which the short table links to."""
    return f"results-run-{record['name']}"


def reference_table(records: list[dict]) -> list[str]:
    """The comparison at a glance: four short columns that fit the book's column (the
    details of each run follow in its own sub-section, reference_details)."""
    lines = ["| run | ours | anchor | share of anchor |", "|---|---|---:|---:|"]
    for record in records:
        share = relative_quality(record)
        anchor = "–" if record["anchor"] is None else number(record["anchor"])
        lines.append(
            f"| {{ref}}`{record['name']} <{run_label(record)}>` | **{number(record['value'])}** {record['metric']} "
            f"| {anchor} | {'–' if share is None else f'{share:.0f}%'} |")
    return lines


def reference_details(records: list[dict]) -> list[str]:
    """One sub-section a run: what it is, where the anchor comes from, its cost and what
    differs from the anchor, as a definition list."""
    lines = ["### Each run in detail", ""]
    for record in records:
        anchor = "none" if record["anchor"] is None else f"{number(record['anchor'])} {record['metric']}"
        cite = f" {{cite:p}}`{record['anchor_cite']}`" if record["anchor_cite"] else ""
        lines += [
            f"({run_label(record)})=",
            f"#### `{record['name']}`",
            "",
            f"Task\n: {record['task']}",
            "",
            f"Model\n: {record['model']}",
            "",
            f"Ours / anchor\n: **{number(record['value'])}** {record['metric']} / {anchor}",
            "",
            f"Source of the anchor\n: {record['anchor_source']}{cite}",
            "",
            f"Time\n: {record['cpu_s']:.0f} CPU s (budget {record['budget_cpu_s']:.0f}), {record['wall_s']:.0f} s wall",
            "",
            f"What differs\n: {record['differences']}",
            "",
        ]
    return lines


def reference_section(results: dict[str, dict]) -> list[str]:
    """``results``: the reference modules that have a results file, in course order."""
    records = [record for result in results.values() for record in result["records"]]
    first = next(iter(results.values()))
    lines = [
        "## Reference runs against published numbers",
        "",
        "Each run trains one of the course's own models, from `nlpcourse`, on a sample of a real data set "
        "(the tier-2 sample files, {doc}`data`), with seed 0 and a fixed amount of work sized to a CPU "
        "budget on this machine; the anchors were mostly trained longer, on the full data, on a GPU. "
        "So read each row with its \"what differs\" note (below the figure; the run's name links to it): "
        "the question is how close a laptop-sized run of the course's code gets, not who wins.",
        "",
        f"Machine: {_machine_line(first['machine'])}; {first['machine']['torch_threads']} torch threads.",
        "",
        "The share of anchor is our number as a percentage of the anchor's, oriented so that 100% means "
        "as good as the anchor (for a lower-is-better metric such as nats/char, anchor / ours).",
        "",
        *reference_table(records),
        "",
        f"```{{figure}} figures/{REFERENCE_FIGURE.name}",
        ":name: results-references",
        ":alt: Horizontal bar chart, one bar per anchored run: our number as a percentage of the published "
        "anchor, with a vertical line at 100 percent (as good as the anchor).",
        "",
        "Each anchored run's number as a share of its anchor. The runs are far smaller than the "
        "anchors' (see below), so the bars measure how much of the published quality a few CPU "
        "minutes buy.",
        "```",
        "",
        *reference_details(records),
    ]
    lines += ["### Per-module totals", "",
              "The load column is the machine's 1-minute load average when the module started: "
              "above 2 on this 2-core machine, other work shared the CPU, which lengthens wall "
              "times (CPU seconds much less so; the numbers reached not at all, since every run "
              "does a fixed amount of work from a fixed seed).", "",
              "| module | records | wall s | peak memory | load at start |", "|---|---|---|---|---|"]
    for name, result in results.items():
        lines.append(f"| `benchmarks/{name}.py` | {len(result['records'])} | {result['wall_s']:.0f} | "
                     f"{result['peak_rss_mb'] / 1024:.2f} GB | {result['load_before']:.1f} |")
    missing = [name for name in REFERENCES if name not in results]
    if missing:
        lines += ["", "Not measured yet: " + ", ".join(f"`benchmarks/{name}.py`" for name in missing)
                  + " (no results file; `python -m benchmarks references --only "
                  + " ".join(missing) + "` makes it)."]
    return lines + [""]


def _times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def lesson_section(lessons_result: dict) -> list[str]:
    lessons = lessons_result["lessons"]
    total = sum(lesson["median_s"] for lesson in lessons.values())
    over = [name for name, lesson in lessons.items() if lesson["median_s"] > LESSON_BUDGET_S]
    calibration = lessons_result.get("calibration_s")
    seeded = "seeds" in lessons_result
    lines = [
        "## Lesson run times",
        "",
        f"Every lesson notebook executed {_times(lessons_result['repeats'])} with `jupyter execute`, as a "
        "learner runs it (kernel start included, outputs thrown away), round robin"
        + (", run *k* with seed *k*" if seeded else "")
        + "; the table gives the "
        f"median wall time, the range, the peak memory of the process tree and the highest 1-minute load "
        "average seen before a run (about 1 means the lesson had the machine to itself). Budget: "
        f"{LESSON_BUDGET_S} s "
        f"a lesson (target {LESSON_TARGET_S} s) and {COURSE_BUDGET_S // 60} min for the course.",
        "",
        f"Machine: {_machine_line(lessons_result['machine'])}.",
        "",
    ]
    if calibration:
        lines += [
            f"Machines differ: on another idle 2-core machine the recurrent lessons ran up to twice as fast. "
            f"So the same run also timed a fixed calibration workload (a small GRU forward and backward "
            f"pass and a loop of matrix products on two threads, `benchmarks/run.py`): "
            f"**{calibration:.2f} s** here. The column *calibrations* is each lesson's median divided by "
            "the calibration timed in the same run (a lesson timed again alone is divided by its own), "
            "a time that compares across machines: time the workload on yours "
            "(`python -c \"from benchmarks.run import calibration_seconds as c; print(c())\"`) and "
            "multiply.",
            "",
        ]
    lines += [
        "| lesson | median s | min-max s | " + ("calibrations | " if calibration else "")
        + "peak memory | load at start | within budget |",
        "|---|---|---|---|---|---|" + ("---|" if calibration else ""),
    ]
    for name, lesson in lessons.items():
        verdict = "no" if lesson["median_s"] > LESSON_BUDGET_S else (
            "yes" if lesson["median_s"] > LESSON_TARGET_S else "yes, under target")
        lines.append(f"| {{doc}}`{lesson_title(name)} <../notebooks/{name}>` | {lesson['median_s']:.1f} | "
                     f"{lesson['min_s']:.1f}-{lesson['max_s']:.1f} | "
                     + (f"{lesson['calibrations']:.1f} | " if calibration else "")
                     + f"{lesson['peak_rss_mb'] / 1024:.2f} GB | "
                     f"{max(run['load_before'] for run in lesson['runs']):.1f} | {verdict} |")
    lines += [
        "",
        f"**Course total: {total / 60:.1f} min** (sum of the medians) against the {COURSE_BUDGET_S // 60} min "
        f"budget; {len(over)} of {len(lessons)} lessons over {LESSON_BUDGET_S} s"
        + (f" ({', '.join(over)})." if over else "."),
        "",
        f"```{{figure}} figures/{LESSON_FIGURE.name}",
        ":name: results-lessons",
        f":alt: Bar chart of each lesson's median wall time in seconds, with min-max error bars, a dashed "
        f"line at the {LESSON_BUDGET_S} s budget and a dotted line at the {LESSON_TARGET_S} s target; "
        "bars over the budget are red.",
        "",
        f"Median wall time of each lesson (error bars: min to max of its {lessons_result['repeats']} run(s)); red bars "
        "are over the budget.",
        "```",
        "",
    ]
    return lines


def converged_section(result: dict | None) -> list[str]:
    """Lessons 09 and 10's classifiers trained to convergence (benchmarks/converged.py)."""
    if not result:
        return []
    lines = [
        "## Part II's classifiers, trained to convergence",
        "",
        "Lessons 09 and 10 compare their tweet classifiers after one epoch each. Here the same "
        "models, data pipeline and optimiser train until the validation loss has not improved for "
        f"{result['patience']} epochs (at most {result['max_epochs']}; the best epoch's weights are kept), "
        f"with seeds {', '.join(map(str, result['seeds']))}, and are tested once "
        "(`benchmarks/converged.py`). Test accuracy, and in brackets the best epoch:",
        "",
        "| lesson | model | test accuracy by seed | mean |",
        "|---|---|---|---|",
    ]
    for lesson, models in result["lessons"].items():
        for name, runs in models.items():
            by_seed = ", ".join(f"{run['test_accuracy']:.3f} ({run['best_epoch']})" for run in runs)
            mean = sum(run["test_accuracy"] for run in runs) / len(runs)
            lines.append(f"| {{doc}}`{lesson_title(lesson)} <../notebooks/{lesson}>` | {name} | {by_seed} | "
                         f"{mean:.3f} |")
    return lines + [""]


def band_section(recorded: dict) -> list[str]:
    """Each lesson's headline numbers over seeds: the bands the lessons print beside a run."""
    if not recorded.get("lessons"):
        return []
    lines = [
        "## Seed bands: is my run normal?",
        "",
        "A lesson trains for seconds, so its numbers move with the seed. Each lesson reports its "
        "headline numbers (those of its summary table) with `nlpcourse.bands.Headlines`, which prints "
        "your run beside the band below; the runs of the timing table above recorded them, run *k* "
        f"with seed *k* on {recorded['machine']}. The band ships with the package "
        "(`nlpcourse/seed_bands.json`), so a run in Colab is compared with it too. Another machine "
        "(or another torch) may land a little outside it: the order of floating-point sums differs.",
        "",
        "| lesson | number | band | by seed |",
        "|---|---|---|---|",
    ]
    def fine(value: float) -> str:  # bands are narrow: three decimals below 10
        return f"{value:.3f}" if abs(value) < 10 else number(value)

    for lesson, table in recorded["lessons"].items():
        for name, band in table.items():
            values = band["values"]
            lines.append(f"| {{doc}}`{lesson_title(lesson)} <../notebooks/{lesson}>` | {name} | "
                         f"{fine(min(values))}-{fine(max(values))} | {', '.join(map(fine, values))} |")
    return lines + [""]


HEADER = """# Results: what the course delivers

```{{note}}
This page is generated by `make bench` (`benchmarks/report.py`) from the JSON files in
`benchmarks/results/`; do not edit it by hand. A test fails when the page or its figures
differ from what those files give.
```

The lessons assert what they must reach on every run; this page records what the
course's code reaches when it is given a few CPU minutes on a real data set, beside
the published numbers it can be compared with, and how long every lesson takes.
"""

FOOTER = """## Reproducing these numbers

```bash
make bench                                    # everything: about 90 min on 2 cores
.venv/bin/python -m benchmarks lessons --only 06_cnn_for_text --repeats 5
.venv/bin/python -m benchmarks references --only classification
.venv/bin/python -m benchmarks converged      # lessons 09-10's classifiers to convergence
.venv/bin/python -m benchmarks report         # this page, from the JSON alone
```

The reference runs read the tier-2 sample files from `../shared/data` (or `--data DIR`,
a folder in the same layout) and never download anything. Each writes its records,
the machine it ran on and its wall time into `benchmarks/results/<module>.json`.
"""


def render() -> dict[Path, str]:
    """The page and the figures, by the path each belongs at."""
    lessons_result = read_json(RESULTS / "lessons.json")
    references = {name: read_json(RESULTS / f"{name}.json") for name in REFERENCES
                  if (RESULTS / f"{name}.json").exists()}
    records = [record for result in references.values() for record in result["records"]]
    converged = read_json(RESULTS / "converged.json") if (RESULTS / "converged.json").exists() else None
    page = "\n".join([HEADER.format(), *reference_section(references), *converged_section(converged),
                      *lesson_section(lessons_result), *band_section(read_bands()), FOOTER])
    return {
        PAGE: page,
        LESSON_FIGURE: lesson_figure(lessons_result["lessons"]),
        REFERENCE_FIGURE: reference_figure(records),
    }


def write_report() -> list[Path]:
    FIGURES.mkdir(parents=True, exist_ok=True)
    written = []
    for path, text in render().items():
        path.write_text(text)
        written.append(path)
    return written
