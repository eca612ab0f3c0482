"""Conformal prediction intervals and residual quantiles of the window forecasters."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from safetensors.torch import load_file, save_file

from tests.conftest import make_tiny_model
from tsrm import Interval, TRMForecaster
from tsrm.exceptions import ModelFileError, TSRMInputError
from tsrm.forecasting.neural.conformal import GRID_SIZE, Calibration

LOOKBACK, HORIZON = 24, 6


def noisy_series(n: int, seed: int = 3) -> pd.Series:
    """Daily-seasonal hourly series with noise large enough to need wide intervals."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 5.0 + 2.0 * np.sin(2 * np.pi * t / 24) + rng.normal(0.0, 0.6, n)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=n, freq="h"), name="v")


@pytest.fixture(scope="module")
def data() -> pd.Series:
    return noisy_series(1600)


@pytest.fixture(scope="module")
def model(data) -> TRMForecaster:
    """Fitted on the first 1200 points (the last 30 % of those calibrate the intervals)."""
    return make_tiny_model(max_epochs=4, validation_size=0.3).fit(data.iloc[:1200])


def held_out_windows(data: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Look-back windows ``(lookback, k)`` and their targets ``(horizon, k)`` after point 1200."""
    values = data.to_numpy()
    starts = range(1200, len(values) - LOOKBACK - HORIZON + 1, 2)
    inputs = np.stack([values[s : s + LOOKBACK] for s in starts], axis=1)
    targets = np.stack([values[s + LOOKBACK : s + LOOKBACK + HORIZON] for s in starts], axis=1)
    return inputs, targets


# -- coverage -------------------------------------------------------------------
@pytest.mark.parametrize("coverage", [0.8, 0.9])
def test_intervals_cover_held_out_data_about_as_asked(model, data, coverage):
    inputs, targets = held_out_windows(data)
    lower, upper = model.predict_interval(y=inputs, coverage=coverage)
    covered = float(np.mean((targets >= lower) & (targets <= upper)))
    assert coverage - 0.1 <= covered <= min(coverage + 0.08, 0.98)


def test_calibration_counts_every_validation_window(model):
    n_val = round(0.3 * 1200)
    assert model.calibration_.n.tolist() == [n_val - HORIZON + 1] * HORIZON


# -- output kinds ---------------------------------------------------------------
def test_interval_is_a_pair_of_predict_outputs_around_the_forecast(model):
    interval = model.predict_interval()
    assert isinstance(interval, Interval)
    lower, upper = interval
    point = model.predict()
    for bound in (lower, upper):
        assert isinstance(bound, pd.Series)
        assert bound.index.equals(point.index) and bound.name == point.name
    assert (lower < point).all() and (point < upper).all()
    np.testing.assert_allclose(point - lower, upper - point)  # symmetric


def test_higher_coverage_gives_wider_intervals(model):
    lo80, hi80 = model.predict_interval(coverage=0.8)
    lo95, hi95 = model.predict_interval(coverage=0.95)
    assert ((hi95 - lo95) > (hi80 - lo80)).all()


def test_shorter_h_gives_the_first_steps(model):
    lower, _ = model.predict_interval(h=3)
    assert lower.equals(model.predict_interval()[0].iloc[:3])


def test_long_frame_intervals_come_back_as_long_frames(fitted_long_model, long_frame):
    lower, upper = fitted_long_model.predict_interval(coverage=0.9)
    point = fitted_long_model.predict()
    assert list(lower.columns) == list(point.columns)
    assert lower[["unique_id", "ds"]].equals(point[["unique_id", "ds"]])
    assert (lower["y"] < upper["y"]).all()


def test_numpy_windows_give_arrays(model, data):
    inputs, _ = held_out_windows(data)
    lower, upper = model.predict_interval(y=inputs[:, :5])
    assert lower.shape == upper.shape == (HORIZON, 5)


def test_intervals_scale_with_the_series(model, data):
    history = data.iloc[:1200]
    lower, upper = model.predict_interval(y=history)
    lower10, upper10 = model.predict_interval(y=history * 10.0)
    np.testing.assert_allclose(upper10 - lower10, 10.0 * (upper - lower), rtol=1e-4)


# -- quantiles from the residuals -------------------------------------------------
def test_residual_quantiles_are_sorted_and_monotone(model):
    result = model.predict_quantiles(quantiles=(0.9, 0.1, 0.5, 0.25))
    assert list(result) == [0.1, 0.25, 0.5, 0.9]
    frame = pd.DataFrame(result)
    assert (frame.diff(axis=1).iloc[:, 1:] >= 0).all().all()
    point = model.predict()
    assert (frame[0.1] < point).all() and (point < frame[0.9]).all()


def test_the_median_is_the_point_forecast(model, data):
    pd.testing.assert_series_equal(model.predict_quantiles()[0.5], model.predict())
    history = data.iloc[:1200]
    levels = model.predict_quantiles(y=history, quantiles=(0.5, 0.8))
    pd.testing.assert_series_equal(levels[0.5], model.predict(y=history))


def test_default_levels_are_10_50_90(model):
    assert list(model.predict_quantiles()) == [0.1, 0.5, 0.9]


# -- errors -------------------------------------------------------------------------
@pytest.mark.parametrize("coverage", [0, 1, 1.5, -0.1, True, "0.9", None])
def test_coverage_outside_0_1_is_a_clear_error(model, coverage):
    with pytest.raises(TSRMInputError, match="coverage must be a probability"):
        model.predict_interval(coverage=coverage)


@pytest.mark.parametrize("quantiles", [(0.0, 0.5), (0.5, 1.0), (1.5,), (), "0.5", (True,)])
def test_quantile_levels_outside_0_1_are_a_clear_error(model, quantiles):
    with pytest.raises(TSRMInputError, match="quantiles"):
        model.predict_quantiles(quantiles=quantiles)


def test_h_beyond_horizon_is_a_clear_error(model):
    with pytest.raises(TSRMInputError, match="at most horizon = 6"):
        model.predict_interval(h=HORIZON + 1)


def test_no_validation_split_names_the_fix(data):
    model = make_tiny_model(max_epochs=1, validation_size=0).fit(data.iloc[:300])
    assert model.calibration_ is None
    with pytest.raises(TSRMInputError, match="validation_size"):
        model.predict_interval()
    with pytest.raises(TSRMInputError, match="validation_size"):
        model.predict_quantiles()


def test_too_few_validation_windows_for_the_coverage(data):
    # validation_size=horizon holds exactly one validation window.
    model = make_tiny_model(max_epochs=1, validation_size=HORIZON).fit(data.iloc[:300])
    with pytest.raises(TSRMInputError, match="at least 9 validation residuals"):
        model.predict_interval(coverage=0.9)


# -- persistence ----------------------------------------------------------------------
def test_save_load_keeps_intervals_and_quantiles(model, tmp_path):
    model.save(tmp_path)
    loaded = TRMForecaster.load(tmp_path)
    for a, b in zip(loaded.predict_interval(), model.predict_interval(), strict=True):
        pd.testing.assert_series_equal(a, b)
    pd.testing.assert_frame_equal(
        pd.DataFrame(loaded.predict_quantiles()), pd.DataFrame(model.predict_quantiles())
    )


def test_model_without_calibration_saves_and_loads(data, tmp_path):
    model = make_tiny_model(max_epochs=1, validation_size=0).fit(data.iloc[:300])
    model.save(tmp_path)
    assert TRMForecaster.load(tmp_path).calibration_ is None


def test_incomplete_saved_calibration_is_refused(model, tmp_path):
    model.save(tmp_path)
    weights = tmp_path / "model.safetensors"
    tensors = load_file(weights)
    del tensors["calibration.signed"]
    save_file(tensors, weights)
    with pytest.raises(ModelFileError, match="calibration"):
        TRMForecaster.load(tmp_path)


def test_calibration_that_does_not_match_the_horizon_is_refused(model, tmp_path):
    model.save(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    config["calibration"]["n"] = config["calibration"]["n"][:-1]
    (tmp_path / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match="calibration"):
        TRMForecaster.load(tmp_path)


# -- the calibration itself -----------------------------------------------------------
@pytest.mark.parametrize("n", [19, 50, 120])
def test_half_width_is_the_finite_sample_conformal_order_statistic(n):
    rng = np.random.default_rng(n)
    residuals = rng.normal(size=(n, 2))
    calibration = Calibration.from_residuals(residuals)
    for coverage in (0.5, 0.8, 0.9):
        k = math.ceil((n + 1) * coverage)
        expected = np.sort(np.abs(residuals), axis=0)[k - 1]
        np.testing.assert_array_equal(calibration.half_width(coverage), expected)


def test_half_width_with_more_residuals_than_grid_levels_is_at_most_one_step_wider():
    n = 5 * GRID_SIZE
    residuals = np.random.default_rng(0).normal(size=(n, 1))
    width = Calibration.from_residuals(residuals).half_width(0.9)[0]
    ordered = np.sort(np.abs(residuals[:, 0]))
    k = math.ceil((n + 1) * 0.9)
    assert ordered[k - 1] <= width <= ordered[min(k - 1 + n // (GRID_SIZE - 1) + 1, n - 1)]


def test_missing_residuals_are_left_out_per_step():
    residuals = np.arange(20.0).reshape(10, 2)
    residuals[:4, 1] = np.nan
    calibration = Calibration.from_residuals(residuals)
    assert calibration.n.tolist() == [10, 6]
    assert Calibration.from_residuals(np.full((3, 2), np.nan)) is None
