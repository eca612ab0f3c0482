"""The Theta method (M3's winner) through statsmodels' ThetaModel, one model per series."""

from __future__ import annotations

from typing import Any

import numpy as np

from tsrm.exceptions import SeriesTooShortError, TSRMInputError
from tsrm.forecasting.base import BaseForecaster, Inputs, check_positive_int
from tsrm.forecasting.models._params import store_arguments
from tsrm.forecasting.models.statistical._statsmodels import (
    DeterministicFit,
    finite_forecast,
    fit_each,
    is_constant,
)
from tsrm.forecasting.series import Panel
from tsrm.forecasting.series.panel import series_label

MIN_LENGTH = 4
# The normal quantile of the 80 % interval the standard deviation is read from.
_Z_80 = 1.2815515655446004


class Theta(BaseForecaster):
    """Theta forecasts (Assimakopoulos & Nikolopoulos; statsmodels ``ThetaModel``).

    Per series: optionally deseasonalise (classical decomposition, multiplicative
    for positive series and additive otherwise with ``method="auto"``), then
    combine a linear trend (weight ``1 - 1 / theta``) with simple exponential
    smoothing, and re-seasonalise. With ``use_test=True`` deseasonalising only
    happens when statsmodels' test finds seasonality: ``n * acf_m^2 / (1 +
    sum_{k=1}^{m-1} acf_k^2)`` above the 90 % chi-square(1) critical value 2.71
    (a close relative of M4's rule in :class:`~tsrm.forecasting.models.Naive2`). Series
    shorter than two seasons are not deseasonalised (no error).

    Fitting is closed-form plus a one-parameter SES: 10-30 ms per 1,000-point
    hourly series with ``season_length=24`` (measured on this project's 2-core
    machine, shared with another job). statsmodels cannot apply a fitted Theta
    model to other data, so ``predict(y=...)`` refits on the new history (any
    number of series); the fitted models are left unchanged. An exactly constant
    series is forecast as that constant (statsmodels' SES degenerates on it). A
    failed fit raises :class:`~tsrm.exceptions.FitFailedError` naming the series.

    Parameters
    ----------
    horizon : int, default 24
    season_length : int, default 1
        Seasonal period ``m``; 1 means no deseasonalising.
    deseasonalize : bool, default True
    use_test : bool, default True
        Test for seasonality before deseasonalising (else always deseasonalise).
    method : {"auto", "additive", "multiplicative"}, default "auto"
        Decomposition type; "auto" is multiplicative for strictly positive series.
    theta : float, default 2.0
        Trend weight parameter (>= 1); 2 is the classic Theta method.
    use_mle : bool, default False
        Estimate via an ARIMA(0,1,1) with drift instead of OLS + SES.

    Attributes
    ----------
    results_ : list
        Per series, statsmodels' ``ThetaModelResults``.
    """

    def __init__(
        self,
        horizon: int = 24,
        season_length: int = 1,
        deseasonalize: bool = True,
        use_test: bool = True,
        method: str = "auto",
        theta: float = 2.0,
        use_mle: bool = False,
    ) -> None:
        store_arguments(self, locals())

    def _validate_params(self) -> None:
        super()._validate_params()
        check_positive_int(self.season_length, "season_length")
        if self.method not in ("auto", "additive", "multiplicative", "add", "mul"):
            raise TSRMInputError(
                f"method must be 'auto', 'additive' or 'multiplicative', got {self.method!r}."
            )
        if isinstance(self.theta, bool) or not isinstance(self.theta, int | float):
            raise TSRMInputError(f"theta must be a number >= 1, got {self.theta!r}.")
        if not self.theta >= 1:
            raise TSRMInputError(f"theta must be >= 1, got {self.theta!r}.")

    def _fit(self, panel: Panel, inputs: Inputs) -> None:
        super()._fit(panel, inputs)
        self.results_ = self._fit_all(panel)

    def _fit_all(self, panel: Panel) -> list:
        for sid, values in zip(panel.ids, panel.values, strict=True):
            if len(values) < MIN_LENGTH:
                raise SeriesTooShortError(
                    f"{series_label(sid)} has {len(values)} points; Theta needs at least "
                    f"{MIN_LENGTH}. Use Naive for very short series."
                )
        return fit_each(panel, self._fit_one, "Theta")

    def _fit_one(self, y: np.ndarray, sid: Any) -> Any:
        from statsmodels.tsa.forecasting.theta import ThetaModel

        m = self.season_length
        method = self.method
        if method in ("multiplicative", "mul") and not np.all(y > 0):
            raise TSRMInputError(
                f"{series_label(sid)} has values <= 0; multiplicative deseasonalising needs "
                "strictly positive data. Use method='auto' or 'additive'."
            )
        if is_constant(y):
            return DeterministicFit(y)
        model = ThetaModel(
            y,
            period=m,
            deseasonalize=bool(self.deseasonalize) and m > 1 and len(y) >= 2 * m,
            use_test=bool(self.use_test),
            method=method,
        )
        return model.fit(use_mle=bool(self.use_mle))

    def _predict(self, panel: Panel, h: int, new_data: bool, inputs: Inputs) -> np.ndarray:
        results = self._fit_all(panel) if new_data else self.results_
        out = np.empty((panel.n_series, h))
        for i, (res, sid) in enumerate(zip(results, panel.ids, strict=True)):
            out[i] = finite_forecast(res.forecast(h, theta=float(self.theta)), sid, "Theta")
        return out

    def _forecast_distribution(
        self, panel: Panel, h: int, new_data: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        # statsmodels' Theta intervals are normal (the SES state's forecast variance):
        # read the standard deviation back from one of them.
        results = self._fit_all(panel) if new_data else self.results_
        theta = float(self.theta)
        mean, std = np.empty((panel.n_series, h)), np.empty((panel.n_series, h))
        for i, (res, sid) in enumerate(zip(results, panel.ids, strict=True)):
            mean[i] = finite_forecast(res.forecast(h, theta=theta), sid, "Theta")
            if isinstance(res, DeterministicFit):
                std[i] = res.forecast_std(h)
                continue
            bounds = res.prediction_intervals(h, theta=theta, alpha=0.2)
            std[i] = (bounds["upper"].to_numpy() - bounds["lower"].to_numpy()) / (2 * _Z_80)
        return mean, std
