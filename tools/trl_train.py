"""Train a reward model with TRL's RewardTrainer on a preference file, the same way at any scale.

    python tools/trl_train.py --data prefs.jsonl                        # one CPU or GPU
    accelerate launch --multi_gpu --num_processes 4 tools/trl_train.py --data prefs.jsonl
    accelerate launch --config_file tools/deepspeed/accelerate_zero2.yaml \\
        tools/trl_train.py --data prefs.jsonl --bf16                       # DeepSpeed ZeRO-2

``--data`` takes any format ``rmteach.data.jsonl`` reads (TRL's four preference formats,
with or without a margin column, or ranked lists); prompts are split into train and
held-out as ``python -m rmteach train`` splits them.  The model is rmteach's hand-over
model (:func:`rmteach.course.trl_bridge.tiny_llama`, a word-level tokenizer built locally):
nothing is downloaded.  Make it bigger with ``--hidden`` and ``--layers``.  The first
process prints TRL's last logged line and the held-out measures as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="tools/trl_train.py", description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="preference JSONL (any rmteach/TRL format)")
    p.add_argument("--steps", type=int, default=200, help="optimizer steps (default: 200)")
    p.add_argument("--batch-size", type=int, default=16, help="pairs per device and step")
    p.add_argument("--lr", type=float, default=3e-3, help="learning rate (default: 3e-3)")
    p.add_argument("--hidden", type=int, default=32, help="hidden size (default: 32)")
    p.add_argument("--layers", type=int, default=2, help="transformer layers (default: 2)")
    p.add_argument("--bf16", action="store_true", help="bf16 mixed precision (GPUs only)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--output-dir", default=None, help="where TRL writes (default: a temp dir)")
    args = p.parse_args(argv)

    from rmteach.course import trl_bridge as tb
    from rmteach.data.generate import PreferenceData
    from rmteach.data.jsonl import read_jsonl
    from rmteach.model.evaluate import metrics_from_scores

    data = PreferenceData.from_items(read_jsonl(args.data), seed=args.seed)
    run = tb.train_with_trl(data.train, steps=args.steps, batch_size=args.batch_size,
                            lr=args.lr, seed=args.seed, hidden=args.hidden, layers=args.layers,
                            bf16=args.bf16,
                            output_dir=args.output_dir or tempfile.mkdtemp(prefix="trl-"))
    if run.trainer.is_world_process_zero():
        held = (metrics_from_scores(data.heldout, tb.hf_scores_by_list(run, data.heldout),
                                    against="labels") if data.heldout else None)
        print(json.dumps({"device": str(run.model.device), "steps": args.steps,
                          "train_seconds": round(run.seconds, 3),
                          "last_log": run.log[-1] if run.log else None,
                          "params": run.param_counts(),
                          "heldout_accuracy": held.accuracy if held else None,
                          "heldout_ties": held.ties if held else None}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
