"""The command line's parser and its checks: flags and their defaults
(:data:`CLI_DEFAULTS`, :func:`build_parser`), argparse's one-line ``error: ...``, and
every flag and path checked before any work.  :mod:`rmteach.cli.commands` runs the commands."""

from __future__ import annotations

import argparse
import math
import sys

from ..data.formats import FORMATS

__all__ = ["CLI_DEFAULTS", "build_parser"]


LOSSES = ("pairwise", "listwise", "plackett-luce")
#: the command's own defaults, tuned for data it has never seen (rmteach.model.training's library
#: defaults, which the notebooks use, stay as they are)
CLI_DEFAULTS = {"epochs": 40, "validation_fraction": 0.1, "patience": 0, "lr": 3e-3,
                "weight_decay": 0.1, "d_model": 64, "dropout": 0.1, "ema": 0.99, "pooling": "sum",
                "pretrain": False, "pretrain_epochs": 10, "max_vocab": 20000, "min_count": 1}
MODES = ("grouped", "exploded")


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad flag prints ONE line ``error: ...`` (exit code 2), no usage block."""

    def error(self, message):
        _print_error(f"{message} (see '{self.prog} --help')")
        raise SystemExit(2)


def _print_error(message) -> None:
    text = " ".join(str(message).split()) or "unknown error"
    print(f"error: {text}", file=sys.stderr)


def _number(kind, lo=None, hi=None, *, lo_open=False, what="number"):
    """An argparse type: an int or a finite float within bounds, with a message saying so."""
    def convert(text: str):
        try:
            value = kind(text)
        except (ValueError, OverflowError):
            raise argparse.ArgumentTypeError(f"expected a {what}; got {text!r:.60}") from None
        if kind is float and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a finite {what}; got {text!r:.60}")
        if (lo is not None and (value < lo or (lo_open and value == lo))) or \
                (hi is not None and value > hi):
            span = (f"> {lo:g}" if lo_open else f">= {lo:g}") if lo is not None else ""
            if hi is not None:
                span = (span + " and " if span else "") + f"<= {hi:g}"
            raise argparse.ArgumentTypeError(f"expected a {what} {span}; got {text:.60}")
        return value
    convert.__name__ = what        # argparse names the type in some messages
    return convert


_SEED = _number(int, 0, 2**63 - 1, what="whole number (a seed)")

def _beta(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r} (use e.g. 0, 2.5 or inf)") \
            from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"beta must be >= 0 (0 = coin flips, inf = perfect "
                                         f"labels); got {text}")
    return value


def _data_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("data (the built-in synthetic language, unless --data is given)")
    g.add_argument("--data", metavar="FILE.jsonl",
                   help="use your own JSONL file in any TRL preference format (standard or "
                        "conversational, explicit or implicit prompt, optional 'margin' "
                        "column) or rmteach's ranked lists {\"prompt\", \"responses\": "
                        "[...], \"ranking\": [...]} (indices, best first)")
    g.add_argument("--format", choices=("auto", *FORMATS), default="auto",
                   help="the format of --data; auto detects it from the first line, and every "
                        "line must then be in it (default: auto)")
    g.add_argument("--prompts", type=_number(int, 1, 1600, what="whole number"), default=1000,
                   metavar="N",
                   help="built-in data: number of prompts, one ranked list each, at most 1600 "
                        "(default: 1000)")
    g.add_argument("--min-n", type=_number(int, 2, 50, what="whole number"), default=2,
                   help="built-in data: fewest responses per prompt (default: 2)")
    g.add_argument("--max-n", type=_number(int, 2, 50, what="whole number"), default=9,
                   help="built-in data: most responses per prompt; InstructGPT used 4..9 "
                        "(default: 9)")
    g.add_argument("--beta", type=_beta, default=math.inf,
                   help="built-in data: annotator rationality β; inf = perfect labels, "
                        "0 = coin flips (default: inf)")
    g.add_argument("--heldout-fraction", type=_number(float, 0.0, 0.99), default=0.2,
                   help="share of prompts held out for evaluation, split by prompt "
                        "(default: 0.2)")
    g.add_argument("--seed", type=_SEED, default=0,
                   help="seed for the data, the initial weights and the shuffling (default: 0)")


def build_parser() -> argparse.ArgumentParser:
    from ..model.training import DEFAULTS

    parser = _Parser(
        prog="python -m rmteach",
        description="Train and inspect a tiny RLHF reward model r(x, y) = h_last · W_r.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    t = sub.add_parser(
        "train", help="train a reward model and print a summary",
        description="Train a TinyRewardModel on preference data and evaluate it on held-out "
                    "prompts. With --json the last printed line is one JSON object.")
    g = t.add_argument_group("loss")
    g.add_argument("--loss", choices=LOSSES, default=None,
                   help="pairwise: −log Sigmoid(r_a − r_b − m) (Eq. 4.37); listwise: "
                        "Eq. 4.57 averaged over each list; plackett-luce: Eqs. 4.58–4.61 "
                        "(default: listwise, or pairwise when --data has a 'margin' column)")
    g.add_argument("--mode", choices=MODES, default="grouped",
                   help="grouped: one ranked list per batch element, each response scored "
                        "once (InstructGPT); exploded: every pair its own shuffled example "
                        "(default: grouped)")
    g.add_argument("--margin", type=_number(float, 0.0), default=0.0,
                   help="margin m of the pairwise loss (pairwise only; default: 0)")
    g.add_argument("--center-coef", type=_number(float, 0.0, 1e6), default=0.0,
                   help="weight of the centering penalty mean (r_a + r_b)^2 (default: 0)")
    _data_options(t)
    g = t.add_argument_group("optimisation")
    g.add_argument("--epochs", type=_number(int, 1, 100_000, what="whole number"),
                   default=CLI_DEFAULTS["epochs"],
                   help="most passes over the training data; with --patience, training stops "
                        f"earlier (default: {CLI_DEFAULTS['epochs']})")
    g.add_argument("--validation-fraction", type=_number(float, 0.0, 0.9),
                   default=CLI_DEFAULTS["validation_fraction"],
                   help="share of the training prompts set aside to choose the epoch whose "
                        "model is kept (best validation pairwise accuracy, then loss); the "
                        "held-out split is never used for that; 0 = none (default: "
                        f"{CLI_DEFAULTS['validation_fraction']})")
    g.add_argument("--patience", type=_number(int, 0, 100_000, what="whole number"),
                   default=CLI_DEFAULTS["patience"],
                   help="stop after this many epochs without a better validation epoch; 0 = "
                        f"run every epoch (default: {CLI_DEFAULTS['patience']})")
    g.add_argument("--lr", type=_number(float, 0.0, 10.0, lo_open=True,
                                        what="learning rate"),
                   default=CLI_DEFAULTS["lr"],
                   help=f"AdamW learning rate, > 0 and <= 10 (default: {CLI_DEFAULTS['lr']:g})")
    g.add_argument("--batch-size", type=_number(int, 1, 1_000_000, what="whole number"),
                   default=DEFAULTS["batch_size"],
                   help="lists per batch (grouped) or pairs per batch (exploded) "
                        f"(default: {DEFAULTS['batch_size']})")
    g.add_argument("--weight-decay", type=_number(float, 0.0),
                   default=CLI_DEFAULTS["weight_decay"],
                   help=f"AdamW weight decay (default: {CLI_DEFAULTS['weight_decay']:g})")
    g.add_argument("--ema", type=_number(float, 0.0, 0.9999, what="decay"),
                   default=CLI_DEFAULTS["ema"],
                   help="keep a moving average of the weights, updated after every step "
                        "with this decay, and measure, choose and save that average (it "
                        "smooths the last steps' noise, which helps most on small data); "
                        f"0 = off (default: {CLI_DEFAULTS['ema']:g})")
    g = t.add_argument_group("model and machine")
    g.add_argument("--d-model", type=_number(int, 2, 1024, what="whole number"),
                   default=CLI_DEFAULTS["d_model"],
                   help="width of the hidden states h (= parameters in W_r); the notebooks' "
                        f"model has 32 (default: {CLI_DEFAULTS['d_model']})")
    g.add_argument("--layers", type=_number(int, 1, 24, what="whole number"), default=2,
                   help="transformer layers in the backbone (default: 2)")
    g.add_argument("--dropout", type=float, default=CLI_DEFAULTS["dropout"],
                   help="dropout inside the transformer while training (default: "
                        f"{CLI_DEFAULTS['dropout']:g})")
    g.add_argument("--pooling", choices=("last", "sum"), default=CLI_DEFAULTS["pooling"],
                   help="what the head W_r reads: last = h_last, the book's reward model (the "
                        "notebooks' default); sum = the sum of every token's h, a sum of "
                        "per-token rewards, which learns rules made of word counts, lengths "
                        "and prompt matches far better "
                        f"(default: {CLI_DEFAULTS['pooling']})")
    g.add_argument("--pretrain", action=argparse.BooleanOptionalAction,
                   default=CLI_DEFAULTS["pretrain"],
                   help="first pre-train the backbone as a language model (next-token "
                        "prediction) on the texts of the training split, prompt then "
                        "response, labels unused, as InstructGPT's reward model starts from "
                        "a pre-trained model; then train on the preferences "
                        f"(default: {'on' if CLI_DEFAULTS['pretrain'] else 'off'})")
    g.add_argument("--pretrain-epochs", type=_number(int, 1, 10_000, what="whole number"),
                   default=None,
                   help="passes over the texts when pre-training (with --pretrain; default: "
                        f"{CLI_DEFAULTS['pretrain_epochs']})")
    g.add_argument("--max-vocab", type=int, default=CLI_DEFAULTS["max_vocab"], metavar="N",
                   help="--data: add at most N words of your file to the vocabulary, the most "
                        f"frequent; the rest read as <unk> (default: {CLI_DEFAULTS['max_vocab']})")
    g.add_argument("--min-count", type=int, default=CLI_DEFAULTS["min_count"], metavar="K",
                   help="--data: a word of your file needs K occurrences to get its own token "
                        f"(default: {CLI_DEFAULTS['min_count']})")
    g.add_argument("--device", default="auto",
                   help="auto (cuda, then mps, then cpu), cpu, cuda, cuda:N or mps "
                        "(default: auto)")
    g.add_argument("--threads", type=_number(int, 1, 1024, what="whole number"), default=1,
                   help="CPU threads for torch while training (default: 1)")
    g = t.add_argument_group("output")
    g.add_argument("--json", action="store_true",
                   help="print the summary as one JSON object on the last line")
    g.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    g.add_argument("--save", metavar="PATH",
                   help="save the trained model as a safe checkpoint (state_dict + config)")

    d = sub.add_parser(
        "data", help="write the built-in preference data as JSONL",
        description="Write the built-in synthetic data (train and held-out) as JSONL in the "
                    "ranked-list layout, or as TRL pairs with --pairs.")
    _data_options(d)
    d.add_argument("--out", required=True, metavar="FILE.jsonl", help="where to write")
    d.add_argument("--to", choices=FORMATS, default=None, metavar="FORMAT",
                   help="the format to write: " + ", ".join(FORMATS) + "; a pair format "
                        "writes each ranked list as its implied pairs (default: ranked, or "
                        "the format of --data)")
    d.add_argument("--pairs", action="store_true",
                   help="same as --to standard-explicit: one {prompt, chosen, rejected} line "
                        "per implied pair")
    from ..course.lab import add_parser as _add_lab_parser

    _add_lab_parser(sub)
    return parser


#: command -> the argparse dests that name a file it reads / writes (checked before work)
INPUT_FILES = {"train": ("data",), "data": ("data",)}
OUTPUT_FILES = {"train": ("save",), "data": ("out",)}


def _check_before_work(args) -> None:
    """Every flag and path checked before any data is made or any model trained."""
    import os

    from ..data._io import check_input_file, check_output_path

    min_n, max_n = getattr(args, "min_n", None), getattr(args, "max_n", None)
    if min_n is not None and max_n is not None and min_n > max_n:
        raise ValueError(f"--min-n ({args.min_n}) must be <= --max-n ({args.max_n}).")
    if getattr(args, "command", None) == "train":
        if args.lr * args.weight_decay >= 1.0:
            raise ValueError(f"--weight-decay {args.weight_decay:g} is too large for --lr "
                             f"{args.lr:g}: AdamW shrinks every weight by lr·weight_decay = "
                             f"{args.lr * args.weight_decay:.3g} of itself per step, which must "
                             "stay below 1; lower --weight-decay.")
        if args.margin and args.loss is None:
            raise ValueError("--margin applies to --loss pairwise only (Llama 2's margin loss); "
                             "add --loss pairwise (without --loss the loss is listwise, or "
                             "pairwise with the margins of --data's 'margin' column).")
        if args.margin and args.loss != "pairwise":
            raise ValueError(f"--margin applies to --loss pairwise only (Llama 2's margin "
                             f"loss); --loss {args.loss} has none.")
        if args.d_model % 2:
            raise ValueError(f"--d-model must be even (the model has 2 attention heads); "
                             f"got {args.d_model}.")
        if args.pretrain_epochs is not None and not args.pretrain:
            raise ValueError(f"--pretrain-epochs {args.pretrain_epochs} needs --pretrain (it "
                             "sets how long the pre-training runs).")
        if args.pretrain_epochs is None:
            args.pretrain_epochs = CLI_DEFAULTS["pretrain_epochs"]
        from ..model.network import pick_device

        try:
            pick_device(args.device)
        except ValueError as exc:
            raise ValueError(f"--device: {exc}") from None
    command = getattr(args, "command", None)
    inputs = {f"--{d.replace('_', '-')}": getattr(args, d, None)
              for d in INPUT_FILES.get(command, ())}
    inputs = {flag: path for flag, path in inputs.items() if path}
    outputs = {f"--{d.replace('_', '-')}": getattr(args, d, None)
               for d in OUTPUT_FILES.get(command, ())}
    for flag, path in inputs.items():
        check_input_file(path, flag)
    for flag, path in outputs.items():
        if path is None:
            continue
        check_output_path(path, flag)
        for in_flag, in_path in inputs.items():
            if os.path.realpath(path) == os.path.realpath(in_path):
                raise ValueError(f"{flag} {path!r} is the {in_flag} file; writing there would "
                                 "overwrite your data. Choose another file name.")
