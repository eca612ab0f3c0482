"""Lazy sliding windows over many series: memory grows with the data, not with windows x L."""

from __future__ import annotations

from collections.abc import Sequence

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
    series : sequence of np.ndarray, or of int
        The series (any lengths); only their lengths (ints) when ``share`` or ``data``
        gives the values.
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
    share : WindowDataset, optional
        Another dataset over the same series whose flat data (and mask) this one
        uses instead of a copy of its own (e.g. validation windows beside training ones).
    covariates : list of np.ndarray, optional
        Per series, ``(length, k)`` covariates; items are then ``(input, target, mask
        or None, covariates of the target steps)``.
    covariate_input : bool
        Items carry the covariates of the input and target steps, ``(lookback +
        horizon, k)``, instead of the target steps' only (past-observed covariates).
    data : torch.Tensor, optional
        The series already laid end to end as one float32 tensor (built by the caller,
        e.g. scaled straight into it); ``series`` then only needs their lengths.
    """

    def __init__(
        self,
        series: Sequence[np.ndarray] | Sequence[int],
        lookback: int,
        horizon: int,
        target_ranges: list[tuple[int, int]],
        observed: list[np.ndarray] | None = None,
        share: WindowDataset | None = None,
        covariates: list[np.ndarray] | None = None,
        data: torch.Tensor | None = None,
        covariate_input: bool = False,
    ) -> None:
        self.lookback, self.horizon = lookback, horizon
        lengths = [s if isinstance(s, int | np.integer) else len(s) for s in series]
        offsets = np.cumsum([0, *lengths[:-1]], dtype=np.int64)
        # Per series with windows: the flat position of its first window start, and how
        # many windows it has. Window i of the dataset is window i - (windows before its
        # series) of that series: a few numbers per series instead of one per window
        # (tens of millions of windows for a large panel).
        begins, counts = [], []
        for offset, length, (lo, hi) in zip(offsets, lengths, target_ranges, strict=True):
            hi = min(hi, length)  # windows never run into the next series
            first = max(lo - lookback, 0)
            last = hi - lookback - horizon  # inclusive
            if last >= first:
                begins.append(int(offset) + first)
                counts.append(last - first + 1)
        self._begins = torch.tensor(begins, dtype=torch.int64)
        self._ends = torch.tensor(np.cumsum(counts, dtype=np.int64), dtype=torch.int64)
        self._before = self._ends - torch.tensor(counts, dtype=torch.int64)
        self._n = int(self._ends[-1]) if counts else 0
        if share is not None:
            self.data, self.mask, self.covariates = share.data, share.mask, share.covariates
            covariate_input = share._covariate_input
        else:
            self.data = _flat(series) if data is None else data
            # One byte a step: a float32 mask would be as large as the data itself.
            self.mask = None if observed is None else _flat(observed, np.bool_)
            self.covariates = None if covariates is None else _flat(covariates)
        self._in = torch.arange(lookback)
        self._out = torch.arange(lookback, lookback + horizon)
        self._covariate_input = covariate_input
        self._covariate_steps = torch.arange(lookback + horizon) if covariate_input else self._out

    def __len__(self) -> int:
        return self._n

    def window_starts(self, indices: torch.Tensor) -> torch.Tensor:
        """Flat positions (int64) of the first input step of windows ``indices``.

        Negative indices count from the end, as for a sequence.

        Raises
        ------
        IndexError
            When an index is outside ``-len(self)..len(self) - 1``.
        """
        indices = torch.as_tensor(indices, dtype=torch.int64)
        if len(indices) and (int(indices.min()) < -self._n or int(indices.max()) >= self._n):
            raise IndexError(f"window index out of range for {self._n} windows")
        indices = torch.where(indices < 0, indices + self._n, indices)
        span = torch.searchsorted(self._ends, indices, right=True)
        return self._begins[span] + (indices - self._before[span])

    def __getitems__(self, indices: list[int]) -> tuple[torch.Tensor, ...]:
        # Batched gather: the DataLoader hands the whole batch of indices at once.
        s = self.window_starts(torch.as_tensor(indices)).unsqueeze(1)
        mask = None if self.mask is None else self.mask[s + self._out].float()
        if self.covariates is not None:
            return (
                self.data[s + self._in],
                self.data[s + self._out],
                mask,
                self.covariates[s + self._covariate_steps],
            )
        if mask is None:
            return self.data[s + self._in], self.data[s + self._out]
        return self.data[s + self._in], self.data[s + self._out], mask

    def __getitem__(self, i: int) -> tuple[torch.Tensor, ...]:
        return tuple(t if t is None else t[0] for t in self.__getitems__([i]))


def _flat(arrays: list[np.ndarray], dtype: type = np.float32) -> torch.Tensor:
    """All arrays end to end as one float32 (or ``dtype``) tensor, filled in place (no
    float64 temporary).

    Arrays may be 2-D ``(length, k)`` (covariates): they are stacked along the first axis.
    """
    flat = np.empty((sum(len(a) for a in arrays), *np.shape(arrays[0])[1:]), dtype=dtype)
    at = 0
    for a in arrays:
        flat[at : at + len(a)] = a
        at += len(a)
    return torch.from_numpy(flat)


class Permutation(torch.utils.data.Sampler[int]):
    """Indices ``0..n-1`` in a random order: what ``RandomSampler`` yields, for less memory.

    ``draws`` (default ``n``) indices per epoch: more than ``n`` come from further
    permutations (every window once before any twice), the last one cut short; fewer
    than ``n`` are a random subset of distinct indices, drawn without permuting all ``n``.

    The same generator gives the same order as ``RandomSampler``, but the permutation
    stays a tensor and is handed out in chunks, instead of a list of ``n`` Python
    ints (about 36 bytes each: 0.5 GB for 15 million windows).
    """

    def __init__(self, n: int, generator: torch.Generator, draws: int | None = None) -> None:
        self.n, self.generator = n, generator
        self.draws = n if draws is None else draws

    def __len__(self) -> int:
        return self.draws

    def __iter__(self):  # noqa: ANN204
        if self.draws < self.n:  # a random subset: no permutation of every window
            subset = self._subset()
            for start in range(0, self.draws, 1 << 16):
                yield from subset[start : start + (1 << 16)].tolist()
            return
        left = self.draws
        while left > 0:  # more draws than windows: further permutations, the last cut short
            perm = torch.randperm(self.n, dtype=self._dtype, generator=self.generator)
            for start in range(0, min(self.n, left), 1 << 16):
                yield from perm[start : min(start + (1 << 16), left)].tolist()
            left -= self.n
            del perm
        # RandomSampler draws a second permutation when it is exhausted; so do we, so that
        # the generator (and every later epoch) stays exactly where it would be.
        torch.randperm(self.n, dtype=self._dtype, generator=self.generator)

    def _subset(self) -> torch.Tensor:
        """``draws`` distinct indices in a random order, in memory of the order of ``draws``
        (a permutation of every window takes 4 bytes per window: 270 MB for 68 million)."""
        picked = torch.empty(0, dtype=torch.int64)
        while len(picked) < self.draws:  # a few rounds: draws well below n rarely collide
            more = torch.randint(self.n, (self.draws - len(picked) + 64,), generator=self.generator)
            picked = torch.unique(torch.cat([picked, more]))  # sorted: shuffled below
        order = torch.randperm(len(picked), generator=self.generator)[: self.draws]
        return picked[order]

    @property
    def _dtype(self) -> torch.dtype:
        # int32 draws the very same permutation as int64 (and leaves the generator in the
        # same state) for half the memory: 60 MB instead of 120 for 15 million windows.
        return torch.int32 if self.n < 2**31 else torch.int64


def collate_batch(batch):
    """Identity collate: :meth:`WindowDataset.__getitems__` already returns stacked tensors."""
    return batch
