"""Every error class of tsrm; their messages name the fix.

Bad input raises a ``ValueError`` subclass (:class:`TSRMInputError`); a statistical model
that fails on valid data raises :class:`FitFailedError` (a ``RuntimeError``).
"""

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


class DatasetError(TSRMInputError):
    """A benchmark data set cannot be found, read or trusted; the message says what to do."""


class UnknownDatasetError(DatasetError):
    """The name is not in the catalogue; the message lists the known names."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """A data file is in none of the places looked; the message names them and the public source."""


class ChecksumError(DatasetError):
    """A file's sha256 differs from the catalogue's: the file is corrupted or another version."""


class FitFailedError(RuntimeError):
    """A statistical baseline could not be fitted to (or forecast) one series.

    The message names the model and the series; the original statsmodels or
    numpy error is chained as ``__cause__``.
    """
