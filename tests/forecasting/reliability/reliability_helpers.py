"""Tiny models and data shared by the reliability tests (kept fast: one epoch, tiny networks)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.conftest import make_tiny_model
from tsrm import DLinear, SeasonalNaive, TRMForecaster

HORIZON, LOOKBACK = 6, 24

# One epoch and large batches: these tests check behaviour, not accuracy.
_FAST = dict(horizon=HORIZON, lookback=LOOKBACK, max_epochs=1, batch_size=256)


def trm(**kw) -> TRMForecaster:
    return make_tiny_model("trm", **{**_FAST, "hidden_dim": 8, **kw})


def dlinear(**kw) -> DLinear:
    return make_tiny_model("dlinear", **{**_FAST, **kw})


def seasonal_naive(**kw) -> SeasonalNaive:
    return make_tiny_model("seasonal-naive", **{"horizon": HORIZON, **kw})


NEURAL = {"TRMForecaster": trm, "DLinear": dlinear}
ALL_MODELS = {**NEURAL, "SeasonalNaive": seasonal_naive}


def hourly(n: int = 200, seed: int = 0, start: str = "2024-01-01") -> pd.Series:
    """A noisy 12-step seasonal hourly series with a regular DatetimeIndex."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 10.0 + 2.0 * np.sin(2 * np.pi * t / 12) + rng.normal(0.0, 0.2, n)
    return pd.Series(values, index=pd.date_range(start, periods=n, freq="h"), name="y")
