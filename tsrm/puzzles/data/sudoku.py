"""Sudoku: token encoding, an exact solver, a unique-solution generator, augmentations, builder.

Grids are ``(n, n)`` integer arrays with ``0`` for a blank and ``1..n`` for digits; boxes are
``r x c`` with ``r * c == n`` (4x4 -> 2x2, 6x6 -> 2 rows x 3 columns, 9x9 -> 3x3). Tokens
(the TRM paper's): pad 0, blank 1, digit ``d`` -> ``d + 1``; vocabulary ``n + 2``; a sequence is
the ``n * n`` cells in row-major order. The label is the full solution, every cell scored.

The solver keeps one candidate bitmask per cell, propagates naked and hidden singles, and
branches on a cell with the fewest candidates (minimum remaining values).
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tsrm._files import find_data_file
from tsrm.puzzles.data.puzzle_set import PuzzleSet

PAD_TOKEN = 0
BLANK_TOKEN = 1
DIGIT_OFFSET = 1  # digit d -> token d + 1

#: The shared tdoku lists (``<data_dir>/sudoku/<name>``), with their sha256.
SUDOKU_COLLECTIONS = {
    "puzzles2_17_clue": "2cf268735dfd40d32269b5f20ebbea067037e5976b4d016ce0b4d3c0a50deb30",
    "puzzles3_magictour_top1465": (
        "ca0369f516dac7dfdd987d2c310ac33dcfc7478db5171bea5bca1f3878758bce"
    ),
    "puzzles5_forum_hardest_1905_11+": (
        "56236eaf6c7445ea244db3423ec44a102349dbedf6e457af0fcdd3d07cf39996"
    ),
    "puzzles6_forum_hardest_1106": (
        "45d0afc5892d6797621d7c00f518df8f1483eceb921416984b8687e16128eb06"
    ),
}
_SOURCE = "tdoku data sets (github.com/t-dillon/tdoku, data.zip)"


# -- geometry --------------------------------------------------------------------------------
def box_shape(n: int) -> tuple[int, int]:
    """Box shape ``(rows, cols)`` of an ``n x n`` Sudoku: the most square factorisation.

    Parameters
    ----------
    n : int
        Side length, e.g. 4, 6, 9 (also 8, 12, 16, ...).

    Returns
    -------
    tuple of int
        ``(r, c)`` with ``r * c == n`` and ``r <= c``, e.g. ``(2, 3)`` for 6.

    Raises
    ------
    ValueError
        ``n`` has no factorisation with ``r >= 2`` (e.g. a prime).
    """
    n = int(n)
    r = max((d for d in range(2, math.isqrt(n) + 1) if n % d == 0), default=0)
    if n < 4 or r == 0:
        raise ValueError(f"No Sudoku of size {n}: the side must be r*c with 2 <= r <= c.")
    return r, n // r


_Units = tuple[tuple[tuple[int, ...], ...], ...]


@functools.cache
def _geometry(n: int) -> tuple[_Units, tuple[tuple[int, ...], ...]]:
    """For each cell: its three units (row, column, box) and its peers."""
    r, c = box_shape(n)
    rows = [tuple(i * n + j for j in range(n)) for i in range(n)]
    cols = [tuple(i * n + j for i in range(n)) for j in range(n)]
    boxes = [
        tuple((br * r + i) * n + bc * c + j for i in range(r) for j in range(c))
        for br in range(n // r)
        for bc in range(n // c)
    ]
    units, peers = [], []
    for cell in range(n * n):
        i, j = divmod(cell, n)
        box = boxes[(i // r) * (n // c) + j // c]
        cell_units = (rows[i], cols[j], box)
        units.append(cell_units)
        peers.append(tuple(sorted({p for u in cell_units for p in u} - {cell})))
    return tuple(units), tuple(peers)


def _as_grid(grid: np.ndarray | Iterable) -> np.ndarray:
    grid = np.asarray(grid)
    if grid.ndim != 2 or grid.shape[0] != grid.shape[1]:
        raise ValueError(f"A Sudoku grid must be square (n, n), got shape {grid.shape}.")
    n = grid.shape[0]
    box_shape(n)
    if not np.issubdtype(grid.dtype, np.integer) or grid.min() < 0 or grid.max() > n:
        raise ValueError(f"A {n}x{n} Sudoku holds integers 0 (blank) .. {n}.")
    return grid.astype(np.int64)


def is_valid_solution(puzzle: np.ndarray, solution: np.ndarray) -> bool:
    """Whether ``solution`` is a complete valid grid that agrees with every clue of ``puzzle``.

    Parameters
    ----------
    puzzle : ndarray of shape (n, n)
        Clues, 0 for blanks.
    solution : ndarray of shape (n, n)
        A candidate completion.

    Returns
    -------
    bool
        True when every row, column and box holds ``1..n`` once and the clues are kept.
    """
    puzzle, solution = _as_grid(puzzle), _as_grid(solution)
    n = puzzle.shape[0]
    if solution.shape != puzzle.shape:
        return False
    clues = puzzle > 0
    if not np.array_equal(solution[clues], puzzle[clues]):
        return False
    r, c = box_shape(n)
    full = np.arange(1, n + 1)
    boxes = solution.reshape(n // r, r, n // c, c).transpose(0, 2, 1, 3).reshape(n, n)
    return all(
        np.array_equal(np.sort(block, axis=1), np.broadcast_to(full, (n, n)))
        for block in (solution, solution.T, boxes)
    )


# -- solver ----------------------------------------------------------------------------------
def _propagate(cands: list[int], queue: list[tuple[int, int]], n: int) -> bool:
    """Apply the queued eliminations ``(cell, bit)`` and every single they imply.

    Returns False on a contradiction (a cell or a unit left without a place for a digit).
    """
    units, peers = _geometry(n)
    while queue:
        cell, bit = queue.pop()
        value = cands[cell]
        if not value & bit:
            continue
        value &= ~bit
        cands[cell] = value
        if not value:
            return False
        if not value & (value - 1):  # naked single: remove it from every peer
            for p in peers[cell]:
                if cands[p] & value:
                    queue.append((p, value))
        for unit in units[cell]:  # hidden single: `bit` has one place left in the unit
            place = -1
            for s in unit:
                if cands[s] & bit:
                    if place >= 0:
                        break
                    place = s
            else:
                if place < 0:
                    return False
                other = cands[place] & ~bit
                while other:
                    low = other & -other
                    queue.append((place, low))
                    other ^= low
    return True


def _initial(grid: np.ndarray) -> list[int] | None:
    n = grid.shape[0]
    full = (1 << n) - 1
    cands = [full] * (n * n)
    queue = []
    for cell, d in enumerate(grid.ravel().tolist()):
        if d:
            other = full & ~(1 << (d - 1))
            queue.extend((cell, 1 << b) for b in range(n) if other >> b & 1)
    return cands if _propagate(cands, queue, n) else None


def _search(
    cands: list[int], n: int, limit: int, out: list[list[int]], rng: np.random.Generator | None
) -> None:
    # Depth-first over the cell with the fewest candidates; stops once `limit` are found.
    best, best_count = -1, n + 1
    for cell, value in enumerate(cands):
        if value & (value - 1):
            count = value.bit_count()
            if count < best_count:
                best, best_count = cell, count
                if count == 2:
                    break
    if best < 0:
        out.append(cands)
        return
    value = cands[best]
    bits = [1 << b for b in range(n) if value >> b & 1]
    if rng is not None:
        bits = [bits[i] for i in rng.permutation(len(bits))]
    for bit in bits:
        child = cands.copy()
        other = value & ~bit
        queue = []
        while other:
            low = other & -other
            queue.append((best, low))
            other ^= low
        if _propagate(child, queue, n):
            _search(child, n, limit, out, rng)
            if len(out) >= limit:
                return


def _to_grid(cands: list[int], n: int) -> np.ndarray:
    return np.array([value.bit_length() for value in cands], dtype=np.int64).reshape(n, n)


def _solutions(grid: np.ndarray, limit: int, rng: np.random.Generator | None = None) -> list:
    n = grid.shape[0]
    cands = _initial(grid)
    out: list[list[int]] = []
    if cands is not None:
        _search(cands, n, limit, out, rng)
    return [_to_grid(c, n) for c in out]


def solve_sudoku(puzzle: np.ndarray) -> np.ndarray:
    """Solve a Sudoku exactly (the first solution found if there are several).

    Parameters
    ----------
    puzzle : ndarray of shape (n, n)
        0 for blanks, ``1..n`` for clues; ``n`` as accepted by :func:`box_shape`.

    Returns
    -------
    ndarray of shape (n, n)
        A completion of the clues, dtype int64.

    Raises
    ------
    ValueError
        The puzzle is malformed or has no solution.
    """
    grid = _as_grid(puzzle)
    found = _solutions(grid, 1)
    if not found:
        raise ValueError("The Sudoku has no solution (its clues contradict each other).")
    return found[0]


def count_solutions(puzzle: np.ndarray, limit: int = 2) -> int:
    """Number of solutions of a Sudoku, counting no further than ``limit``.

    Parameters
    ----------
    puzzle : ndarray of shape (n, n)
        0 for blanks, ``1..n`` for clues.
    limit : int
        Stop searching once this many are found (2 decides uniqueness).

    Returns
    -------
    int
        ``min(number of solutions, limit)``.
    """
    if limit < 1:
        raise ValueError(f"limit must be >= 1, got {limit}.")
    return len(_solutions(_as_grid(puzzle), limit))


# -- tokens and text ---------------------------------------------------------------------------
def sudoku_vocab_size(n: int = 9) -> int:
    """Vocabulary of an ``n x n`` Sudoku: pad, blank and ``n`` digits (11 for 9x9)."""
    return int(n) + 2


def encode_sudoku(grid: np.ndarray) -> np.ndarray:
    """Tokens of a grid: blank -> 1, digit ``d`` -> ``d + 1``, row-major.

    Parameters
    ----------
    grid : ndarray of shape (n, n)
        0 for blanks, ``1..n`` for digits.

    Returns
    -------
    ndarray of shape (n * n,)
        Tokens in ``1..n + 1``, dtype int64.
    """
    return _as_grid(grid).ravel() + DIGIT_OFFSET


def decode_sudoku(tokens: np.ndarray) -> np.ndarray:
    """Grid of a token sequence (inverse of :func:`encode_sudoku`).

    Parameters
    ----------
    tokens : ndarray of shape (n * n,)
        Tokens in ``1..n + 1``; the pad token is not accepted.

    Returns
    -------
    ndarray of shape (n, n)
        0 for blanks, ``1..n`` for digits.
    """
    tokens = np.asarray(tokens).ravel()
    n = math.isqrt(tokens.size)
    if n * n != tokens.size:
        raise ValueError(f"A Sudoku sequence has a square length, got {tokens.size}.")
    if tokens.size == 0 or tokens.min() < BLANK_TOKEN or tokens.max() > n + DIGIT_OFFSET:
        raise ValueError(f"Sudoku tokens of a {n}x{n} grid lie in 1..{n + 1}.")
    return _as_grid(tokens.reshape(n, n).astype(np.int64) - DIGIT_OFFSET)


def parse_sudoku(line: str) -> np.ndarray:
    """Grid of a one-line puzzle: ``n * n`` characters, ``'.'`` or ``'0'`` blank, digits 1-9.

    Parameters
    ----------
    line : str
        E.g. an 81-character 9x9 puzzle; surrounding whitespace is ignored. Sizes up to 9.

    Returns
    -------
    ndarray of shape (n, n)
        0 for blanks.

    Raises
    ------
    ValueError
        Wrong length or characters, or a digit larger than ``n``.
    """
    text = line.strip()
    n = math.isqrt(len(text))
    if n * n != len(text) or n not in (4, 6, 8, 9):
        raise ValueError(
            f"A Sudoku line has 16, 36, 64 or 81 characters (4x4 .. 9x9); got {len(text)}: "
            f"{text[:90]!r}."
        )
    bad = sorted(set(text) - set(".0123456789"))
    if bad:
        raise ValueError(f"A Sudoku line holds '.', '0' (blank) and 1-9; found {bad} in {text!r}.")
    grid = np.array([0 if ch == "." else int(ch) for ch in text], dtype=np.int64).reshape(n, n)
    if grid.max() > n:
        raise ValueError(f"A {n}x{n} Sudoku holds digits 1-{n}; found {grid.max()} in {text!r}.")
    return grid


def format_sudoku(grid: np.ndarray) -> str:
    """One-line text of a grid (``'.'`` for blanks), the inverse of :func:`parse_sudoku`."""
    grid = _as_grid(grid)
    if grid.shape[0] > 9:
        raise ValueError("format_sudoku writes one character per cell: sizes up to 9.")
    return "".join("." if d == 0 else str(d) for d in grid.ravel().tolist())


def read_sudoku_file(path: str | os.PathLike) -> np.ndarray:
    """Puzzles of a text file: one per line, ``#`` comment and blank lines skipped.

    Parameters
    ----------
    path : path-like
        The file.

    Returns
    -------
    ndarray of shape (P, n, n)
        Every puzzle, in file order.

    Raises
    ------
    ValueError
        A line is malformed (the message gives its number), sizes differ, or none is found.
    """
    grids = []
    with Path(path).open(encoding="ascii", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            try:
                grids.append(parse_sudoku(text))
            except ValueError as err:
                raise ValueError(f"{path}, line {number}: {err}") from None
    if not grids:
        raise ValueError(f"{path} holds no Sudoku puzzles.")
    if len({g.shape for g in grids}) > 1:
        raise ValueError(f"{path} mixes Sudoku sizes.")
    return np.stack(grids)


def load_sudoku_collection(
    name: str, data_dir: str | os.PathLike | None = None, *, verify: bool = True
) -> np.ndarray:
    """Puzzles of one shared tdoku list (``<data_dir>/sudoku/<name>``), without solutions.

    Parameters
    ----------
    name : str
        One of :data:`SUDOKU_COLLECTIONS`, e.g. ``"puzzles3_magictour_top1465"``.
    data_dir : path-like, optional
        Folder holding ``sudoku/``; else ``$TSRM_DATA_DIR``, then the user cache.
    verify : bool
        Check the file's sha256 against the known one.

    Returns
    -------
    ndarray of shape (P, 9, 9)
        The puzzles, 0 for blanks.

    Raises
    ------
    ValueError
        Unknown name, or the file is missing (``DatasetNotFoundError``) or corrupted.
    """
    if name not in SUDOKU_COLLECTIONS:
        raise ValueError(
            f"Unknown Sudoku collection {name!r}; known: {sorted(SUDOKU_COLLECTIONS)}."
        )
    path = find_data_file(
        f"sudoku/{name}",
        data_dir,
        sha256=SUDOKU_COLLECTIONS[name],
        verify=verify,
        what=f"Sudoku collection {name!r}",
        source=_SOURCE,
    )
    return read_sudoku_file(path)


# -- generator ---------------------------------------------------------------------------------
def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def random_solution_grid(n: int = 9, seed: int | np.random.Generator | None = None) -> np.ndarray:
    """A random complete ``n x n`` Sudoku grid (randomised exact search from an empty grid).

    Parameters
    ----------
    n : int
        Side length (4, 6, 9, ...).
    seed : int or numpy Generator, optional
        Randomness; the same seed gives the same grid.

    Returns
    -------
    ndarray of shape (n, n)
        Digits ``1..n``.
    """
    rng = _rng(seed)
    empty = np.zeros((n, n), dtype=np.int64)
    box_shape(n)
    return _solutions(empty, 1, rng)[0]


def generate_sudoku(
    n: int = 9,
    n_clues: int | None = None,
    seed: int | np.random.Generator | None = None,
    max_attempts: int = 20,
) -> tuple[np.ndarray, np.ndarray]:
    """A random puzzle with a unique solution, and that solution.

    A random full grid is drawn, then cells are blanked in random order, each kept blank only if
    the solution stays unique, until ``n_clues`` clues remain. Difficulty here is the number of
    blanks, ``n * n - n_clues``; with ``n_clues=None`` blanking goes on to a minimal puzzle (no
    clue can be removed).

    Parameters
    ----------
    n : int
        Side length: 4, 6 or 9 (other :func:`box_shape` sizes work but are slow beyond 9).
    n_clues : int, optional
        Clues to keep. Very low targets (below about 22 for 9x9, 8 for 6x6, 5 for 4x4) are
        rarely reachable by one removal pass and need retries.
    seed : int or numpy Generator, optional
        Randomness; the same seed gives the same puzzle.
    max_attempts : int
        Fresh full grids to try when a removal pass ends (at a minimal puzzle) above ``n_clues``.

    Returns
    -------
    puzzle, solution : ndarray of shape (n, n)
        ``puzzle`` has exactly ``n_clues`` clues (0 elsewhere) and exactly one solution.

    Raises
    ------
    ValueError
        ``n_clues`` is out of range or was not reached in ``max_attempts`` grids.
    """
    if n_clues is not None and not 0 <= n_clues <= n * n:
        raise ValueError(f"n_clues must lie in 0..{n * n}, got {n_clues}.")
    rng = _rng(seed)
    best = n * n
    for _ in range(max_attempts):
        solution = random_solution_grid(n, rng)
        puzzle = solution.copy()
        flat = puzzle.ravel()
        clues = n * n
        for cell in rng.permutation(n * n).tolist():
            if n_clues is not None and clues <= n_clues:
                break
            digit = flat[cell]
            flat[cell] = 0
            if len(_solutions(puzzle, 2)) == 1:
                clues -= 1
            else:
                flat[cell] = digit
        if n_clues is None or clues == n_clues:
            return puzzle, solution
        best = min(best, clues)
    raise ValueError(
        f"No {n}x{n} puzzle with {n_clues} clues in {max_attempts} attempts (fewest reached: "
        f"{best}); ask for more clues or more attempts."
    )


# -- augmentation ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SudokuTransform:
    """A validity-preserving Sudoku symmetry: relabel digits, transpose, shuffle bands/stacks.

    Parameters
    ----------
    digits : tuple of int
        ``digits[d - 1]`` is the new label of digit ``d`` (a permutation of ``1..n``).
    transpose : bool
        Transpose first; only meaningful for square boxes (an ``r x c`` box becomes ``c x r``).
    rows, cols : tuple of int
        Row and column orders taken after transposing: ``out = grid[rows][:, cols]``. They
        permute bands (stacks) and rows within bands (columns within stacks), so rows, columns
        and boxes map onto rows, columns and boxes.
    """

    digits: tuple[int, ...]
    transpose: bool
    rows: tuple[int, ...]
    cols: tuple[int, ...]

    def apply(self, grid: np.ndarray) -> np.ndarray:
        """Transform a grid (blanks stay blank).

        Parameters
        ----------
        grid : ndarray of shape (n, n)
            0 for blanks.

        Returns
        -------
        ndarray of shape (n, n)
            The transformed grid.
        """
        grid = _as_grid(grid)
        if grid.shape[0] != len(self.digits):
            raise ValueError(f"Transform is for {len(self.digits)}x{len(self.digits)} grids.")
        table = np.array((0, *self.digits), dtype=np.int64)
        out = grid.T if self.transpose else grid
        return table[out[np.ix_(self.rows, self.cols)]]


def _block_order(n_blocks: int, size: int, rng: np.random.Generator) -> tuple[int, ...]:
    # Permute the blocks, then the lines inside each block.
    return tuple(
        int(block * size + line)
        for block in rng.permutation(n_blocks)
        for line in rng.permutation(size)
    )


def random_sudoku_transform(
    n: int = 9, seed: int | np.random.Generator | None = None
) -> SudokuTransform:
    """Draw the paper's Sudoku augmentation for an ``n x n`` grid.

    Digit relabelling (a uniform permutation of ``1..n``), transpose with probability 0.5 (only
    when boxes are square, e.g. 4x4 and 9x9: transposing a 6x6 grid with 2x3 boxes turns them
    into 3x2 boxes, which is not a 6x6 Sudoku of the same kind), and uniform permutations of
    the bands, the rows within each band, the stacks and the columns within each stack.

    Parameters
    ----------
    n : int
        Side length.
    seed : int or numpy Generator, optional
        Randomness.

    Returns
    -------
    SudokuTransform
        Apply it to a puzzle and its solution alike.
    """
    rng = _rng(seed)
    r, c = box_shape(n)
    digits = tuple(int(d) + 1 for d in rng.permutation(n))
    transpose = bool(r == c and rng.random() < 0.5)
    # After the transpose bands are still r rows high (boxes are square whenever it happens).
    rows = _block_order(n // r, r, rng)
    cols = _block_order(n // c, c, rng)
    return SudokuTransform(digits=digits, transpose=transpose, rows=rows, cols=cols)


def augment_sudoku(
    puzzle: np.ndarray, solution: np.ndarray, seed: int | np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Apply one random :func:`random_sudoku_transform` to a puzzle and its solution.

    Parameters
    ----------
    puzzle, solution : ndarray of shape (n, n)
        A puzzle (0 blanks) and its solution.
    seed : int or numpy Generator, optional
        Randomness.

    Returns
    -------
    puzzle, solution : ndarray of shape (n, n)
        The transformed pair; still a valid puzzle and its solution.
    """
    transform = random_sudoku_transform(np.asarray(puzzle).shape[0], seed)
    return transform.apply(puzzle), transform.apply(solution)


