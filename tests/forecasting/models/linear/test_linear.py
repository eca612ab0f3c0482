"""DLinear and NLinear: the networks do what the paper says, and the estimators learn."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
from sklearn.base import clone

from tsrm import DLinear, Naive, NLinear
from tsrm.forecasting.metrics import mae
from tsrm.forecasting.models.linear.module import (
    DLinearConfig,
    DLinearNetwork,
    NLinearConfig,
    NLinearNetwork,
    moving_average,
)

WINDOW = torch.tensor([[3.0, 6.0, 9.0, 12.0, 30.0]])


# -- moving-average decomposition ---------------------------------------------------------
@pytest.mark.parametrize(
    ("kernel", "expected"),
    [
        # padded 3 | 3 6 9 12 30 | 30: means of 3 consecutive values
        (3, [4.0, 6.0, 9.0, 17.0, 24.0]),
        # even kernel: one value of padding in front, two behind
        (4, [21 / 4, 30 / 4, 57 / 4, 81 / 4, 102 / 4]),
        (1, [3.0, 6.0, 9.0, 12.0, 30.0]),
        # wider than the window: the replicated ends dominate
        (7, [39 / 7, 66 / 7, 93 / 7, 120 / 7, 147 / 7]),
    ],
)
def test_moving_average_by_hand(kernel, expected):
    trend = moving_average(WINDOW, kernel)
    assert trend.shape == WINDOW.shape
    torch.testing.assert_close(trend, torch.tensor([expected]), rtol=0, atol=1e-6)


def test_decomposition_is_exact_on_a_hand_example():
    network = DLinearNetwork(DLinearConfig(lookback=5, horizon=2, kernel_size=3))
    seasonal, trend = network.decompose(WINDOW)
    # Exact in float32: every sum below is a multiple of 3.
    assert torch.equal(trend, torch.tensor([[4.0, 6.0, 9.0, 17.0, 24.0]]))
    assert torch.equal(seasonal, torch.tensor([[-1.0, 0.0, 0.0, -5.0, 6.0]]))
    assert torch.equal(seasonal + trend, WINDOW)


def test_default_kernel_is_25_and_a_constant_window_has_no_seasonal_part():
    cfg = DLinearConfig(lookback=48, horizon=4)
    assert cfg.kernel_size == 25
    seasonal, trend = DLinearNetwork(cfg).decompose(torch.full((2, 48), 7.0))
    assert torch.equal(trend, torch.full((2, 48), 7.0))
    assert torch.equal(seasonal, torch.zeros(2, 48))


def test_dlinear_forward_is_the_sum_of_two_linear_maps():
    torch.manual_seed(0)
    network = DLinearNetwork(DLinearConfig(lookback=5, horizon=2, kernel_size=3))
    seasonal, trend = network.decompose(WINDOW)
    expected = network.linear_seasonal(seasonal) + network.linear_trend(trend)
    assert torch.equal(network(WINDOW), expected)
    assert sum(p.numel() for p in network.parameters()) == 2 * (5 * 2 + 2)


# -- NLinear's last-value normalisation ---------------------------------------------------
@pytest.mark.parametrize("shift", [-1000.0, 0.5, 37.0])
def test_nlinear_shifts_with_the_window(shift):
    torch.manual_seed(0)
    network = NLinearNetwork(NLinearConfig(lookback=16, horizon=4)).double()
    window = torch.randn(8, 16, dtype=torch.float64)
    torch.testing.assert_close(network(window + shift), network(window) + shift)


def test_nlinear_is_one_linear_layer_on_the_window_minus_its_last_value():
    torch.manual_seed(0)
    network = NLinearNetwork(NLinearConfig(lookback=5, horizon=2))
    last = WINDOW[:, -1:]
    assert torch.equal(network(WINDOW), network.linear(WINDOW - last) + last)
    assert sum(p.numel() for p in network.parameters()) == 5 * 2 + 2


def test_config_rejects_a_bad_kernel():
    with pytest.raises(ValueError, match="kernel_size"):
        DLinearConfig(lookback=8, horizon=2, kernel_size=0)


# -- estimators ---------------------------------------------------------------------------
def test_paper_defaults():
    params = DLinear().get_params()
    assert params["lookback"] == 336 and params["kernel_size"] == 25
    assert params["learning_rate"] == 5e-4 and params["patience"] == 3
    assert "kernel_size" not in NLinear().get_params()


@pytest.mark.parametrize("cls", [DLinear, NLinear])
def test_learns_a_noisy_sine_clearly_better_than_naive(cls):
    rng = np.random.default_rng(1)
    t = np.arange(600)
    y = np.sin(2 * np.pi * t / 12) + rng.normal(0.0, 0.3, t.size)
    train, test = y[:-12], y[-12:]

    start = time.perf_counter()
    model = cls(
        horizon=12, lookback=48, max_epochs=5, batch_size=32, learning_rate=5e-3, verbose=False
    ).fit(train)
    elapsed = time.perf_counter() - start

    model_mae = mae(test, model.predict())
    naive_mae = mae(test, Naive(horizon=12).fit(train).predict())
    assert model_mae < 0.5 * naive_mae, (model_mae, naive_mae)
    assert model_mae < 0.45  # the noise floor is E|N(0, 0.3)| ~ 0.24
    losses = model.history_["train_loss"]
    assert losses[-1] < 0.7 * losses[0]
    assert elapsed < 20


def test_lr_decay_multiplies_the_learning_rate_every_epoch():
    rng = np.random.default_rng(0)
    y = np.sin(np.arange(300) / 4) + rng.normal(0.0, 0.1, 300)
    model = NLinear(
        horizon=6,
        lookback=24,
        max_epochs=3,
        lr_decay=0.5,
        learning_rate=1e-2,
        validation_size=0,
        verbose=False,
    )
    module = model._build_module(model._build_network(model._network_config(model.lookback)))
    config = module.configure_optimizers()
    optimiser, schedule = config["optimizer"], config["lr_scheduler"]["scheduler"]
    rates = []
    for _ in range(3):
        rates.append(optimiser.param_groups[0]["lr"])
        optimiser.step()
        schedule.step()
    assert rates == pytest.approx([1e-2, 5e-3, 2.5e-3])
    assert np.isfinite(model.fit(y).predict()).all()
    assert clone(model).get_params()["lr_decay"] == 0.5
