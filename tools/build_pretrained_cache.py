"""Build notebook 05's stored pre-trained backbone and its scratch-vs-pre-trained curve.

    python tools/build_pretrained_cache.py                 # rmteach/_cache/pretrained_*.{pt,json}
    python tools/build_pretrained_cache.py --out DIR       # elsewhere (tests compare)
    python tools/build_pretrained_cache.py --backbone-only

Pre-trains the notebooks' model (:func:`rmteach.experiments.pretrained_phi.build_backbone`,
next-token prediction on prompts followed by responses that do what they ask), saves it
as a checkpoint (about 0.1 MB), then trains reward models from scratch and from it on the
same pairs (:func:`~rmteach.experiments.pretrained_phi.curve`: 3 sizes x 5 seeds x 2
starts) and stores the held-out figures.  Training on CPU with one thread is
deterministic, so the same code gives the same numbers; tests/test_pretrained_phi.py
rebuilds the backbone and compares it tensor by tensor.  Rebuild whenever the model, the
pre-training or the data change.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv=None) -> int:
    import torch

    from rmteach.experiments import pretrained_phi as pp
    from rmteach.model.checkpoint import save

    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=pp.CACHE)
    p.add_argument("--backbone-only", action="store_true")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    model, res = pp.build_backbone()
    save(model, args.out / pp.BACKBONE_FILE.name)
    print(f"backbone: {res.texts} texts, next-token loss {res.losses[0]:.3f} -> "
          f"{res.losses[-1]:.3f} nats/token, {time.perf_counter() - t0:.1f} s", flush=True)
    if args.backbone_only:
        return 0
    doc = {"about": "notebook 05, where phi comes from; made by "
                    "tools/build_pretrained_cache.py",
           "pretrain_losses": [round(x, 4) for x in res.losses], "texts": res.texts,
           **pp.curve(backbone=model)}
    tmp = args.out / (pp.CURVE_FILE.name + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    tmp.replace(args.out / pp.CURVE_FILE.name)
    print(f"curve stored, {time.perf_counter() - t0:.1f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
