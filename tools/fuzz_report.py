"""How many bad inputs the fuzz tests try, by class, and what came of them.

    python tools/fuzz_report.py [EXAMPLES]      (default 1000 per fuzz test)

Runs every fuzz test of ``tests/test_fuzz_bad_input.py`` with EXAMPLES hypothesis
examples each and prints the table of ``COUNTS``: for each class of input, how many
calls returned a correct finite result and how many raised a ValueError naming the
argument.  Any other outcome (another exception, a NaN, a warning, a message that names
no argument) fails the run with hypothesis's minimal example.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    examples = int(argv[0]) if argv else 1000
    os.environ["RMTEACH_FUZZ_EXAMPLES"] = str(examples)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests import test_fuzz_bad_input as fuzz

    tests = [getattr(fuzz, n) for n in dir(fuzz) if n.startswith("test_")]
    t0 = time.perf_counter()
    for test in tests:
        test()
    seconds = time.perf_counter() - t0
    classes = sorted({c for c, _ in fuzz.COUNTS})
    outcomes = ["correct finite result", "ValueError naming the argument"]
    print(f"| input class | tried | {' | '.join(outcomes)} |")
    print("|---|---|---|---|")
    for c in classes:
        row = [fuzz.COUNTS[c, o] for o in outcomes]
        print(f"| {c} | {sum(row)} | {' | '.join(map(str, row))} |")
    total = sum(fuzz.COUNTS.values())
    print(f"\n{total} calls in {len(tests)} fuzz tests ({examples} examples each, "
          f"{seconds:.0f} s); every one gave a correct finite result or a ValueError "
          "naming the argument.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
