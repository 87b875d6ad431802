"""The over-optimisation cache: the tool that builds it re-trains one cell and gets the
stored numbers back; resumes from its per-run files; refuses bad arguments."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from rmteach.experiments.overoptimization import (
    NS,
    curves_from_scores,
    eval_prompts,
    load_cache,
    setting_key,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_overopt_cache as tool  # noqa: E402


def test_cache_holds_five_seeds_of_every_setting():
    cache = load_cache()
    for n, beta, lb, lc, seeds in tool.grid():
        runs = cache["runs"][setting_key(n, beta, lb, lc)]
        assert len(runs) == len(seeds) == 5
        assert [r["setting"]["seed"] for r in runs] == list(seeds)
        for r in runs:
            assert r["ns"] == list(NS)
            assert np.allclose(r["kl"], np.log(NS) - (np.array(NS) - 1) / np.array(NS))
            # the oracle is the ceiling, random the floor, at every n
            assert np.all(np.array(r["true_oracle"]) >= np.array(r["true_learned"]) - 1e-9)
            assert np.allclose(r["true_random"], r["true_learned"][0])


def test_tool_rebuilds_one_cell_exactly_and_resumes(tmp_path, capsys):
    out, work = tmp_path / "out", tmp_path / "work"
    assert tool.main(["--quick", "--out", str(out), "--work", str(work)]) == 0
    fresh = json.loads((out / "best_of_n.json").read_text())
    key = setting_key(50, 1.0)
    stored = load_cache()["runs"][key][0]
    rebuilt = fresh["runs"][key][0]
    for field in ("true_learned", "z_proxy", "z_true", "length_learned"):
        assert np.allclose(rebuilt[field], stored[field], atol=1e-4), field
    assert not (out / "policy_curves.json").exists()       # --quick skips the policy runs
    # a second build reads the per-run file instead of training again
    capsys.readouterr()
    assert tool.main(["--quick", "--out", str(out), "--work", str(work)]) == 0
    assert "acc=" not in capsys.readouterr().out


def test_strong_setting_is_cached_and_rebuilds_exactly(tmp_path):
    """Notebook 08's strong proxy (tool.STRONG): 5 seeds, held-out accuracy >= 0.85 on
    average (the grid's proxies reach 0.65-0.72); the tool re-trains seed 0 and gets the
    stored curves back."""
    n, beta, max_n = tool.STRONG
    runs = load_cache()["runs"][setting_key(n, beta)]
    assert [r["setting"]["seed"] for r in runs] == list(tool.SEEDS)
    assert all(r["setting"]["max_n"] == max_n for r in runs)
    assert np.mean([r["heldout_accuracy"] for r in runs]) >= 0.85
    rebuilt = tool.strong_runs(tmp_path, seeds=(0,))[setting_key(n, beta)][0]
    for field in ("true_learned", "z_proxy", "z_true", "length_learned"):
        assert np.allclose(rebuilt[field], runs[0][field], atol=1e-4), field
    assert rebuilt["heldout_accuracy"] == pytest.approx(runs[0]["heldout_accuracy"])


def test_tool_writes_the_policy_curves(tmp_path):
    """The policy part of the build on a tiny setting: one reward model, two beta_kl."""
    doc = tool.policy_curves(tmp_path, seeds=(0,), beta_kls=(0.0, 1.0),
                             train={"lr": 0.2, "batch": 4, "steps": 4, "record_every": 2})
    stored = json.loads((tmp_path / "policy_curves.json").read_text())
    assert stored == json.loads(json.dumps(doc))
    run = stored["runs"]["0"]
    assert run["steps"] == [0, 2, 4] and len(run["true"]) == 1 and len(run["true"][0]) == 3
    assert run["kl"][0][0] == 0.0 and stored["runs"]["1"]["proxy"][0][0] == run["proxy"][0][0]
    assert set(run["kinds"]) == {"on-topic", "polite", "off-topic", "filler", "rude"}
    assert stored["ref_true"] == pytest.approx(-0.9) and stored["best_true"] == 6.0


def test_tool_rejects_bad_epochs(capsys):
    assert tool.main(["--epochs", "0"]) == 2
    assert capsys.readouterr().err.startswith("error: --epochs must be >= 1")


def test_curves_from_scores_hand_case_and_errors():
    proxy = np.array([[0.0, 1.0, 2.0]])
    true = np.array([[3.0, 6.0, 9.0]])
    run = curves_from_scores(proxy, true, np.array([[1.0, 2.0, 3.0]]), ns=(1, 2))
    assert run.true_learned == [6.0, pytest.approx((3 + 18 + 45) / 9)]
    assert run.true_oracle == run.true_learned                 # proxy orders like r* here
    assert run.true_random == [6.0, 6.0]
    with pytest.raises(ValueError, match="one shape"):
        curves_from_scores(proxy, true[:, :2], proxy)


def test_eval_prompts_avoid_training_prompts():
    prompts, _ = eval_prompts([], 5)
    later, _ = eval_prompts(prompts[:2], 5)
    assert not set(prompts[:2]) & set(later) and later[:3] == prompts[2:]
    with pytest.raises(ValueError, match="prompts are left"):
        eval_prompts([], 5000)
