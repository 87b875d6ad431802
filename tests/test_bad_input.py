"""One test per class of bad input from issue 9 (and the README's "What bad input gets").

Each test feeds what a careless or hostile user would, and checks the promise: a
``ValueError`` whose message names the argument as the user wrote it (a CLI flag, a
widget's label) and says what was expected; nothing half-written; no runaway memory or
time before the error.
"""

from __future__ import annotations

import math
import os
import pickle
import time

import numpy as np
import pytest
import torch

from rmteach.cli.commands import main
from rmteach.data.generate import (
    PreferencePair,
    RankedList,
    make_preference_data,
    make_prompts,
    make_ranked_lists,
)
from rmteach.data.jsonl import loads_jsonl, read_jsonl, write_jsonl
from rmteach.math.losses import listwise_loss, pairwise_loss, plackett_luce_loss
from rmteach.math.ranking import parse_ranking, ranking_to_pairs
from rmteach.model.checkpoint import load, save
from rmteach.model.evaluate import kendall_tau, metrics_from_scores
from rmteach.model.network import TinyRewardModel
from rmteach.model.training import train

OLD = '{"prompt": "old", "chosen": "kept", "rejected": "safe"}\n'
TINY = ["--prompts", "20", "--max-n", "3", "--epochs", "1", "--no-progress"]


# ---------------------------------------------------------------------------------------
# Data loss
# ---------------------------------------------------------------------------------------

def test_a_failed_jsonl_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "prefs.jsonl"
    path.write_text(OLD, encoding="utf-8")
    items = [PreferencePair("p", "fine", "fine too"), PreferencePair("p", "bad \ud800", "x")]
    with pytest.raises(ValueError, match=r"items\[1\]\.chosen.*surrogate"):
        write_jsonl(items, path)
    assert path.read_text(encoding="utf-8") == OLD
    assert os.listdir(tmp_path) == ["prefs.jsonl"]          # no temporary file left
    write_jsonl(items[:1], path)                            # a good write replaces it
    assert read_jsonl(path) == items[:1]
    with pytest.raises(ValueError, match=r"items\[0\]\.prompt is empty"):
        write_jsonl([PreferencePair("", "a", "b")], path)   # read_jsonl would refuse it


def test_reading_rejects_lone_surrogates_with_line_and_field():
    text = OLD + '{"prompt": "p", "responses": ["a", "b\\udc80"], "ranking": [0, 1]}\n'
    with pytest.raises(ValueError, match=r"f\.jsonl, line 2: field 'responses\[1\]'.*surrogate"):
        loads_jsonl(text, source="f.jsonl")


