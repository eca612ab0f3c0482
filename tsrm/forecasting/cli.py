"""``tsrm fit``, ``predict``, ``export``, ``bench`` and ``resample``: forecasting from CSV files.

``fit`` reads a CSV file (:func:`~tsrm.forecasting.datasets.read_series`), trains one neural
forecaster and saves it to a model directory; ``predict`` loads that directory
and writes the forecast as CSV (with ``--coverage`` / ``--quantiles``, also prediction
intervals and quantiles); ``export`` writes it as an ONNX file; ``bench``
backtests a few models on a CSV file and prints a table; ``resample`` puts an irregular
sensor log on a regular grid. User errors raise
``ValueError`` / ``OSError`` subclasses, which ``tsrm.cli.main`` reports as one
``tsrm: error: ...`` line, exit code 2.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shlex
import sys
import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from tsrm.exceptions import TSRMInputError
from tsrm.forecasting.models import registry
from tsrm.forecasting.models.trm.config import PRESETS

# How fit read its CSV, kept next to the model so that predict reads new history alike.
READ_OPTIONS_FILE = "tsrm-cli.json"
READ_OPTIONS = ("date_column", "target", "id_column", "sep")


# -- shared helpers ---------------------------------------------------------------------------
def _add_read_options(parser: argparse.ArgumentParser, defaults_from: str) -> None:
    group = parser.add_argument_group(f"reading the CSV file ({defaults_from})")
    group.add_argument(
        "--date-column", help="column of time stamps (default: detected, e.g. 'date' or 'ds')"
    )
    group.add_argument(
        "--target",
        nargs="+",
        metavar="COLUMN",
        help="value column(s) to forecast (default: every numeric column but date and id)",
    )
    group.add_argument(
        "--id-column",
        help="long format: the column naming the series of each row (one value column then)",
    )
    group.add_argument("--sep", help="field separator (default ',')")


def _read_options(args: argparse.Namespace, stored: dict | None = None) -> dict[str, Any]:
    """The reading options: those given on the command line, else ``stored`` ones."""
    stored = stored or {}
    return {
        k: getattr(args, k) if getattr(args, k) is not None else stored.get(k) for k in READ_OPTIONS
    }


def _read_csv(path: str, options: dict[str, Any]):  # noqa: ANN202 - a DataFrame
    from tsrm.forecasting.datasets.own import read_series

    kwargs = {"sep": options["sep"]} if options.get("sep") else {}
    try:
        return read_series(
            path,
            date_column=options.get("date_column"),
            value_columns=options.get("target"),
            id_column=options.get("id_column"),
            **kwargs,
        )
    except TSRMInputError as err:  # name the command-line flags, not read_series' arguments
        text = str(err)
        for argument, flag in _FLAGS.items():
            text = text.replace(f"{argument}=", f"{flag} ").replace(argument, flag)
        # A suggested list of columns, "--target ['a', 'b']", as the flag takes it: "a b".
        text = re.sub(r"--target \[([^\]]*)\]", lambda m: "--target " + _names(m[1]), text)
        raise type(err)(text.replace("sep=", "--sep ")) from None


def _names(listed: str) -> str:
    """``"'a', 'b'"`` as ``"a b"``: column names as command-line words (quoted if needed)."""
    try:
        names = ast.literal_eval(f"[{listed}]")
    except (ValueError, SyntaxError):  # labels that are not plain literals: leave them
        return f"[{listed}]"
    return " ".join(shlex.quote(str(name)) for name in names)


_FLAGS = {"value_columns": "--target", "date_column": "--date-column", "id_column": "--id-column"}

# A Python argument's value in a library message: quoted choices ('a', 'b' or 'c'), "..." or a
# plain word or number (ending in a word character: the period closing a sentence stays).
_VALUE = r"'[^']*'(?:(?:,\s*|\s+or\s+)'[^']*')*|\.\.\.|[\w.:+-]*\w"


def _in_flags(
    err: TSRMInputError, flags: Mapping[str, str], bare: Collection[str] = ()
) -> TSRMInputError:
    """``err`` again, its message naming the command-line flags for the library's arguments.

    Library messages suggest fixes in Python (``gaps='interpolate', 'ffill' or 'mask'``,
    ``max_gap=3``), which a command-line user cannot type.

    Parameters
    ----------
    err : TSRMInputError
        The library's error.
    flags : mapping of str to str
        Python argument name -> its flag, e.g. ``{"max_gap": "--max-gap"}``. ``name=value``
        becomes ``--flag value``, quotes dropped (``--gaps interpolate, ffill or mask``).
    bare : collection of str
        Names also replaced where they stand alone (``a larger max_gap``): only names that
        are no English word, unlike ``gaps`` in "fill gaps".

    Returns
    -------
    TSRMInputError
        An error of ``err``'s class with the reworded message.
    """
    names = "|".join(map(re.escape, sorted(flags, key=len, reverse=True)))

    def given(match: re.Match) -> str:
        value = re.sub(r"'([^']*)'", lambda quoted: shlex.quote(quoted[1]), match[2])
        return f"{flags[match[1]]} {value}"

    text = re.sub(rf"(?<![\w.-])({names})=({_VALUE})", given, str(err))
    for name in bare:
        text = re.sub(rf"(?<![\w'.-]){re.escape(name)}(?![\w'=])", flags[name], text)
    return type(err)(text)


def _lookback(model: Any) -> int:
    """The look-back a fitted model uses: the one ``fit`` chose for ``lookback="auto"``."""
    return getattr(model, "lookback_", model.lookback)


def _check_positive(value: int | None, flag: str) -> None:
    if value is not None and value < 1:
        raise TSRMInputError(f"{flag} must be a positive integer, got {value}.")


def _done(message: str) -> int:
    """Report what a command did on standard error; the exit status 0."""
    print(message, file=sys.stderr)
    return 0


def _write_csv(frame, out: str | None) -> None:  # noqa: ANN001 - a DataFrame
    import pandas as pd

    long = "unique_id" in frame.columns and "ds" in frame.columns
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    text = frame.to_csv(index=not long)
    if out is None:
        sys.stdout.write(text)
    else:
        Path(out).write_text(text, encoding="utf-8")


# -- fit --------------------------------------------------------------------------------------
def _fit(args: argparse.Namespace) -> int:
    for flag in ("horizon", "lookback", "max_epochs", "batch_size", "patience", "threads"):
        _check_positive(getattr(args, flag), "--" + flag.replace("_", "-"))
    if args.learning_rate is not None and not args.learning_rate > 0:
        raise TSRMInputError(f"--learning-rate must be positive, got {args.learning_rate}.")
    if args.preset is not None and args.model != "trm":
        raise TSRMInputError(f"--preset applies to --model trm only, not {args.model!r}.")
    if Path(args.out).exists() and not Path(args.out).is_dir():
        raise TSRMInputError(f"--out {args.out} is a file; pass a directory for the model.")
    options = _read_options(args)
    data = _read_csv(args.data, options)
    settings: dict[str, Any] = {"random_state": args.seed, "verbose": args.verbose}
    names = ("horizon", "lookback", "max_epochs", "preset", "validation_size", "batch_size")
    for name in (*names, "learning_rate", "patience"):
        if getattr(args, name) is not None:
            settings[name] = getattr(args, name)
    if args.threads is not None:
        settings["n_threads"] = args.threads
    if settings.get("validation_size", 0) >= 1:  # a number of steps
        settings["validation_size"] = int(settings["validation_size"])
    model = registry.model_class(args.model)(**settings)
    start = time.perf_counter()
    model.fit(data)
    seconds = time.perf_counter() - start
    out = model.save(args.out)
    (out / READ_OPTIONS_FILE).write_text(json.dumps(options, indent=2), encoding="utf-8")
    n_series = model.context_.n_series
    fallback = getattr(model, "fallback_", None)
    # The network lost to the simple forecast on validation: say what predict will use.
    by = f"; it forecasts by {fallback}, more accurate on validation" if fallback else ""
    return _done(
        f"fitted {type(model).__name__} ({model.n_params_:,} parameters, lookback "
        f"{_lookback(model)}, horizon {model.horizon}) on {n_series} series in "
        f"{seconds:.1f} s{by}; saved to {out}"
    )


# -- predict ----------------------------------------------------------------------------------
def _predict(args: argparse.Namespace) -> int:
    _check_positive(args.h, "--h")
    model = registry.load_model(args.model_dir)
    history = None
    if args.data is not None:
        stored_file = Path(args.model_dir) / READ_OPTIONS_FILE
        stored = (
            json.loads(stored_file.read_text(encoding="utf-8")) if stored_file.is_file() else {}
        )
        history = _read_csv(args.data, _read_options(args, stored))
    coverages, levels = sorted(set(args.coverage or ())), sorted(set(args.quantiles or ()))
    if (coverages or levels) and args.h is not None and args.h > model.horizon:
        # The library says "h <= ..." here; a command-line user needs the flags.
        raise TSRMInputError(
            f"--coverage and --quantiles reach at most the model's horizon, {model.horizon} "
            f"steps (their calibration is per forecast step), got --h {args.h}; pass --h "
            f"{model.horizon} or less, or fit again with --horizon {args.h}."
        )
    forecast = model.predict(h=args.h, y=history)
    if coverages or levels:
        forecast = _with_bands(forecast, _bands(model, args.h, history, coverages, levels))
    _write_csv(forecast, args.out)
    return 0


def _bands(
    model: Any, h: int | None, history: Any, coverages: list[float], levels: list[float]
) -> dict[str, Any]:
    """Interval bounds and quantiles by column label (``lower_90``, ``upper_90``, ``q10``)."""
    bands: dict[str, Any] = {}
    try:
        for coverage in coverages:
            lower, upper = model.predict_interval(h=h, y=history, coverage=coverage)
            bands[f"lower_{_percent(coverage)}"] = lower
            bands[f"upper_{_percent(coverage)}"] = upper
        if levels:
            quantiles = model.predict_quantiles(h=h, y=history, quantiles=levels)
            bands.update({f"q{_percent(q)}": values for q, values in quantiles.items()})
    except TSRMInputError as err:  # e.g. no calibration: "refit with validation_size=0.2"
        raise _in_flags(err, _PREDICT_FLAGS, bare=_PREDICT_BARE) from None
    return bands


_PREDICT_FLAGS = {
    "validation_size": "--validation-size",
    "coverage": "--coverage",
    "h": "--h",
    "predict_interval": "--coverage",
    "predict_quantiles": "--quantiles",
}
_PREDICT_BARE = ("validation_size", "predict_interval", "predict_quantiles")


def _percent(probability: float) -> str:
    """A probability as the percentage in a column name: 0.9 -> ``"90"``, 0.975 -> ``"97.5"``."""
    text = repr(round(100 * probability, 9))  # 100 * 0.9 is 90.00000000000001
    return text.removesuffix(".0")


def _with_bands(forecast: Any, bands: dict[str, Any]) -> Any:
    """``forecast`` with a column per band: ``lower_90`` ... in a long frame, and
    ``<series>_lower_90`` ... after each series' column in a wide one."""
    import pandas as pd

    if isinstance(forecast, pd.Series):  # a model saved from Python, fitted on a Series
        name = "y" if forecast.name is None else forecast.name
        forecast = forecast.to_frame(name)
        bands = {label: band.to_frame(name) for label, band in bands.items()}
    if "unique_id" in forecast.columns and "ds" in forecast.columns:
        (value,) = [c for c in forecast.columns if c not in ("unique_id", "ds")]
        # Every band comes from the same panel as the forecast: the same rows in the same order.
        return forecast.assign(**{label: band[value].to_numpy() for label, band in bands.items()})
    columns: dict[Any, Any] = {}
    for series in forecast.columns:
        columns[series] = forecast[series]
        columns.update({f"{series}_{label}": band[series] for label, band in bands.items()})
    if len(columns) < forecast.shape[1] * (1 + len(bands)):
        raise TSRMInputError(
            f"series names clash with the interval and quantile columns ({list(bands)} after "
            "each series' name); rename the series whose names end like those columns."
        )
    return pd.DataFrame(columns, index=forecast.index)


