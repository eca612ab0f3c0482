"""The package layout is the architecture: these import rules keep it that way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "tsrm"


def imported_modules(subpackage: str) -> list[tuple[str, str]]:
    """(file name, imported module) for every import in ``tsrm/<subpackage>``."""
    found = []
    for file in (PACKAGE / subpackage).rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found += [(file.name, a.name) for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                found.append((file.name, node.module or ""))
    return found


RULES = {
    # the recursion engine knows no domain
    "core": (
        "tsrm.forecasting.models.trm",
        "tsrm.puzzles",
        "tsrm.forecasting.models",
        "tsrm.forecasting.neural",
        "tsrm.forecasting.datasets",
    ),
    # the two wings never import each other
    "forecasting": ("tsrm.puzzles",),
    "puzzles": (
        "tsrm.forecasting.models.trm",
        "tsrm.forecasting.models",
        "tsrm.forecasting.neural",
        "tsrm.forecasting.series",
    ),
    # data loading knows no model
    "datasets": (
        "tsrm.forecasting.models.trm",
        "tsrm.puzzles",
        "tsrm.forecasting.models",
        "tsrm.forecasting.neural",
    ),
    "puzzles/data": ("torch", "tsrm.puzzles.module", "tsrm.puzzles.lightning_module"),
    # the shared neural base knows no particular model
    "neural": ("tsrm.forecasting.models.trm", "tsrm.forecasting.models", "tsrm.puzzles"),
}


@pytest.mark.parametrize("subpackage", sorted(RULES))
def test_import_rules(subpackage):
    bad = [
        f"{file} imports {name}"
        for file, name in imported_modules(subpackage)
        if name.startswith(RULES[subpackage])
    ]
    assert not bad, bad


def test_rules_see_imports():
    # guards the checker itself: the puzzles wing does import the core engine
    assert any(name.startswith("tsrm.core") for _, name in imported_modules("puzzles"))
