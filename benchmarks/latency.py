"""Single-window forecast latency of TS-TRM on this CPU (eager PyTorch).

Times two things for each preset, on a model fitted for one epoch on synthetic data
(latency does not depend on the weights):

- ``network``: the ``nn.Module`` forward on one ``(1, lookback)`` window under
  ``torch.inference_mode`` -- what an embedded loop calls;
- ``predict``: the public ``TRMForecaster.predict(y=window)`` with input validation,
  scaling and output construction (numpy in, numpy out).

Example::

    python benchmarks/latency.py --lookback 336 --horizon 96 --presets default sketch

Appends rows to benchmarks/results/latency.csv.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from _harness import ResultsFile, git_commit, machine, today

from tsrm import TRMForecaster

FIELDS = [
    "date",
    "preset",
    "lookback",
    "horizon",
    "params",
    "threads",
    "network_median_ms",
    "network_p90_ms",
    "predict_median_ms",
    "predict_p90_ms",
    "machine",
    "command",
    "git_commit",
]
KEY = ["preset", "lookback", "horizon", "threads"]


def _percentiles(fn, repeats: int) -> tuple[float, float]:
    for _ in range(20):
        fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    ms = np.array(times) * 1e3
    return float(np.median(ms)), float(np.percentile(ms, 90))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lookback", type=int, default=336)
    parser.add_argument("--horizon", type=int, default=96)
    parser.add_argument("--presets", nargs="+", default=["default", "sketch"])
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--repeats", type=int, default=500)
    parser.add_argument(
        "--results", type=Path, default=Path(__file__).parent / "results" / "latency.csv"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    L, H = args.lookback, args.horizon
    rng = np.random.default_rng(0)
    series = np.sin(np.arange(L + H + 400) / 8) + rng.normal(0, 0.1, L + H + 400)
    window = series[-L:]
    results = ResultsFile(args.results, FIELDS, KEY)
    for preset in args.presets:
        model = TRMForecaster(
            horizon=H,
            lookback=L,
            preset=preset,
            max_epochs=1,
            validation_size=0,
            verbose=False,
            n_threads=args.threads,
        ).fit(series)
        x = torch.from_numpy(window.astype(np.float32)).unsqueeze(0)
        with torch.inference_mode():
            net_med, net_p90 = _percentiles(lambda m=model, x=x: m.network_(x), args.repeats)
        api_med, api_p90 = _percentiles(lambda m=model: m.predict(y=window), args.repeats)
        row = {
            "date": today(),
            "preset": preset,
            "lookback": L,
            "horizon": H,
            "params": model.n_params_,
            "threads": args.threads,
            "network_median_ms": round(net_med, 3),
            "network_p90_ms": round(net_p90, 3),
            "predict_median_ms": round(api_med, 3),
            "predict_p90_ms": round(api_p90, 3),
            "machine": machine(),
            "command": "python benchmarks/latency.py " + " ".join(argv or sys.argv[1:]),
            "git_commit": git_commit(),
        }
        results.append(row)
        print(
            f"RESULT preset={preset} lookback={L} horizon={H} params={model.n_params_} "
            f"network_median_ms={net_med:.3f} network_p90_ms={net_p90:.3f} "
            f"predict_median_ms={api_med:.3f} predict_p90_ms={api_p90:.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
