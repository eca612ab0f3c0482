"""The ``tsrm`` command line."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tsrm
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
TINY_FIT = ["--horizon", "6", "--lookback", "24", "--max-epochs", "1"]
BANDS = ["lower_80", "upper_80", "lower_95", "upper_95", "q10", "q50", "q90"]


def hourly_frame(n: int = 240) -> pd.DataFrame:
    t = np.arange(n)
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "timestamp": pd.date_range("2024-01-01", periods=n, freq="h"),
            "load": 10 + 3 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.3, n),
            "temp": 5 + np.cos(2 * np.pi * t / 24) + rng.normal(0, 0.1, n),
        }
    )


@pytest.fixture(scope="module")
def wide_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "site.csv"
    hourly_frame().to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def model_dir(wide_csv, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("models") / "trm"
    assert main(["fit", str(wide_csv), "-o", str(out), *TINY_FIT]) == 0
    return out


def error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.startswith("tsrm: error: ") and err.count("\n") == 1, err
    return err


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
