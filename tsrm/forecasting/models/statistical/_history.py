"""Shared part of baselines that keep each fitted series' full history."""

from __future__ import annotations

from tsrm.forecasting.base import BaseForecaster
from tsrm.forecasting.series import Panel


class HistoryForecaster(BaseForecaster):
    """A baseline that forecasts from each series' whole history (``history_``)."""

    def _fit(self, panel: Panel) -> None:
        self.history_ = panel

    def _fitted_panel(self) -> Panel:
        return self.history_
