"""Grade a folder of submitted notebooks, each in its own sandbox: `make grade`.

    make grade HOMEWORK=hw2_sequences SUBMISSIONS=path/to/notebooks [JOBS=2] [SEED=N]

Every ``*.ipynb`` in SUBMISSIONS is graded with the tests `make homework` built in
``_build/homework/<HOMEWORK>/autograder/tests`` (public and hidden; variant SEED). Results go to
``_build/grades/<HOMEWORK>/``: ``scores.csv`` (one row per submission: the points of each
question, the total, the seconds it took and a status) and ``feedback/<name>.txt`` (per
question: the score, the public cases' failure messages, and how many hidden cases
failed, without their contents).

Student code is untrusted, so each submission runs in a sandbox made of Linux namespaces
(util-linux's ``unshare``, ``setpriv`` and ``prlimit``; it needs root):

- no network: a new network namespace with only a loopback that is down;
- its own file system view: the system, Python, the virtual environment, the course
  package and the data, all read-only; a private /tmp and a private home
  (``/submission``, holding the notebook and the public tests) in size-limited tmpfs;
  the course's data cache under a private writable overlay (loaders take lock files);
  The repository, the masters, the autograder, the instructor's home and the other
  submissions are not in that view at all;
- its own user id (61000 + worker), no capabilities, no new privileges;
- limits: wall time (``--timeout``), address space (``--memory``), processes, file size.

The data sets the homework loads (``sst2()``, ...) are fetched into the course's cache
before grading starts, since the sandbox can read the cache but not the network.

The notebook runs first; the tests reach the sandboxed process only after its last cell
has run, through a pipe, so no cell can read them from a file. What remains possible,
and is not defended here, is what any in-process autograder allows (otter's own
included): a submission's code can tamper with the Python process that later runs the
tests (for example by replacing ``torch.allclose``). Read a submission that scores
suspiciously well.

``python homework/grade.py inside`` is the sandboxed half; it is not for people.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HOMEWORK = Path(__file__).resolve().parent
ROOT = HOMEWORK.parent
SYSTEM = ["/usr", "/etc", "/bin", "/sbin", "/lib", "/lib64", "/sys"]
DEVICES = ["null", "zero", "full", "random", "urandom"]
SANDBOX_UID = 61000  # + the worker's index: limits on processes count per user

# ---------------------------------------------------------------- outside: the grader


def readable_paths() -> list[Path]:
    """What the sandbox may read: Python, the environment, the package and its data."""
    import nlpcourse
    from nlpcourse.data.files import cache_dir

    paths = [Path(sys.base_prefix), Path(sys.prefix), Path(nlpcourse.__file__).parent]
    if os.environ.get("NLPCOURSE_MIRROR"):
        paths.append(Path(os.environ["NLPCOURSE_MIRROR"]).resolve())
    return paths


def sandbox_script(staging: Path, uid: int, memory: int) -> str:
    """The shell script that builds the sandbox inside new namespaces and starts Python."""
    binds = [(Path(p), Path(p)) for p in SYSTEM if Path(p).exists()]
    binds += [(p, p) for p in readable_paths()]
    binds.append((Path(__file__).resolve(), Path("/grader/grade.py")))
    lines = [
        "set -eu",
        "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
        "mount --make-rprivate /",
        f'root="{staging / "root"}"',  # an empty folder outside; a tmpfs in here
        'mount -t tmpfs -o size=16m,mode=755 sandbox "$root"',
    ]
    for source, target in binds:
        if source.is_symlink() and str(source) in SYSTEM:  # /bin -> usr/bin on Debian
            lines.append(f'ln -s "{os.readlink(source)}" "$root{target}"')
            continue
        make = "mkdir -p" if source.is_dir() else f'mkdir -p "$root{target.parent}" && touch'
        lines.append(f'{make} "$root{target}"')
        lines.append(f'mount --rbind "{source}" "$root{target}"')
        lines.append(f'mount -o remount,bind,ro "$root{target}"')
    # The data cache: the instructor's copy under a private writable layer (loaders take
    # lock files and may unpack), so nothing a submission writes there reaches the host.
    from nlpcourse.data.files import cache_dir

    cache = cache_dir().resolve()
    layer = staging / "cache-layer"
    lines += [
        f'mount -t tmpfs -o size=1g,mode=755 layer "{layer}"',
        f'mkdir -p "{layer}/upper" "{layer}/work" "$root{cache}"',
        f'chown {uid}:{uid} "{layer}/upper"',
        f'mount -t overlay overlay -o metacopy=on,lowerdir="{cache}",upperdir="{layer}/upper",workdir="{layer}/work" "$root{cache}"',
        f'chown -R {uid}:{uid} "$root{cache}"',  # metadata only: metacopy=on
    ]
    lines += ['mkdir -p "$root/dev" "$root/proc" "$root/tmp" "$root/submission" "$root/dev/shm"']
    for device in DEVICES:
        lines += [f'touch "$root/dev/{device}"', f'mount --bind "/dev/{device}" "$root/dev/{device}"']
    lines += [
        'mount -t proc proc "$root/proc"',
        'mount -t tmpfs -o size=512m,mode=1777 tmp "$root/tmp"',
        'mount -t tmpfs -o size=64m,mode=1777 shm "$root/dev/shm"',
        'mount -t tmpfs -o size=256m,mode=755 home "$root/submission"',
        f'cp -r "{staging / "files"}/." "$root/submission/"',
        f'chown -R {uid}:{uid} "$root/submission"',
        # No exec: sh stays the namespace's first process, which dies with unshare
        # (--kill-child), and its death ends every process in the namespace. Python,
        # whose credentials change, would lose that parent-death signal.
        f'chroot "$root" prlimit --as={memory} --nproc=512 --fsize={256 * 2**20} --core=0 -- '
        f"setpriv --reuid={uid} --regid={uid} --clear-groups --inh-caps=-all --bounding-set=-all "
        f"--no-new-privs -- {sys.executable} /grader/grade.py inside",
    ]
    return "\n".join(lines)


def sandbox_environment() -> dict[str, str]:
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": "/submission",
        "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1", "MPLCONFIGDIR": "/tmp/matplotlib",
        "MPLBACKEND": "Agg", "HF_HUB_OFFLINE": "1", "PYTHONDONTWRITEBYTECODE": "1",
    }
    from nlpcourse.data.files import cache_dir

    env["NLPCOURSE_CACHE"] = str(cache_dir(create=False).resolve())
    if os.environ.get("NLPCOURSE_MIRROR"):
        env["NLPCOURSE_MIRROR"] = str(Path(os.environ["NLPCOURSE_MIRROR"]).resolve())
    return env


def processes_of(uid: int) -> list[int]:
    """The ids of the processes running as ``uid`` (a sandbox's user)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:  # it ended meanwhile
            continue
        if int(text.split("\nUid:")[1].split()[0]) == uid:
            found.append(int(status.parent.name))
    return found


def grade_one(notebook: Path, tests: dict[str, str], public: Path, uid: int, timeout: float,
              memory: int) -> dict:
    """Run one submission in a sandbox; return its status, scores, feedback and seconds."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="nlpcourse-grade-") as staging:
        staging = Path(staging)
        (staging / "root").mkdir()
        (staging / "cache-layer").mkdir()
        shutil.copytree(public, staging / "files" / "tests")
        shutil.copy(notebook, staging / "files" / "submission.ipynb")
        command = ["unshare", "--mount", "--net", "--pid", "--ipc", "--uts", "--fork", "--kill-child",
                   "--", "sh", "-c", sandbox_script(staging, uid, memory)]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=sandbox_environment())
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in process.stdout] + [lines.put(None)],
                         daemon=True).start()
        stderr: list[bytes] = []
        threading.Thread(target=lambda: stderr.append(process.stderr.read()), daemon=True).start()

        def next_line() -> bytes | None:
            remaining = timeout - (time.monotonic() - start)
            if remaining <= 0:
                raise TimeoutError
            return lines.get(timeout=remaining)

        outcome = {"status": "crashed", "results": {}}
        try:
            while (line := next_line()) is not None and line.strip() != b"READY":
                pass
            if line is not None:  # the notebook has run: now, and only now, the tests
                process.stdin.write(json.dumps(tests).encode() + b"\n")
                process.stdin.close()
                while (line := next_line()) is not None:
                    if line.startswith(b"RESULTS "):
                        sent = json.loads(line[len(b"RESULTS "):])
                        outcome = {"status": "ok", "results": sent["questions"], "log": sent["log"]}
        except (TimeoutError, queue.Empty):
            outcome["status"] = "timeout"
        except (BrokenPipeError, json.JSONDecodeError):
            pass
        finally:
            process.kill()  # and with it the namespace: its processes die soon after
            process.wait()
            deadline = time.monotonic() + 30
            while processes_of(uid) and time.monotonic() < deadline:
                time.sleep(0.1)
        if outcome["status"] == "crashed" and b"MemoryError" in b"".join(stderr):
            outcome["status"] = "memory"
    outcome["seconds"] = round(time.monotonic() - start, 1)
    return outcome


def feedback(name: str, outcome: dict, questions: list[str]) -> str:
    lines = [f"{name}: {outcome['status']}, {outcome['seconds']} s"]
    for question in questions:
        result = outcome["results"].get(question)
        if result is None:
            lines.append(f"\n{question}: 0 (not graded: the notebook did not finish)")
            continue
        lines.append(f"\n{question}: {result['score']:g} of {result['possible']:g}")
        lines += [f"  - a public test failed: {case['message']}" for case in result["cases"]
                  if not case["passed"] and not case["hidden"]]
        hidden = sum(1 for case in result["cases"] if not case["passed"] and case["hidden"])
        if hidden:
            lines.append(f"  - {hidden} hidden test{'s' if hidden > 1 else ''} failed")
    if outcome.get("log", "").strip():
        lines += ["\nWhat the notebook printed (its end), errors included:", outcome["log"]]
    return "\n".join(lines) + "\n"


def fetch_data(sources: list[str]) -> list[str]:
    """Download (or take from NLPCOURSE_MIRROR) every data set whose loader the homework
    calls, into the cache that the sandbox reads, which has no network; their names."""
    from nlpcourse.data import REMOTE_DATASETS, fetch_dataset

    loaders = {"tiny_shakespeare" if name == "tinyshakespeare" else name: name for name in REMOTE_DATASETS}
    used = sorted(name for loader, name in loaders.items() if any(re.search(rf"\b{loader}\(", s) for s in sources))
    for name in used:
        fetch_dataset(name, progress=False)
    return used


def grade_folder(tests_dir: Path, public: Path, submissions: Path, out: Path, jobs: int = 2,
                 timeout: float = 600, memory: int = 6 * 2**30) -> list[dict]:
    """Grade every notebook in ``submissions`` with the tests in ``tests_dir`` (all of
    them; ``public`` holds the public ones, which the notebook's own checks use); write
    scores.csv and feedback/ to ``out`` and return the rows of scores.csv."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        raise SystemExit("make grade runs each submission in a Linux-namespace sandbox: it needs "
                         "root and util-linux's unshare (grading unsandboxed is not offered)")
    tests = {path.stem: path.read_text() for path in sorted(tests_dir.glob("q*.py"))}
    if not tests:
        raise SystemExit(f"no tests (q*.py) in {tests_dir}: run `make homework` first")
    notebooks = sorted(submissions.glob("*.ipynb"))
    if not notebooks:
        raise SystemExit(f"no notebooks (*.ipynb) in {submissions}")
    fetch_data([*tests.values(), *(p.read_text() for p in tests_dir.parent.glob("*.ipynb"))])
    with ThreadPoolExecutor(jobs) as pool:
        futures = [pool.submit(grade_one, notebook, tests, public, SANDBOX_UID + index % jobs, timeout, memory)
                   for index, notebook in enumerate(notebooks)]
        outcomes = [future.result() for future in futures]
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    rows = []
    for notebook, outcome in zip(notebooks, outcomes):
        scores = {q: outcome["results"].get(q, {}).get("score", 0) for q in tests}
        rows.append({"submission": notebook.stem, **scores, "total": sum(scores.values()),
                     "seconds": outcome["seconds"], "status": outcome["status"]})
        (out / "feedback" / f"{notebook.stem}.txt").write_text(feedback(notebook.stem, outcome, list(tests)))
    with open(out / "scores.csv", "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return rows


# ---------------------------------------------------------------- inside: the sandbox


def inside() -> None:
    """Run /submission/submission.ipynb cell by cell (errors do not stop it), say READY,
    read the tests from stdin, run them on the notebook's namespace, print RESULTS."""
    channel_in, channel_out = os.fdopen(os.dup(0), "rb"), os.fdopen(os.dup(1), "wb")
    log = os.open("/submission/log.txt", os.O_WRONLY | os.O_CREAT, 0o600)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.chdir("/submission")
    import nbformat

    namespace = {"__name__": "__main__"}
    for index, cell in enumerate(nbformat.read("submission.ipynb", as_version=4).cells):
        if cell.cell_type != "code":
            continue
        try:
            exec(compile(cell.source, f"cell {index}", "exec"), namespace)
        except BaseException:  # a learner's error, SystemExit and MemoryError included
            traceback.print_exc()
    channel_out.write(b"READY\n")
    channel_out.flush()
    tests = json.loads(channel_in.readline())
    from otter.test_files.ok_test import OKTestFile

    results = {}
    for question, source in tests.items():
        spec: dict = {}
        exec(source, spec)
        test_file = OKTestFile.from_spec(spec["test"], path=question)
        try:
            test_file.run(dict(namespace))
        except BaseException:
            traceback.print_exc()
            continue
        results[question] = {
            "score": test_file.score, "possible": test_file.possible,
            "cases": [{"hidden": r.test_case.hidden, "passed": r.passed,
                       "message": "" if r.passed or r.test_case.hidden else last_error(r.message)}
                      for r in test_file.test_case_results],
        }
    sys.stdout.flush()
    sys.stderr.flush()
    log_text = Path("/submission/log.txt").read_text(errors="replace")
    results = {"questions": results, "log": log_text[-4000:]}
    channel_out.write(b"RESULTS " + json.dumps(results).encode() + b"\n")
    channel_out.flush()


def last_error(message: str | None) -> str:
    """The first line of a doctest failure that names an error ('AssertionError: ...')."""
    lines = [line.strip() for line in (message or "").splitlines() if "Error" in line]
    return lines[0] if lines else (message or "").strip()[-300:]


def main() -> None:
    if sys.argv[1:] == ["inside"]:
        inside()
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("homework", help="the homework's name, e.g. hw2_sequences")
    parser.add_argument("submissions", type=Path, help="a folder of submitted .ipynb files")
    parser.add_argument("--out", type=Path, help="default: _build/grades/<homework>")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=600, help="seconds per submission")
    parser.add_argument("--memory", type=float, default=6, help="GB of address space per submission")
    args = parser.parse_args()
    out = args.out or ROOT / "_build" / "grades" / args.homework
    start = time.monotonic()
    tests_dir = ROOT / "_build" / "homework" / args.homework / "autograder" / "tests"
    public = ROOT / "_build" / "homework" / args.homework / "student" / "tests"  # the variant built
    rows = grade_folder(tests_dir, public, args.submissions, out, args.jobs, args.timeout,
                        int(args.memory * 2**30))
    elapsed = time.monotonic() - start
    for row in rows:
        print(", ".join(f"{key} {value}" for key, value in row.items()))
    print(f"{len(rows)} submissions in {elapsed:.0f} s with {args.jobs} workers: "
          f"{elapsed / len(rows):.1f} s per submission; {out / 'scores.csv'}, {out / 'feedback'}/")


if __name__ == "__main__":
    main()
