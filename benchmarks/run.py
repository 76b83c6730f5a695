"""``make bench``: time every lesson, run the reference runs, write the results page.

    python -m benchmarks all                 # what make bench runs
    python -m benchmarks lessons [--repeats 5] [--only 06_cnn_for_text ...]
    python -m benchmarks references [--only classification ...]
    python -m benchmarks converged           # lessons 09-10's classifiers to convergence
    python -m benchmarks report              # book/results.md from the JSON only

Each part writes one JSON file into benchmarks/results/ (atomically, so an interrupted
run leaves the last complete file), and ``report`` turns those files into
book/results.md and its figures. Lessons and reference runs each run in a fresh child
process, so every wall time includes that process's start and its peak memory is its
own.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.records import ROOT, machine
from nlpcourse.bands import BANDS_FILE, read_bands
from nlpcourse.data.files import atomic_path

RESULTS = ROOT / "benchmarks" / "results"
DATA = ROOT.parent / "shared" / "data"
NOTEBOOKS = ROOT / "notebooks"

# Reference-run modules of this package, in the order of the course.
REFERENCES = ("embeddings", "classification", "translation", "language_model")

# The reference runs are sized for two threads: both cores of the 2-core machine the
# course is budgeted for.
REFERENCE_THREADS = 2


def lesson_names() -> list[str]:
    return sorted(path.stem for path in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def write_json(path: Path, payload: dict) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n")


def read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise FileNotFoundError(f"{path} is missing: run `make bench` (or `python -m benchmarks "
                                f"{'lessons' if path.stem == 'lessons' else 'references'}`) first") from None


def timed_child(command: list[str], env: dict | None = None, timeout: float = 3600) -> dict:
    """Run ``command`` to its end: wall seconds, peak resident memory in MB of its
    process tree, the 1-minute load average before it started, exit status and output.

    The child is reaped with ``os.wait4``, whose peak memory is the maximum over the
    child and the children it waited for (a notebook kernel is a child of
    ``jupyter execute``); ``subprocess.run`` would reap it without telling.
    """
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                child.kill()
                os.wait4(child.pid, 0)
                raise RuntimeError(f"{' '.join(command)} took longer than {timeout} s")
            time.sleep(0.05)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
        log.seek(0)
        output = log.read().decode(errors="replace")
    return {"wall_s": round(wall, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024),
            "load_before": round(load_before, 2), "returncode": child.returncode, "output": output}


SEEDS_ENV, HEADLINES_ENV = "NLPCOURSE_SEED", "NLPCOURSE_HEADLINES"  # read by nlpcourse.bands


def time_lessons(names: list[str], repeats: int, jupyter: str
                 ) -> tuple[dict[str, dict], dict[str, dict], dict[str, str]]:
    """Execute each lesson ``repeats`` times, run k with seed k (so five runs give the
    seed band of each headline number), round robin (so a passing disturbance hits one
    run of several lessons rather than every run of one), as a learner would: ``jupyter
    execute`` on the committed notebook, outputs thrown away. Returns the timings and,
    per lesson, each headline's values by seed, of the lessons that passed every seed;
    and the failures, by lesson (a failing lesson skips its later seeds, so one broken
    assert does not cost the whole run)."""
    if repeats < 1:
        raise ValueError(f"repeats must be at least 1, got {repeats}")
    unknown = sorted(set(names) - set(lesson_names()))
    if unknown:
        raise ValueError(f"no lesson notebook named {unknown}; the lessons are {lesson_names()}")
    runs: dict[str, list[dict]] = {name: [] for name in names}
    headlines: dict[str, dict[str, dict]] = {name: {} for name in names}
    failed: dict[str, str] = {}  # a failing lesson skips its later seeds; the rest go on
    with tempfile.TemporaryDirectory() as scratch:
        for seed in range(repeats):
            for name in names:
                if name in failed:
                    continue
                out, record = Path(scratch) / f"{name}.ipynb", Path(scratch) / f"{name}-{seed}.jsonl"
                env = {**os.environ, SEEDS_ENV: str(seed), HEADLINES_ENV: str(record)}
                run = timed_child([jupyter, "execute", str(NOTEBOOKS / f"{name}.ipynb"), "--output", str(out)], env=env)
                if run["returncode"] != 0:
                    failed[name] = (f"{name} failed with seed {seed} (exit {run['returncode']}):\n"
                                    f"{run['output'][-3000:]}")
                    print(f"  {name} seed {seed}: FAILED (its other seeds are skipped)", flush=True)
                    continue
                print(f"  {name} seed {seed}: {run['wall_s']:.1f} s, "
                      f"{run['peak_rss_mb']} MB (load {run['load_before']})", flush=True)
                del run["output"], run["returncode"]
                runs[name].append({**run, "seed": seed})
                for line in record.read_text().splitlines() if record.exists() else []:
                    entry = json.loads(line)
                    band = headlines[name].setdefault(entry["name"], {"seeds": [], "values": []})
                    band["seeds"].append(seed)
                    band["values"].append(round(entry["value"], 6))
    timed = {name: summarise(lesson_runs) for name, lesson_runs in runs.items() if name not in failed}
    return timed, {name: headlines[name] for name in timed}, failed


def summarise(runs: list[dict]) -> dict:
    walls = [run["wall_s"] for run in runs]
    return {"median_s": round(statistics.median(walls), 2), "min_s": min(walls), "max_s": max(walls),
            "peak_rss_mb": max(run["peak_rss_mb"] for run in runs), "runs": runs}


def calibration_seconds() -> float:
    """A fixed workload in a child process, on two threads like the lessons under ``make
    bench``: a small GRU forward and backward and a loop of matrix products, the two
    kinds of work the lessons spend their time on. Machines differ 1.5-2.3x on the
    lessons, recurrent layers most; dividing a lesson's time by this one compares machines."""
    run = timed_child([sys.executable, "-c", CALIBRATION])
    if run["returncode"] != 0:
        raise RuntimeError(f"the calibration workload failed:\n{run['output'][-2000:]}")
    return float(run["output"].strip().splitlines()[-1])


