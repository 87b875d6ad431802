"""Every widget and figure of the notebook suite (one module per notebook topic).

Each widget is built by one call and returns an :class:`RMWidget` (an ``ipywidgets``
``VBox``) with ``.controls`` (name -> control), ``.main_control``, ``.live_figure``,
``.values`` (the numbers of the last update), ``.readout`` and ``.message``.

The package loads lazily (PEP 562): ``import rmteach.widgets`` costs nothing, and each
widget's module (with torch, where it trains or scores a model) is imported on first use, so
a notebook that never touches a model never pays for importing torch.
"""

from __future__ import annotations

import importlib

#: public name -> the submodule that defines it
_WHERE = {
    "best_of_n_explorer": "best_of_n",
    "BestOfNExplorer": "best_of_n",
    "bradley_terry_explorer": "preference",
    "BradleyTerryExplorer": "preference",
    "cached_data_mix": "data_mix",
    "cached_grouping_comparison": "grouping_store",
    "confidence_explorer": "comparing",
    "ConfidenceExplorer": "comparing",
    "data_mix_experiment": "data_mix",
    "descend_on_list": "listwise",
    "dpo_target_explorer": "dpo",
    "DPOTargetExplorer": "dpo",
    "empirical_loss_explorer": "pairwise",
    "EmpiricalLossExplorer": "pairwise",
    "ensemble_explorer": "ensembles",
    "EnsembleExplorer": "ensembles",
    "FigureView": "training",
    "friendly_error_html": "_base",
    "gradient_stepper": "rewards",
    "GradientStepper": "rewards",
    "grouping_comparison": "grouping",
    "kl_penalty_explorer": "hacking",
    "KLPenaltyExplorer": "hacking",
    "length_bias_figure": "best_of_n",
    "list_length_explorer": "listwise",
    "ListLengthExplorer": "listwise",
    "listwise_explorer": "listwise",
    "ListwiseExplorer": "listwise",
    "literal_objective": "listwise",
    "literal_trap_explorer": "listwise",
    "LiteralTrapExplorer": "listwise",
    "LiveFigure": "_base",
    "loss_diagnosis_explorer": "diagnosis",
    "LossDiagnosisExplorer": "diagnosis",
    "margin_explorer": "offsets",
    "MarginExplorer": "offsets",
    "offset_explorer": "offsets",
    "OffsetExplorer": "offsets",
    "page_style": "style",
    "pairwise_loss_explorer": "pairwise",
    "PairwiseLossExplorer": "pairwise",
    "PALETTE": "_base",
    "PALETTE_CYCLE": "_base",
    "phi_table": "training",
    "plackett_luce_stage_probabilities": "listwise",
    "pretraining_curves": "figures",
    "reliability_explorer": "calibration",
    "ReliabilityExplorer": "calibration",
    "reward_scatter": "training",
    "RMWidget": "_base",
    "run_all_note": "style",
    "sampling_weight_explorer": "pairwise",
    "SamplingWeightExplorer": "pairwise",
    "scale_explorer": "rewards",
    "ScaleExplorer": "rewards",
    "show_examples": "training",
    "text_collisions": "style",
    "tiered_ranking_explorer": "calibration",
    "TieredRankingExplorer": "calibration",
    "toy_disagreement": "comparing",
    "training_curves": "training",
    "working": "page",
}

__all__ = [
    "PALETTE",
    "PALETTE_CYCLE",
    "BestOfNExplorer",
    "BradleyTerryExplorer",
    "ConfidenceExplorer",
    "DPOTargetExplorer",
    "EmpiricalLossExplorer",
    "EnsembleExplorer",
    "FigureView",
    "GradientStepper",
    "KLPenaltyExplorer",
    "ListLengthExplorer",
    "ListwiseExplorer",
    "LiteralTrapExplorer",
    "LiveFigure",
    "LossDiagnosisExplorer",
    "MarginExplorer",
    "OffsetExplorer",
    "PairwiseLossExplorer",
    "RMWidget",
    "ReliabilityExplorer",
    "SamplingWeightExplorer",
    "ScaleExplorer",
    "TieredRankingExplorer",
    "best_of_n_explorer",
    "bradley_terry_explorer",
    "cached_data_mix",
    "cached_grouping_comparison",
    "confidence_explorer",
    "data_mix_experiment",
    "descend_on_list",
    "dpo_target_explorer",
    "empirical_loss_explorer",
    "ensemble_explorer",
    "friendly_error_html",
    "gradient_stepper",
    "grouping_comparison",
    "kl_penalty_explorer",
    "length_bias_figure",
    "list_length_explorer",
    "listwise_explorer",
    "literal_objective",
    "literal_trap_explorer",
    "loss_diagnosis_explorer",
    "margin_explorer",
    "offset_explorer",
    "page_style",
    "pairwise_loss_explorer",
    "phi_table",
    "plackett_luce_stage_probabilities",
    "pretraining_curves",
    "reliability_explorer",
    "reward_scatter",
    "run_all_note",
    "sampling_weight_explorer",
    "scale_explorer",
    "show_examples",
    "text_collisions",
    "tiered_ranking_explorer",
    "toy_disagreement",
    "training_curves",
    "working",
]


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    elif name.isidentifier() and not name.startswith("__"):
        try:                                     # a submodule: rw.best_of_n.length_bias_figure
            value = importlib.import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
