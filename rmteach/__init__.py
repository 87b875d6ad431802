"""rmteach: how RLHF reward models learn from human preferences.

The math of *Foundations of Large Language Models* (Xiao & Zhu, 2025), chapter 4,
as one tested implementation for NumPy and torch, plus a tiny reward model,
synthetic preference data with a known true reward, and the widgets of the
notebook suite.
"""

from .losses import (
    centering_penalty,
    listwise_loss,
    pairwise_loss,
    plackett_luce_loss,
    preference_probability,
    preference_probability_softmax,
)
from .ranking import parse_ranking, ranked_pair_positions, ranking_to_pairs

__version__ = "0.1.0"

__all__ = [
    "centering_penalty",
    "listwise_loss",
    "pairwise_loss",
    "parse_ranking",
    "plackett_luce_loss",
    "preference_probability",
    "preference_probability_softmax",
    "ranked_pair_positions",
    "ranking_to_pairs",
]
