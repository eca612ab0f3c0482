"""Forecast a long frame of many series on Dask: the model runs inside each partition.

Dask (``pip install 'tsrm[dask]'``) schedules the work on whatever cluster the caller
has connected (``dask.distributed.Client``), or on its local threads without one;
tsrm adds no scheduler of its own.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from tsrm.exceptions import TSRMInputError
from tsrm.forecasting.base import BaseForecaster, check_positive_int
from tsrm.forecasting.series.panel import LONG_COLUMNS
from tsrm.forecasting.uncertainty import check_coverage, check_quantile_levels, percent


def forecast(
    model: BaseForecaster,
    data: Any,
    h: int | None = None,
    *,
    shuffle: bool = True,
    coverage: float | None = None,
    quantiles: Any = None,
) -> Any:
    """Forecast every series of a long frame, partition by partition.

    Parameters
    ----------
    model : BaseForecaster
        A fitted model forecasts each series from its history in ``data`` without
        refitting, as ``model.predict(h, y=part)`` does (a global neural model fitted
        once). An unfitted one is fitted on each partition first, as
        ``clone(model).fit(part).predict(h)`` (local models such as ETS or AutoARIMA,
        one per series).
    data : pandas or Dask DataFrame
        Long format: columns ``unique_id``, ``ds`` and ``y``.
    h : int, optional
        Steps to forecast (default ``model.horizon``).
    shuffle : bool, default True
        Gather each series into one partition first (a Dask shuffle on ``unique_id``).
        ``False`` where every partition already holds whole series (e.g. Parquet files
        written series by series): it saves the shuffle, but a series split across
        partitions would be forecast from each part separately.
    coverage : float, optional
        Also the prediction interval of this coverage (``model.predict_interval``), as
        columns ``lower`` and ``upper`` beside ``y``.
    quantiles : sequence of float, optional
        Also these quantile levels (``model.predict_quantiles``), as columns named by
        percent: ``(0.1, 0.9)`` adds ``q10`` and ``q90``.

    Returns
    -------
    pandas or Dask DataFrame
        The forecasts, long (``unique_id``, ``ds``, ``y`` [, ``lower``, ``upper``]
        [, ``q10`` ...]), of the kind of ``data``; a Dask result is lazy, as Dask's are.
    """
    if not isinstance(model, BaseForecaster):
        raise TSRMInputError(
            f"model is a {type(model).__name__}; pass a tsrm forecaster, e.g. TRMForecaster."
        )
    h = check_positive_int(model.horizon if h is None else h, "h")
    if coverage is not None:
        coverage = check_coverage(coverage)
    if quantiles is not None:
        quantiles = check_quantile_levels(quantiles)
    run = _Partition(model, h, _is_fitted(model), coverage, quantiles)
    if isinstance(data, pd.DataFrame):
        _check_long(data.columns)
        return run(data)
    _check_dask(data)
    _check_long(data.columns)
    if shuffle:
        data = data.shuffle(on="unique_id")
    return data.map_partitions(
        _apply, _shipped(run), meta=run.meta(data._meta), enforce_metadata=False
    )


def _apply(part: pd.DataFrame, run: _Partition) -> pd.DataFrame:
    return run(part)


def _shipped(run: _Partition) -> Any:
    """``run`` sent to every worker of the connected Dask client once, ahead of the tasks
    (a fitted model holds its series' last windows: megabytes for a large fleet), or
    ``run`` itself without a client."""
    try:
        from distributed import get_client

        client = get_client()
    except (ImportError, ValueError):  # no distributed, or no client connected
        return run
    return client.scatter(run, broadcast=True, hash=False)


class _Partition:
    """The work of one partition: a picklable callable, shipped once per worker."""

    def __init__(
        self,
        model: BaseForecaster,
        h: int,
        fitted: bool,
        coverage: float | None,
        quantiles: tuple[float, ...] | None,
    ) -> None:
        self.model, self.h, self.fitted = model, h, fitted
        self.coverage, self.quantiles = coverage, quantiles

    def __call__(self, part: pd.DataFrame) -> pd.DataFrame:
        if len(part) == 0:
            return self.meta(part)
        part = part[list(LONG_COLUMNS)]
        model, history = self.model, part
        if not self.fitted:
            model, history = clone(self.model).fit(part), None
        out = model.predict(self.h, y=history)
        if self.coverage is not None:
            lower, upper = model.predict_interval(self.h, y=history, coverage=self.coverage)
            out = out.assign(lower=lower["y"].to_numpy(), upper=upper["y"].to_numpy())
        if self.quantiles is not None:
            levels = model.predict_quantiles(self.h, y=history, quantiles=self.quantiles)
            out = out.assign(**{f"q{percent(q)}": f["y"].to_numpy() for q, f in levels.items()})
        return out.astype(self.meta(part).dtypes.to_dict())

    def meta(self, frame: pd.DataFrame) -> pd.DataFrame:
        """An empty frame of what a partition gives."""
        meta = _meta(frame)
        bands = ["lower", "upper"] if self.coverage is not None else []
        bands += [f"q{percent(q)}" for q in self.quantiles or ()]
        return meta.assign(**dict.fromkeys(bands, meta["y"]))


def _meta(frame: pd.DataFrame) -> pd.DataFrame:
    """An empty forecast frame: the input's columns and dtypes, dates parsed as fit parses
    them."""
    meta = frame[list(LONG_COLUMNS)].iloc[:0]
    ds = meta["ds"].dtype
    if not (pd.api.types.is_datetime64_any_dtype(ds) or pd.api.types.is_integer_dtype(ds)):
        meta = meta.astype({"ds": "datetime64[ns]"})
    return meta


def _is_fitted(model: BaseForecaster) -> bool:
    try:
        check_is_fitted(model)
    except NotFittedError:
        return False
    return True


def _check_long(columns: Any) -> None:
    missing = [c for c in LONG_COLUMNS if c not in columns]
    if missing:
        raise TSRMInputError(
            f"data lacks column(s) {missing}; forecast takes a long frame with columns "
            "unique_id, ds and y (e.g. df.rename(columns={'value': 'y'}))."
        )


def _check_dask(data: Any) -> None:
    try:
        import dask.dataframe as dd
    except ImportError:
        dd = None
    if dd is None or not isinstance(data, dd.DataFrame):
        raise TSRMInputError(
            f"data is a {type(data).__name__}; pass a pandas DataFrame or a Dask DataFrame "
            "(pip install 'tsrm[dask]')."
        )
