"""Resumable training: one checkpoint per epoch, written atomically, with the RNG state.

A run killed at any moment (even SIGKILL while a checkpoint is being written) leaves
the previous complete checkpoint in place: the new one is written to a temporary
file and renamed over the old one, and a rename is atomic on POSIX file systems.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import lightning as L
import numpy as np
import torch
from lightning.pytorch.callbacks import Checkpoint

from tsrm.exceptions import TSRMInputError

CHECKPOINT_FILE, RUN_FILE = "last.ckpt", "run.json"


class EpochCheckpoint(Checkpoint):
    """Write ``<directory>/last.ckpt`` at the end of every training epoch.

    Lightning's checkpoint holds the weights, optimiser and scheduler state, the
    epoch and every callback's state (early stopping, best weights, history); this
    callback adds the random state (the shuffling generator and torch's global
    generator), so a resumed run draws exactly the batches and dropout masks the
    uninterrupted run would have. Being a ``Checkpoint``, Lightning runs it after
    the other end-of-epoch hooks.
    """

    def __init__(self, directory: str | Path, generator: torch.Generator | None = None) -> None:
        self.directory = Path(directory)
        self.generator = generator

    @property
    def path(self) -> Path:
        return self.directory / CHECKPOINT_FILE

    def on_train_epoch_end(self, trainer: L.Trainer, pl_module: L.LightningModule) -> None:
        tmp = self.directory / f".{CHECKPOINT_FILE}.{os.getpid()}.tmp"
        trainer.save_checkpoint(tmp)
        if trainer.is_global_zero:
            os.replace(tmp, self.path)

    def state_dict(self) -> dict[str, Any]:
        state = {"torch_rng": torch.get_rng_state()}
        if self.generator is not None:
            state["generator"] = self.generator.get_state()
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        torch.set_rng_state(state_dict["torch_rng"])
        if self.generator is not None and "generator" in state_dict:
            self.generator.set_state(state_dict["generator"])


def run_fingerprint(settings: dict[str, Any], arrays: Iterable[np.ndarray]) -> str:
    """A digest of what defines a training run: its settings and its data."""
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    for arr in arrays:
        digest.update(np.ascontiguousarray(arr).tobytes())
    return digest.hexdigest()


def prepare_run(directory: str | Path, fingerprint: str) -> Path | None:
    """Create ``directory`` for a run; return its checkpoint if it holds one of this run.

    A directory holding a *different* run (other settings or data) is refused rather
    than silently overwritten or, worse, resumed.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    run_file = directory / RUN_FILE
    if run_file.is_file():
        try:
            saved = json.loads(run_file.read_text()).get("fingerprint")
        except (ValueError, AttributeError):
            saved = None
        if saved != fingerprint:
            raise TSRMInputError(
                f"checkpoint_dir {str(directory)!r} holds a checkpoint of another run (other "
                "settings or data); pass an empty or new directory, or delete that one."
            )
    else:
        run_file.write_text(json.dumps({"fingerprint": fingerprint}))
    checkpoint = directory / CHECKPOINT_FILE
    return checkpoint if checkpoint.is_file() else None
