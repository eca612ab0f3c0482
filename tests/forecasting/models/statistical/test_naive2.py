"""Naive2 (M4's benchmark): the seasonality test, the decomposition, the forecast."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.tsa.stattools import acf

from tsrm import Naive, Naive2
from tsrm.forecasting.models.statistical.naive2 import seasonal_indices
from tsrm.forecasting.series.season import is_seasonal


def test_pure_season_is_adjusted_by_hand_checked_indices():
    # pattern [1, 2, 3, 2] x 10: the 2x4 moving average is 20 everywhere, so the
    # ratios and indices are exactly [0.5, 1, 1.5, 1]
    y = np.tile([10.0, 20.0, 30.0, 20.0], 4)
    model = Naive2(horizon=6, season_length=4).fit(y)
    assert model.seasonal_ == [True]
    np.testing.assert_allclose(model.seasonal_indices_[0], [0.5, 1.0, 1.5, 1.0])
    # last value 20 at index 1.0 -> 20 * [0.5, 1, 1.5, 1, 0.5, 1]
    np.testing.assert_allclose(model.predict(), [10.0, 20.0, 30.0, 20.0, 10.0, 20.0])


def test_strongly_seasonal_series_gets_roughly_the_true_indices():
    m = 12
    t = np.arange(120)
    factors = 1 + 0.3 * np.sin(2 * np.pi * np.arange(m) / m)
    y = 100 * factors[t % m] * np.exp(np.random.default_rng(0).normal(0, 0.01, 120))
    model = Naive2(horizon=24, season_length=m).fit(y)
    assert model.seasonal_ == [True]
    np.testing.assert_allclose(model.seasonal_indices_[0], factors, atol=0.02)
    forecast = model.predict()
    indices = model.seasonal_indices_[0]
    adjusted_last = y[-1] / indices[(len(y) - 1) % m]
    np.testing.assert_allclose(forecast, adjusted_last * indices[(120 + np.arange(24)) % m])
    assert not np.allclose(forecast, y[-1])  # not the plain naive forecast


def test_non_seasonal_series_equals_naive():
    y = 50 + np.cumsum(np.random.default_rng(1).normal(size=100))
    model = Naive2(horizon=8, season_length=12).fit(y)
    assert model.seasonal_ == [False]
    np.testing.assert_array_equal(model.predict(), Naive(horizon=8).fit(y).predict())
    np.testing.assert_array_equal(model.seasonal_indices_[0], np.ones(12))


@pytest.mark.parametrize("seed", range(5))
def test_seasonality_test_is_m4s_formula(seed):
    m, n = 7, 60
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    y = 10 + rng.uniform(0, 1) * np.sin(2 * np.pi * t / m) + rng.normal(size=n)
    r = acf(y, nlags=m, fft=False)
    expected = abs(r[m]) > 1.645 * np.sqrt((1 + 2 * np.sum(r[1:m] ** 2)) / n)
    assert is_seasonal(y, m) == expected


def test_short_series_are_not_seasonal():
    y = np.tile([10.0, 20.0, 30.0, 20.0], 2)  # 2 seasons < M4's minimum of 3
    assert not is_seasonal(y, 4)
    assert np.array_equal(Naive2(horizon=2, season_length=4).fit(y).predict(), [20.0, 20.0])
    assert np.array_equal(Naive2(horizon=2, season_length=4).fit([7.0]).predict(), [7.0, 7.0])


def test_non_positive_series_uses_additive_indices():
    y = np.tile([-10.0, 0.0, 10.0, 0.0], 5)
    indices = seasonal_indices(y, 4, seasonal=True)
    np.testing.assert_allclose(indices, [-10.0, 0.0, 10.0, 0.0])
    forecast = Naive2(horizon=4, season_length=4).fit(y).predict()
    np.testing.assert_allclose(forecast, [-10.0, 0.0, 10.0, 0.0])


def test_new_history_is_tested_and_decomposed_again():
    seasonal = np.tile([10.0, 20.0, 30.0, 20.0], 4)
    model = Naive2(horizon=3, season_length=4).fit(seasonal)
    flat = 20 + np.random.default_rng(2).normal(size=16)
    np.testing.assert_array_equal(model.predict(y=flat), np.full(3, flat[-1]))
    # a new history in another phase gets indices aligned to its own start
    np.testing.assert_allclose(model.predict(y=seasonal[1:]), [10.0, 20.0, 30.0])


@pytest.mark.parametrize("m, level", [(12, 100.0), (7, 100.0), (12, 0.0)])
def test_indices_match_statsmodels_classical_decomposition(m, level):
    from statsmodels.tsa.seasonal import seasonal_decompose

    t = np.arange(10 * m + 5)  # not a whole number of seasons
    y = level + 0.5 * t + 10 * np.cos(2 * np.pi * t / m)
    y = y + np.random.default_rng(m).normal(size=len(t))
    kind = "multiplicative" if level > 0 else "additive"
    expected = seasonal_decompose(y, model=kind, period=m).seasonal[:m]
    np.testing.assert_allclose(seasonal_indices(y, m, seasonal=True), expected)
