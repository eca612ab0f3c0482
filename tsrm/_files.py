"""Files both wings share: atomic writes, data-file lookup and checks, model folders, and
memory-mapped scratch arrays.

A model folder holds ``config.json`` (plain data) and ``model.safetensors`` (named
tensors only): reading one never unpickles or runs anything from the files.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tsrm._version import __version__
from tsrm.exceptions import ChecksumError, DatasetNotFoundError, ModelFileError

if TYPE_CHECKING:
    from torch import Tensor

ENV_VAR = "TSRM_DATA_DIR"
CONFIG_FILE, WEIGHTS_FILE = "config.json", "model.safetensors"
_CHUNK = 1 << 20

# (resolved path, mtime_ns, size) -> hex digest: a file re-read unchanged is not hashed again.
_digests: dict[tuple[str, int, int], str] = {}


def atomic_write(path: Path, write: Callable[[str], object]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it over ``path``.

    A rename within one directory is atomic on POSIX file systems, so a crash during
    ``write`` leaves any previous ``path`` intact.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


# -- data files ----------------------------------------------------------------------------
def cache_dir() -> Path:
    """The user cache directory: ``$XDG_CACHE_HOME/tsrm``, or ``~/.cache/tsrm``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "tsrm"


def search_dirs(data_dir: str | os.PathLike | None = None) -> list[tuple[Path, str]]:
    """Directories searched for data files, in order, each with where it came from.

    Parameters
    ----------
    data_dir : path-like, optional
        Searched first when given; then ``$TSRM_DATA_DIR``, then :func:`cache_dir`.

    Returns
    -------
    list of (Path, str)
        ``(directory, origin)`` pairs without duplicates.
    """
    candidates = []
    if data_dir is not None:
        candidates.append((Path(data_dir).expanduser(), "data_dir argument"))
    if os.environ.get(ENV_VAR):
        candidates.append((Path(os.environ[ENV_VAR]).expanduser(), f"{ENV_VAR} variable"))
    candidates.append((cache_dir(), "user cache"))
    seen, out = set(), []
    for path, origin in candidates:
        if path not in seen:
            seen.add(path)
            out.append((path, origin))
    return out


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, cached in-process by path, modification time and size."""
    path = Path(path).resolve()
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _digests:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while block := handle.read(_CHUNK):
                digest.update(block)
        _digests[key] = digest.hexdigest()
    return _digests[key]


def verify_file(path: str | os.PathLike, sha256: str) -> Path:
    """Return ``path`` if its sha256 is ``sha256``; else raise :class:`ChecksumError`."""
    actual = sha256_file(path)
    if actual != sha256.lower():
        raise ChecksumError(
            f"Checksum mismatch for {path}: expected sha256 {sha256}, got {actual}. The file is "
            "corrupted or a different version; replace it with the catalogued one."
        )
    return Path(path)


def find_data_file(
    relative: str,
    data_dir: str | os.PathLike | None,
    *,
    sha256: str | None,
    verify: bool,
    what: str,
    source: str,
) -> Path:
    """``<dir>/<relative>`` from the first of :func:`search_dirs` that has it, checked.

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


# -- model folders ---------------------------------------------------------------------------
def write_model_folder(path: Path, config: dict, tensors: dict[str, Tensor]) -> Path:
    """Write ``config`` as JSON and ``tensors`` as safetensors into folder ``path``, atomically."""
    from safetensors.torch import save_file  # torch only when a model is written

    path.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    atomic_write(path / WEIGHTS_FILE, lambda tmp: save_file(tensors, tmp))
    atomic_write(path / CONFIG_FILE, lambda tmp: Path(tmp).write_text(json.dumps(config, indent=2)))
    return path


def read_model_folder(
    path: Path, file_format: str, format_version: int, keys: frozenset[str], what: str
) -> tuple[dict, dict[str, Tensor]]:
    """The checked config and the tensors of a model folder.

    Parameters
    ----------
    path : Path
        The folder.
    file_format : str
        The ``"format"`` the config must name (e.g. ``"tsrm.TRMForecaster"``).
    format_version : int
        The ``"format_version"`` this tsrm reads.
    keys : frozenset of str
        Every top-level config key this format may hold; others are refused.
    what : str
        How to name the writer in messages (e.g. ``"TRMForecaster.save()"``).

    Raises
    ------
    ModelFileError
        A file is missing, a link leading out of the folder, not valid JSON or
        safetensors, of another format or version, or has keys never written.
    """
    file = _model_file(
        path, CONFIG_FILE, f"No {CONFIG_FILE} in {str(path)!r}; pass the directory {what} wrote."
    )
    try:
        config = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as err:
        raise ModelFileError(f"{file} is not valid JSON ({err}); the file is corrupted.") from None
    _check_format(file, config, file_format, format_version)
    unknown = sorted(set(config) - keys)
    if unknown:
        raise ModelFileError(
            f"{file} has keys this tsrm never writes ({', '.join(map(repr, unknown))}); the "
            "file was edited or is not a tsrm model. It is not loaded."
        )
    weights = _model_file(
        path,
        WEIGHTS_FILE,
        f"No {WEIGHTS_FILE} in {str(path)!r}; the model directory is incomplete.",
    )
    from safetensors import SafetensorError
    from safetensors.torch import load_file  # torch only when a model is read

    try:
        tensors = load_file(str(weights))
    except (SafetensorError, OSError, ValueError) as err:
        raise ModelFileError(
            f"{weights} cannot be read ({err}); the file is corrupted or truncated."
        ) from None
    return config, tensors


def _check_format(file: Path, config: object, file_format: str, format_version: int) -> None:
    found = config.get("format") if isinstance(config, dict) else None
    if found != file_format:
        # Name the class that can read it when the file is another tsrm model.
        other = (
            found[len("tsrm.") :] if isinstance(found, str) and found.startswith("tsrm.") else ""
        )
        hint = f": it holds a {other} model; load it with {other}.load()" if other else ""
        mine = file_format[len("tsrm.") :]
        raise ModelFileError(f"{file} is not a tsrm {mine} model file{hint}.")
    version = config.get("format_version")
    if version != format_version:
        raise ModelFileError(
            f"{file} has model format version {version!r} (written by tsrm "
            f"{config.get('tsrm_version')}); this tsrm ({__version__}) reads version "
            f"{format_version}. Install the tsrm version that saved it, or refit."
        )


def _model_file(path: Path, name: str, missing: str) -> Path:
    """``path / name`` if it is a regular file inside ``path`` (a link may not lead out)."""
    file = path / name
    if not file.is_file():
        raise ModelFileError(missing)
    directory = path.resolve()
    if file.resolve().parent != directory:
        raise ModelFileError(
            f"{file} links to {str(file.resolve())!r}, outside the model directory "
            f"{str(directory)!r}; tsrm reads model files only from the directory it is given."
        )
    return file


def memory_mapped(values: np.ndarray) -> bool:
    """Whether ``values`` is (a view of) a memory-mapped file, e.g. a series read from Parquet."""
    while values is not None:
        if isinstance(values, np.memmap):
            return True
        values = getattr(values, "base", None)
    return False


def scratch_array(n: int, dtype: np.dtype) -> np.ndarray:
    """A writeable memory-mapped array of ``n`` values in a file already unlinked: memory
    the operating system can page out, not the process's own."""
    fd, name = tempfile.mkstemp(prefix="tsrm-", suffix=".values")
    os.close(fd)
    try:
        return np.memmap(name, dtype=dtype, mode="w+", shape=(n,))
    finally:
        try:
            os.unlink(name)
        except OSError:  # Windows keeps a mapped file; the temporary folder holds it
            pass
