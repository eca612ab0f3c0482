"""Training of a point-forecast network: loss, validation MSE, AdamW, optional EMA weights."""

from __future__ import annotations

from typing import NamedTuple

import lightning as L
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from tsrm.core import EMA

LOSSES = ("mse", "mae", "huber")


def pointwise_loss(
    kind: str, forecast: Tensor, target: Tensor, mask: Tensor | None = None
) -> Tensor:
    """Per-window loss, shape ``(batch,)``: the mean over the horizon.

    With ``mask`` (1 where the target was observed, 0 where it is missing) the
    mean is over observed steps only; a window with none observed scores 0.
    """
    if kind == "mse":
        err = F.mse_loss(forecast, target, reduction="none")
    elif kind == "mae":
        err = F.l1_loss(forecast, target, reduction="none")
    else:
        err = F.huber_loss(forecast, target, reduction="none", delta=1.0)
    if mask is None:
        return err.mean(dim=-1)
    return (err * mask).sum(dim=-1) / mask.sum(dim=-1).clamp(min=1.0)


def pinball_window_loss(
    forecast: Tensor, target: Tensor, quantiles: Tensor, mask: Tensor | None = None
) -> Tensor:
    """Per-window pinball loss, shape ``(batch,)``, of multi-quantile forecasts.

    ``forecast`` holds one horizon per level, ``(batch, n_quantiles * horizon)``
    (level-major, as the quantile networks output it); ``target`` and ``mask``
    are ``(batch, horizon)``. The loss is the mean over levels of the pinball
    loss, then over (observed) horizon steps as in :func:`pointwise_loss`.
    """
    per_level = forecast.view(forecast.shape[0], len(quantiles), -1)
    diff = target.unsqueeze(1) - per_level
    q = quantiles.view(1, -1, 1)
    err = torch.maximum(q * diff, (q - 1.0) * diff).mean(dim=1)
    if mask is None:
        return err.mean(dim=-1)
    return (err * mask).sum(dim=-1) / mask.sum(dim=-1).clamp(min=1.0)


def batch_loss(window_losses: Tensor, mask: Tensor | None = None) -> Tensor:
    """Mean of per-window losses ``(..., batch)``, as one scalar.

    With ``mask`` ``(batch, horizon)`` windows are weighted by their observed target
    steps, so the result is the mean loss over every observed target value in the
    batch (missing ones count nowhere); 0 when nothing in the batch is observed.
    """
    if mask is None:
        return window_losses.mean()
    weight = mask.sum(dim=-1)
    return ((window_losses * weight).sum(dim=-1) / weight.sum().clamp(min=1.0)).mean()


class Batch(NamedTuple):
    """One training or validation batch, whatever the data carries.

    ``mask`` (1 where the target was observed) is None for data without missing
    values; ``covariates`` ``(batch, horizon, k)`` is None without covariates.
    """

    window: Tensor
    target: Tensor
    mask: Tensor | None = None
    covariates: Tensor | None = None

    @property
    def inputs(self) -> tuple[Tensor, ...]:
        """The network's positional inputs: the window, and the covariates if any."""
        return (self.window,) if self.covariates is None else (self.window, self.covariates)


