"""File formats: plain and gzipped CSV, header encodings, M4 wide files, the M3 long file."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from tsrm.exceptions import DatasetError
from tsrm.forecasting.datasets.readers import read_ltsf_csv, read_m3_long, read_m4_wide

WEATHER_COLUMNS = [
    "p (mbar)",
    "T (degC)",
    "Tpot (K)",
    "Tdew (degC)",
    "rh (%)",
    "VPmax (mbar)",
    "VPact (mbar)",
    "VPdef (mbar)",
    "sh (g/kg)",
    "H2OC (mmol/mol)",
    "rho (g/m**3)",
    "wv (m/s)",
    "max. wv (m/s)",
    "wd (deg)",
    "rain (mm)",
    "raining (s)",
    "SWDR (W/m²)",
    "PAR (µmol/m²/s)",
    "max. PAR (µmol/m²/s)",
    "Tlog (degC)",
    "OT",
]


# --- LTSF CSVs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("ETTh1", "2016-07-01 00:00", "2018-06-26 19:00"),
        ("ETTh2", "2016-07-01 00:00", "2018-06-26 19:00"),
        ("ETTm1", "2016-07-01 00:00", "2018-06-26 19:45"),
        ("ETTm2", "2016-07-01 00:00", "2018-06-26 19:45"),
        ("Weather", "2020-01-01 00:10", "2021-01-01 00:00"),
        ("Exchange", "1990-01-01", "2010-10-10"),
        ("ILI", "2002-01-01", "2020-06-30"),
    ],
)
def test_first_and_last_dates(loaded, name, first, last):
    index = loaded(name).frame.index
    assert (index[0], index[-1]) == (pd.Timestamp(first), pd.Timestamp(last))
    assert index.is_monotonic_increasing


def test_regular_sets_have_regular_indices(loaded):
    for name, step in [("ETTh1", "1h"), ("ETTm1", "15min"), ("Exchange", "1D"), ("ILI", "7D")]:
        steps = loaded(name).frame.index.to_series().diff().dropna().unique()
        assert list(steps) == [pd.Timedelta(step)], name


def test_ett_values_and_columns(loaded):
    frame = loaded("ETTh1").frame
    assert list(frame.columns) == ["HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT"]
    assert (frame.dtypes == np.float64).all()
    assert frame["OT"].iloc[0] == pytest.approx(30.5310001373291)


def test_weather_header_is_decoded_and_repaired(loaded):
    frame = loaded("Weather").frame
    assert list(frame.columns) == WEATHER_COLUMNS
    text = "".join(frame.columns)
    for damage in ("\ufffd", "Ã", "Â", "ï¿½"):
        assert damage not in text
    # As published: one repeated timestamp and one gap, kept because the protocol counts rows.
    steps = frame.index.to_series().diff().dropna().value_counts()
    assert steps[pd.Timedelta("10min")] == len(frame) - 3


def test_exchange_slash_dates_and_column_names(loaded):
    frame = loaded("Exchange").frame
    assert list(frame.columns) == ["0", "1", "2", "3", "4", "5", "6", "OT"]
    assert frame.index[1] == pd.Timestamp("1990-01-02")


@pytest.mark.parametrize("encoding", ["latin-1", "utf-8"])
def test_header_encodings(tmp_path, encoding):
    path = tmp_path / "small.csv"
    text = "date,T (°C),SWDR (W/m²),PAR (µmol/m²/s),OT\n2020-01-01 00:00,1,2,3,4\n"
    path.write_bytes(text.encode(encoding))
    frame = read_ltsf_csv(path)
    assert list(frame.columns) == ["T (°C)", "SWDR (W/m²)", "PAR (µmol/m²/s)", "OT"]


def test_gzip_and_plain_read_the_same(tmp_path, data_dir):
    plain = data_dir / "ltsf" / "national_illness.csv"
    packed = tmp_path / "national_illness.csv.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    pd.testing.assert_frame_equal(read_ltsf_csv(plain), read_ltsf_csv(packed))


def test_rename_and_missing_date_column(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("when,a\n2020-01-01,1\n")
    assert list(read_ltsf_csv(path, date_column="when", rename={"a": "OT"}).columns) == ["OT"]
    with pytest.raises(DatasetError, match="no 'date' column"):
        read_ltsf_csv(path)


# --- M4 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "n", "h", "lo", "hi"),
    [("M4-Hourly", 414, 48, 700, 960), ("M4-Weekly", 359, 13, 80, 2597)],
)
def test_m4_sets(loaded, name, n, h, lo, hi):
    data = loaded(name)
    train_len = data.train.groupby("unique_id", sort=False).size()
    test_len = data.test.groupby("unique_id", sort=False).size()
    assert len(train_len) == n and (test_len == h).all()
    assert train_len.min() == lo and train_len.max() == hi
    assert list(train_len.index) == list(test_len.index)  # same series, same order
    assert not data.train["y"].isna().any() and not data.test["y"].isna().any()
    # ds is the integer step: 1..n in train, n+1..n+h in test.
    assert (data.train.groupby("unique_id", sort=False)["ds"].min() == 1).all()
    assert (data.train.groupby("unique_id", sort=False)["ds"].max() == train_len).all()
    first_test = data.test.groupby("unique_id", sort=False)["ds"].min()
    assert (first_test == train_len + 1).all()
    assert data.train["ds"].dtype == np.int64


def test_m4_first_values(loaded):
    hourly = loaded("M4-Hourly")
    assert hourly.train["unique_id"].iloc[0] == "H1"
    assert hourly.test.iloc[0].tolist() == ["H1", 701, 619.0]


def _wide(path, rows):
    width = max(len(r) for r in rows)
    lines = [",".join(f'"V{i + 1}"' for i in range(width))]
    for row in rows:
        padded = row + [""] * (width - len(row))
        lines.append(",".join(f'"{v}"' if v != "" else "" for v in padded))
    path.write_text("\n".join(lines) + "\n")


def test_m4_padding_is_dropped_per_series(tmp_path):
    _wide(tmp_path / "tr.csv", [["A", 1, 2, 3], ["B", 10, 20]])
    _wide(tmp_path / "te.csv", [["A", 4, 5], ["B", 30, 40]])
    train, test = read_m4_wide(tmp_path / "tr.csv", tmp_path / "te.csv")
    assert train.values.tolist() == [
        ["A", 1, 1.0],
        ["A", 2, 2.0],
        ["A", 3, 3.0],
        ["B", 1, 10.0],
        ["B", 2, 20.0],
    ]
    assert test.values.tolist() == [["A", 4, 4.0], ["A", 5, 5.0], ["B", 3, 30.0], ["B", 4, 40.0]]


def test_m4_rejects_holes_and_mismatched_files(tmp_path):
    _wide(tmp_path / "hole.csv", [["A", 1, "", 3]])
    _wide(tmp_path / "te.csv", [["A", 4]])
    with pytest.raises(DatasetError, match="inside a series"):
        read_m4_wide(tmp_path / "hole.csv", tmp_path / "te.csv")
    _wide(tmp_path / "tr.csv", [["A", 1, 2]])
    _wide(tmp_path / "other.csv", [["Z", 4]])
    with pytest.raises(DatasetError, match="different series"):
        read_m4_wide(tmp_path / "tr.csv", tmp_path / "other.csv")


# --- M3 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "n", "h", "freq"),
    [("M3-Yearly", 645, 6, "Y"), ("M3-Quarterly", 756, 8, "Q"), ("M3-Monthly", 1428, 18, "M")],
)
def test_m3_groups(loaded, name, n, h, freq):
    data = loaded(name)
    assert data.train["unique_id"].nunique() == n
    assert (data.test.groupby("unique_id").size() == h).all()
    assert set(data.train["unique_id"]) == set(data.test["unique_id"])
    # Train then test, one period apart all along each series, on period starts.
    both = pd.concat([data.train, data.test]).sort_values(["unique_id", "ds"], kind="stable")
    periods = both["ds"].dt.to_period(freq)
    ordinals = pd.Series(periods.array.asi8, index=both.index)
    steps = ordinals.groupby(both["unique_id"]).diff().dropna()
    assert (steps == 1).all()
    assert (both["ds"] == periods.dt.start_time).all()
    last_train = data.train.groupby("unique_id")["ds"].max()
    first_test = data.test.groupby("unique_id")["ds"].min()
    assert (first_test > last_train).all()


def test_m3_dates_from_start_year_and_period(tmp_path):
    path = tmp_path / "m3.csv.gz"
    rows = ["series_id,freq,horizon,start_year,start_period,t,value"]
    rows += [f"Q1,Quarterly,2,1990,3,{t},{t}.5" for t in range(5)]
    rows += [f"M1,Monthly,1,1999,11,{t},{t}" for t in range(3)]
    path.write_bytes(gzip.compress(("\n".join(rows) + "\n").encode()))
    train, test = read_m3_long(path, "Quarterly")
    quarters = ("1990-07-01", "1990-10-01", "1991-01-01")
    assert list(train["ds"]) == [pd.Timestamp(d) for d in quarters]
    assert list(test["ds"]) == [pd.Timestamp("1991-04-01"), pd.Timestamp("1991-07-01")]
    assert test["y"].tolist() == [3.5, 4.5]
    train, test = read_m3_long(path, "Monthly")
    assert list(train["ds"]) == [pd.Timestamp("1999-11-01"), pd.Timestamp("1999-12-01")]
    assert list(test["ds"]) == [pd.Timestamp("2000-01-01")]
    with pytest.raises(DatasetError, match="no Yearly series"):
        read_m3_long(path, "Yearly")
    with pytest.raises(DatasetError, match="Unknown M3 group"):
        read_m3_long(path, "Other")


def test_m3_rejects_shuffled_rows(tmp_path):
    path = tmp_path / "m3.csv"
    path.write_text(
        "series_id,freq,horizon,start_year,start_period,t,value\n"
        "Y1,Yearly,1,1990,1,1,2\nY1,Yearly,1,1990,1,0,1\n"
    )
    with pytest.raises(DatasetError, match="grouped by series_id"):
        read_m3_long(path, "Yearly")
