"""Layer 3, the tiny reward model r(x, y) = h_last · W_r, its training and its evaluation.

* :mod:`.vocab` – words <-> token ids, size checks, devices;
* :mod:`.network` – :class:`TinyRewardModel`, the backbone φ plus the linear head W_r;
* :mod:`.batching`, :mod:`.records`, :mod:`.training` – one training loop for every loss;
* :mod:`.metrics` – per-pair measures: tie conventions, Kendall τ, calibration from rewards;
* :mod:`.evaluate` – a model on a data set: accuracy, held-out loss, agreement with r*;
* :mod:`.checkpoint` – checkpoints that load safely.

Importing this package imports torch.
"""

from .network import TinyRewardModel
from .records import TrainResult
from .training import train
from .vocab import Vocabulary, pick_device, truncation_key

__all__ = ["TinyRewardModel", "TrainResult", "Vocabulary", "pick_device", "train",
           "truncation_key"]
