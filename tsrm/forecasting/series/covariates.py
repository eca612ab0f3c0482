"""Future-known covariates: align ``X`` with the series, derive calendar features, scale.

Covariates are values known for every time step, the future included (prices,
holidays, weather forecasts, the calendar). ``X`` has the kind and index of ``y``:

- ``y`` a Series or wide DataFrame: ``X`` a DataFrame (or Series) of covariate
  columns on the same kind of index; a wide frame's series share them;
- ``y`` a long frame: ``X`` a long frame with ``unique_id``, ``ds`` and the
  covariate columns, one row per series and time step;
- ``y`` a 1-D array: ``X`` an array ``(time, k)`` (or ``(time,)``), row for row
  (in ``predict``: its first ``h`` rows are the future steps).

``fit`` needs the covariates of every step of ``y``; ``predict`` those of the
``h`` steps after each series' end (``X`` may hold other rows too: only the
needed ones are read).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tsrm.exceptions import MissingValuesError, TSRMInputError
from tsrm.forecasting.series import Panel

# name -> (the index attribute, its period): each becomes a sin/cos pair.
CALENDAR = {
    "hour": ("hour", 24.0),
    "dayofweek": ("dayofweek", 7.0),
    "dayofmonth": ("day", 31.0),
    "month": ("month", 12.0),
    "dayofyear": ("dayofyear", 366.0),
}
DEFAULT_CALENDAR = ("hour", "dayofweek", "month")


@dataclass(frozen=True)
class CovariateSpec:
    """What a model was fitted with: ``X`` columns, calendar features, their scaling.

    ``mean`` and ``std`` have one entry per network input column: the future-known
    ``X`` columns first, then a sin and a cos column per calendar feature, then the
    past-observed ``X`` columns (``past``), then the static features (``static``).
    """

    columns: tuple
    calendar: tuple[str, ...]
    mean: np.ndarray
    std: np.ndarray
    past: tuple = ()
    static: tuple = ()

    @property
    def width(self) -> int:
        """Future-known input columns (``X`` columns known ahead and calendar features)."""
        return len(self.columns) + 2 * len(self.calendar)

    @property
    def n_inputs(self) -> int:
        """Every scaled input column: future-known, past-observed and static."""
        return self.width + len(self.past) + len(self.static)

    @property
    def has_history(self) -> bool:
        """Whether the network also reads the look-back steps (past or static features)."""
        return bool(self.past or self.static)


def check_calendar(value: Any) -> tuple[str, ...]:
    """The calendar feature names of a ``calendar_features`` setting (empty: none)."""
    if value is False or value is None:
        return ()
    if value is True:
        return DEFAULT_CALENDAR
    if isinstance(value, str):
        value = (value,)
    if isinstance(value, list | tuple) and value and all(v in CALENDAR for v in value):
        return tuple(dict.fromkeys(value))
    raise TSRMInputError(
        f"calendar_features must be False, True (= {DEFAULT_CALENDAR}) or a tuple of names "
        f"from {tuple(CALENDAR)}; got {value!r}."
    )


def check_past(value: Any) -> tuple:
    """The column names of a ``past_covariates`` setting (empty: none)."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = (value,)
    if isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value):
        if len(set(value)) == len(value):
            return tuple(value)
    raise TSRMInputError(
        "past_covariates must be None or a tuple of distinct column names of X (str), "
        f"e.g. ('sales_lag',); got {value!r}."
    )


def split_past(columns: tuple, past: tuple) -> tuple:
    """The future-known ``columns`` (those not in ``past``); every ``past`` name must exist."""
    unknown = [c for c in past if c not in columns]
    if unknown:
        raise TSRMInputError(
            f"past_covariates names {unknown}, which X does not have; X has {list(columns)}."
        )
    return tuple(c for c in columns if c not in past)


def past_rows(panel: Panel, X: Any, columns: tuple, n: int) -> list[np.ndarray]:
    """Per series, the unscaled ``(n, k)`` values of ``columns`` at its last ``n`` steps."""
    return [
        _rows(X, panel.kind, columns, sid, index.past(n), n)
        for sid, index in zip(panel.ids, panel.indexes, strict=True)
    ]


