"""AutoARIMA: differencing tests, order search, noise-free series, new histories."""

from __future__ import annotations

import numpy as np
import pytest

from tsrm import ARIMA, AutoARIMA, SeriesTooShortError
from tsrm.forecasting.models.statistical.auto_arima import n_diffs, seasonal_strength


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_walk_gets_one_difference(seed):
    walk = np.cumsum(np.random.default_rng(seed).normal(size=200))
    model = AutoARIMA(horizon=4).fit(walk)
    assert model.orders_[0]["order"][1] == 1
    assert model.orders_[0]["seasonal_order"] == (0, 0, 0, 0)
    assert np.isfinite(model.predict()).all()


def test_stationary_series_is_not_differenced():
    rng = np.random.default_rng(4)
    ar = np.zeros(200)
    for t in range(1, 200):
        ar[t] = 0.5 * ar[t - 1] + rng.normal()
    model = AutoARIMA(horizon=3).fit(ar + 10)
    assert model.orders_[0]["order"][1] == 0
    assert model.orders_[0]["trend"] == "c"  # the mean of 10
    assert abs(model.predict(h=50)[-1] - 10) < 1


def test_seasonal_series_gets_a_seasonal_difference():
    t = np.arange(120)
    y = 50 + 5 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(5).normal(0, 0.5, 120)
    assert seasonal_strength(y, 12) > 0.64
    model = AutoARIMA(horizon=12, season_length=12).fit(y)
    order = model.orders_[0]
    assert order["seasonal_order"][1] == 1 and order["seasonal_order"][3] == 12
    truth = 50 + 5 * np.sin(2 * np.pi * np.arange(120, 132) / 12)
    assert np.abs(model.predict() - truth).mean() < 1.0
    # the chosen orders are ARIMA's arguments
    refit = ARIMA(horizon=12, **order).fit(y)
    assert np.abs(refit.predict() - truth).mean() < 1.0


def test_kpss_differencing_count():
    rng = np.random.default_rng(6)
    assert n_diffs(rng.normal(size=150), max_d=2) == 0
    assert n_diffs(np.cumsum(np.cumsum(rng.normal(size=150))), max_d=2) == 2
    assert n_diffs(np.cumsum(rng.normal(size=150)), max_d=0) == 0


def test_exhaustive_and_exact_search_agree_on_an_ar1():
    rng = np.random.default_rng(7)
    y = np.zeros(150)
    for t in range(1, 150):
        y[t] = 0.7 * y[t - 1] + rng.normal()
    kw = dict(horizon=2, max_p=2, max_q=1)
    stepwise = AutoARIMA(**kw).fit(y).orders_[0]
    grid = AutoARIMA(stepwise=False, **kw).fit(y).orders_[0]
    exact = AutoARIMA(approximation=False, **kw).fit(y).orders_[0]
    assert stepwise["order"] == grid["order"] == exact["order"] == (1, 0, 0)


def test_noise_free_series_are_continued_exactly():
    line = 3.0 + 2.0 * np.arange(30)
    model = AutoARIMA(horizon=3).fit(line)
    assert model.orders_[0] == {
        "order": (0, 1, 0),
        "seasonal_order": (0, 0, 0, 0),
        "trend": "c",
    }
    np.testing.assert_allclose(model.predict(), [63.0, 65.0, 67.0])
    np.testing.assert_allclose(model.predict(y=line[:10]), [23.0, 25.0, 27.0])
    season = np.tile([1.0, 5.0, 2.0, 8.0], 10)
    model = AutoARIMA(horizon=6, season_length=4).fit(season)
    np.testing.assert_allclose(model.predict(), [1.0, 5.0, 2.0, 8.0, 1.0, 5.0])


def test_predict_from_new_history_reuses_the_parameters():
    walk = np.cumsum(np.random.default_rng(8).normal(size=150))
    model = AutoARIMA(horizon=3).fit(walk)
    params = np.asarray(model.results_[0].params).copy()
    forecast = model.predict(y=walk[:80])
    assert np.isfinite(forecast).all()
    np.testing.assert_array_equal(model.results_[0].params, params)
    assert abs(forecast[0] - walk[79]) < 3 * np.std(np.diff(walk))


def test_too_short_and_short_seasonal_series():
    with pytest.raises(SeriesTooShortError, match="at least 10"):
        AutoARIMA().fit(np.arange(8.0))
    # fewer than three seasons: a non-seasonal model, no error
    y = np.random.default_rng(9).normal(size=30) + np.tile(np.arange(12.0), 3)[:30]
    model = AutoARIMA(horizon=2, season_length=12).fit(y)
    assert model.orders_[0]["seasonal_order"] == (0, 0, 0, 0)
