"""Fixtures for the puzzle-data tests: the shared data folder (skip locally, fail on CI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Same lookup as tests/datasets/conftest.py: TSRM_DATA_DIR, then <repo>/../shared/data.
SHARED_DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"


def _find(relative: str) -> Path | None:
    env = os.environ.get("TSRM_DATA_DIR")
    for candidate in ([Path(env)] if env else []) + [SHARED_DATA]:
        if (candidate / relative).exists():
            return candidate
    return None


def _require(relative: str) -> Path:
    found = _find(relative)
    if found is None:
        reason = (
            f"puzzle data {relative} not found in {SHARED_DATA} or TSRM_DATA_DIR "
            f"({os.environ.get('TSRM_DATA_DIR') or 'unset'})"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must provide it.")
        pytest.skip(reason)
    return found


@pytest.fixture(scope="session")
def sudoku_data_dir() -> Path:
    """Folder holding ``sudoku/`` (the shared tdoku lists)."""
    return _require("sudoku/puzzles3_magictour_top1465")


@pytest.fixture(scope="session")
def arc_data_dir() -> Path:
    """Folder holding ``arc/arc_puzzles.zip``."""
    return _require("arc/arc_puzzles.zip")
