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
    share : WindowDataset, optional
        Another dataset over the same series whose flat data (and mask) this one
        uses instead of a copy of its own (e.g. validation windows beside training ones).
    """

    def __init__(
        self,
        series: list[np.ndarray],
        lookback: int,
        horizon: int,
        target_ranges: list[tuple[int, int]],
        observed: list[np.ndarray] | None = None,
        share: WindowDataset | None = None,
        covariates: list[np.ndarray] | None = None,
    ) -> None:
        self.lookback, self.horizon = lookback, horizon
        offsets = np.concatenate([[0], np.cumsum([len(s) for s in series])[:-1]])
        spans = []  # per series: first and last window start (inclusive), flat positions
        for offset, values, (lo, hi) in zip(offsets, series, target_ranges, strict=True):
            hi = min(hi, len(values))  # windows never run into the next series
            first = max(lo - lookback, 0)
            last = hi - lookback - horizon  # inclusive
            if last >= first:
                spans.append((offset + first, last - first + 1))
        # int32 while positions fit: half the memory of int64 (millions of windows)
        total = int(offsets[-1] + len(series[-1])) if len(series) else 0
        dtype = np.int32 if total < 2**31 else np.int64
        starts = np.empty(sum(n for _, n in spans), dtype=dtype)
        at = 0
        for begin, n in spans:
            starts[at : at + n] = np.arange(begin, begin + n, dtype=dtype)
            at += n
        if share is not None:
            self.data, self.mask, self.covariates = share.data, share.mask, share.covariates
        else:
            self.data = _flat_float32(series)
            self.mask = None if observed is None else _flat_float32(observed)
            self.covariates = None if covariates is None else _flat_float32(covariates)
        self.starts = torch.from_numpy(starts)
        self._in = torch.arange(lookback)
        self._out = torch.arange(lookback, lookback + horizon)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitems__(self, indices: list[int]) -> tuple[torch.Tensor, ...]:
        # Batched gather: the DataLoader hands the whole batch of indices at once.
        s = self.starts[torch.as_tensor(indices)].long().unsqueeze(1)
        if self.covariates is not None:
            mask = None if self.mask is None else self.mask[s + self._out]
            return (
                self.data[s + self._in],
                self.data[s + self._out],
                mask,
                self.covariates[s + self._out],
            )
        if self.mask is None:
            return self.data[s + self._in], self.data[s + self._out]
        return self.data[s + self._in], self.data[s + self._out], self.mask[s + self._out]

    def __getitem__(self, i: int) -> tuple[torch.Tensor, ...]:
        return tuple(t if t is None else t[0] for t in self.__getitems__([i]))


def _flat_float32(arrays: list[np.ndarray]) -> torch.Tensor:
    """All arrays end to end as one float32 tensor, filled in place (no float64 temporary).

    Arrays may be 2-D ``(length, k)`` (covariates): they are stacked along the first axis.
    """
    flat = np.empty((sum(len(a) for a in arrays), *np.shape(arrays[0])[1:]), dtype=np.float32)
    at = 0
    for a in arrays:
        flat[at : at + len(a)] = a
        at += len(a)
    return torch.from_numpy(flat)


class Permutation(torch.utils.data.Sampler[int]):
    """Indices ``0..n-1`` in a random order: what ``RandomSampler`` yields, for less memory.

    The same generator gives the same order as ``RandomSampler``, but the permutation
    stays a tensor and is handed out in chunks, instead of a list of ``n`` Python
    ints (about 36 bytes each: 0.5 GB for 15 million windows).
    """

    def __init__(self, n: int, generator: torch.Generator) -> None:
        self.n, self.generator = n, generator

    def __len__(self) -> int:
        return self.n

    def __iter__(self):  # noqa: ANN204
        perm = torch.randperm(self.n, generator=self.generator)
        for start in range(0, self.n, 1 << 16):
            yield from perm[start : start + (1 << 16)].tolist()
        del perm
        # RandomSampler draws a second permutation when it is exhausted; so do we, so that
        # the generator (and every later epoch) stays exactly where it would be.
        torch.randperm(self.n, generator=self.generator)


def collate_batch(batch):
    """Identity collate: :meth:`WindowDataset.__getitems__` already returns stacked tensors."""
    return batch
