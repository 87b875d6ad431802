"""Checks on the *stored* notebooks (no kernel): what a learner sees when opening them,
what GitHub's viewer shows, and what nbval needs to check them strictly.

nbval (run with the README's test command) re-executes every notebook and compares the
outputs; these tests catch what nbval cannot: a cell stored without output (nbval then
silently checks nothing), a notebook saved mid-session, a wrong kernelspec, bulky widget
state, leaked machine paths, widgets stored only as ``VBox(children=...)`` text.
"""

from __future__ import annotations

import json
import re

import nbformat
import pytest

from .conftest import NOTEBOOKS_DIR, SUITE

MAX_NOTEBOOK_BYTES = 1_000_000        # figures are small PNGs; a notebook stays well below
MAX_WIDGET_STATE_CHARS = 50_000       # tools/run_notebooks.py drops the state entirely
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# The default repr of an ipywidget: what a viewer without widget support would print.
WIDGET_REPR = re.compile(r"^\s*[A-Z]\w*\((children|value|layout|description)=")
ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")


def _load(notebook_name: str) -> nbformat.NotebookNode:
    path = NOTEBOOKS_DIR / notebook_name
    if not path.exists():
        pytest.fail(f"{path} is missing: the suite's notebook names are fixed in "
                    "CONTRIBUTING.md", pytrace=False)
    return nbformat.read(path, as_version=4)


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _first_line(cell) -> str:
    return cell.source.lstrip().split("\n", 1)[0].strip()


def _texts(output) -> list[str]:
    """The textual parts of an output (stream text, text/plain, text/html, traceback)."""
    if output.output_type == "stream":
        return [output.text]
    if output.output_type == "error":
        return ["\n".join(output.traceback)]
    data = output.get("data", {})
    return [v if isinstance(v, str) else "".join(v)
            for k, v in data.items() if k in ("text/plain", "text/html", "text/markdown")]


def test_the_suite_is_complete():
    missing = [n for n in SUITE if not (NOTEBOOKS_DIR / n).exists()]
    assert not missing, f"missing suite notebooks: {missing}"


def test_valid_nbformat_and_python3_kernelspec(notebook_name):
    nb = _load(notebook_name)
    nbformat.validate(nb)
    spec = nb.metadata.get("kernelspec", {})
    assert spec.get("name") == "python3", (
        f"kernelspec is {spec!r}; store notebooks with the 'python3' kernel "
        "(tools/run_notebooks.py sets it) so they open on any machine and on Binder")
    assert spec.get("language") == "python"


def test_every_code_cell_stored_executed_in_one_clean_run(notebook_name):
    """Execution counts 1, 2, 3, ... in order: the outputs come from one top-to-bottom
    run in a fresh kernel (a cell never run is not checked by nbval at all)."""
    cells = _code_cells(_load(notebook_name))
    assert cells, "a notebook without code cells"
    counts = [c.execution_count for c in cells]
    expected = list(range(1, len(cells) + 1))
    assert counts == expected, (
        f"execution counts {counts} should be {expected}: re-run "
        f"`python tools/run_notebooks.py {notebook_name}` to store a clean run")


def test_no_stored_errors(notebook_name):
    for i, cell in enumerate(_code_cells(_load(notebook_name))):
        if ("NBVAL_RAISES_EXCEPTION" in _first_line(cell)
                or "raises-exception" in cell.get("metadata", {}).get("tags", [])):
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, (f"code cell {i} stores an error: "
                            f"{errors[0].ename}: {errors[0].evalue}")


def test_small_file_and_no_bulky_widget_state(notebook_name):
    path = NOTEBOOKS_DIR / notebook_name
    nb = _load(notebook_name)
    size = path.stat().st_size
    assert size <= MAX_NOTEBOOK_BYTES, (
        f"{notebook_name} is {size / 1e6:.2f} MB (limit {MAX_NOTEBOOK_BYTES / 1e6:.1f} MB): "
        "store smaller figures (dpi, figsize) or fewer static images")
    state = nb.metadata.get("widgets")
    if state is not None:
        chars = len(json.dumps(state))
        assert chars <= MAX_WIDGET_STATE_CHARS, (
            f"metadata.widgets holds {chars} characters of widget state; drop it "
            "(tools/run_notebooks.py does): the notebook re-creates its widgets when run")


