"""``tsrm fit`` / ``tsrm predict`` / ``tsrm bench``: CSV round trips and user errors."""

from __future__ import annotations

import io
import json
import re
import sys

import numpy as np
import pandas as pd
import pytest

from tests.conftest import TINY_FIT, error_line, hourly_frame
from tsrm import DLinear, TRMForecaster
from tsrm.cli import main
from tsrm.forecasting.datasets import read_series


def test_fit_writes_a_loadable_model_directory(model_dir):
    model = TRMForecaster.load(model_dir)
    assert (model.lookback, model.horizon, model.max_epochs) == (24, 6, 1)
    assert model.context_.ids == ["load", "temp"]
    options = json.loads((model_dir / "tsrm-cli.json").read_text())
    assert options["target"] is None and options["date_column"] is None


def test_predict_continues_the_fitted_series_to_stdout(model_dir, capsys):
    capsys.readouterr()
    assert main(["predict", str(model_dir)]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out), index_col=0, parse_dates=True)
    expected = TRMForecaster.load(model_dir).predict()
    assert list(out.columns) == ["load", "temp"] and out.index.name == "timestamp"
    assert out.index[0] == pd.Timestamp("2024-01-11 00:00")  # one hour after the last row
    np.testing.assert_allclose(out.to_numpy(), expected.to_numpy(), rtol=1e-12)


def test_predict_from_new_history_to_a_file(model_dir, wide_csv, tmp_path):
    history = tmp_path / "recent.csv"
    hourly_frame(300).iloc[-50:].to_csv(history, index=False)
    target = tmp_path / "forecast.csv"
    assert main(["predict", str(model_dir), str(history), "--h", "9", "-o", str(target)]) == 0
    out = pd.read_csv(target, index_col=0, parse_dates=True)
    expected = TRMForecaster.load(model_dir).predict(h=9, y=read_series(history))
    assert out.shape == (9, 2) and out.index[0] == pd.Timestamp("2024-01-13 12:00")
    np.testing.assert_allclose(out.to_numpy(), expected.to_numpy(), rtol=1e-12)


def test_export_writes_an_onnx_file_matching_predict(wide_csv, tmp_path, capsys):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    model_dir, path = tmp_path / "sketch", tmp_path / "model.onnx"
    # the sketch preset: the smallest graph, the quickest export
    assert main(["fit", str(wide_csv), "-o", str(model_dir), "--preset", "sketch", *TINY_FIT]) == 0
    assert main(["export", str(model_dir), str(path)]) == 0
    assert "(batch, 24)" in capsys.readouterr().err
    model = TRMForecaster.load(model_dir)
    windows = np.stack(model.context_.values).astype(np.float32)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (out,) = session.run(None, {"window": windows})
    np.testing.assert_allclose(out.T, model.predict(y=windows.T.astype(np.float64)), atol=1e-5)
    # int8 says what it saved against the float32 file just written.
    assert main(["export", str(model_dir), str(tmp_path / "int8.onnx"), "--int8"]) == 0
    said = capsys.readouterr().err
    found = re.search(r"(\d+ % smaller|not smaller) than in float32 \((\d+) KiB\)", said)
    assert found is not None, said
    # The float32 graph it compares with differs from the file above only in its metadata.
    assert abs(int(found[2]) - path.stat().st_size / 1024) <= 1
    assert "-" not in found[1]  # never a negative saving


def test_export_without_the_onnx_extra(model_dir, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "onnxscript", None)
    assert main(["export", str(model_dir), str(tmp_path / "m.onnx")]) == 2
    assert 'pip install "tsrm[onnx]"' in error_line(capsys)


def test_long_format_round_trip_with_a_baseline(tmp_path, capsys):
    frame = hourly_frame().melt(id_vars="timestamp", var_name="sensor", value_name="reading")
    data = tmp_path / "long.csv"
    frame.sample(frac=1, random_state=0).to_csv(data, index=False)  # row order does not matter
    out = tmp_path / "dlinear"
    args = ["fit", str(data), "-o", str(out), "--model", "dlinear", *TINY_FIT]
    assert main([*args, "--id-column", "sensor", "--target", "reading"]) == 0
    assert main(["predict", str(out), str(data)]) == 0  # reads data as fit did
    forecast = pd.read_csv(io.StringIO(capsys.readouterr().out), parse_dates=["ds"])
    assert list(forecast.columns) == ["unique_id", "ds", "y"]
    assert forecast.groupby("unique_id").size().to_dict() == {"load": 6, "temp": 6}
    model = DLinear.load(out)
    expected = model.predict(y=read_series(data, id_column="sensor", value_columns="reading"))
    np.testing.assert_allclose(forecast["y"], expected["y"], rtol=1e-12)


