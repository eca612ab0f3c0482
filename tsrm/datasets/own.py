"""Bring your own data: read CSV files and frames, convert wide <-> long, resample sensor logs.

Every function returns data in a form :func:`tsrm.timeseries.to_panel` (and so
``TRMForecaster.fit``) accepts: a wide DataFrame indexed by a regular
DatetimeIndex, or a long DataFrame with columns ``unique_id``, ``ds``, ``y``.
The caller's objects are never modified. Nothing here knows about models.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from tsrm.exceptions import IrregularIndexError, MissingValuesError, TSRMInputError

__all__ = ["ResampledLog", "read_series", "resample_log", "to_long", "to_wide"]

LONG_COLUMNS = ("unique_id", "ds", "y")
AGGREGATIONS = ("mean", "median", "first", "last", "sum", "min", "max")
GAP_POLICIES = ("interpolate", "ffill", "mask", "error")

# Column names (lower-cased, punctuation removed) taken as the date column without looking
# at the values; "Date Time", "date_time" and "DateTime" all normalise to "datetime".
_DATE_NAMES = frozenset(
    {"date", "dates", "ds", "dt", "time", "times", "timestamp", "timestamps", "datetime"}
)
# Words that make a column a likely date column ("order_date", "Time (UTC)").
_DATE_WORDS = frozenset({"date", "time", "timestamp", "datetime"})
_DEVICE_NAMES = frozenset({"device", "deviceid", "uniqueid"})
_SENSOR_NAMES = frozenset({"sensor", "sensorid", "metric"})
_VALUE_NAMES = frozenset({"value", "y", "reading"})
# Value-based detection only accepts dates in this year range, so that strings such as
# "1/2" (which dateutil reads as 2 January of year 1) are not mistaken for dates.
_PLAUSIBLE_YEARS = (1700, 2300)
_DETECT_SAMPLE = 200
# Frequency inference: spacings whose interquartile range exceeds this fraction of their
# median are too irregular to guess a grid from; the rounded alias may be off by this much.
_MAX_SPACING_IQR = 0.5
_ALIAS_TOLERANCE = 0.05
_UNITS_NS = (("D", 86_400 * 10**9), ("h", 3_600 * 10**9), ("min", 60 * 10**9), ("s", 10**9))
_UNITS_NS += (("ms", 10**6), ("us", 10**3))


# --------------------------------------------------------------------------------------------
# read_series
# --------------------------------------------------------------------------------------------


def read_series(
    source: str | os.PathLike | pd.DataFrame,
    date_column: Hashable | None = None,
    value_columns: Hashable | Sequence[Hashable] | None = None,
    id_column: Hashable | None = None,
    *,
    date_format: str | None = None,
    **read_csv_kwargs: Any,
) -> pd.DataFrame:
    """Read time series from a CSV file or DataFrame into a form tsrm forecasters accept.

    Parameters
    ----------
    source : str, path-like or pd.DataFrame
        A CSV file (``.gz``, ``.zip``, ... are decompressed by pandas) or a DataFrame.
        A DataFrame whose index is a DatetimeIndex may leave the dates in the index.
    date_column : hashable, optional
        Column holding the timestamps. When omitted it is detected: first a column
        named like ``date``, ``ds``, ``time``, ``timestamp`` or ``datetime``
        (case-insensitive), then one whose name contains such a word, then the first
        column of dtype datetime, then the first text column whose values parse as
        dates. Numeric columns (and text holding only numbers) are never taken as dates.
    value_columns : hashable or sequence of hashable, optional
        Numeric columns to keep; by default every column except the date and id columns.
    id_column : hashable, optional
        Column naming the series each row belongs to (long input). When given, a long
        frame with columns ``unique_id``, ``ds``, ``y`` is returned; with several value
        columns each becomes its own series, named ``"<id>/<column>"``.
    date_format : str, optional
        ``strftime`` format of the dates (e.g. ``"%d/%m/%Y"``), or ``"mixed"`` /
        ``"ISO8601"``, passed to ``pd.to_datetime``; by default pandas infers it.
    **read_csv_kwargs
        Passed to ``pd.read_csv`` (e.g. ``sep=";"``, ``decimal=","``).

    Returns
    -------
    pd.DataFrame
        Without ``id_column``: one float column per series, indexed by the parsed
        dates (sorted; the index ``freq`` is set when pandas can infer it). With
        ``id_column``: columns ``unique_id``, ``ds``, ``y`` sorted by series, then time.
        Missing values stay NaN (forecasters reject them with a hint on how to fill).

    Raises
    ------
    TSRMInputError
        Empty file, no date column found, unparseable dates, unknown or non-numeric
        value columns; the message names the problem and the argument that fixes it.
    IrregularIndexError
        The same timestamp appears twice for one series.
    """
    if isinstance(source, pd.DataFrame):
        what = "the DataFrame"
        frame, from_index = _frame_with_date_index_as_column(source)
        if len(frame) == 0:
            raise TSRMInputError(f"{what} has no rows; pass data with at least one row.")
        if from_index is not None:
            if date_column is None:
                date_column = from_index
            else:  # dates named explicitly: the index is not data
                frame = frame.drop(columns=from_index)
    else:
        what = f"CSV file {os.fspath(source)!r}" if _is_path(source) else "the CSV data"
        frame = _read_csv(source, what, read_csv_kwargs)
    _check_unique_columns(frame, what)

    if date_column is None:
        date_column = _detect_date_column(frame, what, date_format)
        if date_column is None:
            raise TSRMInputError(_no_date_column_message(frame, what, "date_column"))
    else:
        _check_has_columns(frame, [date_column], what, "date_column")
    dates = _parse_dates(frame[date_column], date_column, what, date_format)

    if id_column is not None:
        _check_has_columns(frame, [id_column], what, "id_column")
        if id_column == date_column:
            raise TSRMInputError(
                f"{what}: id_column and date_column are both {id_column!r}; pass the column "
                "that names the series as id_column."
            )
    value_columns = _value_columns(frame, value_columns, {date_column, id_column}, what)
    index_name = _index_name(date_column)

    if id_column is None:
        wide = pd.DataFrame(
            {c: _to_float(frame[c]) for c in value_columns},
            index=pd.DatetimeIndex(dates).rename(index_name),
        )
        wide = wide.sort_index(kind="stable")
        if wide.index.has_duplicates:
            dup = wide.index[wide.index.duplicated()][0]
            raise IrregularIndexError(
                f"{what}: timestamp {dup} appears more than once in column {date_column!r}; "
                "if the rows belong to different series pass id_column=..., otherwise "
                f"aggregate them (e.g. df.groupby({date_column!r}).mean()) or use "
                "resample_log(...)."
            )
        wide.index = _with_inferred_freq(wide.index)
        return wide

    ids = frame[id_column]
    if ids.isna().any():
        raise TSRMInputError(
            f"{what}: id column {id_column!r} has {int(ids.isna().sum())} missing value(s); "
            "give every row a series id or drop those rows, e.g. "
            f"df.dropna(subset=[{id_column!r}])."
        )
    parts = []
    for column in value_columns:
        uid = ids if len(value_columns) == 1 else ids.astype(str) + f"/{column}"
        parts.append(
            pd.DataFrame(
                {"unique_id": uid.to_numpy(), "ds": dates.to_numpy(), "y": _to_float(frame[column])}
            )
        )
    return _sorted_long(pd.concat(parts, ignore_index=True), what)


def _is_path(source: Any) -> bool:
    return isinstance(source, str | os.PathLike)


def _read_csv(source: Any, what: str, kwargs: dict) -> pd.DataFrame:
    try:
        frame = pd.read_csv(source, **kwargs)
    except pd.errors.EmptyDataError:
        raise TSRMInputError(
            f"{what} is empty; pass a CSV file with a header line and at least one data row."
        ) from None
    if len(frame) == 0:
        raise TSRMInputError(
            f"{what} has a header ({', '.join(map(str, frame.columns))}) but no data rows; "
            "pass a file with at least one row."
        )
    return frame


def _frame_with_date_index_as_column(frame: pd.DataFrame) -> tuple[pd.DataFrame, Any]:
    """Copy of ``frame`` with a RangeIndex; a DatetimeIndex becomes its first column.

    Returns the copy and the name of that column (None when the index held no dates).
    """
    if not isinstance(frame.index, pd.DatetimeIndex):
        return frame.reset_index(drop=True), None
    name = frame.index.name if frame.index.name is not None else "date"
    while name in frame.columns:
        name = f"{name}_"
    out = frame.reset_index(drop=True)
    out.insert(0, name, pd.Series(frame.index, index=out.index))
    return out, name


def _index_name(column: Hashable) -> Hashable | None:
    """Name for an index made from ``column`` (pandas' "Unnamed: 0" placeholder -> None)."""
    return None if str(column).startswith("Unnamed:") else column


def _check_unique_columns(frame: pd.DataFrame, what: str) -> None:
    if frame.columns.has_duplicates:
        dup = frame.columns[frame.columns.duplicated()][0]
        raise TSRMInputError(
            f"{what} has two columns named {dup!r}; rename one so every column name is unique."
        )


def _check_has_columns(frame: pd.DataFrame, columns: list, what: str, argument: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise TSRMInputError(
            f"{what} has no column {missing[0]!r} (given as {argument}); its columns are "
            f"{_column_list(frame)}."
        )


def _column_list(frame: pd.DataFrame) -> str:
    return ", ".join(repr(c) for c in frame.columns)


def _norm(name: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def _words(name: Any) -> set[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(name))  # camelCase -> camel Case
    return set(re.split(r"[^a-z0-9]+", spaced.lower()))


def _is_bool(values: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(values.dtype)


def _is_numeric(values: pd.Series) -> bool:
    """Numbers by dtype, or text that holds only numbers (``"20240131"``, ``"1.5"``)."""
    if _is_bool(values):
        return False
    if pd.api.types.is_numeric_dtype(values.dtype):
        return True
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return False
    present = values.dropna()
    if len(present) == 0:
        return False
    return bool(pd.to_numeric(present, errors="coerce").notna().all())


def _looks_like_dates(values: pd.Series) -> bool:
    """Value-based detection: text with digits that parses as plausible dates."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return True
    if _is_bool(values) or pd.api.types.is_numeric_dtype(values.dtype) or _is_numeric(values):
        return False
    sample = values.dropna().iloc[:_DETECT_SAMPLE]
    if len(sample) == 0 or not sample.astype(str).str.contains(r"\d").all():
        return False  # "May", "Monday" and ids without digits are not timestamps
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = pd.to_datetime(sample, errors="coerce")
        except (TypeError, ValueError) as err:
            # Mixed UTC offsets are still dates: let parsing explain how to unify them.
            return "timezone" in str(err).lower()
    if parsed.isna().any():
        return False
    years = pd.DatetimeIndex(parsed).year
    return bool(((years >= _PLAUSIBLE_YEARS[0]) & (years <= _PLAUSIBLE_YEARS[1])).all())


def _detect_date_column(frame: pd.DataFrame, what: str, date_format: str | None) -> Hashable | None:
    """The timestamp column of ``frame`` (see ``read_series``), or None if there is none."""
    columns = list(frame.columns)
    for column in columns:
        if _norm(column) in _DATE_NAMES and not _is_numeric(frame[column]):
            if not _is_bool(frame[column]):
                # The name says "date": unparseable values are an error, not a reason to look on.
                _parse_dates(frame[column], column, what, date_format)
                return column
    for column in columns:
        if _words(column) & _DATE_WORDS and _looks_like_dates(frame[column]):
            return column
    for column in columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column].dtype):
            return column
    for column in columns:
        if _looks_like_dates(frame[column]):
            return column
    return None


def _no_date_column_message(frame: pd.DataFrame, what: str, argument: str) -> str:
    message = f"{what} has no column that holds dates (columns: {_column_list(frame)})"
    numeric_named = [
        c
        for c in frame.columns
        if (_norm(c) in _DATE_NAMES or _words(c) & _DATE_WORDS) and _is_numeric(frame[c])
    ]
    if numeric_named:
        c = numeric_named[0]
        return (
            f"{message}; column {c!r} holds numbers, which are never read as dates. Convert "
            f"it first, e.g. df[{c!r}] = pd.to_datetime(df[{c!r}].astype(str), format='%Y%m%d') "
            f"for 20240131-style values or pd.to_datetime(df[{c!r}], unit='s') for Unix "
            f"seconds, then pass the DataFrame (with {argument}={c!r})."
        )
    return f"{message}; name the column with the timestamps, e.g. {argument}='when'."


def _parse_dates(
    values: pd.Series, column: Hashable, what: str, date_format: str | None = None
) -> pd.Series:
    """``values`` as datetime64, or a TSRMInputError naming the first bad value and the fix."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        parsed = values
    elif _is_bool(values) or _is_numeric(values):
        example = values.dropna().iloc[0] if values.notna().any() else None
        raise TSRMInputError(
            f"{what}: column {column!r} holds numbers (e.g. {example!r}), not dates. Convert it "
            f"first, e.g. df[{column!r}] = pd.to_datetime(df[{column!r}].astype(str), "
            "format='%Y%m%d') for 20240131-style values or pd.to_datetime(..., unit='s') for "
            "Unix seconds, then pass the DataFrame; or name the right column."
        )
    else:
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*Could not infer format.*")
                parsed = pd.to_datetime(values, format=date_format)
        except (TypeError, ValueError) as err:
            if "timezone" in str(err).lower() or "tz-" in str(err).lower():
                raise TSRMInputError(
                    f"{what}: column {column!r} mixes time zones / UTC offsets; convert it to one "
                    f"zone first, e.g. df[{column!r}] = pd.to_datetime(df[{column!r}], utc=True), "
                    "then pass the DataFrame."
                ) from None
            raise TSRMInputError(
                f"{what}: column {column!r} has values that do not parse as dates (first: "
                f"{_first_unparseable(values, date_format)!r}); pass the format, e.g. "
                "date_format='%d/%m/%Y', or date_format='mixed' if formats vary from row to row."
            ) from None
    if parsed.isna().any():
        raise TSRMInputError(
            f"{what}: column {column!r} has {int(parsed.isna().sum())} empty date(s); drop those "
            f"rows first, e.g. df.dropna(subset=[{column!r}])."
        )
    return parsed


def _first_unparseable(values: pd.Series, date_format: str | None) -> Any:
    present = values.dropna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:  # pandas fixes the format from the first value: mismatches become NaT
            coerced = pd.to_datetime(present, format=date_format, errors="coerce")
            if coerced.isna().any():
                return present[coerced.isna()].iloc[0]
        except (TypeError, ValueError):
            pass
    for value in present:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pd.to_datetime([value], format=date_format)
        except (TypeError, ValueError):
            return value
    return values.dropna().iloc[0]


def _value_columns(
    frame: pd.DataFrame, value_columns: Any, used: set, what: str, argument: str = "value_columns"
) -> list[Hashable]:
    if value_columns is None:
        columns = [c for c in frame.columns if c not in used]
        if not columns:
            raise TSRMInputError(
                f"{what} has no value column besides the date/id columns "
                f"({_column_list(frame)}); add a column of numbers."
            )
    else:
        columns = _as_list(value_columns, frame)
        _check_has_columns(frame, columns, what, "value_columns")
        if not columns:
            raise TSRMInputError(f"{what}: value_columns is empty; name at least one column.")
    bad = [c for c in columns if not _numeric_dtype(frame[c])]
    if bad:
        numeric = [c for c in frame.columns if c not in used and _numeric_dtype(frame[c])]
        example = frame[bad[0]].dropna().iloc[0] if frame[bad[0]].notna().any() else None
        # resample_log's value_column takes one column, read_series' value_columns a list.
        suggestion = numeric if argument.endswith("s") else (numeric[0] if numeric else "...")
        raise TSRMInputError(
            f"{what}: column(s) {', '.join(map(repr, bad))} are not numeric (e.g. {example!r}); "
            f"pass {argument}={suggestion!r} to use only numeric columns, or convert them first "
            "with pd.to_numeric(...)."
        )
    return columns


def _as_list(columns: Any, frame: pd.DataFrame) -> list:
    """One column label or a sequence of labels, as a list (a tuple may be one label)."""
    if isinstance(columns, str) or not isinstance(columns, Sequence | pd.Index | np.ndarray):
        return [columns]
    if isinstance(columns, tuple) and columns in frame.columns:
        return [columns]
    return list(columns)


def _numeric_dtype(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values.dtype) and not _is_bool(values)


def _to_float(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def _with_inferred_freq(index: pd.Index) -> pd.Index:
    """``index`` with ``freq`` set where pandas can infer one (display and ``.freq`` only)."""
    if isinstance(index, pd.DatetimeIndex) and index.freq is None and len(index) >= 3:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return pd.DatetimeIndex(index, freq="infer")
        except (TypeError, ValueError):
            pass
    return index


def _sorted_long(long: pd.DataFrame, what: str) -> pd.DataFrame:
    """Sort by series (first appearance) then time; reject duplicated (unique_id, ds) pairs."""
    dup = long.duplicated(["unique_id", "ds"])
    if dup.any():
        row = long.loc[dup.idxmax()]
        raise IrregularIndexError(
            f"{what}: series {row['unique_id']!r} has timestamp {row['ds']} more than once; "
            "aggregate the duplicates first, e.g. "
            "long.groupby(['unique_id', 'ds'], as_index=False)['y'].mean()."
        )
    order = pd.factorize(long["unique_id"])[0]
    keyed = long.assign(_order=order).sort_values(["_order", "ds"], kind="stable")
    return keyed.drop(columns="_order").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# wide <-> long
# --------------------------------------------------------------------------------------------


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
    if isinstance(wide, pd.Series):
        wide = wide.to_frame(name=wide.name if wide.name is not None else "y")
    if not isinstance(wide, pd.DataFrame):
        raise TSRMInputError(
            f"{what} is a {type(wide).__name__}; pass a pandas DataFrame with one column per "
            "series."
        )
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
            "y": np.concatenate([_to_float(wide[c]) for c in wide.columns] or [np.empty(0)]),
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


# --------------------------------------------------------------------------------------------
# resample_log
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResampledLog:
    """A sensor log on a regular grid, with a record of what was aggregated and filled.

    Attributes
    ----------
    data : pd.DataFrame
        Wide (DatetimeIndex with ``freq``, one column per series) or long
        (``unique_id``/``ds``/``y``) frame, ready for ``TRMForecaster.fit`` unless
        ``gaps="mask"`` left NaN (or, wide only, series cover different time spans).
    freq : str
        The grid's pandas frequency alias (e.g. ``"5min"``).
    freq_inferred : bool
        Whether ``freq`` was inferred from the timestamps rather than passed.
    mask : pd.DataFrame or pd.Series
        True where a bin held no reading (so its value was filled or is NaN). Same
        shape as ``data`` when wide; a boolean Series aligned with ``data``'s rows when long.
    n_readings : pd.Series
        Readings used per series (NaN readings are dropped before binning).
    n_empty : pd.Series
        Empty bins per series between its first and last reading.
    n_filled : pd.Series
        How many of those were filled (equal to ``n_empty`` for "interpolate" and
        "ffill", 0 for "mask").
    agg, gaps, align : str
        The aggregation, gap policy and bin alignment used.
    """

    data: pd.DataFrame
    freq: str
    freq_inferred: bool
    mask: pd.DataFrame | pd.Series
    n_readings: pd.Series
    n_empty: pd.Series
    n_filled: pd.Series
    agg: str
    gaps: str
    align: str

    def __repr__(self) -> str:
        return f"ResampledLog({self.summary()})"

    def summary(self) -> str:
        """One paragraph saying how the log was resampled and which bins were filled."""
        how = "inferred from the median spacing" if self.freq_inferred else "given"
        text = (
            f"{len(self.n_readings)} series, {int(self.n_readings.sum())} readings resampled "
            f"to a regular {self.freq!r} grid (freq {how}; agg={self.agg!r}, "
            f"align={self.align!r}, gaps={self.gaps!r})"
        )
        empty = self.n_empty[self.n_empty > 0]
        if empty.empty:
            return text + "; no empty bins."
        action = {
            "interpolate": "filled by time interpolation",
            "ffill": "filled with the previous value",
            "mask": "left NaN (see .mask)",
        }[self.gaps]
        per_series = ", ".join(f"{k!r}: {int(v)}" for k, v in empty.items())
        return text + f"; {int(empty.sum())} empty bin(s) {action} ({per_series})."


def resample_log(
    log: pd.DataFrame | pd.Series | str | os.PathLike,
    freq: str | None = None,
    *,
    time_column: Hashable | None = None,
    sensor_column: Hashable | None = None,
    value_column: Hashable | None = None,
    device_column: Hashable | None = None,
    agg: Literal["mean", "median", "first", "last", "sum", "min", "max"] = "mean",
    gaps: Literal["interpolate", "ffill", "mask", "error"] = "interpolate",
    max_gap: int | None = None,
    align: Literal["nearest", "start"] | None = None,
    output: Literal["wide", "long"] = "wide",
) -> ResampledLog:
    """Resample an irregular sensor log onto a regular time grid, one series per sensor.

    Parameters
    ----------
    log : pd.DataFrame, pd.Series, str or path-like
        Either event rows (a timestamp column plus device/sensor/value columns, one
        reading per row), or a wide frame or Series with an irregular DatetimeIndex
        (one column per sensor). A path is read with ``pd.read_csv``.
    freq : str, optional
        Grid frequency as a pandas alias (``"5min"``, ``"h"``, ``"D"``, ``"MS"``...).
        When omitted it is inferred per series from the median spacing between
        consecutive distinct timestamps (refined to the mean of the spacings within 50%
        of the median, so jitter averages out and missed readings are ignored), rounded
        to a whole number of the largest unit (``D``, ``h``, ``min``, ``s``, ``ms``,
        ``us``) within 5%, e.g. 4min58s -> ``"5min"``, 90min -> ``"90min"``; the coarsest series
        decides (a warning says so when series differ by more than 2x). Inference fails
        with IrregularIndexError when a series has fewer than 3 distinct timestamps or
        its spacings vary too much (interquartile range over half the median: a robust
        coefficient of variation, so a few missing readings do not block inference).
    time_column : hashable, optional
        Timestamp column; detected like ``read_series``'s ``date_column`` when omitted
        (a DatetimeIndex is used when there is no such column).
    sensor_column, device_column : hashable, optional
        Columns naming the sensor and the device of each reading. When omitted, columns
        named ``sensor``/``sensor_id``/``metric`` and ``device``/``device_id``/
        ``unique_id`` (case-insensitive) are used. Each (device, sensor) pair is one
        series named ``"device/sensor"``. Without a sensor column every numeric column
        is a sensor (named ``"device/column"``, or just the device when there is one
        numeric column, or just the column without a device column). Other text
        columns are an error (they may identify series; combine or drop them).
    value_column : hashable, optional
        Column holding the readings: needed with a sensor column unless there is one
        numeric column or one named ``value``/``y``/``reading``. Without a sensor
        column it selects that single column as the readings.
    agg : {"mean", "median", "first", "last", "sum", "min", "max"}, default "mean"
        How readings falling in the same bin are combined (NaN readings are dropped first).
    gaps : {"interpolate", "ffill", "mask", "error"}, default "interpolate"
        What to do with empty bins between a series' first and last reading:

        - ``"interpolate"``: linear interpolation in time between the neighbouring bins;
        - ``"ffill"``: repeat the last value before the gap;
        - ``"mask"``: leave NaN; ``.mask`` marks them (forecasters reject NaN, so fill
          them yourself before fitting);
        - ``"error"``: raise MissingValuesError naming the earliest empty bin.

        Whatever is filled is counted in ``.n_filled`` and marked in ``.mask``; see also
        :meth:`ResampledLog.summary`.
    max_gap : int, optional
        With "interpolate" or "ffill": the longest run of consecutive empty bins that may
        be filled. A longer gap raises MissingValuesError (naming the series, where the gap
        starts and ends) rather than inventing data across it; pass a larger value,
        ``gaps="mask"``, or split the series. None: no limit.
    align : {"nearest", "start"}, optional
        ``"nearest"``: a bin labelled ``t`` holds readings in ``[t - freq/2, t + freq/2)``,
        so timestamps jittered around their nominal time land in the right bin.
        ``"start"``: a bin labelled ``t`` holds ``[t, t + freq)``, as ``DataFrame.resample``.
        Default: "nearest" for fixed frequencies (D, h, min, s...), "start" for calendar
        ones (W, MS, QS...; these bins are exactly ``DataFrame.resample``'s). Fixed grids
        are anchored at midnight of the earliest reading's day.
    output : {"wide", "long"}, default "wide"
        ``"wide"``: one column per series on the union of all series' bins; bins before a
        series' first or after its last reading are NaN, never filled (a warning names
        the series). ``"long"``: ``unique_id``/``ds``/``y``, each series over its own span.

    Returns
    -------
    ResampledLog
        ``.data`` (the regular frame), ``.freq``, ``.mask``, ``.n_filled`` and the other
        counts; ``.summary()`` describes what was done.

    Raises
    ------
    TSRMInputError
        Unknown arguments, no timestamp or value column, non-numeric readings.
    IrregularIndexError
        ``freq`` omitted and it cannot be inferred; the message says to pass ``freq``.
    MissingValuesError
        ``gaps="error"`` and a bin is empty, or a gap is longer than ``max_gap``.
    """
    _check_choice("agg", agg, AGGREGATIONS)
    _check_choice("gaps", gaps, GAP_POLICIES)
    _check_choice("output", output, ("wide", "long"))
    if align is not None:
        _check_choice("align", align, ("nearest", "start"))
    if max_gap is not None:
        if gaps not in ("interpolate", "ffill"):
            raise TSRMInputError(
                f"max_gap only applies to gaps='interpolate' or 'ffill' (got gaps={gaps!r}); "
                "drop max_gap or change gaps."
            )
        if isinstance(max_gap, bool) or not isinstance(max_gap, int | np.integer) or max_gap < 0:
            raise TSRMInputError(
                f"max_gap must be a whole number of bins >= 0 (got {max_gap!r}), e.g. max_gap=3."
            )

    what = "log"
    frame, from_index = _log_frame(log, what)
    if from_index is not None:
        if time_column is None:
            time_column = from_index
        else:  # timestamps named explicitly: the index is not data
            frame = frame.drop(columns=from_index)
            from_index = None
    series, time_column = _log_series(
        frame, what, time_column, device_column, sensor_column, value_column
    )
    # A DatetimeIndex keeps its name (None stays None); a column lends its name to the index.
    time_name = log.index.name if from_index is not None else _index_name(time_column)

    freq_inferred = freq is None
    if freq is None:
        freq = _infer_log_freq(series)
    offset = _to_offset(freq)
    try:
        step: pd.Timedelta | None = pd.Timedelta(offset)
    except (TypeError, ValueError):
        step = None  # calendar frequency: months, weeks, quarters...
    if step is not None and step <= pd.Timedelta(0):
        raise TSRMInputError(f"freq must be a positive step, got {freq!r}; e.g. freq='5min'.")
    if align is None:
        align = "nearest" if step is not None else "start"
    elif align == "nearest" and step is None:
        raise TSRMInputError(
            f"align='nearest' needs a fixed frequency (D, h, min, s...), not {offset.freqstr!r}; "
            "pass align='start' or a fixed freq such as '7D'."
        )
    shift = step / 2 if align == "nearest" else pd.Timedelta(0)
    origin = None
    first = min(times.min() for _, times, _ in series)
    # One anchor for all series, so their bins line up. pandas ignores (and warns about)
    # origin for day steps on tz-aware data; those bins are local calendar days anyway.
    if isinstance(offset, pd.offsets.Tick) or (step is not None and first.tz is None):
        origin = (first + shift).normalize()

    binned: dict[Hashable, tuple[pd.Series, pd.Series]] = {}
    for sid, times, values in series:
        readings = pd.Series(values, index=times + shift)
        bins = (
            readings.resample(offset, origin=origin)
            if origin is not None
            else readings.resample(offset)
        )
        counts = bins.count()
        binned[sid] = (getattr(bins, agg)().where(counts > 0), counts == 0)

    _check_gaps(binned, gaps, max_gap, offset.freqstr)
    filled = {sid: _fill(values, gaps) for sid, (values, _) in binned.items()}
    empty = {sid: is_empty for sid, (_, is_empty) in binned.items()}
    ids = list(binned)
    n_empty = pd.Series({sid: int(empty[sid].sum()) for sid in ids}, dtype=np.int64)
    n_filled = pd.Series(
        {sid: int((empty[sid] & filled[sid].notna()).sum()) for sid in ids}, dtype=np.int64
    )
    n_readings = pd.Series({sid: len(times) for sid, times, _ in series}, dtype=np.int64)

    if output == "wide":
        grid = pd.date_range(
            min(v.index[0] for v in filled.values()),
            max(v.index[-1] for v in filled.values()),
            freq=offset,
            name=time_name,
        )
        if not all(v.index.isin(grid).all() for v in filled.values()):  # pragma: no cover
            raise IrregularIndexError(
                f"the series' bins for freq {offset.freqstr!r} do not share one grid; pass "
                "output='long' or a fixed freq such as '5min'."
            )
        data = pd.DataFrame({sid: filled[sid].reindex(grid) for sid in ids}, index=grid)
        mask = pd.DataFrame(
            {sid: empty[sid].reindex(grid, fill_value=True) for sid in ids}, index=grid
        )
        outside = {sid: len(grid) - len(filled[sid]) for sid in ids}
        short = [sid for sid in ids if outside[sid]]
        if short:
            warnings.warn(
                f"series {', '.join(map(repr, short))} start later or end earlier than others; "
                f"their {sum(outside.values())} bin(s) outside their own span are NaN in the "
                "wide frame (marked in .mask, not filled). Pass output='long' to keep series of "
                "different lengths, or trim with result.data.dropna().",
                UserWarning,
                stacklevel=2,
            )
    else:
        parts = [
            pd.DataFrame({"unique_id": [sid] * len(v), "ds": v.index, "y": v.to_numpy()})
            for sid, v in filled.items()
        ]
        data = pd.concat(parts, ignore_index=True)
        mask = pd.Series(np.concatenate([empty[sid].to_numpy() for sid in ids]), name="missing")
    return ResampledLog(
        data=data,
        freq=offset.freqstr,
        freq_inferred=freq_inferred,
        mask=mask,
        n_readings=n_readings,
        n_empty=n_empty,
        n_filled=n_filled,
        agg=agg,
        gaps=gaps,
        align=align,
    )


def _check_choice(name: str, value: Any, choices: Sequence[str]) -> None:
    if value not in choices:
        raise TSRMInputError(
            f"{name}={value!r} is not supported; choose one of {', '.join(map(repr, choices))}."
        )


def _to_offset(freq: Any) -> pd.DateOffset:
    try:
        return to_offset(freq)
    except (TypeError, ValueError):
        raise TSRMInputError(
            f"freq={freq!r} is not a pandas frequency; pass an alias such as '5min', 'h' or 'D'."
        ) from None


def _log_frame(log: Any, what: str) -> tuple[pd.DataFrame, Hashable | None]:
    """A copy of ``log`` as a DataFrame with a RangeIndex, and the column made from its
    DatetimeIndex (None if it has none)."""
    if _is_path(log):
        return _read_csv(log, f"CSV file {os.fspath(log)!r}", {}), None
    if isinstance(log, pd.Series):
        log = log.to_frame(name=log.name if log.name is not None else "value")
    if not isinstance(log, pd.DataFrame):
        raise TSRMInputError(
            f"{what} is a {type(log).__name__}; pass a DataFrame of readings, a Series with a "
            "DatetimeIndex, or a CSV path."
        )
    if len(log) == 0:
        raise TSRMInputError(f"{what} has no rows; pass at least one reading.")
    return _frame_with_date_index_as_column(log)


def _by_name(frame: pd.DataFrame, names: frozenset, used: set) -> Hashable | None:
    for column in frame.columns:
        if column not in used and _norm(column) in names:
            return column
    return None


def _log_series(
    frame: pd.DataFrame,
    what: str,
    time_column: Hashable | None,
    device_column: Hashable | None,
    sensor_column: Hashable | None,
    value_column: Hashable | None,
) -> tuple[list[tuple[Hashable, pd.DatetimeIndex, np.ndarray]], Hashable]:
    """Split the log into (series id, sorted timestamps, readings) without NaN readings."""
    _check_unique_columns(frame, what)
    if time_column is None:
        time_column = _detect_date_column(frame, what, None)
        if time_column is None:
            raise TSRMInputError(_no_date_column_message(frame, what, "time_column"))
    for argument, column in (
        ("time_column", time_column),
        ("device_column", device_column),
        ("sensor_column", sensor_column),
        ("value_column", value_column),
    ):
        if column is not None:
            _check_has_columns(frame, [column], what, argument)
    times = pd.DatetimeIndex(_parse_dates(frame[time_column], time_column, what))

    used = {time_column, value_column}
    if device_column is None:
        device_column = _by_name(frame, _DEVICE_NAMES, used | {sensor_column})
    used.add(device_column)
    if sensor_column is None:
        sensor_column = _by_name(frame, _SENSOR_NAMES, used)
    used.add(sensor_column)
    keys = [c for c in (device_column, sensor_column) if c is not None]
    for key in keys:
        if frame[key].isna().any():
            raise TSRMInputError(
                f"{what}: column {key!r} has missing values; give every reading its "
                f"{'device' if key == device_column else 'sensor'} or drop those rows."
            )

    rest = [c for c in frame.columns if c not in used]
    numeric_rest = [c for c in rest if _numeric_dtype(frame[c])]
    if value_column is None and sensor_column is not None:
        named = [c for c in numeric_rest if _norm(c) in _VALUE_NAMES]
        if len(numeric_rest) == 1 or named:
            value_column = named[0] if named else numeric_rest[0]
        else:
            raise TSRMInputError(
                f"{what}: cannot tell which column holds the readings (numeric columns: "
                f"{', '.join(map(repr, numeric_rest)) or 'none'}); pass value_column=..."
            )
    value_columns = [value_column] if value_column is not None else numeric_rest
    text = [c for c in rest if c not in value_columns and not _numeric_dtype(frame[c])]
    if text:
        # Unused text columns may identify series; merging their readings would be silent.
        raise TSRMInputError(
            f"{what}: column(s) {', '.join(map(repr, text))} are neither timestamps, ids nor "
            "numbers; pass device_column=... or sensor_column=... if one names the device or "
            "sensor, combine several id columns into one (e.g. df['device'] = df['site'] + ':' "
            "+ df['device']), or drop the others."
        )
    if not value_columns:
        raise TSRMInputError(
            f"{what} has no numeric column of readings (columns: {_column_list(frame)}); "
            "pass value_column=..."
        )
    _value_columns(frame, value_columns, set(), what, "value_column")

    series: list[tuple[Hashable, pd.DatetimeIndex, np.ndarray]] = []
    groups = frame.groupby(keys, sort=True) if keys else [((), frame)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        for column in value_columns:
            if sensor_column is not None:
                sid = "/".join(map(str, key)) if len(key) > 1 else key[0]
            elif device_column is not None:
                sid = f"{key[0]}/{column}" if len(value_columns) > 1 else key[0]
            else:
                sid = column
            readings = pd.Series(_to_float(group[column]), index=times[group.index.to_numpy()])
            readings = readings.dropna().sort_index(kind="stable")
            if len(readings) == 0:
                raise TSRMInputError(
                    f"{what}: series {sid!r} has no readings (all NaN); drop it from the log."
                )
            series.append((sid, pd.DatetimeIndex(readings.index), readings.to_numpy()))
    sids = [s for s, _, _ in series]
    if len(set(sids)) < len(sids):
        dup = next(s for s in sids if sids.count(s) > 1)
        raise TSRMInputError(
            f"{what}: two series would both be named {dup!r} (device/sensor names containing "
            "'/'); rename the devices or sensors."
        )
    return series, time_column


def _infer_log_freq(series: list[tuple[Hashable, pd.DatetimeIndex, np.ndarray]]) -> str:
    """Rounded median spacing of the coarsest series (see ``resample_log``)."""
    medians = {}
    for sid, times, _ in series:
        distinct = times.unique().sort_values()
        if len(distinct) < 3:
            raise IrregularIndexError(
                f"cannot infer the log's frequency: series {sid!r} has {len(distinct)} distinct "
                "timestamp(s) and 3 or more are needed; pass freq explicitly, e.g. freq='5min'."
            )
        spacings = np.diff(distinct.as_unit("ns").asi8).astype(np.float64)
        median = float(np.median(spacings))
        q25, q75 = np.percentile(spacings, [25, 75])
        typical = spacings[np.abs(spacings - median) <= 0.5 * median]
        if q75 - q25 > _MAX_SPACING_IQR * median:
            raise IrregularIndexError(
                f"cannot infer the log's frequency: the spacing of series {sid!r}'s timestamps "
                f"varies too much (median {pd.Timedelta(median, unit='ns')}, interquartile range "
                f"{pd.Timedelta(q75 - q25, unit='ns')}); pass the grid you want explicitly, e.g. "
                f"freq={_freq_alias(median)!r}, and readings are aggregated into its bins."
            )
        # Mean of the typical spacings: jitter averages out, missed readings are left out.
        medians[sid] = float(typical.mean())
    coarsest = max(medians.values())
    if coarsest > 2 * min(medians.values()):
        fastest = min(medians, key=medians.get)
        warnings.warn(
            f"series sample at different rates (e.g. {fastest!r} every "
            f"{pd.Timedelta(medians[fastest], unit='ns')}); using the coarsest spacing "
            f"{_freq_alias(coarsest)!r} for all. Pass freq=... to choose another grid.",
            UserWarning,
            stacklevel=3,
        )
    return _freq_alias(coarsest)


def _freq_alias(spacing_ns: float) -> str:
    """Pandas alias of a spacing: a whole number of the largest unit that fits within 5%."""
    for unit, size in _UNITS_NS:
        k = round(spacing_ns / size)
        if k >= 1 and abs(k * size - spacing_ns) <= _ALIAS_TOLERANCE * spacing_ns:
            return to_offset(f"{k}{unit}").freqstr
    return to_offset(f"{max(round(spacing_ns), 1)}ns").freqstr


def _gap_runs(empty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start positions and lengths of the runs of True in ``empty``."""
    edges = np.diff(np.concatenate([[0], empty.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    return starts, np.flatnonzero(edges == -1) - starts


def _check_gaps(
    binned: dict[Hashable, tuple[pd.Series, pd.Series]], gaps: str, max_gap: int | None, freq: str
) -> None:
    if gaps == "error":
        first = None
        for sid, (_, empty) in binned.items():
            if empty.any():
                at = empty.index[empty.to_numpy()][0]
                if first is None or at < first[1]:
                    first = (sid, at, int(empty.sum()))
        if first is not None:
            sid, at, n = first
            raise MissingValuesError(
                f"series {sid!r} has no reading in the {freq!r} bin at {at} ({n} empty bin(s) in "
                "that series); choose how to fill gaps with gaps='interpolate', 'ffill' or 'mask', "
                "or pass a coarser freq."
            )
    if max_gap is None:
        return
    for sid, (_, empty) in binned.items():
        starts, lengths = _gap_runs(empty.to_numpy())
        if len(lengths) and lengths.max() > max_gap:
            i = int(np.argmax(lengths))
            first, last = empty.index[starts[i]], empty.index[starts[i] + lengths[i] - 1]
            raise MissingValuesError(
                f"series {sid!r} has a gap of {int(lengths[i])} empty {freq!r} bins ({first} to "
                f"{last}), longer than max_gap={max_gap}; pass a larger max_gap, gaps='mask' to "
                "keep it as NaN, or split the series at the gap."
            )


def _fill(values: pd.Series, gaps: str) -> pd.Series:
    if gaps == "interpolate":
        return values.interpolate(method="time")
    if gaps == "ffill":
        return values.ffill()
    return values
