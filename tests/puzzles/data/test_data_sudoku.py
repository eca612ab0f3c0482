"""Sudoku data: solver, solution counter, generator, augmentations, tokens and the builder."""

from __future__ import annotations

import numpy as np
import pytest

from tsrm.puzzles.data import sudoku as sd

# A classic puzzle with a unique solution (Project Euler's first grid).
EASY = "..3.2.6..9..3.5..1..18.64....81.29..7.......8..67.82....26.95..8..2.3..9..5.1.3.."
# A hard one from the magictour list (needs search).
HARD = "4...3.......6..8..........1....5..9..8....6...7.2........1.27..5.3....4.9........"


@pytest.mark.parametrize("line", [EASY, HARD])
def test_solver_completes_the_clues(line):
    puzzle = sd.parse_sudoku(line)
    solution = sd.solve_sudoku(puzzle)
    assert sd.is_valid_solution(puzzle, solution)
    assert sd.count_solutions(puzzle) == 1


def test_is_valid_solution_rejects_broken_grids():
    puzzle = sd.parse_sudoku(EASY)
    solution = sd.solve_sudoku(puzzle)
    swapped = solution.copy()
    swapped[0, [0, 1]] = swapped[0, [1, 0]]  # rows still fine, columns broken
    assert not sd.is_valid_solution(puzzle * 0, swapped)
    other = solution.copy()
    other[puzzle == 0] = 0
    assert not sd.is_valid_solution(puzzle, other)  # blanks are not a solution


