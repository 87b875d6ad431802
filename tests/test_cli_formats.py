"""Own data in every format through the CLI and train(): detection, --format, --to, margins."""

from __future__ import annotations

import dataclasses
import json

import pytest

from rmteach.cli.commands import main
from rmteach.data.formats import FORMATS, PAIR_FORMATS
from rmteach.data.generate import make_preference_data
from rmteach.data.jsonl import read_jsonl, read_jsonl_with_format, write_jsonl
from rmteach.model.training import train

FAST = ["--epochs", "1", "--no-progress"]


@pytest.fixture(scope="module")
def pairs():
    d = make_preference_data(40, max_n=3, seed=2)
    return [dataclasses.replace(p, chosen="yes " + p.chosen, rejected="no " + p.rejected)
            for p in d.pairs("train")]


@pytest.mark.parametrize("fmt", FORMATS)
def test_train_reads_every_format_and_says_which(tmp_path, capsys, pairs, fmt):
    path = tmp_path / f"{fmt}.jsonl"
    write_jsonl(pairs, path, format=fmt)
    assert main(["train", "--data", str(path), *FAST]) == 0
    out = capsys.readouterr().out
    assert f"format {fmt}, {len(pairs)} items" in out
    assert "held-out: pairwise accuracy" in out


@pytest.mark.parametrize("fmt", PAIR_FORMATS)
def test_data_converts_a_file_between_formats(tmp_path, capsys, pairs, fmt):
    src = tmp_path / "src.jsonl"
    write_jsonl(pairs, src, format="standard-explicit")
    out = tmp_path / "out.jsonl"
    assert main(["data", "--data", str(src), "--to", fmt, "--out", str(out)]) == 0
    assert f"wrote {len(pairs)} lines in format {fmt}" in capsys.readouterr().out
    items, found = read_jsonl_with_format(out)
    assert found == fmt and items == pairs          # same items, same order


def test_data_exports_builtin_lists_as_pairs_for_trl(tmp_path, capsys):
    out = tmp_path / "trl.jsonl"
    assert main(["data", "--prompts", "10", "--max-n", "4", "--to", "conversational-explicit",
                 "--out", str(out)]) == 0
    d = make_preference_data(10, max_n=4)
    n_pairs = len(d.pairs("train")) + len(d.pairs("heldout"))
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == n_pairs
    assert rows[0]["prompt"][0]["role"] == "user"
    assert rows[0]["chosen"][0]["role"] == "assistant"


def test_forced_format_and_errors_are_one_line(tmp_path, capsys, pairs):
    path = tmp_path / "x.jsonl"
    write_jsonl(pairs, path, format="standard-explicit")
    assert main(["train", "--data", str(path), "--format", "standard-implicit", *FAST]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "line 1: field 'prompt' is present" in err
    assert len(err.strip().splitlines()) == 1
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"chosen": "a b", "rejected": "a c"}) + "\n")
    assert main(["train", "--data", str(path), *FAST]) == 2
    err = capsys.readouterr().err
    assert f"line {len(pairs) + 1}: this line is standard-implicit" in err


def _with_margin(pairs, m):
    return [dataclasses.replace(p, margin=m) for p in pairs]


@pytest.mark.parametrize("mode", ["grouped", "exploded"])
def test_per_pair_margins_are_the_margin_loss(pairs, mode):
    """Margins from the file train exactly like the same margin given as margin=."""
    kw = {"loss": "pairwise", "mode": mode, "epochs": 2, "progress": False}
    a = train(_with_margin(pairs, 0.7), **kw)
    b = train(pairs, margin=0.7, **kw)
    c = train(pairs, **kw)
    assert [r.train_objective for r in a.history] == [r.train_objective for r in b.history]
    assert a.history[-1].train_objective != c.history[-1].train_objective


@pytest.mark.filterwarnings("ignore:lr=0")
def test_mixed_per_pair_margins_reach_the_loss(pairs):
    """Different margins per pair: the objective at the first step is the mean margin loss."""
    half = len(pairs) // 2
    mixed = _with_margin(pairs[:half], 0.0) + _with_margin(pairs[half:], 3.0)
    kw = {"loss": "pairwise", "mode": "exploded", "epochs": 1, "progress": False, "lr": 0.0}
    a = train(mixed, **kw).history[0].train_objective
    lo = train(pairs, **kw).history[0].train_objective
    hi = train(pairs, margin=3.0, **kw).history[0].train_objective
    assert lo < a < hi


def test_margins_refuse_losses_that_would_ignore_them(tmp_path, capsys, pairs):
    with pytest.raises(ValueError, match=r"per-pair margins .* loss='listwise' would ignore"):
        train(_with_margin(pairs, 1.0), loss="listwise", epochs=1, progress=False)
    with pytest.raises(ValueError, match="not both"):
        train(_with_margin(pairs, 1.0), loss="pairwise", margin=0.5, epochs=1, progress=False)
    path = tmp_path / "m.jsonl"
    write_jsonl(_with_margin(pairs, 1.0), path, format="standard-implicit")
    assert read_jsonl(path)[0].margin == 1.0
    assert main(["train", "--data", str(path), *FAST]) == 0
    out = capsys.readouterr().out
    assert "'margin' column is used by the pairwise margin loss" in out
    assert "trained pairwise" in out
    assert main(["train", "--data", str(path), "--loss", "listwise", *FAST]) == 2
    assert "would ignore them" in capsys.readouterr().err
