"""From rmteach to TRL: the same reward model, trained by TRL's ``RewardTrainer``.

Everything here runs offline: the tokenizer is a word-level ``tokenizers`` model
built from rmteach's own :class:`~rmteach.model.network.Vocabulary` (the same token ids), and
the model is a tiny, randomly initialised ``LlamaForSequenceClassification`` with one
output: r(x, y) = h_last · W_r, exactly the book's reward model, where the score head
W_r reads the hidden state of the last real token.  Nothing is ever downloaded.

Pitfalls this module handles (each one shown in notebook 10):

* TRL joins an explicit prompt and a response by plain string concatenation, so the
  separator must be part of the prompt: :func:`trl_rows` writes ``"x <sep> "``;
* TRL appends the tokenizer's EOS (here ``<end>``) to each text, as rmteach does;
* ``RewardConfig`` defaults to bf16 and gradient checkpointing: both off here on CPU;
* TRL overwrites the model's ``pad_token_id`` with the tokenizer's: one source of truth.

TRL's logged ``accuracy`` is the share of pairs with r_c > r_r (a tie counts as
wrong); rmteach's accuracy leaves ties out (correct / decided).  TRL's ``margin`` is
the mean reward gap mean(r_c − r_r), not the m of the margin loss.  See
:func:`trl_metrics` and :func:`rmteach_metrics`.

Install (optional for learners): ``pip install -r requirements-trl.txt`` from the repository
root, or ``%pip install -r ../requirements-trl.txt`` from a notebook.
"""

from __future__ import annotations

import importlib.util
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ..data.generate import PreferencePair, RankedList
from ..math._arrays import paired_arrays
from ..math._checks import check_real, validated
from ..math.losses import pairwise_loss
from ..model.network import SPECIAL_TOKENS, Vocabulary

__all__ = ["INSTALL_HINT", "TRLRun", "hf_rewards", "hf_scores_by_list", "loss_parity",
           "reward_config", "rmteach_metrics", "tiny_llama", "train_with_trl", "trl_available",
           "trl_metrics", "trl_rows", "word_tokenizer"]

INSTALL_HINT = ("TRL is not installed in this environment (it is optional; Binder and "
                "requirements.txt leave it out). To run this part, run "
                "%pip install -r ../requirements-trl.txt in a cell here (this notebook runs in "
                "notebooks/), then restart the kernel.")


def trl_available() -> bool:
    """True when trl, transformers, datasets and tokenizers can be imported.

    ``RMTEACH_NO_TRL=1`` in the environment makes it False (to try the notebook as it runs
    where TRL is not installed, e.g. on Binder).
    """
    if os.environ.get("RMTEACH_NO_TRL", "").strip() not in ("", "0"):
        return False
    return all(importlib.util.find_spec(m) is not None
               for m in ("trl", "transformers", "datasets", "tokenizers", "accelerate"))


# ---------------------------------------------------------------------------
# Data, tokenizer, model
# ---------------------------------------------------------------------------


@validated(items="items")
def trl_rows(items: Sequence[PreferencePair | RankedList]) -> list[dict]:
    """TRL's standard explicit-prompt rows, with rmteach's separator in the prompt.

    TRL tokenizes ``prompt + chosen`` (plain concatenation) and appends EOS, so the
    prompt ends in ``" <sep> "``: the model then reads ``x <sep> y <end>``, as in rmteach.
    A pair's ``margin`` becomes TRL's ``margin`` column (then TRL trains the margin loss).

    >>> trl_rows([PreferencePair("explain rain", "sunny", "ugh")])
    [{'prompt': 'explain rain <sep> ', 'chosen': 'sunny', 'rejected': 'ugh'}]
    """
    bad = [type(it).__name__ for it in items if not isinstance(it, (PreferencePair, RankedList))]
    if bad:
        raise ValueError(f"items must hold PreferencePair / RankedList items; got {bad[0]}.")
    pairs = [p for it in items for p in (it.pairs() if isinstance(it, RankedList) else [it])]
    return [{"prompt": f"{p.prompt} <sep> ", "chosen": p.chosen, "rejected": p.rejected,
             **({} if p.margin is None else {"margin": p.margin})} for p in pairs]


@validated()
def word_tokenizer(vocab: Vocabulary | None = None):
    """A ``PreTrainedTokenizerFast`` with rmteach's words and ids, built locally.

    Lower-cases and splits on whitespace (:func:`rmteach.data.generate.tokenize`); the specials
    ``<pad> <unk> <sep> <end>`` keep ids 0–3, and ``<end>`` is the EOS.
    """
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = vocab or Vocabulary()
    core = Tokenizer(models.WordLevel({w: i for i, w in enumerate(vocab.words)},
                                      unk_token="<unk>"))
    core.normalizer = normalizers.Lowercase()
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    core.add_special_tokens(list(SPECIAL_TOKENS))
    return PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<pad>", unk_token="<unk>",
                                   sep_token="<sep>", eos_token="<end>",
                                   model_max_length=64, padding_side="right")


