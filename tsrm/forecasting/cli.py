"""``tsrm fit``, ``predict``, ``export``, ``bench`` and ``resample``: forecasting from CSV files.

``fit`` reads a CSV file (:func:`~tsrm.forecasting.datasets.read_series`), trains one neural
forecaster and saves it to a model directory; ``predict`` loads that directory
and writes the forecast as CSV (with ``--coverage`` / ``--quantiles``, also prediction
intervals and quantiles); ``export`` writes it as an ONNX file; ``bench``
backtests a few models on a CSV file and prints a table; ``resample`` puts an irregular
sensor log on a regular grid. Columns named by ``--covariates`` (``--past-covariates``) are
model inputs, not series: ``fit`` and ``bench`` read them at every step of the history,
``predict`` at the forecast dates, from the rows after the history's last value (targets
empty) or a ``--future`` file. User errors raise
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
import warnings
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from tsrm.exceptions import TSRMInputError
from tsrm.forecasting.models import registry
from tsrm.forecasting.models.trm.config import PRESETS
from tsrm.forecasting.uncertainty import percent

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
        help="value column(s) to forecast (default: every numeric column but the date, id and "
        "covariate columns)",
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


def _read_csv(source: Any, options: dict[str, Any], what: str | None = None):  # noqa: ANN202
    """The series of the CSV file ``source`` (or of a DataFrame read from one, which ``what``
    names in messages), as ``read_series`` reads them; errors name the flags. A Parquet
    file or directory comes back as its path: the models read it batch by batch."""
    from tsrm.forecasting.datasets.own import read_series

    if _is_parquet(source):
        given = ["--" + k.replace("_", "-") for k in READ_OPTIONS if options.get(k)]
        if given:
            raise TSRMInputError(
                f"{source} is a Parquet data set, read by its columns unique_id, ds and y; "
                f"drop {' '.join(given)}."
            )
        return Path(source)

    kwargs = {"sep": options["sep"]} if options.get("sep") and what is None else {}
    try:
        return read_series(
            source,
            date_column=options.get("date_column"),
            value_columns=options.get("target"),
            id_column=options.get("id_column"),
            **kwargs,
        )
    except TSRMInputError as err:
        raise _read_error(err, what) from None


def _read_error(err: TSRMInputError, what: str | None = None) -> TSRMInputError:
    """``read_series``' error naming the command-line flags (and the file ``what``, not "the
    DataFrame" it was given)."""
    text = str(err)
    if what is not None:
        text = text.replace("the DataFrame", what)
    for argument, flag in _FLAGS.items():
        text = text.replace(f"{argument}=", f"{flag} ").replace(argument, flag)
    # A suggested list of columns, "--target ['a', 'b']", as the flag takes it: "a b".
    text = re.sub(r"--target \[([^\]]*)\]", lambda m: "--target " + _names(m[1]), text)
    return type(err)(text.replace("sep=", "--sep "))


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
    return type(err)(_flag_text(str(err), flags, bare))


def _flag_text(text: str, flags: Mapping[str, str], bare: Collection[str] = ()) -> str:
    """``text`` with the library's argument names replaced by flags (see :func:`_in_flags`)."""
    names = "|".join(map(re.escape, sorted(flags, key=len, reverse=True)))

    def given(match: re.Match) -> str:
        value = re.sub(r"'([^']*)'", lambda quoted: shlex.quote(quoted[1]), match[2])
        return f"{flags[match[1]]} {value}"

    text = re.sub(rf"(?<![\w.-])({names})=({_VALUE})", given, text)
    for name in bare:
        text = re.sub(rf"(?<![\w'.-]){re.escape(name)}(?![\w'=])", flags[name], text)
    return text


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


# -- covariates -------------------------------------------------------------------------------
# The names of tsrm.forecasting.series.covariates.CALENDAR (a test checks): importing that
# module here would import pandas for every `tsrm --help`.
CALENDAR_FEATURES = ("hour", "dayofweek", "dayofmonth", "month", "dayofyear")


