"""resample_log: an irregular sensor log on a regular time grid, as a ResampledLog."""

from __future__ import annotations

import os
import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from tsrm.exceptions import IrregularIndexError, MissingValuesError, TSRMInputError
from tsrm.forecasting.datasets.own._common import (
    _as_frame,
    _check_has_columns,
    _check_unique_columns,
    _coerce_hint,
    _column_list,
    _csv_what,
    _frame_with_date_index_as_column,
    _index_name,
    _is_path,
    _mostly_numeric,
    _norm,
    _not_a_number,
    _numeric_dtype,
    _read_csv,
    _to_float,
    _use_index_dates,
    _value_columns,
)
from tsrm.forecasting.datasets.own.frequency import _fixed_step, _infer_log_freq, _to_offset
from tsrm.forecasting.datasets.own.read import _detect_date_column, _parse_dates

__all__ = ["ResampledLog", "resample_log"]

AGGREGATIONS = ("mean", "median", "first", "last", "sum", "min", "max")
GAP_POLICIES = ("interpolate", "ffill", "mask", "error")

# Column names (lower-cased, punctuation removed) detected as device, sensor and value columns.
_DEVICE_NAMES = frozenset({"device", "deviceid", "uniqueid"})
_SENSOR_NAMES = frozenset({"sensor", "sensorid", "metric"})
_VALUE_NAMES = frozenset({"value", "y", "reading"})

# One series of the log: its id, its sorted timestamps and its readings (no NaN).
_Series = tuple[Hashable, pd.DatetimeIndex, np.ndarray]


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
    _check_arguments(agg, gaps, output, align, max_gap)

    what = "log"
    frame, from_index = _log_frame(log, what)
    frame, time_column, dates_from_index = _use_index_dates(frame, from_index, time_column)
    series, time_column = _log_series(
        frame, what, time_column, device_column, sensor_column, value_column
    )
    # A DatetimeIndex keeps its name (None stays None); a column lends its name to the index.
    time_name = log.index.name if dates_from_index else _index_name(time_column)

    freq_inferred = freq is None
    if freq is None:
        freq = _infer_log_freq(series)  # warns (at our caller) when series' rates differ
    offset = _to_offset(freq)
    align, shift, origin = _alignment(
        offset, _fixed_step(offset, freq), align, min(times.min() for _, times, _ in series)
    )
    binned = {sid: _bin(times, values, offset, shift, origin, agg) for sid, times, values in series}
    empty = {sid: is_empty for sid, (_, is_empty) in binned.items()}
    if gaps == "error":
        _check_no_empty_bin(empty, offset.freqstr)
    if max_gap is not None:
        _check_max_gap(empty, max_gap, offset.freqstr)
    filled = {sid: _fill(values, gaps) for sid, (values, _) in binned.items()}

    if output == "wide":
        data, mask = _wide(filled, empty, offset, time_name)  # warns at our caller
    else:
        data, mask = _long(filled, empty)
    return ResampledLog(
        data=data,
        freq=offset.freqstr,
        freq_inferred=freq_inferred,
        mask=mask,
        n_readings=_per_series({sid: len(times) for sid, times, _ in series}),
        n_empty=_per_series({sid: int(empty[sid].sum()) for sid in filled}),
        n_filled=_per_series(
            {sid: int((empty[sid] & filled[sid].notna()).sum()) for sid in filled}
        ),
        agg=agg,
        gaps=gaps,
        align=align,
    )


# --- arguments and input ---------------------------------------------------------------------


def _check_arguments(
    agg: str, gaps: str, output: str, align: str | None, max_gap: int | None
) -> None:
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


def _check_choice(name: str, value: Any, choices: Sequence[str]) -> None:
    if value not in choices:
        raise TSRMInputError(
            f"{name}={value!r} is not supported; choose one of {', '.join(map(repr, choices))}."
        )


def _log_frame(log: Any, what: str) -> tuple[pd.DataFrame, Hashable | None]:
    """A copy of ``log`` as a DataFrame with a RangeIndex, and the column made from its
    DatetimeIndex (None if it has none)."""
    if _is_path(log):
        return _read_csv(log, _csv_what(log), {}), None
    expected = "a DataFrame of readings, a Series with a DatetimeIndex, or a CSV path"
    log = _as_frame(log, what, "value", expected)
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
) -> tuple[list[_Series], Hashable]:
    """Split the log into (series id, sorted timestamps, readings) without NaN readings."""
    _check_unique_columns(frame, what)
    if time_column is None:
        time_column = _detect_date_column(frame, what, None, "time_column")
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
    value_columns = _reading_columns(frame, what, used, sensor_column, value_column)

    series: list[_Series] = []
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


def _reading_columns(
    frame: pd.DataFrame,
    what: str,
    used: set,
    sensor_column: Hashable | None,
    value_column: Hashable | None,
) -> list[Hashable]:
    """The numeric columns holding readings; no other text column may be left over."""
    rest = [c for c in frame.columns if c not in used]
    numeric_rest = [c for c in rest if _numeric_dtype(frame[c])]
    garbled = [c for c in rest if c != value_column and not _numeric_dtype(frame[c])
               and _mostly_numeric(frame[c])]  # fmt: skip
    if garbled:  # readings with a few entries such as "ERR", not an id column
        raise TSRMInputError(
            f"{what}: {_not_a_number(frame[garbled[0]], garbled[0])}. "
            f"{_coerce_hint(garbled[0])}; if it names the device or sensor, pass it as "
            "device_column or sensor_column."
        )
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
    return _value_columns(frame, value_columns, set(), what, "value_column")


