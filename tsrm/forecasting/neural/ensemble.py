"""``n_models``: the median of several trained networks as one network."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn

from tsrm.forecasting.neural.config import WindowConfig


def median(stacked: Tensor) -> Tensor:
    """The median over the first dimension (the mean of the middle two for an even count).

    Sorting rather than ``torch.median``: it exports to ONNX, and an even count gives
    the usual median instead of the lower middle value.
    """
    ordered = stacked.sort(dim=0).values
    n = stacked.shape[0]
    return (ordered[(n - 1) // 2] + ordered[n // 2]) / 2


class MedianEnsemble(nn.Module):
    """The elementwise median of its members' forecasts.

    Members may have different look-backs: the ensemble reads a window of the longest,
    and each member the last ``lookback`` values of it.

    Parameters
    ----------
    members : sequence of nn.Module
        Networks mapping a window ``(n, lookback)`` to a forecast of one shape.
    configs : sequence of WindowConfig
        Each member's settings (what a saved ensemble is rebuilt from).
    """

    def __init__(self, members: Sequence[nn.Module], configs: Sequence[WindowConfig]) -> None:
        super().__init__()
        if len(members) != len(configs) or not members:
            raise ValueError("one config per member, and at least one member")
        self.members = nn.ModuleList(members)
        self.configs = list(configs)
        self.lookbacks = [c.lookback for c in self.configs]

    def forward(self, window: Tensor) -> Tensor:
        return median(self.each(window))

    def each(self, window: Tensor) -> Tensor:
        """Every member's forecast, stacked: ``(n_members, *forecast shape)``."""
        return torch.stack(
            [m(window[:, -n:]) for m, n in zip(self.members, self.lookbacks, strict=True)]
        )

    def map_members(self, wrap: Callable[[nn.Module], nn.Module]) -> MedianEnsemble:
        """The same ensemble with each member replaced by ``wrap(member)`` (e.g. for export)."""
        return MedianEnsemble([wrap(m) for m in self.members], self.configs)
