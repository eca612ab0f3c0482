"""The benchmark scripts (benchmarks/long_horizon.py, short_horizon.py) on tiny slices.

The scripts are not a package: ``benchmarks/`` is put on ``sys.path`` for the import, as
Python does when they are run. Tests that read the benchmark data skip when it is absent,
except on CI.
"""

from __future__ import annotations

import csv
import importlib
import math
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
# The project's shared data folder sits next to the repository: <repo>/../shared/data.
SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"

LONG_RESULT = re.compile(
    r"^RESULT dataset=ETTh1 horizon=24 lookback=48 model=(?P<model>[\w-]+) "
    r"mse=(?P<mse>\d+\.\d{4}) mae=(?P<mae>\d+\.\d{4}) params=(?P<params>\d+) "
    r"train_s=\d+(\.\d+)? predict_ms_per_window=\d+(\.\d+)?(?P<partial> partial=1)?$"
)
SHORT_RESULT = re.compile(
    r"^RESULT dataset=(?P<dataset>[\w-]+) horizon=(?P<horizon>\d+) model=(?P<model>[\w-]+) "
    r"smape=(?P<smape>\S+) mase=(?P<mase>\S+) owa=(?P<owa>\S+) n_series=(?P<n>\d+) .*"
)


@pytest.fixture(scope="module")
def bench():
    """The benchmark modules, imported with ``benchmarks/`` on ``sys.path``."""
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(BENCHMARKS))
        return SimpleNamespace(
            harness=importlib.import_module("_harness"),
            long=importlib.import_module("long_horizon"),
            short=importlib.import_module("short_horizon"),
        )


def _rows(path: Path) -> list[dict]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def _results(output: str, pattern: re.Pattern) -> list[re.Match]:
    lines = [line for line in output.splitlines() if line.startswith("RESULT")]
    matches = [pattern.match(line) for line in lines]
    assert all(matches), lines
    return matches


ETTH1_SMALL = ["--dataset", "ETTh1", "--horizon", "24", "--lookback", "48"]


# -- long horizon -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def long_partial(bench, data_dir, tmp_path_factory):
    """seasonal_naive and a 1-epoch DLinear on 50 ETTh1 test windows (a partial run)."""
    import contextlib
    import io

    results = tmp_path_factory.mktemp("long_partial")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = bench.long.main(
            [
                *ETTH1_SMALL,
                "--model",
                "seasonal_naive",
                "dlinear",
                "--max-epochs",
                "1",
                "--batch-size",
                "1024",
                "--limit-test-windows",
                "50",
                "--data-dir",
                str(data_dir),
                "--results-dir",
                str(results),
            ]
        )
    return SimpleNamespace(rc=rc, output=out.getvalue(), results=results)


def test_long_result_lines(long_partial):
    assert long_partial.rc == 0, long_partial.output
    matches = _results(long_partial.output, LONG_RESULT)
    assert [m["model"] for m in matches] == ["seasonal_naive", "dlinear"]
    assert all(m["partial"] for m in matches)
    params = {m["model"]: int(m["params"]) for m in matches}
    assert params["seasonal_naive"] == 0 and params["dlinear"] > 0
    assert all(0 < float(m["mse"]) < 5 for m in matches)
    assert "machine: " in long_partial.output and "total time: " in long_partial.output


def test_long_partial_kept_out_of_main_files(long_partial):
    assert not (long_partial.results / "long_horizon.csv").exists()
    assert not (long_partial.results / "long_horizon.md").exists()
    rows = _rows(long_partial.results / "long_horizon_partial.csv")
    assert [r["model"] for r in rows] == ["seasonal_naive", "dlinear"]
    assert {r["test_windows"] for r in rows} == {"50"}
    assert rows[1]["settings"] == "batch_size=1024 max_epochs=1"
    assert rows[1]["epochs"] == "1"
    assert "--limit-test-windows 50" in rows[1]["command"]


