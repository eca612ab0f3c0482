"""From a Panel to training batches: validation split, lazy windows, loaders."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader

from tsrm.exceptions import MissingValuesError, SeriesTooShortError, TSRMInputError
from tsrm.forecasting.series import Panel, WindowDataset
from tsrm.forecasting.series.panel import series_label
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


def series_validation(validation_size: Any, panel: Panel, horizon: int) -> list[int]:
    """Validation points per series; none for a series whose training part they would empty.

    Raises :class:`SeriesTooShortError` for a series shorter than ``horizon + 2``: one
    training target of ``horizon`` steps needs two values before it (a level and a scale).
    """
    steps = []
    for sid, n in zip(panel.ids, panel.lengths, strict=True):
        if n < horizon + 2:
            raise SeriesTooShortError(
                f"{series_label(sid)} has {n} points; forecasting {horizon} steps needs at "
                f"least horizon + 2 = {horizon + 2}. Use a longer series or a smaller horizon."
            )
        v = validation_steps(validation_size, n, horizon)
        steps.append(v if n - v >= horizon + 2 else 0)
    return steps


def left_padded(panel: Panel, val_steps: list[int], lookback: int, horizon: int) -> Panel:
    """Series too short for one full training window, left-padded with NaN to fit one.

    The padding is missing data: the loss never sees it as a target, and as an input it
    holds the series' first value (see :func:`~tsrm.forecasting.series.scaling.fill_missing`).
    """
    values = []
    for v, n_val in zip(panel.values, val_steps, strict=True):
        short = lookback + horizon + n_val - len(v)
        values.append(np.concatenate([np.full(short, np.nan), v]) if short > 0 else v)
    return dataclasses.replace(panel, values=values)


def check_trainable(panel: Panel, val_steps: list[int], lookback: int, horizon: int) -> None:
    """Every series needs one full training window besides its validation part."""
    for sid, n, v in zip(panel.ids, panel.lengths, val_steps, strict=True):
        if n - v < lookback + horizon:
            besides = f" besides {v} validation points" if v else ""
            raise SeriesTooShortError(
                f"{series_label(sid)} has {n} points, but lookback + horizon = "
                f"{lookback + horizon} training points are needed{besides}; "
                "use a longer series, a smaller lookback, or a smaller validation_size."
            )


def check_observed(panel: Panel, val_steps: list[int]) -> None:
    """Every series needs observed values in its training part (before the validation tail)."""
    for sid, values, v in zip(panel.ids, panel.values, val_steps, strict=True):
        if np.isnan(values[: len(values) - v]).all():
            raise MissingValuesError(
                f"{series_label(sid)} has no observed (non-NaN) values in its training part (the "
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
    max_val_windows: int | None = None,
    share: WindowDataset | None = None,
) -> tuple[WindowDataset, WindowDataset]:
    """Training windows (targets before each series' validation tail) and validation windows.

    Validation inputs may reach back into the training part, as in the standard
    protocol; an empty validation set means validation is off. With ``observed``
    (per series, True where a value was observed) batches carry a target mask; with
    ``covariates`` (per series, ``(length, k)``) batches are ``(input, target, mask or
    None, covariates)``. With ``data`` (the scaled series end to end, float32, see
    :func:`flat_scaled`) ``scaled`` need only be the series' lengths. ``covariate_input``:
    the covariates of the input steps come too (see :class:`WindowDataset`). Where the
    validation windows number more than ``max_val_windows``, only those of evenly
    spaced series are kept, about that many. ``share``: windows over the same series
    (of another look-back) whose data, mask and covariates these use instead of their own.
    """
    lengths = [s if isinstance(s, int | np.integer) else len(s) for s in scaled]
    validated = val_steps
    if max_val_windows is not None:
        validated = _spread_validation(lengths, lookback, horizon, val_steps, max_val_windows)
    train = WindowDataset(
        scaled,
        lookback,
        horizon,
        [(0, n - v) for n, v in zip(lengths, val_steps, strict=True)],
        observed,
        covariates=covariates,
        data=data,
        covariate_input=covariate_input,
        share=share,
    )
    val = WindowDataset(
        scaled,
        lookback,
        horizon,
        [(n - v, n) if v else (0, 0) for n, v in zip(lengths, validated, strict=True)],
        observed,
        share=train,  # one copy of the data for both
    )
    return train, val


def _spread_validation(
    lengths: list[int], lookback: int, horizon: int, val_steps: list[int], most: int
) -> list[int]:
    """``val_steps``, with every ``k``-th series kept and the others' set to 0 where the
    validation windows number more than ``most`` (``k`` the smallest step that brings
    them to about ``most``). A dropped series' tail is still not trained on."""
    counts = [
        max(n - lookback - horizon - max(n - v - lookback, 0) + 1, 0) if v else 0
        for n, v in zip(lengths, val_steps, strict=True)
    ]
    total = sum(counts)
    if total <= most:
        return val_steps
    k = -(-total // most)
    return [v if i % k == 0 else 0 for i, v in enumerate(val_steps)]


#: The smallest batch :func:`epoch_plan` shrinks to.
MIN_BATCH = 16


def epoch_plan(
    n_windows: int, batch_size: int, min_steps: int, max_windows: int | None = None
) -> tuple[int, int]:
    """Batch size and windows drawn per epoch so that an epoch has ``min_steps`` steps.

    With few windows the batch shrinks (to no fewer than :data:`MIN_BATCH`) and the
    windows are drawn again in fresh random orders: a short series then still gets
    ``min_steps`` optimiser steps per epoch. ``min_steps=0``: one pass at ``batch_size``.
    More than ``max_windows`` windows: an epoch draws ``max_windows`` of them at random.
    """
    if max_windows is not None and n_windows > max_windows:
        return batch_size, max_windows
    if not min_steps or n_windows == 0:
        return batch_size, n_windows
    batch = min(batch_size, max(MIN_BATCH, -(-n_windows // min_steps)))
    return batch, max(n_windows, batch * min_steps)


def window_loader(
    dataset: WindowDataset,
    batch_size: int,
    generator: torch.Generator | None,
    draws: int | None = None,
) -> DataLoader:
    """Shuffled batches when a ``generator`` is given (training), in order otherwise.

    ``draws``: windows per epoch when training (default: each once), see :func:`epoch_plan`.
    """
    n = len(dataset)
    sampler = Permutation(n, generator, draws) if generator is not None else None
    return DataLoader(
        dataset,
        batch_size=batch_size,
        sampler=sampler,
        generator=generator,  # DataLoader draws each epoch's base seed from it, as before
        collate_fn=collate_batch,
        drop_last=False,
    )
