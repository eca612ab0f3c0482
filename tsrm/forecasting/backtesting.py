"""Rolling-origin evaluation (backtesting) of any tsrm forecaster.

:func:`backtest` cuts the last ``n_windows`` forecast windows off the end of each
series, forecasts each from the history before it, and scores the forecasts with
the point metrics of :mod:`tsrm.forecasting.metrics`; with ``coverage`` or
``quantiles`` also the model's intervals (coverage, width) and quantiles (pinball
loss, CRPS).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from tsrm.exceptions import SeriesTooShortError, TSRMInputError
from tsrm.forecasting.base import check_positive_int
from tsrm.forecasting.metrics import (
    MetricSpec,
    _resolve_metrics,
    _score,
    crps_from_quantiles,
    even_symmetric_grid,
    pinball_loss,
)
from tsrm.forecasting.series import to_panel
from tsrm.forecasting.uncertainty import check_coverage, check_quantile_levels

__all__ = ["BacktestResult", "backtest"]


@dataclass
class BacktestResult:
    """Forecasts and scores of a :func:`backtest`.

    Attributes
    ----------
    forecasts : pd.DataFrame
        One row per forecast point: ``window`` (0 = earliest), ``cutoff`` (the last
        time point of the history the forecast was made from), ``unique_id``,
        ``ds`` (time stamp; for numpy input the integer position in the series),
        ``y_true`` and ``y_pred``; with ``coverage``, ``lower_<c>`` and ``upper_<c>``
        per coverage ``c`` (e.g. ``lower_0.9``); with ``quantiles``, ``q_<level>``.
    metrics : pd.DataFrame
        One row per window and series: ``window``, ``cutoff``, ``unique_id`` and one
        column per metric; with ``coverage``, ``coverage_<c>`` (share of the actual
        values inside the interval) and ``width_<c>`` (mean interval width); with
        ``quantiles``, ``pinball`` (mean pinball loss over the levels) and, for an evenly
        spaced grid symmetric around 0.5, ``crps`` (its quantile approximation).
    horizon, step, n_windows : int
        The window layout used.
    refit : bool
        Whether the model was refitted at every cut-off.
    metric_names : tuple of str
        The metric columns of :attr:`metrics`.
    """

    forecasts: pd.DataFrame
    metrics: pd.DataFrame
    horizon: int
    step: int
    n_windows: int
    refit: bool
    metric_names: tuple[str, ...]

    def summary(self) -> pd.Series:
        """Mean of each metric over all windows and series (a Series indexed by metric)."""
        return self.metrics[list(self.metric_names)].mean().rename("mean")


class _Splitter:
    """The user's ``y`` as per-series arrays, and its histories in the user's own kind.

    Every history handed to an estimator is a fresh copy, so neither the estimator
    nor this module can write into the user's data.
    """

    def __init__(self, y: Any, allow_missing: bool, missing_hint: str, X: Any = None) -> None:
        # Validates every kind with tsrm's usual messages, under the estimator's NaN policy.
        panel = to_panel(y, "y", allow_missing=allow_missing, missing_hint=missing_hint)
        self.kind = panel.kind
        self.y, self.X = y, X
        if self.kind == "long":
            self._init_long(y)
            return
        self.values = panel.values
        if self.kind == "series":
            self.ids = [0 if y.name is None else y.name]
            self.index = y.index
        elif self.kind == "wide":
            self.ids = list(y.columns)
            self.index = y.index
        else:  # numpy (or list) input: positions serve as time stamps
            self.ids = list(panel.ids)
            self.index = pd.RangeIndex(len(panel.values[0]))
        self.ds = [self.index] * len(self.ids)

    def _init_long(self, frame: pd.DataFrame) -> None:
        ds = frame["ds"]
        if not (pd.api.types.is_datetime64_any_dtype(ds) or pd.api.types.is_integer_dtype(ds)):
            ds = pd.to_datetime(ds)  # as to_panel does; it already checked this works
        values = frame["y"].to_numpy(dtype=np.float64, na_value=np.nan)
        work = pd.DataFrame(
            {"unique_id": frame["unique_id"].to_numpy(), "ds": ds.to_numpy(), "y": values}
        )
        self.groups = [
            group.sort_values("ds", kind="stable").reset_index(drop=True)
            for _, group in work.groupby("unique_id", sort=False)
        ]
        self.ids = [g["unique_id"].iloc[0] for g in self.groups]
        self.values = [g["y"].to_numpy(copy=True) for g in self.groups]
        self.ds = [pd.Index(g["ds"]) for g in self.groups]

    @property
    def lengths(self) -> list[int]:
        return [len(v) for v in self.values]

    def history(self, offset: int) -> Any:
        """``y`` without the last ``offset`` points of each series, same kind as ``y``."""
        if self.kind in ("series", "wide"):
            return self.y.iloc[: len(self.y) - offset].copy()
        if self.kind == "array1d":
            return self.values[0][: len(self.values[0]) - offset].copy()
        if self.kind == "array2d":
            return np.stack([v[: len(v) - offset] for v in self.values], axis=1)
        # long: each series is cut at its own length, so series that end early stay early
        return pd.concat([g.iloc[: len(g) - offset] for g in self.groups], ignore_index=True)

    def fit_covariates(self, offset: int) -> dict[str, Any]:
        """``fit``'s ``X`` for the history without the last ``offset`` points ({} if none)."""
        if self.X is None:
            return {}
        if self.kind.startswith("array"):  # row for row with y
            return {"X": np.array(self.X[: len(self.values[0]) - offset])}
        return {"X": self.X}  # indexed: the estimator reads the rows of its history

    def future_covariates(self, offset: int, h: int) -> dict[str, Any]:
        """``predict``'s ``X`` for the ``h`` steps after that history ({} if none)."""
        if self.X is None:
            return {}
        if self.kind.startswith("array"):
            cut = len(self.values[0]) - offset
            return {"X": np.array(self.X[cut : cut + h])}
        return {"X": self.X}

    def forecast_matrix(self, pred: Any, h: int) -> np.ndarray:
        """The estimator's forecast (same kind as ``y``) as an ``(n_series, h)`` array."""
        n = len(self.ids)
        if self.kind == "long":
            out = np.empty((n, h))
            for i, uid in enumerate(self.ids):
                rows = pred[pred["unique_id"] == uid].sort_values("ds", kind="stable")
                if len(rows) != h:
                    raise TSRMInputError(
                        f"The estimator returned {len(rows)} forecast rows for series {uid!r}; "
                        f"expected h={h}."
                    )
                out[i] = rows["y"].to_numpy(dtype=np.float64)
            return out
        arr = np.asarray(pred, dtype=np.float64)
        arr = arr.reshape(h, 1) if arr.ndim == 1 else arr
        if arr.shape != (h, n):
            raise TSRMInputError(
                f"The estimator returned a forecast of shape {np.shape(pred)}; expected {h} "
                f"steps for {n} series."
            )
        return arr.T


