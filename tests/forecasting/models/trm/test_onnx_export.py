"""ONNX export: parity with predict under onnxruntime, dynamic batch, errors, numpy-only use."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError

from tsrm import DLinear
from tsrm.exceptions import TSRMInputError

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")

# Absolute tolerance on raw-scale forecasts (the test series is about 10 +- 3).
ATOL = 1e-5


LOOKBACK = 24  # the tiny models' (tests/conftest.py)


def windows(n: int, lookback: int = LOOKBACK) -> np.ndarray:
    """``n`` float32 windows of a daily-seasonal series near 10; row 2 (if any) is constant."""
    t = np.arange(5 * n + lookback)
    y = 10 + 3 * np.sin(2 * np.pi * t / 24) + np.random.default_rng(5).normal(0, 0.3, len(t))
    out = np.stack([y[5 * i : 5 * i + lookback] for i in range(n)]).astype(np.float32)
    if n > 2:
        out[2] = 7.25  # forecast as its constant, as predict does
    return out


def predict_rows(model, batch: np.ndarray) -> np.ndarray:
    """``predict(y=window)`` row by row: one series of exactly ``lookback`` values each."""
    return np.stack([model.predict(y=row.astype(np.float64)) for row in batch])


def run(path, batch: np.ndarray) -> np.ndarray:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"window": batch})[0]


@pytest.fixture(scope="module", params=["default", "sketch"])
def exported(request, tmp_path_factory, tiny_model, make_data):
    model = tiny_model(preset=request.param).fit(make_data.hourly_series())
    before = model.predict()
    path = model.export_onnx(tmp_path_factory.mktemp("onnx") / f"{request.param}.onnx")
    # exporting leaves the estimator as it was
    np.testing.assert_array_equal(model.predict(), before)
    assert not model.network_.training
    return model, path


@pytest.mark.parametrize("batch", [1, 7])
def test_matches_predict_for_any_batch_from_one_file(exported, batch):
    model, path = exported
    data = windows(batch)
    out = run(path, data)
    assert out.shape == (batch, model.horizon) and out.dtype == np.float32
    np.testing.assert_allclose(out, predict_rows(model, data), rtol=0, atol=ATOL)
    if batch > 2:
        assert (out[2] == 7.25).all()


def test_missing_values_are_filled_as_predict_fills_them(exported):
    model, path = exported
    data = windows(4)
    data[0, [3, 4, 10]] = np.nan  # gaps inside the window
    data[1, :5] = np.nan  # a leading gap
    data[3, -1] = np.nan  # the last value missing
    out = run(path, data)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, predict_rows(model, data), rtol=0, atol=ATOL)
    empty = np.full((1, data.shape[1]), np.nan, dtype=np.float32)
    assert np.isnan(run(path, empty)).all()  # nothing observed: nothing to forecast from


def test_graph_holds_the_whole_recursion(exported):
    model, path = exported
    import onnx

    proto = onnx.load(str(path))
    meta = {p.key: p.value for p in proto.metadata_props}
    assert meta["lookback"] == str(model.lookback) and meta["horizon"] == str(model.horizon)
    assert meta["estimator"] == "TRMForecaster"
    (window,) = proto.graph.input
    assert window.name == "window"
    assert window.type.tensor_type.shape.dim[0].dim_param  # symbolic batch size
    # each weight once, though the unrolled recursion uses the reasoner's at every step
    stored = sum(int(np.prod(init.dims)) for init in proto.graph.initializer)
    weights = sum(p.numel() for p in model.network_.parameters())
    # a periodic first guess's smoothing kernel (k taps) is stored as the (2k - 1, k)
    # band it is applied through, folded at export
    smooth = getattr(model.network_.first_guess, "smooth", None)
    band = 0 if smooth is None else (2 * smooth.weight.numel() - 1) * smooth.weight.numel()
    assert weights <= stored < weights + band + 1000
    # no debug records (stack traces naming local files)
    assert not any(node.metadata_props for node in proto.graph.node)


def test_runs_with_onnxruntime_and_numpy_only(exported):
    model, path = exported
    data = windows(3)
    np.save(path.with_suffix(".npy"), data)
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["torch"] = None  # any import of torch (or of tsrm) now fails
        import numpy as np, onnxruntime as ort
        session = ort.InferenceSession({str(path)!r}, providers=["CPUExecutionProvider"])
        out = session.run(None, {{"window": np.load({str(path.with_suffix(".npy"))!r})}})[0]
        print(" ".join(repr(float(v)) for v in out.ravel()))
        assert "tsrm" not in sys.modules
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = np.array([float(v) for v in done.stdout.split()]).reshape(3, model.horizon)
    np.testing.assert_allclose(out, predict_rows(model, data), rtol=0, atol=ATOL)


def test_halting_model_keeps_each_windows_halting_step(tiny_model, hourly_series, tmp_path):
    # the sketch preset: the smallest graph, the quickest export
    model = tiny_model(preset="sketch", halting=True, n_supervision=3).fit(hourly_series)
    # An untrained head never halts; make some windows halt after step 1 or 2 and others not.
    with torch.no_grad():
        head = model.network_.halting_head.linear
        head.weight.copy_(torch.linspace(-3, 3, head.weight.numel()).view_as(head.weight))
        head.bias.fill_(0.0)
    data = windows(7)
    scaled = (data - data.mean(1, keepdims=True)) / np.maximum(data.std(1, keepdims=True), 1)
    _, steps = model.network_.forecast_with_steps(torch.from_numpy(scaled.astype(np.float32)))
    assert len(set(steps.tolist())) > 1, steps  # the test needs windows that differ
    out = run(model.export_onnx(tmp_path / "halting.onnx"), data)
    np.testing.assert_allclose(out, predict_rows(model, data), rtol=0, atol=ATOL)


def test_baseline_exports_with_int8_weights(hourly_series, tmp_path):
    # Each export costs seconds (the exporter rebuilds its operator table), so the int8 path
    # is checked on the smallest network; its float path is the one tested above.
    model = DLinear(horizon=6, lookback=LOOKBACK, max_epochs=2, verbose=False).fit(hourly_series)
    path = model.export_onnx(tmp_path / "dlinear-int8.onnx", quantize=True)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert session.get_modelmeta().custom_metadata_map["quantized"] == "int8-dynamic"
    assert any(n.op_type.startswith("DynamicQuantize") for n in _nodes(path))
    data = windows(7)
    # int8 weights: close to, not equal to, the float forecast
    np.testing.assert_allclose(run(path, data), predict_rows(model, data), rtol=0, atol=0.1)


def _nodes(path):
    import onnx

    return onnx.load(str(path)).graph.node


def test_quantile_model_exports_its_median(hourly_series, tmp_path):
    model = DLinear(
        horizon=6, lookback=LOOKBACK, max_epochs=2, quantiles=(0.1, 0.9), verbose=False
    ).fit(hourly_series)
    data = windows(7)
    out = run(model.export_onnx(tmp_path / "quantiles.onnx"), data)
    assert out.shape == (7, 6)
    np.testing.assert_allclose(out, predict_rows(model, data), rtol=0, atol=ATOL)


def test_unfitted_model_is_refused(tiny_model, tmp_path):
    with pytest.raises(NotFittedError, match="export_onnx"):
        tiny_model().export_onnx(tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


@pytest.mark.parametrize("opset", [17, 18.0, True])
def test_bad_opset_is_refused_before_exporting(fitted_series_model, tmp_path, opset):
    with pytest.raises(TSRMInputError, match="opset"):
        fitted_series_model.export_onnx(tmp_path / "m.onnx", opset=opset)


def test_missing_extra_names_the_install_command(fitted_series_model, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxscript", None)
    with pytest.raises(ImportError, match=r'pip install "tsrm\[onnx\]"'):
        fitted_series_model.export_onnx(tmp_path / "m.onnx")
