"""Behaviour of :class:`tsrm.core.ema.EMA`."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from tsrm.core import EMA


def _module(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))


def _float_state(module: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items() if v.is_floating_point()}


def _perturb(module: nn.Module, amount: float = 1.0) -> None:
    with torch.no_grad():
        for v in module.state_dict().values():
            if v.is_floating_point():
                v.add_(amount)


@pytest.mark.parametrize("decay", [1.0, 1.5, -0.1])
def test_bad_decay_raises(decay):
    with pytest.raises(ValueError, match="decay"):
        EMA(_module(), decay=decay)


def test_initial_shadow_equals_weights_and_is_a_copy():
    m = _module()
    ema = EMA(m, decay=0.9)
    before = ema.state_dict()
    for k, v in _float_state(m).items():
        torch.testing.assert_close(before[k], v)
    _perturb(m)
    for k, v in ema.state_dict().items():
        torch.testing.assert_close(v, before[k])  # shadow did not follow the module


def test_update_moves_shadow_by_one_minus_decay():
    m = _module()
    ema = EMA(m, decay=0.9)
    w0 = _float_state(m)
    _perturb(m, 2.0)
    w1 = _float_state(m)
    ema.update(m)
    shadow = ema.state_dict()
    for k in w0:
        torch.testing.assert_close(shadow[k], 0.9 * w0[k] + 0.1 * w1[k])
    ema.update(m)
    shadow2 = ema.state_dict()
    for k in w0:
        torch.testing.assert_close(shadow2[k], 0.9 * shadow[k] + 0.1 * w1[k])


def test_shadow_follows_the_module_to_another_device():
    # Training moves the module after the EMA was made (e.g. to a GPU); the meta device
    # stands in for one here.
    m = _module()
    ema = EMA(m, decay=0.9)
    m.to("meta")
    ema.update(m)
    assert all(v.device.type == "meta" for v in ema.state_dict().values())


def test_decay_zero_tracks_weights():
    m = _module()
    ema = EMA(m, decay=0.0)
    _perturb(m, 3.0)
    ema.update(m)
    for k, v in _float_state(m).items():
        torch.testing.assert_close(ema.state_dict()[k], v)


def test_non_float_buffers_are_not_averaged():
    m = _module()
    ema = EMA(m)
    assert "1.num_batches_tracked" not in ema.state_dict()
    assert "1.running_mean" in ema.state_dict()  # float buffers are
    assert "0.weight" in ema.state_dict()
    m.train()
    m(torch.randn(4, 3))  # bumps num_batches_tracked
    with ema.applied(m):
        assert int(m[1].num_batches_tracked) == 1  # left untouched


def test_applied_swaps_in_shadow_and_restores():
    m = _module()
    ema = EMA(m, decay=0.5)
    _perturb(m, 1.0)
    ema.update(m)
    raw = _float_state(m)
    shadow = ema.state_dict()
    with ema.applied(m) as inner:
        assert inner is m
        for k, v in _float_state(m).items():
            torch.testing.assert_close(v, shadow[k])
            assert not torch.equal(v, raw[k])
    for k, v in _float_state(m).items():
        torch.testing.assert_close(v, raw[k])


def test_applied_restores_on_exception():
    m = _module()
    ema = EMA(m, decay=0.5)
    _perturb(m, 1.0)
    raw = _float_state(m)
    with pytest.raises(RuntimeError), ema.applied(m):
        raise RuntimeError("boom")
    for k, v in _float_state(m).items():
        torch.testing.assert_close(v, raw[k])


def test_copy_to_does_not_alias_shadow():
    m = _module()
    ema = EMA(m, decay=0.5)
    _perturb(m)
    ema.update(m)
    ema.copy_to(m)
    shadow = ema.state_dict()
    _perturb(m, 5.0)
    for k, v in ema.state_dict().items():
        torch.testing.assert_close(v, shadow[k])


def test_state_dict_round_trip():
    m = _module()
    ema = EMA(m, decay=0.8)
    _perturb(m, 1.5)
    ema.update(m)
    state = ema.state_dict()

    other = EMA(_module(seed=1), decay=0.8)
    other.load_state_dict(state)
    for k, v in other.state_dict().items():
        torch.testing.assert_close(v, state[k])

    # the returned dict is a copy
    for v in state.values():
        v.add_(100.0)
    for k, v in ema.state_dict().items():
        assert not torch.equal(v, state[k])


def test_load_state_dict_missing_entries_raises():
    ema = EMA(_module())
    state = ema.state_dict()
    state.pop("0.weight")
    with pytest.raises(KeyError, match="0.weight"):
        ema.load_state_dict(state)


def test_ema_with_optimizer_steps_lags_behind_weights():
    m = nn.Linear(2, 1)
    ema = EMA(m, decay=0.9)
    start = m.weight.detach().clone()
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        m(torch.ones(3, 2)).sum().backward()
        opt.step()
        ema.update(m)
    shadow_w = ema.state_dict()["weight"]
    # the average lies strictly between the start and the current weights
    assert ((shadow_w - start).abs() > 0).all()
    assert ((m.weight.detach() - start).abs() > (shadow_w - start).abs()).all()