def static_matrix(static: Any, ids: list, fitted: tuple | None = None) -> tuple[np.ndarray, tuple]:
    """``(len(ids), k)`` static features of the series ``ids``, and their names.

    ``static`` is a DataFrame indexed by series id (or with a ``unique_id``
    column), one numeric column per feature. ``fitted``: the names it must have
    (those seen in fit), else any.
    """
    if isinstance(static, pd.Series):
        static = static.to_frame()
    if not isinstance(static, pd.DataFrame):
        raise TSRMInputError(
            f"static is a {type(static).__name__}; pass a DataFrame indexed by series id (or "
            "with a unique_id column), one numeric column per static feature."
        )
    if "unique_id" in static.columns:
        static = static.set_index("unique_id")
    names = tuple(static.columns)
    if fitted is None and not names:
        raise TSRMInputError("static has no feature columns; pass at least one, or static=None.")
    if fitted is not None and set(names) != set(fitted):
        raise TSRMInputError(
            f"static in predict must have the columns it had in fit ({list(fitted)}); got "
            f"{list(names)}."
        )
    if static.index.has_duplicates:
        raise TSRMInputError("static has duplicated series ids; give each series one row.")
    missing = [sid for sid in ids if sid not in static.index]
    if missing:
        raise TSRMInputError(
            f"static lacks {len(missing)} series ({', '.join(map(repr, missing[:5]))}"
            f"{', ...' if len(missing) > 5 else ''}); give every series a row."
        )
    names = fitted if fitted is not None else names
    try:
        values = static.loc[list(ids), list(names)].to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise TSRMInputError(
            f"static has non-numeric columns; pass numbers only (encode categories, e.g. with "
            f"pd.get_dummies). Columns: {list(names)}."
        ) from None
    bad = ~np.isfinite(values).all(axis=1)
    if bad.any():
        raise MissingValuesError(
            f"static holds NaN or infinite values for series "
            f"{', '.join(map(repr, [ids[i] for i in np.flatnonzero(bad)[:5]]))}; fill them first."
        )
    return values, tuple(names)


def calendar_matrix(stamps: pd.Index, names: tuple[str, ...]) -> np.ndarray:
    """``(len(stamps), 2 * len(names))``: sin and cos of each feature's phase."""
    if not isinstance(stamps, pd.DatetimeIndex | pd.PeriodIndex):
        raise TSRMInputError(
            "calendar_features need dates: y has an integer index or is a numpy array. Pass y "
            "with a DatetimeIndex or PeriodIndex (a long frame with datetime 'ds'), or use "
            "calendar_features=False."
        )
    columns = []
    for name in names:
        attribute, period = CALENDAR[name]
        phase = 2 * np.pi * np.asarray(getattr(stamps, attribute), dtype=np.float64) / period
        columns += [np.sin(phase), np.cos(phase)]
    return np.stack(columns, axis=1)


def covariate_columns(X: Any, kind: str) -> tuple:
    """The covariate column names of ``X`` for a ``y`` of ``kind``."""
    if kind in ("array1d", "array2d"):
        arr = np.asarray(X)
        if kind == "array2d" or arr.ndim not in (1, 2):
            raise TSRMInputError(
                "X for numpy y: y must be 1-D and X of shape (time,) or (time, k); for several "
                "series pass y and X as pandas frames (wide or long)."
            )
        return tuple(range(1 if arr.ndim == 1 else arr.shape[1]))
    if isinstance(X, pd.Series):
        return (X.name if X.name is not None else 0,)
    if not isinstance(X, pd.DataFrame):
        raise TSRMInputError(
            f"X is a {type(X).__name__}; for pandas y pass X as a DataFrame of covariate "
            "columns with y's index (a long frame with unique_id and ds for a long y)."
        )
    names = [c for c in X.columns if kind != "long" or c not in ("unique_id", "ds")]
    if kind == "long" and not {"unique_id", "ds"} <= set(X.columns):
        raise TSRMInputError(
            "y is a long frame, so X must be one too: columns unique_id, ds and the covariates."
        )
    if not names:
        raise TSRMInputError("X has no covariate columns; pass at least one, or X=None.")
    if len(set(names)) != len(names):
        raise TSRMInputError("X has duplicated column names; give every covariate its own name.")
    return tuple(names)


def _numeric(frame: pd.DataFrame, where: str) -> np.ndarray:
    try:
        values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        raise TSRMInputError(
            f"X has non-numeric columns; pass numbers only (encode categories, e.g. with "
            f"pd.get_dummies). Columns: {list(frame.columns)}."
        ) from None
    bad = ~np.isfinite(values)
    if bad.any():
        row = frame.index[int(np.argmax(bad.any(axis=1)))]
        raise MissingValuesError(
            f"X holds {int(bad.sum())} NaN or infinite value(s) {where} (first at {row!r}); "
            "covariates must be known at every step: fill them first, e.g. X.ffill()."
        )
    return values


