"""The Colab check (`make test-colab`): does every lesson run in a fresh Colab runtime?

1. The image: a throwaway venv, outside the repository, of Colab's Python (3.12) with
   the newest releases that pyproject.toml's loose bounds allow of the packages Colab
   preinstalls (torch, numpy, transformers, ...), not the course's pins, plus a kernel
   with ipywidgets and nbclient. A stub ``google.colab`` package goes into its
   site-packages, and an IPython startup file imports it when a kernel starts, as
   Colab's kernel does.
2. Each lesson runs in its own copy of the image (hard links, so copying is instant),
   from a copy of its notebook in a scratch folder. Its own setup cell installs
   nlpcourse and its data carriers, which is what is being tested; only the cell's
   ``REPO`` changes, from the public GitHub URL to ``file://`` of a commit of this
   repository (HEAD by default: uncommitted edits are not tested).
3. The report (printed and written to _build/colab/report.md, beside the executed
   notebooks): the versions the image got, per lesson passed/seconds/warnings, and
   every distinct warning, sorted by where it is raised (the lesson, nlpcourse, or a
   library internally), so that one can tell which ones the course can fix. Kernels run
   with DeprecationWarning, PendingDeprecationWarning and FutureWarning shown once per
   location. Exits 1 if a lesson failed.

Only the standard library here; ``--execute`` runs inside a lesson's venv with nbclient.
Usage: python3.12 .ci/colab.py [--lessons 01 08] [--reuse-image] [--workdir DIR]
                                [--repo CLONE] [--ref COMMIT]
"""

import argparse
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_REPO = re.compile(r'REPO = "https://github\.com/[^"]+"')
CELL_TIMEOUT = 600  # seconds per cell
# Of the package's dependencies, those Colab preinstalls; the setup cell adds the rest
# (gensim, kiwipiepy, gguf). Then a kernel with widgets, as in Colab (tqdm.auto draws its
# bars with them), and nbclient to run the notebooks.
PREINSTALLED = ["torch", "numpy", "scipy", "scikit-learn", "pandas", "matplotlib", "tqdm",
                "transformers", "pyarrow", "h5py", "accelerate", "statsmodels"]
EXECUTOR = ["ipykernel", "ipywidgets", "nbclient", "nbformat"]
REPORTED = ["torch", "numpy", "scipy", "scikit-learn", "pandas", "matplotlib", "transformers",
            "tokenizers", "huggingface_hub", "accelerate", "gensim", "kiwipiepy", "gguf", "pip"]
KERNEL_WARNINGS = ("default::DeprecationWarning,default::PendingDeprecationWarning,"
                   "default::FutureWarning")
# Variables of this shell that a Colab kernel does not have.
NOT_IN_COLAB = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "PYTHONPATH", "VIRTUAL_ENV", "MPLBACKEND",
                "PYTHONWARNINGS", "JUPYTER_PATH", "IPYTHONDIR")
CHECK_CELL = ('import importlib.util, sys\nassert "google.colab" in sys.modules and '
              'importlib.util.find_spec("google.colab"), "the google.colab stub is not loaded"')


def run(*command, **kwargs) -> str:
    return subprocess.run(command, check=True, text=True, capture_output=True, **kwargs).stdout


def versions_of(python: Path) -> dict:
    """The REPORTED versions in `python`'s environment; torch's says whether it is a CUDA build."""
    code = f"""import json, sys, importlib.metadata as m
v = {{"python": sys.version.split()[0]}}
for n in {REPORTED!r}:
    try: v[n] = m.version(n)
    except m.PackageNotFoundError: pass
if any((d.metadata["Name"] or "").startswith("nvidia-") for d in m.distributions()):
    v["torch"] += " (CUDA build)"
print(json.dumps(v))"""
    return json.loads(run(str(python), "-c", code))


