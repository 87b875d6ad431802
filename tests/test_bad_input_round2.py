"""Issue 24 (reliability, second round): each class of failure the second harness found,
one test each.  Every bad input gets a ValueError naming the argument; valid edge inputs
(NumPy scalars, a word of probability 0, ties where legal) keep working."""

from __future__ import annotations

import math
import os
import stat
import time

import numpy as np
import pytest
import torch

from rmteach.data import degenerate
from rmteach.data._io import atomic_write_text, check_output_path, read_text_file
from rmteach.data.jsonl import loads_jsonl, read_jsonl
from rmteach.experiments import overoptimization, policy, sampling
from rmteach.math import calibration, ranking, ties
from rmteach.model import checkpoint
from rmteach.model.network import TinyRewardModel
from rmteach.quiz.kit import Numeric

# --- tiers: one bounded, linear parser ----------------------------------------------------

def test_a_huge_tiered_line_is_refused_quickly():
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="characters long"):
        ranking.parse_tiers(" > ".join(map(str, range(1_000_000))))
    labels = " > ".join(map(str, range(99_999)))            # under the limit: linear
    assert len(ranking.parse_tiers(labels)) == 99_999
    assert time.perf_counter() - t0 < 5


@pytest.mark.parametrize("tiers, match", [
    (5, "tiers must be a string"), (None, "tiers must be a string"),
    ([["A"], ["A", "B"]], "'A' more than once"), ([["A"], []], "empty tier"),
    ("0 ≥ 1", "'≥'"), ("A > B ~ C", "'~'")])
def test_bad_tiers(tiers, match):
    with pytest.raises(ValueError, match=match):
        ranking.tiers_to_pairs(tiers)


def test_ties_where_legal_still_work():
    assert ranking.tiers_to_pairs("0 = 1") == []
    assert ties.tiered_pair_count([["A"], ["B", "C"]]) == 2
    with pytest.raises(ValueError, match="each line ties all"):
        loads_jsonl('{"prompt": "p", "responses": ["a b", "c d"], "tiers": "0 = 1"}')


def test_cr_only_line_endings_get_a_hint():
    line = '{"prompt": "p", "chosen": "a", "rejected": "b"}'
    with pytest.raises(ValueError, match="CR only"):
        loads_jsonl(f"{line}\r{line}\r")


# --- Davidson ties ------------------------------------------------------------------------

def test_davidson_at_infinite_beta_and_gaps():
    assert ties.davidson_labels([1.0, 2.0, 0.5], math.inf, 0.5).tolist() == [1, 1, 1]
    win, tie, lose = ties.davidson_probabilities(math.inf, 1.0)
    assert (float(win), float(tie), float(lose)) == (1.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="one outcome per pair"):
        ties.davidson_nll([1.0, 2.0], [1], 1.0)
    with pytest.raises(ValueError, match="at least one pair"):
        ties.davidson_nll([], [], 1.0)
    with pytest.raises(ValueError, match="max_iter"):
        ties.fit_davidson([[1.0]], [[0.0]], [0], max_iter="5")
    with pytest.raises(ValueError, match="levels"):
        ties.as_ratings([0.0, 1.0], levels=2**63 - 1)


# --- calibration ----------------------------------------------------------------------------

def test_calibration_sizes_ranges_and_overflow():
    with pytest.raises(ValueError, match="n_bins must be a whole number between 1 and 10,000"):
        calibration.reliability_table([0.6], [1.0], n_bins=10**9)
    with pytest.raises(ValueError, match="lo must be"):
        calibration.reliability_table([0.6], [1.0], lo=2)
    with pytest.raises(ValueError, match="non-empty"):
        calibration.expected_calibration_error([], [])
    with pytest.raises(ValueError, match="overflows"):
        calibration.log_loss([-1e308], 1e-300)
    with pytest.raises(ValueError, match="overflows"):
        calibration.apply_temperature([1e308], 1e-10)
    assert calibration.log_loss([1.0], np.float32(0.5)) == pytest.approx(0.126928, abs=1e-6)


# --- policy, best-of-n, degenerate pairs ---------------------------------------------------

def test_policy_arrays():
    assert policy.kl_to_reference([0.0, -math.inf], [math.log(0.5)] * 2)[()] == \
        pytest.approx(math.log(2))
    for bad, match in ((None, "reward is None"), (math.nan, "reward must hold finite")):
        with pytest.raises(ValueError, match=match):
            policy.kl_penalised_reward(bad, 0.0, 0.0, 0.1)
    with pytest.raises(ValueError, match="one shape"):
        policy.kl_penalised_reward([1.0, 2.0], [[0.1], [0.2], [0.3]], 0.0, 0.1)
    assert float(policy.kl_penalised_reward(1.0, 0.0, 0.0, np.float32(0.1))) == 1.0


@pytest.mark.parametrize("call, match", [
    (lambda: overoptimization.eval_prompts([], k=-1), "k must be"),
    (lambda: overoptimization.load_cache(None), "name must be a string"),
    (lambda: overoptimization.load_cache("../../README.md"), "no folders"),
    (lambda: sampling.best_of_n([1.0, 2.0], 10**11, np.random.default_rng(0)), "1,000,000"),
    (lambda: overoptimization.run_best_of_n(pool_size="300"), "pool_size"),
    (lambda: degenerate.example_pairs(identical="0.1"), "identical"),
    (lambda: degenerate.example_pairs(max_len=10**9), "max_len"),
])
def test_sizes_and_types_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_numpy_scalars_and_huge_numbers():
    assert sampling.best_of_n([1.0, 2.0], np.int64(3), np.random.default_rng(0)) in (0, 1)
    quiz = Numeric.of("q", 0, "01", "t", "?", "!", 1.0, 0.1)
    assert quiz._parse(10**400) is None and quiz._parse("9" * 500) is None


