"""Minutes per section of each notebook, for the lab plans of docs/instructors.md.

    python tools/lab_plan_times.py [01 02 ...]

Splits each notebook at its ``##`` headings and prices every section with the guide's
stated rates (the same as ``tests/test_browser_lab.py``'s walk: 150 words a minute,
1.5 min per widget, 1.5 min per self-check quiz, 7 min per exercise), plus the notebook's
measured walk seconds (the guide's table, spread over its code cells).  A plan that skips
sections sums the rows it keeps; the notebook total matches the guide's estimate up to
rounding.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# walk seconds measured by RMTEACH_TIME_WALK (docs/instructors.md, "How the times were measured")
WALK_S = {"00": 5.4, "01": 9.1, "02": 13.8, "03": 17.1, "04": 16.1, "05": 64.0, "06": 67.0,
          "07": 12.0, "08": 15.1, "09": 5.9, "10": 12.1}


def sections(path: Path) -> list[tuple[str, float]]:
    nb = nbformat.read(path, as_version=4)
    n_code = max(1, sum(c.cell_type == "code" for c in nb.cells))
    walk_per_cell = WALK_S.get(path.name[:2], 0.0) / 60 / n_code
    rows: list[list] = [["(top)", 0.0]]
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = re.search(r"^##\s+(.+)$", cell.source, re.M)
            if m and not cell.source.lstrip().startswith("# "):
                rows.append([m.group(1).strip(), 0.0])
            prose = re.sub(r"\$[^$]*\$", " x ", cell.source)
            rows[-1][1] += len(re.findall(r"[A-Za-z]+", prose)) / 150
            continue
        minutes = walk_per_cell
        quizzes = len(re.findall(r"quiz\.show\(", cell.source))
        widget = any(WIDGET_MIME in o.get("data", {}) for o in cell.get("outputs", []))
        minutes += 1.5 * quizzes + (1.5 if widget and not quizzes else 0.0)
        minutes += 7.0 * bool(re.search(r"^\w+\.\w+\.check\(", cell.source, re.M))
        rows[-1][1] += minutes
    return [(title, m) for title, m in rows if m > 0]


def main(argv: list[str]) -> int:
    wanted = argv or [p.name[:2] for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*"))]
    for key in wanted:
        path = next((ROOT / "notebooks").glob(f"{key}_*.ipynb"))
        rows = sections(path)
        print(f"{path.stem}: {sum(m for _, m in rows):.0f} min")
        for title, minutes in rows:
            print(f"  {minutes:5.1f}  {title}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
