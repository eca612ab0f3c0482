"""Probabilistic forecasts of the window forecasters: conformal intervals and quantiles.

What :class:`~tsrm.forecasting.neural.estimator.WindowForecaster`'s ``predict_interval`` and
``predict_quantiles`` compute, beyond the point forecast. Two sources of uncertainty
are offered:

- *Split-conformal calibration* (always, when fitted with a validation split):
  the network's errors on the validation windows, per horizon step, in scaled
  units (:mod:`tsrm.forecasting.neural.conformal`). Intervals are the point forecast plus or
  minus the calibrated half-width times the series' scale.
- *Quantile outputs* (``quantiles=...`` in the constructor): the network
  forecasts one horizon per quantile level and is trained with the pinball
  loss. Technically the network is built for ``horizon * n_levels`` outputs
  and its output is read level by level; every network gets this for free
  (TS-TRM refines one answer state holding all levels).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
from torch import Tensor

from tsrm._distributed import gathered
from tsrm.exceptions import TSRMInputError
from tsrm.forecasting.neural.conformal import Calibration
from tsrm.forecasting.series import WindowDataset
from tsrm.forecasting.uncertainty import check_quantile_levels

CALIBRATION_WINDOWS = 100_000


def quantile_levels(quantiles: Any) -> tuple[float, ...] | None:
    """The levels a network is trained on: ``quantiles`` plus the median, or None."""
    if quantiles is None:
        return None
    return tuple(sorted(set(check_quantile_levels(quantiles)) | {0.5}))


def point_output(output: Tensor, levels: tuple[float, ...] | None, horizon: int) -> Tensor:
    """The point forecast within a network output: a quantile network's median.

    Levels are sorted per step first (as in ``predict_quantiles``), so the point
    forecast always equals the 0.5 quantile.
    """
    if levels is None:
        return output
    return sorted_levels(output, levels, horizon)[:, levels.index(0.5)]


def sorted_levels(output: Tensor, levels: tuple[float, ...], horizon: int) -> Tensor:
    """A quantile network's output as ``(batch, n_levels, horizon)``, sorted along levels."""
    return output.view(output.shape[0], len(levels), horizon).sort(dim=1).values


def calibrate(
    point: Callable[[Tensor], Tensor],
    val: WindowDataset,
    horizon: int,
    batch: int = 2048,
    shared: bool = False,
) -> Calibration | None:
    """Calibration from a fitted network's errors on the validation windows (None if none).

    ``point`` maps a batch's inputs to point forecasts. At most ``CALIBRATION_WINDOWS``
    windows, evenly spread over the validation set, are used: enough for any coverage
    level, and memory stays bounded on panels of thousands of long series. Batches of
    ``batch`` windows keep the network's activations small beside the training data;
    each window's forecast does not depend on the batch it is in. ``shared``: ``val`` is
    one launched process's share; every process's residuals are pooled (the same
    calibration in each).
    """
    if not len(val) and not shared:
        return None
    index = np.arange(len(val))
    if len(val) > CALIBRATION_WINDOWS:
        index = np.linspace(0, len(val) - 1, CALIBRATION_WINDOWS).round().astype(np.int64)
    # float32: the residuals are float32 differences, so float64 would only double
    # the memory (Calibration.from_residuals works in float64 a step at a time).
    residuals = np.empty((len(index), horizon), dtype=np.float32)
    at = 0
    for residual in validation_residuals(point, val, index, batch):
        residuals[at : at + len(residual)] = residual
        at += len(residual)
    if shared:
        residuals = np.concatenate(gathered(residuals))
    return Calibration.from_residuals(residuals)


def validation_residuals(
    point: Callable[..., Tensor], val: WindowDataset, index: np.ndarray, batch: int
) -> Iterator[np.ndarray]:
    """``target - point(inputs)`` of validation windows ``index``, ``batch`` at a time,
    float32 ``(windows, horizon)`` with NaN at missing target steps."""
    with torch.inference_mode():
        for start in range(0, len(index), batch):
            items = val.__getitems__(index[start : start + batch].tolist())
            inputs = items[:1] if len(items) < 4 else (items[0], items[3])
            residual = (items[1] - point(*inputs)).numpy()
            if len(items) >= 3 and items[2] is not None:  # missing targets: no residual
                residual[items[2].numpy() == 0] = np.nan
            yield residual


def require_calibration(
    calibration: Calibration | None, validation_size: Any, what: str
) -> Calibration:
    """``calibration``, or an error that says why the model has none and what to do."""
    if calibration is not None:
        return calibration
    if validation_size == 0:
        why = "it was fitted with validation_size=0 (no validation split)"
    else:
        why = "it was saved without calibration (by an older tsrm)"
    raise TSRMInputError(
        f"{what} calibrates on the residuals of the validation windows, but this model has "
        f"none: {why}. Refit with a validation split, e.g. validation_size=0.2"
        + (", or use a model trained with quantiles=..." if what == "predict_quantiles" else "")
        + "."
    )


def check_probabilistic_h(h: int, horizon: int, what: str) -> int:
    """``h`` if the calibration (or the quantile outputs) cover it."""
    if h > horizon:
        raise TSRMInputError(
            f"{what} covers at most horizon = {horizon} steps (uncertainty is calibrated per "
            f"forecast step; recursive forecasts beyond the horizon are not), got h={h}. "
            f"Pass h <= {horizon}, or refit with horizon >= {h}."
        )
    return h


def check_within_trained(levels: tuple[float, ...], trained: tuple[float, ...]) -> None:
    """Quantile networks interpolate between their trained levels, never beyond."""
    outside = [q for q in levels if not trained[0] <= q <= trained[-1]]
    if outside:
        raise TSRMInputError(
            f"This model was trained on quantiles {list(trained)}; level(s) {outside} "
            f"lie outside them. Ask for levels between {trained[0]} and {trained[-1]}, "
            "or refit with quantiles=... covering them."
        )


def conformal_quantiles(
    point: np.ndarray, scale: np.ndarray, calibration: Calibration, levels: tuple[float, ...]
) -> np.ndarray:
    """``(n, n_levels, h)``: the point forecast plus the signed residual quantiles, sorted.

    The residual quantiles are taken relative to their median, so that level 0.5 is the
    point forecast itself: the validation errors give the spread, ``predict`` the centre.
    """
    offsets = calibration.residual_quantiles((*levels, 0.5))[:, : point.shape[1]]
    offsets = offsets[:-1] - offsets[-1]
    return np.sort(point[:, None, :] + offsets[None] * scale[:, :, None], axis=1)


def interpolate_levels(
    values: np.ndarray, trained: tuple[float, ...], wanted: tuple[float, ...]
) -> np.ndarray:
    """``values`` ``(n, len(trained), h)`` read at the ``wanted`` levels (linear in between)."""
    known = np.asarray(trained)
    parts = []
    for q in wanted:
        j = int(np.searchsorted(known, q))
        if j < len(known) and np.isclose(known[j], q):
            parts.append(values[:, j])
            continue
        w = (q - known[j - 1]) / (known[j] - known[j - 1])
        parts.append((1.0 - w) * values[:, j - 1] + w * values[:, j])
    return np.stack(parts, axis=1)
