"""Forecast accuracy metrics (numpy in, float out).

Point metrics: :func:`mae`, :func:`mse`, :func:`rmse`, :func:`mape`, :func:`smape`,
:func:`mase` and the M4 summary :func:`owa`. Probabilistic metrics on quantile
forecasts: :func:`pinball_loss` and :func:`crps_from_quantiles`. :func:`evaluate`
scores many series at once and averages them the M4 way (mean over series of the
per-series metric).

Every metric raises ``ValueError`` naming the shapes when ``y_true`` and the
forecast do not match or are empty, and when they hold NaN or infinite values
(a NaN score would otherwise pass silently into averages).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tsrm.forecasting._docs import shared_doc

__all__ = [
    "METRICS",
    "EvaluationResult",
    "crps_from_quantiles",
    "evaluate",
    "even_symmetric_grid",
    "mae",
    "mape",
    "mase",
    "mse",
    "owa",
    "pinball_loss",
    "rmse",
    "smape",
]


#: The Parameters and Returns sections of a point metric of ``(y_true, y_pred)``.
_POINT_DOC = """
Parameters
----------
y_true, y_pred : array-like
    Actual values and forecasts of the same shape (any number of dimensions).

Returns
-------
float
"""

_point_doc = shared_doc(point=_POINT_DOC)


def _finite(arr: np.ndarray, name: str) -> np.ndarray:
    if not np.all(np.isfinite(arr)):
        n_bad = int(np.size(arr) - np.isfinite(arr).sum())
        raise ValueError(
            f"{name} holds {n_bad} NaN or infinite value(s); metrics need finite values."
        )
    return arr


def _pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"y_true has shape {a.shape} but y_pred has shape {b.shape}.")
    if a.size == 0:
        raise ValueError(f"y_true and y_pred are empty (shape {a.shape}); pass at least one value.")
    return _finite(a, "y_true"), _finite(b, "y_pred")


@_point_doc
def mae(y_true: Any, y_pred: Any) -> float:
    """Mean absolute error, ``mean |y - f|``.

    {point}
    """
    a, b = _pair(y_true, y_pred)
    return float(np.mean(np.abs(a - b)))


@_point_doc
def mse(y_true: Any, y_pred: Any) -> float:
    """Mean squared error, ``mean (y - f)**2``.

    {point}
    """
    a, b = _pair(y_true, y_pred)
    return float(np.mean((a - b) ** 2))


@_point_doc
def rmse(y_true: Any, y_pred: Any) -> float:
    """Root mean squared error, ``sqrt(mse)``.

    {point}
    """
    return float(np.sqrt(mse(y_true, y_pred)))


@_point_doc
def mape(y_true: Any, y_pred: Any) -> float:
    """Mean absolute percentage error, in percent: ``100 * mean |y - f| / |y|``.

    {point}

    Raises
    ------
    ValueError
        If ``y_true`` holds zeros (the percentage error is undefined there).
    """
    a, b = _pair(y_true, y_pred)
    zeros = a == 0
    if zeros.any():
        first = tuple(int(i) for i in np.argwhere(zeros)[0])
        raise ValueError(
            f"MAPE is undefined: y_true holds {int(zeros.sum())} zero value(s) (first at index "
            f"{first if a.ndim > 1 else first[0]}); use smape or mase for such series."
        )
    return float(100.0 * np.mean(np.abs(a - b) / np.abs(a)))


@_point_doc
def smape(y_true: Any, y_pred: Any) -> float:
    """Symmetric MAPE as defined by the M4 competition, in percent (0 to 200).

    ``sMAPE = 200 / h * sum_t |y_t - f_t| / (|y_t| + |f_t|)``, i.e. 200 times the
    mean over all points (for multi-dimensional input, over every element).

    {point}

    Notes
    -----
    A point where ``y_t = f_t = 0`` has the undefined term 0/0; it is counted as 0
    (a perfect forecast), which is the only value that keeps the metric continuous
    along ``y_t = f_t``.
    """
    a, b = _pair(y_true, y_pred)
    num = np.abs(a - b)
    den = np.abs(a) + np.abs(b)
    # den == 0 only where a == b == 0, so num is 0 there too: count the term as 0.
    terms = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    return float(200.0 * np.mean(terms))


def mase(y_true: Any, y_pred: Any, y_train: Any, season_length: int = 1) -> float:
    """Mean absolute scaled error: MAE over the in-sample MAE of the seasonal naive forecast.

    ``MASE = mean |y - f| / mean_{t > m} |y_train[t] - y_train[t - m]|`` (the M4
    definition, with the scale taken on the history before the forecast).

    Parameters
    ----------
    y_true, y_pred : array-like
        Actual values and forecasts of the same shape.
    y_train : array-like
        The history before the forecast (1-D). Missing values (NaN) are allowed: the
        scale averages the seasonal differences whose two values were observed.
    season_length : int, default 1
        The seasonal period ``m``; 1 for the non-seasonal version.

    Returns
    -------
    float
        Below 1 where the forecast's MAE is smaller than the in-sample MAE of the
        seasonal naive forecast.

    Raises
    ------
    ValueError
        If ``y_train`` is not 1-D with more than ``season_length`` points, holds no
        two observed values a season apart, or the scale is zero (a constant or
        exactly periodic history).
    """
    train = np.asarray(y_train, dtype=np.float64)
    if train.ndim != 1 or len(train) <= season_length:
        raise ValueError(
            f"y_train must be 1-D with more than season_length={season_length} points "
            f"(got shape {train.shape})."
        )
    if np.isinf(train).any():
        raise ValueError("y_train holds infinite values; metrics need finite values.")
    diffs = np.abs(train[season_length:] - train[:-season_length])
    diffs = diffs[~np.isnan(diffs)]
    if len(diffs) == 0:
        raise ValueError(
            f"MASE is undefined: y_train holds no two observed values season_length="
            f"{season_length} apart."
        )
    scale = np.mean(diffs)
    if scale == 0:
        raise ValueError("MASE is undefined: the seasonal naive in-sample error is zero.")
    return mae(y_true, y_pred) / float(scale)


def owa(smape: float, mase: float, smape_naive2: float, mase_naive2: float) -> float:
    """Overall weighted average (M4): mean of the sMAPE and MASE ratios to Naive2.

    ``OWA = (sMAPE / sMAPE_naive2 + MASE / MASE_naive2) / 2``. In M4 the four inputs
    are the *averages over all series* (see :func:`evaluate`), not per-series values;
    below 1 is better than Naive2.

    Parameters
    ----------
    smape, mase : float
        The method's sMAPE and MASE.
    smape_naive2, mase_naive2 : float
        Naive2's sMAPE and MASE on the same series and horizons (positive).

    Returns
    -------
    float
    """
    values = {
        "smape": smape,
        "mase": mase,
        "smape_naive2": smape_naive2,
        "mase_naive2": mase_naive2,
    }
    for name, value in values.items():
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite non-negative number, got {value!r}.")
    for name in ("smape_naive2", "mase_naive2"):
        if values[name] == 0:
            raise ValueError(f"OWA is undefined: {name} is zero.")
    return float(0.5 * (smape / smape_naive2 + mase / mase_naive2))


def _quantile_inputs(
    y_true: Any, quantile_forecasts: Any, quantiles: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = np.asarray(y_true, dtype=np.float64)
    f = np.asarray(quantile_forecasts, dtype=np.float64)
    q = np.asarray(quantiles, dtype=np.float64)
    if q.ndim != 1 or q.size == 0:
        raise ValueError(f"quantiles must be a non-empty 1-D sequence, got shape {q.shape}.")
    if f.shape != (*y.shape, q.size):
        raise ValueError(
            f"quantile_forecasts has shape {f.shape}, but y_true has shape {y.shape} and there "
            f"are {q.size} quantiles: expected shape {(*y.shape, q.size)}."
        )
    if y.size == 0:
        raise ValueError(f"y_true is empty (shape {y.shape}); pass at least one value.")
    if not np.all((q > 0) & (q < 1)):
        raise ValueError(f"quantiles must lie strictly between 0 and 1, got {q.tolist()}.")
    return _finite(y, "y_true"), _finite(f, "quantile_forecasts"), q


def pinball_loss(y_true: Any, quantile_forecasts: Any, quantiles: Any) -> float:
    """Mean pinball (quantile) loss over all points and quantiles.

    For quantile level ``q`` and forecast ``f``: ``q * (y - f)`` if ``y >= f``,
    else ``(1 - q) * (f - y)``.

    Parameters
    ----------
    y_true : array-like, shape ``S``
        Actual values (any shape).
    quantile_forecasts : array-like, shape ``(*S, n_quantiles)``
        Forecast of each quantile, the quantiles along the last axis.
    quantiles : sequence of float, length ``n_quantiles``
        The quantile levels, each in (0, 1).

    Returns
    -------
    float
    """
    y, f, q = _quantile_inputs(y_true, quantile_forecasts, quantiles)
    diff = y[..., None] - f
    return float(np.mean(np.maximum(q * diff, (q - 1.0) * diff)))


def even_symmetric_grid(quantiles: Any) -> bool:
    """Whether two or more levels are evenly spaced and symmetric around 0.5 (e.g. 0.1, 0.2,
    ..., 0.9): the grids on which :func:`crps_from_quantiles` approximates CRPS."""
    q = np.sort(np.asarray(quantiles, dtype=np.float64))
    if q.ndim != 1 or q.size < 2:
        return False
    gaps = np.diff(q)
    return bool(np.allclose(gaps, gaps[0]) and np.isclose(q[0] + q[-1], 1.0))


def crps_from_quantiles(y_true: Any, quantile_forecasts: Any, quantiles: Any = None) -> float:
    """Continuous ranked probability score approximated from quantile forecasts.

    Uses ``CRPS = 2 * integral_0^1 pinball_q dq``, approximated by twice the mean
    pinball loss over an evenly spaced quantile grid symmetric around 0.5 (e.g.
    0.1, 0.2, ..., 0.9). The approximation improves with more quantiles; a point
    forecast (all quantiles equal) scores its absolute error.

    Parameters
    ----------
    y_true : array-like, shape ``S``
        Actual values.
    quantile_forecasts : array-like, shape ``(*S, n_quantiles)``
        Forecast of each quantile, the quantiles along the last axis.
    quantiles : sequence of float, optional
        The quantile levels; default ``i / (n_quantiles + 1)`` for
        ``i = 1 .. n_quantiles``.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        If the grid is not evenly spaced and symmetric around 0.5, where the mean
        would weight parts of the distribution unevenly.
    """
    n_q = np.shape(quantile_forecasts)[-1] if np.ndim(quantile_forecasts) else 0
    q = np.arange(1, n_q + 1) / (n_q + 1) if quantiles is None else np.asarray(quantiles, float)
    if q.ndim == 1 and q.size > 1:
        if not even_symmetric_grid(q):
            raise ValueError(
                "crps_from_quantiles needs an evenly spaced quantile grid symmetric around 0.5 "
                f"(e.g. 0.1, 0.2, ..., 0.9); got {q.tolist()}. Use pinball_loss for other grids."
            )
    return 2.0 * pinball_loss(y_true, quantile_forecasts, q)


# -- many series ----------------------------------------------------------------
#: Point metrics by name, as used by :func:`evaluate` and
#: :func:`tsrm.forecasting.backtesting.backtest`.
METRICS: dict[str, Callable[..., float]] = {
    "mae": mae,
    "mse": mse,
    "rmse": rmse,
    "mape": mape,
    "smape": smape,
    "mase": mase,
}
_NEEDS_TRAIN = frozenset({"mase"})

MetricSpec = str | Callable[[Any, Any], float]


def _resolve_metrics(metrics: MetricSpec | Sequence[MetricSpec]) -> list[tuple[str, Callable]]:
    """``(name, function)`` pairs for metric names in :data:`METRICS` or callables.

    A callable must take ``(y_true, y_pred)`` and return a float; it is named by
    its ``__name__``.
    """
    if isinstance(metrics, str) or callable(metrics):
        metrics = (metrics,)
    out: list[tuple[str, Callable]] = []
    for m in metrics:
        if callable(m):
            out.append((getattr(m, "__name__", repr(m)), m))
        elif isinstance(m, str) and m.lower() in METRICS:
            out.append((m.lower(), METRICS[m.lower()]))
        else:
            raise ValueError(f"Unknown metric {m!r}; choose from {sorted(METRICS)} or a callable.")
    if not out:
        raise ValueError("metrics is empty; name at least one metric, e.g. ('mae',).")
    names = [name for name, _ in out]
    if len(set(names)) != len(names):
        raise ValueError(f"metrics has duplicate names: {names}.")
    return out


def _score(
    name: str,
    fn: Callable,
    y_true: Any,
    y_pred: Any,
    y_train: Any = None,
    season_length: int = 1,
) -> float:
    """One metric from :func:`_resolve_metrics` on one series (passes ``y_train`` to MASE)."""
    if name in _NEEDS_TRAIN and fn is METRICS[name]:
        if y_train is None:
            raise ValueError(f"{name} needs the training history: pass y_train.")
        return float(fn(y_true, y_pred, y_train, season_length=season_length))
    return float(fn(y_true, y_pred))


@dataclass
class EvaluationResult:
    """Scores of many series from :func:`evaluate`.

    Attributes
    ----------
    per_series : pd.DataFrame
        One row per series (index 0 .. n-1), one column per metric.
    mean : dict of str to float
        Per metric, the mean over series of the per-series values (M4 averaging).
    """

    per_series: pd.DataFrame
    mean: dict[str, float]


def evaluate(
    y_true_list: Sequence[Any],
    y_pred_list: Sequence[Any],
    y_train_list: Sequence[Any] | None = None,
    season_length: int = 1,
    metrics: MetricSpec | Sequence[MetricSpec] = ("smape", "mase"),
) -> EvaluationResult:
    """Score each series separately, then average over series (M4 style).

    Parameters
    ----------
    y_true_list, y_pred_list : sequence of array-like
        Per series, the actual values and the forecasts (same shape within a
        series; horizons may differ between series). A 2-D array is read row by row.
    y_train_list : sequence of array-like, optional
        Per series, the history before the forecast; required for ``"mase"``.
    season_length : int, default 1
        Seasonal period for MASE.
    metrics : str, callable or sequence of them, default ("smape", "mase")
        Names from :data:`METRICS` or callables ``f(y_true, y_pred) -> float``.

    Returns
    -------
    EvaluationResult
        ``per_series`` (DataFrame) and ``mean`` (dict). For the M4 OWA, pass the
        means of the method and of Naive2 to :func:`owa`.
    """
    resolved = _resolve_metrics(metrics)
    n_true, n_pred = len(y_true_list), len(y_pred_list)
    if n_true != n_pred:
        raise ValueError(f"y_true_list has {n_true} series but y_pred_list has {n_pred}.")
    if n_true == 0:
        raise ValueError("y_true_list and y_pred_list are empty; pass at least one series.")
    if y_train_list is not None and len(y_train_list) != n_true:
        raise ValueError(
            f"y_train_list has {len(y_train_list)} series but y_true_list has {n_true}."
        )
    rows = []
    for i in range(n_true):
        train = None if y_train_list is None else y_train_list[i]
        try:
            rows.append(
                [
                    _score(name, fn, y_true_list[i], y_pred_list[i], train, season_length)
                    for name, fn in resolved
                ]
            )
        except ValueError as err:  # say which series, the metric says what is wrong
            raise ValueError(f"series {i}: {err}") from None
    per_series = pd.DataFrame(rows, columns=[name for name, _ in resolved])
    return EvaluationResult(per_series, {c: float(per_series[c].mean()) for c in per_series})
