"""A network plus a covariate term: ``forecast[t] += covariates[t] @ weight``.

The term is one weight per covariate, shared by every horizon step: step ``t``
of the forecast depends only on the covariates of step ``t``, so a forecast
beyond the horizon (or a partial horizon) is well defined, and the head has
``k`` parameters instead of ``horizon**2 * k``. The weights start at zero, so
training starts exactly from the network without covariates.

Past-observed covariates (known only up to the forecast origin) and static
per-series features enter through two more zero-initialised linear maps onto
the horizon: ``lookback * k_past -> horizon`` from the look-back window of the
past covariates, and ``k_static -> horizon``. They are created only for a
model that uses them, so other models keep their parameters and forecasts.
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
        ``k``, the width of the future-known covariates.
    lookback, horizon : int
        The network's window lengths; needed only with ``n_past`` or ``n_static``.
    n_past : int
        Past-observed covariates, read over the ``lookback`` steps before the origin.
    n_static : int
        Static per-series features.

    Notes
    -----
    Without past or static features ``covariates`` have shape ``(batch, horizon,
    k)``, standardised. With them they cover the look-back steps too: ``(batch,
    lookback + horizon, k + n_past + n_static)``, the future-known columns read
    at the horizon steps, the past ones at the look-back steps and the static
    ones (constant over time) at the first horizon step. A quantile network's
    levels all get the same term.
    """

    def __init__(
        self,
        network: nn.Module,
        n_covariates: int,
        *,
        lookback: int = 0,
        horizon: int = 0,
        n_past: int = 0,
        n_static: int = 0,
    ) -> None:
        super().__init__()
        self.network = network
        # Zeros, not nn.Linear's random init: no random draw, and training starts from
        # the network alone.
        self.weight = nn.Parameter(torch.zeros(n_covariates))
        self.lookback = lookback if n_past or n_static else 0
        self.n_past, self.n_static = n_past, n_static
        if n_past:
            self.past_weight = nn.Parameter(torch.zeros(lookback * n_past, horizon))
        if n_static:
            self.static_weight = nn.Parameter(torch.zeros(n_static, horizon))

    @property
    def halting_head(self) -> nn.Module | None:
        return getattr(self.network, "halting_head", None)

    def _term(self, covariates: Tensor) -> Tensor:
        """The covariates' contribution to each horizon step, ``(batch, horizon)``."""
        if not self.lookback:
            return covariates @ self.weight
        L, k = self.lookback, self.weight.numel()
        term = covariates[:, L:, :k] @ self.weight
        if self.n_past:
            past = covariates[:, :L, k : k + self.n_past].reshape(len(covariates), -1)
            term = term + past @ self.past_weight
        if self.n_static:
            term = term + covariates[:, L, k + self.n_past :] @ self.static_weight
        return term

    def _add(self, forecast: Tensor, covariates: Tensor) -> Tensor:
        term = self._term(covariates)
        return forecast + term.repeat(1, forecast.shape[-1] // term.shape[1])

    def forward(self, window: Tensor, covariates: Tensor, **kwargs) -> Tensor:
        return self._add(self.network(window, **kwargs), covariates)

    def supervised(self, window: Tensor, covariates: Tensor) -> list[tuple[Tensor, Tensor | None]]:
        """Every supervision step's forecast gets the covariate term (TS-TRM)."""
        return [(self._add(f, covariates), h) for f, h in self.network.supervised(window)]

    def every_step(
        self, window: Tensor, covariates: Tensor
    ) -> tuple[Tensor, Tensor, Tensor | None]:
        """TS-TRM's ``every_step`` with the covariate term on the final and every step."""
        final, steps, halted = self.network.every_step(window)
        term = self._term(covariates)
        final = final + term.repeat(1, final.shape[-1] // term.shape[1])
        steps = steps + term.repeat(1, steps.shape[-1] // term.shape[1])[:, None]
        return final, steps, halted
