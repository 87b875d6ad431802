"""Notebook 06: the data distribution decides what is learned.

* :func:`data_mix_experiment` – the same number of training prompts, with one topic
  made rare, and per-topic held-out accuracy; :func:`pair_weights` – how much weight
  each list gets under the pair-wise and the listwise averages.
* :func:`cached_data_mix` – notebook 06's run of it over five seeds, stored by
  ``tools/build_data_mix_cache.py`` (a test re-trains one seed and compares), so the
  notebook stays within its time budget.

torch is only imported when something is trained.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..data.generate import (
    TOPICS,
    PreferenceData,
    RankedList,
    _first_lists,
    make_preference_data,
    topic_of,
)
from ..experiments.overoptimization import CACHE_DIR
from ..experiments.seeds import SEEDS, Spread, paired, spread
from ..math._arrays import _check_numpy_input
from ..math._checks import check_int, check_seed, check_seeds
from ..model.evaluate import metrics_from_scores, score_lists
from ._base import PALETTE_CYCLE, LiveFigure
from .diagnosis import TINY
from .training import TOPIC_COLOURS, FigureView, _finish, _new_figure, _percent

# ---------------------------------------------------------------------------------------
# The data distribution
# ---------------------------------------------------------------------------------------

__all__ = [
    "DATA_MIX_CACHE",
    "NB06_MIX",
    "DataMixResult",
    "cached_data_mix",
    "data_mix_experiment",
    "pair_weights",
    "skew_topic",
    "topic_accuracy",
]

#: notebook 06's setting of :func:`data_mix_experiment` (the stored runs use it)
NB06_MIX: dict = {"n_prompts": 200, "topic": "space", "keep": 4, "epochs": 5, "max_n": 6,
                  "heldout_fraction": 0.2, "seeds": tuple(SEEDS)}
#: where notebook 06's runs are stored (made by tools/build_data_mix_cache.py)
DATA_MIX_CACHE = CACHE_DIR / "data_mix_runs.json"



def pair_weights(ns: Sequence[int]) -> np.ndarray:
    """Each prompt's share of the pair-averaged loss (Eq. 4.37 over the exploded pairs).

    A prompt with a ranked list of N responses contributes N(N−1)/2 pairs, so its weight is
    N(N−1)/2 divided by the total; the listwise loss averaged over lists gives each
    prompt 1/(number of lists) instead.

    >>> pair_weights([2, 4]).tolist()
    [0.14285714285714285, 0.8571428571428571]
    """
    n = np.asarray(_check_numpy_input(ns, "ns"), dtype=float)
    if n.ndim != 1 or n.size == 0 or np.any(n < 2) or np.any(n != np.round(n)):
        raise ValueError(f"ns must give one whole number N ≥ 2 per prompt; got {n.tolist()}.")
    pairs = n * (n - 1) / 2
    return pairs / pairs.sum()


def topic_accuracy(model, lists: Sequence[RankedList]) -> dict[str, float]:
    """Held-out pairwise accuracy of ``model`` on each topic's lists (ties excluded)."""
    if isinstance(lists, (str, bytes)) or not hasattr(lists, "__iter__"):
        raise ValueError(f"lists must be a list of ranked lists; got {type(lists).__name__}.")
    lists = list(lists)
    scores = score_lists(model, lists)
    out = {}
    for topic in TOPICS:
        idx = [i for i, x in enumerate(lists) if topic_of(x.prompt) == topic]
        if idx:
            ev = metrics_from_scores([lists[i] for i in idx], [scores[i] for i in idx],
                                     against=None)
            out[topic] = ev.accuracy
    return out


def skew_topic(data: PreferenceData, topic: str, keep: int, *, seed: int = 0) -> PreferenceData:
    """The same data with only ``keep`` training lists of ``topic`` (held-out untouched).

    The dropped lists are replaced by extra lists of the other topics drawn from a
    bigger pool, so the training set keeps its size: only the *mix* changes.
    """
    if not isinstance(data, PreferenceData):
        raise ValueError("data must be built-in data from make_preference_data; got "
                         f"{type(data).__name__}.")
    if not isinstance(topic, str) or topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}; expected one of {', '.join(TOPICS)}.")
    keep = check_int(keep, "keep", lo=0)
    seed = check_seed(seed)
    n_prompts = data.info.get("n_prompts")
    if not data.synthetic or n_prompts is None:
        raise ValueError("skew_topic needs built-in data from make_preference_data.")
    held = {x.prompt for x in data.heldout}
    kept = [x for x in data.train if topic_of(x.prompt) != topic]
    rare = [x for x in data.train if topic_of(x.prompt) == topic][: int(keep)]
    used = {x.prompt for x in data.train} | held
    need = len(data.train) - len(kept) - len(rare)
    # the first `need` lists of other topics, unused prompts, from a bigger data set: that
    # of make_preference_data(min(1600, 3 n_prompts), seed=seed + 1000), drawing only those
    extra = _first_lists(min(1600, 3 * n_prompts),
                         lambda p: topic_of(p) != topic and p not in used, need,
                         min_n=data.info["min_n"], max_n=data.info["max_n"], beta=data.beta,
                         min_gap=data.info["min_gap"], seed=seed + 1000)
    if len(extra) < need:
        raise ValueError("not enough distinct prompts to keep the training set's size; "
                         "use fewer prompts.")
    train = tuple(kept + rare + extra[:need])
    return PreferenceData(train, data.heldout, data.beta, data.seed, True,
                          {**data.info, "skewed_topic": topic, "keep": int(keep)})