@validated(hidden="int[1,4096]", layers="int[1,64]", heads="int[1,64]", seed="seed")
def tiny_llama(tokenizer, *, hidden: int = 32, layers: int = 2, heads: int = 4,
               seed: int = 0):
    """A randomly initialised Llama with one output, r = h_last · W_r (no download)."""
    if not (hasattr(tokenizer, "__len__") and hasattr(tokenizer, "pad_token_id")):
        raise ValueError(f"tokenizer must be a Hugging Face tokenizer (e.g. from "
                         f"word_tokenizer()); got {type(tokenizer).__name__}.")
    from transformers import AutoModelForSequenceClassification, LlamaConfig

    config = LlamaConfig(vocab_size=len(tokenizer), hidden_size=hidden,
                         intermediate_size=2 * hidden, num_hidden_layers=layers,
                         num_attention_heads=heads, num_key_value_heads=heads,
                         max_position_embeddings=64, num_labels=1,
                         pad_token_id=tokenizer.pad_token_id,
                         eos_token_id=tokenizer.eos_token_id, bos_token_id=None)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return AutoModelForSequenceClassification.from_config(config)


@validated(output_dir="str", steps="int", batch_size="int", lr="real",
           seed="seed")
def reward_config(output_dir: str, *, steps: int = 60, batch_size: int = 16,
                  lr: float = 3e-3, seed: int = 0, cpu: bool | None = None,
                  bf16: bool = False):
    """``trl.RewardConfig`` for a tiny offline run: no bf16, no checkpoints, no reporting."""
    from trl import RewardConfig

    cpu = (not torch.cuda.is_available()) if cpu is None else cpu
    return RewardConfig(output_dir=output_dir, max_steps=steps,
                        per_device_train_batch_size=batch_size, learning_rate=lr,
                        lr_scheduler_type="constant", warmup_steps=0, weight_decay=0.0,
                        use_cpu=cpu, bf16=bf16, fp16=False, activation_checkpointing=False,
                        report_to=[], save_strategy="no", logging_steps=10,
                        disable_tqdm=True, seed=seed, data_seed=seed,
                        dataloader_num_workers=0, max_length=64)


# ---------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------


@dataclass
class TRLRun:
    """A finished ``RewardTrainer`` run: the trainer, its model and tokenizer, the logs."""

    trainer: object
    model: object
    tokenizer: object
    log: list[dict]
    seconds: float

    def param_counts(self) -> dict[str, int]:
        """φ = backbone + head, as :meth:`TinyRewardModel.param_counts` reports it."""
        head = sum(p.numel() for p in self.model.score.parameters())
        total = sum(p.numel() for p in self.model.parameters())
        return {"backbone": total - head, "head": head, "total": total}


@validated(items="items", steps="int", batch_size="int", lr="real", seed="seed",
           output_dir="str?", hidden="int", layers="int")
def train_with_trl(items, *, steps: int = 60, batch_size: int = 16, lr: float = 3e-3,
                   seed: int = 0, output_dir: str | None = None, hidden: int = 32,
                   layers: int = 2, bf16: bool = False) -> TRLRun:
    """Train :func:`tiny_llama` on ``items`` with ``trl.RewardTrainer`` (offline, quiet)."""
    if not items or not all(isinstance(x, (PreferencePair, RankedList)) for x in items):
        raise ValueError("items must be a non-empty list of PreferencePair / RankedList items.")
    if steps < 1 or batch_size < 1 or not lr > 0:
        raise ValueError(f"steps and batch_size must be >= 1 and lr > 0; got steps={steps}, "
                         f"batch_size={batch_size}, lr={lr}.")
    import logging

    import datasets
    from datasets import Dataset
    from transformers.utils import logging as hf_logging
    from trl import RewardTrainer

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    datasets.disable_progress_bars()
    logging.getLogger("datasets").setLevel(logging.ERROR)
    tokenizer = word_tokenizer(Vocabulary.from_items(items))
    model = tiny_llama(tokenizer, hidden=hidden, layers=layers, seed=seed)
    out = output_dir or tempfile.mkdtemp(prefix="rmteach-trl-")
    trainer = RewardTrainer(model=model, args=reward_config(out, steps=steps,
                                                            batch_size=batch_size, lr=lr,
                                                            seed=seed, bf16=bf16),
                            train_dataset=Dataset.from_list(trl_rows(items)),
                            processing_class=tokenizer)
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)     # the logs are returned, not printed
    threads = torch.get_num_threads()
    torch.set_num_threads(1)          # fastest for a model this small; never fights for cores
    try:
        t0 = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - t0
    finally:
        torch.set_num_threads(threads)
    log = [r for r in trainer.state.log_history if "loss" in r]
    return TRLRun(trainer, trainer.model, tokenizer, log, seconds)


