"""Behaviour of the TRM loop :func:`tsrm.core.recursion.recurse`."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn

from tsrm.core import ReasoningNet, recurse

DIM = 4


class RecordingNet(ReasoningNet):
    """Tiny shared network that records, per call, whether grad was on and its input."""

    def __init__(self, dim: int = DIM, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.lin = nn.Linear(dim, dim)
        self.calls: list[tuple[bool, torch.Tensor]] = []

    def f(self, h: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.lin(h))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        self.calls.append((torch.is_grad_enabled(), h.detach().clone()))
        return self.f(h)


def _inputs(batch: int = 3, dim: int = DIM, seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, dim, generator=g)
    y = torch.randn(batch, dim, generator=g)
    z = torch.randn(batch, dim, generator=g)
    return x, y, z


def _manual(net: RecordingNet, x, y, z, n: int, T: int):
    """Reference: the expected inputs of every call and the final (y, z)."""
    expected = []
    with torch.no_grad():
        for _ in range(T):
            for _ in range(n):
                h = x + y + z
                expected.append(("latent", h.clone()))
                z = net.f(h)
            h = y + z
            expected.append(("answer", h.clone()))
            y = net.f(h)
    return expected, y, z


@pytest.mark.parametrize(("n", "T"), [(1, 1), (2, 1), (3, 2), (2, 3)])
def test_call_count_is_T_times_n_plus_one(n, T):
    net = RecordingNet()
    recurse(net, *_inputs(), n=n, T=T)
    assert len(net.calls) == T * (n + 1)


@pytest.mark.parametrize(("n", "T"), [(2, 1), (3, 2), (2, 3)])
def test_latent_updates_see_x_plus_y_plus_z_and_answer_update_sees_y_plus_z(n, T):
    net = RecordingNet()
    x, y, z = _inputs()
    expected, y_ref, z_ref = _manual(net, x, y, z, n, T)
    y_out, z_out = recurse(net, x, y, z, n=n, T=T)

    assert len(net.calls) == len(expected)
    for (_, got), (_, want) in zip(net.calls, expected, strict=True):
        torch.testing.assert_close(got, want)
    torch.testing.assert_close(y_out.detach(), y_ref)
    torch.testing.assert_close(z_out.detach(), z_ref)


def test_answer_update_does_not_see_x():
    """With x = 0 the latent and answer inputs coincide in form; with x != 0 they must not."""
    net = RecordingNet()
    x, y, z = _inputs()
    n = 2
    recurse(net, x, y, z, n=n, T=1)
    # The first latent update sees x + y + z with the initial y, z.
    torch.testing.assert_close(net.calls[0][1], x + y + z)
    # The answer update (last call) sees y + z_new where z_new is the last latent output.
    with torch.no_grad():
        z_new = net.f(net.calls[n - 1][1])
    torch.testing.assert_close(net.calls[n][1], y + z_new)


@pytest.mark.parametrize(("n", "T"), [(1, 1), (2, 2), (3, 4)])
def test_only_last_cycle_runs_with_grad(n, T):
    net = RecordingNet()
    recurse(net, *_inputs(), n=n, T=T)
    flags = [g for g, _ in net.calls]
    assert flags == [False] * ((T - 1) * (n + 1)) + [True] * (n + 1)
    assert sum(flags) == n + 1


def test_outputs_carry_grad_only_through_last_cycle():
    n, T = 2, 3
    net_a = RecordingNet(seed=3)
    net_b = copy.deepcopy(net_a)
    x, y, z = _inputs(seed=4)
    xa = x.clone().requires_grad_(True)
    xb = x.clone().requires_grad_(True)

    ya, za = recurse(net_a, xa, y, z, n=n, T=T)
    ((ya**2).sum() + za.sum()).backward()

    # Reference: T-1 cycles with no gradients, then a single cycle with them.
    with torch.no_grad():
        y1, z1 = recurse(net_b, xb, y, z, n=n, T=T - 1)
    yb, zb = recurse(net_b, xb, y1, z1, n=n, T=1)
    ((yb**2).sum() + zb.sum()).backward()

    torch.testing.assert_close(ya, yb)
    for pa, pb in zip(net_a.parameters(), net_b.parameters(), strict=True):
        assert pa.grad is not None
        torch.testing.assert_close(pa.grad, pb.grad)
    torch.testing.assert_close(xa.grad, xb.grad)


def test_last_cycle_gradient_differs_from_full_unroll():
    """Sanity check that the previous test can fail: backprop through all cycles differs."""
    n, T = 2, 3
    net_a = RecordingNet(seed=3)
    net_full = copy.deepcopy(net_a)
    x, y, z = _inputs(seed=4)

    ya, za = recurse(net_a, x, y, z, n=n, T=T)
    ((ya**2).sum() + za.sum()).backward()

    yf, zf = y, z
    for _ in range(T):  # full unroll with gradients everywhere
        yf, zf = recurse(net_full, x, yf, zf, n=n, T=1)
    ((yf**2).sum() + zf.sum()).backward()

    torch.testing.assert_close(ya, yf)  # same values ...
    grads_a = torch.cat([p.grad.flatten() for p in net_a.parameters()])
    grads_f = torch.cat([p.grad.flatten() for p in net_full.parameters()])
    assert not torch.allclose(grads_a, grads_f)  # ... different gradients


def test_T1_is_one_full_cycle_with_grad():
    net = RecordingNet()
    x, y, z = _inputs()
    _, y_ref, z_ref = _manual(net, x, y, z, n=3, T=1)
    y_out, z_out = recurse(net, x, y, z, n=3, T=1)
    assert all(g for g, _ in net.calls)
    assert y_out.requires_grad and z_out.requires_grad
    torch.testing.assert_close(y_out.detach(), y_ref)
    torch.testing.assert_close(z_out.detach(), z_ref)


def test_inputs_are_not_modified():
    net = RecordingNet()
    x, y, z = _inputs()
    x0, y0, z0 = x.clone(), y.clone(), z.clone()
    recurse(net, x, y, z, n=2, T=2)
    torch.testing.assert_close(x, x0)
    torch.testing.assert_close(y, y0)
    torch.testing.assert_close(z, z0)


def test_overridden_updates_are_used():
    """A network combining its inputs differently overrides latent_update / answer_update."""

    class ConcatNet(ReasoningNet):
        def __init__(self) -> None:
            super().__init__()
            self.lin_latent = nn.Linear(3 * DIM, DIM)
            self.lin_answer = nn.Linear(2 * DIM, DIM)
            self.log: list[str] = []

        def latent_update(self, x, y, z):
            self.log.append("latent")
            return self.lin_latent(torch.cat([x, y, z], dim=-1))

        def answer_update(self, y, z):
            self.log.append("answer")
            return self.lin_answer(torch.cat([y, z], dim=-1))

    net = ConcatNet()
    y, z = recurse(net, *_inputs(), n=2, T=2)
    assert net.log == ["latent", "latent", "answer"] * 2
    assert y.shape == z.shape == (3, DIM)
