"""Errors the data-set loaders raise; all subclass :class:`~tsrm.exceptions.TSRMInputError`."""

from __future__ import annotations

from tsrm.exceptions import TSRMInputError


class DatasetError(TSRMInputError):
    """A benchmark data set cannot be found, read or trusted; the message says what to do."""


class UnknownDatasetError(DatasetError):
    """The name is not in the catalogue; the message lists the known names."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """A data file is in none of the places looked; the message names them and the public source."""


class ChecksumError(DatasetError):
    """A file's sha256 differs from the catalogue's: the file is corrupted or another version."""
