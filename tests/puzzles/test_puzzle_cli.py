from __future__ import annotations

import json

import pytest

from tsrm.cli import main

TINY_SETS = [
    "--set", "hidden_dim=16", "--set", "n_heads=2", "--set", "multiple_of=16",
    "--set", "n_supervision=2", "--set", "n_recursions=1", "--set", "n_cycles=2",
    "--set", "batch_size=16", "--set", "warmup_steps=2",
]  # fmt: skip


@pytest.mark.parametrize(("preset", "count"), [("sudoku-mlp", 5028866), ("sudoku-att", 6828034)])
def test_params_prints_the_official_count(capsys, preset, count):
    assert main(["puzzles", "params", "--preset", preset]) == 0
    assert f"params={count}" in capsys.readouterr().out


def test_build_train_evaluate_solve(tmp_path, capsys):
    data, model = tmp_path / "data", tmp_path / "model"
    assert main(["puzzles", "build", "sudoku", "--size", "4", "--n-train", "40",
                 "--n-test", "8", "--n-aug", "1", "--out", str(data)]) == 0  # fmt: skip
    assert (data / "train.npz").is_file() and (data / "test.npz").is_file()
    code = main(["puzzles", "train", "--data", str(data), "--out", str(model),
                 "--max-steps", "3", "--preset", "cpu-mlp", *TINY_SETS])  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert "all_steps_exact_accuracy=" in out and "halt_mean_steps=" in out
    saved = json.loads((model / "config.json").read_text())
    assert saved["config"]["seq_len"] == 16 and saved["config"]["vocab_size"] == 6
    assert main(["puzzles", "evaluate", "--model", str(model), "--data", str(data / "test")]) == 0
    assert "exact_accuracy=" in capsys.readouterr().out
    # an untrained model's answer is checked, not trusted: exit 1 unless valid
    code = main(["puzzles", "solve", "--model", str(model), ".....1...3.1..4."])
    out = capsys.readouterr().out
    assert code in (0, 1) and ("valid=yes" in out) == (code == 0)
    assert "steps=" in out


def test_solve_errors_name_the_problem(tmp_path, capsys):
    data, model = tmp_path / "data", tmp_path / "model"
    main(["puzzles", "build", "sudoku", "--size", "4", "--n-train", "20", "--n-test", "2",
          "--out", str(data)])  # fmt: skip
    main(["puzzles", "train", "--data", str(data), "--out", str(model), "--max-steps", "1",
          "--preset", "cpu-mlp", *TINY_SETS])  # fmt: skip
    capsys.readouterr()
    assert main(["puzzles", "solve", "--model", str(model), "." * 81]) == 2
    assert "4x4" in capsys.readouterr().err
    assert main(["puzzles", "solve", "--model", str(model), "12x4" * 4]) == 2
    assert main(["puzzles", "solve", "--model", str(tmp_path / "none"), "." * 16]) == 2
    assert "config.json" in capsys.readouterr().err
    assert main(["puzzles", "params", "--set", "hidden_dim"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err


def test_arc_build_and_evaluate_reports_pass_at_2(tmp_path, capsys, arc_data_dir):
    data, model = tmp_path / "data", tmp_path / "model"
    assert main(["puzzles", "build", "arc", "--max-tasks", "2", "--n-aug", "1",
                 "--data-dir", str(arc_data_dir), "--out", str(data)]) == 0  # fmt: skip
    assert main(["puzzles", "train", "--data", str(data), "--out", str(model),
                 "--max-steps", "1", "--preset", "cpu-att", *TINY_SETS,
                 "--set", "batch_size=4"]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["puzzles", "evaluate", "--model", str(model), "--data", str(data / "test")]) == 0
    assert "pass@2=" in capsys.readouterr().out
