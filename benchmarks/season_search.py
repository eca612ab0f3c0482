"""Does the season search for data without a calendar find what the calendar finds?

``period="auto"`` has two paths (``tsrm.forecasting.series.season.detect_season``): with
dates, the index frequency proposes seasons and M4's test keeps one; without them (numpy
arrays, an integer index) the season is searched for in the autocorrelations. This script
runs both on the *training part* of each data set (LTSF: the standard train split; M4 / M3:
the train part of every series), once with the dates and once as integer-indexed data, and
records whether they agree. It reads no test data and trains nothing.

Example::

    python benchmarks/season_search.py --data-dir ../shared/data

Appends a row per data set to ``benchmarks/results/season_search.csv``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import _harness as H
import pandas as pd

from tsrm.forecasting.datasets import load_dataset
from tsrm.forecasting.datasets.protocol import split_boundaries
from tsrm.forecasting.series.panel import to_panel
from tsrm.forecasting.series.season import detect_season

DATASETS = (
    "M4-Hourly", "M4-Weekly", "M3-Monthly", "M3-Quarterly",
    "ETTh1", "ETTh2", "ETTm1", "ETTm2", "Weather", "Exchange", "ILI",
)  # fmt: skip
FIELDS = ["date", "dataset", "n_series", "calendar", "searched", "agree", "seconds"]
FIELDS += ["git_commit", "machine", "command"]
KEY = ["dataset", "git_commit"]


def training_long(name: str, data_dir: str | Path) -> tuple[pd.DataFrame, str]:
    """The training part as a long frame (``unique_id``, ``ds`` as a step count, ``y``) and
    the data set's frequency."""
    data = load_dataset(name, data_dir=data_dir)
    if hasattr(data, "train"):  # a panel of series, each with its own train part
        long = data.train[["unique_id", "y"]].copy()
    else:
        n_train = split_boundaries(data.info, len(data.frame), 1).train[1]
        wide = data.frame.iloc[:n_train].reset_index(drop=True)
        long = wide.melt(var_name="unique_id", value_name="y", ignore_index=False)
    long["ds"] = long.groupby("unique_id", sort=False).cumcount()
    return long[["unique_id", "ds", "y"]], data.info.freq


def dated(long: pd.DataFrame, freq: str) -> pd.DataFrame:
    """The same frame with calendar dates of frequency ``freq`` in place of step counts."""
    steps = pd.date_range("2000-01-01", periods=int(long["ds"].max()) + 1, freq=freq)
    return long.assign(ds=steps[long["ds"].to_numpy()])


def run(name: str, data_dir: str | Path) -> dict:
    long, freq = training_long(name, data_dir)
    start = time.perf_counter()
    calendar = detect_season(to_panel(dated(long, freq)))
    searched = detect_season(to_panel(long))
    seconds = time.perf_counter() - start
    return {
        "dataset": name,
        "n_series": long["unique_id"].nunique(),
        "calendar": calendar,
        "searched": searched,
        "agree": abs(searched - calendar) <= max(1, 0.02 * calendar),
        "seconds": round(seconds, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", nargs="+", default=list(DATASETS), metavar="NAME")
    parser.add_argument("--data-dir", help="default ../shared/data")
    parser.add_argument("--results-dir", type=Path, default=H.RESULTS_DIR)
    args = parser.parse_args(argv)
    results = H.ResultsFile(args.results_dir / "season_search.csv", FIELDS, KEY)
    machine, commit = H.machine(), H.git_commit()
    command = H.command("season_search.py", [("--data-dir", args.data_dir)])
    data_dir = args.data_dir or H.DEFAULT_DATA_DIR
    agreed = 0
    for name in args.dataset:
        row = {"date": H.today(), **run(name, data_dir)}
        row.update(git_commit=commit, machine=machine, command=command)
        results.append(row)
        agreed += row["agree"]
        print(f"{name:13s} series={row['n_series']:5d} calendar={row['calendar']:4d} "
              f"searched={row['searched']:4d} {'agree' if row['agree'] else 'DIFFER'}",
              flush=True)  # fmt: skip
    print(f"{agreed} of {len(args.dataset)} agree; rows in {results.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