def backtest(
    estimator: Any,
    y: Any,
    *,
    horizon: int,
    step: int | None = None,
    n_windows: int = 3,
    refit: bool = False,
    metrics: MetricSpec | Sequence[MetricSpec] = ("mae", "rmse"),
    season_length: int = 1,
    X: Any = None,
    coverage: float | Sequence[float] | None = None,
    quantiles: Sequence[float] | None = None,
) -> BacktestResult:
    """Rolling-origin evaluation: forecast the last ``n_windows`` windows of ``y``.

    Window ``w`` (0 = earliest) forecasts ``horizon`` steps after the cut-off that
    leaves ``horizon + (n_windows - 1 - w) * step`` points of each series unseen, so
    the last window ends at the end of ``y``. Long frames are cut per series, at
    each series' own length minus that offset.

    Parameters
    ----------
    estimator : tsrm forecaster
        Any estimator with ``fit(y)`` and ``predict(h, y=history)``. It is cloned
        (``sklearn.base.clone``), never fitted or modified itself.
    y : Series, DataFrame or array
        A pandas Series, a wide DataFrame, a long DataFrame (``unique_id``, ``ds``,
        ``y``), or a 1-D / 2-D ``(time, series)`` numpy array. Not modified. Missing
        values (NaN) follow the estimator's policy, as in its ``fit``: the neural
        forecasters (``missing="mask"``) take them, the statistical ones raise. A
        missing actual value is left out of its window's scores (a window with none
        observed scores NaN), and MASE's scale skips missing history.
    horizon : int
        Steps forecast at each cut-off.
    step : int, optional
        Spacing of the cut-offs; default ``horizon`` (back-to-back windows).
    n_windows : int, default 3
        Number of cut-offs.
    refit : bool, default False
        False: fit one clone on the history up to the first cut-off, then forecast
        every window from its own history with ``predict(h, y=history)`` (no refit).
        True: fit a fresh clone on the history up to each cut-off.
    metrics : str, callable or sequence of them, default ("mae", "rmse")
        Names from :data:`tsrm.forecasting.metrics.METRICS` or callables
        ``f(y_true, y_pred) -> float``; scored per window and series.
    season_length : int, default 1
        Seasonal period for ``"mase"`` (scaled on the history before each cut-off).
    X : DataFrame, Series or array, optional
        Covariates known ahead, as the estimator's ``fit`` takes them, covering every
        step of ``y``: each fit sees the rows of its history, each forecast the rows of
        its window (an array is cut row for row; indexed ``X`` is passed whole and the
        estimator reads the rows it needs).
    coverage : float or sequence of float, optional
        Also forecast ``predict_interval`` at each coverage and score how often the
        actual values fall inside, and how wide the interval is.
    quantiles : sequence of float, optional
        Also forecast ``predict_quantiles`` at these levels and score the pinball loss
        and (evenly spaced levels symmetric around 0.5, e.g. 0.1, 0.2, ..., 0.9) CRPS.

    Returns
    -------
    BacktestResult
        ``.forecasts``, ``.metrics`` and ``.summary()``.

    Raises
    ------
    TSRMInputError
        If ``horizon``, ``step``, ``n_windows`` or ``season_length`` is not a
        positive integer, ``coverage`` or ``quantiles`` are not probabilities, or
        (:class:`~tsrm.exceptions.SeriesTooShortError`) a series leaves nothing to fit
        on before the first cut-off. Errors the
        estimator raises for a window name the window.
    """
    horizon = check_positive_int(horizon, "horizon")
    step = horizon if step is None else check_positive_int(step, "step")
    n_windows = check_positive_int(n_windows, "n_windows")
    season_length = check_positive_int(season_length, "season_length")
    resolved = _resolve_metrics(metrics)
    extra = _Uncertainty.from_args(coverage, quantiles)
    data = _Splitter(y, *_missing_policy(estimator), X=X)

    span = (n_windows - 1) * step + horizon
    for sid, n in zip(data.ids, data.lengths, strict=True):
        if n - span < 1:
            raise SeriesTooShortError(
                f"y is too short to backtest: series {sid!r} has {n} points, but {n_windows} "
                f"windows of horizon={horizon} spaced by step={step} span (n_windows - 1) * step "
                f"+ horizon = {span} points, and at least one earlier point is needed to fit on. "
                "Use fewer windows, a smaller step or horizon, or a longer series."
            )

    offsets = [horizon + (n_windows - 1 - w) * step for w in range(n_windows)]
    model = None
    if not refit:
        with _window_errors("fitting", 0):
            model = clone(estimator).fit(
                data.history(offsets[0]), **data.fit_covariates(offsets[0])
            )
    fc_rows: list[tuple] = []
    metric_rows: list[list] = []
    for w, offset in enumerate(offsets):
        if refit:
            with _window_errors("fitting", w):
                model = clone(estimator).fit(data.history(offset), **data.fit_covariates(offset))
        with _window_errors("forecasting", w):
            outputs = _window_forecasts(model, data, offset, horizon, refit, extra)
        for i, sid in enumerate(data.ids):
            values, ds = data.values[i], data.ds[i]
            cut = len(values) - offset
            y_true = values[cut : cut + horizon]
            cutoff = ds[cut - 1]
            columns = [out[i] for out in outputs.values()]
            fc_rows.extend(
                (w, cutoff, sid, t, a, *f)
                for t, a, *f in zip(ds[cut : cut + horizon], y_true, *columns, strict=True)
            )
            try:
                scores = _window_scores(
                    resolved, y_true, outputs["y_pred"][i], values[:cut], season_length
                )
            except ValueError as err:
                raise ValueError(f"backtest window {w}, series {sid!r}: {err}") from None
            metric_rows.append([w, cutoff, sid, *scores, *extra.scores(y_true, outputs, i)])

    names = (*(name for name, _ in resolved), *extra.names)
    forecasts = pd.DataFrame(
        fc_rows, columns=["window", "cutoff", "unique_id", "ds", "y_true", *outputs]
    )
    scores_frame = pd.DataFrame(metric_rows, columns=["window", "cutoff", "unique_id", *names])
    return BacktestResult(forecasts, scores_frame, horizon, step, n_windows, bool(refit), names)


