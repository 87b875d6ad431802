"""Training diagnosis on a collapsed model, on coin-flip labels, on a bad lr and a healthy run."""

from __future__ import annotations

import math

import pytest
import torch

from rmteach.data.generate import make_preference_data
from rmteach.experiments.diagnose import LN2, diagnose, diagnose_curves
from rmteach.model.network import TinyRewardModel
from rmteach.model.training import train


@pytest.fixture(scope="module")
def small():
    return make_preference_data(60, max_n=6, seed=0)


def test_collapsed_model_is_stuck_at_ln2(small):
    model = TinyRewardModel(seed=0)
    with torch.no_grad():
        model.head.weight.zero_()                 # every response gets reward 0
    with pytest.warns(UserWarning, match="lr=0"):
        result = train(small, model=model, lr=0.0, epochs=1, progress=False)
    assert result.history[-1].train_loss == pytest.approx(LN2, abs=1e-6)
    d = diagnose(result)
    assert d.codes[:2] == ["stuck-at-ln2", "collapsed-rewards"]
    assert not d.healthy
    assert "ln 2" in d.message and "same reward" in d.message


def test_healthy_run(small):
    result = train(make_preference_data(300, max_n=6, seed=0), epochs=3, progress=False)
    d = diagnose(result)
    assert d.codes == ["healthy"] and d.healthy
    assert "healthy" in d.message


def test_coin_flip_labels(small):
    noisy = make_preference_data(300, max_n=6, beta=0.0, seed=0)
    d = diagnose(train(noisy, epochs=2, progress=False))
    assert "label-noise" in d.codes
    assert "coin flips" in d.message


def test_learning_rate_far_off(small):
    too_small = diagnose(train(small, lr=1e-7, epochs=2, progress=False))
    assert too_small.codes[0] == "stuck-at-ln2"
    assert "learning-rate-too-small" in too_small.codes
    too_large = diagnose(train(small, lr=1.0, epochs=2, progress=False))
    assert "learning-rate-too-large" in too_large.codes


def test_overfitting_from_curves():
    d = diagnose_curves([0.6, 0.3, 0.05], [0.55, 0.6, 0.9], [0.7, 0.9, 0.99], [0.7, 0.72, 0.7])
    assert d.codes == ["overfitting"]
    assert "99%" in d.message and "70%" in d.message and "epoch 1" in d.message


def test_curves_alone():
    d = diagnose_curves([0.6931, 0.6932], lr=0.0)
    assert d.codes == ["stuck-at-ln2", "learning-rate-too-small"]
    generic = diagnose_curves([0.6931, 0.6932])
    assert generic.codes == ["stuck-at-ln2"]                 # each code once
    assert "check, in this order" in generic.message
    slow = diagnose_curves([0.7073, 0.7045, 0.7007], heldout_accuracy=[0.517, 0.52, 0.526],
                           lr=1e-4)
    assert slow.codes == ["stuck-at-ln2", "learning-rate-too-small"]
    up = diagnose_curves([0.5, 0.9, 1.3])
    assert up.codes == ["learning-rate-too-large"]
    nan = diagnose_curves([math.nan, math.nan])
    assert nan.codes == ["learning-rate-too-large"]
    with pytest.raises(ValueError, match="train_loss"):
        diagnose_curves([])
    with pytest.raises(ValueError, match="history"):
        diagnose(object())


def test_near_chance_is_never_healthy():
    """A loss a little below ln 2 with held-out accuracy near 50% is not a healthy run."""
    slow = diagnose_curves([0.72, 0.67], train_accuracy=[0.5, 0.55], heldout_accuracy=[0.5, 0.54])
    assert slow.codes == ["barely-learning"] and not slow.healthy
    assert "54%" in slow.message
    overshoot = diagnose_curves([0.72, 0.67], train_accuracy=[0.5, 0.55],
                                heldout_accuracy=[0.5, 0.54], lr=1.0)
    assert overshoot.codes == ["learning-rate-too-large"]
    assert "lr = 1" in overshoot.message
