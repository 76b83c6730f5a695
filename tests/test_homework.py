"""Homework: `otter assign` builds each template; the solutions pass every test, public
and hidden; the student templates execute and fail while their stubs are in place; every
plausible wrong answer in wrong_answers.py fails at least one test and every valid
alternative there passes all of them; the tests themselves are fair (every assert has a
message, every random draw is seeded, banned calls are checked in every case, the public
cases earn at most half); and the templates never fetch the masters."""

import ast
import importlib.util
import json
import math
import os
import re
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest
import torch
from otter.test_files.ok_test import OKTestFile
from wrong_answers import RIGHT, WRONG, Derived

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
    def files(folder: Path) -> list[str]:  # not otter's .OTTER_LOG, which running a template writes
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != ".OTTER_LOG")

    names = files(fresh)
    assert names == files(committed)
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
    answer = function.compute(namespace) if isinstance(function, Derived) else function
    tests = run_tests(tests_dir / f"{question}.py", {**namespace, name: answer})
    assert not tests.passed_all, f"the tests of {homework} {question} accept a wrong {name}"


def right_answer_cases():
    return [
        pytest.param(homework, question, name, function, id=f"{homework}-{question}-{description}")
        for homework, by_question in RIGHT.items()
        for question, answers in by_question.items()
        for description, name, function in answers
    ]


@pytest.mark.parametrize("homework, question, name, function", right_answer_cases())
def test_valid_alternative_earns_full_marks(solved, homework, question, name, function):
    namespace, tests_dir = solved(homework)
    tests = run_tests(tests_dir / f"{question}.py", {**namespace, name: function})
    assert tests.passed_all, f"the tests of {homework} {question} reject a valid {name}:\n{tests.summary()}"


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


# The tests themselves: fair, seeded, explained, and graded on what the question forbids.


def homework_of(assigned: Path) -> str:
    (notebook,) = (assigned / "autograder").glob("*.ipynb")
    return notebook.stem


def case_sources(folder: Path) -> list[tuple[str, int, str, bool]]:
    """(question, case number, Python source, hidden) of every test case in ``folder``/tests."""
    cases = []
    for test_file in questions(folder):
        for number, case in enumerate(OKTestFile.from_file(str(test_file)).test_cases):
            lines = [line[4:] for line in case.body.splitlines() if line.startswith((">>> ", "... "))]
            cases.append((test_file.stem, number, "\n".join(lines), case.hidden))
    return cases


RANDOM_DRAWS = {"randn", "rand", "randint", "randperm", "normal", "multinomial", "bernoulli"}


def test_every_assert_has_a_message(assigned):
    for question, number, source, _ in case_sources(assigned / "autograder"):
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Assert):
                assert node.msg is not None, f"{homework_of(assigned)} {question} case {number}: `{ast.unparse(node)}` has no message"


def test_every_random_draw_is_seeded_in_its_own_case(assigned):
    """A draw from the global generator after the student's code ran could differ from run
    to run: every draw names a generator seeded in the case, and a module built with
    random weights (nn.LSTMCell(...)) follows a torch.manual_seed in the same case."""
    for question, number, source, _ in case_sources(assigned / "autograder"):
        where = f"{homework_of(assigned)} {question} case {number}"
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in RANDOM_DRAWS:
                    assert any(k.arg == "generator" for k in node.keywords), f"{where}: {ast.unparse(node)} draws from the global generator"
                if ast.unparse(node.func.value) in ("nn", "torch.nn") and node.func.attr[0].isupper():
                    before = source[: source.find(ast.unparse(node))]
                    assert "manual_seed(" in before, f"{where}: {ast.unparse(node)} is built without seeding torch first"


def test_public_cases_earn_at_most_half(assigned):
    for test_file in questions(assigned / "autograder"):
        cases = OKTestFile.from_file(str(test_file)).test_cases
        public = sum(case.points for case in cases if not case.hidden)
        total = sum(case.points for case in cases)
        assert public <= total / 2, f"{homework_of(assigned)} {test_file.stem}: the public cases earn {public} of {total} points"


def test_every_case_checks_banned_calls(assigned):
    """The asked function is only called through forbid(...), in every case, so an answer
    that uses what its question puts off limits earns nothing on that question."""
    asked = {question: {name for _, name, answer in answers if not isinstance(answer, Derived)}
             for question, answers in WRONG[homework_of(assigned)].items()}
    for question, number, source, _ in case_sources(assigned / "autograder"):
        where = f"{homework_of(assigned)} {question} case {number}"
        if not asked.get(question):  # a question answered with values, not a function
            continue
        assert "forbid(" in source, f"{where} does not check banned calls"
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in asked.get(question, ()), f"{where}: `{ast.unparse(node)}` calls the answer directly, not through forbid"


# The student templates fetch their tests and the package, never the masters.


def setup_cell(notebook: Path) -> str:
    cells = nbformat.read(notebook, as_version=4).cells
    return next(cell.source for cell in cells if cell.cell_type == "code" and "google.colab" in cell.source)


@pytest.fixture(scope="module")
def remote(tmp_path_factory) -> Path:
    """A bare copy of this repository's HEAD that serves partial clones, as GitHub does."""
    bare = tmp_path_factory.mktemp("remote") / "course.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(ROOT), str(bare)], check=True)
    subprocess.run(["git", "-C", str(bare), "config", "uploadpack.allowFilter", "true"], check=True)
    return bare