def test_long_skips_finished_cells_and_force_reruns(bench, data_dir, tmp_path, capsys):
    main_file, _ = bench.harness.results_files(
        tmp_path, bench.long.STEM, bench.long.FIELDS, bench.long.KEY
    )
    fake = {
        "date": "2000-01-01",
        "dataset": "ETTh1",
        "horizon": 24,
        "lookback": 48,
        "model": "seasonal_naive",
        "settings": "",
        "seed": "",
        "mse": 0.1234,
        "mae": 0.2345,
        "params": 0,
        "test_windows": 19999,
    }
    main_file.append(fake)
    argv = [*ETTH1_SMALL, "--model", "seasonal_naive", "--data-dir", str(data_dir)]
    argv += ["--results-dir", str(tmp_path)]

    assert bench.long.main(argv) == 0
    out = capsys.readouterr().out
    assert "SKIP dataset=ETTh1 horizon=24 lookback=48 model=seasonal_naive" in out
    assert "RESULT" not in out
    assert len(_rows(main_file.path)) == 1

    assert bench.long.main([*argv, "--force"]) == 0
    out = capsys.readouterr().out
    (match,) = _results(out, LONG_RESULT)
    assert match["model"] == "seasonal_naive" and not match["partial"]
    rows = _rows(main_file.path)
    assert len(rows) == 2 and rows[1]["mse"] == match["mse"].rstrip("0")
    assert int(rows[1]["test_windows"]) == 7 * (2880 + 48 - 48 - 24 + 1)  # every test window
    md = (tmp_path / "long_horizon.md").read_text()
    assert "0.1234" not in md  # the latest row of the cell is shown
    assert f"| {float(match['mse']):.3f} |" in md


def test_long_markdown_shows_published_numbers(bench, tmp_path):
    main_file, _ = bench.harness.results_files(
        tmp_path, bench.long.STEM, bench.long.FIELDS, bench.long.KEY
    )
    main_file.append(
        {"date": "2000-01-01", "dataset": "ETTh1", "horizon": 96, "lookback": 336}
        | {"model": "dlinear", "settings": "", "seed": 0, "mse": 0.3771, "mae": 0.4012}
        | {"params": 64704, "epochs": 5, "best_epoch": 2, "test_windows": 19495}
    )
    md = bench.long.write_markdown(tmp_path).read_text()
    assert "## ETTh1" in md
    assert "| 96 | dlinear | 336 | defaults | 0 | 0.377 | 0.401 | 64,704 |" in md
    assert "| 96 | *DLinear (published)* | 336 |  |  | 0.375 |" in md
    assert "| 96 | *PatchTST/64 (published)* | 512 |  |  | 0.370 | 0.400 |" in md
    assert "REFERENCE.md section 3" in md


def test_seasonal_naive_repeats_last_season_of_each_window(bench):
    from tsrm import SeasonalNaive

    inputs = np.random.default_rng(0).normal(size=(7, 30))
    model = SeasonalNaive(horizon=17, season_length=8).fit(inputs.T)
    expected = np.asarray(model.predict(y=inputs.T)).T
    np.testing.assert_array_equal(bench.long.seasonal_naive_forecast(model, inputs), expected)
    with pytest.raises(ValueError, match="one season"):
        bench.long.seasonal_naive_forecast(model, inputs[:, :5])


def test_window_indices_spread_over_all_windows(bench):
    assert bench.long.window_indices(10, None) == list(range(10))
    assert bench.long.window_indices(10, 20) == list(range(10))
    picked = bench.long.window_indices(1000, 50)
    assert len(picked) == 50 and picked[0] == 0 and picked[-1] == 999


def test_unavailable_model_is_an_argument_error(bench, monkeypatch, capsys):
    monkeypatch.setitem(bench.harness.NEURAL_MODELS, "patchtst", ("no-such-model", {}))
    with pytest.raises(SystemExit) as exc:
        bench.long.main(["--model", "patchtst"])
    assert exc.value.code == 2
    assert "not available in this tsrm: patchtst" in capsys.readouterr().err


def test_settings_and_scoped_sets(bench):
    h = bench.harness
    sets = h.parse_sets(["patch_len=32", "seasonal_naive:season_length=168"])
    assert sets == [(None, "patch_len", "32"), ("seasonal_naive", "season_length", "168")]
    assert h.set_values(h.sets_for("tsrm", sets, trained=True)) == {"patch_len": "32"}
    assert h.set_values(h.sets_for("seasonal_naive", sets, trained=False)) == {
        "season_length": "168"
    }
    assert h.settings_text({"max_epochs": 1, "batch_size": 8}) == "batch_size=8 max_epochs=1"
    assert h.parse_value("0.1") == 0.1 and h.parse_value("mlp") == "mlp"
    with pytest.raises(ValueError, match="KEY=VALUE"):
        h.parse_sets(["patch_len"])


