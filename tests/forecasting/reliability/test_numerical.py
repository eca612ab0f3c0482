"""Numerical robustness: scale/shift equivariance, constant series, extreme magnitudes,
very long and minimum-length series."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import torch
from reliability_helpers import ALL_MODELS, HORIZON, LOOKBACK, NEURAL, hourly, trm

from tsrm.exceptions import NumericalRangeError, SeriesTooShortError

AFFINE = [(1e-3, 0.0), (7.5, -40.0), (1e6, 1e4), (1.0, 1e9), (1e-6, 2e-5)]


@pytest.fixture(scope="module")
def fitted():
    y = hourly(200)
    return {name: make().fit(y) for name, make in ALL_MODELS.items()}


@pytest.mark.parametrize("name", list(ALL_MODELS))
@pytest.mark.parametrize(("a", "b"), AFFINE, ids=str)
def test_forecast_of_affine_history_is_affine_forecast(name, a, b, fitted):
    """predict(y=a*y+b) == a*predict(y=y)+b: scaling makes the network see the same window."""
    y = hourly(120, seed=7)
    base = fitted[name].predict(y=y).to_numpy()
    moved = fitted[name].predict(y=a * y + b).to_numpy()
    spread = a * y.std()
    np.testing.assert_allclose(moved, a * base + b, rtol=0, atol=1e-5 * spread + 1e-12 * abs(b))


@pytest.mark.parametrize("name", list(NEURAL))
@pytest.mark.parametrize(("a", "b"), [(1e-4, 3.0), (2e5, -1e6)], ids=str)
def test_fitting_on_affine_data_gives_the_affine_forecast(name, a, b):
    """Training itself is equivariant: per-series scaling gives the same scaled data."""
    y = hourly(200)
    base = NEURAL[name]().fit(y).predict().to_numpy()
    moved = NEURAL[name]().fit(a * y + b).predict().to_numpy()
    np.testing.assert_allclose(moved, a * base + b, rtol=0, atol=1e-4 * a * y.std())


@pytest.mark.parametrize("name", list(ALL_MODELS))
@pytest.mark.parametrize("level", [0.0, -1e-6, 1.0, 12345.678, 1e9, -3e15])
def test_constant_series_forecasts_the_constant(name, level):
    y = pd.Series(np.full(100, level), index=pd.RangeIndex(100))
    model = ALL_MODELS[name]().fit(y)
    np.testing.assert_array_equal(model.predict(h=2 * HORIZON + 1).to_numpy(), level)
    np.testing.assert_array_equal(model.predict(y=y + 1.0).to_numpy(), level + 1.0)


@pytest.mark.parametrize("name", list(ALL_MODELS))
@pytest.mark.parametrize("scale", [1e-6, 1e-3, 1.0, 1e3, 1e6, 1e9])
def test_magnitudes_from_micro_to_giga(name, scale):
    y = hourly(200) * scale
    forecast = ALL_MODELS[name]().fit(y).predict().to_numpy()
    assert np.isfinite(forecast).all()
    # The series lives in about [7.5, 12.5] * scale: forecasts stay at that magnitude.
    assert np.all(np.abs(forecast / scale - 10.0) < 6.0), forecast / scale


@pytest.mark.parametrize("name", list(NEURAL))
@pytest.mark.parametrize("scale", [1e-300, 1e300])
def test_extreme_magnitudes_give_finite_forecasts(name, scale):
    y = hourly(200) * scale
    forecast = NEURAL[name]().fit(y).predict().to_numpy()
    assert np.isfinite(forecast).all()
    assert np.all(np.abs(forecast / scale - 10.0) < 6.0)


def test_huge_values_without_scaling_are_a_clear_error():
    with pytest.raises(NumericalRangeError, match="scaling=True"):
        trm(scaling=False).fit(hourly(200) * 1e20)


def test_non_finite_network_output_is_a_clear_error_not_nan(fitted):
    """The last guard: whatever goes wrong inside, predict never returns NaN or inf."""

    class Exploding(torch.nn.Module):
        def forward(self, window):
            return torch.full((window.shape[0], HORIZON), float("inf"))

    model = copy.copy(fitted["DLinear"])  # the fixture keeps its own network
    model.network_ = Exploding()
    with pytest.raises(NumericalRangeError, match="non-finite"):
        model.predict()


@pytest.mark.parametrize("name", list(NEURAL))
def test_very_long_series(name):
    y = hourly(30_000)
    model = NEURAL[name](batch_size=2048).fit(y)
    assert np.isfinite(model.predict().to_numpy()).all()
    assert model.predict().index[0] == y.index[-1] + pd.Timedelta(hours=1)


@pytest.mark.parametrize("name", list(NEURAL))
def test_minimum_length_series(name):
    n = LOOKBACK + HORIZON
    y = hourly(n)
    forecast = NEURAL[name](validation_size=0).fit(y).predict()
    assert np.isfinite(forecast.to_numpy()).all() and len(forecast) == HORIZON
    # Shorter than one window: left-padded and masked, down to horizon + 2 points.
    NEURAL[name](validation_size=0).fit(y.iloc[: HORIZON + 2]).predict()
    with pytest.raises(SeriesTooShortError, match=r"horizon \+ 2"):
        NEURAL[name](validation_size=0).fit(y.iloc[: HORIZON + 1])
    # Where a validation split would leave too little to train on, the series has none.
    model = NEURAL[name](validation_size=HORIZON).fit(hourly(2 * HORIZON + 1))
    assert model.history_["val_loss"] == []


def test_seasonal_naive_minimum_length():
    model = ALL_MODELS["SeasonalNaive"]()
    m = model.season_length
    assert len(model.fit(hourly(m)).predict()) == HORIZON
    with pytest.raises(SeriesTooShortError, match="season"):
        model.fit(hourly(m - 1)).predict()