def _covariate_names(args: argparse.Namespace, options: dict[str, Any]) -> tuple[list, list]:
    """``--covariates`` and ``--past-covariates``, each once, checked not to overlap each
    other, the targets or the date and id columns."""
    known = list(dict.fromkeys(args.covariates or ()))
    past = list(dict.fromkeys(args.past_covariates or ()))
    both = [c for c in known if c in past]
    if both:
        raise TSRMInputError(
            f"column {both[0]!r} is given both as --covariates (known ahead) and as "
            "--past-covariates (observed up to the forecast origin); name it in one of them."
        )
    named = {"--target": options.get("target") or ()}
    named |= {f"--{k.replace('_', '-')}": [options.get(k)] for k in ("date_column", "id_column")}
    for flag, columns in named.items():
        clash = [c for c in [*known, *past] if c in columns]
        if clash:
            kind = "--covariates" if clash[0] in known else "--past-covariates"
            raise TSRMInputError(
                f"column {clash[0]!r} is given both as {flag} and as {kind}; a covariate is a "
                f"model input, not a series to forecast: drop it from one of them."
            )
    return known, past


def _covariate_settings(args: argparse.Namespace, model: str) -> dict[str, Any]:
    """The settings of ``--calendar-features`` and ``--past-covariates`` for ``model`` (a
    registry name)."""
    settings: dict[str, Any] = {}
    if args.calendar_features:
        settings["calendar_features"] = tuple(dict.fromkeys(args.calendar_features))
    if args.past_covariates:
        settings["past_covariates"] = tuple(dict.fromkeys(args.past_covariates))
    # The models that take calendar features take past covariates too.
    if settings and not _takes_calendar(model):
        takes = [n for n in sorted(registry.NEURAL) if _takes_calendar(n)]
        raise TSRMInputError(
            f"--calendar-features and --past-covariates apply to --model {', '.join(takes)}, "
            f"not {model!r}; pass one of those, or only --covariates."
        )
    return settings


def _takes_calendar(name: str) -> bool:
    import inspect

    return "calendar_features" in inspect.signature(registry.model_class(name)).parameters


def _csv_frame(path: str, options: dict[str, Any], required: Mapping[str, str], what: str):  # noqa: ANN202
    """The CSV file ``path`` as a DataFrame, checked to have the ``required`` columns (column
    -> why it is needed, for the message); ``what`` names the file in messages."""
    from tsrm.forecasting.datasets.own._common import _read_csv as read_frame

    frame = read_frame(path, what, {"sep": options["sep"]} if options.get("sep") else {})
    for column, why in required.items():
        if column not in frame.columns:
            raise TSRMInputError(
                f"{what} has no column {column!r} ({why}); its columns are "
                f"{', '.join(map(repr, frame.columns))}."
            )
    return frame


def _is_parquet(source: Any) -> bool:
    """Whether ``source`` names a Parquet file or a directory (of Parquet files)."""
    return isinstance(source, str | Path) and (
        Path(source).suffix == ".parquet" or Path(source).is_dir()
    )


def _read_with_covariates(
    path: str, options: dict[str, Any], columns: list, required: Mapping[str, str]
) -> tuple[Any, Any]:
    """The series and the covariates of the CSV file ``path``.

    Parameters
    ----------
    path : str
        The CSV file.
    options : dict
        The reading options (:func:`_read_options`).
    columns : list of str
        The covariate columns: never read as series; those the file has become ``X``.
    required : mapping of str to str
        The covariate columns the file must have -> why (for the message).

    Returns
    -------
    y : DataFrame
        The series, without the rows after their last value: future rows, whose covariates
        the model reads at the forecast dates.
    X : DataFrame or None
        The covariates at every row of the file, in the form ``fit(y, X=X)`` takes; None
        when the file has none of ``columns``.
    """
    from tsrm.forecasting.datasets.own._common import _csv_what

    if _is_parquet(path):
        raise TSRMInputError(
            f"{path} is a Parquet data set: tsrm reads only its unique_id, ds and y columns, "
            "no covariates; pass a CSV file, or leave the covariate flags out."
        )
    what = _csv_what(path)
    frame = _csv_frame(path, options, required, what)
    present = [c for c in columns if c in frame.columns]
    # X first: a covariate that is no number (e.g. the date column) is named as such.
    X = _covariate_frame(frame, present, options, what) if present else None
    y = _read_csv(frame.drop(columns=present), options, what)
    return _without_future_rows(y), X


