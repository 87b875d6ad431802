"""``python -m rmteach``: the command line (:mod:`rmteach.cli`)."""

import sys

from rmteach.cli import main

if __name__ == "__main__":
    sys.exit(main())