def _window_forecasts(
    model: Any, data: _Splitter, offset: int, horizon: int, refit: bool, extra: _Uncertainty
) -> dict[str, np.ndarray]:
    """One window's forecasts, ``(n_series, horizon)`` each: ``y_pred``, then the interval
    bounds and quantiles asked for."""
    call: dict[str, Any] = {"h": horizon, **data.future_covariates(offset, horizon)}
    if not refit:  # the model fitted at the first cut-off continues this window's history
        call["y"] = data.history(offset)
    out = {"y_pred": data.forecast_matrix(model.predict(**call), horizon)}
    for c in extra.coverages:
        lower, upper = model.predict_interval(coverage=c, **call)
        out[f"lower_{c:g}"] = data.forecast_matrix(lower, horizon)
        out[f"upper_{c:g}"] = data.forecast_matrix(upper, horizon)
    if extra.quantiles:
        levels = model.predict_quantiles(quantiles=extra.quantiles, **call)
        out.update({f"q_{q:g}": data.forecast_matrix(f, horizon) for q, f in levels.items()})
    return out


@dataclass(frozen=True)
class _Uncertainty:
    """The interval coverages and quantile levels a backtest scores, and their columns."""

    coverages: tuple[float, ...] = ()
    quantiles: tuple[float, ...] = ()

    @classmethod
    def from_args(cls, coverage: Any, quantiles: Any) -> _Uncertainty:
        if coverage is None:
            coverages: tuple[float, ...] = ()
        elif isinstance(coverage, Sequence | np.ndarray) and not isinstance(coverage, str):
            coverages = tuple(dict.fromkeys(check_coverage(c) for c in coverage))
        else:
            coverages = (check_coverage(coverage),)
        levels = () if quantiles is None else check_quantile_levels(quantiles)
        return cls(coverages, levels)

    @property
    def crps(self) -> bool:
        """Whether the levels are a grid that CRPS can be approximated on."""
        return self.quantiles == (0.5,) or even_symmetric_grid(self.quantiles)

    @property
    def names(self) -> tuple[str, ...]:
        names = [n for c in self.coverages for n in (f"coverage_{c:g}", f"width_{c:g}")]
        if self.quantiles:
            names += ["pinball", "crps"] if self.crps else ["pinball"]
        return tuple(names)

    def scores(self, y_true: np.ndarray, outputs: dict[str, np.ndarray], i: int) -> list[float]:
        """Series ``i``'s interval and quantile scores on its observed steps (NaN if none)."""
        observed = ~np.isnan(y_true)
        if not observed.any():
            return [np.nan] * len(self.names)
        y = y_true[observed]
        out = []
        for c in self.coverages:
            lower = outputs[f"lower_{c:g}"][i][observed]
            upper = outputs[f"upper_{c:g}"][i][observed]
            out += [float(np.mean((lower <= y) & (y <= upper))), float(np.mean(upper - lower))]
        if self.quantiles:
            f = np.stack([outputs[f"q_{q:g}"][i][observed] for q in self.quantiles], axis=-1)
            out.append(pinball_loss(y, f, self.quantiles))
            if self.crps:
                out.append(crps_from_quantiles(y, f, self.quantiles))
        return out


def _missing_policy(estimator: Any) -> tuple[bool, str]:
    """Whether the estimator's ``fit`` takes NaN, and its hint where it does not (an
    estimator from outside tsrm: no NaN)."""
    if not hasattr(estimator, "_allows_missing"):
        return False, ""
    return bool(estimator._allows_missing()), estimator._missing_hint()


def _window_scores(
    resolved: list, y_true: np.ndarray, y_pred: np.ndarray, history: np.ndarray, m: int
) -> list[float]:
    """Each metric on the observed steps of one window (NaN where none was observed)."""
    observed = ~np.isnan(y_true)
    if not observed.any():
        return [np.nan] * len(resolved)
    return [
        _score(name, fn, y_true[observed], y_pred[observed], history, m) for name, fn in resolved
    ]


@contextmanager
def _window_errors(doing: str, window: int) -> Iterator[None]:
    """Prefix tsrm input errors raised inside with the window they happened in."""
    try:
        yield
    except TSRMInputError as err:
        raise type(err)(f"backtest window {window}, while {doing}: {err}") from err
