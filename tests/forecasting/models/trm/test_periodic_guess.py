"""The periodic first guess (one linear map shared by the phases of a season) and the
sketch's input dropout: what they can express, their size, errors, save/load, export."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tsrm import TRMForecaster
from tsrm.forecasting.models.trm.config import NetworkConfig, preset_settings
from tsrm.forecasting.models.trm.layers import PeriodicLinear, same_correlation
from tsrm.forecasting.models.trm.module import TSTRMNetwork

PERIODIC = {"first_guess": "periodic", "period": 24}


def seasonal_series(batch: int, length: int, period: int, seed: int = 0) -> torch.Tensor:
    """``batch`` purely periodic series: value ``t`` is ``season[t % period]``."""
    g = torch.Generator().manual_seed(seed)
    season = torch.randn(batch, period, generator=g)
    return season[:, torch.arange(length) % period]


@pytest.mark.parametrize(("lookback", "horizon", "period"), [(96, 48, 24), (50, 13, 24), (7, 7, 1)])
def test_can_express_seasonal_naive_exactly(lookback, horizon, period):
    layer = PeriodicLinear(lookback, horizon, period)
    with torch.no_grad():
        layer.smooth.weight.zero_()
        layer.map.weight.zero_()
        layer.map.weight[:, -1] = 1.0  # every output cycle repeats the last input cycle
    full = seasonal_series(5, lookback + horizon, period)
    out = layer(full[:, :lookback])
    assert out.shape == (5, horizon)
    # padding is on the left, so the last cycle is the window's last ``period`` values and
    # the forecast is the exact continuation of a purely periodic window
    torch.testing.assert_close(out, full[:, lookback:])


@pytest.mark.parametrize(("length", "taps"), [(672, 97), (720, 25), (50, 5), (10, 25), (7, 1)])
def test_smoothing_is_a_same_padded_convolution(length, taps):
    g = torch.Generator().manual_seed(1)
    x, kernel = torch.randn(3, length, generator=g), torch.randn(taps, generator=g)
    expected = torch.nn.functional.conv1d(x.unsqueeze(1), kernel.view(1, 1, -1), padding=taps // 2)
    torch.testing.assert_close(same_correlation(x, kernel), expected.squeeze(1))


def test_is_far_smaller_than_a_dense_map():
    dense = NetworkConfig(720, 720, **preset_settings("sketch", 720, 720))
    periodic = NetworkConfig(720, 720, **preset_settings("sketch", 720, 720), **PERIODIC)
    n_dense = sum(p.numel() for p in TSTRMNetwork(dense).first_guess.parameters())
    n_periodic = sum(p.numel() for p in TSTRMNetwork(periodic).first_guess.parameters())
    assert n_dense == 720 * 720 + 720
    assert n_periodic == 30 * 30 + 25  # (720/24)^2 weights + a 25-wide smoothing kernel


def test_network_with_periodic_guess_keeps_revin_equivariance():
    torch.manual_seed(0)
    cfg = NetworkConfig(60, 30, hidden_dim=8, mixer="sketch", patch_len=60, stride=60, **PERIODIC)
    net = TSTRMNetwork(cfg).eval()
    torch.nn.init.normal_(net.readout.tokens.weight, std=0.1)
    x = torch.randn(4, 60)
    with torch.no_grad():
        torch.testing.assert_close(net(3.0 * x - 7.0), 3.0 * net(x) - 7.0, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"first_guess": "fourier"}, "first_guess must be one of"),
        ({"first_guess": "periodic", "period": 0}, "period"),
        ({"first_guess": "periodic", "period": 200}, "longer than lookback"),
    ],
)
def test_bad_settings_are_refused_with_the_fix(settings, message):
    with pytest.raises(ValueError, match=message):
        NetworkConfig(96, 24, **settings)


def test_estimator_learns_a_season_and_round_trips(tiny_model, hourly_series, tmp_path):
    # few weights with small gradients: a larger step than the tiny model's default
    model = tiny_model(
        preset="sketch", network_kwargs=PERIODIC, lookback=48, max_epochs=10, learning_rate=1e-2
    )
    model.fit(hourly_series)
    assert model.network_.cfg.first_guess == "periodic"
    truth = 10.0 + 3.0 * np.sin(2 * np.pi * np.arange(600, 606) / 24)
    assert np.abs(model.predict().to_numpy() - truth).mean() < 0.3  # the season's swing is +-3
    loaded = TRMForecaster.load(model.save(tmp_path / "periodic"))
    np.testing.assert_array_equal(loaded.predict(), model.predict())
    assert loaded.network_.cfg.period == 24


def test_exports_to_onnx(tiny_model, hourly_series, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    model = tiny_model(preset="sketch", network_kwargs=PERIODIC).fit(hourly_series)
    path = model.export_onnx(tmp_path / "periodic.onnx")
    window = hourly_series.to_numpy()[-24:].astype(np.float32)[None]
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    out = session.run(None, {"window": window})[0]
    np.testing.assert_allclose(out[0], model.predict().to_numpy(), atol=1e-4)


def test_sketch_dropout_acts_in_training_only():
    torch.manual_seed(0)
    settings = preset_settings("sketch", 48, 12)
    net = TSTRMNetwork(NetworkConfig(48, 12, **{**settings, "dropout": 0.5}))
    torch.nn.init.normal_(net.readout.tokens.weight, std=0.1)  # let x reach the forecast
    x = torch.randn(8, 48)
    net.train()
    assert not torch.equal(net(x), net(x))
    net.eval()
    torch.testing.assert_close(net(x), net(x))
    # without dropout, training-mode forecasts are deterministic
    plain = TSTRMNetwork(NetworkConfig(48, 12, **settings)).train()
    torch.testing.assert_close(plain(x), plain(x))
