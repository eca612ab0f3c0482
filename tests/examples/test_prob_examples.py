"""The IoT-sensor and baseline-comparison examples run end to end (``--quick``) and save PNGs."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(name: str, *args: str):
    """``main(argv)`` of ``examples/<name>``, imported from its file."""
    module = runpy.run_path(str(EXAMPLES / name))
    return module["main"](list(args))


def test_iot_sensor_example(tmp_path):
    result = run_example("iot_sensor.py", "--quick", "--output", str(tmp_path))
    assert [p.name for p in result["pngs"]] == ["iot_forecast.png", "iot_refinement.png"]
    assert all(p.stat().st_size > 10_000 for p in result["pngs"])
    log = result["log"]
    assert log.freq == "5min" and (log.n_filled > 0).all()  # the log really had gaps
    assert 0.0 <= result["coverage"] <= 1.0


def test_compare_baselines_example(tmp_path, capsys):
    table = run_example("compare_baselines.py", "--quick", "--output", str(tmp_path))
    assert list(table.index) == ["TS-TRM", "SeasonalNaive(12)", "ETS (auto)", "DLinear"]
    assert table[["mae", "rmse", "mase"]].notna().all().all()
    assert "SeasonalNaive(12)" in capsys.readouterr().out
    assert (tmp_path / "compare_baselines.png").stat().st_size > 10_000
