"""From a Panel to training batches: validation split, per-series scaling, lazy windows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader

from tsrm.exceptions import MissingValuesError, SeriesTooShortError, TSRMInputError
from tsrm.forecasting.series import Panel, WindowDataset
from tsrm.forecasting.series.windows import Permutation, collate_batch


def validation_steps(validation_size: Any, length: int, horizon: int) -> int:
    """Points at the end of a series of ``length`` held out for validation (0: none).

    A float in ``(0, 1)`` is a fraction of the length, anything else a number of
    steps; a non-zero split holds at least one ``horizon``.
    """
    v = validation_size
    if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
        raise TSRMInputError(
            f"validation_size must be a fraction in [0, 1), a number of steps, or 0; got {v!r}."
        )
    if v == 0:
        return 0
    steps = int(round(v * length)) if isinstance(v, float) and v < 1 else int(v)
    return max(steps, horizon)


def check_trainable(panel: Panel, val_steps: list[int], lookback: int, horizon: int) -> None:
    """Every series needs one full training window besides its validation part."""
    for sid, n, v in zip(panel.ids, panel.lengths, val_steps, strict=True):
        if n - v < lookback + horizon:
            raise SeriesTooShortError(
                f"Series {sid!r} has {n} points, but lookback + horizon = {lookback + horizon} "
                f"training points are needed{f' besides {v} validation points' if v else ''}; "
                "use a longer series, a smaller lookback, or a smaller validation_size."
            )


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
    values: list[np.ndarray], mean: np.ndarray, std: np.ndarray, keep_last: int
) -> tuple[torch.Tensor, float, list[np.ndarray]]:
    """All series filled, standardised and laid end to end in one float32 tensor.

    The float32 values are those of casting the float64 standardised series (exactly
    what training saw when it built them first): each series is scaled in float64 and
    written straight into the flat buffer.

    Returns
    -------
    flat : torch.Tensor
        ``(sum of lengths,)`` float32.
    largest : float
        Largest absolute scaled value (float64, before the cast): the caller refuses
        data float32 cannot hold; beyond float32's range ``flat`` holds infinities.
    last : list of np.ndarray
        Per series, the last ``keep_last`` filled (unscaled) float64 values.
    """
    flat = np.empty(sum(len(v) for v in values), dtype=np.float32)
    largest, last, at = 0.0, [], 0
    for filled, scaled in scaled_series(values, mean, std):
        largest = max(largest, float(np.abs(scaled).max()))
        with np.errstate(over="ignore"):  # reported by the caller, from ``largest``
            flat[at : at + len(scaled)] = scaled
        at += len(scaled)
        last.append(filled[-keep_last:].copy())
    return torch.from_numpy(flat), largest, last


def check_observed(panel: Panel, val_steps: list[int]) -> None:
    """Every series needs observed values in its training part (before the validation tail)."""
    for sid, values, v in zip(panel.ids, panel.values, val_steps, strict=True):
        if np.isnan(values[: len(values) - v]).all():
            raise MissingValuesError(
                f"Series {sid!r} has no observed (non-NaN) values in its training part (the "
                f"first {len(values) - v} points; the last {v} are held out for validation); "
                "drop the series, or use a smaller validation_size."
            )


def split_windows(
    scaled: list[np.ndarray] | list[int],
    lookback: int,
    horizon: int,
    val_steps: list[int],
    observed: list[np.ndarray] | None = None,
    covariates: list[np.ndarray] | None = None,
    data: torch.Tensor | None = None,
    covariate_input: bool = False,
) -> tuple[WindowDataset, WindowDataset]:
    """Training windows (targets before each series' validation tail) and validation windows.

    Validation inputs may reach back into the training part, as in the standard
    protocol; an empty validation set means validation is off. With ``observed``
    (per series, True where a value was observed) batches carry a target mask; with
    ``covariates`` (per series, ``(length, k)``) batches are ``(input, target, mask or
    None, covariates)``. With ``data`` (the scaled series end to end, float32, see
    :func:`flat_scaled`) ``scaled`` need only be the series' lengths. ``covariate_input``:
    the covariates of the input steps come too (see :class:`WindowDataset`).
    """
    lengths = [s if isinstance(s, int | np.integer) else len(s) for s in scaled]
    train = WindowDataset(
        scaled,
        lookback,
        horizon,
        [(0, n - v) for n, v in zip(lengths, val_steps, strict=True)],
        observed,
        covariates=covariates,
        data=data,
        covariate_input=covariate_input,
    )
    val = WindowDataset(
        scaled,
        lookback,
        horizon,
        [(n - v, n) if v else (0, 0) for n, v in zip(lengths, val_steps, strict=True)],
        observed,
        share=train,  # one copy of the data for both
    )
    return train, val


def window_loader(
    dataset: WindowDataset, batch_size: int, generator: torch.Generator | None
) -> DataLoader:
    """Shuffled batches when a ``generator`` is given (training), in order otherwise."""
    return DataLoader(
        dataset,
        batch_size=batch_size,
        sampler=Permutation(len(dataset), generator) if generator is not None else None,
        generator=generator,  # DataLoader draws each epoch's base seed from it, as before
        collate_fn=collate_batch,
        drop_last=False,
    )
