"""Voting over augmented predictions and pass@k."""

from __future__ import annotations

import numpy as np
import pytest

from tsrm.puzzles.data.voting import mean_per_task, pass_at_k, rank_candidates, vote

A = np.array([[1, 2], [3, 4]])
B = np.array([[1, 2], [3, 5]])
C = np.array([[1, 2, 3]])


def test_majority_wins_over_confidence():
    top = vote([A, B, A, C, A], [0.1, 0.99, 0.1, 0.9, 0.1], k=1)
    assert len(top) == 1 and np.array_equal(top[0], A)


def test_ties_broken_by_mean_confidence():
    ranked = rank_candidates([A, B, B, A], [0.2, 0.9, 0.5, 0.3])
    assert [c.count for c in ranked] == [2, 2]
    assert np.array_equal(ranked[0].grid, B)
    assert ranked[0].mean_confidence == pytest.approx(0.7)
    # Equal count and confidence: first appearance first.
    assert np.array_equal(vote([B, A], [0.5, 0.5], k=1)[0], B)


def test_shape_matters_and_none_is_ignored():
    flat = A.reshape(1, 4)
    ranked = rank_candidates([A, flat, None, None, None])
    assert len(ranked) == 2 and all(c.count == 1 for c in ranked)
    assert vote([None, None]) == []


def test_pass_at_k():
    grids, conf = [A, A, B, C, C, C], [0.5] * 6
    assert pass_at_k(grids, conf, C, k=1)
    assert not pass_at_k(grids, conf, A, k=1)
    assert pass_at_k(grids, conf, A, k=2)
    assert not pass_at_k(grids, conf, B, k=2)
    assert pass_at_k(grids, conf, B, k=3)
    assert not pass_at_k([None], None, A, k=2)
    with pytest.raises(ValueError):
        vote([A], [0.1, 0.2])
    with pytest.raises(ValueError):
        vote([A], k=0)


def test_mean_per_task_weights_tasks_equally():
    assert mean_per_task({"t1": [True], "t2": [True, False, False, False]}) == pytest.approx(0.625)
    assert mean_per_task({}) == 0.0
