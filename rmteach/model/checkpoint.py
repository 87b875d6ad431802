"""Safe checkpoints for :class:`~rmteach.model.network.TinyRewardModel`.

A checkpoint is a plain dictionary of tensors, numbers, strings and lists:

    {"format": "rmteach.TinyRewardModel", "version": 2,
     "config": {... model sizes and vocabulary ...}, "state_dict": {... tensors ...}}

:func:`load` reads it with ``torch.load(weights_only=True)``, which refuses to
unpickle arbitrary Python objects, so opening a checkpoint from someone else
cannot run their code.  A file that is not such a checkpoint, or weights whose
shapes do not fit the model, raise ``ValueError`` with the reason.  Version 1 files load,
except those of the old command-line model with the removed ``match_feature`` input: they
raise a ``ValueError`` that names the version and says to retrain.
"""

from __future__ import annotations

import io
import os
import warnings

import torch

from ..data._io import atomic_write_bytes, check_input_file
from .network import MAX_PARAMS, TinyRewardModel, Vocabulary, check_config

__all__ = ["FORMAT", "load", "save"]

FORMAT = "rmteach.TinyRewardModel"
VERSION = 2
#: versions :func:`load` reads: 1 (before the match feature was removed) unless it used it
READABLE_VERSIONS = (1, 2)
_CONFIG_KEYS = ("d_model", "n_layers", "n_heads", "d_ff", "max_len", "dropout", "vocab")
#: model options that a config carries only when they are on (see TinyRewardModel)
_OPTIONAL_KEYS = {"pooling": ("sum",)}
#: largest checkpoint file read (MAX_PARAMS float32 weights plus room for the vocabulary)
MAX_CHECKPOINT_BYTES = 4 * MAX_PARAMS + 64 * 2**20


def _check_weights(where, state) -> None:
    for key, tensor in state.items():
        if not isinstance(key, str):
            raise ValueError(f"{where} is damaged: the state_dict has a key of type "
                             f"{type(key).__name__}.")
        if not isinstance(tensor, torch.Tensor):
            raise ValueError(f"{where} is damaged: {key} is {type(tensor).__name__}, not a "
                             "tensor.")
        if not tensor.is_floating_point():
            raise ValueError(f"{where} is damaged: {key} has dtype {tensor.dtype}; weights "
                             "are floating-point numbers.")
        if tensor.device.type == "meta":
            raise ValueError(f"{where}: {key} is on the meta device (it holds no values).")
        bad = int((~torch.isfinite(tensor.detach())).sum())
        if bad:
            raise ValueError(f"{where}: {key} holds {bad} NaN or infinite weight(s); the model "
                             "diverged before it was saved. Retrain with a lower learning rate.")


def save(model: TinyRewardModel, path: str | os.PathLike) -> None:
    """Write the model's config and ``state_dict`` (tensors moved to CPU) to ``path``.

    All or nothing: the checkpoint is built in memory and written to a temporary file
    next to ``path``, then renamed over it; a failure leaves an existing file untouched.
    A model with NaN or infinite weights is refused.
    """
    if not isinstance(model, TinyRewardModel):
        raise ValueError(f"save() expects a TinyRewardModel; got {type(model).__name__}.")
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    _check_weights("the model", state)
    buffer = io.BytesIO()
    torch.save({"format": FORMAT, "version": VERSION, "config": model.config(),
                "state_dict": state}, buffer)
    atomic_write_bytes(path, buffer.getvalue(), "path")


def _read(path):
    text = check_input_file(path, "path", max_bytes=MAX_CHECKPOINT_BYTES)
    try:
        with warnings.catch_warnings():     # torch's warnings about a foreign file are not ours
            warnings.simplefilter("ignore")
            return torch.load(text, map_location="cpu", weights_only=True)
    except OSError as exc:
        raise ValueError(f"{text}: could not read the file ({exc.strerror or exc}).") from None
    except Exception as exc:  # torch raises many kinds; its text is not ours
        import pickle

        if isinstance(exc, pickle.UnpicklingError) and "weights_only" in str(exc):
            raise ValueError(f"{text} is not a safe rmteach checkpoint: it asks to rebuild "
                             "Python objects other than tensors, numbers, strings, lists and "
                             "dicts, and loading such a file could run code; "
                             "torch.load(weights_only=True) refused it.") from None
        raise ValueError(f"{text} is not an rmteach checkpoint (torch could not read it as "
                         "a checkpoint file; write one with rmteach.model.checkpoint.save).") \
            from None


