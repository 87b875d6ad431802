"""Notebook 06's stored data-mix runs: one seed re-trained gives the stored accuracies
back bit for bit, the cached result answers like a live one, and the tool refuses a folder
as --out."""

import json
import sys
from pathlib import Path

import pytest

from rmteach.widgets import data_mix as M

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import build_data_mix_cache as tool  # noqa: E402


def test_stored_runs_have_five_seeds_and_the_notebooks_setting():
    doc = json.loads(M.DATA_MIX_CACHE.read_text())
    assert doc["seeds"] == list(M.NB06_MIX["seeds"]) and len(doc["seeds"]) == 5
    assert doc["setting"] == {k: v for k, v in M.NB06_MIX.items() if k != "seeds"}


def test_one_seed_rebuilds_exactly():
    stored = json.loads(M.DATA_MIX_CACHE.read_text())
    fresh = M.data_mix_doc(seeds=stored["seeds"][:1])
    assert fresh["labels"] == stored["labels"]
    assert fresh["accuracies"][0] == stored["accuracies"][0]


def test_cached_result_reads_like_a_live_one():
    mix = M.cached_data_mix()
    assert list(mix.results) == ["balanced", "rare space"] and len(mix.seeds) == 5
    d = mix.drop("space")
    assert d.n == 5
    assert "space" in mix.table() and mix.figure() is not None


def test_tool_refuses_a_folder(tmp_path, capsys):
    assert tool.main(["--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith("error: --out must be a file name")


def test_missing_cache_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(M, "DATA_MIX_CACHE", tmp_path / "nope.json")
    with pytest.raises(ValueError, match="build_data_mix_cache"):
        M.cached_data_mix()
