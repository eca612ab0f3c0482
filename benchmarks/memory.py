"""Peak memory of training on a large panel: does memory stay proportional to the data?

Fits TS-TRM (``sketch`` preset, L=96, H=24) on ``--series`` x ``--points`` random float32
values given as a 2-D numpy array, for a few batches (``limit_train_batches``: the data
pipeline, the windows, the sampler, validation and calibration all run in full; only the
number of optimiser steps is cut). Peak resident memory (``ru_maxrss``) is compared with the
fixed overhead, measured after importing tsrm and fitting the same model on a tiny panel.

Example::

    python benchmarks/memory.py --series 10000 --points 2000

Appends a row to benchmarks/results/memory.csv.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import ResultsFile, command, machine, today  # noqa: E402

from tsrm import TRMForecaster  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
FIELDS = ["date", "series", "points", "data_mb", "overhead_mb", "peak_mb", "above_overhead_mb",
          "ratio_to_data", "fit_s", "machine", "command"]  # fmt: skip


def resident_mb() -> float:
    with open("/proc/self/status") as fh:
        return int(fh.read().split("VmRSS:")[1].split()[0]) / 1024


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10_000)
    parser.add_argument("--points", type=int, default=2_000)
    parser.add_argument("--results-dir", type=Path, default=RESULTS)
    args = parser.parse_args()
    torch.set_num_threads(1)
    settings = dict(
        horizon=24, lookback=96, preset="sketch", max_epochs=1, batch_size=256, verbose=False,
        trainer_kwargs={"limit_train_batches": 20, "limit_val_batches": 5}, random_state=0,
    )  # fmt: skip
    rng = np.random.default_rng(0)
    TRMForecaster(**settings).fit(rng.standard_normal((500, 20), dtype=np.float32))
    gc.collect()
    overhead = max(resident_mb(), peak_mb())
    y = rng.standard_normal((args.points, args.series), dtype=np.float32)
    data_mb = y.nbytes / 2**20
    start = time.perf_counter()
    TRMForecaster(**settings).fit(y)
    seconds = time.perf_counter() - start
    peak = peak_mb()
    row = {
        "date": today(), "series": args.series, "points": args.points,
        "data_mb": round(data_mb, 1), "overhead_mb": round(overhead, 1), "peak_mb": round(peak, 1),
        "above_overhead_mb": round(peak - overhead, 1),
        "ratio_to_data": round((peak - overhead) / data_mb, 2), "fit_s": round(seconds, 1),
        "machine": machine(),
        "command": command("memory.py", [("--series", args.series), ("--points", args.points)]),
    }  # fmt: skip
    ResultsFile(args.results_dir / "memory.csv", FIELDS, ["series", "points"]).append(row)
    print(" ".join(f"{k}={v}" for k, v in row.items() if k not in ("machine", "command")))


if __name__ == "__main__":
    main()
