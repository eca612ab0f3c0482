"""ARC-AGI: task loading from the shared zip, 30x30 canvas encoding, augmentations, scoring.

Encoding (the TRM paper's): a grid of colours 0-9 sits on a 30x30 canvas (top-left by default,
anywhere when translated) as tokens ``colour + 2`` (2-11); the cells just below and just right of
the grid, corner included, hold EOS (1); everything else is PAD (0). Vocabulary 12, sequence 900
row-major. Every canvas position of the label is scored, PAD and EOS included.

Augmentation: one of the 8 dihedral transforms and a permutation of colours 1-9 (black 0 stays
black), each with an exact inverse; training pairs may also be translated on the canvas.
Split (paper): train on every pair of the training tasks and on the demonstration pairs of the
evaluation tasks; hold out the evaluation tasks' test inputs. Each (task, augmentation) has its
own puzzle identifier; identifier 0 is reserved (no puzzle, e.g. an unseen task).
"""

from __future__ import annotations

import json
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import numpy as np

from tsrm._files import find_data_file
from tsrm.puzzles.data.puzzle_set import IGNORE_LABEL, PuzzleSet
from tsrm.puzzles.data.transforms import dihedral, inverse_dihedral
from tsrm.puzzles.data.voting import mean_per_task, pass_at_k

ARC_CANVAS = 30
ARC_PAD, ARC_EOS = 0, 1
ARC_COLOUR_OFFSET = 2
ARC_VOCAB_SIZE = 12
ARC_SEQ_LEN = ARC_CANVAS * ARC_CANVAS

ARC_ZIP = "arc/arc_puzzles.zip"
ARC_ZIP_SHA256 = "7bf187613040ce44d264fa4c5b00810e47138d267cdc1a1217efd71caa194300"
#: Folders of each collection inside the zip (``arc_data/<collection>/<split>/...json``).
ARC_COLLECTIONS = {
    "ARC-AGI-1": ("training", "evaluation"),
    "ARC-AGI-2": ("training", "evaluation"),
    "ConceptARC": ("corpus", "MinimalTasks"),
}
# (split trained on fully, split whose test inputs are held out); ConceptARC has no training split.
_BUILD_SPLITS = {
    "ARC-AGI-1": ("training", "evaluation"),
    "ARC-AGI-2": ("training", "evaluation"),
    "ConceptARC": (None, "corpus"),
}
_SOURCE = (
    "fchollet/ARC-AGI (data/), arcprize/ARC-AGI-2 (data/), victorvikram/ConceptARC (corpus/), "
    "zipped as arc_data/<collection>/<split>/*.json"
)
_BLANK = "<blank>"


# -- grids -------------------------------------------------------------------------------------
def as_arc_grid(grid: np.ndarray | Sequence[Sequence[int]]) -> np.ndarray:
    """Validate an ARC grid: rectangular, 1..30 per side, colours 0-9.

    Parameters
    ----------
    grid : array-like
        E.g. a task file's list of rows.

    Returns
    -------
    ndarray of shape (h, w)
        dtype int64.

    Raises
    ------
    ValueError
        Ragged rows, a side outside 1..30, or a colour outside 0-9.
    """
    try:
        arr = np.array(grid, dtype=np.int64)
    except (ValueError, TypeError) as err:
        raise ValueError(f"An ARC grid must be a rectangular list of rows: {err}") from None
    if arr.ndim != 2 or not (1 <= arr.shape[0] <= ARC_CANVAS and 1 <= arr.shape[1] <= ARC_CANVAS):
        raise ValueError(f"An ARC grid has 1..{ARC_CANVAS} rows and columns; got {arr.shape}.")
    if arr.min() < 0 or arr.max() > 9:
        raise ValueError(f"ARC colours lie in 0-9; got {arr.min()}..{arr.max()}.")
    return arr


