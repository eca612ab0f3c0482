"""Fit and forecast time of TS-TRM's defaults by torch thread count, idle and with a busy core.

The default ``n_threads=1`` rests on this: for networks this small a second thread
gains little on an idle CPU and costs much when another process holds a core. Each cell
fits ``TRMForecaster(horizon=24, lookback=96, max_epochs=EPOCHS)`` on a 2,000-point
hourly series and times 50 single forecasts; "busy" runs a CPU-bound process beside it
(one per core but one).

Example::

    python benchmarks/threads.py --threads 1 2

Appends rows to benchmarks/results/threads.csv.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _harness import ResultsFile, git_commit, machine, today

from tsrm import TRMForecaster

FIELDS = ["date", "load", "threads", "epochs", "fit_s", "predict_median_ms", "predict_p90_ms"]
FIELDS += ["git_commit", "machine", "command"]
KEY = ["load", "threads", "epochs"]


def series(n: int = 2000) -> pd.Series:
    rng = np.random.default_rng(0)
    t = np.arange(n)
    values = 10 + 3 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.3, n)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=n, freq="h"))


def _spin() -> None:  # pragma: no cover - runs in a child process
    while True:
        pass


def time_cell(threads: int, epochs: int) -> tuple[float, float, float]:
    y = series()
    start = time.perf_counter()
    model = TRMForecaster(horizon=24, lookback=96, max_epochs=epochs, verbose=False)
    model.set_params(n_threads=threads).fit(y)
    fit = time.perf_counter() - start
    times = []
    for _ in range(50):
        start = time.perf_counter()
        model.predict()
        times.append(time.perf_counter() - start)
    ms = np.array(times) * 1e3
    return fit, float(np.median(ms)), float(np.percentile(ms, 90))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument(
        "--results", type=Path, default=Path(__file__).parent / "results" / "threads.csv"
    )
    args = parser.parse_args(argv)
    results = ResultsFile(args.results, FIELDS, KEY)
    command = "python benchmarks/threads.py " + " ".join(argv or sys.argv[1:])
    for load in ("idle", "busy"):
        n_busy = max(1, (os.cpu_count() or 2) - 1) if load == "busy" else 0
        spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(n_busy)]
        for spinner in spinners:
            spinner.start()
        try:
            for threads in args.threads:
                fit, med, p90 = time_cell(threads, args.epochs)
                row = dict(date=today(), load=load, threads=threads, epochs=args.epochs)
                row.update(fit_s=round(fit, 2), predict_median_ms=round(med, 2))
                row.update(predict_p90_ms=round(p90, 2), git_commit=git_commit())
                row.update(machine=machine(), command=command)
                results.append(row)
                print(f"RESULT load={load} threads={threads} fit_s={fit:.2f} ", end="")
                print(f"predict_median_ms={med:.2f} predict_p90_ms={p90:.2f}")
        finally:
            for spinner in spinners:
                spinner.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
