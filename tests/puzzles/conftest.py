"""Tiny puzzle TRMs, a toy task, and the shared data folder (skipped locally, required on CI)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from tsrm.puzzles.config import PuzzleConfig

TINY = dict(
    vocab_size=6,
    seq_len=12,
    hidden_dim=16,
    n_heads=2,
    expansion=2.0,
    multiple_of=16,
    n_recursions=1,
    n_cycles=2,
    n_supervision=3,
    prefix_len=2,
    batch_size=32,
    warmup_steps=5,
    learning_rate=3e-3,
    weight_decay=0.1,
    ema_decay=0.9,
)


def make_tiny_config(**changes) -> PuzzleConfig:
    return PuzzleConfig(**{**TINY, **changes})


def toy_task(n: int = 256, seq_len: int = 12, seed: int = 0) -> SimpleNamespace:
    """Each answer token is a fixed function of its input token: learnable in a few steps."""
    rng = np.random.default_rng(seed)
    inputs = rng.integers(1, 6, (n, seq_len))
    return SimpleNamespace(
        inputs=inputs, labels=(inputs * 2) % 6, puzzle_ids=np.zeros(n, dtype=np.int64)
    )


@pytest.fixture
def toy():
    return toy_task()


@pytest.fixture(scope="session")
def tiny_config():
    """Factory: ``tiny_config(**changes)`` -> a tiny PuzzleConfig for the toy task."""
    return make_tiny_config


@pytest.fixture(scope="session")
def sudoku_data_dir(shared_data) -> Path:
    """Folder holding ``sudoku/`` (the shared tdoku lists)."""
    return shared_data("sudoku/puzzles3_magictour_top1465")


@pytest.fixture(scope="session")
def arc_data_dir(shared_data) -> Path:
    """Folder holding ``arc/arc_puzzles.zip``."""
    return shared_data("arc/arc_puzzles.zip")
