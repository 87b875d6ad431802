"""Build the stored fourth arm of notebook 06's grouping comparison.

    python tools/build_grouping_cache.py            # rmteach/_cache/grouping_one_list.json
    python tools/build_grouping_cache.py --out /tmp/x.json

Trains grouped listwise training with **one list per optimiser step**
(:func:`rmteach.widgets.grouping.one_list_arm`) on the five seeds' data of the notebook's
comparison: as many optimiser steps per epoch as small-batch exploded training, yet each
response takes part in one update per epoch.  It tests InstructGPT's explanation of the
overfitting (updates per response) against the other candidate (optimiser steps at a fixed
learning rate).  Training on CPU is deterministic; tests/test_grouping_cache.py rebuilds
one seed and compares.  Written to a temporary name and renamed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from build_diagnosis_cache import write  # noqa: E402  (tools/ is this script's folder)

from rmteach.widgets.grouping import ONE_LIST_CACHE, one_list_arm  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(ONE_LIST_CACHE),
                        help="file to write (default: the package's stored runs)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if out.is_dir():
        print(f"error: --out must be a file name, not the folder {out}", file=sys.stderr)
        return 2
    doc = {"about": "notebook 06: grouped listwise, one list per step; made by "
                    "tools/build_grouping_cache.py", **one_list_arm()}
    write(doc, out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
