"""Tiny models and data shared by the reliability tests (kept fast: one epoch, tiny networks)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tsrm import DLinear, SeasonalNaive, TRMForecaster

HORIZON, LOOKBACK = 6, 24

TRM_TINY = dict(
    horizon=HORIZON,
    lookback=LOOKBACK,
    hidden_dim=8,
    n_supervision=2,
    n_recursions=1,
    n_cycles=1,
    max_epochs=1,
    batch_size=256,
    verbose=False,
)
DLINEAR_TINY = dict(
    horizon=HORIZON, lookback=LOOKBACK, kernel_size=5, max_epochs=1, batch_size=256, verbose=False
)


def trm(**kw) -> TRMForecaster:
    return TRMForecaster(**{**TRM_TINY, **kw})


def dlinear(**kw) -> DLinear:
    return DLinear(**{**DLINEAR_TINY, **kw})


def seasonal_naive(**kw) -> SeasonalNaive:
    return SeasonalNaive(**{"horizon": HORIZON, "season_length": 12, **kw})


NEURAL = {"TRMForecaster": trm, "DLinear": dlinear}
ALL_MODELS = {**NEURAL, "SeasonalNaive": seasonal_naive}


def hourly(n: int = 200, seed: int = 0, start: str = "2024-01-01") -> pd.Series:
    """A noisy 12-step seasonal hourly series with a regular DatetimeIndex."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 10.0 + 2.0 * np.sin(2 * np.pi * t / 12) + rng.normal(0.0, 0.2, n)
    return pd.Series(values, index=pd.date_range(start, periods=n, freq="h"), name="y")
