"""The package's layers: each imports only its own layer and the layers below it.

    math -> data -> model -> experiments -> teaching (quiz, widgets, exercises) -> course -> cli

Read from the source with ``ast`` (lazy imports inside functions count too), so the rule of
CONTRIBUTING.md cannot rot.  Within a layer, imports between sub-packages must not form a
cycle, and every module reads in one sitting (at most 400 lines).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "rmteach"
LAYERS = {"math": 1, "data": 2, "model": 3, "experiments": 4,
          "quiz": 5, "widgets": 5, "exercises": 5, "course": 6, "cli": 7}
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, source: str | None = None) -> set[str]:
    """Every rmteach module or package that ``path`` imports, as a dotted name."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    source = path.read_text() if source is None else source
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "rmteach"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "rmteach":
                continue
            found.add(target)
            for alias in node.names:          # `from . import widgets` imports a module
                sub = f"{target}.{alias.name}"
                if (PKG.parent / (sub.replace(".", "/") + ".py")).exists() or \
                        (PKG.parent / sub.replace(".", "/")).is_dir():
                    found.add(sub)
    return found


def _layer(dotted: str) -> int | None:
    parts = dotted.split(".")
    if len(parts) == 1 or parts[1] in ("__main__", "seeds"):
        return 8                               # the package's face: above every layer
    return LAYERS.get(parts[1])


MODULES = sorted(p for p in PKG.rglob("*.py"))


def test_every_module_has_a_layer():
    top = {p.relative_to(PKG).parts[0] for p in MODULES if len(p.relative_to(PKG).parts) > 1}
    assert top == set(LAYERS), "a new sub-package needs a layer here and in CONTRIBUTING.md"
    loose = {p.name for p in MODULES if len(p.relative_to(PKG).parts) == 1}
    assert loose == {"__init__.py", "__main__.py"}, "modules live in a layer's sub-package"


def _upward(path: Path, source: str | None = None) -> list[str]:
    me = _layer(_module_name(path))
    return [] if me == 8 else sorted(t for t in _imports(path, source) if (_layer(t) or 0) > me)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_imports_only_downward(path):
    upward = _upward(path)
    assert not upward, f"{_module_name(path)} imports from a layer above: {upward}"


def test_no_cycle_between_subpackages():
    edges: dict[str, set[str]] = {}
    for path in MODULES:
        src = _module_name(path).split(".")
        if len(src) < 2 or _layer(".".join(src)) == 8:
            continue
        for target in _imports(path):
            t = target.split(".")
            if len(t) > 1 and t[1] != src[1] and _layer(target) != 8:
                edges.setdefault(src[1], set()).add(t[1])

    def visit(node, stack):
        assert node not in stack, f"a cycle between sub-packages: {' -> '.join([*stack, node])}"
        for nxt in sorted(edges.get(node, ())):
            visit(nxt, [*stack, node])

    for node in sorted(edges):
        visit(node, [])


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_module_reads_in_one_sitting(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PKG)} has {lines} lines (at most {MAX_LINES})"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_module_says_what_it_is_for(path):
    doc = ast.get_docstring(ast.parse(path.read_text()))
    assert doc and len(doc.splitlines()[0]) > 20, f"{path.relative_to(PKG)}: no docstring line"


def test_the_rule_catches_an_upward_import():
    """The checker is not vacuous: a math module that imports the model, lazily, fails it."""
    probe = PKG / "math" / "losses.py"
    source = probe.read_text() + "\n\ndef f():\n    from ..model.network import TinyRewardModel\n"
    assert _upward(probe) == []
    assert _upward(probe, source) == ["rmteach.model.network"]
    widget = PKG / "widgets" / "pairwise.py"
    assert _upward(widget, "from ..course import lab\n") == ["rmteach.course", "rmteach.course.lab"]
