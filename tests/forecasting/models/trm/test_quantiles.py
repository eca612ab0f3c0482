"""Quantile outputs trained with the pinball loss (``quantiles=...``), TS-TRM and DLinear."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from tests.conftest import make_tiny_model
from tsrm import DLinear, TRMForecaster
from tsrm.exceptions import TSRMInputError
from tsrm.forecasting.metrics import pinball_loss
from tsrm.forecasting.neural.lightning_module import pinball_window_loss


def noisy_series(n: int = 900, seed: int = 5) -> pd.Series:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 2.0 * np.sin(2 * np.pi * t / 24) + rng.normal(0.0, 0.8, n)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=n, freq="h"), name="v")


@pytest.fixture(scope="module")
def model() -> TRMForecaster:
    return make_tiny_model(quantiles=(0.1, 0.9), max_epochs=6).fit(noisy_series())


def test_the_median_is_always_trained(model):
    assert model.quantile_levels_ == (0.1, 0.5, 0.9)


def test_upper_quantile_lies_above_lower_on_average(model):
    windows = np.stack([noisy_series(seed=9).to_numpy()[s : s + 24] for s in range(0, 600, 7)], 1)
    result = model.predict_quantiles(y=windows)
    assert np.mean(result[0.9] - result[0.1]) > 0.5  # noise sd 0.8: the 80 % band is ~2 wide


def test_quantiles_are_monotone_and_the_median_is_the_point_forecast(model):
    result = model.predict_quantiles(quantiles=(0.9, 0.3, 0.1, 0.5))
    assert list(result) == [0.1, 0.3, 0.5, 0.9]
    frame = pd.DataFrame(result)
    assert (frame.diff(axis=1).iloc[:, 1:] >= 0).all().all()
    pd.testing.assert_series_equal(result[0.5], model.predict())


def test_levels_between_trained_ones_are_interpolated(model):
    result = model.predict_quantiles(quantiles=(0.1, 0.3, 0.5))
    np.testing.assert_allclose(result[0.3], (result[0.1] + result[0.5]) / 2)


def test_levels_outside_the_trained_range_are_a_clear_error(model):
    with pytest.raises(TSRMInputError, match=r"trained on quantiles \[0.1, 0.5, 0.9\]"):
        model.predict_quantiles(quantiles=(0.05, 0.5))


def test_default_levels_are_the_trained_ones(model):
    assert list(model.predict_quantiles()) == [0.1, 0.5, 0.9]


def test_trace_shows_the_median_after_each_step(model):
    forecast, trace = model.predict(return_trace=True)
    assert len(trace.steps) == 2
    pd.testing.assert_series_equal(trace.steps[-1], forecast)


def test_conformal_interval_also_works_for_a_quantile_model(model):
    lower, upper = model.predict_interval(coverage=0.8)
    assert (lower < upper).all()


def test_save_load_keeps_the_quantile_network(model, tmp_path):
    model.save(tmp_path)
    loaded = TRMForecaster.load(tmp_path)
    pd.testing.assert_frame_equal(
        pd.DataFrame(loaded.predict_quantiles()), pd.DataFrame(model.predict_quantiles())
    )


def test_dlinear_gets_quantile_outputs_too():
    series = noisy_series(500)
    model = DLinear(horizon=6, lookback=24, max_epochs=3, verbose=False, quantiles=[0.2, 0.8])
    result = model.fit(series).predict_quantiles()
    assert list(result) == [0.2, 0.5, 0.8]
    assert (result[0.8] >= result[0.2]).all()
    pd.testing.assert_series_equal(result[0.5], model.predict())


@pytest.mark.parametrize("quantiles", [(0.0, 0.5), (1.2,), [], "0.5", 0.9, (0.5, None)])
def test_bad_quantiles_setting_is_a_clear_error_at_fit(quantiles):
    with pytest.raises(TSRMInputError, match="quantile"):
        make_tiny_model(quantiles=quantiles).fit(noisy_series(200))


def test_pinball_training_loss_matches_the_metric():
    torch.manual_seed(0)
    levels = (0.1, 0.5, 0.9)
    forecast, target = torch.randn(4, 3 * 5), torch.randn(4, 5)
    loss = pinball_window_loss(forecast, target, torch.tensor(levels)).mean()
    per_level = forecast.view(4, 3, 5).permute(0, 2, 1).numpy()  # (batch, step, level)
    assert loss.item() == pytest.approx(pinball_loss(target.numpy(), per_level, levels), rel=1e-5)


def test_masked_steps_count_nowhere_in_the_pinball_loss():
    forecast, target = torch.zeros(1, 2 * 3), torch.tensor([[1.0, 100.0, 1.0]])
    mask = torch.tensor([[1.0, 0.0, 1.0]])
    loss = pinball_window_loss(forecast, target, torch.tensor([0.5, 0.5]), mask)
    assert loss.item() == pytest.approx(0.5)
