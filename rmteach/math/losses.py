"""The reward-model losses of *Foundations of Large Language Models* (Xiao & Zhu, 2025), ch. 4.

One implementation of each formula, one file per family; this module is their one
public face (``from rmteach.math.losses import pairwise_loss``):

* :mod:`.pair_losses` – Bradley–Terry (Eq. 4.35, sigmoid and softmax forms), the
  pair-wise loss with an optional margin (Eq. 4.37), the centering penalty;
* :mod:`.list_losses` – the listwise loss (Eq. 4.57) and Plackett–Luce (Eqs. 4.58–4.61);
* beyond the book: :mod:`.dpo_losses` – DPO's implicit reward and the DPO loss family
  (sigmoid, robust, hinge, IPO); :mod:`.rating_losses` – the regression loss on ratings.

Every function takes NumPy arrays, Python numbers or lists (and returns NumPy), or torch
tensors (and returns torch tensors with dtype, device and autograd kept), so the training
loop uses these very functions.  Everything is computed through log-sigmoid /
log-sum-exp, never ``log(sigmoid(x))``, and stays finite for score gaps of ±1e4.

Notation: r(x, y) is the reward of response y to input x;
Δ = r(x, y_a) − r(x, y_b) is the score gap.
"""

from .dpo_losses import DPO_LOSS_TYPES, dpo_loss, implicit_reward
from .list_losses import listwise_loss, plackett_luce_loss
from .pair_losses import (
    centering_penalty,
    pairwise_loss,
    preference_probability,
    preference_probability_softmax,
)
from .rating_losses import regression_loss

__all__ = [
    "DPO_LOSS_TYPES",
    "centering_penalty",
    "dpo_loss",
    "implicit_reward",
    "listwise_loss",
    "pairwise_loss",
    "plackett_luce_loss",
    "preference_probability",
    "preference_probability_softmax",
    "regression_loss",
]
