"""Forecast accuracy metrics (numpy in, float out)."""

from __future__ import annotations

import numpy as np


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"y_true has shape {a.shape} but y_pred has shape {b.shape}.")
    return a, b


def mae(y_true, y_pred) -> float:
    """Mean absolute error."""
    a, b = _pair(y_true, y_pred)
    return float(np.mean(np.abs(a - b)))


def mse(y_true, y_pred) -> float:
    """Mean squared error."""
    a, b = _pair(y_true, y_pred)
    return float(np.mean((a - b) ** 2))


def mase(y_true, y_pred, y_train, season_length: int = 1) -> float:
    """Mean absolute scaled error: MAE over the in-sample MAE of the seasonal naive forecast.

    ``y_train`` is the history before the forecast (1-D); ``season_length`` the
    seasonal period ``m`` (1 for the non-seasonal version).
    """
    train = np.asarray(y_train, dtype=np.float64)
    if train.ndim != 1 or len(train) <= season_length:
        raise ValueError(
            f"y_train must be 1-D with more than season_length={season_length} points."
        )
    scale = np.mean(np.abs(train[season_length:] - train[:-season_length]))
    if scale == 0:
        raise ValueError("MASE is undefined: the seasonal naive in-sample error is zero.")
    return mae(y_true, y_pred) / float(scale)
