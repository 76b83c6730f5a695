"""The package is the lessons' code: what a lesson writes out, nlpcourse holds verbatim.

A lesson cell whose first line is ``#@save nlpcourse/<module>.py`` (d2l's convention)
holds code the course package keeps as it stands: every class, function and constant
the cell defines at top level must be in that module, identical down to the docstrings
(compared as syntax trees, so only formatting and comments may differ). A learner who
reads the lesson and then the module reads the same code, and a change to one without
the other fails here, naming both.

And the package says where each piece was built: a module whose docstring begins "Built
in notebooks/NN_..." must have a saved cell in that lesson, and so must a function or
class whose own docstring says so.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import jupytext
import pytest

from conftest import ROOT, lesson_sources

SAVE = re.compile(r"#@save (nlpcourse/[\w/]+\.py)")
BUILT_IN = re.compile(r"Built in ((?:notebooks/\d\d_\w+(?:,? (?:and )?)?)+)")
LESSON_NAME = re.compile(r"notebooks/(\d\d_\w+)")

def definitions(tree: ast.Module) -> dict[str, ast.AST]:
    """Top-level classes, functions and single-name assignments, by name."""
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if len(targets) == 1 and isinstance(targets[0], ast.Name):
                found[targets[0].id] = node
    return found


def saved_cells() -> list[tuple[str, str, str]]:
    """(lesson, module, code) of every ``#@save`` cell of every lesson."""
    cells = []
    for source in lesson_sources():
        for cell in jupytext.read(source).cells:
            first = cell.source.lstrip().split("\n", 1)[0]
            match = SAVE.fullmatch(first.strip())
            if cell.cell_type == "code" and match:
                cells.append((source.stem, match.group(1), cell.source))
    return cells


SAVED = saved_cells()


def modules() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / "nlpcourse").rglob("*.py"))


def built_in(docstring: str | None) -> list[str]:
    """The lessons a docstring says the code was built in."""
    match = BUILT_IN.search(docstring or "")
    return LESSON_NAME.findall(match.group(1)) if match else []


def test_lessons_save_code_to_the_package():
    assert SAVED, "no lesson has a #@save cell"


@pytest.mark.parametrize("lesson, module, code", SAVED, ids=[f"{l}-{m.split('/')[-1]}" for l, m, _ in SAVED])
def test_a_saved_cell_is_in_its_module_verbatim(lesson, module, code):
    path = ROOT / module
    assert path.exists(), f"{lesson} saves a cell to {module}, which does not exist"
    tree = ast.parse(code)
    in_lesson = definitions(tree)
    assert in_lesson, f"{lesson}'s #@save cell for {module} defines nothing"
    others = [ast.unparse(node).split("\n")[0] for node in tree.body
              if node not in in_lesson.values() and not isinstance(node, (ast.Import, ast.ImportFrom))]
    assert not others, (f"{lesson}: a #@save cell holds only definitions (the package's code); "
                        f"move these lines to the next cell: {others}")
    in_package = definitions(ast.parse(path.read_text()))
    for name, node in in_lesson.items():
        assert name in in_package, f"{lesson} writes out {name}, which {module} lacks: copy the cell over"
        assert ast.dump(node) == ast.dump(in_package[name]), (
            f"{module}'s {name} differs from the one {lesson} writes out; change both together "
            "(the lesson's cell is what the learner reads)")


def test_every_piece_is_written_out_once():
    lessons_of = defaultdict(list)
    for lesson, module, code in SAVED:
        for name in definitions(ast.parse(code)):
            lessons_of[module, name].append(lesson)
    twice = {key: lessons for key, lessons in lessons_of.items() if len(lessons) > 1}
    assert not twice, f"written out in more than one cell: {twice}"


@pytest.mark.parametrize("module", modules())
def test_a_module_that_names_its_lesson_was_written_out_there(module):
    tree = ast.parse((ROOT / module).read_text())
    saved_from = {lesson for lesson, target, _ in SAVED if target == module}
    saved_names = {name for lesson, target, code in SAVED if target == module
                   for name in definitions(ast.parse(code))}
    for lesson in built_in(ast.get_docstring(tree)):
        assert lesson in saved_from, (
            f"{module} says it was built in notebooks/{lesson}, which saves none of its code "
            f"(#@save {module})")
    for name, node in definitions(tree).items():
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and built_in(ast.get_docstring(node)):
            assert name in saved_names, f"{module}'s {name} says where it was built, but no lesson writes it out"
