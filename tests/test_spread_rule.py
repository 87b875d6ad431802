"""One rule for statistics (issue 19): every ± over seeds in the suite is computed by
:class:`rmteach.seeds.Spread` (the sample sd, n − 1) and printed by :func:`rmteach.seeds.pm`
with n beside it. This test reads every module of ``rmteach/`` and every notebook's code
cells and fails on a spread computed another way: a bare ``np.std`` / ``.std()`` /
``statistics.pstdev`` / ``ddof``, or a hand-built ``{mean} ± {sd}``.

A few modules take a standard deviation that is NOT a spread over seeds (z-scoring rewards,
the scale used by post-hoc normalisation): each is listed in ``NOT_A_SEED_SPREAD`` with the
line's text and the reason, so a new use elsewhere still fails.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rmteach.seeds import Spread, pm, spread

ROOT = Path(__file__).resolve().parents[1]
SEEDS_MODULE = "rmteach/experiments/seeds.py"

#: a standard deviation or variance computed directly
STD_CALL = re.compile(r"\bnp\.(?:nan)?(?:std|var)\s*\(|\.(?:std|var)\s*\(|\bp?stdev\s*\(|"
                      r"\bp?variance\s*\(|\bddof\b")
#: a ± assembled by hand in a formatted string: "{...} ± {...}"
HAND_PM = re.compile(r"\}\s*±\s*\{")

#: (file, text on the line, why it is not a spread over seeds)
NOT_A_SEED_SPREAD = [
    ("rmteach/model/evaluate.py", "spreads.append(float(np.std(s)))",
     "the spread of ONE model's rewards within one list (a diagnostic of a single run)"),
    ("rmteach/experiments/overoptimization.py", "zt = (true - true.mean()) / true.std()",
     "z-scores the true rewards of a pool before comparing them with the proxy's"),
    ("rmteach/experiments/overoptimization.py", "zp = (proxy - proxy.mean()) / proxy.std()",
     "z-scores the proxy rewards of a pool"),
    ("rmteach/experiments/policy.py", "self.mu, self.sd = float(raw.mean()), float(raw.std())",
     "standardises a reward model's outputs on reference samples"),
    ("rmteach/experiments/frozen_head.py", "if ref.size < 2 or not np.std(ref) > 0:",
     "post-hoc normalisation: guards against a constant reference set"),
    ("rmteach/experiments/frozen_head.py", "ref.mean()) / ref.std()",
     "post-hoc normalisation (z-scoring) of rewards, the technique notebook 04 teaches"),
    ("rmteach/experiments/seed_tables.py", "gap = gap / r_ref.std()",
     "applies post-hoc normalisation to held-out gaps"),
    ("rmteach/experiments/seed_tables.py", "\"offset_spread\": float(np.std(offsets))",
     "the spread of one head's five per-topic offsets (one run, not seeds)"),
    ("rmteach/experiments/seed_tables.py", "\"relative_spread\": float(np.std(offsets) / scale)",
     "the same, relative to the head's scale"),
    ("rmteach/experiments/seed_tables.py", "\"std\": float(r_out.std())",
     "the level and spread of one head's rewards on a reference set"),
    ("rmteach/widgets/training.py", "if np.std(x) > 0 and np.std(y) > 0",
     "guards a correlation against constant inputs"),
    ("rmteach/experiments/ratings.py", "if rx.std() == 0 or ry.std() == 0:",
     "guards a rank correlation against constant inputs"),
]

def _sources() -> dict[str, list[str]]:
    """path -> lines of code: every module of rmteach/, every notebook's code cells."""
    out = {}
    for p in sorted((ROOT / "rmteach").rglob("*.py")):
        out[p.relative_to(ROOT).as_posix()] = p.read_text(encoding="utf-8").splitlines()
    for p in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(p.read_text(encoding="utf-8"))["cells"]
        out[p.relative_to(ROOT).as_posix()] = [
            line for c in cells if c["cell_type"] == "code"
            for line in "".join(c["source"]).splitlines()]
    return out


SOURCES = _sources()


def offending_lines(path: str, lines: list[str]) -> list[str]:
    """The lines of one file that compute or print a spread outside rmteach.seeds."""
    if path == SEEDS_MODULE:
        return []
    allowed = [text for f, text, _ in NOT_A_SEED_SPREAD if f == path]
    bad = []
    for line in lines:
        code = line.split("#", 1)[0] if not path.endswith(".ipynb") else line
        if (STD_CALL.search(code) and not any(a in line for a in allowed)) or HAND_PM.search(code):
            bad.append(line.strip())
    return bad


@pytest.mark.parametrize("path", list(SOURCES))
def test_no_spread_computed_outside_rmteach_seeds(path):
    bad = offending_lines(path, SOURCES[path])
    assert not bad, (f"{path} computes or prints a spread itself; use rmteach.seeds.spread(...)"
                     f".sd / rmteach.seeds.pm(...) (sample sd, n − 1, n printed): {bad[:3]}")


def test_every_allowed_line_still_exists():
    """An allow-list entry whose line is gone would silently allow nothing; keep it true."""
    for path, text, _ in NOT_A_SEED_SPREAD:
        assert any(text in line for line in SOURCES[path]), (path, text)


def test_the_check_catches_each_way_of_computing_a_spread():
    for line in ("print(f'{a.mean():.2f} ± {a.std():.2f}')", "s = np.std(acc)",
                 "s = statistics.pstdev(v)", "s = np.std(v, ddof=1)", "x = acc.var()",
                 "f\"{m:.3f} ± {s:.3f}\""):
        assert offending_lines("notebooks/xx.ipynb", [line]), line
    assert not offending_lines("notebooks/xx.ipynb", ["print(pm(acc))", "seeds.spread(v).sd"])


def test_pm_is_sample_sd_with_n():
    falls = [1.274, 0.016, 0.101, 0.795, 0.343]      # notebook 08's five falls (review W4)
    assert pm(falls, ".2f") == "0.51 ± 0.53 (sd, n = 5)"
    s = spread(falls)
    assert isinstance(s, Spread) and s.se == pytest.approx(s.sd / 5 ** 0.5)
    assert pm(spread([0.1, 0.3]), ".1f") == "0.2 ± 0.1 (sd, n = 2)"
