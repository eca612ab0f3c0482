"""A network plus a covariate term: ``forecast[t] += covariates[t] @ weight``.

The term is one weight per covariate, shared by every horizon step: step ``t``
of the forecast depends only on the covariates of step ``t``, so a forecast
beyond the horizon (or a partial horizon) is well defined, and the head has
``k`` parameters instead of ``horizon**2 * k``. The weights start at zero, so
training starts exactly from the network without covariates.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class WithCovariates(nn.Module):
    """``network(window) + covariates @ weight`` on the scaled forecast.

    Parameters
    ----------
    network : nn.Module
        ``(batch, lookback) -> (batch, levels * horizon)``; TS-TRM's
        ``supervised`` and ``halting_head`` are passed through.
    n_covariates : int
        ``k``, the width of the covariates.

    Notes
    -----
    ``covariates`` have shape ``(batch, horizon, k)``, standardised. A
    quantile network's levels all get the same term.
    """

    def __init__(self, network: nn.Module, n_covariates: int) -> None:
        super().__init__()
        self.network = network
        # Zeros, not nn.Linear's random init: no random draw, and training starts from
        # the network alone.
        self.weight = nn.Parameter(torch.zeros(n_covariates))

    @property
    def halting_head(self) -> nn.Module | None:
        return getattr(self.network, "halting_head", None)

    def _add(self, forecast: Tensor, covariates: Tensor) -> Tensor:
        term = covariates @ self.weight  # (batch, horizon)
        return forecast + term.repeat(1, forecast.shape[1] // term.shape[1])

    def forward(self, window: Tensor, covariates: Tensor, **kwargs) -> Tensor:
        return self._add(self.network(window, **kwargs), covariates)

    def supervised(self, window: Tensor, covariates: Tensor) -> list[tuple[Tensor, Tensor | None]]:
        """Every supervision step's forecast gets the covariate term (TS-TRM)."""
        return [(self._add(f, covariates), h) for f, h in self.network.supervised(window)]