# -- export -----------------------------------------------------------------------------------
def _export(args: argparse.Namespace) -> int:
    model = registry.load_model(args.model_dir)
    try:
        path = model.export_onnx(args.out, opset=args.opset, quantize=args.int8)
    except ImportError as err:  # the onnx extra is missing: the user's to install
        raise TSRMInputError(str(err)) from None
    size = path.stat().st_size
    saved = _int8_saving(path, size) if args.int8 else ""
    return _done(
        f"wrote {path} ({size / 1024:.0f} KiB{saved}): input 'window' float32 "
        f"(batch, {_lookback(model)}) raw values, output 'forecast' float32 "
        f"(batch, {model.horizon})"
    )


def _int8_saving(path: Path, size: int) -> str:
    """How much smaller the int8 file is than its float32 graph (recorded by the export)."""
    import onnx

    props = onnx.load(str(path), load_external_data=False).metadata_props
    fp32 = int({p.key: p.value for p in props}["float32_file_bytes"])
    return f", {100 * (1 - size / fp32):.0f} % smaller than in float32 ({fp32 / 1024:.0f} KiB)"


# -- bench ------------------------------------------------------------------------------------
def _bench(args: argparse.Namespace) -> int:
    from tsrm import DLinear, Naive, SeasonalNaive
    from tsrm.forecasting.backtesting import backtest

    for flag in ("horizon", "lookback", "max_epochs", "windows", "season_length"):
        _check_positive(getattr(args, flag), "--" + flag.replace("_", "-"))
    data = _read_csv(args.data, _read_options(args))
    h, seed = args.horizon, args.seed
    trained = {"random_state": seed}
    if args.max_epochs is not None:
        trained["max_epochs"] = args.max_epochs
    trm = {**trained, "lookback": args.lookback or "auto"}
    # DLinear has no search: it gets the look-back TS-TRM's search starts from.
    linear = {**trained, "lookback": args.lookback or _first_lookback(data, h, args)}
    gaps = _has_missing(data)  # before the table: an input error prints no header
    models = {
        "TS-TRM": registry.model_class("trm")(horizon=h, **trm),
        "TS-TRM sketch": registry.model_class("trm")(horizon=h, preset="sketch", **trm),
        "DLinear": DLinear(horizon=h, **linear),
        f"SeasonalNaive({args.season_length})": SeasonalNaive(
            horizon=h, season_length=args.season_length
        ),
        "Naive": Naive(horizon=h),
    }
    print(
        f"backtest: the last {args.windows} windows of {h} steps of every series, one model fit "
        f"on the history before them, seed {seed}; MASE scaled by the seasonal naive "
        f"(m={args.season_length}) on that history. One split and one seed: a quick look, not a "
        "benchmark (see benchmarks/ in the repository for those).",
        flush=True,
    )
    print(f"{'model':<22} {'MAE':>10} {'RMSE':>10} {'MASE':>8} {'seconds':>8}", flush=True)
    for name, model in models.items():
        if gaps and not model._allows_missing():  # the same policy as backtest and fit
            print(f"{name:<22} skipped: it does not handle missing values (NaN)", flush=True)
            continue
        start = time.perf_counter()
        result = backtest(
            model,
            data,
            horizon=h,
            n_windows=args.windows,
            metrics=("mae", "rmse", "mase"),
            season_length=args.season_length,
        )
        score = result.summary()
        print(
            f"{name:<22} {score['mae']:>10.4g} {score['rmse']:>10.4g} {score['mase']:>8.3f} "
            f"{time.perf_counter() - start:>8.1f}",
            flush=True,
        )
    return 0


