"""Quickstart: fit TS-TRM on a monthly series, forecast, look at the refinement trace, save.

Run: python examples/quickstart.py  (about half a minute on a laptop CPU; --quick: seconds)
"""

from __future__ import annotations

import argparse
import tempfile

from tsrm import TRMForecaster
from tsrm.forecasting.demo import load_co2_monthly
from tsrm.forecasting.metrics import mae


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two epochs (for the test suite)")
    args = parser.parse_args(argv)

    series = load_co2_monthly()  # pandas Series, monthly DatetimeIndex, ships with statsmodels
    train, test = series.iloc[:-24], series.iloc[-24:]

    epochs = 2 if args.quick else 30
    model = TRMForecaster(horizon=24, lookback=96, max_epochs=epochs, batch_size=64, verbose=False)
    model.fit(train)
    print(f"{model.n_params_:,} parameters, best epoch {model.history_['best_epoch']}")

    forecast, trace = model.predict(return_trace=True)
    print(forecast.head())
    for step, f in enumerate(trace.steps, start=1):
        print(f"after supervision step {step}: MAE {mae(test, f):.3f} ppm")

    # Forecast from any new history without refitting: here, one year earlier.
    earlier = model.predict(y=train.iloc[:-12])
    print("forecast from a year earlier starts at", earlier.index[0].date())

    with tempfile.TemporaryDirectory() as folder:
        model.save(folder)
        reloaded = TRMForecaster.load(folder)
        assert reloaded.predict().equals(forecast)
        print("saved and reloaded: identical forecast")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
