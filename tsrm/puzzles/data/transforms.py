"""The eight symmetries of a square (the dihedral group D4) acting on 2-D grids, with inverses."""

from __future__ import annotations

import numpy as np

#: Names of the dihedral transforms, indexed by their code 0..7.
DIHEDRAL_NAMES = (
    "identity",
    "rot90",
    "rot180",
    "rot270",
    "flip_lr",
    "flip_ud",
    "transpose",
    "anti_transpose",
)

# rot90 and rot270 undo each other; every reflection and rot180 is its own inverse.
_INVERSE = (0, 3, 2, 1, 4, 5, 6, 7)


def _check(k: int) -> int:
    if not 0 <= int(k) < 8:
        raise ValueError(f"dihedral transform code must be in 0..7, got {k}.")
    return int(k)


def dihedral(grid: np.ndarray, k: int) -> np.ndarray:
    """Apply dihedral transform ``k`` to a 2-D grid.

    Parameters
    ----------
    grid : ndarray of shape (h, w)
        Any 2-D array (need not be square).
    k : int
        Transform code in ``0..7``; see :data:`DIHEDRAL_NAMES` (rotations are
        counter-clockwise, as :func:`numpy.rot90`).

    Returns
    -------
    ndarray
        A new contiguous array; shape ``(w, h)`` for odd rotations and the transposes.
    """
    k = _check(k)
    grid = np.asarray(grid)
    if grid.ndim != 2:
        raise ValueError(f"dihedral transforms act on 2-D grids, got shape {grid.shape}.")
    if k < 4:
        out = np.rot90(grid, k)
    elif k == 4:
        out = grid[:, ::-1]
    elif k == 5:
        out = grid[::-1, :]
    elif k == 6:
        out = grid.T
    else:
        out = np.rot90(grid, 2).T
    return np.ascontiguousarray(out)


def inverse_dihedral(k: int) -> int:
    """Code of the transform that undoes transform ``k``.

    Parameters
    ----------
    k : int
        Transform code in ``0..7``.

    Returns
    -------
    int
        ``j`` such that ``dihedral(dihedral(x, k), j) == x`` for every grid ``x``.
    """
    return _INVERSE[_check(k)]