def _first_lookback(data: Any, horizon: int, args: argparse.Namespace) -> int:
    """The longest look-back ``lookback="auto"`` would try on the backtest's training data."""
    from tsrm.forecasting.neural.selection import lookback_candidates
    from tsrm.forecasting.series import to_panel

    lengths = [n - args.windows * horizon for n in to_panel(data).lengths]
    return lookback_candidates(lengths, horizon, args.season_length)[0]


def _has_missing(data: Any) -> bool:
    import numpy as np

    from tsrm.forecasting.series import to_panel

    return any(np.isnan(v).any() for v in to_panel(data, allow_missing=True).values)


# -- resample ---------------------------------------------------------------------------------
def _resample(args: argparse.Namespace) -> int:
    from tsrm.forecasting.datasets import resample_log

    _check_positive(args.max_gap, "--max-gap")
    if not Path(args.log).is_file():
        raise TSRMInputError(f"{args.log}: no such file; pass the sensor log's CSV path.")
    try:
        result = resample_log(
            args.log,
            args.freq,
            **{name: getattr(args, name) for name in _COLUMNS},
            agg=args.agg,
            gaps=args.gaps,
            max_gap=args.max_gap,
            output="long" if args.long else "wide",
        )
    except TSRMInputError as err:  # "gaps='interpolate'", "max_gap=3": the flags instead
        err = type(err)(str(err).replace("output='long'", "--long"))  # not --output, the file
        raise _in_flags(err, _RESAMPLE_FLAGS, bare=_RESAMPLE_BARE) from None
    _write_csv(result.data, args.out)
    return _done(result.summary())


