"""Callbacks: remember the best weights in memory, and record losses per epoch."""

from __future__ import annotations

import math

import lightning as L
import torch


class BestWeights(L.Callback):
    """Keep a copy of ``pl_module.network``'s weights at the best ``monitor`` value.

    Early stopping alone leaves the *last* weights, several epochs past the
    best, and those forecast measurably worse. Nothing is written to disk.
    """

    def __init__(self, monitor: str = "val_loss") -> None:
        self.monitor = monitor
        self.best_score = math.inf
        self.best_epoch: int | None = None
        self.best_state: dict[str, torch.Tensor] | None = None

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        score = trainer.callback_metrics.get(self.monitor)
        if score is None:
            return
        score = float(score)
        if score < self.best_score:
            self.best_score, self.best_epoch = score, trainer.current_epoch
            self.best_state = {
                k: v.detach().cpu().clone() for k, v in pl_module.network.state_dict().items()
            }

    # Saved in checkpoints, so that a resumed run still restores the best weights.
    def state_dict(self) -> dict:
        return {
            "best_score": self.best_score,
            "best_epoch": self.best_epoch,
            "best_state": self.best_state,
        }

    def load_state_dict(self, state_dict: dict) -> None:
        self.best_score = state_dict["best_score"]
        self.best_epoch = state_dict["best_epoch"]
        self.best_state = state_dict["best_state"]


class EpochHistory(L.Callback):
    """Record ``train_loss`` and ``val_loss`` (when present) at the end of every epoch."""

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {"train_loss": [], "val_loss": []}

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        for key in self.history:
            value = trainer.callback_metrics.get(key)
            if value is not None:
                self.history[key].append(float(value))

    def state_dict(self) -> dict:
        return {k: list(v) for k, v in self.history.items()}

    def load_state_dict(self, state_dict: dict) -> None:
        self.history = {k: list(v) for k, v in state_dict.items()}
