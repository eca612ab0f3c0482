"""Behaviour of :func:`tsrm.core.supervision.deep_supervision`."""

from __future__ import annotations

import copy

import torch
from torch import nn

from tsrm.core import ReasoningNet, SupervisionStep, deep_supervision, recurse

DIM = 4


class CountingNet(ReasoningNet):
    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.lin = nn.Linear(DIM, DIM)
        self.n_calls = 0

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        self.n_calls += 1
        return torch.tanh(self.lin(h))


def _inputs(seed: int = 1, batch: int = 3):
    g = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(batch, DIM, generator=g) for _ in range(3))


def test_yields_n_steps_steps_with_indices():
    net = CountingNet()
    steps = list(deep_supervision(net, *_inputs(), n=2, T=2, n_steps=4))
    assert len(steps) == 4
    assert all(isinstance(s, SupervisionStep) for s in steps)
    assert [s.index for s in steps] == [0, 1, 2, 3]
    assert net.n_calls == 4 * 2 * (2 + 1)


def test_zero_steps_yield_nothing():
    net = CountingNet()
    assert list(deep_supervision(net, *_inputs(), n=2, T=2, n_steps=0)) == []
    assert net.n_calls == 0


def test_is_lazy():
    net = CountingNet()
    gen = deep_supervision(net, *_inputs(), n=1, T=1, n_steps=3)
    assert net.n_calls == 0
    next(gen)
    assert net.n_calls == 2


def test_steps_chain_the_state():
    """Each step starts from the previous step's (y, z): same values as chained recurse calls."""
    net = CountingNet()
    x, y, z = _inputs()
    steps = list(deep_supervision(net, x, y, z, n=2, T=2, n_steps=3))
    with torch.no_grad():
        for step in steps:
            y, z = recurse(net, x, y, z, n=2, T=2)
            torch.testing.assert_close(step.y.detach(), y)
            torch.testing.assert_close(step.z.detach(), z)


def test_yielded_state_carries_gradients():
    net = CountingNet()
    for step in deep_supervision(net, *_inputs(), n=1, T=2, n_steps=2):
        assert step.y.grad_fn is not None
        assert step.z.grad_fn is not None


def test_state_is_carried_detached():
    """Step 2's output does not depend (in autograd) on step 1's output."""
    net = CountingNet()
    gen = deep_supervision(net, *_inputs(), n=2, T=1, n_steps=2)
    first = next(gen)
    second = next(gen)
    (grad_y,) = torch.autograd.grad(second.y.sum(), first.y, allow_unused=True)
    assert grad_y is None
    (grad_z,) = torch.autograd.grad(second.y.sum(), first.z, allow_unused=True)
    assert grad_z is None


def test_step_loss_trains_only_that_steps_last_cycle():
    """A loss on step 2 gives the same parameter gradients as one recurse from detached state."""
    n, T = 2, 2
    net_a = CountingNet(seed=5)
    net_b = copy.deepcopy(net_a)
    x, y, z = _inputs(seed=6)

    steps = list(deep_supervision(net_a, x, y, z, n=n, T=T, n_steps=2))
    (steps[1].y ** 2).sum().backward()

    with torch.no_grad():
        y1, z1 = recurse(net_b, x, y, z, n=n, T=T)
    y2, _ = recurse(net_b, x, y1, z1, n=n, T=T)
    (y2**2).sum().backward()

    for pa, pb in zip(net_a.parameters(), net_b.parameters(), strict=True):
        torch.testing.assert_close(pa.grad, pb.grad)


def test_summed_losses_equal_sum_of_per_step_gradients():
    n, T = 1, 2
    net = CountingNet(seed=7)
    x, y, z = _inputs(seed=8)

    total = sum((s.y**2).sum() for s in deep_supervision(net, x, y, z, n=n, T=T, n_steps=3))
    total.backward()
    summed = [p.grad.clone() for p in net.parameters()]

    per_step = [torch.zeros_like(p) for p in net.parameters()]
    for step in deep_supervision(net, x, y, z, n=n, T=T, n_steps=3):
        net.zero_grad()
        (step.y**2).sum().backward()
        per_step = [a + p.grad for a, p in zip(per_step, net.parameters(), strict=True)]
    for a, b in zip(summed, per_step, strict=True):
        torch.testing.assert_close(a, b)


def test_optimizer_step_between_supervision_steps():
    """Stepping the optimiser after each step works; later steps see new weights."""
    net = CountingNet(seed=9)
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    x, y, z = _inputs(seed=10)
    prev = None
    for step in deep_supervision(net, x, y, z, n=1, T=1, n_steps=2):
        if prev is not None:
            with torch.no_grad():
                expected, _ = recurse(net, x, prev.y.detach(), prev.z.detach(), n=1, T=1)
            torch.testing.assert_close(step.y.detach(), expected)
        opt.zero_grad()
        (step.y**2).sum().backward()
        before = net.lin.weight.detach().clone()
        opt.step()
        assert not torch.equal(before, net.lin.weight)
        prev = step


def test_halt_logit_none_without_head_and_head_output_with_it():
    net = CountingNet()
    for step in deep_supervision(net, *_inputs(), n=1, T=1, n_steps=2):
        assert step.halt_logit is None

    seen = []

    def head(y):
        seen.append(y)
        return y.sum(dim=-1)

    for step in deep_supervision(net, *_inputs(), n=1, T=1, n_steps=2, halting_head=head):
        assert step.halt_logit is not None
        torch.testing.assert_close(step.halt_logit, step.y.sum(dim=-1))
        assert seen[-1] is step.y
    assert len(seen) == 2


def test_feedback_sets_where_each_later_step_starts():
    """With ``feedback``, step k + 1 starts from feedback(detached y of step k)."""
    net = CountingNet()
    x, y, z = _inputs()
    seen = []

    def feedback(answer: torch.Tensor) -> torch.Tensor:
        seen.append(answer)
        return 2 * answer

    steps = list(deep_supervision(net, x, y, z, n=1, T=1, n_steps=3, feedback=feedback))
    assert len(seen) == 2  # between steps only, not after the last
    assert not any(a.requires_grad for a in seen)
    with torch.no_grad():
        y1, z1 = recurse(net, x, y, z, n=1, T=1)
        torch.testing.assert_close(steps[0].y.detach(), y1)
        y2, _ = recurse(net, x, 2 * y1, z1, n=1, T=1)
        torch.testing.assert_close(steps[1].y.detach(), y2)