def test_a_parquet_directory_is_fitted_and_forecast_from_its_path(tmp_path, capsys):
    pytest.importorskip("pyarrow")
    frame = hourly_frame().melt(id_vars="timestamp", var_name="unique_id", value_name="y")
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    frame.rename(columns={"timestamp": "ds"}).to_parquet(fleet / "part-0.parquet")
    out = tmp_path / "dlinear"
    assert main(["fit", str(fleet), "-o", str(out), "--model", "dlinear", *TINY_FIT]) == 0
    capsys.readouterr()
    assert main(["predict", str(out), str(fleet)]) == 0
    forecast = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert forecast.groupby("unique_id").size().to_dict() == {"load": 6, "temp": 6}
    expected = DLinear.load(out).predict(y=fleet)
    np.testing.assert_allclose(forecast["y"], expected["y"], rtol=1e-12)
    assert main(["fit", str(fleet), "-o", str(out), "--target", "y", *TINY_FIT]) == 2
    says = error_line(capsys)
    assert "Parquet data set" in says and "drop --target" in says
    assert main(["fit", str(fleet), "-o", str(out), "--covariates", "price", *TINY_FIT]) == 2
    assert "no covariates" in error_line(capsys)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["fit", "{tmp}/missing.csv", "-o", "{tmp}/m"], "does not exist"),
        (["fit", "{csv}", "-o", "{tmp}/m", "--target", "bogus"], "--target"),
        (["fit", "{csv}", "-o", "{tmp}/m", "--date-column", "when"], "--date-column"),
        (["fit", "{csv}", "-o", "{tmp}/m", "--lookback", "-3"], "lookback"),
        (["fit", "{csv}", "-o", "{tmp}/m", "--horizon", "0"], "--horizon"),
        (["fit", "{csv}", "-o", "{tmp}/m", "--model", "dlinear", "--preset", "sketch"], "preset"),
        (["fit", "{csv}", "-o", "{csv}", *TINY_FIT], "--out {csv} is a file"),
        (["predict", "{tmp}/nowhere"], "config.json"),
        (["predict", "{tmp}"], "config.json"),
        (["predict", "{model}", "--h", "0"], "--h"),
        (["predict", "{model}", "{tmp}/missing.csv"], "does not exist"),
        (["export", "{tmp}/nowhere", "{tmp}/m.onnx"], "config.json"),
        (["bench", "{short}", "--horizon", "6", "--lookback", "24"], "short"),
    ],
)
def test_user_errors_exit_2_with_one_line(argv, says, model_dir, wide_csv, tmp_path, capsys):
    short = tmp_path / "short.csv"
    hourly_frame(10).to_csv(short, index=False)
    names = {"tmp": tmp_path, "csv": wide_csv, "model": model_dir, "short": short}
    argv = [a.format(**names) for a in argv]
    assert main(argv) == 2
    assert says.format(**names) in error_line(capsys)


@pytest.mark.parametrize(
    "damage",
    ["not json", json.dumps({"format": "tsrm.Theta"}), json.dumps({"format": "tsrm.NLinear"})],
)
def test_corrupt_or_foreign_model_directory(model_dir, tmp_path, damage, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    for file in model_dir.iterdir():
        (broken / file.name).write_bytes(file.read_bytes())
    (broken / "config.json").write_text(damage)
    assert main(["predict", str(broken)]) == 2
    assert "config.json" in error_line(capsys)


def test_truncated_weights_are_reported(model_dir, tmp_path, capsys):
    broken = tmp_path / "broken"
    broken.mkdir()
    for file in model_dir.iterdir():
        (broken / file.name).write_bytes(file.read_bytes())
    weights = broken / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    assert main(["predict", str(broken)]) == 2
    assert "model.safetensors" in error_line(capsys)


def test_bad_option_is_argparses_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["fit", "data.csv", "-o", "m", "--preset", "huge"])
    assert info.value.code == 2
    assert "invalid choice: 'huge'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command", "mentions"),
    [
        ("fit", ["--out", "--target", "--id-column", "--model", "--preset", "--horizon"]),
        ("predict", ["model_dir", "--h", "--out", "standard output"]),
        ("export", ["model_dir", "--int8", "--opset", "onnxruntime", "tsrm[onnx]"]),
        ("bench", ["--windows", "--season-length", "benchmarks/"]),
    ],
)
def test_help(command, mentions, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for word in mentions:
        assert word in text


@pytest.mark.parametrize("lookback", [["--lookback", "24"], []])  # given, or each model's own
def test_bench_prints_a_table(wide_csv, capsys, lookback):
    argv = ["bench", str(wide_csv), "--target", "load", "--horizon", "6", *lookback]
    assert main([*argv, "--max-epochs", "1", "--windows", "1", "--season-length", "24"]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = lines.index(next(line for line in lines if line.startswith("model")))
    rows = {line.rsplit(maxsplit=4)[0]: line.split()[-4:] for line in lines[header + 1 :]}
    assert set(rows) == {"TS-TRM", "TS-TRM sketch", "DLinear", "SeasonalNaive(24)", "Naive"}
    assert all(float(v) >= 0 for scores in rows.values() for v in scores)
    assert "not a benchmark" in lines[0]


def test_bench_with_gaps_scores_the_models_that_mask_them(tmp_path, capsys):
    frame = hourly_frame()
    frame.loc[[50, 51, 230], "load"] = np.nan  # a gap in the history, one in the last window
    data = tmp_path / "gappy.csv"
    frame.to_csv(data, index=False)
    argv = ["bench", str(data), "--target", "load", "--horizon", "6", "--lookback", "24"]
    assert main([*argv, "--max-epochs", "1", "--windows", "1", "--season-length", "24"]) == 0
    lines = capsys.readouterr().out.splitlines()
    scored = {line.split()[0] for line in lines if len(line.split()) == 5 and "." in line}
    assert {"TS-TRM", "DLinear"} <= scored
    skipped = [line for line in lines if "skipped" in line]
    assert [line.split()[0] for line in skipped] == ["SeasonalNaive(24)", "Naive"]


def test_a_suggested_target_reads_as_the_flag_takes_it(tmp_path, capsys):
    data = tmp_path / "cities.csv"
    frame = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=30, freq="D")})
    frame.assign(v=np.arange(30.0), w=1.0, city="Oslo").to_csv(data, index=False)
    assert main(["fit", str(data), "-o", str(tmp_path / "m"), *TINY_FIT]) == 2
    message = capsys.readouterr().err
    assert "--target v w " in message and "['v'" not in message


