"""The command line: the JSON summary line, --help, --data, errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rmteach.cli.commands import CLI_DEFAULTS, build_parser, main

KEYS = {"loss", "heldout_accuracy", "heldout_loss", "kendall_tau", "train_seconds", "device",
        "forward_passes", "params_backbone", "params_head"}
TINY = ["--prompts", "30", "--max-n", "4", "--epochs", "1", "--no-progress"]


def _last_json(text):
    return json.loads(text.strip().splitlines()[-1])


def test_json_summary_is_the_last_line(capsys):
    assert main(["train", "--loss", "listwise", "--seed", "0", "--json", *TINY]) == 0
    summary = _last_json(capsys.readouterr().out)
    assert KEYS <= set(summary)
    assert summary["loss"] == "listwise" and summary["device"] == "cpu"
    assert 0.0 <= summary["heldout_accuracy"] <= 1.0
    assert summary["params_head"] == CLI_DEFAULTS["d_model"]          # the command's width
    assert summary["forward_passes"] > 0


@pytest.mark.parametrize("extra", [
    ["--loss", "pairwise", "--margin", "0.5", "--mode", "exploded"],
    ["--loss", "plackett-luce", "--center-coef", "0.1", "--beta", "2"],
    ["--loss", "listwise", "--beta", "inf", "--d-model", "16", "--layers", "1"],
])
def test_every_loss_and_knob(capsys, extra):
    assert main(["train", "--json", *TINY, *extra]) == 0
    summary = _last_json(capsys.readouterr().out)
    assert summary["loss"] == extra[1]


def test_own_data_file_and_save(tmp_path, capsys):
    path = tmp_path / "prefs.jsonl"
    assert main(["data", "--prompts", "20", "--max-n", "3", "--out", str(path)]) == 0
    ckpt = tmp_path / "rm.pt"
    assert main(["train", "--data", str(path), "--json", "--epochs", "1", "--no-progress",
                 "--save", str(ckpt)]) == 0
    summary = _last_json(capsys.readouterr().out)
    assert summary["data"] == str(path) and summary["kendall_tau_against"] == "labels"
    assert ckpt.exists()


def test_human_summary(capsys):
    assert main(["train", *TINY]) == 0
    out = capsys.readouterr().out
    assert "held-out: pairwise accuracy" in out


def test_errors_are_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "p", "chosen": "a"}\n', encoding="utf-8")
    assert main(["train", "--data", str(bad), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "line 1" in err and "'rejected'" in err
    assert main(["train", "--loss", "listwise", "--margin", "1", *TINY]) == 2
    assert "margin" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["train", "--loss", "hinge"])
    with pytest.raises(SystemExit):
        main(["train", "--beta", "-1"])


def test_help_documents_every_option():
    train_parser = build_parser()._subparsers._group_actions[0].choices["train"]
    for action in train_parser._actions:
        if action.option_strings and action.dest != "help":
            assert action.help, f"{action.option_strings} has no help text"
    text = train_parser.format_help()
    for flag in ("--loss", "--mode", "--margin", "--center-coef", "--beta", "--epochs", "--lr",
                 "--batch-size", "--data", "--device", "--json", "--seed", "--save"):
        assert flag in text


def test_python_dash_m(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "rmteach", "train", "--loss", "pairwise", "--json", *TINY],
        capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert KEYS <= set(_last_json(proc.stdout))
