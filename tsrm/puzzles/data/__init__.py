"""Puzzle data builders: encodings, exact solvers, generators and augmentations (numpy only).

>>> from tsrm.puzzles.data import build_sudoku, build_maze, build_arc
>>> train, test = build_sudoku("generate", size=4, n_train=8, n_test=4, n_aug=2)
>>> train.inputs.shape, train.vocab_size
((24, 16), 6)
>>> train, test = build_maze(8, n_train=4, n_test=2, n_aug=7)  # doctest: +SKIP
>>> train, test = build_arc("ARC-AGI-1", n_aug=8, data_dir="path/to/data")  # doctest: +SKIP

Every builder returns ``(train, test)`` :class:`PuzzleSet` objects (``inputs``/``labels`` of
shape ``(N, seq_len)``, ``puzzle_ids``, ``example_ids``, ``vocab_size``, ``n_puzzle_ids``,
``metadata``), saved and loaded pickle-free with :meth:`PuzzleSet.save` / :func:`load_puzzle_set`.
Shared data (Sudoku lists, the ARC zip) is found through ``data_dir``, then ``TSRM_DATA_DIR``,
then the user cache.
"""

from tsrm.puzzles.data.arc import (
    ARC_VOCAB_SIZE,
    ArcAugmentation,
    ArcTask,
    arc_puzzle_table,
    build_arc,
    build_arc_from_tasks,
    decode_grid,
    encode_grid,
    evaluate_arc,
    load_arc_tasks,
)
from tsrm.puzzles.data.maze import (
    MAZE_VOCAB_SIZE,
    build_maze,
    count_shortest_paths,
    decode_maze,
    encode_maze,
    format_maze,
    generate_maze,
    is_shortest_path_label,
    parse_maze,
    shortest_path,
    solve_maze,
)
from tsrm.puzzles.data.puzzle_set import (
    IGNORE_LABEL,
    PuzzleSet,
    concatenate_puzzle_sets,
    load_puzzle_set,
    save_puzzle_set,
)
from tsrm.puzzles.data.sudoku import (
    SudokuTransform,
    augment_sudoku,
    build_sudoku,
    count_solutions,
    decode_sudoku,
    encode_sudoku,
    format_sudoku,
    generate_sudoku,
    is_valid_solution,
    load_sudoku_collection,
    parse_sudoku,
    random_sudoku_transform,
    read_sudoku_file,
    solve_sudoku,
    sudoku_vocab_size,
)
from tsrm.puzzles.data.transforms import dihedral, inverse_dihedral
from tsrm.puzzles.data.voting import Candidate, mean_per_task, pass_at_k, rank_candidates, vote

__all__ = [
    "ARC_VOCAB_SIZE",
    "ArcAugmentation",
    "ArcTask",
    "Candidate",
    "IGNORE_LABEL",
    "MAZE_VOCAB_SIZE",
    "PuzzleSet",
    "SudokuTransform",
    "arc_puzzle_table",
    "augment_sudoku",
    "build_arc",
    "build_arc_from_tasks",
    "build_maze",
    "build_sudoku",
    "concatenate_puzzle_sets",
    "count_shortest_paths",
    "count_solutions",
    "decode_grid",
    "decode_maze",
    "decode_sudoku",
    "dihedral",
    "encode_grid",
    "encode_maze",
    "encode_sudoku",
    "evaluate_arc",
    "format_maze",
    "format_sudoku",
    "generate_maze",
    "generate_sudoku",
    "inverse_dihedral",
    "is_shortest_path_label",
    "is_valid_solution",
    "load_arc_tasks",
    "load_puzzle_set",
    "load_sudoku_collection",
    "mean_per_task",
    "parse_maze",
    "parse_sudoku",
    "pass_at_k",
    "random_sudoku_transform",
    "rank_candidates",
    "read_sudoku_file",
    "save_puzzle_set",
    "shortest_path",
    "solve_maze",
    "solve_sudoku",
    "sudoku_vocab_size",
    "vote",
]