_COLUMNS = ("time_column", "sensor_column", "value_column", "device_column")
_RESAMPLE_FLAGS = {
    name: "--" + name.replace("_", "-") for name in ("freq", "agg", "gaps", "max_gap", *_COLUMNS)
}
# Names that are no English words, replaced where they stand alone too ("a larger max_gap");
# not "gaps" ("fill gaps").
_RESAMPLE_BARE = ("freq", "max_gap", *_COLUMNS)


# -- parsers ----------------------------------------------------------------------------------
def add_parsers(sub: Any) -> None:
    """Add ``fit``, ``predict``, ``export``, ``bench`` and ``resample`` to the ``tsrm``
    subcommands ``sub``."""
    for add in (_add_fit, _add_predict, _add_export, _add_bench, _add_resample):
        add(sub)


def _add_fit(sub: Any) -> None:
    fit = sub.add_parser(
        "fit",
        help="train a forecaster on a CSV file and save it to a model directory",
        description="Train a forecaster on the series of a CSV file (wide: a date column and "
        "one column per series; long: --id-column) and save it to a model directory "
        "(config.json + model.safetensors) for 'tsrm predict'.",
    )
    fit.add_argument("data", help="CSV file of the history")
    fit.add_argument("--out", "-o", required=True, help="model directory to write")
    fit.add_argument(
        "--model", choices=sorted(registry.NEURAL), default="trm", help="(default trm)"
    )
    fit.add_argument(
        "--preset", choices=sorted(PRESETS), help="TS-TRM preset (--model trm; default default)"
    )
    fit.add_argument("--horizon", type=int, help="steps forecast at once (default 24)")
    fit.add_argument(
        "--lookback", type=int, help="past values each forecast sees (default: the model's)"
    )
    fit.add_argument(
        "--max-epochs", type=int, help="training epochs at most (default: the model's)"
    )
    fit.add_argument(
        "--validation-size",
        type=float,
        help="tail of each series held out for early stopping: a fraction below 1, a number "
        "of steps, or 0 for none (default 0.2)",
    )
    fit.add_argument("--batch-size", type=int, help="windows per batch (default 256)")
    fit.add_argument(
        "--learning-rate", type=float, help="AdamW learning rate (default: the model's)"
    )
    fit.add_argument(
        "--patience", type=int, help="epochs without validation gain before stopping (default 3)"
    )
    fit.add_argument(
        "--threads", type=int, help="torch threads while training and forecasting (default 1)"
    )
    fit.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    fit.add_argument("--verbose", action="store_true", help="show training progress")
    _add_read_options(fit, "the choices are stored with the model for 'tsrm predict'")
    fit.set_defaults(func=_fit)