def test_fit_and_export_report_the_lookback_fit_chose(wide_csv, tmp_path, capsys):
    out = tmp_path / "auto"
    assert main(["fit", str(wide_csv), "-o", str(out), "--horizon", "6", "--max-epochs", "1"]) == 0
    said = capsys.readouterr().err
    chosen = TRMForecaster.load(out).lookback_
    assert f"lookback {chosen}, horizon 6" in said
    pytest.importorskip("onnx")
    assert main(["export", str(out), str(tmp_path / "m.onnx")]) == 0
    assert f"(batch, {chosen})" in capsys.readouterr().err


def test_warnings_print_as_one_tsrm_line(model_dir, capsys, monkeypatch):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from tsrm.forecasting.models import registry

    real = registry.load_model(model_dir)

    class Warns:
        def predict(self, **kwargs):
            warnings.warn("Training stopped\n  early.", ConvergenceWarning, stacklevel=2)
            return real.predict(**kwargs)

    monkeypatch.setattr(registry, "load_model", lambda path: Warns())
    assert main(["predict", str(model_dir)]) == 0
    err = capsys.readouterr().err
    assert err == "tsrm: warning: Training stopped early.\n"


def test_fit_takes_the_training_settings(wide_csv, tmp_path):
    out = tmp_path / "tuned"
    flags = ["--batch-size", "32", "--learning-rate", "0.002", "--patience", "2", "--threads", "2"]
    assert main(["fit", str(wide_csv), "-o", str(out), *TINY_FIT, *flags]) == 0
    model = TRMForecaster.load(out)
    assert (model.batch_size, model.learning_rate, model.patience) == (32, 0.002, 2)
    assert model.n_threads == 2


@pytest.mark.parametrize(
    ("flag", "value"),
    [("--batch-size", "0"), ("--patience", "-1"), ("--threads", "0"), ("--learning-rate", "0")],
)
def test_fit_refuses_a_bad_training_setting(wide_csv, tmp_path, capsys, flag, value):
    assert main(["fit", str(wide_csv), "-o", str(tmp_path / "m"), *TINY_FIT, flag, value]) == 2
    assert flag in error_line(capsys)


def sensor_log(path) -> None:
    rng = np.random.default_rng(0)
    start = pd.Timestamp("2024-01-01")
    rows = [
        (start + pd.Timedelta(minutes=5 * i, seconds=int(rng.integers(-3, 4))), sensor, value)
        for i in range(60)
        for sensor, value in (("temp", 20 + np.sin(i / 6)), ("rpm", 1500 + 10 * np.cos(i / 6)))
        if not (sensor == "temp" and i == 30)  # one missed reading
    ]
    pd.DataFrame(rows, columns=["timestamp", "sensor", "value"]).to_csv(path, index=False)


def test_resample_puts_a_sensor_log_on_a_grid_fit_can_read(tmp_path, capsys):
    log, out = tmp_path / "log.csv", tmp_path / "grid.csv"
    sensor_log(log)
    assert main(["resample", str(log), "-o", str(out)]) == 0
    said = capsys.readouterr().err
    assert "'5min' grid" in said and "1 empty bin(s) filled" in said
    grid = pd.read_csv(out, index_col=0, parse_dates=True)
    assert list(grid.columns) == ["rpm", "temp"] and len(grid) == 60
    assert pd.infer_freq(grid.index) == "5min" and not grid.isna().any().any()
    fitted = ["fit", str(out), "-o", str(tmp_path / "m"), *TINY_FIT]
    assert main(fitted) == 0


def test_resample_reports_a_gap_it_must_not_fill(tmp_path, capsys):
    log = tmp_path / "log.csv"
    sensor_log(log)
    assert main(["resample", str(log), "--gaps", "error"]) == 2
    assert "temp" in (message := error_line(capsys)) and "02:30:00" in message  # the missed reading
    assert main(["resample", str(tmp_path / "none.csv")]) == 2
    assert "no such file" in error_line(capsys)
