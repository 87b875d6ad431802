"""Every widget and figure of the notebook suite (one module per notebook topic).

Each widget is built by one call and returns an :class:`RMWidget` (an ``ipywidgets``
``VBox``) with ``.controls`` (name -> control), ``.main_control``, ``.live_figure``,
``.values`` (the numbers of the last update), ``.readout`` and ``.message``.
"""

from ._base import PALETTE, PALETTE_CYCLE, LiveFigure, RMWidget, friendly_error_html
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
from .pairwise import (
    EmpiricalLossExplorer,
    PairwiseLossExplorer,
    SamplingWeightExplorer,
    empirical_loss_explorer,
    pairwise_loss_explorer,
    sampling_weight_explorer,
)
from .preference import BradleyTerryExplorer, bradley_terry_explorer

__all__ = [
    "PALETTE",
    "PALETTE_CYCLE",
    "BradleyTerryExplorer",
    "EmpiricalLossExplorer",
    "ListLengthExplorer",
    "ListwiseExplorer",
    "LiteralTrapExplorer",
    "LiveFigure",
    "PairwiseLossExplorer",
    "RMWidget",
    "SamplingWeightExplorer",
    "bradley_terry_explorer",
    "descend_on_list",
    "empirical_loss_explorer",
    "friendly_error_html",
    "list_length_explorer",
    "listwise_explorer",
    "literal_objective",
    "literal_trap_explorer",
    "pairwise_loss_explorer",
    "plackett_luce_stage_probabilities",
    "sampling_weight_explorer",
]
