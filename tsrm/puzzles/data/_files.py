"""Finding the shared puzzle data files (the lookup order of :mod:`tsrm.datasets.storage`)."""

from __future__ import annotations

import os
from pathlib import Path

from tsrm.datasets.errors import DatasetNotFoundError
from tsrm.datasets.storage import ENV_VAR, search_dirs, verify_file


def find_data_file(
    relative: str,
    data_dir: str | os.PathLike | None,
    *,
    sha256: str | None,
    verify: bool,
    what: str,
    source: str,
) -> Path:
    """Return ``<dir>/<relative>`` from the first searched directory that has it.

    Directories: ``data_dir``, then ``$TSRM_DATA_DIR``, then the user cache. The file is checked
    against ``sha256`` when ``verify`` is true.

    Raises
    ------
    DatasetNotFoundError
        (a ``ValueError`` and ``FileNotFoundError``) naming every place looked and the fix.
    """
    dirs = search_dirs(data_dir)
    for directory, _ in dirs:
        candidate = directory / relative
        if candidate.is_file():
            if verify and sha256:
                verify_file(candidate, sha256)
            return candidate
    looked = "\n".join(f"  - {d / relative}  ({origin})" for d, origin in dirs)
    raise DatasetNotFoundError(
        f"{what}: {relative} not found. Looked in:\n{looked}\n"
        f"Pass data_dir='<dir>' (the folder holding {relative}) or set {ENV_VAR}=<dir>. "
        f"Public source: {source}."
    )