def _covariate_frame(frame: Any, columns: list, options: dict[str, Any], what: str) -> Any:
    """The ``columns`` of ``frame`` as the ``X`` of the series read from it: indexed by the
    dates, or long (``unique_id``, ``ds`` and the columns) with ``--id-column``."""
    from tsrm.forecasting.datasets.own import read_series

    numeric = frame.assign(**{c: _as_numbers(frame[c], c, what) for c in columns})
    date, ids = options.get("date_column"), options.get("id_column")
    try:
        if ids is None:
            return read_series(numeric, date, columns)
        parts = [read_series(numeric, date, [c], ids) for c in columns]
    except TSRMInputError as err:
        raise _read_error(err, what) from None
    # read_series sorts the rows of every column alike: one frame from their values.
    values = {c: part["y"].to_numpy() for c, part in zip(columns, parts, strict=True)}
    return parts[0][["unique_id", "ds"]].assign(**values)


def _as_numbers(values: Any, column: str, what: str) -> Any:
    """A covariate column as numbers (``True``/``False`` as 1/0), or an error naming a bad
    entry."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(float)
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values
    bad = values.notna() & pd.to_numeric(values, errors="coerce").isna()
    row = bad.idxmax() if bad.any() else values.index[0]
    raise TSRMInputError(
        f"{what}: covariate column {column!r} is not numeric (row {row} holds "
        f"{values[row]!r}); covariates must be numbers: encode categories as 0/1 columns."
    )


def _without_future_rows(y: Any) -> Any:
    """``y`` without the rows after each series' last value (a series with none is kept
    whole: fit says it holds only missing values)."""
    if "unique_id" in y.columns and "ds" in y.columns:
        observed, ids = y["y"].notna(), y["unique_id"]
        # Rows sorted by series, then time: reversed, a running "any" marks what is history.
        history = observed[::-1].groupby(ids[::-1], sort=False).cummax()[::-1]
        unseen = ~observed.groupby(ids, sort=False).transform("any")
        return y[history.astype(bool) | unseen].reset_index(drop=True)
    observed = y.notna().any(axis=1)
    return y.loc[: observed[observed].index[-1]] if observed.any() else y


def _model_covariates(model: Any) -> tuple[list, list]:
    """The covariate columns a loaded model reads: known ahead, and past-observed."""
    spec = getattr(model, "covariates_", None)
    if spec is None:
        return [], []
    if spec.static:
        raise TSRMInputError(
            f"this model was fitted with static features ({', '.join(map(str, spec.static))}), "
            "which the command line cannot pass; forecast with it in Python "
            "(model.predict(..., static=features))."
        )
    return list(spec.columns), list(spec.past)


def _predict_inputs(
    args: argparse.Namespace, options: dict[str, Any], known: list, past: list
) -> tuple[Any, Any]:
    """The history (DATA, or None) and the covariates ``X`` (DATA's and ``--future``'s)."""
    history, X = None, None
    if args.data is not None and (known or past):
        why = "a --past-covariates column of the model: read up to the forecast origin"
        history, X = _read_with_covariates(
            args.data, options, known + past, dict.fromkeys(past, why)
        )
    elif args.data is not None:
        history = _read_csv(args.data, options)
    if args.future is not None:
        if not known:
            raise TSRMInputError(
                "--future gives covariates at the forecast dates, but this model was fitted "
                "without --covariates; drop --future, or fit again with --covariates COLUMN ..."
            )
        what = f"--future {args.future}"
        why = "a covariate of the model: its values at the forecast dates"
        frame = _csv_frame(args.future, options, dict.fromkeys(known, why), what)
        X = _combined(X, _covariate_frame(frame, known, options, what))
    return history, X


def _combined(first: Any, second: Any) -> Any:
    """Covariates from two files: ``first``'s values, ``second``'s where it has none."""
    if first is None:
        return second
    if "unique_id" not in first.columns:
        return first.combine_first(second)
    key = ["unique_id", "ds"]
    return first.set_index(key).combine_first(second.set_index(key)).reset_index()


def _check_reach(past: list, h: int, horizon: int, data: str | None) -> None:
    """A model with past covariates needs DATA (their values up to the forecast origin) and
    forecasts at most its horizon."""
    if data is None:
        raise TSRMInputError(
            f"this model reads its --past-covariates ({', '.join(past)}) up to the forecast "
            "origin; pass the history with those columns as DATA: tsrm predict MODEL_DIR "
            "DATA.csv"
        )
    if h > horizon:
        raise TSRMInputError(
            f"a model with --past-covariates forecasts at most its horizon, {horizon} steps "
            f"(beyond, they would be needed after the forecast origin), got --h {h}; pass --h "
            f"{horizon} or less, or fit again with --horizon {h}."
        )


def _check_future(model: Any, history: Any, X: Any, h: int, known: list) -> None:
    """The known-ahead covariates cover the ``h`` forecast dates of every series, or an
    error naming the flag and the missing dates."""
    from tsrm.forecasting.series import to_panel

    panel = model.context_ if history is None else to_panel(history, allow_missing=True)
    long = panel.kind == "long"
    for sid, index in zip(panel.ids, panel.indexes, strict=True):
        dates = index.future(h)
        missing = dates[~_covered(X, sid if long else None, dates, known)]
        if len(missing):
            of = f" of series {sid!r}" if long else ""
            columns = "date and id columns" if long else "date column"
            raise TSRMInputError(
                f"the forecast needs the covariates {', '.join(known)} at the {h} dates after "
                f"the history{of} ({dates[0]} to {dates[-1]}); {len(missing)} have none (e.g. "
                f"{', '.join(map(str, missing[:3]))}). Pass them with --future FILE (a CSV "
                f"file with the {columns} and {', '.join(known)}), or as rows of "
                "DATA after the history with the targets left empty."
            )


def _covered(X: Any, sid: Any, dates: Any, known: list) -> Any:
    """Per date, whether ``X`` (long: series ``sid``'s rows) has every ``known`` column."""
    import numpy as np

    if X is None:
        return np.zeros(len(dates), dtype=bool)
    rows = X if sid is None else X[X["unique_id"] == sid].set_index("ds")
    return rows.reindex(dates)[known].notna().all(axis=1).to_numpy()


def _covariate_error(err: TSRMInputError) -> TSRMInputError:
    """A library error about ``X`` in the words of CSV files (``X`` is their covariate
    columns here)."""
    text = re.sub(r"(?:Timestamp|numpy\.datetime64)\('([^']*)'\)", r"\1", str(err))
    text = text.replace("fill them first, e.g. X.ffill()", "fill them in the CSV file")
    verbs = {"holds": "hold", "lacks": "lack", "has": "have"}
    text = re.sub(r"\bX (holds|lacks|has)\b", lambda m: f"X {verbs[m[1]]}", text)
    return type(err)(re.sub(r"\bX\b", "the covariate columns", text))


# -- fit --------------------------------------------------------------------------------------
_FIT_FLAGS = {"max_epochs": "--max-epochs", "validation_size": "--validation-size"}


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
    data, X = _fit_inputs(args, options)
    settings: dict[str, Any] = {"random_state": args.seed, "verbose": args.verbose}
    names = ("horizon", "lookback", "max_epochs", "preset", "validation_size", "batch_size")
    for name in (*names, "learning_rate", "patience"):
        if getattr(args, name) is not None:
            settings[name] = getattr(args, name)
    if args.threads is not None:
        settings["n_threads"] = args.threads
    if settings.get("validation_size", 0) >= 1:  # a number of steps
        settings["validation_size"] = int(settings["validation_size"])
    cls = registry.model_class(args.model)
    model = cls(**settings, **_covariate_settings(args, args.model))
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model.fit(data, X=X)
        except TSRMInputError as err:  # a covariate error speaks of X: the CSV's columns here
            raise (err if X is None else _covariate_error(err)) from None
    for warning in caught:  # "a larger max_epochs": the flag a command-line user can pass
        text = _flag_text(str(warning.message), _FIT_FLAGS, bare=tuple(_FIT_FLAGS))
        warnings.warn(text, warning.category, stacklevel=1)
    seconds = time.perf_counter() - start
    out = model.save(args.out)
    (out / READ_OPTIONS_FILE).write_text(json.dumps(options, indent=2), encoding="utf-8")
    n_series = model.context_.n_series
    fallback = getattr(model, "fallback_", None)
    # The network lost to the simple forecast on validation: say what predict will use.
    by = f"; it forecasts by {fallback}, more accurate on validation" if fallback else ""
    return _done(
        f"fitted {type(model).__name__} ({model.n_params_:,} parameters, lookback "
        f"{_lookback(model)}, horizon {model.horizon}) on {n_series} series"
        f"{_with_covariates(model)} in {seconds:.1f} s{by}; saved to {out}"
    )


def _fit_inputs(args: argparse.Namespace, options: dict[str, Any]) -> tuple[Any, Any]:
    """The series and the covariates ``X`` (None without ``--covariates``) of fit's CSV."""
    known, past = _covariate_names(args, options)
    if not known and not past:
        return _read_csv(args.data, options), None
    given = {c: "given as --covariates" for c in known}
    given |= {c: "given as --past-covariates" for c in past}
    return _read_with_covariates(args.data, options, known + past, given)


def _with_covariates(model: Any) -> str:
    """What the fit message says of the model's covariates (nothing without)."""
    spec = getattr(model, "covariates_", None)
    if spec is None:
        return ""
    parts = [
        f"{label} {', '.join(map(str, names))}"
        for label, names in [
            ("covariates", spec.columns),
            ("past covariates", spec.past),
            ("calendar features", spec.calendar),
        ]
        if names
    ]
    return f" with {'; '.join(parts)}"


# -- predict ----------------------------------------------------------------------------------
def _predict(args: argparse.Namespace) -> int:
    _check_positive(args.h, "--h")
    model = registry.load_model(args.model_dir)
    coverages, levels = sorted(set(args.coverage or ())), sorted(set(args.quantiles or ()))
    if (coverages or levels) and args.h is not None and args.h > model.horizon:
        # The library says "h <= ..." here; a command-line user needs the flags.
        raise TSRMInputError(
            f"--coverage and --quantiles reach at most the model's horizon, {model.horizon} "
            f"steps (their calibration is per forecast step), got --h {args.h}; pass --h "
            f"{model.horizon} or less, or fit again with --horizon {args.h}."
        )
    history, X = _predict_data(args, model)
    try:
        forecast = model.predict(h=args.h, y=history, X=X)
    except TSRMInputError as err:  # e.g. an empty past covariate in DATA's last rows
        raise (err if X is None else _covariate_error(err)) from None
    if coverages or levels:
        forecast = _with_bands(forecast, _bands(model, args.h, history, X, coverages, levels))
    _write_csv(forecast, args.out)
    return 0


def _predict_data(args: argparse.Namespace, model: Any) -> tuple[Any, Any]:
    """The history to forecast from (None: the fitted one) and the covariates ``X``, read as
    fit read its CSV file and checked to cover the forecast."""
    stored_file = Path(args.model_dir) / READ_OPTIONS_FILE
    stored = json.loads(stored_file.read_text(encoding="utf-8")) if stored_file.is_file() else {}
    options, (known, past) = _read_options(args, stored), _model_covariates(model)
    if not known and not past:
        return _predict_inputs(args, options, known, past)
    h = model.horizon if args.h is None else args.h
    if past:
        _check_reach(past, h, model.horizon, args.data)
    history, X = _predict_inputs(args, options, known, past)
    if known:
        _check_future(model, history, X, h, known)
    return history, X


def _bands(
    model: Any, h: int | None, history: Any, X: Any, coverages: list[float], levels: list[float]
) -> dict[str, Any]:
    """Interval bounds and quantiles by column label (``lower_90``, ``upper_90``, ``q10``)."""
    bands: dict[str, Any] = {}
    try:
        for coverage in coverages:
            lower, upper = model.predict_interval(h=h, y=history, coverage=coverage, X=X)
            bands[f"lower_{percent(coverage)}"] = lower
            bands[f"upper_{percent(coverage)}"] = upper
        if levels:
            quantiles = model.predict_quantiles(h=h, y=history, quantiles=levels, X=X)
            bands.update({f"q{percent(q)}": values for q, values in quantiles.items()})
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
    spec = getattr(model, "covariates_", None)
    covariates = (
        ""
        if spec is None
        else f", input 'covariates' float32 (batch, {model.horizon}, {len(spec.columns)}) raw "
        f"values of {', '.join(map(str, spec.columns))} at the forecast steps"
    )
    return _done(
        f"wrote {path} ({size / 1024:.0f} KiB{saved}): input 'window' float32 "
        f"(batch, {_lookback(model)}) raw values{covariates}, output 'forecast' float32 "
        f"(batch, {model.horizon})"
    )


def _int8_saving(path: Path, size: int) -> str:
    """How much smaller the int8 file is than its float32 graph (recorded by the export)."""
    import onnx

    props = onnx.load(str(path), load_external_data=False).metadata_props
    fp32 = int({p.key: p.value for p in props}["float32_file_bytes"])
    if size >= fp32:  # a tiny network, or a seasonal naive fallback: few or no weights
        return (
            f", not smaller than in float32 ({fp32 / 1024:.0f} KiB): its weights are too few "
            "for int8 to save anything"
        )
    return f", {100 * (1 - size / fp32):.0f} % smaller than in float32 ({fp32 / 1024:.0f} KiB)"


# -- bench ------------------------------------------------------------------------------------
def _bench(args: argparse.Namespace) -> int:
    from tsrm.forecasting.backtesting import backtest

    for flag in ("horizon", "lookback", "max_epochs", "windows", "season_length"):
        _check_positive(getattr(args, flag), "--" + flag.replace("_", "-"))
    data, X = _fit_inputs(args, _read_options(args))
    models = _bench_models(args, data, X)
    gaps = _has_missing(data)  # before the table: an input error prints no header
    h, seed = args.horizon, args.seed
    print(
        f"backtest: the last {args.windows} windows of {h} steps of every series, one model fit "
        f"on the history before them, seed {seed}; MASE scaled by the seasonal naive "
        f"(m={args.season_length}) on that history{_bench_covariates(args)}. One split and one "
        "seed: a quick look, not a benchmark (see benchmarks/ in the repository for those).",
        flush=True,
    )
    print(f"{'model':<22} {'MAE':>10} {'RMSE':>10} {'MASE':>8} {'seconds':>8}", flush=True)
    for name, (model, covariates) in models.items():
        if gaps and not model._allows_missing():  # the same policy as backtest and fit
            print(f"{name:<22} skipped: it does not handle missing values (NaN)", flush=True)
            continue
        start = time.perf_counter()
        try:
            result = backtest(
                model,
                data,
                horizon=h,
                n_windows=args.windows,
                metrics=("mae", "rmse", "mase"),
                season_length=args.season_length,
                X=covariates,
            )
        except TSRMInputError as err:
            raise (err if covariates is None else _covariate_error(err)) from None
        score = result.summary()
        print(
            f"{name:<22} {score['mae']:>10.4g} {score['rmse']:>10.4g} {score['mase']:>8.3f} "
            f"{time.perf_counter() - start:>8.1f}",
            flush=True,
        )
    return 0


def _bench_models(args: argparse.Namespace, data: Any, X: Any) -> dict[str, tuple[Any, Any]]:
    """The models ``bench`` compares by name, each with the ``X`` it is given (None: none).

    With covariates, TS-TRM and DLinear use them, and TS-TRM without them shows what
    they bring; the baselines take none.
    """
    from tsrm import DLinear, Naive, SeasonalNaive

    trm_class, h = registry.model_class("trm"), args.horizon
    trained: dict[str, Any] = {"random_state": args.seed}
    if args.max_epochs is not None:
        trained["max_epochs"] = args.max_epochs
    covariates = _covariate_settings(args, "trm")
    trm = {**trained, "lookback": args.lookback or "auto"}
    # DLinear has no search: it gets the look-back TS-TRM's search starts from.
    linear = {**trained, "lookback": args.lookback or _first_lookback(data, h, args)}
    models = {
        "TS-TRM": (trm_class(horizon=h, **trm, **covariates), X),
        "TS-TRM sketch": (trm_class(horizon=h, preset="sketch", **trm, **covariates), X),
        "DLinear": (DLinear(horizon=h, **linear, **covariates), X),
    }
    if X is not None or covariates:
        models["TS-TRM, no covariates"] = (trm_class(horizon=h, **trm), None)
    season = args.season_length
    models[f"SeasonalNaive({season})"] = (SeasonalNaive(horizon=h, season_length=season), None)
    models["Naive"] = (Naive(horizon=h), None)
    return models


def _bench_covariates(args: argparse.Namespace) -> str:
    """What the bench header says of the covariates (nothing without)."""
    given = [
        f"{flag} {' '.join(names)}"
        for flag, names in [
            ("--covariates", args.covariates),
            ("--past-covariates", args.past_covariates),
            ("--calendar-features", args.calendar_features),
        ]
        if names
    ]
    return f"; TS-TRM and DLinear with {', '.join(given)}" if given else ""


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

    if args.max_gap is not None and args.max_gap < 0:  # 0: no empty bin may be filled
        raise TSRMInputError(f"--max-gap must be a whole number of bins >= 0, got {args.max_gap}.")
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
        "(config.json + model.safetensors) for 'tsrm predict'. --covariates makes columns "
        "model inputs instead of series.",
    )
    fit.add_argument(
        "data",
        help="CSV file of the history, or a long Parquet file or directory (unique_id, ds, y)",
    )
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
    _add_covariate_options(fit)
    fit.set_defaults(func=_fit)


