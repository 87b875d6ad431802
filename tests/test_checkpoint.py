"""Safe checkpoints: state_dict + config, weights_only loading, clear errors for bad files."""

from __future__ import annotations

import pickle

import pytest
import torch

from rmteach.model.checkpoint import load, save
from rmteach.model.network import TinyRewardModel


def test_round_trip(tmp_path):
    model = TinyRewardModel(d_model=16, n_heads=2, d_ff=32, seed=3)
    path = tmp_path / "rm.pt"
    save(model, path)
    loaded = load(path)
    assert loaded.config() == model.config()
    for (k, a), b in zip(model.state_dict().items(), loaded.state_dict().values()):
        assert torch.equal(a, b), k
    prompts, responses = ["explain rain"] * 2, ["sunny thanks", "ugh"]
    torch.testing.assert_close(loaded.score(prompts, responses), model.score(prompts, responses))
    assert not loaded.training


def test_load_into_an_existing_model(tmp_path):
    path = tmp_path / "rm.pt"
    save(TinyRewardModel(seed=1), path)
    target = TinyRewardModel(seed=2)
    assert load(path, model=target) is target
    torch.testing.assert_close(target.score("explain rain", "sunny"),
                               TinyRewardModel(seed=1).score("explain rain", "sunny"))


def test_wrong_shapes(tmp_path):
    path = tmp_path / "rm.pt"
    save(TinyRewardModel(d_model=16, n_heads=2), path)
    with pytest.raises(ValueError, match="shape"):
        load(path, model=TinyRewardModel(d_model=32))
    save(TinyRewardModel(n_layers=1), path)
    with pytest.raises(ValueError, match="saved with n_layers=1, the model has n_layers=2"):
        load(path, model=TinyRewardModel(n_layers=2))


def test_not_a_checkpoint(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(ValueError, match="not an rmteach checkpoint"):
        load(text)
    plain = tmp_path / "plain.pt"
    torch.save({"weights": torch.zeros(3)}, plain)
    with pytest.raises(ValueError, match="no 'format'"):
        load(plain)
    old = tmp_path / "old.pt"
    torch.save({"format": "rmteach.TinyRewardModel", "version": 99}, old)
    with pytest.raises(ValueError, match="version 99"):
        load(old)
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.pt")


class Payload:
    def __reduce__(self):
        return (print, ("this would run on load",))


def test_unsafe_pickle_is_refused(tmp_path, capsys):
    path = tmp_path / "evil.pt"
    with open(path, "wb") as f:
        pickle.dump({"format": "rmteach.TinyRewardModel", "x": Payload()}, f, protocol=2)
    with pytest.raises(ValueError, match="weights_only"):
        load(path)
    assert "this would run" not in capsys.readouterr().out


def test_save_rejects_other_objects(tmp_path):
    with pytest.raises(ValueError, match="TinyRewardModel"):
        save(torch.nn.Linear(2, 1), tmp_path / "x.pt")
