"""The public API of tsrm.puzzles.data and the builders' edge cases."""

from __future__ import annotations

import numpy as np

import tsrm.puzzles.data as pdata


def test_public_names_resolve():
    assert all(hasattr(pdata, name) for name in pdata.__all__)


def test_empty_splits_and_save_load(tmp_path):
    train, test = pdata.build_sudoku("generate", size=4, n_train=2, n_test=0, seed=0)
    assert len(test) == 0 and test.seq_len == 16
    train_m, test_m = pdata.build_maze(6, n_train=0, n_test=2, n_aug=7, seed=0)
    assert len(train_m) == 0 and len(test_m) == 2
    for ps in (train, test, train_m, test_m):
        back = pdata.load_puzzle_set(ps.save(tmp_path / ps.name))
        assert np.array_equal(back.inputs, ps.inputs) and back.seq_len == ps.seq_len