def _rows(X: Any, kind: str, columns: tuple, sid: Any, stamps: pd.Index | None, n: int):
    """``(n, len(columns))`` values of ``X`` for series ``sid`` at ``stamps``."""
    if kind == "array1d":
        arr = np.asarray(X, dtype=np.float64)
        arr = arr.reshape(len(arr), -1)
        if len(arr) < n:
            raise TSRMInputError(
                f"X has {len(arr)} rows but {n} are needed (one per step of y in fit, the h "
                "future steps in predict); pass the missing future rows."
            )
        return _numeric(pd.DataFrame(arr[:n]), "in the rows used")
    frame = X.to_frame() if isinstance(X, pd.Series) else X
    if kind == "long":
        frame = frame[frame["unique_id"] == sid]
        ds = frame["ds"]
        if not (pd.api.types.is_datetime64_any_dtype(ds) or pd.api.types.is_integer_dtype(ds)):
            ds = pd.to_datetime(ds)
        frame = frame.set_axis(pd.Index(ds.to_numpy()), axis=0)
    if frame.index.has_duplicates:
        raise TSRMInputError(
            f"X has duplicated timestamps{f' for series {sid!r}' if kind == 'long' else ''}; "
            "give each time step one row."
        )
    found = stamps.isin(frame.index)
    if not found.all():
        gone = list(stamps[~found][:3])
        of = f" of series {sid!r}" if kind == "long" else ""
        raise TSRMInputError(
            f"X lacks {int((~found).sum())} of the {len(stamps)} time steps{of} it must cover "
            f"(e.g. {', '.join(map(str, gone))}); covariates are needed for every step of y in "
            "fit and for the h future steps in predict."
        )
    return _numeric(frame.loc[stamps, list(columns)], "in the rows used")


def raw_covariates(
    panel: Panel, X: Any, columns: tuple, calendar: tuple[str, ...], h: int | None = None
) -> list[np.ndarray]:
    """Per series, the unscaled covariates ``(steps, k)``.

    ``h=None``: at every step of the series (fit); otherwise at the ``h`` steps
    after its end (predict).
    """
    out = []
    for sid, values, index in zip(panel.ids, panel.values, panel.indexes, strict=True):
        n = len(values) if h is None else h
        stamps = None
        if index is not None:
            stamps = index.past(n) if h is None else index.future(n)
        parts = []
        if columns:
            parts.append(_rows(X, panel.kind, columns, sid, stamps, n))
        if calendar:
            if stamps is None:
                calendar_matrix(pd.RangeIndex(n), calendar)  # raises the clear error
            parts.append(calendar_matrix(stamps, calendar))
        out.append(np.concatenate(parts, axis=1))
    return out


def check_columns(X: Any, kind: str, fitted: tuple) -> None:
    """``X`` at predict time has exactly the columns it had in fit."""
    if X is None:
        if fitted:
            raise TSRMInputError(
                f"This model was fitted with covariates {list(fitted)}; predict needs X with "
                "their values for the h future steps."
            )
        return
    if not fitted:
        raise TSRMInputError(
            "X was given to predict, but the model was fitted without X; refit with "
            "fit(y, X=...) to use covariates, or call predict without X."
        )
    columns = covariate_columns(X, kind)
    if set(columns) != set(fitted):
        missing = [c for c in fitted if c not in columns]
        extra = [c for c in columns if c not in fitted]
        raise TSRMInputError(
            f"X in predict must have the columns it had in fit ({list(fitted)}): missing "
            f"{missing}, unexpected {extra}."
        )


def fit_scaling(covariates: list[np.ndarray], val_steps: list[int]) -> tuple[np.ndarray, ...]:
    """Per column mean and std over the training part of every series (std 1 if constant)."""
    train = np.concatenate([c[: len(c) - v] for c, v in zip(covariates, val_steps, strict=True)])
    mean, std = train.mean(axis=0), train.std(axis=0)
    big = np.abs(train).max(axis=0)
    return mean, np.where(std > 1e-12 * np.maximum(big, 1e-300), std, 1.0)