# --- binning ---------------------------------------------------------------------------------


def _alignment(
    offset: pd.DateOffset, step: pd.Timedelta | None, align: str | None, first: pd.Timestamp
) -> tuple[str, pd.Timedelta, pd.Timestamp | None]:
    """The bin alignment, the shift applied to timestamps before binning and the bins' origin.

    ``step`` is None for calendar frequencies; ``first`` is the log's earliest timestamp.
    """
    if align is None:
        align = "nearest" if step is not None else "start"
    elif align == "nearest" and step is None:
        raise TSRMInputError(
            f"align='nearest' needs a fixed frequency (D, h, min, s...), not {offset.freqstr!r}; "
            "pass align='start' or a fixed freq such as '7D'."
        )
    shift = step / 2 if align == "nearest" else pd.Timedelta(0)
    origin = None
    # One anchor for all series, so their bins line up. pandas ignores (and warns about)
    # origin for day steps on tz-aware data; those bins are local calendar days anyway.
    if isinstance(offset, pd.offsets.Tick) or (step is not None and first.tz is None):
        origin = (first + shift).normalize()
    return align, shift, origin


def _bin(
    times: pd.DatetimeIndex,
    values: np.ndarray,
    offset: pd.DateOffset,
    shift: pd.Timedelta,
    origin: pd.Timestamp | None,
    agg: str,
) -> tuple[pd.Series, pd.Series]:
    """The readings aggregated per bin (NaN where empty), and which bins are empty."""
    readings = pd.Series(values, index=times + shift)
    bins = (
        readings.resample(offset, origin=origin)
        if origin is not None
        else readings.resample(offset)
    )
    counts = bins.count()
    return getattr(bins, agg)().where(counts > 0), counts == 0


# --- gaps ------------------------------------------------------------------------------------


def _check_no_empty_bin(empty: dict[Hashable, pd.Series], freq: str) -> None:
    """For gaps="error": raise naming the earliest empty bin of any series."""
    first = None
    for sid, is_empty in empty.items():
        if is_empty.any():
            at = is_empty.index[is_empty.to_numpy()][0]
            if first is None or at < first[1]:
                first = (sid, at, int(is_empty.sum()))
    if first is not None:
        sid, at, n = first
        raise MissingValuesError(
            f"series {sid!r} has no reading in the {freq!r} bin at {at} ({n} empty bin(s) in "
            "that series); choose how to fill gaps with gaps='interpolate', 'ffill' or 'mask', "
            "or pass a coarser freq."
        )


def _check_max_gap(empty: dict[Hashable, pd.Series], max_gap: int, freq: str) -> None:
    """Raise naming the longest run of empty bins of the first series where it exceeds max_gap."""
    for sid, is_empty in empty.items():
        starts, lengths = _gap_runs(is_empty.to_numpy())
        if len(lengths) and lengths.max() > max_gap:
            i = int(np.argmax(lengths))
            first, last = is_empty.index[starts[i]], is_empty.index[starts[i] + lengths[i] - 1]
            raise MissingValuesError(
                f"series {sid!r} has a gap of {int(lengths[i])} empty {freq!r} bins ({first} to "
                f"{last}), longer than max_gap={max_gap}; pass a larger max_gap, gaps='mask' to "
                "keep it as NaN, or split the series at the gap."
            )


def _gap_runs(empty: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start positions and lengths of the runs of True in ``empty``."""
    edges = np.diff(np.concatenate([[0], empty.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    return starts, np.flatnonzero(edges == -1) - starts


def _fill(values: pd.Series, gaps: str) -> pd.Series:
    if gaps == "interpolate":
        return values.interpolate(method="time")
    if gaps == "ffill":
        return values.ffill()
    return values


# --- output ----------------------------------------------------------------------------------


def _wide(
    filled: dict[Hashable, pd.Series],
    empty: dict[Hashable, pd.Series],
    offset: pd.DateOffset,
    time_name: Hashable | None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One column per series on the union of their bins, and the mask of empty bins.

    Called by ``resample_log`` itself: its warning points at ``resample_log``'s caller.
    """
    ids = list(filled)
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
    mask = pd.DataFrame({sid: empty[sid].reindex(grid, fill_value=True) for sid in ids}, index=grid)
    outside = {sid: len(grid) - len(filled[sid]) for sid in ids}
    short = [sid for sid in ids if outside[sid]]
    if short:
        warnings.warn(
            f"series {', '.join(map(repr, short))} start later or end earlier than others; "
            f"their {sum(outside.values())} bin(s) outside their own span are NaN in the "
            "wide frame (marked in .mask, not filled). Pass output='long' to keep series of "
            "different lengths, or trim with result.data.dropna().",
            UserWarning,
            stacklevel=3,
        )
    return data, mask


def _long(
    filled: dict[Hashable, pd.Series], empty: dict[Hashable, pd.Series]
) -> tuple[pd.DataFrame, pd.Series]:
    """``unique_id``/``ds``/``y`` rows, each series over its own span, and the mask of empty
    bins aligned with the rows."""
    parts = [
        pd.DataFrame({"unique_id": [sid] * len(v), "ds": v.index, "y": v.to_numpy()})
        for sid, v in filled.items()
    ]
    data = pd.concat(parts, ignore_index=True)
    mask = pd.Series(np.concatenate([empty[sid].to_numpy() for sid in filled]), name="missing")
    return data, mask


def _per_series(counts: dict[Hashable, int]) -> pd.Series:
    return pd.Series(counts, dtype=np.int64)