# -- short horizon ----------------------------------------------------------------------------
def test_short_partial_naive2_and_seasonal_naive(bench, data_dir, tmp_path, capsys):
    argv = ["--dataset", "M4-Weekly", "--model", "seasonal_naive", "naive2"]
    argv += ["--limit-series", "5", "--data-dir", str(data_dir), "--results-dir", str(tmp_path)]
    assert bench.short.main(argv) == 0
    out = capsys.readouterr().out
    matches = {m["model"]: m for m in _results(out, SHORT_RESULT)}
    assert list(matches) == ["naive2", "seasonal_naive"]  # Naive2 runs first
    for m in matches.values():
        assert m["dataset"] == "M4-Weekly" and m["horizon"] == "13" and m["n"] == "5"
        assert math.isfinite(float(m["smape"])) and float(m["smape"]) > 0
    assert float(matches["naive2"]["owa"]) == 1.0
    # M4-Weekly's seasonal period is 1: the seasonal naive is Naive2 there.
    assert float(matches["seasonal_naive"]["owa"]) == pytest.approx(1.0)
    assert not (tmp_path / "short_horizon.csv").exists()
    assert not (tmp_path / "short_horizon.md").exists()
    assert len(_rows(tmp_path / "short_horizon_partial.csv")) == 2
    assert "machine: " in out and "total time: " in out


def test_short_runs_naive2_reference_first_when_missing(bench, data_dir, tmp_path, capsys):
    argv = ["--dataset", "M4-Weekly", "--model", "naive", "--limit-series", "3"]
    argv += ["--data-dir", str(data_dir), "--results-dir", str(tmp_path)]
    assert bench.short.main(argv) == 0
    out = capsys.readouterr().out
    assert "running naive2 first" in out
    assert [m["model"] for m in _results(out, SHORT_RESULT)] == ["naive2", "naive"]


def test_short_markdown_and_skip(bench, tmp_path, capsys):
    main_file, _ = bench.harness.results_files(
        tmp_path, bench.short.STEM, bench.short.FIELDS, bench.short.KEY
    )
    row = {"date": "2000-01-01", "dataset": "M4-Hourly", "horizon": 48, "settings": ""}
    row |= {"seed": "", "n_series": 414, "params": 0, "fallbacks": 0}
    main_file.append(row | {"model": "naive2", "smape": 18.3830, "mase": 2.3950, "owa": 1.0})
    main_file.append(row | {"model": "naive", "smape": 43.0, "mase": 11.6, "owa": 3.59})
    md = bench.short.write_markdown(tmp_path).read_text()
    assert "## M4-Hourly (h = 48)" in md
    assert "| *Naive2 (published)* |  |  | 18.383 | 2.395 | 1.000 |" in md
    assert "| *seasonal naive (published)* |  |  | 13.912 | 1.193 | 0.627 |" in md
    # Both cells are finished: nothing is loaded or run (no data needed).
    argv = ["--dataset", "M4-Hourly", "--model", "naive2", "naive", "--results-dir", str(tmp_path)]
    assert bench.short.main([*argv, "--data-dir", str(tmp_path / "nowhere")]) == 0
    out = capsys.readouterr().out
    assert out.count("SKIP dataset=M4-Hourly") == 2 and "RESULT" not in out


def test_short_neural_lookback_rule(bench):
    args = SimpleNamespace(lookback=None, lookback_multiple=4, pad_short=False)
    lookback = bench.short.neural_lookback
    assert lookback(args, 48, 700) == 192  # M4-Hourly
    assert lookback(args, 13, 80) == 52  # M4-Weekly
    assert lookback(args, 18, 48) == 12  # M3-Monthly: clipped to 48 - 2 x 18
    with pytest.raises(ValueError, match="too few"):
        lookback(args, 6, 12)
    assert (
        lookback(SimpleNamespace(lookback=30, lookback_multiple=4, pad_short=False), 18, 48) == 30
    )
    padded = SimpleNamespace(lookback=None, lookback_multiple=3, pad_short=True)
    assert lookback(padded, 18, 48) == 54  # no cap: short series get padded instead


def test_short_left_pad_precedes_short_series_only(bench):
    frame = pd.DataFrame(
        {
            "unique_id": ["a"] * 3 + ["b"] * 6,
            "ds": list(pd.date_range("2000-03-01", periods=3, freq="MS"))
            + list(pd.date_range("1999-01-01", periods=6, freq="MS")),
            "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
        }
    )
    before = frame.copy()
    out = bench.short.left_pad(frame, 5)
    pd.testing.assert_frame_equal(frame, before)  # the input is not modified
    a = out[out["unique_id"] == "a"]
    assert list(a["ds"]) == list(pd.date_range("2000-01-01", periods=5, freq="MS"))
    assert a["y"].isna().tolist() == [True, True, False, False, False]
    b = out[out["unique_id"] == "b"].reset_index(drop=True)
    pd.testing.assert_frame_equal(b, frame[frame["unique_id"] == "b"].reset_index(drop=True))
