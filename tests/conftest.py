"""Shared pytest wiring for the suite-level tests (notebooks, Binder, browser).

* ``notebook_name``: any test that asks for it runs once per notebook.  The list is the
  fixed suite from CONTRIBUTING.md plus any other ``notebooks/*.ipynb``, so a missing
  suite notebook fails (instead of silently not being tested) and a new one is picked
  up without editing a test.
* ``repo_root`` and ``notebooks_dir``: absolute paths, independent of the cwd.
* ``in_ci()``: True under CI (``CI=true``).  Suite tests that would *skip* on a
  developer machine (no Chromium, no python3.11) *fail* there instead, so CI can never
  go green by skipping the expensive checks.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"

#: The suite, in reading order (names fixed in CONTRIBUTING.md; links and tests use them).
SUITE = (
    "00_start_here.ipynb",
    "01_preference_probability.ipynb",
    "02_pairwise_loss.ipynb",
    "03_listwise_loss.ipynb",
    "04_what_the_loss_does_to_rewards.ipynb",
    "05_training_a_reward_model.ipynb",
    "06_diagnosing_and_comparing.ipynb",
    "07_ties_and_calibration.ipynb",
    "08_best_of_n_and_shortcuts.ipynb",
    "09_reward_hacking_and_kl.ipynb",
    "10_from_rmteach_to_trl.ipynb",
    "11_the_reward_model_inside_dpo.ipynb",
    "12_beyond_one_bradley_terry.ipynb",
)


def notebook_names() -> list[str]:
    """The suite's notebooks plus any other stored notebook, sorted (= reading order)."""
    extra = {p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")}
    return sorted(set(SUITE) | extra)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def skip_or_fail_in_ci(reason: str) -> None:
    """Skip with ``reason`` on a developer machine; fail under CI (a skip there would
    hide that the check never ran)."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: not skipping)", pytrace=False)
    pytest.skip(reason)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "notebook_name" in metafunc.fixturenames:
        names = notebook_names()
        metafunc.parametrize("notebook_name", names, ids=[n.removesuffix(".ipynb")
                                                          for n in names])


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def notebooks_dir() -> Path:
    return NOTEBOOKS_DIR
