"""From a Panel to training batches: validation split, lazy windows, loaders."""

from __future__ import annotations

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
