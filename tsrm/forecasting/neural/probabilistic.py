"""Probabilistic forecasts of the window forecasters: conformal intervals and quantiles.

:class:`ProbabilisticForecaster` is the part of
:class:`~tsrm.forecasting.neural.WindowForecaster` that goes beyond the point forecast. Two
sources of uncertainty are offered:

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

from dataclasses import replace
from typing import Any, NamedTuple

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted
from torch import Tensor, nn

from tsrm.exceptions import TSRMInputError
from tsrm.forecasting.base import check_finite_forecast, check_positive_int
from tsrm.forecasting.neural.config import WindowConfig
from tsrm.forecasting.neural.conformal import Calibration, check_coverage, check_quantile_levels
from tsrm.forecasting.series import Panel, WindowDataset

#: Levels of ``predict_quantiles()`` for a model trained without quantiles.
DEFAULT_QUANTILES = (0.1, 0.5, 0.9)


CALIBRATION_WINDOWS = 100_000


class Interval(NamedTuple):
    """A prediction interval: ``lower`` and ``upper``, each the kind ``predict`` returns.

    Unpacks as a pair: ``lower, upper = model.predict_interval()``.
    """

    lower: Any
    upper: Any


class ProbabilisticForecaster:
    """``predict_interval`` and ``predict_quantiles`` (a base of ``WindowForecaster``).

    Relies on the fitted attributes of :class:`~tsrm.forecasting.neural.WindowForecaster`
    (``config_``, ``network_``, ``calibration_``, ``quantile_levels_``) and on its
    ``_windows``, ``_forecast_array``, ``_pin_constant`` and ``_raw_forecast``.
    """

    horizon: int
    config_: WindowConfig
    network_: nn.Module
    calibration_: Calibration | None
    quantile_levels_: tuple[float, ...] | None

    # -- quantile networks --------------------------------------------------------
    def _quantile_levels(self) -> tuple[float, ...] | None:
        """The levels the network is trained on: ``quantiles`` plus the median, or None."""
        quantiles = getattr(self, "quantiles", None)
        if quantiles is None:
            return None
        return tuple(sorted(set(check_quantile_levels(quantiles)) | {0.5}))

    def _make_network(self, cfg: WindowConfig) -> nn.Module:
        """``_build_network(cfg)``, widened to one horizon per quantile level if any."""
        levels = self._quantile_levels()
        if levels is None:
            return self._build_network(cfg)
        try:
            wide = replace(cfg, horizon=cfg.horizon * len(levels))
        except (TypeError, ValueError) as err:
            raise TSRMInputError(f"Invalid network settings for quantiles: {err}") from None
        return self._build_network(wide)

    def _point_output(self, output: Tensor) -> Tensor:
        """The point forecast within a network output: a quantile network's median.

        Levels are sorted per step first (as in ``predict_quantiles``), so the point
        forecast always equals the 0.5 quantile.
        """
        levels = self.quantile_levels_
        if levels is None:
            return output
        per_level = output.view(output.shape[0], len(levels), self.config_.horizon)
        return per_level.sort(dim=1).values[:, levels.index(0.5)]

    # -- calibration --------------------------------------------------------------
    def _calibrate(self, val: WindowDataset, batch: int = 2048) -> Calibration | None:
        """Calibration from the fitted network's errors on the validation windows (None if none).

        At most ``CALIBRATION_WINDOWS`` windows, evenly spread over the validation set,
        are used: enough for any coverage level, and memory stays bounded on panels of
        thousands of long series (all 3.8 million validation windows of 10,000 series
        x 2,000 points would need gigabytes of residuals). Batches of ``batch`` windows
        keep the network's activations small beside the training data (8192 windows of
        the sketch preset: about 70 MB); each window's forecast does not depend on the
        batch it is in.
        """
        if not len(val):
            return None
        index = np.arange(len(val))
        if len(val) > CALIBRATION_WINDOWS:
            index = np.linspace(0, len(val) - 1, CALIBRATION_WINDOWS).round().astype(np.int64)
        # float32: the residuals are float32 differences, so float64 would only double
        # the memory (Calibration.from_residuals works in float64 a step at a time).
        residuals = np.empty((len(index), self.config_.horizon), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(index), batch):
                items = val.__getitems__(index[start : start + batch].tolist())
                inputs = items[:1] if len(items) < 4 else (items[0], items[3])
                forecast = self._point_output(self.network_(*inputs))
                residual = residuals[start : start + len(forecast)]
                residual[:] = (items[1] - forecast).numpy()
                if len(items) >= 3 and items[2] is not None:  # missing targets: no residual
                    residual[items[2].numpy() == 0] = np.nan
        return Calibration.from_residuals(residuals)

    def _fitted_calibration(self, what: str) -> Calibration:
        calibration = getattr(self, "calibration_", None)
        if calibration is not None:
            return calibration
        if getattr(self, "validation_size", None) == 0:
            why = "it was fitted with validation_size=0 (no validation split)"
        else:
            why = "it was saved without calibration (by an older tsrm)"
        raise TSRMInputError(
            f"{what} calibrates on the residuals of the validation windows, but this model has "
            f"none: {why}. Refit with a validation split, e.g. validation_size=0.2"
            + (", or use a model trained with quantiles=..." if what == "predict_quantiles" else "")
            + "."
        )

    def _refuse_covariates(self, what: str) -> None:
        raise NotImplementedError  # WindowForecaster

    def _probabilistic_h(self, h: Any, what: str) -> int:
        h = check_positive_int(self.horizon if h is None else h, "h")
        H = self.config_.horizon
        if h > H:
            raise TSRMInputError(
                f"{what} covers at most horizon = {H} steps (uncertainty is calibrated per "
                f"forecast step; recursive forecasts beyond the horizon are not), got h={h}. "
                f"Pass h <= {H}, or refit with horizon >= {h}."
            )
        return h

    def _series_scale(self, panel: Panel, new_data: bool) -> np.ndarray:
        """Per series, the scale that turns scaled residuals into data units, ``(n, 1)``."""
        return self._windows(panel, new_data)[2]

    # -- public ---------------------------------------------------------------------
    def predict_interval(self, h: int | None = None, y: Any = None, coverage: float = 0.9):
        """Split-conformal prediction interval around the point forecast.

        The half-width at forecast step ``s`` is the conformal quantile of the
        absolute errors the fitted model made at step ``s`` on the validation
        windows (level ``ceil((n + 1) * coverage) / n`` for ``n`` windows),
        times the series' scale; intervals are symmetric around ``predict``.
        Coverage holds on average over windows when future errors behave like the
        validation errors (exchangeability); the validation windows also chose
        the early-stopping epoch, which can make intervals slightly narrow.

        Parameters
        ----------
        h : int, optional
            Steps (default ``horizon``; at most ``horizon``).
        y : Series, DataFrame or array, optional
            New history to forecast from, as in ``predict``.
        coverage : float, default 0.9
            Probability, strictly between 0 and 1, that the interval holds the value.

        Returns
        -------
        Interval
            ``(lower, upper)``, each of the kind ``predict`` returns (Series,
            wide or long DataFrame, numpy array) with the same index.

        Raises
        ------
        TSRMInputError
            ``coverage`` outside (0, 1); ``h > horizon``; a model fitted with
            ``validation_size=0``; too few validation windows for ``coverage``.
        """
        check_is_fitted(self)
        self._refuse_covariates("predict_interval")
        coverage = check_coverage(coverage)
        h = self._probabilistic_h(h, "predict_interval")
        calibration = self._fitted_calibration("predict_interval")
        width = calibration.half_width(coverage)[:h]  # before forecasting: may raise
        panel, point = self._forecast_array(h, y)
        width = width * self._series_scale(panel, y is not None)
        return Interval(panel.output(point - width), panel.output(point + width))

    def predict_quantiles(
        self, h: int | None = None, y: Any = None, quantiles: Any = None
    ) -> dict[float, Any]:
        """Quantile forecasts: from the quantile network, or from the conformal residuals.

        - A model fitted with ``quantiles=...`` returns its network's quantile
          outputs (trained with the pinball loss); levels between the trained
          ones are interpolated linearly, levels outside them are an error.
        - Otherwise each level ``q`` is the point forecast plus the ``q``-quantile
          of the signed validation errors at that step (times the series' scale).

        Either way the levels are sorted ascending and the values are sorted
        along them, so quantiles never cross.

        Parameters
        ----------
        h : int, optional
            Steps (default ``horizon``; at most ``horizon``).
        y : Series, DataFrame or array, optional
            New history to forecast from, as in ``predict``.
        quantiles : sequence of float, optional
            Levels strictly between 0 and 1. Default: the trained levels of a
            quantile model, else ``(0.1, 0.5, 0.9)``.

        Returns
        -------
        dict
            ``{level: forecast}`` in ascending order of level, each forecast of
            the kind ``predict`` returns; ``pd.DataFrame(result)`` makes a frame
            with one column per level from Series forecasts.

        Raises
        ------
        TSRMInputError
            Levels outside (0, 1) or outside a quantile model's trained range;
            ``h > horizon``; no calibration (``validation_size=0``) for a model
            without quantile outputs.
        """
        check_is_fitted(self)
        self._refuse_covariates("predict_quantiles")
        trained = self.quantile_levels_
        if quantiles is None:
            quantiles = trained or DEFAULT_QUANTILES
        levels = check_quantile_levels(quantiles)
        h = self._probabilistic_h(h, "predict_quantiles")
        if trained is not None:
            outside = [q for q in levels if not trained[0] <= q <= trained[-1]]
            if outside:
                raise TSRMInputError(
                    f"This model was trained on quantiles {list(trained)}; level(s) {outside} "
                    f"lie outside them. Ask for levels between {trained[0]} and {trained[-1]}, "
                    "or refit with quantiles=... covering them."
                )
            panel, values = self._network_quantiles(h, y)
            values = interpolate_levels(values, trained, levels)
        else:
            calibration = self._fitted_calibration("predict_quantiles")
            panel, point = self._forecast_array(h, y)
            offsets = calibration.residual_quantiles(levels)[:, :h]
            scale = self._series_scale(panel, y is not None)
            values = np.sort(point[:, None, :] + offsets[None] * scale[:, :, None], axis=1)
        return {q: panel.output(values[:, i]) for i, q in enumerate(levels)}

    def _network_quantiles(self, h: int, y: Any) -> tuple[Panel, np.ndarray]:
        """The quantile network's forecasts ``(n_series, n_levels, h)``, sorted along levels."""
        panel = self._fitted_panel() if y is None else self._to_panel(y)
        windows, mean, std = self._windows(panel, y is not None)
        output = self._raw_forecast(torch.from_numpy(windows)).double().numpy()
        H, n_levels = self.config_.horizon, len(self.quantile_levels_)
        values = output.reshape(len(windows), n_levels, H)[:, :, :h]
        values = values * std[:, :, None] + mean[:, :, None]
        values = np.stack([self._pin_constant(values[:, j], panel) for j in range(n_levels)], 1)
        check_finite_forecast(values, self)
        return panel, np.sort(values, axis=1)


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