def encode_grid(grid: np.ndarray, offset: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Tokens of a grid on the 30x30 canvas.

    Parameters
    ----------
    grid : ndarray of shape (h, w)
        Colours 0-9.
    offset : (int, int)
        Row and column of the grid's top-left cell on the canvas (translation).

    Returns
    -------
    ndarray of shape (900,)
        PAD 0, EOS 1 on the row below and the column right of the grid (where they fit on the
        canvas), colour ``c`` as ``c + 2``.
    """
    grid = as_arc_grid(grid)
    h, w = grid.shape
    r0, c0 = int(offset[0]), int(offset[1])
    if not (0 <= r0 <= ARC_CANVAS - h and 0 <= c0 <= ARC_CANVAS - w):
        raise ValueError(f"A {h}x{w} grid at offset {offset} does not fit the 30x30 canvas.")
    canvas = np.full((ARC_CANVAS, ARC_CANVAS), ARC_PAD, dtype=np.int64)
    canvas[r0 : r0 + h, c0 : c0 + w] = grid + ARC_COLOUR_OFFSET
    if r0 + h < ARC_CANVAS:
        canvas[r0 + h, c0 : min(c0 + w + 1, ARC_CANVAS)] = ARC_EOS
    if c0 + w < ARC_CANVAS:
        canvas[r0 : min(r0 + h + 1, ARC_CANVAS), c0 + w] = ARC_EOS
    return canvas.ravel()


def decode_grid(tokens: np.ndarray) -> np.ndarray | None:
    """Crop a grid from canvas tokens (a label or a model's prediction).

    The grid's top-left is the first colour token in row-major order; its width is the run of
    colour tokens along that row and its height the run down that column (so a translated grid
    decodes too). Malformed output gives None: no colour token at all, or a rectangle that is
    not entirely colours. The EOS/PAD border itself is not checked.

    Parameters
    ----------
    tokens : ndarray of shape (900,) or (30, 30)
        Canvas tokens.

    Returns
    -------
    ndarray of shape (h, w) or None
        Colours 0-9, or None when no grid can be read.
    """
    canvas = np.asarray(tokens).reshape(ARC_CANVAS, ARC_CANVAS)
    colour = (canvas >= ARC_COLOUR_OFFSET) & (canvas < ARC_COLOUR_OFFSET + 10)
    flat = np.flatnonzero(colour)
    if flat.size == 0:
        return None
    r0, c0 = divmod(int(flat[0]), ARC_CANVAS)

    def run(line: np.ndarray) -> int:
        stops = np.flatnonzero(~line)
        return int(stops[0]) if stops.size else int(line.size)

    w, h = run(colour[r0, c0:]), run(colour[r0:, c0])
    if not colour[r0 : r0 + h, c0 : c0 + w].all():
        return None
    return canvas[r0 : r0 + h, c0 : c0 + w].astype(np.int64) - ARC_COLOUR_OFFSET


def random_offset(shapes: Sequence[tuple[int, int]], rng: np.random.Generator) -> tuple[int, int]:
    """A uniform random canvas offset at which every grid of ``shapes`` fits.

    Parameters
    ----------
    shapes : sequence of (int, int)
        Grid shapes sharing the offset (an input and its output).
    rng : numpy Generator
        Randomness.

    Returns
    -------
    (int, int)
        Row and column offset.
    """
    h = max(s[0] for s in shapes)
    w = max(s[1] for s in shapes)
    return int(rng.integers(ARC_CANVAS - h + 1)), int(rng.integers(ARC_CANVAS - w + 1))


# -- augmentation ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ArcAugmentation:
    """A dihedral transform followed by a colour permutation that keeps black.

    Parameters
    ----------
    dihedral : int
        Transform code 0..7 (see :mod:`tsrm.puzzles.data.transforms`).
    colours : tuple of int
        ``colours[c]`` is the new colour of ``c``; a permutation of 0-9 with ``colours[0] == 0``.
    """

    dihedral: int = 0
    colours: tuple[int, ...] = tuple(range(10))

    def __post_init__(self) -> None:
        colours = tuple(int(c) for c in self.colours)
        if sorted(colours) != list(range(10)) or colours[0] != 0:
            raise ValueError(f"colours must permute 0-9 and keep 0 (black); got {colours}.")
        if not 0 <= int(self.dihedral) < 8:
            raise ValueError(f"dihedral must be in 0..7, got {self.dihedral}.")
        object.__setattr__(self, "colours", colours)
        object.__setattr__(self, "dihedral", int(self.dihedral))

    @classmethod
    def random(cls, rng: np.random.Generator) -> ArcAugmentation:
        """A uniform random transform and colour permutation (black fixed)."""
        k = int(rng.integers(8))
        return cls(k, (0, *(int(c) + 1 for c in rng.permutation(9))))

    @property
    def key(self) -> str:
        """Compact text form, e.g. ``"d3-c0913...`` (see :meth:`from_key`)."""
        return f"d{self.dihedral}-c{''.join(str(c) for c in self.colours)}"

    @classmethod
    def from_key(cls, key: str) -> ArcAugmentation:
        """Inverse of :attr:`key`."""
        try:
            part_d, part_c = key.split("-")
            return cls(int(part_d[1:]), tuple(int(ch) for ch in part_c[1:]))
        except (ValueError, IndexError):
            raise ValueError(f"Not an ARC augmentation key: {key!r}.") from None

    def apply(self, grid: np.ndarray) -> np.ndarray:
        """Augment a grid: transform, then recolour.

        Parameters
        ----------
        grid : ndarray of shape (h, w)
            Colours 0-9.

        Returns
        -------
        ndarray
            The augmented grid.
        """
        return np.array(self.colours, dtype=np.int64)[dihedral(as_arc_grid(grid), self.dihedral)]

    def invert(self, grid: np.ndarray) -> np.ndarray:
        """Undo :meth:`apply`: ``aug.invert(aug.apply(x)) == x``.

        Parameters
        ----------
        grid : ndarray of shape (h, w)
            An augmented grid (e.g. a decoded prediction).

        Returns
        -------
        ndarray
            The grid in the original frame and colours.
        """
        inverse = np.argsort(np.array(self.colours))
        return dihedral(inverse[as_arc_grid(grid)], inverse_dihedral(self.dihedral))


IDENTITY = ArcAugmentation()


# -- loading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ArcTask:
    """One ARC task.

    Parameters
    ----------
    name : str
        File stem, e.g. ``"007bbfb7"``.
    train : tuple of (input, output)
        Demonstration pairs.
    test : tuple of (input, output or None)
        Test pairs; the output is None when the file has none.
    """

    name: str
    train: tuple[tuple[np.ndarray, np.ndarray], ...] = field(repr=False)
    test: tuple[tuple[np.ndarray, np.ndarray | None], ...] = field(repr=False)


def parse_arc_task(name: str, data: dict) -> ArcTask:
    """Build an :class:`ArcTask` from a task file's JSON object.

    Parameters
    ----------
    name : str
        Task name.
    data : dict
        ``{"train": [{"input": grid, "output": grid}, ...], "test": [...]}``.

    Returns
    -------
    ArcTask
        Validated grids.

    Raises
    ------
    ValueError
        A missing key or a malformed grid (the message names the task).
    """
    try:
        train = tuple((as_arc_grid(p["input"]), as_arc_grid(p["output"])) for p in data["train"])
        test = tuple(
            (as_arc_grid(p["input"]), as_arc_grid(p["output"]) if "output" in p else None)
            for p in data["test"]
        )
    except (KeyError, TypeError) as err:
        raise ValueError(f"ARC task {name}: missing or malformed field {err}.") from None
    except ValueError as err:
        raise ValueError(f"ARC task {name}: {err}") from None
    return ArcTask(name, train, test)


def _zip_path(data_dir: str | os.PathLike | None, verify: bool) -> Path:
    if data_dir is not None and str(data_dir).endswith(".zip"):
        path = Path(data_dir).expanduser()
        if not path.is_file():
            raise ValueError(f"ARC zip {path} not found.")
        return path
    return find_data_file(
        ARC_ZIP, data_dir, sha256=ARC_ZIP_SHA256, verify=verify, what="ARC tasks", source=_SOURCE
    )


def load_arc_tasks(
    collection: str = "ARC-AGI-1",
    split: str = "training",
    data_dir: str | os.PathLike | None = None,
    *,
    verify: bool = True,
) -> dict[str, ArcTask]:
    """Tasks of one collection and split, read straight from the zip (nothing is extracted).

    Parameters
    ----------
    collection : str
        ``"ARC-AGI-1"``, ``"ARC-AGI-2"`` or ``"ConceptARC"``.
    split : str
        ``"training"`` / ``"evaluation"`` (ARC-AGI), ``"corpus"`` / ``"MinimalTasks"``
        (ConceptARC).
    data_dir : path-like, optional
        Folder holding ``arc/arc_puzzles.zip`` (else ``$TSRM_DATA_DIR``, then the user cache),
        or the zip file itself (then not checksummed).
    verify : bool
        Check the zip's sha256 against the shared copy's.

    Returns
    -------
    dict of str to ArcTask
        By task name, sorted.

    Raises
    ------
    ValueError
        Unknown collection or split, missing zip (``DatasetNotFoundError``), or a bad task.
    """
    if collection not in ARC_COLLECTIONS:
        raise ValueError(f"Unknown ARC collection {collection!r}; known: {list(ARC_COLLECTIONS)}.")
    if split not in ARC_COLLECTIONS[collection]:
        raise ValueError(f"{collection} has splits {ARC_COLLECTIONS[collection]}, not {split!r}.")
    prefix = f"arc_data/{collection}/{split}/"
    tasks = {}
    with zipfile.ZipFile(_zip_path(data_dir, verify)) as archive:
        for member in sorted(archive.namelist()):
            if member.startswith(prefix) and member.endswith(".json"):
                name = PurePosixPath(member).stem
                if name in tasks:
                    raise ValueError(f"Two ARC tasks named {name!r} under {prefix}.")
                tasks[name] = parse_arc_task(name, json.loads(archive.read(member)))
    if not tasks:
        raise ValueError(f"No task files under {prefix} in the ARC zip.")
    return dict(sorted(tasks.items()))


# -- builder -----------------------------------------------------------------------------------
def _augmentations(n_aug: int, rng: np.random.Generator) -> list[ArcAugmentation]:
    # The identity plus n_aug distinct random ones.
    chosen, keys = [IDENTITY], {IDENTITY.key}
    while len(chosen) < n_aug + 1:
        aug = ArcAugmentation.random(rng)
        if aug.key not in keys:
            keys.add(aug.key)
            chosen.append(aug)
    return chosen


def build_arc_from_tasks(
    train_tasks: dict[str, ArcTask],
    eval_tasks: dict[str, ArcTask],
    *,
    n_aug: int = 0,
    translate: bool = True,
    seed: int = 0,
    name: str = "arc",
) -> tuple[PuzzleSet, PuzzleSet]:
    """Train and held-out sets from given tasks (see :func:`build_arc`).

    Parameters
    ----------
    train_tasks : dict of str to ArcTask
        Tasks trained on fully (demonstration and test pairs).
    eval_tasks : dict of str to ArcTask
        Tasks whose demonstrations are trained on and whose test inputs are held out.
    n_aug, translate, seed, name
        As in :func:`build_arc`.

    Returns
    -------
    train, test : PuzzleSet
        See :func:`build_arc`.
    """
    if n_aug < 0:
        raise ValueError(f"n_aug must be >= 0, got {n_aug}.")
    overlap = set(train_tasks) & set(eval_tasks)
    if overlap:
        raise ValueError(f"Tasks both trained on and held out: {sorted(overlap)[:5]}.")
    rng = np.random.default_rng(seed)
    puzzles: list[list] = [[_BLANK, None]]
    train_examples: list[list] = []
    test_examples: list[list] = []
    train_x, train_y, train_pid, train_eid = [], [], [], []
    test_x, test_y, test_pid, test_eid = [], [], [], []

    for task_name, task, held_out in [(n, t, False) for n, t in train_tasks.items()] + [
        (n, t, True) for n, t in eval_tasks.items()
    ]:
        solved_tests = [(x, y) for x, y in task.test if y is not None]
        pairs = list(task.train) + ([] if held_out else solved_tests)
        first_eid = len(train_examples)
        train_examples.extend([task_name, j] for j in range(len(pairs)))
        first_test = len(test_examples)
        if held_out:
            test_examples.extend([task_name, j] for j in range(len(task.test)))
        for aug in _augmentations(n_aug, rng):
            pid = len(puzzles)
            puzzles.append([task_name, aug.key])
            for j, (x, y) in enumerate(pairs):
                ax, ay = aug.apply(x), aug.apply(y)
                offset = random_offset([ax.shape, ay.shape], rng) if translate else (0, 0)
                train_x.append(encode_grid(ax, offset))
                train_y.append(encode_grid(ay, offset))
                train_pid.append(pid)
                train_eid.append(first_eid + j)
            if held_out:
                for j, (x, y) in enumerate(task.test):
                    test_x.append(encode_grid(aug.apply(x)))
                    if y is None:
                        test_y.append(np.full(ARC_SEQ_LEN, IGNORE_LABEL, dtype=np.int64))
                    else:
                        test_y.append(encode_grid(aug.apply(y)))
                    test_pid.append(pid)
                    test_eid.append(first_test + j)

    meta = {
        "n_aug": n_aug,
        "translate": translate,
        "seed": seed,
        "puzzles": puzzles,
    }

    def make(split, xs, ys, pids, eids, examples):
        return PuzzleSet(
            name=f"{name}-{split}",
            inputs=np.array(xs, dtype=np.int16).reshape(-1, ARC_SEQ_LEN),
            labels=np.array(ys, dtype=np.int16).reshape(-1, ARC_SEQ_LEN),
            puzzle_ids=np.array(pids, dtype=np.int32),
            vocab_size=ARC_VOCAB_SIZE,
            n_puzzle_ids=len(puzzles),
            example_ids=np.array(eids, dtype=np.int32),
            metadata={**meta, "split": split, "examples": examples},
        )

    return (
        make("train", train_x, train_y, train_pid, train_eid, train_examples),
        make("test", test_x, test_y, test_pid, test_eid, test_examples),
    )


def build_arc(
    collection: str = "ARC-AGI-1",
    *,
    n_aug: int = 0,
    translate: bool = True,
    seed: int = 0,
    data_dir: str | os.PathLike | None = None,
    max_tasks: int | None = None,
    verify: bool = True,
) -> tuple[PuzzleSet, PuzzleSet]:
    """The paper's ARC training and held-out sets for one collection.

    Training: every pair of the training tasks and the demonstration pairs of the evaluation
    tasks, each under the identity and ``n_aug`` random augmentations, translated at random when
    ``translate``. Held out: the evaluation tasks' test inputs under the same augmentations
    (not translated), to be voted over with :func:`evaluate_arc`. ConceptARC has no training
    split: only its corpus demonstrations are trained on.

    Parameters
    ----------
    collection : str
        ``"ARC-AGI-1"``, ``"ARC-AGI-2"`` or ``"ConceptARC"``.
    n_aug : int
        Random augmentations per task besides the identity (the paper: up to 1000). Memory is
        about ``(1 + n_aug) * 3.6 MB`` for ARC-AGI-1 (int16 tokens).
    translate : bool
        Place training pairs at a random canvas offset (shared by input and output).
    seed : int
        Seeds augmentations and offsets.
    data_dir : path-like, optional
        As in :func:`load_arc_tasks`.
    max_tasks : int, optional
        Keep only the first ``max_tasks`` tasks (by name) of each split, for quick runs.
    verify : bool
        Check the zip's sha256.

    Returns
    -------
    train, test : PuzzleSet
        Vocabulary 12, sequences of 900. Puzzle identifier ``i`` stands for
        ``metadata["puzzles"][i] = [task, augmentation key]`` (0 is reserved, ``["<blank>",
        None]``); ``example_ids`` index ``metadata["examples"]`` = ``[task, pair index]``
        (training pairs follow the task file's train then test order; held-out rows name the
        test index). Decode the mapping with :func:`arc_puzzle_table`.
    """
    if collection not in _BUILD_SPLITS:
        raise ValueError(f"Unknown ARC collection {collection!r}; known: {list(_BUILD_SPLITS)}.")
    train_split, eval_split = _BUILD_SPLITS[collection]

    def take(tasks: dict[str, ArcTask]) -> dict[str, ArcTask]:
        return dict(list(tasks.items())[:max_tasks]) if max_tasks is not None else tasks

    train_tasks = (
        take(load_arc_tasks(collection, train_split, data_dir, verify=verify))
        if train_split
        else {}
    )
    eval_tasks = take(load_arc_tasks(collection, eval_split, data_dir, verify=verify))
    # Names carry their split so tasks shared between splits stay distinct.
    train_tasks = {f"{train_split}/{k}": v for k, v in train_tasks.items()}
    eval_tasks = {f"{eval_split}/{k}": v for k, v in eval_tasks.items()}
    train, test = build_arc_from_tasks(
        train_tasks, eval_tasks, n_aug=n_aug, translate=translate, seed=seed, name=collection
    )
    return train, test


def arc_puzzle_table(puzzle_set: PuzzleSet) -> list[tuple[str, ArcAugmentation] | None]:
    """Decode ``metadata["puzzles"]``: entry ``i`` is (task, augmentation) of identifier ``i``.

    Parameters
    ----------
    puzzle_set : PuzzleSet
        A set from :func:`build_arc` (train or test: they share the table).

    Returns
    -------
    list
        ``None`` for the reserved identifier 0.
    """
    table = puzzle_set.metadata.get("puzzles")
    if table is None:
        raise ValueError(f"{puzzle_set.name} has no ARC puzzle table (metadata['puzzles']).")
    return [None if key is None else (task, ArcAugmentation.from_key(key)) for task, key in table]


def evaluate_arc(
    test: PuzzleSet,
    predictions: np.ndarray,
    confidences: np.ndarray | None = None,
    k: int = 2,
) -> dict:
    """pass@k of model outputs on a held-out set, by voting over the augmented versions.

    Each row's predicted canvas is cropped (:func:`decode_grid`), mapped back through the inverse
    of its puzzle's augmentation, and the versions of one test input vote
    (:func:`~tsrm.puzzles.data.voting.rank_candidates`). The target is the label row of the
    identity augmentation, decoded likewise.

    Parameters
    ----------
    test : PuzzleSet
        The held-out set from :func:`build_arc`.
    predictions : ndarray of shape (N, 900)
        Predicted tokens, row-aligned with ``test``.
    confidences : ndarray of shape (N,), optional
        Halting confidence per row (e.g. sigmoid of the halt logit).
    k : int
        Attempts per test input.

    Returns
    -------
    dict
        ``"pass@k"``: score averaged per task (each task scores the fraction of its test inputs
        solved); ``"per_task"``: task -> list of bool per test input; ``"n_test_inputs"``.
    """
    predictions = np.asarray(predictions)
    if predictions.shape != (len(test), ARC_SEQ_LEN):
        raise ValueError(f"predictions must have shape ({len(test)}, {ARC_SEQ_LEN}).")
    conf = np.zeros(len(test)) if confidences is None else np.asarray(confidences, dtype=float)
    if conf.shape != (len(test),):
        raise ValueError(f"confidences must have shape ({len(test)},).")
    table = arc_puzzle_table(test)
    examples = test.metadata["examples"]
    grids: dict[int, list] = {}
    scores: dict[int, list] = {}
    targets: dict[int, np.ndarray | None] = {}
    for row in range(len(test)):
        eid = int(test.example_ids[row])
        _, aug = table[int(test.puzzle_ids[row])]
        grid = decode_grid(predictions[row])
        grids.setdefault(eid, []).append(None if grid is None else aug.invert(grid))
        scores.setdefault(eid, []).append(float(conf[row]))
        if eid not in targets or aug == IDENTITY:
            label = test.labels[row]
            target = None if (label == IGNORE_LABEL).all() else decode_grid(label)
            targets[eid] = None if target is None else aug.invert(target)
    per_task: dict[str, list[bool]] = {}
    for eid in sorted(grids):
        task, _ = examples[eid]
        target = targets[eid]
        solved = target is not None and pass_at_k(grids[eid], scores[eid], target, k)
        per_task.setdefault(task, []).append(bool(solved))
    return {f"pass@{k}": mean_per_task(per_task), "per_task": per_task, "n_test_inputs": len(grids)}
