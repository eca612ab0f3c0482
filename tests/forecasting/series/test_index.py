"""Behaviour of :mod:`tsrm.forecasting.series.index`: regularity checks and future indices."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tsrm.exceptions import IrregularIndexError, TSRMInputError
from tsrm.forecasting.series.index import TimeIndex, time_index_of


def _ts(*values, tz=None):
    return [pd.Timestamp(v, tz=tz) for v in values]


# --- time_index_of ---------------------------------------------------------------------------


def test_hourly_datetime_index():
    ti = time_index_of(pd.date_range("2024-01-01", periods=5, freq="h"), "y")
    assert ti.kind == "datetime"
    assert ti.last == pd.Timestamp("2024-01-01 04:00")
    assert ti.step == "h"
    assert ti.tz is None
    assert list(ti.future(3)) == _ts("2024-01-01 05:00", "2024-01-01 06:00", "2024-01-01 07:00")
    assert ti.future(3).freqstr == "h"


def test_datetime_index_without_freq_attribute_is_inferred():
    idx = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"])
    assert idx.freq is None
    ti = time_index_of(idx, "y")
    assert ti.step == "D"
    assert list(ti.future(2)) == _ts("2024-01-05", "2024-01-06")


def test_month_start_datetime_index():
    ti = time_index_of(pd.date_range("2023-11-01", periods=3, freq="MS"), "y")
    assert list(ti.future(2)) == _ts("2024-02-01", "2024-03-01")


def test_single_point_datetime_index_with_freq():
    ti = time_index_of(pd.date_range("2024-01-01", periods=1, freq="D"), "y")
    assert list(ti.future(2)) == _ts("2024-01-02", "2024-01-03")


def test_tz_aware_datetime_index():
    idx = pd.date_range("2024-01-01", periods=4, freq="h", tz="US/Eastern")
    ti = time_index_of(idx, "y")
    assert ti.tz == "US/Eastern"
    fut = ti.future(2)
    assert str(fut.tz) == "US/Eastern"
    assert list(fut) == _ts("2024-01-01 04:00", "2024-01-01 05:00", tz="US/Eastern")


def test_tz_aware_future_crosses_dst_change():
    # Europe/Berlin falls back at 03:00 CEST -> 02:00 CET on 2023-10-29: 02:00 happens twice.
    idx = pd.date_range("2023-10-28 22:00", periods=3, freq="h", tz="Europe/Berlin")
    fut = time_index_of(idx, "y").future(4)
    assert [t.isoformat() for t in fut] == [
        "2023-10-29T01:00:00+02:00",
        "2023-10-29T02:00:00+02:00",
        "2023-10-29T02:00:00+01:00",
        "2023-10-29T03:00:00+01:00",
    ]


def test_tz_aware_series_ending_in_repeated_dst_hour():
    idx = pd.date_range("2023-10-28 23:00", periods=4, freq="h", tz="Europe/Berlin")
    assert idx[-1].isoformat() == "2023-10-29T02:00:00+02:00"
    fut = time_index_of(idx, "y").future(2)
    assert [t.isoformat() for t in fut] == [
        "2023-10-29T02:00:00+01:00",
        "2023-10-29T03:00:00+01:00",
    ]


def test_period_index_monthly():
    ti = time_index_of(pd.period_range("2020-11", periods=3, freq="M"), "y")
    assert ti.kind == "period"
    assert ti.last == "2021-01"
    fut = ti.future(3)
    assert isinstance(fut, pd.PeriodIndex)
    assert fut.freqstr == "M"
    assert list(fut) == [pd.Period(p, freq="M") for p in ("2021-02", "2021-03", "2021-04")]


def test_range_index():
    ti = time_index_of(pd.RangeIndex(10, 20, 2), "y")
    assert (ti.kind, ti.last, ti.step) == ("integer", 18, 2)
    assert list(ti.future(3)) == [20, 22, 24]


def test_integer_index_with_step_five():
    ti = time_index_of(pd.Index(np.array([100, 105, 110, 115], dtype=np.int64)), "y")
    assert (ti.kind, ti.last, ti.step) == ("integer", 115, 5)
    assert list(ti.future(2)) == [120, 125]


def test_single_integer_defaults_to_step_one():
    ti = time_index_of(pd.Index(np.array([7], dtype=np.int64)), "y")
    assert list(ti.future(2)) == [8, 9]


def test_future_zero_is_empty():
    for idx in (
        pd.date_range("2024-01-01", periods=3, freq="D"),
        pd.period_range("2020-01", periods=3, freq="M"),
        pd.RangeIndex(5),
    ):
        assert len(time_index_of(idx, "y").future(0)) == 0


# --- JSON ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "idx",
    [
        pd.date_range("2024-01-01", periods=5, freq="h"),
        pd.date_range("2024-01-01", periods=5, freq="15min", tz="Asia/Tokyo"),
        pd.period_range("2020-11", periods=3, freq="M"),
        pd.RangeIndex(0, 15, 5),
        pd.Index(np.array([3, 6, 9], dtype=np.int64)),
    ],
    ids=["datetime", "tz", "period", "range", "integer"],
)
def test_json_round_trip(idx):
    ti = time_index_of(idx, "y")
    text = json.dumps(ti.to_json())
    back = TimeIndex.from_json(json.loads(text))
    assert back == ti
    pd.testing.assert_index_equal(back.future(4), ti.future(4))


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("idx", "word"),
    [
        (pd.DatetimeIndex([]), "empty"),
        (pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-03"]), "duplicated"),
        (pd.DatetimeIndex(["2024-01-02", "2024-01-01", "2024-01-03"]), "out of order"),
        (pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-05", "2024-01-06"]), "regular"),
        (pd.Index(np.array([0, 1, 3, 4], dtype=np.int64)), "uneven"),
        (pd.PeriodIndex(["2020-01", "2020-02", "2020-04"], freq="M"), "gaps"),
        (pd.Index([0.0, 1.0, 2.0]), "dtype"),
        (pd.Index(["a", "b", "c"]), "dtype"),
    ],
    ids=["empty", "dup", "unsorted", "irregular", "uneven", "period-gap", "float", "str"],
)
def test_bad_indexes_raise(idx, word):
    with pytest.raises(IrregularIndexError, match=word) as info:
        time_index_of(idx, "my series")
    assert "my series" in str(info.value)
    assert isinstance(info.value, TSRMInputError)
    assert isinstance(info.value, ValueError)


def test_sub_daily_indexes_agree_with_time_index_of():
    """The shortcut for constant sub-daily steps gives what the full check gives, and
    leaves everything else (daily, irregular, short, duplicated) to it."""
    from tsrm.forecasting.series.index import sub_daily_indexes

    slices = [
        pd.date_range("2024-01-01", periods=50, freq="h"),
        pd.date_range("2024-01-01 00:07", periods=9, freq="15min"),
        pd.date_range("2024-03-30", periods=72, freq="h"),  # hourly again: one inference
        pd.date_range("2024-01-01", periods=5, freq="D"),  # daily: left to time_index_of
        pd.DatetimeIndex(["2024-01-01 00:00", "2024-01-01 01:00", "2024-01-01 03:00"]),
        pd.date_range("2024-01-01", periods=2, freq="h"),  # too short to infer
        pd.DatetimeIndex(["2024-01-01", "2024-01-01", "2024-01-01"]),  # duplicated
    ]
    stamps = slices[0].append(slices[1:]).rename("ds")
    ends = np.cumsum([len(s) for s in slices])
    starts = np.r_[0, ends[:-1]]
    quick = sub_daily_indexes(stamps, starts, ends)
    assert [q is not None for q in quick] == [True, True, True, False, False, False, False]
    for q, lo, hi in zip(quick[:3], starts, ends, strict=False):
        assert q == time_index_of(stamps[lo:hi], "x")
    zoned = pd.date_range("2024-03-30", periods=72, freq="h", tz="Europe/Paris", name="ds")
    (q,) = sub_daily_indexes(zoned, np.array([0]), np.array([72]))
    assert q == time_index_of(zoned, "x") and list(q.future(2)) == list(
        pd.date_range(zoned[-1], periods=3, freq="h")[1:]
    )


@pytest.mark.parametrize(
    "freq, tz", [("h", None), ("15min", "Europe/Paris"), ("MS", None), ("D", "UTC")]
)
def test_futures_of_many_series_are_each_series_future(freq, tz):
    from tsrm.forecasting.series.index import futures

    indexes = [
        time_index_of(pd.date_range(start, periods=10, freq=freq, tz=tz, name="ds"), "x")
        for start in ("2024-03-29", "2024-03-30 07:00", "2024-10-26 23:00")
    ]
    expected = indexes[0].future(30).append([i.future(30) for i in indexes[1:]])
    got = futures(indexes, 30)
    assert got.equals(expected) and got.dtype == expected.dtype and got.name == expected.name
