"""Build the homework with otter-grader: `make homework` runs this file.

For every master notebook homework/hwN_topic.ipynb (paired with its .py source),
`otter assign` writes two versions into _build/homework/hwN_topic/:

- autograder/: the solutions, every test (public and hidden) and hwN_topic-autograder.zip,
  which `otter run -a <zip> <submission.ipynb>` grades with (for the instructor only);
- student/: the template with stubs (`...`) and the public tests.

The student version is then copied to homework/student/hwN_topic/, which is committed so
that a Colab link can open it and its setup cell can fetch its public tests. Otter gives
the cells it adds random ids; they are replaced by ids derived from each cell's position
and content, so building twice gives the same files and git shows only real changes.
Never edit the generated files: edit the master's .py, then `make sync homework`.

`make homework SEED=N` (``--seed N``) builds variant N instead, for a class whose
instructor does not want the public masters to answer its tests: every seed a test case
draws its inputs from, ``manual_seed(s)``, becomes ``manual_seed(s + 1000 N)``, and the
notebook's ``VARIANT = 0`` becomes ``VARIANT = N``; sizes, toy cases and expected values
drawn from those seeds change with it. A variant is built into _build/homework/ only; the
committed templates stay variant 0.
"""

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

HOMEWORK = Path(__file__).resolve().parent
BUILD = HOMEWORK.parent / "_build" / "homework"
STUDENT = HOMEWORK / "student"


def masters() -> list[Path]:
    return sorted(HOMEWORK.glob("hw*.ipynb"))


def stable_ids(notebook_path: Path) -> None:
    """Give every cell an id made from its index and source, so rebuilds are identical."""
    notebook = nbformat.read(notebook_path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        cell.id = hashlib.sha1(f"{index}:{cell.source}".encode()).hexdigest()[:8]
    nbformat.write(notebook, notebook_path)


def variant_of(master: Path, variant: int, folder: Path) -> Path:
    """A copy of ``master`` in ``folder`` with its seeds and VARIANT moved to ``variant``."""
    notebook = nbformat.read(master, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = re.sub(r"manual_seed\((\d+)\)", lambda m: f"manual_seed({int(m[1]) + 1000 * variant})", cell.source)
            cell.source = re.sub(r"^VARIANT = 0\b", f"VARIANT = {variant}", cell.source, flags=re.M)
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / master.name)
    return folder / master.name


def assign(master: Path, out: Path, variant: int = 0) -> Path:
    """Run `otter assign` on ``master`` (its variant ``variant``) into ``out`` (replaced)."""
    if out.exists():
        shutil.rmtree(out)
    otter = Path(sys.executable).with_name("otter")
    with tempfile.TemporaryDirectory() as scratch:
        source = master if variant == 0 else variant_of(master, variant, Path(scratch))
        result = subprocess.run([str(otter), "assign", str(source), str(out)], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"otter assign {master.name} failed:\n{result.stdout}\n{result.stderr}")
    for version in ("autograder", "student"):
        stable_ids(out / version / master.name)
    (zip_file,) = (out / "autograder").glob("*-autograder_*.zip")  # otter stamps the time
    zip_file.rename(autograder_zip(out))
    return out


def autograder_zip(out: Path) -> Path:
    """The zip `otter run -a` grades with: every test, public and hidden."""
    (notebook,) = (out / "autograder").glob("*.ipynb")
    return out / "autograder" / f"{notebook.stem}-autograder.zip"


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the homework with otter assign.")
    parser.add_argument("--seed", type=int, default=0, help="the variant to build (0: the committed one)")
    variant = parser.parse_args().seed
    if not masters():
        sys.exit(f"no master notebooks (hw*.ipynb) in {HOMEWORK}")
    for master in masters():
        out = assign(master, BUILD / master.stem, variant)
        if variant == 0:
            shutil.rmtree(STUDENT / master.stem, ignore_errors=True)
            shutil.copytree(out / "student", STUDENT / master.stem)
        students = STUDENT / master.stem if variant == 0 else out / "student"
        print(f"{master.stem} (variant {variant}): {out / 'autograder'} (instructor), {students} (students)")


if __name__ == "__main__":
    main()
