"""Future-known covariates (X) and calendar features of the window forecasters."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from tests.conftest import TINY
from tsrm import DLinear, TRMForecaster
from tsrm.exceptions import MissingValuesError, TSRMInputError

H = TINY["horizon"]
# Enough optimiser steps for the zero-initialised covariate weight to reach its value.
TRAIN = dict(TINY, max_epochs=12, batch_size=16, learning_rate=1e-2, validation_size=0.1)


def driven(n: int = 360, seed: int = 0) -> tuple[pd.Series, pd.DataFrame]:
    """y_t = noise + 3 x_t with x random and known ahead: the history cannot predict y."""
    rng = np.random.default_rng(seed)
    index = pd.date_range("2021-01-01", periods=n, freq="h")
    x = rng.normal(size=n)
    y = pd.Series(0.3 * rng.normal(size=n) + 3 * x, index=index, name="load")
    return y, pd.DataFrame({"x": x, "unused": rng.normal(size=n)}, index=index)


@pytest.fixture(scope="module")
def data():
    return driven()


@pytest.fixture(scope="module")
def fitted(data):
    y, X = data
    return TRMForecaster(**TRAIN).fit(y[:-H], X=X[:-H])


def mae(forecast: pd.Series, actual: pd.Series) -> float:
    return float(np.abs(forecast.to_numpy() - actual.to_numpy()).mean())


def tail_mae(model, y: pd.Series, X: pd.DataFrame | None, folds: int = 8) -> float:
    """Mean MAE over the last ``folds`` horizons, each forecast from the history before it."""
    errors = []
    for end in range(len(y) - folds * H, len(y), H):
        forecast = model.predict(y=y[:end], X=None if X is None else X[end : end + H])
        errors.append(mae(forecast, y[end : end + H]))
    return float(np.mean(errors))


@pytest.mark.parametrize("cls", [TRMForecaster, DLinear])
def test_known_covariate_beats_history_alone(data, cls):
    y, X = data
    train, kw = (
        y[: -8 * H],
        TRAIN
        if cls is TRMForecaster
        else dict(
            horizon=H, lookback=24, max_epochs=12, batch_size=16, learning_rate=1e-2, verbose=False
        ),
    )
    plain = cls(**kw).fit(train)
    with_x = cls(**kw).fit(train, X=X[: -8 * H])
    plain_mae, x_mae = tail_mae(plain, y, None), tail_mae(with_x, y, X)
    # noise 0.3 vs signal 3 x: the history alone is near 2.4 MAE
    assert x_mae < 0.6 * plain_mae, (x_mae, plain_mae)
    assert with_x.covariates_.columns == ("x", "unused")
    assert with_x.n_params_ == plain.n_params_ + 2  # one weight per covariate


def test_calendar_features_learn_a_day_of_week_pattern():
    rng = np.random.default_rng(1)
    index = pd.date_range("2020-01-06", periods=700, freq="D")
    weekend = np.isin(index.dayofweek, (5, 6)).astype(float)
    y = pd.Series(4.0 * weekend + 0.3 * rng.normal(size=len(index)), index=index)
    # A 3-day look-back cannot see the weekly cycle; the calendar can.
    kw = dict(horizon=H, lookback=3, max_epochs=15, batch_size=16, learning_rate=1e-2)
    kw["verbose"] = False
    plain = DLinear(**kw).fit(y[: -8 * H])
    calendar = DLinear(**kw, calendar_features=("dayofweek",)).fit(y[: -8 * H])
    plain_mae, cal_mae = tail_mae(plain, y, None), tail_mae(calendar, y, None)
    assert cal_mae < 0.7 * plain_mae, (cal_mae, plain_mae)
    assert calendar.covariates_.calendar == ("dayofweek",)


def test_without_x_forecasts_are_byte_identical_to_a_model_never_given_covariates(data):
    """The no-X path (network, parameter count, random draws) is the one before covariates."""
    y, _ = data
    kw = dict(TINY, max_epochs=2)
    a = TRMForecaster(**kw).fit(y).predict()
    b = TRMForecaster(**kw, calendar_features=False).fit(y).predict()
    assert a.to_numpy().tobytes() == b.to_numpy().tobytes()
    model = TRMForecaster(**kw).fit(y)
    assert model.covariates_ is None and not hasattr(model.network_, "weight")


def test_ts_trm_every_supervision_step_gets_the_covariates(fitted, data):
    _, X = data
    window = torch.zeros(1, TINY["lookback"])
    covariates = torch.ones(1, H, 2)
    with torch.no_grad():
        base = fitted.network_.network.supervised(window)
        steps = fitted.network_.supervised(window, covariates)
    term = float(fitted.network_.weight.detach().sum())
    assert abs(term) > 0.1
    for (f0, _), (f1, _) in zip(base, steps, strict=True):
        torch.testing.assert_close(f1 - f0, torch.full_like(f0, term))


def test_predict_beyond_the_horizon_and_from_new_history(fitted, data):
    y, X = data
    forecast = fitted.predict(2 * H - 2, y=y[:-20], X=X)
    assert forecast.index.equals(y.index[-20 : -20 + 2 * H - 2])
    assert mae(forecast, y[-20 : -20 + 2 * H - 2]) < 1.5


def test_long_frames(data):
    y, X = data
    ids = np.repeat(["a", "b"], len(y))
    long_y = pd.DataFrame(
        {"unique_id": ids, "ds": np.tile(y.index, 2), "y": np.r_[y.to_numpy(), -y.to_numpy()]}
    )
    long_x = pd.DataFrame({"unique_id": ids, "ds": np.tile(y.index, 2), "x": np.tile(X.x, 2)})
    cut = long_y.groupby("unique_id").head(len(y) - H)
    model = DLinear(horizon=H, lookback=24, max_epochs=1, verbose=False).fit(cut, X=long_x)
    forecast = model.predict(X=long_x)
    assert list(forecast.columns) == ["unique_id", "ds", "y"] and len(forecast) == 2 * H
    with pytest.raises(TSRMInputError, match="series 'b'"):
        model.predict(X=long_x[long_x.unique_id == "a"])


def test_numpy_input():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 1))
    y = 3 * x[:, 0] + 0.1 * rng.normal(size=200)
    model = DLinear(horizon=H, lookback=24, max_epochs=1, verbose=False).fit(y, X=x)
    assert model.predict(X=x[:H]).shape == (H,)
    with pytest.raises(TSRMInputError, match="rows"):
        model.predict(X=x[: H - 1])


# -- errors -----------------------------------------------------------------------
def test_x_missing_future_rows_names_them(fitted, data):
    y, X = data
    with pytest.raises(TSRMInputError, match=r"lacks 2 of the 6 time steps.*2021-01-15 22:00"):
        fitted.predict(X=X[:-2])
    with pytest.raises(TSRMInputError, match="predict needs X"):
        fitted.predict()


def test_x_with_nan(data):
    y, X = data
    bad = X.copy()
    bad.iloc[5, 0] = np.nan
    with pytest.raises(MissingValuesError, match="X holds 1 NaN.*ffill"):
        DLinear(horizon=H, lookback=24, max_epochs=1, verbose=False).fit(y, X=bad)


def test_x_columns_must_match_fit(fitted, data):
    _, X = data
    with pytest.raises(TSRMInputError, match=r"missing \['unused'\], unexpected \['other'\]"):
        fitted.predict(X=X.rename(columns={"unused": "other"}))


def test_x_at_predict_but_not_fit(data):
    y, X = data
    model = DLinear(horizon=H, lookback=24, max_epochs=1, verbose=False).fit(y)
    with pytest.raises(TSRMInputError, match="fitted without X"):
        model.predict(X=X)


def test_calendar_needs_dates():
    y = np.sin(np.arange(200) / 3)
    with pytest.raises(TSRMInputError, match="calendar_features need dates"):
        DLinear(horizon=H, lookback=24, max_epochs=1, verbose=False, calendar_features=True).fit(y)
    with pytest.raises(TSRMInputError, match="calendar_features must be"):
        DLinear(horizon=H, calendar_features=("weekday",)).fit(y)


def test_onnx_graph_takes_the_covariates(fitted, data, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    import json

    y, X = data
    path = fitted.export_onnx(tmp_path / "m.onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    columns = json.loads(session.get_modelmeta().custom_metadata_map["covariates"])
    assert columns == list(X.columns)
    L = fitted.lookback_
    ends = [len(y) - H, len(y) - 3 * H, len(y) - 5 * H]  # three windows, one batch
    windows = np.stack([y.iloc[e - L : e].to_numpy() for e in ends]).astype(np.float32)
    future = np.stack([X[columns].iloc[e : e + H].to_numpy() for e in ends]).astype(np.float32)
    got = session.run(None, {"window": windows, "covariates": future})[0]
    want = np.stack([fitted.predict(y=y.iloc[e - L : e], X=X).to_numpy() for e in ends])
    np.testing.assert_allclose(got, want, atol=1e-4)
    # Other covariates, other forecasts: the graph reads them.
    moved = session.run(None, {"window": windows, "covariates": future + 1.0})[0]
    assert not np.allclose(moved, got)


def test_traces_take_the_covariates(fitted, data):
    _, X = data
    future = X[-H:]
    forecast, trace = fitted.predict(X=future, return_trace=True)
    pd.testing.assert_series_equal(forecast, fitted.predict(X=future))
    pd.testing.assert_series_equal(trace.steps[-1], forecast)
    # Every step carries the covariate term: other X moves every step by the same amount.
    _, moved = fitted.predict(X=future + 1.0, return_trace=True)
    shifts = [m - s for m, s in zip(moved.steps, trace.steps, strict=True)]
    assert not np.allclose(shifts[0], 0)
    for shift in shifts[1:]:
        np.testing.assert_allclose(shift, shifts[0], atol=1e-6)


def test_intervals_and_quantiles_take_the_covariates(fitted, data):
    y, X = data
    future = X[-H:]
    point = fitted.predict(X=future)
    lower, upper = fitted.predict_interval(X=future, coverage=0.8)
    assert (lower.index == point.index).all()
    assert (lower <= point).all() and (point <= upper).all() and (lower < upper).any()
    quantiles = fitted.predict_quantiles(X=future, quantiles=(0.1, 0.5, 0.9))
    np.testing.assert_allclose(quantiles[0.5], point)
    # The covariates move the interval with the forecast: other X, other centre.
    shifted = fitted.predict_interval(X=future + 1.0, coverage=0.8)
    assert not np.allclose(shifted.lower, lower)
    # From new history, too; and without the X it was fitted with, the error says so.
    fitted.predict_interval(y=y[:-H], X=future)
    with pytest.raises(TSRMInputError, match="X"):
        fitted.predict_interval()


def test_statistical_models_refuse_covariates_in_intervals():
    from tsrm import ETS

    model = ETS(horizon=3).fit(np.arange(30.0) + np.sin(np.arange(30)))
    with pytest.raises(TSRMInputError, match="not supported by ETS"):
        model.predict_interval(X=np.zeros((3, 1)))
    with pytest.raises(TSRMInputError, match="not supported by ETS"):
        model.predict_quantiles(X=np.zeros((3, 1)))


def test_save_load_round_trip(fitted, data, tmp_path):
    _, X = data
    fitted.save(tmp_path / "m")
    loaded = TRMForecaster.load(tmp_path / "m")
    assert loaded.covariates_.columns == fitted.covariates_.columns
    np.testing.assert_array_equal(loaded.covariates_.std, fitted.covariates_.std)
    pd.testing.assert_series_equal(loaded.predict(X=X), fitted.predict(X=X))
    calendar = DLinear(horizon=H, lookback=24, max_epochs=1, verbose=False)
    calendar.set_params(calendar_features=("hour", "dayofweek"))
    y, _ = data
    calendar.fit(y).save(tmp_path / "c")
    again = DLinear.load(tmp_path / "c")
    assert again.covariates_.calendar == ("hour", "dayofweek")
    pd.testing.assert_series_equal(again.predict(), calendar.predict())


def test_a_quantile_network_reads_the_covariates(data):
    y, X = data
    model = TRMForecaster(**{**TRAIN, "max_epochs": 3}, quantiles=(0.1, 0.9)).fit(y[:-H], X=X[:-H])
    future = X[-H:]
    levels = model.predict_quantiles(X=future)
    np.testing.assert_allclose(levels[0.5], model.predict(X=future))
    assert (levels[0.1] <= levels[0.5]).all() and (levels[0.5] <= levels[0.9]).all()
    moved = model.predict_quantiles(X=future + 1.0)
    assert not np.allclose(moved[0.1], levels[0.1])
