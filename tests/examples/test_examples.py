"""examples/quickstart.py and examples/puzzles.py run end to end on small settings."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_quickstart(capsys):
    assert load("quickstart").main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "after supervision step 3" in out and "identical forecast" in out


@pytest.mark.slow
def test_puzzles(capsys):
    assert load("puzzles").main(["--quick"]) == 0
    out = capsys.readouterr().out
    assert "held-out exact accuracy" in out and "(halting)" in out and "steps=" in out
