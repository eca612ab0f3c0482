"""What the statsmodels-backed baselines share: quiet fitting, per-series errors, checks."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from tsrm.exceptions import FitFailedError, SeriesTooShortError, TSRMInputError
from tsrm.forecasting.series import Panel


@contextmanager
def statsmodels_quiet() -> Iterator[None]:
    """Silence statsmodels' optimiser chatter and run BLAS single-threaded.

    Only warnings that say "the optimiser struggled" are dropped (convergence,
    Hessian inversion, odd starting values, overflow in trial steps); errors
    always propagate, and callers check likelihoods and forecasts are finite.

    statsmodels' Kalman filters make many tiny BLAS calls, for which OpenBLAS
    threads only add overhead: an ARIMA(2,1,2) fit on 1,000 points took 3.0 s
    with 2 threads and 0.41 s with one on this project's loaded 2-core machine.
    """
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        HessianInversionWarning,
        InterpolationWarning,
    )
    from threadpoolctl import threadpool_limits

    with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", HessianInversionWarning)
        warnings.simplefilter("ignore", InterpolationWarning)  # KPSS p-value outside its table
        warnings.filterwarnings(
            "ignore",
            message=r"(Non-stationary|Non-invertible) starting|Too few observations",
            category=UserWarning,
        )
        # Overflow / invalid values while the optimiser tries extreme parameters (raised
        # in statsmodels, scipy.optimize or numpy); results are checked for finiteness.
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


# Errors that mean "this model does not fit this series": statsmodels and numpy
# raise ValueError / LinAlgError (a ValueError) / arithmetic errors for those.
FIT_ERRORS = (ValueError, ArithmeticError, np.linalg.LinAlgError)


def fit_each(panel: Panel, fit_one: Callable[[np.ndarray, Any], Any], model: str) -> list:
    """``[fit_one(values, series_id) for each series]``, naming the series on failure.

    tsrm's own input errors (e.g. :class:`~tsrm.exceptions.SeriesTooShortError`)
    pass through unchanged; other fitting errors become :class:`FitFailedError`.
    """
    out = []
    with statsmodels_quiet():
        for sid, values in zip(panel.ids, panel.values, strict=True):
            try:
                out.append(fit_one(values, sid))
            except TSRMInputError:
                raise
            except FIT_ERRORS as err:
                raise FitFailedError(
                    f"{model} could not be fitted to series {sid!r} ({len(values)} points): "
                    f"{type(err).__name__}: {err}. Try a simpler configuration or the Naive "
                    "baseline for this series."
                ) from err
    return out


class DeterministicFit:
    """Stand-in for a model fitted to a noise-free series: its differences are constant.

    statsmodels' likelihoods are degenerate at zero variance (fits fail or drift
    off), while every model here would continue the exact pattern. A series whose
    ``d``-th (after one lag-``m`` seasonal difference if ``D``) differences all
    equal ``drift`` is continued that way; the defaults (``d=1``, drift 0) repeat
    the last value, the right forecast for a constant series. ``apply`` continues
    a new history with the same differences and drift.
    """

    def __init__(
        self, values: np.ndarray, d: int = 1, D: int = 0, m: int = 1, drift: float = 0.0
    ) -> None:
        self.values, self.d, self.D, self.m, self.drift = values, d, D, m, drift

    def forecast(self, steps: int, **kwargs: Any) -> np.ndarray:
        # Difference down, extend with the constant drift, then integrate back up.
        levels = [self.values]
        if self.D:
            levels.append(levels[-1][self.m :] - levels[-1][: -self.m])
        for _ in range(self.d):
            levels.append(np.diff(levels[-1]))
        future = np.full(steps, self.drift)
        for k in range(len(levels) - 2, -1, -1):
            history = levels[k]
            if k == 0 and self.D:
                extended = np.r_[history, np.zeros(steps)]
                for t in range(steps):
                    extended[len(history) + t] = extended[len(history) + t - self.m] + future[t]
                future = extended[len(history) :]
            else:
                future = history[-1] + np.cumsum(future)
        return future

    def forecast_std(self, steps: int) -> np.ndarray:
        """A noise-free series continues exactly: no spread."""
        return np.zeros(steps)

    def apply(self, values: np.ndarray) -> DeterministicFit:
        need = self.d + self.D * self.m
        if len(values) < need:
            raise SeriesTooShortError(
                f"This noise-free model needs at least {need} points in a new history."
            )
        return DeterministicFit(values, self.d, self.D, self.m, self.drift)


def is_constant(values: np.ndarray, scale: np.ndarray | None = None) -> bool:
    """Whether ``values`` are equal up to rounding (relative to ``scale``'s magnitude)."""
    reference = np.abs(values if scale is None else scale).max(initial=0.0)
    return bool(np.ptp(values) <= 1e-10 * max(reference, 1.0))


def check_same_series(panel: Panel, n_fitted: int, model: str) -> None:
    """``predict(y=...)`` re-uses per-series parameters, so the series must match."""
    if panel.n_series != n_fitted:
        raise TSRMInputError(
            f"{model} was fitted on {n_fitted} series; predict(y=...) got "
            f"{panel.n_series}. Pass the same series, or fit a new model."
        )


def finite_forecast(forecast: Any, sid: Any, model: str) -> np.ndarray:
    """Return ``forecast`` as an array, or raise if it holds NaN or infinite values."""
    forecast = np.asarray(forecast, dtype=np.float64)
    if not np.isfinite(forecast).all():
        raise FitFailedError(
            f"{model} produced non-finite forecasts for series {sid!r} (the fitted model "
            "explodes over this horizon); use a shorter horizon or a simpler configuration."
        )
    return forecast
