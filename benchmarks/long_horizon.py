"""Long-horizon benchmark: each (dataset x horizon x look-back x model) cell, standard protocol.

Protocol (../shared/REFERENCE.md section 3, as ``tsrm.forecasting.datasets.make_splits`` cuts
it): ETTh
train rows [0, 8640), validation [8640 - L, 11520), test [11520 - L, 14400) (ETTm x 4, other
sets 70/10/20 %); every column z-scored with the training rows' statistics; MSE and MAE on
that scale over all test windows (stride 1), all horizon steps and all channels, nothing
dropped. Neural models are fitted on the train + validation rows with ``validation_size`` =
the validation rows exactly (early stopping on the protocol's validation windows, best
weights restored) and ``scaling=False`` (the data are already z-scored); all test windows
are forecast in one vectorised ``model.predict(y=inputs)`` call. They are fitted on a numpy
array (no calendar: a season is searched for in the data), or with ``--dated`` on a frame
indexed by the data set's dates (the calendar proposes the season).

Models: ``tsrm`` (TRMForecaster, preset "default"), ``tsrm-sketch`` (preset "sketch"),
``dlinear``, ``nlinear``, ``patchtst``, ``transformer`` (when this tsrm has them) and
``seasonal_naive`` (each test window's forecast repeats the last season of its own input,
season = the data set's seasonal period from the catalogue; 0 parameters).

Examples::

    python benchmarks/long_horizon.py --dataset ETTh1 --horizon 96 --lookback 336 --model dlinear
    python benchmarks/long_horizon.py --dataset ETTh1 ETTh2 --horizon 96 192 336 720 \\
        --lookback 336 --model tsrm-sketch dlinear seasonal_naive --learning-rate 3e-4
    python benchmarks/long_horizon.py --dataset ETTh1 --model tsrm seasonal_naive \\
        --set patch_len=32 --set stride=32 --set seasonal_naive:season_length=168
    # smoke test: 50 test windows, one epoch; written to long_horizon_partial.csv only
    python benchmarks/long_horizon.py --dataset ETTh1 --horizon 24 --lookback 48 \\
        --model dlinear --max-epochs 1 --limit-test-windows 50

Every cell prints one line ``RESULT dataset=... horizon=... lookback=... model=... mse=...
mae=... params=... train_s=... predict_ms_per_window=...`` and appends a row to
``benchmarks/results/long_horizon.csv``; ``long_horizon.md`` is regenerated from that file
(latest row per cell, published numbers beside ours). A cell already in the CSV (same data
set, horizon, look-back, model, settings and seed) is skipped unless ``--force``.
``--set KEY=VALUE`` sets a constructor argument of every trained model, ``--set
MODEL:KEY=VALUE`` of that model only (values are Python literals where they parse).
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

import _harness as H
import numpy as np
import pandas as pd

from tsrm import SeasonalNaive
from tsrm.forecasting.datasets import (
    UnknownDatasetError,
    get_info,
    list_datasets,
    load_dataset,
    make_splits,
)
from tsrm.forecasting.metrics import mae, mse
from tsrm.forecasting.neural.selection import MAX_LOOKBACK

SCRIPT = "long_horizon.py"
STEM = "long_horizon"
MODELS = (*H.NEURAL_MODELS, "seasonal_naive")
FIELDS = [
    "date",
    "dataset",
    "horizon",
    "lookback",
    "model",
    "settings",
    "seed",
    "mse",
    "mae",
    "params",
    "epochs",
    "best_epoch",
    "best_val_mse",
    "train_s",
    "mean_steps",
    "mse_all_steps",
    "chosen_lookback",
    "chosen_period",
    "git_commit",
    "predict_ms_per_window",
    "test_windows",
    "machine",
    "command",
]
KEY = ["dataset", "horizon", "lookback", "model", "settings", "seed"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dataset", nargs="+", default=["ETTh1"], help="LTSF data sets")
    parser.add_argument("--horizon", nargs="+", type=int, default=[96])
    parser.add_argument(
        "--lookback",
        nargs="+",
        type=H.lookback_arg,
        default=[336],
        help="look-backs, or auto: the model chooses on the validation windows (the test "
        "windows are the same for every look-back)",
    )
    parser.add_argument(
        "--model",
        nargs="+",
        default=["tsrm"],
        choices=MODELS,
        metavar="MODEL",
        help=f"one or more of {', '.join(MODELS)}",
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="default ../shared/data")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-epochs", type=int, default=None, help="default: the model's")
    parser.add_argument("--patience", type=int, default=None, help="default: the model's")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the model's")
    parser.add_argument("--learning-rate", type=float, default=None, help="default: the model's")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="[MODEL:]KEY=VALUE",
        help="another constructor argument, e.g. --set n_cycles=1 or --set tsrm:dropout=0.1",
    )
    parser.add_argument(
        "--dated",
        action="store_true",
        help="fit neural models on a frame indexed by the data set's dates, as a user would "
        "pass it (the calendar then proposes the season); recorded as the setting dated=True",
    )
    parser.add_argument("--results-dir", type=Path, default=H.RESULTS_DIR)
    parser.add_argument("--force", action="store_true", help="re-run cells already in the CSV")
    parser.add_argument(
        "--limit-test-windows",
        type=int,
        default=None,
        metavar="N",
        help="smoke tests only: score N evenly spaced test windows; the result is partial, "
        "goes to long_horizon_partial.csv (never to the main files) and is never skipped",
    )
    return parser


def _split_lookback(lookback: int | str) -> int:
    """The look-back the splits are cut with: the longest candidate for ``auto``."""
    return MAX_LOOKBACK if lookback == "auto" else lookback


def window_indices(n_windows: int, limit: int | None) -> list[int]:
    """All window indices, or ``limit`` evenly spaced ones (every channel represented)."""
    if limit is None or limit >= n_windows:
        return list(range(n_windows))
    return sorted({int(i) for i in np.linspace(0, n_windows - 1, limit).round()})


def seasonal_naive_forecast(model: SeasonalNaive, inputs: np.ndarray) -> np.ndarray:
    """Per window, the last season of its input repeated over the horizon (vectorised)."""
    m = model.season_length
    if inputs.shape[1] < m:
        raise ValueError(
            f"seasonal_naive needs one season ({m} steps) of input; lookback is {inputs.shape[1]}"
        )
    reps = -(-model.horizon // m)
    return np.tile(inputs[:, -m:], reps)[:, : model.horizon]


def run_cell(
    splits, info, model_name: str, seed: int, training: dict, sets: dict, limit, lookback, dates
):
    """Train and evaluate one cell; returns the result row's measured fields. With ``dates``
    (the data set's index; given for neural models only) the model is fitted on a frame
    with those dates."""
    L, Hz = lookback, splits.horizon
    train_end, val_end = splits.boundaries.train[1], splits.boundaries.val[1]
    fit_part = splits.values[:val_end]  # train + validation rows, already z-scored
    if dates is not None:
        fit_part = pd.DataFrame(fit_part, index=dates[:val_end], columns=list(splits.columns))
    test = splits.test
    idx = window_indices(len(test), limit)
    inputs, targets = (t.numpy().astype(np.float64) for t in test.__getitems__(idx))
    params = {k: H.parse_value(v) for k, v in sets.items()}

    start = time.perf_counter()
    if model_name == "seasonal_naive":
        model = SeasonalNaive(horizon=Hz, season_length=info.seasonal_period)
        model.set_params(**params)
        model.fit(fit_part)
    else:
        model = H.make_neural(
            model_name,
            horizon=Hz,
            lookback=L,
            seed=seed,
            validation_size=val_end - train_end,  # exactly the protocol's validation windows
            scaling=False,
            training=training,
            sets=params,
        )
        model.fit(fit_part)
    train_s = time.perf_counter() - start

    start = time.perf_counter()
    if model_name == "seasonal_naive":
        forecast = seasonal_naive_forecast(model, inputs)
    else:
        forecast = np.asarray(model.predict(y=inputs.T)).T  # every window, one call
    predict_s = time.perf_counter() - start

    history = {} if model_name == "seasonal_naive" else model.history_
    val_loss = history.get("val_loss") or []
    halting = {}
    network = getattr(model, "network_", None)
    if getattr(network, "halting_head", None) is not None:
        # What halting saves and costs: supervision steps used per window, and the MSE
        # of running every step instead.
        _, trace = model.predict(y=inputs.T, return_trace=True)
        halting = {
            "mean_steps": round(float(np.mean(trace.halted_at)), 3),
            "mse_all_steps": round(mse(targets, np.asarray(trace.steps[-1]).T), 4),
        }
    return {
        **halting,
        "mse": round(mse(targets, forecast), 4),
        "mae": round(mae(targets, forecast), 4),
        "params": getattr(model, "n_params_", 0),
        "epochs": len(history["train_loss"]) if history else "",
        "best_epoch": history.get("best_epoch", ""),
        "best_val_mse": round(min(val_loss), 4) if val_loss else "",
        "chosen_lookback": getattr(model, "lookback_", ""),
        "chosen_period": getattr(model, "period_", ""),
        "train_s": round(train_s, 1),
        "predict_ms_per_window": round(1e3 * predict_s / len(targets), 4),
        "test_windows": len(targets),
    }


def result_line(row: dict, partial: bool) -> str:
    return (
        f"RESULT dataset={row['dataset']} horizon={row['horizon']} lookback={row['lookback']} "
        f"model={row['model']} mse={row['mse']:.4f} mae={row['mae']:.4f} params={row['params']} "
        f"train_s={row['train_s']} predict_ms_per_window={row['predict_ms_per_window']}"
        + (f" mean_steps={row['mean_steps']}" if row.get("mean_steps", "") != "" else "")
        + (" partial=1" if partial else "")
    )


def write_markdown(results_dir: Path) -> Path | None:
    """Regenerate ``long_horizon.md`` from ``long_horizon.csv`` (None if there is no CSV)."""
    main_file, _ = H.results_files(results_dir, STEM, FIELDS, KEY)
    rows = main_file.latest()
    if not rows:
        return None
    lines = [
        "# Long-horizon benchmark",
        "",
        f"Generated by `benchmarks/{SCRIPT}` from `{STEM}.csv` (the latest row of every cell); "
        "do not edit by hand. Protocol: `../shared/REFERENCE.md` section 3 (train/validation/"
        "test rows as Time-Series-Library, z-score with training statistics, MSE and MAE over "
        "all test windows, horizon steps and channels). Models are fitted on train + validation "
        "rows with early stopping on the validation windows. The CSV row of each cell holds "
        "the machine and the exact command.",
        "",
        f"Published numbers: {H.LTSF_SOURCE}.",
    ]
    order = {name: i for i, name in enumerate(list_datasets("ltsf"))}
    datasets = sorted({r["dataset"] for r in rows}, key=lambda d: (order.get(d, 99), d))
    for dataset in datasets:
        try:
            horizons_known = get_info(dataset).horizons
        except Exception:  # a data set no longer catalogued: no published rows
            horizons_known = ()
        ours = [r for r in rows if r["dataset"] == dataset]
        table = []
        for horizon in sorted({int(r["horizon"]) for r in ours}):
            cells = sorted(
                (r for r in ours if int(r["horizon"]) == horizon),
                key=lambda r: (
                    _split_lookback(H.lookback_arg(r["lookback"])),
                    r["model"],
                    r["settings"],
                    r["seed"],
                ),
            )
            for r in cells:
                epochs = f"{r['epochs']} ({r['best_epoch']})" if r["epochs"] else ""
                table.append(
                    [
                        horizon,
                        r["model"],
                        r["lookback"],
                        f"`{r['settings']}`" if r["settings"] else "defaults",
                        r["seed"],
                        H.fmt(r["mse"]),
                        H.fmt(r["mae"]),
                        f"{int(r['params']):,}" if r["params"] else "",
                        r["train_s"],
                        epochs,
                        r["predict_ms_per_window"],
                        r["test_windows"],
                        r["date"],
                    ]
                )
            for method, lookback, p_mse, p_mae in H.published_ltsf(
                dataset, horizon, horizons_known
            ):
                table.append(
                    [horizon, f"*{method} (published)*", lookback, "", "", H.fmt(p_mse)]
                    + [H.fmt(p_mae)]
                    + [""] * 6
                )
        lines += ["", f"## {dataset}", ""]
        lines += H.markdown_table(
            [
                "H",
                "model",
                "L",
                "settings",
                "seed",
                "MSE",
                "MAE",
                "params",
                "train s",
                "epochs (best)",
                "ms/window",
                "test windows",
                "date",
            ],
            table,
        )
    path = Path(results_dir) / f"{STEM}.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def _cell_command(args, dataset, horizon, lookback, model, training_used, set_items) -> str:
    options = [
        ("--dataset", dataset),
        ("--horizon", horizon),
        ("--lookback", lookback),
        ("--model", model),
        ("--seed", args.seed if model in H.NEURAL_MODELS else None),
        ("--data-dir", args.data_dir),
        ("--limit-test-windows", args.limit_test_windows),
        ("--dated", args.dated and model in H.NEURAL_MODELS),
    ]
    options += [(f"--{k.replace('_', '-')}", v) for k, v in training_used.items()]
    options += H.set_flags(set_items)
    return H.command(SCRIPT, options)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    H.check_models(args.model, parser)
    sets = H.parse_sets(args.set, parser)
    for name in args.dataset:
        try:
            if get_info(name).kind != "ltsf":
                parser.error(f"{name} is not a long-horizon (LTSF) data set; see short_horizon.py")
        except UnknownDatasetError as err:
            parser.error(str(err))
    if args.limit_test_windows is not None and args.limit_test_windows < 1:
        parser.error("--limit-test-windows must be at least 1")
    partial = args.limit_test_windows is not None
    main_file, partial_file = H.results_files(args.results_dir, STEM, FIELDS, KEY)
    training = H.training_overrides(args)
    data_dir = args.data_dir or H.DEFAULT_DATA_DIR
    machine, commit = H.machine(), H.git_commit()
    started = time.perf_counter()
    done, failed, skipped = [], 0, 0

    for dataset_name in args.dataset:
        info = get_info(dataset_name)
        dataset = None
        for horizon in args.horizon:
            for lookback in args.lookback:
                splits = None
                for model_name in args.model:
                    trained = model_name in H.NEURAL_MODELS
                    set_items = H.sets_for(model_name, sets, trained)
                    cell_sets = H.set_values(set_items)
                    training_used = training if trained else {}
                    dated = {"dated": True} if args.dated and trained else {}
                    settings = H.settings_text({**training_used, **cell_sets, **dated})
                    seed = args.seed if trained else ""  # seasonal naive takes no seed
                    label = (
                        f"dataset={info.name} horizon={horizon} lookback={lookback} "
                        f"model={model_name} settings='{settings}' seed={seed}"
                    )
                    row = {
                        "date": H.today(),
                        "dataset": info.name,
                        "horizon": horizon,
                        "lookback": lookback,
                        "model": model_name,
                        "settings": settings,
                        "seed": seed,
                    }
                    if not partial and not args.force:
                        old = main_file.find(row)
                        if old is not None:
                            print(
                                f"SKIP {label}: finished on {old['date']} (mse={old['mse']}, "
                                f"mae={old['mae']}) in {main_file.path.name}; --force re-runs it"
                            )
                            skipped += 1
                            continue
                    try:
                        if dataset is None:
                            dataset = load_dataset(info.name, data_dir=data_dir)
                        if splits is None:
                            splits = make_splits(dataset, _split_lookback(lookback), horizon)
                        row.update(
                            run_cell(
                                splits,
                                info,
                                model_name,
                                args.seed,
                                training_used,
                                cell_sets,
                                args.limit_test_windows,
                                lookback,
                                dataset.frame.index if dated else None,
                            )
                        )
                    except Exception as err:  # report, go on with the other cells
                        traceback.print_exc(file=sys.stderr)
                        print(f"FAILED {label}: {type(err).__name__}: {err}")
                        failed += 1
                        continue
                    row["machine"], row["git_commit"] = machine, commit
                    row["command"] = _cell_command(
                        args, info.name, horizon, lookback, model_name, training_used, set_items
                    )
                    (partial_file if partial else main_file).append(row)
                    done.append(row)
                    print(result_line(row, partial), flush=True)

    if not partial:
        md = write_markdown(args.results_dir)
        if md is not None:
            print(f"wrote {md}")
    _print_summary(done)
    return H.report_end(
        done, skipped, failed, partial_file.path if partial else None, machine, started
    )


def _print_summary(done: list[dict]) -> None:
    """This run's cells, grouped by data set and horizon, with the published numbers."""
    if not done:
        return
    print(f"\n{'dataset':<9} {'H':>4} {'model':<28} {'L':>8} {'MSE':>7} {'MAE':>7} {'params':>9}")
    groups: dict[tuple, list[dict]] = {}
    for row in done:
        groups.setdefault((row["dataset"], row["horizon"]), []).append(row)
    for (dataset, horizon), rows in groups.items():
        for row in rows:
            print(
                f"{dataset:<9} {horizon:>4} {row['model']:<28} {row['lookback']:>8} "
                f"{row['mse']:>7.3f} {row['mae']:>7.3f} {row['params']:>9,d}"
            )
        for method, lookback, p_mse, p_mae in H.published_ltsf(
            dataset, horizon, get_info(dataset).horizons
        ):
            print(
                f"{dataset:<9} {horizon:>4} {method + ' (published)':<28} "
                f"{lookback:>8} {p_mse:>7.3f} {H.fmt(p_mae):>7}"
            )
    print()


if __name__ == "__main__":
    sys.exit(main())
