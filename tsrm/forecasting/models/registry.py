"""Every forecaster by name: one table for the CLI, the benchmarks, the tests and the loader.

Classes are imported only when asked for, so naming a model costs nothing.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from tsrm._files import CONFIG_FILE
from tsrm.exceptions import ModelFileError, TSRMInputError

_M = "tsrm.forecasting.models"
#: name -> "module:Class". Neural (window-trained) models save, load and export.
NEURAL: dict[str, str] = {
    "trm": f"{_M}.trm.estimator:TRMForecaster",
    "dlinear": f"{_M}.linear.estimator:DLinear",
    "nlinear": f"{_M}.linear.estimator:NLinear",
    "patchtst": f"{_M}.transformer.estimator:PatchTST",
    "transformer": f"{_M}.transformer.estimator:TransformerForecaster",
}
STATISTICAL: dict[str, str] = {
    "naive": f"{_M}.statistical.naive:Naive",
    "seasonal-naive": f"{_M}.statistical.naive:SeasonalNaive",
    "naive2": f"{_M}.statistical.naive2:Naive2",
    "arima": f"{_M}.statistical.arima:ARIMA",
    "auto-arima": f"{_M}.statistical.auto_arima:AutoARIMA",
    "ets": f"{_M}.statistical.ets:ETS",
    "theta": f"{_M}.statistical.theta:Theta",
}
MODELS: dict[str, str] = {**NEURAL, **STATISTICAL}


def model_class(name: str) -> type:
    """The estimator class registered as ``name`` (e.g. ``"dlinear"``)."""
    if name not in MODELS:
        raise TSRMInputError(f"Unknown model {name!r}; choose one of {sorted(MODELS)}.")
    module, cls = MODELS[name].split(":")
    return getattr(importlib.import_module(module), cls)


def load_model(path: str | Path):
    """Load a saved neural forecaster of any class (its ``config.json`` says which).

    Raises
    ------
    ModelFileError
        The directory holds no readable tsrm forecaster.
    """
    path = Path(path)
    file = path / CONFIG_FILE
    if not file.is_file():
        raise ModelFileError(
            f"{str(path)!r} holds no config.json; pass a directory written by 'tsrm fit' or "
            "by a forecaster's save()."
        )
    try:
        found = json.loads(file.read_text(encoding="utf-8")).get("format")
    except (ValueError, UnicodeDecodeError, AttributeError):
        raise ModelFileError(f"{file} is not a tsrm model config; the file is corrupted.") from None
    by_format = {f"tsrm.{spec.split(':')[1]}": name for name, spec in NEURAL.items()}
    if found not in by_format:
        raise ModelFileError(
            f"{file} holds no model tsrm's command line can load (format {found!r}); it loads "
            f"{', '.join(sorted(by_format))}."
        )
    return model_class(by_format[found]).load(path)
