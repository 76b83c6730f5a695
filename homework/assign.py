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
"""

import hashlib
import shutil
import subprocess
import sys
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


def assign(master: Path, out: Path) -> Path:
    """Run `otter assign` on ``master`` into ``out`` (replaced); return ``out``."""
    if out.exists():
        shutil.rmtree(out)
    otter = Path(sys.executable).with_name("otter")
    result = subprocess.run([str(otter), "assign", str(master), str(out)], capture_output=True, text=True)
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
    if not masters():
        sys.exit(f"no master notebooks (hw*.ipynb) in {HOMEWORK}")
    for master in masters():
        out = assign(master, BUILD / master.stem)
        shutil.rmtree(STUDENT / master.stem, ignore_errors=True)
        shutil.copytree(out / "student", STUDENT / master.stem)
        print(f"{master.stem}: {out / 'autograder'} (instructor), {STUDENT / master.stem} (students)")


if __name__ == "__main__":
    main()
