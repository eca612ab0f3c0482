"""Short-horizon benchmark: M4 / M3 panels, sMAPE, MASE and OWA against our own Naive2.

Protocol (../shared/REFERENCE.md section 4): every model is fitted on the train part of each
series and forecasts the official test part (the last ``horizon`` points: M4 Hourly 48,
Weekly 13; M3 Yearly 6, Quarterly 8, Monthly 18). Scores are per-series values averaged
over series (M4 style, ``tsrm.forecasting.metrics.evaluate``):

- sMAPE: the M4 definition, ``200 * mean |y - f| / (|y| + |f|)``. M3's published numbers
  use ``(y + f)`` in the denominator; every M3 value is positive, so the two agree.
- MASE: MAE over the in-sample MAE of the seasonal naive forecast with the data set's
  seasonal period (catalogue: M4-Hourly 24, M4-Weekly 1, M3-Monthly 12, M3-Quarterly 4,
  M3-Yearly 1). M3 has no official MASE; ours uses the same rule.
- OWA: ``(sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2) / 2`` with *our* Naive2 on the same
  series, taken from the CSV when a full Naive2 row exists, else run first (and recorded).

Models: ``naive``, ``naive2``, ``seasonal_naive`` (season = the data set's period), ``arima``
(AutoARIMA, seasonal with the data set's period), ``ets`` (automatic ETS), ``theta``; and
the neural models ``tsrm``, ``tsrm-sketch``, ``dlinear``, ``nlinear``, ``patchtst``,
``transformer`` (when this tsrm has them). ``arima``, ``ets`` and ``theta`` are fitted one
series at a time; a series whose fit fails gets the Naive2 forecast instead and is counted
in the ``fallbacks`` column (the M4 convention of scoring every series).

Neural models are *global*: one network over all series of the panel (the long frame),
each series z-scored with its own training-part statistics (``scaling=True``), with
``validation_size = horizon`` (the last window of every series is the early-stopping set).
Look-back: ``--lookback-multiple`` (default 4) times the horizon, clipped to
``shortest train series - 2 * horizon`` so that every series keeps one training window
besides its validation window: M4-Hourly 192 (shortest train part 700 points), M4-Weekly 52
(80), M3-Monthly 12 (48). On M3-Yearly the rule gives 2 (14 points), too little to be
meaningful, and M3-Quarterly (16 points = 2 x 8) cannot be run by it at all (the cell fails
with a message): a global model there would have to leave its shortest series out of training,
which this script does not do. ``--lookback`` sets the look-back outright (a series too short
for it then fails the fit). ``--pad-short`` lifts the cap instead: every series shorter than
``lookback + 2 * horizon`` is left-padded with missing values at earlier timestamps and the
forecaster runs with ``missing="mask"`` (the padding is left out of the loss and, as input,
holds the series' first value), so short series train with a long look-back, as N-BEATS
pads short histories. The padding precedes each series' data and carries no information.
``--lookback auto`` runs the library's defaults instead (``TRMForecaster(horizon=h)`` and the
seed): the model chooses its look-back and season on its own validation split, and pads short
series itself.

Examples::

    python benchmarks/short_horizon.py --dataset M4-Hourly M4-Weekly M3-Monthly \\
        --model naive2 seasonal_naive arima ets theta tsrm
    python benchmarks/short_horizon.py --dataset M4-Weekly --model tsrm-sketch \\
        --max-epochs 50 --set tsrm-sketch:dropout=0.1
    python benchmarks/short_horizon.py --dataset M4-Hourly --model tsrm --lookback auto
    # choosing settings: the last horizon of each training part is scored, the test part
    # is never read; rows go to short_horizon_dev.csv
    python benchmarks/short_horizon.py --dev --dataset M3-Monthly --model theta tsrm --lookback auto
    # smoke test on 5 series; written to short_horizon_partial.csv only
    python benchmarks/short_horizon.py --dataset M4-Weekly --model naive2 theta --limit-series 5

Every cell prints one line ``RESULT dataset=... horizon=... model=... smape=... mase=...
owa=... n_series=... params=... train_s=... predict_ms_per_series=...`` and appends a row to
``benchmarks/results/short_horizon.csv`` (with the git commit; for neural models also the
season and any fallback that ``fit`` chose, ``chosen_period`` and ``chosen_fallback``);
``short_horizon.md`` is regenerated from it with
the published numbers beside ours. A cell already in the CSV (same data set, model,
settings and seed) is skipped unless ``--force``; ``--set [MODEL:]KEY=VALUE`` works as in
``long_horizon.py``.
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

from tsrm import ETS, AutoARIMA, FitFailedError, Naive, Naive2, SeasonalNaive, Theta
from tsrm.exceptions import SeriesTooShortError
from tsrm.forecasting.datasets import UnknownDatasetError, get_info, list_datasets, load_dataset
from tsrm.forecasting.metrics import evaluate, owa

SCRIPT = "short_horizon.py"
STEM = "short_horizon"
#: Statistical models: name -> constructor(horizon, season_length).
STAT_MODELS = {
    "naive": lambda h, m: Naive(horizon=h),
    "naive2": lambda h, m: Naive2(horizon=h, season_length=m),
    "seasonal_naive": lambda h, m: SeasonalNaive(horizon=h, season_length=m),
    "arima": lambda h, m: AutoARIMA(horizon=h, season_length=m),
    "ets": lambda h, m: ETS(horizon=h, season_length=m),
    "theta": lambda h, m: Theta(horizon=h, season_length=m),
}
#: Fitted one series at a time, with the Naive2 forecast for a series whose fit fails.
PER_SERIES = ("arima", "ets", "theta")
MODELS = (*STAT_MODELS, *H.NEURAL_MODELS)
DEFAULT_LOOKBACK_MULTIPLE = 4
FIELDS = [
    "date",
    "dataset",
    "horizon",
    "model",
    "settings",
    "seed",
    "smape",
    "mase",
    "owa",
    "n_series",
    "lookback",
    "params",
    "epochs",
    "best_epoch",
    "best_val_mse",
    "train_s",
    "predict_ms_per_series",
    "fallbacks",
    "machine",
    "command",
    "chosen_period",
    "chosen_fallback",
    "git_commit",
]
KEY = ["dataset", "horizon", "model", "settings", "seed"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--dataset", nargs="+", default=["M4-Hourly", "M4-Weekly", "M3-Monthly"], metavar="NAME"
    )
    parser.add_argument(
        "--model",
        nargs="+",
        default=["naive2", "seasonal_naive"],
        choices=MODELS,
        metavar="MODEL",
        help=f"one or more of {', '.join(MODELS)}",
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="default ../shared/data")
    parser.add_argument("--seed", type=int, default=0, help="neural models only")
    parser.add_argument("--max-epochs", type=int, default=None, help="default: the model's")
    parser.add_argument("--patience", type=int, default=None, help="default: the model's")
    parser.add_argument("--batch-size", type=int, default=None, help="default: the model's")
    parser.add_argument("--learning-rate", type=float, default=None, help="default: the model's")
    parser.add_argument(
        "--lookback",
        type=H.lookback_arg,
        default=None,
        help="neural look-back (default: see docstring); auto: the library's defaults choose "
        "it, with their own validation split and padding of short series",
    )
    parser.add_argument(
        "--lookback-multiple",
        type=int,
        default=DEFAULT_LOOKBACK_MULTIPLE,
        help="neural look-back = this x horizon, clipped to the shortest series",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="[MODEL:]KEY=VALUE",
        help="another constructor argument (unscoped: every neural model)",
    )
    parser.add_argument(
        "--pad-short",
        action="store_true",
        help="neural models: no look-back cap; series too short for the look-back are "
        "left-padded with missing values (masked, see the docstring)",
    )
    parser.add_argument(
        "--dev",
        action="store_true",
        help="score the last horizon of each training part (never the test part); rows go "
        "to short_horizon_dev.csv: where settings may be compared",
    )
    parser.add_argument("--results-dir", type=Path, default=H.RESULTS_DIR)
    parser.add_argument("--force", action="store_true", help="re-run cells already in the CSV")
    parser.add_argument(
        "--limit-series",
        type=int,
        default=None,
        metavar="N",
        help="smoke tests only: the first N series; the result is partial, goes to "
        "short_horizon_partial.csv (never to the main files) and is never skipped",
    )
    return parser


class PanelData:
    """A panel's train and test values per series (optionally the first ``limit`` series).

    ``dev``: the competition test part is never read; the last ``horizon`` points of each
    training part are scored instead, and the model sees what comes before them. Series
    left with fewer than ``horizon + 2`` points are dropped (``n_series`` counts the rest).
    """

    def __init__(self, dataset, limit: int | None, dev: bool = False) -> None:
        train, test = dataset.train, dataset.test
        if dev:
            train, test = dev_split(train, dataset.horizon)
        if limit is not None:
            keep = train["unique_id"].drop_duplicates().iloc[:limit]
            train = train[train["unique_id"].isin(keep)]
            test = test[test["unique_id"].isin(keep)]
        self.info = dataset.info
        self.horizon = dataset.horizon
        self.season = dataset.info.seasonal_period
        self.train_frame = train.reset_index(drop=True)
        self.train = _by_series(train)
        self.test = _by_series(test)
        self.ids = list(self.train)
        if set(self.test) != set(self.ids):
            raise ValueError(f"{dataset.name}: train and test parts hold different series")

    @property
    def n_series(self) -> int:
        return len(self.ids)

    @property
    def min_length(self) -> int:
        return min(len(v) for v in self.train.values())


def dev_split(train: pd.DataFrame, horizon: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each training part split into all but its last ``horizon`` points and those points,
    keeping the series with at least ``horizon + 2`` points before them."""
    train = train.sort_values(["unique_id", "ds"], kind="stable")
    from_end = train.groupby("unique_id", sort=False).cumcount(ascending=False)
    length = train.groupby("unique_id", sort=False)["y"].transform("size")
    train = train[length >= 2 * horizon + 2]
    from_end = from_end[train.index]
    return train[from_end >= horizon], train[from_end < horizon]


