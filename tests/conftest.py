"""Shared tiny data sets and tiny models for the tsrm test suite."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch

from tsrm import TRMForecaster
from tsrm.forecasting.models.registry import MODELS, model_class

# The networks under test are tiny: on a small shared CPU, intra-op threads only
# fight each other (a 320x32 matmul takes ~16 ms with 2 threads under load and
# ~16 us with one). One thread keeps the suite fast and its timings stable.
torch.set_num_threads(1)

_FIT = dict(horizon=6, lookback=24, max_epochs=2, batch_size=64, verbose=False)
_ATTENTION = dict(d_model=8, n_heads=2, d_ff=16, n_layers=1, patch_len=8)
#: Per registered model, settings that fit in well under a second on a CPU.
TINY_SETTINGS: dict[str, dict] = {
    # fallback=False: the tests exercise the network (the fallback has its own tests).
    "trm": dict(_FIT, hidden_dim=16, n_supervision=2, n_recursions=1, n_cycles=1, fallback=False),
    "dlinear": dict(_FIT, kernel_size=5),
    "nlinear": dict(_FIT),
    "patchtst": dict(_FIT, **_ATTENTION, stride=4),
    "transformer": dict(_FIT, **_ATTENTION),
    "naive": dict(horizon=6),
    "seasonal-naive": dict(horizon=6, season_length=12),
    "naive2": dict(horizon=6, season_length=12),
    "arima": dict(horizon=6, order=(1, 0, 0)),
    "auto-arima": dict(horizon=6, max_p=1, max_q=1),
    "ets": dict(horizon=6),
    "theta": dict(horizon=6),
}
assert set(TINY_SETTINGS) == set(MODELS), "every registered model needs tiny settings"
TINY = TINY_SETTINGS["trm"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes several seconds (e.g. the CLI demo)")


# -- the shared data folder ----------------------------------------------------
# The project's shared data sits next to the repository: <repo>/../shared/data.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def require_shared_data(relative: str = "") -> Path:
    """The data folder holding ``relative``: TSRM_DATA_DIR, else ../shared/data.

    Missing data skips the test locally but fails it on CI (CI=true), where the data
    must be present: a CI run must never pass by skipping.
    """
    env = os.environ.get("TSRM_DATA_DIR")
    for candidate in ([Path(env)] if env else []) + [SHARED_DATA]:
        if (candidate / relative).exists():
            return candidate
    where = f"{SHARED_DATA} or TSRM_DATA_DIR ({env or 'unset'})"
    reason = f"data {relative or '(folder)'} not found in {where}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must provide it.")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The benchmark data directory (see :func:`require_shared_data`)."""
    return require_shared_data()


@pytest.fixture(scope="session")
def shared_data():
    """``shared_data(relative)``: the data folder holding ``relative`` (skip / CI failure)."""
    return require_shared_data


# -- builders (plain functions, so session fixtures can use them) -------------
def make_hourly_series(n: int = 600, seed: int = 0) -> pd.Series:
    """Noisy daily-seasonal hourly series with a name and a regular DatetimeIndex."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 10.0 + 3.0 * np.sin(2 * np.pi * t / 24) + rng.normal(0.0, 0.3, n)
    index = pd.date_range("2024-01-01", periods=n, freq="h")
    return pd.Series(values, index=index, name="load")


def make_wide_frame(n: int = 400, seed: int = 1) -> pd.DataFrame:
    """Two hourly series sharing one index, as columns 'a' and 'b'."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    frame = pd.DataFrame(
        {
            "a": 5.0 + np.sin(2 * np.pi * t / 24) + rng.normal(0.0, 0.2, n),
            "b": -20.0 + 4.0 * np.cos(2 * np.pi * t / 12) + rng.normal(0.0, 0.5, n),
        },
        index=pd.date_range("2023-06-01", periods=n, freq="h"),
    )
    frame.columns.name = "sensor"
    return frame


def make_long_frame(seed: int = 2) -> pd.DataFrame:
    """Long frame (unique_id, ds, y): 'a' has 300 points, 'b' 220 points ending earlier."""
    rng = np.random.default_rng(seed)
    parts = []
    for uid, start, n, level in (("a", "2024-01-01", 300, 0.0), ("b", "2024-01-02", 220, 50.0)):
        t = np.arange(n)
        parts.append(
            pd.DataFrame(
                {
                    "unique_id": uid,
                    "ds": pd.date_range(start, periods=n, freq="h"),
                    "y": level + np.sin(2 * np.pi * t / 24) + rng.normal(0.0, 0.2, n),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def make_tiny_model(name: str = "trm", **overrides):
    """An unfitted tiny model of registered ``name`` (default TS-TRM), settings overridden."""
    return model_class(name)(**{**TINY_SETTINGS[name], **overrides})


# -- fixtures -----------------------------------------------------------------
@pytest.fixture
def hourly_series() -> pd.Series:
    return make_hourly_series()


@pytest.fixture
def wide_frame() -> pd.DataFrame:
    return make_wide_frame()


@pytest.fixture
def long_frame() -> pd.DataFrame:
    return make_long_frame()


@pytest.fixture(scope="session")
def tiny_model():
    """The tests' one model factory: ``tiny_model(name="trm", **overrides)`` -> unfitted."""
    return make_tiny_model


@pytest.fixture(scope="session")
def make_data():
    """The data builders, for module-scoped fixtures: ``make_data.hourly_series(n=..)``."""
    return SimpleNamespace(
        hourly_series=make_hourly_series,
        wide_frame=make_wide_frame,
        long_frame=make_long_frame,
    )


@pytest.fixture(scope="session")
def fitted_series_model() -> TRMForecaster:
    """A tiny model fitted on ``make_hourly_series()``; tests must not modify it."""
    return make_tiny_model().fit(make_hourly_series())


@pytest.fixture(scope="session")
def fitted_long_model() -> TRMForecaster:
    """A tiny model fitted on ``make_long_frame()``; tests must not modify it."""
    return make_tiny_model().fit(make_long_frame())


# -- the command line (tests/test_cli.py, tests/forecasting/test_forecasting_cli.py) -------------
TINY_FIT = ["--horizon", "6", "--lookback", "24", "--max-epochs", "1"]


def hourly_frame(n: int = 240) -> pd.DataFrame:
    """A CSV-shaped hourly frame: a timestamp, a daily ``load`` and a ``temp`` column."""
    t = np.arange(n)
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "timestamp": pd.date_range("2024-01-01", periods=n, freq="h"),
            "load": 10 + 3 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.3, n),
            "temp": 5 + np.cos(2 * np.pi * t / 24) + rng.normal(0, 0.1, n),
        }
    )


@pytest.fixture(scope="module")
def wide_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "site.csv"
    hourly_frame().to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def model_dir(wide_csv, tmp_path_factory) -> Path:
    from tsrm.cli import main

    out = tmp_path_factory.mktemp("models") / "trm"
    assert main(["fit", str(wide_csv), "-o", str(out), *TINY_FIT]) == 0
    return out


def error_line(capsys) -> str:
    """The one ``tsrm: error:`` line the command printed."""
    err = capsys.readouterr().err
    assert err.startswith("tsrm: error: ") and err.count("\n") == 1, err
    return err
