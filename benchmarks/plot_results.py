"""Accuracy against parameters for every model in long_horizon.csv (one data set, one horizon).

Example::

    python benchmarks/plot_results.py --dataset ETTh1 --horizon 96
    python benchmarks/plot_results.py --dataset ETTh1 --horizon 96 \
        --extra "tsrm-sketch, ETT configuration=dropout=0.3 ema_decay=0.999 ..."

Writes benchmarks/results/accuracy_vs_params_<dataset>_<horizon>.png with one point per
model's main run (seed 0; the row with the fewest changed settings).
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="ETTh1")
    parser.add_argument("--horizon", type=int, default=96)
    parser.add_argument("--lookback", type=int, default=336)
    parser.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="LABEL=SETTINGS",
        help="also plot the run whose settings text is exactly SETTINGS, labelled LABEL",
    )
    args = parser.parse_args()
    extras = dict(item.split("=", 1)[::-1] for item in args.extra)  # settings -> label

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # One point per model: its run with the fewest changed settings (the ablations and
    # learning-rate trials are in the tables, not here).
    chosen: dict[str, dict] = {}
    with (RESULTS / "long_horizon.csv").open(newline="") as fh:
        for row in csv.DictReader(fh):
            if (row["dataset"], int(row["horizon"]), int(row["lookback"])) != (
                args.dataset, args.horizon, args.lookback
            ) or row["seed"] not in ("0", ""):  # fmt: skip
                continue
            settings = "" if row["settings"] == "defaults" else row["settings"]
            if settings in extras:
                chosen[extras[settings]] = {**row, "_settings": settings}
                continue
            best = chosen.get(row["model"])
            if best is None or len(settings.split()) < len(best["_settings"].split()):
                chosen[row["model"]] = {**row, "_settings": settings}
    first = RESULTS / "etth1_first.csv"  # TS-TRM's default preset ran through etth1_first.py
    if first.exists() and (args.dataset, args.horizon, args.lookback) == ("ETTh1", 96, 336):
        with first.open(newline="") as fh:
            for row in csv.DictReader(fh):
                if row["model"] == "TS-TRM[default]":
                    chosen.setdefault("tsrm (default preset)", {**row, "_settings": ""})
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for model, row in sorted(chosen.items()):
        params = max(int(row["params"] or 0), 1)  # seasonal naive: 0 parameters, drawn at 1
        marker = "o" if model.startswith("tsrm") else "s"
        ax.scatter(
            params,
            float(row["mse"]),
            marker=marker,
            s=50,
            label=f"{model}: {float(row['mse']):.3f}",
        )
    ax.set_xscale("log")
    ax.set_xlabel("trainable parameters (log scale; 0 drawn at 1)")
    ax.set_ylabel("test MSE (z-scored)")
    ax.set_title(f"{args.dataset}, L={args.lookback}, H={args.horizon}: accuracy vs size")
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    out = RESULTS / f"accuracy_vs_params_{args.dataset}_{args.horizon}.png"
    fig.savefig(out, dpi=130)
    print(out)


if __name__ == "__main__":
    main()
