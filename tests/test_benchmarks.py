"""The benchmark runs and writes well-formed results.  No timing is asserted anywhere.

One smoke run of ``python -m benchmarks --tiny`` (the quick mode at tiny sizes) in a
subprocess, shared by the tests below; they check the files' structure and the
numbers that are not timings (forward-pass counts, accuracies in [0, 1], ratios
that are the quotient of their own two times, every notebook accounted for).
"""

from __future__ import annotations

import itertools
import json
import math
import random
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

import rmteach
import rmteach.widgets
from benchmarks import loss_kernels, timing, widgets

ROOT = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _strict_json(text: str):
    def reject(name):
        raise ValueError(f"non-standard JSON constant {name}")
    return json.loads(text, parse_constant=reject)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """Run the CLI once at tiny sizes, with two scratch notebooks (one fails on purpose)."""
    base = tmp_path_factory.mktemp("bench")
    nbdir = base / "notebooks"
    nbdir.mkdir()
    ok = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1 + 1"),
                                         nbformat.v4.new_code_cell("print(x)")])
    bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("raise ValueError('boom')")])
    nbformat.write(ok, nbdir / "a_ok.ipynb")
    nbformat.write(bad, nbdir / "b_fails.ipynb")
    out = base / "results"
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--tiny", "--out", str(out),
                           "--notebooks-dir", str(nbdir)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = _strict_json((out / "results-tiny.json").read_text())
    return {"out": out, "results": results, "md": (out / "results-tiny.md").read_text(),
            "nbdir": nbdir, "stderr": proc.stderr}


def test_header_describes_the_machine(tiny_run):
    m = tiny_run["results"]["machine"]
    assert m["cpu"] and isinstance(m["cpu"], str)
    assert isinstance(m["cores"], int) and m["cores"] >= 1
    assert m["torch"] and m["torch"].startswith("2.")
    assert isinstance(m["torch_threads"], int) and m["torch_threads"] >= 1
    assert m["device"] == "cpu"
    md = tiny_run["md"]
    header = next(line for line in md.splitlines() if line.startswith("| machine (CPU)"))
    for word in ("cores", "torch", "device"):
        assert word in header
    assert m["torch"] in md and m["cpu"] in md


def test_markdown_tables_are_well_formed(tiny_run):
    """Every table row has as many cells as its header; every section is present."""
    lines = tiny_run["md"].splitlines()
    for title in ("## Targets", "## 1. Loss kernels", "## 2. Training cost",
                  "## 3. Time to", "## 4. Notebook suite", "## 5. Widget latency"):
        assert any(line.startswith(title) for line in lines), title
    k = 0
    tables = 0
    while k < len(lines):
        if lines[k].startswith("|") and k + 1 < len(lines) and lines[k + 1].startswith("|---"):
            width = lines[k].count("|")
            k += 2
            while k < len(lines) and lines[k].startswith("|"):
                assert lines[k].count("|") == width, lines[k]
                k += 1
            tables += 1
        k += 1
    assert tables >= 7


def test_loss_rows_are_consistent(tiny_run):
    sec = tiny_run["results"]["loss_kernels"]
    rows = sec["rows"]
    backends = {"numpy", "numpy+ranking", "torch", "torch+ranking", "torch fwd+bwd"}
    expected = {(b, loss, n) for b in backends for loss in loss_kernels.LOSSES for n in sec["ns"]}
    assert {(r["backend"], r["loss"], r["n"]) for r in rows} == expected
    for r in rows:
        assert r["batch"] == sec["batch"] == 16
        for key in ("vectorised_s", "exploded_s"):
            assert math.isfinite(r[key]) and r[key] > 0
        assert r["speedup_vs_exploded"] == pytest.approx(r["exploded_s"] / r["vectorised_s"])
        if r["backend"] == "torch fwd+bwd":
            assert r["loop_s"] is None and r["speedup_vs_loop"] is None
        else:
            assert r["speedup_vs_loop"] == pytest.approx(r["loop_s"] / r["vectorised_s"])
    assert sec["cuda"] == {"skipped": "no CUDA device"}
    assert (tiny_run["out"] / "loss_speedup-tiny.png").read_bytes().startswith(PNG_MAGIC)