def _add_covariate_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "covariates (model inputs, not forecast; rows after the last target value, targets "
        "left empty, are future rows)"
    )
    group.add_argument(
        "--covariates",
        nargs="+",
        metavar="COLUMN",
        help="columns known ahead (prices, promotions, weather forecasts): the model reads "
        "them at the forecast dates, which 'tsrm predict' then needs (--future FILE, or "
        "future rows of DATA)",
    )
    group.add_argument(
        "--past-covariates",
        nargs="+",
        metavar="COLUMN",
        help="columns observed only up to the forecast origin (a related sensor): the model "
        "reads their last lookback values; it then forecasts at most --horizon steps, from "
        "DATA given to 'tsrm predict'",
    )
    group.add_argument(
        "--calendar-features",
        nargs="+",
        choices=CALENDAR_FEATURES,
        metavar="NAME",
        help=f"sin/cos features of the dates ({', '.join(CALENDAR_FEATURES)}); nothing to "
        "pass at predict time",
    )


def _add_predict(sub: Any) -> None:
    predict = sub.add_parser(
        "predict",
        help="forecast with a saved model; CSV out",
        description="Forecast with a model directory from 'tsrm fit'. Without DATA, continue "
        "the series the model was fitted on; with DATA, forecast from that history instead (its "
        "last lookback values per series; no refit). Writes CSV: the date column and one column "
        "per series, or unique_id, ds, y for long data; --coverage and --quantiles add interval "
        "and quantile columns (models fitted with a validation split, the default). A model "
        "fitted with --covariates needs their values at the forecast dates: rows of DATA after "
        "the history with the targets left empty, or --future FILE.",
    )
    predict.add_argument("model_dir", help="model directory written by 'tsrm fit'")
    predict.add_argument(
        "data", nargs="?", help="CSV file (or long Parquet file or directory) of new history"
    )
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
    predict.add_argument(
        "--future",
        metavar="FILE",
        help="for a model fitted with --covariates: a CSV file of their values at the "
        "forecast dates (the date column, the id column for long data, the covariate "
        "columns; other rows and columns are ignored). Instead, DATA may hold them in rows "
        "after the history, the targets left empty",
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
        "seconds. With --covariates, TS-TRM and DLinear use them and TS-TRM without them is "
        "added. A quick look on your data; the reproducible benchmarks (ETT, M4, latency, "
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
    _add_covariate_options(bench)
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
