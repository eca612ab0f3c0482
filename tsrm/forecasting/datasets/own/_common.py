"""Helpers shared by read_series, to_long/to_wide and resample_log: input frames, column
checks, numeric values and long frames."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tsrm.exceptions import IrregularIndexError, TSRMInputError

# --- input frames ----------------------------------------------------------------------------


def _is_path(source: Any) -> bool:
    return isinstance(source, str | os.PathLike)


def _csv_what(source: Any) -> str:
    """How messages name a CSV source: its path, or "the CSV data" for a buffer."""
    return f"CSV file {os.fspath(source)!r}" if _is_path(source) else "the CSV data"


def _read_csv(source: Any, what: str, kwargs: dict) -> pd.DataFrame:
    if not (_is_path(source) or hasattr(source, "read")):
        raise TSRMInputError(
            f"source is a {type(source).__name__}; pass a CSV file path, an open file or a "
            "pandas DataFrame."
        )
    if _is_path(source) and os.path.isdir(source):
        raise TSRMInputError(f"{what} is a directory; pass the path of a CSV file inside it.")
    try:
        frame = pd.read_csv(source, **kwargs)
    except pd.errors.EmptyDataError:
        raise TSRMInputError(
            f"{what} is empty; pass a CSV file with a header line and at least one data row."
        ) from None
    except FileNotFoundError:
        from tsrm.exceptions import DatasetNotFoundError

        raise DatasetNotFoundError(f"{what} does not exist; check the path.") from None
    except UnicodeDecodeError as err:
        raise TSRMInputError(
            f"{what} is not text in the expected encoding ({err.reason} at byte {err.start}); "
            "pass encoding=... (e.g. encoding='latin-1'), or check it is a CSV file at all."
        ) from None
    except pd.errors.ParserError as err:
        raise TSRMInputError(
            f"{what} cannot be parsed as CSV ({str(err).strip()}); check the separator "
            "(e.g. sep=';') and that every row has the same number of fields."
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


def _use_index_dates(
    frame: pd.DataFrame, from_index: Hashable | None, column: Hashable | None
) -> tuple[pd.DataFrame, Hashable | None, bool]:
    """Resolve the date column when the input's DatetimeIndex became column ``from_index``.

    Without an explicit ``column`` the index dates are used; with one, the index is not
    data and its column is dropped. Returns the frame, the date column and whether the
    dates come from the index.
    """
    if from_index is None:
        return frame, column, False
    if column is None:
        return frame, from_index, True
    return frame.drop(columns=from_index), column, False


def _index_name(column: Hashable) -> Hashable | None:
    """Name for an index made from ``column`` (pandas' "Unnamed: 0" placeholder -> None)."""
    return None if str(column).startswith("Unnamed:") else column


def _as_frame(data: Any, what: str, series_name: str, expected: str) -> pd.DataFrame:
    """``data`` as a DataFrame: a Series becomes its one column (named ``series_name`` when the
    Series has no name); anything else but a DataFrame is a TSRMInputError asking for
    ``expected``."""
    if isinstance(data, pd.Series):
        data = data.to_frame(name=data.name if data.name is not None else series_name)
    if not isinstance(data, pd.DataFrame):
        raise TSRMInputError(f"{what} is a {type(data).__name__}; pass {expected}.")
    return data


# --- column checks ---------------------------------------------------------------------------


def _column_list(frame: pd.DataFrame) -> str:
    return ", ".join(repr(c) for c in frame.columns)


def _norm(name: Any) -> str:
    """A column name lower-cased without punctuation ("Date Time" -> "datetime")."""
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


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


def _value_columns(
    frame: pd.DataFrame, value_columns: Any, used: set, what: str, argument: str = "value_columns"
) -> list[Hashable]:
    """The value columns (given, or every column not in ``used``), checked to be numeric."""
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
        # resample_log's value_column takes one column, read_series' value_columns a list.
        suggestion = numeric if argument.endswith("s") else (numeric[0] if numeric else "...")
        also = f" (not numeric either: {', '.join(map(repr, bad[1:]))})" if bad[1:] else ""
        raise TSRMInputError(
            f"{what}: {_not_a_number(frame[bad[0]], bad[0])}{also}. "
            f"{_coerce_hint(bad[0])}, or pass {argument}={suggestion!r} to use only numeric "
            "columns."
        )
    return columns


def _first_non_number(values: pd.Series) -> tuple[Hashable, Any] | None:
    """The row label and entry of ``values``' first present entry that is not a number."""
    present = values.notna()
    failed = present & pd.to_numeric(values.where(present), errors="coerce").isna()
    if not failed.any():
        return None
    position = int(np.argmax(failed.to_numpy()))
    return values.index[position], values.iloc[position]


def _not_a_number(values: pd.Series, column: Hashable) -> str:
    """Where column ``column`` first holds something that is not a number, in words."""
    first = _first_non_number(values)
    if first is None:
        return f"column {column!r} is not numeric (dtype {values.dtype})"
    row, entry = first
    return f"column {column!r} is not numeric: row {row!r} holds {entry!r}"


def _coerce_hint(column: Hashable) -> str:
    return (
        f"Convert it first with df[{column!r}] = pd.to_numeric(df[{column!r}], "
        'errors="coerce") (entries that are not numbers become missing values, which fit '
        "masks)"
    )


def _mostly_numeric(values: pd.Series) -> bool:
    """Whether most, but not all, present entries of a text column read as numbers: readings
    with a few bad entries rather than names."""
    present = values.dropna()
    share = pd.to_numeric(present, errors="coerce").notna().mean() if len(present) else 0.0
    return 0.5 <= share < 1


def _as_list(columns: Any, frame: pd.DataFrame) -> list:
    """One column label or a sequence of labels, as a list (a tuple may be one label)."""
    if isinstance(columns, str) or not isinstance(columns, Sequence | pd.Index | np.ndarray):
        return [columns]
    if isinstance(columns, tuple) and columns in frame.columns:
        return [columns]
    return list(columns)


# --- values ----------------------------------------------------------------------------------


def _is_bool(values: pd.Series) -> bool:
    return pd.api.types.is_bool_dtype(values.dtype)


def _numeric_dtype(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values.dtype) and not _is_bool(values)


def _to_float(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


# --- outputs ---------------------------------------------------------------------------------


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