# -- what a window model fits and forecasts with ----------------------------------------------
def fit_covariates(
    panel: Panel, X: Any, static: Any, calendar: tuple, past: tuple, val_steps: list[int]
) -> tuple[CovariateSpec | None, list[np.ndarray] | None]:
    """The covariate spec and the scaled covariates of every series (None, None: none).

    Columns: future-known (``X``, calendar), then past-observed, then static (see
    :class:`CovariateSpec`); each series gets ``(length, k)``, scaled with the
    training-part mean and std (static features: across series).
    """
    if past and X is None:
        raise TSRMInputError(
            f"past_covariates names columns of X ({list(past)}), but fit got no X."
        )
    if past and panel.kind in ("array1d", "array2d"):
        raise TSRMInputError(
            "past_covariates need y and X as pandas objects (their index places the "
            "look-back window); pass y as a Series or DataFrame."
        )
    if X is None and not calendar and static is None:
        return None, None
    columns = split_past(() if X is None else covariate_columns(X, panel.kind), past)
    raw = [np.zeros((n, 0)) for n in panel.lengths]
    if columns or calendar:
        raw = raw_covariates(panel, X, columns, calendar)
    if past:  # read at every step, like the others
        raw_past = raw_covariates(panel, X, past, ())
        raw = [np.concatenate(p, axis=1) for p in zip(raw, raw_past, strict=True)]
    mean, std = fit_scaling(raw, val_steps)
    scaled = [(c - mean) / std for c in raw]
    names: tuple = ()
    if static is not None:
        values, names = static_matrix(static, panel.ids)
        s_mean, s_std = fit_scaling([values], [0])  # across series, one row each
        mean, std = np.concatenate([mean, s_mean]), np.concatenate([std, s_std])
        rows = (values - s_mean) / s_std
        scaled = [
            np.concatenate([c, np.broadcast_to(r, (len(c), len(r)))], axis=1)
            for c, r in zip(scaled, rows, strict=True)
        ]
    return CovariateSpec(columns, calendar, mean, std, past, names), scaled


def future_covariates(
    spec: CovariateSpec | None,
    panel: Panel,
    X: Any,
    static: Any,
    h: int,
    lookback: int,
    horizon: int,
) -> np.ndarray | None:
    """Scaled covariates of the ``h`` forecast steps, ``(n_series, h, k)`` float32.

    For a spec with past or static features: ``(n_series, lookback + horizon, k)``,
    the look-back steps first (at most ``horizon`` steps can then be forecast).
    """
    if static is not None and (spec is None or not spec.static):
        raise TSRMInputError(
            "static was given to predict, but the model was fitted without static "
            "features; refit with fit(y, static=...) or call predict without static."
        )
    if spec is None:
        check_columns(X, panel.kind, ())
        return None
    check_columns(X, panel.kind, spec.columns + spec.past)
    w = spec.width
    future = np.zeros((panel.n_series, h, 0))
    if w:
        raw = raw_covariates(panel, X, spec.columns, spec.calendar, h)
        future = (np.stack(raw) - spec.mean[:w]) / spec.std[:w]
    if not spec.has_history:
        return future.astype(np.float32)
    if h > horizon:
        raise TSRMInputError(
            f"A model with past_covariates or static features forecasts at most horizon "
            f"= {horizon} steps (beyond, past covariates would be needed after the forecast "
            f"origin); got h={h}."
        )
    return _joint_covariates(spec, panel, X, static, future, lookback, horizon)


def _joint_covariates(
    spec: CovariateSpec,
    panel: Panel,
    X: Any,
    static: Any,
    future: np.ndarray,
    lookback: int,
    horizon: int,
) -> np.ndarray:
    """``(n, lookback + horizon, every column)``: past columns on the look-back steps,
    future-known ones on the forecast steps, static ones everywhere."""
    w, p, h = spec.width, spec.width + len(spec.past), future.shape[1]
    out = np.zeros((panel.n_series, lookback + horizon, spec.n_inputs))
    out[:, lookback : lookback + h, :w] = future
    if spec.past:
        raw_past = np.stack(past_rows(panel, X, spec.past, lookback))
        out[:, :lookback, w:p] = (raw_past - spec.mean[w:p]) / spec.std[w:p]
    if spec.static:
        if static is None:
            raise TSRMInputError(
                f"This model was fitted with static features {list(spec.static)}; predict "
                "needs static with a row for every series."
            )
        values, _ = static_matrix(static, panel.ids, spec.static)
        out[:, :, p:] = ((values - spec.mean[p:]) / spec.std[p:])[:, None, :]
    return out.astype(np.float32)
