"""The whole public surface: ``tools/probe_api.py`` over every public module of the package,
in the test command (issue 24).  The heavier variant is ``python tools/probe_api.py --all``."""

from __future__ import annotations

import numpy as np


def test_no_public_function_lets_a_bad_argument_escape(capsys):
    """tools/probe_api.py over the whole package (every public module, not only `__all__`;
    about 4,400 calls to 230 functions, ~20 s of CPU): each required argument set to None,
    a string, -1, 1.5, NaN, inf, [], a set and 10**30 in turn, each keyword to '5', NaN,
    10**11 and 10**400, path arguments to a FIFO, a device, a link to /proc/self/fd/1 and
    a 300-byte name: only ValueError may come out, its text may not be NumPy's or Python's
    ("cannot reshape array", ...), and no call may hang or allocate gigabytes.  A widget
    class is probed through its builder here; `python tools/probe_api.py --all` probes
    both and adds {}, bytes and an object to the bad values."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "tools" / "probe_api.py"
    spec = importlib.util.spec_from_file_location("probe_api", path)
    probe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(probe)
    with np.errstate(all="ignore"):
        code = probe.main([])
    assert code == 0, capsys.readouterr().out[-3000:]
