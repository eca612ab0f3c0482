"""Training of the TS-TRM network: the loss over supervision steps and halting.

Validation, EMA and the optimiser are the shared ones of
:class:`~tsrm.forecasting.neural.lightning_module.PointForecastModule`.
"""

from __future__ import annotations

import torch
from torch import Tensor

from tsrm.core import halting_loss
from tsrm.forecasting.models.trm.module import TSTRMNetwork
from tsrm.forecasting.neural.lightning_module import (
    LOSSES,
    Batch,
    PointForecastModule,
    batch_loss,
    pointwise_loss,
)

__all__ = ["LOSSES", "TSTRMLightning", "halting_targets", "pointwise_loss"]


def halting_targets(step_losses: Tensor, tolerance: float) -> Tensor:
    """1 where no later supervision step beats this one by more than ``tolerance`` (relative).

    ``step_losses`` has shape ``(steps, batch)``. Forecasts are never "exactly
    right", so the target is "refining further no longer pays".
    """
    best_from_here = step_losses.flip(0).cummin(0).values.flip(0)
    return (step_losses <= best_from_here * (1.0 + tolerance) + 1e-12).float()


class TSTRMLightning(PointForecastModule):
    """LightningModule around :class:`TSTRMNetwork`.

    The loss is the mean over supervision steps of the forecast loss (every
    step is supervised; the state is carried detached between them), plus
    ``halt_weight`` times the halting BCE when the network has a halting head.
    Validation scores the final step's forecast with MSE. A quantile network
    (``quantiles``) is trained and validated with the pinball loss instead,
    the halting targets then compare pinball losses. Missing targets
    (mask 0) count in no step's loss; the halting targets compare the
    per-window losses over observed steps.
    """

    network: TSTRMNetwork

    def __init__(
        self,
        network: TSTRMNetwork,
        learning_rate: float = 1e-3,
        weight_decay: float = 0.0,
        loss: str = "mse",
        halt_tolerance: float = 0.01,
        halt_weight: float = 0.5,
        ema_decay: float | None = None,
        quantiles: tuple[float, ...] | None = None,
    ) -> None:
        super().__init__(network, learning_rate, weight_decay, loss, ema_decay, quantiles=quantiles)
        self.halt_tolerance = halt_tolerance
        self.halt_weight = halt_weight

    def _training_loss(self, batch: Batch) -> Tensor:
        # With covariates every supervision step's forecast gets the covariate term.
        steps = self.network.supervised(*batch.inputs)
        step_losses = torch.stack([self.window_loss(f, batch.target, batch.mask) for f, _ in steps])
        loss = batch_loss(step_losses, batch.mask)
        if self.network.halting_head is not None:
            logits = torch.stack([h for _, h in steps])
            targets = halting_targets(step_losses.detach(), self.halt_tolerance)
            loss = loss + self.halt_weight * halting_loss(logits, targets)
        return loss

    def _validation_forecast(self, batch: Batch) -> Tensor:
        # Score all supervision steps of every window, whatever the halting head says.
        return self.network(*batch.inputs, use_halting=False)
