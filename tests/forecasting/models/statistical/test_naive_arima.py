"""Naive, SeasonalNaive and ARIMA follow the same fit/predict contract as TS-TRM."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from tsrm import ARIMA, Naive, SeasonalNaive, SeriesTooShortError, TSRMInputError


@pytest.fixture(scope="module")
def ar1():
    """Two AR(1) samples (phi 0.7 and -0.4), 300 steps, in a wide frame."""
    rng = np.random.default_rng(0)
    out = np.zeros((300, 2))
    for t in range(1, 300):
        out[t] = np.array([0.7, -0.4]) * out[t - 1] + rng.normal(size=2)
    index = pd.date_range("2020-01-01", periods=300, freq="D")
    return pd.DataFrame(out, index=index, columns=["p", "q"])


@pytest.fixture(scope="module")
def arima_wide(ar1):
    return ARIMA(horizon=5, order=(1, 0, 0)).fit(ar1)


# -- naive forecasts ---------------------------------------------------------------
def test_seasonal_naive_repeats_the_last_season():
    y = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
    forecast = SeasonalNaive(horizon=5, season_length=3).fit(y).predict()
    assert np.array_equal(forecast, [6.0, 7.0, 8.0, 6.0, 7.0])
    assert np.array_equal(
        SeasonalNaive(horizon=2, season_length=3).fit(y).predict(h=7),
        [6.0, 7.0, 8.0, 6.0, 7.0, 8.0, 6.0],
    )


def test_seasonal_naive_with_season_one_is_naive():
    y = np.array([3.0, 1.0, 4.0, 1.0, 5.0])
    assert np.array_equal(SeasonalNaive(horizon=3).fit(y).predict(), [5.0, 5.0, 5.0])


def test_naive_repeats_the_last_value(hourly_series):
    forecast = Naive(horizon=4).fit(hourly_series).predict()
    assert np.array_equal(forecast.to_numpy(), np.full(4, hourly_series.iloc[-1]))


def test_naive_has_only_a_horizon_param():
    assert Naive(horizon=3).get_params() == {"horizon": 3}


def test_baseline_series_output_like_ts_trm(hourly_series):
    forecast = SeasonalNaive(horizon=30, season_length=24).fit(hourly_series).predict()
    assert isinstance(forecast, pd.Series)
    assert forecast.name == "load"
    expected = pd.date_range(hourly_series.index[-1], periods=31, freq="h")[1:]
    assert forecast.index.equals(expected)
    assert forecast.index.freq == "h"
    last_day = hourly_series.to_numpy()[-24:]
    assert np.array_equal(forecast.to_numpy(), np.concatenate([last_day, last_day[:6]]))


def test_baseline_wide_output_like_ts_trm(wide_frame):
    forecast = SeasonalNaive(horizon=5, season_length=12).fit(wide_frame).predict()
    assert isinstance(forecast, pd.DataFrame)
    assert list(forecast.columns) == ["a", "b"]
    assert forecast.columns.name == "sensor"
    expected = pd.date_range(wide_frame.index[-1], periods=6, freq="h")[1:]
    assert forecast.index.equals(expected)
    assert np.array_equal(forecast.to_numpy(), wide_frame.to_numpy()[-12:-7])


def test_baseline_long_output(long_frame):
    forecast = Naive(horizon=3).fit(long_frame).predict()
    assert list(forecast.columns) == ["unique_id", "ds", "y"]
    for uid, part in forecast.groupby("unique_id"):
        history = long_frame[long_frame["unique_id"] == uid]
        assert (part["y"] == history["y"].iloc[-1]).all()
        assert part["ds"].iloc[0] == history["ds"].iloc[-1] + pd.Timedelta(hours=1)


def test_naive_predict_from_new_history(hourly_series):
    model = Naive(horizon=2).fit(hourly_series)
    new = hourly_series.iloc[:50]
    forecast = model.predict(y=new)
    assert np.array_equal(forecast.to_numpy(), [new.iloc[-1]] * 2)
    assert forecast.index[0] == new.index[-1] + pd.Timedelta(hours=1)


def test_seasonal_naive_history_shorter_than_season():
    model = SeasonalNaive(horizon=2, season_length=12).fit(np.arange(30.0))
    with pytest.raises(SeriesTooShortError, match="season"):
        model.predict(y=np.arange(5.0))


@pytest.mark.parametrize(
    "model", [SeasonalNaive(horizon=2, season_length=0), Naive(horizon=0)], ids=["m=0", "h=0"]
)
def test_naive_bad_params(model):
    with pytest.raises(TSRMInputError, match="positive integer"):
        model.fit(np.arange(30.0))


def test_naive_inputs_are_validated(hourly_series):
    bad = hourly_series.copy()
    bad.iloc[3] = np.nan
    with pytest.raises(TSRMInputError, match="NaN"):
        Naive().fit(bad)
    with pytest.raises(TSRMInputError, match="Exogenous"):
        Naive().fit(hourly_series, X=hourly_series)


# -- ARIMA -----------------------------------------------------------------------------
def test_arima_forecasts_an_ar1(arima_wide, ar1):
    forecast = arima_wide.predict()
    assert forecast.shape == (5, 2)
    assert np.isfinite(forecast.to_numpy()).all()
    assert list(forecast.columns) == ["p", "q"]
    assert forecast.index[0] == ar1.index[-1] + pd.Timedelta(days=1)
    # AR(1) without constant: forecasts decay towards 0 as phi**k times the last value.
    phi = arima_wide.results_[0].params[0]
    assert 0.5 < phi < 0.9
    np.testing.assert_allclose(
        forecast["p"].to_numpy(), ar1["p"].iloc[-1] * phi ** np.arange(1, 6), rtol=1e-6
    )
    assert len(arima_wide.predict(h=11)) == 11


def test_arima_predict_from_new_history(arima_wide, ar1):
    new = ar1.iloc[:150]
    forecast = arima_wide.predict(y=new)
    assert forecast.shape == (5, 2)
    assert np.isfinite(forecast.to_numpy()).all()
    assert forecast.index[0] == new.index[-1] + pd.Timedelta(days=1)
    assert not np.allclose(forecast.to_numpy(), arima_wide.predict().to_numpy())


def test_arima_new_history_with_other_number_of_series(arima_wide, ar1):
    three = ar1.assign(r=ar1["p"])
    with pytest.raises(TSRMInputError, match="2 series"):
        arima_wide.predict(y=three)
    with pytest.raises(TSRMInputError):
        arima_wide.predict(y=ar1["p"])


def test_arima_too_short():
    with pytest.raises(SeriesTooShortError, match="needs at least"):
        ARIMA(horizon=3, order=(1, 1, 1), seasonal_order=(0, 1, 1, 12)).fit(np.arange(20.0))


# -- contract -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "model",
    [
        Naive(horizon=3),
        SeasonalNaive(horizon=4, season_length=7),
        ARIMA(horizon=2, order=(2, 0, 1)),
    ],
    ids=["naive", "seasonal", "arima"],
)
def test_clone_and_not_fitted(model):
    copy = clone(model)
    assert copy is not model
    assert copy.get_params() == model.get_params()
    with pytest.raises(NotFittedError):
        copy.predict()


def test_clone_of_fitted_arima_is_unfitted(arima_wide):
    copy = clone(arima_wide)
    assert copy.get_params() == arima_wide.get_params()
    assert not hasattr(copy, "results_")


def test_fit_returns_self(hourly_series):
    model = SeasonalNaive(horizon=3, season_length=24)
    assert model.fit(hourly_series) is model


def test_baselines_do_not_modify_inputs(wide_frame):
    before = wide_frame.copy(deep=True)
    SeasonalNaive(horizon=3, season_length=5).fit(wide_frame).predict(y=wide_frame)
    pd.testing.assert_frame_equal(wide_frame, before, check_freq=True)
