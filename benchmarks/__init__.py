"""rmteach's benchmarks: every performance figure of the project comes from here.

    python -m benchmarks             # full run, a few minutes on 2 cores -> benchmarks/results/
    python -m benchmarks --quick     # under a minute -> benchmarks/results/tmp/
    python -m benchmarks --device cuda   # the same on a GPU, results named after the device

Parts (each a ratio measured side by side in the same run):

1. loss kernels (:mod:`benchmarks.loss_kernels`),
2. training cost, grouped listwise vs pair-exploded (:mod:`benchmarks.training`),
3. time to 0.90 held-out accuracy per loss (:mod:`benchmarks.training`),
4. notebook suite execution time (:mod:`benchmarks.notebooks`),
5. widget latency against a naive ``interact`` rebuild (:mod:`benchmarks.widgets`).

Results: ``results.json`` (everything), ``results.md`` (tables, targets met or
missed, with the machine, cores, torch version and device in the header) and
plots.  Timing is never asserted in a test.
"""

from .cli import main

__all__ = ["main"]
