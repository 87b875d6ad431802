"""DPO's implicit reward and loss family, and the regression loss: values, TRL 1.16, stability."""

from __future__ import annotations

import inspect
import math
import textwrap

import numpy as np
import pytest
import torch

from rmteach.math.losses import dpo_loss, implicit_reward, pairwise_loss, regression_loss

LN2 = math.log(2.0)
RNG = np.random.default_rng(22)
PC, PR, RC, RR = (RNG.normal(-20, 5, 64) for _ in range(4))
LC, LR = RNG.integers(1, 30, 64).astype(float), RNG.integers(1, 30, 64).astype(float)


def _gap():
    return (PC - RC) - (PR - RR)


def test_implicit_reward_by_hand():
    assert implicit_reward(-2.0, -3.0, beta=0.5) == 0.5
    np.testing.assert_allclose(implicit_reward([-1.0, -4.0], [-2.0, -2.0], beta=0.1),
                               [0.1, -0.2], atol=1e-15)


def test_sigmoid_is_the_pairwise_loss_of_the_implicit_rewards():
    for beta in (0.01, 0.1, 2.0):
        got = dpo_loss(PC, PR, RC, RR, beta=beta, reduction="none")
        want = pairwise_loss(implicit_reward(PC, RC, beta), implicit_reward(PR, RR, beta),
                             reduction="none")
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    assert dpo_loss(-1.0, -1.0, -1.0, -1.0) == pytest.approx(LN2, abs=1e-15)


def test_each_loss_type_by_hand():
    # Δ = (−1 − (−2)) − (−3 − (−2)) = 2, β = 0.5: βΔ = 1
    args = (-1.0, -3.0, -2.0, -2.0)
    sp1, spm1 = math.log1p(math.exp(-1.0)), math.log1p(math.exp(1.0))   # −log σ(1), −log σ(−1)
    assert dpo_loss(*args, beta=0.5) == pytest.approx(sp1, abs=1e-14)
    assert dpo_loss(*args, beta=0.5, label_smoothing=0.1) == pytest.approx(
        0.9 * sp1 + 0.1 * spm1, abs=1e-14)
    assert dpo_loss(*args, beta=0.5, loss_type="robust", label_smoothing=0.1) == pytest.approx(
        (0.9 * sp1 - 0.1 * spm1) / 0.8, abs=1e-14)
    assert dpo_loss(*args, beta=0.5, loss_type="robust") == pytest.approx(sp1, abs=1e-14)
    assert dpo_loss(*args, beta=0.5, loss_type="hinge") == 0.0
    assert dpo_loss(*args, beta=0.25, loss_type="hinge") == pytest.approx(0.5, abs=1e-15)
    assert dpo_loss(*args, beta=0.5, loss_type="ipo") == pytest.approx((2 - 1) ** 2, abs=1e-15)
    # IPO with token counts: (1/2 − (−1)/4 − 1/(2·0.5))² = (0.75 − 1)² = 0.0625
    assert dpo_loss(*args, beta=0.5, loss_type="ipo", chosen_lengths=2,
                    rejected_lengths=4) == pytest.approx(0.0625, abs=1e-15)


def test_ipo_has_a_bounded_target_dpo_does_not():
    gaps = np.linspace(-5, 30, 351)
    zero = np.zeros_like(gaps)
    ipo = dpo_loss(gaps, zero, zero, zero, beta=0.1, loss_type="ipo", reduction="none")
    dpo = dpo_loss(gaps, zero, zero, zero, beta=0.1, reduction="none")
    assert gaps[np.argmin(ipo)] == pytest.approx(5.0)        # 1/(2β) = 5
    assert np.all(np.diff(dpo) < 0)                          # DPO keeps pushing the gap up


def test_reductions_and_torch_autograd():
    none = dpo_loss(PC, PR, RC, RR, loss_type="ipo", reduction="none")
    assert dpo_loss(PC, PR, RC, RR, loss_type="ipo", reduction="sum") == pytest.approx(none.sum())
    assert dpo_loss(PC, PR, RC, RR, loss_type="ipo") == pytest.approx(none.mean())
    t = torch.tensor(PC, dtype=torch.float32, requires_grad=True)
    for loss_type in ("sigmoid", "robust", "hinge", "ipo"):
        eps = 0.2 if loss_type == "robust" else 0.0
        out = dpo_loss(t, PR, RC, RR, beta=0.05, loss_type=loss_type, label_smoothing=eps)
        assert out.dtype == torch.float32
        (g,) = torch.autograd.grad(out, t)
        assert torch.isfinite(g).all()
        np.testing.assert_allclose(out.item(), dpo_loss(PC.astype(np.float32), PR, RC, RR,
                                                        beta=0.05, loss_type=loss_type,
                                                        label_smoothing=eps), rtol=1e-5)


def test_finite_at_huge_gaps():
    for gap in (-1e4, 1e4):
        for loss_type in ("sigmoid", "robust", "hinge", "ipo"):
            eps = 0.3 if loss_type in ("sigmoid", "robust") else 0.0
            out = dpo_loss(gap, 0.0, 0.0, 0.0, beta=1.0, loss_type=loss_type,
                           label_smoothing=eps)
            assert math.isfinite(out)
    assert dpo_loss(1e4, 0.0, 0.0, 0.0, beta=1.0) == 0.0
    assert dpo_loss(-1e4, 0.0, 0.0, 0.0, beta=1.0) == pytest.approx(1e4)


