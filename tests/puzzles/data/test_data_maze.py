"""Maze data: text/tokens, BFS shortest paths, generator guarantees, dihedral augmentation."""

from __future__ import annotations

import numpy as np
import pytest

from tsrm.puzzles.data import maze as mz
from tsrm.puzzles.data.transforms import dihedral, inverse_dihedral

SMALL = ["S  #", "## #", "   G", " ## "]


def _brute_force_distance(maze):
    # Independent check: Bellman-Ford style relaxation over the open cells.
    h, w = maze.shape
    inf = h * w + 1
    dist = np.full((h, w), inf)
    dist[maze == mz.START] = 0
    open_ = maze != mz.WALL
    for _ in range(h * w):
        padded = np.pad(dist, 1, constant_values=inf)
        near = np.minimum.reduce(
            [padded[:-2, 1:-1], padded[2:, 1:-1], padded[1:-1, :-2], padded[1:-1, 2:]]
        )
        dist = np.where(open_, np.minimum(dist, near + 1), inf)
    value = dist[maze == mz.GOAL][0]
    return None if value >= inf else int(value)


def test_text_token_round_trip():
    grid = mz.parse_maze(SMALL)
    assert grid[0, 0] == mz.START and grid[0, 3] == mz.WALL and grid[0, 1] == mz.OPEN
    assert mz.format_maze(grid) == "\n".join(SMALL)
    assert np.array_equal(mz.parse_maze("\n".join(SMALL)), grid)
    assert np.array_equal(mz.decode_maze(mz.encode_maze(grid)), grid)
    with pytest.raises(ValueError, match="characters"):
        mz.parse_maze(["S x", "  G", "   "])
    with pytest.raises(ValueError, match="equal length"):
        mz.parse_maze(["S ", "  G"])


def test_solve_small_maze():
    label = mz.solve_maze(mz.parse_maze(SMALL))
    assert mz.format_maze(label).split("\n") == ["Soo#", "##o#", "  oG", " ## "]
    assert mz.count_shortest_paths(mz.parse_maze(SMALL)) == 1
    assert mz.is_shortest_path_label(mz.parse_maze(SMALL), label)


def test_unreachable_and_ambiguous():
    blocked = mz.parse_maze(["S#", "#G"])
    assert mz.shortest_path(blocked) is None
    assert mz.count_shortest_paths(blocked) == 0
    with pytest.raises(ValueError, match="cannot be reached"):
        mz.solve_maze(blocked)
    assert mz.count_shortest_paths(mz.parse_maze(["S ", " G"])) == 2
    with pytest.raises(ValueError, match="exactly one start"):
        mz.shortest_path(mz.parse_maze(["  ", " G"]))


def test_is_shortest_path_label_rejects_wrong_labels():
    maze = mz.parse_maze(["S   ", "  # ", "   G"])
    label = mz.solve_maze(maze)
    assert mz.is_shortest_path_label(maze, label)
    longer = mz.parse_maze(["Sooo", "  #o", "   G"])
    assert mz.is_shortest_path_label(maze, longer)  # another shortest path counts
    detour = mz.parse_maze(["Sooo", "o #o", "   G"])
    assert not mz.is_shortest_path_label(maze, detour)
    broken = mz.parse_maze(["Soo ", "  # ", "   G"])
    assert not mz.is_shortest_path_label(maze, broken)


@pytest.mark.parametrize("style", ["carved", "random"])
@pytest.mark.parametrize("size", [6, 8, 10])
def test_generator_path_is_shortest_and_long_enough(size, style):
    min_len = mz.default_min_path_len(size)
    for seed in range(8):
        maze, label = mz.generate_maze(size, style=style, seed=seed)
        assert maze.shape == label.shape == (size, size)
        assert (maze == mz.START).sum() == 1 and (maze == mz.GOAL).sum() == 1
        assert not (maze == mz.PATH).any()
        distance = _brute_force_distance(maze)
        n_marked = int((label == mz.PATH).sum())
        assert distance is not None and distance > min_len
        assert n_marked + 1 == distance  # moves = marked cells + 1
        assert mz.count_shortest_paths(maze) == 1
        assert mz.is_shortest_path_label(maze, label)
        np.testing.assert_array_equal(label[label != mz.PATH], maze[label != mz.PATH])
        again = mz.generate_maze(size, style=style, seed=seed)
        assert np.array_equal(again[0], maze)


def test_generator_30x30_paper_length():
    maze, label = mz.generate_maze(30, seed=0)
    assert mz.default_min_path_len(30) == 110
    assert int((label == mz.PATH).sum()) + 1 > 110


def test_generator_explicit_min_length_and_errors():
    maze, label = mz.generate_maze(8, 20, seed=3)
    assert int((label == mz.PATH).sum()) + 1 > 20
    with pytest.raises(ValueError, match="attempts"):
        mz.generate_maze(4, 50, seed=0, max_attempts=5)
    with pytest.raises(ValueError, match="style"):
        mz.generate_maze(6, style="spiral")


def test_dihedral_augmentation_inverse_and_validity():
    maze, label = mz.generate_maze(8, seed=5)
    images = set()
    for k in range(8):
        m, y = dihedral(maze, k), dihedral(label, k)
        images.add(m.tobytes())
        assert np.array_equal(dihedral(m, inverse_dihedral(k)), maze)
        assert np.array_equal(dihedral(y, inverse_dihedral(k)), label)
        assert mz.is_shortest_path_label(m, y)
    assert len(images) == 8
    rect = np.arange(6).reshape(2, 3)
    for k in range(8):
        assert np.array_equal(dihedral(dihedral(rect, k), inverse_dihedral(k)), rect)


def test_build_maze_sets():
    train, test = mz.build_maze(6, n_train=4, n_test=3, n_aug=3, seed=1)
    assert (len(train), len(test)) == (16, 3)
    assert train.seq_len == 36 and train.vocab_size == 6 and train.n_puzzle_ids == 1
    codes = np.array(train.metadata["dihedral"]).reshape(4, 4)
    assert (codes[:, 0] == 0).all() and all(len(set(row)) == 4 for row in codes)
    for ps in (train, test):
        for x, y in zip(ps.inputs, ps.labels, strict=True):
            assert mz.is_shortest_path_label(mz.decode_maze(x), mz.decode_maze(y))
    originals = {row.tobytes() for row in train.inputs[::4]}  # each group starts unaugmented
    assert not originals & {row.tobytes() for row in test.inputs}
    again, _ = mz.build_maze(6, n_train=4, n_test=3, n_aug=3, seed=1)
    assert np.array_equal(again.inputs, train.inputs)
    with pytest.raises(ValueError, match="n_aug"):
        mz.build_maze(6, n_train=1, n_test=1, n_aug=8)
