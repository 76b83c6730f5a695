"""Homework: `otter assign` builds each template; the solutions pass every test, public
and hidden; the student templates execute and fail while their stubs are in place; and
every plausible wrong answer in wrong_answers.py fails at least one test."""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from otter.test_files.ok_test import OKTestFile
from wrong_answers import WRONG

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("homework_build", ROOT / "homework" / "assign.py")
homework_build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(homework_build)
MASTERS = homework_build.masters()


def homework_names() -> list[str]:
    return [path.stem for path in MASTERS]


def test_there_is_homework():
    assert homework_names(), "homework/ holds no master notebooks"
    assert set(WRONG) <= set(homework_names())


@pytest.fixture(scope="module")
def assign(tmp_path_factory):
    """``assign(name)``: what `make homework` makes of homework/<name>.ipynb (autograder/
    and student/ folders), built once per test module in a temporary folder."""
    built = {}

    def get(name: str) -> Path:
        if name not in built:
            built[name] = homework_build.assign(ROOT / "homework" / f"{name}.ipynb", tmp_path_factory.mktemp(name) / "out")
        return built[name]

    return get


@pytest.fixture(params=homework_names())
def assigned(request, assign) -> Path:
    return assign(request.param)


def run_notebook(folder: Path) -> dict:
    """Execute the notebook in ``folder`` cell by cell, as a learner would, from inside the
    folder (otter's grader looks for ./tests); returns its global namespace."""
    (path,) = folder.glob("*.ipynb")
    notebook = nbformat.read(path, as_version=4)
    namespace = {"__name__": "__main__"}
    here = os.getcwd()
    os.chdir(folder)
    try:
        for cell in notebook.cells:
            if cell.cell_type == "code":
                exec(compile(cell.source, f"{path.name}, cell {cell.get('id')}", "exec"), namespace)
    finally:
        os.chdir(here)
    return namespace


def questions(folder: Path) -> list[Path]:
    return sorted((folder / "tests").glob("q*.py"))


def run_tests(test_file: Path, namespace: dict) -> OKTestFile:
    tests = OKTestFile.from_file(str(test_file))
    tests.run(dict(namespace))  # a copy: the tests define names of their own
    return tests


def test_solution_passes_every_test(assigned):
    namespace = run_notebook(assigned / "autograder")
    for test_file in questions(assigned / "autograder"):
        tests = run_tests(test_file, namespace)
        assert tests.passed_all, f"the solution fails {test_file.stem}:\n{tests.summary()}"
        assert any(case.hidden for case in tests.test_cases), f"{test_file.stem} has no hidden test"
        assert any(not case.hidden for case in tests.test_cases), f"{test_file.stem} has no public test"


def test_committed_student_version_is_what_make_homework_makes(assigned):
    """homework/student/ is generated: it must equal a fresh build, file for file."""
    fresh = assigned / "student"
    (notebook,) = fresh.glob("*.ipynb")
    committed = homework_build.STUDENT / notebook.stem
    names = sorted(p.relative_to(fresh).as_posix() for p in fresh.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(committed).as_posix() for p in committed.rglob("*") if p.is_file())
    for name in names:
        assert (fresh / name).read_bytes() == (committed / name).read_bytes(), f"{committed / name} is stale: run `make homework`"


def test_student_tests_are_the_public_ones(assigned):
    for test_file in questions(assigned / "autograder"):
        public = OKTestFile.from_file(str(assigned / "student" / "tests" / test_file.name))
        full = OKTestFile.from_file(str(test_file))
        assert [case.body for case in public.test_cases] == [case.body for case in full.test_cases if not case.hidden]


def test_student_template_runs_and_fails_with_its_stubs(assigned):
    namespace = run_notebook(assigned / "student")  # raises if a cell does
    student_tests = questions(assigned / "student")
    assert [path.name for path in student_tests] == [path.name for path in questions(assigned / "autograder")]
    for test_file in student_tests:
        tests = run_tests(test_file, namespace)
        assert not tests.passed_all_public, f"the stubs pass the public tests of {test_file.stem}"
        assert tests.grade == 0, f"the stubs earn points on {test_file.stem}"


def wrong_answer_cases():
    return [
        pytest.param(homework, question, name, function, id=f"{homework}-{question}-{description}")
        for homework, by_question in WRONG.items()
        for question, answers in by_question.items()
        for description, name, function in answers
    ]


@pytest.fixture(scope="module")
def solved(assign):
    """``solved(name)``: the namespace of the executed solution and its tests folder."""
    namespaces = {}

    def get(name: str) -> tuple[dict, Path]:
        if name not in namespaces:
            namespaces[name] = run_notebook(assign(name) / "autograder")
        return namespaces[name], assign(name) / "autograder" / "tests"

    return get


@pytest.mark.parametrize("homework, question, name, function", wrong_answer_cases())
def test_wrong_answer_is_caught(solved, homework, question, name, function):
    namespace, tests_dir = solved(homework)
    assert name in namespace, f"{homework} defines no {name!r}"
    tests = run_tests(tests_dir / f"{question}.py", {**namespace, name: function})
    assert not tests.passed_all, f"the tests of {homework} {question} accept a wrong {name}"


def test_every_question_has_a_wrong_answer(solved):
    for homework in homework_names():
        _, tests_dir = solved(homework)
        asked = {path.stem for path in tests_dir.glob("q*.py")}
        assert asked <= set(WRONG.get(homework, {})), f"{homework}: no wrong answers for {asked - set(WRONG.get(homework, {}))}"


def otter_run(zip_file: Path, submission: Path, out: Path) -> dict:
    """Grade one notebook as an instructor does: `otter run -a <zip> <notebook>`."""
    out.mkdir()
    otter = Path(sys.executable).with_name("otter")
    result = subprocess.run([str(otter), "run", "-a", str(zip_file), "-o", str(out), str(submission)],
                            capture_output=True, text=True)
    assert result.returncode == 0, f"otter run failed:\n{result.stdout}\n{result.stderr}"
    tests = json.loads((out / "results.json").read_text())["tests"]
    return {test["name"]: (test["score"], test["max_score"]) for test in tests if test.get("max_score")}


def test_otter_run_grades_the_solution_full_and_the_template_zero(assigned, tmp_path):
    zip_file = homework_build.autograder_zip(assigned)
    (solution,) = (assigned / "autograder").glob("*.ipynb")
    full = otter_run(zip_file, solution, tmp_path / "solution")
    assert full and all(score == most for score, most in full.values()), full
    (template,) = (assigned / "student").glob("*.ipynb")
    empty = otter_run(zip_file, template, tmp_path / "template")
    assert set(empty) == set(full) and all(score == 0 for score, _ in empty.values()), empty