def build_image(python: str, image: Path) -> None:
    """A fresh venv with the newest allowed releases of what Colab preinstalls."""
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    bounds = {re.split(r"[<>=!~ ;\[]", spec)[0].lower(): spec for spec in dependencies}
    specs = [bounds.get(name, name) for name in PREINSTALLED] + EXECUTOR
    shutil.rmtree(image, ignore_errors=True)
    subprocess.run([python, "-m", "venv", str(image)], check=True)
    pip = [str(image / "bin/python"), "-m", "pip", "install", "--quiet"]
    subprocess.run(pip + ["--upgrade", "pip"], check=True)
    print("pip install", " ".join(specs), flush=True)
    subprocess.run(pip + specs, check=True)
    site = run(str(image / "bin/python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
    stub = Path(site.strip()) / "google/colab"  # `google` stays a namespace package (protobuf's too)
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text('"""Stand-in for Colab\'s google.colab (make test-colab)."""\n')


def copy_image(image: Path, venv: Path) -> None:
    """A private copy of the image by hard links; pip replaces files, never writes into them.
    Scripts in bin/ are rewritten (replaced, not edited) to start this venv's python."""
    subprocess.run(["cp", "-al", str(image), str(venv)], check=True)
    for script in (venv / "bin").iterdir():
        if script.is_file() and not script.is_symlink():
            text = script.read_bytes()
            if text.startswith(f"#!{image}/".encode()):
                script.unlink()
                script.write_bytes(text.replace(str(image).encode(), str(venv).encode(), 1))
                script.chmod(0o755)


def prepare(lesson: str, folder: Path, repo: Path, commit: str, workdir: Path) -> None:
    """The lesson's notebook at `commit`, its REPO pointed at that commit, a check cell first;
    and a kernelspec that starts this lesson's venv with the kernel environment."""
    nb = json.loads(run("git", "-C", str(repo), "show", f"{commit}:notebooks/{lesson}.ipynb"))
    setup = [c for c in nb["cells"] if c["cell_type"] == "code" and "google.colab" in "".join(c["source"])]
    if not setup or not PUBLIC_REPO.search("".join(setup[0]["source"])):
        raise ValueError('no Colab setup cell with REPO = "https://github.com/..."')
    source = PUBLIC_REPO.sub(f'REPO = "file://{repo}@{commit}"', "".join(setup[0]["source"]))
    setup[0]["source"] = source.splitlines(keepends=True)
    nb["cells"].insert(0, {"cell_type": "code", "execution_count": None, "id": "colab-check",
                           "metadata": {"tags": ["colab-check"]}, "outputs": [], "source": CHECK_CELL})
    (folder / "lesson.ipynb").write_text(json.dumps(nb))
    venv = folder / "venv"
    env = {"PYTHONWARNINGS": KERNEL_WARNINGS, "IPYTHONDIR": str(workdir / "ipython"),
           "NLPCOURSE_CACHE": str(folder / "cache"), "HF_HOME": str(folder / "huggingface"),
           "MPLCONFIGDIR": str(workdir / "matplotlib"), "PIP_ROOT_USER_ACTION": "ignore",
           "PATH": f"{venv}/bin:{os.environ['PATH']}"}
    spec = {"argv": [str(venv / "bin/python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Colab check", "language": "python", "env": env}
    (folder / "jupyter/kernels/colab").mkdir(parents=True)
    (folder / "jupyter/kernels/colab/kernel.json").write_text(json.dumps(spec, indent=1))


def execute(folder: Path) -> None:
    """(In the lesson's venv.) Run lesson.ipynb with nbclient; write executed.ipynb, result.json."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(folder / "lesson.ipynb", as_version=4)
    client = NotebookClient(nb, kernel_name="colab", timeout=CELL_TIMEOUT,
                            resources={"metadata": {"path": str(folder)}})
    start, error = time.perf_counter(), None
    try:
        client.execute()
    except CellExecutionError:
        pass  # the error is in the failing cell's outputs
    except Exception as exc:  # a timeout or a dead kernel: not in any output
        error = f"{type(exc).__name__}: {(str(exc).strip().splitlines() or [''])[0]}"
    seconds = time.perf_counter() - start
    nbformat.write(nb, folder / "executed.ipynb")
    result = {"seconds": seconds, "error": error, "versions": versions_of(Path(sys.executable))}
    (folder / "result.json").write_text(json.dumps(result))


# --- reading an executed notebook --------------------------------------------------------
WARNING = re.compile(r"^(?P<path>[/<].*?):(?P<line>\d+): (?P<category>\w*Warning): (?P<message>.*)$")
LOGGED = re.compile(r"deprecat|will be removed|removed in", re.I)
PIP = re.compile(r"^(ERROR|WARNING|DEPRECATION): |but you have .* which is incompatible")
ANSI = re.compile(r"\x1b\[[0-9;]*m")  # pip's colours
LOCAL_INDEX = re.compile(r"^WARNING: Location 'file://.*' is ignored")  # this machine's pip.conf


def cell_lines(repo: Path, commit: str, lesson: str) -> list[int]:
    """Line of each cell's `# %%` marker in the lesson's .py source (jupytext percent)."""
    py = run("git", "-C", str(repo), "show", f"{commit}:notebooks/{lesson}.py")
    return [n for n, line in enumerate(py.splitlines(), 1) if line.startswith("# %%")]


def where(path: str, line: int, in_cell: str) -> tuple[str, str]:
    """(who, location) of a warning: the lesson's cell (at `in_cell`), nlpcourse, a library,
    or Python."""
    if re.search(r"ipykernel_\d+/\d+\.py$|<ipython-input", path):
        return "lesson", in_cell
    site = re.search(r"/(?:site|dist)-packages/(.+)$", path)
    if site:
        package = site.group(1).split("/")[0]
        return ("nlpcourse" if package == "nlpcourse" else "library"), f"{site.group(1)}:{line}"
    return "python", f"{re.sub(r'^.*/lib/python3[.0-9]*/', '', path)}:{line}"


def read_lesson(folder: Path, lesson: str, lines: list[int]) -> dict:
    nb = json.loads((folder / "executed.ipynb").read_text())
    result = json.loads((folder / "result.json").read_text())
    cells = nb["cells"][1:]  # without the check cell
    check_error = [o for o in nb["cells"][0]["outputs"] if o["output_type"] == "error"]
    lines = lines if len(lines) == len(cells) else []

    def at(i: int, k: int = 0) -> str:  # line k of cell i, in the .py source if it pairs
        return f"{lesson}.py:{lines[i] + k}" if lines else f"{lesson}.ipynb#{i + 1}"

    warnings, error, setup_seconds = {}, result["error"], None
    if check_error:
        error = f"google.colab check cell: {check_error[0]['ename']}: {check_error[0]['evalue']}"
    for i, cell in enumerate(cells):
        source = "".join(cell["source"])
        timing = cell.get("metadata", {}).get("execution", {})
        if "google.colab" in source and "shell.execute_reply" in timing:
            setup_seconds = (dt.datetime.fromisoformat(timing["shell.execute_reply"])
                             - dt.datetime.fromisoformat(timing["iopub.execute_input"])).total_seconds()
        for out in cell.get("outputs", []):
            if out["output_type"] == "error" and not error:
                error = f"cell at {at(i)}: {out['ename']}: {(out['evalue'].splitlines() or [''])[0]}"
            if out.get("name") != "stderr":
                continue
            text = ANSI.sub("", "".join(out["text"])).splitlines()
            for k, row in enumerate(text):
                match = WARNING.match(row)
                if match:
                    line = int(match["line"])
                    who, location = where(match["path"], line, at(i, line))
                    key = (who, location, match["category"], match["message"].strip())
                    # ours: the line that warns (printed below it); a library's: the first cell
                    # that made it warn
                    code = text[k + 1].strip() if text[k + 1:k + 2] and text[k + 1].startswith("  ") else ""
                    ours = who in ("lesson", "nlpcourse")
                    warnings.setdefault(key, f"`{code}`" if ours else f"from the cell at `{at(i)}`")
                elif PIP.search(row) and "google.colab" in source and not LOCAL_INDEX.match(row):
                    warnings[("pip", "setup cell", "pip", row.strip())] = ""
                elif LOGGED.search(row) and not row.startswith("  "):
                    warnings[("logged", at(i), "log", row.strip())] = ""
    return {"passed": error is None, "error": error, "seconds": result["seconds"],
            "setup": setup_seconds, "warnings": warnings, "versions": result["versions"]}


def failure(error: str) -> dict:
    return {"passed": False, "error": error, "seconds": 0, "setup": None, "warnings": {},
            "versions": {}}


def report(results: dict, image_versions: dict, header: list[str]) -> str:
    out = header + ["", "## Versions", "", "| package | Colab image | after the setup cells |",
                    "|---|---|---|"]
    for name in ["python"] + REPORTED:
        after = sorted({r["versions"].get(name, "-") for r in results.values()})
        out.append(f"| {name} | {image_versions.get(name, '-')} | {', '.join(after)} |")
    out += ["", "## Lessons", "", "| lesson | passed | seconds | setup cell s | warnings |",
            "|---|---|---|---|---|"]
    for lesson, r in results.items():
        setup = f"{r['setup']:.0f}" if r["setup"] is not None else "-"
        passed = "yes" if r["passed"] else "**no**"
        out.append(f"| {lesson} | {passed} | {r['seconds']:.0f} | {setup} | {len(r['warnings'])} |")
    failed = [(lesson, r["error"]) for lesson, r in results.items() if not r["passed"]]
    out += ["", f"{len(results) - len(failed)} of {len(results)} lessons passed."]
    out += [f"- {lesson}: {error}" for lesson, error in failed]
    seen = defaultdict(list)
    for lesson, r in results.items():
        for key, context in r["warnings"].items():
            seen[key].append((lesson[:2], context))
    titles = {"lesson": "Raised in the lessons' own code (fix in the lesson)",
              "nlpcourse": "Raised in nlpcourse (fix in the package)",
              "library": "Raised inside a library (its own business, unless our call triggers it)",
              "python": "Raised in Python's standard library",
              "logged": "Logged by a library (deprecations and removals only)",
              "pip": "Printed by pip in the setup cells"}
    out += ["", f"## Warnings ({len(seen)} distinct)"]
    for who, title in titles.items():
        keys = sorted(k for k in seen if k[0] == who)
        if keys:
            out += ["", f"### {title}", ""]
        for key in keys:
            lessons = ", ".join(sorted({n for n, _ in seen[key]}))
            contexts = list(dict.fromkeys(c for _, c in seen[key] if c))
            if who in ("library", "python"):  # where, and from which cells of which lessons
                detail = "".join(f", {c}" for c in contexts)
            else:
                detail = (f": {contexts[0]}" if contexts else "") + f" (lessons {lessons})"
            preposition = "in the cell at" if who == "logged" else "at"
            out.append(f"- {key[2]}: {key[3]}  \n  {preposition} `{key[1]}`{detail}")
    return "\n".join(out) + "\n"


def run_lesson(lesson: str, image: Path, repo: Path, commit: str, workdir: Path, out_dir: Path):
    folder = workdir / "lessons" / lesson
    folder.mkdir(parents=True)
    try:
        prepare(lesson, folder, repo, commit, workdir)
    except ValueError as exc:
        return failure(str(exc))
    copy_image(image, folder / "venv")
    env = {k: v for k, v in os.environ.items() if k not in NOT_IN_COLAB}
    env["JUPYTER_PATH"] = str(folder / "jupyter")  # where the kernelspec is
    with open(folder / "executor.log", "w") as log:
        subprocess.run([str(folder / "venv/bin/python"), __file__, "--execute", str(folder)],
                       env=env, stdout=log, stderr=subprocess.STDOUT)
    shutil.rmtree(folder / "venv")
    if not (folder / "result.json").exists():
        return failure(f"the executor failed: see {folder}/executor.log")
    shutil.copy(folder / "executed.ipynb", out_dir / f"{lesson}.ipynb")
    return read_lesson(folder, lesson, cell_lines(repo, commit, lesson))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--execute", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--python", default=sys.executable, help="Colab's Python (3.12)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/nlpcourse-colab"))
    parser.add_argument("--repo", type=Path, default=ROOT, help="the clone to install from")
    parser.add_argument("--ref", default="HEAD", help="the commit of it to test")
    parser.add_argument("--lessons", nargs="*", help="prefixes, e.g. 01 08 (default: all)")
    parser.add_argument("--reuse-image", action="store_true", help="keep the last run's image")
    args = parser.parse_args()
    if args.execute:
        execute(args.execute)
        return 0
    started = time.perf_counter()
    workdir, repo = args.workdir.resolve(), args.repo.resolve()
    if workdir == Path("/") or workdir.is_relative_to(ROOT) or workdir.is_relative_to(repo):
        raise SystemExit(f"--workdir must be a scratch folder outside the repository, not {workdir}")
    commit = run("git", "-C", str(repo), "rev-parse", args.ref).strip()
    subject = run("git", "-C", str(repo), "log", "-1", "--format=%s", commit).strip()[:80]
    print(f"nlpcourse and the lessons from {repo} at {commit} ({subject})")
    dirty = run("git", "-C", str(repo), "status", "--porcelain", "--", "nlpcourse", "notebooks",
                "pyproject.toml")
    if dirty and args.ref == "HEAD":
        print("note: uncommitted changes in these are NOT tested:\n" + dirty, end="")
    image = workdir / "image"
    for old in workdir.glob("*"):
        if old != image or not args.reuse_image:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    reused = args.reuse_image and (image / "bin/python").exists()
    if not reused:
        build_image(args.python, image)
    built = "reused" if reused else f"built in {time.perf_counter() - started:.0f} s"
    image_versions = versions_of(image / "bin/python")
    size = run("du", "-sh", str(image)).split()[0]
    print(f"image ({size}, {built}):", ", ".join(f"{k} {v}" for k, v in image_versions.items()))
    if not image_versions["python"].startswith("3.12"):
        print(f"note: Colab runs Python 3.12, this image {image_versions['python']}")
    startup = workdir / "ipython/profile_default/startup"
    startup.mkdir(parents=True)
    (startup / "00-google-colab.py").write_text('__import__("google.colab")  # as in Colab\'s kernel\n')

    names = run("git", "-C", str(repo), "ls-tree", "--name-only", commit, "notebooks/").split()
    lessons = [Path(n).stem for n in names if re.fullmatch(r"notebooks/\d\d_\w+\.ipynb", n)]
    lessons = [n for n in lessons if not args.lessons or n.startswith(tuple(args.lessons))]
    out_dir = ROOT / "_build/colab"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    results = {}
    for lesson in lessons:
        results[lesson] = r = run_lesson(lesson, image, repo, commit, workdir, out_dir)
        print(f"{lesson}: {'passed' if r['passed'] else 'FAILED'} in {r['seconds']:.0f} s, "
              f"{len(r['warnings'])} warnings" + (f"; {r['error']}" if r["error"] else ""), flush=True)

    total = time.perf_counter() - started
    header = [f"# Colab check, {dt.date.today()}", "",
              f"nlpcourse and the lessons at {commit[:12]} ({subject}); image {size}, {built}; "
              f"total {total / 60:.0f} min. Each lesson ran in a fresh copy of the image, its setup "
              "cell installing what it needs. Warnings: Python's defaults plus DeprecationWarning "
              "and PendingDeprecationWarning, once per location."]
    text = report(results, image_versions, header)
    (out_dir / "report.md").write_text(text)
    print("\n" + text + f"\nwritten to {out_dir / 'report.md'}, executed notebooks beside it")
    return 0 if all(r["passed"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
