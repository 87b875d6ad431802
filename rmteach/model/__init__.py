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

import importlib

#: public name -> the submodule that defines it
_WHERE = {"TinyRewardModel": "network", "TrainResult": "records", "train": "training",
          "Vocabulary": "vocab", "pick_device": "vocab", "truncation_key": "vocab"}

__all__ = ["TinyRewardModel", "TrainResult", "Vocabulary", "pick_device", "train",
           "truncation_key"]


def __getattr__(name: str):
    if name in _WHERE:
        value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    elif name.isidentifier() and not name.startswith("__"):
        try:                                     # a submodule: rmteach.model.network
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