def test_a_failed_checkpoint_save_keeps_the_old_file(tmp_path):
    path = tmp_path / "rm.pt"
    good = TinyRewardModel(d_model=8, n_heads=2, d_ff=8, n_layers=1, seed=0)
    save(good, path)
    before = path.read_bytes()
    bad = TinyRewardModel(d_model=8, n_heads=2, d_ff=8, n_layers=1, seed=1)
    with torch.no_grad():
        bad.head.weight[0, 0] = float("nan")
    with pytest.raises(ValueError, match="NaN or infinite"):
        save(bad, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["rm.pt"]


# ---------------------------------------------------------------------------------------
# The command line (in-process; tests/test_cli_bad_input.py runs it as a subprocess)
# ---------------------------------------------------------------------------------------

@pytest.fixture
def no_training(monkeypatch):
    """Fail loudly if a command starts training: its paths must be checked first."""
    import rmteach.model.training

    def boom(*args, **kwargs):
        raise AssertionError("training started before the paths were checked")
    monkeypatch.setattr(rmteach.model.training, "train", boom)


def _error(capsys) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("target", ["missing/rm.pt", ".", "a_file/rm.pt", "locked/rm.pt"])
def test_cli_checks_save_before_training(tmp_path, capsys, no_training, target):
    (tmp_path / "locked").mkdir(mode=0o500)
    (tmp_path / "a_file").write_text("not a folder", encoding="utf-8")
    path = str(tmp_path / target)
    if target == "locked/rm.pt" and os.access(tmp_path / "locked", os.W_OK):
        pytest.skip("running as root: a read-only folder is still writable")
    assert main(["train", *TINY, "--save", path]) == 2
    assert "--save" in _error(capsys)


def test_cli_data_out_is_a_directory(tmp_path, capsys):
    assert main(["data", "--prompts", "5", "--out", str(tmp_path)]) == 2
    assert "--out" in _error(capsys) and "directory" in capsys.readouterr().err + "directory"


def test_cli_bad_data_files(tmp_path, capsys, no_training):
    assert main(["train", *TINY, "--data", str(tmp_path)]) == 2
    assert "--data" in _error(capsys)
    assert main(["train", *TINY, "--data", str(tmp_path / "nope.jsonl")]) == 2
    assert "no such file" in _error(capsys)
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    assert main(["train", *TINY, "--data", str(deep)]) == 2
    assert "line 1" in _error(capsys)
    data = tmp_path / "d.jsonl"
    data.write_text(OLD, encoding="utf-8")
    assert main(["train", *TINY, "--data", str(data), "--save", str(data)]) == 2
    assert "overwrite" in _error(capsys) and data.read_text(encoding="utf-8") == OLD


@pytest.mark.parametrize("flag,value,named", [
    ("--lr", "1e30", "--lr"), ("--lr", "0", "--lr"), ("--lr", "nan", "--lr"),
    ("--seed", "-1", "--seed"), ("--seed", "1.5", "--seed"), ("--seed", str(2**64), "--seed"),
    ("--prompts", "10x", "--prompts"), ("--epochs", "0", "--epochs"),
    ("--heldout-fraction", "1", "--heldout-fraction"), ("--d-model", "33", "--d-model"),
    ("--device", "tpu", "--device"), ("--beta", "-1", "--beta"), ("--margin", "inf", "--margin"),
])
def test_cli_bad_flags_name_the_flag(capsys, flag, value, named):
    try:
        code = main(["train", *TINY, flag, value])
    except SystemExit as exc:               # argparse's own errors
        code = exc.code
    assert code == 2
    line = _error(capsys)
    assert named in line, line
    if flag == "--lr" and value == "1e30":
        assert "learning rate" in line


def test_divergence_names_the_learning_rate():
    data = make_preference_data(8, max_n=3)
    with pytest.raises(ValueError, match=r"lr=1e\+30 is too large"):
        train(data, lr=1e30, epochs=1, progress=False,
              model_kwargs={"d_model": 8, "n_layers": 1, "d_ff": 8})


def test_lr_zero_warns():
    with pytest.warns(UserWarning, match="lr=0"):
        train(make_preference_data(10, max_n=3), lr=0.0, epochs=1, progress=False,
              model_kwargs={"d_model": 8, "n_layers": 1, "d_ff": 8})


# ---------------------------------------------------------------------------------------
# Checkpoints
# ---------------------------------------------------------------------------------------

def _doctored(tmp_path, edit):
    model = TinyRewardModel(d_model=8, n_heads=2, d_ff=8, n_layers=1, seed=0)
    path = tmp_path / "rm.pt"
    save(model, path)
    ckpt = torch.load(path, weights_only=True)
    edit(ckpt)
    torch.save(ckpt, path)
    return path, model


def test_checkpoint_config_is_checked_before_anything_is_built(tmp_path):
    path, _ = _doctored(tmp_path, lambda c: c["config"].update(max_len=200_000))
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="max_len"):
        load(path)
    assert time.perf_counter() - t0 < 5          # refused, not allocated (40 GB before)
    for key, value in [("d_model", "8"), ("n_layers", 2.5), ("dropout", float("nan")),
                       ("vocab", "abc"), ("extra", 1)]:
        path, _ = _doctored(tmp_path, lambda c, k=key, v=value: c["config"].update({k: v}))
        with pytest.raises(ValueError, match=key if key != "extra" else "unknown extra"):
            load(path)


def test_checkpoint_vocabulary_is_compared_word_by_word(tmp_path):
    def shuffle(c):
        words = c["config"]["vocab"]
        words[10], words[11] = words[11], words[10]
    path, model = _doctored(tmp_path, shuffle)
    with pytest.raises(ValueError, match="vocabularies differ at token 10"):
        load(path, model=TinyRewardModel(d_model=8, n_heads=2, d_ff=8, n_layers=1))
    assert load(path).vocab.words[10] == model.vocab.words[11]     # its own vocabulary is fine


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_checkpoint_with_non_finite_weights(tmp_path, bad):
    path, _ = _doctored(tmp_path, lambda c: c["state_dict"]["head.weight"].fill_(bad))
    with pytest.raises(ValueError, match=r"head\.weight holds 8 NaN or infinite"):
        load(path)


