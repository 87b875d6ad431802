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
#: model options: the allowed values, the first being the default that a checkpoint without
#: the key had (older checkpoints carried an option only when it was not the default)
_OPTIONAL_KEYS = {"pooling": ("last", "sum")}
#: top-level entries of a checkpoint
_TOP_KEYS = ("format", "version", "config", "state_dict")
#: largest checkpoint file read (MAX_PARAMS float32 weights plus room for the vocabulary)
MAX_CHECKPOINT_BYTES = 4 * MAX_PARAMS + 64 * 2**20


def _check_dense(where, state) -> None:
    """Every entry a dense, strided float tensor whose storage holds its elements: checked
    on the metadata only, before any value is looked at (an expanded or sparse tensor
    could ask for far more memory than the file holds)."""
    total = 0
    for key, tensor in state.items():
        if not isinstance(key, str):
            raise ValueError(f"{where} is damaged: the state_dict has a key of type "
                             f"{type(key).__name__}.")
        if not isinstance(tensor, torch.Tensor):
            raise ValueError(f"{where} is damaged: {key} is {type(tensor).__name__}, not a "
                             "tensor.")
        if tensor.layout != torch.strided:
            raise ValueError(f"{where} is damaged: {key} is a {tensor.layout} tensor; weights "
                             "are dense tensors.")
        if tensor.device.type == "meta":
            raise ValueError(f"{where}: {key} is on the meta device (it holds no values).")
        if not tensor.is_floating_point():
            raise ValueError(f"{where} is damaged: {key} has dtype {tensor.dtype}; weights "
                             "are floating-point numbers.")
        total += tensor.numel()
        if total > MAX_PARAMS:
            raise ValueError(f"{where} is damaged: its tensors hold more than {MAX_PARAMS:,} "
                             "numbers, more than any rmteach model has.")
        if tensor.numel() and (not tensor.is_contiguous() or
                               tensor.untyped_storage().nbytes() <
                               tensor.numel() * tensor.element_size()):
            raise ValueError(f"{where} is damaged: {key} is not a plain dense tensor (its "
                             "storage is smaller than its shape, as for an expanded tensor).")


def _check_weights(where, state) -> None:
    _check_dense(where, state)
    for key, tensor in state.items():
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
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    _check_weights("the model", state)
    buffer = io.BytesIO()
    torch.save({"format": FORMAT, "version": VERSION, "config": _full_config(model),
                "state_dict": state}, buffer)
    atomic_write_bytes(path, buffer.getvalue(), "path")


def _full_config(model) -> dict:
    """The model's config with every option written out (pooling, ...)."""
    config = model.config()
    for key, allowed in _OPTIONAL_KEYS.items():
        config.setdefault(key, allowed[0])
    return config


def _head(text) -> bytes:
    try:
        with open(text, "rb") as f:
            return f.read(4)
    except OSError:
        return b""


def _read(path):
    text = check_input_file(path, "path", max_bytes=MAX_CHECKPOINT_BYTES)
    import zipfile

    head = _head(text)
    if head[:1] != b"\x80" and head != b"PK\x03\x04":      # neither torch's zip nor a pickle
        raise ValueError(f"{text} is not an rmteach checkpoint (not a torch checkpoint file at "
                         "all); write one with rmteach.model.checkpoint.save(model, path).")
    if head == b"PK\x03\x04" and not zipfile.is_zipfile(text):
        raise ValueError(f"{text} is truncated: the checkpoint's zip archive has lost its end "
                         "(an interrupted copy or download?); copy or save it again.")
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
    if not isinstance(ckpt, dict) or type(ckpt.get("format")) is not str or \
            ckpt.get("format") != FORMAT:
        raise ValueError(f"{where} is not an rmteach checkpoint (no 'format': {FORMAT!r} "
                         "entry); write one with rmteach.model.checkpoint.save(model, path).")
    version = ckpt.get("version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        shown = repr(version)[:40] if isinstance(version, (int, str, float)) else \
            f"a {type(version).__name__}"
        raise ValueError(f"{where} is checkpoint version {shown}; this rmteach reads versions "
                         f"{', '.join(map(str, READABLE_VERSIONS))}.")
    extra = sorted(map(str, set(ckpt) - set(_TOP_KEYS)))
    if extra:
        raise ValueError(f"{where} is damaged: unknown entries {', '.join(extra[:4])!s:.120} "
                         f"(a checkpoint holds only {', '.join(_TOP_KEYS)}).")
    config, state = ckpt.get("config"), ckpt.get("state_dict")
    if not isinstance(config, dict) or not isinstance(state, dict):   # dict or OrderedDict
        raise ValueError(f"{where} is damaged: 'config' and 'state_dict' must be dictionaries.")
    if not all(isinstance(k, str) for k in state):
        raise ValueError(f"{where} is damaged: the state_dict has a key that is not a string.")
    cfg = _check_config(where, config, state)
    if model is None:
        cfg_ = dict(cfg)
        model = TinyRewardModel(Vocabulary(cfg_.pop("vocab")), seed=None, **cfg_)
    else:
        _check_same_model(where, model, cfg)
    _check_shapes(where, model, state)      # keys and shapes, before any value is read
    _check_weights(where, state)            # layout and storage, then the values
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
        value = config.get(key, allowed[0])
        if type(value) is not type(allowed[0]) or value not in allowed:
            shown = repr(value)[:40] if isinstance(value, (str, int, float)) else \
                type(value).__name__
            raise ValueError(f"{where} has an invalid model config: {key!r} must be one of "
                             f"{list(allowed)}; got {shown}.")
        cfg[key] = value
    cfg["vocab"] = list(vocab)
    return cfg


def _check_same_model(where, model, cfg) -> None:
    mine = _full_config(model)
    for key in (*_CONFIG_KEYS, *_OPTIONAL_KEYS):
        if key != "vocab" and cfg[key] != mine[key]:
            raise ValueError(f"{where} does not fit this model: it was saved with {key}="
                             f"{cfg[key]!r}, the model has {key}={mine[key]!r}; the rewards "
                             "would change. Build the model with the checkpoint's options, or "
                             "load it without model=.")
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
        if not isinstance(tensor, torch.Tensor):
            raise ValueError(f"{where} is damaged: {key} is {type(tensor).__name__}, not a "
                             "tensor.")
        if tuple(tensor.shape) != tuple(expected[key].shape):
            raise ValueError(f"{where} does not fit this model: {key} has shape "
                             f"{tuple(tensor.shape)} in the file but {tuple(expected[key].shape)} "
                             "in the model (different sizes or vocabulary).")
