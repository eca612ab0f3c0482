"""Behaviour of :func:`tsrm.forecasting.series.to_panel` and :class:`Panel`."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tsrm.exceptions import IrregularIndexError, MissingValuesError, TSRMInputError
from tsrm.forecasting.series import Panel, to_panel


def _ts(*values, tz=None):
    return [pd.Timestamp(v, tz=tz) for v in values]


def _copy(data):
    return data.copy(deep=True) if isinstance(data, pd.Series | pd.DataFrame) else data.copy()


def _assert_same(a, b):
    if isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b, check_freq=True)
        assert getattr(a.index, "freq", None) == getattr(b.index, "freq", None)
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, check_freq=True)
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype
    else:
        assert a == b


# --- pandas Series ---------------------------------------------------------------------------


def test_series_hourly_datetime_index():
    s = pd.Series(
        [1.0, 2.0, 3.0, 4.0], index=pd.date_range("2024-01-01", periods=4, freq="h"), name="load"
    )
    panel = to_panel(s)
    assert panel.kind == "series"
    assert panel.n_series == 1
    assert panel.ids == ["load"]
    assert panel.name == "load"
    np.testing.assert_array_equal(panel.values[0], [1.0, 2.0, 3.0, 4.0])
    assert panel.values[0].dtype == np.float64

    out = panel.output(np.array([[10.0, 11.0, 12.0]]))
    assert isinstance(out, pd.Series)
    assert out.name == "load"
    assert out.tolist() == [10.0, 11.0, 12.0]
    assert list(out.index) == _ts("2024-01-01 04:00", "2024-01-01 05:00", "2024-01-01 06:00")
    assert out.index.freqstr == "h"


def test_series_range_index():
    s = pd.Series([1, 2, 3, 4, 5])  # integer values, RangeIndex
    panel = to_panel(s)
    assert panel.values[0].dtype == np.float64
    out = panel.output(np.array([[6.0, 7.0]]))
    assert list(out.index) == [5, 6]
    assert out.name is None


def test_series_integer_index_step_five():
    s = pd.Series([1.0, 2.0, 3.0], index=pd.Index(np.array([10, 15, 20], dtype=np.int64)))
    out = to_panel(s).output(np.array([[0.0, 0.0, 0.0]]))
    assert list(out.index) == [25, 30, 35]


def test_series_period_index_monthly():
    s = pd.Series([1.0, 2.0, 3.0], index=pd.period_range("2020-11", periods=3, freq="M"), name="m")
    out = to_panel(s).output(np.array([[4.0, 5.0]]))
    assert isinstance(out.index, pd.PeriodIndex)
    assert out.index.freqstr == "M"
    assert list(out.index) == [pd.Period("2021-02", freq="M"), pd.Period("2021-03", freq="M")]
    assert out.name == "m"


def test_series_tz_aware_datetime_index():
    idx = pd.date_range("2024-03-09 22:00", periods=3, freq="h", tz="US/Eastern")
    out = to_panel(pd.Series([1.0, 2.0, 3.0], index=idx)).output(np.array([[0.0, 0.0, 0.0]]))
    assert str(out.index.tz) == "US/Eastern"
    assert out.index.freqstr == "h"
    # US/Eastern springs forward at 02:00 on 2024-03-10: 01:00 EST is followed by 03:00 EDT
    assert [t.isoformat() for t in out.index] == [
        "2024-03-10T01:00:00-05:00",
        "2024-03-10T03:00:00-04:00",
        "2024-03-10T04:00:00-04:00",
    ]


def test_series_nullable_numeric_dtype_accepted():
    panel = to_panel(pd.Series([1, 2, 3], dtype="Int64"))
    np.testing.assert_array_equal(panel.values[0], [1.0, 2.0, 3.0])
    assert panel.values[0].dtype == np.float64


# --- DataFrames ------------------------------------------------------------------------------


def test_wide_dataframe():
    idx = pd.date_range("2024-01-01", periods=3, freq="D")
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [10, 20, 30]}, index=idx)
    df.columns.name = "station"
    panel = to_panel(df)
    assert panel.kind == "wide"
    assert panel.ids == ["a", "b"]
    np.testing.assert_array_equal(panel.values[0], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(panel.values[1], [10.0, 20.0, 30.0])
    np.testing.assert_array_equal(panel.lengths, [3, 3])

    out = panel.output(np.array([[4.0, 5.0], [40.0, 50.0]]))
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["a", "b"]
    assert out.columns.name == "station"
    assert list(out.index) == _ts("2024-01-04", "2024-01-05")
    assert out.index.freqstr == "D"
    assert out["a"].tolist() == [4.0, 5.0]
    assert out["b"].tolist() == [40.0, 50.0]


def _long_frame():
    a = pd.DataFrame(
        {
            "unique_id": "a",
            "ds": pd.date_range("2024-01-01", periods=5, freq="h"),
            "y": [1.0, 2.0, 3.0, 4.0, 5.0],
        }
    )
    b = pd.DataFrame(
        {
            "unique_id": "b",
            "ds": pd.date_range("2024-02-01", periods=3, freq="D"),
            "y": [10.0, 20.0, 30.0],
        }
    )
    frame = pd.concat([a, b], ignore_index=True)
    return frame.iloc[[6, 0, 4, 7, 2, 1, 5, 3]].reset_index(drop=True)  # shuffled rows


def test_long_dataframe_two_series_different_lengths_and_freqs():
    frame = _long_frame()
    panel = to_panel(frame)
    assert panel.kind == "long"
    assert panel.ids == ["b", "a"]  # order of first appearance
    np.testing.assert_array_equal(panel.lengths, [3, 5])
    np.testing.assert_array_equal(panel.values[0], [10.0, 20.0, 30.0])  # sorted by ds
    np.testing.assert_array_equal(panel.values[1], [1.0, 2.0, 3.0, 4.0, 5.0])

    out = panel.output(np.array([[31.0, 32.0], [6.0, 7.0]]))
    assert list(out.columns) == ["unique_id", "ds", "y"]
    assert out["unique_id"].tolist() == ["b", "b", "a", "a"]
    assert list(out["ds"]) == _ts(
        "2024-02-04", "2024-02-05", "2024-01-01 05:00", "2024-01-01 06:00"
    )
    assert out["y"].tolist() == [31.0, 32.0, 6.0, 7.0]


def test_long_dataframe_string_ds_converted():
    frame = pd.DataFrame(
        {
            "unique_id": ["s"] * 4,
            "ds": ["2024-01-03", "2024-01-01", "2024-01-04", "2024-01-02"],
            "y": [3.0, 1.0, 4.0, 2.0],
        }
    )
    panel = to_panel(frame)
    np.testing.assert_array_equal(panel.values[0], [1.0, 2.0, 3.0, 4.0])
    out = panel.output(np.array([[5.0]]))
    assert list(out["ds"]) == _ts("2024-01-05")
    assert pd.api.types.is_datetime64_any_dtype(out["ds"])


def test_long_dataframe_integer_ds():
    frame = pd.DataFrame({"unique_id": [1, 1, 1], "ds": [20, 0, 10], "y": [3.0, 1.0, 2.0]})
    panel = to_panel(frame)
    np.testing.assert_array_equal(panel.values[0], [1.0, 2.0, 3.0])
    out = panel.output(np.array([[4.0, 5.0]]))
    assert out["ds"].tolist() == [30, 40]
    assert out["unique_id"].tolist() == [1, 1]


def test_long_dataframe_extra_columns_ignored():
    frame = _long_frame().assign(extra="text")
    panel = to_panel(frame)
    assert panel.n_series == 2


# --- numpy and lists -------------------------------------------------------------------------


def test_numpy_1d():
    arr = np.array([1, 2, 3, 4], dtype=np.int32)
    panel = to_panel(arr)
    assert panel.kind == "array1d"
    assert panel.indexes == [None]
    np.testing.assert_array_equal(panel.values[0], [1.0, 2.0, 3.0, 4.0])
    assert panel.values[0].dtype == np.float64
    out = panel.output(np.array([[5.0, 6.0]]))
    assert isinstance(out, np.ndarray)
    assert out.shape == (2,)
    np.testing.assert_array_equal(out, [5.0, 6.0])


def test_numpy_2d_time_by_series():
    arr = np.arange(12.0).reshape(4, 3)  # 4 time steps, 3 series
    panel = to_panel(arr)
    assert panel.kind == "array2d"
    assert panel.ids == [0, 1, 2]
    np.testing.assert_array_equal(panel.values[1], [1.0, 4.0, 7.0, 10.0])
    np.testing.assert_array_equal(panel.last_windows(2), [[6.0, 9.0], [7.0, 10.0], [8.0, 11.0]])
    fc = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])  # (n_series, h)
    out = panel.output(fc)
    assert out.shape == (2, 3)  # (h, series) like the input
    np.testing.assert_array_equal(out, fc.T)


@pytest.mark.parametrize(
    ("data", "kind", "n_series"),
    [
        ([1, 2, 3], "array1d", 1),
        ((1.0, 2.0), "array1d", 1),
        ([[1, 2], [3, 4], [5, 6]], "array2d", 2),
    ],
)
def test_list_and_tuple_input(data, kind, n_series):
    panel = to_panel(data)
    assert panel.kind == kind
    assert panel.n_series == n_series


# --- the input is never modified, and the panel owns its memory -------------------------------


def _inputs_for_no_mutation():
    long_frame = _long_frame()
    long_frame["ds"] = long_frame["ds"].dt.strftime("%Y-%m-%d %H:%M")
    return [
        pd.Series([3.0, 1.0, 2.0], index=pd.date_range("2024-01-01", periods=3, freq="h")),
        pd.Series([1, 2, 3], dtype="Int64"),
        pd.DataFrame({"a": [1.0, 2.0], "b": [3, 4]}),
        _long_frame(),
        long_frame,
        np.array([3.0, 1.0, 2.0]),
        np.arange(6).reshape(3, 2),
        [1.0, 2.0, 3.0],
    ]


@pytest.mark.parametrize("data", _inputs_for_no_mutation())
def test_input_not_modified(data):
    before = _copy(data)
    panel = to_panel(data)
    _assert_same(data, before)
    for v in panel.values:  # writing to the panel does not reach the input
        v += 1000.0
    _assert_same(data, before)


@pytest.mark.parametrize("data", [np.array([1.0, 2.0, 3.0]), np.ones((3, 2))])
def test_panel_values_do_not_share_memory_with_numpy_input(data):
    panel = to_panel(data)
    assert not any(np.shares_memory(v, data) for v in panel.values)


# --- meta round trip -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pd.Series([1.0, 2.0], index=pd.date_range("2024-01-01", periods=2, freq="D"), name="v"),
        pd.Series(
            [1.0, 2.0, 3.0], index=pd.date_range("2024-01-01", periods=3, freq="h", tz="UTC")
        ),
        pd.Series([1.0, 2.0], index=pd.period_range("2020-01", periods=2, freq="M")),
        pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}),
        _long_frame(),
        np.ones((3, 2)),
    ],
    ids=["series", "tz", "period", "wide", "long", "array2d"],
)
def test_meta_json_round_trip(data):
    panel = to_panel(data)
    meta = json.loads(json.dumps(panel.meta()))
    back = Panel.from_meta(meta, panel.values)
    fc = np.arange(2.0 * panel.n_series).reshape(panel.n_series, 2)
    a, b = panel.output(fc), back.output(fc)
    if isinstance(a, pd.Series | pd.DataFrame):
        _assert_same(a, b)
    else:
        np.testing.assert_array_equal(a, b)


# --- errors ----------------------------------------------------------------------------------


def _hourly(values):
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=len(values), freq="h"))


@pytest.mark.parametrize(
    ("data", "error", "word"),
    [
        (_hourly([1.0, np.nan, 3.0]), MissingValuesError, "NaN"),
        (_hourly([1.0, np.inf, 3.0]), MissingValuesError, "infinite"),
        (pd.Series([1, None, 3], dtype="Int64"), MissingValuesError, "NaN"),
        (np.array([[1.0, 2.0], [np.nan, 4.0]]), MissingValuesError, "NaN"),
        (pd.DataFrame({"a": [1.0, -np.inf]}), MissingValuesError, "infinite"),
        (_hourly([True, False, True]), TSRMInputError, "boolean"),
        (np.array([True, False]), TSRMInputError, "boolean"),
        (pd.Series([True, False], dtype="boolean"), TSRMInputError, "boolean"),
        (pd.Series(["a", "b", "c"]), TSRMInputError, "non-numeric"),
        (pd.Series([1.0, 2.0], dtype=object), TSRMInputError, "non-numeric"),
        (pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]}), TSRMInputError, "non-numeric"),
        (np.array(["1", "2"]), TSRMInputError, "non-numeric"),
        (np.zeros((2, 2, 2)), TSRMInputError, "3-D"),
        (np.array([]), TSRMInputError, "empty"),
        (np.zeros((0, 3)), TSRMInputError, "empty"),
        ([], TSRMInputError, "empty"),
        (pd.Series([], dtype=float), IrregularIndexError, "empty"),
        (pd.DataFrame(), TSRMInputError, "no columns"),
        (pd.DataFrame(columns=["unique_id", "ds", "y"]), TSRMInputError, "empty"),
        ({"a": [1.0, 2.0]}, TSRMInputError, "dict"),
        ("1, 2, 3", TSRMInputError, "neither a file nor a directory.*the data itself"),
        (None, TSRMInputError, "NoneType"),
    ],
    ids=[
        "nan",
        "inf",
        "nullable-na",
        "nan-2d",
        "inf-wide",
        "bool-series",
        "bool-array",
        "nullable-bool",
        "str-series",
        "object-series",
        "text-column",
        "str-array",
        "3d",
        "empty-1d",
        "empty-2d",
        "empty-list",
        "empty-series",
        "empty-frame",
        "empty-long",
        "dict",
        "string",
        "none",
    ],
)
def test_bad_values_raise(data, error, word):
    with pytest.raises(error, match=word):
        to_panel(data)


@pytest.mark.parametrize(
    ("index", "word"),
    [
        (pd.DatetimeIndex(["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-03"]), "duplicated"),
        (
            pd.DatetimeIndex(["2024-01-02", "2024-01-01", "2024-01-03", "2024-01-04"]),
            "out of order",
        ),
        (pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-04", "2024-01-09"]), "regular"),
        (pd.Index(np.array([0, 1, 2, 4], dtype=np.int64)), "uneven"),
    ],
    ids=["duplicated", "unsorted", "irregular", "uneven-int"],
)
def test_bad_index_raises(index, word):
    s = pd.Series([1.0, 2.0, 3.0, 4.0], index=index)
    with pytest.raises(IrregularIndexError, match=word):
        to_panel(s)
    with pytest.raises(IrregularIndexError, match=word):
        to_panel(s.to_frame("a"))


def test_long_frame_errors_name_the_series():
    frame = _long_frame()
    dup = pd.concat([frame, frame[frame["unique_id"] == "a"].iloc[:1]], ignore_index=True)
    with pytest.raises(IrregularIndexError, match="duplicated") as info:
        to_panel(dup)
    assert "'a'" in str(info.value)

    frame.loc[frame["unique_id"] == "b", "y"] = np.nan
    with pytest.raises(MissingValuesError, match="NaN"):
        to_panel(frame)


@pytest.mark.filterwarnings("ignore:Could not infer format:UserWarning")
def test_long_frame_unparseable_ds():
    frame = pd.DataFrame({"unique_id": ["a"] * 3, "ds": ["x", "y", "z"], "y": [1.0, 2.0, 3.0]})
    with pytest.raises(TSRMInputError, match="ds"):
        to_panel(frame)


def test_long_frame_string_y():
    frame = _long_frame().assign(y="1.0")
    with pytest.raises(TSRMInputError, match="non-numeric"):
        to_panel(frame)


def test_all_errors_are_value_errors():
    for cls in (TSRMInputError, MissingValuesError, IrregularIndexError):
        assert issubclass(cls, ValueError)
    with pytest.raises(ValueError):
        to_panel(np.array([np.nan]))


# --- regressions of bugs found while writing these tests ---------------------------------


def test_wide_frame_with_a_bool_column_is_rejected():
    with pytest.raises(TSRMInputError, match="boolean"):
        to_panel(pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [True, False, True]}))


def test_long_frame_rows_with_missing_id_are_not_dropped_silently():
    frame = pd.DataFrame(
        {
            "unique_id": ["a", "a", "a", None],
            "ds": pd.date_range("2024-01-01", periods=4, freq="D"),
            "y": [1.0, 2.0, 3.0, 4.0],
        }
    )
    try:
        panel = to_panel(frame)
    except TSRMInputError:
        return
    assert int(panel.lengths.sum()) == len(frame)


def test_ragged_list_raises_tsrm_error():
    with pytest.raises(TSRMInputError):
        to_panel([[1.0, 2.0], [3.0]])


# --- keep_float32 (issue 7: fitting large float32 panels without a float64 copy) -------------


def test_keep_float32_gives_read_only_views_of_a_float32_array():

    y = np.arange(60, dtype=np.float32).reshape(20, 3)
    before = y.copy()
    panel = to_panel(y, keep_float32=True)
    assert [v.dtype for v in panel.values] == [np.float32] * 3
    assert all(np.shares_memory(v, y) for v in panel.values)
    assert all(not v.flags.writeable for v in panel.values)
    assert np.array_equal(np.stack(panel.values, axis=1), y)
    assert y.flags.writeable and np.array_equal(y, before)  # the caller's array untouched


def test_keep_float32_leaves_other_dtypes_and_the_default_as_float64_copies():

    y32 = np.arange(40, dtype=np.float32).reshape(20, 2)
    for panel in (
        to_panel(y32),  # default: float64 copies, as ever
        to_panel(y32.astype(np.float64), keep_float32=True),
        to_panel(np.arange(40).reshape(20, 2), keep_float32=True),  # integers
    ):
        assert all(v.dtype == np.float64 and not np.shares_memory(v, y32) for v in panel.values)
    frame = pd.DataFrame(y32, index=pd.date_range("2024-01-01", periods=20, freq="h"))
    wide = to_panel(frame, keep_float32=True)
    assert [v.dtype for v in wide.values] == [np.float32] * 2
    assert np.array_equal(np.stack(wide.values, axis=1), y32)


def test_keep_float32_still_counts_missing_and_infinite_values():

    y = np.ones((3000, 700), dtype=np.float32)  # more than one counting block
    y[2999, 699] = np.inf
    with pytest.raises(MissingValuesError, match="1 infinite"):
        to_panel(y, keep_float32=True)
    y[2999, 699], y[0, 0], y[1500, 3] = np.nan, np.nan, np.nan
    with pytest.raises(MissingValuesError, match="3 NaN"):
        to_panel(y, keep_float32=True)


# --- float32 in, float32 out -----------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        np.arange(12, dtype=np.float32),
        np.arange(24, dtype=np.float32).reshape(12, 2),
        pd.Series(np.arange(12, dtype=np.float32), index=pd.date_range("2024", periods=12)),
        pd.DataFrame(
            {"a": np.arange(12, dtype=np.float32), "b": np.ones(12, dtype=np.float32)},
            index=pd.date_range("2024", periods=12, freq="h"),
        ),
        pd.DataFrame(
            {
                "unique_id": ["a"] * 6 + ["b"] * 6,
                "ds": list(pd.date_range("2024", periods=6)) * 2,
                "y": np.arange(12, dtype=np.float32),
            }
        ),
    ],
    ids=["1d", "2d", "series", "wide", "long"],
)
def test_float32_input_gives_float32_forecasts(data):
    panel = to_panel(data)
    assert panel.dtype == "float32"
    out = panel.output(np.full((panel.n_series, 3), 1.0 / 3.0))
    values = out["y"] if isinstance(out, pd.DataFrame) and "y" in out else out
    assert np.asarray(values).dtype == np.float32
    # The float type survives a saved model's context description.
    assert Panel.from_meta(json.loads(json.dumps(panel.meta())), panel.values).dtype == "float32"


def test_mixed_or_float64_input_gives_float64_forecasts():
    mixed = pd.DataFrame({"a": np.ones(5, dtype=np.float32), "b": np.ones(5)})
    for data in (mixed, np.ones(5), [1.0, 2.0, 3.0], np.arange(5)):
        panel = to_panel(data)
        assert panel.dtype == "float64"
        assert np.asarray(panel.output(np.ones((panel.n_series, 2)))).dtype == np.float64
    # Model files written before the float type was recorded load as float64.
    meta = to_panel(np.ones(5, dtype=np.float32)).meta()
    del meta["dtype"]
    assert Panel.from_meta(meta, [np.ones(5)]).dtype == "float64"
