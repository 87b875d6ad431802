"""``python -m benchmarks [--quick]``: see :mod:`benchmarks.cli`."""

import sys

from .cli import main

sys.exit(main())
