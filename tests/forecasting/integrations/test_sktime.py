"""The sktime adapter: sktime's own conformance suite, horizons, intervals and quantiles, update,
and the optional import.

CI installs the ``test`` extra, which includes sktime, so these tests run there; the
``importorskip`` below only spares a local environment without sktime.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tsrm import DLinear, Naive, Naive2, SeasonalNaive, TRMForecaster

pytest.importorskip("sktime")

from sktime.forecasting.base import ForecastingHorizon  # noqa: E402
from sktime.utils.estimator_checks import check_estimator  # noqa: E402

from tsrm.forecasting.integrations.sktime import SktimeForecaster  # noqa: E402

# sktime checks excluded from check_estimator, with the reason. None at present; add any
# exclusion here and in the tsrm.forecasting.integrations.sktime module docstring.
EXCLUDED_CHECKS: dict[str, str] = {}


def tiny() -> TRMForecaster:
    return SktimeForecaster.get_test_params()[0]["estimator"]


def calibrated() -> DLinear:
    """The test instance that gives intervals (horizon 5, a validation tail)."""
    return SktimeForecaster.get_test_params()[1]["estimator"]


def monthly(n: int = 60, columns: int = 0) -> pd.Series | pd.DataFrame:
    rng = np.random.default_rng(0)
    t = np.arange(n)
    index = pd.period_range("2000-01", periods=n, freq="M")
    if not columns:
        return pd.Series(10 + np.sin(t / 2) + rng.normal(0, 0.1, n), index=index, name="sales")
    values = 10 + np.sin(t[:, None] / 2 + np.arange(columns)) + rng.normal(0, 0.1, (n, columns))
    return pd.DataFrame(values, index=index, columns=[f"s{i}" for i in range(columns)])


# sktime's update_predict concatenates forecasts in a way pandas 3 warns about; not ours.
@pytest.mark.filterwarnings("ignore:Sorting by default when concatenating")
# Without the optional skpro, sktime's predict_proba checks warn and use sktime's own Normal.
@pytest.mark.filterwarnings("ignore:Forecasters' predict_proba requires skpro")
def test_check_estimator_passes() -> None:
    results = check_estimator(
        SktimeForecaster, tests_to_exclude=list(EXCLUDED_CHECKS) or None, verbose=False
    )
    failed = {name: result for name, result in results.items() if result != "PASSED"}
    assert not failed, "\n".join(f"{name}: {result!r}" for name, result in failed.items())
    assert len(results) > 300  # the whole suite ran, for both test instances
    # sktime's interval and quantile checks test the refusal on instance 0 and the
    # intervals themselves on instance 1.
    tags = [
        SktimeForecaster(**p).get_tag("capability:pred_int")
        for p in SktimeForecaster.get_test_params()
    ]
    assert tags == [False, True]
    for check in ("test_predict_interval", "test_predict_quantiles"):
        assert any(name.startswith(f"{check}[SktimeForecaster-1-") for name in results), check


def test_relative_and_absolute_horizons_agree() -> None:
    y = monthly()
    relative = SktimeForecaster(tiny()).fit(y).predict(fh=[1, 3, 5])
    absolute_fh = ForecastingHorizon(
        pd.period_range("2005-01", periods=5, freq="M")[[0, 2, 4]], is_relative=False
    )
    absolute = SktimeForecaster(tiny()).fit(y).predict(fh=absolute_fh)
    pd.testing.assert_series_equal(relative, absolute)
    assert list(relative.index.astype(str)) == ["2005-01", "2005-03", "2005-05"]
    assert relative.name == "sales"


def test_forecasts_are_the_wrapped_models() -> None:
    y = monthly(columns=3)
    adapter = SktimeForecaster(tiny()).fit(y, fh=[1, 2, 3, 4])
    direct = tiny().fit(y.to_numpy()).predict(h=4)
    pred = adapter.predict()
    assert list(pred.columns) == ["s0", "s1", "s2"]
    np.testing.assert_allclose(pred.to_numpy(), direct)


def test_update_without_refit_forecasts_from_the_new_end() -> None:
    y = monthly()
    adapter = SktimeForecaster(tiny()).fit(y.iloc[:48])
    weights = adapter.estimator_.network_
    adapter.update(y.iloc[48:], update_params=False)
    assert adapter.estimator_.network_ is weights
    pred = adapter.predict(fh=[1, 2])
    expected = adapter.estimator_.predict(h=2, y=y.to_numpy())
    np.testing.assert_allclose(pred.to_numpy(), expected)
    assert str(pred.index[0]) == "2005-01"


def test_tags_follow_the_wrapped_model() -> None:
    assert SktimeForecaster(DLinear()).get_tag("capability:missing_values") is True
    assert SktimeForecaster(DLinear(missing="error")).get_tag("capability:missing_values") is False
    assert SktimeForecaster(SeasonalNaive()).get_tag("capability:missing_values") is False
    assert SktimeForecaster(DLinear(random_state=None)).get_tag("property:randomness") == (
        "stochastic"
    )
    assert SktimeForecaster().get_tag("property:randomness") == "deterministic"


def test_interval_tag_follows_the_wrapped_model() -> None:
    assert SktimeForecaster(Naive()).get_tag("capability:pred_int") is True
    assert SktimeForecaster(Naive2()).get_tag("capability:pred_int") is False  # point only
    assert SktimeForecaster(DLinear()).get_tag("capability:pred_int") is True
    # Neural intervals calibrate on validation windows; without them there are none.
    assert SktimeForecaster(DLinear(validation_size=0)).get_tag("capability:pred_int") is False


def test_interval_frame_has_sktimes_columns_and_the_wrapped_models_bounds() -> None:
    y = monthly(columns=2)
    adapter = SktimeForecaster(calibrated()).fit(y)
    pred = adapter.predict_interval(fh=[1, 3, 5], coverage=[0.9, 0.5])
    assert list(pred.columns) == [
        (series, coverage, bound)
        for series in ("s0", "s1")
        for coverage in (0.9, 0.5)
        for bound in ("lower", "upper")
    ]
    assert list(pred.index.astype(str)) == ["2005-01", "2005-03", "2005-05"]
    lower, upper = adapter.estimator_.predict_interval(h=5, coverage=0.9)
    np.testing.assert_allclose(pred[("s1", 0.9, "lower")], lower[[0, 2, 4], 1])
    np.testing.assert_allclose(pred[("s1", 0.9, "upper")], upper[[0, 2, 4], 1])
    # Ordered and nested: 90 % lower <= 50 % lower <= 50 % upper <= 90 % upper.
    ends = [(0.9, "lower"), (0.5, "lower"), (0.5, "upper"), (0.9, "upper")]
    for series in ("s0", "s1"):
        bounds = np.column_stack([pred[(series, *end)] for end in ends])
        assert (np.diff(bounds, axis=1) >= 0).all()


@pytest.mark.parametrize("model", [Naive, calibrated], ids=["statistical", "neural"])
def test_quantiles_come_in_the_order_asked_and_the_median_is_predict(
    model: Callable[[], Any],
) -> None:
    adapter = SktimeForecaster(model()).fit(monthly(), fh=[1, 2, 4])
    pred = adapter.predict_quantiles(alpha=[0.9, 0.5, 0.1])
    assert list(pred.columns) == [("sales", 0.9), ("sales", 0.5), ("sales", 0.1)]
    np.testing.assert_allclose(pred[("sales", 0.5)], adapter.predict())
    assert (pred[("sales", 0.1)] <= pred[("sales", 0.9)]).all()


def test_intervals_after_update_without_refit_start_from_the_new_end() -> None:
    y = monthly()
    adapter = SktimeForecaster(Naive()).fit(y.iloc[:48])
    adapter.update(y.iloc[48:], update_params=False)
    pred = adapter.predict_interval(fh=[1, 2])
    lower, upper = adapter.estimator_.predict_interval(h=2, y=y.to_numpy())
    np.testing.assert_allclose(pred.to_numpy(), np.column_stack([lower, upper]))
    assert str(pred.index[0]) == "2005-01"


def test_point_only_model_refuses_intervals() -> None:
    adapter = SktimeForecaster(Naive2()).fit(monthly())
    with pytest.raises(NotImplementedError, match="prediction intervals"):
        adapter.predict_interval(fh=[1])
    with pytest.raises(NotImplementedError, match="quantile predictions"):
        adapter.predict_quantiles(fh=[1])


def test_missing_values_are_masked() -> None:
    y = monthly()
    y.iloc[[5, 6, 30]] = np.nan
    pred = SktimeForecaster(tiny()).fit(y).predict(fh=[1, 2])
    assert np.isfinite(pred.to_numpy()).all()


def test_non_tsrm_estimator_is_a_clear_error() -> None:
    from sklearn.linear_model import LinearRegression

    with pytest.raises(ValueError, match="estimator must be a tsrm forecaster"):
        SktimeForecaster(LinearRegression()).fit(monthly())


def test_wrapped_estimator_is_not_modified() -> None:
    model = tiny()
    SktimeForecaster(model).fit(monthly())
    assert not hasattr(model, "network_")


def test_without_sktime_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    # None entries in sys.modules make sktime imports fail as if it were not installed.
    for name in [m for m in sys.modules if m == "sktime" or m.startswith("sktime.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.delitem(sys.modules, "tsrm.forecasting.integrations.sktime")
    with pytest.raises(ImportError, match=r'pip install "tsrm\[sktime\]"'):
        importlib.import_module("tsrm.forecasting.integrations.sktime")


def test_test_extra_installs_sktime() -> None:
    # CI installs .[test]; without sktime there, this module would be skipped silently.
    # (tomllib is Python 3.11+, tsrm supports 3.10: find each extra's list in the text.)
    text = (Path(__file__).parents[3] / "pyproject.toml").read_text()
    for extra in ("test", "sktime"):
        found = re.search(rf"^{extra} = \[(.*?)\]", text, flags=re.MULTILINE | re.DOTALL)
        assert found and '"sktime>=' in found.group(1), extra
