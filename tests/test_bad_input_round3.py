"""Issue 24, third round: the functions that were on the probe's KNOWN_ESCAPES list and
the ones the whole-package probe found after it (one test per class).  Each bad input gets
a ValueError whose text names the argument; none gets NumPy's or Python's own words."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
import torch

#: texts of NumPy or Python that must never be the message a user reads
LIBRARY_TEXTS = ("cannot reshape array", "invalid literal for", "math domain error",
                 "Maximum allowed size", "could not convert string", "could not be broadcast",
                 "values to unpack", "object is not iterable", "has no attribute")


def refused(call, *names):
    """Run ``call``; it must raise ValueError naming each of ``names``, in our words."""
    with pytest.raises(ValueError) as info:
        call()
    text = str(info.value)
    for name in names:
        assert name in text, text
    for library in LIBRARY_TEXTS:
        assert library not in text, text
    return text


# --- arrays given as pairs: one shape check, never NumPy's broadcasting text --------------

@pytest.mark.parametrize("module, name", [("rmteach.course.trl_bridge", "trl_metrics"),
                                          ("rmteach.course.trl_bridge", "rmteach_metrics"),
                                          ("rmteach.experiments.frozen_head", "reward_gradients"),
                                          ("rmteach.exercises.nb04", "autograd_gradients")])
def test_paired_rewards_of_different_lengths(module, name):
    import importlib

    fn = getattr(importlib.import_module(module), name)
    text = refused(lambda: fn([], [1.0, 2.0]), "r_chosen", "r_rejected")
    assert "(0,)" in text and "(2,)" in text
    refused(lambda: fn("x", [1.0]), "r_chosen")
    refused(lambda: fn([1.0], [math.nan]), "r_rejected")
    refused(lambda: fn([1.0], {1}), "r_rejected")
    # valid edge input still works: a scalar against a list
    assert len(fn(0.5, [1.0, 2.0])) in (2, 3, 4)


# --- the list losses' plumbing is private, so the probe leaves it out ---------------------

def test_ranking_plumbing_is_private_and_the_losses_still_check():
    from rmteach.math import list_losses, ranking

    for name in ("check_permutation_rows", "pair_difference_matrix",
                 "pair_difference_matrix_on", "pair_positions_on"):
        assert not hasattr(ranking, name)
        assert hasattr(ranking, "_" + name)
    refused(lambda: list_losses.listwise_loss([[1.0, 2.0, 3.0]], ranking=[[0, 0, 1]]),
            "ranking")
    assert np.isfinite(list_losses.listwise_loss([[1.0, 2.0, 3.0]], ranking=[[2, 0, 1]]))


# --- pre-tokenised rows --------------------------------------------------------------------

def test_score_encoded_and_lm_loss_check_model_ids_and_lengths():
    from rmteach.model.metrics import score_encoded
    from rmteach.model.network import TinyRewardModel
    from rmteach.model.pretrain import lm_loss

    model = TinyRewardModel(seed=0)
    ids, lengths = model.encode(["explain rain"] * 2, ["sunny", "a b"])
    for fn in (score_encoded, lm_loss):
        refused(lambda fn=fn: fn(None, ids, lengths), "model", "TinyRewardModel")
        refused(lambda fn=fn: fn(model, [1.0, 2.0], lengths), "ids")
        refused(lambda fn=fn: fn(model, ids.float(), lengths), "ids")
        refused(lambda fn=fn: fn(model, ids, lengths[:1]), "lengths")
        refused(lambda fn=fn: fn(model, ids, lengths + 1000), "lengths")
        refused(lambda fn=fn: fn(model, ids + 10**6, lengths), "ids", "token ids")
    assert score_encoded(model, ids, lengths).shape == (2,)
    assert torch.isfinite(lm_loss(model, ids, lengths))
    refused(lambda: score_encoded(model, ids, lengths, batch_size=0), "batch_size")


# --- widget base classes and their figures -------------------------------------------------

def test_widget_base_classes_check_their_arguments():
    from ipywidgets import FloatSlider

    from rmteach.widgets import FigureView, LiveFigure, RMWidget
    from rmteach.widgets.style import new_figure

    refused(lambda: LiveFigure(10**11), "nrows", "12")
    refused(lambda: LiveFigure(1, 10**30), "ncols")
    refused(lambda: LiveFigure(gridspec_kw=5), "gridspec_kw")
    refused(lambda: LiveFigure(figsize="5"), "figsize")
    refused(lambda: LiveFigure(figsize=(math.nan, 3)), "figsize[0]")
    refused(lambda: LiveFigure(dpi=10**11), "dpi")
    refused(lambda: RMWidget(controls=math.nan, main="x"), "controls")
    refused(lambda: RMWidget(controls={"a": FloatSlider()}, main="b"), "main", "a")
    fig = new_figure((4.0, 3.0))
    refused(lambda: FigureView(None, "s"), "figure")
    refused(lambda: FigureView(fig, 5), "summary")
    refused(lambda: FigureView(fig, "s", values=math.nan), "values")
    assert FigureView(fig, "s", {"a": 1}).values == {"a": 1}
    assert len(LiveFigure(2, 3).axes) == 6


def test_figure_checks_want_a_figure():
    from rmteach.widgets.readout import visible_numbers
    from rmteach.widgets.style import data_under_text, new_figure, place_legends, text_collisions

    for fn in (text_collisions, data_under_text, place_legends):
        refused(lambda fn=fn: fn(None), "fig", "matplotlib Figure")
        refused(lambda fn=fn: fn([1.0, 2.0]), "fig")
    fig = new_figure()
    fig.subplots().plot([0, 1], [0, 1], label="a")
    refused(lambda: text_collisions(fig, tolerance=math.nan), "tolerance")
    refused(lambda: place_legends(fig, relayout=5), "relayout")
    assert text_collisions(fig) == []
    refused(lambda: visible_numbers(None), "readout")
    assert visible_numbers("<b>0.5</b> and y_1") == ["0.5"]


@pytest.mark.parametrize("build, kwargs, name", [
    ("BestOfNExplorer", {"n": 10**19}, "n"),
    ("MarginExplorer", {"beta": 10**400}, "beta"),
    ("MarginExplorer", {"beta": -1.0}, "beta"),
    ("OffsetExplorer", {"coef": 10**19}, "coef"),
    ("ReliabilityExplorer", {"n_bins": 10**11}, "n_bins"),
    ("ReliabilityExplorer", {"n_bins": 10**19}, "n_bins"),
    ("ReliabilityExplorer", {"test_gap": [1.0, 2.0]}, "validation_gap"),
    ("ReliabilityExplorer", {"test_gap": [math.nan, 1.0], "validation_gap": [1.0, -1.0]},
     "test_gap"),
    ("scale_explorer", {"beta": "5"}, "beta"),
    ("margin_explorer", {"top_margin": "1"}, "top_margin"),
])
def test_widget_classes_refuse_like_their_builders(build, kwargs, name):
    import rmteach.widgets as w

    refused(lambda: getattr(w, build)(**kwargs), name)


def test_widget_classes_refuse_out_of_range_in_the_controls_words():
    from rmteach.widgets import MarginExplorer

    text = refused(lambda: MarginExplorer(top_margin=-1), "top_margin")
    assert "range" in text


# --- experiments, seeds and stored curves -------------------------------------------------

def test_seed_tables_check_their_lists():
    from rmteach.experiments import seed_tables

    refused(lambda: seed_tables.margin_table(ns=math.nan), "ns")
    refused(lambda: seed_tables.margin_table(ns=[10**11]), "ns[0]")
    refused(lambda: seed_tables.margin_table(seeds=[-1]), "seeds[0]")
    refused(lambda: seed_tables.offset_table(seeds=math.nan), "seeds")
    refused(lambda: seed_tables.offset_table(seeds=[]), "seeds")
    refused(lambda: seed_tables.mean_sd("x"), "values")


def test_pm_refuses_a_format_that_is_not_one():
    from rmteach.experiments.seeds import pm, spread

    refused(lambda: pm([1.0, 2.0], 10**11), "spec")
    refused(lambda: pm([1.0, 2.0], "1000000000f"), "spec")
    refused(lambda: spread([1.0, 2.0]).pm("x"), "spec")
    assert pm([1.0, 2.0], "+.1f") == "+1.5 ± 0.7 (sd, n = 2)"
    assert pm([0.5, 0.7], ".0%") == "60% ± 14% (sd, n = 2)"


def test_diagnose_curves_checks_degenerate_share():
    from rmteach.experiments.diagnose import diagnose_curves

    for bad in ("5", 10**19, 1.5, math.nan):
        refused(lambda bad=bad: diagnose_curves([0.69, 0.5], degenerate_share=bad),
                "degenerate_share")
    assert diagnose_curves([0.69, 0.5], degenerate_share=0.6).codes


def test_make_preference_data_checks_its_shortcuts():
    from rmteach.data import make_preference_data

    refused(lambda: make_preference_data(10, length_bias=10**400), "length_bias")
    refused(lambda: make_preference_data(10, length_bias=10**19), "length_bias")
    refused(lambda: make_preference_data(10, kind_bias=-1), "kind_bias", "dict")
    refused(lambda: make_preference_data(10, kind_bias=math.nan), "kind_bias")
    refused(lambda: make_preference_data(10, kind_bias={"x": 1.0}), "kind_bias", "'x'")
    refused(lambda: make_preference_data(10, kind_bias={"rude": math.inf}), "kind_bias")
    refused(lambda: make_preference_data(10, length_controlled="5"), "length_controlled")
    d = make_preference_data(10, max_n=3, kind_bias={"rude": np.float32(0.5)}, seed=0)
    assert len(d.train) + len(d.heldout) == 10


def test_curves_of_the_pretrained_backbone_are_checked(tmp_path):
    from rmteach.experiments import pretrained_phi
    from rmteach.widgets import pretraining_curves

    for fn in (pretrained_phi.summary_lines, pretraining_curves):
        refused(lambda fn=fn: fn(None), "doc", "dict")
        refused(lambda fn=fn: fn({"sizes": [1], "seeds": [0]}), "doc", "scratch")
    good = pretrained_phi.load_curve()
    bad = dict(good, scratch={"accuracy": [[math.nan]], "loss": [[0.5]]})
    refused(lambda: pretrained_phi.summary_lines(bad), "scratch.accuracy")
    assert pretrained_phi.summary_lines(good)
    refused(lambda: pretrained_phi.load_curve(None), "path")
    refused(lambda: pretrained_phi.load_curve(str(tmp_path / "missing.json")), "path")
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    refused(lambda: pretrained_phi.load_curve(fifo), "path")
    (tmp_path / "x.json").write_text("{", encoding="utf-8")
    refused(lambda: pretrained_phi.load_curve(tmp_path / "x.json"), "path", "JSON")


def test_plumbing_of_widgets_and_pretraining():
    from rmteach.model.pretrain import texts_of
    from rmteach.widgets.best_of_n import seed_sd
    from rmteach.widgets.diagnosis import run_to_doc

    refused(lambda: texts_of(None), "items")
    refused(lambda: texts_of(5), "items")
    refused(lambda: seed_sd(None), "a")
    refused(lambda: seed_sd("x"), "a")
    refused(lambda: seed_sd(np.zeros((2, 2, 2))), "a")
    assert float(seed_sd([1.0, 3.0])) == pytest.approx(math.sqrt(2))
    refused(lambda: run_to_doc(None, {}), "run", "DiagnosisRun")


def test_parse_objects_refuses_what_is_not_pairs():
    from rmteach.data.formats import parse_objects

    refused(lambda: parse_objects("x"), "objects")
    refused(lambda: parse_objects([("a",)]), "parse_objects")
    refused(lambda: parse_objects([1.0, 2.0]), "parse_objects")
    items, fmt = parse_objects([("line 1", {"prompt": "p", "chosen": "a", "rejected": "b"})])
    assert fmt == "standard-explicit" and len(items) == 1


def test_lab_helpers_check_paths_and_never_touch_a_file_descriptor(tmp_path):
    from rmteach.course.lab_notebook import (
        lab_notebook,
        notebook_exercises,
        select_exercises,
        select_notebooks,
        suite_dir,
        suite_notebooks,
    )

    out = os.dup(1)                  # an int taken as a path used to close stdout
    try:
        refused(lambda: notebook_exercises(1), "path")
        os.fstat(1)
    finally:
        os.dup2(out, 1)
        os.close(out)
    refused(lambda: select_exercises([1.0], "a", []), "chosen")
    refused(lambda: select_notebooks("x", None), "paths")
    refused(lambda: select_notebooks([], 5), "notebooks")
    refused(lambda: suite_dir(math.nan), "suite")
    refused(lambda: suite_notebooks(10**11), "suite")
    refused(lambda: lab_notebook(str(tmp_path / ("n" * 300 + ".ipynb"))), "path")
    (tmp_path / "x.ipynb").write_text("not json", encoding="utf-8")
    refused(lambda: notebook_exercises(tmp_path / "x.ipynb"), "not a notebook")
    assert suite_notebooks()


def test_tiny_llama_bounds_its_sizes():
    from rmteach.course.trl_bridge import tiny_llama

    refused(lambda: tiny_llama(None), "tokenizer")
    refused(lambda: tiny_llama(None, hidden=10**11), "hidden")


# --- the probe itself ---------------------------------------------------------------------

def test_the_probe_flags_library_texts_and_knows_no_escapes():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "tools" / "probe_api.py"
    spec = importlib.util.spec_from_file_location("probe_api", path)
    probe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(probe)
    assert not hasattr(probe, "KNOWN_ESCAPES")
    for text in ("cannot reshape array of size 3 into shape (2,)", "math domain error",
                 "invalid literal for int() with base 10: 'x'", "Maximum allowed size exceeded",
                 "operands could not be broadcast together with shapes (0,) (2,)"):
        assert probe._LIBRARY_TEXT.search(text), text
    assert not probe._LIBRARY_TEXT.search("r_chosen has shape (0,) and r_rejected (2,)")
    assert probe.main(["--bogus"]) == 2


def test_a_scorer_returning_the_wrong_number_of_rewards_is_named():
    """It used to end in NumPy's "cannot reshape array of size 3 into shape (2,8)"."""
    from rmteach.experiments.policy import PolicyProblem

    calls = []

    def scorer(prompts, responses):
        calls.append(len(responses))
        return np.zeros(len(responses) if len(calls) == 1 else 3)

    problem = PolicyProblem(["explain rain", "describe snow"], scorer)
    refused(lambda: problem.score(["a b"] * 16), "3 rewards for 16 texts")
    refused(lambda: problem.score(["a b"] * 3), "texts", "2 prompts")
