"""Exponential moving average of a module's floating-point parameters and buffers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import Tensor, nn


class EMA:
    """Keep ``shadow = decay * shadow + (1 - decay) * weights`` after every update.

    Parameters
    ----------
    module : nn.Module
        The module whose floating-point state is averaged.
    decay : float
        Weight of the old average, in ``[0, 1)``; TRM uses 0.999.
    warmup : bool
        Use ``min(decay, (1 + t) / (10 + t))`` at update ``t``: the average forgets the
        initial weights within the first steps instead of after about ``1 / (1 - decay)``
        of them, which matters when training is short.
    """

    def __init__(self, module: nn.Module, decay: float = 0.999, warmup: bool = False) -> None:
        if not 0.0 <= decay < 1.0:
            raise ValueError(f"EMA decay must be in [0, 1), got {decay!r}.")
        self.decay, self.warmup, self.updates = decay, warmup, 0
        self.shadow: dict[str, Tensor] = {
            k: v.detach().clone() for k, v in module.state_dict().items() if v.is_floating_point()
        }

    @torch.no_grad()
    def update(self, module: nn.Module) -> None:
        decay = self.decay
        if self.warmup:
            decay = min(decay, (1 + self.updates) / (10 + self.updates))
        self.updates += 1
        for k, v in module.state_dict().items():
            if k in self.shadow:
                if self.shadow[k].device != v.device:  # the module moved (e.g. to a GPU)
                    self.shadow[k] = self.shadow[k].to(v.device)
                self.shadow[k].lerp_(v.detach(), 1.0 - decay)

    @torch.no_grad()
    def copy_to(self, module: nn.Module) -> None:
        """Overwrite the module's averaged entries with the EMA values."""
        module.load_state_dict(self.shadow, strict=False)

    @contextmanager
    def applied(self, module: nn.Module) -> Iterator[nn.Module]:
        """Run a block with the EMA weights in place, then put the raw weights back."""
        backup = {k: v.detach().clone() for k, v in module.state_dict().items() if k in self.shadow}
        self.copy_to(module)
        try:
            yield module
        finally:
            module.load_state_dict(backup, strict=False)

    def state_dict(self) -> dict[str, Tensor]:
        return {k: v.clone() for k, v in self.shadow.items()}

    def load_state_dict(self, state: dict[str, Tensor]) -> None:
        missing = set(self.shadow) - set(state)
        if missing:
            raise KeyError(f"EMA state lacks entries: {sorted(missing)[:5]}")
        for k in self.shadow:
            self.shadow[k].copy_(state[k])
