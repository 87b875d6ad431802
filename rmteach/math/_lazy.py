"""Lazy package exports (PEP 562), shared by ``rmteach.model`` and ``rmteach.widgets``:
a name loads its submodule on first use, so importing the package costs nothing."""

from __future__ import annotations

import importlib
import sys


def lazy_exports(package: str, where: dict[str, str], exported: list[str]):
    """``__getattr__`` and ``__dir__`` for ``package``: ``where`` maps a public name to
    the submodule that defines it; any other identifier is tried as a submodule."""

    def __getattr__(name: str):
        if name in where:
            value = getattr(importlib.import_module(f".{where[name]}", package), name)
        elif name.isidentifier() and not name.startswith("__"):
            try:                                     # a submodule: rmteach.model.network
                value = importlib.import_module(f".{name}", package)
            except ModuleNotFoundError as exc:
                if exc.name != f"{package}.{name}":
                    raise
                raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(exported))

    return __getattr__, __dir__
