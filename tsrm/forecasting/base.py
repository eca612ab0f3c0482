"""The contract every tsrm forecaster follows (TS-TRM and the baselines alike).

Public :meth:`BaseForecaster.fit` and :meth:`BaseForecaster.predict` are final: they
validate and convert the inputs once, then call the subclass's private ``_fit`` /
``_predict``, which see only a clean :class:`~tsrm.forecasting.series.Panel`, the
:class:`Inputs` the user passed besides ``y``, and plain arrays. What a forecaster can
do beyond ``fit(y)`` / ``predict(h)`` is declared in its :attr:`BaseForecaster._tags`.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Any, ClassVar, final

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from tsrm._distributed import launched_share
from tsrm.exceptions import NumericalRangeError, TSRMInputError
from tsrm.forecasting.series import Panel, to_panel
from tsrm.forecasting.uncertainty import (
    DEFAULT_QUANTILES,
    Interval,
    check_coverage,
    check_quantile_levels,
)

#: What a forecaster accepts besides ``y``, and how it reads ``y``.
DEFAULT_TAGS: dict[str, bool] = {
    "covariates": False,  # X (and static) in fit and predict
    "checkpoint": False,  # fit(..., checkpoint_dir=...)
    "trace": False,  # predict(..., return_trace=True)
    "fit_keeps_float32": False,  # _fit reads float32 panels itself (no float64 copy)
    # Under a launcher (torchrun), fit reads one share of a Parquet data set per process.
    "sharded_fit": False,
}

#: The tag each optional argument of fit / predict needs.
_NEEDS = {
    "X": "covariates",
    "static": "covariates",
    "checkpoint_dir": "checkpoint",
    "return_trace": "trace",
}


@dataclass(frozen=True)
class Inputs:
    """What ``fit`` / ``predict`` got besides ``y`` (None: not given)."""

    X: Any = None
    static: Any = None
    checkpoint_dir: Path | None = None


def check_positive_int(value: Any, name: str) -> int:
    """Return ``value`` as an int if it is a positive integer, else raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TSRMInputError(f"{name} must be a positive integer, got {value!r}.")
    if value <= 0:
        raise TSRMInputError(f"{name} must be a positive integer (>= 1), got {value!r}.")
    return int(value)


def check_finite_forecast(forecasts: np.ndarray, model: Any) -> None:
    """A last guard: tsrm never hands back NaN or infinite forecasts."""
    if not np.all(np.isfinite(forecasts)):
        raise NumericalRangeError(
            f"{type(model).__name__} produced non-finite forecasts; the values are beyond "
            "what it can represent (e.g. magnitudes near 1e308). Rescale the series, "
            "e.g. y / y.abs().max(), and scale the forecast back."
        )


