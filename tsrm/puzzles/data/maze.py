"""Maze path-finding (Maze-Hard style): encoding, BFS shortest paths, a generator, builder.

A maze is an ``(n, n)`` array of tokens, one per cell, from the characters ``"# SGo"``:
wall ``'#'`` 1, open ``' '`` 2, start ``'S'`` 3, goal ``'G'`` 4, path ``'o'`` 5; pad is 0 and the
vocabulary 6. The input is the maze without a path; the label is the same grid with the cells of
the shortest start-goal path (4-neighbour moves) marked ``'o'``; start and goal keep ``S``/``G``.
Every cell is scored.

Path length is counted in moves: a path of length ``L`` marks ``L - 1`` cells ``'o'``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np

from tsrm.puzzles.data.puzzle_set import PuzzleSet
from tsrm.puzzles.data.transforms import dihedral

MAZE_CHARS = "# SGo"
PAD, WALL, OPEN, START, GOAL, PATH = 0, 1, 2, 3, 4, 5
MAZE_VOCAB_SIZE = 6
MAZE_STYLES = ("carved", "random")


def default_min_path_len(size: int) -> int:
    """Default minimum path length: the paper's ratio, 110 moves on 900 cells, scaled to the area.

    Parameters
    ----------
    size : int
        Side length.

    Returns
    -------
    int
        ``round(110 * size**2 / 900)``: 4 for 6x6, 8 for 8x8, 12 for 10x10, 110 for 30x30.
    """
    return round(110 * size * size / 900)


# -- text and tokens ---------------------------------------------------------------------------
def parse_maze(text: str | Sequence[str]) -> np.ndarray:
    """Tokens of a maze drawn with ``"# SGo"`` characters.

    Parameters
    ----------
    text : str or sequence of str
        Rows, as a list or one newline-separated string; all rows equally long.

    Returns
    -------
    ndarray of shape (h, w)
        Tokens 1..5, dtype int64.

    Raises
    ------
    ValueError
        Ragged rows or an unknown character.
    """
    rows = text.split("\n") if isinstance(text, str) else list(text)
    if not rows or len({len(r) for r in rows}) != 1 or not rows[0]:
        raise ValueError("A maze needs non-empty rows of equal length.")
    bad = sorted(set("".join(rows)) - set(MAZE_CHARS))
    if bad:
        raise ValueError(f"Maze characters are {MAZE_CHARS!r}; found {bad}.")
    table = {ch: i + 1 for i, ch in enumerate(MAZE_CHARS)}
    return np.array([[table[ch] for ch in row] for row in rows], dtype=np.int64)


def format_maze(grid: np.ndarray) -> str:
    """Newline-separated text of a token grid (inverse of :func:`parse_maze`)."""
    grid = _as_maze(grid)
    return "\n".join("".join(MAZE_CHARS[t - 1] for t in row) for row in grid.tolist())


def _as_maze(grid: np.ndarray) -> np.ndarray:
    grid = np.asarray(grid)
    if grid.ndim != 2 or grid.size == 0:
        raise ValueError(f"A maze is a non-empty 2-D token grid, got shape {grid.shape}.")
    if not np.issubdtype(grid.dtype, np.integer) or grid.min() < WALL or grid.max() > PATH:
        raise ValueError(f"Maze tokens lie in {WALL}..{PATH} ({MAZE_CHARS!r}).")
    return grid.astype(np.int64)


def encode_maze(grid: np.ndarray) -> np.ndarray:
    """Row-major token sequence of a maze grid.

    Parameters
    ----------
    grid : ndarray of shape (n, n)
        Tokens 1..5.

    Returns
    -------
    ndarray of shape (n * n,)
        The same tokens, flattened.
    """
    return _as_maze(grid).ravel()


def decode_maze(tokens: np.ndarray, size: int | None = None) -> np.ndarray:
    """Grid of a token sequence (inverse of :func:`encode_maze`).

    Parameters
    ----------
    tokens : ndarray of shape (n * n,)
        Tokens 1..5.
    size : int, optional
        Side length; by default the square root of the length.

    Returns
    -------
    ndarray of shape (n, n)
        The grid.
    """
    tokens = np.asarray(tokens).ravel()
    size = size or int(round(tokens.size**0.5))
    if size * size != tokens.size:
        raise ValueError(f"{tokens.size} tokens do not make a {size}x{size} maze.")
    return _as_maze(tokens.reshape(size, size))


# -- search ------------------------------------------------------------------------------------
def _bfs(passable: np.ndarray, source: int) -> tuple[list[int], list[int], list[int]]:
    """Distances, parents and shortest-path counts (capped at 2) from ``source`` (flat index)."""
    h, w = passable.shape
    ok = passable.ravel().tolist()
    dist, parent, count = [-1] * (h * w), [-1] * (h * w), [0] * (h * w)
    dist[source], count[source] = 0, 1
    queue = deque([source])
    while queue:
        cell = queue.popleft()
        r, c = divmod(cell, w)
        nxt = dist[cell] + 1
        # Fixed neighbour order (up, down, left, right): the tie-break between equal paths.
        steps = ((cell - w, r > 0), (cell + w, r < h - 1), (cell - 1, c > 0), (cell + 1, c < w - 1))
        for nb, inside in steps:
            if not inside or not ok[nb]:
                continue
            if dist[nb] < 0:
                dist[nb], parent[nb], count[nb] = nxt, cell, count[cell]
                queue.append(nb)
            elif dist[nb] == nxt:
                count[nb] = min(2, count[nb] + count[cell])
    return dist, parent, count


def _endpoints(grid: np.ndarray) -> tuple[int, int]:
    starts, goals = np.flatnonzero(grid == START), np.flatnonzero(grid == GOAL)
    if len(starts) != 1 or len(goals) != 1:
        raise ValueError(
            f"A maze needs exactly one start 'S' and one goal 'G'; found {len(starts)} and "
            f"{len(goals)}."
        )
    return int(starts[0]), int(goals[0])


def shortest_path(grid: np.ndarray) -> list[tuple[int, int]] | None:
    """One shortest start-to-goal path (4-neighbour moves through non-wall cells).

    Parameters
    ----------
    grid : ndarray of shape (h, w)
        Maze tokens with one ``S`` and one ``G`` (path marks count as open).

    Returns
    -------
    list of (row, col) or None
        Cells from start to goal inclusive (``len - 1`` moves); None when unreachable. Among
        equally short paths the one found by BFS with neighbour order up, down, left, right.
    """
    grid = _as_maze(grid)
    start, goal = _endpoints(grid)
    dist, parent, _ = _bfs(grid != WALL, start)
    if dist[goal] < 0:
        return None
    cells, cell = [], goal
    while cell >= 0:
        cells.append(divmod(cell, grid.shape[1]))
        cell = parent[cell]
    return cells[::-1]


def count_shortest_paths(grid: np.ndarray, limit: int = 2) -> int:
    """Number of distinct shortest start-goal paths, capped at ``limit`` (at most 2).

    Parameters
    ----------
    grid : ndarray of shape (h, w)
        Maze tokens with one ``S`` and one ``G``.
    limit : int
        1 or 2.

    Returns
    -------
    int
        0 (unreachable), 1 (unique) or 2 (several, when ``limit`` is 2).
    """
    grid = _as_maze(grid)
    start, goal = _endpoints(grid)
    _, _, count = _bfs(grid != WALL, start)
    return min(count[goal], limit, 2)


def solve_maze(maze: np.ndarray) -> np.ndarray:
    """The label of a maze: its cells on :func:`shortest_path` marked ``'o'``.

    Parameters
    ----------
    maze : ndarray of shape (h, w)
        Maze tokens (walls, open cells, one ``S``, one ``G``); old path marks are cleared.

    Returns
    -------
    ndarray of shape (h, w)
        The marked grid.

    Raises
    ------
    ValueError
        The goal cannot be reached.
    """
    maze = _as_maze(maze)
    path = shortest_path(maze)
    if path is None:
        raise ValueError("The maze goal cannot be reached from the start.")
    label = np.where(maze == PATH, OPEN, maze)
    for r, c in path[1:-1]:
        label[r, c] = PATH
    return label


def is_shortest_path_label(maze: np.ndarray, label: np.ndarray) -> bool:
    """Whether ``label`` marks some shortest path of ``maze`` (not necessarily the BFS one).

    Parameters
    ----------
    maze : ndarray of shape (h, w)
        Input grid without path.
    label : ndarray of shape (h, w)
        A predicted or reference label.

    Returns
    -------
    bool
        True when walls, start and goal are unchanged and the ``'o'`` cells plus ``S`` and ``G``
        form one connected path whose length is the shortest distance.
    """
    maze, label = _as_maze(maze), np.asarray(label)
    if label.shape != maze.shape or not np.issubdtype(label.dtype, np.integer):
        return False
    if label.min() < WALL or label.max() > PATH:
        return False
    fixed = maze != OPEN
    if (
        not np.array_equal(label[fixed], maze[fixed])
        or not np.isin(label[~fixed], (OPEN, PATH)).all()
    ):
        return False
    path = shortest_path(maze)
    if path is None or int((label == PATH).sum()) != len(path) - 2:
        return False
    # The marked cells, S and G must connect S to G, using only that many cells.
    start, goal = _endpoints(maze)
    dist, _, _ = _bfs(np.isin(label, (START, GOAL, PATH)), start)
    return dist[goal] == len(path) - 1


# -- generator ---------------------------------------------------------------------------------
def _carve(size: int, loop_prob: float, rng: np.random.Generator) -> np.ndarray:
    """Walls of a randomised depth-first maze on rooms at even coordinates, with extra openings.

    Every wall cell outside the odd-odd lattice is then opened with probability ``loop_prob``,
    which adds loops (several shortest paths become possible).
    """
    rooms = (size + 1) // 2
    passable = np.zeros((size, size), dtype=bool)
    passable[::2, ::2] = True
    seen = np.zeros((rooms, rooms), dtype=bool)
    first = (int(rng.integers(rooms)), int(rng.integers(rooms)))
    seen[first] = True
    stack = [first]
    while stack:
        r, c = stack[-1]
        options = [
            (r + dr, c + dc)
            for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1))
            if 0 <= r + dr < rooms and 0 <= c + dc < rooms and not seen[r + dr, c + dc]
        ]
        if not options:
            stack.pop()
            continue
        nr, nc = options[int(rng.integers(len(options)))]
        passable[r + nr, c + nc] = True  # the wall cell between the two rooms
        seen[nr, nc] = True
        stack.append((nr, nc))
    lattice = np.zeros((size, size), dtype=bool)
    lattice[1::2, 1::2] = True
    passable |= ~lattice & (rng.random((size, size)) < loop_prob)
    return passable


def generate_maze(
    size: int = 10,
    min_path_len: int | None = None,
    *,
    style: str = "carved",
    wall_density: float = 0.3,
    loop_prob: float = 0.1,
    unique_path: bool = True,
    seed: int | np.random.Generator | None = None,
    max_attempts: int = 1000,
) -> tuple[np.ndarray, np.ndarray]:
    """A random maze whose shortest start-goal path is longer than ``min_path_len`` moves.

    Walls are drawn, a start is placed on a random open cell, a BFS runs from it, and the goal is
    drawn among the open cells farther than ``min_path_len`` moves (with a unique shortest path
    when ``unique_path``). Walls are redrawn when no cell qualifies.

    Parameters
    ----------
    size : int
        Side length (the paper: 30).
    min_path_len : int, optional
        The path must be longer than this many moves; default :func:`default_min_path_len`.
    style : {"carved", "random"}
        ``"carved"``: a random depth-first maze plus random extra openings (``loop_prob``);
        reaches long paths at every size (30x30 with > 110 moves in milliseconds).
        ``"random"``: independent walls with probability ``wall_density``; fine for small grids
        but it almost never yields > 110 moves on 30x30.
    wall_density : float
        Wall probability of the ``"random"`` style.
    loop_prob : float
        Probability of opening each removable wall of the ``"carved"`` style.
    unique_path : bool
        Keep only goals with exactly one shortest path (so the label is unambiguous).
    seed : int or numpy Generator, optional
        Randomness; the same seed gives the same maze.
    max_attempts : int
        Wall draws before giving up.

    Returns
    -------
    maze, label : ndarray of shape (size, size)
        Tokens; ``label`` is :func:`solve_maze` of ``maze``.

    Raises
    ------
    ValueError
        Bad arguments, or no qualifying maze in ``max_attempts`` draws.
    """
    if style not in MAZE_STYLES:
        raise ValueError(f"Unknown maze style {style!r}; use one of {MAZE_STYLES}.")
    if size < 2:
        raise ValueError(f"A maze needs size >= 2, got {size}.")
    min_len = default_min_path_len(size) if min_path_len is None else int(min_path_len)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    for _ in range(max_attempts):
        if style == "carved":
            passable = _carve(size, loop_prob, rng)
        else:
            passable = rng.random((size, size)) >= wall_density
        cells = np.flatnonzero(passable)
        if len(cells) < 2:
            continue
        start = int(cells[rng.integers(len(cells))])
        dist, _, count = _bfs(passable, start)
        dist_arr, count_arr = np.array(dist), np.array(count)
        good = dist_arr > min_len
        if unique_path:
            good &= count_arr == 1
        goals = np.flatnonzero(good)
        if len(goals) == 0:
            continue
        goal = int(goals[rng.integers(len(goals))])
        maze = np.where(passable, OPEN, WALL).astype(np.int64)
        maze.flat[start], maze.flat[goal] = START, GOAL
        return maze, solve_maze(maze)
    raise ValueError(
        f"No {size}x{size} {style!r} maze with a path longer than {min_len} moves"
        f"{' (unique)' if unique_path else ''} in {max_attempts} attempts; lower min_path_len"
        f"{', use style=carved' if style == 'random' else ''} or allow more attempts."
    )


# -- builder -----------------------------------------------------------------------------------
def build_maze(
    size: int = 10,
    *,
    n_train: int = 1000,
    n_test: int = 1000,
    n_aug: int = 0,
    min_path_len: int | None = None,
    style: str = "carved",
    wall_density: float = 0.3,
    loop_prob: float = 0.1,
    unique_path: bool = True,
    seed: int = 0,
) -> tuple[PuzzleSet, PuzzleSet]:
    """Train and test sets of generated mazes; training mazes optionally dihedrally augmented.

    Parameters
    ----------
    size : int
        Side length (sequence length ``size**2``).
    n_train, n_test : int
        Distinct mazes in each split (no maze appears twice across both).
    n_aug : int
        Extra copies of each training maze under distinct non-identity dihedral transforms
        (0..7; the paper's optional 8-fold augmentation is ``n_aug=7``). Test mazes are never
        augmented.
    min_path_len, style, wall_density, loop_prob, unique_path
        As in :func:`generate_maze`.
    seed : int
        Seeds the mazes and the augmentations.

    Returns
    -------
    train, test : PuzzleSet
        Vocabulary 6, one puzzle identifier (0); ``example_ids`` index the source maze;
        metadata ``"dihedral"`` lists the transform code of each training row.
    """
    if not 0 <= n_aug <= 7:
        raise ValueError(f"n_aug must lie in 0..7 (distinct dihedral transforms), got {n_aug}.")
    if n_train < 0 or n_test < 0:
        raise ValueError("n_train and n_test must be non-negative.")
    rng = np.random.default_rng(seed)
    mazes, labels, seen = [], [], set()
    while len(mazes) < n_train + n_test:
        maze, label = generate_maze(
            size,
            min_path_len,
            style=style,
            wall_density=wall_density,
            loop_prob=loop_prob,
            unique_path=unique_path,
            seed=rng,
        )
        key = maze.tobytes()
        if key not in seen:
            seen.add(key)
            mazes.append(maze)
            labels.append(label)
    mazes_arr = np.array(mazes, dtype=np.int64).reshape(-1, size, size)
    labels_arr = np.array(labels, dtype=np.int64).reshape(-1, size, size)
    meta = {
        "size": size,
        "min_path_len": default_min_path_len(size) if min_path_len is None else min_path_len,
        "style": style,
        "wall_density": wall_density,
        "loop_prob": loop_prob,
        "unique_path": unique_path,
        "seed": seed,
        "n_aug": n_aug,
    }

    rows_x, rows_y, ids, codes = [], [], [], []
    for i in range(n_train):
        chosen = [0] + (1 + rng.permutation(7)[:n_aug]).tolist()
        for k in chosen:
            rows_x.append(dihedral(mazes_arr[i], k).ravel())
            rows_y.append(dihedral(labels_arr[i], k).ravel())
            ids.append(i)
            codes.append(int(k))
    seq = size * size
    train = PuzzleSet(
        name=f"maze{size}-train",
        inputs=np.array(rows_x, dtype=np.int64).reshape(-1, seq),
        labels=np.array(rows_y, dtype=np.int64).reshape(-1, seq),
        puzzle_ids=np.zeros(len(rows_x), dtype=np.int32),
        vocab_size=MAZE_VOCAB_SIZE,
        n_puzzle_ids=1,
        example_ids=np.array(ids, dtype=np.int32),
        metadata={**meta, "split": "train", "dihedral": codes},
    )
    test = PuzzleSet(
        name=f"maze{size}-test",
        inputs=mazes_arr[n_train:].reshape(-1, seq),
        labels=labels_arr[n_train:].reshape(-1, seq),
        puzzle_ids=np.zeros(n_test, dtype=np.int32),
        vocab_size=MAZE_VOCAB_SIZE,
        n_puzzle_ids=1,
        example_ids=np.arange(n_train, n_train + n_test),
        metadata={**meta, "split": "test"},
    )
    return train, test
