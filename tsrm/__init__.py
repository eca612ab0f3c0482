"""tsrm: Tiny Recursive Models for time-series forecasting."""

from tsrm.exceptions import (
    IrregularIndexError,
    MissingValuesError,
    ModelFileError,
    NumericalRangeError,
    SeriesTooShortError,
    TSRMInputError,
)
from tsrm.forecasting import ForecastTrace, TRMForecaster
from tsrm.neural import Interval

__version__ = "0.1.0"

__all__ = [
    "ForecastTrace",
    "Interval",
    "IrregularIndexError",
    "MissingValuesError",
    "ModelFileError",
    "NumericalRangeError",
    "SeriesTooShortError",
    "TRMForecaster",
    "TSRMInputError",
    "__version__",
]