def _deadly_rectangle(solution):
    # Rows in one band, columns in two stacks, digits crossed: blanking the four cells leaves
    # exactly two completions (swap the pair).
    for r1 in range(9):
        for r2 in range(r1 + 1, (r1 // 3 + 1) * 3):
            for c1 in range(9):
                for c2 in range((c1 // 3 + 1) * 3, 9):
                    if (solution[r1, c1], solution[r1, c2]) == (solution[r2, c2], solution[r2, c1]):
                        return [r1, r2], [c1, c2]
    return None


def test_counter_detects_multiple_solutions():
    for seed in range(20):
        solution = sd.random_solution_grid(9, seed)
        found = _deadly_rectangle(solution)
        if found:
            break
    assert found, "no deadly rectangle in 20 random grids"
    puzzle = solution.copy()
    puzzle[np.ix_(*found)] = 0
    assert sd.count_solutions(puzzle, limit=2) == 2
    assert sd.count_solutions(puzzle, limit=10) == 2
    assert sd.count_solutions(np.zeros((4, 4), dtype=int), limit=5) == 5
    assert sd.count_solutions(np.zeros((4, 4), dtype=int), limit=1) == 1


def test_unsolvable_puzzle_raises():
    puzzle = sd.parse_sudoku(EASY)
    puzzle[0, 0] = 3  # a second 3 in row 0
    assert sd.count_solutions(puzzle) == 0
    with pytest.raises(ValueError, match="no solution"):
        sd.solve_sudoku(puzzle)


@pytest.mark.parametrize(
    "line, message",
    [
        ("1" * 80, "81 characters"),
        ("x" + EASY[1:], "found"),
        ("5..." + "." * 12, "digits 1-4"),
    ],
)
def test_parse_rejects_bad_lines(line, message):
    with pytest.raises(ValueError, match=message):
        sd.parse_sudoku(line)


def test_parse_accepts_zero_blanks_and_round_trips():
    grid = sd.parse_sudoku(EASY.replace(".", "0"))
    assert np.array_equal(grid, sd.parse_sudoku(EASY))
    assert sd.format_sudoku(grid) == EASY


def test_read_file_skips_comments_and_names_bad_line(tmp_path):
    good = tmp_path / "ok.txt"
    good.write_text(f"# comment\n{EASY}\r\n\n{HARD}\n")
    grids = sd.read_sudoku_file(good)
    assert grids.shape == (2, 9, 9)
    bad = tmp_path / "bad.txt"
    bad.write_text(f"{EASY}\n{EASY[:-1]}\n")
    with pytest.raises(ValueError, match="line 2"):
        sd.read_sudoku_file(bad)


def test_token_round_trip_and_vocabulary():
    puzzle = sd.parse_sudoku(EASY)
    tokens = sd.encode_sudoku(puzzle)
    assert tokens.shape == (81,)
    assert tokens.min() == sd.BLANK_TOKEN and tokens.max() <= 10
    assert (tokens[puzzle.ravel() == 0] == 1).all()
    assert np.array_equal(sd.decode_sudoku(tokens), puzzle)
    assert sd.sudoku_vocab_size(9) == 11 and sd.sudoku_vocab_size(6) == 8
    with pytest.raises(ValueError):
        sd.decode_sudoku(np.zeros(81, dtype=int))  # pad is not a cell


@pytest.mark.parametrize("n, box", [(4, (2, 2)), (6, (2, 3)), (9, (3, 3))])
def test_box_shapes(n, box):
    assert sd.box_shape(n) == box


def test_box_shape_rejects_prime():
    with pytest.raises(ValueError):
        sd.box_shape(7)


@pytest.mark.parametrize("n, clues", [(4, 6), (6, 14), (9, 30)])
def test_generator_unique_requested_clues_deterministic(n, clues):
    for seed in range(3):
        puzzle, solution = sd.generate_sudoku(n, clues, seed=seed)
        assert puzzle.shape == (n, n)
        assert int((puzzle > 0).sum()) == clues
        assert sd.count_solutions(puzzle) == 1
        assert sd.is_valid_solution(puzzle, solution)
        again, _ = sd.generate_sudoku(n, clues, seed=seed)
        assert np.array_equal(puzzle, again)
    other, _ = sd.generate_sudoku(n, clues, seed=99)
    assert not np.array_equal(other, sd.generate_sudoku(n, clues, seed=0)[0])


def test_generator_minimal_puzzle_has_no_removable_clue():
    puzzle, _ = sd.generate_sudoku(6, None, seed=1)
    for cell in zip(*np.nonzero(puzzle), strict=True):
        fewer = puzzle.copy()
        fewer[cell] = 0
        assert sd.count_solutions(fewer) == 2


def test_generator_unreachable_target_raises():
    with pytest.raises(ValueError, match="attempts"):
        sd.generate_sudoku(4, 1, seed=0, max_attempts=2)


@pytest.mark.parametrize("n", [4, 6, 9])
def test_augmentation_keeps_pairs_valid_and_consistent(n):
    base_puzzle, base_solution = sd.generate_sudoku(n, None, seed=n)
    transposed = 0
    for seed in range(150):
        transform = sd.random_sudoku_transform(n, seed)
        puzzle, solution = transform.apply(base_puzzle), transform.apply(base_solution)
        assert sd.is_valid_solution(puzzle, solution)
        # Blanks move with their cells; clue count is unchanged.
        assert np.array_equal(puzzle == 0, transform.apply(base_solution * (base_puzzle > 0)) == 0)
        assert int((puzzle > 0).sum()) == int((base_puzzle > 0).sum())
        assert sorted(transform.digits) == list(range(1, n + 1))
        transposed += transform.transpose
    if n == 6:
        assert transposed == 0  # 2x3 boxes: never transposed
    else:
        assert 40 < transposed < 110


def test_augmentations_vary():
    puzzle, solution = sd.generate_sudoku(9, 30, seed=3)
    seen = {sd.augment_sudoku(puzzle, solution, seed)[0].tobytes() for seed in range(20)}
    assert len(seen) == 20


def test_build_generated_sets():
    train, test = sd.build_sudoku("generate", size=4, n_train=5, n_test=3, n_aug=2, seed=7)
    assert (len(train), len(test)) == (15, 3)
    assert train.seq_len == 16 and train.vocab_size == 6 and train.n_puzzle_ids == 1
    assert (train.puzzle_ids == 0).all()
    assert sorted(np.bincount(train.example_ids).tolist()) == [3] * 5
    assert set(test.example_ids.tolist()) == {5, 6, 7}
    for ps in (train, test):
        for x, y in zip(ps.inputs, ps.labels, strict=True):
            puzzle, solution = sd.decode_sudoku(x), sd.decode_sudoku(y)
            assert sd.is_valid_solution(puzzle, solution)
            assert (solution > 0).all()
    again, _ = sd.build_sudoku("generate", size=4, n_train=5, n_test=3, n_aug=2, seed=7)
    assert np.array_equal(train.inputs, again.inputs)


def test_build_from_array_and_bad_sizes():
    grids = np.stack([sd.generate_sudoku(4, 6, seed=s)[0] for s in range(4)])
    train, test = sd.build_sudoku(grids, n_train=3, n_test=None, seed=0)
    assert (len(train), len(test)) == (3, 1)
    with pytest.raises(ValueError, match="cannot supply"):
        sd.build_sudoku(grids, n_train=3, n_test=2)
    ambiguous = grids.copy()
    ambiguous[0] = 0
    with pytest.raises(ValueError, match="several solutions"):
        sd.build_sudoku(ambiguous, n_train=4, n_test=0)


def test_unknown_collection_and_missing_file(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="Unknown Sudoku collection"):
        sd.load_sudoku_collection("nope")
    monkeypatch.delenv("TSRM_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    with pytest.raises(ValueError, match="data_dir"):
        sd.load_sudoku_collection("puzzles3_magictour_top1465", data_dir=tmp_path)


def test_shared_magictour_list(sudoku_data_dir):
    puzzles = sd.load_sudoku_collection("puzzles3_magictour_top1465", sudoku_data_dir)
    assert puzzles.shape == (1465, 9, 9)
    for puzzle in puzzles[:: 1465 // 40]:
        assert sd.is_valid_solution(puzzle, sd.solve_sudoku(puzzle))
    train, test = sd.build_sudoku(
        "puzzles3_magictour_top1465", n_train=10, n_test=5, n_aug=1, data_dir=sudoku_data_dir
    )
    assert (len(train), len(test)) == (20, 5)
