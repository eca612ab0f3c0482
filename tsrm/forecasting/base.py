"""The contract every tsrm forecaster follows (TS-TRM and the baselines alike).

Public :meth:`BaseForecaster.fit` / :meth:`BaseForecaster.predict` validate and
convert inputs, then call the subclass's private ``_fit`` / ``_predict``, which
see only a clean :class:`~tsrm.forecasting.series.Panel` and plain arrays.
"""

from __future__ import annotations

import numbers
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from tsrm.exceptions import NumericalRangeError, TSRMInputError
from tsrm.forecasting.series import Panel, to_panel


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


def reject_exogenous(X: Any) -> None:
    if X is not None:
        raise TSRMInputError(
            "Exogenous variables (X) are not supported by this forecaster yet; call it with X=None."
        )


class BaseForecaster(BaseEstimator):
    """Base class: ``fit(y)`` then ``predict(h)``; inputs in, the same kind out.

    Subclasses implement ``_fit(panel)`` and ``_predict(panel, h, refit_free)``
    returning an ``(n_series, h)`` array, and set :attr:`horizon`.
    """

    horizon: int
    #: Whether ``_fit`` accepts float32 panel values (it converts each series to float64
    #: itself), so that fitting on float32 data needs no float64 copy of it.
    _fit_keeps_float32: ClassVar[bool] = False

    def fit(self, y: Any, X: Any = None) -> BaseForecaster:
        """Fit to ``y`` (Series, wide or long DataFrame, or numpy); returns ``self``."""
        reject_exogenous(X)
        self._validate_params()
        panel = self._to_panel(y, fit=True)
        self._fit(panel)
        return self

    def predict(self, h: int | None = None, y: Any = None, X: Any = None) -> Any:
        """Forecast ``h`` steps after the fitted data, or after ``y`` if given (no refit)."""
        check_is_fitted(self)
        reject_exogenous(X)
        h = check_positive_int(self.horizon if h is None else h, "h")
        panel, forecasts = self._forecast_array(h, y)
        return panel.output(forecasts)

    def _forecast_array(self, h: int, y: Any) -> tuple[Panel, np.ndarray]:
        """The panel forecast from (fitted data or ``y``) and its ``(n_series, h)`` forecasts."""
        panel = self._fitted_panel() if y is None else self._to_panel(y)
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is reported below
            forecasts = self._predict(panel, h, new_data=y is not None)
        check_finite_forecast(forecasts, self)
        return panel, forecasts

    def _to_panel(self, y: Any, fit: bool = False) -> Panel:
        """``y`` as a Panel under this forecaster's missing-values policy.

        For ``fit``, float32 input stays float32 (views, no copy) in forecasters whose
        ``_fit`` reads the panel in float64 one series at a time
        (:attr:`_fit_keeps_float32`).
        """
        return to_panel(
            y,
            "y",
            allow_missing=self._allows_missing(),
            missing_hint=self._missing_hint(),
            keep_float32=fit and self._fit_keeps_float32,
        )

    # -- for subclasses -------------------------------------------------------
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
        raise NotImplementedError

    def _fit(self, panel: Panel) -> None:
        raise NotImplementedError

    def _predict(self, panel: Panel, h: int, new_data: bool) -> np.ndarray:
        raise NotImplementedError