def _topic_counts(lists) -> dict[str, tuple[int, int]]:
    out = {t: [0, 0] for t in TOPICS}
    for x in lists:
        t = topic_of(x.prompt)
        if t in out:
            out[t][0] += 1
            out[t][1] += x.n * (x.n - 1) // 2
    return {t: (a, b) for t, (a, b) in out.items()}


@dataclass
class DataMixResult:
    """Two models trained on equally many prompts, one with a rare topic, once per seed.

    ``data``, ``results`` and ``accuracy`` are the first seed's; ``accuracies`` holds
    ``label -> {topic: held-out accuracy}`` for every seed in ``seeds``.
    """

    topic: str
    data: dict            # label -> PreferenceData
    results: dict         # label -> TrainResult
    accuracy: dict        # label -> {topic: held-out accuracy}
    seeds: tuple = (0,)
    accuracies: tuple = ()

    def spread(self, label: str, topic: str) -> Spread:
        """Held-out accuracy of ``label`` on ``topic`` over the seeds."""
        runs = self.accuracies or (self.accuracy,)
        if any(topic not in acc[label] for acc in runs):
            raise ValueError(f"topic {topic!r} has no held-out prompts for some seed; use "
                             "more prompts.")
        return spread(acc[label][topic] for acc in runs)

    def drop(self, topic: str | None = None) -> Spread:
        """Per seed: accuracy with the rare mix minus balanced, on ``topic`` (default: the
        rare one). Both runs of a seed are tested on the same held-out prompts."""
        topic = topic or self.topic
        a, b = list(self.results)
        return paired(self.spread(b, topic), self.spread(a, topic))

    def table(self) -> str:
        labels = list(self.results)
        many = len(self.seeds) > 1
        lines = []
        if many:
            lines.append(f"prompts/pairs: seed {self.seeds[0]}; accuracy: mean ± sd over "
                         f"{len(self.seeds)} seeds {list(self.seeds)}")
        head = f"{'topic':10s}" + "".join(f"{lab + ': prompts/pairs':>30s}" for lab in labels)
        head += "".join(f"{lab + ' acc':>18s}" for lab in labels)
        lines.append(head)
        counts = {lab: _topic_counts(self.data[lab].train) for lab in labels}
        for t in TOPICS:
            row = f"{t:10s}"
            for lab in labels:
                p, q = counts[lab][t]
                row += f"{p:>20d} / {q:<7d}"
            for lab in labels:
                row += (f"{format(self.spread(lab, t)):>18s}" if many else
                        f"{self.accuracy[lab].get(t, float('nan')):>18.3f}")
            lines.append(row)
        return "\n".join(lines)

    def figure(self) -> FigureView:
        labels = list(self.results)
        fig, (ax,) = _new_figure(1, 1, (6.6, 3.0))
        x = np.arange(len(TOPICS))
        width = 0.8 / len(labels)
        with LiveFigure.style():
            many = len(self.seeds) > 1
            for i, lab in enumerate(labels):
                if many:
                    acc = [self.spread(lab, t).mean for t in TOPICS]
                    err = [self.spread(lab, t).sd for t in TOPICS]
                else:
                    acc = [self.accuracy[lab].get(t, np.nan) for t in TOPICS]
                    err = None
                bars = ax.bar(x + (i - (len(labels) - 1) / 2) * width, acc, width,
                              yerr=err, capsize=3, color=PALETTE_CYCLE[i], label=lab)
                for k, (bar, v) in enumerate(zip(bars, acc)):
                    top = v + (err[k] if err else 0.0)
                    ax.text(bar.get_x() + bar.get_width() / 2, top + 0.01, f"{v:.0%}",
                            ha="center", va="bottom", rotation=90)   # fits above its bar
            k = list(TOPICS).index(self.topic)
            ax.axvspan(k - 0.45, k + 0.45, color=TOPIC_COLOURS[self.topic], alpha=0.12,
                       lw=0, label=f"the rare topic ({self.topic})")
            ax.axhline(0.5, color="0.5", lw=1, ls=":")
            ax.set_xticks(x, list(TOPICS))
            ax.set_ylim(0.4, 1.16)                 # room for the labels above the bars
            ax.set_yticks(np.arange(0.4, 1.01, 0.1))
            ax.yaxis.set_major_formatter(_percent)
            ax.set_xlabel("topic of the held-out prompt")
            ax.set_ylabel("held-out pairwise accuracy")
            ax.set_title("Same number of training prompts, different mix"
                         + (f"\n(mean ± sd over {len(self.seeds)} seeds)" if many else ""))
            ax.legend(loc="upper left", frameon=False, ncol=3)
        _finish(fig)
        return FigureView(fig, f"Figure: held-out accuracy per topic ({', '.join(labels)})"
                          + (f", mean ± sd over {len(self.seeds)} seeds"
                             if len(self.seeds) > 1 else ""),
                          {"accuracy": self.accuracy})