def test_colab_setup_installs_the_package_and_fetches_only_public_tests(assigned, remote, tmp_path, monkeypatch):
    """Run the template's Colab setup cell against a local copy of the repository: git
    commands run for real, pip commands are recorded. Afterwards ./tests holds the public
    tests, pip was given the package folder, and the clone holds no master's content."""
    (template,) = (assigned / "student").glob("*.ipynb")
    source = setup_cell(template)
    course = tmp_path / "course"
    url = re.search(r'REPO = "([^"]+)"', source).group(1)
    source = source.replace(url, remote.as_uri()).replace('"/tmp/course"', repr(str(course)))
    assert remote.as_uri() in source and str(course) in source, "the setup cell names no REPO or COURSE to replace"
    pip_calls = []
    real_run = subprocess.run

    def run(command, **kwargs):
        if command[:3] == [sys.executable, "-m", "pip"]:
            pip_calls.append(command[3:])
            return subprocess.CompletedProcess(command, 0)
        assert command[0] == "git", f"the setup cell runs {command}"
        return real_run(command, **kwargs)

    student = tmp_path / "student"
    student.mkdir()
    monkeypatch.chdir(student)
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(subprocess, "run", run)
    setup_only = source.split("\nimport otter")[0]  # the cell's imports of the packages come after
    exec(compile(setup_only, "setup cell", "exec"), {"__name__": "__main__"})

    (notebook,) = (assigned / "student").glob("*.ipynb")
    public = real_run(["git", "-C", str(remote), "ls-tree", "--name-only", f"HEAD:homework/student/{notebook.stem}/tests"],
                      capture_output=True, text=True, check=True).stdout.split()
    assert public and sorted(p.name for p in (student / "tests").glob("q*.py")) == sorted(public)
    assert pip_calls[0] == ["install", "-q", "otter-grader==7.0.0", str(course)], pip_calls
    assert all(call[:3] == ["install", "-q", "--no-deps"] for call in pip_calls[1:]), pip_calls
    assert (course / "pyproject.toml").is_file() and (course / "nlpcourse" / "__init__.py").is_file()
    checked_out = {p.relative_to(course).as_posix() for p in course.rglob("*") if ".git" not in p.parts}
    assert not any(name.startswith("homework/hw") for name in checked_out), "the clone checked out a master"
    listing = real_run(["git", "-C", str(course), "rev-list", "--objects", "--missing=print", "HEAD"],
                       capture_output=True, text=True, check=True).stdout.split("\n")
    present = {line.split()[0] for line in listing if line and not line.startswith("?")}
    for master in MASTERS:
        for path in (master, master.with_suffix(".py")):
            blob = real_run(["git", "-C", str(remote), "rev-parse", f"HEAD:homework/{path.name}"],
                            capture_output=True, text=True, check=True).stdout.strip()
            assert blob not in present, f"the clone fetched the content of homework/{path.name}"


def test_the_points_in_the_masters_table_are_the_points_graded(assigned):
    """The table at the top of a homework says what each question is worth: the sum of
    its cases' points must agree."""
    (notebook,) = (assigned / "autograder").glob("*.ipynb")
    intro = nbformat.read(notebook, as_version=4).cells[0].source
    table = dict(re.findall(r"^\| (\d+)\. [^|]+\|[^|]+\| ([\d.]+) \|$", intro, flags=re.M))
    graded = {path.stem: OKTestFile.from_file(str(path)).possible for path in questions(assigned / "autograder")}
    assert table and {f"q{n}": float(points) for n, points in table.items()} == graded, (table, graded)


def test_a_variant_changes_the_expected_answers_and_the_solution_passes_it(assign, tmp_path):
    """make homework SEED=N: other inputs, sizes and toy cases, so the public masters'
    expected values do not answer variant N's tests; the solution passes both."""
    name = "hw1_embeddings"
    variant = homework_build.assign(ROOT / "homework" / f"{name}.ipynb", tmp_path / "variant", variant=7)
    (notebook,) = (variant / "student").glob("*.ipynb")
    assert "VARIANT = 7" in setup_cell(notebook)
    zero_losses = []
    for built in (assign(name), variant):
        namespace = run_notebook(built / "autograder")
        for test_file in questions(built / "autograder"):
            tests = run_tests(test_file, namespace)
            assert tests.passed_all, f"the solution fails {test_file.stem} of {built}:\n{tests.summary()}"
        # The public all-zero case expects (1 + K) log 2, with K drawn from the case's seed.
        case = OKTestFile.from_file(str(built / "autograder" / "tests" / "q1.py")).test_cases[0].body
        seed = int(re.search(r"manual_seed\((\d+)\)", case)[1])
        k = int(torch.randint(2, 9, (1,), generator=torch.Generator().manual_seed(seed)))
        zero_losses.append((1 + k) * math.log(2))
    assert zero_losses[0] != zero_losses[1], f"variant 7 expects the same all-zero loss as variant 0: {zero_losses}"
    for question in ("q1", "q2"):
        seeds = [set(re.findall(r"manual_seed\((\d+)\)", (built / "autograder" / "tests" / f"{question}.py").read_text()))
                 for built in (assign(name), variant)]
        assert seeds[0] and not seeds[0] & seeds[1], f"{question}: variant 7 draws from the seeds of variant 0: {seeds}"
