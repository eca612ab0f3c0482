"""Forecast metrics against hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsrm.metrics import mae, mase, mse


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