class _Payload:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_checkpoint_messages_are_our_own(tmp_path):
    evil = tmp_path / "evil.pt"
    evil.write_bytes(pickle.dumps({"x": _Payload()}))
    with pytest.raises(ValueError) as info:
        load(evil)
    text = str(info.value)
    assert "could run code" in text and "\x1b" not in text and "weights_only=False" not in text
    with pytest.raises(ValueError, match="is a directory"):
        load(tmp_path)
    with pytest.raises(FileNotFoundError):           # also a ValueError
        load(tmp_path / "missing.pt")
    with pytest.raises(ValueError, match="no such file"):
        load(tmp_path / "missing.pt")


# ---------------------------------------------------------------------------------------
# Math
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value,match", [
    (None, "r_chosen is None"), ([1 + 2j], "complex"), (torch.tensor([1j]), "complex"),
    ([], "r_chosen is empty"), ("1.5", "must be numbers"), ([1.0, None], "contains None"),
    (torch.zeros(1, device="meta"), "meta device"),
])
def test_math_inputs(value, match):
    with pytest.raises(ValueError, match=match):
        pairwise_loss(value, [0.0] if not isinstance(value, torch.Tensor) else torch.zeros(1))


def test_margin_may_not_add_pairs():
    with pytest.raises(ValueError, match="margin of shape"):
        pairwise_loss([1.0], [0.0], margin=[0, 1, 2])
    assert pairwise_loss([1.0, 2.0], [0.0, 0.0], margin=[0.0, 1.0], reduction="none").shape == (2,)


def test_empty_lists_and_overflow_are_errors_not_nan():
    with pytest.raises(ValueError, match="scores is empty"):
        listwise_loss(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="scores is empty"):
        plackett_luce_loss(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="overflows"):
        pairwise_loss(-1e308, 1e308)


# ---------------------------------------------------------------------------------------
# Rankings
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("ranking,match", [
    ("A > B = C", r"tie.*rmteach\.math\.ranking\.parse_tiers"), ({"A", "B"}, "a set has no order"),
    (b"A > B", "not bytes"), ("A, B, C", "commas"), ("A B C", "spaces"),
    ("A < B", "best first"), ({"A": 1, "B": 2}, "not a sequence"),
])
def test_rankings(ranking, match):
    with pytest.raises(ValueError, match=match):
        parse_ranking(ranking)


def test_full_width_separator_and_size_guard():
    assert parse_ranking("C ＞ A ＞ B") == ["C", "A", "B"]
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="at most 2,000 items"):
        ranking_to_pairs(range(10_000))
    with pytest.raises(ValueError, match="items"):
        parse_ranking(range(10**9))
    assert time.perf_counter() - t0 < 2


# ---------------------------------------------------------------------------------------
# Data, model and training
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [-1, 2**64, 1.5, "0", None])
def test_bad_seeds_name_seed(seed):
    for call in (lambda: make_prompts(5, seed=seed),
                 lambda: make_preference_data(5, seed=seed),
                 lambda: TinyRewardModel(seed=seed) if seed is not None else
                 make_ranked_lists(["a"], seed=seed)):
        with pytest.raises(ValueError, match="seed"):
            call()


def test_data_arguments():
    with pytest.raises(ValueError, match="n_prompts must be a whole number"):
        make_prompts("10")
    with pytest.raises(ValueError, match=r"beta .*math\.inf, not the string"):
        make_preference_data(5, beta="inf")
    with pytest.raises(ValueError, match=r"ranking\[0\] must be a whole-number index"):
        RankedList("p", ("a", "b"), (0.0, 1.0))
    with pytest.raises(ValueError, match="chosen must be a string"):
        PreferencePair("p", None, "b")


def test_model_arguments():
    model = TinyRewardModel(d_model=8, n_heads=2, d_ff=8, n_layers=1)
    with pytest.raises(ValueError, match="prompts must be a string or a list"):
        model.score(None, ["a"])
    with pytest.raises(ValueError, match=r"responses\[1\] must be a string"):
        model.score("p", ["a", 3])
    ids, lengths = model.encode(["p"], ["a"])
    with pytest.raises(ValueError, match="token ids between 0 and"):
        model(ids + 10_000, lengths)
    with pytest.raises(ValueError, match="input_ids must hold whole numbers"):
        model(ids.float(), lengths)
    with pytest.raises(ValueError, match=r"unknown key 'd_modle' \(did you mean 'd_model'"):
        train(make_preference_data(5, max_n=3), model_kwargs={"d_modle": 8}, progress=False)
    with pytest.raises(ValueError, match="parameters"):
        TinyRewardModel(vocab=[f"w{i}" for i in range(60_000)], d_model=1024, n_layers=1)


