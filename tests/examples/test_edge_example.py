"""examples/edge_onnx.py runs end to end on small settings."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "edge_onnx.py"


def load_example():
    spec = importlib.util.spec_from_file_location("edge_onnx", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_edge_example_small(tmp_path, capsys):
    example = load_example()
    assert example.main(["--small", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "model.onnx").is_file() and (tmp_path / "model-int8.onnx").is_file()
    fp32 = next(line for line in out.splitlines() if line.startswith("fp32: MAE"))
    # float32 output of values near 370 ppm: agreement to float32 resolution
    assert float(fp32.split("model.predict ")[1].split()[0]) < 1e-4
    assert "modules loaded besides onnxruntime and numpy: none" in out
    with pytest.raises(ValueError, match="windows of 48 values"):
        example.device_forecast(tmp_path / "model.onnx", [1.0, 2.0])