class BaseForecaster(BaseEstimator):
    """Base class: ``fit(y)`` then ``predict(h)``; inputs in, the same kind out.

    Subclasses implement ``_fit(panel, inputs)`` and ``_predict(panel, h, new_data,
    inputs)`` returning an ``(n_series, h)`` array, ``_fitted_panel()`` (what
    ``predict()`` continues; default ``history_``), and set :attr:`horizon`. A
    forecaster with the ``"trace"`` tag implements ``_predict_trace``.
    """

    horizon: int
    _tags: ClassVar[dict[str, bool]] = DEFAULT_TAGS

    @final
    def fit(
        self, y: Any, X: Any = None, *, static: Any = None, checkpoint_dir: Any = None
    ) -> BaseForecaster:
        """Fit to ``y`` (Series, wide or long DataFrame, numpy, or the path of a long Parquet
        file or directory, see :mod:`~tsrm.forecasting.series.parquet`); returns ``self``.

        ``X`` and ``static`` (covariates) and ``checkpoint_dir`` are accepted by the
        forecasters that support them (the neural ones); see their class documentation.
        """
        self._refuse_unsupported(X=X, static=static, checkpoint_dir=checkpoint_dir)
        self._validate_params()
        panel = self._to_panel(y, fit=True)
        checkpoint = None if checkpoint_dir is None else Path(checkpoint_dir)
        self._fit(panel, Inputs(X, static, checkpoint))
        return self

    @final
    def predict(
        self,
        h: int | None = None,
        y: Any = None,
        X: Any = None,
        return_trace: bool = False,
        *,
        static: Any = None,
    ) -> Any:
        """Forecast ``h`` steps after the fitted data, or after ``y`` if given (no refit).

        Parameters
        ----------
        h : int, optional
            Steps to forecast (default ``horizon``). Beyond ``horizon`` a window model
            feeds its own forecasts back as history, ``horizon`` steps at a time.
        y : Series, DataFrame, array or path, optional
            New history to forecast from instead of the fitted data (no refit); a path is
            read as in ``fit``.
        X : DataFrame, Series or ndarray, optional
            Covariates of the ``h`` forecast steps, for a model fitted with ``X``.
        return_trace : bool, default False
            Also return a :class:`~tsrm.forecasting.neural.inference.ForecastTrace`
            (the forecast after each supervision step; TS-TRM only, ``h <= horizon``).
        static : DataFrame, optional
            Static per-series features, for a model fitted with them.

        Returns
        -------
        forecast
            Same kind as the input (Series, DataFrame, long DataFrame or array) with
            the index continued into the future; with ``return_trace``, also the trace.
        """
        check_is_fitted(self)
        self._refuse_unsupported(X=X, static=static, return_trace=return_trace)
        h = check_positive_int(self.horizon if h is None else h, "h")
        panel = self._fitted_panel() if y is None else self._to_panel(y)
        inputs, new_data = Inputs(X, static), y is not None
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below
            if return_trace:
                forecasts, trace = self._predict_trace(panel, h, new_data, inputs)
            else:
                forecasts = self._predict(panel, h, new_data, inputs)
        check_finite_forecast(forecasts, self)
        return (panel.output(forecasts), trace) if return_trace else panel.output(forecasts)

    # -- intervals and quantiles ------------------------------------------------------
    def _forecast_distribution(
        self, panel: Panel, h: int, new_data: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(n_series, h)`` forecast means (``predict``'s) and standard deviations of the
        normal forecast errors, from one pass over the fitted models."""
        raise TSRMInputError(
            f"{type(self).__name__} gives point forecasts only; for intervals and quantiles "
            "use a model that gives them (Naive, SeasonalNaive, ETS, Theta, ARIMA, AutoARIMA "
            "or a neural forecaster)."
        )

    def predict_interval(
        self,
        h: int | None = None,
        y: Any = None,
        coverage: float = 0.9,
        X: Any = None,
        *,
        static: Any = None,
    ) -> Interval:
        """Prediction interval of the normal forecast distribution, ``mean ± z * std``.

        The statistical models' own: their forecast errors are normal with the standard
        deviation their formula gives (the neural forecasters override this with
        split-conformal intervals).

        Parameters
        ----------
        h : int, optional
            Steps (default ``horizon``).
        y : Series, DataFrame or array, optional
            New history to forecast from, as in ``predict``.
        coverage : float, default 0.9
            Probability, strictly between 0 and 1, that the interval holds the value
            (under the model's assumptions: normal errors, parameters known).
        X, static
            Covariates, as in ``predict``, for the forecasters that take them.

        Returns
        -------
        Interval
            ``(lower, upper)``, each of the kind ``predict`` returns.
        """
        self._refuse_unsupported(X=X, static=static)
        coverage = check_coverage(coverage)
        panel, mean, std = self._normal(h, y)
        z = NormalDist().inv_cdf(0.5 + coverage / 2)
        return Interval(panel.output(mean - z * std), panel.output(mean + z * std))

    def predict_quantiles(
        self,
        h: int | None = None,
        y: Any = None,
        quantiles: Any = None,
        X: Any = None,
        *,
        static: Any = None,
    ) -> dict[float, Any]:
        """Quantiles of the normal forecast distribution; level 0.5 is ``predict``'s forecast.

        Parameters
        ----------
        h, y, X, static
            As in :meth:`predict_interval`.
        quantiles : sequence of float, optional
            Levels strictly between 0 and 1 (default ``(0.1, 0.5, 0.9)``).

        Returns
        -------
        dict
            ``{level: forecast}`` in ascending order of level, each of the kind ``predict``
            returns.
        """
        self._refuse_unsupported(X=X, static=static)
        levels = check_quantile_levels(DEFAULT_QUANTILES if quantiles is None else quantiles)
        panel, mean, std = self._normal(h, y)
        return {q: panel.output(mean + NormalDist().inv_cdf(q) * std) for q in levels}

    def _normal(self, h: Any, y: Any) -> tuple[Panel, np.ndarray, np.ndarray]:
        """The panel forecast from, and the forecast distribution's mean and std."""
        check_is_fitted(self)
        h = check_positive_int(self.horizon if h is None else h, "h")
        panel = self._fitted_panel() if y is None else self._to_panel(y)
        new_data = y is not None
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below
            mean, std = self._forecast_distribution(panel, h, new_data)
        check_finite_forecast(mean, self)
        check_finite_forecast(std, self)
        return panel, mean, std

    # -- conversion ---------------------------------------------------------------
    def _to_panel(self, y: Any, fit: bool = False) -> Panel:
        """``y`` as a Panel under this forecaster's missing-values policy.

        For ``fit``, float32 input stays float32 (views, no copy) in forecasters tagged
        ``fit_keeps_float32``.
        """
        return to_panel(
            y,
            "y",
            allow_missing=self._allows_missing(),
            missing_hint=self._missing_hint(),
            keep_float32=fit and self._tags["fit_keeps_float32"],
            share=launched_share() if fit and self._tags["sharded_fit"] else None,
        )

    def _refuse_unsupported(self, **given: Any) -> None:
        """A clear error for an argument this forecaster's tags do not support."""
        for name, value in given.items():
            if value is not None and value is not False and not self._tags[_NEEDS[name]]:
                raise TSRMInputError(self._unsupported_message(name))

    def _unsupported_message(self, name: str) -> str:
        what = type(self).__name__
        if name == "X":
            return (
                f"Exogenous variables (X) are not supported by {what}; call it with X=None "
                "(the neural forecasters take covariates)."
            )
        if name == "return_trace":
            return f"{what} has no supervision steps to trace; call predict without return_trace."
        return f"{name} is not supported by {what}; leave it out (the neural forecasters take it)."

    # -- for subclasses -------------------------------------------------------------
    def _validate_params(self) -> None:
        check_positive_int(self.horizon, "horizon")

    def _allows_missing(self) -> bool:
        """Whether ``fit`` / ``predict`` accept NaN (missing) values; most models do not."""
        return False

    def _missing_hint(self) -> str:
        """Appended to the error that rejects NaN values."""
        return (
            f"; {type(self).__name__} does not handle missing values (the neural forecasters "
            "mask them: missing='mask')"
        )

    def _fitted_panel(self) -> Panel:
        """The panel ``predict()`` continues: by default the whole fitted history."""
        return self.history_

    def _fit(self, panel: Panel, inputs: Inputs) -> None:
        """By default: keep the fitted panel as ``history_`` (what ``predict()`` continues)."""
        self.history_ = panel

    def _predict(self, panel: Panel, h: int, new_data: bool, inputs: Inputs) -> np.ndarray:
        raise NotImplementedError

    def _predict_trace(
        self, panel: Panel, h: int, new_data: bool, inputs: Inputs
    ) -> tuple[np.ndarray, Any]:
        raise NotImplementedError
