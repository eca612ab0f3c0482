"""Training of the TS-TRM network: losses over supervision steps, halting, optimiser, EMA."""

from __future__ import annotations

import lightning as L
import torch
import torch.nn.functional as F
from torch import Tensor

from tsrm.core import EMA, halting_loss
from tsrm.forecasting.network import TSTRMNetwork

LOSSES = ("mse", "mae", "huber")


def pointwise_loss(kind: str, forecast: Tensor, target: Tensor) -> Tensor:
    """Per-window loss, shape ``(batch,)``."""
    if kind == "mse":
        err = F.mse_loss(forecast, target, reduction="none")
    elif kind == "mae":
        err = F.l1_loss(forecast, target, reduction="none")
    else:
        err = F.huber_loss(forecast, target, reduction="none", delta=1.0)
    return err.mean(dim=-1)


def halting_targets(step_losses: Tensor, tolerance: float) -> Tensor:
    """1 where no later supervision step beats this one by more than ``tolerance`` (relative).

    ``step_losses`` has shape ``(steps, batch)``. Forecasts are never "exactly
    right", so the target is "refining further no longer pays".
    """
    best_from_here = step_losses.flip(0).cummin(0).values.flip(0)
    return (step_losses <= best_from_here * (1.0 + tolerance) + 1e-12).float()


class TSTRMLightning(L.LightningModule):
    """LightningModule around :class:`TSTRMNetwork`.

    The loss is the mean over supervision steps of the forecast loss (every
    step is supervised; the state is carried detached between them), plus
    ``halt_weight`` times the halting BCE when the network has a halting head.
    Validation scores the final step's forecast with MSE.
    """

    def __init__(
        self,
        network: TSTRMNetwork,
        learning_rate: float = 1e-3,
        weight_decay: float = 0.0,
        loss: str = "mse",
        halt_tolerance: float = 0.01,
        halt_weight: float = 0.5,
        ema_decay: float | None = None,
    ) -> None:
        super().__init__()
        self.network = network
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.loss_kind = loss
        self.halt_tolerance = halt_tolerance
        self.halt_weight = halt_weight
        self.ema = EMA(network, ema_decay) if ema_decay is not None else None

    def training_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> Tensor:
        window, target = batch
        steps = self.network.supervised(window)
        step_losses = torch.stack([pointwise_loss(self.loss_kind, f, target) for f, _ in steps])
        loss = step_losses.mean()
        if self.network.halting_head is not None:
            logits = torch.stack([h for _, h in steps])
            targets = halting_targets(step_losses.detach(), self.halt_tolerance)
            loss = loss + self.halt_weight * halting_loss(logits, targets)
        self.log(
            "train_loss", loss, on_step=False, on_epoch=True, prog_bar=True, batch_size=len(window)
        )
        return loss

    def on_train_batch_end(self, outputs, batch, batch_idx: int) -> None:
        if self.ema is not None:
            self.ema.update(self.network)

    def validation_step(self, batch: tuple[Tensor, Tensor], batch_idx: int) -> None:
        window, target = batch
        forecast = self.network(window, use_halting=False)
        self.log(
            "val_loss",
            F.mse_loss(forecast, target),
            on_step=False,
            on_epoch=True,
            prog_bar=True,
            batch_size=len(window),
        )

    # Validation (and the weights kept as "best") use the EMA weights when EMA is on.
    def on_validation_epoch_start(self) -> None:
        if self.ema is not None:
            self._raw = {k: v.clone() for k, v in self.network.state_dict().items()}
            self.ema.copy_to(self.network)

    def on_train_epoch_end(self) -> None:
        if self.ema is not None and getattr(self, "_raw", None) is not None:
            self.network.load_state_dict(self._raw)
            self._raw = None

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.AdamW(
            [p for p in self.network.parameters() if p.requires_grad],
            lr=self.learning_rate,
            weight_decay=self.weight_decay,
        )
