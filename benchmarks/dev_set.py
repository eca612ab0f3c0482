"""Choosing a default: single-series fits on M3/M4 training parts, scored on their own tail.

Where ``check_set.py`` only checks, this is where a default setting may be chosen. Each
sampled series' competition test part is never read: the last ``horizon`` points of its
*training* part are held out, and the model sees what comes before them. Every row is one
TS-TRM fit with ``--set`` settings on top of the defaults; the summary is the geometric mean
MASE per settings text, beside AutoETS and seasonal naive on the same holdouts.

Example::

    python benchmarks/dev_set.py --per-dataset 6 --set learning_rate=1e-3
    python benchmarks/dev_set.py --per-dataset 5 --series-seed 0 --seed 1   # other training seed

Appends rows to benchmarks/results/dev_set.csv (command, machine, commit, date).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import _harness as H
import numpy as np
import pandas as pd

from tsrm import ETS, SeasonalNaive, TRMForecaster, load_dataset
from tsrm.forecasting.metrics import mase

DATASETS = ("M3-Monthly", "M3-Quarterly", "M3-Yearly", "M4-Weekly")
FIELDS = [
    "date", "dataset", "series", "n", "h", "model", "settings", "mase", "fit_s",
    "lookback", "period", "seed", "git_commit", "machine", "command",
]  # fmt: skip
KEY = ["dataset", "series", "model", "settings", "seed", "git_commit"]


def sample(dataset, k: int, seed: int, dated: bool = False) -> list[tuple[str, Any]]:
    """``k`` series drawn at random (fixed seed) from the training part, long enough to hold
    out one horizon and keep three more: numpy arrays, or Series on their dates (``dated``)."""
    train = dataset.train

    def values(g: pd.DataFrame) -> Any:
        if not dated:
            return g["y"].to_numpy(float)
        return pd.Series(g["y"].to_numpy(float), index=pd.DatetimeIndex(g["ds"]).to_period())

    groups = {uid: values(g) for uid, g in train.groupby("unique_id", sort=True)}
    usable = [uid for uid, y in groups.items() if len(y) >= 4 * dataset.horizon]
    chosen = np.random.default_rng(seed).choice(
        len(usable), size=min(k, len(usable)), replace=False
    )
    return [(usable[i], groups[usable[i]]) for i in sorted(chosen)]


def fit_score(model, history: Any, holdout: np.ndarray, season: int) -> tuple[float, float]:
    forecast, fit_s = H.timed_fit_predict(model, history)
    return mase(holdout, forecast, np.asarray(history, dtype=float), season_length=season), fit_s


def summary(rows: list[dict[str, str]], commit: str) -> list[str]:
    """Markdown rows: the geometric mean MASE per model and settings for each seed (rows of
    ``commit``), their mean, and the mean fit time; ``series`` counts each seed's series."""
    frame = pd.DataFrame([r for r in rows if r["git_commit"] == commit])
    if frame.empty:
        raise SystemExit(f"no rows of commit {commit} in dev_set.csv")
    frame["mase"], frame["fit_s"] = frame["mase"].astype(float), frame["fit_s"].astype(float)
    groups = frame.groupby(["model", "settings", "seed"], sort=False)
    per_seed = groups.agg(
        gm=("mase", H.geometric_mean),
        n=("mase", "size"), fit_s=("fit_s", "mean"),
    )  # fmt: skip
    header = ["model", "settings", "series", "gm MASE by seed", "mean", "fit s"]
    lines = H.markdown_table(header, [])
    for (model, settings), g in per_seed.groupby(level=[0, 1], sort=False):
        seeds = " / ".join(f"{v:.3f}" for v in g["gm"])
        lines.append(
            f"| {model} | {settings or 'defaults'} | {'/'.join(map(str, g['n']))} | {seeds} "
            f"| {g['gm'].mean():.3f} | {g['fit_s'].mean():.1f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", nargs="+", default=list(DATASETS))
    parser.add_argument("--per-dataset", type=int, default=6)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--baselines", action="store_true", help="also AutoETS, seasonal naive")
    parser.add_argument(
        "--dated", action="store_true", help="series on their dates (a calendar proposes seasons)"
    )
    parser.add_argument("--seed", type=int, default=0, help="the model's random_state")
    parser.add_argument(
        "--series-seed", type=int, default=None,
        help="the seed that draws the series (default: --seed); fix it to vary only training",
    )  # fmt: skip
    parser.add_argument(
        "--steps",
        action="store_true",
        help="also score TS-TRM's forecast after each supervision step (models tsrm@1, ...)",
    )
    parser.add_argument(
        "--summary", metavar="COMMIT", help="print the rows of COMMIT per seed (Markdown), stop"
    )
    parser.add_argument("--data-dir", type=Path, default=H.DEFAULT_DATA_DIR)
    parser.add_argument("--results-dir", type=Path, default=H.RESULTS_DIR)
    args = parser.parse_args(argv)
    sets = {k: H.parse_value(v) for k, _, v in (s.partition("=") for s in args.set)}
    settings = H.settings_text(sets)
    results = H.ResultsFile(args.results_dir / "dev_set.csv", FIELDS, KEY)
    if args.summary:
        print("\n".join(summary(results.rows(), args.summary)))
        return 0
    command = "python benchmarks/dev_set.py " + " ".join(sys.argv[1:] if argv is None else argv)
    stamp = dict(date=H.today(), git_commit=H.git_commit(), machine=H.machine(), command=command)
    for name in args.dataset:
        data = load_dataset(name, data_dir=args.data_dir)
        season, h = data.info.seasonal_period, data.horizon
        series_seed = args.seed if args.series_seed is None else args.series_seed
        for uid, y in sample(data, args.per_dataset, series_seed, args.dated):
            history, holdout = y[:-h], np.asarray(y[-h:], dtype=float)
            tsrm = "tsrm-dated" if args.dated else "tsrm"
            models = {tsrm: TRMForecaster(horizon=h, random_state=args.seed, **sets)}
            if args.baselines:
                models["ets"] = ETS(horizon=h, season_length=season)
                models["seasonal_naive"] = SeasonalNaive(horizon=h, season_length=season)
            for label, model in models.items():
                score, fit_s = fit_score(model, history, holdout, season)
                row = {
                    **stamp, "dataset": name, "series": uid, "n": len(history), "h": h,
                    "model": label, "settings": settings if label.startswith("tsrm") else "",
                    "mase": round(score, 4), "fit_s": round(fit_s, 2),
                    "lookback": getattr(model, "lookback_", ""),
                    "period": getattr(model, "period_", ""), "seed": args.seed,
                }  # fmt: skip
                results.append(row)
                print(f"{name} {uid} {label} {settings} MASE {score:.3f} {fit_s:.1f}s", flush=True)
                if args.steps and label.startswith("tsrm"):
                    for k, step in enumerate(step_scores(model, history, holdout, season), 1):
                        results.append({**row, "model": f"{label}@{k}", "mase": round(step, 4)})
    return 0


def step_scores(model, history: Any, holdout: np.ndarray, season: int) -> list[float]:
    """MASE of the forecast after each supervision step (a model that fell back to seasonal
    naive has one step: it is every step's forecast)."""
    _, trace = model.predict(return_trace=True)
    steps = trace.steps * (model.config_.n_supervision if len(trace.steps) == 1 else 1)
    train = np.asarray(history, dtype=float)
    return [mase(holdout, np.asarray(s, dtype=float), train, season_length=season) for s in steps]


if __name__ == "__main__":
    sys.exit(main())
