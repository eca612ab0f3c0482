"""benchmarks/coverage.py on a tiny slice of ETTh1 (skipped without the data, except on CI)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture(scope="module")
def coverage():
    """The script, loaded from its file: the name ``coverage`` is also coverage.py's."""
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(BENCHMARKS))  # for its ``import _harness``
        spec = importlib.util.spec_from_file_location(
            "coverage_benchmark", BENCHMARKS / "coverage.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


def test_interval_scores(coverage):
    targets = np.array([[0.0, 1.0, 2.0, 3.0]])
    scores = coverage.interval_scores(targets - 1, targets + 1 - 2 * (targets > 2), targets)
    assert scores["coverage"] == 0.75
    assert scores["coverage_first_quarter"] == 1.0 and scores["coverage_last_quarter"] == 0.0
    assert scores["mean_width"] == 1.5


def test_partial_run_writes_partial_rows_only(coverage, tmp_path, capsys, data_dir):
    argv = ["--dataset", "ETTh1", "--horizon", "24", "--lookback", "48", "--model", "dlinear"]
    argv += ["--max-epochs", "1", "--limit-test-windows", "40", "--quantile-model"]
    argv += ["--data-dir", str(data_dir), "--results-dir", str(tmp_path)]
    assert coverage.main(argv) == 0
    assert not (tmp_path / "coverage.csv").exists()
    with (tmp_path / "coverage_partial.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["route"], r["nominal"]) for r in rows] == [
        ("conformal", "0.8"),
        ("conformal", "0.9"),
        ("quantile", "0.8"),
        ("quantile", "0.9"),
    ]
    assert all(0.0 <= float(r["coverage"]) <= 1.0 for r in rows)
    assert rows[0]["command"].endswith("--coverage 0.8 0.9")
    assert "RESULT ETTh1 H=24" in capsys.readouterr().out
    md = coverage.write_markdown(tmp_path)
    assert md is None  # partial rows never reach the Markdown table
