"""benchmarks/select_lookback.py: the look-back is chosen on validation MSE, never on test."""

from __future__ import annotations

import csv
import importlib
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
FIELDS = ["dataset", "horizon", "lookback", "model", "settings", "seed", "mse", "mae"]
FIELDS += ["best_val_mse", "train_s"]


@pytest.fixture(scope="module")
def select_lookback():
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(BENCHMARKS))
        return importlib.import_module("select_lookback")


def write_rows(path: Path, rows: list[tuple]) -> None:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(FIELDS)
        for dataset, horizon, lookback, settings, mse, val in rows:
            writer.writerow([dataset, horizon, lookback, "m", settings, 0, mse, mse, val, 10])


def test_picks_lowest_validation_not_lowest_test(select_lookback, tmp_path, capsys):
    write_rows(
        tmp_path / "long_horizon.csv",
        [
            ("A", 96, 336, "s", 0.30, 0.50),  # best on test, worse on validation
            ("A", 96, 720, "s", 0.40, 0.45),
            ("A", 96, 720, "other", 0.10, 0.01),  # other settings: ignored
            ("B", 96, 336, "p4", 0.20, 0.30),  # B ran at one look-back with its own settings
        ],
    )
    code = select_lookback.main(
        [
            "--model", "m", "--settings", "s", "--dataset", "A", "B", "--horizon", "96",
            "--lookback", "336", "720", "--candidates", "B=336", "--settings-for", "B=p4",
            "--results-dir", str(tmp_path), "--output", "chosen.md",
        ]
    )  # fmt: skip
    assert code == 0
    text = (tmp_path / "chosen.md").read_text()
    assert "| A | 96 | 720 | 0.400 |" in text
    assert "| B | 96 | 336 | 0.200 |" in text
    assert "mean MSE over all 2 cells: 0.300" in text
    assert text in capsys.readouterr().out


def test_a_missing_candidate_is_reported_not_chosen_around(select_lookback, tmp_path):
    write_rows(tmp_path / "long_horizon.csv", [("A", 96, 336, "s", 0.3, 0.5)])
    select_lookback.main(
        ["--model", "m", "--settings", "s", "--dataset", "A", "--horizon", "96",
         "--lookback", "336", "720", "--results-dir", str(tmp_path), "--output", "o.md"]
    )  # fmt: skip
    text = (tmp_path / "o.md").read_text()
    assert "| A | 96 | incomplete |" in text and "720: missing" in text
    assert "mean MSE over all" not in text


def test_no_results_file_is_a_clear_error(select_lookback, tmp_path, capsys):
    assert select_lookback.main(["--model", "m", "--dataset", "A", "--results-dir", str(tmp_path)])
    assert "run long_horizon.py first" in capsys.readouterr().err
