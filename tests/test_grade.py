"""make grade (homework/grade.py): a folder of submissions graded in parallel, each in a
sandbox. Hostile submissions get their honest score (zero where they cheat) and harm
neither the grader nor the other submissions."""

import csv
import importlib.util
import socket
import threading
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT

HOMEWORK = "hw3_attention"  # its notebook runs in seconds
_spec = importlib.util.spec_from_file_location("homework_grade", ROOT / "homework" / "grade.py")
grade = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(grade)
_spec = importlib.util.spec_from_file_location("homework_build", ROOT / "homework" / "assign.py")
homework_build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(homework_build)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """What `make homework` makes of the homework: autograder/ and student/."""
    return homework_build.assign(ROOT / "homework" / f"{HOMEWORK}.ipynb", tmp_path_factory.mktemp("built") / "out")


def notebook_with(base: Path, code: str, where: str = "end") -> nbformat.NotebookNode:
    """The notebook ``base`` with one more code cell, at its end or after its setup cell."""
    notebook = nbformat.read(base, as_version=4)
    cell = nbformat.v4.new_code_cell(code)
    notebook.cells.insert(len(notebook.cells) if where == "end" else 2, cell)
    return notebook


@pytest.fixture(scope="module")
def listener():
    """A TCP server on 127.0.0.1 outside the sandbox; it records every connection."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    connections, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connections.append(server.accept())
            except TimeoutError:
                pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], connections
    stop.set()
    thread.join()
    server.close()


@pytest.fixture(scope="module")
def graded(built, listener, tmp_path_factory):
    """Grade one honest solution, the untouched template and six hostile submissions
    together (two workers, a 60-second limit each); return (rows by name, out, traps)."""
    port, _ = listener
    (solution,) = (built / "autograder").glob("*.ipynb")
    (template,) = (built / "student").glob("*.ipynb")
    secrets = [built / "autograder" / "tests" / "q1.py", ROOT / "homework" / f"{HOMEWORK}.py",
               homework_build.autograder_zip(built)]
    traps = tmp_path_factory.mktemp("traps")
    out = tmp_path_factory.mktemp("grades")
    submissions = tmp_path_factory.mktemp("submissions")
    hostile = {
        # The stubs, plus a cell that copies the master's solutions if it can read them.
        "cheater": (template, f"""
import glob, os
for path in {[str(s) for s in secrets]!r} + glob.glob("/tmp/nlpcourse-grade-*/files/*.ipynb"):
    try:
        source = open(path, "rb").read().decode(errors="replace")
    except OSError:
        continue
    for name in ("attention", "positional_encoding", "greedy_decode"):
        start = source.find(f"def {{name}}(")
        if start >= 0:
            exec(source[start:].split("# END SOLUTION")[0].replace("# BEGIN SOLUTION", ""))
"""),
        # The solution, which it breaks if it sees the instructor's files or the repository's.
        "snoop": (solution, f"""
import os
for path in ({str(Path.home() / ".profile")!r}, {str(ROOT / ".git")!r}, {str(ROOT / "homework")!r}):
    if os.path.exists(path):
        attention = positional_encoding = greedy_decode = lambda *args, **kwargs: None
"""),
        # The solution, plus writes outside its folder.
        "vandal": (solution, f"""
import pathlib
for target in {[str(traps / "written.txt"), str(ROOT / "homework" / "written.txt"), str(out / "scores.csv")]!r}:
    try:
        pathlib.Path(target).write_text("overwritten by a submission")
    except OSError:
        pass
"""),
        "looper": (solution, "while True:\n    pass\n"),
        "hog": (solution, "hoard = bytearray(20 * 2**30)  # 20 GB\n"),
        # The solution, plus a connection to the grader's machine and one to the internet.
        "caller": (solution, f"""
import socket
for address in (("127.0.0.1", {port}), ("8.8.8.8", 53)):
    try:
        socket.create_connection(address, timeout=2).sendall(b"answers")
    except OSError:
        pass