def data_mix_experiment(n_prompts: int = 300, topic: str = "space", keep: int = 4, *,
                        epochs: int = 6, lr: float = 1e-2, seed: int = 0,
                        seeds: Sequence[int] | None = None,
                        max_n: int = 6, heldout_fraction: float = 0.2,
                        model_kwargs: dict | None = None,
                        progress: bool = True) -> DataMixResult:
    """Train on a balanced mix and on one where ``topic`` has only ``keep`` training lists
    (same number of training prompts), and measure held-out accuracy per topic.
    ``seeds`` (default: just ``seed``) repeats it with new data and new initial weights;
    ``heldout_fraction`` of the prompts are held out (more held-out prompts make each
    topic's accuracy less noisy, at no training cost)."""
    from ..model.training import train

    seeds = tuple(int(s) for s in (seeds if seeds is not None else (seed,)))
    if not seeds:
        raise ValueError("seeds must name at least one seed.")
    mk = dict(model_kwargs or TINY["model_kwargs"])
    first = None
    accuracies = []
    from tqdm.auto import tqdm

    bar = tqdm(total=2 * len(seeds), desc="training the models (runs)", disable=not progress)
    for sd in seeds:
        balanced = make_preference_data(n_prompts, max_n=max_n, seed=sd,
                                        heldout_fraction=heldout_fraction)
        skewed = skew_topic(balanced, topic, keep, seed=sd)
        labels = {"balanced": balanced, f"rare {topic}": skewed}
        results, acc = {}, {}
        for label, d in labels.items():
            results[label] = train(d, loss="listwise", epochs=epochs, lr=lr, seed=sd,
                                   device="cpu", model_kwargs=mk, progress=False,
                                   eval_train=False)
            acc[label] = topic_accuracy(results[label].model, d.heldout)
            bar.update()
        accuracies.append(acc)
        if first is None:
            first = (labels, results, acc)
    bar.close()
    return DataMixResult(topic, *first, seeds=seeds, accuracies=tuple(accuracies))


def data_mix_doc(seeds: Sequence[int] | None = None) -> dict:
    """Notebook 06's :func:`data_mix_experiment` (setting :data:`NB06_MIX`; ``seeds``
    default: its five) as the JSON document :func:`cached_data_mix` reads: the setting
    and, per seed, each run's held-out accuracy per topic (exact: JSON keeps every bit)."""
    setting = {k: v for k, v in NB06_MIX.items() if k != "seeds"}
    seeds = check_seeds(NB06_MIX["seeds"] if seeds is None else seeds)
    mix = data_mix_experiment(**setting, seeds=seeds, progress=False)
    return {"setting": setting, "seeds": [int(s) for s in seeds],
            "labels": list(mix.results),
            "accuracies": [{lab: {t: float(v) for t, v in acc[lab].items()}
                            for lab in mix.results} for acc in mix.accuracies]}


def cached_data_mix() -> DataMixResult:
    """The stored runs of notebook 06's :func:`data_mix_experiment` (setting
    :data:`NB06_MIX`, five seeds), as a :class:`DataMixResult` without the trained models:
    the first seed's data are rebuilt (cheap), the accuracies come from the file."""
    if not DATA_MIX_CACHE.is_file():
        raise ValueError(f"the cache {DATA_MIX_CACHE} is missing; rebuild it with "
                         "`python tools/build_data_mix_cache.py`.")
    doc = json.loads(DATA_MIX_CACHE.read_text())
    setting = doc["setting"]
    balanced = make_preference_data(setting["n_prompts"], max_n=setting["max_n"],
                                    seed=doc["seeds"][0],
                                    heldout_fraction=setting["heldout_fraction"])
    skewed = skew_topic(balanced, setting["topic"], setting["keep"], seed=doc["seeds"][0])
    labels = doc["labels"]
    data = dict(zip(labels, (balanced, skewed)))
    return DataMixResult(setting["topic"], data, dict.fromkeys(labels),
                         doc["accuracies"][0], seeds=tuple(doc["seeds"]),
                         accuracies=tuple(doc["accuracies"]))