def test_training_counts_forward_passes(tiny_run):
    """Grouped scores each response once (N per list), exploded both sides of every pair."""
    sec = tiny_run["results"]["training"]
    runs = {r["mode"]: r for r in sec["runs"]}
    assert set(runs) == {"grouped", "exploded", "exploded, matched batch"}
    n = runs["grouped"]["n"]
    assert runs["grouped"]["forward_per_epoch"] == runs["grouped"]["train_lists"] * n
    pairs = runs["grouped"]["train_lists"] * n * (n - 1) // 2
    assert runs["grouped"]["train_pairs"] == pairs
    for mode in ("exploded", "exploded, matched batch"):
        assert runs[mode]["forward_per_epoch"] == 2 * pairs
    for r in sec["runs"]:
        assert 0.0 <= r["heldout_accuracy"] <= 1.0 and r["heldout_logloss"] > 0
        assert r["epoch_s"] > 0 and r["peak_mib"] is not None
    for c in sec["comparisons"]:
        assert c["forward_pass_ratio"] == pytest.approx(n - 1)
    tta = tiny_run["results"]["time_to_accuracy"]["losses"]["listwise"]
    assert tta["epochs_run"] >= 1 and 0.0 <= tta["best_accuracy"] <= 1.0
    assert (tta["seconds_to_target"] is None) == (tta["epoch_reached"] is None)


def test_notebooks_are_all_accounted_for(tiny_run):
    sec = tiny_run["results"]["notebooks"]
    by_name = {r["notebook"]: r for r in sec["notebooks"]}
    assert set(by_name) == {"a_ok.ipynb", "b_fails.ipynb"}
    assert by_name["a_ok.ipynb"]["error"] is None and by_name["a_ok.ipynb"]["code_cells"] == 2
    assert "boom" in by_name["b_fails.ipynb"]["error"]
    assert sec["errors"] == 1
    assert sec["total_wall_s"] == pytest.approx(sum(r["wall_s"] for r in sec["notebooks"]))
    # the benchmark executes copies: the notebooks on disk keep no outputs
    nb = nbformat.read(tiny_run["nbdir"] / "a_ok.ipynb", as_version=4)
    assert all(not c.outputs for c in nb.cells)


def test_widgets_really_redraw(tiny_run):
    sec = tiny_run["results"]["widgets"]
    measured = {k: r for k, r in sec["widgets"].items() if "live_median_s" in r}
    assert measured, sec
    for name, r in measured.items():
        assert r["updates"] == 3, name
        assert r["not_redrawn"] == 0, name
        assert r["speedup"] == pytest.approx(r["naive_median_s"] / r["live_median_s"])


def test_every_target_has_a_verdict(tiny_run):
    for t in tiny_run["results"]["targets"]:
        assert t["status"] in ("met", "MISSED", "not measured")
        assert (t["met"] is None) == (t["status"] == "not measured")
        assert t["measured"]


# --- the pieces, on their own -------------------------------------------------------


def test_python_loops_compute_the_library_losses():
    rng = np.random.default_rng(1)
    scores = rng.normal(0, 3, size=(7, 5))
    ranking = np.argsort(rng.random((7, 5)), axis=1)
    assert loss_kernels.listwise_loop(scores.tolist()) == pytest.approx(
        float(rmteach.listwise_loss(scores)), rel=1e-12)
    assert loss_kernels.listwise_loop(scores.tolist(), ranking.tolist()) == pytest.approx(
        float(rmteach.listwise_loss(scores, ranking)), rel=1e-12)
    assert loss_kernels.plackett_luce_loop(scores.tolist()) == pytest.approx(
        float(rmteach.plackett_luce_loss(scores)), rel=1e-12)
    assert loss_kernels.plackett_luce_loop(scores.tolist(), ranking.tolist()) == pytest.approx(
        float(rmteach.plackett_luce_loss(scores, ranking)), rel=1e-12)


def test_percentile_matches_numpy():
    rnd = random.Random(0)
    xs = [rnd.random() for _ in range(37)]
    for q in (0, 50, 95, 100):
        assert timing.percentile(xs, q) == pytest.approx(float(np.percentile(xs, q)))


def test_measure_interleaved_reports_every_variant():
    out = timing.measure_interleaved({"a": lambda: None, "b": lambda: sum(range(100))},
                                     warmup=1, min_rounds=3, max_rounds=3, budget_s=0.0)
    assert set(out) == {"a", "b"}
    for t in out.values():
        assert t.samples >= 3 and t.calls_per_sample >= 1 and t.min_s <= t.median_s <= t.p95_s


def test_naive_baseline_rebuilds_the_figure():
    """The baseline draws a real PNG from a fresh pyplot figure and closes it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    w = rmteach.widgets.bradley_terry_explorer()
    before = plt.get_fignums()
    png = widgets.naive_redraw_subplots(w.live_figure.figure)
    assert png.startswith(PNG_MAGIC) and len(png) > 1000
    assert plt.get_fignums() == before
    src = w.live_figure.figure
    assert len(src.axes) == 2


def test_sweep_changes_the_value_every_step():
    w = rmteach.widgets.bradley_terry_explorer()
    ctrl = w.controls[w.main_control]
    vals = widgets._sweep(ctrl, 25)
    assert len(vals) == 25 and vals[0] != ctrl.value
    assert all(a != b for a, b in itertools.pairwise(vals))
    assert all(ctrl.min <= v <= ctrl.max for v in vals)
