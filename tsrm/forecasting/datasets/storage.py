"""Finding a catalogued data set's files (see :mod:`tsrm._files`), and fetching them when asked.

Lookup order for a data directory: the ``data_dir`` argument, then the ``TSRM_DATA_DIR``
environment variable, then the user cache (``$XDG_CACHE_HOME/tsrm``, default ``~/.cache/tsrm``).
Every file read is checked against the catalogue's sha256; nothing is downloaded unless asked.
"""

from __future__ import annotations

import os
import shutil
import urllib.request
from pathlib import Path

from tsrm._files import ENV_VAR, cache_dir, search_dirs, verify_file
from tsrm.exceptions import ChecksumError, DatasetError, DatasetNotFoundError
from tsrm.forecasting.datasets.registry import DatasetInfo, FileVariant

_CHUNK = 1 << 20


def _open_url(url: str, timeout: float):
    # The one place that touches the network, so tests can replace it.
    return urllib.request.urlopen(url, timeout=timeout)


def download_file(url: str, dest: str | os.PathLike, sha256: str, timeout: float = 60.0) -> Path:
    """Fetch ``url`` to ``dest`` and verify it; a bad download leaves nothing behind.

    Parameters
    ----------
    url : str
        An ``https://`` address.
    dest : path-like
        Target file; parent directories are created.
    sha256 : str
        Expected hex digest of the downloaded bytes.
    timeout : float
        Seconds to wait on the connection.

    Returns
    -------
    Path
        ``dest``.

    Raises
    ------
    DatasetError
        The URL is not https or the download failed.
    ChecksumError
        The downloaded bytes have another digest.
    """
    if not url.startswith("https://"):
        raise DatasetError(f"Refusing to download from {url!r}: only https:// URLs are fetched.")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    try:
        with _open_url(url, timeout) as response, part.open("wb") as out:
            shutil.copyfileobj(response, out, _CHUNK)
        verify_file(part, sha256)
    except ChecksumError:
        part.unlink(missing_ok=True)
        raise
    except OSError as err:
        part.unlink(missing_ok=True)
        raise DatasetError(f"Downloading {url} to {dest} failed: {err}") from err
    os.replace(part, dest)
    return dest


def _not_found(info: DatasetInfo, variants: tuple[FileVariant, ...], dirs) -> DatasetNotFoundError:
    names = " or ".join(v.path for v in variants)
    places = " or ".join(f"<dir>/{v.path}" for v in variants)
    looked = "\n".join(f"  - {d / v.path}  ({origin})" for d, origin in dirs for v in variants)
    urls = [v.url for v in variants if v.url]
    fetch = (
        f"load_dataset({info.name!r}, download=True) fetches it from {urls[0]} into {cache_dir()}."
        if urls
        else "It has no stable direct download: get it from the public source above."
    )
    return DatasetNotFoundError(
        f"{info.name}: data file {names} not found. Looked in:\n{looked}\n"
        f"Public source: {info.source} ({info.source_url}); licence: {info.license}.\n"
        f"To use a local copy, put it at {places} and pass "
        f"load_dataset({info.name!r}, data_dir='<dir>') or set {ENV_VAR}=<dir>. {fetch}"
    )


def locate_file(
    info: DatasetInfo,
    role: str,
    data_dir: str | os.PathLike | None = None,
    download: bool = False,
) -> Path:
    """Find, verify and (only if asked) download one file of a data set.

    Parameters
    ----------
    info : DatasetInfo
        The catalogue entry.
    role : str
        Which file: ``"data"``, ``"train"`` or ``"test"`` (keys of ``info.files``).
    data_dir : path-like, optional
        Searched before ``TSRM_DATA_DIR`` and the user cache.
    download : bool
        Fetch a missing file from its canonical URL into the user cache.

    Returns
    -------
    Path
        A file whose sha256 matches the catalogue.

    Raises
    ------
    DatasetNotFoundError
        No accepted form of the file is in any searched directory (and none was downloaded).
    ChecksumError
        A file was found but is not the catalogued one.
    """
    variants = info.files[role]
    dirs = search_dirs(data_dir)
    for directory, _ in dirs:
        for variant in variants:
            candidate = directory / variant.path
            if candidate.is_file():
                return verify_file(candidate, variant.sha256)
    if download:
        for variant in variants:
            if variant.url:
                return download_file(variant.url, cache_dir() / variant.path, variant.sha256)
    raise _not_found(info, variants, dirs)
