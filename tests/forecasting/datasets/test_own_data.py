"""Own-data adapters: read_series, to_long/to_wide and resample_log (forecasting.datasets.own)."""

from __future__ import annotations

import gzip
import warnings

import numpy as np
import pandas as pd
import pytest

from tsrm.exceptions import IrregularIndexError, MissingValuesError, TSRMInputError
from tsrm.forecasting.datasets.own import ResampledLog, read_series, resample_log, to_long, to_wide
from tsrm.forecasting.series import to_panel

T0 = pd.Timestamp("2024-01-01")


def _days(n: int = 6) -> pd.DatetimeIndex:
    return pd.date_range(T0, periods=n, freq="D")


def _at(*offsets: str) -> list[pd.Timestamp]:
    """Timestamps at offsets from T0, e.g. _at("-20s", "4min50s")."""
    return [T0 + pd.Timedelta(o) for o in offsets]


def _expected_wide(values: dict, index: pd.DatetimeIndex, name=None) -> pd.DataFrame:
    return pd.DataFrame(
        {k: np.asarray(v, dtype=float) for k, v in values.items()},
        index=pd.DatetimeIndex(index, freq="infer", name=name),
    )


# --- read_series: date-column detection ------------------------------------------------------


def test_detects_column_named_date_after_numeric_columns():
    df = pd.DataFrame(
        {"load": [1, 2, 3, 4, 5, 6], "date": _days().strftime("%Y-%m-%d"), "temp": np.arange(6.0)}
    )
    out = read_series(df)
    expected = _expected_wide({"load": range(1, 7), "temp": range(6)}, _days(), name="date")
    pd.testing.assert_frame_equal(out, expected)
    assert out.index.freq == "D"


def test_detects_timestamp_column_case_insensitively():
    idx = pd.date_range("2024-03-01 00:00", periods=4, freq="15min")
    df = pd.DataFrame({"Timestamp": idx.strftime("%Y-%m-%d %H:%M:%S"), "kw": [1.0, 2.0, 3.0, 4.0]})
    out = read_series(df)
    pd.testing.assert_frame_equal(out, _expected_wide({"kw": [1, 2, 3, 4]}, idx, "Timestamp"))


def test_detects_unnamed_first_column_of_iso_strings(tmp_path):
    wide = _expected_wide({"a": np.arange(6.0), "b": np.arange(6.0) ** 2}, _days())
    path = tmp_path / "series.csv"
    wide.to_csv(path)  # header ",a,b": pandas names the first column "Unnamed: 0"
    assert path.read_text().startswith(",a,b\n2024-01-01,")
    out = read_series(path)
    pd.testing.assert_frame_equal(out, wide)
    assert out.index.name is None


def test_reads_gzipped_csv(tmp_path):
    path = tmp_path / "series.csv.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("day;value\n01/02/2024;1,5\n02/02/2024;2,5\n03/02/2024;3,5\n")
    out = read_series(path, date_format="%d/%m/%Y", sep=";", decimal=",")
    expected = _expected_wide(
        {"value": [1.5, 2.5, 3.5]}, pd.date_range("2024-02-01", periods=3), name="day"
    )
    pd.testing.assert_frame_equal(out, expected)


def test_numeric_columns_are_never_taken_as_dates():
    df = pd.DataFrame(
        {
            "ymd": [20240101, 20240102, 20240103],  # ints that pd.to_datetime would accept
            "code": ["20240101", "20240102", "20240103"],  # numbers as text
            "epoch": [1.7e9, 1.7e9 + 60, 1.7e9 + 120],
            "when": ["2024-05-01T00:00", "2024-05-01T01:00", "2024-05-01T02:00"],
        }
    )
    out = read_series(df, value_columns=["ymd", "epoch"])
    assert out.index.name == "when"
    assert list(out.columns) == ["ymd", "epoch"]
    assert str(out.index.freq) == "<Hour>"


