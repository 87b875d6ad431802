"""Build the stored runs of notebook 06's grouping comparison and of its fourth arm.

    python tools/build_grouping_cache.py        # rmteach/_cache/grouping_runs.pt and
                                                # rmteach/_cache/grouping_one_list.json
    python tools/build_grouping_cache.py --out /tmp/x.json      # the fourth arm only

The comparison (:func:`rmteach.widgets.grouping_store.grouping_doc`: three arms, five seeds,
fifteen tiny models with their histories and weights) is stored so that the notebook loads
it instead of training it.  The fourth arm trains grouped listwise training with **one list
per optimiser step** (:func:`rmteach.widgets.grouping.one_list_arm`) on the same five seeds'
data: as many optimiser steps per epoch as small-batch exploded training, yet each response
takes part in one update per epoch.  It tests InstructGPT's explanation of the overfitting
(updates per response) against the other candidate (optimiser steps at a fixed learning
rate).  Training on CPU is deterministic; tests/test_grouping_cache.py re-trains one seed of
each and compares.  Each file is written to a temporary name and renamed, so a failed run
leaves the old one intact.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from build_diagnosis_cache import write  # noqa: E402  (tools/ is this script's folder)

from rmteach.widgets.grouping import ONE_LIST_CACHE, one_list_arm  # noqa: E402
from rmteach.widgets.grouping_store import GROUPING_RUNS, grouping_doc  # noqa: E402


def write_runs(doc: dict, path: Path) -> None:
    import torch

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        torch.save({"about": "notebook 06's grouping comparison; made by "
                             "tools/build_grouping_cache.py", **doc}, tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=None,
                        help="write only the fourth arm, to this file (default: both, to the "
                             "package's stored runs)")
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else ONE_LIST_CACHE
    if out.is_dir():
        print(f"error: --out must be a file name, not the folder {out}", file=sys.stderr)
        return 2
    if args.out is None:
        write_runs(grouping_doc(), GROUPING_RUNS)
        print(f"wrote {GROUPING_RUNS}")
    doc = {"about": "notebook 06: grouped listwise, one list per step; made by "
                    "tools/build_grouping_cache.py", **one_list_arm()}
    write(doc, out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
