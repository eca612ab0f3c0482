"""Forecasts stay what they were: tiny models of every neural family against recorded ones.

``reference/forecasts.npz`` holds forecasts (point, beyond the horizon, from new data,
traces, intervals, quantiles, covariates) recorded with a fixed seed, and the forecasts
of two model folders saved then (``reference/*_v1``). On the machine that recorded them
they must match to the bit; elsewhere floating-point kernels may differ in the last
bits, so they must match to float32 precision. A forecast whose intended behaviour
changed is recorded again, with ``machine_<key>`` naming the machine that did it
(``trm_default_quantiles``: level 0.5 became the point forecast).
"""

from __future__ import annotations

import platform
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from tsrm import DLinear, NLinear, PatchTST, TransformerForecaster, TRMForecaster

REFERENCE = Path(__file__).resolve().parent / "reference"
COMMON = dict(horizon=6, lookback=24, max_epochs=2, batch_size=64, verbose=False)
# The settings the forecasts were recorded with (the defaults then), spelt out.
TRM = dict(
    COMMON,
    hidden_dim=16,
    n_supervision=2,
    n_recursions=1,
    n_cycles=1,
    preset="mixer",
    loss="mse",
    learning_rate=1e-3,
    ema_decay=None,
    patience=5,
    min_epoch_steps=0,
    fallback=False,
)
BASELINES = {
    "dlinear": (DLinear, dict(kernel_size=5)),
    "nlinear": (NLinear, {}),
    "patchtst": (PatchTST, dict(d_model=16, n_heads=2, n_layers=1, d_ff=16, patch_len=8, stride=4)),
    "transformer": (
        TransformerForecaster,
        dict(d_model=16, n_heads=2, n_layers=1, d_ff=16, patch_len=8),
    ),
}


def machine() -> str:
    """What decides the last bits: architecture, CPU model and SIMD flags, torch and numpy."""
    info = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").is_file() else []

    def field(name: str) -> str:
        return next((line.split(":", 1)[1].strip() for line in info if line.startswith(name)), "")

    simd = " ".join(
        sorted(f for f in field("flags").split() if f.startswith(("avx", "fma", "sse")))
    )
    cpu = field("model name")
    return f"{platform.machine()}|{cpu}|{simd}|torch {torch.__version__}|numpy {np.__version__}"


def series(n: int = 300, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 10 + 3 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.3, n)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=n, freq="h"), name="load")


def stack(forecasts) -> np.ndarray:
    return np.stack([f.to_numpy() for f in forecasts])


def trm_forecasts(y: pd.Series) -> dict[str, np.ndarray]:
    out = {}
    m = TRMForecaster(**TRM).fit(y)
    out["trm_default"] = m.predict().to_numpy()
    out["trm_default_h14"] = m.predict(h=14).to_numpy()
    out["trm_default_trace"] = stack(m.predict(return_trace=True)[1].steps)
    out["trm_default_interval"] = stack(m.predict_interval(coverage=0.8))
    out["trm_default_quantiles"] = stack(m.predict_quantiles(quantiles=(0.1, 0.5, 0.9)).values())
    out["trm_default_newy"] = m.predict(y=series(100, 3)).to_numpy()
    m = TRMForecaster(**{**TRM, "preset": "sketch"}, halting=True).fit(y)
    forecast, trace = m.predict(return_trace=True)
    out["trm_sketch_halting"] = forecast.to_numpy()
    out["trm_sketch_halting_trace"] = stack(trace.steps)
    out["trm_sketch_halting_halted"] = trace.halted_at
    m = TRMForecaster(**TRM, quantiles=(0.1, 0.9)).fit(y)
    out["trm_quantile_net"] = m.predict().to_numpy()
    out["trm_quantile_net_q"] = stack(m.predict_quantiles(quantiles=(0.1, 0.3, 0.9)).values())
    index = pd.date_range("2024-01-01", periods=len(y) + 6, freq="h")
    X = pd.DataFrame({"temp": np.cos(np.arange(len(y) + 6) / 7.0)}, index=index)
    m = TRMForecaster(**TRM, calendar_features=("hour",)).fit(y, X=X.iloc[: len(y)])
    out["trm_covariates"] = m.predict(X=X).to_numpy()
    return out


def baseline_forecasts(y: pd.Series) -> dict[str, np.ndarray]:
    out = {}
    for name, (cls, settings) in BASELINES.items():
        m = cls(**COMMON, **settings).fit(y)
        out[name] = m.predict(h=9).to_numpy()
        out[name + "_interval"] = stack(m.predict_interval())
    return out


@pytest.fixture(scope="module")
def recorded() -> dict[str, np.ndarray]:
    return dict(np.load(REFERENCE / "forecasts.npz"))


def check(got: np.ndarray, expected: np.ndarray, same_machine: bool) -> None:
    if same_machine:
        np.testing.assert_array_equal(got, expected)
    else:
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)


def test_forecasts_match_the_recorded_ones(recorded):
    y = series()
    got = {**trm_forecasts(y), **baseline_forecasts(y)}
    for key, value in got.items():
        # A forecast recorded again later names the machine it was recorded on.
        recorder = recorded.get(f"machine_{key}", recorded["machine"])
        check(value, recorded[key], str(recorder) == machine())


@pytest.mark.parametrize("name, cls", [("trm", TRMForecaster), ("dlinear", DLinear)])
def test_model_folders_saved_before_still_load_and_forecast_alike(recorded, name, cls):
    model = cls.load(REFERENCE / f"{name}_v1")
    check(
        model.predict().to_numpy(),
        recorded[f"saved_{name}_v1"],
        str(recorded["machine"]) == machine(),
    )