class PointForecastModule(L.LightningModule):
    """LightningModule around any ``network(window) -> forecast``.

    Trains ``loss`` on the forecast, scores validation windows with MSE (logged
    as ``val_loss``, which early stopping and the best-weights callback watch)
    and optimises with AdamW. With ``ema_decay`` an exponential moving average
    of the weights is kept, validated and (without validation) returned.

    Subclasses with a richer training signal override :meth:`_training_loss`
    and :meth:`_validation_forecast`; the rest stays shared.

    Batches are ``(window, target)`` or, for data with missing values,
    ``(window, target, mask)``: missing target steps (mask 0) are left out of
    the training loss and of ``val_loss`` (see :func:`batch_loss`). A model with
    covariates gets ``(window, target, mask or None, covariates)`` and its
    network (a :class:`~tsrm.forecasting.neural.covariate_head.WithCovariates`) is called as
    ``network(window, covariates)``.

    Parameters
    ----------
    network : nn.Module
        Maps windows ``(batch, lookback)`` to forecasts ``(batch, horizon)``;
        the estimators read its trained weights from ``module.network``.
    learning_rate, weight_decay : float
        AdamW settings.
    loss : {"mse", "mae", "huber"}
        Training loss (Huber with delta 1 on the scaled series).
    ema_decay : float or None
        Decay of the weight average (warmed up, see :class:`~tsrm.core.EMA`), or ``None``
        for no EMA.
    lr_decay : float or None
        Multiply the learning rate by this after every epoch (DLinear's paper
        halves it: 0.5), or ``None`` for a constant rate.
    quantiles : tuple of float or None
        Quantile levels the network forecasts (its output is one horizon per
        level, level-major): training and validation then use the pinball loss
        instead of ``loss`` and MSE. ``None``: a point forecast.
    """

    def __init__(
        self,
        network: nn.Module,
        learning_rate: float = 1e-3,
        weight_decay: float = 0.0,
        loss: str = "mse",
        ema_decay: float | None = None,
        lr_decay: float | None = None,
        quantiles: tuple[float, ...] | None = None,
    ) -> None:
        super().__init__()
        self.lr_decay = lr_decay
        self.network = network
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.loss_kind = loss
        self.ema = EMA(network, ema_decay, warmup=True) if ema_decay is not None else None
        self._raw: dict[str, Tensor] | None = None
        # A buffer, so it follows the module to the training device.
        levels = torch.tensor(quantiles or (), dtype=torch.float32)
        self.register_buffer("quantile_levels", levels, persistent=False)

    def window_loss(
        self, forecast: Tensor, target: Tensor, mask: Tensor | None = None, kind: str | None = None
    ) -> Tensor:
        """Per-window training loss, ``(batch,)``: pinball for quantile networks, else ``kind``
        (default the training loss)."""
        if len(self.quantile_levels):
            return pinball_window_loss(forecast, target, self.quantile_levels, mask)
        return pointwise_loss(kind or self.loss_kind, forecast, target, mask)

    # -- hooks for subclasses ---------------------------------------------------
    def _training_loss(self, batch: Batch) -> Tensor:
        forecast = self.network(*batch.inputs)
        return batch_loss(self.window_loss(forecast, batch.target, batch.mask), batch.mask)

    def _validation_forecast(self, batch: Batch) -> Tensor:
        return self.network(*batch.inputs)

    # -- Lightning ------------------------------------------------------------------
    def training_step(self, batch: tuple[Tensor, ...], batch_idx: int) -> Tensor:
        batch = Batch(*batch)  # the loader's (window, target[, mask[, covariates]])
        window, loss = batch.window, self._training_loss(batch)
        self.log(
            "train_loss",
            loss,
            on_step=False,
            on_epoch=True,
            prog_bar=True,
            batch_size=len(window),
            sync_dist=True,  # under DDP: the mean over every process, the same in each
        )
        return loss

    def on_train_batch_end(self, outputs, batch, batch_idx: int) -> None:
        if self.ema is not None:
            self.ema.update(self.network)

    # The average is state of the run: a resumed run continues it where it stopped.
    def on_save_checkpoint(self, checkpoint: dict) -> None:
        if self.ema is not None:
            checkpoint["ema"] = {"shadow": self.ema.state_dict(), "updates": self.ema.updates}

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        if self.ema is not None and "ema" in checkpoint:
            self.ema.load_state_dict(checkpoint["ema"]["shadow"])
            self.ema.updates = int(checkpoint["ema"]["updates"])

    def validation_step(self, batch: tuple[Tensor, ...], batch_idx: int) -> None:
        batch = Batch(*batch)  # the loader's (window, target[, mask[, covariates]])
        window, target, mask = batch.window, batch.target, batch.mask
        forecast = self._validation_forecast(batch)
        if mask is None and not len(self.quantile_levels):
            loss = F.mse_loss(forecast, target)
        else:
            loss = batch_loss(self.window_loss(forecast, target, mask, kind="mse"), mask)
        self.log(
            "val_loss",
            loss,
            on_step=False,
            on_epoch=True,
            prog_bar=True,
            batch_size=len(window),
            sync_dist=True,  # under DDP, every process keeps the same best epoch and stops with it
        )

    # Validation (and the weights kept as "best") use the EMA weights when EMA is on.
    def on_validation_epoch_start(self) -> None:
        if self.ema is not None:
            self._raw = {k: v.clone() for k, v in self.network.state_dict().items()}
            self.ema.copy_to(self.network)

    def on_train_epoch_end(self) -> None:
        if self.ema is not None and self._raw is not None:
            self.network.load_state_dict(self._raw)
            self._raw = None

    def configure_optimizers(self):
        optimiser = torch.optim.AdamW(
            [p for p in self.network.parameters() if p.requires_grad],
            lr=self.learning_rate,
            weight_decay=self.weight_decay,
        )
        if self.lr_decay is None:
            return optimiser
        schedule = torch.optim.lr_scheduler.ExponentialLR(optimiser, gamma=self.lr_decay)
        return {
            "optimizer": optimiser,
            "lr_scheduler": {"scheduler": schedule, "interval": "epoch"},
        }
