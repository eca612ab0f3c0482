"""Lazy sliding windows over many series: memory grows with the data, not with windows x L."""

from __future__ import annotations

import numpy as np
import torch
from torch.utils.data import Dataset


def count_windows(length: int, lookback: int, horizon: int) -> int:
    """Number of full (lookback + horizon) windows at stride 1 in a series of ``length``."""
    return max(length - lookback - horizon + 1, 0)


class WindowDataset(Dataset):
    """``(input, target)`` windows cut on demand from one flat array of all series.

    Parameters
    ----------
    series : list of np.ndarray
        The series (any lengths).
    lookback, horizon : int
        Input and target lengths.
    target_ranges : list of (int, int)
        Per series, the half-open range of time steps targets must fall in;
        every window whose whole target lies inside is used (stride 1). Inputs
        may reach before the range, as in the standard protocol.
    observed : list of np.ndarray, optional
        Per series, a boolean array: True where the value was observed. When
        given, items are ``(input, target, mask)`` with ``mask`` 1.0 at observed
        target steps and 0.0 at missing ones (the loss leaves those out).
    """

    def __init__(
        self,
        series: list[np.ndarray],
        lookback: int,
        horizon: int,
        target_ranges: list[tuple[int, int]],
        observed: list[np.ndarray] | None = None,
    ) -> None:
        self.lookback, self.horizon = lookback, horizon
        offsets = np.concatenate([[0], np.cumsum([len(s) for s in series])[:-1]])
        starts = []
        for offset, values, (lo, hi) in zip(offsets, series, target_ranges, strict=True):
            hi = min(hi, len(values))  # windows never run into the next series
            first = max(lo - lookback, 0)
            last = hi - lookback - horizon  # inclusive
            if last >= first:
                starts.append(offset + np.arange(first, last + 1))
        self.data = torch.from_numpy(np.concatenate(series).astype(np.float32))
        self.mask = (
            None
            if observed is None
            else torch.from_numpy(np.concatenate(observed).astype(np.float32))
        )
        self.starts = torch.from_numpy(
            np.concatenate(starts) if starts else np.zeros(0, dtype=np.int64)
        ).long()
        self._in = torch.arange(lookback)
        self._out = torch.arange(lookback, lookback + horizon)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitems__(self, indices: list[int]) -> tuple[torch.Tensor, ...]:
        # Batched gather: the DataLoader hands the whole batch of indices at once.
        s = self.starts[torch.as_tensor(indices)].unsqueeze(1)
        if self.mask is None:
            return self.data[s + self._in], self.data[s + self._out]
        return self.data[s + self._in], self.data[s + self._out], self.mask[s + self._out]

    def __getitem__(self, i: int) -> tuple[torch.Tensor, ...]:
        return tuple(t[0] for t in self.__getitems__([i]))


def collate_batch(batch):
    """Identity collate: :meth:`WindowDataset.__getitems__` already returns stacked tensors."""
    return batch
