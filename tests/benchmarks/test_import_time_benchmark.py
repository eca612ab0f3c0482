"""benchmarks/import_time.py measures this tree in fresh processes and records each probe."""

from __future__ import annotations

import csv
import importlib
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def script():
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(BENCHMARKS))
        yield importlib.import_module("import_time")


def test_import_time_records_every_probe(script, tmp_path):
    results = tmp_path / "import_time.csv"
    assert script.main(["--repeats", "1", "--results", str(results)]) == 0
    with results.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["probe"] for r in rows] == list(script.PROBES)
    assert all(float(r["median_s"]) > 0 and r["git_commit"] for r in rows)


def test_a_failing_probe_is_an_error_not_a_fast_number(script, tmp_path):
    with pytest.raises(RuntimeError, match="failed"):
        script.wall("import no_such_module_anywhere", tmp_path)
