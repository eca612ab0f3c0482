"""Coverage benchmark: do the probabilistic forecasts hold what they promise on a test split?

Protocol as ``long_horizon.py`` (``tsrm.forecasting.datasets.make_splits``: train / validation /
test rows,
z-scored with training statistics; the model is fitted on train + validation rows with
``validation_size`` = the validation rows, ``scaling=False``). Two routes are measured on every
test window (stride 1), horizon step and channel:

- ``conformal``: the point model's ``predict_interval(coverage=c)``, calibrated on the residuals
  of the protocol's validation windows;
- ``quantile``: the same network trained with the pinball loss (``quantiles=...``), its
  ``[q, 1 - q]`` outputs taken as the interval (only with ``--quantile-model``).

For each nominal coverage the CSV row holds the empirical coverage (the share of actual values
inside the interval), the mean interval width (z-units), the coverage over the first and the
last quarter of the horizon steps, and the mean pinball loss of the route's quantiles at
``QUANTILES`` (conformal: ``predict_quantiles`` from the signed validation residuals).

Example (ETTh1, L=336, H=96, sketch preset; a few minutes on a 2-core CPU)::

    python benchmarks/coverage.py --dataset ETTh1 --horizon 96 --lookback 336 \\
        --model tsrm-sketch --quantile-model

Rows are appended to ``benchmarks/results/coverage.csv`` (date, machine, seed and the command
that reproduces them); ``coverage.md`` is regenerated from it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import _harness as H
import numpy as np
import torch

from tsrm.forecasting.datasets import get_info, load_dataset, make_splits
from tsrm.forecasting.metrics import mse, pinball_loss

SCRIPT = "coverage.py"
STEM = "coverage"
QUANTILES = (0.05, 0.1, 0.5, 0.9, 0.95)
FIELDS = [
    "date",
    "dataset",
    "horizon",
    "lookback",
    "model",
    "route",
    "seed",
    "nominal",
    "coverage",
    "coverage_first_quarter",
    "coverage_last_quarter",
    "mean_width",
    "pinball",
    "point_mse",
    "calibration_windows",
    "test_windows",
    "train_s",
    "machine",
    "command",
]
KEY = ["dataset", "horizon", "lookback", "model", "route", "seed", "nominal", "test_windows"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="ETTh1")
    parser.add_argument("--horizon", type=int, default=96)
    parser.add_argument("--lookback", type=int, default=336)
    parser.add_argument("--model", default="tsrm-sketch", choices=sorted(H.NEURAL_MODELS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--coverage", type=float, nargs="+", default=[0.8, 0.9])
    parser.add_argument(
        "--quantile-model", action="store_true", help="also train with quantiles=QUANTILES"
    )
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (default 1: a tiny network on a shared CPU is fastest on one)",
    )
    parser.add_argument("--limit-test-windows", type=int, default=None)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--results-dir", type=Path, default=H.RESULTS_DIR)
    return parser


def interval_scores(lower: np.ndarray, upper: np.ndarray, targets: np.ndarray) -> dict:
    """Coverage (overall, first and last quarter of the steps) and mean width; ``(k, H)``."""
    inside = (targets >= lower) & (targets <= upper)
    quarter = max(targets.shape[1] // 4, 1)
    return {
        "coverage": round(float(inside.mean()), 4),
        "coverage_first_quarter": round(float(inside[:, :quarter].mean()), 4),
        "coverage_last_quarter": round(float(inside[:, -quarter:].mean()), 4),
        "mean_width": round(float((upper - lower).mean()), 4),
    }


def fit(args, splits, quantiles) -> tuple[object, float]:
    train_end, val_end = splits.boundaries.train[1], splits.boundaries.val[1]
    training = {"max_epochs": args.max_epochs} if args.max_epochs else {}
    model = H.make_neural(
        args.model,
        horizon=splits.horizon,
        lookback=splits.lookback,
        seed=args.seed,
        validation_size=val_end - train_end,
        scaling=False,
        training={**training, "n_threads": args.threads},
        sets={"quantiles": quantiles} if quantiles else {},
    )
    start = time.perf_counter()
    model.fit(splits.values[:val_end])
    return model, time.perf_counter() - start


def as_windows(forecast) -> np.ndarray:
    """A ``(H, k)`` forecast of ``k`` windows as ``(k, H)``."""
    return np.asarray(forecast).T


def run(args) -> list[dict]:
    info = get_info(args.dataset)
    dataset = load_dataset(info.name, data_dir=args.data_dir or H.DEFAULT_DATA_DIR)
    splits = make_splits(dataset, args.lookback, args.horizon)
    test = splits.test
    n = len(test) if args.limit_test_windows is None else min(args.limit_test_windows, len(test))
    idx = np.linspace(0, len(test) - 1, n).round().astype(int).tolist()
    inputs, targets = (t.numpy().astype(np.float64) for t in test.__getitems__(idx))
    history = inputs.T  # (lookback, k): every test window in one call
    base = {
        "date": H.today(),
        "dataset": info.name,
        "horizon": args.horizon,
        "lookback": args.lookback,
        "model": args.model,
        "seed": args.seed,
        "test_windows": len(idx),
    }
    rows = []
    routes = [("conformal", None)] + ([("quantile", QUANTILES)] if args.quantile_model else [])
    for route, quantiles in routes:
        model, train_s = fit(args, splits, quantiles)
        point = as_windows(model.predict(y=history))
        levels = model.predict_quantiles(y=history, quantiles=QUANTILES)
        stacked = np.stack([as_windows(levels[q]) for q in QUANTILES], axis=-1)
        common = {
            **base,
            "route": route,
            "pinball": round(pinball_loss(targets, stacked, QUANTILES), 4),
            "point_mse": round(mse(targets, point), 4),
            "calibration_windows": int(model.calibration_.n.min()),
            "train_s": round(train_s, 1),
        }
        for nominal in args.coverage:
            if route == "conformal":
                lower, upper = model.predict_interval(y=history, coverage=nominal)
            else:
                tail = round((1.0 - nominal) / 2, 4)
                pair = model.predict_quantiles(y=history, quantiles=(tail, 1.0 - tail))
                lower, upper = pair.values()
            scores = interval_scores(as_windows(lower), as_windows(upper), targets)
            rows.append({**common, "nominal": nominal, **scores})
            print(
                f"RESULT {info.name} H={args.horizon} L={args.lookback} {args.model} {route} "
                f"nominal={nominal} coverage={scores['coverage']} width={scores['mean_width']} "
                f"pinball={common['pinball']} mse={common['point_mse']}",
                flush=True,
            )
    return rows


def write_markdown(results_dir: Path) -> Path | None:
    rows = H.ResultsFile(Path(results_dir) / f"{STEM}.csv", FIELDS, KEY).latest()
    if not rows:
        return None
    lines = [
        "# Coverage of probabilistic forecasts",
        "",
        f"Generated by `benchmarks/{SCRIPT}` from `{STEM}.csv` (latest row per cell); do not "
        "edit by hand. Standard LTSF test split, all test windows x steps x channels, z-units. "
        "`conformal`: split-conformal `predict_interval` calibrated on the protocol's "
        "validation windows. `quantile`: the network trained with the pinball loss at "
        f"{QUANTILES}, interval `[q, 1 - q]`. Pinball: mean over those levels (conformal: "
        "`predict_quantiles` from the validation residuals). First/last quarter: coverage "
        "over the first and last 25 % of the horizon steps.",
        "",
    ]
    header = [
        "data",
        "H",
        "L",
        "model",
        "route",
        "nominal",
        "coverage",
        "first 1/4",
        "last 1/4",
        "width",
        "pinball",
        "point MSE",
        "train s",
        "seed",
        "date",
    ]
    table = [
        [
            r["dataset"],
            r["horizon"],
            r["lookback"],
            r["model"],
            r["route"],
            r["nominal"],
            r["coverage"],
            r["coverage_first_quarter"],
            r["coverage_last_quarter"],
            r["mean_width"],
            r["pinball"],
            r["point_mse"],
            r["train_s"],
            r["seed"],
            r["date"],
        ]
        for r in rows
    ]
    lines += H.markdown_table(header, table)
    lines += ["", "Machines and commands: see the CSV."]
    path = Path(results_dir) / f"{STEM}.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    torch.set_num_threads(args.threads)
    started = time.perf_counter()
    machine = H.machine()
    command = (
        H.command(
            SCRIPT,
            [
                ("--dataset", args.dataset),
                ("--horizon", args.horizon),
                ("--lookback", args.lookback),
                ("--model", args.model),
                ("--seed", args.seed),
                ("--quantile-model", args.quantile_model),
                ("--max-epochs", args.max_epochs),
                ("--limit-test-windows", args.limit_test_windows),
            ],
        )
        + " --coverage "
        + " ".join(map(str, args.coverage))
    )
    rows = run(args)
    partial = args.limit_test_windows is not None or args.max_epochs is not None
    stem = f"{STEM}_partial" if partial else STEM
    results = H.ResultsFile(Path(args.results_dir) / f"{stem}.csv", FIELDS, KEY)
    for row in rows:
        results.append({**row, "machine": machine, "command": command})
    if not partial:
        print(f"wrote {write_markdown(args.results_dir)}")
    return H.report_end(rows, 0, 0, results.path if partial else None, machine, started)


if __name__ == "__main__":
    raise SystemExit(main())
