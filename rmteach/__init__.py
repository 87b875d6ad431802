"""rmteach: how RLHF reward models learn from human preferences.

The math of *Foundations of Large Language Models* (Xiao & Zhu, 2025), chapter 4,
as one tested implementation for NumPy and torch, plus a tiny reward model,
synthetic preference data with a known true reward, and the widgets of the
notebook suite.
"""

from .data.generate import (
    PreferenceData,
    PreferencePair,
    RankedList,
    explain_reward,
    make_pair_data,
    make_preference_data,
    true_reward,
)
from .data.jsonl import read_jsonl, write_jsonl
from .math.losses import (
    centering_penalty,
    listwise_loss,
    pairwise_loss,
    plackett_luce_loss,
    preference_probability,
    preference_probability_softmax,
)
from .math.ranking import parse_ranking, ranked_pair_positions, ranking_to_pairs

__version__ = "0.1.0"

# ``rmteach.seeds`` is the suite's one rule for several seeds, named so in every notebook:
# the module lives in the experiments layer and is also importable by its short name.
import sys as _sys

from .experiments import seeds

_sys.modules[__name__ + ".seeds"] = seeds
del _sys

# The layers (CONTRIBUTING.md): math -> data -> model -> experiments -> teaching (widgets,
# quiz, exercises) -> course -> cli. torch-using layers are imported by name
# (rmteach.model, rmteach.experiments.*): `import rmteach` needs no torch.
__all__ = [
    "PreferenceData",
    "PreferencePair",
    "RankedList",
    "centering_penalty",
    "explain_reward",
    "listwise_loss",
    "make_pair_data",
    "make_preference_data",
    "pairwise_loss",
    "parse_ranking",
    "plackett_luce_loss",
    "preference_probability",
    "preference_probability_softmax",
    "ranked_pair_positions",
    "ranking_to_pairs",
    "read_jsonl",
    "true_reward",
    "write_jsonl",
]
