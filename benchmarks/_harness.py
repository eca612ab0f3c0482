"""Shared code of the benchmark scripts: model registry, settings, result files, published numbers.

Used by ``long_horizon.py`` and ``short_horizon.py`` (run them from anywhere; Python puts this
folder on ``sys.path``). Nothing here trains or evaluates by itself.

Result files are CSV, one row per finished cell, appended (never rewritten); the Markdown
summaries next to them are regenerated from the CSV after every run. A cell run on part of
the data (``--limit-test-windows``, ``--limit-series``) is *partial*: it goes to
``<name>_partial.csv`` only and is never used for skipping, caching or the Markdown tables.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import os
import platform
import shlex
import subprocess
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = Path(__file__).resolve().parent / "results"
# The project's shared data folder sits next to the repository: <repo>/../shared/data.
DEFAULT_DATA_DIR = Path(os.environ.get("TSRM_DATA_DIR") or REPO_ROOT.parent / "shared" / "data")

# -- models ---------------------------------------------------------------------------------
#: Neural (window-trained) models: name -> (module, class, fixed constructor arguments).
#: Classes are looked up lazily, so a model whose class this tsrm lacks is just "unavailable".
NEURAL_MODELS: dict[str, tuple[str, dict[str, Any]]] = {
    "tsrm": ("trm", {"preset": "default"}),
    "tsrm-sketch": ("trm", {"preset": "sketch"}),
    "dlinear": ("dlinear", {}),
    "nlinear": ("nlinear", {}),
    "patchtst": ("patchtst", {}),
    "transformer": ("transformer", {}),
}

#: Training flags shared by every neural model (``--max-epochs`` -> ``max_epochs`` ...).
TRAINING_FLAGS = ("max_epochs", "patience", "batch_size", "learning_rate")


def neural_class(name: str) -> type | None:
    """The estimator class of neural model ``name``, or None if this tsrm does not have it."""
    from tsrm.forecasting.models.registry import model_class

    try:
        return model_class(NEURAL_MODELS[name][0])
    except (ImportError, AttributeError, ValueError):  # not registered, or not importable
        return None


def available_models(candidates: Iterable[str]) -> list[str]:
    """The names in ``candidates`` that can run here (non-neural names always can)."""
    return [m for m in candidates if m not in NEURAL_MODELS or neural_class(m) is not None]


def check_models(models: Sequence[str], parser: Any) -> None:
    """``parser.error`` for a requested neural model whose class this tsrm lacks."""
    missing = [m for m in models if m in NEURAL_MODELS and neural_class(m) is None]
    if missing:
        names = ", ".join(f"{m} ({NEURAL_MODELS[m][0]})" for m in missing)
        parser.error(f"not available in this tsrm: {names}")


def make_neural(
    name: str,
    horizon: int,
    lookback: int | str,
    seed: int,
    validation_size: float | int | None,
    scaling: bool,
    training: Mapping[str, Any],
    sets: Mapping[str, Any],
) -> Any:
    """A fresh, unfitted neural forecaster, quiet, with the harness's settings applied.

    ``training`` holds the training flags the user gave (others keep the model's default);
    ``sets`` are further constructor arguments (``--set``), applied last through
    ``set_params`` so a wrong name fails with the estimator's own message. A
    ``validation_size`` of None keeps the model's default.
    """
    cls = neural_class(name)
    if cls is None:
        raise RuntimeError(f"model {name!r} is not available in this tsrm")
    model = cls(horizon=horizon, lookback=lookback, **NEURAL_MODELS[name][1])
    validation = {} if validation_size is None else {"validation_size": validation_size}
    model.set_params(random_state=seed, verbose=False, scaling=scaling, **validation, **training)
    if sets:
        model.set_params(**dict(sets))
    return model


# -- settings -------------------------------------------------------------------------------
def lookback_arg(text: str) -> int | str:
    """A ``--lookback`` value: a whole number, or ``auto`` (the model chooses)."""
    return text if text == "auto" else int(text)


def parse_value(text: str) -> Any:
    """A Python literal if ``text`` is one (``3``, ``0.1``, ``True``, ``{'a': 1}``), else text."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def parse_sets(items: Sequence[str], parser: Any = None) -> list[tuple[str | None, str, str]]:
    """``--set`` items as ``(model or None, key, raw value)``.

    ``KEY=VALUE`` applies to every trained model; ``MODEL:KEY=VALUE`` to that model only.
    """
    out = []
    for item in items:
        head, sep, value = item.partition("=")
        scope, _, key = head.rpartition(":")
        if not sep or not key:
            message = f"--set takes KEY=VALUE or MODEL:KEY=VALUE, got {item!r}"
            if parser is not None:
                parser.error(message)
            raise ValueError(message)
        out.append((scope or None, key, value))
    return out


def sets_for(model: str, sets: Sequence[tuple[str | None, str, str]], trained: bool) -> list:
    """The ``--set`` items that apply to ``model``: scoped to it, or unscoped and ``trained``."""
    return [s for s in sets if s[0] == model or (s[0] is None and trained)]


def set_values(items: Sequence[tuple[str | None, str, str]]) -> dict[str, str]:
    """``{key: raw value}`` of ``--set`` items (a later item wins)."""
    return {key: value for _, key, value in items}


def set_flags(items: Sequence[tuple[str | None, str, str]]) -> list[tuple[str, str]]:
    """``--set`` items back as command-line options."""
    return [
        ("--set", f"{scope + ':' if scope else ''}{key}={value}") for scope, key, value in items
    ]


def settings_text(values: Mapping[str, Any]) -> str:
    """Canonical ``key=value`` text of explicit settings (sorted; ``""`` when none)."""
    return " ".join(f"{k}={values[k]}" for k in sorted(values))


def training_overrides(args: Any) -> dict[str, Any]:
    """The training flags given on the command line (None means "model default")."""
    return {k: getattr(args, k) for k in TRAINING_FLAGS if getattr(args, k) is not None}


# -- machine and commands -------------------------------------------------------------------
def machine() -> str:
    """One line naming the machine: CPU architecture, model and cores, torch, GPU if any.

    The CPU model matters: per-call overheads of these small networks differ several-fold
    between x86 machines of the same core count.
    """
    cpu = _cpu_model()
    text = f"{platform.machine()} {cpu + ', ' if cpu else ''}{os.cpu_count()} cores"
    try:
        import torch

        text += f", torch {torch.__version__}"
        if torch.cuda.is_available():
            text += f", {torch.cuda.get_device_name(0)}"
    except ImportError:  # pragma: no cover - tsrm needs torch
        pass
    return text


def command(script: str, options: Sequence[tuple[str, Any]]) -> str:
    """A shell command re-running one cell: ``python benchmarks/<script> --opt value ...``."""
    parts = ["python", f"benchmarks/{script}"]
    for flag, value in options:
        if value is None or value is False:
            continue
        parts.append(flag)
        if value is not True:
            parts.append(str(value))
    return shlex.join(parts)


def timed_fit_predict(model: Any, y: Any) -> tuple[np.ndarray, float]:
    """``model.fit(y)`` (its warnings silenced) and ``predict()``: the forecast, fit seconds."""
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(y)
    fit_s = time.perf_counter() - start
    return np.asarray(model.predict(), dtype=float), fit_s


def _cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (Linux), else empty."""
    info = Path("/proc/cpuinfo")
    if not info.is_file():
        return ""
    for line in info.read_text(errors="replace").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return ""


def git_commit() -> str:
    """The short commit hash of the checkout the benchmark runs in.

    A copy of the tree without git metadata (a remote machine) reports what
    ``TSRM_GIT_COMMIT`` says, else nothing.
    """
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True
        )
    except FileNotFoundError:  # no git installed
        out = None
    commit = out.stdout.decode().strip() if out is not None and out.returncode == 0 else ""
    return commit or os.environ.get("TSRM_GIT_COMMIT", "")


def today() -> str:
    return dt.date.today().isoformat()


def fmt(value: Any, digits: int = 3) -> str:
    """A number for a table (``digits`` decimals), ``""`` for missing values."""
    if value is None or value == "":
        return ""
    try:
        return f"{float(value):.{digits}f}"
    except (TypeError, ValueError):
        return str(value)


# -- result files ---------------------------------------------------------------------------
class ResultsFile:
    """An append-only CSV of finished cells, identified by the columns in ``key``."""

    def __init__(self, path: Path, fields: Sequence[str], key: Sequence[str]) -> None:
        self.path = Path(path)
        self.fields = list(fields)
        self.key = list(key)

    def rows(self) -> list[dict[str, str]]:
        """Every row, oldest first (empty if the file does not exist)."""
        if not self.path.exists():
            return []
        with self.path.open(newline="") as fh:
            return list(csv.DictReader(fh))

    def cell_key(self, row: Mapping[str, Any]) -> tuple[str, ...]:
        return tuple(str(row.get(k, "")) for k in self.key)

    def find(self, cell: Mapping[str, Any]) -> dict[str, str] | None:
        """The latest row of ``cell`` (a mapping holding the key columns), or None."""
        want = self.cell_key(cell)
        found = None
        for row in self.rows():
            if self.cell_key(row) == want:
                found = row
        return found

    def latest(self) -> list[dict[str, str]]:
        """The latest row of every cell, in order of first appearance."""
        by_key: dict[tuple[str, ...], dict[str, str]] = {}
        for row in self.rows():
            by_key[self.cell_key(row)] = row
        return list(by_key.values())

    def append(self, row: Mapping[str, Any]) -> None:
        """Append ``row`` (missing columns left empty), writing the header for a new file.

        A file written before a column was added to ``fields`` gets that column (empty in
        its old rows) the first time a row needs it.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        old_rows = self.rows()
        fields = list(old_rows[0].keys()) if old_rows else []
        if self.path.exists() and self.path.stat().st_size and not fields:
            with self.path.open(newline="") as fh:
                fields = next(csv.reader(fh), None) or []
        fields = fields or list(self.fields)
        added = [k for k in self.fields if k not in fields and row.get(k, "") != ""]
        if added:  # rewrite once with the wider header
            fields += added
            with self.path.open("w", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(old_rows)
        new = not self.path.exists() or not self.path.stat().st_size
        with self.path.open("a", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
            if new:
                writer.writeheader()
            writer.writerow({k: row.get(k, "") for k in fields})


def results_files(
    results_dir: Path, stem: str, fields: Sequence[str], key: Sequence[str]
) -> tuple[ResultsFile, ResultsFile]:
    """The main and the ``_partial`` results file of a benchmark."""
    return (
        ResultsFile(Path(results_dir) / f"{stem}.csv", fields, key),
        ResultsFile(Path(results_dir) / f"{stem}_partial.csv", fields, key),
    )


def geometric_mean(values: Iterable[float], floor: float = 1e-12) -> float:
    """The geometric mean, each value at least ``floor`` (a MASE of 0 would make it 0)."""
    return float(np.exp(np.mean(np.log(np.maximum(np.asarray(list(values), float), floor)))))


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


# -- published numbers ----------------------------------------------------------------------
LTSF_SOURCE = (
    "../shared/REFERENCE.md section 3 (PatchTST paper, Nie et al. ICLR 2023, Table 3; "
    "DLinear paper, Zeng et al. AAAI 2023; L=96 rows from the iTransformer/TimeMixer papers)"
)

#: Published long-horizon results: dataset -> method -> (look-back, MSE per horizon, MAE per
#: horizon or None), horizons in the order of the catalogue (96/192/336/720; ILI 24/36/48/60).
#: Source: LTSF_SOURCE. A look-back given as text is not one stated value: xPatch searched it
#: per setting; REFERENCE.md gives no ILI look-back (ILI has too few rows for L=512).
PUBLISHED_LTSF: dict[str, dict[str, tuple[int | str, tuple, tuple | None]]] = {
    "ETTh1": {
        "PatchTST/64": (512, (0.370, 0.413, 0.422, 0.447), (0.400, 0.429, 0.440, 0.468)),
        "PatchTST/42": (336, (0.375, 0.414, 0.431, 0.449), None),
        "DLinear": (336, (0.375, 0.405, 0.439, 0.472), None),
        "xPatch": ("searched", (0.354, 0.376, 0.391, 0.442), None),
        "DLinear (L=96)": (96, (0.386, 0.437, 0.481, 0.519), None),
        "iTransformer": (96, (0.386, 0.441, 0.487, 0.503), None),
        "TimeMixer": (96, (0.375, 0.429, 0.484, 0.498), None),
        "SparseTSF": (720, (0.362, 0.403, 0.434, 0.426), None),
    },
    "ETTh2": {
        "PatchTST/64": (512, (0.274, 0.341, 0.329, 0.379), (0.337, 0.382, 0.384, 0.422)),
        "PatchTST/42": (336, (0.274, 0.339, 0.331, 0.379), None),
        "DLinear": (336, (0.289, 0.383, 0.448, 0.605), None),
    },
    "ETTm1": {
        "PatchTST/64": (512, (0.293, 0.333, 0.369, 0.416), (0.346, 0.370, 0.392, 0.420)),
        "PatchTST/42": (336, (0.290, 0.332, 0.366, 0.420), None),
        "DLinear": (336, (0.299, 0.335, 0.369, 0.425), None),
    },
    "ETTm2": {
        "PatchTST/64": (512, (0.166, 0.223, 0.274, 0.362), (0.256, 0.296, 0.329, 0.385)),
        "PatchTST/42": (336, (0.165, 0.220, 0.278, 0.367), None),
        "DLinear": (336, (0.167, 0.224, 0.281, 0.397), None),
    },
    "Weather": {
        "PatchTST/64": (512, (0.149, 0.194, 0.245, 0.314), (0.198, 0.241, 0.282, 0.334)),
        "PatchTST/42": (336, (0.152, 0.197, 0.249, 0.320), None),
        "DLinear": (336, (0.176, 0.220, 0.265, 0.323), None),
    },
    "ILI": {
        "PatchTST/64": ("paper's", (1.319, 1.579, 1.553, 1.470), None),
        "PatchTST/42": ("paper's", (1.522, 1.430, 1.673, 1.529), None),
        "DLinear": ("paper's", (2.215, 1.963, 2.130, 2.368), None),
    },
    "Exchange": {
        "iTransformer": (96, (0.086, 0.177, 0.331, 0.847), None),
    },
}


def published_ltsf(dataset: str, horizon: int, horizons: Sequence[int]) -> list[tuple]:
    """``(method, lookback, mse, mae)`` published for ``dataset`` at ``horizon`` (may be [])."""
    if horizon not in horizons:
        return []
    i = list(horizons).index(horizon)
    return [
        (method, lookback, mses[i], None if maes is None else maes[i])
        for method, (lookback, mses, maes) in PUBLISHED_LTSF.get(dataset, {}).items()
    ]


SHORT_SOURCE = (
    "../shared/REFERENCE.md section 4 (M4: official 'Evaluation and Ranks', point forecasts, "
    "all series of the frequency; M3: N-BEATS paper appendix, sMAPE only)"
)

#: Published short-horizon results: dataset -> [(method, sMAPE, MASE, OWA)], None = not given.
PUBLISHED_SHORT: dict[str, list[tuple[str, float | None, float | None, float | None]]] = {
    "M4-Hourly": [
        ("Naive2", 18.383, 2.395, 1.000),
        ("seasonal naive", 13.912, 1.193, 0.627),
        ("Theta", 18.138, 2.455, 1.006),
        ("ES-RNN (M4 winner)", 9.328, 0.893, 0.440),
        ("best of M4 for Hourly", 8.913, 0.801, 0.410),
        ("N-BEATS-I+G", 8.197, None, None),
    ],
    "M4-Weekly": [
        ("Naive2", 9.161, 2.777, 1.000),
        ("seasonal naive", 9.161, 2.777, 1.000),
        ("Theta", 9.093, 2.637, 0.971),
        ("ES-RNN (M4 winner)", 7.817, 2.356, 0.851),
        ("best of M4 for Weekly", 6.582, 2.107, 0.739),
        ("N-BEATS-I+G (about)", 6.12, None, None),
    ],
    "M3-Yearly": [
        ("Naive2", 17.88, None, None),
        ("ARIMA", 17.73, None, None),
        ("Theta (M3 winner)", 16.90, None, None),
        ("ForecastPro", 17.14, None, None),
        ("N-BEATS-I+G", 15.93, None, None),
    ],
    "M3-Quarterly": [
        ("Naive2", 9.95, None, None),
        ("ARIMA", 10.26, None, None),
        ("Theta (M3 winner)", 8.96, None, None),
        ("ForecastPro", 9.77, None, None),
        ("N-BEATS-I+G", 8.84, None, None),
    ],
    "M3-Monthly": [
        ("Naive2", 16.91, None, None),
        ("ARIMA", 14.81, None, None),
        ("Theta (M3 winner)", 13.85, None, None),
        ("ForecastPro", 13.86, None, None),
        ("N-BEATS-I+G", 13.11, None, None),
    ],
}


def report_end(
    done: list[dict],
    skipped: int,
    failed: int,
    partial_path: Path | None,
    machine: str,
    started: float,
) -> int:
    """Print the counts, machine and wall time; return the exit status (1 if a cell failed)."""
    total = time.perf_counter() - started
    print(
        f"{len(done)} cell(s) run, {skipped} skipped, {failed} failed"
        + (f" (partial: {partial_path})" if partial_path is not None and done else "")
    )
    print(f"machine: {machine}; total time: {total:.1f} s")
    return 1 if failed else 0
