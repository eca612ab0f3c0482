"""The contract every tsrm forecaster follows (TS-TRM and the baselines alike).

Public :meth:`BaseForecaster.fit` / :meth:`BaseForecaster.predict` validate and
convert inputs, then call the subclass's private ``_fit`` / ``_predict``, which
see only a clean :class:`~tsrm.timeseries.Panel` and plain arrays.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from tsrm.exceptions import TSRMInputError
from tsrm.timeseries import Panel, to_panel


def check_positive_int(value: Any, name: str) -> int:
    """Return ``value`` as an int if it is a positive integer, else raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TSRMInputError(f"{name} must be a positive integer, got {value!r}.")
    if value <= 0:
        raise TSRMInputError(f"{name} must be a positive integer (>= 1), got {value!r}.")
    return int(value)


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

    def fit(self, y: Any, X: Any = None) -> BaseForecaster:
        """Fit to ``y`` (Series, wide or long DataFrame, or numpy); returns ``self``."""
        reject_exogenous(X)
        self._validate_params()
        panel = to_panel(y, "y")
        self._fit(panel)
        return self

    def predict(self, h: int | None = None, y: Any = None, X: Any = None) -> Any:
        """Forecast ``h`` steps after the fitted data, or after ``y`` if given (no refit)."""
        check_is_fitted(self)
        reject_exogenous(X)
        h = check_positive_int(self.horizon if h is None else h, "h")
        panel = self._fitted_panel() if y is None else to_panel(y, "y")
        forecasts = self._predict(panel, h, new_data=y is not None)
        return panel.output(forecasts)

    # -- for subclasses -------------------------------------------------------
    def _validate_params(self) -> None:
        check_positive_int(self.horizon, "horizon")

    def _fitted_panel(self) -> Panel:
        raise NotImplementedError

    def _fit(self, panel: Panel) -> None:
        raise NotImplementedError

    def _predict(self, panel: Panel, h: int, new_data: bool) -> np.ndarray:
        raise NotImplementedError
