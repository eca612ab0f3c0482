"""Time indices: check that they are regular, and continue them into the future."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tsrm.exceptions import IrregularIndexError


@dataclass(frozen=True)
class TimeIndex:
    """Enough of a series' index to extend it: its kind, last value and step.

    ``kind`` is ``"datetime"`` (``step`` is a pandas frequency string and
    ``tz`` the time zone), ``"period"`` (``step`` a period frequency) or
    ``"integer"`` (``step`` an int).
    """

    kind: str
    last: Any
    step: Any
    tz: str | None = None
    name: Any = None

    def future(self, h: int) -> pd.Index:
        """The ``h`` index values that follow ``last``."""
        if self.kind == "datetime":
            # ``last`` keeps its time zone, so daylight-saving changes continue correctly.
            index = pd.date_range(self.last, periods=h + 1, freq=self.step)[1:]
        elif self.kind == "period":
            index = pd.period_range(pd.Period(self.last, freq=self.step), periods=h + 1)[1:]
        else:
            index = pd.RangeIndex(self.last + self.step, self.last + self.step * (h + 1), self.step)
        return index.rename(self.name)

    def past(self, n: int) -> pd.Index:
        """The ``n`` index values that end at ``last`` (the fitted series' own index)."""
        if self.kind == "datetime":
            index = pd.date_range(end=self.last, periods=n, freq=self.step)
        elif self.kind == "period":
            index = pd.period_range(end=pd.Period(self.last, freq=self.step), periods=n)
        else:
            index = pd.RangeIndex(self.last - self.step * (n - 1), self.last + self.step, self.step)
        return index.rename(self.name)

    def to_json(self) -> dict:
        last = self.last.isoformat() if isinstance(self.last, pd.Timestamp) else self.last
        name = (
            self.name if self.name is None or isinstance(self.name, str | int) else str(self.name)
        )
        return {"kind": self.kind, "last": last, "step": self.step, "tz": self.tz, "name": name}

    @classmethod
    def from_json(cls, data: dict) -> TimeIndex:
        """Inverse of :meth:`to_json`; ``ValueError`` for anything :meth:`to_json` never writes."""
        if data["kind"] not in ("datetime", "period", "integer"):
            raise ValueError(f"unknown index kind {data['kind']!r}")
        last = data["last"]
        if data["kind"] == "integer" and not (
            isinstance(last, int) and isinstance(data["step"], int) and data["step"] != 0
        ):
            raise ValueError(f"integer index with last={last!r}, step={data['step']!r}")
        if data["kind"] == "datetime":
            pd.tseries.frequencies.to_offset(data["step"])  # ValueError if not a frequency
        if data["kind"] == "datetime":
            last = pd.Timestamp(last)
            if data.get("tz"):  # the ISO string holds only an offset: restore the named zone
                last = last.tz_convert(data["tz"])
        return cls(data["kind"], last, data["step"], data.get("tz"), data.get("name"))


def futures(indexes: list[TimeIndex], h: int) -> pd.Index:
    """``indexes[0].future(h).append([i.future(h) for i in indexes[1:]])``, at once where all
    are timestamps one fixed step apart (hours, minutes...) in one time zone: the same
    values, without a ``date_range`` per series (~0.5 ms each)."""
    first = indexes[0]
    head = first.future(h)
    same = all(i.kind == "datetime" and i.step == first.step and i.tz == first.tz for i in indexes)
    offset = pd.tseries.frequencies.to_offset(first.step) if same else None
    if not isinstance(offset, pd.offsets.Tick):
        return head.append([i.future(h) for i in indexes[1:]]) if len(indexes) > 1 else head
    lasts = pd.DatetimeIndex([i.last for i in indexes]).repeat(h)
    ahead = np.tile(np.arange(1, h + 1), len(indexes)) * pd.Timedelta(offset)
    return (lasts + pd.TimedeltaIndex(ahead)).as_unit(head.unit).rename(first.name)


def time_index_of(index: pd.Index, what: str) -> TimeIndex:
    """Check ``index`` is unique, increasing and regular; describe it as a :class:`TimeIndex`.

    Parameters
    ----------
    index : pd.Index
        A DatetimeIndex, PeriodIndex, RangeIndex or integer index.
    what : str
        How to name the data in error messages (e.g. ``"series 'a'"``).
    """
    if len(index) == 0:
        raise IrregularIndexError(f"{what} is empty; pass at least one observation.")
    # The kind first: "out of order" or "duplicated" would mislead for, e.g., text labels.
    if not (
        isinstance(index, pd.DatetimeIndex | pd.PeriodIndex | pd.RangeIndex)
        or pd.api.types.is_integer_dtype(index.dtype)
    ):
        if mixes_time_zones(index):
            raise IrregularIndexError(
                f"{what} has timestamps in different time zones (or with and without one); "
                "convert them to one zone first, e.g. pd.to_datetime(index, utc=True)."
            )
        raise IrregularIndexError(
            f"{what} has an index of dtype {index.dtype}; use a DatetimeIndex, PeriodIndex or "
            "integer index (e.g. pd.to_datetime(...) on the dates)."
        )
    if index.has_duplicates:
        dup = index[index.duplicated()][0]
        raise IrregularIndexError(
            f"{what} has duplicated timestamps (e.g. {dup!r}); aggregate them first, "
            "e.g. y.groupby(level=0).mean()."
        )
    if not index.is_monotonic_increasing:
        raise IrregularIndexError(
            f"{what} has timestamps out of order; sort it first, e.g. y.sort_index()."
        )
    if isinstance(index, pd.DatetimeIndex):
        freq = index.freqstr if index.freq is not None else None
        if freq is None and len(index) >= 3:
            freq = _infer_freq(index)
        if freq is None:
            raise IrregularIndexError(
                f"{what} has timestamps on no regular grid (pandas cannot infer a frequency); "
                "resample it to a regular frequency first, e.g. y.resample('h').mean()."
            )
        tz = str(index.tz) if index.tz is not None else None
        return TimeIndex("datetime", index[-1], freq, tz, index.name)
    if isinstance(index, pd.PeriodIndex):
        diffs = np.diff(index.asi8)
        if len(diffs) and not np.all(diffs == 1):
            raise IrregularIndexError(
                f"{what} has gaps in its PeriodIndex; reindex it to a full period range first."
            )
        return TimeIndex("period", str(index[-1]), index.freqstr, name=index.name)
    if isinstance(index, pd.RangeIndex):
        return TimeIndex("integer", int(index[-1]), int(index.step), name=index.name)
    values = index.to_numpy(dtype=np.int64)
    diffs = np.diff(values)
    if len(diffs) and not np.all(diffs == diffs[0]):
        raise IrregularIndexError(
            f"{what} has an integer index with uneven steps; reindex it to a regular grid."
        )
    step = int(diffs[0]) if len(diffs) else 1
    return TimeIndex("integer", int(values[-1]), step, name=index.name)


def sub_daily_indexes(stamps: pd.Index, starts: np.ndarray, ends: np.ndarray) -> list:
    """Per slice ``stamps[lo:hi]``, its :class:`TimeIndex` where :func:`time_index_of` needs
    no pandas call of its own, else None.

    Such a slice holds at least three timestamps one constant step under a day apart:
    pandas infers its frequency from the step alone, once per step here instead of once
    per series (a long frame of many sensors: ~0.3 ms a series).
    """
    out: list = [None] * len(starts)
    if not isinstance(stamps, pd.DatetimeIndex):
        return out
    steps = np.diff(stamps.asi8)  # in the index's unit
    day = int(np.timedelta64(1, "D") // np.timedelta64(1, stamps.unit))
    tz = str(stamps.tz) if stamps.tz is not None else None
    freqs: dict[int, str | None] = {}
    for k, (lo, hi) in enumerate(zip(starts, ends, strict=True)):
        if hi - lo < 3:
            continue
        within = steps[lo : hi - 1]
        step = int(within[0])
        if not 0 < step < day or (within != step).any():
            continue
        if step not in freqs:
            freqs[step] = _infer_freq(stamps[lo : lo + 3])
        if freqs[step] is not None:
            out[k] = TimeIndex("datetime", stamps[hi - 1], freqs[step], tz, stamps.name)
    return out


def mixes_time_zones(values: Any) -> bool:
    """Whether ``values`` are timestamps that pandas refuses to combine for their time zones.

    True for tz-aware and tz-naive timestamps together, or strings with different UTC
    offsets; False for anything else (including values that are no dates at all).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pd.to_datetime(pd.Index(values), format="mixed")
    except (TypeError, ValueError, OverflowError) as err:
        message = str(err).lower()
        return "timezone" in message or "tz-" in message or "time zone" in message
    return parsed.dtype == object  # older pandas: mixed offsets give an object index


def _infer_freq(index: pd.DatetimeIndex) -> str | None:
    """``pd.infer_freq`` as a string on every pandas version (3.x warns it will return offsets)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        warnings.filterwarnings("ignore", message=".*infer_freq.*")
        freq = pd.infer_freq(index)
    if freq is None or isinstance(freq, str):
        return freq
    return freq.freqstr
