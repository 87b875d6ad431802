"""Reward-model ensembles against over-optimisation: best-of-n picked by several models.

Notebook 08 picks the best of n responses by ONE learned reward model and watches the true
reward r* of the pick flatten or fall as n grows. Here each pick is made by an **ensemble**
of ``MEMBERS`` reward models, trained on the same preference data with different
training seeds (initial weights and shuffling), as Coste et al. (2023, "Reward Model
Ensembles Help Mitigate Overoptimization", ICLR 2024) train theirs. Their scores of a
response are combined (:func:`combine_scores`) as

* ``"mean"``: the average of the members (Coste et al.'s *mean optimisation*);
* ``"min"``: the lowest member (their *worst-case optimisation*, WCO);
* ``"mean-k-sd"``: mean − k·sd, sd the members' sample standard deviation on that response;
* ``"mean-lambda-var"``: mean − λ·variance, Coste et al.'s *uncertainty-weighted
  optimisation* (UWO), which penalises the variance, not the sd;
* ``"single"``: member 0 alone, which is notebook 08's cached reward model of that seed.

A member's level is free per prompt (the loss only sees differences within a prompt) and its
scale is its own, so before they are combined each member's scores are centred per prompt
and divided by that member's sd over the whole pool (:func:`standardize_members`).

k and λ are chosen on **validation** seeds (:data:`VALIDATION_SEEDS`, their own data and
members) by the true reward of the pick averaged over every n of :data:`NS` (1 to 256, each
once: a budget unknown in advance), with :func:`choose_weight`; the notebook reports them on
the suite's :data:`~rmteach.experiments.seeds.SEEDS`.
``tools/build_ensemble_cache.py`` trains the members and stores every curve
(:func:`load_ensemble_runs`); a test re-trains one seed and compares.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from ..data.generate import make_preference_data
from ..math._checks import validated
from .overoptimization import CACHE_DIR, NS, eval_prompts, setting_key
from .sampling import draw_pool, expected_best_of_n, true_rewards

__all__ = ["COMBINERS", "K_GRID", "LAMBDA_GRID", "MEMBERS", "REPORT_SEEDS", "SETTINGS",
           "VALIDATION_SEEDS", "choose_weight", "combine_scores", "curve_table",
           "ensemble_curves", "error_correlation", "load_ensemble_runs", "member_seed",
           "run_ensemble", "standardize_members"]

#: the ways :func:`combine_scores` combines the members
COMBINERS: tuple[str, ...] = ("single", "mean", "min", "mean-k-sd", "mean-lambda-var")
#: members per ensemble (Coste et al. found 4-5 members enough)
MEMBERS = 5
#: the k of mean − k·sd stored in the cache (the widget's slider moves over these)
K_GRID: tuple[float, ...] = tuple(0.5 * i for i in range(21))      # 0, 0.5, ..., 10
#: the λ of mean − λ·variance stored in the cache
LAMBDA_GRID: tuple[float, ...] = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0)
#: the seeds the notebook reports (notebook 08's cached reward models are member 0)
REPORT_SEEDS: tuple[int, ...] = (0, 1, 2, 3, 4)
#: the seeds k and λ are chosen on: other data, other members
VALIDATION_SEEDS: tuple[int, ...] = (5, 6, 7)
#: the data settings: name -> (training prompts, label noise β, annotators' word-kind bias);
#: both are settings of notebook 08's cache
SETTINGS: dict[str, tuple[int, float, dict]] = {
    "noisy labels": (50, 1.0, {}),
    "filler-biased labels": (100, math.inf, {"filler": 1.5}),
}

_CACHE_NAME = "ensembles.json"


def _setting(setting) -> tuple[int, float, dict]:
    if not isinstance(setting, str) or setting not in SETTINGS:
        raise ValueError(f"setting must be one of {sorted(SETTINGS)}; got {setting!r:.60}.")
    return SETTINGS[setting]


@validated(seed="seed", member="int[0,999]")
def member_seed(seed: int, member: int) -> int:
    """The training seed of ensemble ``member`` on the data of ``seed``: member 0 trains
    with ``seed`` itself (notebook 08's model), member j with ``seed + 1000·j``.

    >>> [member_seed(3, j) for j in range(3)]
    [3, 1003, 2003]
    """
    return int(seed) + 1000 * int(member)


def _scores_array(scores, name: str = "scores") -> np.ndarray:
    s = np.asarray(scores, dtype=float)
    if s.ndim != 3 or min(s.shape) < 1:
        raise ValueError(f"{name} must be an array of shape (members, prompts, pool); got "
                         f"shape {s.shape}.")
    if not np.isfinite(s).all():
        raise ValueError(f"{name} must hold finite numbers (no NaN or inf).")
    return s


@validated(scores="array")
def standardize_members(scores) -> np.ndarray:
    """Each member's scores centred per prompt, divided by that member's sd over the pool.

    ``scores`` has shape (members, prompts, pool). A member whose scores do not vary
    within any prompt is left at 0.

    >>> standardize_members([[[1.0, 3.0], [10.0, 12.0]]]).tolist()
    [[[-1.0, 1.0], [-1.0, 1.0]]]
    """
    s = _scores_array(scores)
    centred = s - s.mean(axis=2, keepdims=True)
    scale = np.sqrt((centred ** 2).mean(axis=(1, 2), keepdims=True))   # the sd of a centred pool
    return np.divide(centred, scale, out=np.zeros_like(centred), where=scale > 0)


@validated(scores="array", how="str", weight="real[0,1000]")
def combine_scores(scores, how: str = "mean", weight: float = 0.0) -> np.ndarray:
    """One ensemble score per response from the members' standardised scores.

    ``scores``: (members, prompts, pool), as from :func:`standardize_members`. ``how``: one
    of :data:`COMBINERS`; ``weight`` is k for ``"mean-k-sd"`` and λ for
    ``"mean-lambda-var"`` (ignored otherwise). The sd and variance are over the members
    (sample, n − 1), so they need at least 2 members. Returns (prompts, pool).

    >>> s = [[[0.0, 2.0]], [[0.0, -2.0]], [[0.0, 3.0]]]
    >>> combine_scores(s, "mean").tolist(), combine_scores(s, "min").tolist()
    ([[0.0, 1.0]], [[0.0, -2.0]])
    >>> combine_scores(s, "mean-k-sd", 1.0).round(3).tolist()      # sd of (2, -2, 3) = 2.646
    [[0.0, -1.646]]
    """
    s = _scores_array(scores)
    if how not in COMBINERS:
        raise ValueError(f"how must be one of {list(COMBINERS)}; got {how!r:.40}.")
    if how == "single":
        return s[0].copy()
    if how == "min":
        return s.min(axis=0)
    mean = s.mean(axis=0)
    if how == "mean":
        return mean
    if s.shape[0] < 2:
        raise ValueError(f"how={how!r} needs at least 2 members (the sd over members); got "
                         f"scores with {s.shape[0]}.")
    var = ((s - mean) ** 2).sum(axis=0) / (s.shape[0] - 1)
    return mean - weight * (np.sqrt(var) if how == "mean-k-sd" else var)


def _curve(select: np.ndarray, true: np.ndarray, ns=NS) -> list:
    """Mean over prompts of the r* of the best-of-n pick by ``select`` (rounded)."""
    c = np.mean([expected_best_of_n(s, t, ns) for s, t in zip(select, true)], axis=0)
    return [round(float(x), 6) for x in c]


@validated(scores="array", true="array")
def error_correlation(scores, true) -> float:
    """How much the members share their errors: the mean correlation, over pairs of members,
    of what is left of their standardised scores once the part r* explains is fitted away
    (per member, a least-squares line on the prompt-centred r*). 1: one shared error; 0:
    independent errors."""
    s = standardize_members(scores)
    t = np.asarray(true, dtype=float)
    if t.shape != s.shape[1:]:
        raise ValueError(f"true must have shape (prompts, pool) = {s.shape[1:]}; got {t.shape}.")
    if s.shape[0] < 2:
        raise ValueError("scores needs at least 2 members to correlate their errors.")
    tc = (t - t.mean(axis=1, keepdims=True)).ravel()
    denom = float(tc @ tc)
    res = [m.ravel() - (float(m.ravel() @ tc) / denom if denom > 0 else 0.0) * tc for m in s]
    corr = np.corrcoef(np.stack(res))
    upper = corr[np.triu_indices(len(res), k=1)]
    return float(np.mean(upper))


@validated(scores="array", true="array", ks="items?", lambdas="items?")
def ensemble_curves(scores, true, ks=None, lambdas=None) -> dict:
    """Every combiner's curve: r* of the best-of-n pick against :data:`NS`, mean over prompts.

    ``scores``: the members' raw scores (members, prompts, pool); ``true``: r* (prompts,
    pool). Returns ``{"ns", "single", "mean", "min", "sd": {k: curve}, "var": {λ: curve},
    "members": [curve per member], "oracle", "random", "error_correlation"}``; the keys of
    ``"sd"`` and ``"var"`` are the weights as text (``"0.5"``).
    """
    z = standardize_members(scores)
    t = np.asarray(true, dtype=float)
    if t.shape != z.shape[1:]:
        raise ValueError(f"true must have shape (prompts, pool) = {z.shape[1:]}; got {t.shape}.")
    ks = K_GRID if ks is None else tuple(float(k) for k in ks)
    lambdas = LAMBDA_GRID if lambdas is None else tuple(float(v) for v in lambdas)
    return {
        "ns": list(NS),
        "single": _curve(combine_scores(z, "single"), t),
        "mean": _curve(combine_scores(z, "mean"), t),
        "min": _curve(combine_scores(z, "min"), t),
        "sd": {f"{k:g}": _curve(combine_scores(z, "mean-k-sd", k), t) for k in ks},
        "var": {f"{v:g}": _curve(combine_scores(z, "mean-lambda-var", v), t) for v in lambdas},
        "members": [_curve(m, t) for m in z],
        "oracle": _curve(t, t),
        "random": _curve(np.zeros_like(t), t),
        "error_correlation": round(error_correlation(scores, t), 6),
    }


@validated(setting="str", seed="seed", members="int[1,20]", n_eval="int[1,1600]",
           pool_size="int[256,100000]", epochs="int[1,100000]")
def run_ensemble(setting: str = "noisy labels", seed: int = 0, *, members: int = MEMBERS,
                 n_eval: int = 32, pool_size: int = 256, epochs: int = 12,
                 return_scores: bool = False):
    """Train ``members`` reward models on the data of one setting and seed, score notebook
    08's evaluation pool with each, and return :func:`ensemble_curves` plus
    ``"setting"``, ``"seed"`` and each member's ``"heldout_accuracy"``.

    Member 0 is notebook 08's reward model of this setting and seed (same data, same
    training seed), so its curve is the cached ``true_learned`` of ``best_of_n.json``.
    With ``return_scores=True`` also returns ``(scores, true)``.
    """
    from ..model.training import train  # torch is needed here only

    n_prompts, beta, kind_bias = _setting(setting)
    data = make_preference_data(n_prompts, max_n=4, beta=beta, seed=seed,
                                kind_bias=kind_bias or None)
    prompts, ids = eval_prompts([x.prompt for x in data.train], n_eval)
    pool = draw_pool(prompts, pool_size, seed=0, keys=ids)
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    scores, accuracy = [], []
    try:
        for j in range(members):
            result = train(data, epochs=epochs, seed=member_seed(seed, j), progress=False,
                           eval_train=False)
            scores.append(np.stack([result.model.score(p, ys).numpy().astype(float)
                                    for p, ys in zip(prompts, pool)]))
            accuracy.append(round(float(result.heldout_accuracy), 6))
    finally:
        torch.set_num_threads(threads)
    scores = np.stack(scores)
    true = np.stack([true_rewards(p, ys) for p, ys in zip(prompts, pool)])
    out = ensemble_curves(scores, true) if members > 1 else {
        "ns": list(NS), "members": [_curve(standardize_members(scores)[0], true)]}
    out.update({"setting": setting, "key": setting_key(n_prompts, beta, 0.0, False,
                                                       kind_bias or None),
                "seed": int(seed), "heldout_accuracy": accuracy})
    return (out, (scores, true)) if return_scores else out


@validated(runs="items", family="str", at_n="int[1,]?")
def choose_weight(runs, family: str = "sd", at_n: int | None = None) -> float:
    """The k (``family="sd"``) or λ (``"var"``) whose ensemble picks the highest mean r* over
    ``runs``, the VALIDATION runs of one setting (never the reported ones): r* of the pick
    averaged over every n of :data:`NS` (``at_n=None``) or at best-of-``at_n``. The smallest
    weight wins a tie."""
    if family not in ("sd", "var"):
        raise ValueError(f"family must be 'sd' (k of mean - k·sd) or 'var' (λ of mean - "
                         f"λ·variance); got {family!r:.40}.")
    if not runs:
        raise ValueError("runs must hold at least one run (from run_ensemble or the cache).")
    if at_n is not None and at_n not in NS:
        raise ValueError(f"at_n must be None (every n) or one of the cached n {list(NS)}; "
                         f"got {at_n}.")
    cols = slice(None) if at_n is None else list(NS).index(at_n)
    weights = sorted(runs[0][family], key=float)
    score = {w: float(np.mean([np.mean(r[family][w][cols]) for r in runs])) for w in weights}
    best = max(score.values())
    return float(next(w for w in weights if score[w] == best))


@validated(runs="items", how="str", weight="real[0,1000]?")
def curve_table(runs, how: str = "mean", weight: float | None = None) -> np.ndarray:
    """The curves of one combiner over ``runs`` (one row per seed, one column per n):
    ``how`` as in :func:`combine_scores`, or ``"oracle"`` / ``"random"``; ``weight`` (k or
    λ) must be one of the cached ones (:data:`K_GRID`, :data:`LAMBDA_GRID`)."""
    if not runs:
        raise ValueError("runs must hold at least one run (from run_ensemble or the cache).")
    if how in ("mean-k-sd", "mean-lambda-var"):
        family = "sd" if how == "mean-k-sd" else "var"
        if weight is None or f"{float(weight):g}" not in runs[0][family]:
            cached = sorted(runs[0][family], key=float)
            raise ValueError(f"weight must be one of the cached {cached} for how={how!r}; got "
                             f"{weight!r}.")
        return np.array([r[family][f"{float(weight):g}"] for r in runs])
    if how not in ("single", "mean", "min", "oracle", "random"):
        raise ValueError(f"how must be one of {[*COMBINERS, 'oracle', 'random']}; got "
                         f"{how!r:.40}.")
    return np.array([r[how] for r in runs])


@validated(name="str")
def load_ensemble_runs(name: str = _CACHE_NAME) -> dict:
    """The cached runs: ``{"members", "k_grid", "lambda_grid", "report_seeds",
    "validation_seeds", "runs": {setting: {"report": [run...], "validation": [run...]}}}``,
    made by ``tools/build_ensemble_cache.py``. ``name`` is a ``.json`` file name in the cache
    folder."""
    if name != Path(name).name or not name.endswith(".json") or name.startswith("."):
        raise ValueError(f"name must be the file name of a cache in {CACHE_DIR.name}/ "
                         f"(like {_CACHE_NAME!r}, no folders); got {name!r:.80}.")
    path = CACHE_DIR / name
    if not path.is_file() or path.is_symlink():
        raise ValueError(f"the cache {path} is missing; rebuild it with "
                         "`python tools/build_ensemble_cache.py`.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"the cache {path} cannot be read ({type(exc).__name__}); rebuild it "
                         "with `python tools/build_ensemble_cache.py`.") from None
