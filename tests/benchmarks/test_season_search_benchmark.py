"""benchmarks/season_search.py compares the calendar's season with the searched one."""

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
        yield importlib.import_module("season_search")


def test_records_both_seasons_per_data_set(script, data_dir, tmp_path):
    argv = ["--dataset", "ILI", "Exchange", "--data-dir", str(data_dir)]
    assert script.main([*argv, "--results-dir", str(tmp_path)]) == 0
    with (tmp_path / "season_search.csv").open(newline="") as fh:
        rows = {r["dataset"]: r for r in csv.DictReader(fh)}
    # ILI is weekly with a yearly season; exchange rates have none.
    assert (rows["ILI"]["calendar"], rows["ILI"]["searched"]) == ("52", "52")
    assert (rows["Exchange"]["calendar"], rows["Exchange"]["searched"]) == ("1", "1")
    assert all(r["agree"] == "True" and r["git_commit"] for r in rows.values())


def test_reads_only_the_training_part(script, data_dir):
    long, freq = script.training_long("ILI", data_dir)
    full = script.load_dataset("ILI", data_dir=data_dir).frame
    n_train = script.split_boundaries("ILI", len(full), 1).train[1]
    assert freq == "W" or freq.startswith("W")
    assert long.groupby("unique_id").size().eq(n_train).all()
