"""Majority voting over augmented predictions, pass@k, and per-task averaging (ARC scoring).

Each augmented version of one test input yields a predicted grid (already mapped back through
the inverse augmentation) and a confidence (the model's halting probability). Identical grids
are grouped and ranked by how many versions predicted them, then by their mean confidence,
then by first appearance; pass@k asks whether the target is among the top ``k``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Candidate:
    """One distinct predicted grid and its votes.

    Parameters
    ----------
    grid : ndarray
        The prediction.
    count : int
        How many augmented versions predicted it.
    mean_confidence : float
        Mean confidence of those versions.
    """

    grid: np.ndarray
    count: int
    mean_confidence: float


def _key(grid: np.ndarray) -> tuple:
    grid = np.asarray(grid)
    return grid.shape, grid.astype(np.int64).tobytes()


def rank_candidates(
    grids: Sequence[np.ndarray | None], confidences: Sequence[float] | None = None
) -> list[Candidate]:
    """Group identical predictions and rank them by (count, mean confidence), best first.

    Parameters
    ----------
    grids : sequence of ndarray or None
        One prediction per augmented version; None (an undecodable output) casts no vote.
    confidences : sequence of float, optional
        One per prediction; all equal when omitted.

    Returns
    -------
    list of Candidate
        Distinct grids; ties in count and mean confidence keep first-appearance order.
    """
    if confidences is None:
        confidences = [0.0] * len(grids)
    if len(confidences) != len(grids):
        raise ValueError(f"{len(grids)} predictions but {len(confidences)} confidences.")
    groups: dict[tuple, list] = {}
    for grid, confidence in zip(grids, confidences, strict=True):
        if grid is None:
            continue
        entry = groups.setdefault(_key(grid), [np.asarray(grid), 0, 0.0])
        entry[1] += 1
        entry[2] += float(confidence)
    candidates = [Candidate(g, n, total / n) for g, n, total in groups.values()]
    # sorted() is stable, so equal keys stay in order of first appearance.
    return sorted(candidates, key=lambda c: (-c.count, -c.mean_confidence))


def vote(
    grids: Sequence[np.ndarray | None], confidences: Sequence[float] | None = None, k: int = 2
) -> list[np.ndarray]:
    """The top ``k`` distinct predictions by :func:`rank_candidates`.

    Parameters
    ----------
    grids : sequence of ndarray or None
        One prediction per augmented version.
    confidences : sequence of float, optional
        One per prediction.
    k : int
        Attempts allowed.

    Returns
    -------
    list of ndarray
        At most ``k`` grids, best first.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}.")
    return [c.grid for c in rank_candidates(grids, confidences)[:k]]


def pass_at_k(
    grids: Sequence[np.ndarray | None],
    confidences: Sequence[float] | None,
    target: np.ndarray,
    k: int = 2,
) -> bool:
    """Whether the target is among the top ``k`` voted predictions (exact match, shape included).

    Parameters
    ----------
    grids : sequence of ndarray or None
        One prediction per augmented version.
    confidences : sequence of float or None
        One per prediction.
    target : ndarray
        The expected grid.
    k : int
        Attempts allowed (ARC: 2).

    Returns
    -------
    bool
        True when one of the top ``k`` equals ``target``.
    """
    want = _key(target)
    return any(_key(grid) == want for grid in vote(grids, confidences, k))


def mean_per_task(solved: Mapping[str, Sequence[bool]]) -> float:
    """Score averaged per task: each task counts the fraction of its test inputs solved.

    Parameters
    ----------
    solved : mapping of str to sequence of bool
        For each task, whether each of its test inputs was solved.

    Returns
    -------
    float
        Mean over tasks of the per-task fractions (0.0 for no tasks).
    """
    scores = [float(np.mean(flags)) for flags in solved.values() if len(flags)]
    return float(np.mean(scores)) if scores else 0.0
