"""Every exercise in the stored notebooks has its three help cells, in the standard order:
the learner's cell ending in ``ex.NAME.check(...)``, then ``ex.NAME.hint()``, then
``ex.NAME.solution()`` (markdown may sit between them; no other code)."""

from __future__ import annotations

import re

import nbformat
import pytest

from .conftest import NOTEBOOKS_DIR

CHECK = re.compile(r"^ex\.(\w+)\.check\(", re.MULTILINE)


def test_every_exercise_has_check_hint_and_solution_cells(notebook_name):   # conftest parametrizes
    path = NOTEBOOKS_DIR / notebook_name
    if not path.exists():
        pytest.skip(f"{notebook_name} is not in this checkout yet (written separately)")
    code = [c.source.strip() for c in nbformat.read(path, as_version=4).cells
            if c.cell_type == "code"]
    for k, source in enumerate(code):
        for name in CHECK.findall(source):
            assert source.rstrip().endswith(")"), f"{name}: check() must end the cell"
            follow = code[k + 1:k + 3]
            assert follow == [f"ex.{name}.hint()", f"ex.{name}.solution()"], (
                f"{notebook_name}: exercise {name} is followed by {follow}; expected its "
                "hint cell, then its solution cell")
