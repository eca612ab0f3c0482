"""Train and evaluate a puzzle TRM through Lightning; checkpoints resume a run exactly."""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import lightning as L
import numpy as np
import torch
from torch.utils.data import DataLoader, Sampler, TensorDataset

from tsrm._trainer import make_trainer, quiet_lightning
from tsrm.puzzles.config import PuzzleConfig
from tsrm.puzzles.lightning_module import PuzzleTRMLightning
from tsrm.puzzles.losses import IGNORE_LABEL, exactly_right, token_accuracy
from tsrm.puzzles.module import PuzzleTRM


class PuzzleData(Protocol):
    """Anything with integer arrays ``inputs``, ``labels`` (N, seq_len) and ``puzzle_ids`` (N,)."""

    inputs: np.ndarray
    labels: np.ndarray
    puzzle_ids: np.ndarray


def as_tensors(data: PuzzleData, config: PuzzleConfig) -> TensorDataset:
    """Check puzzle arrays against ``config`` and wrap them as a TensorDataset."""
    inputs, labels = np.asarray(data.inputs), np.asarray(data.labels)
    ids = getattr(data, "puzzle_ids", None)
    ids = np.zeros(len(inputs), dtype=np.int64) if ids is None else np.asarray(ids)
    for name, arr in (("inputs", inputs), ("labels", labels), ("puzzle_ids", ids)):
        if not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"Puzzle {name} must be integer token ids, got dtype {arr.dtype}.")
    if inputs.ndim != 2 or inputs.shape[1] != config.seq_len or labels.shape != inputs.shape:
        raise ValueError(
            f"Puzzle inputs and labels must both have shape (n, {config.seq_len}); got "
            f"{inputs.shape} and {labels.shape}. Build the data with the config's seq_len."
        )
    if ids.shape != (len(inputs),):
        raise ValueError(f"puzzle_ids must have shape ({len(inputs)},), got {ids.shape}.")
    if len(inputs) == 0:
        raise ValueError("No puzzles given: the data set is empty.")
    scored = labels[labels != IGNORE_LABEL]
    for name, arr in (("inputs", inputs), ("labels", scored)):
        if arr.size and (arr.min() < 0 or arr.max() >= config.vocab_size):
            raise ValueError(
                f"Puzzle {name} hold tokens outside [0, {config.vocab_size}); "
                f"set vocab_size to match the data."
            )
    if ids.min() < 0 or ids.max() >= config.n_puzzle_ids:
        raise ValueError(
            f"puzzle_ids must lie in [0, {config.n_puzzle_ids}); set n_puzzle_ids to the "
            "number of puzzle identifiers of the data."
        )
    return TensorDataset(
        torch.as_tensor(inputs, dtype=torch.long),
        torch.as_tensor(labels, dtype=torch.long),
        torch.as_tensor(ids, dtype=torch.long),
    )


class EpochShuffle(Sampler[int]):
    """Shuffle by ``(seed, epoch)`` so a run resumed at an epoch sees the same order."""

    def __init__(self, n: int, seed: int) -> None:
        self.n, self.seed, self.epoch = n, seed, 0

    def set_epoch(self, epoch: int) -> None:  # Lightning calls this every epoch
        self.epoch = epoch

    def __iter__(self) -> Iterator[int]:
        g = torch.Generator().manual_seed(self.seed * 100_003 + self.epoch)
        return iter(torch.randperm(self.n, generator=g).tolist())

    def __len__(self) -> int:
        return self.n


