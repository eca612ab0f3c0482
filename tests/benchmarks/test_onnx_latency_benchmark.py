"""benchmarks/onnx_latency.py on tiny settings (no data set: latency only, one preset)."""

from __future__ import annotations

import csv
import importlib
from pathlib import Path

import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def test_onnx_latency_records_rows_and_settings(tmp_path, capsys):
    """One run of the defaults (every engine gets a row), then one with a setting."""
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(BENCHMARKS))
        script = importlib.import_module("onnx_latency")
    argv = ["--lookback", "24", "--horizon", "6", "--presets", "sketch", "--accuracy-presets"]
    argv += ["--repeats", "2", "--batch", "4", "--batch-repeats", "1"]
    argv += ["--results-dir", str(tmp_path)]
    assert script.main(argv) == 0
    with (tmp_path / "onnx_latency.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["engine"] for r in rows] == list(script.ENGINES)
    for row in rows:
        assert float(row["latency_median_ms"]) > 0 and int(row["throughput_windows_per_s"]) > 0
        assert row["threads"] == "1" and row["command"].startswith("python benchmarks/")
        assert row["test_mse"] == ""  # no accuracy asked
    table = (tmp_path / "onnx_latency.md").read_text()
    assert "ort-int8" in table and "load average" in table
    assert capsys.readouterr().out.count("RESULT ") == 4

    periodic = "network_kwargs={'first_guess':'periodic','period':6}"
    assert script.main([*argv, "--set", periodic]) == 0
    with (tmp_path / "onnx_latency.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    params = {r["settings"]: int(r["params"]) for r in rows}
    # The setting reached the model: the periodic guess has fewer weights than the dense L x H map.
    assert set(params) == {"", periodic} and params[periodic] < params[""]
    table = (tmp_path / "onnx_latency.md").read_text()
    assert "periodic" in table and "defaults" in table
