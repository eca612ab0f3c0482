"""Forecast metrics against hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsrm.forecasting.metrics import (
    METRICS,
    EvaluationResult,
    crps_from_quantiles,
    evaluate,
    mae,
    mape,
    mase,
    mse,
    owa,
    pinball_loss,
    rmse,
    smape,
)


def test_mae():
    assert mae([1.0, 2.0, 3.0], [2.0, 2.0, 5.0]) == pytest.approx(1.0)
    assert mae(np.array([[1, -1], [0, 2]]), np.array([[0, 0], [0, 0]])) == pytest.approx(1.0)


def test_mse():
    assert mse([1.0, 2.0, 3.0], [2.0, 2.0, 5.0]) == pytest.approx(5.0 / 3.0)
    assert mse([0, 0], [3, -1]) == pytest.approx(5.0)


def test_perfect_forecast_scores_zero():
    y = np.array([0.5, -2.0, 7.0])
    assert mae(y, y) == 0.0
    assert mse(y, y) == 0.0
    assert mase(y, y, [1.0, 2.0, 4.0]) == 0.0


def test_mase_non_seasonal():
    # in-sample naive errors |3-1|, |2-3|, |5-2| -> mean 2; MAE 1 -> MASE 0.5
    assert mase([1.0, 2.0, 3.0], [2.0, 2.0, 5.0], [1.0, 3.0, 2.0, 5.0]) == pytest.approx(0.5)


def test_mase_seasonal():
    # m=2: |2-1|, |5-3| -> mean 1.5; MAE 1 -> MASE 2/3
    value = mase([1.0, 2.0, 3.0], [2.0, 2.0, 5.0], [1.0, 3.0, 2.0, 5.0], season_length=2)
    assert value == pytest.approx(2.0 / 3.0)


def test_metrics_return_python_floats_and_accept_pandas():
    a, b = pd.Series([1.0, 2.0]), pd.Series([1.5, 2.5])
    for value in (mae(a, b), mse(a, b), mase(a, b, [0.0, 1.0, 3.0])):
        assert type(value) is float
    assert mae(a, b) == pytest.approx(0.5)
    assert mse(a, b) == pytest.approx(0.25)


@pytest.mark.parametrize("metric", [mae, mse])
def test_shape_mismatch(metric):
    with pytest.raises(ValueError, match="shape"):
        metric([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="shape"):
        metric(np.zeros((3, 2)), np.zeros(6))


def test_mase_shape_mismatch_and_bad_training_data():
    with pytest.raises(ValueError, match="shape"):
        mase([1.0, 2.0], [1.0], [0.0, 1.0, 2.0])
    with pytest.raises(ValueError, match="season_length"):
        mase([1.0], [1.0], [1.0, 2.0], season_length=2)
    with pytest.raises(ValueError, match="1-D"):
        mase([1.0], [1.0], np.zeros((3, 2)))
    with pytest.raises(ValueError, match="undefined"):
        mase([1.0], [2.0], [4.0, 4.0, 4.0])


# -- rmse, mape, smape -----------------------------------------------------------
def test_rmse():
    # squared errors 1, 1, 1, 25 -> mean 7
    assert rmse([0.0, 0.0, 0.0, 0.0], [1.0, -1.0, 1.0, 5.0]) == pytest.approx(np.sqrt(7.0))
    assert rmse([1.0, 2.0], [1.0, 2.0]) == 0.0


def test_mape_in_percent():
    # 10/100, 20/200, 10/50 -> 10 %, 10 %, 20 %
    assert mape([100.0, 200.0, -50.0], [110.0, 180.0, -40.0]) == pytest.approx(40.0 / 3.0)


def test_mape_rejects_zeros_in_y_true():
    with pytest.raises(ValueError, match=r"MAPE is undefined.*1 zero value.*index 1.*smape"):
        mape([1.0, 0.0, 2.0], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match=r"index \(1, 0\)"):
        mape(np.array([[1.0, 2.0], [0.0, 3.0]]), np.ones((2, 2)))


def test_smape_m4_definition():
    # terms 10/210, 0/0 -> 0 (convention), 100/200; 200/3 * (1/21 + 1/2) = 4600/126
    value = smape([100.0, 0.0, 50.0], [110.0, 0.0, 150.0])
    assert value == pytest.approx(4600.0 / 126.0)


def test_smape_bounds_and_zero_convention():
    assert smape([0.0, 0.0], [0.0, 0.0]) == 0.0  # 0/0 counts as a perfect forecast
    assert smape([1.0], [-1.0]) == pytest.approx(200.0)  # opposite signs: the maximum
    assert smape([0.0], [5.0]) == pytest.approx(200.0)
    assert smape([2.0, 4.0], [4.0, 2.0]) == pytest.approx(200.0 * 2.0 / 6.0)


def test_new_metrics_return_floats():
    for value in (rmse([1, 2], [2, 2]), mape([1, 2], [2, 2]), smape([1, 2], [2, 2])):
        assert type(value) is float


@pytest.mark.parametrize("metric", [rmse, mape, smape])
def test_new_metrics_shape_mismatch(metric):
    with pytest.raises(ValueError, match=r"shape \(3,\).*shape \(2,\)"):
        metric([1.0, 2.0, 3.0], [1.0, 2.0])


@pytest.mark.parametrize("metric", [mae, mse, rmse, mape, smape])
def test_empty_input_names_the_shape(metric):
    with pytest.raises(ValueError, match=r"empty \(shape \(0,\)\)"):
        metric([], [])


def test_non_finite_values_raise():
    with pytest.raises(ValueError, match="y_pred holds 1 NaN"):
        mae([1.0, 2.0], [1.0, np.nan])
    with pytest.raises(ValueError, match="y_true holds 1 NaN or infinite"):
        smape([np.inf, 2.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="y_train"):
        mase([1.0], [1.0], [1.0, np.nan, 2.0])


# -- owa -----------------------------------------------------------------------
def test_owa_hand_computed():
    assert owa(10.0, 1.0, 20.0, 4.0) == pytest.approx(0.5 * (0.5 + 0.25))
    assert owa(13.564, 1.912, 13.564, 1.912) == pytest.approx(1.0)


def test_owa_matches_m4_reference_values():
    # REFERENCE.md section 4: M4 overall Naive2 13.564 / 1.912; ES-RNN OWA 0.821, Theta 0.897
    assert owa(11.374, 1.536, 13.564, 1.912) == pytest.approx(0.821, abs=5e-4)
    assert owa(12.309, 1.696, 13.564, 1.912) == pytest.approx(0.897, abs=5e-4)
    # M4 Hourly: seasonal naive 13.912 / 1.193 against Naive2 18.383 / 2.395 -> 0.627
    assert owa(13.912, 1.193, 18.383, 2.395) == pytest.approx(0.627, abs=5e-4)


def test_owa_rejects_zero_or_invalid_naive2():
    with pytest.raises(ValueError, match="mase_naive2 is zero"):
        owa(1.0, 1.0, 2.0, 0.0)
    with pytest.raises(ValueError, match="smape must be"):
        owa(-1.0, 1.0, 2.0, 2.0)
    with pytest.raises(ValueError, match="smape_naive2 must be"):
        owa(1.0, 1.0, np.nan, 2.0)


# -- pinball loss and CRPS ---------------------------------------------------------
def test_pinball_loss_hand_computed():
    # point 1: y=1, f=2 (over): q=0.1 -> 0.9 * 1, q=0.9 -> 0.1 * 1
    # point 2: y=3, f=2 (under) at q=0.1 -> 0.1 * 1; f=4 (over) at q=0.9 -> 0.1 * 1
    value = pinball_loss([1.0, 3.0], [[2.0, 2.0], [2.0, 4.0]], [0.1, 0.9])
    assert value == pytest.approx((0.9 + 0.1 + 0.1 + 0.1) / 4)


def test_pinball_at_median_is_half_the_mae():
    y, f = np.array([1.0, -2.0, 5.0]), np.array([0.0, 0.0, 1.0])
    assert pinball_loss(y, f[:, None], [0.5]) == pytest.approx(0.5 * mae(y, f))


def test_pinball_loss_multi_dimensional():
    y = np.zeros((2, 3))
    f = np.ones((2, 3, 2))  # every forecast 1 above: losses (1 - q)
    assert pinball_loss(y, f, [0.25, 0.75]) == pytest.approx((0.75 + 0.25) / 2)


def test_pinball_loss_errors_name_shapes():
    with pytest.raises(ValueError, match=r"shape \(3, 2\).*shape \(3,\).*3 quantiles"):
        pinball_loss([1.0, 2.0, 3.0], np.zeros((3, 2)), [0.1, 0.5, 0.9])
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        pinball_loss([1.0], [[1.0, 1.0]], [0.0, 0.5])
    with pytest.raises(ValueError, match="non-empty 1-D"):
        pinball_loss([1.0], np.zeros((1, 0)), [])
    with pytest.raises(ValueError, match="empty"):
        pinball_loss([], np.zeros((0, 1)), [0.5])


def test_crps_hand_computed():
    # y=0; quantiles 0.25/0.5/0.75 forecast -1/0/1: pinball 0.25, 0, 0.25 -> mean 1/6; CRPS 1/3
    value = crps_from_quantiles([0.0], [[-1.0, 0.0, 1.0]], [0.25, 0.5, 0.75])
    assert value == pytest.approx(1.0 / 3.0)
    # default grid for 3 quantiles is 1/4, 2/4, 3/4
    assert crps_from_quantiles([0.0], [[-1.0, 0.0, 1.0]]) == pytest.approx(1.0 / 3.0)


def test_crps_of_a_point_forecast_is_its_absolute_error():
    y, f = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 5.0])
    quantiles = np.arange(1, 20) / 20
    q_forecasts = np.repeat(f[:, None], len(quantiles), axis=1)
    assert crps_from_quantiles(y, q_forecasts, quantiles) == pytest.approx(mae(y, f))


def test_crps_rejects_uneven_or_asymmetric_grids():
    with pytest.raises(ValueError, match="evenly spaced"):
        crps_from_quantiles([0.0], [[0.0, 0.0, 0.0]], [0.1, 0.5, 0.6])
    with pytest.raises(ValueError, match="symmetric"):
        crps_from_quantiles([0.0], [[0.0, 0.0]], [0.1, 0.2])


# -- evaluate (many series) ---------------------------------------------------------
def test_evaluate_m4_style_mean_over_series():
    y_true = [[1.0, 2.0, 3.0], [10.0, 10.0]]  # horizons may differ between series
    y_pred = [[2.0, 2.0, 5.0], [10.0, 10.0]]
    y_train = [[1.0, 3.0, 2.0, 5.0], [8.0, 9.0, 10.0]]
    result = evaluate(y_true, y_pred, y_train, metrics=("mae", "mase"))
    assert isinstance(result, EvaluationResult)
    # series 0: MAE 1, naive scale 2 -> MASE 0.5 (see test_mase_non_seasonal); series 1 perfect
    assert result.per_series["mae"].tolist() == pytest.approx([1.0, 0.0])
    assert result.per_series["mase"].tolist() == pytest.approx([0.5, 0.0])
    assert result.mean == pytest.approx({"mae": 0.5, "mase": 0.25})
    assert all(type(v) is float for v in result.mean.values())


def test_evaluate_default_metrics_and_season_length():
    result = evaluate([[1.0, 2.0, 3.0]], [[2.0, 2.0, 5.0]], [[1.0, 3.0, 2.0, 5.0]], season_length=2)
    assert list(result.per_series.columns) == ["smape", "mase"]
    assert result.mean["mase"] == pytest.approx(2.0 / 3.0)
    assert result.mean["smape"] == pytest.approx(smape([1.0, 2.0, 3.0], [2.0, 2.0, 5.0]))


def test_evaluate_accepts_callables_and_2d_arrays():
    def max_error(y_true, y_pred):
        return float(np.max(np.abs(np.asarray(y_true) - np.asarray(y_pred))))

    result = evaluate(np.zeros((2, 3)), np.array([[1.0, 0, 0], [0, 0, -4]]), metrics=[max_error])
    assert result.per_series["max_error"].tolist() == [1.0, 4.0]
    assert result.mean == {"max_error": 2.5}


def test_evaluate_errors():
    with pytest.raises(ValueError, match="2 series but y_pred_list has 1"):
        evaluate([[1.0], [2.0]], [[1.0]], metrics="mae")
    with pytest.raises(ValueError, match="empty"):
        evaluate([], [], metrics="mae")
    with pytest.raises(ValueError, match="mase needs the training history"):
        evaluate([[1.0]], [[1.0]])
    with pytest.raises(ValueError, match=r"series 1: y_true has shape \(2,\)"):
        evaluate([[1.0], [1.0, 2.0]], [[1.0], [1.0]], metrics="mae")
    with pytest.raises(ValueError, match="Unknown metric 'r2'"):
        evaluate([[1.0]], [[1.0]], metrics=("mae", "r2"))
    with pytest.raises(ValueError, match="y_train_list has 1 series"):
        evaluate([[1.0], [2.0]], [[1.0], [2.0]], [[1.0, 2.0]])


def test_metric_registry_names():
    assert set(METRICS) == {"mae", "mse", "rmse", "mape", "smape", "mase"}
