"""Notebook 06: InstructGPT's grouping by prompt against pair-exploded training, over
seeds.

* :func:`grouping_comparison` – grouped listwise (each response scored once, N forward
  passes per list) against pair-exploded training (each pair its own example, N(N−1)
  passes per list) and exploded with as many steps as grouped; cost, train versus
  held-out accuracy, the held-out loss after its best epoch, each over several seeds;
  a temperature for each model fitted on validation prompts and compared on test prompts.
* :func:`one_list_arm` / :func:`cached_one_list_arm` – a fourth arm, grouped listwise with
  **one list per step** (as many steps as small-batch exploded training, yet each response
  in one update per epoch), to test InstructGPT's explanation of the overfitting; stored
  by ``tools/build_grouping_cache.py`` (a test rebuilds one seed and compares).

torch is only imported when something is trained.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..data.generate import PreferenceData, make_preference_data
from ..experiments.overoptimization import CACHE_DIR
from ..experiments.seeds import SEEDS, Spread, spread
from ..model.evaluate import metrics_from_scores, score_lists
from .comparing import fit_scale
from .diagnosis import TINY
from .training import FigureView

__all__ = ["ONE_LIST", "ONE_LIST_CACHE", "GroupingComparison", "cached_one_list_arm",
           "grouping_comparison", "grouping_data", "one_list_arm"]

#: the label of the fourth arm (grouped listwise, one list per optimiser step)
ONE_LIST = "grouped listwise, one list per step"
#: where :func:`one_list_arm`'s runs are stored (made by tools/build_grouping_cache.py)
ONE_LIST_CACHE = CACHE_DIR / "grouping_one_list.json"
#: notebook 06's setting of the grouping comparison (the stored arm uses the same)
NB06_SETTING = {"n_prompts": 80, "n": 6, "epochs": 6, "lr": 1e-2}

@dataclass
class GroupingComparison:
    """Grouped listwise against pair-exploded training on the same lists of N responses,
    once per seed.

    ``runs`` maps a label to its :class:`~rmteach.model.training.TrainResult` per seed (in the order
    of ``seeds``); ``datas`` and ``validations`` hold each seed's data (train and held-out
    test prompts) and its validation prompts. ``results`` and ``data`` are the first
    seed's, for figures and for comparing two of its models.
    """

    n: int
    results: dict
    data: PreferenceData | None = None
    seeds: tuple = (0,)
    runs: dict | None = None
    datas: tuple = ()
    validations: tuple = ()

    def rows(self, k: int = 0) -> list[dict]:
        """One row per run, for the seed at position ``k``."""
        out = []
        for label, results in (self.runs or {lab: [r] for lab, r in self.results.items()}).items():
            r = results[k]
            h = r.history
            best = min(x.heldout_loss for x in h)
            out.append({"run": label, "forward_per_epoch": r.forward_passes_per_epoch,
                        "steps_per_epoch": _steps(r),
                        "train_accuracy": h[-1].train_accuracy,
                        "heldout_accuracy": h[-1].heldout_accuracy,
                        "gap": h[-1].train_accuracy - h[-1].heldout_accuracy,
                        "best_heldout_loss": best,
                        "best_epoch": [x.heldout_loss for x in h].index(best) + 1,
                        "final_heldout_loss": h[-1].heldout_loss,
                        "rise": h[-1].heldout_loss - best,
                        "seconds_per_epoch": float(np.median(r.seconds_per_epoch))})
        return out

    def spreads(self) -> dict[str, dict[str, Spread]]:
        """label -> measurement -> :class:`~rmteach.experiments.seeds.Spread` over the seeds."""
        per_seed = [self.rows(k) for k in range(len(self.seeds))]
        out = {}
        for i, row in enumerate(per_seed[0]):
            out[row["run"]] = {key: spread(rows[i][key] for rows in per_seed)
                               for key in ("train_accuracy", "heldout_accuracy", "gap",
                                           "best_heldout_loss", "final_heldout_loss",
                                           "rise", "best_epoch")}
        return out

    def table(self, *, timings: bool = False) -> str:
        """Side-by-side numbers; ``timings=True`` adds seconds per epoch (not deterministic).
        With several seeds: mean ± sd over them (costs are the same for every seed)."""
        if len(self.seeds) > 1:
            return self._spread_table()
        head = (f"{'':34s}{'passes/ep':>10s}{'steps/ep':>9s}{'train acc':>10s}"
                f"{'held acc':>9s}{'gap':>7s}{'held loss: best (ep)':>22s}{'final':>7s}")
        if timings:
            head += f"{'s/epoch':>9s}"
        lines = [head]
        for row in self.rows():
            line = (f"{row['run']:34s}{row['forward_per_epoch']:>10d}"
                    f"{row['steps_per_epoch']:>9d}{row['train_accuracy']:>10.3f}"
                    f"{row['heldout_accuracy']:>9.3f}{row['gap']:>7.3f}"
                    f"{row['best_heldout_loss']:>17.3f} ({row['best_epoch']})"
                    f"{row['final_heldout_loss']:>7.3f}")
            if timings:
                line += f"{row['seconds_per_epoch']:>9.2f}"
            lines.append(line)
        return "\n".join(lines)

    def _spread_table(self) -> str:
        sp = self.spreads()
        lines = [f"mean ± sd over {len(self.seeds)} seeds {list(self.seeds)}",
                 f"{'':31s}{'passes/ep':>10s}{'steps/ep':>9s}{'held-out acc':>16s}"
                 f"{'train − held-out':>18s}{'held-out loss':>16s}{'rise after best':>18s}"]
        for row in self.rows():
            m = sp[row["run"]]
            lines.append(f"{row['run']:31s}{row['forward_per_epoch']:>10d}"
                         f"{row['steps_per_epoch']:>9d}{format(m['heldout_accuracy']):>16s}"
                         f"{format(m['gap']):>18s}{format(m['final_heldout_loss']):>16s}"
                         f"{format(m['rise']):>18s}")
        return "\n".join(lines)

    def temperature(self, a: str = "exploded pairs",
                    b: str = "grouped listwise (InstructGPT)") -> dict:
        """Fit a temperature (a positive scale s on a model's rewards) for **each** of ``a``
        and ``b`` on each seed's *validation* prompts, then compare them on the held-out
        test prompts. Returns per-seed lists and :class:`~rmteach.experiments.seeds.Spread`
        values: ``scale`` and ``scale_b`` (fitted), ``loss_a`` and ``loss_b`` (test, scale
        1), ``loss_a_scaled`` and ``loss_b_scaled`` (test, fitted scale)."""
        out = {"scale": [], "scale_b": [], "loss_a": [], "loss_a_scaled": [], "loss_b": [],
               "loss_b_scaled": []}
        for k in range(len(self.seeds)):
            test = list(self.datas[k].heldout)
            for model, tail in ((self.runs[a][k].model, "a"), (self.runs[b][k].model, "b")):
                scale = fit_scale(model, self.validations[k])
                scores = score_lists(model, test)
                out["scale" if tail == "a" else "scale_b"].append(scale)
                out[f"loss_{tail}"].append(
                    metrics_from_scores(test, scores, against=None).listwise_loss)
                out[f"loss_{tail}_scaled"].append(metrics_from_scores(
                    test, [x * scale for x in scores], against=None).listwise_loss)
        return {**out, "spread": {key: spread(v) for key, v in out.items()}}

    def seed_results(self, k: int = 0) -> dict:
        """label -> :class:`~rmteach.model.training.TrainResult` of the seed at position ``k``."""
        if self.runs is None:
            return dict(self.results)
        return {label: results[k] for label, results in self.runs.items()}

    def curves(self, k: int = 0) -> FigureView:
        """The per-epoch curves of the seed at position ``k`` (default: the first)."""
        from .training import training_curves

        title = f"seed {self.seeds[k]}" if len(self.seeds) > 1 else ""
        return training_curves(self.seed_results(k), title=title)


def _steps(result) -> int:
    cfg = result.config
    if cfg["mode"] == "grouped":
        examples = cfg["train_lists"]
    else:
        examples = result.forward_passes_per_epoch // 2
    return math.ceil(examples / cfg["batch_size"])


def grouping_data(n_prompts: int, n: int, seed: int):
    """Lists of exactly ``n`` responses, split by prompt into train (70 %), validation
    (15 %) and held-out test (15 %). Returns ``(data, validation)``: ``data.heldout`` is
    the test split."""
    from ..data.generate import split_by_prompt

    full = make_preference_data(n_prompts, min_n=n, max_n=n, heldout_fraction=0.3,
                                seed=seed)
    validation, test = split_by_prompt(full.heldout, heldout_fraction=0.5, seed=seed)
    data = PreferenceData(full.train, tuple(test), full.beta, full.seed, True,
                          {**full.info, "validation_lists": len(validation)})
    return data, tuple(validation)


def grouping_comparison(n_prompts: int = 100, n: int = 8, *, epochs: int = 8,
                        batch_size: int = 16, lr: float = 1e-2, seed: int = 0,
                        seeds: Sequence[int] | None = None,
                        model_kwargs: dict | None = None, matched: bool = True,
                        progress: bool = True) -> GroupingComparison:
    """Train the same tiny model three ways on ``n_prompts`` lists of exactly ``n`` responses.

    * ``grouped listwise`` (InstructGPT): ``batch_size`` lists per step, each response
      scored once: N forward passes per list per epoch;
    * ``exploded pairs``: each of the N(N−1)/2 pairs its own shuffled example,
      ``batch_size`` pairs per step, both responses scored: N(N−1) passes per list;
    * ``exploded, same steps`` (if ``matched``): exploded with ``batch_size``·N(N−1)/2
      pairs per step, so it takes as many steps per epoch as grouped training and
      isolates the cost of the extra forward passes.

    Every run sees every comparison once per epoch. ``seeds`` (default: just ``seed``)
    repeats everything with each seed: new data, new initial weights, new shuffling.
    The prompts are split 70 / 15 / 15 into train, validation (for :meth:`temperature`)
    and held-out test.
    """
    from ..model.training import train

    if int(n) < 2:
        raise ValueError(f"n (responses per prompt) must be at least 2; got {n}.")
    seeds = tuple(int(s) for s in (seeds if seeds is not None else (seed,)))
    if not seeds:
        raise ValueError("seeds must name at least one seed.")
    mk = dict(model_kwargs or TINY["model_kwargs"])
    pairs = n * (n - 1) // 2
    specs = {"grouped listwise (InstructGPT)": ("listwise", "grouped", batch_size),
             "exploded pairs": ("pairwise", "exploded", batch_size)}
    if matched:
        specs["exploded pairs, same steps"] = ("pairwise", "exploded", batch_size * pairs)
    runs: dict = {label: [] for label in specs}
    datas, validations = [], []
    from tqdm.auto import tqdm

    bar = tqdm(total=len(seeds) * len(specs), desc="training the models (runs)",
               disable=not progress)
    for sd in seeds:
        data, validation = grouping_data(n_prompts, n, sd)
        datas.append(data)
        validations.append(validation)
        for label, (loss, mode, bs) in specs.items():
            runs[label].append(train(data, loss=loss, mode=mode, epochs=epochs, lr=lr,
                                     batch_size=bs, seed=sd, device="cpu", model_kwargs=mk,
                                     progress=False))
            bar.update()
    bar.close()
    return GroupingComparison(n=n, results={lab: r[0] for lab, r in runs.items()},
                              data=datas[0], seeds=seeds, runs=runs, datas=tuple(datas),
                              validations=tuple(validations))


def one_list_arm(*, seeds: Sequence[int] = SEEDS, n_prompts: int = NB06_SETTING["n_prompts"],
                 n: int = NB06_SETTING["n"], epochs: int = NB06_SETTING["epochs"],
                 lr: float = NB06_SETTING["lr"]) -> dict:
    """Train grouped listwise with one list per step on each seed's data of
    :func:`grouping_comparison` (same data, same initial weights) and return ``{"setting",
    "seeds", "rows"}``: one :meth:`GroupingComparison.rows` row per seed (no timings)."""
    from ..model.training import train

    rows = []
    for sd in seeds:
        data, _ = grouping_data(n_prompts, n, int(sd))
        result = train(data, loss="listwise", mode="grouped", epochs=epochs, lr=lr,
                       batch_size=1, seed=int(sd), device="cpu",
                       model_kwargs=dict(TINY["model_kwargs"]), progress=False)
        row = GroupingComparison(n=n, results={ONE_LIST: result}).rows()[0]
        row.pop("seconds_per_epoch")
        rows.append({k: (round(v, 6) if isinstance(v, float) else v) for k, v in row.items()})
    return {"setting": {"n_prompts": n_prompts, "n": n, "epochs": epochs, "lr": lr,
                        "batch_size": 1}, "seeds": [int(s) for s in seeds], "rows": rows}


def cached_one_list_arm() -> dict:
    """The stored :func:`one_list_arm` runs of notebook 06: measurement -> list per seed."""
    if not ONE_LIST_CACHE.exists():
        raise ValueError(f"the cache {ONE_LIST_CACHE} is missing; rebuild it with "
                         "`python tools/build_grouping_cache.py`.")
    doc = json.loads(ONE_LIST_CACHE.read_text())
    return {key: [row[key] for row in doc["rows"]] for key in doc["rows"][0] if key != "run"}