def load(path: str | os.PathLike, *, model: TinyRewardModel | None = None,
         device: str | torch.device | None = "cpu") -> TinyRewardModel:
    """Load a checkpoint written by :func:`save`.

    Without ``model``, a new :class:`TinyRewardModel` is built from the stored
    config.  With ``model``, the weights are loaded into it; its sizes and its
    vocabulary (word by word) must match the checkpoint's.  The result is in eval
    mode, on ``device`` (``"cpu"`` by default).

    Everything is checked before anything is built: the config's types and bounds
    against the tensors' shapes, and every weight for NaN or inf.  Any problem
    raises ``ValueError``.
    """
    if model is not None and not isinstance(model, TinyRewardModel):
        raise ValueError(f"model must be a TinyRewardModel; got {type(model).__name__}.")
    ckpt = _read(path)
    where = os.fspath(path)
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT:
        raise ValueError(f"{where} is not an rmteach checkpoint (no 'format': {FORMAT!r} "
                         "entry); write one with rmteach.model.checkpoint.save(model, path).")
    if ckpt.get("version") not in READABLE_VERSIONS:
        raise ValueError(f"{where} is checkpoint version {ckpt.get('version')!r:.40}; this "
                         f"rmteach reads versions {', '.join(map(str, READABLE_VERSIONS))}.")
    config, state = ckpt.get("config"), ckpt.get("state_dict")
    if not isinstance(config, dict) or not isinstance(state, dict):
        raise ValueError(f"{where} is damaged: 'config' and 'state_dict' must be dictionaries.")
    cfg = _check_config(where, config, state)
    _check_weights(where, state)
    if model is None:
        model = TinyRewardModel(Vocabulary(cfg.pop("vocab")), seed=None, **cfg)
    else:
        _check_same_model(where, model, cfg)
    _check_shapes(where, model, state)
    model.load_state_dict(state)
    from .network import pick_device

    model.to(pick_device(device))
    model.eval()
    return model


def _check_config(where, config, state) -> dict:
    """The config, checked for types and bounds and against the embedding shapes."""
    if "match_feature" in config:
        raise ValueError(f"{where} is a checkpoint version 1 of the command line's old model, "
                         "which had a hand-made input (the 'match_feature': a learned vector "
                         "for each response word that also occurs in the prompt); checkpoint "
                         f"version {VERSION} removed it, so these weights cannot be read. "
                         "Retrain with 'python -m rmteach train' (the prompt is now read by "
                         "attention alone).")
    unknown = sorted(map(str, set(config) - set(_CONFIG_KEYS) - set(_OPTIONAL_KEYS)))
    missing = [k for k in _CONFIG_KEYS if k not in config]
    if unknown or missing:
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + \
            ([f"unknown {', '.join(unknown[:4])}"] if unknown else [])
        raise ValueError(f"{where} has an invalid model config ({'; '.join(parts)}).")
    vocab = config["vocab"]
    if not isinstance(vocab, list) or not all(isinstance(w, str) for w in vocab):
        raise ValueError(f"{where} has an invalid model config: 'vocab' must be a list of "
                         "words.")
    if len(set(vocab)) != len(vocab):
        raise ValueError(f"{where} has an invalid model config: 'vocab' lists a word twice.")
    sizes = {k: config[k] for k in _CONFIG_KEYS if k != "vocab"}
    try:
        cfg = check_config(vocab_size=len(vocab), where="config ", **sizes)
    except ValueError as exc:
        raise ValueError(f"{where} has an invalid model config: {exc}") from None
    expected = {"token_embedding.weight": (len(vocab), cfg["d_model"]),
                "position_embedding.weight": (cfg["max_len"], cfg["d_model"]),
                "head.weight": (1, cfg["d_model"])}
    for key, shape in expected.items():
        tensor = state.get(key)
        if not isinstance(tensor, torch.Tensor):
            raise ValueError(f"{where} is damaged: the state_dict has no tensor {key}.")
        if tuple(tensor.shape) != shape:
            raise ValueError(f"{where} is damaged: its config says {key} has shape {shape}, "
                             f"but the tensor has shape {tuple(tensor.shape)}.")
    for key, allowed in _OPTIONAL_KEYS.items():
        if key in config:
            if config[key] not in allowed or isinstance(config[key], bool) != isinstance(
                    allowed[0], bool):
                raise ValueError(f"{where} has an invalid model config: {key!r} must be one of "
                                 f"{list(allowed)}; got {config[key]!r}.")
            cfg[key] = config[key]
    cfg["vocab"] = list(vocab)
    return cfg


def _check_same_model(where, model, cfg) -> None:
    theirs, ours = cfg["vocab"], list(model.vocab.words)
    if len(theirs) != len(ours):
        raise ValueError(f"{where} does not fit this model: its vocabulary has {len(theirs)} "
                         f"words, the model's {len(ours)} (token_embedding.weight shape "
                         f"{(len(theirs), cfg['d_model'])} in the file).")
    for k, (a, b) in enumerate(zip(theirs, ours)):
        if a != b:
            raise ValueError(f"{where} does not fit this model: the vocabularies differ at "
                             f"token {k} ({a!r} in the file, {b!r} in the model), so every "
                             "embedding would sit on the wrong word. Load it without model= "
                             "to get the checkpoint's own vocabulary.")


def _check_shapes(where, model, state):
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing[:4])}")
        if unexpected:
            parts.append(f"unexpected {', '.join(unexpected[:4])}")
        raise ValueError(f"{where} does not fit this model: {'; '.join(parts)}.")
    for key, tensor in state.items():
        if tuple(tensor.shape) != tuple(expected[key].shape):
            raise ValueError(f"{where} does not fit this model: {key} has shape "
                             f"{tuple(tensor.shape)} in the file but {tuple(expected[key].shape)} "
                             "in the model (different sizes or vocabulary).")
