"""to_long and to_wide: convert between wide frames and long ``unique_id``/``ds``/``y`` frames."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tsrm.exceptions import IrregularIndexError, TSRMInputError
from tsrm.forecasting.datasets.own._common import (
    _as_frame,
    _check_unique_columns,
    _column_list,
    _numeric_dtype,
    _sorted_long,
    _to_float,
    _value_columns,
    _with_inferred_freq,
)
from tsrm.forecasting.datasets.own.read import _parse_dates

__all__ = ["to_long", "to_wide"]

LONG_COLUMNS = ("unique_id", "ds", "y")


def to_long(wide: pd.DataFrame | pd.Series, *, trim: bool = True) -> pd.DataFrame:
    """Convert a wide frame (one column per series) to a long ``unique_id``/``ds``/``y`` frame.

    Parameters
    ----------
    wide : pd.DataFrame or pd.Series
        Numeric columns sharing a DatetimeIndex or integer index. A Series is one series
        (named by its name, ``"y"`` when unnamed).
    trim : bool, default True
        Drop each series' leading and trailing NaN, the padding of series that start
        later or end earlier than others, so they become ragged long series (which
        forecasters accept). NaN inside a series are kept: dropping them would leave
        it off its regular grid.

    Returns
    -------
    pd.DataFrame
        Columns ``unique_id`` (the column labels), ``ds`` (the index) and ``y`` (float),
        sorted by series in column order, then by time.

    Raises
    ------
    TSRMInputError
        Not a DataFrame, an index that is neither datetime nor integer, duplicated column
        names, non-numeric columns.
    IrregularIndexError
        Duplicated index values.
    """
    what = "wide"
    wide = _as_frame(wide, what, "y", "a pandas DataFrame with one column per series")
    index = wide.index
    if not (isinstance(index, pd.DatetimeIndex) or pd.api.types.is_integer_dtype(index.dtype)):
        hint = " (wide.to_timestamp())" if isinstance(index, pd.PeriodIndex) else ""
        raise TSRMInputError(
            f"{what} has an index of dtype {index.dtype}; it needs a DatetimeIndex{hint} or "
            "integer index, e.g. wide.set_index(pd.to_datetime(wide['date'])) or read_series(...)."
        )
    _check_unique_columns(wide, what)
    if wide.shape[1] == 0:
        raise TSRMInputError(f"{what} has no columns; pass at least one series.")
    _value_columns(wide, None, set(), what)  # all columns must be numeric
    if index.has_duplicates:
        raise IrregularIndexError(
            f"{what} has timestamp {index[index.duplicated()][0]} more than once in its index; "
            "aggregate first, e.g. wide.groupby(level=0).mean()."
        )
    if not index.is_monotonic_increasing:
        wide = wide.sort_index(kind="stable")
        index = wide.index
    n = len(index)
    long = pd.DataFrame(
        {
            "unique_id": wide.columns.repeat(n),
            "ds": index.take(np.tile(np.arange(n), wide.shape[1])),
            "y": np.concatenate([_to_float(wide[c]) for c in wide.columns]),
        }
    )
    if trim:
        present = long["y"].notna().to_numpy().reshape(wide.shape[1], n)
        # Per series (row of ``present``): keep from its first to its last value.
        seen_before = np.maximum.accumulate(present, axis=1)
        seen_after = np.maximum.accumulate(present[:, ::-1], axis=1)[:, ::-1]
        long = long[(seen_before & seen_after).ravel()]
    return long.reset_index(drop=True)


def to_wide(long: pd.DataFrame) -> pd.DataFrame:
    """Convert a long ``unique_id``/``ds``/``y`` frame to a wide frame (one column per series).

    Parameters
    ----------
    long : pd.DataFrame
        Columns ``unique_id``, ``ds`` (dates, date strings or integers) and numeric
        ``y``; other columns are ignored.

    Returns
    -------
    pd.DataFrame
        Indexed by the sorted union of all timestamps (``freq`` set when inferable), one
        float column per series in order of first appearance, NaN where a series has no
        value at a timestamp.

    Raises
    ------
    TSRMInputError
        Missing columns, missing ids, unparseable dates or non-numeric ``y``.
    IrregularIndexError
        A (unique_id, ds) pair appears more than once.
    """
    what = "long"
    if not isinstance(long, pd.DataFrame):
        raise TSRMInputError(
            f"{what} is a {type(long).__name__}; pass a DataFrame with columns unique_id, ds, y."
        )
    missing = [c for c in LONG_COLUMNS if c not in long.columns]
    if missing:
        raise TSRMInputError(
            f"{what} lacks column(s) {', '.join(map(repr, missing))} (it has "
            f"{_column_list(long)}); rename yours, e.g. long.rename(columns={{'date': 'ds', "
            "'series': 'unique_id', 'value': 'y'}), or build it with "
            "read_series(..., id_column=...)."
        )
    if len(long) == 0:
        raise TSRMInputError(f"{what} has no rows; pass at least one observation.")
    if long["unique_id"].isna().any():
        raise TSRMInputError(
            f"{what}: column 'unique_id' has missing values; give every row a series id."
        )
    ds = long["ds"]
    if not pd.api.types.is_integer_dtype(ds.dtype):
        ds = _parse_dates(ds, "ds", what)
    if not _numeric_dtype(long["y"]):
        raise TSRMInputError(
            f"{what}: column 'y' is not numeric (dtype {long['y'].dtype}); convert it first, "
            "e.g. long['y'] = pd.to_numeric(long['y'])."
        )
    work = _sorted_long(
        pd.DataFrame(
            {"unique_id": long["unique_id"].to_numpy(), "ds": ds.to_numpy(), "y": long["y"]}
        ),
        what,
    )
    order = pd.unique(work["unique_id"])
    wide = work.pivot(index="ds", columns="unique_id", values="y").reindex(columns=order)
    wide = wide.sort_index().astype(np.float64)
    wide.index.name = None
    wide.columns.name = None
    wide.index = _with_inferred_freq(wide.index)
    return wide
