"""Layer 3, the tiny reward model r(x, y) = h_last · W_r, its training and its evaluation.

* :mod:`.vocab` – words <-> token ids, size checks, devices;
* :mod:`.network` – :class:`TinyRewardModel`, the backbone φ plus the linear head W_r;
* :mod:`.batching`, :mod:`.records`, :mod:`.training` – one training loop for every loss;
* :mod:`.metrics` – per-pair measures: tie conventions, Kendall τ, calibration from rewards;
* :mod:`.evaluate` – a model on a data set: accuracy, held-out loss, agreement with r*;
* :mod:`.checkpoint` – checkpoints that load safely.

Importing this package costs nothing: each name loads its module on first use (PEP 562),
so code that only evaluates scores (:mod:`.metrics`, :mod:`.evaluate`) never imports torch.
"""

from __future__ import annotations

from ..math._lazy import lazy_exports

#: public name -> the submodule that defines it
_WHERE = {"TinyRewardModel": "network", "TrainResult": "records", "train": "training",
          "Vocabulary": "vocab", "pick_device": "vocab", "truncation_key": "vocab"}

__all__ = ["TinyRewardModel", "TrainResult", "Vocabulary", "pick_device", "train",
           "truncation_key"]


__getattr__, __dir__ = lazy_exports(__name__, _WHERE, __all__)
