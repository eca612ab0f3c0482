"""Training of the puzzle TRM: streaming deep supervision, halting, EMA, optimiser."""

from __future__ import annotations

from dataclasses import dataclass

import lightning as L
import torch
import torch.nn.functional as F
from torch import Tensor

from tsrm.core import EMA, draw_min_steps, halting_with_exploration
from tsrm.puzzles.config import PuzzleConfig
from tsrm.puzzles.losses import exactly_right, stable_max_cross_entropy
from tsrm.puzzles.module import PuzzleTRM


@dataclass
class Carry:
    """What each batch slot keeps between optimiser steps (TRM's streaming training).

    A slot works on one puzzle for up to ``n_supervision`` optimiser steps, carrying
    its ``(y, z)`` forward detached; when it halts, the next batch refills it.
    """

    inputs: Tensor
    labels: Tensor
    puzzle_ids: Tensor
    y: Tensor
    z: Tensor
    steps: Tensor
    min_steps: Tensor
    halted: Tensor

    def state(self) -> dict[str, Tensor]:
        return {k: v.detach().cpu() for k, v in vars(self).items()}


class PuzzleTRMLightning(L.LightningModule):
    """One optimiser step per supervision step; slots refill when their puzzle halts.

    Parameters
    ----------
    config : PuzzleConfig
        Network and training recipe.
    seed : int
        Seeds the exploration draws (their generator state is checkpointed).
    """

    def __init__(self, config: PuzzleConfig, seed: int = 0) -> None:
        super().__init__()
        self.config = config
        self.model = PuzzleTRM(config)
        self.ema = EMA(self.model, config.ema_decay) if config.ema_decay > 0 else None
        self.carry: Carry | None = None
        self.explore_rng = torch.Generator().manual_seed(seed)

    # -- the training step ---------------------------------------------------
    def _refill(self, inputs: Tensor, labels: Tensor, puzzle_ids: Tensor) -> Carry:
        """Put new puzzles into halted slots (all of them on the first step)."""
        batch = inputs.shape[0]
        c = self.carry
        if c is None or c.inputs.shape[0] != batch:
            zeros = torch.zeros(batch, dtype=torch.long, device=inputs.device)
            halted = torch.ones(batch, dtype=torch.bool, device=inputs.device)
            c = Carry(inputs, labels, puzzle_ids, None, None, zeros, zeros, halted)  # type: ignore[arg-type]
        new = c.halted
        inputs = torch.where(new[:, None], inputs, c.inputs)
        labels = torch.where(new[:, None], labels, c.labels)
        puzzle_ids = torch.where(new, puzzle_ids, c.puzzle_ids)
        drawn = draw_min_steps(
            batch, self.config.n_supervision, self.config.halt_exploration, self.explore_rng
        ).to(inputs.device)
        min_steps = torch.where(new, drawn, c.min_steps)
        steps = torch.where(new, torch.zeros_like(c.steps), c.steps)
        return Carry(inputs, labels, puzzle_ids, c.y, c.z, steps, min_steps, new)

    def training_step(self, batch: tuple[Tensor, Tensor, Tensor], batch_idx: int) -> Tensor:
        c = self._refill(*batch)
        x = self.model.embed(c.inputs, c.puzzle_ids)
        y0, z0 = self.model.initial_state(x)
        if c.y is None:
            y, z = y0, z0
        else:
            y = torch.where(c.halted[:, None, None], y0, c.y)
            z = torch.where(c.halted[:, None, None], z0, c.z)
        y, z = self.model.step(x, y, z)

        logits = self.model.logits(y)
        halt_logit = self.model.halt_logit(y)
        with torch.no_grad():
            correct = exactly_right(logits.argmax(-1), c.labels)
        answer_loss = stable_max_cross_entropy(logits, c.labels)
        halt_loss = F.binary_cross_entropy_with_logits(halt_logit.float(), correct.float())
        loss = answer_loss + self.config.halt_loss_weight * halt_loss

        halted = halting_with_exploration(
            halt_logit.detach(), c.steps, self.config.n_supervision, min_steps=c.min_steps
        )
        self.carry = Carry(
            c.inputs, c.labels, c.puzzle_ids, y.detach(), z.detach(), c.steps + 1,
            c.min_steps, halted,
        )  # fmt: skip
        self.log_dict(
            {
                "loss": answer_loss.detach().float(),
                "halt_loss": halt_loss.detach(),
                "exact": correct.float().mean(),
                "halted": halted.float().mean(),
            },
            prog_bar=True,
            on_step=True,
            on_epoch=False,
            batch_size=x.shape[0],
        )
        return loss

    def optimizer_step(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().optimizer_step(*args, **kwargs)
        # Here, not in on_train_batch_end: checkpoint callbacks run before that hook,
        # and a checkpoint must hold the EMA of the weights it holds.
        if self.ema is not None:
            self.ema.update(self.model)

    # -- optimiser -----------------------------------------------------------
    def configure_optimizers(self):  # noqa: ANN201
        cfg = self.config
        embed = list(self.model.puzzle_embed.parameters()) if self.model.puzzle_embed else []
        embed_ids = {id(p) for p in embed}
        rest = [p for p in self.model.parameters() if id(p) not in embed_ids]
        groups = [{"params": rest, "lr": cfg.learning_rate}]
        if embed:
            groups.append({"params": embed, "lr": cfg.puzzle_emb_lr})
        optimizer = torch.optim.AdamW(groups, betas=(0.9, 0.95), weight_decay=cfg.weight_decay)
        warmup = max(cfg.warmup_steps, 1)
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda step: min(1.0, (step + 1) / warmup)
        )
        return {
            "optimizer": optimizer,
            "lr_scheduler": {"scheduler": scheduler, "interval": "step"},
        }

    # -- checkpoints: EMA, carry and exploration RNG travel with the weights --
    def on_fit_start(self) -> None:
        if self.ema is not None:
            for k, v in self.ema.shadow.items():
                self.ema.shadow[k] = v.to(self.device)
        if self.carry is not None:
            self.carry = Carry(**{k: v.to(self.device) for k, v in vars(self.carry).items()})

    def on_save_checkpoint(self, checkpoint: dict) -> None:
        if self.ema is not None:
            checkpoint["ema"] = self.ema.state_dict()
        checkpoint["explore_rng"] = self.explore_rng.get_state()
        if self.carry is not None:
            checkpoint["carry"] = self.carry.state()

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        if self.ema is not None and "ema" in checkpoint:
            self.ema.load_state_dict(checkpoint["ema"])
        if "explore_rng" in checkpoint:
            self.explore_rng.set_state(checkpoint["explore_rng"])
        if "carry" in checkpoint:
            self.carry = Carry(**checkpoint["carry"])
