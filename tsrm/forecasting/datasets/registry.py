"""The catalogue of benchmark data sets, read from ``datasets/catalog.json``.

The catalogue is defined once, in the repository's top-level ``datasets/`` folder (``README.md``
for people, ``catalog.json`` for this module). Wheels ship that folder as ``tsrm/_catalog``; a
source checkout or editable install reads it from the repository.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tsrm.exceptions import UnknownDatasetError

CATALOG_FILE = "catalog.json"


@dataclass(frozen=True)
class FileVariant:
    """One accepted form of a data file.

    Parameters
    ----------
    path : str
        Location relative to a data directory, with ``/`` separators (e.g. ``ltsf/ETTh1.csv``).
    sha256 : str
        Hex digest the file must have.
    url : str or None
        Canonical public address ``download=True`` fetches it from; None where the source
        offers no stable direct link.
    """

    path: str
    sha256: str
    url: str | None = None


@dataclass(frozen=True)
class SplitRule:
    """How a data set is cut into train, validation and test parts.

    ``rule`` is ``"rows"`` (fixed row counts ``train``/``val``/``test``), ``"fractions"``
    (``train`` and ``test`` are fractions of the rows, validation the rest) or ``"holdout"``
    (panel sets: the last ``test`` points of every series are the test part).
    """

    rule: str
    train: float | None = None
    val: float | None = None
    test: float | None = None


@dataclass(frozen=True)
class DatasetInfo:
    """Everything tsrm knows about one benchmark data set (one catalogue entry).

    Attributes
    ----------
    name : str
        Canonical name, e.g. ``"ETTh1"``.
    kind : str
        ``"ltsf"`` (one wide multivariate frame) or ``"panel"`` (many short series with a
        separate test part).
    title : str
        One-line description.
    freq : str
        Pandas frequency alias of the sampling.
    seasonal_period : int
        Season length used by seasonal baselines and MASE.
    horizons : tuple of int
        Standard forecast horizons.
    target : str or None
        Target column of an LTSF set; None for panel sets.
    split : SplitRule
        Protocol split.
    reader : str
        File format: ``"ltsf_csv"``, ``"m4_wide"`` or ``"m3_long"``.
    reader_options : Mapping
        Format options (``date_column``, ``rename``, ``group``).
    files : Mapping of str to tuple of FileVariant
        Per role (``"data"``, or ``"train"`` and ``"test"``), the accepted forms of the file,
        preferred first.
    shape : Mapping of str to int
        ``rows``/``columns`` (LTSF, date excluded) or ``series``/``test_length`` (panel).
    source, source_url, license, notes : str
        Provenance and caveats.
    """

    name: str
    kind: str
    title: str
    freq: str
    seasonal_period: int
    horizons: tuple[int, ...]
    target: str | None
    split: SplitRule
    reader: str
    reader_options: Mapping[str, Any]
    files: Mapping[str, tuple[FileVariant, ...]]
    shape: Mapping[str, int]
    source: str
    source_url: str
    license: str
    notes: str = ""

    @property
    def size(self) -> str:
        """Human-readable size, e.g. ``"17,420 rows x 7 columns"`` or ``"414 series"``."""
        if self.kind == "ltsf":
            return f"{self.shape['rows']:,} rows x {self.shape['columns']} columns"
        return f"{self.shape['series']:,} series, {self.shape['test_length']} test points each"


def _catalog_text() -> str:
    packaged = resources.files("tsrm") / "_catalog" / CATALOG_FILE
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    # Source checkout or editable install: the catalogue lives in the repository root.
    return (Path(__file__).resolve().parents[3] / "datasets" / CATALOG_FILE).read_text(
        encoding="utf-8"
    )


def _parse_entry(entry: Mapping[str, Any]) -> DatasetInfo:
    reader = dict(entry["reader"])
    return DatasetInfo(
        name=entry["name"],
        kind=entry["kind"],
        title=entry["title"],
        freq=entry["freq"],
        seasonal_period=int(entry["seasonal_period"]),
        horizons=tuple(int(h) for h in entry["horizons"]),
        target=entry.get("target"),
        split=SplitRule(**entry["split"]),
        reader=reader.pop("format"),
        reader_options=MappingProxyType(reader),
        files=MappingProxyType(
            {role: tuple(FileVariant(**v) for v in vs) for role, vs in entry["files"].items()}
        ),
        shape=MappingProxyType(dict(entry["shape"])),
        source=entry["source"],
        source_url=entry["source_url"],
        license=entry["license"],
        notes=entry.get("notes", ""),
    )


@cache
def _catalog() -> dict[str, DatasetInfo]:
    entries = json.loads(_catalog_text())["datasets"]
    return {e["name"].lower(): _parse_entry(e) for e in entries}


def list_datasets(kind: str | None = None) -> list[str]:
    """Names of the catalogued data sets, in catalogue order.

    Parameters
    ----------
    kind : {"ltsf", "panel"}, optional
        Only data sets of this kind.

    Returns
    -------
    list of str
    """
    return [info.name for info in _catalog().values() if kind is None or info.kind == kind]


def get_info(name: str | DatasetInfo) -> DatasetInfo:
    """The catalogue entry of a data set.

    Parameters
    ----------
    name : str or DatasetInfo
        Data-set name, case-insensitive (``"etth1"`` works); an entry is returned as is.

    Returns
    -------
    DatasetInfo

    Raises
    ------
    UnknownDatasetError
        The name is not catalogued; the message lists the known names.
    """
    if isinstance(name, DatasetInfo):
        return name
    try:
        return _catalog()[str(name).lower()]
    except KeyError:
        known = ", ".join(list_datasets())
        raise UnknownDatasetError(f"Unknown data set {name!r}. Known data sets: {known}.") from None
