"""Plots of forecasts, intervals and TS-TRM's refinement trace (matplotlib, the ``plot`` extra).

matplotlib is imported only when a plot is drawn; without it the functions
raise an ``ImportError`` naming the extra to install (``pip install "tsrm[plot]"``).

Every function takes what tsrm returns (a Series, a wide or long DataFrame, a
numpy array, an :class:`~tsrm.Interval`, a :class:`~tsrm.ForecastTrace`), plots
one series of it (``series=`` picks a column, a ``unique_id`` or an array
column) and returns the matplotlib ``Axes`` (its figure is ``ax.figure``).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from tsrm.exceptions import TSRMInputError

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from tsrm.forecasting.neural.inference import ForecastTrace

__all__ = ["plot_forecast", "plot_refinement"]

_ID_COLUMNS = ("unique_id", "ds")
# History shown by default beside a refinement trace, in forecast lengths.
_HISTORY_HORIZONS = 4


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError(
            "tsrm's plots need matplotlib, which is not installed; install the plot extra: "
            'pip install "tsrm[plot]" (or pip install matplotlib).'
        ) from err
    return plt


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    _, ax = _pyplot().subplots(figsize=(9, 4), layout="constrained")
    return ax


def _select(data: Any, series: Hashable | None, what: str) -> tuple[pd.Series, bool]:
    """One series of ``data`` as a pd.Series, and whether its x positions are bare positions
    (numpy input: they continue the history's)."""
    if isinstance(data, pd.Series):
        return data, False
    if isinstance(data, pd.DataFrame) and all(c in data.columns for c in _ID_COLUMNS):
        value = next((c for c in data.columns if c not in _ID_COLUMNS), None)
        ids = list(pd.unique(data["unique_id"]))
        uid = _pick(ids, series, what, "unique_id")
        rows = data[data["unique_id"] == uid]
        return pd.Series(rows[value].to_numpy(), index=pd.Index(rows["ds"]), name=uid), False
    if isinstance(data, pd.DataFrame):
        return data[_pick(list(data.columns), series, what, "column")], False
    if isinstance(data, np.ndarray | list | tuple):
        arr = np.asarray(data, dtype=np.float64)
        if arr.ndim == 1:
            return pd.Series(arr), True
        if arr.ndim == 2:
            column = _pick(list(range(arr.shape[1])), series, what, "column")
            return pd.Series(arr[:, column]), True
    raise TSRMInputError(
        f"{what} is a {type(data).__name__}; pass what tsrm returns: a pandas Series, a wide or "
        "long DataFrame, or a 1-D / 2-D numpy array."
    )


def _pick(ids: list, series: Hashable | None, what: str, kind: str) -> Hashable:
    if series is None:
        if len(ids) == 1:
            return ids[0]
        raise TSRMInputError(
            f"{what} holds {len(ids)} series; choose one with series=... (a {kind}, e.g. "
            f"series={ids[0]!r})."
        )
    if series not in ids:
        shown = ", ".join(map(repr, ids[:5])) + (", ..." if len(ids) > 5 else "")
        raise TSRMInputError(f"{what} has no series {series!r}; its series are {shown}.")
    return series


def _position(data: Any, series: Hashable | None) -> int:
    """Index of the selected series among the series of ``data`` (for per-series arrays)."""
    if isinstance(data, pd.DataFrame) and all(c in data.columns for c in _ID_COLUMNS):
        ids = list(pd.unique(data["unique_id"]))
    elif isinstance(data, pd.DataFrame):
        ids = list(data.columns)
    elif isinstance(data, np.ndarray) and data.ndim == 2:
        ids = list(range(data.shape[1]))
    else:
        return 0
    return ids.index(_pick(ids, series, "the trace", "column"))


class _Layout:
    """Selects one series from each input and places numpy inputs after the history."""

    def __init__(self, history: Any, series: Hashable | None, last: int | None) -> None:
        self.series = series
        self.history = None
        self.offset = 0
        if history is not None:
            values, bare = _select(history, series, "history")
            self.offset = len(values) if bare else 0
            if last is not None:
                values = values.iloc[-last:]
            self.history = values

    def __call__(self, data: Any, what: str) -> pd.Series:
        values, bare = _select(data, self.series, what)
        if bare:
            values = pd.Series(values.to_numpy(), index=self.offset + np.arange(len(values)))
        return values


def _plot_series(ax: Axes, values: pd.Series, **style: Any) -> None:
    ax.plot(values.index, values.to_numpy(), **style)


def _start(
    ax: Axes | None, history: Any, series: Hashable | None, last: int | None
) -> tuple[Axes, _Layout]:
    """The axes to draw on and the layout of the inputs, the history line drawn."""
    ax = _axes(ax)
    layout = _Layout(history, series, last)
    if layout.history is not None:
        _plot_series(ax, layout.history, color="0.3", lw=1.2, label="history")
    return ax, layout


def _finish(ax: Axes, layout: _Layout, actuals: Any, ls: str, title: str | None) -> Axes:
    """Draw the actual values (line style ``ls``) if given, the legend and the title."""
    if actuals is not None:
        _plot_series(ax, layout(actuals, "actuals"), color="C3", lw=1.2, ls=ls, label="actual")
    ax.legend(loc="best", fontsize="small")
    if title is not None:
        ax.set_title(title)
    return ax


def plot_forecast(
    history: Any,
    forecast: Any,
    actuals: Any = None,
    interval: Any = None,
    ax: Axes | None = None,
    *,
    series: Hashable | None = None,
    last: int | None = None,
    title: str | None = None,
) -> Axes:
    """Plot a forecast after its history, with the actual values and an interval if given.

    Parameters
    ----------
    history : Series, DataFrame or array, or None
        The data the forecast continues (``None``: no history line).
    forecast : Series, DataFrame or array
        What ``predict`` returned.
    actuals : same kind as ``forecast``, optional
        The values that came true over the forecast's steps.
    interval : Interval or (lower, upper), optional
        What ``predict_interval`` returned; drawn as a shaded band.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    series : hashable, optional
        Which series of multi-series inputs: a column name, a ``unique_id``, or
        a column position of a 2-D array. Needed when there are several.
    last : int, optional
        Show only the last ``last`` points of the history.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        Lines: history, forecast, actuals (those given, in this order); the
        interval is one filled area (``ax.collections``).
    """
    ax, layout = _start(ax, history, series, last)
    point = layout(forecast, "forecast")
    if interval is not None:
        if not (isinstance(interval, tuple) and len(interval) == 2):
            raise TSRMInputError(
                "interval must be what predict_interval returns: a (lower, upper) pair."
            )
        lower, upper = layout(interval[0], "interval lower"), layout(interval[1], "interval upper")
        ax.fill_between(
            lower.index,
            lower.to_numpy(),
            upper.to_numpy(),
            color="C0",
            alpha=0.25,
            lw=0,
            label="interval",
        )
    _plot_series(ax, point, color="C0", lw=2.0, label="forecast")
    return _finish(ax, layout, actuals, "--", title)


def plot_refinement(
    trace: ForecastTrace,
    history: Any = None,
    actuals: Any = None,
    ax: Axes | None = None,
    *,
    series: Hashable | None = None,
    last: int | Literal["auto"] | None = "auto",
    title: str | None = "Refinement: the forecast after each supervision step",
) -> Axes:
    """Watch TS-TRM think: the forecast after every supervision step, light to dark.

    With a halting head, the step at which the selected series halted is
    marked in the legend and the steps after it (computed for the picture,
    not used by ``predict``) are dashed.

    Parameters
    ----------
    trace : ForecastTrace
        From ``TRMForecaster.predict(return_trace=True)``.
    history : Series, DataFrame or array, optional
        The data the forecast continues.
    actuals : optional
        The values that came true over the forecast's steps.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    series : hashable, optional
        Which series of multi-series inputs (see :func:`plot_forecast`).
    last : int, "auto" or None, default "auto"
        Show only the last ``last`` points of the history; ``"auto"``: four forecast
        lengths, so that the steps' differences stay visible; None: all of it.
    title : str or None

    Returns
    -------
    matplotlib.axes.Axes
        Lines: history (if given), one per supervision step, actuals (if given).
    """
    steps = getattr(trace, "steps", None)
    if not steps:
        raise TSRMInputError(
            "trace must be the ForecastTrace of TRMForecaster.predict(return_trace=True)."
        )
    if last == "auto":
        last = _HISTORY_HORIZONS * len(_select(steps[0], series, "trace step 1")[0])
    cmap = _pyplot().get_cmap("viridis_r")  # yellow (first step) to dark blue (last)
    ax, layout = _start(ax, history, series, last)
    halted = None
    if trace.halted_at is not None:
        halted = int(np.asarray(trace.halted_at)[_position(steps[0], series)])
    n = len(steps)
    for k, step in enumerate(steps, start=1):
        label = f"step {k}" + (" (halted)" if k == halted else "")
        after_halt = halted is not None and k > halted
        _plot_series(
            ax,
            layout(step, f"trace step {k}"),
            color=cmap(0.15 + 0.7 * (k - 1) / max(n - 1, 1)),
            lw=1.0 + 1.5 * (k == (halted or n)),
            ls="--" if after_halt else "-",
            label=label,
        )
    return _finish(ax, layout, actuals, ":", title)
