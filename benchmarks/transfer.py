"""Borrowing strength: a network trained on many series, forecasting series it never saw.

Pretrained weights are worth shipping only if a network trained across a panel forecasts a
new short series better than the defaults fitted on that series alone. This measures it
on M3 without reading any competition test part: every series is cut to its training
part, whose last ``horizon`` points are held out (as ``short_horizon.py --dev`` does). The
series are shuffled (fixed seed) into a *source* half and a *target* half. One
``TRMForecaster(horizon=h)`` with its defaults is fitted on the source half (one global
model); then, for ``--targets`` series of the target half:

- ``transfer``: the source model forecasts the series from its history, without refitting
  (``predict(h, y=history)``, zero-shot as N-BEATS went from M4 to M3);
- ``tsrm``: ``TRMForecaster(horizon=h)`` fitted on the series alone, its defaults;
- ``ets``, ``seasonal_naive``: AutoETS and seasonal naive at the data set's season.

The summary is the geometric mean MASE per model over the same target series.

Example::

    python benchmarks/transfer.py --dataset M3-Monthly --targets 30

Appends rows to benchmarks/results/transfer.csv (command, machine, commit, date).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import _harness as H
import numpy as np
from short_horizon import dev_split

from tsrm import ETS, SeasonalNaive, TRMForecaster, load_dataset
from tsrm.forecasting.metrics import mase

FIELDS = [
    "date", "dataset", "series", "n", "h", "model", "mase", "fit_s", "lookback", "period",
    "source_series", "seed", "git_commit", "machine", "command",
]  # fmt: skip
KEY = ["dataset", "series", "model", "seed", "git_commit"]


def halves(ids: list, seed: int) -> tuple[list, list]:
    order = np.random.default_rng(seed).permutation(len(ids))
    cut = len(ids) // 2
    return [ids[i] for i in sorted(order[:cut])], [ids[i] for i in sorted(order[cut:])]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="M3-Monthly")
    parser.add_argument("--targets", type=int, default=30, help="target series scored")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=H.DEFAULT_DATA_DIR)
    parser.add_argument("--results-dir", type=Path, default=H.RESULTS_DIR)
    args = parser.parse_args(argv)
    command = "python benchmarks/transfer.py " + " ".join(sys.argv[1:] if argv is None else argv)
    stamp = dict(date=H.today(), git_commit=H.git_commit(), machine=H.machine(), command=command)
    results = H.ResultsFile(args.results_dir / "transfer.csv", FIELDS, KEY)

    data = load_dataset(args.dataset, data_dir=args.data_dir)
    h, season = data.horizon, data.info.seasonal_period
    train, holdout = dev_split(data.train, h)
    ids = list(train["unique_id"].drop_duplicates())
    source, target = halves(ids, args.seed)
    target = target[: args.targets]

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        panel = TRMForecaster(horizon=h, random_state=args.seed)
        panel.fit(train[train["unique_id"].isin(source)].reset_index(drop=True))
    panel_s = time.perf_counter() - start
    print(f"source model: {len(source)} series, L={panel.lookback_}, {panel_s:.0f} s")

    scores: dict[str, list[float]] = {}
    for uid in target:
        history = train.loc[train["unique_id"] == uid, "y"].to_numpy(float)
        actual = holdout.loc[holdout["unique_id"] == uid, "y"].to_numpy(float)
        # The source model is not fitted again: its fit_s is 0.
        forecasts = {"transfer": (np.asarray(panel.predict(h=h, y=history), dtype=float), 0.0)}
        alone = {
            "tsrm": TRMForecaster(horizon=h, random_state=args.seed),
            "ets": ETS(horizon=h, season_length=season),
            "seasonal_naive": SeasonalNaive(horizon=h, season_length=season),
        }
        for label, model in alone.items():
            forecasts[label] = H.timed_fit_predict(model, history)
        for label, (forecast, fit_s) in forecasts.items():
            score = mase(actual, forecast, history, season_length=season)
            scores.setdefault(label, []).append(score)
            model = panel if label == "transfer" else alone[label]
            results.append({
                **stamp, "dataset": args.dataset, "series": uid, "n": len(history), "h": h,
                "model": label, "mase": round(score, 4), "fit_s": round(fit_s, 2),
                "lookback": getattr(model, "lookback_", ""),
                "period": getattr(model, "period_", ""),
                "source_series": len(source) if label == "transfer" else "", "seed": args.seed,
            })  # fmt: skip
        print(uid, " ".join(f"{k} {v[-1]:.3f}" for k, v in scores.items()), flush=True)
    print(f"\ngeometric mean MASE over {len(target)} target series of {args.dataset}:")
    for label, values in scores.items():
        print(f"  {label:<15} {np.exp(np.mean(np.log(values))):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