def test_widget_outputs_have_a_readable_static_fallback(notebook_name):
    """Where widgets do not render (GitHub, nbviewer, a JupyterLab without the widget
    extension) the learner sees the fallback: it must not be ``VBox(children=...)``.
    A widget returned by a cell (execute_result) also carries a figure or HTML."""
    for i, cell in enumerate(_code_cells(_load(notebook_name))):
        for out in cell.outputs:
            data = out.get("data", {})
            if WIDGET_MIME not in data:
                continue
            plain = data.get("text/plain", "")
            plain = plain if isinstance(plain, str) else "".join(plain)
            assert not WIDGET_REPR.match(plain), (
                f"code cell {i}: the widget's text fallback is its repr {plain[:60]!r}; "
                "give it a readable _repr_mimebundle_ (CONTRIBUTING.md, Widgets)")
            if out.output_type == "execute_result":
                assert {"image/png", "text/html"} & set(data), (
                    f"code cell {i}: a displayed widget without a static image/png or "
                    "text/html fallback (GitHub's viewer would show nothing useful)")


def test_no_memory_addresses_or_machine_paths_in_outputs(notebook_name):
    """Addresses change on every run (sanitized for nbval, but noise for a reader);
    absolute paths of the machine that stored the notebook leak and break portability."""
    root = str(NOTEBOOKS_DIR.parent)
    for i, cell in enumerate(_code_cells(_load(notebook_name))):
        for out in cell.outputs:
            for text in _texts(out):
                match = ADDRESS.search(text)
                assert not match, (f"code cell {i} prints a memory address {match.group()!r}: "
                                   "end plotting lines with ';'")
                for leak in (root, "site-packages"):
                    assert leak not in text, f"code cell {i} prints a machine path ({leak})"


def test_start_here_links_every_notebook():
    nb = _load(SUITE[0])
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    missing = [n for n in SUITE[1:] if n not in text]
    assert not missing, f"{SUITE[0]} does not link {missing} in its map of the suite"


#: notebooks another branch (truth-b, issue 19) is moving from comment markers to cell tags
def test_no_test_machinery_in_code_a_learner_reads(notebook_name):
    """nbval's markers live in cell tags (``nbval-ignore-output``, ``nbval-skip``,
    ``raises-exception``), not as ``# NBVAL_*`` comments in the code a learner reads."""
    marked = [i for i, cell in enumerate(_code_cells(_load(notebook_name)))
              if "NBVAL_" in cell.source]
    assert not marked, (f"code cells {marked} carry a # NBVAL_* comment: give the cell the tag "
                        "'nbval-ignore-output' (or 'nbval-skip', 'raises-exception') instead")


#: "Prose at most about 1,500 words per notebook" (issue 19), counted as below; reference
#: material goes into a collapsed <details> "Going further" section, which is not counted
MAX_PROSE_WORDS = 1_560


def prose_words(nb) -> int:
    """Words of a notebook's markdown outside <details> sections, with maths and HTML tags
    left out (an inline formula counts as one word)."""
    text = " ".join(re.sub(r"<details>.*?</details>", " ", c.source, flags=re.S)
                    for c in nb.cells if c.cell_type == "markdown")
    text = re.sub(r"\$\$.*?\$\$", " ", text, flags=re.S)
    text = re.sub(r"\$[^$]*\$", " x ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return len(re.findall(r"[A-Za-z][A-Za-z'’-]*", text))


def test_prose_words_counts_what_a_reader_reads():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("Two words $a + b$ here.\n\n<details>not counted at all"
                                      "</details>\n$$\\sum_i x_i$$"),
        nbformat.v4.new_code_cell("print('code is not prose')")])
    assert prose_words(nb) == 4          # Two, words, (the formula), here


def test_prose_is_at_most_about_1500_words(notebook_name):
    nb = nbformat.read(NOTEBOOKS_DIR / notebook_name, as_version=4)
    words = prose_words(nb)
    assert words <= MAX_PROSE_WORDS, (
        f"{notebook_name}: {words} words of prose outside 'Going further' sections; cut "
        f"repetition or move reference material into a collapsed <details> section "
        f"(at most about 1,500: {MAX_PROSE_WORDS})")
