"""Training diagnosis: why is my reward model not learning?

Two symptoms come up again and again (and in the seeds' "training diagnosis"
question):

1. **The loss is stuck at ln 2 ≈ 0.693.**  That is −log Sigmoid(0) = −log 0.5: the
   loss of a model that gives both responses of every pair the *same* reward, i.e.
   a model that says "50/50" about everything (Eq. 4.35 with r_a = r_b).  Usual
   causes: the rewards have collapsed to a constant, the labels are coin flips
   (β = 0 annotators: nothing to learn), or the learning rate is far off (too small:
   nothing moves; too large: the updates overshoot and the model collapses).
2. **Train accuracy far above held-out accuracy**: the model memorised the training
   responses instead of learning what makes a response good (overfitting).

:func:`diagnose` reads a :class:`~rmteach.model.training.TrainResult`; :func:`diagnose_curves`
reads plain per-epoch numbers (for a widget).  Both return a :class:`Diagnosis`:
structured :class:`Finding` objects plus a plain-words ``message``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["LN2", "Diagnosis", "Finding", "diagnose", "diagnose_curves"]

LN2 = math.log(2.0)


@dataclass(frozen=True)
class Finding:
    """One thing the diagnosis noticed.

    ``code`` is one of ``"stuck-at-ln2"``, ``"barely-learning"``, ``"collapsed-rewards"``,
    ``"label-noise"``, ``"degenerate-pairs"``,
    ``"learning-rate-too-small"``, ``"learning-rate-too-large"``, ``"overfitting"``,
    ``"healthy"``; ``problem`` says whether it needs fixing.
    """

    code: str
    title: str
    explanation: str
    problem: bool = True
    evidence: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Diagnosis:
    """All findings, and ``message``: them in plain words, one paragraph each."""

    findings: tuple[Finding, ...]

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    @property
    def healthy(self) -> bool:
        return not any(f.problem for f in self.findings)

    @property
    def message(self) -> str:
        return "\n\n".join(f"{f.title}: {f.explanation}" for f in self.findings)

    def __str__(self) -> str:
        return self.message


def _clean(values, name: str = "the curve") -> list[float]:
    if values is None:
        return []
    if isinstance(values, (str, bytes, dict, set)) or not hasattr(values, "__iter__"):
        raise ValueError(f"{name} must be a list of per-epoch numbers; got "
                         f"{type(values).__name__}.")
    out = []
    for k, v in enumerate(values):
        try:
            v = float("nan") if v is None else float(v)
        except (TypeError, ValueError):
            raise ValueError(f"{name}[{k}] must be a number; got {type(v).__name__}.") \
                from None
        out.append(v)
    return out


def _last(values):
    finite = [v for v in values if math.isfinite(v)]
    return finite[-1] if finite else float("nan")


def _noisy(label_agreement) -> bool:
    return label_agreement is not None and abs(label_agreement - 0.5) < 0.1


def _noise_finding(label_agreement) -> Finding:
    return Finding(
        "label-noise", "The labels look like coin flips",
        f"Only {label_agreement:.0%} of the training labels agree with the true reward: the "
        "annotators chose at random (β ≈ 0). No reward function can predict coin flips, so the "
        "best a model can do on new data is say 50/50, a loss of ln 2; anything it learns "
        "beyond that is memorised noise. More training will not help; cleaner labels "
        "(larger β) will.",
        evidence={"label_agreement": label_agreement})


def _degenerate_finding(share: float) -> Finding:
    return Finding(
        "degenerate-pairs", "Some pairs can never be learned",
        f"{share:.0%} of the training pairs have a chosen and a rejected input that are "
        "identical (often only after truncation to max_len). Every model gives them equal "
        "rewards: each costs exactly ln 2 and gives zero gradient, so the training loss "
        f"cannot fall below {share:.2f} × ln 2 = {share * LN2:.3f}, and a data set made "
        "mostly of them looks stuck at ln 2. Drop them (rmteach's loader and train() do, "
        "with a warning that gives the count) or raise max_len.",
        evidence={"degenerate_share": share, "loss_floor": share * LN2})


def diagnose_curves(train_loss: Sequence[float], heldout_loss: Sequence[float] | None = None,
                    train_accuracy: Sequence[float] | None = None,
                    heldout_accuracy: Sequence[float] | None = None, *,
                    reward_spread: float | None = None, lr: float | None = None,
                    label_agreement: float | None = None, stuck_tol: float = 0.02,
                    overfit_gap: float = 0.10,
                    degenerate_share: float | None = None) -> Diagnosis:
    """Diagnose a training run from its per-epoch numbers.

    Args:
        train_loss: per-epoch loss on the training data, on the pairwise scale where
            an undecided model scores ln 2 (the pairwise loss, or the listwise loss of
            Eq. 4.57; **not** Plackett–Luce, whose undecided value is log N!).
        heldout_loss, train_accuracy, heldout_accuracy: per-epoch, optional.
        reward_spread: typical spread (std) of the rewards within a prompt's list at
            the end; near 0 means the rewards collapsed to a constant.
        lr: the learning rate used.
        label_agreement: share of training labels that agree with the true reward
            (about 0.5 for β = 0 annotators), when it is known.
        degenerate_share: share of the training pairs whose chosen and rejected
            inputs are identical (after truncation), when they were kept.
        stuck_tol: how close to ln 2 counts as "stuck".
        overfit_gap: train minus held-out accuracy that counts as overfitting.

    >>> d = diagnose_curves([0.6932, 0.6931, 0.6931], reward_spread=0.0)
    >>> d.codes
    ['stuck-at-ln2', 'collapsed-rewards']
    >>> diagnose_curves([0.69, 0.45, 0.30], train_accuracy=[0.6, 0.8, 0.9],
    ...                 heldout_accuracy=[0.6, 0.78, 0.88]).healthy
    True
    """
    from ..math._checks import check_real

    stuck_tol = check_real(stuck_tol, "stuck_tol", lo=0.0)
    overfit_gap = check_real(overfit_gap, "overfit_gap", lo=0.0)
    if label_agreement is not None:
        label_agreement = check_real(label_agreement, "label_agreement", lo=0.0, hi=1.0)
    if degenerate_share is not None:
        degenerate_share = check_real(degenerate_share, "degenerate_share", lo=0.0, hi=1.0)
    for name in ("reward_spread", "lr"):          # unknown (None or NaN) is allowed
        value = locals()[name]
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            check_real(value, name, allow_inf=True)
    tl = _clean(train_loss, "train_loss")
    if not tl or not any(math.isfinite(v) for v in tl):
        if any(math.isinf(v) or math.isnan(v) for v in tl) and tl:
            return Diagnosis((Finding(
                "learning-rate-too-large", "The loss is not a number",
                "The training loss became NaN or infinite: the updates blew the weights up. "
                "Lower the learning rate (try 10× smaller).",
                evidence={"lr": lr}),))
        raise ValueError("train_loss needs at least one finite per-epoch loss value.")
    hl, ta, ha = (_clean(heldout_loss, "heldout_loss"), _clean(train_accuracy, "train_accuracy"),
                  _clean(heldout_accuracy, "heldout_accuracy"))
    findings: list[Finding] = []
    first, final = tl[0], _last(tl)
    moved = max(v for v in tl if math.isfinite(v)) - min(v for v in tl if math.isfinite(v))
    final_train_acc, final_held_acc = _last(ta), _last(ha)
    nan_seen = any(not math.isfinite(v) for v in tl)

    final_held_loss = _last(hl)
    near_chance = not (final_held_acc >= 0.6)          # also True when unknown (NaN)
    stuck = ((abs(final - LN2) <= stuck_tol and not (final_train_acc > 0.65))
             or (final_held_loss >= LN2 - stuck_tol and near_chance
                 and math.isfinite(final_held_acc)))
    if stuck:
        findings.append(Finding(
            "stuck-at-ln2", "The loss is stuck at ln 2 ≈ 0.693",
            f"The training loss ended at {final:.4f}"
            + (f" and the held-out loss at {final_held_loss:.4f}"
               if math.isfinite(final_held_loss) else "")
            + ". ln 2 is −log Sigmoid(0) = −log 0.5, the loss of a model that cannot tell any "
            "two responses apart: it gives the chosen and the rejected response the same "
            "reward, so it says 50/50 about every pair.",
            evidence={"final_train_loss": final, "final_heldout_loss": final_held_loss,
                      "ln2": LN2, "loss_range": moved}))
        causes = 0
        if reward_spread is not None and math.isfinite(reward_spread) and reward_spread < 1e-3:
            causes += 1
            findings.append(Finding(
                "collapsed-rewards", "The rewards have collapsed to a constant",
                f"Within a prompt the rewards differ by only {reward_spread:.4f} on average: the "
                "model gives every response (almost) the same score. Bradley–Terry only sees "
                "reward gaps, so with no gap every probability is 0.5. Check that the model's "
                "head is trainable and the learning rate is not 0 or far too large.",
                evidence={"reward_spread": reward_spread}))
        if _noisy(label_agreement):
            causes += 1
            findings.append(_noise_finding(label_agreement))
        if degenerate_share is not None and degenerate_share >= 0.5:
            causes += 1
            findings.append(_degenerate_finding(degenerate_share))
        # far too small: tiny by itself, or small and the loss hardly moved at all
        if lr is not None and (lr < 1e-5 or (lr <= 1e-3 and moved < 0.05)):
            causes += 1
            findings.append(Finding(
                "learning-rate-too-small", "The learning rate is far too small",
                f"With lr = {lr:g} each step moves the weights by almost nothing, so the "
                f"rewards stay close to where they started and the loss barely moves (it "
                f"changed by {moved:.4f}). Try lr around 1e-3 to 1e-2.",
                evidence={"lr": lr, "loss_range": moved}))
        if lr is not None and lr >= 0.1:
            causes += 1
            findings.append(Finding(
                "learning-rate-too-large", "The learning rate is far too large",
                f"With lr = {lr:g} the updates overshoot: the model jumps around and often "
                "collapses to giving every response the same reward. Try lr around 1e-3 to 1e-2.",
                evidence={"lr": lr}))
        if causes == 0:                    # one finding per code: add the causes to it
            stuck_finding = findings[-1]
            findings[-1] = Finding(
                stuck_finding.code, stuck_finding.title,
                stuck_finding.explanation + " Possible causes; check, in this order: (1) are "
                "the rewards all the same (a collapsed or frozen model)? (2) are the labels "
                "random (β = 0 annotators, or chosen/rejected swapped at random)? (3) is the "
                "learning rate far off (too small: nothing moves; too large: the model "
                "overshoots and collapses)? (4) do many pairs compare a response with itself "
                "(degenerate pairs)?",
                evidence=stuck_finding.evidence)
    elif math.isfinite(final_held_acc) and final_held_acc < 0.6 and final > LN2 - 0.15:
        # Not at ln 2 exactly, but not learning either: never call this healthy.
        overshoot = lr is not None and lr >= 0.1
        findings.append(Finding(
            "learning-rate-too-large" if overshoot else "barely-learning",
            "The learning rate is far too large" if overshoot else "The model has barely learned",
            f"The training loss only went from {first:.4f} to {final:.4f}, still close to "
            f"ln 2 = {LN2:.4f}, and the model orders just {final_held_acc:.0%} of the held-out "
            "pairs correctly, little better than the 50% of a coin flip. "
            + (f"With lr = {lr:g} the updates overshoot and undo each other: try lr around "
               "1e-3 to 1e-2." if overshoot else
               "Train for more epochs, or check the learning rate and the labels."),
            evidence={"first_train_loss": first, "final_train_loss": final,
                      "heldout_accuracy": final_held_acc, "lr": lr}))
    elif final > LN2 + 0.05 or nan_seen or (final > first + 0.05):
        findings.append(Finding(
            "learning-rate-too-large", "The loss went up",
            f"The training loss went from {first:.4f} to {final:.4f}, worse than the "
            f"ln 2 = {LN2:.4f} of a model that always says 50/50. The updates overshoot: lower "
            "the learning rate." + (f" (lr = {lr:g})" if lr is not None else ""),
            evidence={"first_train_loss": first, "final_train_loss": final, "lr": lr}))

    if (degenerate_share is not None and degenerate_share > 0.01
            and "degenerate-pairs" not in [f.code for f in findings]):
        findings.append(_degenerate_finding(degenerate_share))
    if _noisy(label_agreement) and "label-noise" not in [f.code for f in findings]:
        findings.append(_noise_finding(label_agreement))

    if math.isfinite(final_train_acc) and math.isfinite(final_held_acc):
        gap = final_train_acc - final_held_acc
        best_held = min((v for v in hl if math.isfinite(v)), default=float("nan"))
        final_held = final_held_loss
        rising = (math.isfinite(best_held) and final_held > best_held + 0.05)
        if gap > overfit_gap and final_train_acc > 0.7:
            best_epoch = hl.index(best_held) + 1 if math.isfinite(best_held) else None
            extra = (f" The held-out loss was lowest after epoch {best_epoch} "
                     f"({best_held:.4f}) and rose to {final_held:.4f} since."
                     if rising and best_epoch else "")
            findings.append(Finding(
                "overfitting", "The model is overfitting",
                f"It orders {final_train_acc:.0%} of the training pairs correctly but only "
                f"{final_held_acc:.0%} of the held-out pairs (a gap of {gap:.0%}).{extra} It has "
                "memorised the training responses rather than learned what makes a response "
                "good. Stop earlier, use more prompts, or train on whole ranked lists (each "
                "response scored once per epoch, as InstructGPT did) instead of exploded pairs.",
                evidence={"train_accuracy": final_train_acc, "heldout_accuracy": final_held_acc,
                          "gap": gap, "best_heldout_loss": best_held,
                          "final_heldout_loss": final_held}))

    if not findings:
        acc = (f" and held-out accuracy is {final_held_acc:.0%}"
               if math.isfinite(final_held_acc) else "")
        findings.append(Finding(
            "healthy", "Training looks healthy",
            f"The loss fell from {first:.4f} to {final:.4f} (below ln 2 = {LN2:.4f}){acc}, and "
            "train and held-out results are close.",
            problem=False,
            evidence={"first_train_loss": first, "final_train_loss": final,
                      "heldout_accuracy": final_held_acc}))
    return Diagnosis(tuple(findings))


def diagnose(result, *, label_agreement: float | None = None, **kwargs) -> Diagnosis:
    """Diagnose a :class:`~rmteach.model.training.TrainResult` (see :func:`diagnose_curves`).

    Uses its per-epoch train/held-out listwise loss (Eq. 4.57, ln 2 when undecided,
    whatever loss was trained) and accuracies, the final reward spread, the learning
    rate, and the training labels' agreement with the true reward for built-in data.
    """
    history = getattr(result, "history", None)
    if not history:
        raise ValueError("diagnose() needs a TrainResult with at least one epoch of history.")
    config = getattr(result, "config", {}) or {}
    train_loss = [r.train_loss for r in history]
    if not any(math.isfinite(v) for v in train_loss):       # trained with eval_train=False
        if config.get("loss") == "plackett-luce":
            raise ValueError("the result has no train loss on the ln 2 scale (trained with "
                             "eval_train=False and the Plackett–Luce loss); train again with "
                             "eval_train=True.")
        train_loss = [r.train_objective for r in history]
    if label_agreement is None:
        label_agreement = config.get("label_agreement")
    return diagnose_curves(
        train_loss,
        [r.heldout_loss for r in history],
        [r.train_accuracy for r in history],
        [r.heldout_accuracy for r in history],
        reward_spread=history[-1].reward_spread,
        lr=config.get("lr"),
        label_agreement=label_agreement,
        degenerate_share=(config.get("degenerate_share")
                          if config.get("degenerate_pairs") and
                          config.get("drop_degenerate") is False else None),
        **kwargs)
