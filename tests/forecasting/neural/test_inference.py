"""The one inference path: every forecast kind runs the network once, through one function."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tsrm.forecasting.neural import inference
from tsrm.forecasting.neural.inference import scaled_forecast, window_stats


@pytest.fixture(scope="module")
def halting_model(tiny_model, make_data):
    return tiny_model(preset="sketch", halting=True).fit(make_data.hourly_series())


def count_network_runs(model, call):
    """How often ``call()`` embeds a batch of windows: once per run of the TS-TRM network."""
    runs = []
    handle = model.network_.patch_embed.register_forward_hook(lambda *_: runs.append(1))
    try:
        result = call()
    finally:
        handle.remove()
    return len(runs), result


def test_a_trace_runs_the_network_once(halting_model):
    runs, (forecast, trace) = count_network_runs(
        halting_model, lambda: halting_model.predict(return_trace=True)
    )
    assert runs == 1
    assert len(trace.steps) == halting_model.config_.n_supervision
    step = int(trace.halted_at[0])
    np.testing.assert_array_equal(forecast.to_numpy(), trace.steps[step - 1].to_numpy())


def test_the_traced_forecast_is_the_forecast(fitted_series_model):
    forecast, trace = fitted_series_model.predict(return_trace=True)
    np.testing.assert_array_equal(forecast.to_numpy(), fitted_series_model.predict().to_numpy())
    np.testing.assert_array_equal(trace.steps[-1].to_numpy(), forecast.to_numpy())


@pytest.mark.parametrize("call", ["predict", "predict_interval", "predict_quantiles"])
def test_every_forecast_kind_runs_the_network_once(fitted_series_model, call):
    runs, _ = count_network_runs(fitted_series_model, getattr(fitted_series_model, call))
    assert runs == 1


def test_flat_windows_forecast_their_value_and_others_are_unscaled():
    window = torch.tensor([[5.0, 5.0, 5.0, 5.0], [1.0, 2.0, 3.0, 4.0]], dtype=torch.float64)
    mean, std = window_stats(window, scaling=True)

    def run(scaled):  # a "network" that forecasts the last scaled value twice
        return scaled[:, -1:].repeat(1, 2) + 1.0

    out = scaled_forecast(run, window, mean, std)
    assert out.dtype == torch.float64
    np.testing.assert_array_equal(out[0].numpy(), [5.0, 5.0])
    np.testing.assert_allclose(out[1].numpy(), 4.0 + std[1].item(), rtol=1e-6)


def test_recursion_feeds_forecasts_back_in_scaled_units():
    seen = []

    def step(window, covariates):
        seen.append(window.clone())
        return window[:, -2:] + 1.0

    out = inference.recursive(step, h=5, horizon=2, future=None, joint_covariates=False)(
        torch.zeros(1, 3)
    )
    np.testing.assert_array_equal(out.numpy(), [[1.0, 1.0, 2.0, 2.0, 3.0]])
    assert len(seen) == 3 and seen[1].tolist() == [[0.0, 1.0, 1.0]]
