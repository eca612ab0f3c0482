"""Season detection: the calendar proposes, the data (M4's test on differences) confirms."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsrm.forecasting.series.index import TimeIndex
from tsrm.forecasting.series.panel import to_panel
from tsrm.forecasting.series.season import detect_season, frequency_seasons, is_seasonal


def _datetime(freq: str) -> TimeIndex:
    return TimeIndex(
        "datetime", pd.Timestamp("2024-01-01"), pd.tseries.frequencies.to_offset(freq).freqstr
    )


@pytest.mark.parametrize(
    ("freq", "expected"),
    [("h", [24, 168]), ("30min", [48, 336]), ("15min", [96, 672]), ("D", [7, 365]),
     ("B", [5]), ("W-SUN", [52]), ("MS", [12]), ("QE", [4]), ("YS", [1])],
)  # fmt: skip
def test_frequency_seasons(freq, expected):
    assert frequency_seasons(_datetime(freq)) == expected


def test_period_index_seasons():
    monthly = TimeIndex("period", "2020-01", "M")
    assert frequency_seasons(monthly) == [12]
    assert frequency_seasons(None) == [] == frequency_seasons(TimeIndex("integer", 9, 1))


def _seasonal(n: int, m: int, seed: int = 0, trend: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return np.sin(2 * np.pi * t / m) + trend * t + rng.normal(0, 0.3, n)


def test_monthly_seasonal_and_trending_series():
    index = pd.period_range("2000-01", periods=240, freq="M")
    assert detect_season(to_panel(pd.Series(_seasonal(240, 12), index=index))) == 12
    # A random walk with drift correlates at every lag; differencing shows it has no season.
    walk = np.cumsum(np.random.default_rng(3).normal(0.5, 1.0, 240))
    assert detect_season(to_panel(pd.Series(walk, index=index))) == 1


def test_too_short_to_test_is_not_seasonal():
    index = pd.period_range("2000-01", periods=30, freq="M")
    assert detect_season(to_panel(pd.Series(_seasonal(30, 12), index=index))) == 1


def test_search_without_a_calendar_finds_the_season_not_its_multiple():
    assert detect_season(to_panel(_seasonal(788, 12, seed=1))) == 12
    assert detect_season(to_panel(_seasonal(2000, 50, seed=2))) == 50


def test_white_noise_has_no_season():
    rng = np.random.default_rng(0)
    assert all(detect_season(to_panel(rng.normal(size=500))) == 1 for _ in range(5))


def test_is_seasonal_needs_three_seasons():
    y = _seasonal(35, 12)
    assert not is_seasonal(y, 12) and not is_seasonal(y, 1)
    assert is_seasonal(_seasonal(120, 12), 12)


@pytest.mark.parametrize("seed", [1, 2])
def test_search_finds_a_daily_cycle_on_a_wandering_level(seed):
    # The level's random walk keeps every detrended lag high; the differences show the cycle.
    rng = np.random.default_rng(seed)
    t = np.arange(3000)
    walk = np.cumsum(rng.normal(0, 0.1, 3000))
    y = walk + np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.1, 3000)
    assert detect_season(to_panel(y)) == 24
    assert detect_season(to_panel(np.cumsum(rng.normal(0, 1, 3000)))) == 1


def test_search_takes_the_season_most_series_find():
    # The first series alone would say 96, a multiple the others also pass the test at.
    panel = np.stack(
        [_seasonal(2000, 96, seed=0)] + [_seasonal(2000, 24, seed=s) for s in (1, 2, 3, 4)]
    )
    assert detect_season(to_panel(panel.T)) == 24
