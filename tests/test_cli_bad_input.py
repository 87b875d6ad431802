"""The command line, run as a real process: a bad path, flag or file gives ONE line
``error: ...`` on stderr and exit code 2, never a traceback, and writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _cases(tmp: Path) -> dict[str, list[str]]:
    deep = tmp / "deep.jsonl"
    deep.write_text("[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    tiny = ["--prompts", "20", "--max-n", "3", "--epochs", "1", "--no-progress"]
    # one of each kind as a real process (tests/test_bad_input.py runs many more in-process)
    return {
        "bad flag": ["train", "--lr", "1e30", *tiny],
        "bad path": ["train", *tiny, "--save", str(tmp / "no" / "rm.pt")],
        "bad file": ["train", *tiny, "--data", str(deep)],
    }


def test_the_cli_never_prints_a_traceback(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = {name: subprocess.Popen([sys.executable, "-m", "rmteach", *args], cwd=tmp_path,
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True)
             for name, args in _cases(tmp_path).items()}
    before = sorted(os.listdir(tmp_path))
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=180)
        lines = err.strip().splitlines()
        assert proc.returncode == 2, (name, proc.returncode, err)
        assert len(lines) == 1 and lines[0].startswith("error: "), (name, err)
        assert "Traceback" not in err + out, (name, err)
    assert sorted(os.listdir(tmp_path)) == before       # nothing half-written anywhere
