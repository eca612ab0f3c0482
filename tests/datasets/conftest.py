"""Fixtures for the data-set tests: the shared data folder and session-wide loaded sets."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tsrm.datasets import load_dataset

# The project's shared data folder sits next to the repository: <repo>/../shared/data.
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _find_data_dir() -> Path | None:
    env = os.environ.get("TSRM_DATA_DIR")
    for candidate in ([Path(env)] if env else []) + [SHARED_DATA]:
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The benchmark data directory; skipped when absent, but a failure on CI."""
    found = _find_data_dir()
    if found is None:
        reason = (
            f"benchmark data not found in {SHARED_DATA} or TSRM_DATA_DIR "
            f"({os.environ.get('TSRM_DATA_DIR') or 'unset'})"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must provide it.")
        pytest.skip(reason)
    return found


@pytest.fixture(scope="session")
def loaded(data_dir):
    """``loaded(name)``: each data set loaded once per session."""
    cache = {}

    def get(name: str):
        if name not in cache:
            cache[name] = load_dataset(name, data_dir=data_dir)
        return cache[name]

    return get


@pytest.fixture
def isolated_env(monkeypatch, tmp_path):
    """No TSRM_DATA_DIR and an empty user cache, so only ``data_dir=`` arguments count."""
    monkeypatch.delenv("TSRM_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    return tmp_path
