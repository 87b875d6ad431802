"""Build the stored runs of notebook 06's data-mix experiment.

    python tools/build_data_mix_cache.py            # rmteach/_cache/data_mix_runs.json
    python tools/build_data_mix_cache.py --out /tmp/x.json

Trains :func:`rmteach.widgets.data_mix.data_mix_experiment` in notebook 06's setting
(``NB06_MIX``: 200 prompts, "space" made rare, five seeds; ten tiny models, about 4 s on a
2-core CPU) and stores each run's held-out accuracy per topic.  Training on CPU is
deterministic; tests/test_data_mix_cache.py re-trains one seed and compares.  Rebuild it
whenever the training, the data or ``TINY`` change.  Written to a temporary name and
renamed, so a failed run leaves the old file intact.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from build_diagnosis_cache import write  # noqa: E402  (tools/ is this script's folder)

from rmteach.widgets.data_mix import DATA_MIX_CACHE, data_mix_doc  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(DATA_MIX_CACHE),
                        help="file to write (default: the package's stored runs)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if out.is_dir():
        print(f"error: --out must be a file name, not the folder {out}", file=sys.stderr)
        return 2
    write({"about": "notebook 06: the data-mix experiment over five seeds; made by "
                    "tools/build_data_mix_cache.py", **data_mix_doc()}, out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
