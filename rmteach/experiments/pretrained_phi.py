"""Where φ comes from (notebook 05's last section): a reward model trained from a
pre-trained backbone against one trained from scratch, on the same few preference pairs.

The book's reward model is φ = a pre-trained LLM's backbone + a new linear head W_r;
InstructGPT initialises its reward model from the SFT model.  At toy scale:

1. :func:`lm_texts`: unlabelled text of the synthetic language, each prompt followed by
   a response that does what the prompt asks (the best of its list under r*; no label
   is kept, so this is SFT-like text, not preference data);
2. :func:`build_backbone`: the notebooks' model (:class:`TinyRewardModel`, default sizes,
   causal, h_last) pre-trained on it by next-token prediction
   (:func:`rmteach.model.pretrain.pretrain`); stored in ``rmteach/_cache/`` by
   ``tools/build_pretrained_cache.py``, read by :func:`load_backbone`;
3. :func:`curve`: for each number of training pairs and each seed, the same pairs train
   a model from scratch and a model that starts from the backbone (with a fresh head W_r
   drawn from the seed); held-out pair accuracy and pairwise loss on 400 held-out prompts.
"""

from __future__ import annotations

from pathlib import Path

CACHE = Path(__file__).resolve().parents[1] / "_cache"
BACKBONE_FILE = CACHE / "pretrained_backbone.pt"
CURVE_FILE = CACHE / "pretrained_phi.json"
#: seeds of the unlabelled texts; the preference data use seeds 0.. (different prompts' draws)
TEXT_SEED = 9001
TEXT_PROMPTS = 1600
PRETRAIN_EPOCHS = 20
SIZES = (50, 200, 1000)
SEEDS = (0, 1, 2, 3, 4)


def lm_texts(n_prompts: int = TEXT_PROMPTS, seed: int = TEXT_SEED) -> list[tuple[str, str]]:
    """(prompt, best response) texts: a prompt followed by a response that does what it
    asks (the top of its noiseless ranked list); no preference label is kept."""
    from ..data.generate import make_preference_data

    d = make_preference_data(n_prompts, min_n=4, max_n=4, heldout_fraction=0.0, seed=seed)
    return [(x.prompt, x.responses[x.ranking[0]]) for x in d.train]


def build_backbone(epochs: int = PRETRAIN_EPOCHS, *, seed: int = 0, progress: bool = False):
    """The notebooks' model with its backbone pre-trained on :func:`lm_texts`; returns
    ``(model, PretrainResult)``."""
    from ..model.network import TinyRewardModel
    from ..model.pretrain import pretrain

    model = TinyRewardModel(seed=seed)
    res = pretrain(model, lm_texts(), epochs=epochs, seed=seed, progress=progress)
    return model, res


def load_backbone(path: str | Path = BACKBONE_FILE):
    """The stored pre-trained model (see ``tools/build_pretrained_cache.py``)."""
    from ..model.checkpoint import load

    return load(path, device="cpu")


def _from_backbone(backbone, seed: int):
    """A copy of the backbone with a fresh head W_r drawn as a new model's would be."""
    from ..model.network import TinyRewardModel

    model = TinyRewardModel(backbone.vocab, seed=seed)
    head = model.head.weight.detach().clone()
    model.load_state_dict(backbone.state_dict())
    with __import__("torch").no_grad():
        model.head.weight.copy_(head)
    return model