# ---------------------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------------------

def test_evaluation_inputs():
    with pytest.raises(ValueError, match="x contains 1 NaN"):
        kendall_tau([math.nan, 1], [1, 2])
    lst = RankedList("explain rain", ("a", "b", "c"), (0, 1, 2))
    with pytest.raises(ValueError, match=r"scores\[0\] has shape \(2,\) but list 0 has 3"):
        metrics_from_scores([lst], [np.array([1.0, 2.0])])


# ---------------------------------------------------------------------------------------
# Widgets
# ---------------------------------------------------------------------------------------

def test_widgets_extreme_values_and_labels():
    from rmteach.widgets import empirical_loss_explorer, pairwise_loss_explorer

    w = empirical_loss_explorer()
    for value in (-1e20, 1e308, -1e308, math.nan, math.inf):
        w.controls["r_chosen_1"].value = value
        assert "unexpected" not in w.message.value
        assert "r(x, y_a) of pair 2" in w.message.value, w.message.value
        assert "r_chosen" not in w.message.value
    w.controls["r_chosen_1"].value = 0.5
    assert w.message.value == ""
    p = pairwise_loss_explorer()
    p.controls["delta"].value = math.nan
    assert "gap Δ = r_a − r_b" in p.message.value and "r_chosen" not in p.message.value


def test_widget_nan_scale_and_constructor_args():
    from rmteach.widgets import (
        bradley_terry_explorer,
        confidence_explorer,
        listwise_explorer,
        show_examples,
    )

    small = dict(d_model=8, n_heads=2, d_ff=8, n_layers=1)
    lists = list(make_preference_data(10, max_n=3).heldout)
    w = confidence_explorer(TinyRewardModel(**small, seed=0), TinyRewardModel(**small, seed=1),
                            lists)
    w.controls["scale"].value = math.nan
    assert "finite" in w.message.value and "scale of 0" not in w.message.value
    with pytest.raises(ValueError, match="split must be 'train' or 'heldout'"):
        show_examples(make_preference_data(10, max_n=3), split="test")
    for bad in (lambda: bradley_terry_explorer(r_a="x"), lambda: bradley_terry_explorer(r_a=100),
                lambda: listwise_explorer(ranking=5), lambda: listwise_explorer(scores=[1, 2])):
        with pytest.raises(ValueError):
            bad()


# ---------------------------------------------------------------------------------------
# Exercises
# ---------------------------------------------------------------------------------------

class _Evil:
    def __array__(self, *args, **kwargs):
        raise RuntimeError("boom")

    def __repr__(self):
        raise KeyError("no repr either")


def test_exercises_turn_anything_into_feedback(capsys):
    from rmteach.exercises import nb01, nb02

    for ex in (nb01.bt_probability, nb02.stable_pairwise_loss, nb02.empirical_loss):
        result = ex.evaluate(lambda *args: _Evil())
        assert not result.ok and "RuntimeError: boom" in result.message
        ex.check(lambda *args: 1 + 2j)
        assert "complex" in capsys.readouterr().out
    assert not nb01.scale_for_confidence.evaluate(_Evil()).ok


# ---------------------------------------------------------------------------------------
# Resource guards
# ---------------------------------------------------------------------------------------

def test_resource_guards_refuse_quickly(tmp_path):
    t0 = time.perf_counter()
    with pytest.raises(ValueError, match="ranked pairs"):
        listwise_loss(np.zeros((3000, 300)))
    with pytest.raises(ValueError, match="N = 100,000 items per list; at most 5,000"):
        listwise_loss(np.zeros(100_000))
    with pytest.raises(ValueError, match="at most 3,000 items"):
        kendall_tau(np.arange(100_000.0), np.arange(100_000.0))
    with pytest.raises(ValueError, match="characters long"):
        loads_jsonl('{"prompt": "' + "x" * (9 * 2**20) + '"}')
    with pytest.raises(ValueError, match="responses"):
        loads_jsonl('{"prompt": "p", "responses": ' + str(["a"] * 1001).replace("'", '"')
                    + ', "ranking": []}')
    assert time.perf_counter() - t0 < 10
