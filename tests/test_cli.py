"""The ``tsrm`` command line."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tsrm
from tests.conftest import TINY_FIT, error_line, hourly_frame
from tsrm import TRMForecaster
from tsrm.cli import main


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"tsrm {tsrm.__version__}"


def test_a_command_is_required(capsys):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    assert "required" in capsys.readouterr().err


def test_bad_demo_argument_is_reported_not_raised(capsys):
    assert main(["demo", "--max-epochs", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tsrm: error:")
    assert "max_epochs" in err


@pytest.mark.slow
def test_demo_prints_comparison_table(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--max-epochs", "2"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("model"))
    assert header.split() == ["model", "MAE", "MASE", "params", "fit_s"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[lines.index(header) + 1 :]}
    for name in ("TS-TRM", "SeasonalNaive(12)", "ARIMA(1,1,1)(0,1,1,12)"):
        assert name in rows, out
        mae_, mase_, params, fit_s = rows[name]
        assert float(mae_) >= 0 and float(mase_) >= 0 and float(fit_s) >= 0
        assert re.fullmatch(r"[\d,]+", params)
    assert int(rows["TS-TRM"][2].replace(",", "")) > 1000
    # The seasonal ARIMA is the strong classical baseline on CO2.
    assert float(rows["ARIMA(1,1,1)(0,1,1,12)"][1]) < 1.0
    assert "lower is better" in out
    assert list(tmp_path.iterdir()) == []


# -- tsrm predict --coverage / --quantiles ------------------------------------------------------
BANDS = ["lower_80", "upper_80", "lower_95", "upper_95", "q10", "q50", "q90"]


def test_predict_adds_interval_and_quantile_columns_after_each_series(model_dir, capsys):
    capsys.readouterr()
    flags = ["--coverage", "0.8", "0.95", "--quantiles", "0.1", "0.5", "0.9"]
    assert main(["predict", str(model_dir), *flags]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out), index_col=0, parse_dates=True)
    expected = [
        f"{s}{suffix}" for s in ("load", "temp") for suffix in ["", *(f"_{b}" for b in BANDS)]
    ]
    assert list(out.columns) == expected and len(out) == 6
    model = TRMForecaster.load(model_dir)
    lower, upper = model.predict_interval(coverage=0.95)
    quantiles = model.predict_quantiles(quantiles=(0.1, 0.5, 0.9))
    for s in ("load", "temp"):
        np.testing.assert_allclose(out[f"{s}_lower_95"], lower[s], rtol=1e-12)
        np.testing.assert_allclose(out[f"{s}_upper_95"], upper[s], rtol=1e-12)
        np.testing.assert_allclose(out[f"{s}_q90"], quantiles[0.9][s], rtol=1e-12)
        np.testing.assert_allclose(out[f"{s}_q50"], out[s], rtol=1e-12)  # the point forecast
        nested = out[[f"{s}_lower_95", f"{s}_lower_80", s, f"{s}_upper_80", f"{s}_upper_95"]]
        assert (nested.diff(axis=1).iloc[:, 1:] >= 0).all().all()


def test_coverage_takes_several_values_or_repeats(model_dir, capsys):
    capsys.readouterr()
    assert main(["predict", str(model_dir), "--coverage", "0.95", "0.8", "--h", "3"]) == 0
    several = capsys.readouterr().out
    assert (
        main(["predict", str(model_dir), "--coverage", "0.8", "--coverage", "0.95", "--h", "3"])
        == 0
    )
    assert capsys.readouterr().out == several
    header = several.splitlines()[0].split(",")
    assert header[1:5] == ["load", "load_lower_80", "load_upper_80", "load_lower_95"]


def test_long_data_gets_the_columns_next_to_y(tmp_path, capsys):
    frame = hourly_frame().melt(id_vars="timestamp", var_name="sensor", value_name="reading")
    data, out = tmp_path / "long.csv", tmp_path / "dlinear"
    frame.to_csv(data, index=False)
    fit = ["fit", str(data), "-o", str(out), "--model", "dlinear", *TINY_FIT]
    assert main([*fit, "--id-column", "sensor", "--target", "reading"]) == 0
    capsys.readouterr()
    assert main(["predict", str(out), str(data), "--coverage", "0.9", "--quantiles", "0.5"]) == 0
    forecast = pd.read_csv(io.StringIO(capsys.readouterr().out), parse_dates=["ds"])
    assert list(forecast.columns) == ["unique_id", "ds", "y", "lower_90", "upper_90", "q50"]
    assert (forecast["lower_90"] <= forecast["y"]).all()
    assert (forecast["y"] <= forecast["upper_90"]).all()
    np.testing.assert_allclose(forecast["q50"], forecast["y"], rtol=1e-12)


@pytest.fixture(scope="module")
def uncalibrated_dir(wide_csv, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("models") / "no-validation"
    fit = ["fit", str(wide_csv), "-o", str(out), "--model", "dlinear", *TINY_FIT]
    assert main([*fit, "--validation-size", "0"]) == 0
    return out


@pytest.mark.parametrize("flags", [["--coverage", "0.9"], ["--quantiles", "0.1", "0.9"]])
def test_a_model_without_calibration_is_one_error_naming_the_flags(uncalibrated_dir, flags, capsys):
    capsys.readouterr()
    assert main(["predict", str(uncalibrated_dir), *flags]) == 2
    message = error_line(capsys)
    assert f"{flags[0]} calibrates" in message and "--validation-size 0.2" in message
    assert "validation_size" not in message and "predict_" not in message


def test_a_point_forecast_model_is_one_error(model_dir, wide_csv, monkeypatch, capsys):
    from tsrm import Naive2
    from tsrm.forecasting.datasets import read_series
    from tsrm.forecasting.models import registry

    naive2 = Naive2(horizon=6, season_length=24).fit(read_series(wide_csv))
    monkeypatch.setattr(registry, "load_model", lambda path: naive2)
    capsys.readouterr()
    assert main(["predict", str(model_dir), "--coverage", "0.9"]) == 2
    assert "Naive2 gives point forecasts only" in error_line(capsys)


def test_intervals_beyond_the_horizon_name_the_flags(model_dir, capsys):
    capsys.readouterr()
    assert main(["predict", str(model_dir), "--quantiles", "0.5", "--h", "7"]) == 2
    message = error_line(capsys)
    assert "--h 6 or less" in message and "--horizon 7" in message


@pytest.mark.parametrize("value", ["90", "0", "1", "nan", "high"])
def test_coverage_and_quantiles_are_probabilities(value, capsys):
    for flag in ("--coverage", "--quantiles"):
        with pytest.raises(SystemExit) as info:
            main(["predict", "model", flag, value])
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert f"argument {flag}: '{value}' is not a probability strictly between 0 and 1" in err


def test_predict_help_documents_the_columns(capsys):
    with pytest.raises(SystemExit):
        main(["predict", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for word in ("--coverage", "--quantiles", "lower_90", "upper_90", "q10", "repeated"):
        assert word in text


# -- tsrm resample: the library's gap errors in the command line's words -----------------------
def gappy_log(path: Path) -> None:
    """A 5-minute log of one sensor whose readings at 00:15 and 00:20 are missing."""
    times = pd.date_range("2024-01-01", periods=12, freq="5min").delete([3, 4])
    pd.DataFrame({"timestamp": times, "y": np.arange(10.0)}).to_csv(path, index=False)


@pytest.mark.parametrize(
    ("flags", "says", "python"),
    [
        (
            ["--gaps", "error"],
            "choose how to fill gaps with --gaps interpolate, ffill or mask, or pass a coarser "
            "--freq.",
            "choose how to fill gaps with gaps='interpolate', 'ffill' or 'mask', or pass a "
            "coarser freq.",
        ),
        (
            ["--max-gap", "1"],
            "longer than --max-gap 1; pass a larger --max-gap, --gaps mask to keep it as NaN",
            "longer than max_gap=1; pass a larger max_gap, gaps='mask' to keep it as NaN",
        ),
        (
            ["--gaps", "mask", "--max-gap", "2"],
            "--max-gap only applies to --gaps interpolate or ffill (got --gaps mask)",
            "max_gap only applies to gaps='interpolate' or 'ffill' (got gaps='mask')",
        ),
    ],
    ids=["gaps-error", "max-gap", "max-gap-with-mask"],
)
def test_resample_errors_name_the_flags_and_the_library_its_arguments(
    tmp_path, capsys, flags, says, python
):
    from tsrm.exceptions import TSRMInputError
    from tsrm.forecasting.datasets import resample_log

    log = tmp_path / "log.csv"
    gappy_log(log)
    assert main(["resample", str(log), "--freq", "5min", *flags]) == 2
    message = error_line(capsys)
    assert says in message and "=" not in message, message
    settings = dict(zip(flags[::2], flags[1::2], strict=True))
    arguments = {"gaps": settings.get("--gaps", "interpolate")}
    if "--max-gap" in settings:
        arguments["max_gap"] = int(settings["--max-gap"])
    with pytest.raises(TSRMInputError) as info:
        resample_log(log, "5min", **arguments)
    assert python in str(info.value)


def test_training_warning_names_the_flag(tmp_path, capsys):
    sales = Path(__file__).resolve().parents[1] / "examples" / "data" / "sales.csv"
    argv = ["fit", str(sales), "-o", str(tmp_path / "m"), "--horizon", "28", "--lookback", "112"]
    assert main([*argv, "--max-epochs", "3", "--model", "dlinear"]) == 0
    err = " ".join(capsys.readouterr().err.split())
    assert "stopped at --max-epochs 3" in err and "a larger --max-epochs may" in err, err
    assert "max_epochs" not in err


def test_max_gap_zero_fills_no_empty_bin(tmp_path, capsys):
    log = tmp_path / "log.csv"
    gappy_log(log)
    assert main(["resample", str(log), "--freq", "5min", "--max-gap", "0"]) == 2
    assert "longer than --max-gap 0" in error_line(capsys)
    assert main(["resample", str(log), "--freq", "5min", "--max-gap", "-1"]) == 2
    assert "--max-gap must be a whole number of bins >= 0" in error_line(capsys)


def test_python_dash_m_runs_the_same_command_line():
    import subprocess
    import sys

    import tsrm

    out = subprocess.run(
        [sys.executable, "-m", "tsrm", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"tsrm {tsrm.__version__}"


# -- covariates: tsrm fit --covariates, tsrm predict --future -----------------------------------
COVARIATES = ["--covariates", "price"]
FUTURE = 6  # rows after the history: price known, load empty


def price_frame(n: int = 240) -> pd.DataFrame:
    """Hourly load that a planned price (0 or 1) moves by 4, then FUTURE rows to forecast."""
    rng = np.random.default_rng(1)
    t = np.arange(n + FUTURE)
    price = rng.integers(0, 2, n + FUTURE).astype(float)
    load = 10 + np.sin(2 * np.pi * t / 24) + 4 * price + rng.normal(0, 0.1, n + FUTURE)
    load[n:] = np.nan
    return pd.DataFrame(
        {
            "timestamp": pd.date_range("2024-01-01", periods=n + FUTURE, freq="h"),
            "load": load,
            "price": price,
            "lag": rng.normal(0, 1, n + FUTURE),  # a sensor seen up to now
        }
    )


@pytest.fixture(scope="module")
def price_csvs(tmp_path_factory) -> dict[str, Path]:
    """``full``: history and future rows; ``history``: without them; ``future``: only them,
    date and price."""
    folder, frame = tmp_path_factory.mktemp("price"), price_frame()
    paths = {name: folder / f"{name}.csv" for name in ("full", "history", "future")}
    frame.to_csv(paths["full"], index=False)
    frame.iloc[:-FUTURE].to_csv(paths["history"], index=False)
    frame.iloc[-FUTURE:][["timestamp", "price"]].to_csv(paths["future"], index=False)
    return paths


@pytest.fixture(scope="module")
def price_model(price_csvs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("models") / "price"
    fit = ["fit", str(price_csvs["full"]), "-o", str(out), "--target", "load", *COVARIATES]
    assert main([*fit, *TINY_FIT]) == 0
    return out


def forecast_of(argv: list[str], capsys, **read) -> pd.DataFrame:
    capsys.readouterr()
    assert main(argv) == 0, capsys.readouterr().err
    return pd.read_csv(io.StringIO(capsys.readouterr().out), **read)


def wide_forecast(argv: list[str], capsys) -> pd.DataFrame:
    return forecast_of(argv, capsys, index_col=0, parse_dates=True)


def test_predict_reads_the_future_rows_of_the_covariates(price_model, price_csvs, capsys):
    frame = price_frame()
    forecast = wide_forecast(["predict", str(price_model), str(price_csvs["full"])], capsys)
    # The history ends at the last load: the empty rows are the forecast dates.
    assert list(forecast.index) == list(frame["timestamp"].iloc[-FUTURE:])
    model = TRMForecaster.load(price_model)
    y, X = frame.set_index("timestamp")[["load"]].iloc[:-FUTURE], frame.set_index("timestamp")
    expected = model.predict(y=y, X=X[["price"]])
    np.testing.assert_allclose(forecast["load"], expected["load"], rtol=1e-12)
    # The same covariates from a separate file.
    split = ["predict", str(price_model), str(price_csvs["history"])]
    future = ["--future", str(price_csvs["future"])]
    pd.testing.assert_frame_equal(wide_forecast([*split, *future], capsys), forecast)
    # The fitted history continued (scaled as in fit, so not quite the forecast from DATA).
    continued = wide_forecast(["predict", str(price_model), *future], capsys)
    assert list(continued.index) == list(forecast.index)
    expected = model.predict(X=X.iloc[-FUTURE:][["price"]])
    np.testing.assert_allclose(continued["load"], expected["load"], rtol=1e-12)


def test_the_covariates_change_the_forecast(price_model, price_csvs, tmp_path, capsys):
    plain = tmp_path / "plain"
    fit = ["fit", str(price_csvs["history"]), "-o", str(plain), "--target", "load", *TINY_FIT]
    assert main(fit) == 0
    without = wide_forecast(["predict", str(plain)], capsys)
    with_price = wide_forecast(["predict", str(price_model), str(price_csvs["full"])], capsys)
    assert list(without.index) == list(with_price.index)
    assert not np.allclose(without["load"], with_price["load"])
    # Other planned prices, other forecasts.
    flipped = price_frame().iloc[-FUTURE:][["timestamp", "price"]]
    flipped["price"] = 1 - flipped["price"]
    flipped.to_csv(tmp_path / "flipped.csv", index=False)
    predict = ["predict", str(price_model), str(price_csvs["history"])]
    other = wide_forecast([*predict, "--future", str(tmp_path / "flipped.csv")], capsys)
    assert not np.allclose(other["load"], with_price["load"])


def test_intervals_and_quantiles_take_the_covariates(price_model, price_csvs, capsys):
    flags = ["--coverage", "0.9", "--quantiles", "0.1", "0.5"]
    out = wide_forecast(["predict", str(price_model), str(price_csvs["full"]), *flags], capsys)
    assert list(out.columns) == ["load", "load_lower_90", "load_upper_90", "load_q10", "load_q50"]
    frame = price_frame().set_index("timestamp")
    y, X = frame[["load"]].iloc[:-FUTURE], frame[["price"]]
    lower, upper = TRMForecaster.load(price_model).predict_interval(y=y, X=X, coverage=0.9)
    np.testing.assert_allclose(out["load_lower_90"], lower["load"], rtol=1e-12)
    np.testing.assert_allclose(out["load_upper_90"], upper["load"], rtol=1e-12)
    np.testing.assert_allclose(out["load_q50"], out["load"], rtol=1e-12)
    assert (out["load_lower_90"] <= out["load"]).all()
    assert (out["load"] <= out["load_upper_90"]).all()


@pytest.mark.parametrize(
    ("data", "flags", "says"),
    [
        ("history", [], "6 have none (e.g. 2024-01-11 00:00:00, 2024-01-11 01:00:00"),
        (None, [], "at the 6 dates after the history (2024-01-11 00:00:00 to 2024-01-11 05:00"),
        ("full", ["--h", "8"], "2 have none (e.g. 2024-01-11 06:00:00, 2024-01-11 07:00:00)"),
        ("full", ["--h", "8", "--quantiles", "0.5"], "--h 6 or less"),  # the horizon first
    ],
    ids=["history-only", "no-data", "beyond-the-future-rows", "quantiles-beyond-the-horizon"],
)
def test_missing_future_covariates_are_one_error_naming_the_flag(
    price_model, price_csvs, data, flags, says, capsys
):
    capsys.readouterr()
    given = [str(price_csvs[data])] if data else []
    assert main(["predict", str(price_model), *given, *flags]) == 2
    message = error_line(capsys)
    assert says in message, message
    if "--quantiles" not in flags:
        assert "the covariates price" in message and "Pass them with --future FILE" in message


def test_a_future_file_short_of_a_row_or_the_column_is_one_error(
    price_model, price_csvs, tmp_path, capsys
):
    predict = ["predict", str(price_model), str(price_csvs["history"]), "--coverage", "0.9"]
    short, no_price = tmp_path / "short.csv", tmp_path / "no-price.csv"
    price_frame().iloc[-FUTURE:-1][["timestamp", "price"]].to_csv(short, index=False)
    price_frame()[["timestamp", "load"]].to_csv(no_price, index=False)
    capsys.readouterr()
    assert main([*predict, "--future", str(short)]) == 2
    assert "1 have none (e.g. 2024-01-11 05:00:00)" in error_line(capsys)
    assert main([*predict, "--future", str(no_price)]) == 2
    message = error_line(capsys)
    assert f"--future {no_price} has no column 'price' (a covariate of the model" in message


def test_future_for_a_model_without_covariates_is_one_error(model_dir, price_csvs, capsys):
    capsys.readouterr()
    assert main(["predict", str(model_dir), "--future", str(price_csvs["future"])]) == 2
    assert "fitted without --covariates" in error_line(capsys)


@pytest.fixture(scope="module")
def past_model(price_csvs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("models") / "past"
    covariates = [*COVARIATES, "--past-covariates", "lag", "--calendar-features", "hour"]
    fit = ["fit", str(price_csvs["full"]), "-o", str(out), "--target", "load", *covariates]
    assert main([*fit, *TINY_FIT]) == 0
    return out


def test_past_covariates_and_calendar_features(past_model, price_csvs, capsys):
    spec = TRMForecaster.load(past_model).covariates_
    assert (spec.columns, spec.past, spec.calendar) == (("price",), ("lag",), ("hour",))
    out = wide_forecast(["predict", str(past_model), str(price_csvs["full"])], capsys)
    assert len(out) == FUTURE and out["load"].notna().all()
    # Past covariates come from DATA, up to the forecast origin, and reach the horizon only.
    assert main(["predict", str(past_model), "--future", str(price_csvs["future"])]) == 2
    assert "pass the history with those columns as DATA" in error_line(capsys)
    assert main(["predict", str(past_model), str(price_csvs["full"]), "--h", "7"]) == 2
    assert "--h 6 or less" in error_line(capsys)


def test_long_data_with_covariates(price_csvs, tmp_path, capsys):
    frame = price_frame()
    long = pd.concat(
        [frame.assign(site=site, load=frame["load"] + i) for i, site in enumerate("ab")]
    )
    long.to_csv(tmp_path / "long.csv", index=False)
    out = tmp_path / "dlinear"
    read = ["--id-column", "site", "--target", "load", *COVARIATES]
    fit = ["fit", str(tmp_path / "long.csv"), "-o", str(out), "--model", "dlinear", *read]
    assert main([*fit, *TINY_FIT]) == 0
    argv = ["predict", str(out), str(tmp_path / "long.csv"), "--coverage", "0.9"]
    forecast = forecast_of(argv, capsys, parse_dates=["ds"])
    assert list(forecast.columns) == ["unique_id", "ds", "y", "lower_90", "upper_90"]
    assert list(forecast["ds"].iloc[:FUTURE]) == list(frame["timestamp"].iloc[-FUTURE:])
    # Site b without its future rows: the error names it.
    long[~((long["site"] == "b") & long["load"].isna())].to_csv(tmp_path / "b.csv", index=False)
    assert main(["predict", str(out), str(tmp_path / "b.csv")]) == 2
    message = error_line(capsys)
    assert "after the history of series 'b'" in message and "date and id columns" in message


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--covariates", "prize"], "has no column 'prize' (given as --covariates); its columns"),
        (["--target", "load", "price", *COVARIATES], "'price' is given both as --target and"),
        (
            [*COVARIATES, "--past-covariates", "price"],
            "'price' is given both as --covariates (known ahead) and as --past-covariates",
        ),
        (["--covariates", "timestamp"], "covariate column 'timestamp' is not numeric (row 0"),
        (
            [*COVARIATES, "--calendar-features", "hour", "--model", "patchtst"],
            "--calendar-features and --past-covariates apply to --model dlinear, nlinear, trm",
        ),
    ],
    ids=["unknown", "also-a-target", "known-and-past", "not-numeric", "model-without"],
)
def test_covariate_flag_errors_are_one_line(price_csvs, tmp_path, flags, says, capsys):
    capsys.readouterr()
    assert main(["fit", str(price_csvs["full"]), "-o", str(tmp_path / "m"), *flags]) == 2
    assert says in error_line(capsys)


def test_an_empty_covariate_in_the_history_is_one_error(price_csvs, tmp_path, capsys):
    frame = price_frame()
    frame.loc[5, "price"] = np.nan
    frame.to_csv(tmp_path / "gap.csv", index=False)
    fit = ["fit", str(tmp_path / "gap.csv"), "-o", str(tmp_path / "m"), *COVARIATES, *TINY_FIT]
    capsys.readouterr()
    assert main(fit) == 2
    message = error_line(capsys)
    assert "the covariate columns hold 1 NaN" in message and "2024-01-01 05:00:00" in message
    assert "fill them in the CSV file" in message and "X" not in message


def test_bench_with_covariates_shows_the_model_without_them(price_csvs, capsys):
    flags = ["--horizon", "6", "--lookback", "24", "--max-epochs", "1", "--windows", "1"]
    assert main(["bench", str(price_csvs["full"]), "--target", "load", *COVARIATES, *flags]) == 0
    out = capsys.readouterr().out
    assert "TS-TRM and DLinear with --covariates price" in out
    rows = [line.split()[0] for line in out.splitlines()[2:]]
    assert "TS-TRM," in rows and len(rows) == 6


def test_calendar_feature_names_are_the_librarys():
    from tsrm.forecasting.cli import CALENDAR_FEATURES
    from tsrm.forecasting.series.covariates import CALENDAR

    assert CALENDAR_FEATURES == tuple(CALENDAR)


def test_shipped_promo_sales_csv_is_the_scripts_output():
    import importlib.util

    data = Path(__file__).resolve().parents[1] / "examples" / "data"
    spec = importlib.util.spec_from_file_location("make_promo_sales", data / "make_promo_sales.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    shipped = pd.read_csv(data / "promo_sales.csv", dtype={"date": str, "sales": "Int64"})
    pd.testing.assert_frame_equal(shipped, module.promo_sales_frame())
    assert shipped["sales"].isna().sum() == module.FUTURE_DAYS
