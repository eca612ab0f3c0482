"""``load_dataset``: catalogue entry -> verified files -> a frame or a train/test panel."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from tsrm.forecasting.datasets.readers import read_ltsf_csv, read_m3_long, read_m4_wide
from tsrm.forecasting.datasets.registry import DatasetInfo, get_info
from tsrm.forecasting.datasets.storage import locate_file


class _Loaded:
    """What every loaded set has: its catalogue entry ``info`` (a dataclass field)."""

    info: DatasetInfo

    @property
    def name(self) -> str:
        """Canonical data-set name."""
        return self.info.name


@dataclass(frozen=True, eq=False)  # frames do not compare to one bool
class LTSFDataset(_Loaded):
    """A long-horizon benchmark set: one wide multivariate frame.

    Attributes
    ----------
    frame : pd.DataFrame
        float64, one column per variable, DatetimeIndex named ``"date"``, rows as published.
    info : DatasetInfo
        The catalogue entry (split rule, horizons, source, ...).
    """

    frame: pd.DataFrame
    info: DatasetInfo

    @property
    def target(self) -> str:
        """Target column (``"OT"``)."""
        return self.info.target

    def __repr__(self) -> str:
        rows, cols = self.frame.shape
        return f"LTSFDataset({self.name!r}, {rows} rows x {cols} columns, target={self.target!r})"


@dataclass(frozen=True, eq=False)
class PanelDataset(_Loaded):
    """A short-horizon competition set: many series, each with a held-out test part.

    Attributes
    ----------
    train, test : pd.DataFrame
        Long frames with columns ``unique_id``, ``ds``, ``y``; ``test`` holds the last
        ``horizon`` points of every series.
    info : DatasetInfo
        The catalogue entry.
    """

    train: pd.DataFrame
    test: pd.DataFrame
    info: DatasetInfo

    @property
    def horizon(self) -> int:
        """Test points per series."""
        return self.info.horizons[0]

    @property
    def n_series(self) -> int:
        """Number of series."""
        return self.train["unique_id"].nunique()

    def __repr__(self) -> str:
        return f"PanelDataset({self.name!r}, {self.n_series} series, horizon={self.horizon})"


def load_dataset(
    name: str,
    data_dir: str | os.PathLike | None = None,
    download: bool = False,
) -> LTSFDataset | PanelDataset:
    """Load a catalogued benchmark data set, verifying every file's sha256.

    Parameters
    ----------
    name : str
        Case-insensitive: ETTh1, ETTh2, ETTm1, ETTm2, Weather, Exchange, ILI, M4-Hourly,
        M4-Weekly, M3-Yearly, M3-Quarterly, M3-Monthly (see :func:`list_datasets`).
    data_dir : path-like, optional
        Directory holding the files under their catalogue paths (e.g. ``ltsf/ETTh1.csv``).
        Searched before the ``TSRM_DATA_DIR`` environment variable and the user cache
        (``$XDG_CACHE_HOME/tsrm``, default ``~/.cache/tsrm``).
    download : bool, default False
        Fetch missing files from their canonical URL into the user cache (where the source
        has one). Never done unless asked.

    Returns
    -------
    LTSFDataset or PanelDataset
        ``LTSFDataset`` for ETT*, Weather, Exchange and ILI; ``PanelDataset`` for M4 and M3.

    Raises
    ------
    UnknownDatasetError
        ``name`` is not catalogued (the message lists the known names).
    DatasetNotFoundError
        A file is missing (the message names every place looked and the public source).
    ChecksumError
        A file is not the catalogued one.
    """
    info = get_info(name)
    files = {role: locate_file(info, role, data_dir, download) for role in info.files}
    options = info.reader_options
    if info.reader == "ltsf_csv":
        frame = read_ltsf_csv(
            files["data"], options.get("date_column", "date"), options.get("rename")
        )
        return LTSFDataset(frame=frame, info=info)
    if info.reader == "m4_wide":
        train, test = read_m4_wide(files["train"], files["test"])
    elif info.reader == "m3_long":
        train, test = read_m3_long(files["data"], options["group"])
    else:  # a catalogue edit without a reader
        raise NotImplementedError(f"{info.name}: no reader for format {info.reader!r}.")
    return PanelDataset(train=train, test=test, info=info)