CALIBRATION = """
import time, torch
torch.set_num_threads(2); torch.manual_seed(0)
gru, x = torch.nn.GRU(64, 128, batch_first=True), torch.randn(64, 50, 64)
a, b = torch.randn(512, 512), torch.randn(512, 512)
start = time.perf_counter()
for _ in range(8):
    out, _ = gru(x); out.sum().backward()
for _ in range(80):
    a = torch.tanh(a @ b / 512)
print(round(time.perf_counter() - start, 3))
"""


def lessons_command(args) -> None:
    names = args.only or lesson_names()
    path = RESULTS / "lessons.json"
    # A partial rerun (--only) updates its lessons and keeps the others' last numbers; so
    # does a lesson that fails, until it is fixed and rerun.
    previous = read_json(path) if path.exists() else {}
    jupyter = str(Path(sys.executable).with_name("jupyter"))
    print(f"Timing {len(names)} lessons x {args.repeats} seeds", flush=True)
    calibration = [calibration_seconds()]
    timed, headlines, failed = time_lessons(names, args.repeats, jupyter)
    calibration.append(calibration_seconds())
    calibration_s = round(statistics.mean(calibration), 3)
    for lesson in timed.values():  # each lesson against the calibration of its own run
        lesson["calibration_s"], lesson["calibration_runs"] = calibration_s, calibration
        lesson["calibrations"] = round(lesson["median_s"] / calibration_s, 1)
    kept = previous.get("lessons", {}) if args.only else {
        name: entry for name, entry in previous.get("lessons", {}).items() if name in failed}
    lessons = {**kept, **timed}
    # the machine's calibration is that of the last run of every lesson, not of a partial one
    machine_calibration = previous.get("calibration_s", calibration_s) if args.only else calibration_s
    write_json(path, {"machine": machine(), "repeats": args.repeats, "seeds": list(range(args.repeats)),
                      "calibration_s": machine_calibration,
                      "lessons": {name: lessons[name] for name in sorted(lessons)}})
    old_bands = read_bands().get("lessons", {})
    recorded = {**({name: old_bands[name] for name in old_bands if args.only or name in failed}),
                **{name: table for name, table in headlines.items() if table}}
    update_bands("lessons", {name: recorded[name] for name in sorted(recorded)})
    if failed:  # the others' numbers are written; these lessons keep their last ones
        raise SystemExit("\n\n".join(failed.values()) + "\n\nrerun after the fix: python -m "
                         f"benchmarks lessons --only {' '.join(failed)}")


def update_bands(table: str, entries: dict) -> None:
    """Replace one table ("lessons": the seed bands of the lessons' headlines;
    "converged": Part II's comparisons trained to convergence) of the shipped bands file,
    keeping the other."""
    bands = read_bands()
    bands.update({"machine": f"{machine()['cpu']}, {machine()['cores']} cores",
                  "written_by": "make bench (benchmarks/run.py)", table: entries})
    bands.setdefault("lessons", {})
    write_json(BANDS_FILE, bands)


