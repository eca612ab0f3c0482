"""Edge deployment: train TS-TRM, export it to ONNX, forecast with onnxruntime and numpy only.

Two sides, as in a real deployment:

- the training side (a workstation: torch and tsrm installed) fits a model and writes
  ``model.onnx`` and its int8 variant ``model-int8.onnx`` with ``export_onnx``;
- the device side needs nothing but ``onnxruntime`` and ``numpy``: :func:`device_forecast`
  and the ``--device`` mode of this script import nothing else (no torch, no tsrm).

The ONNX graph holds the whole model: the per-window scaling, the network with its
normalisation and every refinement step, and the un-scaling. Its input is the last
``lookback`` raw values of each series, ``(batch, lookback)`` float32; its output the
next ``horizon`` values, ``(batch, horizon)``.

Run::

    pip install "tsrm[onnx]"
    python examples/edge_onnx.py                  # train, export, compare (about a minute)
    python examples/edge_onnx.py --device model.onnx 315.2 316.1 ...  # the device side alone
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np


# -- device side: onnxruntime and numpy only ------------------------------------------------
def device_forecast(model_path: str | Path, windows: np.ndarray) -> np.ndarray:
    """Forecast ``horizon`` steps after each row of ``windows`` (raw values, oldest first).

    Needs only onnxruntime and numpy. ``windows`` is ``(lookback,)`` or ``(batch, lookback)``;
    the lookback and horizon the model was trained with are in the file's metadata.
    """
    import onnxruntime as ort

    # A long-running device loop creates the session once and calls session.run per window.
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # a small device: one core, no thread pool to wake up
    session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    lookback = int(session.get_modelmeta().custom_metadata_map["lookback"])
    batch = np.atleast_2d(np.asarray(windows, dtype=np.float32))
    if batch.shape[1] != lookback:
        raise ValueError(f"the model needs windows of {lookback} values, got {batch.shape[1]}")
    (forecast,) = session.run(["forecast"], {"window": batch})
    return forecast


def _device_main(model_path: str, values: list[float]) -> int:
    forecast = device_forecast(model_path, np.array(values))
    print(" ".join(f"{v:.4f}" for v in forecast[0]))
    loaded = sorted(m for m in ("torch", "tsrm", "lightning") if m in sys.modules)
    print(f"modules loaded besides onnxruntime and numpy: {loaded or 'none'}")
    return 0 if not loaded else 1


# -- training side: torch and tsrm ----------------------------------------------------------
def train_and_export(out: Path, small: bool) -> dict:
    """Fit TS-TRM on monthly CO2 (the last 12 months held out) and export fp32 and int8 files."""
    from tsrm import TRMForecaster
    from tsrm.forecasting.demo import load_co2_monthly

    series = load_co2_monthly()  # ships with statsmodels: no download
    horizon, lookback = 12, 48
    train, test = series.iloc[:-horizon], series.iloc[-horizon:]
    # The sketch preset: one token per window, the cheapest forecast (sub-millisecond).
    settings = {"hidden_dim": 16, "max_epochs": 2} if small else {"max_epochs": 60}
    model = TRMForecaster(
        horizon=horizon,
        lookback=lookback,
        preset="sketch",
        batch_size=64,
        patience=10,
        verbose=False,
        **settings,
    ).fit(train)
    out.mkdir(parents=True, exist_ok=True)
    return {
        "model": model,
        "train": train,
        "test": test,
        "fp32": model.export_onnx(out / "model.onnx"),
        "int8": model.export_onnx(out / "model-int8.onnx", quantize=True),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="TS-TRM on the edge with ONNX.")
    parser.add_argument("--out", type=Path, default=Path("edge-model"), help="export folder")
    parser.add_argument("--small", action="store_true", help="tiny model, 2 epochs (for tests)")
    parser.add_argument(
        "--device", nargs="+", metavar=("MODEL", "VALUE"), help="device side only: forecast"
    )
    args = parser.parse_args(argv)
    if args.device:
        return _device_main(args.device[0], [float(v) for v in args.device[1:]])

    start = time.perf_counter()
    done = train_and_export(args.out, args.small)
    model, train, test = done["model"], done["train"], done["test"]
    print(f"trained {model.n_params_:,} parameters in {time.perf_counter() - start:.1f} s")
    for kind in ("fp32", "int8"):
        print(f"{kind}: {done[kind]} ({done[kind].stat().st_size / 1024:.0f} KiB)")

    # The same forecasts on the device: the held-out year, and 24 earlier origins in one batch.
    window = train.to_numpy()[-model.lookback :]
    origins = np.stack(
        [train.to_numpy()[len(train) - k - model.lookback : len(train) - k] for k in range(24)]
    )
    torch_forecast = model.predict(y=window)
    for kind in ("fp32", "int8"):
        onnx_forecast = device_forecast(done[kind], window)[0]
        mae = np.abs(onnx_forecast - test.to_numpy()).mean()
        diff = np.abs(onnx_forecast - torch_forecast).max()
        batch = device_forecast(done[kind], origins)
        print(
            f"{kind}: MAE on the held-out year {mae:.3f} ppm; largest difference from "
            f"model.predict {diff:.2e} ppm; batch of {len(batch)} windows -> {batch.shape}"
        )
    print(f"model.predict (torch): MAE {np.abs(torch_forecast - test.to_numpy()).mean():.3f} ppm")

    # The device side in a fresh interpreter: it must not need torch or tsrm.
    values = [f"{v:.6f}" for v in window]
    device = [sys.executable, __file__, "--device", str(done["fp32"]), *values]
    result = subprocess.run(device, capture_output=True, text=True, check=False)
    print("device side (fresh process):", result.stdout.strip().replace("\n", "; "))
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
