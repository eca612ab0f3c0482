"""Every input kind comes back as the same kind, with the index continued into the future."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import torch

from tsrm import ForecastTrace

H = 6  # the tiny model's horizon
L = 24  # the tiny model's lookback


def assert_unchanged(data, before) -> None:
    """``data`` equals its deep copy ``before`` (values, dtype, index, names, freq)."""
    if isinstance(data, pd.Series):
        pd.testing.assert_series_equal(data, before, check_freq=True)
    elif isinstance(data, pd.DataFrame):
        pd.testing.assert_frame_equal(data, before, check_freq=True)
        assert data.columns.name == before.columns.name
    else:
        assert data.dtype == before.dtype
        assert np.array_equal(data, before)


def fit_on(tiny_model, data):
    """Fit a tiny model on ``data``; return (model, data, deep copy taken before the fit)."""
    before = copy.deepcopy(data)
    return tiny_model().fit(data), data, before


@pytest.fixture(scope="module")
def range_case(tiny_model, make_data):
    return fit_on(tiny_model, make_data.hourly_series().reset_index(drop=True))


@pytest.fixture(scope="module")
def wide_case(tiny_model, make_data):
    return fit_on(tiny_model, make_data.wide_frame())


@pytest.fixture(scope="module")
def array1d_case(tiny_model, make_data):
    return fit_on(tiny_model, make_data.hourly_series().to_numpy())


@pytest.fixture(scope="module")
def array2d_case(tiny_model, make_data):
    return fit_on(tiny_model, make_data.wide_frame().to_numpy())


@pytest.fixture(scope="module")
def halting_model(tiny_model, make_data):
    # The mixer: its supervision steps differ visibly (the sketch's may nearly agree).
    return tiny_model(halting=True, n_supervision=3, preset="mixer").fit(make_data.wide_frame())


# -- output kinds and indices ---------------------------------------------------------
def test_series_with_hourly_index(fitted_series_model, hourly_series):
    forecast = fitted_series_model.predict()
    assert isinstance(forecast, pd.Series)
    expected = pd.date_range(hourly_series.index[-1], periods=H + 1, freq="h")[1:]
    assert forecast.index.equals(expected)
    assert forecast.index.freq == "h"
    assert forecast.name == "load"
    assert forecast.dtype == np.float64
    assert np.isfinite(forecast.to_numpy()).all()


def test_series_with_range_index(range_case):
    model, data, _ = range_case
    forecast = model.predict()
    assert isinstance(forecast, pd.Series)
    assert forecast.index.equals(pd.RangeIndex(len(data), len(data) + H))
    assert forecast.name == "load"


def test_integer_index_step_is_continued(range_case):
    model, data, _ = range_case
    history = pd.Series(data.to_numpy()[:100], index=pd.RangeIndex(10, 310, 3))
    forecast = model.predict(y=history)
    assert forecast.index.equals(pd.RangeIndex(310, 310 + 3 * H, 3))


def test_wide_frame(wide_case):
    model, data, _ = wide_case
    forecast = model.predict()
    assert isinstance(forecast, pd.DataFrame)
    assert list(forecast.columns) == ["a", "b"]
    assert forecast.columns.name == "sensor"
    expected = pd.date_range(data.index[-1], periods=H + 1, freq="h")[1:]
    assert forecast.index.equals(expected)
    assert np.isfinite(forecast.to_numpy()).all()


def test_long_frame_series_of_different_ends(fitted_long_model, long_frame):
    forecast = fitted_long_model.predict()
    assert list(forecast.columns) == ["unique_id", "ds", "y"]
    assert len(forecast) == 2 * H
    for uid, part in forecast.groupby("unique_id"):
        last = long_frame.loc[long_frame["unique_id"] == uid, "ds"].max()
        expected = pd.date_range(last, periods=H + 1, freq="h")[1:]
        assert pd.DatetimeIndex(part["ds"]).equals(expected), uid
    assert set(forecast["unique_id"]) == {"a", "b"}
    # Series 'b' sits near 50, 'a' near 0: each got its own forecast.
    assert forecast.loc[forecast["unique_id"] == "b", "y"].mean() > 40
    assert abs(forecast.loc[forecast["unique_id"] == "a", "y"].mean()) < 10


def test_long_frame_row_order_does_not_matter(fitted_long_model, long_frame):
    shuffled = long_frame.sample(frac=1.0, random_state=0)
    a = fitted_long_model.predict(y=long_frame)
    b = fitted_long_model.predict(y=shuffled)
    pd.testing.assert_frame_equal(
        a.sort_values(["unique_id", "ds"]).reset_index(drop=True),
        b.sort_values(["unique_id", "ds"]).reset_index(drop=True),
    )


def test_1d_array(array1d_case):
    model, _, _ = array1d_case
    forecast = model.predict()
    assert isinstance(forecast, np.ndarray)
    assert forecast.shape == (H,)


def test_2d_array(array2d_case):
    model, data, _ = array2d_case
    forecast = model.predict()
    assert isinstance(forecast, np.ndarray)
    assert forecast.shape == (H, data.shape[1])


# -- horizons -------------------------------------------------------------------------
def test_shorter_h_is_a_prefix(fitted_series_model):
    full = fitted_series_model.predict()
    short = fitted_series_model.predict(h=3)
    assert len(short) == 3
    assert short.index.equals(full.index[:3])
    assert np.array_equal(short.to_numpy(), full.to_numpy()[:3])


def test_longer_h_is_recursive(fitted_series_model, hourly_series):
    full = fitted_series_model.predict()
    h = 2 * H + 1
    long = fitted_series_model.predict(h=h)
    assert len(long) == h
    expected = pd.date_range(hourly_series.index[-1], periods=h + 1, freq="h")[1:]
    assert long.index.equals(expected)
    assert np.array_equal(long.to_numpy()[:H], full.to_numpy())
    # Steps H+1..2H are the forecast from the history extended by the first H.
    extended = pd.concat([hourly_series, full])
    following = fitted_series_model.predict(y=extended)
    np.testing.assert_allclose(long.to_numpy()[H : 2 * H], following.to_numpy(), atol=1e-4)


# -- forecasting from new data ----------------------------------------------------------
def test_predict_from_new_history_continues_its_index(fitted_series_model, make_data):
    before = {k: v.clone() for k, v in fitted_series_model.network_.state_dict().items()}
    reference = fitted_series_model.predict()
    newer = make_data.hourly_series(n=700, seed=5)
    forecast = fitted_series_model.predict(y=newer)
    assert forecast.index[0] == newer.index[-1] + pd.Timedelta(hours=1)
    assert len(forecast) == H
    older = fitted_series_model.predict(y=newer.iloc[:100])
    assert older.index[0] == newer.index[100]
    assert not np.allclose(forecast.to_numpy(), older.to_numpy())
    # No refit: the weights and the default forecast are untouched.
    after = fitted_series_model.network_.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert np.array_equal(fitted_series_model.predict().to_numpy(), reference.to_numpy())


def test_passing_the_fitted_data_again_gives_the_same_forecast(fitted_series_model, hourly_series):
    implicit = fitted_series_model.predict()
    explicit = fitted_series_model.predict(y=hourly_series)
    assert explicit.index.equals(implicit.index)
    np.testing.assert_allclose(explicit.to_numpy(), implicit.to_numpy(), atol=1e-4)


def test_2d_window_array_is_k_separate_forecasts(fitted_series_model, hourly_series):
    values = hourly_series.to_numpy()
    windows = np.stack([values[-L:], values[100 : 100 + L], 2.0 * values[:L] - 30.0], axis=1)
    forecast = fitted_series_model.predict(y=windows)
    assert forecast.shape == (H, 3)
    for j in range(3):
        single = fitted_series_model.predict(y=windows[:, j])
        np.testing.assert_allclose(forecast[:, j], single, atol=1e-5)


# -- traces and halting ----------------------------------------------------------------
def test_return_trace(fitted_series_model):
    forecast, trace = fitted_series_model.predict(return_trace=True)
    assert isinstance(trace, ForecastTrace)
    assert len(trace.steps) == fitted_series_model.n_supervision
    assert trace.halted_at is None
    for step in trace.steps:
        assert isinstance(step, pd.Series)
        assert step.index.equals(forecast.index)
    np.testing.assert_allclose(trace.steps[-1].to_numpy(), forecast.to_numpy(), atol=1e-6)
    assert np.array_equal(forecast.to_numpy(), fitted_series_model.predict().to_numpy())


def test_return_trace_for_wide_frame_and_short_h(wide_case):
    model, _, _ = wide_case
    forecast, trace = model.predict(h=3, return_trace=True)
    assert forecast.shape == (3, 2)
    for step in trace.steps:
        assert isinstance(step, pd.DataFrame)
        assert step.shape == (3, 2)
        assert list(step.columns) == ["a", "b"]
    np.testing.assert_allclose(trace.steps[-1].to_numpy(), forecast.to_numpy(), atol=1e-6)


def test_halting_model_reports_steps_used(halting_model):
    forecast, trace = halting_model.predict(return_trace=True)
    assert len(trace.steps) == 3
    halted = np.asarray(trace.halted_at)
    assert halted.shape == (2,)
    assert np.issubdtype(halted.dtype, np.integer)
    assert ((halted >= 1) & (halted <= 3)).all()
    for i, column in enumerate(forecast.columns):
        step = trace.steps[halted[i] - 1]
        np.testing.assert_allclose(step[column], forecast[column], atol=1e-5)


def test_halting_model_stops_where_the_head_says(halting_model):
    model = copy.deepcopy(halting_model)
    with torch.no_grad():  # a head that always says "stop"
        model.network_.halting_head.linear.weight.zero_()
        model.network_.halting_head.linear.bias.fill_(5.0)
    forecast, trace = model.predict(return_trace=True)
    assert list(trace.halted_at) == [1, 1]
    assert np.array_equal(forecast.to_numpy(), trace.steps[0].to_numpy())
    assert not np.allclose(forecast.to_numpy(), trace.steps[-1].to_numpy())


# -- inputs are never modified ----------------------------------------------------------
@pytest.mark.parametrize("case", ["range_case", "wide_case", "array1d_case", "array2d_case"])
def test_inputs_not_modified(case, request):
    model, data, before = request.getfixturevalue(case)
    assert_unchanged(data, before)  # by fit
    model.predict(y=data)
    model.predict(y=data, h=2 * H + 1)
    model.predict(y=data, return_trace=True)
    assert_unchanged(data, before)


def test_series_and_long_inputs_not_modified(tiny_model, hourly_series, long_frame):
    for data in (hourly_series, long_frame):
        before = copy.deepcopy(data)
        model = tiny_model(max_epochs=1).fit(data)
        model.predict(y=data, h=2 * H + 1)
        model.predict(y=data, return_trace=True)
        assert_unchanged(data, before)


# -- other network variants ---------------------------------------------------------------
@pytest.mark.parametrize(
    "overrides",
    [
        {"mixer": "attention"},
        {
            "preset": "sketch",
            "hidden_dim": None,
            "n_supervision": None,
            "n_recursions": None,
            "n_cycles": None,
        },
    ],
    ids=["attention", "sketch"],
)
def test_other_network_variants_fit_and_predict(overrides, tiny_model, hourly_series):
    model = tiny_model(max_epochs=1, **overrides).fit(hourly_series.iloc[:300])
    forecast = model.predict()
    assert forecast.shape == (H,)
    assert np.isfinite(forecast.to_numpy()).all()
    if "preset" in overrides:
        assert model.config_.mixer == "sketch"
        assert model.config_.hidden_dim == 64
        assert model.config_.n_supervision == 3


def test_constant_series_is_forecast_as_constant(tiny_model):
    model = tiny_model(max_epochs=1).fit(np.full(200, 7.0))
    forecast = model.predict()
    assert np.isfinite(forecast).all()
    np.testing.assert_allclose(forecast, 7.0, atol=0.05)
