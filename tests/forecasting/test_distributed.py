"""forecast(model, frame) on pandas and on a two-worker Dask cluster: the same forecasts."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from tests.conftest import make_long_frame, make_tiny_model
from tsrm import ETS
from tsrm.exceptions import TSRMInputError
from tsrm.forecasting.distributed import forecast

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("dask.distributed")


def _fleet() -> pd.DataFrame:
    """Six series of different lengths and ends, in rows grouped by series."""
    parts = []
    for k in range(3):
        frame = make_long_frame(seed=k)
        parts.append(frame.assign(unique_id=frame["unique_id"] + str(k)))
    return pd.concat(parts, ignore_index=True)


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in series order; ids as plain strings (Dask stores strings with pyarrow)."""
    frame = frame.astype({"unique_id": object})
    return frame.sort_values(["unique_id", "ds"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def global_model():
    return make_tiny_model().fit(_fleet())


def test_a_pandas_frame_is_forecast_as_predict_does(global_model):
    fleet = _fleet()
    pd.testing.assert_frame_equal(forecast(global_model, fleet), global_model.predict(y=fleet))


def test_a_dask_frame_gives_the_forecasts_of_pandas(client, global_model):
    """Three partitions that cut series apart: the shuffle gathers each series first."""
    fleet = _fleet()
    lazy = forecast(global_model, dd.from_pandas(fleet, npartitions=3, sort=False))
    assert isinstance(lazy, dd.DataFrame)
    got = _sorted(lazy.compute())
    pd.testing.assert_frame_equal(got, _sorted(global_model.predict(y=fleet)))
    assert len(client.scheduler_info()["workers"]) == 2


def test_partitions_of_whole_series_need_no_shuffle(client, global_model):
    fleet = _fleet()
    # Each partition holds two whole series (from_pandas on a sorted index keeps them).
    by_series = fleet.set_index(fleet["unique_id"].str[-1].astype(int).rename("part"))
    lazy = dd.from_pandas(by_series, npartitions=3, sort=True)
    got = forecast(global_model, lazy, h=3, shuffle=False).compute()
    pd.testing.assert_frame_equal(_sorted(got), _sorted(global_model.predict(3, y=fleet)))


def test_an_unfitted_model_is_fitted_per_partition(client):
    """Local statistical models, fitted in parallel: the forecasts of one fit on all."""
    fleet = _fleet()
    got = forecast(ETS(horizon=4), dd.from_pandas(fleet, npartitions=2, sort=False))
    expected = ETS(horizon=4).fit(fleet).predict()
    pd.testing.assert_frame_equal(_sorted(got.compute()), _sorted(expected))


def test_intervals_come_beside_the_forecast(client, global_model):
    fleet = _fleet()
    lazy = forecast(global_model, dd.from_pandas(fleet, npartitions=3, sort=False), coverage=0.8)
    got = _sorted(lazy.compute())
    lower, upper = global_model.predict_interval(y=fleet, coverage=0.8)
    expected = _sorted(global_model.predict(y=fleet).assign(
        lower=lower["y"].to_numpy(), upper=upper["y"].to_numpy()
    ))  # fmt: skip
    pd.testing.assert_frame_equal(got, expected)
    assert (got["lower"] < got["y"]).all() and (got["y"] < got["upper"]).all()


def test_an_unfitted_model_gives_its_own_intervals():
    fleet = _fleet()
    got = forecast(ETS(horizon=4), fleet, coverage=0.9)
    lower, upper = ETS(horizon=4).fit(fleet).predict_interval(coverage=0.9)
    np.testing.assert_array_equal(got["lower"], lower["y"])
    np.testing.assert_array_equal(got["upper"], upper["y"])


@pytest.mark.parametrize(
    "model, data, words",
    [
        (object(), _fleet(), "pass a tsrm forecaster"),
        (None, _fleet().drop(columns="ds"), r"lacks column\(s\) \['ds'\]"),
        (None, np.zeros((5, 2)), "pandas DataFrame or a Dask DataFrame"),
    ],
    ids=["not-a-forecaster", "not-long", "not-a-frame"],
)
def test_bad_arguments_get_clear_errors(global_model, model, data, words):
    with pytest.raises(TSRMInputError, match=words):
        forecast(global_model if model is None else model, data)


def test_a_bad_coverage_is_refused_before_any_work(global_model):
    with pytest.raises(TSRMInputError, match="coverage"):
        forecast(global_model, _fleet(), coverage=1.5)


def test_quantiles_come_as_columns_named_by_percent(client, global_model):
    fleet = _fleet()
    lazy = dd.from_pandas(fleet, npartitions=3, sort=False)
    got = _sorted(forecast(global_model, lazy, quantiles=[0.9, 0.1], coverage=0.8).compute())
    assert list(got.columns) == ["unique_id", "ds", "y", "lower", "upper", "q10", "q90"]
    levels = global_model.predict_quantiles(y=fleet, quantiles=(0.1, 0.9))
    for q, column in ((0.1, "q10"), (0.9, "q90")):
        np.testing.assert_array_equal(got[column], _sorted(levels[q])["y"])
    assert (got["q10"] < got["q90"]).all()


def test_an_unfitted_model_gives_its_own_quantiles():
    fleet = _fleet()
    got = forecast(ETS(horizon=4), fleet, quantiles=(0.25, 0.975))
    levels = ETS(horizon=4).fit(fleet).predict_quantiles(quantiles=(0.25, 0.975))
    np.testing.assert_array_equal(got["q25"], levels[0.25]["y"])
    np.testing.assert_array_equal(got["q97.5"], levels[0.975]["y"])


def test_bad_quantiles_are_refused_before_any_work(global_model):
    with pytest.raises(TSRMInputError, match="quantiles must lie strictly between 0 and 1"):
        forecast(global_model, _fleet(), quantiles=(0.5, 1.0))
