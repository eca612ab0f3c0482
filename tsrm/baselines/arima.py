"""(Seasonal) ARIMA through statsmodels' SARIMAX, one model per series."""

from __future__ import annotations

import warnings

import numpy as np

from tsrm.baselines._history import HistoryForecaster
from tsrm.exceptions import SeriesTooShortError, TSRMInputError
from tsrm.timeseries import Panel


class ARIMA(HistoryForecaster):
    """ARIMA(p, d, q)(P, D, Q, m) fitted by maximum likelihood (statsmodels SARIMAX).

    One model is fitted per series at ``fit``; about 0.1-1 s per series of a few
    thousand points. ``predict(y=...)`` re-applies the fitted parameters to the
    new history of the same number of series, without refitting.

    Parameters
    ----------
    horizon : int, default 24
    order : tuple of 3 int, default (1, 1, 1)
    seasonal_order : tuple of 4 int, default (0, 0, 0, 0)
    trend : str or None
        statsmodels trend term (``"c"``, ``"t"``, ``"ct"``) or None.
    """

    def __init__(
        self,
        horizon: int = 24,
        order: tuple[int, int, int] = (1, 1, 1),
        seasonal_order: tuple[int, int, int, int] = (0, 0, 0, 0),
        trend: str | None = None,
    ) -> None:
        self.horizon = horizon
        self.order = order
        self.seasonal_order = seasonal_order
        self.trend = trend

    def _model(self, values: np.ndarray):
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        return SARIMAX(
            values,
            order=tuple(self.order),
            seasonal_order=tuple(self.seasonal_order),
            trend=self.trend,
        )

    def _min_length(self) -> int:
        p, d, q = self.order
        P, D, Q, m = self.seasonal_order
        return max(p + d + q, (P + D + Q) * m + d + D * m) + 2

    def _fit(self, panel: Panel) -> None:
        super()._fit(panel)
        self.results_ = []
        for sid, values in zip(panel.ids, panel.values, strict=True):
            if len(values) < self._min_length():
                raise SeriesTooShortError(
                    f"Series {sid!r} has {len(values)} points; ARIMA{tuple(self.order)}"
                    f"{tuple(self.seasonal_order)} needs at least {self._min_length()}."
                )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # convergence chatter; results are still usable
                self.results_.append(self._model(values).fit(disp=False))

    def _predict(self, panel: Panel, h: int, new_data: bool) -> np.ndarray:
        if new_data and panel.n_series != len(self.results_):
            raise TSRMInputError(
                f"ARIMA was fitted on {len(self.results_)} series; predict(y=...) got "
                f"{panel.n_series}. Pass the same series, or fit a new model."
            )
        out = np.empty((panel.n_series, h))
        for i, res in enumerate(self.results_):
            if new_data:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res = res.apply(panel.values[i])
            out[i] = res.forecast(h)
        return out
