"""The long-horizon (LTSF) benchmark protocol: row splits, train-only scaling, lazy windows.

Splits follow the Time-Series-Library convention. ETTh: train rows ``[0, 8640)``, validation
``[8640 - L, 11520)``, test ``[11520 - L, 14400)``; ETTm the same x 4; other sets
``n_train = int(0.7 n)``, ``n_test = int(0.2 n)``, validation the rest, validation and test
starting ``L`` rows before their boundary so their first window predicts the boundary row.
Every column is z-scored with training-row statistics and windowed channel-independently
(one series per column) at stride 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tsrm.exceptions import TSRMInputError
from tsrm.forecasting.datasets.loader import LTSFDataset
from tsrm.forecasting.datasets.registry import DatasetInfo, get_info
from tsrm.forecasting.series.windows import WindowDataset, count_windows

SPLITS = ("train", "val", "test")


@dataclass(frozen=True)
class SplitBoundaries:
    """Half-open row ranges ``(start, end)`` of each split, look-back rows included.

    A split's windows take inputs from ``[start, end)`` and targets from
    ``[start + lookback, end)``; ``train`` starts at row 0.
    """

    train: tuple[int, int]
    val: tuple[int, int]
    test: tuple[int, int]
    lookback: int

    def __getitem__(self, split: str) -> tuple[int, int]:
        if split not in SPLITS:
            raise TSRMInputError(f"Unknown split {split!r}; use one of {SPLITS}.")
        return getattr(self, split)

    @property
    def n_rows_used(self) -> int:
        """Rows the protocol reads (ETTh/ETTm ignore the rows after the test part)."""
        return self.test[1]


def split_boundaries(
    name_or_info: str | DatasetInfo, n_rows: int, lookback: int
) -> SplitBoundaries:
    """Train/validation/test row ranges of an LTSF set for look-back ``lookback``.

    Parameters
    ----------
    name_or_info : str or DatasetInfo
        Data-set name (case-insensitive) or catalogue entry.
    n_rows : int
        Rows in the data set's frame.
    lookback : int
        Input length L.

    Returns
    -------
    SplitBoundaries
        E.g. ETTh1, L=336: train (0, 8640), val (8304, 11520), test (11184, 14400).

    Raises
    ------
    TSRMInputError
        Not an LTSF set, too few rows for a fixed-row rule, or ``lookback`` not in
        ``[1, n_train]``.
    """
    info = get_info(name_or_info)
    rule = info.split
    if info.kind != "ltsf":
        raise TSRMInputError(f"{info.name} is a panel set; its test part is fixed by the files.")
    if rule.rule == "rows":
        n_train, n_val, n_test = int(rule.train), int(rule.val), int(rule.test)
        if n_rows < n_train + n_val + n_test:
            raise TSRMInputError(
                f"{info.name} needs at least {n_train + n_val + n_test} rows; got {n_rows}."
            )
    else:
        # Same float arithmetic as Time-Series-Library, so boundaries agree to the row.
        n_train, n_test = int(n_rows * rule.train), int(n_rows * rule.test)
        n_val = n_rows - n_train - n_test
    if not 1 <= lookback <= n_train:
        raise TSRMInputError(f"lookback must be in [1, {n_train}] for {info.name}; got {lookback}.")
    end_val = n_train + n_val
    return SplitBoundaries(
        train=(0, n_train),
        val=(n_train - lookback, end_val),
        test=(end_val - lookback, end_val + n_test),
        lookback=lookback,
    )


class StandardScaler:
    """Per-column z-score (population std, as scikit-learn); fit it on training rows only.

    Attributes
    ----------
    mean_, scale_ : np.ndarray
        Per-column mean and standard deviation (1 where a column is constant).
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def fit(self, values: np.ndarray | pd.DataFrame) -> StandardScaler:
        """Learn column statistics from ``values`` of shape ``(time, columns)``."""
        values = np.asarray(values, dtype=np.float64)
        if values.ndim != 2 or len(values) == 0:
            raise TSRMInputError(f"fit needs a non-empty (time, columns) array; got {values.shape}")
        self.mean_ = values.mean(axis=0)
        std = values.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        return self

    def _check(self) -> None:
        if self.mean_ is None:
            raise TSRMInputError("StandardScaler is not fitted; call fit(train_rows) first.")

    def transform(self, values: np.ndarray | pd.DataFrame) -> np.ndarray | pd.DataFrame:
        """Scale ``values`` (columns on the last axis); a DataFrame comes back as one."""
        self._check()
        if isinstance(values, pd.DataFrame):
            return values.sub(self.mean_, axis=1).div(self.scale_, axis=1)
        return (np.asarray(values, dtype=np.float64) - self.mean_) / self.scale_

    def inverse_transform(self, values: np.ndarray | pd.DataFrame) -> np.ndarray | pd.DataFrame:
        """Undo :meth:`transform` (columns on the last axis)."""
        self._check()
        if isinstance(values, pd.DataFrame):
            return values.mul(self.scale_, axis=1).add(self.mean_, axis=1)
        return np.asarray(values, dtype=np.float64) * self.scale_ + self.mean_

    def fit_transform(self, values: np.ndarray | pd.DataFrame) -> np.ndarray | pd.DataFrame:
        """:meth:`fit` then :meth:`transform` on the same values."""
        return self.fit(values).transform(values)


