"""Over-optimisation experiments: train a reward model, then optimise against it.

:func:`run_best_of_n` is one experiment of notebook 08: make preference data (with
a training-set size, a label noise β and, optionally, a length shortcut), train a
:class:`~rmteach.model.network.TinyRewardModel` on it, draw a pool of responses for prompts
the model never saw, and compute the best-of-n curves of :mod:`rmteach.experiments.sampling`:
the true reward r* and the proxy reward r of the pick, against n and KL_bon.

Rewards are also reported in **pool standard deviations** ("z-units": (value −
pool mean) / pool sd), so that the proxy, whose level is free per prompt and whose
scale is set by the label noise and the training (not by r*'s units), and r* can
share an axis.

The notebooks' multi-seed figures read a cache made by ``tools/build_overopt_cache.py``
(:func:`load_cache`), because training 40 models takes many minutes; a test re-trains one
cell of the grid and checks it against the cache.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from ..data.generate import make_preference_data, make_prompts
from ..math._checks import validated
from .sampling import (
    draw_pool,
    expected_best_of_n,
    kl_best_of_n,
    length_reward_correlation,
    response_lengths,
    true_rewards,
)

__all__ = ["CACHE_DIR", "NS", "BestOfNRun", "all_prompts", "curves_from_scores", "eval_prompts",
           "load_cache", "run_best_of_n", "setting_key"]

#: the n of the best-of-n curves (powers of two up to the pool size)
NS: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64, 128, 256)
#: where the cached experiments live (made by tools/build_overopt_cache.py)
CACHE_DIR = Path(__file__).resolve().parents[1] / "_cache"


def all_prompts() -> list[str]:
    """Every prompt of the language in one fixed order (an evaluation prompt's id is its
    position here; its response pool is drawn with that id as key)."""
    return make_prompts(1600, seed=12345)


@validated(exclude="items", k="int[1,]")
def eval_prompts(exclude, k: int = 32) -> tuple[list[str], list[int]]:
    """``k`` prompts outside ``exclude`` (the training prompts), and their ids.

    Every experiment evaluates on (nearly) the same prompts with the same response
    pools, so the oracle and random curves hardly change from one model to the next.
    """
    exclude = set(exclude)
    chosen = [(p, i) for i, p in enumerate(all_prompts()) if p not in exclude][:k]
    if len(chosen) < k:
        raise ValueError(f"only {len(chosen)} prompts are left outside the training set; "
                         f"ask for k <= {len(chosen)}.")
    return [p for p, _ in chosen], [i for _, i in chosen]


@validated(n_prompts="int", beta="real+inf", length_bias="real", kind_bias="dict?")
def setting_key(n_prompts, beta, length_bias=0.0, length_controlled=False,
                kind_bias=None) -> str:
    """The cache key of one data setting, e.g. ``"n=50,beta=1,lb=0,lc=0"`` (with
    ``",kb=filler:1.5"`` appended when the annotators have a word-kind bias)."""
    b = "inf" if math.isinf(beta) else f"{beta:g}"
    key = f"n={int(n_prompts)},beta={b},lb={length_bias:g},lc={int(bool(length_controlled))}"
    if kind_bias:
        key += ",kb=" + "+".join(f"{k}:{v:g}" for k, v in sorted(dict(kind_bias).items()))
    return key


@dataclass
class BestOfNRun:
    """The curves of one best-of-n experiment (every array is over :data:`NS`).

    ``true_*``: mean r* of the pick over the evaluation prompts (reward units), for
    the learned model, the oracle (pick by r*) and a random pick.  ``z_true`` and
    ``z_proxy``: r* and the learned reward of the learned model's pick, in pool sd
    above the pool mean.  ``length_*``: mean length of the pick (words).
    ``length_corr``: :func:`~rmteach.experiments.sampling.length_reward_correlation` of the
    learned reward over the whole pool.
    """

    setting: dict
    ns: list
    kl: list
    true_learned: list
    true_oracle: list
    true_random: list
    z_true: list
    z_proxy: list
    length_learned: list
    length_random: list
    length_corr: float
    heldout_accuracy: float

    def as_dict(self) -> dict:
        return asdict(self)


@validated(n_prompts="int[2,100000]", beta="real+inf", seed="seed", length_bias="real",
           kind_bias="dict?", pool_size="int[256,100000]", n_eval="int[1,1600]",
           max_n="int[2,]", epochs="int[1,100000]")
def run_best_of_n(n_prompts: int = 50, *, beta: float = 1.0, seed: int = 0,
                  length_bias: float = 0.0, length_controlled: bool = False,
                  kind_bias: dict | None = None, pool_size: int = 256, n_eval: int = 32,
                  max_n: int = 4, epochs: int = 12, return_scores: bool = False):
    """Train one reward model and measure best-of-n against it (see the module doc).

    Returns a :class:`BestOfNRun`; with ``return_scores=True`` also a dict with the
    evaluation ``prompts``, the response ``pool``, and the arrays ``proxy``, ``true``
    and ``length`` (shape: prompts × pool size).
    """
    from ..model.training import train  # torch is needed here only

    if pool_size < max(NS):
        raise ValueError(f"pool_size must be at least {max(NS)} (the largest n); "
                         f"got {pool_size}.")
    data = make_preference_data(n_prompts, max_n=max_n, beta=beta, seed=seed,
                                length_bias=length_bias, length_controlled=length_controlled,
                                kind_bias=kind_bias)
    result = train(data, epochs=epochs, seed=seed, progress=False, eval_train=False)
    prompts, ids = eval_prompts([x.prompt for x in data.train], n_eval)
    pool = draw_pool(prompts, pool_size, seed=0, keys=ids)
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)         # far faster for a model this small, on a busy CPU too
    try:
        proxy = np.stack([result.model.score(p, ys).numpy().astype(float)
                          for p, ys in zip(prompts, pool)])
    finally:
        torch.set_num_threads(threads)
    true = np.stack([true_rewards(p, ys) for p, ys in zip(prompts, pool)])
    length = np.stack([response_lengths(ys) for ys in pool])
    run = curves_from_scores(proxy, true, length)
    run.setting = {"n_prompts": int(n_prompts), "beta": float(beta), "seed": int(seed),
                   "length_bias": float(length_bias),
                   "length_controlled": bool(length_controlled),
                   "kind_bias": dict(kind_bias or {})}
    run.heldout_accuracy = float(result.heldout_accuracy)
    if return_scores:
        return run, {"prompts": prompts, "ids": ids, "pool": pool, "proxy": proxy, "true": true,
                     "length": length, "model": result.model}
    return run


@validated(proxy="array", true="array", length="array", ns="items")
def curves_from_scores(proxy, true, length, ns=NS) -> BestOfNRun:
    """Best-of-n curves from score matrices (prompts × pool), averaged over prompts."""
    proxy, true, length = (np.asarray(a, dtype=float) for a in (proxy, true, length))
    if proxy.ndim != 2 or proxy.shape != true.shape or proxy.shape != length.shape:
        raise ValueError(f"proxy, true and length must be matrices of one shape (prompts × "
                         f"pool); got {proxy.shape}, {true.shape}, {length.shape}.")
    zt = (true - true.mean()) / true.std()
    zp = (proxy - proxy.mean()) / proxy.std()
    const = np.zeros(proxy.shape[1])

    def mean_curve(select, values):
        return np.mean([expected_best_of_n(s, v, ns) for s, v in zip(select, values)], axis=0)

    return BestOfNRun(
        setting={}, ns=list(ns), kl=[float(k) for k in kl_best_of_n(np.array(ns))],
        true_learned=_r(mean_curve(proxy, true)), true_oracle=_r(mean_curve(true, true)),
        true_random=_r(mean_curve([const] * len(true), true)),
        z_true=_r(mean_curve(proxy, zt)), z_proxy=_r(mean_curve(proxy, zp)),
        length_learned=_r(mean_curve(proxy, length)),
        length_random=_r(mean_curve([const] * len(true), length)),
        length_corr=round(length_reward_correlation(proxy.ravel(), true.ravel(),
                                                    length.ravel()), 6),
        heldout_accuracy=float("nan"))


def _r(a) -> list:
    return [round(float(x), 6) for x in a]


@validated(name="str")
def load_cache(name: str = "best_of_n.json") -> dict:
    """The cached grid: ``{"grid": {...}, "runs": {setting_key: [run dict per seed]}}``.

    ``name`` is a ``.json`` file name inside the cache folder (no folders, no ``..``).
    """
    if name != Path(name).name or not name.endswith(".json") or name.startswith("."):
        raise ValueError(f"name must be the file name of a cache in {CACHE_DIR.name}/ "
                         f"(like 'best_of_n.json', no folders); got {name!r:.80}.")
    path = CACHE_DIR / name
    if not path.is_file() or path.is_symlink():
        raise ValueError(f"the cache {path} is missing; rebuild it with "
                         "`python tools/build_overopt_cache.py`.")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"the cache {path} cannot be read ({type(exc).__name__}); rebuild it "
                         "with `python tools/build_overopt_cache.py`.") from None
