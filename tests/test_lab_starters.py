"""Each notebook's committed exercise cell equals its package starter (``Exercise.starter``).

Course labs build the student's cell from the package, so the two must not drift apart: a
notebook that shows one starter while the lab ships another would confuse everyone.  The
rule is simple: the cell whose last line is ``ex.NAME.check(ARG)`` is, character for
character, ``rmteach.exercises.nbNN.NAME.starter``.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from rmteach.exercises import EXERCISES

from .conftest import NOTEBOOKS_DIR

CHECK = re.compile(r"^ex\.(\w+)\.check\(.*\)\s*$")


def _exercise_cells():
    for path in sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            m = CHECK.match(cell.source.rstrip().split("\n")[-1]) \
                if cell.cell_type == "code" else None
            if m:
                yield path, cell, f"nb{path.name[:2]}.{m.group(1)}"


CELLS = list(_exercise_cells())


def test_the_suite_has_exercise_cells():
    assert len(CELLS) >= 10 and all(key in EXERCISES for _, _, key in CELLS), \
        [key for _, _, key in CELLS if key not in EXERCISES]


@pytest.mark.parametrize("path, cell, key", CELLS, ids=[k for _, _, k in CELLS])
def test_exercise_cell_equals_its_package_starter(path, cell, key):
    module, name = key.split(".")
    starter = EXERCISES[key].starter
    assert cell.source == starter, (
        f"notebooks/{path.name}, cell id {cell.get('id')}: exercise {key} differs from its "
        f"package starter (rmteach/exercises/{module}.py, {name} = Exercise(starter=...)). "
        "If you rewrote the exercise on purpose, paste the cell's text into starter= (and "
        "check that its solution_code still fits); if the cell holds an answer you typed, "
        f"restore it: git checkout -- notebooks/{path.name}.")


def test_every_exercise_with_a_notebook_cell_has_a_starter_ending_in_check():
    for key, ex in EXERCISES.items():
        last = ex.starter.split("\n")[-1]
        assert re.fullmatch(rf"ex\.{ex.name}\.check\(\w+\)", last), (key, last)
        assert ex.starter.count("...") == 1, (key, "one placeholder per exercise")
