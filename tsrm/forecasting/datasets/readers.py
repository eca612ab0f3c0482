"""Parsers for the benchmark file formats; they know formats, not where files live.

* LTSF CSV (plain or gzipped): a ``date`` column and one column per variable.
* M4 wide CSV: one row per series, ``V1`` = id, then values padded with NaN at the row end.
* M3 long CSV (gzipped): ``series_id,freq,horizon,start_year,start_period,t,value``.

Panel readers return long frames with columns ``unique_id``, ``ds``, ``y``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np
import pandas as pd

from tsrm.exceptions import DatasetError

PANEL_COLUMNS = ("unique_id", "ds", "y")

# Months per step of each M3 group (period starts: YS, QS, MS).
_M3_STEPS = {"Yearly": 12, "Quarterly": 3, "Monthly": 1}


def read_csv_any_encoding(path: str | os.PathLike, **kwargs) -> pd.DataFrame:
    """``pd.read_csv`` (gzip inferred from the suffix) as UTF-8, falling back to Latin-1.

    Strict UTF-8 first, so a UTF-8 file is never turned into mojibake; Latin-1 decodes any
    byte (the original Jena weather files write ``²`` and ``µ`` in Latin-1).
    """
    try:
        return pd.read_csv(path, encoding="utf-8", **kwargs)
    except UnicodeDecodeError:
        return pd.read_csv(path, encoding="latin-1", **kwargs)


def read_ltsf_csv(
    path: str | os.PathLike,
    date_column: str = "date",
    rename: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a long-horizon benchmark CSV into a wide float frame.

    Parameters
    ----------
    path : path-like
        ``.csv`` or ``.csv.gz`` file.
    date_column : str
        Column holding the timestamps.
    rename : Mapping, optional
        Column renames applied after reading (e.g. to repair damaged header names).

    Returns
    -------
    pd.DataFrame
        float64 columns in file order, DatetimeIndex named ``"date"``; rows as in the file.
    """
    frame = read_csv_any_encoding(path)
    if date_column not in frame.columns:
        raise DatasetError(f"{path}: no {date_column!r} column; columns are {list(frame.columns)}.")
    index = pd.DatetimeIndex(pd.to_datetime(frame.pop(date_column)), name="date")
    frame = frame.set_axis(index, axis=0).rename(columns=dict(rename or {}))
    frame.columns = pd.Index([str(c) for c in frame.columns])
    return frame.astype(np.float64)


def _long_frame(ids: np.ndarray, lengths: np.ndarray, ds, y: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"unique_id": np.repeat(ids, lengths), "ds": ds, "y": y})


def _read_m4_file(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    frame = pd.read_csv(path, index_col=0)
    values = frame.to_numpy(dtype=np.float64)
    present = ~np.isnan(values)
    lengths = present.sum(axis=1)
    # Rows are padded with NaN at the end only; a hole inside a series means a damaged file.
    if not np.array_equal(present, np.arange(values.shape[1]) < lengths[:, None]):
        raise DatasetError(f"{path}: missing values inside a series (only trailing padding is).")
    return frame.index.astype(str).to_numpy(), values, lengths


def read_m4_wide(
    train_path: str | os.PathLike, test_path: str | os.PathLike
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read an M4 train/test pair of wide files into long frames.

    The files carry no dates, so ``ds`` is the integer step: ``1..n`` in a series' train part
    and ``n+1..n+h`` in its test part.

    Parameters
    ----------
    train_path, test_path : path-like
        ``<Group>-train.csv`` and ``<Group>-test.csv``.

    Returns
    -------
    train, test : pd.DataFrame
        Columns ``unique_id`` (str), ``ds`` (int64), ``y`` (float64); series in file order.
    """
    ids, values, lengths = _read_m4_file(train_path)
    test_ids, test_values, test_lengths = _read_m4_file(test_path)
    if not np.array_equal(ids, test_ids):
        raise DatasetError(f"{train_path} and {test_path} list different series or orders.")
    steps = np.nonzero(~np.isnan(values))[1] + 1  # row-major, so per series 1..n
    train = _long_frame(ids, lengths, steps.astype(np.int64), values[~np.isnan(values)])
    test_steps = np.nonzero(~np.isnan(test_values))[1] + 1 + np.repeat(lengths, test_lengths)
    test = _long_frame(
        ids, test_lengths, test_steps.astype(np.int64), test_values[~np.isnan(test_values)]
    )
    return train, test


def _m3_period_starts(group: str, start_year, start_period, t) -> pd.DatetimeIndex:
    months_per_step = _M3_STEPS[group]
    steps_per_year = 12 // months_per_step
    months = (start_year * steps_per_year + start_period - 1 + t) * months_per_step
    parts = pd.DataFrame({"year": months // 12, "month": months % 12 + 1, "day": 1})
    return pd.DatetimeIndex(pd.to_datetime(parts))


def read_m3_long(path: str | os.PathLike, group: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read one M3 group from the long file; the last ``horizon`` points of a series are test.

    Parameters
    ----------
    path : path-like
        ``m3_yearly_quarterly_monthly.csv(.gz)``.
    group : {"Yearly", "Quarterly", "Monthly"}
        Value of the ``freq`` column to keep.

    Returns
    -------
    train, test : pd.DataFrame
        Columns ``unique_id`` (str), ``ds`` (period-start timestamps: ``YS``, ``QS`` or ``MS``,
        from ``start_year``/``start_period``), ``y`` (float64); series in file order.
    """
    if group not in _M3_STEPS:
        raise DatasetError(f"Unknown M3 group {group!r}; expected one of {sorted(_M3_STEPS)}.")
    frame = pd.read_csv(path)
    part = frame.loc[frame["freq"] == group].reset_index(drop=True)
    if part.empty:
        groups = sorted(frame["freq"].unique())
        raise DatasetError(f"{path}: no {group} series; the groups are {groups}.")
    ids = part["series_id"].astype(str).to_numpy()
    t = part["t"].to_numpy()
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    lengths = np.diff(np.r_[starts, len(part)])
    # Each series must be one block with t = 0, 1, ... so position, not t, can define the split.
    if len(np.unique(ids)) != len(starts) or not np.array_equal(
        t, np.arange(len(part)) - np.repeat(starts, lengths)
    ):
        raise DatasetError(f"{path}: rows must be grouped by series_id, t = 0, 1, ... in order.")
    is_test = t >= np.repeat(lengths, lengths) - part["horizon"].to_numpy()
    long = pd.DataFrame(
        {
            "unique_id": ids,
            "ds": _m3_period_starts(
                group, part["start_year"].to_numpy(), part["start_period"].to_numpy(), t
            ),
            "y": part["value"].to_numpy(dtype=np.float64),
        }
    )
    return (
        long.loc[~is_test].reset_index(drop=True),
        long.loc[is_test].reset_index(drop=True),
    )
