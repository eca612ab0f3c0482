"""A Lightning Trainer with tsrm's defaults: no log folders, no chatter unless asked."""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import lightning as L

_LIGHTNING_LOGGERS = ("lightning", "lightning.pytorch", "lightning.fabric")
# Where Lightning's info messages (among them a product advertisement) come from.
_RANK_ZERO_LOGGER = "lightning.pytorch.utilities.rank_zero"


class _NoAdverts(logging.Filter):
    """Drops Lightning's suggestion to install its cloud logging product, even when verbose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "litlogger" not in record.getMessage().lower()


@contextmanager
def quiet_lightning(verbose: bool) -> Iterator[None]:
    """Silence Lightning's info logs and its harmless warnings unless ``verbose``."""
    loggers = [logging.getLogger(name) for name in _LIGHTNING_LOGGERS]
    levels = [lg.level for lg in loggers]
    with warnings.catch_warnings():
        # Harmless with in-memory data: we index batches directly, no workers needed.
        warnings.filterwarnings("ignore", message=".*does not have many workers.*")
        warnings.filterwarnings("ignore", message=".*isinstance.treespec, LeafSpec.*")
        # Training without a validation split is a supported choice, not a mistake.
        warnings.filterwarnings(
            "ignore", message=".*validation_step.* but have no .val_dataloader.*"
        )
        if not verbose:
            for lg in loggers:
                lg.setLevel(logging.WARNING)
        adverts, rank_zero = _NoAdverts(), logging.getLogger(_RANK_ZERO_LOGGER)
        rank_zero.addFilter(adverts)
        try:
            yield
        finally:
            rank_zero.removeFilter(adverts)
            for lg, level in zip(loggers, levels, strict=True):
                lg.setLevel(level)


def make_trainer(
    max_epochs: int,
    verbose: bool,
    callbacks: list[L.Callback],
    trainer_kwargs: dict[str, Any] | None = None,
) -> L.Trainer:
    """Build a Trainer: progress bar only when ``verbose`` and on a terminal, no logger
    or checkpoint folders (pass ``logger=...`` in ``trainer_kwargs`` to get one)."""
    options: dict[str, Any] = {
        "max_epochs": max_epochs,
        "accelerator": "auto",
        "devices": 1,
        "logger": False,
        "enable_checkpointing": False,
        "enable_model_summary": False,
        "enable_progress_bar": bool(verbose and sys.stderr.isatty()),
        "num_sanity_val_steps": 0,
        "deterministic": True,
    }
    options.update(trainer_kwargs or {})
    options["callbacks"] = list(callbacks) + list(options.get("callbacks") or [])
    return L.Trainer(**options)
