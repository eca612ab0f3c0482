"""A fleet of sensors on disk: fit one global TS-TRM from Parquet, forecast every series.

``write`` generates ``--series`` hourly series of ``--points`` float32 values (daily and
weekly seasonality, a trend, noise, and gaps of missing values) into a directory of long
Parquet files, 10,000 series per file, a file at a time. ``run`` then, one step at a time
on this machine:

1. fits ``TRMForecaster`` on the directory (the path, never a DataFrame in memory), with
   the settings printed in the row: the defaults except those a fleet needs named (see
   ``SETTINGS``), and records the fit time and the process's peak memory;
2. forecasts every series from its history in the files directly
   (``model.predict(y=directory)`` in this process, one thread), series per second;
3. forecasts the same series through Dask on a local cluster of ``--workers`` processes
   (one thread each), reading the files with ``dd.read_parquet`` (a partition per file,
   whole series each, so no shuffle), series per second, and checks both give the same
   forecasts.

``compare`` puts TS-TRM beside neuralforecast's NHITS (``pip install neuralforecast``; it
is not a tsrm dependency) in one run, on the first ``--series`` series of the fleet read
into one in-memory long frame: each library fits on every series but its last ``horizon``
points (NHITS: neuralforecast's defaults but ``input_size`` = TS-TRM's look-back and
``max_steps``; missing values go to it as ``available_mask`` 0, its way of masking them),
then forecasts every series from that history (``predict(y=...)`` / ``predict(df=...)``),
timed, one torch thread each; MAE on the held-out points. Rows go to
benchmarks/results/fleet_compare.csv.

Example::

    python benchmarks/fleet.py write --series 100000 --points 1000 --out /tmp/fleet
    python benchmarks/fleet.py run --data /tmp/fleet
    python benchmarks/fleet.py run --data /tmp/fleet --defaults   # TRMForecaster(horizon=24)
    python benchmarks/fleet.py compare --data /tmp/fleet --series 20000

Appends a row to benchmarks/results/fleet.csv (``run``) or rows to fleet_compare.csv.
"""

from __future__ import annotations

import argparse
import logging
import resource
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import ResultsFile, command, git_commit, machine, settings_text, today  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
PER_FILE = 10_000
FIELDS = ["date", "series", "points", "data_mb", "settings", "fit_s", "peak_rss_mb",
          "peak_anon_mb",
          "direct_series_per_s", "dask_series_per_s", "dask_over_direct", "workers",
          "same_forecasts", "seed", "git_commit", "machine", "command"]  # fmt: skip
#: The defaults, except: a fixed look-back (the automatic search would train several
#: networks), no seasonal-naive check (it forecasts every validation window of every
#: series), and epochs of 500 random batches with validation on 20 batches (an epoch
#: would otherwise be every window of every series: tens of millions).
SETTINGS = dict(
    horizon=24, lookback=96, fallback=False, random_state=0,
    trainer_kwargs={"limit_train_batches": 500, "limit_val_batches": 20},
)  # fmt: skip


