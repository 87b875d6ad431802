"""Command line: train a tiny reward model, or export the built-in data.

    python -m rmteach train --loss listwise --seed 0 --json
    python -m rmteach train --loss pairwise --mode exploded --margin 0.5 --data my.jsonl
    python -m rmteach data --out prefs.jsonl
    python -m rmteach lab build OUT --notebooks 01,02,03    # nbgrader course (rmteach.course.lab)
    python -m rmteach data --data mine.jsonl --to conversational-implicit --out for_trl.jsonl

``train`` prints a summary; with ``--json`` its last line is one JSON object with
the keys loss, heldout_accuracy, heldout_loss, kendall_tau, train_seconds,
device, forward_passes, params_backbone and params_head (plus a few more).
"""

from __future__ import annotations

import json
import math
import sys
import warnings

from .parser import CLI_DEFAULTS, _check_before_work, _print_error, build_parser

__all__ = ["CLI_DEFAULTS", "build_parser", "main"]


def _load_data(args):
    from ..data.generate import PreferenceData, make_preference_data

    if getattr(args, "data", None):
        from ..data.jsonl import read_jsonl_with_format

        items, args.detected_format = read_jsonl_with_format(args.data, format=args.format)
        args.items = items
        return PreferenceData.from_items(items, heldout_fraction=args.heldout_fraction,
                                         seed=args.seed)
    return make_preference_data(args.prompts, min_n=args.min_n, max_n=args.max_n,
                                beta=args.beta, heldout_fraction=args.heldout_fraction,
                                seed=args.seed)


def _finite(x):
    return None if x is None or not math.isfinite(x) else x


def _cmd_train(args) -> int:
    from ..model.training import train

    data = _load_data(args)
    margins = any(x.margin is not None for x in data.train)
    if args.loss is None:
        args.loss = "pairwise" if margins else "listwise"
    if args.data and not args.json:
        print(f"read {args.data}: format {args.detected_format}, {len(args.items)} items"
              + ("; its 'margin' column is used by the pairwise margin loss" if margins else ""))
    from ..model.network import TinyRewardModel, Vocabulary

    vocab = Vocabulary.from_items(data.train, max_words=args.max_vocab,
                                  min_count=args.min_count)
    if args.data and not args.json:
        print(f"vocabulary: {len(vocab)} tokens; "
              + (f"{vocab.n_unknown} rarer words of the file read as <unk> (--max-vocab "
                 f"{args.max_vocab}, --min-count {args.min_count})" if vocab.n_unknown
                 else "every word of the training split has its own token"))
    model = TinyRewardModel(vocab, seed=args.seed, d_model=args.d_model, n_layers=args.layers,
                            dropout=args.dropout, pooling=args.pooling)
    pre = None
    if args.pretrain:
        from ..model.pretrain import pretrain, texts_of

        pre = pretrain(model, texts_of(data.train), epochs=args.pretrain_epochs, lr=args.lr,
                       seed=args.seed, device=args.device, threads=args.threads,
                       progress=not args.no_progress)
        if not args.json:
            print(f"pre-trained the backbone on {pre.texts} texts of the training split "
                  f"(next-token loss {pre.losses[0]:.3f} -> {pre.losses[-1]:.3f} nats per "
                  f"token) in {pre.seconds:.2f} s")
    result = train(data, loss=args.loss, mode=args.mode, margin=args.margin,
                   center_coef=args.center_coef, epochs=args.epochs, lr=args.lr,
                   batch_size=args.batch_size, weight_decay=args.weight_decay, seed=args.seed,
                   device=args.device, model=model, threads=args.threads,
                   progress=not args.no_progress, eval_train=False,
                   validation_fraction=args.validation_fraction,
                   patience=args.patience or None if args.validation_fraction else None,
                   ema=args.ema)
    final = result.final
    summary = {
        "loss": args.loss,
        "mode": args.mode,
        "heldout_accuracy": _finite(final.accuracy) if final else None,
        "heldout_loss": _finite(final.listwise_loss) if final else None,
        "heldout_log_loss": _finite(final.log_loss) if final else None,
        "heldout_ties": final.ties if final else None,
        "kendall_tau": _finite(final.kendall_tau) if final else None,
        "kendall_tau_against": "truth" if data.synthetic else "labels",
        "train_seconds": round(result.train_seconds, 4),
        "seconds_per_epoch": [round(s, 4) for s in result.seconds_per_epoch],
        "device": result.device,
        "forward_passes": result.forward_passes,
        "forward_passes_per_epoch": result.forward_passes_per_epoch,
        "params_backbone": result.param_counts["backbone"],
        "params_head": result.param_counts["head"],
        "epochs": args.epochs,
        "epochs_run": len(result.history),
        "best_epoch": result.best_epoch,
        "validation_lists": result.config.get("validation_lists", 0),
        "seed": args.seed,
        "beta": None if data.beta is None or math.isinf(data.beta) else data.beta,
        "data": args.data or "built-in",
        "train_lists": result.config["train_lists"],
        "heldout_lists": len(data.heldout),
        "pretrain_loss": [round(x, 4) for x in pre.losses] if pre else None,
        "pretrain_seconds": round(pre.seconds, 4) if pre else None,
    }
    if args.save:
        from ..model.checkpoint import save

        save(result.model, args.save)
        summary["saved"] = args.save
    if not args.json:
        print(f"trained {args.loss} ({args.mode}) on {result.config['train_lists']} lists for "
              f"{len(result.history)} epochs on {result.device} in "
              f"{result.train_seconds:.2f} s")
        if result.best_epoch is not None:
            print(f"kept the model of epoch {result.best_epoch}: the best on "
                  f"{summary['validation_lists']} validation lists (pairwise accuracy, then "
                  "loss; set aside from training; the held-out split chose nothing)")
        print(f"parameters: backbone {summary['params_backbone']}, head "
              f"{summary['params_head']}; forward passes {summary['forward_passes']}")
        if final:
            print(f"held-out: pairwise accuracy {final.accuracy:.4f} ({final.ties} ties), "
                  f"listwise loss {final.listwise_loss:.4f}, Kendall tau "
                  f"{final.kendall_tau:.4f} (vs the {summary['kendall_tau_against']})")
        else:
            print("held-out: none (every prompt went to training)")
        if args.save:
            print(f"saved to {args.save}")
    else:
        print(json.dumps(summary))
    return 0