@pytest.mark.parametrize("kwargs, word", [
    ({"beta": 0}, "beta"), ({"beta": -1.0}, "beta"), ({"beta": float("nan")}, "beta"),
    ({"beta": "0.1"}, "beta"), ({"beta": True}, "beta"),
    ({"label_smoothing": 0.5}, "label_smoothing"), ({"label_smoothing": -0.1}, "label_smoothing"),
    ({"label_smoothing": 0.1, "loss_type": "ipo"}, "label_smoothing"),
    ({"loss_type": "kto"}, "loss_type"), ({"loss_type": None}, "loss_type"),
    ({"chosen_lengths": 3}, "rejected_lengths"),
    ({"chosen_lengths": 3, "rejected_lengths": 3}, "loss_type"),
    ({"chosen_lengths": 0, "rejected_lengths": 3, "loss_type": "ipo"}, "chosen_lengths"),
    ({"reduction": "avg"}, "reduction"),
])
def test_bad_arguments_name_themselves(kwargs, word):
    with pytest.raises(ValueError, match=word):
        dpo_loss([-1.0, -2.0], [-3.0, -2.0], -2.0, -2.0, **kwargs)


def test_bad_arrays_name_themselves():
    with pytest.raises(ValueError, match="ref_rejected_logps"):
        dpo_loss(0.0, 0.0, 0.0, [float("nan")])
    with pytest.raises(ValueError, match="policy_rejected_logps"):
        dpo_loss([0.0, 1.0], "abc", 0.0, 0.0)
    with pytest.raises(ValueError, match="ref_logps"):
        implicit_reward([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="beta"):
        implicit_reward(1.0, 1.0, beta=0.0)
    with pytest.raises(ValueError, match="ratings"):
        regression_loss([1.0], None)


def test_regression_loss():
    assert regression_loss([3.0, 1.0], [4.0, 1.0]) == 0.5
    assert regression_loss([3.0, 1.0], [4.0, 1.0], reduction="sum") == 1.0
    t = torch.tensor([3.0, 1.0], requires_grad=True)
    (g,) = torch.autograd.grad(regression_loss(t, [4.0, 1.0]), t)
    assert g.tolist() == [-1.0, 0.0]                         # d/dr mean((r − s)²) = (r − s)
    # not shift invariant, unlike the pair-wise loss
    assert regression_loss([5.0, 2.0], [4.0, 1.0]) == 1.0     # both shifted by 1
    assert pairwise_loss(5.0, 2.0) == pairwise_loss(4.0, 1.0)


# ---------------------------------------------------------------------------
# Against TRL 1.16's own DPOTrainer loss code
# ---------------------------------------------------------------------------

def _trl_loss_block():
    """The loss lines of TRL's ``DPOTrainer._compute_loss``, cut from its source."""
    trainer = pytest.importorskip("trl.trainer.dpo_trainer",
                                  reason="TRL is not installed (requirements-trl.txt)")
    source = textwrap.dedent(inspect.getsource(trainer.DPOTrainer._compute_loss))
    start = source.rindex("\n", 0, source.index("delta_score = chosen_scores - rejected_scores"))
    stop = source.index("if self.aux_loss_enabled:", start)
    return trainer, textwrap.dedent(source[start:stop])


def _trl_loss(loss_type, beta, eps, lengths=None):
    trainer, block = _trl_loss_block()
    t = {k: torch.tensor(v) for k, v in zip(("pc", "pr", "rc", "rr"), (PC, PR, RC, RR))}
    n = len(PC)
    mask = torch.zeros(2 * n, 31)
    if lengths is not None:
        for i, count in enumerate(np.concatenate(lengths)):
            mask[i, :int(count)] = 1.0
    self = type("TRLSelf", (), {"loss_types": [loss_type], "loss_weights": [1.0], "beta": beta,
                                "label_smoothing": eps, "use_weighting": False})()
    scope = {"self": self, "torch": torch, "F": torch.nn.functional, "math": math,
             "chosen_scores": t["pc"] - t["rc"], "rejected_scores": t["pr"] - t["rr"],
             "completion_mask": mask, "shift_completion_mask": mask[:, 1:], "device": "cpu"}
    scope.update(vars(trainer))
    scope["self"] = self
    exec(block, scope)
    return scope["per_sequence_loss"], scope["loss"]


@pytest.mark.parametrize("loss_type, eps", [("sigmoid", 0.0), ("robust", 0.0), ("robust", 0.2),
                                            ("hinge", 0.0), ("ipo", 0.0)])
@pytest.mark.parametrize("beta", [0.1, 0.5])
def test_same_values_as_trl(loss_type, eps, beta):
    lengths = (LC, LR) if loss_type == "ipo" else None
    per_pair, mean = _trl_loss(loss_type, beta, eps, lengths)
    kwargs = {"chosen_lengths": LC, "rejected_lengths": LR} if lengths else {}
    ours = dpo_loss(*(torch.tensor(a) for a in (PC, PR, RC, RR)), beta=beta,
                    loss_type=loss_type, label_smoothing=eps, reduction="none", **kwargs)
    assert torch.equal(ours, per_pair)                       # bit for bit, float64
    assert float(mean) == pytest.approx(float(ours.mean()), rel=1e-15)


def test_trl_sigmoid_has_no_label_smoothing():
    # TRL 1.16's ``sigmoid`` ignores label_smoothing; ours (cDPO, older TRL) uses it
    per_pair, _ = _trl_loss("sigmoid", 0.1, 0.2)
    torch_args = [torch.tensor(a) for a in (PC, PR, RC, RR)]
    assert torch.equal(per_pair, dpo_loss(*torch_args, reduction="none"))
    assert not np.allclose(per_pair.numpy(),
                           dpo_loss(PC, PR, RC, RR, label_smoothing=0.2, reduction="none"))
