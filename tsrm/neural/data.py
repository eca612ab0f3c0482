"""From a Panel to training batches: validation split, per-series scaling, lazy windows."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader

from tsrm.exceptions import SeriesTooShortError, TSRMInputError
from tsrm.timeseries import Panel, WindowDataset
from tsrm.timeseries.windows import collate_batch


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
    """Per-series mean and standard deviation (1 where a series is constant)."""
    mean = np.array([v.mean() for v in values])
    std = np.array([v.std() for v in values])
    # A constant series has std 0: keep its level, do not divide by zero.
    return mean, np.where(std > 1e-12 * np.maximum(np.abs(mean), 1.0), std, 1.0)


def split_windows(
    scaled: list[np.ndarray], lookback: int, horizon: int, val_steps: list[int]
) -> tuple[WindowDataset, WindowDataset]:
    """Training windows (targets before each series' validation tail) and validation windows.

    Validation inputs may reach back into the training part, as in the standard
    protocol; an empty validation set means validation is off.
    """
    lengths = [len(s) for s in scaled]
    train = WindowDataset(
        scaled, lookback, horizon, [(0, n - v) for n, v in zip(lengths, val_steps, strict=True)]
    )
    val = WindowDataset(
        scaled,
        lookback,
        horizon,
        [(n - v, n) if v else (0, 0) for n, v in zip(lengths, val_steps, strict=True)],
    )
    return train, val


def window_loader(
    dataset: WindowDataset, batch_size: int, generator: torch.Generator | None
) -> DataLoader:
    """Shuffled batches when a ``generator`` is given (training), in order otherwise."""
    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=generator is not None,
        generator=generator,
        collate_fn=collate_batch,
        drop_last=False,
    )