def curve(sizes=SIZES, seeds=SEEDS, *, backbone=None, epochs: int = 12) -> dict:
    """Held-out accuracy and loss against the number of training pairs, per seed, for
    ``"scratch"`` and ``"pretrained"`` (the same pairs, the same held-out prompts)."""
    from ..data.generate import make_pair_data
    from ..model.network import TinyRewardModel
    from ..model.training import train

    backbone = load_backbone() if backbone is None else backbone
    out = {"sizes": list(sizes), "seeds": list(seeds), "epochs": epochs,
           "scratch": {"accuracy": [], "loss": []},
           "pretrained": {"accuracy": [], "loss": []}}
    for start in ("scratch", "pretrained"):
        for seed in seeds:
            data = make_pair_data(1600, heldout_fraction=0.25, seed=seed)
            acc, loss = [], []
            for n in sizes:
                model = (TinyRewardModel(seed=seed) if start == "scratch"
                         else _from_backbone(backbone, seed))
                res = train(list(data.train[:n]), heldout=list(data.heldout), loss="pairwise",
                            epochs=epochs, seed=seed, model=model, progress=False,
                            eval_train=False)
                acc.append(round(float(res.final.accuracy), 4))
                loss.append(round(float(res.final.log_loss), 4))
            out[start]["accuracy"].append(acc)
            out[start]["loss"].append(loss)
    return out


def load_curve(path: str | Path = CURVE_FILE) -> dict:
    """The stored curve (see ``tools/build_pretrained_cache.py``)."""
    import json

    from ..data._io import read_text_file

    text = read_text_file(path, "path")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"path: {str(path)!r:.200} is not a curve file (not JSON: line "
                         f"{exc.lineno}, column {exc.colno}).") from None
    return check_curve(doc, f"the curve in {str(path)!r:.200}")


def check_curve(doc, name: str = "doc") -> dict:
    """``doc`` if it has :func:`curve`'s shape (sizes, seeds, and per start and measure one
    row of finite numbers per seed, one number per size), else a ``ValueError`` naming it.

    >>> check_curve({"sizes": [1], "seeds": [0], "scratch": {"accuracy": [[0.5]],
    ...     "loss": [[0.7]]}, "pretrained": {"accuracy": [[0.6]], "loss": [[0.6]]}})["sizes"]
    [1]
    """
    import math

    def bad(what):
        return ValueError(f"{name} is not a curve from curve() or load_curve(): {what}.")

    if not isinstance(doc, dict):
        raise bad(f"expected a dict, got {type(doc).__name__}")
    for key in ("sizes", "seeds"):
        if not isinstance(doc.get(key), list) or not doc[key]:
            raise bad(f"{key!r} must be a non-empty list")
    shape = (len(doc["seeds"]), len(doc["sizes"]))
    for start in ("scratch", "pretrained"):
        for key in ("accuracy", "loss"):
            rows = doc.get(start, {}).get(key) if isinstance(doc.get(start), dict) else None
            ok = isinstance(rows, list) and len(rows) == shape[0] and all(
                isinstance(r, list) and len(r) == shape[1] and all(
                    isinstance(v, (int, float)) and not isinstance(v, bool)
                    and math.isfinite(v) for v in r) for r in rows)
            if not ok:
                raise bad(f"{start}.{key} must be {shape[0]} rows (seeds) of {shape[1]} "
                          "finite numbers (sizes)")
    return doc


def summary_lines(doc: dict) -> list[str]:
    """One line per number of pairs: held-out accuracy and pairwise loss of each start,
    mean ± sample sd over the seeds (n printed), the worst seed, and the per-seed
    difference with the suite's verdict (:mod:`rmteach.experiments.seeds`)."""
    from .seeds import paired, spread, verdict

    check_curve(doc)
    n = len(doc["seeds"])
    lines = [f"{'pairs':>5}  {'from scratch: acc (worst) / loss':<40}"
             f"{'pre-trained: acc (worst) / loss':<40}acc gain (n={n})"]
    for k, size in enumerate(doc["sizes"]):
        cols = []
        for start in ("scratch", "pretrained"):
            acc = spread(r[k] for r in doc[start]["accuracy"])
            loss = spread(r[k] for r in doc[start]["loss"])
            cols.append(f"{acc:.3f} ({min(acc.values):.3f}) / {loss:.3f}".ljust(40))
        gain = paired([r[k] for r in doc["pretrained"]["accuracy"]],
                      [r[k] for r in doc["scratch"]["accuracy"]])
        lines.append(f"{size:>5}  {cols[0]}{cols[1]}{gain:+.3f}, {verdict(gain)}")
    return lines
