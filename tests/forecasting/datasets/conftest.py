"""Fixtures for the data-set tests: session-wide loaded sets (``data_dir``: tests/conftest.py)."""

from __future__ import annotations

import pytest

from tsrm.forecasting.datasets import load_dataset


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
