"""tsrm: Tiny Recursive Models for time-series forecasting."""

from tsrm.exceptions import (
    IrregularIndexError,
    MissingValuesError,
    ModelFileError,
    SeriesTooShortError,
    TSRMInputError,
)
from tsrm.forecasting import ForecastTrace, TRMForecaster

__version__ = "0.1.0"

__all__ = [
    "ForecastTrace",
    "IrregularIndexError",
    "MissingValuesError",
    "ModelFileError",
    "SeriesTooShortError",
    "TRMForecaster",
    "TSRMInputError",
    "__version__",
]
