"""The training loop: learning, determinism, exact forward-pass counts, every loss and mode."""

from __future__ import annotations

import math
from dataclasses import asdict

import numpy as np
import pytest
import torch

from rmteach.data.generate import make_preference_data
from rmteach.model.evaluate import evaluate
from rmteach.model.training import LOSSES, MODES, train

TIMING = {"seconds", "eval_seconds"}


@pytest.fixture(scope="module")
def data():
    return make_preference_data(300, max_n=6, seed=0)


@pytest.fixture(scope="module")
def tiny():
    return make_preference_data(24, min_n=3, max_n=5, seed=1)


def _history(result):
    return [{k: v for k, v in asdict(r).items() if k not in TIMING} for r in result.history]


def test_short_run_learns_well_above_chance(data):
    result = train(data, epochs=4, progress=False)
    first, last = result.history[0], result.history[-1]
    assert last.heldout_accuracy > 0.7
    assert last.train_loss < math.log(2) - 0.2
    assert last.heldout_kendall_tau > 0.3
    assert result.heldout_accuracy == last.heldout_accuracy
    assert result.final.accuracy == pytest.approx(last.heldout_accuracy)
    assert first.epoch == 1 and last.epoch == 4


def test_deterministic_on_cpu(tiny):
    a = train(tiny, loss="pairwise", epochs=2, progress=False, device="cpu", seed=3)
    b = train(tiny, loss="pairwise", epochs=2, progress=False, device="cpu", seed=3)
    c = train(tiny, loss="pairwise", epochs=2, progress=False, device="cpu", seed=4)
    assert _history(a) == _history(b)
    assert _history(a) != _history(c)
    for (k, va), vb in zip(a.model.state_dict().items(), b.model.state_dict().values()):
        assert torch.equal(va, vb), k


def test_forward_passes_are_counted_exactly(tiny):
    sizes = np.array([lst.n for lst in tiny.train])
    grouped = train(tiny, mode="grouped", epochs=2, progress=False, eval_train=False)
    exploded = train(tiny, mode="exploded", epochs=2, progress=False, eval_train=False)
    assert [r.forward_passes for r in grouped.history] == [int(sizes.sum())] * 2
    assert [r.forward_passes for r in exploded.history] == [int((sizes * (sizes - 1)).sum())] * 2
    assert grouped.forward_passes == 2 * int(sizes.sum())
    assert grouped.forward_passes_per_epoch == int(sizes.sum())


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("loss", LOSSES)
def test_every_loss_and_mode_trains(tiny, loss, mode):
    kwargs = {"margin": 0.5} if loss == "pairwise" else {}
    result = train(tiny, loss=loss, mode=mode, center_coef=0.1, epochs=2, progress=False,
                   **kwargs)
    assert len(result.history) == 2
    for record in result.history:
        assert math.isfinite(record.train_objective) and math.isfinite(record.heldout_loss)
        assert 0.0 <= record.heldout_accuracy <= 1.0
        assert record.seconds > 0
    assert result.config["loss"] == loss and result.config["mode"] == mode
    assert result.device == "cpu"


def test_grouped_listwise_objective_is_eq_4_57(tiny):
    # lr = 0: nothing changes, so the epoch's objective is the listwise loss of the train data
    with pytest.warns(UserWarning, match="lr=0"):
        result = train(tiny, loss="listwise", lr=0.0, epochs=1, progress=False)
    rec = result.history[0]
    assert rec.train_objective == pytest.approx(rec.train_loss, abs=1e-5)


def test_exploded_objective_is_the_mean_pairwise_loss(tiny):
    with pytest.warns(UserWarning, match="lr=0"):
        result = train(tiny, loss="pairwise", mode="exploded", lr=0.0, epochs=1, progress=False)
    expected = evaluate(result.model, tiny, split="train").log_loss
    assert result.history[0].train_objective == pytest.approx(expected, abs=1e-5)


def test_centering_pulls_rewards_towards_zero(tiny):
    free = train(tiny, epochs=3, progress=False)
    centred = train(tiny, epochs=3, progress=False, center_coef=1.0)

    def level(model):
        r = np.concatenate([model.score(lst.prompt, list(lst.responses)).numpy()
                            for lst in tiny.train])
        return float(np.mean(r ** 2))

    assert level(centred.model) < level(free.model)


def test_items_heldout_callback_and_progress(tiny, capsys):
    seen = []
    result = train(list(tiny.train), heldout=list(tiny.heldout), epochs=2, progress=True,
                   callback=seen.append)
    assert [r.epoch for r in seen] == [1, 2]
    assert result.config["label_agreement"] is None          # not marked synthetic
    assert "batch" in capsys.readouterr().err               # the tqdm bar, on stderr
    assert result.as_dict()["history"][0]["epoch"] == 1
    assert set(result.curves()) >= {"epoch", "train_loss", "heldout_accuracy"}


def test_threads_are_restored(tiny):
    before = torch.get_num_threads()
    train(tiny, epochs=1, progress=False, threads=1)
    assert torch.get_num_threads() == before


def test_continue_training_a_given_model(tiny):
    first = train(tiny, epochs=1, progress=False)
    second = train(tiny, model=first.model, epochs=1, progress=False)
    assert second.model is first.model
    with pytest.raises(ValueError, match="model_kwargs"):
        train(tiny, model=first.model, model_kwargs={"d_model": 8}, progress=False)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"loss": "hinge"}, "unknown loss"),
    ({"mode": "batched"}, "unknown mode"),
    ({"loss": "listwise", "margin": 1.0}, "margin applies to the pairwise loss only"),
    ({"margin": -1.0, "loss": "pairwise"}, "margin"),
    ({"center_coef": -0.1}, "center_coef"),
    ({"epochs": 0}, "epochs"),
    ({"lr": float("nan")}, "lr"),
    ({"batch_size": 0}, "batch_size"),
    ({"threads": 0}, "threads"),
    ({"device": "banana"}, "unknown device"),
])
def test_bad_arguments(tiny, kwargs, match):
    with pytest.raises(ValueError, match=match):
        train(tiny, progress=False, **kwargs)


def test_empty_training_data():
    with pytest.raises(ValueError, match="empty"):
        train([], progress=False)


def test_eval_start_measures_epoch_zero_and_changes_nothing_else():
    from rmteach.data.generate import make_preference_data

    data = make_preference_data(40, max_n=4, seed=0)
    kw = dict(epochs=2, progress=False, seed=0,
              model_kwargs={"d_model": 16, "n_layers": 1, "n_heads": 2, "d_ff": 32})
    plain, with_start = train(data, **kw), train(data, eval_start=True, **kw)
    assert plain.start is None and with_start.start.epoch == 0
    assert [r.heldout_loss for r in plain.history] == [r.heldout_loss for r in with_start.history]
    assert with_start.curves()["epoch"] == [0, 1, 2]
    assert with_start.start.forward_passes == 0
