"""Benchmark data sets: catalogue, verified loading, and the long-horizon protocol.

>>> from tsrm.forecasting.datasets import load_dataset, make_splits
>>> ett = load_dataset("ETTh1", data_dir="path/to/data")  # doctest: +SKIP
>>> splits = make_splits(ett, lookback=336, horizon=96)  # doctest: +SKIP
>>> len(splits.train) // len(ett.frame.columns)  # doctest: +SKIP
8209

The catalogue (sources, licences, sha256) is the repository's ``datasets/`` folder. Your own
data: :func:`read_series` (CSV or DataFrame, date column detected), :func:`to_long` /
:func:`to_wide`, and :func:`resample_log` for irregular sensor logs.
"""

from tsrm._files import cache_dir, search_dirs, sha256_file, verify_file
from tsrm.exceptions import (
    ChecksumError,
    DatasetError,
    DatasetNotFoundError,
    UnknownDatasetError,
)
from tsrm.forecasting.datasets.loader import LTSFDataset, PanelDataset, load_dataset
from tsrm.forecasting.datasets.own import ResampledLog, read_series, resample_log, to_long, to_wide
from tsrm.forecasting.datasets.protocol import (
    LTSFSplits,
    SplitBoundaries,
    StandardScaler,
    make_splits,
    make_windows,
    split_boundaries,
)
from tsrm.forecasting.datasets.registry import (
    DatasetInfo,
    FileVariant,
    SplitRule,
    get_info,
    list_datasets,
)

__all__ = [
    "ChecksumError",
    "DatasetError",
    "DatasetInfo",
    "DatasetNotFoundError",
    "FileVariant",
    "LTSFDataset",
    "LTSFSplits",
    "PanelDataset",
    "ResampledLog",
    "SplitBoundaries",
    "SplitRule",
    "StandardScaler",
    "UnknownDatasetError",
    "cache_dir",
    "get_info",
    "list_datasets",
    "load_dataset",
    "make_splits",
    "make_windows",
    "read_series",
    "resample_log",
    "search_dirs",
    "sha256_file",
    "split_boundaries",
    "to_long",
    "to_wide",
    "verify_file",
]