@validated(prompts="items", responses="items")
def hf_rewards(model, tokenizer, prompts: Sequence[str], responses: Sequence[str]) -> np.ndarray:
    """Rewards r(x, y) of a Hugging Face reward model for ``x <sep> y <end>`` texts."""
    if len(prompts) != len(responses) or not prompts or not all(
            isinstance(t, str) for t in [*prompts, *responses]):
        raise ValueError(f"prompts and responses must be non-empty lists of strings of the same "
                         f"length; got {len(prompts)} and {len(responses)}.")
    texts = [f"{x} <sep> {y}<end>" for x, y in zip(prompts, responses)]
    enc = tokenizer(texts, return_tensors="pt", padding=True)
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(**{k: v.to(model.device) for k, v in enc.items()}).logits
    finally:
        model.train(was)
    return out.squeeze(-1).float().cpu().numpy()


@validated(lists="items")
def hf_scores_by_list(run: TRLRun, lists: Sequence[RankedList]) -> list[np.ndarray]:
    """The model's rewards for each list's responses (in the list's order), for
    :func:`rmteach.model.evaluate.metrics_from_scores`."""
    if not isinstance(run, TRLRun) or not lists or not all(isinstance(x, RankedList)
                                                           for x in lists):
        raise ValueError("hf_scores_by_list needs the TRLRun of train_with_trl and a non-empty "
                         "list of RankedList items.")
    prompts = [x.prompt for x in lists for _ in x.responses]
    responses = [y for x in lists for y in x.responses]
    flat = hf_rewards(run.model, run.tokenizer, prompts, responses)
    cut = np.cumsum([x.n for x in lists])[:-1]
    return np.split(flat, cut)


@validated()
def loss_parity(run: TRLRun) -> dict:
    """TRL's loss on its first training batch next to ``rmteach.pairwise_loss`` of its rewards.

    The batch comes from the trainer's own data loader (its collator puts the chosen
    rows first, then the rejected ones); TRL's ``compute_loss`` and rmteach's loss
    are evaluated on the same forward pass.
    """
    if not isinstance(run, TRLRun):
        raise ValueError(f"run must be the TRLRun that train_with_trl returned; got "
                         f"{type(run).__name__}.")
    trainer, model = run.trainer, run.model
    batch = next(iter(trainer.get_train_dataloader()))
    inputs = {k: v.to(model.device) for k, v in batch.items()}
    model.eval()
    with torch.no_grad():
        trl_loss, outputs = trainer.compute_loss(model, dict(inputs), return_outputs=True)
    r_c, r_r = torch.chunk(outputs.logits.squeeze(-1), 2)
    ours = pairwise_loss(r_c, r_r, margin=inputs.get("margin", 0.0))   # TRL's margin column
    return {"pairs": int(r_c.numel()), "trl_loss": float(trl_loss), "rmteach_loss": float(ours),
            "abs_difference": abs(float(trl_loss) - float(ours)),
            "r_chosen": r_c.cpu().numpy(), "r_rejected": r_r.cpu().numpy()}


# ---------------------------------------------------------------------------
# TRL's logged metrics next to rmteach's measures
# ---------------------------------------------------------------------------


@validated(r_chosen="array", r_rejected="array")
def trl_metrics(r_chosen, r_rejected) -> dict:
    """What TRL logs for these rewards: ``accuracy`` = mean(r_c > r_r) (a tie is wrong),
    ``margin`` = mean(r_c − r_r) (the mean reward gap), ``loss`` = mean −log Sigmoid(gap).

    >>> trl_metrics([1.0, 0.5, 0.2], [0.0, 0.5, 0.7])["accuracy"]
    0.3333333333333333
    """
    c, r = paired_arrays((r_chosen, r_rejected), ("r_chosen", "r_rejected"))
    return {"accuracy": float(np.mean(c > r)), "margin": float(np.mean(c - r)),
            "loss": float(pairwise_loss(c, r))}


@validated(r_chosen="array", r_rejected="array", tie_tol="real")
def rmteach_metrics(r_chosen, r_rejected, *, tie_tol: float = 0.0) -> dict:
    """rmteach's measures of the same pairs: accuracy over decided pairs, ties apart.

    >>> m = rmteach_metrics([1.0, 0.5, 0.2], [0.0, 0.5, 0.7])
    >>> m["accuracy"], m["ties"], m["pairs"]
    (0.5, 1, 3)
    """
    c, r = paired_arrays((r_chosen, r_rejected), ("r_chosen", "r_rejected"))
    tie_tol = check_real(tie_tol, "tie_tol", lo=0.0)
    gap = c - r
    ties = int(np.sum(np.abs(gap) <= tie_tol))
    decided = gap.size - ties
    return {"accuracy": float(np.sum(gap > tie_tol) / decided) if decided else float("nan"),
            "ties": ties, "pairs": int(gap.size), "log_loss": float(pairwise_loss(c, r))}
