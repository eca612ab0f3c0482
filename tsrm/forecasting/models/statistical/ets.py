"""Exponential smoothing (ETS state-space models) through statsmodels, one model per series."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from tsrm.exceptions import SeriesTooShortError, TSRMInputError
from tsrm.forecasting.base import BaseForecaster, Inputs, check_positive_int
from tsrm.forecasting.models._params import store_arguments
from tsrm.forecasting.models.statistical._statsmodels import (
    FIT_ERRORS,
    DeterministicFit,
    check_same_series,
    finite_forecast,
    fit_each,
    is_constant,
    statsmodels_quiet,
)
from tsrm.forecasting.series import Panel
from tsrm.forecasting.series.panel import series_label

AUTO = "auto"
# Simulated paths behind an interval: the standard deviation to about 2 % (1 / sqrt(2 n)).
_PATHS = 2000
_CHOICES = {
    "error": ("add", "mul", AUTO),
    "trend": (None, "add", "mul", AUTO),
    "damped_trend": (False, True, AUTO),
    "seasonal": (None, "add", "mul", AUTO),
}


class ETS(BaseForecaster):
    """ETS(error, trend, seasonal) exponential smoothing (statsmodels ``ETSModel``).

    Each component is either fixed or ``"auto"``; with any ``"auto"``, every
    combination of the allowed values is fitted per series and the one with the
    lowest AICc kept (as R's ``forecast::ets``). The ``"auto"`` choices are:

    - ``error``: additive, and multiplicative if the series is strictly positive;
    - ``trend``: none or additive (multiplicative trends are left out, as in
      ``forecast::ets``); ``damped_trend="auto"``: damped and undamped;
    - ``seasonal``: none, additive, and multiplicative for strictly positive
      series; seasonal forms only when ``season_length > 1`` and the series holds
      at least two seasons;
    - additive errors are not combined with a multiplicative trend or
      seasonality (numerically unstable), unless both were fixed by you;
    - a combination needs more than (its number of parameters + 4) points,
      parameters counting the initial states;
    - a combination whose fit fails is skipped (an error only if all fail);
    - an exactly constant series gets ETS(A, N, N), forecast as the constant
      (its likelihood is degenerate; with ``predict(y=...)``: the last value).

    So the full automatic search (the default) compares up to 15 models. Fit time
    per 1,000-point hourly series, measured on this project's 2-core machine
    (shared with another job): about 3 s with ``season_length=24`` and 0.06 s
    with ``season_length=1`` for the automatic search; 0.3-0.5 s for one fixed
    seasonal model such as ETS(A, Ad, A) or ETS(M, Ad, M) with m = 24.

    Parameters are estimated by maximum likelihood, initial states included.
    ``predict(y=...)`` keeps each series' fitted smoothing parameters and
    re-initialises the states from the new history (statsmodels' heuristic
    initialisation), without refitting; that needs at least 10 points, and for
    seasonal models ``max(2 m, 10 + 2 (m // 2))``, else
    :class:`~tsrm.exceptions.SeriesTooShortError`.

    An explicitly seasonal model on a series shorter than two seasons raises
    :class:`~tsrm.exceptions.SeriesTooShortError` (``"auto"`` just leaves the
    seasonal forms out); a multiplicative component fixed on a series with values
    <= 0 raises :class:`~tsrm.exceptions.TSRMInputError`. A failed fit raises
    :class:`~tsrm.exceptions.FitFailedError` naming the series.

    Parameters
    ----------
    horizon : int, default 24
    season_length : int, default 1
        Seasonal period ``m``; 1 means non-seasonal models only.
    error : {"add", "mul", "auto"}, default "auto"
    trend : {None, "add", "mul", "auto"}, default "auto"
    damped_trend : {False, True, "auto"}, default "auto"
        Only used for models with a trend.
    seasonal : {None, "add", "mul", "auto"}, default "auto"

    Attributes
    ----------
    configs_ : list of dict
        Per series, the chosen ``error``, ``trend``, ``damped_trend`` and
        ``seasonal`` (``ETS(season_length=m, **configs_[i])`` refits it).
    results_ : list
        Per series, the statsmodels ``ETSResults``.
    """

    def __init__(
        self,
        horizon: int = 24,
        season_length: int = 1,
        error: str = AUTO,
        trend: str | None = AUTO,
        damped_trend: bool | str = AUTO,
        seasonal: str | None = AUTO,
    ) -> None:
        store_arguments(self, locals())

    def _validate_params(self) -> None:
        super()._validate_params()
        check_positive_int(self.season_length, "season_length")
        for name, choices in _CHOICES.items():
            value = getattr(self, name)
            if isinstance(value, np.bool_):
                value = bool(value)
            if not any(value is c or (isinstance(value, str) and value == c) for c in choices):
                raise TSRMInputError(f"{name} must be one of {choices}, got {value!r}.")
        if self.trend is None and self.damped_trend is True:
            raise TSRMInputError("damped_trend=True needs a trend; set trend='add' or 'auto'.")
        if self.seasonal not in (None, AUTO) and self.season_length == 1:
            raise TSRMInputError(
                f"seasonal={self.seasonal!r} needs season_length > 1; set the seasonal period."
            )

    @property
    def _is_auto(self) -> bool:
        return AUTO in (self.error, self.trend, self.damped_trend, self.seasonal)

    def _fit(self, panel: Panel, inputs: Inputs) -> None:
        super()._fit(panel, inputs)
        fitted = fit_each(panel, self._fit_one, "ETS")
        self.configs_ = [config for config, _ in fitted]
        self.results_ = [res for _, res in fitted]

    def _candidates(self, y: np.ndarray) -> list[dict]:
        """The configurations to try on ``y`` (feasible ones only, see the class doc)."""
        m, n = self.season_length, len(y)
        positive = bool(np.all(y > 0))
        errors = ["add", "mul"] if self.error == AUTO else [self.error]
        trends = [None, "add"] if self.trend == AUTO else [self.trend]
        seasonals = [None, "add", "mul"] if self.seasonal == AUTO else [self.seasonal]
        damped = [False, True] if self.damped_trend == AUTO else [self.damped_trend]
        if self.seasonal == AUTO and (m == 1 or n < 2 * m):
            seasonals = [None]
        out = []
        for error, trend, damped_trend, seasonal in itertools.product(
            errors, trends, damped, seasonals
        ):
            config = {
                "error": error,
                "trend": trend,
                "damped_trend": bool(damped_trend and trend is not None),
                "seasonal": seasonal,
            }
            if "mul" in (error, trend, seasonal) and not positive:
                continue  # only reached for an "auto" choice: fixed ones were checked
            unstable = error == "add" and (
                (trend == "mul" and AUTO in (self.error, self.trend))
                or (seasonal == "mul" and AUTO in (self.error, self.seasonal))
            )
            if unstable:
                continue
            if config not in out:
                out.append(config)
        return out

    def _n_params(self, config: dict) -> int:
        """Smoothing parameters plus initial states."""
        has_trend = config["trend"] is not None
        seasonal = config["seasonal"] is not None
        return (
            1 + has_trend + config["damped_trend"] + seasonal  # alpha, beta, phi, gamma
            + 1 + has_trend + seasonal * self.season_length  # initial level, trend, season
        )  # fmt: skip

    def _fit_one(self, y: np.ndarray, sid: Any) -> tuple[dict, Any]:
        m, n = self.season_length, len(y)
        if is_constant(y) and self._is_auto:  # zero variance: the likelihood is degenerate
            simplest = {"error": "add", "trend": None, "damped_trend": False, "seasonal": None}
            return simplest, DeterministicFit(y)
        if self.seasonal not in (None, AUTO) and n < 2 * m:
            raise SeriesTooShortError(
                f"{series_label(sid)} has {n} points, fewer than two seasons (2 x {m}) that "
                f"a seasonal ETS needs; pass a longer history or seasonal='auto'/None."
            )
        if "mul" in (self.error, self.trend, self.seasonal) and not np.all(y > 0):
            raise TSRMInputError(
                f"{series_label(sid)} has values <= 0; multiplicative ETS components need "
                "strictly positive data. Use additive components or 'auto'."
            )
        candidates = self._candidates(y)
        feasible = [c for c in candidates if n > self._n_params(c) + 4]
        if not feasible:
            need = min(self._n_params(c) for c in candidates) + 5
            raise SeriesTooShortError(
                f"{series_label(sid)} has {n} points; ETS needs at least {need} for this "
                "configuration. Pass a longer history or use Naive."
            )
        best, best_aicc, last_error = None, np.inf, None
        for config in feasible:
            try:
                res = self._model(y, config, "estimated").fit(disp=False)
            except FIT_ERRORS as err:
                if not self._is_auto:
                    raise
                last_error = err  # an automatic search skips models that do not fit
                continue
            aicc = float(res.aicc)
            if self._is_auto and not np.isfinite(aicc):
                continue  # a degenerate fit cannot be ranked
            if best is None or aicc < best_aicc:
                best, best_aicc = (config, res), aicc
        if best is None:
            raise ValueError(f"no candidate ETS model could be fitted (last: {last_error})")
        return best

    def _model(self, y: np.ndarray, config: dict, initialization: str):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        return ETSModel(
            y,
            seasonal_periods=self.season_length if config["seasonal"] else None,
            initialization_method=initialization,
            **config,
        )

    def _predict(self, panel: Panel, h: int, new_data: bool, inputs: Inputs) -> np.ndarray:
        out = np.empty((panel.n_series, h))
        with statsmodels_quiet():
            for i, res in enumerate(self._results(panel, new_data)):
                out[i] = finite_forecast(res.forecast(h), panel.ids[i], "ETS")
        return out

    def _forecast_distribution(
        self, panel: Panel, h: int, new_data: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        # The spread of paths simulated from the fitted model (statsmodels' own simulation,
        # as its intervals for multiplicative models; a fixed seed: the same answer every
        # call). Its get_prediction fails on the plain arrays these models are fitted on.
        mean, std = np.empty((panel.n_series, h)), np.empty((panel.n_series, h))
        with statsmodels_quiet():
            for i, res in enumerate(self._results(panel, new_data)):
                mean[i] = finite_forecast(res.forecast(h), panel.ids[i], "ETS")
                if isinstance(res, DeterministicFit):
                    std[i] = res.forecast_std(h)
                    continue
                paths = res.simulate(
                    h, anchor="end", repetitions=_PATHS, rng=np.random.default_rng(0)
                )
                std[i] = np.std(np.asarray(paths, dtype=np.float64).reshape(h, -1), axis=1)
        return mean, std

    def _results(self, panel: Panel, new_data: bool) -> list:
        """Each series' fitted model; on new data, its parameters smoothing that data."""
        if not new_data:
            return self.results_
        check_same_series(panel, len(self.results_), "ETS")
        return [
            self._apply(res, config, values, sid)
            for res, config, values, sid in zip(
                self.results_, self.configs_, panel.values, panel.ids, strict=True
            )
        ]

    def _apply(self, res: Any, config: dict, y: np.ndarray, sid: Any) -> Any:
        """Fitted smoothing parameters on new data, states re-initialised from it."""
        if isinstance(res, DeterministicFit):
            return res.apply(y)
        m, n = self.season_length, len(y)
        need = max(2 * m, 10 + 2 * (m // 2)) if config["seasonal"] else 10
        if n < need:
            raise SeriesTooShortError(
                f"{series_label(sid)} has {n} points; ETS needs at least {need} in a new history "
                "to re-initialise its states."
            )
        if "mul" in config.values() and not np.all(y > 0):
            raise TSRMInputError(
                f"{series_label(sid)}: the new history has values <= 0, but the ETS model chosen "
                f"for it is multiplicative ({config}); refit on the new data."
            )
        fitted = dict(zip(res.model.param_names, np.asarray(res.params), strict=True))
        model = self._model(y, config, "heuristic")
        return model.smooth([fitted[name] for name in model.param_names])
