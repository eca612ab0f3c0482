"""``tsrm demo``: TS-TRM against seasonal naive and seasonal ARIMA on a real series.

The data is the Mauna Loa CO2 record shipped inside statsmodels (weekly,
1958-2001), averaged to months; no download is needed. The last ``horizon``
months are held out and every model forecasts them from the rest.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from tsrm import ARIMA, SeasonalNaive, TRMForecaster
from tsrm.forecasting.metrics import mae, mase


def load_co2_monthly() -> pd.Series:
    """Monthly mean CO2 (ppm) at Mauna Loa, 1958-03 .. 2001-12; 5 empty months interpolated."""
    import statsmodels.api as sm

    weekly = sm.datasets.co2.load_pandas().data["co2"]
    monthly = weekly.resample("MS").mean().interpolate("time")
    monthly.name = "co2"
    return monthly


def run_demo(
    horizon: int = 24, max_epochs: int | None = None, seed: int = 0, verbose: bool = False
) -> pd.DataFrame:
    """Fit the three models and return the comparison table (one row per model).

    TS-TRM runs with its defaults (``max_epochs`` overrides one, for quick checks); what
    its ``fit`` chose is the table's ``attrs["selection"]`` (its ``selection_``).
    """
    series = load_co2_monthly()
    train, test = series.iloc[:-horizon], series.iloc[-horizon:]
    season = 12
    tsrm = TRMForecaster(horizon=horizon, random_state=seed, verbose=verbose)
    if max_epochs is not None:
        tsrm.set_params(max_epochs=max_epochs)
    models = {
        "TS-TRM": tsrm,
        "SeasonalNaive(12)": SeasonalNaive(horizon=horizon, season_length=season),
        "ARIMA(1,1,1)(0,1,1,12)": ARIMA(
            horizon=horizon, order=(1, 1, 1), seasonal_order=(0, 1, 1, season)
        ),
    }
    rows = []
    for name, model in models.items():
        start = time.perf_counter()
        model.fit(train)
        fit_s = time.perf_counter() - start
        forecast = model.predict()
        if not forecast.index.equals(test.index):
            raise AssertionError(f"{name} returned an index unlike the test months")
        rows.append(
            {
                "model": name,
                "MAE": mae(test.values, forecast.values),
                "MASE": mase(test.values, forecast.values, train.values, season),
                "params": _n_params(model),
                "fit_s": fit_s,
            }
        )
    table = pd.DataFrame(rows)
    table.attrs["selection"] = tsrm.selection_
    return table


def _n_params(model) -> int:
    if hasattr(model, "n_params_"):
        return int(model.n_params_)
    if hasattr(model, "results_"):
        return int(np.mean([len(r.params) for r in model.results_]))
    return 0


def format_table(table: pd.DataFrame) -> str:
    lines = [f"{'model':<24} {'MAE':>8} {'MASE':>8} {'params':>9} {'fit_s':>8}"]
    for row in table.itertuples(index=False):
        lines.append(
            f"{row.model:<24} {row.MAE:>8.3f} {row.MASE:>8.3f} {row.params:>9,d} {row.fit_s:>8.2f}"
        )
    selection = table.attrs.get("selection")
    if selection is not None:
        chosen = selection[selection["chosen"]].iloc[0]
        scored = selection[selection["val_mse"].notna()]
        tried = ", ".join(
            f"{r.candidate} L={int(r.lookback)}: {r.val_mse:.4f}" for r in scored.itertuples()
        )
        lines.append(
            f"TS-TRM's fit chose the {chosen.candidate} at lookback {int(chosen.lookback)}, "
            f"period {int(chosen.period)} (validation MSE: {tried})."
        )
    return "\n".join(lines)
