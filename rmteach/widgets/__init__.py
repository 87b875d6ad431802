"""Every widget and figure of the notebook suite (one module per notebook topic).

Each widget is built by one call and returns an :class:`RMWidget` (an ``ipywidgets``
``VBox``) with ``.controls`` (name -> control), ``.main_control``, ``.live_figure``,
``.values`` (the numbers of the last update), ``.readout`` and ``.message``.
"""

from ._base import PALETTE, PALETTE_CYCLE, LiveFigure, RMWidget, friendly_error_html
from .best_of_n import BestOfNExplorer, best_of_n_explorer, length_bias_figure
from .calibration import (
    ReliabilityExplorer,
    TieredRankingExplorer,
    reliability_explorer,
    tiered_ranking_explorer,
)
from .comparing import (
    ConfidenceExplorer,
    confidence_explorer,
    toy_disagreement,
)
from .data_mix import cached_data_mix, data_mix_experiment
from .diagnosis import LossDiagnosisExplorer, loss_diagnosis_explorer
from .dpo import DPOTargetExplorer, dpo_target_explorer
from .ensembles import EnsembleExplorer, ensemble_explorer
from .figures import pretraining_curves
from .grouping import grouping_comparison
from .grouping_store import cached_grouping_comparison
from .hacking import KLPenaltyExplorer, kl_penalty_explorer
from .listwise import (
    ListLengthExplorer,
    ListwiseExplorer,
    LiteralTrapExplorer,
    descend_on_list,
    list_length_explorer,
    listwise_explorer,
    literal_objective,
    literal_trap_explorer,
    plackett_luce_stage_probabilities,
)
from .offsets import MarginExplorer, OffsetExplorer, margin_explorer, offset_explorer
from .pairwise import (
    EmpiricalLossExplorer,
    PairwiseLossExplorer,
    SamplingWeightExplorer,
    empirical_loss_explorer,
    pairwise_loss_explorer,
    sampling_weight_explorer,
)
from .preference import BradleyTerryExplorer, bradley_terry_explorer
from .rewards import GradientStepper, ScaleExplorer, gradient_stepper, scale_explorer
from .style import page_style, run_all_note, text_collisions
from .training import (
    FigureView,
    phi_table,
    reward_scatter,
    show_examples,
    training_curves,
)

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
]
