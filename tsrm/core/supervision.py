"""Deep supervision: several TRM steps, each supervised, with the state carried detached."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from torch import Tensor

from tsrm.core.recursion import ReasoningNet, recurse


@dataclass
class SupervisionStep:
    """What one supervision step produced.

    ``y`` and ``z`` still carry gradients (through the last cycle); the driver
    detaches them only before the next step starts. ``halt_logit`` is ``None``
    when no halting head was given.
    """

    index: int
    y: Tensor
    z: Tensor
    halt_logit: Tensor | None = None


def deep_supervision(
    net: ReasoningNet,
    x: Tensor,
    y: Tensor,
    z: Tensor,
    *,
    n: int,
    T: int,
    n_steps: int,
    halting_head: Callable[[Tensor], Tensor] | None = None,
    feedback: Callable[[Tensor], Tensor] | None = None,
) -> Iterator[SupervisionStep]:
    """Yield ``n_steps`` supervision steps of :func:`recurse`.

    Between steps ``(y, z)`` are detached, so each step's loss trains only that
    step's last cycle. The caller computes one loss per yielded step and either
    sums them (one optimiser step per batch) or steps the optimiser after each
    (the paper's way): the generator does not care. ``feedback``, when given,
    maps the detached answer to the one the next step starts from (e.g. the
    decoded answer embedded again); without it the next step starts from ``y``.
    """
    for i in range(n_steps):
        y, z = recurse(net, x, y, z, n=n, T=T)
        halt = halting_head(y) if halting_head is not None else None
        yield SupervisionStep(index=i, y=y, z=z, halt_logit=halt)
        y, z = y.detach(), z.detach()
        if feedback is not None and i + 1 < n_steps:
            y = feedback(y)