# --- special files -------------------------------------------------------------------------

def _specials(tmp_path):
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    out = [fifo]
    dev = tmp_path / "null.jsonl"
    try:
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        out.append(dev)
    except OSError:                  # not root: no device of our own to test on
        pass
    link = tmp_path / "stdout.jsonl"
    os.symlink("/proc/self/fd/1", link)
    return [*out, link]


def test_special_files_are_refused_by_type(tmp_path):
    reads = (read_jsonl, read_text_file, checkpoint.load)
    writes = (lambda p: atomic_write_text(p, "x"), lambda p: check_output_path(p, "--out"),
              lambda p: checkpoint.save(TinyRewardModel(), p))
    for path in _specials(tmp_path):
        # a link to /proc/self/fd/1 is read like what it points to (a pipe is refused, a
        # file that stdout was redirected to is read), but never written through
        for call in writes + (() if path.is_symlink() else reads):
            with pytest.raises(ValueError, match=r"not a regular file|symbolic link"):
                call(path)
        assert path.is_symlink() or not path.is_file()     # nothing was replaced


def test_a_254_byte_name_works_and_256_is_refused_before_work(tmp_path):
    name = tmp_path / ("a" * 254)
    atomic_write_text(name, "ok")
    assert name.read_text() == "ok"
    with pytest.raises(ValueError, match="256 bytes"):
        check_output_path(tmp_path / ("a" * 256), "--save")


# --- checkpoints ---------------------------------------------------------------------------

def _saved(tmp_path, **kwargs):
    path = tmp_path / "rm.pt"
    checkpoint.save(TinyRewardModel(**kwargs), path)
    return path, torch.load(path, weights_only=True)


def test_checkpoint_architecture_is_recorded_and_checked(tmp_path):
    path, ckpt = _saved(tmp_path, pooling="sum")
    assert ckpt["config"]["pooling"] == "sum" and "match_feature" not in ckpt["config"]
    with pytest.raises(ValueError, match="pooling='sum', the model has pooling='last'"):
        checkpoint.load(path, model=TinyRewardModel())
    path, _ = _saved(tmp_path, n_heads=2)
    with pytest.raises(ValueError, match="n_heads=2, the model has n_heads=4"):
        checkpoint.load(path, model=TinyRewardModel(n_heads=4))


def test_hostile_checkpoints(tmp_path):
    path, ckpt = _saved(tmp_path)
    cases = {
        "expanded": ({**ckpt, "state_dict": {**ckpt["state_dict"],
                                              "extra": torch.zeros(1).expand(10**10)}},
                     "unexpected extra"),
        "sparse": ({**ckpt, "state_dict": {**ckpt["state_dict"], "head.weight":
                                           ckpt["state_dict"]["head.weight"].to_sparse()}},
                   "sparse"),
        "nested": ({**ckpt, "version": [[[[1]]]]}, "version a list"),
        "top": ({**ckpt, "extra": 1}, "unknown entries extra"),
    }
    for name, (obj, match) in cases.items():
        bad = tmp_path / f"{name}.pt"
        torch.save(obj, bad)
        with pytest.raises(ValueError, match=match):
            checkpoint.load(bad)
    data = path.read_bytes()
    cut = tmp_path / "cut.pt"
    cut.write_bytes(data[: int(len(data) * 0.9)])
    with pytest.raises(ValueError, match="truncated"):
        checkpoint.load(cut)


# --- widgets refuse instead of clamping ----------------------------------------------------

@pytest.mark.parametrize("build, kwargs, match", [
    ("margin_explorer", {"top_margin": -1}, "top_margin=-1 is outside"),
    ("scale_explorer", {"beta": -1}, "beta=-1 is outside"),
    ("offset_explorer", {"coef": 1e9}, "coef=1e\\+09 is outside"),
    ("gradient_stepper", {"lr": 1e9}, "lr=1e\\+09 is outside"),
    ("scale_explorer", {"beta": math.nan}, "beta must be a number"),
    ("reliability_explorer", {"n_bins": 1_000_000}, "n_bins"),
])
def test_widget_builders_refuse_out_of_range(build, kwargs, match):
    from rmteach import widgets

    with pytest.raises(ValueError, match=match):
        getattr(widgets, build)(**kwargs)


def test_widget_builders_take_numpy_scalars():
    from rmteach import widgets

    w = widgets.gradient_stepper(np.int64(4), lr=np.float32(0.5))
    assert w.controls["lr"].value == pytest.approx(0.5)


# --- the command line names the flag the user gave -----------------------------------------

@pytest.mark.parametrize("flags, named", [
    (["--weight-decay", "1e308"], "--weight-decay 1e+308 is too large for --lr"),
    (["--center-coef", "1e308"], "--center-coef"),
    (["--margin", "0.5"], "add --loss pairwise"),
    (["--margin", "9" * 401, "--loss", "pairwise"], "--margin"),
    (["--data", "FIFO"], "named pipe (FIFO)"),
    (["--save", "s" * 256], "256 bytes long"),
])
def test_cli_names_the_flag_given(tmp_path, capsys, flags, named):
    from rmteach.cli.commands import main

    fifo = tmp_path / "data.jsonl"
    os.mkfifo(fifo)
    flags = [str(fifo) if f == "FIFO" else str(tmp_path / f) if f.startswith("sss") else f
             for f in flags]
    try:
        code = main(["train", "--prompts", "20", "--epochs", "1", "--no-progress", *flags])
    except SystemExit as exc:               # argparse's own errors
        code = exc.code
    err = capsys.readouterr().err.strip()
    assert code == 2 and "\n" not in err and err.startswith("error: "), err
    assert named in err, err
