"""Behaviour of the learned halting helpers in :mod:`tsrm.core.halting`."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tsrm.core import (
    HaltingHead,
    ReasoningNet,
    deep_supervision,
    draw_min_steps,
    halting_loss,
    halting_with_exploration,
    recurse,
    run_until_halted,
)

DIM = 4


class CountingNet(ReasoningNet):
    """Row-wise network that records the batch size of every call."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.lin = nn.Linear(DIM, DIM)
        self.batch_sizes: list[int] = []

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        self.batch_sizes.append(h.shape[0])
        return torch.tanh(self.lin(h))


class ConstantHead(nn.Module):
    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value
        self.n_calls = 0

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        self.n_calls += 1
        return torch.full((y.shape[0],), self.value)


class ScriptedHead(nn.Module):
    """Returns pre-set logits for the active samples, one tensor per call."""

    def __init__(self, script: list[list[float]]) -> None:
        super().__init__()
        self.script = [torch.tensor(s) for s in script]
        self.n_calls = 0

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        out = self.script[self.n_calls]
        assert out.shape[0] == y.shape[0]
        self.n_calls += 1
        return out


def _inputs(batch: int = 4, seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    return tuple(torch.randn(batch, DIM, generator=g) for _ in range(3))


# --- HaltingHead -----------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(5, DIM), (5, 7, DIM)])
@pytest.mark.parametrize("pool", ["mean", "first"])
def test_untrained_head_gives_minus_five_and_never_halts(shape, pool):
    head = HaltingHead(DIM, pool=pool)
    y = torch.randn(*shape) * 100
    logits = head(y)
    assert logits.shape == (5,)
    torch.testing.assert_close(logits, torch.full((5,), -5.0))
    assert not (logits > 0).any()
    assert torch.sigmoid(logits).max() < 0.01


def test_pool_mean_and_first():
    y = torch.zeros(2, 3, DIM)
    y[:, 0] = 4.0  # tokens: 4, 2, 0 -> mean 2, first 4
    y[:, 1] = 2.0
    mean_head, first_head = HaltingHead(DIM, pool="mean"), HaltingHead(DIM, pool="first")
    for head in (mean_head, first_head):
        with torch.no_grad():
            head.linear.weight.fill_(1.0)
            head.linear.bias.zero_()
    torch.testing.assert_close(mean_head(y), torch.full((2,), 2.0 * DIM))
    torch.testing.assert_close(first_head(y), torch.full((2,), 4.0 * DIM))


def test_two_outputs_returns_first_as_halting_logit():
    head = HaltingHead(DIM, n_outputs=2)
    with torch.no_grad():
        head.linear.bias.copy_(torch.tensor([1.5, -2.5]))
    out = head(torch.randn(3, DIM))
    torch.testing.assert_close(out, torch.full((3,), 1.5))


def test_bad_pool_raises():
    with pytest.raises(ValueError, match="pool"):
        HaltingHead(DIM, pool="max")


# --- halting_loss ----------------------------------------------------------------------------


def test_halting_loss_is_binary_cross_entropy():
    logits = torch.tensor([-2.0, 0.0, 3.0, 1.0])
    target = torch.tensor([0.0, 1.0, 1.0, 0.0])
    expected = -sum(
        t * math.log(1 / (1 + math.exp(-lg))) + (1 - t) * math.log(1 - 1 / (1 + math.exp(-lg)))
        for lg, t in zip(logits.tolist(), target.tolist(), strict=True)
    ) / len(target)
    assert halting_loss(logits, target).item() == pytest.approx(expected, rel=1e-6)


def test_halting_loss_accepts_bool_targets_and_half_logits():
    logits = torch.tensor([0.5, -1.0], dtype=torch.float16)
    target = torch.tensor([True, False])
    loss = halting_loss(logits, target)
    assert loss.dtype == torch.float32
    expected = F.binary_cross_entropy_with_logits(logits.float(), target.float())
    torch.testing.assert_close(loss, expected)


def test_halting_loss_gradient_pushes_towards_target():
    logits = torch.zeros(2, requires_grad=True)
    halting_loss(logits, torch.tensor([1.0, 0.0])).backward()
    assert logits.grad[0] < 0 < logits.grad[1]


# --- exploration -----------------------------------------------------------------------------


def test_draw_min_steps_probability_zero_gives_ones():
    m = draw_min_steps(100, 8, probability=0.0, generator=torch.Generator().manual_seed(0))
    assert m.shape == (100,)
    assert m.dtype == torch.long
    assert torch.equal(m, torch.ones(100, dtype=torch.long))


def test_draw_min_steps_probability_one_in_two_to_n_steps():
    m = draw_min_steps(2000, 6, probability=1.0, generator=torch.Generator().manual_seed(0))
    assert int(m.min()) >= 2 and int(m.max()) <= 6
    assert set(m.tolist()) == {2, 3, 4, 5, 6}  # every value is reachable


def test_draw_min_steps_mixture_and_reproducible():
    m = draw_min_steps(20000, 5, probability=0.3, generator=torch.Generator().manual_seed(1))
    values = set(m.tolist())
    assert values <= {1, 2, 3, 4, 5}
    explored = (m >= 2).float().mean().item()
    assert 0.27 < explored < 0.33
    again = draw_min_steps(20000, 5, probability=0.3, generator=torch.Generator().manual_seed(1))
    assert torch.equal(m, again)


def test_halting_with_exploration_without_min_steps():
    logits = torch.tensor([1.0, -1.0, 0.0])
    halted = halting_with_exploration(logits, step=0, n_steps=4)
    assert halted.dtype == torch.bool
    assert halted.tolist() == [True, False, False]  # strictly positive halts


def test_halting_with_exploration_respects_min_steps():
    logits = torch.tensor([1.0, 1.0, 1.0, -1.0])
    min_steps = torch.tensor([1, 2, 3, 1])
    assert halting_with_exploration(logits, 0, 5, min_steps=min_steps).tolist() == [
        True,
        False,
        False,
        False,
    ]
    assert halting_with_exploration(logits, 1, 5, min_steps=min_steps).tolist() == [
        True,
        True,
        False,
        False,
    ]
    assert halting_with_exploration(logits, 2, 5, min_steps=min_steps).tolist() == [
        True,
        True,
        True,
        False,
    ]


def test_halting_with_exploration_last_step_halts_everything():
    logits = torch.tensor([-3.0, -1.0, 2.0])
    min_steps = torch.tensor([5, 5, 5])
    assert halting_with_exploration(logits, 3, 4, min_steps=min_steps).all()
    assert halting_with_exploration(logits, 3, 4).all()
    assert not halting_with_exploration(logits, 2, 4, min_steps=min_steps).any()


# --- run_until_halted ------------------------------------------------------------------------


def test_head_that_always_halts_stops_after_one_step():
    n, T, n_steps = 2, 2, 5
    net = CountingNet()
    x, y, z = _inputs()
    head = ConstantHead(10.0)
    y_out, steps_used = run_until_halted(net, x, y, z, n=n, T=T, n_steps=n_steps, halting_head=head)
    assert steps_used.tolist() == [1, 1, 1, 1]
    assert steps_used.dtype == torch.long
    assert len(net.batch_sizes) == T * (n + 1)  # one supervision step only
    assert head.n_calls == 1
    with torch.no_grad():
        y_ref, _ = recurse(net, x, y, z, n=n, T=T)
    torch.testing.assert_close(y_out, y_ref)


def test_untrained_head_runs_all_steps_and_matches_deep_supervision():
    n, T, n_steps = 2, 2, 3
    net = CountingNet()
    x, y, z = _inputs()
    head = HaltingHead(DIM)
    y_out, steps_used = run_until_halted(net, x, y, z, n=n, T=T, n_steps=n_steps, halting_head=head)
    assert steps_used.tolist() == [n_steps] * 4
    assert len(net.batch_sizes) == n_steps * T * (n + 1)
    assert not y_out.requires_grad

    with torch.no_grad():
        *_, last = deep_supervision(net, x, y, z, n=n, T=T, n_steps=n_steps)
    torch.testing.assert_close(y_out, last.y)


def test_fewer_net_calls_when_halting_early():
    n, T, n_steps = 1, 1, 6
    never, always = CountingNet(), CountingNet()
    run_until_halted(never, *_inputs(), n=n, T=T, n_steps=n_steps, halting_head=ConstantHead(-1))
    run_until_halted(always, *_inputs(), n=n, T=T, n_steps=n_steps, halting_head=ConstantHead(1))
    assert len(always.batch_sizes) < len(never.batch_sizes)


def test_per_sample_halting_computes_only_active_samples():
    n, T, n_steps = 1, 2, 3
    net = CountingNet()
    x, y, z = _inputs(batch=4)
    # step 1: samples 0 and 2 halt; step 2: of the active (1, 3) sample 3 halts; 1 runs to the end
    head = ScriptedHead([[1.0, -1.0, 1.0, -1.0], [-1.0, 1.0]])
    y_out, steps_used = run_until_halted(net, x, y, z, n=n, T=T, n_steps=n_steps, halting_head=head)

    assert steps_used.tolist() == [1, 3, 1, 2]
    assert head.n_calls == 2  # never asked at the last step
    per_step = T * (n + 1)
    assert net.batch_sizes == [4] * per_step + [2] * per_step + [1] * per_step

    with torch.no_grad():
        ref = [s.y for s in deep_supervision(net, x, y, z, n=n, T=T, n_steps=n_steps)]
    for sample, used in enumerate(steps_used.tolist()):
        torch.testing.assert_close(y_out[sample], ref[used - 1][sample], atol=1e-6, rtol=1e-5)


def test_run_until_halted_does_not_modify_inputs():
    net = CountingNet()
    x, y, z = _inputs()
    x0, y0, z0 = x.clone(), y.clone(), z.clone()
    run_until_halted(
        net, x, y, z, n=1, T=1, n_steps=3, halting_head=ScriptedHead([[1, -1, 1, -1], [-1, -1]])
    )
    assert torch.equal(x, x0) and torch.equal(y, y0) and torch.equal(z, z0)