def _add_predict(sub: Any) -> None:
    predict = sub.add_parser(
        "predict",
        help="forecast with a saved model; CSV out",
        description="Forecast with a model directory from 'tsrm fit'. Without DATA, continue "
        "the series the model was fitted on; with DATA, forecast from that history instead (its "
        "last lookback values per series; no refit). Writes CSV: the date column and one column "
        "per series, or unique_id, ds, y for long data; --coverage and --quantiles add interval "
        "and quantile columns (models fitted with a validation split, the default).",
    )
    predict.add_argument("model_dir", help="model directory written by 'tsrm fit'")
    predict.add_argument("data", nargs="?", help="CSV file of new history (optional)")
    predict.add_argument("--h", type=int, help="steps to forecast (default: the model's horizon)")
    predict.add_argument("--out", "-o", help="CSV file to write (default: standard output)")
    predict.add_argument(
        "--coverage",
        type=_probability,
        nargs="+",
        action="extend",
        metavar="P",
        help="add a prediction interval holding the value with probability P, e.g. 0.9: "
        "columns lower_90 and upper_90 (wide data: <series>_lower_90, <series>_upper_90 after "
        "each series); several values or repeated, e.g. --coverage 0.8 0.95",
    )
    predict.add_argument(
        "--quantiles",
        type=_probability,
        nargs="+",
        action="extend",
        metavar="Q",
        help="add one column per quantile level, e.g. --quantiles 0.1 0.5 0.9: columns q10, "
        "q50, q90 (wide data: <series>_q10 ...); q50 is the point forecast",
    )
    _add_read_options(predict, "default: as given to 'tsrm fit'")
    predict.set_defaults(func=_predict)