def _by_series(frame: pd.DataFrame) -> dict:
    frame = frame.sort_values(["unique_id", "ds"], kind="stable")
    return {
        uid: g["y"].to_numpy(dtype=np.float64) for uid, g in frame.groupby("unique_id", sort=False)
    }


def neural_lookback(args, horizon: int, min_length: int) -> int:
    """``--lookback``, else ``multiple x horizon`` clipped to ``min_length - 2 x horizon``
    (not clipped with ``--pad-short``)."""
    if args.lookback is not None:
        return args.lookback
    if args.pad_short:
        return args.lookback_multiple * horizon
    cap = min_length - 2 * horizon
    if cap < 1:
        raise ValueError(
            f"the shortest series has {min_length} points: too few for horizon {horizon} plus "
            "a validation window of the same length"
        )
    return min(args.lookback_multiple * horizon, cap)


def forecast_stat(name: str, data: PanelData, params: dict) -> tuple[dict, dict]:
    """Forecasts of a statistical model per series, and the measurements."""
    h, m = data.horizon, data.season
    fallbacks, first_error = 0, ""
    fit_s = predict_s = 0.0
    if name not in PER_SERIES:
        model = STAT_MODELS[name](h, m).set_params(**params)
        start = time.perf_counter()
        model.fit(data.train_frame)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        out = model.predict(h=h)
        predict_s = time.perf_counter() - start
        forecasts = _by_series(out)
    else:
        forecasts = {}
        report_every = max(1, data.n_series // 10)
        started = time.perf_counter()
        for i, uid in enumerate(data.ids, 1):
            y = data.train[uid]
            try:
                start = time.perf_counter()
                model = STAT_MODELS[name](h, m).set_params(**params).fit(y)
                fit_s += time.perf_counter() - start
                start = time.perf_counter()
                forecasts[uid] = np.asarray(model.predict(h=h), dtype=np.float64)
                predict_s += time.perf_counter() - start
            except (FitFailedError, SeriesTooShortError) as err:
                fallbacks += 1
                first_error = first_error or f"{uid}: {err}"
                forecasts[uid] = np.asarray(Naive2(h, m).fit(y).predict(h=h), dtype=np.float64)
            if i % report_every == 0 and data.n_series >= 20:
                print(
                    f"  {name}: {i}/{data.n_series} series, {time.perf_counter() - started:.0f} s",
                    flush=True,
                )
        if fallbacks:
            print(f"  {name}: {fallbacks} series fell back to Naive2; first: {first_error}")
    return forecasts, {
        "params": 0 if name in ("naive", "naive2", "seasonal_naive") else "",
        "train_s": fit_s,
        "predict_s": predict_s,
        "fallbacks": fallbacks,
    }


def left_pad(frame: pd.DataFrame, length: int) -> pd.DataFrame:
    """Each series shorter than ``length`` left-padded with NaN at earlier timestamps.

    The padding only ever precedes a series' first observed value, so it holds no
    information from the test part; the forecaster (``missing="mask"``) fills it with
    that first value as input and leaves it out of the loss.
    """
    pieces = []
    for uid, g in frame.groupby("unique_id", sort=False):
        short = length - len(g)
        if short > 0:
            ds = pd.DatetimeIndex(g["ds"])
            freq = ds.freq or pd.infer_freq(ds)
            if freq is None:
                raise ValueError(f"series {uid!r}: cannot infer its frequency to pad it")
            before = pd.date_range(end=ds[0], periods=short + 1, freq=freq)[:-1]
            pieces.append(pd.DataFrame({"unique_id": uid, "ds": before, "y": np.nan}))
        pieces.append(g)
    return pd.concat(pieces, ignore_index=True)


def forecast_neural(name: str, data: PanelData, args, training: dict, params: dict):
    """One global network over the panel; forecasts per series and the measurements."""
    h = data.horizon
    lookback = neural_lookback(args, h, data.min_length)
    frame = data.train_frame
    auto = lookback == "auto"  # the defaults: nothing but the horizon and the seed
    if args.pad_short and not auto:
        # One training window and one validation window for every series.
        frame = left_pad(frame, lookback + 2 * h)
        params = {"missing": "mask", **params}
    model = H.make_neural(
        name,
        horizon=h,
        lookback=lookback,
        seed=args.seed,
        validation_size=None if auto else h,
        scaling=True,  # raw data: each series z-scored with its own training part
        training=training,
        sets=params,
    )
    start = time.perf_counter()
    model.fit(frame)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    out = model.predict(h=h)
    predict_s = time.perf_counter() - start
    history = model.history_
    val_loss = history.get("val_loss") or []
    return _by_series(out), {
        "lookback": model.lookback_ if auto else lookback,
        "params": model.n_params_,
        "epochs": len(history["train_loss"]),
        "best_epoch": history.get("best_epoch", ""),
        "best_val_mse": round(min(val_loss), 4) if val_loss else "",
        "train_s": fit_s,
        "predict_s": predict_s,
        "fallbacks": 0,
        "chosen_period": getattr(model, "period_", ""),
        "chosen_fallback": getattr(model, "fallback_", None) or "",
    }


def score(data: PanelData, forecasts: dict) -> dict[str, float]:
    """Mean sMAPE and MASE over series (MASE with the data set's seasonal period)."""
    missing = [uid for uid in data.ids if uid not in forecasts]
    if missing:
        raise ValueError(f"no forecast for {len(missing)} series, e.g. {missing[0]!r}")
    result = evaluate(
        [data.test[uid] for uid in data.ids],
        [forecasts[uid] for uid in data.ids],
        [data.train[uid] for uid in data.ids],
        season_length=data.season,
        metrics=("smape", "mase"),
    )
    return result.mean


def run_cell(name: str, data: PanelData, args, training: dict, params: dict, reference):
    """Fit, forecast and score one cell; ``reference`` is Naive2's (sMAPE, MASE) or None.

    Returns the row's measured fields and the unrounded mean sMAPE and MASE.
    """
    if name in STAT_MODELS:
        forecasts, measured = forecast_stat(name, data, params)
    else:
        forecasts, measured = forecast_neural(name, data, args, training, params)
    means = score(data, forecasts)
    if name == "naive2" and not params:
        reference = (means["smape"], means["mase"])
    owa_value = "" if reference is None else owa(means["smape"], means["mase"], *reference)
    fields = {
        "smape": round(means["smape"], 4),
        "mase": round(means["mase"], 4),
        "owa": "" if owa_value == "" else round(owa_value, 4),
        "n_series": data.n_series,
        "lookback": measured.get("lookback", ""),
        "params": measured["params"],
        "epochs": measured.get("epochs", ""),
        "best_epoch": measured.get("best_epoch", ""),
        "best_val_mse": measured.get("best_val_mse", ""),
        "train_s": round(measured["train_s"], 1),
        "predict_ms_per_series": round(1e3 * measured["predict_s"] / data.n_series, 4),
        "fallbacks": measured["fallbacks"],
        "chosen_period": measured.get("chosen_period", ""),
        "chosen_fallback": measured.get("chosen_fallback", ""),
    }
    return fields, means


def cached_reference(main_file: H.ResultsFile, dataset: str) -> tuple[float, float] | None:
    """Naive2's (sMAPE, MASE) from the latest full, default-settings Naive2 row."""
    found = None
    for row in main_file.rows():
        if row["dataset"] == dataset and row["model"] == "naive2" and not row["settings"]:
            found = (float(row["smape"]), float(row["mase"]))
    return found


def result_line(row: dict, partial: bool) -> str:
    owa_text = f"{row['owa']:.4f}" if row["owa"] != "" else "nan"
    return (
        f"RESULT dataset={row['dataset']} horizon={row['horizon']} model={row['model']} "
        f"smape={row['smape']:.4f} mase={row['mase']:.4f} owa={owa_text} "
        f"n_series={row['n_series']} params={row['params']} train_s={row['train_s']} "
        f"predict_ms_per_series={row['predict_ms_per_series']}" + (" partial=1" if partial else "")
    )


def write_markdown(results_dir: Path) -> Path | None:
    """Regenerate ``short_horizon.md`` from ``short_horizon.csv`` (None if there is no CSV)."""
    main_file, _ = H.results_files(results_dir, STEM, FIELDS, KEY)
    rows = main_file.latest()
    if not rows:
        return None
    lines = [
        "# Short-horizon benchmark",
        "",
        f"Generated by `benchmarks/{SCRIPT}` from `{STEM}.csv` (the latest row of every cell); "
        "do not edit by hand. Every model is fitted on the train part of each series and "
        "forecasts the official test part; sMAPE (M4 definition) and MASE (in-sample seasonal "
        "naive scale, the data set's seasonal period) are averaged over all series. OWA is "
        "relative to our own Naive2 on the same series; the published OWA to the official "
        "Naive2. Neural models are one global network per data set (look-back in column L). "
        "`fallbacks`: series whose fit failed and got the Naive2 forecast. The CSV row of "
        "each cell holds the machine and the exact command.",
        "",
        f"Published numbers: {H.SHORT_SOURCE}.",
    ]
    order = {name: i for i, name in enumerate(list_datasets("panel"))}
    datasets = sorted({r["dataset"] for r in rows}, key=lambda d: (order.get(d, 99), d))
    for dataset in datasets:
        ours = sorted(
            (r for r in rows if r["dataset"] == dataset),
            key=lambda r: (r["model"] != "naive2", r["model"], r["settings"], r["seed"]),
        )
        table = [
            [
                r["model"],
                f"`{r['settings']}`" if r["settings"] else "defaults",
                r["seed"],
                H.fmt(r["smape"]),
                H.fmt(r["mase"]),
                H.fmt(r["owa"]),
                r["n_series"],
                r["lookback"],
                f"{int(r['params']):,}" if r["params"] else r["params"],
                r["train_s"],
                r["fallbacks"],
                r["date"],
            ]
            for r in ours
        ]
        table += [
            [f"*{method} (published)*", "", "", H.fmt(s), H.fmt(m), H.fmt(o)] + [""] * 6
            for method, s, m, o in H.PUBLISHED_SHORT.get(dataset, [])
        ]
        horizon = ours[0]["horizon"]
        lines += ["", f"## {dataset} (h = {horizon})", ""]
        lines += H.markdown_table(
            [
                "model",
                "settings",
                "seed",
                "sMAPE",
                "MASE",
                "OWA",
                "series",
                "L",
                "params",
                "train s",
                "fallbacks",
                "date",
            ],
            table,
        )
    path = Path(results_dir) / f"{STEM}.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    H.check_models(args.model, parser)
    sets = H.parse_sets(args.set, parser)
    for name in args.dataset:
        try:
            if get_info(name).kind != "panel":
                parser.error(f"{name} is not a panel (M4/M3) data set; see long_horizon.py")
        except UnknownDatasetError as err:
            parser.error(str(err))
    if args.limit_series is not None and args.limit_series < 1:
        parser.error("--limit-series must be at least 1")
    partial = args.limit_series is not None
    stem = f"{STEM}_dev" if args.dev else STEM
    main_file, partial_file = H.results_files(args.results_dir, stem, FIELDS, KEY)
    training = H.training_overrides(args)
    data_dir = args.data_dir or H.DEFAULT_DATA_DIR
    machine, commit = H.machine(), H.git_commit()
    started = time.perf_counter()
    done, failed, skipped = [], 0, 0
    # Naive2 (with default settings) first: every other model's OWA needs it.
    requested = sorted(dict.fromkeys(args.model), key=lambda m: m != "naive2")

    for dataset_name in args.dataset:
        info = get_info(dataset_name)
        data = None
        reference = None if partial else cached_reference(main_file, info.name)
        cells = [(m, False) for m in requested]  # (model, is the added Naive2 reference)
        default_naive2 = "naive2" in requested and not H.sets_for("naive2", sets, False)
        if reference is None and not default_naive2:
            cells.insert(0, ("naive2", True))  # recorded like any cell
            print(f"{info.name}: no Naive2 result to compare with yet; running naive2 first")
        for model_name, is_reference in cells:
            trained = model_name in H.NEURAL_MODELS
            set_items = [] if is_reference else H.sets_for(model_name, sets, trained)
            cell_sets = H.set_values(set_items)
            training_used = training if trained else {}
            extra = {}
            if trained and args.lookback is not None:
                extra["lookback"] = args.lookback
            elif trained and args.lookback_multiple != DEFAULT_LOOKBACK_MULTIPLE:
                extra["lookback_multiple"] = args.lookback_multiple
            if trained and args.pad_short:
                extra["pad_short"] = True
            settings = H.settings_text({**training_used, **extra, **cell_sets})
            seed = args.seed if trained else ""
            label = f"dataset={info.name} model={model_name} settings='{settings}' seed={seed}"
            row = {
                "date": H.today(),
                "dataset": info.name,
                "horizon": info.horizons[0],
                "model": model_name,
                "settings": settings,
                "seed": seed,
            }
            if not partial and not args.force:
                old = main_file.find(row)
                if old is not None:
                    print(
                        f"SKIP {label}: finished on {old['date']} (smape={old['smape']}, "
                        f"mase={old['mase']}, owa={old['owa']}) in {main_file.path.name}; "
                        "--force re-runs it"
                    )
                    if model_name == "naive2" and not settings:
                        reference = (float(old["smape"]), float(old["mase"]))
                    skipped += 1
                    continue
            try:
                if data is None:
                    data = PanelData(
                        load_dataset(info.name, data_dir=data_dir), args.limit_series, args.dev
                    )
                params = {k: H.parse_value(v) for k, v in cell_sets.items()}
                fields, means = run_cell(model_name, data, args, training_used, params, reference)
                row.update(fields)
            except Exception as err:  # report, go on with the other cells
                traceback.print_exc(file=sys.stderr)
                print(f"FAILED {label}: {type(err).__name__}: {err}")
                failed += 1
                continue
            if model_name == "naive2" and not settings:
                reference = (means["smape"], means["mase"])
            options = [
                ("--dataset", info.name),
                ("--model", model_name),
                ("--seed", args.seed if trained else None),
                ("--data-dir", args.data_dir),
                ("--limit-series", args.limit_series),
                ("--dev", args.dev),
            ]
            options += [(f"--{k.replace('_', '-')}", v) for k, v in training_used.items()]
            options += [(f"--{k.replace('_', '-')}", v) for k, v in extra.items()]
            options += H.set_flags(set_items)
            row["machine"], row["git_commit"] = machine, commit
            row["command"] = H.command(SCRIPT, options)
            (partial_file if partial else main_file).append(row)
            done.append(row)
            print(result_line(row, partial), flush=True)

    if not partial and not args.dev:
        md = write_markdown(args.results_dir)
        if md is not None:
            print(f"wrote {md}")
    _print_summary(done)
    return H.report_end(
        done, skipped, failed, partial_file.path if partial else None, machine, started
    )


def _print_summary(done: list[dict]) -> None:
    """This run's cells per data set, with the published numbers."""
    if not done:
        return
    print(f"\n{'dataset':<13} {'model':<32} {'sMAPE':>8} {'MASE':>7} {'OWA':>6} {'series':>7}")
    groups: dict[str, list[dict]] = {}
    for row in done:
        groups.setdefault(row["dataset"], []).append(row)
    for dataset, rows in groups.items():
        for row in rows:
            print(
                f"{dataset:<13} {row['model']:<32} {row['smape']:>8.3f} {row['mase']:>7.3f} "
                f"{H.fmt(row['owa']):>6} {row['n_series']:>7}"
            )
        for method, s, m, o in H.PUBLISHED_SHORT.get(dataset, []):
            print(
                f"{dataset:<13} {method + ' (published)':<32} {H.fmt(s):>8} {H.fmt(m):>7} "
                f"{H.fmt(o):>6}"
            )
    print()


if __name__ == "__main__":
    sys.exit(main())
