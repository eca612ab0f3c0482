"""Compare TS-TRM with classical and linear baselines on a held-out tail, the same way for all.

Every model is evaluated by ``tsrm.backtest``: fitted once on the history before the
first cut-off, then asked to forecast ``horizon`` steps after each of the last ``n_windows``
cut-offs from the history up to it (no refit). The data are the monthly Mauna Loa CO2 record
(shipped with statsmodels, nothing is downloaded). Models: TS-TRM, seasonal naive (last year
repeated), ETS (automatic error/trend/season selection) and DLinear. The table gives MAE, RMSE
and MASE (scaled by the in-sample seasonal naive error) averaged over windows and the time
to fit and forecast; a picture shows every model's forecast of the last window.

Run: python examples/compare_baselines.py [--quick] [--output DIR]
(about a minute on a laptop CPU; ``--quick`` trains tiny networks for a few seconds.)
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no window

import pandas as pd  # noqa: E402

from tsrm import (  # noqa: E402
    ETS,
    DLinear,
    SeasonalNaive,
    TRMForecaster,  # noqa: E402
)
from tsrm.forecasting.backtesting import backtest  # noqa: E402
from tsrm.forecasting.demo import load_co2_monthly  # noqa: E402
from tsrm.forecasting.plotting import plot_forecast  # noqa: E402

SEASON = 12


def make_models(horizon: int, quick: bool) -> dict:
    epochs = 2 if quick else 30
    tiny = dict(hidden_dim=16, n_supervision=2, n_recursions=1) if quick else {}
    return {
        "TS-TRM": TRMForecaster(
            horizon=horizon, lookback=96, max_epochs=epochs, batch_size=64, verbose=False, **tiny
        ),
        "SeasonalNaive(12)": SeasonalNaive(horizon=horizon, season_length=SEASON),
        "ETS (auto)": ETS(horizon=horizon, season_length=SEASON),
        "DLinear": DLinear(
            horizon=horizon, lookback=96, max_epochs=epochs, batch_size=64, verbose=False
        ),
    }


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny networks, a few seconds")
    parser.add_argument(
        "--output", type=Path, default=None, help="folder for the PNG (default: a temp folder)"
    )
    args = parser.parse_args(argv)
    output = args.output or Path(tempfile.mkdtemp(prefix="tsrm-compare-"))
    output.mkdir(parents=True, exist_ok=True)

    series = load_co2_monthly()
    horizon, n_windows = 24, 1 if args.quick else 3
    if args.quick:
        series = series.iloc[-300:]  # ETS fits faster on 25 years than on 44
    rows, last_window = [], {}
    for name, model in make_models(horizon, args.quick).items():
        start = time.perf_counter()
        result = backtest(
            model,
            series,
            horizon=horizon,
            step=horizon,
            n_windows=n_windows,
            metrics=("mae", "rmse", "mase"),
            season_length=SEASON,
        )
        seconds = time.perf_counter() - start
        scores = result.metrics[["mae", "rmse", "mase"]].mean()
        rows.append({"model": name, **scores.round(3).to_dict(), "seconds": round(seconds, 2)})
        forecasts = result.forecasts
        final = forecasts[forecasts["window"] == n_windows - 1]
        last_window[name] = pd.Series(final["y_pred"].to_numpy(), index=final["ds"])
    table = pd.DataFrame(rows).set_index("model")
    print(f"CO2 monthly, {n_windows} window(s) of {horizon} months, fit once, no refit:\n")
    print(table.to_string(), "\n")

    actual = series.iloc[-horizon:]
    ax = plot_forecast(
        series.iloc[:-horizon],
        last_window["TS-TRM"],
        actuals=actual,
        last=4 * SEASON,
        title="CO2 (ppm): the last held-out window",
    )
    for k, name in enumerate(n for n in last_window if n != "TS-TRM"):
        forecast = last_window[name]
        ax.plot(forecast.index, forecast.to_numpy(), lw=1.0, color=f"C{k + 4}", label=name)
    ax.legend(loc="upper left", fontsize="small")
    png = output / "compare_baselines.png"
    ax.figure.savefig(png, dpi=110)
    print(f"saved {png}")
    return table


if __name__ == "__main__":
    main()