"""),
    }
    nbformat.write(nbformat.read(solution, as_version=4), submissions / "honest.ipynb")
    nbformat.write(nbformat.read(template, as_version=4), submissions / "template.ipynb")
    for name, (base, code) in hostile.items():
        nbformat.write(notebook_with(base, code), submissions / f"{name}.ipynb")
    (out / "scores.csv").write_text("the grader's own file\n")  # the vandal aims at it
    rows = grade.grade_folder(built / "autograder" / "tests", built / "student" / "tests", submissions, out,
                              jobs=2, timeout=60)
    return {row["submission"]: row for row in rows}, out, traps


def total_points(built: Path) -> float:
    from otter.test_files.ok_test import OKTestFile

    return sum(OKTestFile.from_file(str(p)).possible for p in (built / "autograder" / "tests").glob("q*.py"))


def test_honest_solution_full_marks_and_template_zero(graded, built):
    rows, out, _ = graded
    assert rows["honest"]["status"] == "ok" and rows["honest"]["total"] == total_points(built), rows["honest"]
    assert rows["template"]["status"] == "ok" and rows["template"]["total"] == 0, rows["template"]
    with open(out / "scores.csv") as file:
        written = {row["submission"]: row for row in csv.DictReader(file)}
    assert set(written) == set(rows) and float(written["honest"]["total"]) == total_points(built)
    feedback = (out / "feedback" / "template.txt").read_text()
    assert "q3: 0 of 3" in feedback and "AssertionError: expected [[1, 2, 3, 4, 5]" in feedback
    assert "hidden tests failed" in feedback and "_Stateful" not in feedback  # no hidden test's code


def test_a_submission_cannot_read_the_solutions_or_the_instructors_files(graded, built):
    rows, _, _ = graded
    assert rows["cheater"]["status"] == "ok" and rows["cheater"]["total"] == 0, rows["cheater"]
    assert rows["snoop"]["status"] == "ok" and rows["snoop"]["total"] == total_points(built), rows["snoop"]


def test_a_submission_cannot_write_outside_its_folder(graded, built):
    rows, out, traps = graded
    assert rows["vandal"]["total"] == total_points(built), rows["vandal"]
    assert not (traps / "written.txt").exists() and not (ROOT / "homework" / "written.txt").exists()
    assert "overwritten" not in (out / "scores.csv").read_text()


def test_an_endless_loop_is_stopped_at_the_time_limit(graded):
    rows, _, _ = graded
    assert rows["looper"]["status"] == "timeout" and rows["looper"]["total"] == 0, rows["looper"]
    assert 60 <= rows["looper"]["seconds"] < 75
    left = [pid for uid in (grade.SANDBOX_UID, grade.SANDBOX_UID + 1) for pid in grade.processes_of(uid)]
    assert left == [], f"sandboxed processes outlived their grading: {left}"


def test_allocating_20_gb_fails_inside_and_the_rest_is_graded(graded, built):
    rows, _, _ = graded
    assert rows["hog"]["status"] == "ok" and rows["hog"]["total"] == total_points(built), rows["hog"]


def test_a_submission_has_no_network(graded, listener, built):
    rows, _, _ = graded
    _, connections = listener
    assert rows["caller"]["total"] == total_points(built), rows["caller"]
    assert connections == [], "a submission reached a server on the grader's machine"


def test_a_homework_with_data_is_graded_in_the_sandbox(tmp_path):
    """hw1 reads GloVe (a package) and SST-2 (a download): the grader fetches SST-2 into
    the cache first, and the sandbox, which has no network, reads both."""
    built = homework_build.assign(ROOT / "homework" / "hw1_embeddings.ipynb", tmp_path / "hw1")
    (solution,) = (built / "autograder").glob("*.ipynb")
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    nbformat.write(nbformat.read(solution, as_version=4), submissions / "honest.ipynb")
    (row,) = grade.grade_folder(built / "autograder" / "tests", built / "student" / "tests", submissions,
                                tmp_path / "grades", jobs=1, timeout=300)
    assert row["status"] == "ok" and row["total"] == total_points(built), row
