"""One internal form for every kind of input: a list of 1-D series plus how to rebuild output.

Accepted kinds (``Panel.kind``):

- ``"series"``: a pandas Series (DatetimeIndex, PeriodIndex or integer index);
- ``"wide"``: a DataFrame with one numeric column per series, sharing the index;
- ``"long"``: a DataFrame with columns ``unique_id``, ``ds``, ``y`` (rows are
  sorted by ``ds`` within each series; series may differ in length and end);
- ``"array1d"``: a 1-D numpy array (one series);
- ``"array2d"``: a 2-D numpy array of shape ``(time, series)``;
- a path (str or ``os.PathLike``) to a long Parquet file or a directory of them, read in
  batches (see :mod:`~tsrm.forecasting.series.parquet`); forecasts come back long.

Forecasts come back in the same kind, with the index continued into the future.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tsrm.exceptions import IrregularIndexError, MissingValuesError, TSRMInputError
from tsrm.forecasting.series.index import (
    TimeIndex,
    futures,
    mixes_time_zones,
    sub_daily_indexes,
    time_index_of,
)
from tsrm.forecasting.series.parquet import read_parquet_panel

LONG_COLUMNS = ("unique_id", "ds", "y")
KINDS = ("series", "wide", "long", "array1d", "array2d")


@dataclass
class Panel:
    """Several univariate series and what is needed to return forecasts like the input.

    Attributes
    ----------
    values : list of np.ndarray
        One 1-D array per series: float64 copies; or, from :func:`to_panel` with
        ``keep_float32=True`` and float32 input, read-only float32 views of the user's
        array (never written to).
    ids : list
        Series names (column names, ``unique_id`` values, or positions).
    indexes : list of TimeIndex or None
        Per series, how its index continues; ``None`` for numpy input.
    kind : str
        Input kind, see the module docstring.
    name : Any
        Name of a Series, or the value column of a long frame.
    dtype : str
        ``"float32"`` where every input value was float32 (forecasts come back so),
        else ``"float64"``.
    share : (rank, n) or None
        Set when only part of a data set was read: the series whose position is
        ``rank`` modulo ``n``, one process's share when ``n`` processes train together.
    """

    values: list[np.ndarray]
    ids: list
    indexes: list[TimeIndex | None]
    kind: str
    name: Any = None
    columns_name: Any = field(default=None)
    dtype: str = "float64"
    share: tuple[int, int] | None = None

    @property
    def n_series(self) -> int:
        return len(self.values)

    @property
    def lengths(self) -> np.ndarray:
        return np.array([len(v) for v in self.values])

    def last_windows(self, length: int) -> np.ndarray:
        """The last ``length`` values of every series, shape ``(n_series, length)``."""
        return np.stack([v[-length:] for v in self.values])

    def output(self, forecasts: np.ndarray) -> Any:
        """Wrap ``(n_series, h)`` forecasts in the input's kind and float type, with future
        indices."""
        forecasts = np.asarray(forecasts, dtype=self.dtype)
        h = forecasts.shape[1]
        if self.kind == "array1d":
            return forecasts[0]
        if self.kind == "array2d":
            return forecasts.T.copy()
        if self.kind == "series":
            return pd.Series(forecasts[0], index=self.indexes[0].future(h), name=self.name)
        if self.kind == "wide":
            frame = pd.DataFrame(forecasts.T, index=self.indexes[0].future(h), columns=self.ids)
            frame.columns.name = self.columns_name
            return frame
        # One frame built from flat columns: a frame per series costs ~1 ms each, which
        # dominates predict for thousands of series.
        uid = pd.Series([uid for uid in self.ids for _ in range(h)])
        ds = futures(self.indexes, h)
        out = pd.DataFrame({"unique_id": uid, "ds": ds.rename(None), "y": forecasts.ravel()})
        return out.rename(columns={"y": self.name}) if self.name != "y" else out

    def as_input(self) -> Any:
        """The panel's own values in its input kind and float type, on their index: what
        :func:`to_panel` would turn back into this panel (wide and 2-D kinds need series
        of one length)."""
        values = [np.asarray(v, dtype=self.dtype) for v in self.values]
        if self.kind == "array1d":
            return values[0]
        if self.kind == "array2d":
            return np.stack(values, axis=1)
        pasts = [idx.past(len(v)) for idx, v in zip(self.indexes, values, strict=True)]
        if self.kind == "series":
            return pd.Series(values[0], index=pasts[0], name=self.name)
        if self.kind == "wide":
            frame = pd.DataFrame(dict(enumerate(values)), index=pasts[0])
            frame.columns = pd.Index(self.ids, name=self.columns_name)
            return frame
        uid = [sid for sid, v in zip(self.ids, values, strict=True) for _ in range(len(v))]
        ds = pasts[0].append(pasts[1:]) if len(pasts) > 1 else pasts[0]
        out = pd.DataFrame({"unique_id": uid, "ds": ds.rename(None), "y": np.concatenate(values)})
        return out.rename(columns={"y": self.name}) if self.name != "y" else out

    def meta(self) -> dict:
        """JSON-serialisable description (everything but the values)."""
        return {
            "kind": self.kind,
            "ids": [_jsonable(i) for i in self.ids],
            "indexes": [i.to_json() if i is not None else None for i in self.indexes],
            "name": _jsonable(self.name),
            "columns_name": _jsonable(self.columns_name),
            "dtype": self.dtype,
        }

    @classmethod
    def from_meta(cls, meta: dict, values: list[np.ndarray]) -> Panel:
        """Inverse of :meth:`meta`; ``ValueError`` / ``KeyError`` when ``meta`` is inconsistent."""
        if meta["kind"] not in KINDS:
            raise ValueError(f"unknown input kind {meta['kind']!r}")
        if not (len(meta["ids"]) == len(meta["indexes"]) == len(values)):
            raise ValueError(
                f"the context holds {len(values)} series but its description "
                f"{len(meta['ids'])} ids and {len(meta['indexes'])} indexes"
            )
        if meta["kind"] in ("series", "array1d") and len(values) != 1:
            raise ValueError(f"a {meta['kind']!r} context holds one series, not {len(values)}")
        indexes = [TimeIndex.from_json(i) if i is not None else None for i in meta["indexes"]]
        if (meta["kind"] in ("array1d", "array2d")) != all(i is None for i in indexes):
            raise ValueError(f"indexes do not fit input kind {meta['kind']!r}")
        dtype = meta.get("dtype", "float64")  # files written before it was recorded
        if dtype not in ("float32", "float64"):
            raise ValueError(f"unknown forecast dtype {dtype!r}")
        return cls(
            values,
            list(meta["ids"]),
            indexes,
            meta["kind"],
            meta["name"],
            meta.get("columns_name"),
            dtype,
        )


def series_label(sid: Any) -> str:
    """How messages name a series: ``Series 'a'``, or ``The series`` for an unnamed one."""
    return "The series" if sid is None else f"Series {sid!r}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _numeric_values(
    values: Any, what: str, allow_missing: bool, hint: str, keep_float32: bool = False
) -> np.ndarray:
    """Float64 copy of ``values`` after checking dtype and finiteness.

    Infinite values are always an error; NaN (missing) only unless ``allow_missing``.
    ``hint`` is appended to the missing-values message. With ``keep_float32``, float32
    values come back as a read-only float32 view instead (no copy; the user's array
    stays writeable and untouched).
    """
    dtypes = values.dtypes if isinstance(values, pd.DataFrame) else [getattr(values, "dtype", None)]
    try:
        arr = np.asarray(values)
    except ValueError as err:  # ragged nested lists
        raise TSRMInputError(
            f"{what} cannot be read as a rectangular array ({err}); pass equal-length series."
        ) from None
    if arr.dtype == bool or any(pd.api.types.is_bool_dtype(t) for t in dtypes):
        raise TSRMInputError(
            f"{what} holds booleans, not numbers; convert them explicitly, e.g. y.astype(float)."
        )
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        if isinstance(values, pd.Series | pd.DataFrame):
            try:  # nullable pandas dtypes (Int64, Float64) are numeric
                if all(pd.api.types.is_numeric_dtype(t) for t in np.atleast_1d(values.dtypes)):
                    arr = values.to_numpy(dtype=np.float64, na_value=np.nan)
            except (TypeError, ValueError):
                pass
        if not np.issubdtype(arr.dtype, np.floating):
            raise TSRMInputError(
                f"{what} has non-numeric values (dtype {arr.dtype}); pass numbers only, e.g. "
                "convert with pd.to_numeric(...) and drop text columns."
            )
    if keep_float32 and arr.dtype == np.float32:
        arr = arr.view()  # its own flags: the caller's array is not made read-only
        arr.flags.writeable = False
    else:
        arr = np.array(arr, dtype=np.float64, copy=True)
    n_inf = _count(np.isinf, arr)
    if n_inf:
        raise MissingValuesError(
            f"{what} holds {n_inf} infinite value(s); tsrm never guesses what they stand for: "
            "replace them with NaN (missing), e.g. y.replace([np.inf, -np.inf], np.nan), then "
            "fill or drop them."
        )
    n_nan = _count(np.isnan, arr)
    if n_nan and not allow_missing:
        amount = f"only NaN values ({n_nan})" if n_nan == arr.size else f"{n_nan} NaN value(s)"
        raise MissingValuesError(
            f"{what} holds {amount}; fill or drop them first, e.g. y.interpolate() or "
            f"y.dropna(){hint}."
        )
    return arr


def _count(test: np.ufunc, arr: np.ndarray) -> int:
    """How many elements of ``arr`` pass ``test`` (np.isnan, np.isinf), block by block.

    A boolean array of the whole input would add a quarter of a float32 input's size to
    the peak memory, for a number.
    """
    if arr.ndim == 0 or arr.size == 0:
        return int(np.count_nonzero(test(arr)))
    step = max(1, (1 << 20) // max(1, arr[0].size))  # about a million elements a block
    return sum(int(np.count_nonzero(test(arr[i : i + step]))) for i in range(0, len(arr), step))


def to_panel(
    data: Any,
    what: str = "y",
    *,
    allow_missing: bool = False,
    missing_hint: str = "",
    keep_float32: bool = False,
    share: tuple[int, int] | None = None,
) -> Panel:
    """Validate ``data`` and convert it to a :class:`Panel` (the input is not modified).

    Parameters
    ----------
    data : Series, DataFrame, numpy array, list, tuple, str or os.PathLike
        The series, or the path of a long Parquet data set; see the module docstring.
    what : str
        How error messages name ``data``.
    allow_missing : bool, default False
        Keep NaN values (missing observations) instead of rejecting them; every
        series must still have at least one observed value. Infinite values are
        always rejected.
    missing_hint : str
        Appended to the message that rejects NaN (e.g. the option that accepts them).
    keep_float32 : bool, default False
        Float32 input stays float32: the series are read-only views of it (or float32
        copies, where the input must be reordered) instead of float64 copies, half or
        none of the memory. For callers that compute in float64 one series at a time.
    share : (rank, n), optional
        For a path only: read the series whose position in the data set is ``rank``
        modulo ``n`` (one of ``n`` processes training together), see ``Panel.share``.

    Raises
    ------
    TSRMInputError
        For an unsupported type or shape, non-numeric or non-finite values, or
        an irregular, duplicated or unsorted index; the message names the fix.
    """
    if isinstance(data, str | os.PathLike):
        panel = _parquet_panel(data, what, allow_missing, missing_hint, keep_float32, share)
    else:
        panel = _to_panel(data, what, allow_missing, missing_hint, keep_float32)
        panel.dtype = "float32" if _all_float32(data) else "float64"
    if allow_missing:
        for sid, values in zip(panel.ids, panel.values, strict=True):
            if np.isnan(values).all():
                name = what if panel.n_series == 1 else f"{what} series {sid!r}"
                raise MissingValuesError(
                    f"{name} holds only NaN values ({len(values)}); nothing was observed to "
                    "learn from or forecast. Drop it or pass observed values."
                )
    return panel


def _parquet_panel(
    path: str | os.PathLike,
    what: str,
    allow_missing: bool,
    hint: str,
    keep32: bool,
    share: tuple[int, int] | None,
) -> Panel:
    """A long Parquet data set (see :mod:`~tsrm.forecasting.series.parquet`), checked as a
    long DataFrame is, batch by batch."""
    values, ids, indexes, float32 = read_parquet_panel(
        path, what, lambda frame: _long_panel(frame, what, allow_missing, hint, keep32), share
    )
    if not values:
        raise TSRMInputError(
            f"{what}: process {share[0]} of {share[1]} has no series of its own in "
            f"{str(path)!r}; start at most as many processes as there are series."
        )
    dtype = "float32" if float32 else "float64"
    return Panel(values, ids, indexes, "long", "y", dtype=dtype, share=share)


def _all_float32(data: Any) -> bool:
    """Whether every value of ``data`` (a long frame: its ``y``) is float32."""
    if isinstance(data, pd.DataFrame):
        columns = [data["y"]] if "unique_id" in data.columns else [data[c] for c in data]
        return all(c.dtype == np.float32 for c in columns)
    return getattr(data, "dtype", None) == np.float32


def _to_panel(data: Any, what: str, allow_missing: bool, hint: str, keep32: bool) -> Panel:
    if isinstance(data, pd.Series):
        values = _numeric_values(data, what, allow_missing, hint, keep32)
        index = time_index_of(data.index, what)
        return Panel([values], [data.name], [index], "series", data.name)
    if isinstance(data, pd.DataFrame):
        present = [c for c in LONG_COLUMNS if c in data.columns]
        if len(present) == len(LONG_COLUMNS):
            return _long_panel(data, what, allow_missing, hint, keep32)
        if "unique_id" in present:
            missing = [c for c in LONG_COLUMNS if c not in data.columns]
            raise TSRMInputError(
                f"{what} looks like a long DataFrame (it has 'unique_id') but lacks column(s) "
                f"{missing}; a long frame needs columns unique_id, ds and y "
                "(e.g. df.rename(columns={'value': 'y'}))."
            )
        if data.shape[1] == 0:
            raise TSRMInputError(
                f"{what} is a DataFrame with no columns; pass at least one series."
            )
        if data.columns.has_duplicates:
            dup = data.columns[data.columns.duplicated()][0]
            raise TSRMInputError(
                f"{what} has duplicated column names (e.g. {dup!r}); every series needs its own "
                "name, e.g. rename the columns."
            )
        values = _numeric_values(data, what, allow_missing, hint, keep32)
        index = time_index_of(data.index, what)
        ids = list(data.columns)
        return Panel(
            _columns(values), ids, [index] * len(ids), "wide", columns_name=data.columns.name
        )
    if isinstance(data, np.ndarray | list | tuple):
        arr = _numeric_values(data, what, allow_missing, hint, keep32)
        if arr.ndim == 1:
            _check_nonempty(arr, what)
            return Panel([arr], [0], [None], "array1d")
        if arr.ndim == 2:
            _check_nonempty(arr, what)
            n = arr.shape[1]
            return Panel(_columns(arr), list(range(n)), [None] * n, "array2d")
        raise TSRMInputError(
            f"{what} is a {arr.ndim}-D array; pass 1-D (one series) or 2-D of shape (time, series)."
        )
    raise TSRMInputError(
        f"{what} is a {type(data).__name__}; pass a pandas Series, a wide DataFrame, a long "
        "DataFrame with columns unique_id/ds/y, or a 1-D/2-D numpy array."
    )


def _columns(values: np.ndarray) -> list[np.ndarray]:
    """The columns of 2-D ``values`` as series: contiguous copies, or views if read-only.

    Read-only values are float32 views of the user's array (``keep_float32``): strided
    column views of it cost no memory, where copies would double the data.
    """
    if not values.flags.writeable:
        return list(values.T)
    return list(values.T.copy())


def _check_nonempty(arr: np.ndarray, what: str) -> None:
    if arr.size == 0:
        raise TSRMInputError(f"{what} is empty; pass at least one observation.")


def _long_panel(
    frame: pd.DataFrame, what: str, allow_missing: bool, hint: str, keep32: bool
) -> Panel:
    if len(frame) == 0:
        raise TSRMInputError(f"{what} is an empty long DataFrame; pass at least one row.")
    ds = frame["ds"]
    if not (pd.api.types.is_datetime64_any_dtype(ds) or pd.api.types.is_integer_dtype(ds)):
        try:
            ds = pd.to_datetime(ds)
        except (TypeError, ValueError) as err:
            if mixes_time_zones(ds):
                raise IrregularIndexError(
                    f"{what}: column 'ds' mixes time zones (or timestamps with and without "
                    "one); convert it to one zone first, e.g. "
                    "df['ds'] = pd.to_datetime(df['ds'], utc=True)."
                ) from None
            raise TSRMInputError(
                f"{what}: column 'ds' holds values that are neither dates nor integers "
                f"({err}); convert it with pd.to_datetime(...)."
            ) from None
    values = _numeric_values(frame["y"], f"{what} column 'y'", allow_missing, hint, keep32)
    if frame["unique_id"].isna().any():
        raise TSRMInputError(
            f"{what}: column 'unique_id' has missing values; give every row a series id."
        )
    # One stable sort by (series in order of first appearance, ds), then a slice per
    # series: a pandas groupby with a sort per group costs ~0.5 ms per series.
    codes, uniques = pd.factorize(frame["unique_id"], sort=False)
    stamps = pd.Index(ds.to_numpy(), name="ds")
    keys = stamps.asi8 if isinstance(stamps, pd.DatetimeIndex) else stamps.to_numpy()
    order = np.lexsort((keys, codes))
    stamps, values = stamps.take(order), values[order]
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    starts, ends = np.r_[0, bounds], np.r_[bounds, len(order)]
    quick = sub_daily_indexes(stamps, starts, ends)
    panel_values, ids, indexes = [], [], []
    for uid, lo, hi, index in zip(uniques.tolist(), starts, ends, quick, strict=True):
        ids.append(uid)
        indexes.append(index or time_index_of(stamps[lo:hi], f"{what} series {uid!r}"))
        panel_values.append(values[lo:hi].copy())
    return Panel(panel_values, ids, indexes, "long", "y")


def appended(
    panel: Panel, new: Any, what: str = "y", *, allow_missing: bool = False, missing_hint: str = ""
) -> Panel:
    """``panel`` continued by ``new``: values observed after its series end, of its kind.

    Series ``new`` leaves out keep their values; a series ``panel`` lacks, a gap, an
    overlap or another input kind is an error. The result keeps ``panel``'s float type.
    """
    expected = _KIND_NAMES[panel.kind]
    if not _is_kind(new, panel.kind):
        raise TSRMInputError(
            f"{what} must hold the new values as the model's data was given, as {expected}; "
            f"got {type(new).__name__}."
        )
    before = panel.as_input()
    if panel.kind in ("array1d", "array2d"):
        new = np.asarray(new)
        if new.ndim != before.ndim or new.shape[1:] != before.shape[1:]:
            raise TSRMInputError(
                f"{what} has shape {new.shape}; the model was fitted on {expected} of "
                f"{before.shape[1:] or 'one'} series column(s); pass its new rows so."
            )
        combined = np.concatenate([before, new])
    else:
        _check_same_series(panel, new, what)
        combined = pd.concat([before, new], ignore_index=panel.kind == "long")
    try:
        out = to_panel(combined, what, allow_missing=allow_missing, missing_hint=missing_hint)
    except IrregularIndexError as err:
        raise IrregularIndexError(
            f"{what} does not continue the fitted series right after their last step, with "
            f"no gap or overlap: {err}"
        ) from None
    out.dtype = panel.dtype
    return out


_KIND_NAMES = {
    "series": "a pandas Series",
    "wide": "a wide DataFrame with the same columns",
    "long": "a long DataFrame (unique_id, ds, y)",
    "array1d": "a 1-D array",
    "array2d": "a 2-D array (time, series)",
}


def _is_kind(data: Any, kind: str) -> bool:
    if kind == "series":
        return isinstance(data, pd.Series)
    if kind in ("wide", "long"):
        return isinstance(data, pd.DataFrame) and ("unique_id" in data.columns) == (kind == "long")
    return isinstance(data, np.ndarray | list | tuple)


def _check_same_series(panel: Panel, new: Any, what: str) -> None:
    """A wide ``new`` has the fitted columns; a long one only fitted series."""
    if panel.kind == "wide" and list(new.columns) != list(panel.ids):
        raise TSRMInputError(
            f"{what} has columns {list(new.columns)[:5]}; the model was fitted on columns "
            f"{list(panel.ids)[:5]}; pass new rows with the same columns in the same order."
        )
    if panel.kind == "long":
        known = set(panel.ids)
        unknown = [i for i in new["unique_id"].unique() if i not in known]
        if unknown:
            raise TSRMInputError(
                f"{what} holds series the model was not fitted on ({unknown[:3]}); update "
                "continues the fitted series; forecast others with predict(y=...)."
            )