class LTSFSplits:
    """An LTSF set cut by the protocol, with lazily built window datasets per split.

    Window ``i`` of a split belongs to column ``i // windows_per_channel(split)`` and starts at
    row ``start + i % windows_per_channel(split)`` of the frame, ``start`` being the split's
    first row. Windows are cut on demand from one flat array (memory grows with the rows, not
    with windows x L).

    Attributes
    ----------
    name : str
    columns : tuple of str
    lookback, horizon : int
    boundaries : SplitBoundaries
    scaler : StandardScaler or None
        Fitted on the training rows; None when built with ``scale=False``.
    values : np.ndarray
        ``(boundaries.n_rows_used, n_columns)`` float64, scaled when ``scaler`` is set.
    """

    def __init__(
        self,
        dataset: LTSFDataset,
        lookback: int,
        horizon: int,
        scale: bool = True,
    ) -> None:
        if horizon < 1:
            raise TSRMInputError(f"horizon must be at least 1; got {horizon}.")
        self.name = dataset.name
        self.columns = tuple(dataset.frame.columns)
        self.lookback, self.horizon = lookback, horizon
        self.boundaries = split_boundaries(dataset.info, len(dataset.frame), lookback)
        values = dataset.frame.to_numpy(dtype=np.float64)[: self.boundaries.n_rows_used]
        self.scaler = None
        if scale:
            self.scaler = StandardScaler().fit(values[slice(*self.boundaries.train)])
            values = self.scaler.transform(values)
        self.values = values
        self._windows: dict[str, WindowDataset] = {}

    def windows_per_channel(self, split: str) -> int:
        """Windows per column in ``split`` (stride 1, full input and target)."""
        start, end = self.boundaries[split]
        return count_windows(end - start, self.lookback, self.horizon)

    def windows(self, split: str) -> WindowDataset:
        """The split's ``(input, target)`` windows, one series per column."""
        if split not in self._windows:
            start, end = self.boundaries[split]
            if self.windows_per_channel(split) == 0:
                raise TSRMInputError(
                    f"{self.name}: the {split} split has {end - start} rows, too few for "
                    f"lookback {self.lookback} + horizon {self.horizon}."
                )
            part = self.values[start:end]
            series = [np.ascontiguousarray(part[:, c]) for c in range(part.shape[1])]
            self._windows[split] = WindowDataset(
                series, self.lookback, self.horizon, [(0, end - start)] * len(series)
            )
        return self._windows[split]

    @property
    def train(self) -> WindowDataset:
        """Training windows."""
        return self.windows("train")

    @property
    def val(self) -> WindowDataset:
        """Validation windows."""
        return self.windows("val")

    @property
    def test(self) -> WindowDataset:
        """Test windows."""
        return self.windows("test")

    def __repr__(self) -> str:
        counts = ", ".join(f"{s}={self.windows_per_channel(s)}" for s in SPLITS)
        return (
            f"LTSFSplits({self.name!r}, lookback={self.lookback}, horizon={self.horizon}, "
            f"windows per channel: {counts}, channels={len(self.columns)})"
        )


def make_splits(
    dataset: LTSFDataset, lookback: int, horizon: int, scale: bool = True
) -> LTSFSplits:
    """Cut an LTSF set by the protocol; see :class:`LTSFSplits`.

    Parameters
    ----------
    dataset : LTSFDataset
        From :func:`tsrm.forecasting.datasets.load_dataset`.
    lookback, horizon : int
        Input length L and forecast horizon H.
    scale : bool, default True
        z-score every column with training-row statistics.

    Returns
    -------
    LTSFSplits
    """
    return LTSFSplits(dataset, lookback, horizon, scale=scale)


def make_windows(
    dataset: LTSFDataset, lookback: int, horizon: int, split: str, scale: bool = True
) -> WindowDataset:
    """Windows of one split (``"train"``, ``"val"`` or ``"test"``), scaled as the protocol says.

    Returns
    -------
    WindowDataset
        Channel-independent ``(input, target)`` windows; ETTh1 with L=336, H=96 has
        8,209 / 2,785 / 2,785 per channel.
    """
    return make_splits(dataset, lookback, horizon, scale=scale).windows(split)
