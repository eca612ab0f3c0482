"""Split-conformal calibration of a point forecaster from its validation residuals.

At fit time the forecaster's errors on the validation windows (in scaled units,
``target - forecast``, one column per horizon step) are summarised on a fixed
grid of quantile levels: the quantiles of the absolute residuals (for
symmetric conformal intervals) and of the signed residuals (for quantile
forecasts). Only these grids are kept (and saved with the model), so their size
does not grow with the data.

The interval half-width for coverage ``1 - alpha`` at step ``h`` is the
``k``-th smallest of the ``n`` absolute residuals at that step, with
``k = ceil((n + 1)(1 - alpha))`` (the finite-sample correction of split
conformal prediction); the grid is read at the first level that lands on that
order statistic, so with more than ``GRID_SIZE - 1`` residuals the width can be
one grid step (0.25 % of the residuals) more conservative.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tsrm.exceptions import TSRMInputError

#: Levels of the stored quantile grids: 0, 0.0025, ..., 1.
GRID_SIZE = 401


def grid_levels(size: int = GRID_SIZE) -> np.ndarray:
    return np.linspace(0.0, 1.0, size)


@dataclass(frozen=True)
class Calibration:
    """Per-step quantiles of a forecaster's validation residuals (scaled units).

    Attributes
    ----------
    n : np.ndarray
        Residuals observed per horizon step, shape ``(horizon,)`` (missing
        validation targets count nowhere).
    abs_quantiles : np.ndarray
        Quantiles of ``|residual|`` at :func:`grid_levels`, shape ``(GRID_SIZE, horizon)``
        (the smallest value whose empirical CDF reaches the level).
    signed_quantiles : np.ndarray
        Quantiles of ``target - forecast`` at :func:`grid_levels` (linear
        interpolation), shape ``(GRID_SIZE, horizon)``.
    """

    n: np.ndarray
    abs_quantiles: np.ndarray
    signed_quantiles: np.ndarray

    @classmethod
    def from_residuals(cls, residuals: np.ndarray) -> Calibration | None:
        """Summarise ``residuals`` ``(windows, horizon)``, NaN where the target was missing.

        Returns None when some horizon step has no residual at all.
        """
        n = (~np.isnan(residuals)).sum(axis=0)
        if residuals.shape[0] == 0 or n.min() == 0:
            return None
        levels = grid_levels()
        absolute = np.empty((len(levels), residuals.shape[1]))
        signed = np.empty_like(absolute)
        # One step at a time, in float64 (residuals may come as float32): temporaries
        # of one column, not of the whole (100,000 windows x horizon) array; the
        # quantiles are those of the whole-array call, column by column.
        for step in range(residuals.shape[1]):
            column = np.asarray(residuals[:, step], dtype=np.float64)
            absolute[:, step] = np.nanquantile(np.abs(column), levels, method="inverted_cdf")
            signed[:, step] = np.nanquantile(column, levels)
        return cls(n.astype(np.int64), absolute, signed)

    @property
    def horizon(self) -> int:
        return len(self.n)

    def half_width(self, coverage: float) -> np.ndarray:
        """Conformal half-width per horizon step for ``coverage``, shape ``(horizon,)``.

        Raises
        ------
        TSRMInputError
            When some step has too few residuals for this coverage (the
            corrected level ``ceil((n + 1) * coverage) / n`` exceeds 1).
        """
        levels = grid_levels(len(self.abs_quantiles))
        width = np.empty(self.horizon)
        for step, n in enumerate(self.n):
            k = math.ceil((n + 1) * coverage - 1e-9)
            if k > n:
                needed = math.ceil(coverage / (1 - coverage) - 1e-9)
                raise TSRMInputError(
                    f"coverage={coverage} needs at least {needed} "
                    f"validation residuals per horizon step, but the model was calibrated on "
                    f"{n}; use a lower coverage, or refit with a larger validation_size."
                )
            # The first grid level above (k - 1) / n reads the k-th order statistic.
            i = int(np.searchsorted(levels, (k - 1) / n + 1e-12, side="right"))
            width[step] = self.abs_quantiles[min(i, len(levels) - 1), step]
        return width

    def residual_quantiles(self, quantiles: Sequence[float]) -> np.ndarray:
        """Quantiles of the signed residuals per step, shape ``(len(quantiles), horizon)``."""
        levels = grid_levels(len(self.signed_quantiles))
        return np.stack(
            [
                np.interp(quantiles, levels, self.signed_quantiles[:, step])
                for step in range(self.horizon)
            ],
            axis=1,
        )
