"""Defaults on real series outside the benchmark sets: TS-TRM against AutoETS and seasonal naive.

Every series ships inside statsmodels or sktime (nothing is downloaded). Each one's last
``h`` points are the test part; every model sees only the points before them, and TS-TRM
runs with its defaults: ``TRMForecaster(horizon=h)``. ETS searches its forms
automatically at the season length of the series' calendar (1 where it has none), the
same season seasonal naive and the MASE scale use. The summary is the geometric mean of
MASE over the series, per model.

These series were never used to choose a setting: run this to check a change, not to
tune one.

Example::

    python benchmarks/check_set.py                 # every series, every model
    python benchmarks/check_set.py --series airline --model tsrm

Appends rows to benchmarks/results/check_set.csv (with the git commit and machine) and
rewrites benchmarks/results/check_set.md from its latest rows.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from _harness import (
    RESULTS_DIR,
    ResultsFile,
    geometric_mean,
    git_commit,
    machine,
    markdown_table,
    timed_fit_predict,
    today,
)

from tsrm import ETS, SeasonalNaive, TRMForecaster
from tsrm.forecasting.metrics import mae, mase

FIELDS = [
    "date",
    "series",
    "freq",
    "n",
    "h",
    "season",
    "model",
    "mase",
    "mae",
    "fit_s",
    "lookback",
    "period",
    "seed",
    "git_commit",
    "machine",
    "command",
]
KEY = ["series", "model"]


def _sktime(name: str) -> pd.Series:
    from sktime import datasets

    return getattr(datasets, name)()


def _statsmodels(module: str, column: str) -> pd.DataFrame:
    import importlib

    return importlib.import_module(f"statsmodels.datasets.{module}").load_pandas().data[column]


def _monthly(values: pd.Series, start: str) -> pd.Series:
    index = pd.period_range(start, periods=len(values), freq="M")
    return pd.Series(np.asarray(values, dtype=float), index=index)


def _quarterly(values: pd.Series, start: str) -> pd.Series:
    index = pd.period_range(start, periods=len(values), freq="Q")
    return pd.Series(np.asarray(values, dtype=float), index=index)


def _yearly(values: pd.Series, start: int) -> pd.Series:
    index = pd.period_range(str(start), periods=len(values), freq="Y")
    return pd.Series(np.asarray(values, dtype=float), index=index)


def _integer(values: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(values, dtype=float))


def _sktime_csv(folder: str, column: str) -> pd.Series:
    import sktime

    path = Path(sktime.__file__).parent / "datasets" / "data" / folder / f"{folder}.csv"
    return pd.read_csv(path)[column]


def _solar() -> pd.Series:
    import sktime

    path = Path(sktime.__file__).parent / "datasets" / "data" / "solar" / "solar.csv"
    frame = pd.read_csv(path)
    index = pd.DatetimeIndex(pd.to_datetime(frame["datetime_gmt"], utc=True)).tz_localize(None)
    return pd.Series(
        frame["solar_gen"].to_numpy(float), index=pd.DatetimeIndex(index, freq="30min")
    )


def _elnino() -> pd.Series:
    from statsmodels.datasets import elnino

    wide = elnino.load_pandas().data.set_index("YEAR")
    return _monthly(wide.to_numpy().ravel(), f"{int(wide.index[0])}-01")


def _airline() -> pd.Series:
    y = _sktime("load_airline")
    return _monthly(y, str(y.index[0]))


# name -> (loader, horizon, frequency, season of the calendar for ETS / naive / MASE).
# Not here: sktime's PBS scripts series, whose last 30 months are all zero (any forecast of
# zero scores MASE 0, which no geometric mean survives).
SERIES: dict[str, tuple[Callable[[], pd.Series], int, str, int]] = {
    "airline": (_airline, 12, "monthly", 12),
    "shampoo": (lambda: _monthly(_sktime("load_shampoo_sales"), "2001-01"), 6, "monthly", 12),
    "seatbelts": (lambda: _monthly(_sktime_csv("seatbelts", "KSI"), "1969-01"), 12, "monthly", 12),
    "elec_equip": (
        lambda: _monthly(_statsmodels("elec_equip", "STS.M.I7.W.TOVT.NS0016.4.000"), "1995-01"),
        12,
        "monthly",
        12,
    ),
    "elnino": (_elnino, 12, "monthly", 12),
    "us_gdp": (
        lambda: _quarterly(_statsmodels("macrodata", "realgdp"), "1959Q1"),
        8,
        "quarterly",
        4,
    ),
    "us_cpi": (lambda: _quarterly(_statsmodels("macrodata", "cpi"), "1959Q1"), 8, "quarterly", 4),
    "us_unemp": (
        lambda: _quarterly(_statsmodels("macrodata", "unemp"), "1959Q1"),
        8,
        "quarterly",
        4,
    ),
    "us_consumption": (
        lambda: _quarterly(_sktime("load_uschange")[0], "1970Q1"),
        8,
        "quarterly",
        4,
    ),
    "nile": (lambda: _yearly(_statsmodels("nile", "volume"), 1871), 10, "yearly", 1),
    "sunspots": (lambda: _yearly(_statsmodels("sunspots", "SUNACTIVITY"), 1700), 11, "yearly", 1),
    "lynx": (lambda: _yearly(_sktime("load_lynx"), 1821), 8, "yearly", 1),
    "solar": (_solar, 48, "half-hourly", 48),
    "ecg": (lambda: _integer(_sktime_csv("mitdb", "data")), 36, "integer (ECG)", 1),
    "yahoo": (lambda: _integer(_sktime_csv("yahoo", "data")), 24, "integer (web traffic)", 1),
}

MODELS = ("tsrm", "ets", "seasonal_naive")


def make_model(name: str, h: int, season: int, seed: int):
    if name == "tsrm":
        return TRMForecaster(horizon=h, random_state=seed)
    if name == "ets":
        return ETS(horizon=h, season_length=season)
    return SeasonalNaive(horizon=h, season_length=season)


def run_cell(series: str, model: str, seed: int) -> dict:
    load, h, freq, season = SERIES[series]
    y = load()
    train, test = y.iloc[:-h], y.iloc[-h:].to_numpy()
    estimator = make_model(model, h, season, seed)
    forecast, fit_s = timed_fit_predict(estimator, train)
    return {
        "series": series,
        "freq": freq,
        "n": len(y),
        "h": h,
        "season": season,
        "model": model,
        "mase": round(mase(test, forecast, train.to_numpy(), season_length=season), 4),
        "mae": round(mae(test, forecast), 4),
        "fit_s": round(fit_s, 2),
        "lookback": getattr(estimator, "lookback_", ""),
        "period": getattr(estimator, "period_", ""),
        "seed": seed if model == "tsrm" else "",
    }


def summary(rows: list[dict]) -> list[str]:
    """The Markdown report: every series' MASE per model, then geometric means."""
    table = {(r["series"], r["model"]): r for r in rows}
    names = [s for s in SERIES if any((s, m) in table for m in MODELS)]
    body = []
    for s in names:
        cells = [table.get((s, m), {}).get("mase", "") for m in MODELS]
        tsrm = table.get((s, "tsrm"), {})
        body.append(
            [
                s,
                SERIES[s][2],
                SERIES[s][1],
                *cells,
                tsrm.get("lookback", ""),
                tsrm.get("period", ""),
                tsrm.get("fit_s", ""),
            ]
        )
    complete = [s for s in names if all((s, m) in table for m in MODELS)]
    lines = ["# Defaults on the check set (real series outside the benchmark sets)", ""]
    lines.append(
        "Generated by `python benchmarks/check_set.py`; each row of `check_set.csv` holds "
        "its command, machine, date and git commit. MASE on the last `h` points."
    )
    lines += [
        "",
        *markdown_table(
            [
                "series",
                "frequency",
                "h",
                "TS-TRM",
                "AutoETS",
                "seasonal naive",
                "TS-TRM lookback_",
                "period_",
                "TS-TRM fit_s",
            ],
            body,
        ),
    ]
    lines.append("")
    for m in MODELS:
        scores = [float(table[(s, m)]["mase"]) for s in complete]
        if scores:
            geo = geometric_mean(scores)
            lines.append(f"- {m}: geometric mean MASE {geo:.3f} over {len(scores)} series")
    for rival in ("ets", "seasonal_naive"):
        wins = sum(
            float(table[(s, "tsrm")]["mase"]) < float(table[(s, rival)]["mase"]) for s in complete
        )
        lines.append(f"- TS-TRM beats {rival} on {wins} of {len(complete)} series")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", nargs="+", default=list(SERIES), choices=list(SERIES))
    parser.add_argument("--model", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    args = parser.parse_args(argv)
    results = ResultsFile(args.results_dir / "check_set.csv", FIELDS, KEY)
    command = "python benchmarks/check_set.py " + " ".join(sys.argv[1:] if argv is None else argv)
    for series in args.series:
        for model in args.model:
            row = run_cell(series, model, args.seed)
            row.update(date=today(), git_commit=git_commit(), machine=machine(), command=command)
            results.append(row)
            print(
                f"{series:15s} {model:15s} MASE {row['mase']:.3f}  fit {row['fit_s']:.1f} s "
                f"L={row['lookback']} p={row['period']}",
                flush=True,
            )
    report = summary(results.latest())
    (args.results_dir / "check_set.md").write_text("\n".join(report) + "\n")
    print("\n".join(report[-5:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
