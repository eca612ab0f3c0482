"""IoT sensor forecasting from a raw, irregular log: resample, fit, forecast with an interval, plot.

A room sensor reports temperature and humidity about every 5 minutes. As real devices do, it
reports late or early (jittered timestamps), sometimes twice, sometimes not at all, and once
went offline for 90 minutes. The example

1. generates such a raw event log (time, sensor, value), one row per reading;
2. puts it on a regular 5-minute grid with ``resample_log`` (readings averaged per bin, empty
   bins interpolated, at most 2 hours filled in a row);
3. fits TS-TRM on all but the last 3 hours and forecasts them with a 90 % conformal interval;
4. saves two pictures: the forecast with its interval and the actual values, and the
   forecast after each refinement step of the model.

Run: python examples/iot_sensor.py [--quick] [--output DIR]
(about a minute on a laptop CPU; ``--quick`` trains a tiny model for a few seconds.)
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no window

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from tsrm import TRMForecaster  # noqa: E402
from tsrm.forecasting.datasets import resample_log  # noqa: E402
from tsrm.forecasting.plotting import plot_forecast, plot_refinement  # noqa: E402

STEP = pd.Timedelta("5min")


def make_raw_log(days: int, seed: int = 0) -> pd.DataFrame:
    """A messy two-sensor log: jittered timestamps, dropped and repeated readings, one outage."""
    rng = np.random.default_rng(seed)
    nominal = pd.date_range("2024-03-04", periods=days * 288, freq=STEP)
    hours = (nominal - nominal[0]) / pd.Timedelta("1h")
    weekend = np.asarray(nominal.day_of_week >= 5, dtype=float)
    drift = np.cumsum(rng.normal(0.0, 0.03, len(nominal)))  # slow weather-driven wander
    signals = {
        "temperature": 21.0
        + 2.0 * np.sin(2 * np.pi * (hours - 9) / 24)
        - 1.0 * weekend
        + 0.3 * (drift - drift.mean()),
        "humidity": 45.0 - 6.0 * np.sin(2 * np.pi * (hours - 11) / 24) + 0.5 * drift,
    }
    outage = (nominal >= nominal[0] + pd.Timedelta(days=1, hours=14)) & (
        nominal < nominal[0] + pd.Timedelta(days=1, hours=15, minutes=30)
    )
    parts = []
    for sensor, clean in signals.items():
        noise = {"temperature": 0.15, "humidity": 0.6}[sensor]
        jitter = pd.to_timedelta(np.clip(rng.normal(0, 40, len(nominal)), -110, 110), unit="s")
        keep = (rng.random(len(nominal)) > 0.06) & ~outage  # 6 % of readings never arrive
        keep[:3] = keep[-3:] = True  # the log starts and ends with readings of both sensors
        again = keep & (rng.random(len(nominal)) < 0.03)  # ... and 3 % arrive twice
        times = (nominal + jitter)[keep].append((nominal + jitter + pd.Timedelta("7s"))[again])
        values = clean + rng.normal(0, noise, len(nominal))
        readings = np.concatenate([values[keep], values[again] + rng.normal(0, noise, again.sum())])
        parts.append(pd.DataFrame({"time": times, "sensor": sensor, "value": readings}))
    return pd.concat(parts, ignore_index=True).sort_values("time", ignore_index=True)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny model, a few seconds")
    parser.add_argument(
        "--output", type=Path, default=None, help="folder for the PNGs (default: a temp folder)"
    )
    args = parser.parse_args(argv)
    output = args.output or Path(tempfile.mkdtemp(prefix="tsrm-iot-"))
    output.mkdir(parents=True, exist_ok=True)

    raw = make_raw_log(days=6 if args.quick else 21)
    print(f"raw log: {len(raw)} readings, e.g.\n{raw.head(4).to_string(index=False)}\n")

    log = resample_log(raw, freq="5min", agg="mean", gaps="interpolate", max_gap=24)
    print(log.summary(), "\n")
    data = log.data  # wide frame: one column per sensor on a regular 5-minute index

    horizon = 12 if args.quick else 36  # 1 h / 3 h ahead
    train, actual = data.iloc[:-horizon], data.iloc[-horizon:]
    settings = (
        dict(lookback=96, hidden_dim=16, n_supervision=3, n_recursions=1, max_epochs=3)
        if args.quick
        else dict(lookback=288, max_epochs=20, patience=4)  # one day of history per forecast
    )
    model = TRMForecaster(horizon=horizon, batch_size=128, verbose=False, **settings)
    model.fit(train)  # the last 20 % of each series early-stops and calibrates the intervals

    forecast, trace = model.predict(return_trace=True)
    lower, upper = model.predict_interval(coverage=0.9)
    inside = ((actual >= lower) & (actual <= upper)).to_numpy().mean()
    error = (forecast - actual).abs().mean()
    print(f"mean absolute error over the last {horizon} steps:\n{error.round(3).to_string()}")
    print(f"actual values inside the 90 % interval: {inside:.0%}\n")

    sensor = "temperature"
    ax = plot_forecast(
        train,
        forecast,
        actuals=actual,
        interval=(lower, upper),
        series=sensor,
        last=3 * horizon,
        title=f"{sensor}: forecast with a 90 % conformal interval",
    )
    ax.set_ylabel("degrees C")
    forecast_png = output / "iot_forecast.png"
    ax.figure.savefig(forecast_png, dpi=110)

    ax = plot_refinement(trace, history=train, actuals=actual, series=sensor, last=3 * horizon)
    refinement_png = output / "iot_refinement.png"
    ax.figure.savefig(refinement_png, dpi=110)
    print(f"saved {forecast_png} and {refinement_png}")
    return {"coverage": float(inside), "pngs": [forecast_png, refinement_png], "log": log}


if __name__ == "__main__":
    main()
