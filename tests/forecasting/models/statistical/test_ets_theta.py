"""ETS and Theta: accuracy on seasonal data, configuration, new histories, short series."""

from __future__ import annotations

import numpy as np
import pytest

from tsrm import ETS, Naive, SeriesTooShortError, Theta, TSRMInputError

M = 12


def pure_season(n: int, seed: int = 0) -> np.ndarray:
    t = np.arange(n)
    return 20 + 5 * np.sin(2 * np.pi * t / M) + np.random.default_rng(seed).normal(0, 0.3, n)


@pytest.fixture(scope="module")
def holdout():
    y = pure_season(96 + M)
    return y[:96], y[96:]


@pytest.mark.parametrize(
    "model",
    [ETS(horizon=M, season_length=M), Theta(horizon=M, season_length=M)],
    ids=["ets", "theta"],
)
def test_beats_naive_on_a_seasonal_series(model, holdout):
    train, test = holdout
    mae = np.abs(model.fit(train).predict() - test).mean()
    naive_mae = np.abs(Naive(horizon=M).fit(train).predict() - test).mean()
    assert mae < 0.3 * naive_mae
    assert mae < 1.0  # the noise sd is 0.3


def test_auto_ets_picks_a_seasonal_model_and_fixed_ets_keeps_its_config(holdout):
    train, _ = holdout
    auto = ETS(season_length=M).fit(train)
    assert auto.configs_[0]["seasonal"] in ("add", "mul")
    fixed = {"error": "add", "trend": "add", "damped_trend": True, "seasonal": None}
    model = ETS(horizon=3, season_length=M, **fixed).fit(train)
    assert model.configs_ == [fixed]
    # the chosen configuration refits to the same model
    again = ETS(horizon=3, season_length=M, **auto.configs_[0]).fit(train)
    np.testing.assert_allclose(again.results_[0].params, auto.results_[0].params)


def test_auto_ets_on_non_positive_data_uses_additive_forms():
    y = pure_season(60) - 20  # crosses zero
    model = ETS(season_length=M).fit(y)
    assert "mul" not in model.configs_[0].values()
    with pytest.raises(TSRMInputError, match="strictly positive"):
        ETS(error="mul", trend=None, seasonal=None).fit(y)


def test_ets_predict_from_new_history_keeps_the_smoothing_parameters(holdout):
    train, test = holdout
    model = ETS(horizon=M, season_length=M, error="add", trend=None, seasonal="add").fit(train)
    params = model.results_[0].params.copy()
    new = np.r_[train, test][-72:]  # a later window, shorter than the training data
    forecast = model.predict(y=new)
    assert forecast.shape == (M,) and np.isfinite(forecast).all()
    np.testing.assert_array_equal(model.results_[0].params, params)  # no refit
    # continuing the same seasonal pattern: close to the truth one season on
    np.testing.assert_allclose(forecast, pure_season(96 + 2 * M)[-M:], atol=1.5)


def test_ets_short_series():
    y = pure_season(20)
    with pytest.raises(SeriesTooShortError, match="two seasons"):
        ETS(season_length=M, error="add", trend=None, seasonal="add").fit(y)
    # "auto" leaves the seasonal forms out instead
    assert ETS(season_length=M).fit(y).configs_[0]["seasonal"] is None
    with pytest.raises(SeriesTooShortError, match="at least"):
        ETS().fit(np.arange(1.0, 6.0))
    model = ETS(horizon=2, season_length=M, seasonal="add").fit(pure_season(48))
    with pytest.raises(SeriesTooShortError, match="new history"):
        model.predict(y=pure_season(20))


def test_theta_short_series_and_new_history(holdout):
    train, _ = holdout
    short = Theta(horizon=3, season_length=M).fit(train[:20])  # < 2 seasons: not deseasonalised
    assert np.isfinite(short.predict()).all()
    with pytest.raises(SeriesTooShortError, match="at least 4"):
        Theta().fit(np.array([1.0, 2.0, 3.0]))
    model = Theta(horizon=3, season_length=M).fit(train)
    first = model.results_[0]
    refit = Theta(horizon=3, season_length=M).fit(train[-60:]).predict()
    np.testing.assert_allclose(model.predict(y=train[-60:]), refit)  # refits the new history
    assert model.results_[0] is first


def test_theta_parameter_changes_the_trend_weight():
    y = 10 + 0.5 * np.arange(40) + np.random.default_rng(3).normal(0, 0.5, 40)
    flat = Theta(horizon=5, theta=1.0).fit(y).predict()  # theta 1: SES only, flat
    classic = Theta(horizon=5).fit(y).predict()
    np.testing.assert_allclose(flat, flat[0])
    assert np.all(np.diff(classic) > 0)
