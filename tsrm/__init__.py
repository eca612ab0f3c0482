"""tsrm: Tiny Recursive Models for time-series forecasting.

The public names below load lazily (PEP 562): ``import tsrm.puzzles`` does not import
the forecasting wing, and ``import tsrm`` alone imports neither torch nor Lightning.
"""

from __future__ import annotations

import importlib
from typing import Any

from tsrm._version import __version__
from tsrm.exceptions import (
    FitFailedError,
    IrregularIndexError,
    MissingValuesError,
    ModelFileError,
    NumericalRangeError,
    SeriesTooShortError,
    TSRMInputError,
)

_F = "tsrm.forecasting"
# public name -> the module that defines it
_LAZY = {
    "TRMForecaster": f"{_F}.models.trm.estimator",
    "ForecastTrace": f"{_F}.neural.inference",
    "Interval": f"{_F}.uncertainty",
    **dict.fromkeys(("DLinear", "NLinear"), f"{_F}.models.linear.estimator"),
    **dict.fromkeys(("PatchTST", "TransformerForecaster"), f"{_F}.models.transformer.estimator"),
    **dict.fromkeys(("Naive", "SeasonalNaive"), f"{_F}.models.statistical.naive"),
    "Naive2": f"{_F}.models.statistical.naive2",
    "ARIMA": f"{_F}.models.statistical.arima",
    "AutoARIMA": f"{_F}.models.statistical.auto_arima",
    "ETS": f"{_F}.models.statistical.ets",
    "Theta": f"{_F}.models.statistical.theta",
    "backtest": f"{_F}.backtesting",
    **dict.fromkeys(
        ("load_dataset", "make_splits", "read_series", "resample_log"), f"{_F}.datasets"
    ),
}

__all__ = [
    "FitFailedError",
    "IrregularIndexError",
    "MissingValuesError",
    "ModelFileError",
    "NumericalRangeError",
    "SeriesTooShortError",
    "TSRMInputError",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'tsrm' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
