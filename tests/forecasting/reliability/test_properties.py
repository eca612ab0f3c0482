"""Property-based tests: any input gives a finite forecast of the right shape and index,
or a tsrm error (a TSRMInputError) -- never another exception, never NaN in the output."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reliability_helpers import ALL_MODELS, HORIZON, LOOKBACK, dlinear, hourly, seasonal_naive, trm

from tsrm.exceptions import NumericalRangeError, TSRMInputError

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

MAGNITUDES = [0.0, 1e-300, 1e-6, 1e-3, 1.0, 1e3, 1e9, 1e15, 1e300]


@st.composite
def values(draw, min_size: int = 1, max_size: int = 80) -> np.ndarray:
    """A series: level + scale * (pattern + noise), sometimes with NaN, inf or plain junk."""
    n = draw(st.integers(min_size, max_size))
    scale = draw(st.sampled_from(MAGNITUDES))
    level = draw(st.sampled_from([0.0, -5.0, 1e6, -1e12])) * draw(st.sampled_from([0.0, 1.0]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    kind = draw(st.sampled_from(["sine", "walk", "spikes", "constant", "floats"]))
    if kind == "sine":
        base = np.sin(np.arange(n) / 2.0) + 0.1 * rng.normal(size=n)
    elif kind == "walk":
        base = np.cumsum(rng.normal(size=n))
    elif kind == "spikes":
        base = np.where(rng.random(n) < 0.1, 1e3, 0.0)
    elif kind == "constant":
        base = np.ones(n)
    else:
        finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
        return np.array(draw(st.lists(finite, min_size=n, max_size=n)), dtype=np.float64)
    out = level + scale * base
    holes = draw(st.sampled_from(["none", "none", "nan", "inf"]))
    if holes != "none" and n > 1:
        where = rng.choice(n, max(1, n // 10), replace=False)
        out[where] = np.nan if holes == "nan" else np.inf
    return out


@st.composite
def indexed(draw, min_size: int = 1, max_size: int = 80):
    """(y, expected future index or None) for a Series with one of several index kinds."""
    y = draw(values(min_size, max_size))
    n = len(y)
    kind = draw(st.sampled_from(["hourly", "daily-tz", "monthly", "period", "range", "numpy"]))
    if kind == "numpy":
        return y, None
    if kind == "hourly":
        index = pd.date_range("2024-03-30", periods=n + HORIZON, freq="h")
    elif kind == "daily-tz":
        index = pd.date_range("2024-03-20", periods=n + HORIZON, freq="D", tz="Europe/Berlin")
    elif kind == "monthly":
        index = pd.date_range("2000-01-01", periods=n + HORIZON, freq="MS")
    elif kind == "period":
        index = pd.period_range("2001Q1", periods=n + HORIZON, freq="Q")
    else:
        step = draw(st.integers(1, 5))
        index = pd.RangeIndex(7, 7 + step * (n + HORIZON), step)
    return pd.Series(y, index=index[:n], name="v"), index[n:]


def _check_refusal(err: TSRMInputError, y, needed: int) -> None:
    """A refusal must say something, and finite input of enough points is refused only when
    its magnitude (near float64's limit) makes the forecast unrepresentable."""
    assert str(err)
    array = np.asarray(y, dtype=np.float64)
    if np.isfinite(array).all() and len(array) >= needed:
        assert isinstance(err, NumericalRangeError), err
        assert np.abs(array).max() > 1e300, err


def _check_forecast(forecast, expected_index) -> None:
    array = np.asarray(forecast, dtype=np.float64)
    assert array.shape == (HORIZON,)
    assert np.isfinite(array).all(), array
    if expected_index is None:
        assert isinstance(forecast, np.ndarray)
    else:
        assert isinstance(forecast, pd.Series)
        pd.testing.assert_index_equal(forecast.index, expected_index, exact=False)
        assert list(forecast.index) == list(expected_index)


@pytest.fixture(scope="module")
def fitted():
    y = hourly(150)
    return {name: make().fit(y) for name, make in ALL_MODELS.items()}


@pytest.mark.parametrize("name", list(ALL_MODELS))
@SETTINGS
@given(case=indexed(min_size=1, max_size=80))
def test_predict_on_any_history(name, fitted, case):
    y, future = case
    needed = 1 if name != "SeasonalNaive" else 12  # window models pad short histories
    try:
        forecast = fitted[name].predict(y=y)
    except TSRMInputError as err:
        _check_refusal(err, y, needed)
        return
    _check_forecast(forecast, future)
    assert len(y) >= needed


@pytest.mark.parametrize("make", [trm, dlinear, seasonal_naive], ids=["TRM", "DLinear", "SNaive"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=indexed(min_size=LOOKBACK + HORIZON, max_size=90))
def test_fit_and_predict_on_any_series(make, case):
    y, future = case
    try:
        model = make(**({"validation_size": 0} if make is not seasonal_naive else {})).fit(y)
        forecast = model.predict()
    except TSRMInputError as err:
        _check_refusal(err, y, LOOKBACK + HORIZON)
        return
    _check_forecast(forecast, future)


@settings(max_examples=40, deadline=None)
@given(n_series=st.integers(1, 4), length=st.integers(LOOKBACK, 60), data=st.data())
def test_two_d_array_windows(fitted_trm_model, n_series, length, data):
    """predict(y=(time, k)) gives (h, k) finite forecasts, one per column."""
    columns = [data.draw(values(length, length)) for _ in range(n_series)]
    y = np.column_stack(columns)
    try:
        forecast = fitted_trm_model.predict(y=y)
    except TSRMInputError as err:
        assert "infinite" in str(err) or "only NaN" in str(err)
        return
    assert forecast.shape == (HORIZON, n_series)
    assert np.isfinite(forecast).all()
    for k in range(n_series):  # channel independence: each column as if alone
        alone = fitted_trm_model.predict(y=y[:, k])
        # Equal up to float32 rounding (a batch may round differently from a single window).
        np.testing.assert_allclose(forecast[:, k], alone, rtol=0, atol=1e-5 * np.abs(alone).max())


@pytest.fixture(scope="module")
def fitted_trm_model():
    return trm().fit(hourly(150))
