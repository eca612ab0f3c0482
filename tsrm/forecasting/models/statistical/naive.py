"""Naive and seasonal naive forecasts."""

from __future__ import annotations

import numpy as np

from tsrm.exceptions import SeriesTooShortError
from tsrm.forecasting.base import BaseForecaster, Inputs, check_positive_int
from tsrm.forecasting.models._params import store_arguments
from tsrm.forecasting.series import Panel
from tsrm.forecasting.series.panel import series_label


class SeasonalNaive(BaseForecaster):
    """Repeat the last observed season: ``y[t + k] = y[t + k - m * ceil(k / m)]``.

    Parameters
    ----------
    horizon : int, default 24
        Default number of steps ``predict`` returns.
    season_length : int, default 1
        Seasonal period ``m``; 1 gives the naive (last value) forecast.
    """

    def __init__(self, horizon: int = 24, season_length: int = 1) -> None:
        store_arguments(self, locals())

    def _validate_params(self) -> None:
        super()._validate_params()
        check_positive_int(self._period(), "season_length")

    def _period(self) -> int:
        return self.season_length

    def _predict(self, panel: Panel, h: int, new_data: bool, inputs: Inputs) -> np.ndarray:
        m = self._period()
        out = np.empty((panel.n_series, h))
        for i, (sid, values) in enumerate(zip(panel.ids, panel.values, strict=True)):
            if len(values) < m:
                raise SeriesTooShortError(
                    f"{series_label(sid)} has {len(values)} points, fewer than one season "
                    f"(season_length={m}); pass a longer history."
                )
            out[i] = np.resize(values[-m:], h)
        return out

    def _forecast_distribution(
        self, panel: Panel, h: int, new_data: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        # The seasonal random walk's h-step error: sigma * sqrt(k + 1) with k the number of
        # whole seasons before step h, sigma the RMS of the history's lag-m differences.
        m = self._period()
        growth = np.sqrt(np.arange(h) // m + 1)
        out = np.empty((panel.n_series, h))
        for i, (sid, values) in enumerate(zip(panel.ids, panel.values, strict=True)):
            if len(values) <= m:
                raise SeriesTooShortError(
                    f"{series_label(sid)} has {len(values)} points; an interval needs at least "
                    f"season_length + 1 = {m + 1} to measure how the series moves."
                )
            sigma = np.sqrt(np.mean(np.square(values[m:] - values[:-m])))
            out[i] = sigma * growth
        return self._predict(panel, h, new_data, Inputs()), out


class Naive(SeasonalNaive):
    """Last observed value, repeated."""

    def __init__(self, horizon: int = 24) -> None:
        self.horizon = horizon

    def _period(self) -> int:
        return 1