def test_dataframe_with_datetime_index_uses_the_index():
    wide = _expected_wide({"x": [3.0, 1.0, 2.0]}, _days(3), name="stamp")
    out = read_series(wide)
    pd.testing.assert_frame_equal(out, wide)
    with_column = wide.assign(when=["2023-05-01", "2023-05-02", "2023-05-03"])
    named = read_series(with_column, date_column="when")  # then the index is not data
    assert named.columns.tolist() == ["x"] and named.index[0] == pd.Timestamp("2023-05-01")


def test_unsorted_rows_are_sorted():
    df = pd.DataFrame({"date": ["2024-01-03", "2024-01-01", "2024-01-02"], "v": [3, 1, 2]})
    out = read_series(df)
    assert out["v"].tolist() == [1.0, 2.0, 3.0]
    assert out.index.is_monotonic_increasing


def test_id_column_gives_long_frame():
    df = pd.DataFrame(
        {
            "ds": list(_days(3).strftime("%Y-%m-%d")) * 2,
            "store": ["s1"] * 3 + ["s2"] * 3,
            "sales": [1, 2, 3, 10, 20, 30],
            "visits": [5, 6, 7, 8, 9, 10],
        }
    )
    out = read_series(df, id_column="store", value_columns="sales")
    expected = pd.DataFrame(
        {
            "unique_id": ["s1"] * 3 + ["s2"] * 3,
            "ds": list(_days(3)) * 2,
            "y": [1.0, 2, 3, 10, 20, 30],
        }
    )
    pd.testing.assert_frame_equal(out, expected, check_dtype=False)
    assert to_panel(out).ids == ["s1", "s2"]
    both = read_series(df, id_column="store")
    assert list(pd.unique(both["unique_id"])) == ["s1/sales", "s2/sales", "s1/visits", "s2/visits"]


def test_read_series_output_passes_to_panel(tmp_path):
    path = tmp_path / "h.csv"
    idx = pd.date_range("2024-01-01", periods=48, freq="h")
    pd.DataFrame({"time": idx, "a": np.sin(np.arange(48)), "b": np.arange(48)}).to_csv(
        path, index=False
    )
    panel = to_panel(read_series(path))
    assert panel.kind == "wide"
    assert panel.ids == ["a", "b"]
    assert panel.indexes[0].step == "h"


def test_read_series_does_not_modify_input():
    df = pd.DataFrame({"v": [1, 2, 3], "date": ["2024-01-03", "2024-01-01", "2024-01-02"]})
    before = df.copy(deep=True)
    read_series(df)
    read_series(df, id_column=None, value_columns=["v"])
    pd.testing.assert_frame_equal(df, before)


# --- read_series: errors ---------------------------------------------------------------------


def test_error_no_date_column_lists_columns():
    df = pd.DataFrame({"a": [1.0, 2.0], "label": ["x", "y"]})
    with pytest.raises(TSRMInputError, match=r"no column that holds dates") as err:
        read_series(df)
    assert "'a', 'label'" in str(err.value)
    assert "date_column=" in str(err.value)


def test_error_numeric_date_column_says_how_to_convert():
    df = pd.DataFrame({"date": [20240101, 20240102], "v": [1.0, 2.0]})
    with pytest.raises(TSRMInputError, match=r"'date' holds numbers.*pd\.to_datetime"):
        read_series(df)
    with pytest.raises(TSRMInputError, match=r"'date' holds numbers.*unit='s'"):
        read_series(df, date_column="date")


def test_error_unparseable_dates_names_value_and_fix():
    df = pd.DataFrame({"date": ["2024-01-01", "not a date", "2024-01-03"], "v": [1, 2, 3]})
    with pytest.raises(TSRMInputError, match=r"'not a date'.*date_format="):
        read_series(df)
    mixed = pd.DataFrame({"when": ["2024-01-01", "02/01/2024"], "v": [1, 2]})
    with pytest.raises(TSRMInputError, match=r"first: '02/01/2024'.*date_format="):
        read_series(mixed, date_column="when")
    out = read_series(mixed, date_column="when", date_format="mixed", dayfirst=False)
    assert len(out) == 2


def test_error_missing_date_values():
    df = pd.DataFrame({"date": ["2024-01-01", None, "2024-01-03"], "v": [1, 2, 3]})
    with pytest.raises(TSRMInputError, match=r"1 empty date.*dropna"):
        read_series(df)


