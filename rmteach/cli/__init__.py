"""The command line, the top layer: ``python -m rmteach train | data | lab``.

:mod:`.parser` holds the flags, their defaults and the checks made before any work;
:mod:`.commands` runs them.  Every error ends in one ``error:`` line and exit code 2.
"""

from .commands import CLI_DEFAULTS, build_parser, main

__all__ = ["CLI_DEFAULTS", "build_parser", "main"]