def train(
    config: PuzzleConfig,
    data: PuzzleData,
    *,
    max_steps: int,
    seed: int = 0,
    checkpoint_dir: str | Path | None = None,
    checkpoint_every_epochs: int = 1,
    resume_from: str | Path | None = None,
    verbose: bool = False,
    trainer_kwargs: dict[str, Any] | None = None,
) -> PuzzleTRMLightning:
    """Train a puzzle TRM for ``max_steps`` optimiser steps.

    Every step is one supervision step of every batch slot (TRM's streaming
    training). On a GPU the forward runs in bf16 autocast with fp32 weights; on a
    CPU in fp32. Pass ``trainer_kwargs={"devices": 4, "strategy": "ddp"}`` for
    several GPUs (each gets ``config.batch_size`` slots).

    Parameters
    ----------
    config : PuzzleConfig
        Network and training recipe.
    data : PuzzleData
        Training puzzles (e.g. from :func:`tsrm.puzzles.data.build_sudoku`).
    max_steps : int
        Optimiser steps to run in total (a resumed run counts the steps before).
    seed : int
        Seeds the weights, the shuffling and the halting exploration.
    checkpoint_dir, checkpoint_every_epochs : path, int
        Where and how often (at epoch ends) to write checkpoints; ``last.ckpt`` is the
        newest. They hold the weights, EMA weights, optimiser and scheduler state, the
        step, the streaming carry and the exploration generator, so a run resumed from
        one ends with exactly the weights of an uninterrupted run. (Epoch ends, because
        a mid-epoch resume would restart that epoch's data order.)
    resume_from : path, optional
        A checkpoint to continue from; loaded with ``weights_only=True`` (no code runs).
    """
    if max_steps < 1:
        raise ValueError(f"max_steps must be >= 1, got {max_steps}.")
    dataset = as_tensors(data, config)
    if len(dataset) < config.batch_size:
        raise ValueError(
            f"{len(dataset)} training puzzles are fewer than batch_size={config.batch_size}; "
            "lower batch_size or add puzzles."
        )
    L.seed_everything(seed, workers=True, verbose=False)
    module = PuzzleTRMLightning(config, seed=seed)
    loader = DataLoader(
        dataset,
        batch_size=config.batch_size,
        sampler=EpochShuffle(len(dataset), seed),
        drop_last=True,  # every step has the full set of slots
    )
    callbacks: list[L.Callback] = []
    if checkpoint_dir is not None or resume_from is not None:
        # Lightning restores callback state only for the callbacks the run was saved with.
        checkpoint_dir = checkpoint_dir or Path(resume_from).parent
        callbacks.append(
            L.pytorch.callbacks.ModelCheckpoint(
                dirpath=str(checkpoint_dir),
                filename="step{step}",
                # At the last step of every k-th epoch (an epoch-end hook fires after
                # Lightning has already counted the epoch and resumes one epoch late).
                every_n_train_steps=checkpoint_every_epochs * len(loader),
                save_last=True,
                save_top_k=-1,
                auto_insert_metric_name=False,
            )
        )
    options: dict[str, Any] = {
        "max_steps": max_steps,
        "enable_checkpointing": checkpoint_dir is not None,
        "deterministic": False,  # scatter/index ops of the carry have no deterministic CUDA kernel
    }
    if torch.cuda.is_available():
        options["precision"] = "bf16-mixed"
    options.update(trainer_kwargs or {})
    with quiet_lightning(verbose), warnings.catch_warnings():
        # Resuming writes into the folder of the checkpoint it resumes from, on purpose.
        warnings.filterwarnings("ignore", message=".*exists and is not empty.*")
        trainer = make_trainer(-1, verbose, callbacks, options)
        trainer.fit(
            module,
            loader,
            ckpt_path=str(resume_from) if resume_from is not None else None,
            weights_only=True,
        )
    return module


def trained_model(module: PuzzleTRMLightning, use_ema: bool = True) -> PuzzleTRM:
    """A stand-alone copy of the trained network, with the EMA weights by default."""
    model = copy.deepcopy(module.model).cpu().eval()
    if use_ema and module.ema is not None:
        module.ema.copy_to(model)
    return model


@torch.no_grad()
def predict(
    model: PuzzleTRM, data: PuzzleData, *, halt: bool = False, batch_size: int = 256
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Answers of every puzzle: ``(tokens (N, seq_len), steps used (N,), halting confidence (N,))``.

    ``halt=False`` runs every supervision step (the official evaluation);
    ``halt=True`` stops each puzzle when its halting head says so.
    """
    dataset = as_tensors(data, model.config)
    model = model.eval()
    device = next(model.parameters()).device
    tokens, steps, confidence = [], [], []
    for inputs, _, ids in DataLoader(dataset, batch_size=batch_size):
        predicted, used, halt_logit = model.solve(inputs.to(device), ids.to(device), halt=halt)
        tokens.append(predicted.cpu())
        steps.append(used.cpu())
        confidence.append(torch.sigmoid(halt_logit.float()).cpu())
    return torch.cat(tokens).numpy(), torch.cat(steps).numpy(), torch.cat(confidence).numpy()


def evaluate(
    model: PuzzleTRM, data: PuzzleData, *, halt: bool = False, batch_size: int = 256
) -> dict[str, float]:
    """Exact-answer accuracy, token accuracy and mean supervision steps (see :func:`predict`)."""
    tokens, steps, _ = predict(model, data, halt=halt, batch_size=batch_size)
    predicted = torch.as_tensor(tokens)
    labels = torch.as_tensor(np.asarray(data.labels), dtype=torch.long)
    return {
        "exact_accuracy": exactly_right(predicted, labels).double().mean().item(),
        "token_accuracy": token_accuracy(predicted, labels).mean().item(),
        "mean_steps": float(np.mean(steps)),
        "n_puzzles": len(labels),
    }