# -- builder -----------------------------------------------------------------------------------
def _encode_pairs(puzzles: np.ndarray, solutions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    shape = (puzzles.shape[0], puzzles.shape[1] * puzzles.shape[2])
    return puzzles.reshape(shape) + DIGIT_OFFSET, solutions.reshape(shape) + DIGIT_OFFSET


def _apply_all(transforms: list[SudokuTransform], grids: np.ndarray) -> np.ndarray:
    out = [t.apply(g) for t, g in zip(transforms, grids, strict=True)]
    return np.array(out, dtype=np.int64).reshape(grids.shape)


def _sudoku_set(
    name: str,
    puzzles: np.ndarray,
    solutions: np.ndarray,
    example_ids: np.ndarray,
    metadata: dict,
) -> PuzzleSet:
    n = puzzles.shape[1]
    inputs, labels = _encode_pairs(puzzles, solutions)
    return PuzzleSet(
        name=name,
        inputs=inputs,
        labels=labels,
        puzzle_ids=np.zeros(len(inputs), dtype=np.int32),
        vocab_size=sudoku_vocab_size(n),
        n_puzzle_ids=1,
        example_ids=example_ids,
        metadata=metadata,
    )


def build_sudoku(
    source: str | np.ndarray = "generate",
    *,
    n_train: int = 1000,
    n_test: int | None = 1000,
    n_aug: int = 0,
    size: int = 9,
    n_clues: int | None = None,
    data_dir: str | os.PathLike | None = None,
    seed: int = 0,
    check_unique: bool = True,
) -> tuple[PuzzleSet, PuzzleSet]:
    """Train and test sets of Sudoku puzzles with solutions, the training part augmented.

    Parameters
    ----------
    source : {"generate"} or str or ndarray
        ``"generate"``: fresh puzzles from :func:`generate_sudoku` (``size``, ``n_clues``);
        a name in :data:`SUDOKU_COLLECTIONS`: that shared list, shuffled with ``seed``;
        an array ``(P, n, n)``: those puzzles, shuffled with ``seed``.
    n_train : int
        Training puzzles (before augmentation).
    n_test : int or None
        Test puzzles; ``None`` takes every remaining puzzle of a list (not for "generate").
    n_aug : int
        Augmented copies added per training puzzle (the paper: 1000); the original is kept.
        Test puzzles are never augmented.
    size : int
        Side length for ``"generate"`` (4, 6, 9).
    n_clues : int, optional
        Clue count for ``"generate"`` (``None``: minimal puzzles).
    data_dir : path-like, optional
        Where the shared lists are (see :func:`load_sudoku_collection`).
    seed : int
        Seeds generation, the shuffle and the augmentations.
    check_unique : bool
        For listed puzzles, raise when one has several solutions (its label would be arbitrary).

    Returns
    -------
    train, test : PuzzleSet
        Tokens as in :func:`encode_sudoku`; one puzzle identifier (0) for all rows;
        ``example_ids`` index the source puzzle (0.. for train, continuing for test).

    Raises
    ------
    ValueError
        Too few puzzles, an unsolvable or ambiguous puzzle, or bad arguments.
    """
    if n_train < 0 or (n_test is not None and n_test < 0) or n_aug < 0:
        raise ValueError("n_train, n_test and n_aug must be non-negative.")
    rng = np.random.default_rng(seed)
    if isinstance(source, str) and source == "generate":
        if n_test is None:
            raise ValueError("n_test=None (all remaining puzzles) needs a list, not 'generate'.")
        pairs = [generate_sudoku(size, n_clues, rng) for _ in range(n_train + n_test)]
        puzzles = np.array([p for p, _ in pairs], dtype=np.int64).reshape(-1, size, size)
        solutions = np.array([s for _, s in pairs], dtype=np.int64).reshape(-1, size, size)
        origin = {"source": "generate", "size": size, "n_clues": n_clues}
    else:
        if isinstance(source, str):
            listed = load_sudoku_collection(source, data_dir)
            origin = {"source": source}
        else:
            listed = np.asarray(source)
            if listed.ndim != 3:
                raise ValueError(f"source array must have shape (P, n, n), got {listed.shape}.")
            origin = {"source": "array"}
        n_total = n_train + (len(listed) - n_train if n_test is None else n_test)
        if n_total > len(listed) or n_total < n_train:
            raise ValueError(
                f"{len(listed)} puzzles cannot supply n_train={n_train} + n_test={n_test}."
            )
        order = rng.permutation(len(listed))[:n_total]
        puzzles = listed[order].astype(np.int64)
        solutions = np.empty_like(puzzles)
        for i, puzzle in enumerate(puzzles):
            found = _solutions(_as_grid(puzzle), 2 if check_unique else 1)
            if not found or len(found) > 1:
                kind = "no solution" if not found else "several solutions"
                raise ValueError(
                    f"Puzzle {format_sudoku(puzzle)!r} (index {int(order[i])}) has {kind}."
                )
            solutions[i] = found[0]
        origin["indices"] = order.tolist()
    meta = {**origin, "seed": seed, "n_aug": n_aug}

    train_p, train_s = puzzles[:n_train], solutions[:n_train]
    ids = [np.arange(n_train)]
    aug_p, aug_s = [train_p], [train_s]
    n = puzzles.shape[1]
    for _ in range(n_aug):
        transforms = [random_sudoku_transform(n, rng) for _ in range(n_train)]
        aug_p.append(_apply_all(transforms, train_p))
        aug_s.append(_apply_all(transforms, train_s))
        ids.append(np.arange(n_train))
    train = _sudoku_set(
        f"sudoku{n}-train",
        np.concatenate(aug_p),
        np.concatenate(aug_s),
        np.concatenate(ids),
        {**meta, "split": "train"},
    )
    test = _sudoku_set(
        f"sudoku{n}-test",
        puzzles[n_train:],
        solutions[n_train:],
        np.arange(n_train, len(puzzles)),
        {**meta, "split": "test"},
    )
    return train, test
