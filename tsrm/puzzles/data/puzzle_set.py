"""The container every puzzle builder returns, and its pickle-free save/load (``.npz`` + JSON).

A :class:`PuzzleSet` is a batch of fixed-length token sequences: ``inputs`` and ``labels`` of
shape ``(N, seq_len)``, the puzzle identifier of each row (the model learns one embedding per
identifier) and the index of the un-augmented example each row was made from.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: Label value of a position that is not scored (the cross-entropy ``ignore_index``).
IGNORE_LABEL = -100

#: Token dtype: every vocabulary here is tiny, and int16 halves the memory of heavily
#: augmented sets (ARC with hundreds of augmentations) while still holding ``IGNORE_LABEL``.
TOKEN_DTYPE = np.int16

_FORMAT = "tsrm.puzzle_set"
_FORMAT_VERSION = 1
_ARRAYS = ("inputs", "labels", "puzzle_ids", "example_ids")


@dataclass(frozen=True)
class PuzzleSet:
    """Token sequences of one puzzle family, ready for a sequence model.

    Parameters
    ----------
    name : str
        Short description, e.g. ``"sudoku9-train"``.
    inputs : ndarray of shape (N, seq_len)
        Input tokens in ``[0, vocab_size)``; stored as int16.
    labels : ndarray of shape (N, seq_len)
        Target tokens in ``[0, vocab_size)``, or :data:`IGNORE_LABEL` where not scored.
    puzzle_ids : ndarray of shape (N,)
        Puzzle identifier of each row, in ``[0, n_puzzle_ids)``; stored as int32.
    vocab_size : int
        Number of token values.
    n_puzzle_ids : int
        Number of puzzle identifiers (size of the model's puzzle-embedding table).
    example_ids : ndarray of shape (N,), optional
        Index of the un-augmented source example of each row (rows sharing it are augmented
        versions of one puzzle); defaults to ``arange(N)``. Stored as int32.
    metadata : dict, optional
        JSON-serialisable description (generator settings, id -> task mappings, ...).

    Notes
    -----
    The dataclass is frozen but numpy arrays stay writable (``torch.from_numpy`` warns on
    read-only arrays); treat them as read-only.
    """

    name: str
    inputs: np.ndarray
    labels: np.ndarray
    puzzle_ids: np.ndarray
    vocab_size: int
    n_puzzle_ids: int
    example_ids: np.ndarray | None = None
    metadata: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        inputs = np.asarray(self.inputs)
        labels = np.asarray(self.labels)
        if inputs.ndim != 2 or labels.shape != inputs.shape:
            raise ValueError(
                f"inputs and labels must both have shape (N, seq_len); got {inputs.shape} and "
                f"{labels.shape}."
            )
        n = inputs.shape[0]
        puzzle_ids = np.asarray(self.puzzle_ids)
        example_ids = np.arange(n) if self.example_ids is None else np.asarray(self.example_ids)
        for key, arr in (("puzzle_ids", puzzle_ids), ("example_ids", example_ids)):
            if arr.shape != (n,):
                raise ValueError(f"{key} must have shape ({n},), got {arr.shape}.")
        for key, arr in (("inputs", inputs), ("labels", labels), ("puzzle_ids", puzzle_ids)):
            if n and not np.issubdtype(arr.dtype, np.integer):
                raise ValueError(f"{key} must hold integers, got dtype {arr.dtype}.")
        vocab, n_ids = int(self.vocab_size), int(self.n_puzzle_ids)
        if n:
            if inputs.min() < 0 or inputs.max() >= vocab:
                raise ValueError(
                    f"inputs must lie in [0, {vocab}); got {inputs.min()}..{inputs.max()}."
                )
            scored = labels[labels != IGNORE_LABEL]
            if scored.size and (scored.min() < 0 or scored.max() >= vocab):
                raise ValueError(
                    f"labels must lie in [0, {vocab}) or equal {IGNORE_LABEL}; got "
                    f"{scored.min()}..{scored.max()}."
                )
            if puzzle_ids.min() < 0 or puzzle_ids.max() >= n_ids:
                raise ValueError(f"puzzle_ids must lie in [0, {n_ids}).")
        # Frozen: normalise dtypes through object.__setattr__ once, at construction.
        object.__setattr__(self, "inputs", inputs.astype(TOKEN_DTYPE, copy=False))
        object.__setattr__(self, "labels", labels.astype(TOKEN_DTYPE, copy=False))
        object.__setattr__(self, "puzzle_ids", puzzle_ids.astype(np.int32, copy=False))
        object.__setattr__(self, "example_ids", example_ids.astype(np.int32, copy=False))
        object.__setattr__(self, "vocab_size", vocab)
        object.__setattr__(self, "n_puzzle_ids", n_ids)
        try:
            json.dumps(self.metadata)
        except TypeError as err:
            raise ValueError(f"metadata must be JSON-serialisable: {err}") from err

    @property
    def seq_len(self) -> int:
        """Length of every sequence."""
        return int(self.inputs.shape[1])

    def __len__(self) -> int:
        return int(self.inputs.shape[0])

    def subset(self, index: np.ndarray | slice) -> PuzzleSet:
        """Rows selected by ``index`` (same vocabulary, identifiers and metadata).

        Parameters
        ----------
        index : ndarray or slice
            Row selection (integer indices, boolean mask or slice).

        Returns
        -------
        PuzzleSet
            The selected rows.
        """
        return PuzzleSet(
            name=self.name,
            inputs=self.inputs[index],
            labels=self.labels[index],
            puzzle_ids=self.puzzle_ids[index],
            vocab_size=self.vocab_size,
            n_puzzle_ids=self.n_puzzle_ids,
            example_ids=self.example_ids[index],
            metadata=self.metadata,
        )

    def save(self, path: str | os.PathLike) -> Path:
        """Write ``<path>.npz`` (arrays) and ``<path>.json`` (everything else); see
        :func:`save_puzzle_set`."""
        return save_puzzle_set(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> PuzzleSet:
        """Read a set written by :meth:`save`; see :func:`load_puzzle_set`."""
        return load_puzzle_set(path)


def _stem(path: str | os.PathLike) -> Path:
    path = Path(path)
    return path.with_suffix("") if path.suffix in (".npz", ".json") else path


def save_puzzle_set(puzzle_set: PuzzleSet, path: str | os.PathLike) -> Path:
    """Save a puzzle set without pickle: arrays to ``<path>.npz``, the rest to ``<path>.json``.

    Parameters
    ----------
    puzzle_set : PuzzleSet
        The set to save.
    path : path-like
        Target stem; a trailing ``.npz`` or ``.json`` is dropped. Parent folders are created.

    Returns
    -------
    Path
        The ``.npz`` file written.
    """
    stem = _stem(path)
    stem.parent.mkdir(parents=True, exist_ok=True)
    npz = stem.with_name(stem.name + ".npz")
    np.savez_compressed(npz, **{key: getattr(puzzle_set, key) for key in _ARRAYS})
    sidecar = {
        "format": _FORMAT,
        "version": _FORMAT_VERSION,
        "name": puzzle_set.name,
        "n": len(puzzle_set),
        "seq_len": puzzle_set.seq_len,
        "vocab_size": puzzle_set.vocab_size,
        "n_puzzle_ids": puzzle_set.n_puzzle_ids,
        "metadata": puzzle_set.metadata,
    }
    stem.with_name(stem.name + ".json").write_text(json.dumps(sidecar, indent=1))
    return npz


def load_puzzle_set(path: str | os.PathLike) -> PuzzleSet:
    """Load a puzzle set written by :func:`save_puzzle_set` (``allow_pickle=False``).

    Parameters
    ----------
    path : path-like
        The stem given to :func:`save_puzzle_set`, or its ``.npz`` / ``.json`` file.

    Returns
    -------
    PuzzleSet
        The saved set.

    Raises
    ------
    ValueError
        A file is missing, is not a tsrm puzzle set, or the two files disagree.
    """
    stem = _stem(path)
    npz, sidecar_path = stem.with_name(stem.name + ".npz"), stem.with_name(stem.name + ".json")
    for file in (npz, sidecar_path):
        if not file.is_file():
            raise ValueError(f"Puzzle set file {file} not found (a set is saved as .npz + .json).")
    sidecar = json.loads(sidecar_path.read_text())
    if sidecar.get("format") != _FORMAT or sidecar.get("version") != _FORMAT_VERSION:
        raise ValueError(
            f"{sidecar_path} is not a tsrm puzzle set of version {_FORMAT_VERSION} "
            f"(format={sidecar.get('format')!r}, version={sidecar.get('version')!r})."
        )
    with np.load(npz, allow_pickle=False) as arrays:
        missing = [key for key in _ARRAYS if key not in arrays]
        if missing:
            raise ValueError(f"{npz} lacks the arrays {missing}.")
        loaded = {key: arrays[key] for key in _ARRAYS}
    if loaded["inputs"].shape != (sidecar["n"], sidecar["seq_len"]):
        raise ValueError(
            f"{npz} holds inputs of shape {loaded['inputs'].shape} but {sidecar_path} says "
            f"({sidecar['n']}, {sidecar['seq_len']}): the files do not belong together."
        )
    return PuzzleSet(
        name=sidecar["name"],
        vocab_size=sidecar["vocab_size"],
        n_puzzle_ids=sidecar["n_puzzle_ids"],
        metadata=sidecar["metadata"],
        **loaded,
    )


def concatenate_puzzle_sets(sets: list[PuzzleSet], name: str | None = None) -> PuzzleSet:
    """Stack puzzle sets with the same vocabulary, sequence length and identifier table.

    Parameters
    ----------
    sets : list of PuzzleSet
        Non-empty; ``example_ids`` are kept as they are.
    name : str, optional
        Name of the result; defaults to the first set's.

    Returns
    -------
    PuzzleSet
        All rows, in order; the first set's metadata.
    """
    if not sets:
        raise ValueError("concatenate_puzzle_sets needs at least one set.")
    first = sets[0]
    for other in sets[1:]:
        if (other.vocab_size, other.seq_len, other.n_puzzle_ids) != (
            first.vocab_size,
            first.seq_len,
            first.n_puzzle_ids,
        ):
            raise ValueError("Puzzle sets differ in vocab_size, seq_len or n_puzzle_ids.")
    return PuzzleSet(
        name=name or first.name,
        inputs=np.concatenate([s.inputs for s in sets]),
        labels=np.concatenate([s.labels for s in sets]),
        puzzle_ids=np.concatenate([s.puzzle_ids for s in sets]),
        vocab_size=first.vocab_size,
        n_puzzle_ids=first.n_puzzle_ids,
        example_ids=np.concatenate([s.example_ids for s in sets]),
        metadata=first.metadata,
    )
