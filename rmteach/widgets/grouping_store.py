"""Notebook 06's grouping comparison, stored: five seeds, three arms, fifteen tiny models.

Training them takes about 9 s on a 2-core CPU, too long for a notebook's time budget, so
``tools/build_grouping_cache.py`` stores every run (its per-epoch history, its settings and
its weights, 15 × 4,864 numbers) in ``rmteach/_cache/grouping_runs.pt``;
:func:`cached_grouping_comparison` rebuilds the same :class:`GroupingComparison` from it
(the data of each seed are re-generated, which is cheap and deterministic).  A test
re-trains one seed and compares every number and every weight.  The same call as in the
notebook, ``grouping_comparison(n_prompts=80, n=6, epochs=6, seeds=SEEDS)``, trains them
again.  The file is read with ``torch.load(weights_only=True)``: no code runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from ..experiments.overoptimization import CACHE_DIR
from ..experiments.seeds import SEEDS
from ..math._checks import check_seeds
from .diagnosis import TINY
from .grouping import NB06_SETTING, GroupingComparison, grouping_comparison, grouping_data

__all__ = ["GROUPING_RUNS", "cached_grouping_comparison", "grouping_doc"]

#: where notebook 06's grouping runs are stored (made by tools/build_grouping_cache.py)
GROUPING_RUNS = CACHE_DIR / "grouping_runs.pt"


def grouping_doc(seeds: Sequence[int] | None = None) -> dict:
    """Train notebook 06's comparison (:data:`NB06_SETTING`; ``seeds`` default: the
    suite's five) and return what :func:`cached_grouping_comparison` reads: per arm and
    seed the history, the settings and the weights."""
    import torch

    seeds = check_seeds(SEEDS if seeds is None else seeds)
    comparison = grouping_comparison(**NB06_SETTING, seeds=seeds, progress=False)
    runs = {label: [{"history": [asdict(r) for r in result.history],
                     "config": result.config,
                     # the weights as one flat vector, in state_dict order
                     "weights": torch.cat([v.detach().flatten() for v in
                                           result.model.state_dict().values()])}
                    for result in results]
            for label, results in comparison.runs.items()}
    return {"setting": dict(NB06_SETTING), "seeds": list(seeds), "runs": runs}


def cached_grouping_comparison() -> GroupingComparison:
    """Notebook 06's :func:`~rmteach.widgets.grouping.grouping_comparison` over five seeds,
    from the stored runs: the same numbers, curves and models as training them again."""
    import torch

    from ..model.network import TinyRewardModel, Vocabulary
    from ..model.records import EpochRecord, TrainResult

    if not GROUPING_RUNS.is_file():
        raise ValueError(f"the cache {GROUPING_RUNS} is missing; rebuild it with "
                         "`python tools/build_grouping_cache.py`.")
    doc = torch.load(GROUPING_RUNS, map_location="cpu", weights_only=True)
    setting, seeds = doc["setting"], tuple(doc["seeds"])
    datas, validations = zip(*(grouping_data(setting["n_prompts"], setting["n"], sd)
                               for sd in seeds))
    runs = {}
    for label, stored in doc["runs"].items():
        runs[label] = []
        for sd, data, run in zip(seeds, datas, stored):
            model = TinyRewardModel(Vocabulary.from_items(data.train), seed=sd,
                                    **TINY["model_kwargs"])
            _load_flat(model, run["weights"])
            model.eval()
            runs[label].append(TrainResult(model, [EpochRecord(**r) for r in run["history"]],
                                           run["config"], "cpu"))
    return GroupingComparison(n=setting["n"], results={lab: r[0] for lab, r in runs.items()},
                              data=datas[0], seeds=seeds, runs=runs, datas=tuple(datas),
                              validations=tuple(validations))


def _load_flat(model, flat) -> None:
    """Put a flat vector of weights (state_dict order) back into ``model``."""
    state, at = model.state_dict(), 0
    for key, value in state.items():
        state[key] = flat[at:at + value.numel()].view_as(value).clone()
        at += value.numel()
    if at != flat.numel():
        raise ValueError(f"the stored weights ({flat.numel()} numbers) do not fit the model "
                         f"({at}); rebuild the cache with `python tools/build_grouping_cache.py`.")
    model.load_state_dict(state)