def test_error_names_the_first_entry_that_is_not_a_number():
    df = pd.DataFrame({"date": _days(4), "temp": ["22.062", "22.1", "ERR", "22.3"]})
    before = df.copy()
    with pytest.raises(TSRMInputError) as err:
        read_series(df)
    message = str(err.value)
    assert "column 'temp' is not numeric: row 2 holds 'ERR'" in message
    assert "pd.to_numeric(df['temp'], errors=\"coerce\")" in message
    pd.testing.assert_frame_equal(df, before)  # the input is left as it was


def test_error_non_numeric_value_columns_named():
    df = pd.DataFrame({"date": _days(2), "v": [1.0, 2.0], "city": ["Oslo", "Rome"]})
    with pytest.raises(
        TSRMInputError, match=r"'city' is not numeric: row 0 holds 'Oslo'.*value_columns=\['v'\]"
    ):
        read_series(df)
    with pytest.raises(TSRMInputError, match=r"no column 'w'.*value_columns"):
        read_series(df, value_columns=["w"])


def test_error_empty_file_and_header_only(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(TSRMInputError, match=r"empty\.csv' is empty"):
        read_series(empty)
    header = tmp_path / "header.csv"
    header.write_text("date,v\n")
    with pytest.raises(TSRMInputError, match=r"header \(date, v\) but no data rows"):
        read_series(header)


def test_error_duplicated_dates_suggests_id_column():
    df = pd.DataFrame({"date": ["2024-01-01", "2024-01-01"], "v": [1, 2]})
    with pytest.raises(IrregularIndexError, match=r"more than once.*id_column="):
        read_series(df)


# --- to_long / to_wide -----------------------------------------------------------------------


def test_wide_long_round_trip_with_ragged_series():
    wide = _expected_wide(
        {"a": [1.0, 2, 3, 4, 5, 6], "b": [np.nan, 7, 8, 9, np.nan, np.nan]}, _days()
    )
    long = to_long(wide)
    assert long.columns.tolist() == ["unique_id", "ds", "y"]
    assert long["unique_id"].tolist() == ["a"] * 6 + ["b"] * 3  # NaN padding dropped
    assert long["ds"].tolist() == list(_days()) + list(_days()[1:4])
    pd.testing.assert_frame_equal(to_wide(long), wide)
    pd.testing.assert_frame_equal(to_long(to_wide(long)), long)
    assert to_panel(long).lengths.tolist() == [6, 3]


def test_to_long_keeps_interior_nan_and_can_keep_padding():
    wide = _expected_wide({"a": [np.nan, 1.0, np.nan, 3.0, np.nan]}, _days(5))
    assert to_long(wide)["y"].tolist() == pytest.approx([1.0, np.nan, 3.0], nan_ok=True)
    assert len(to_long(wide, trim=False)) == 5
    pd.testing.assert_frame_equal(to_wide(to_long(wide)), wide.iloc[1:4])


def test_long_to_wide_unions_timestamps_and_keeps_series_order():
    long = pd.DataFrame(
        {
            "unique_id": ["z", "z", "a", "a"],
            "ds": ["2024-01-02", "2024-01-03", "2024-01-01", "2024-01-02"],
            "y": [1.0, 2.0, 3.0, 4.0],
        }
    )
    wide = to_wide(long)
    expected = _expected_wide({"z": [np.nan, 1, 2], "a": [3, 4, np.nan]}, _days(3))
    pd.testing.assert_frame_equal(wide, expected)
    pd.testing.assert_frame_equal(to_long(to_wide(to_long(wide))), to_long(wide))


def test_integer_index_round_trip():
    wide = pd.DataFrame({"s": [1.0, 2.0, 3.0], "t": [4.0, 5.0, 6.0]}, index=[10, 20, 30])
    long = to_long(wide)
    assert long["ds"].tolist() == [10, 20, 30, 10, 20, 30]
    pd.testing.assert_frame_equal(to_wide(long), wide, check_index_type=False)


def test_wide_long_errors():
    with pytest.raises(TSRMInputError, match=r"lacks column\(s\) 'ds'.*rename"):
        to_wide(pd.DataFrame({"unique_id": ["a"], "date": ["2024-01-01"], "y": [1.0]}))
    dup = pd.DataFrame({"unique_id": ["a", "a"], "ds": [T0, T0], "y": [1.0, 2.0]})
    with pytest.raises(IrregularIndexError, match=r"'a' has timestamp 2024-01-01.*groupby"):
        to_wide(dup)
    with pytest.raises(TSRMInputError, match=r"index of dtype (str|object).*DatetimeIndex"):
        to_long(pd.DataFrame({"a": [1.0]}, index=["x"]))
    with pytest.raises(IrregularIndexError, match=r"more than once"):
        to_long(pd.DataFrame({"a": [1.0, 2.0]}, index=[T0, T0]))


def test_wide_long_do_not_modify_inputs():
    wide = _expected_wide({"b": [3.0, 2, 1], "a": [1.0, np.nan, 3]}, _days(3))
    wide = wide.iloc[::-1]  # unsorted index: to_long sorts a copy
    long = to_long(wide)
    wide_before, long_before = wide.copy(deep=True), long.copy(deep=True)
    to_long(wide)
    to_wide(long)
    pd.testing.assert_frame_equal(wide, wide_before)
    pd.testing.assert_frame_equal(long, long_before)


# --- resample_log ----------------------------------------------------------------------------

BASE = {("d1", "hum"): 50.0, ("d1", "temp"): 10.0, ("d2", "hum"): 60.0, ("d2", "temp"): 20.0}
# Jittered readings and their offsets from the base value: with align="nearest" the 5-min bins
# are [t - 2.5min, t + 2.5min), so the bins 00:00, 00:05, 00:10 get means +1, +4, +7.
JITTER = list(
    zip(_at("-20s", "1min", "4min50s", "10min20s", "12min20s"), [0, 2, 4, 6, 8], strict=True)
)


def _event_log() -> pd.DataFrame:
    rows = [(t, dev, sensor, base + dy) for (dev, sensor), base in BASE.items() for t, dy in JITTER]
    log = pd.DataFrame(rows, columns=["timestamp", "device", "sensor", "value"])
    return log.sample(frac=1.0, random_state=3).reset_index(drop=True)  # arrival order


def test_resample_log_jittered_devices_and_sensors_hand_computed():
    log = _event_log()
    result = resample_log(log, "5min")
    assert isinstance(result, ResampledLog)
    grid = pd.date_range(T0, periods=3, freq="5min", name="timestamp")
    expected = pd.DataFrame(
        {f"{d}/{s}": [b + 1, b + 4, b + 7] for (d, s), b in BASE.items()}, index=grid
    )
    pd.testing.assert_frame_equal(result.data, expected)
    assert result.data.index.freq == "5min"
    assert result.n_readings.tolist() == [5] * 4
    assert result.n_empty.sum() == 0
    assert result.align == "nearest"
    panel = to_panel(result.data)
    assert panel.indexes[0].step == "5min"


def test_resample_log_explicit_columns_and_long_output():
    log = _event_log().rename(columns={"timestamp": "t", "device": "node", "sensor": "ch"})
    log = log.rename(columns={"value": "reading_raw"})
    result = resample_log(
        log,
        "5min",
        time_column="t",
        device_column="node",
        sensor_column="ch",
        value_column="reading_raw",
        output="long",
    )
    assert result.data.columns.tolist() == ["unique_id", "ds", "y"]
    d1_temp = result.data[result.data["unique_id"] == "d1/temp"]
    assert d1_temp["y"].tolist() == [11.0, 14.0, 17.0]
    assert len(result.mask) == len(result.data) and not result.mask.any()
    assert to_panel(result.data).ids == ["d1/hum", "d1/temp", "d2/hum", "d2/temp"]


def test_align_start_uses_left_closed_bins():
    log = pd.DataFrame({"time": _at("10s", "4min50s", "5min10s"), "v": [1.0, 3.0, 5.0]})
    nearest = resample_log(log, "5min")
    assert nearest.data["v"].tolist() == [1.0, 4.0]  # 4min50s belongs to 00:05
    start = resample_log(log, "5min", align="start")
    assert start.data["v"].tolist() == [2.0, 5.0]
    assert start.data.index[0] == T0


@pytest.mark.parametrize(
    ("agg", "first_bin"),
    [("mean", 3.0), ("median", 3.0), ("first", 1.0), ("last", 3.0), ("sum", 9.0)]
    + [("min", 1.0), ("max", 5.0)],
)
def test_aggregations(agg, first_bin):
    times = _at("0s", "1min", "2min", "5min")
    log = pd.Series([1.0, 5.0, 3.0, 7.0], index=pd.DatetimeIndex(times), name="x")
    result = resample_log(log, "5min", agg=agg)
    assert result.data["x"].tolist() == [first_bin, 7.0]


def _linear_log(drop_minutes=(15, 20, 40)) -> pd.DataFrame:
    """y = 2 * minutes every 5 minutes from 00:00 to 00:50, some readings missing."""
    minutes = [m for m in range(0, 55, 5) if m not in drop_minutes]
    return pd.DataFrame(
        {"time": [T0 + pd.Timedelta(minutes=m) for m in minutes], "y": [2.0 * m for m in minutes]}
    )


GAPS = [T0 + pd.Timedelta(minutes=m) for m in (15, 20, 40)]


def test_gaps_interpolate_is_exact_for_linear_signal():
    result = resample_log(_linear_log(), "5min", gaps="interpolate")
    assert result.data["y"].tolist() == [2.0 * m for m in range(0, 55, 5)]
    assert result.data.index[result.mask["y"]].tolist() == GAPS
    assert result.n_empty["y"] == 3 and result.n_filled["y"] == 3
    assert "3 empty bin(s) filled by time interpolation" in result.summary()
    to_panel(result.data)


def test_gaps_ffill_repeats_previous_value():
    result = resample_log(_linear_log(), "5min", gaps="ffill")
    values = result.data["y"]
    assert values[GAPS].tolist() == [20.0, 20.0, 70.0]
    assert result.n_filled["y"] == 3
    to_panel(result.data)


def test_gaps_mask_leaves_nan_and_marks_exactly_the_empty_bins():
    result = resample_log(_linear_log(), "5min", gaps="mask")
    assert result.data.index[result.data["y"].isna()].tolist() == GAPS
    assert result.data.index[result.mask["y"]].tolist() == GAPS
    assert result.n_filled["y"] == 0 and result.n_empty["y"] == 3
    with pytest.raises(MissingValuesError):
        to_panel(result.data)  # NaN left for the user to handle, as documented


def test_gaps_error_names_the_first_empty_bin():
    with pytest.raises(MissingValuesError, match=r"'y' has no reading.*2024-01-01 00:15:00"):
        resample_log(_linear_log(), "5min", gaps="error")
    resample_log(_linear_log(drop_minutes=()), "5min", gaps="error")  # no gap: fine


def test_max_gap_raises_for_longer_gaps_only():
    with pytest.raises(MissingValuesError, match=r"gap of 2 empty.*00:15:00 to .*00:20:00"):
        resample_log(_linear_log(), "5min", max_gap=1)
    assert resample_log(_linear_log(), "5min", gaps="ffill", max_gap=2).n_filled["y"] == 3
    with pytest.raises(TSRMInputError, match=r"max_gap only applies"):
        resample_log(_linear_log(), "5min", gaps="mask", max_gap=2)


def test_infers_5min_from_jittered_log():
    rng = np.random.default_rng(0)
    rows = []
    for device in ("a", "b"):
        for sensor in ("t", "p"):
            times = pd.date_range(T0, periods=60, freq="5min")
            times = times + pd.to_timedelta(rng.uniform(-40, 40, 60), unit="s")
            rows += [
                (t, device, sensor, v) for t, v in zip(times, rng.normal(size=60), strict=True)
            ]
    log = pd.DataFrame(rows, columns=["Time", "Device", "Sensor", "Value"])
    result = resample_log(log)
    assert result.freq == "5min" and result.freq_inferred
    assert result.data.shape == (60, 4)
    assert result.data.index.freq == "5min"
    assert result.n_empty.sum() == 0  # jitter below half a step never empties a bin
    to_panel(result.data)


def test_infers_hourly_and_warns_about_mixed_rates():
    hourly = pd.Series(np.arange(5.0), index=pd.date_range(T0, periods=5, freq="h"))
    assert resample_log(hourly).freq == "h"
    oslo = hourly.tz_localize("Europe/Oslo").shift(freq="2min")  # off-grid, tz-aware
    result = resample_log(oslo)
    assert result.data.index[0] == pd.Timestamp("2024-01-01", tz="Europe/Oslo")
    assert result.data["value"].tolist() == hourly.tolist()
    to_panel(result.data)
    fast = pd.DataFrame({"time": pd.date_range(T0, periods=20, freq="min"), "dev": "fast"})
    slow = pd.DataFrame({"time": pd.date_range(T0, periods=4, freq="5min"), "dev": "slow"})
    log = pd.concat([fast, slow], ignore_index=True).assign(v=1.0)
    with pytest.warns(UserWarning, match=r"coarsest spacing '5min'"):
        result = resample_log(log, device_column="dev", output="long")
    assert result.freq == "5min"


def test_uninferable_frequency_asks_for_freq():
    times = np.cumsum([0, 1, 10, 1, 10, 1, 10, 1])  # bursts: spacing 1 or 10 minutes
    log = pd.DataFrame({"time": [T0 + pd.Timedelta(minutes=int(m)) for m in times], "v": 1.0})
    with pytest.raises(IrregularIndexError, match=r"varies too much.*freq="):
        resample_log(log)
    short = pd.DataFrame({"time": _at("0s", "5min"), "v": [1.0, 2.0]})
    with pytest.raises(IrregularIndexError, match=r"2 distinct timestamp.*freq='5min'"):
        resample_log(short)
    assert resample_log(short, "5min").data["v"].tolist() == [1.0, 2.0]


def test_wide_input_with_different_spans_warns_and_masks_edges():
    index = pd.DatetimeIndex(_at("0s", "5min3s", "9min58s", "15min1s", "19min59s"))
    wide = pd.DataFrame(
        {"a": [1.0, 2.0, 3.0, 4.0, 5.0], "b": [np.nan, np.nan, 5.0, 6.0, 7.0]}, index=index
    )
    with pytest.warns(UserWarning, match=r"'b' start later.*output='long'"):
        result = resample_log(wide, "5min")
    assert result.data["b"].isna().tolist() == [True, True, False, False, False]
    assert result.mask["b"].tolist() == [True, True, False, False, False]
    assert result.n_empty["b"] == 0  # bins outside a series' span are not gaps
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        long = resample_log(wide, "5min", output="long")
    assert to_panel(long.data).lengths.tolist() == [5, 3]


def test_resample_log_errors():
    log = _event_log().assign(unit="C")
    with pytest.raises(TSRMInputError, match=r"'unit' are neither timestamps, ids nor numbers"):
        resample_log(log, "5min")
    readings = _event_log().astype({"value": object})
    readings.loc[readings.index[1], "value"] = "ERR"
    with pytest.raises(
        TSRMInputError, match=r"'value' is not numeric: row 1 holds 'ERR'.*to_numeric"
    ):
        resample_log(readings, "5min")
    with pytest.raises(TSRMInputError, match=r"agg='avg' is not supported.*'mean'"):
        resample_log(_event_log(), "5min", agg="avg")
    with pytest.raises(TSRMInputError, match=r"freq='fortnight' is not a pandas frequency"):
        resample_log(_event_log(), "fortnight")
    with pytest.raises(TSRMInputError, match=r"time_column="):
        resample_log(pd.DataFrame({"v": [1.0, 2.0]}))


def test_resample_log_does_not_modify_input():
    log = _event_log()
    wide = pd.DataFrame(
        {"a": [1.0, np.nan, 3.0]}, index=pd.DatetimeIndex(_at("10s", "4min", "11min"))
    )
    log_before, wide_before = log.copy(deep=True), wide.copy(deep=True)
    resample_log(log, "5min", output="long")
    resample_log(wide, "5min", gaps="ffill")
    pd.testing.assert_frame_equal(log, log_before)
    pd.testing.assert_frame_equal(wide, wide_before)
