"""Learned halting (ACT): a head that says "the answer is good enough, stop refining".

The head is trained with binary cross-entropy against a target the domain
defines (puzzles: "the whole answer is exactly right"; forecasting: "later
steps no longer improve the forecast"). At inference, :func:`run_until_halted`
stops each sample at the first step whose halting logit is positive.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from tsrm.core.recursion import ReasoningNet, recurse


class HaltingHead(nn.Module):
    """Linear halting head on a pooled answer state.

    Initialised to weights 0 and bias -5 (as TRM does) so that, untrained, it
    never halts: sigmoid(-5) is about 0.007.

    Parameters
    ----------
    dim : int
        Feature size of the answer state ``y`` (its last axis).
    n_outputs : int
        1, or 2 to match TRM's checkpoint layout (halt, continue); the first
        output is always the halting logit.
    pool : {"mean", "first"}
        How token positions of ``y`` (shape ``(batch, tokens, dim)``) are pooled:
        the mean over tokens, or the first token (TRM's puzzle models).
    """

    def __init__(self, dim: int, n_outputs: int = 1, pool: str = "mean") -> None:
        super().__init__()
        if pool not in ("mean", "first"):
            raise ValueError(f"pool must be 'mean' or 'first', got {pool!r}.")
        self.pool = pool
        self.linear = nn.Linear(dim, n_outputs)
        nn.init.zeros_(self.linear.weight)
        nn.init.constant_(self.linear.bias, -5.0)

    def forward(self, y: Tensor) -> Tensor:
        if y.dim() == 3:
            y = y.mean(dim=1) if self.pool == "mean" else y[:, 0]
        return self.linear(y)[..., 0]


def halting_loss(halt_logit: Tensor, target: Tensor) -> Tensor:
    """Binary cross-entropy of the halting logit against a 0/1 target (mean over the batch)."""
    return F.binary_cross_entropy_with_logits(halt_logit.float(), target.float())


def halting_with_exploration(
    halt_logit: Tensor,
    step: int | Tensor,
    n_steps: int,
    *,
    min_steps: Tensor | None = None,
) -> Tensor:
    """Which samples halt after supervision step ``step`` (0-based) during training.

    A sample halts when its logit is positive and it has run at least its
    ``min_steps``, or when it reaches ``n_steps``. ``min_steps`` comes from
    :func:`draw_min_steps` (exploration). ``step`` may be one int for the whole
    batch or a per-sample tensor (streaming training, where every batch slot is
    at its own step).
    """
    runs = step + 1  # steps run so far, including this one
    halted = halt_logit > 0
    if min_steps is not None:
        halted = halted & (runs >= min_steps)
    return halted | (torch.as_tensor(runs, device=halt_logit.device) >= n_steps)


def draw_min_steps(
    batch_size: int,
    n_steps: int,
    probability: float = 0.1,
    generator: torch.Generator | None = None,
) -> Tensor:
    """TRM's exploration: with ``probability`` a sample must run a random number of
    steps in ``[2, n_steps]`` before it may halt; otherwise it may halt after one."""
    explore = torch.rand(batch_size, generator=generator) < probability
    high = max(n_steps, 2)
    random_min = torch.randint(2, high + 1, (batch_size,), generator=generator)
    return torch.where(explore, random_min, torch.ones_like(random_min))


@torch.no_grad()
def run_until_halted(
    net: ReasoningNet,
    x: Tensor,
    y: Tensor,
    z: Tensor,
    *,
    n: int,
    T: int,
    n_steps: int,
    halting_head: nn.Module,
) -> tuple[Tensor, Tensor]:
    """Inference with per-sample early stopping; return the final ``y`` and steps used.

    Only the samples still running are computed at each step, so easy samples
    really cost less. Every sample stops at ``n_steps`` at the latest.
    """
    y, z = y.clone(), z.clone()
    steps_used = torch.full((x.shape[0],), n_steps, dtype=torch.long, device=x.device)
    active = torch.arange(x.shape[0], device=x.device)
    for step in range(n_steps):
        y_a, z_a = recurse(net, x[active], y[active], z[active], n=n, T=T)
        y[active], z[active] = y_a, z_a
        if step + 1 == n_steps:
            break
        stop = halting_head(y_a) > 0
        steps_used[active[stop]] = step + 1
        active = active[~stop]
        if active.numel() == 0:
            break
    return y, steps_used
