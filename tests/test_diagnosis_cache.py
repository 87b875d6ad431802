"""Notebook 06's stored diagnosis scenarios: the tool that builds them retrains every one and
gets the stored file back byte for byte; the stored runs are what a fresh run returns; the
menu's scenarios are served without training, every other setting still trains."""

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("torch", reason="the stored runs are checked by retraining (torch)")

from rmteach.widgets import diagnosis as D
from rmteach.widgets import loss_diagnosis_explorer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_diagnosis_cache as tool  # noqa: E402

SMALL = {"n_prompts": 40, "max_n": 4, "epochs": 2}


def _no_training(*args):
    raise AssertionError(f"trained {args[:2]}, but this run should have been read from the "
                         "stored runs")


def test_tool_rebuilds_the_stored_file_exactly(tmp_path, capsys):
    """Every scenario retrained: if this fails, training, the data, TINY or experiments.diagnose
    changed; rebuild with `python tools/build_diagnosis_cache.py` and re-run notebook 06."""
    out = tmp_path / "runs.json"
    assert tool.main(["--out", str(out)]) == 0
    assert capsys.readouterr().out.startswith("wrote ")
    assert out.read_text() == D.STORED_RUNS.read_text()
    doc = json.loads(out.read_text())
    assert len(doc["runs"]) == len(D.SCENARIOS) + len(D.DEGENERATE_SCENARIOS)


def test_a_stored_run_is_what_a_fresh_run_returns():
    beta, lr = D.SCENARIOS["healthy: clean labels, a good learning rate"]
    fresh = D._run_diagnosis(beta, lr, dict(D.TINY))
    stored = D._stored_runs()[D._key(beta, lr, dict(D.TINY))]
    assert stored.stored and not fresh.stored
    assert replace(fresh, seconds=0.0, stored=True) == stored
    assert stored.diagnosis.message == fresh.diagnosis.message


def test_menu_scenarios_are_served_without_training(monkeypatch):
    monkeypatch.setattr(D, "_run_diagnosis", _no_training)
    monkeypatch.setattr(D, "_RUNS", {})
    for beta, lr, cfg in D.scenario_configs():
        extra = {k: v for k, v in cfg.items() if k not in D.TINY}
        run = D.run_diagnosis(beta, lr, config=extra or None)
        assert run.stored and run.seconds == 0.0
    w = loss_diagnosis_explorer()
    for name in (*D.SCENARIOS, *D.DEGENERATE_SCENARIOS):
        w.controls["scenario"].value = name
        assert w.values["stored"] and w.message.value == ""
        assert "trained once and stored" in w.readout.value


def test_other_settings_still_train(monkeypatch):
    calls = []
    real = D._run_diagnosis
    monkeypatch.setattr(D, "_run_diagnosis", lambda *a: calls.append(a) or real(*a))
    monkeypatch.setattr(D, "_RUNS", {})
    run = D.run_diagnosis(10.0, 3e-3, config=SMALL)       # a menu (β, lr), another config
    assert len(calls) == 1 and not run.stored and run.seconds > 0
    w = loss_diagnosis_explorer(config=SMALL)
    assert "this run trained in" in w.readout.value and not w.values["stored"]


def test_a_missing_file_means_training(monkeypatch, tmp_path):
    monkeypatch.setattr(D, "STORED_RUNS", tmp_path / "absent.json")
    D._stored_runs.cache_clear()
    try:
        assert D._stored_runs() == {}
    finally:
        D._stored_runs.cache_clear()


def test_tool_rejects_a_folder_as_out(tmp_path, capsys):
    assert tool.main(["--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: --out must be a file name")