def _probability(text: str) -> float:
    """``--coverage`` / ``--quantiles``: a number strictly between 0 and 1 (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < 1:  # also NaN
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a probability strictly between 0 and 1; pass e.g. 0.9 (not 90)"
        )
    return value


def _add_export(sub: Any) -> None:
    export = sub.add_parser(
        "export",
        help="write a saved model as one ONNX file (onnxruntime + numpy to run it)",
        description="Export a model directory from 'tsrm fit' to ONNX: per-window scaling, the "
        "network with every refinement step, and un-scaling in one graph. Input 'window': "
        "float32 (batch, lookback), the last lookback raw values of each series; output "
        "'forecast': float32 (batch, horizon). Exporting needs pip install \"tsrm[onnx]\"; "
        "running the file needs only onnxruntime and numpy.",
    )
    export.add_argument("model_dir", help="model directory written by 'tsrm fit'")
    export.add_argument("out", help="ONNX file to write")
    export.add_argument("--int8", action="store_true", help="int8 dynamic quantisation")
    export.add_argument("--opset", type=int, help="ONNX opset, 18 or newer (default: torch's)")
    export.set_defaults(func=_export)


def _add_bench(sub: Any) -> None:
    bench = sub.add_parser(
        "bench",
        help="quick backtest of TS-TRM and baselines on a CSV file",
        description="Backtest TS-TRM (default and sketch presets), DLinear, seasonal naive and "
        "naive on the series of a CSV file: each model is fitted once on the history before the "
        "last --windows windows and forecasts each of them; prints mean MAE, RMSE, MASE and "
        "seconds. A quick look on your data; the reproducible benchmarks (ETT, M4, latency, "
        "ONNX) are the scripts in the repository's benchmarks/ folder.",
    )
    bench.add_argument("data", help="CSV file of the series")
    bench.add_argument("--horizon", type=int, default=24, help="steps per window (default 24)")
    bench.add_argument(
        "--lookback",
        type=int,
        help="neural models' (default: TS-TRM chooses; DLinear gets the longest it tries)",
    )
    bench.add_argument("--windows", type=int, default=2, help="backtest windows (default 2)")
    bench.add_argument(
        "--season-length", type=int, default=1, help="seasonal period, e.g. 24 (default 1)"
    )
    bench.add_argument("--max-epochs", type=int, help="neural models' (default: each model's)")
    bench.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    _add_read_options(bench, "as for 'tsrm fit'")
    bench.set_defaults(func=_bench)


def _add_resample(sub: Any) -> None:
    resample = sub.add_parser(
        "resample",
        help="put an irregular sensor log on a regular time grid; CSV out",
        description="Resample a sensor log (one reading per row: a timestamp, optionally a "
        "device and a sensor column, and the value; or one column per sensor) onto a regular "
        "grid, one series per device and sensor, ready for 'tsrm fit'. Readings in one bin are "
        "combined with --agg; empty bins between readings are filled by --gaps. What was done "
        "is printed on standard error.",
    )
    resample.add_argument("log", help="CSV file of the sensor log")
    resample.add_argument("--out", "-o", help="CSV file to write (default: standard output)")
    resample.add_argument("--freq", help="grid step, e.g. 5min, h, D (default: inferred)")
    choices = ("mean", "median", "first", "last", "sum", "min", "max")
    resample.add_argument("--agg", choices=choices, default="mean", help="(default mean)")
    resample.add_argument(
        "--gaps",
        choices=("interpolate", "ffill", "mask", "error"),
        default="interpolate",
        help="empty bins: interpolated, the last value repeated, left empty, or an error "
        "(default interpolate)",
    )
    resample.add_argument("--max-gap", type=int, help="longest run of empty bins to fill")
    for name in ("time", "sensor", "value", "device"):
        resample.add_argument(f"--{name}-column", help=f"the {name} column (default: detected)")
    resample.add_argument("--long", action="store_true", help="write unique_id, ds, y rows")
    resample.set_defaults(func=_resample)
