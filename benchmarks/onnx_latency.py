"""Eager PyTorch against onnxruntime (fp32 and int8): latency, throughput, int8 accuracy change.

For each TS-TRM preset, four engines forecast the same windows:

- ``torch-network``: the ``nn.Module`` forward under ``torch.inference_mode`` (scaled windows
  in, no input checks) -- the fastest eager PyTorch path;
- ``torch-predict``: the public ``TRMForecaster.predict(y=...)`` (numpy in, numpy out);
- ``ort-fp32`` / ``ort-int8``: the file ``export_onnx`` writes (scaling, network and
  un-scaling in one graph), without and with int8 dynamic quantisation, run by onnxruntime.

Measured: single-window latency (median and 90th percentile over ``--repeats`` calls, after
warm-up) and throughput in windows per second at ``--batch`` windows per call. torch and
onnxruntime each run on one thread (``torch.set_num_threads(1)``; onnxruntime
``intra_op_num_threads = inter_op_num_threads = 1``).

Accuracy (presets in ``--accuracy-presets``, default ``default``): the model is trained on
ETTh1 by the standard protocol (z-scored by training rows, ``scaling=False``, early stopping on
the protocol's validation windows, ``--max-epochs`` epochs at most) and every test window of
every channel is forecast by each engine; MSE and MAE are on the z-scored values, as in
``long_horizon.py``. Other presets are fitted for one epoch on a synthetic series (latency does
not depend on the weights) and report no accuracy.

``--set KEY=VALUE`` passes a ``TRMForecaster`` argument to every preset; the settings are
recorded beside the preset.

Example::

    python benchmarks/onnx_latency.py --lookback 336 --horizon 96 --presets default mixer
    python benchmarks/onnx_latency.py --presets default --set period=1

Appends one row per preset and engine to benchmarks/results/onnx_latency.csv and rewrites
benchmarks/results/onnx_latency.md from it. Needs ``pip install "tsrm[onnx]"``.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import _harness as H
import numpy as np
import torch

from tsrm import TRMForecaster

ENGINES = ("torch-network", "torch-predict", "ort-fp32", "ort-int8")
FIELDS = [
    "date",
    "preset",
    "settings",
    "lookback",
    "horizon",
    "params",
    "engine",
    "threads",
    "latency_median_ms",
    "latency_p90_ms",
    "batch",
    "throughput_windows_per_s",
    "file_kib",
    "trained_on",
    "epochs",
    "test_windows",
    "test_mse",
    "test_mae",
    "max_abs_diff_vs_predict",
    "load_avg",
    "machine",
    "command",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lookback", type=int, default=336)
    parser.add_argument("--horizon", type=int, default=96)
    parser.add_argument("--presets", nargs="+", default=["default", "mixer"])
    parser.add_argument(
        "--accuracy-presets",
        nargs="*",
        default=["default"],
        help="presets trained on ETTh1 and scored on its test split (default: default)",
    )
    parser.add_argument("--max-epochs", type=int, default=3, help="ETTh1 training (default 3)")
    parser.add_argument(
        "--learning-rate", type=float, default=None, help="(default: the model's own, 'auto')"
    )
    parser.add_argument("--repeats", type=int, default=300, help="single-window calls timed")
    parser.add_argument("--batch", type=int, default=256, help="windows per throughput call")
    parser.add_argument("--batch-repeats", type=int, default=30)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a TRMForecaster argument for every preset (Python literal), e.g. "
        "\"network_kwargs={'first_guess':'periodic','period':24}\"",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=H.DEFAULT_DATA_DIR)
    parser.add_argument("--results-dir", type=Path, default=H.RESULTS_DIR)
    return parser


def timings_ms(fn: Callable[[], object], repeats: int, warmup: int = 10) -> np.ndarray:
    for _ in range(warmup):
        fn()
    out = np.empty(repeats)
    for i in range(repeats):
        start = time.perf_counter()
        fn()
        out[i] = time.perf_counter() - start
    return out * 1e3


def ort_session(path: Path):  # noqa: ANN201 - an onnxruntime.InferenceSession
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def fit_model(preset: str, args, accuracy: bool):  # noqa: ANN001, ANN201
    """The model, the test windows ``(n, L)`` and targets ``(n, H)`` (None without accuracy)."""
    L, Hz = args.lookback, args.horizon
    common = dict(horizon=Hz, lookback=L, preset=preset, random_state=args.seed, verbose=False)
    common.update(args.settings)
    if not accuracy:
        rng = np.random.default_rng(args.seed)
        n = L + Hz + 400
        series = np.sin(np.arange(n) / 8) + rng.normal(0, 0.1, n)
        model = TRMForecaster(max_epochs=1, validation_size=0, **common).fit(series)
        return model, "synthetic series", None, None
    from tsrm.forecasting.datasets import load_dataset, make_splits

    splits = make_splits(load_dataset("ETTh1", data_dir=args.data_dir), L, Hz)
    train_end, val_end = splits.boundaries.train[1], splits.boundaries.val[1]
    model = TRMForecaster(
        max_epochs=args.max_epochs,
        learning_rate=args.learning_rate or "auto",
        validation_size=val_end - train_end,
        scaling=False,  # the protocol's data are z-scored already
        **common,
    ).fit(splits.values[:val_end])
    test = splits.test
    inputs, targets = (t.numpy() for t in test.__getitems__(list(range(len(test)))))
    return model, "ETTh1 train+val", inputs.astype(np.float32), targets.astype(np.float64)


def run_preset(preset: str, args, folder: Path) -> list[dict]:  # noqa: ANN001
    accuracy = preset in args.accuracy_presets
    model, trained_on, inputs, targets = fit_model(preset, args, accuracy)
    L = args.lookback
    rng = np.random.default_rng(1)
    batch = (np.sin(np.arange(L)[None] / 8 + rng.uniform(0, 6, (args.batch, 1))) * 3 + 10).astype(
        np.float32
    )
    one = batch[:1]
    scaled = torch.from_numpy((batch - batch.mean(1, keepdims=True)) / batch.std(1, keepdims=True))
    files = {
        "ort-fp32": model.export_onnx(folder / f"{preset}.onnx"),
        "ort-int8": model.export_onnx(folder / f"{preset}-int8.onnx", quantize=True),
    }
    sessions = {name: ort_session(path) for name, path in files.items()}

    def network(x: torch.Tensor) -> Callable[[], object]:
        def call() -> object:
            with torch.inference_mode():
                return model.network_(x)

        return call

    calls = {
        "torch-network": (network(scaled[:1]), network(scaled)),
        "torch-predict": (lambda: model.predict(y=one[0]), lambda: model.predict(y=batch.T)),
    }
    for name, session in sessions.items():
        calls[name] = (
            lambda s=session: s.run(None, {"window": one}),
            lambda s=session: s.run(None, {"window": batch}),
        )

    if accuracy:
        reference = np.asarray(model.predict(y=inputs.T.astype(np.float64))).T
        forecasts = {"torch-network": None, "torch-predict": reference}
        for name, session in sessions.items():
            forecasts[name] = np.concatenate(
                [
                    session.run(None, {"window": inputs[i : i + 4096]})[0]
                    for i in range(0, len(inputs), 4096)
                ]
            ).astype(np.float64)

    rows = []
    for engine in ENGINES:
        single, batched = calls[engine]
        lat = timings_ms(single, args.repeats)
        thr = timings_ms(batched, args.batch_repeats, warmup=3)
        row = {
            "preset": preset,
            "params": model.n_params_,
            "engine": engine,
            "latency_median_ms": round(float(np.median(lat)), 4),
            "latency_p90_ms": round(float(np.percentile(lat, 90)), 4),
            "batch": args.batch,
            "throughput_windows_per_s": round(args.batch / (float(np.median(thr)) / 1e3)),
            "file_kib": round(files[engine].stat().st_size / 1024, 1) if engine in files else "",
            "trained_on": trained_on,
            "epochs": len(model.history_.get("train_loss") or []),
        }
        if accuracy and forecasts[engine] is not None:
            f = forecasts[engine]
            row.update(
                test_windows=len(targets),
                test_mse=round(float(np.mean((f - targets) ** 2)), 5),
                test_mae=round(float(np.mean(np.abs(f - targets))), 5),
                max_abs_diff_vs_predict=f"{float(np.abs(f - reference).max()):.2e}",
            )
        rows.append(row)
        print(
            f"RESULT preset={preset} engine={engine} latency_median_ms={row['latency_median_ms']} "
            f"latency_p90_ms={row['latency_p90_ms']} "
            f"throughput_windows_per_s={row['throughput_windows_per_s']}"
            + (f" test_mse={row['test_mse']}" if "test_mse" in row else ""),
            flush=True,
        )
    return rows


def write_markdown(results: H.ResultsFile, path: Path) -> None:
    rows = results.latest()
    lines = [
        "# ONNX export: latency, throughput and int8 accuracy",
        "",
        "Written by `benchmarks/onnx_latency.py` from `onnx_latency.csv` (latest row of each "
        "preset, settings, look-back, horizon and engine). One thread for torch and for "
        "onnxruntime. "
        "Latency: one window per call (median / p90). Throughput: windows per second at the "
        "given batch size. `torch-network` is the bare `nn.Module` forward (already scaled "
        "input); the others include scaling. MSE / MAE: every ETTh1 test window and channel, "
        "z-scored values (standard protocol); the max difference is against `predict`. "
        "`load_avg` is the 1-minute load average when the run started: above the core count, "
        "other processes shared the CPU and the timings are pessimistic.",
        "",
    ]
    header = [
        "date",
        "preset",
        "settings",
        "L",
        "H",
        "engine",
        "median ms",
        "p90 ms",
        "windows/s (batch)",
        "file KiB",
        "test MSE",
        "test MAE",
        "max diff",
        "trained on",
        "load avg",
        "machine",
    ]
    body = [
        [
            r["date"],
            r["preset"],
            f"`{r['settings']}`" if r.get("settings") else "defaults",
            r["lookback"],
            r["horizon"],
            r["engine"],
            r["latency_median_ms"],
            r["latency_p90_ms"],
            f"{r['throughput_windows_per_s']} ({r['batch']})",
            r["file_kib"],
            r["test_mse"],
            r["test_mae"],
            r["max_abs_diff_vs_predict"],
            f"{r['trained_on']} ({r['epochs']} ep)",
            r["load_avg"],
            r["machine"],
        ]
        for r in rows
    ]
    lines += H.markdown_table(header, body)
    commands = sorted({r["command"] for r in rows})
    lines += ["", "Commands:", "", *[f"    {c}" for c in commands], ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    items = H.parse_sets(args.set, parser)
    if any(scope for scope, _, _ in items):
        parser.error("--set here takes KEY=VALUE: every preset is a TRMForecaster")
    raw = H.set_values(items)
    args.settings = {key: H.parse_value(value) for key, value in raw.items()}
    torch.set_num_threads(1)
    started = time.perf_counter()
    load = os.getloadavg()[0]
    results = H.ResultsFile(
        args.results_dir / "onnx_latency.csv",
        FIELDS,
        key=["preset", "settings", "lookback", "horizon", "engine"],
    )
    given = sys.argv[1:] if argv is None else argv
    command = shlex.join(["python", "benchmarks/onnx_latency.py", *given])
    common = {
        "date": H.today(),
        "settings": H.settings_text(raw),
        "lookback": args.lookback,
        "horizon": args.horizon,
        "threads": 1,
        "load_avg": round(load, 2),
        "machine": H.machine(),
        "command": command,
    }
    with tempfile.TemporaryDirectory() as folder:
        for preset in args.presets:
            for row in run_preset(preset, args, Path(folder)):
                results.append({**common, **row})
    write_markdown(results, args.results_dir / "onnx_latency.md")
    print(f"machine: {H.machine()}; load average at start {load:.2f}")
    print(f"total time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
