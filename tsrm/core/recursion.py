"""The TRM loop: one tiny network refines a latent state ``z`` and an answer ``y``."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class ReasoningNet(nn.Module):
    """Base class of the one network TRM shares between its two updates.

    Subclasses implement ``forward(h)``. The two updates feed it different sums;
    the answer update sees no ``x``, and that is how the single network tells the
    two apart. A network that combines its inputs differently (e.g. by
    concatenation) overrides :meth:`latent_update` and :meth:`answer_update`.
    """

    def latent_update(self, x: Tensor, y: Tensor, z: Tensor) -> Tensor:
        return self(x + y + z)

    def answer_update(self, y: Tensor, z: Tensor) -> Tensor:
        return self(y + z)


def recurse(
    net: ReasoningNet, x: Tensor, y: Tensor, z: Tensor, *, n: int, T: int
) -> tuple[Tensor, Tensor]:
    """Run one supervision step of TRM and return the new ``(y, z)``.

    A *cycle* is ``n`` latent updates ``z = net(x + y + z)`` followed by one
    answer update ``y = net(y + z)``. ``T`` cycles run; the first ``T - 1``
    without gradients, so back-propagation goes through the last cycle only
    (the full cycle: TRM's paper found a 1-step gradient much worse).

    Parameters
    ----------
    net : ReasoningNet
        The shared network.
    x, y, z : Tensor
        Input embedding, current answer and latent state, all of one shape.
    n : int
        Latent updates per cycle.
    T : int
        Cycles per supervision step.
    """
    if n < 0 or T < 1:
        raise ValueError(f"recurse needs n >= 0 and T >= 1, got n={n}, T={T}.")

    def cycle(y: Tensor, z: Tensor) -> tuple[Tensor, Tensor]:
        for _ in range(n):
            z = net.latent_update(x, y, z)  # z = net(x + y + z)
        y = net.answer_update(y, z)  # y = net(y + z)
        return y, z

    with torch.no_grad():
        for _ in range(T - 1):
            y, z = cycle(y, z)
    return cycle(y, z)
