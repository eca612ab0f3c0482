"""Any tsrm forecaster as an sktime forecaster: ``SktimeForecaster(estimator=TRMForecaster(...))``.

Needs the optional ``sktime`` extra (``pip install "tsrm[sktime]"``); ``import tsrm`` works
without it.

One adapter wraps every tsrm forecaster (``TRMForecaster``, ``DLinear``, ``PatchTST``, the
classical baselines, ...) instead of one sktime class per model: they all follow the same
``fit(y)`` / ``predict(h, y=...)`` contract, so the adapter stays one small class, new tsrm
models work in sktime without new code, and the wrapped model's settings are tunable from
sktime as ``estimator__<name>`` (e.g. ``estimator__lookback``).

How sktime's notions map onto tsrm
----------------------------------
- ``y``: a ``pd.Series`` or a wide ``pd.DataFrame`` (one column per series; tsrm models the
  columns channel-independently with shared weights). Panel and hierarchical ``y`` are
  broadcast by sktime, one fitted copy per instance; for a single global model over many
  series use tsrm directly with a long ``unique_id``/``ds``/``y`` frame.
- ``fh``: relative or absolute, any out-of-sample steps, not needed in ``fit``. The model
  forecasts ``max(fh)`` steps (beyond its ``horizon`` it feeds forecasts back as history,
  see :class:`tsrm.TRMForecaster`) and returns the requested ones. In-sample steps are not
  supported (``capability:insample`` is False): tsrm forecasters only look forward.
- ``X``: ignored (``capability:exogenous`` is False).
- Missing values: accepted when the wrapped model accepts them (``missing="mask"``, the
  default of the neural forecasters); the tag ``capability:missing_values`` follows it.
- ``update(y, update_params=True)`` refits the wrapped model on all data seen so far;
  ``update_params=False`` keeps the weights and forecasts from the extended history.
- ``predict_interval`` / ``predict_quantiles`` (and sktime's ``predict_var`` /
  ``predict_proba``, which it derives from them): the wrapped model's own
  ``predict_interval`` (once per coverage) and ``predict_quantiles``, so the statistical
  models give their normal intervals and the neural forecasters their split-conformal
  ones (or a quantile network's levels). The tag ``capability:pred_int`` follows the
  wrapped model: False for a point-only model (``Naive2``) and for a neural forecaster
  with ``validation_size=0`` (no validation windows to calibrate on). Neural intervals
  cover at most ``horizon`` steps (``max(fh) <= horizon``); the statistical models', any.
  In-sample intervals are not supported (``capability:pred_int:insample`` is False).
- Indices are sktime's business: the wrapped model sees plain arrays, and forecasts get
  ``fh``'s absolute index.

sktime's ``check_estimator`` passes with no check excluded, its interval and quantile checks
included (tests/forecasting/integrations/test_sktime.py runs it in CI).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

try:
    from sktime.forecasting.base import BaseForecaster as _SktimeForecaster
except ModuleNotFoundError as err:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "tsrm.forecasting.integrations.sktime needs sktime, an optional dependency of tsrm; "
        'install it with pip install "tsrm[sktime]".'
    ) from err

from sklearn.base import clone

from tsrm.exceptions import TSRMInputError
from tsrm.forecasting.base import BaseForecaster as _TSRMBase

__all__ = ["SktimeForecaster"]


class SktimeForecaster(_SktimeForecaster):
    """sktime forecaster that delegates to a tsrm forecaster.

    Parameters
    ----------
    estimator : tsrm forecaster or None, default None
        An unfitted tsrm forecaster (e.g. ``TRMForecaster(horizon=12, lookback=48)``,
        ``DLinear()``, ``ETS()``); it is cloned in ``fit`` and never modified. ``None``:
        ``TRMForecaster()`` with its defaults.

    Attributes
    ----------
    estimator_ : tsrm forecaster
        The fitted clone of ``estimator``.

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from tsrm import TRMForecaster
    >>> from tsrm.forecasting.integrations.sktime import SktimeForecaster
    >>> y = load_airline()
    >>> f = SktimeForecaster(TRMForecaster(horizon=12, lookback=36, max_epochs=5, verbose=False))
    >>> y_pred = f.fit(y).predict(fh=[1, 2, 3])  # doctest: +SKIP
    """

    _tags = {
        "authors": "tsrm developers",
        "maintainers": "tsrm developers",
        "object_type": "forecaster",
        "y_inner_mtype": ["pd.Series", "pd.DataFrame"],
        "X_inner_mtype": "pd.DataFrame",
        "capability:multivariate": True,
        "capability:exogenous": False,
        "capability:insample": False,
        "capability:pred_int": True,  # set per wrapped model in __init__
        "capability:pred_int:insample": False,
        "capability:missing_values": True,  # set per wrapped model in __init__
        "capability:update": True,
        # Seeds live in the wrapped model (estimator__random_state), not in this signature;
        # randomness is set per wrapped model in __init__.
        "capability:random_state": False,
        "property:randomness": "stochastic",
        "requires-fh-in-fit": False,
        "X-y-must-have-same-index": True,
        "fit_is_empty": False,
    }
    # The adapter keeps its own history (_cur_y) for update(); sktime's copy is not needed.
    _config = {"remember_data": False}

    def __init__(self, estimator: Any = None) -> None:
        self.estimator = estimator
        super().__init__()
        # sktime's data pool, used only if a user sets remember_data=True.
        self._y = self._X = None
        self._set_tags_from(self._estimator())

    def _set_tags_from(self, estimator: Any) -> None:
        """Tags that depend on the wrapped model: missing values, randomness, intervals."""
        # A model without a random_state (the classical baselines) is deterministic.
        seed = getattr(estimator, "random_state", 0)
        randomness = "stochastic" if seed is None else "deterministic"
        self.set_tags(**{"property:randomness": randomness})
        allows_missing = getattr(estimator, "_allows_missing", None)
        if allows_missing is not None:
            try:
                self.set_tags(**{"capability:missing_values": bool(allows_missing())})
            except TSRMInputError:  # a bad setting; fit reports it
                pass
        self.set_tags(**{"capability:pred_int": _gives_intervals(estimator)})

    def _estimator(self) -> Any:
        """The estimator to clone: ``estimator``, or the default TRMForecaster."""
        if self.estimator is None:
            from tsrm import TRMForecaster

            return TRMForecaster()
        return self.estimator

    # -- sktime's private interface ----------------------------------------------
    def _fit(self, y: pd.Series | pd.DataFrame, X: Any = None, fh: Any = None) -> SktimeForecaster:
        estimator = self._estimator()
        if not isinstance(estimator, _TSRMBase):
            raise TSRMInputError(
                f"estimator must be a tsrm forecaster (e.g. tsrm.TRMForecaster()), got "
                f"{type(estimator).__name__}."
            )
        self.estimator_ = clone(estimator).fit(_values(y))
        self._cur_y = y.copy()
        self._from_history = False
        return self

    def _update(
        self, y: pd.Series | pd.DataFrame, X: Any = None, update_params: bool = True
    ) -> SktimeForecaster:
        history = pd.concat([self._cur_y, y])
        self._cur_y = history[~history.index.duplicated(keep="last")].sort_index()
        if update_params:
            self.estimator_ = clone(self.estimator_).fit(_values(self._cur_y))
            self._from_history = False
        else:
            # The weights stay; forecasts start from the end of the extended history.
            self._from_history = True
        return self

    def _predict(self, fh: Any, X: Any = None) -> pd.Series | pd.DataFrame:
        steps, h = self._steps(fh)
        rows = self._rows(self._forecast(self.estimator_.predict, h), steps, h)
        index = fh.to_absolute_index(self.cutoff)
        if isinstance(self._cur_y, pd.Series):
            return pd.Series(rows[:, 0], index=index, name=self._cur_y.name)
        return pd.DataFrame(rows, index=index, columns=self._cur_y.columns)

    def _predict_interval(self, fh: Any, X: Any, coverage: list[float]) -> pd.DataFrame:
        """The wrapped model's ``predict_interval``, once per coverage, in sktime's format.

        Parameters
        ----------
        fh : ForecastingHorizon
            Out-of-sample steps (neural models: ``max(fh) <= horizon``).
        X : None
            Ignored (``capability:exogenous`` is False).
        coverage : list of float
            Nominal coverages, each strictly between 0 and 1.

        Returns
        -------
        pd.DataFrame
            Row index ``fh``'s absolute index; columns (variable, coverage,
            ``"lower"``/``"upper"``), coverages in the order given.
        """
        steps, h = self._steps(fh)
        bounds = []  # per coverage, (lower, upper) as (len(fh), n_variables) arrays
        for c in coverage:
            lower, upper = self._forecast(self.estimator_.predict_interval, h, coverage=c)
            bounds.append((self._rows(lower, steps, h), self._rows(upper, steps, h)))
        # (steps, variable, coverage, lower/upper): the order of sktime's column MultiIndex.
        values = np.stack([np.stack(pair, axis=-1) for pair in bounds], axis=-2)
        return pd.DataFrame(
            values.reshape(len(steps), -1),
            index=fh.to_absolute_index(self.cutoff),
            columns=self._get_columns(method="predict_interval", coverage=coverage),
        )

    def _predict_quantiles(self, fh: Any, X: Any, alpha: list[float]) -> pd.DataFrame:
        """The wrapped model's ``predict_quantiles`` in sktime's format.

        Parameters
        ----------
        fh : ForecastingHorizon
            Out-of-sample steps (neural models: ``max(fh) <= horizon``).
        X : None
            Ignored (``capability:exogenous`` is False).
        alpha : list of float
            Quantile levels, each strictly between 0 and 1.

        Returns
        -------
        pd.DataFrame
            Row index ``fh``'s absolute index; columns (variable, level), levels in the
            order given.
        """
        steps, h = self._steps(fh)
        levels = self._forecast(self.estimator_.predict_quantiles, h, quantiles=alpha)
        # tsrm returns the levels sorted; sktime wants them in the order asked for.
        values = np.stack([self._rows(levels[float(a)], steps, h) for a in alpha], axis=-1)
        return pd.DataFrame(
            values.reshape(len(steps), -1),
            index=fh.to_absolute_index(self.cutoff),
            columns=self._get_columns(method="predict_quantiles", alpha=alpha),
        )

    # -- helpers of the predict methods ---------------------------------------------
    def _steps(self, fh: Any) -> tuple[np.ndarray, int]:
        """``fh`` as 1-based steps after the cutoff, and the ``h`` that covers them all."""
        steps = fh.to_relative(self.cutoff).to_numpy().astype(np.int64)
        return steps, int(steps.max())

    def _forecast(self, method: Any, h: int, **kwargs: Any) -> Any:
        """``method`` of the fitted model (predict, predict_interval, ...) for ``h`` steps,
        from the extended history after ``update(update_params=False)``."""
        if self._from_history:
            return method(h=h, y=_values(self._cur_y), **kwargs)
        return method(h=h, **kwargs)

    @staticmethod
    def _rows(forecast: Any, steps: np.ndarray, h: int) -> np.ndarray:
        """The requested ``steps`` of an ``h``-step forecast, as (len(steps), n_variables)."""
        return np.asarray(forecast).reshape(h, -1)[steps - 1]

    # -- sktime's test settings ----------------------------------------------------
    @classmethod
    def get_test_params(cls, parameter_set: str = "default") -> list[dict]:
        """Tiny, fast settings for sktime's ``check_estimator``.

        sktime's tests fit on series of 15 to 50 points, so the models see 4 values and
        train one epoch. TS-TRM forecasts 2 steps (longer horizons are fed back
        recursively) without validation: a point forecaster, so sktime checks that its
        interval methods refuse. DLinear gives intervals: its horizon is 5 because neural
        intervals cover at most ``horizon`` steps and sktime asks for up to 5
        (``fh=[2, 5]``), and a 60 % validation tail calibrates them (on the shortest series
        sktime asks intervals of, 22 points, that leaves 9 validation windows: the fewest a
        90 % conformal interval needs).

        Parameters
        ----------
        parameter_set : str, default "default"
            Only ``"default"`` is defined.

        Returns
        -------
        list of dict
            Constructor arguments, one dict per test instance.
        """
        from tsrm import DLinear, TRMForecaster

        tiny = dict(
            horizon=2,
            lookback=4,
            max_epochs=1,
            batch_size=64,  # one training step per fit
            validation_size=0,
            verbose=False,
        )
        trm = TRMForecaster(
            **tiny, hidden_dim=8, patch_len=4, stride=4, n_supervision=1, n_recursions=1, n_cycles=1
        )
        dlinear = DLinear(**{**tiny, "horizon": 5, "validation_size": 0.6}, kernel_size=3)
        return [{"estimator": trm}, {"estimator": dlinear}]


def _gives_intervals(estimator: Any) -> bool:
    """Whether ``estimator`` can give intervals and quantiles once fitted (for the tag).

    The statistical models inherit ``predict_interval`` from tsrm's base class and give
    intervals when they define a forecast distribution (Naive2 does not). The neural
    forecasters override it and calibrate on their validation windows, which
    ``validation_size=0`` leaves out.
    """
    if not isinstance(estimator, _TSRMBase):
        return False  # fit reports it
    cls = type(estimator)
    if cls.predict_interval is _TSRMBase.predict_interval:
        return cls._forecast_distribution is not _TSRMBase._forecast_distribution
    return getattr(estimator, "validation_size", None) != 0


def _values(y: pd.Series | pd.DataFrame) -> np.ndarray:
    """What the tsrm model sees: the values only (1-D for a Series, (time, series) else)."""
    return y.to_numpy(dtype=np.float64, na_value=np.nan)
