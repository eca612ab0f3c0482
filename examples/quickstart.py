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
    parser.add_argument(
        "--quick", action="store_true", help="two epochs, no fallback (for the test suite)"
    )
    args = parser.parse_args(argv)

    series = load_co2_monthly()  # pandas Series, monthly DatetimeIndex, ships with statsmodels
    train, test = series.iloc[:-24], series.iloc[-24:]

    model = TRMForecaster(horizon=24)  # the defaults choose look-back, season and training
    if args.quick:
        model.set_params(max_epochs=2, lookback=36, fallback=False)
    model.fit(train)
    print(model.selection_.to_string(index=False))  # what fit tried, and what it chose
    print(f"lookback {model.lookback_}, period {model.period_}, {model.n_params_:,} parameters")
    if model.fallback_ is not None:
        print(f"seasonal naive beat the network on validation: forecasting by {model.fallback_}")

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