def _cmd_data(args) -> int:
    from ..data.jsonl import write_jsonl

    data = _load_data(args)
    items = args.items if args.data else [*data.train, *data.heldout]   # a file keeps its order
    fmt = args.to or ("standard-explicit" if args.pairs else
                      getattr(args, "detected_format", None) or "ranked")
    if args.pairs and args.to not in (None, "standard-explicit"):
        raise ValueError(f"--pairs means --to standard-explicit; got --to {args.to} too.")
    write_jsonl(items, args.out, format=fmt)
    with open(args.out, encoding="utf-8") as f:
        lines = sum(1 for _ in f)
    print(f"wrote {lines} lines in format {fmt} to {args.out}")
    return 0


COMMANDS = {"train": _cmd_train, "data": _cmd_data}


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"warning: {' '.join(str(message).split())}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m rmteach`` and the ``rmteach`` script; returns the exit code.

    Every error ends in ONE line ``error: ...`` on stderr and exit code 2, never a
    traceback: bad flags (argparse; raises ``SystemExit(2)``), bad paths (checked before
    any work starts), bad files and bad values.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    saved_showwarning = warnings.showwarning
    warnings.showwarning = _show_warning
    try:
        _check_before_work(args)
        handler = getattr(args, "func", None) or COMMANDS[args.command]
        return handler(args)
    except (ValueError, OSError) as exc:
        _print_error(exc)
        return 2
    except MemoryError:
        _print_error("out of memory; use a smaller data set or model")
        return 2
    except RecursionError:
        _print_error("the input is nested too deeply")
        return 2
    except KeyboardInterrupt:
        _print_error("interrupted; no output was written")
        return 130
    except Exception as exc:  # a bug of ours must not print a traceback either
        _print_error(f"unexpected {type(exc).__name__}: {exc} (this is a bug in rmteach; "
                     "please report it with the command you ran)")
        return 2
    finally:
        warnings.showwarning = saved_showwarning

