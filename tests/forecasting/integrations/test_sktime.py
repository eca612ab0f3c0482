"""The sktime adapter: sktime's own conformance suite, horizons, update, and the optional import.

CI installs the ``test`` extra, which includes sktime, so these tests run there; the
``importorskip`` below only spares a local environment without sktime.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsrm import DLinear, SeasonalNaive, TRMForecaster

pytest.importorskip("sktime")

from sktime.forecasting.base import ForecastingHorizon  # noqa: E402
from sktime.utils.estimator_checks import check_estimator  # noqa: E402

from tsrm.forecasting.integrations.sktime import SktimeForecaster  # noqa: E402

# sktime checks excluded from check_estimator, with the reason. None at present; add any
# exclusion here and in the tsrm.forecasting.integrations.sktime module docstring.
EXCLUDED_CHECKS: dict[str, str] = {}


def tiny() -> TRMForecaster:
    return SktimeForecaster.get_test_params()[0]["estimator"]


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
def test_check_estimator_passes() -> None:
    results = check_estimator(
        SktimeForecaster, tests_to_exclude=list(EXCLUDED_CHECKS) or None, verbose=False
    )
    failed = {name: result for name, result in results.items() if result != "PASSED"}
    assert not failed, "\n".join(f"{name}: {result!r}" for name, result in failed.items())
    assert len(results) > 300  # the whole suite ran, for both test instances


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
