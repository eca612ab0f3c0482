"""Errors tsrm raises for bad input. All are ``ValueError`` subclasses and name the fix."""

from __future__ import annotations


class TSRMInputError(ValueError):
    """Input data or arguments tsrm cannot use; the message says what to change."""


class MissingValuesError(TSRMInputError):
    """The series holds NaN or infinite values."""


class SeriesTooShortError(TSRMInputError):
    """A series has fewer points than the model needs."""


class IrregularIndexError(TSRMInputError):
    """Timestamps are duplicated, unsorted, or not on a regular grid."""


class ModelFileError(TSRMInputError):
    """A saved model directory is missing, corrupted, or from an incompatible version."""


class NumericalRangeError(TSRMInputError):
    """Values beyond what a model can compute with: forecasts or training became non-finite."""
