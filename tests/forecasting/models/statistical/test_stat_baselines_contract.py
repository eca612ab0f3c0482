"""ETS, Theta, Naive2 and AutoARIMA follow the fit/predict contract of the other baselines."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from tsrm import ETS, AutoARIMA, FitFailedError, Naive2, Theta, TSRMInputError

M = 12
H = 7


def seasonal_trend(n: int = 96, seed: int = 0, level: float = 50.0) -> np.ndarray:
    """Positive sine of period 12 on a linear trend, with a little noise."""
    t = np.arange(n)
    noise = np.random.default_rng(seed).normal(0.0, 0.3, n)
    return level + 0.2 * t + 5.0 * np.sin(2 * np.pi * t / M) + noise


INDEX = pd.date_range("2024-01-01", periods=96, freq="h")
SERIES = pd.Series(seasonal_trend(), index=INDEX, name="load")
WIDE = pd.DataFrame(
    {"a": seasonal_trend(seed=1), "b": seasonal_trend(seed=2, level=-20.0)}, index=INDEX
).rename_axis(columns="sensor")

MODELS = {
    "ets": lambda: ETS(horizon=H, season_length=M),
    "theta": lambda: Theta(horizon=H, season_length=M),
    "naive2": lambda: Naive2(horizon=H, season_length=M),
    "auto_arima": lambda: AutoARIMA(horizon=H, season_length=M),
}


@pytest.fixture(scope="module", params=list(MODELS))
def fitted_wide(request):
    """Each model fitted once on the two-column frame (fits emit no warnings)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # optimiser chatter is silenced, not leaked
        return MODELS[request.param]().fit(WIDE)


@pytest.mark.parametrize("name", list(MODELS))
def test_series_forecast_shape_index_and_values(name):
    model = MODELS[name]().fit(SERIES)
    forecast = model.predict()
    assert isinstance(forecast, pd.Series)
    assert forecast.name == "load"
    expected = pd.date_range(SERIES.index[-1], periods=H + 1, freq="h")[1:]
    assert forecast.index.equals(expected)
    assert np.isfinite(forecast.to_numpy()).all()
    # The trend is +0.2 a step and the season +-5: forecasts stay near the data's end.
    assert np.abs(forecast.to_numpy() - SERIES.iloc[-M:].mean()).max() < 15
    assert len(model.predict(h=3)) == 3


def test_wide_forecast_shape_and_index(fitted_wide):
    forecast = fitted_wide.predict()
    assert isinstance(forecast, pd.DataFrame)
    assert forecast.shape == (H, 2)
    assert list(forecast.columns) == ["a", "b"]
    assert forecast.columns.name == "sensor"
    assert forecast.index[0] == WIDE.index[-1] + pd.Timedelta(hours=1)
    assert np.isfinite(forecast.to_numpy()).all()
    # series b sits 70 below series a, and so do its forecasts
    assert (forecast["a"] - forecast["b"]).between(55, 85).all()


def test_predict_from_new_history(fitted_wide):
    before = fitted_wide.predict()
    new = WIDE.iloc[:72]
    forecast = fitted_wide.predict(y=new)
    assert forecast.shape == (H, 2)
    assert forecast.index[0] == new.index[-1] + pd.Timedelta(hours=1)
    assert np.isfinite(forecast.to_numpy()).all()
    assert not np.allclose(forecast.to_numpy(), before.to_numpy())
    # the fitted models are untouched by predict(y=...)
    pd.testing.assert_frame_equal(fitted_wide.predict(), before)


def test_new_history_with_other_number_of_series(fitted_wide):
    three = WIDE.assign(c=WIDE["a"])
    if isinstance(fitted_wide, ETS | AutoARIMA):  # per-series parameters are re-used
        with pytest.raises(TSRMInputError, match="2 series"):
            fitted_wide.predict(y=three)
    else:  # Theta refits, Naive2 recomputes: any panel will do
        assert fitted_wide.predict(y=three).shape == (H, 3)


def test_long_and_numpy_input():
    long = WIDE.reset_index(names="ds").melt(id_vars="ds", var_name="unique_id", value_name="y")
    long = long[long["unique_id"] == "b"].iloc[10:]  # one series, 86 points
    forecast = Naive2(horizon=3, season_length=M).fit(long).predict()
    assert list(forecast.columns) == ["unique_id", "ds", "y"]
    assert (forecast["ds"].iloc[0] - long["ds"].iloc[-1]) == pd.Timedelta(hours=1)
    assert Theta(horizon=3, season_length=M).fit(WIDE.to_numpy()).predict().shape == (3, 2)
    assert Theta(horizon=3).fit(SERIES.to_numpy()).predict().shape == (3,)


@pytest.mark.parametrize("name", list(MODELS))
def test_clone_get_params_and_not_fitted(name):
    model = MODELS[name]()
    params = model.get_params()
    assert params["horizon"] == H and params["season_length"] == M
    copy = clone(model)
    assert copy is not model and copy.get_params() == params
    with pytest.raises(NotFittedError):
        copy.predict()
    copy.set_params(horizon=2)
    assert copy.horizon == 2 and model.horizon == H


def test_clone_of_fitted_model_is_unfitted(fitted_wide):
    copy = clone(fitted_wide)
    assert copy.get_params() == fitted_wide.get_params()
    assert not any(k.endswith("_") and not k.startswith("_") for k in vars(copy))


@pytest.mark.parametrize("value", [4.0, 0.0])
@pytest.mark.parametrize("name", list(MODELS))
def test_constant_series_forecasts_the_constant(name, value):
    model = MODELS[name]().fit(np.full(60, value))
    np.testing.assert_allclose(model.predict(), value, atol=1e-6)
    np.testing.assert_allclose(model.predict(y=np.full(30, value + 1)), value + 1, atol=1e-6)


def test_failed_fit_names_the_series(monkeypatch):
    from statsmodels.tsa.forecasting.theta import ThetaModel

    def broken(self, *args, **kwargs):
        raise np.linalg.LinAlgError("SVD did not converge")

    monkeypatch.setattr(ThetaModel, "fit", broken)
    with pytest.raises(FitFailedError, match=r"series 'a'.*SVD did not converge") as info:
        Theta(horizon=2).fit(WIDE)
    assert isinstance(info.value.__cause__, np.linalg.LinAlgError)


@pytest.mark.parametrize(
    "model, match",
    [
        (ETS(error="multiplicative"), "error must be one of"),
        (ETS(trend=None, damped_trend=True), "needs a trend"),
        (ETS(seasonal="add"), "season_length > 1"),
        (ETS(season_length=0), "positive integer"),
        (Theta(theta=0.5), "theta must be >= 1"),
        (Theta(method="box-cox"), "method must be"),
        (Naive2(season_length=1.5), "positive integer"),
        (AutoARIMA(max_D=2), "max_D must be 0 or 1"),
        (AutoARIMA(max_p=-1), "non-negative integer"),
    ],
)
def test_bad_params(model, match):
    with pytest.raises(TSRMInputError, match=match):
        model.fit(SERIES)