def converged_command(args) -> None:
    """Lessons 09 and 10's classifiers trained to convergence, in a child process."""
    from benchmarks import converged

    print(f"Part II to convergence: seeds {list(converged.SEEDS)}, at most {converged.MAX_EPOCHS} "
          f"epochs, patience {converged.PATIENCE}", flush=True)
    out = RESULTS / "converged.json"
    run = timed_child([sys.executable, "-m", "benchmarks", "converged-child", "--out", str(out)])
    if run["returncode"] != 0:
        raise RuntimeError(f"the convergence runs failed (exit {run['returncode']}):\n{run['output'][-3000:]}")
    print(run["output"], end="")
    result = read_json(out)
    result.update(wall_s=run["wall_s"], peak_rss_mb=run["peak_rss_mb"], load_before=run["load_before"])
    write_json(out, result)
    update_bands("converged", {
        lesson: {f"{name}, to convergence": {"seeds": [r["seed"] for r in runs],
                                             "values": [r["test_accuracy"] for r in runs]}
                 for name, runs in models.items()}
        for lesson, models in result["lessons"].items()})


def run_converged(out: Path) -> None:
    """In the child process: the convergence runs, on the reference runs' threads."""
    import torch

    from benchmarks import converged

    torch.set_num_threads(REFERENCE_THREADS)
    results = converged.run()
    write_json(out, {"machine": machine(), "seeds": list(converged.SEEDS), "max_epochs": converged.MAX_EPOCHS,
                     "patience": converged.PATIENCE, "lessons": results})


def run_reference_module(module_name: str, data_dir: Path, out: Path) -> None:
    """In the child process: run one reference module and write its records."""
    import torch

    torch.set_num_threads(REFERENCE_THREADS)
    module = importlib.import_module(f"benchmarks.{module_name}")
    records = module.run(data_dir)
    write_json(out, {"machine": machine(), "records": records})


def references_command(args) -> None:
    names = args.only or list(REFERENCES)
    unknown = sorted(set(names) - set(REFERENCES))
    if unknown:
        raise ValueError(f"no reference module {unknown}; they are {list(REFERENCES)}")
    data_dir = Path(args.data)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"{data_dir} is not a folder: the reference runs read the tier-2 "
                                "sample data from ../shared/data (or pass --data)")
    for name in names:
        print(f"Reference runs: {name}", flush=True)
        out = RESULTS / f"{name}.json"
        run = timed_child([sys.executable, "-m", "benchmarks", "one", name, "--data", str(data_dir),
                           "--out", str(out)])
        if run["returncode"] != 0:
            raise RuntimeError(f"reference module {name} failed (exit {run['returncode']}):\n{run['output'][-3000:]}")
        result = read_json(out)
        result.update(wall_s=run["wall_s"], peak_rss_mb=run["peak_rss_mb"], load_before=run["load_before"])
        write_json(out, result)
        for record in result["records"]:
            print(f"  {record['name']}: {record['value']:.4g} {record['metric']} "
                  f"(anchor {record['anchor']}), {record['cpu_s']:.0f} CPU-s", flush=True)


def report_command(args) -> None:
    from benchmarks.report import write_report

    for path in write_report():
        print(f"wrote {path.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    lessons = commands.add_parser("lessons", help="time every lesson notebook")
    lessons.add_argument("--repeats", type=int, default=5, help="runs, with seeds 0 to N-1")
    lessons.add_argument("--only", nargs="+", metavar="LESSON")
    references = commands.add_parser("references", help="the reference runs on the tier-2 samples")
    references.add_argument("--only", nargs="+", metavar="MODULE")
    references.add_argument("--data", default=str(DATA))
    commands.add_parser("converged", help="lessons 09 and 10's classifiers trained to convergence")
    commands.add_parser("report", help="book/results.md and its figures from benchmarks/results/")
    everything = commands.add_parser("all", help="lessons, references, report")
    everything.add_argument("--repeats", type=int, default=5)
    everything.add_argument("--data", default=str(DATA))
    child = commands.add_parser("converged-child", help=argparse.SUPPRESS)  # a child of `converged`
    child.add_argument("--out", required=True)
    one = commands.add_parser("one", help=argparse.SUPPRESS)  # a child of `references`
    one.add_argument("module", choices=REFERENCES)
    one.add_argument("--data", required=True)
    one.add_argument("--out", required=True)
    args = parser.parse_args(argv)

    if args.command == "one":
        run_reference_module(args.module, Path(args.data), Path(args.out))
        return
    if args.command == "converged-child":
        run_converged(Path(args.out))
        return
    if args.command == "all":
        args.only = None
        start = time.perf_counter()
        references_command(args)
        converged_command(args)
        lessons_command(args)
        print(f"make bench: {time.perf_counter() - start:.0f} s before the report")
    elif args.command == "lessons":
        lessons_command(args)
    elif args.command == "references":
        references_command(args)
    elif args.command == "converged":
        converged_command(args)
    missing = [name for name in ("lessons", *REFERENCES) if not (RESULTS / f"{name}.json").exists()]
    if missing and args.command != "report":
        print(f"not writing the report yet: no results for {', '.join(missing)}")
        return
    report_command(args)
