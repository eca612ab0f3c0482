"""Per-series scaling of user series: statistics, standardising, filling missing values.

Everything here works in float64 whatever the input dtype, one series at a time, and
stays finite near float64's limits.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch

from tsrm._files import memory_mapped, scratch_array


def mean_std(values: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Per-series mean and standard deviation of the observed (non-NaN) values.

    The std is 1 where a series is constant (its spread is below 1e-12 of its
    magnitude, so scaling keeps its level and never divides by zero). Magnitudes
    near float64's limits are handled without overflow or underflow.
    """
    # float64 whatever the input's dtype (float32 panels are views of the user's array):
    # the same statistics as for the float64 copy of the same values.
    stats = [_mean_std(v[~np.isnan(v)]) for v in map(_float64, values)]
    mean = np.array([m for m, _ in stats], dtype=np.float64)
    std = np.array([s for _, s in stats], dtype=np.float64)
    return mean, std


def _mean_std(values: np.ndarray) -> tuple[float, float]:
    if len(values) == 0:
        return 0.0, 1.0
    big = float(np.abs(values).max())
    if 1e-150 < big < 1e150:
        mean, std = float(values.mean()), float(values.std())
    elif big == 0.0:
        return 0.0, 1.0
    else:  # squares would overflow (or underflow): compute on values divided by their maximum
        unit = values / big
        mean, std = float(unit.mean()) * big, float(unit.std()) * big
    return mean, (std if std > 1e-12 * big else 1.0)


def standardise(values: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """``(values - mean) / std`` (broadcasting), without overflow near float64's limits."""
    with np.errstate(over="ignore", invalid="ignore"):
        out = (values - mean) / std
    if np.isfinite(out).all():
        return out
    return values / std - mean / std  # the difference overflowed: divide first


def is_flat(windows: np.ndarray) -> np.ndarray:
    """Per row of ``windows``, whether all its values are equal up to 1e-12 of their magnitude."""
    big = np.abs(windows).max(axis=1, keepdims=True)
    unit = windows / np.where(big > 0, big, 1.0)
    return unit.max(axis=1) - unit.min(axis=1) <= 1e-12


def fill_missing(values: np.ndarray) -> np.ndarray:
    """Each NaN replaced by the last observed value before it (leading NaN: the first one).

    What the network sees in place of missing values; returns ``values`` itself when
    nothing is missing. At least one value must be observed.
    """
    missing = np.isnan(values)
    if not missing.any():
        return values
    last_seen = np.where(missing, 0, np.arange(len(values)))
    np.maximum.accumulate(last_seen, out=last_seen)
    filled = values[last_seen]
    first = int(np.argmax(~missing))
    filled[:first] = values[first]
    return filled


def _float64(values: np.ndarray) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def scaled_series(
    values: list[np.ndarray], mean: np.ndarray, std: np.ndarray
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Per series, one at a time: its values filled (:func:`fill_missing`) and standardised.

    Both float64, whatever the dtype of ``values``: only one series' temporaries are
    alive at a time, never float64 copies of the whole panel.
    """
    for v, m, s in zip(values, mean, std, strict=True):
        filled = fill_missing(_float64(v))
        yield filled, standardise(filled, m, s)


def flat_scaled(
    values: list[np.ndarray], mean: np.ndarray, std: np.ndarray
) -> tuple[torch.Tensor, float]:
    """All series filled, standardised and laid end to end in one float32 tensor.

    The float32 values are those of casting the float64 standardised series (exactly
    what training saw when it built them first): each series is scaled in float64 and
    written straight into the flat buffer. Series read from disk (memory-mapped, see
    :func:`~tsrm._files.memory_mapped`) are scaled into a
    memory-mapped scratch file too: training then reads its windows from pages the
    operating system may evict, and the process holds no copy of the data of its own.

    Returns
    -------
    flat : torch.Tensor
        ``(sum of lengths,)`` float32.
    largest : float
        Largest absolute scaled value (float64, before the cast): the caller refuses
        data float32 cannot hold; beyond float32's range ``flat`` holds infinities.
    """
    n = sum(len(v) for v in values)
    on_disk = any(memory_mapped(v) for v in values)
    flat = scratch_array(n, np.float32) if on_disk else np.empty(n, dtype=np.float32)
    largest, at = 0.0, 0
    for _, scaled in scaled_series(values, mean, std):
        largest = max(largest, float(np.abs(scaled).max()))
        with np.errstate(over="ignore"):  # reported by the caller, from ``largest``
            flat[at : at + len(scaled)] = scaled
        at += len(scaled)
    return torch.from_numpy(flat), largest


def last_filled(values: list[np.ndarray], keep: int) -> list[np.ndarray]:
    """Per series, its last ``keep`` values with missing ones filled (:func:`fill_missing`).

    float32 series stay float32 (filling only repeats observed values, so nothing is
    rounded): half the memory of float64 for the forecast context of a large panel.
    """
    return [
        fill_missing(_float64(v))[-keep:].astype(np.result_type(v.dtype, np.float32))
        for v in values
    ]
