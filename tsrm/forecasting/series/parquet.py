"""Long-format Parquet data sets read into a Panel without holding the table in memory.

A path (one ``.parquet`` file or a directory of them) holds columns ``unique_id``, ``ds``
and ``y``, each series in consecutive rows (files are read in name order; a series may
continue from one file into the next). The rows are read in batches with pyarrow; each
batch's complete series go through the same checks as a long DataFrame, and their
values are written to one memory-mapped file on disk, which the Panel's series are
read-only views of. The operating system keeps as much of that file in memory as it
has room for: the table is never in memory as a whole, and the Panel's values are
reclaimable file pages, not the process's own memory.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tsrm._files import scratch_array
from tsrm.exceptions import TSRMInputError

#: Rows read from the file at a time: the largest table held in memory (a million rows
#: left pyarrow's allocator holding twice the memory of a quarter million, for no speed).
BATCH_ROWS = 1 << 18

_COLUMNS = ("unique_id", "ds", "y")


def parquet_files(path: str | os.PathLike, what: str = "y") -> list[Path]:
    """The Parquet files of ``path`` (a file, or a directory searched recursively), sorted."""
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.rglob("*.parquet") if f.is_file())
        if not files:
            raise TSRMInputError(f"{what}: the directory {str(p)!r} holds no .parquet files.")
        return files
    if p.is_file() and p.suffix != ".parquet":
        raise TSRMInputError(
            f"{what}: {str(p)!r} is not a .parquet file; tsrm reads long Parquet data sets "
            "from a path; read other files yourself, e.g. pd.read_csv(path, parse_dates=['ds'])."
        )
    if not p.is_file():
        raise TSRMInputError(
            f"{what}: {str(p)!r} is neither a file nor a directory; pass the path of a "
            "Parquet file or of a directory of them, or the data itself."
        )
    return [p]


def _pyarrow_parquet():
    """``pyarrow.parquet``, or a clear error naming the extra that installs it."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise TSRMInputError(
            "Reading Parquet needs pyarrow: pip install 'tsrm[parquet]'."
        ) from None
    return pq


def _checked_files(files: list[Path], what: str) -> tuple[int, bool]:
    """Rows in ``files`` and whether every file stores ``y`` as float32; each file is
    checked for the columns before any is read."""
    pq = _pyarrow_parquet()
    n_rows, float32 = 0, True
    for f in files:
        schema = pq.read_schema(f)
        absent = [c for c in _COLUMNS if c not in schema.names]
        if absent:
            raise TSRMInputError(
                f"{what}: {f.name} lacks column(s) {absent}; a long Parquet data set needs "
                "columns unique_id, ds and y."
            )
        n_rows += pq.read_metadata(f).num_rows
        float32 = float32 and str(schema.field("y").type) == "float"
    return n_rows, float32


def _batches(files: list[Path]) -> Iterator[pd.DataFrame]:
    """The rows of every file, ``BATCH_ROWS`` at a time, as pandas frames.

    Each file is open only while it is read: an open reader keeps pyarrow buffers of
    the batches it has handed out (about as much as the file), until it is dropped.
    """
    pq = _pyarrow_parquet()
    for f in files:
        reader = pq.ParquetFile(f)
        for batch in reader.iter_batches(BATCH_ROWS, columns=list(_COLUMNS)):
            yield batch.to_pandas()
        del reader


def _complete_series(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Frames of whole series: each batch less its last series, which the next one ends."""
    carry = None
    for frame in batches:
        if carry is not None:
            frame = pd.concat([carry, frame], ignore_index=True)
        ids = frame["unique_id"]
        others = np.flatnonzero((ids != ids.iloc[-1]).to_numpy())
        cut = int(others[-1]) + 1 if len(others) else 0  # where the last series starts
        carry = frame.iloc[cut:]
        if cut:
            yield frame.iloc[:cut]
    if carry is not None and len(carry):
        yield carry


def read_parquet_panel(
    path: str | os.PathLike,
    what: str,
    read_chunk: Callable[[pd.DataFrame], Any],
    share: tuple[int, int] | None = None,
) -> tuple:
    """The series of the Parquet data set at ``path``: ``(values, ids, indexes, float32)``.

    ``read_chunk(frame)`` turns a long frame of whole series into a Panel (the long
    DataFrame path, with its checks). The values are read-only views of one memory-mapped
    file, deleted from the directory at once (the mapping keeps it until the last view
    is gone); ``float32``: whether ``y`` is stored as float32. ``share=(rank, n)``: only
    the series whose position in the data set is ``rank`` modulo ``n`` are kept (every
    series is still checked to be consecutive).
    """
    files = parquet_files(path, what)
    n_rows, float32 = _checked_files(files, what)
    if n_rows == 0:
        raise TSRMInputError(f"{what}: the Parquet data set {str(path)!r} has no rows.")
    store, at = None, 0
    values, ids, indexes, seen = [], [], [], set()
    for frame in _complete_series(_batches(files)):
        frame = _checked_share(frame, what, seen, share)
        if frame.empty:
            continue
        chunk = read_chunk(frame)
        if store is None:
            keep32 = float32 and chunk.values[0].dtype == np.float32
            store = scratch_array(n_rows, np.float32 if keep32 else np.float64)
        for sid, v, index in zip(chunk.ids, chunk.values, chunk.indexes, strict=True):
            store[at : at + len(v)] = v
            view = store[at : at + len(v)].view(np.ndarray)
            view.flags.writeable = False
            values.append(view)
            ids.append(sid)
            indexes.append(index)
            at += len(v)
    import pyarrow  # imported already, by _checked_files

    pyarrow.default_memory_pool().release_unused()  # the batches' buffers, kept for reuse
    return values, ids, indexes, float32


def _checked_share(
    frame: pd.DataFrame, what: str, seen: set, share: tuple[int, int] | None
) -> pd.DataFrame:
    """The rows of ``frame``'s series in ``share`` (all without one), after checking that no
    series came before (``seen``: the series read so far, updated)."""
    codes, series = pd.factorize(frame["unique_id"])
    before = len(seen)
    for sid in series:
        if sid in seen:
            raise TSRMInputError(
                f"{what}: the rows of series {sid!r} are not consecutive in the Parquet "
                "data set; write it sorted by unique_id (e.g. df.sort_values(['unique_id', "
                "'ds']).to_parquet(...))."
            )
        seen.add(sid)
    if share is None:
        return frame
    rank, n = share
    return frame[(before + codes) % n == rank]
