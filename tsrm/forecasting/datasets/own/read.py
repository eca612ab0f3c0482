"""read_series: a CSV file or DataFrame as wide or long series, with date-column detection."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Hashable, Sequence
from typing import Any

import pandas as pd

from tsrm.exceptions import IrregularIndexError, TSRMInputError
from tsrm.forecasting.datasets.own._common import (
    _check_has_columns,
    _check_unique_columns,
    _column_list,
    _csv_what,
    _frame_with_date_index_as_column,
    _index_name,
    _is_bool,
    _norm,
    _read_csv,
    _sorted_long,
    _to_float,
    _use_index_dates,
    _value_columns,
    _with_inferred_freq,
)
from tsrm.forecasting.series.index import mixes_time_zones

__all__ = ["read_series"]

# Column names (lower-cased, punctuation removed) taken as the date column without looking
# at the values; "Date Time", "date_time" and "DateTime" all normalise to "datetime".
_DATE_NAMES = frozenset(
    {"date", "dates", "ds", "dt", "time", "times", "timestamp", "timestamps", "datetime"}
)
# Words that make a column a likely date column ("order_date", "Time (UTC)").
_DATE_WORDS = frozenset({"date", "time", "timestamp", "datetime"})
# Value-based detection only accepts dates in this year range, so that strings such as
# "1/2" (which dateutil reads as 2 January of year 1) are not mistaken for dates.
_PLAUSIBLE_YEARS = (1700, 2300)
_DETECT_SAMPLE = 200


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
        Missing values stay NaN (the neural forecasters mask them by default; the
        statistical baselines reject them with a hint on how to fill).

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
        frame, date_column, _ = _use_index_dates(frame, from_index, date_column)
    else:
        what = _csv_what(source)
        frame = _read_csv(source, what, read_csv_kwargs)
    _check_unique_columns(frame, what)

    if date_column is None:
        date_column = _detect_date_column(frame, what, date_format, "date_column")
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

    if id_column is None:
        wide = pd.DataFrame(
            {c: _to_float(frame[c]) for c in value_columns},
            index=pd.DatetimeIndex(dates).rename(_index_name(date_column)),
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


# --- date detection and parsing --------------------------------------------------------------


def _words(name: Any) -> set[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", str(name))  # camelCase -> camel Case
    return set(re.split(r"[^a-z0-9]+", spaced.lower()))


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
    if _is_bool(values) or _is_numeric(values):
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


def _detect_date_column(
    frame: pd.DataFrame, what: str, date_format: str | None, argument: str
) -> Hashable:
    """The timestamp column of ``frame`` (see ``read_series``).

    Raises a TSRMInputError that suggests passing ``argument`` when there is none.
    """
    columns = list(frame.columns)
    for column in columns:
        values = frame[column]
        if _norm(column) in _DATE_NAMES and not (_is_bool(values) or _is_numeric(values)):
            # The name says "date": unparseable values are an error, not a reason to look on.
            _parse_dates(values, column, what, date_format)
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
    raise TSRMInputError(_no_date_column_message(frame, what, argument))


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
            if (
                "timezone" in str(err).lower()
                or "tz-" in str(err).lower()
                or mixes_time_zones(values)
            ):
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
                pd.to_datetime([value], format=date_format)
            except (TypeError, ValueError):
                return value
    return present.iloc[0]
