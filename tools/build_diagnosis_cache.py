"""Build the stored runs of notebook 06's diagnosis scenarios.

    python tools/build_diagnosis_cache.py            # rmteach/_cache/diagnosis_runs.json
    python tools/build_diagnosis_cache.py --out /tmp/x.json

Trains the tiny model (``TINY``) once for every scenario of the widget's menu
(:func:`rmteach.widgets.diagnosis.scenario_configs`: ``SCENARIOS`` and
``DEGENERATE_SCENARIOS``) exactly as :func:`~rmteach.widgets.diagnosis.run_diagnosis`
would, and stores the curves and the diagnosis (not the timing).  Training on CPU is
deterministic, so the same code gives the same file; tests/test_diagnosis_cache.py
rebuilds it and compares.  Rebuild it whenever the training, the data, ``TINY`` or
:mod:`experiments.diagnose` change.  The file is written to a temporary name and renamed, so a
failed run leaves the old one intact.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rmteach.widgets.diagnosis import (  # noqa: E402
    STORED_RUNS,
    _run_diagnosis,
    run_to_doc,
    scenario_configs,
)


def build() -> dict:
    """The stored runs, as the JSON document the package reads."""
    runs = [run_to_doc(_run_diagnosis(beta, lr, cfg), cfg) for beta, lr, cfg in
            scenario_configs()]
    return {"about": "notebook 06's diagnosis scenarios; made by "
                     "tools/build_diagnosis_cache.py", "runs": runs}


def write(doc: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(json.dumps(doc, indent=1, sort_keys=True, allow_nan=False) + "\n")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(STORED_RUNS),
                        help="file to write (default: the package's stored runs)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    if out.is_dir():
        print(f"error: --out must be a file name, not the folder {out}", file=sys.stderr)
        return 2
    write(build(), out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