def write(out: Path, n_series: int, points: int, seed: int) -> None:
    """The fleet as long Parquet files of ``PER_FILE`` series each."""
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2024-01-01", periods=points, freq="h")
    t = np.arange(points)
    for k, first in enumerate(range(0, n_series, PER_FILE)):
        n = min(PER_FILE, n_series - first)
        level = rng.uniform(10, 1000, (n, 1))
        phase = rng.integers(0, 24, (n, 1))
        y = level * (
            1
            + 0.2 * rng.uniform(0.2, 1, (n, 1)) * np.sin(2 * np.pi * (t + phase) / 24)
            + 0.1 * rng.uniform(0, 1, (n, 1)) * np.sin(2 * np.pi * t / 168)
            + rng.normal(0, 1e-4, (n, 1)) * t
            + rng.normal(0, 0.03, (n, points))
        )
        for row in np.flatnonzero(rng.random(n) < 0.3):  # a gap in 30 % of the series
            start = rng.integers(0, points - 48)
            y[row, start : start + rng.integers(1, 48)] = np.nan
        frame = pd.DataFrame({
            "unique_id": np.repeat([f"s{first + i:06d}" for i in range(n)], points),
            "ds": np.tile(ds, n),
            "y": y.astype(np.float32).ravel(),
        })  # fmt: skip
        # Row groups of whole series: Dask may make a partition of each.
        frame.to_parquet(out / f"part-{k:03d}.parquet", row_group_size=250 * points)
        print(f"wrote {out / f'part-{k:03d}.parquet'} ({n} series)", flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


class PeakAnon(threading.Thread):
    """The largest anonymous resident memory (RssAnon) seen, sampled every 0.2 s: the
    memory only the process holds, without file pages the kernel may evict (the
    memory-mapped values of a Parquet fit)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_mb, self.done = 0.0, threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            with open("/proc/self/status") as fh:
                anon = int(fh.read().split("RssAnon:")[1].split()[0]) / 1024
            self.peak_mb = max(self.peak_mb, anon)


#: ``run --defaults``: what a user who names only the horizon gets.
DEFAULTS = dict(horizon=24)


def run(data: Path, workers: int, results: Path, settings: dict) -> None:
    import dask.dataframe as dd
    import pyarrow.parquet as pq
    import torch
    from dask.distributed import Client, LocalCluster

    from tsrm import TRMForecaster
    from tsrm.forecasting.distributed import forecast

    logging.getLogger("distributed").setLevel(logging.ERROR)
    torch.set_num_threads(1)
    files = sorted(data.glob("*.parquet"))
    anon = PeakAnon()
    anon.start()
    start = time.perf_counter()
    model = TRMForecaster(**settings).fit(data)
    fit_s = time.perf_counter() - start
    peak = peak_rss_mb()
    anon.done.set()
    n_series = len(model.context_.ids)
    print(f"fit {fit_s:.1f} s, peak RSS {peak:.0f} MB (anonymous {anon.peak_mb:.0f} MB)")

    points = sum(pq.ParquetFile(f).metadata.num_rows for f in files) // n_series
    start = time.perf_counter()
    direct = model.predict(y=data)  # the same files, read the same way as fit read them
    direct_s = time.perf_counter() - start
    print(f"direct {n_series / direct_s:.0f} series/s", flush=True)

    with LocalCluster(
        n_workers=workers, threads_per_worker=1, dashboard_address=None,
        silence_logs=logging.ERROR,
    ) as cluster, Client(cluster) as client:  # fmt: skip
        client.run(lambda: __import__("tsrm.forecasting.models.trm.estimator"))  # warm imports
        lazy = forecast(model, dd.read_parquet([str(f) for f in files]), shuffle=False)
        start = time.perf_counter()
        through_dask = lazy.compute()
        dask_s = time.perf_counter() - start
    print(f"dask {n_series / dask_s:.0f} series/s", flush=True)
    key = ["unique_id", "ds"]
    a = direct.sort_values(key).reset_index(drop=True)
    b = through_dask.astype({"unique_id": object}).sort_values(key).reset_index(drop=True)
    same = bool(np.array_equal(a["y"].to_numpy(), b["y"].to_numpy()))
    row = {
        "date": today(), "series": n_series, "points": points,
        "data_mb": round(sum(f.stat().st_size for f in files) / 2**20, 1),
        "settings": settings_text(settings) + f"; lookback_={model.lookback_}; "
        f"epochs={len(model.history_['train_loss'])}", "fit_s": round(fit_s, 1),
        "peak_rss_mb": round(peak), "peak_anon_mb": round(anon.peak_mb),
        "direct_series_per_s": round(n_series / direct_s),
        "dask_series_per_s": round(n_series / dask_s),
        "dask_over_direct": round(dask_s / direct_s, 2), "workers": workers,
        "same_forecasts": same, "seed": 0, "git_commit": git_commit(), "machine": machine(),
        "command": command("fleet.py", [("run", True), ("--data", data),
                                        ("--workers", workers),
                                        ("--defaults", settings is DEFAULTS)]),
    }  # fmt: skip
    ResultsFile(results / "fleet.csv", FIELDS, ["series", "points"]).append(row)
    print(" ".join(f"{k}={v}" for k, v in row.items() if k not in ("machine", "command")))


COMPARE_FIELDS = ["date", "series", "points", "library", "model", "settings", "fit_s",
                  "predict_s", "series_per_s", "mae", "seed", "versions", "git_commit",
                  "machine", "command"]  # fmt: skip


def _first_series(data: Path, n_series: int) -> pd.DataFrame:
    """The first ``n_series`` series of the fleet as one long frame, float32 ``y``."""
    frames, have = [], 0
    for f in sorted(data.glob("*.parquet")):
        frame = pd.read_parquet(f)
        ids = frame["unique_id"].unique()[: n_series - have]
        frames.append(frame[frame["unique_id"].isin(ids)])
        have += len(ids)
        if have == n_series:
            break
    return pd.concat(frames, ignore_index=True)


def _held_out(frame: pd.DataFrame, h: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Every series less its last ``h`` rows, and those rows' values (series by series)."""
    last = frame.groupby("unique_id", sort=False).cumcount(ascending=False) < h
    return frame[~last].reset_index(drop=True), frame.loc[last, "y"].to_numpy(np.float64)


def _mae(forecast: np.ndarray, truth: np.ndarray) -> float:
    observed = ~np.isnan(truth)
    return float(np.abs(forecast[observed] - truth[observed]).mean())


def _tsrm_side(history: pd.DataFrame) -> tuple[dict, np.ndarray]:
    from tsrm import TRMForecaster

    start = time.perf_counter()
    model = TRMForecaster(**SETTINGS).fit(history)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    forecast = model.predict(y=history)
    predict_s = time.perf_counter() - start
    settings = settings_text(SETTINGS) + f"; epochs={len(model.history_['train_loss'])}"
    return {"library": "tsrm", "model": "TRMForecaster", "settings": settings,
            "fit_s": fit_s, "predict_s": predict_s}, forecast["y"].to_numpy()  # fmt: skip


def _neuralforecast_side(history: pd.DataFrame, max_steps: int) -> tuple[dict, np.ndarray]:
    from neuralforecast import NeuralForecast
    from neuralforecast.models import NHITS

    missing = history["y"].isna()
    frame = history.assign(
        y=history["y"].fillna(0.0).astype(np.float64),
        available_mask=(~missing).astype(np.float64),
    )
    settings = dict(h=SETTINGS["horizon"], input_size=SETTINGS["lookback"],
                    max_steps=max_steps, random_seed=0)  # fmt: skip
    model = NHITS(**settings, accelerator="cpu", enable_progress_bar=False, logger=False,
                  enable_model_summary=False)  # fmt: skip
    nf = NeuralForecast(models=[model], freq="h")
    start = time.perf_counter()
    nf.fit(df=frame)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    forecast = nf.predict(df=frame)
    predict_s = time.perf_counter() - start
    forecast = forecast.sort_values(["unique_id", "ds"], kind="stable")
    return {"library": "neuralforecast", "model": "NHITS", "settings": settings_text(settings),
            "fit_s": fit_s, "predict_s": predict_s}, forecast["NHITS"].to_numpy()  # fmt: skip


def compare(data: Path, n_series: int, max_steps: int, results: Path) -> None:
    """TS-TRM and NHITS on the same series, one after the other, one thread each."""
    from importlib.metadata import version

    import torch

    torch.set_num_threads(1)
    frame = _first_series(data, n_series)
    history, truth = _held_out(frame, SETTINGS["horizon"])
    points = len(frame) // n_series
    del frame
    versions = "; ".join(f"{p} {version(p)}" for p in ("tsrm", "neuralforecast", "torch", "pandas"))
    sides = [lambda: _tsrm_side(history), lambda: _neuralforecast_side(history, max_steps)]
    for side in sides:
        row, forecast = side()
        row = {
            "date": today(), "series": n_series, "points": points, **row,
            "fit_s": round(row["fit_s"], 1), "predict_s": round(row["predict_s"], 2),
            "series_per_s": round(n_series / row["predict_s"]),
            "mae": round(_mae(forecast, truth), 3), "seed": 0, "versions": versions,
            "git_commit": git_commit(), "machine": machine(),
            "command": command("fleet.py", [("compare", True), ("--data", data),
                                            ("--series", n_series),
                                            ("--max-steps", max_steps)]),
        }  # fmt: skip
        table = ResultsFile(results / "fleet_compare.csv", COMPARE_FIELDS, ["series", "library"])
        table.append(row)
        print(" ".join(f"{k}={v}" for k, v in row.items() if k not in ("machine", "command")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    w = sub.add_parser("write", help="generate the fleet as Parquet files")
    w.add_argument("--series", type=int, default=100_000)
    w.add_argument("--points", type=int, default=1_000)
    w.add_argument("--out", type=Path, required=True)
    w.add_argument("--seed", type=int, default=0)
    r = sub.add_parser("run", help="fit on the files and forecast every series, twice")
    r.add_argument("--data", type=Path, required=True)
    r.add_argument("--workers", type=int, default=2)
    r.add_argument(
        "--defaults", action="store_true",
        help="fit with the defaults and horizon 24 only, instead of the fleet's named settings",
    )  # fmt: skip
    r.add_argument("--results-dir", type=Path, default=RESULTS)
    c = sub.add_parser("compare", help="TS-TRM and neuralforecast's NHITS side by side")
    c.add_argument("--data", type=Path, required=True)
    c.add_argument("--series", type=int, default=20_000)
    c.add_argument("--max-steps", type=int, default=1000, help="NHITS's training steps")
    c.add_argument("--results-dir", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.step == "write":
        write(args.out, args.series, args.points, args.seed)
    elif args.step == "compare":
        compare(args.data, args.series, args.max_steps, args.results_dir)
    else:
        run(args.data, args.workers, args.results_dir, DEFAULTS if args.defaults else SETTINGS)


if __name__ == "__main__":
    main()
