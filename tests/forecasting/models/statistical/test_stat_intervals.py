"""Intervals and quantiles of the statistical baselines: a normal forecast distribution."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tsrm import ARIMA, ETS, AutoARIMA, Naive, SeasonalNaive, Theta
from tsrm.exceptions import SeriesTooShortError, TSRMInputError

MODELS = {
    "naive": lambda: Naive(horizon=6),
    "seasonal_naive": lambda: SeasonalNaive(horizon=6, season_length=12),
    "arima": lambda: ARIMA(horizon=6),
    "auto_arima": lambda: AutoARIMA(horizon=6, season_length=12),
    "theta": lambda: Theta(horizon=6, season_length=12),
    "ets": lambda: ETS(horizon=6, season_length=12),
}


def monthly(n: int = 96, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 50 + 0.2 * t + 5 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 1, n)
    return pd.Series(values, index=pd.period_range("2000-01", periods=n, freq="M"), name="y")


@pytest.fixture(scope="module", params=list(MODELS))
def fitted(request):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MODELS[request.param]().fit(monthly())


def test_intervals_hold_the_forecast_and_widen_with_coverage(fitted):
    point = fitted.predict()
    lower80, upper80 = fitted.predict_interval(coverage=0.8)
    lower95, upper95 = fitted.predict_interval(coverage=0.95)
    assert isinstance(lower80, pd.Series) and lower80.index.equals(point.index)
    assert (lower95 <= lower80).all() and (lower80 < point).all() and (point < upper80).all()
    assert (upper80 <= upper95).all()
    np.testing.assert_allclose(upper80 - point, point - lower80)  # normal: symmetric


def test_quantiles_are_sorted_and_the_median_is_the_forecast(fitted):
    levels = fitted.predict_quantiles(quantiles=(0.9, 0.1, 0.5))
    assert list(levels) == [0.1, 0.5, 0.9]
    pd.testing.assert_series_equal(levels[0.5], fitted.predict())
    assert (levels[0.1] < levels[0.5]).all() and (levels[0.5] < levels[0.9]).all()


def test_intervals_from_new_history(fitted):
    history = monthly(seed=1).iloc[:80]
    lower, upper = fitted.predict_interval(y=history)
    point = fitted.predict(y=history)
    assert lower.index.equals(point.index) and (lower < point).all() and (point < upper).all()


def test_bad_coverage_and_levels_are_clear_errors():
    model = Naive(horizon=3).fit(monthly())
    with pytest.raises(TSRMInputError, match="coverage"):
        model.predict_interval(coverage=1.5)
    with pytest.raises(TSRMInputError, match="strictly between 0 and 1"):
        model.predict_quantiles(quantiles=(0.0, 0.5))


def test_naive_intervals_cover_a_random_walk_as_promised():
    # 400 random walks: the 80 % interval of the 1- and 4-step forecasts holds the value
    # about 80 % of the time (sigma * sqrt(h) is exact for a random walk).
    rng = np.random.default_rng(0)
    walks = np.cumsum(rng.normal(0, 1, (200, 400)), axis=0)
    history, future = walks[:-4], walks[-4:]
    model = Naive(horizon=4).fit(history)
    lower, upper = model.predict_interval(coverage=0.8)
    inside = (lower <= future) & (future <= upper)
    assert 0.74 < inside[0].mean() < 0.86 and 0.74 < inside[3].mean() < 0.86


def test_seasonal_naive_spread_grows_by_whole_seasons():
    y = monthly()
    lower, upper = SeasonalNaive(horizon=24, season_length=12).fit(y).predict_interval()
    width = (upper - lower).to_numpy()
    np.testing.assert_allclose(width[12:], np.sqrt(2) * width[:12])
    with pytest.raises(SeriesTooShortError, match="season_length \\+ 1"):
        SeasonalNaive(horizon=3, season_length=12).fit(y.iloc[:12]).predict_interval()


def test_a_constant_series_has_no_spread():
    y = pd.Series(np.full(40, 3.0))
    for model in (Theta(horizon=4), ETS(horizon=4), Naive(horizon=4)):
        lower, upper = model.fit(y).predict_interval()
        assert np.array_equal(lower, upper)


def test_ets_intervals_are_the_same_every_call():
    model = ETS(horizon=6, season_length=12, error="mul", seasonal="mul", trend=None)
    model.fit(monthly())
    first, again = model.predict_interval(), model.predict_interval()
    pd.testing.assert_series_equal(first.lower, again.lower)


def test_a_model_without_a_forecast_distribution_says_so():
    from tsrm import Naive2

    model = Naive2(horizon=3, season_length=12).fit(monthly())
    with pytest.raises(TSRMInputError, match="point forecasts only"):
        model.predict_interval()
    with pytest.raises(TSRMInputError, match="point forecasts only"):
        model.predict_quantiles()
