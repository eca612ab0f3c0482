"""The TS-TRM network: shapes, refinement across supervision steps, gradients, RevIN."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from tsrm.forecasting.models.trm.config import NetworkConfig, preset_settings
from tsrm.forecasting.models.trm.lightning_module import TSTRMLightning
from tsrm.forecasting.models.trm.module import TSTRMNetwork

CONFIGS = {
    "mlp": NetworkConfig(48, 12, hidden_dim=16),
    "attention": NetworkConfig(48, 12, hidden_dim=16, mixer="attention"),
    "sketch": NetworkConfig(48, 12, **preset_settings("sketch", 48, 12)),
    "ragged": NetworkConfig(50, 13, hidden_dim=8, patch_len=8, stride=5),
    "no_revin": NetworkConfig(48, 12, hidden_dim=16, revin=False),
}


def network(name: str, seed: int = 0) -> TSTRMNetwork:
    torch.manual_seed(seed)
    return TSTRMNetwork(CONFIGS[name])


def windows(cfg: NetworkConfig, batch: int = 5, seed: int = 1) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(cfg.lookback, dtype=torch.float32)
    phase = torch.rand(batch, 1, generator=g) * 6.28
    return torch.sin(t / 3 + phase) + 0.1 * torch.randn(batch, cfg.lookback, generator=g)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_output_shape(name):
    net = network(name).eval()
    cfg = CONFIGS[name]
    with torch.no_grad():
        out = net(windows(cfg, batch=7))
        steps = net.supervised(windows(cfg, batch=7))
    assert out.shape == (7, cfg.horizon)
    assert torch.isfinite(out).all()
    assert len(steps) == cfg.n_supervision
    assert all(f.shape == (7, cfg.horizon) for f, _ in steps)


def test_every_supervision_step_changes_the_forecast(fitted_series_model, hourly_series):
    net = fitted_series_model.network_
    assert net.cfg.n_supervision >= 2
    values = torch.tensor(hourly_series.to_numpy()[:240], dtype=torch.float32)
    batch = values.unfold(0, net.cfg.lookback, 24)
    with torch.no_grad():
        forecasts = [f for f, _ in net.supervised(batch)]
    for before, after in zip(forecasts, forecasts[1:], strict=False):
        assert (after - before).abs().max() > 1e-4


def test_untrained_steps_refine_once_readout_is_nonzero():
    net = network("mlp").eval()
    with torch.no_grad():  # the readout starts at zero; give it weights
        torch.nn.init.normal_(net.readout.tokens.weight, std=0.5)
        steps = [f for f, _ in net.supervised(windows(net.cfg))]
    for before, after in zip(steps, steps[1:], strict=False):
        assert not torch.allclose(before, after)


def training_loss(module: TSTRMLightning, batch) -> torch.Tensor:
    with warnings.catch_warnings():  # self.log() outside a Trainer only warns
        warnings.simplefilter("ignore")
        return module.training_step(batch, 0)


@pytest.mark.parametrize("name", ["mlp", "attention", "sketch"])
def test_gradients_reach_every_trainable_part(name):
    net = network(name)
    module = TSTRMLightning(net, learning_rate=1e-2)
    module.train()
    cfg = net.cfg
    x = windows(cfg, batch=16, seed=3)
    g = torch.Generator().manual_seed(4)
    batch = (x, x[:, -cfg.horizon :] + 0.1 * torch.randn(16, cfg.horizon, generator=g))
    optimiser = module.configure_optimizers()
    # The readout is zero-initialised (the first forecast is the linear first guess),
    # so the very first backward only reaches the first guess and the readout.
    loss = training_loss(module, batch)
    loss.backward()
    assert net.first_guess.weight.grad.abs().sum() > 0
    assert net.readout.tokens.weight.grad.abs().sum() > 0
    optimiser.step()
    optimiser.zero_grad()

    loss = training_loss(module, batch)
    assert loss.ndim == 0 and torch.isfinite(loss)
    loss.backward()
    for part in ("first_guess", "patch_embed", "reasoner", "readout"):
        params = dict(getattr(net, part).named_parameters())
        assert params, part
        for pname, p in params.items():
            assert p.grad is not None, f"{part}.{pname} got no gradient"
            assert p.grad.abs().sum() > 0, f"{part}.{pname} got a zero gradient"
    assert net.position.grad.abs().sum() > 0


@pytest.mark.parametrize("name", ["mlp", "attention", "sketch", "ragged"])
@pytest.mark.parametrize(("a", "b"), [(3.0, -7.0), (0.5, 5.0), (50.0, 2.0)])
def test_revin_makes_forecasts_affine_equivariant(name, a, b):
    net = network(name).eval()
    with torch.no_grad():  # also exercise the refinement path, not only the first guess
        torch.nn.init.normal_(net.readout.tokens.weight, std=0.5)
        x = windows(net.cfg)
        base = net(x)
        moved = net(a * x + b)
    # float32: within 1e-4 in the units of the input's scale a
    torch.testing.assert_close(moved, a * base + b, rtol=1e-4, atol=1e-4 * a)


def test_trained_network_is_affine_equivariant(fitted_series_model):
    net = fitted_series_model.network_
    x = windows(net.cfg)
    with torch.no_grad():
        torch.testing.assert_close(net(2.5 * x - 4.0), 2.5 * net(x) - 4.0, rtol=1e-4, atol=1e-4)


def test_constant_window_gives_finite_constant_forecast():
    net = network("mlp").eval()
    with torch.no_grad():
        out = net(torch.full((3, 48), 5.0))
    assert torch.isfinite(out).all()
    np.testing.assert_allclose(out.numpy(), 5.0, atol=1e-2)


def test_without_revin_the_network_is_not_shift_equivariant():
    net = network("no_revin").eval()
    x = windows(net.cfg)
    with torch.no_grad():
        assert not torch.allclose(net(x + 100.0), net(x) + 100.0, atol=1e-2)


def test_default_network_trains_every_parameter():
    net = network("mlp")
    assert net.cfg.n_cycles == 2
    module = TSTRMLightning(net, learning_rate=1e-2)
    x = windows(net.cfg, batch=16, seed=3)
    batch = (x, x[:, -net.cfg.horizon :])
    optimiser = module.configure_optimizers()
    for _ in range(2):
        optimiser.zero_grad()
        training_loss(module, batch).backward()
        optimiser.step()
    trainable = [(n, p) for n, p in net.named_parameters() if p.requires_grad]
    untrained = [n for n, p in trainable if p.grad is None or not p.grad.any()]
    assert untrained == []
    # What cannot learn is frozen, and frozen parameters are not counted as the model's size.
    frozen = [n for n, p in net.named_parameters() if not p.requires_grad]
    assert all(n.startswith("embed_answer.") for n in frozen)


def test_forecast_feedback_starts_each_step_from_the_last_forecast():
    cfg = NetworkConfig(48, 12, answer_feedback="forecast", **preset_settings("sketch", 48, 12))
    torch.manual_seed(0)
    net = TSTRMNetwork(cfg)
    module = TSTRMLightning(net, learning_rate=1e-2)
    x = windows(cfg, batch=16, seed=3)
    batch = (x, x[:, -cfg.horizon :])
    optimiser = module.configure_optimizers()
    for _ in range(2):  # past the zero-initialised readout
        loss = training_loss(module, batch)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    # The embedding of the fed-back forecast learns from the later steps' losses.
    assert net.embed_forecast.features.weight.grad.abs().sum() > 0
    net.eval()
    with torch.no_grad():
        final = net(x)
        steps = [f for f, _ in net.supervised(x)]
        # Changing the embedding changes every step after the first, not the first.
        torch.nn.init.normal_(net.embed_forecast.features.weight)
        changed = [f for f, _ in net.supervised(x)]
    torch.testing.assert_close(final, steps[-1])
    torch.testing.assert_close(changed[0], steps[0])
    assert not torch.allclose(changed[-1], steps[-1])


def test_forecast_feedback_with_halting_is_a_clear_error():
    with pytest.raises(ValueError, match="answer_feedback='forecast' does not support halting"):
        NetworkConfig(48, 12, answer_feedback="forecast", halting=True)
    with pytest.raises(ValueError, match="answer_feedback must be one of"):
        NetworkConfig(48, 12, answer_feedback="output")
