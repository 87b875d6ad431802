"""Safe checkpoints for :class:`~rmteach.model.TinyRewardModel`.

A checkpoint is a plain dictionary of tensors, numbers, strings and lists:

    {"format": "rmteach.TinyRewardModel", "version": 1,
     "config": {... model sizes and vocabulary ...}, "state_dict": {... tensors ...}}

:func:`load` reads it with ``torch.load(weights_only=True)``, which refuses to
unpickle arbitrary Python objects, so opening a checkpoint from someone else
cannot run their code.  A file that is not such a checkpoint, or weights whose
shapes do not fit the model, raise ``ValueError`` with the reason.
"""

from __future__ import annotations

import os
import pickle

import torch

from .model import TinyRewardModel, Vocabulary

__all__ = ["FORMAT", "load", "save"]

FORMAT = "rmteach.TinyRewardModel"
VERSION = 1


def save(model: TinyRewardModel, path: str | os.PathLike) -> None:
    """Write the model's config and ``state_dict`` (tensors moved to CPU) to ``path``."""
    if not isinstance(model, TinyRewardModel):
        raise ValueError(f"save() expects a TinyRewardModel; got {type(model).__name__}.")
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    torch.save({"format": FORMAT, "version": VERSION, "config": model.config(),
                "state_dict": state}, path)


def _read(path):
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except pickle.UnpicklingError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ValueError(f"{path} is not a safe rmteach checkpoint: torch.load(weights_only=True) "
                         f"refused it ({first[:200]}).") from None
    except Exception as exc:       # torch raises many kinds for a file that is not its own
        raise ValueError(f"{path} is not an rmteach checkpoint (torch could not read it: "
                         f"{type(exc).__name__}).") from None


def load(path: str | os.PathLike, *, model: TinyRewardModel | None = None,
         device: str | torch.device | None = "cpu") -> TinyRewardModel:
    """Load a checkpoint written by :func:`save`.

    Without ``model``, a new :class:`TinyRewardModel` is built from the stored
    config.  With ``model``, the weights are loaded into it, and they must fit its
    shapes.  The result is in eval mode, on ``device`` (``"cpu"`` by default).
    """
    ckpt = _read(path)
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise ValueError(f"{path} is not an rmteach checkpoint (no 'format': {FORMAT!r} entry); "
                         "write one with rmteach.checkpoint.save(model, path).")
    if ckpt.get("version") != VERSION:
        raise ValueError(f"{path} is checkpoint version {ckpt.get('version')!r}; this rmteach "
                         f"reads version {VERSION}.")
    config, state = ckpt.get("config"), ckpt.get("state_dict")
    if not isinstance(config, dict) or not isinstance(state, dict):
        raise ValueError(f"{path} is damaged: 'config' and 'state_dict' must be dictionaries.")
    if model is None:
        try:
            cfg = dict(config)
            vocab = Vocabulary(cfg.pop("vocab"))
            model = TinyRewardModel(vocab, seed=None, **cfg)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path} has an invalid model config ({exc}).") from None
    elif not isinstance(model, TinyRewardModel):
        raise ValueError(f"model must be a TinyRewardModel; got {type(model).__name__}.")
    _check_shapes(path, model, state)
    model.load_state_dict(state)
    from .model import pick_device

    model.to(pick_device(device))
    model.eval()
    return model


def _check_shapes(path, model, state):
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing[:4])}")
        if unexpected:
            parts.append(f"unexpected {', '.join(unexpected[:4])}")
        raise ValueError(f"{path} does not fit this model: {'; '.join(parts)}.")
    for key, tensor in state.items():
        if not isinstance(tensor, torch.Tensor):
            raise ValueError(f"{path} is damaged: {key} is not a tensor.")
        if tuple(tensor.shape) != tuple(expected[key].shape):
            raise ValueError(f"{path} does not fit this model: {key} has shape "
                             f"{tuple(tensor.shape)} in the file but {tuple(expected[key].shape)} "
                             "in the model (different sizes or vocabulary).")
