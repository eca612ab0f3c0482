"""benchmarks/recursion_study.py: the generated systems, the FLOP-matched controls, one run."""

from __future__ import annotations

import csv
import importlib
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def script():
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(BENCHMARKS))
        module = importlib.import_module("recursion_study")
        mp.setattr(module, "N_POINTS", 1500)
        mp.setattr(module, "TRANSIENT", 100)
        module.clean_series.cache_clear()
        yield module
        module.clean_series.cache_clear()


@pytest.mark.parametrize("system", ["lorenz", "roessler", "mackey_glass", "double_pendulum"])
def test_systems_are_finite_varying_and_reproducible(script, system):
    clean = script.clean_series(system)
    assert clean.shape == (1500,) and np.isfinite(clean).all() and clean.std() > 0.01
    noisy = script.series(system, 0.05)
    assert np.array_equal(noisy, script.series(system, 0.05))
    assert 0.03 < (noisy - clean).std() / clean.std() < 0.07


def test_widened_controls_match_the_recursive_flops(script):
    for wide, recursive in script.MATCHED.items():
        target = script.trm_flops(script.trm_settings(recursive), 96, 8, 1)
        width = script.matched_width(target, 96, 8, 1)
        flops = script.trm_flops(script.trm_settings(wide, width), 96, 8, 1)
        assert abs(flops / target - 1) < 0.1
        assert width > 64  # the same network once is cheaper, so the control is wider


def test_one_run_is_recorded_with_its_command(script, tmp_path):
    argv = ["--system", "mackey_glass", "--noise", "0", "--horizon", "8", "--config", "dlinear"]
    assert script.main([*argv, "--seed", "0", "--results-dir", str(tmp_path)]) == 0
    with (tmp_path / "recursion_study.csv").open(newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["config"] == "dlinear" and float(row["mse"]) > 0 and row["git_commit"]
    assert 0 <= float(row["valid_steps"]) <= 8 and int(row["test_windows"]) == 300 - 8 + 1
    assert "--config dlinear" in row["command"]


def _runs(config: str, mses: list[float], vals: list[float]) -> list[dict]:
    return [
        {"config": config, "seed": str(s), "mse": str(m), "val_mse": str(v)}
        for s, (m, v) in enumerate(zip(mses, vals, strict=True))
    ]


def test_the_decision_rule(script):
    rec = _runs("R", [1.0, 1.1, 0.9], [1.0, 1.0, 1.0])
    better = _runs("B", [0.5, 0.6, 0.4], [0.5, 0.5, 0.5])  # lower by 0.5 on every seed
    assert script._judge(rec, better) == "loses"
    assert script._judge(better, rec) == "wins"
    noisy = _runs("B", [0.5, 1.6, 0.9], [0.5, 0.5, 0.5])  # same mean gap, seeds disagree
    assert script._judge(rec, noisy) == "tie"
    val_disagrees = _runs("B", [0.5, 0.6, 0.4], [2.0, 2.0, 2.0])
    assert script._judge(rec, val_disagrees) == "tie"


def test_noise_in_z_draws_reproducible_sample_paths(script):
    from tsrm import TRMForecaster

    y = np.sin(np.arange(300) / 4) + 0.1 * np.random.default_rng(0).normal(size=300)
    model = TRMForecaster(horizon=4, lookback=16, max_epochs=1, fallback=False).fit(y)
    windows = np.stack([y[i : i + 16] for i in (0, 50, 100)])
    point = np.asarray(model.predict(y=windows.T)).T
    still = script.sample_paths(model, windows, 0.0, 5, seed=0)
    np.testing.assert_allclose(still, np.repeat(point[:, None], 5, axis=1), atol=1e-6)
    paths = script.sample_paths(model, windows, 0.3, 5, seed=0)
    assert paths.shape == (3, 5, 4) and paths.std(axis=1).min() > 0
    np.testing.assert_array_equal(paths, script.sample_paths(model, windows, 0.3, 5, seed=0))
    # The network is left as it was.
    np.testing.assert_array_equal(np.asarray(model.predict(y=windows.T)).T, point)


def test_h2_trains_on_the_last_share_of_the_training_split(script, data_dir, tmp_path):
    parts = script.ett_parts("ETTh1", 0.05, 48, 24, str(data_dir))
    full = script.ett_parts("ETTh1", 1.0, 48, 24, str(data_dir))
    assert len(parts[0]) == round(0.05 * 8640) + 2880 and len(full[0]) == 8640 + 2880
    np.testing.assert_array_equal(parts[0], full[0][-len(parts[0]) :])  # the same last rows
    np.testing.assert_array_equal(parts[2], full[2])  # the same test windows
    argv = ["--hypothesis", "H2", "--dataset", "ETTh1", "--fraction", "0.05", "--horizon", "24"]
    argv += ["--lookback", "48", "--config", "dlinear", "--seed", "0"]
    assert script.main([*argv, "--data-dir", str(data_dir), "--results-dir", str(tmp_path)]) == 0
    with (tmp_path / "recursion_study.csv").open(newline="") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["hypothesis"], row["fraction"], row["noise"]) == ("H2", "0.05", "")
    assert "--hypothesis H2 --dataset ETTh1 --fraction 0.05" in row["command"]


def test_h3_scores_a_calibrated_ensemble_as_calibrated(script):
    pytest.importorskip("scoringrules")
    rng = np.random.default_rng(0)
    targets = rng.normal(size=(400, 3))
    paths = rng.normal(size=(400, 500, 3))  # the true distribution, independent draws
    scores = script.path_scores(targets, paths)
    assert abs(scores["cov80"] - 0.8) < 0.03 and abs(scores["cov90"] - 0.9) < 0.03
    assert abs(scores["width90"] - 2 * 1.645) < 0.1
    assert abs(scores["crps"] - 0.5642) < 0.05  # the CRPS of N(0, 1) against itself
    assert abs(scores["qcrps"] - scores["crps"]) < 0.05  # 19 levels approximate it
    point = script.path_scores(targets, np.zeros((400, 1, 3)))
    assert point["crps"] == pytest.approx(np.abs(targets).mean(), abs=1e-5)


def test_h3_runs_sample_paths_and_their_controls(script, data_dir, monkeypatch):
    pytest.importorskip("scoringrules")
    data = script.ett_target("ETTh1", "OT", 48, 24, str(data_dir))
    assert (len(data.fit_part), data.val_rows) == (8640 + 2880, 2880)
    val, test = data.val, data.test
    assert val[0].shape == (2880 - 24 + 1, 48) and test[1].shape == (2880 - 24 + 1, 24)
    ot = script.ett_parts("ETTh1", 1.0, 48, 24, str(data_dir))  # channel by channel, OT last
    np.testing.assert_allclose(test[0], ot[2][-len(test[0]) :], atol=1e-6)  # theirs: float32
    _tiny_h3(script, monkeypatch)
    monkeypatch.setitem(script.SELECT_EVERY, "ETTh1", 200)
    job = {"hypothesis": "H3", "data": "ETTh1", "noise": "", "fraction": "", "horizon": 24,
           "lookback": 48, "data_dir": str(data_dir), "hidden_dim": 64, "accelerator": "cpu",
           "period": 24, "seed": 0}  # fmt: skip
    sampled, conformal = script.run_h3({**job, "config": "A"})
    assert sampled["config"] == "A" and conformal["config"] == "A-conformal"
    assert sampled["scale"] in (0.1, 1.0) and sampled["crps"] > 0 and "crps" not in conformal
    for row in (sampled, conformal):
        assert 0 < row["cov80"] <= row["cov90"] <= 1 and 0 < row["width80"] < row["width90"]
    (head,) = script.run_h3({**job, "config": "quantile"})
    assert head["config"] == "quantile" and head["qcrps"] > 0 and head["params"] > 0


def _tiny_h3(script, monkeypatch):
    """H3 with tiny networks that train in seconds, 3 paths and 2 noise scales."""
    make = script.make_model

    def tiny(config, job, val_rows, extra):
        extra = {**extra, "hidden_dim": 8, "max_epochs": 1, "max_epoch_windows": 2048}
        # a few quick steps that move the zero-initialised readout, so that z matters
        extra.update(ema_decay=None, learning_rate=0.02)
        return make(config, job, val_rows, extra)

    monkeypatch.setattr(script, "make_model", tiny)
    monkeypatch.setattr(script, "N_PATHS", 3)
    monkeypatch.setattr(script, "SCALES", (0.1, 1.0))


def test_h3_on_a_panel_scales_each_series_on_its_training_part(script, data_dir, monkeypatch):
    pytest.importorskip("scoringrules")
    from tsrm.forecasting.datasets import load_dataset

    data = script.panel_target("M4-Hourly", 96, 48, str(data_dir))
    raw = load_dataset("M4-Hourly", data_dir=data_dir)
    first = raw.train[raw.train["unique_id"] == "H1"]["y"].to_numpy()
    assert data.val_rows == 48 and len(data.histories) == 414
    np.testing.assert_array_equal(data.histories[0], first)  # AutoETS fits the raw part
    scaled = (first - first.mean()) / first.std()
    np.testing.assert_allclose(data.fit_part.query("unique_id == 'H1'")["y"], scaled)
    np.testing.assert_allclose(data.val[0][0], scaled[-144:-48])
    np.testing.assert_allclose(data.val[1][0], scaled[-48:])
    np.testing.assert_allclose(data.test[0][0], scaled[-96:])
    test_first = raw.test[raw.test["unique_id"] == "H1"]["y"].to_numpy()
    np.testing.assert_allclose(data.test[1][0], (test_first - first.mean()) / first.std())
    assert data.test[1].shape == (414, 48) and data.val[0].shape == (414, 96)
    _tiny_h3(script, monkeypatch)
    job = {"hypothesis": "H3", "data": "M4-Hourly", "noise": "", "fraction": "", "horizon": 48,
           "lookback": 96, "data_dir": str(data_dir), "hidden_dim": 64, "accelerator": "cpu",
           "period": 24, "seed": 0, "config": "A"}  # fmt: skip
    sampled, conformal = script.run_h3(job)
    assert sampled["test_windows"] == conformal["test_windows"] == 414
    assert sampled["crps"] > 0 and 0 < conformal["cov80"] <= conformal["cov90"] <= 1


def test_h3_autoets_quantiles_come_from_its_intervals(script, data_dir):
    pytest.importorskip("scoringrules")
    pytest.importorskip("statsforecast")
    data = script.ett_target("ETTh1", "OT", 96, 24, str(data_dir))
    few = data._replace(
        test=tuple(t[::500] for t in data.test), histories=data.histories[::500],
        loc=data.loc[::500], scale=data.scale[::500],
    )  # fmt: skip
    row = script.ets_scores(few, {"period": 24, "horizon": 24})
    assert 0 < row["width80"] < row["width90"] and row["qcrps"] > 0 and row["train_s"] >= 0
    # Histories in other units give the same scaled quantiles once mapped back.
    shifted = few._replace(histories=[10 + 3 * h for h in few.histories],
                           loc=few.loc + 10, scale=3 * few.scale)  # fmt: skip
    again = script.ets_scores(shifted, {"period": 24, "horizon": 24})
    assert again["qcrps"] == pytest.approx(row["qcrps"], rel=0.02)


def test_h3_runs_on_another_grid_of_scales_are_kept_apart(script):
    job = {"hypothesis": "H3x", "data": "ETTh1", "horizon": 96, "lookback": 336,
           "config": "R", "seed": 0, "scales": (3.0, 10.0)}  # fmt: skip
    assert script.job_command(job).endswith("--config R --seed 0 --scales 3.0 10.0")
    row = {
        "data": "ETTh1",
        "config": "R",
        "seed": "0",
        "scale": "1.0",
        "crps": "0.2",
        "qcrps": "0.2",
        "cov80": "0.1",
        "width80": "0.1",
        "cov90": "0.1",
        "width90": "0.2",
        "train_s": "9",
    }
    rows = [{**row, "hypothesis": "H3"}, {**row, "hypothesis": "H3x", "scale": "10.0"}]
    assert "| R | 1 | 1.0000 |" in script.report_h3(rows)[2]
    assert "| R | 1 | 10.0000 |" in script.report_h3(rows, "H3x")[2]
    assert script.report(rows)[2:] == []  # neither is an H1/H2 cell


def test_h4_sensor_has_regimes_and_spikes(script):
    x = script.sensor(1500)
    assert x.shape == (1500,) and np.isfinite(x).all()
    np.testing.assert_array_equal(x, script.sensor(1500))  # one fixed draw
    jumps = np.abs(np.diff(x)) / np.diff(x).std()
    assert (jumps > 4).sum() >= 2  # spikes (rate 0.5 %) stand out of the AR noise


def test_h4_scores_halting_against_the_same_network_stopped_early(script, monkeypatch):
    make = script.make_model

    def tiny(config, job, val_rows, extra):
        return make(config, job, val_rows, {**extra, "hidden_dim": 8, "max_epochs": 2})

    monkeypatch.setattr(script, "make_model", tiny)
    monkeypatch.setattr(script, "H4_DATA", {"sensor": (32, 8)})
    job = {"hypothesis": "H4", "data": "sensor", "noise": "", "fraction": "", "horizon": 8,
           "lookback": 32, "data_dir": "", "hidden_dim": 64, "accelerator": "cpu",
           "config": "R-halt", "period": 1, "seed": 0}  # fmt: skip
    row = script.run_h4(job)
    assert 1 <= row["mean_steps"] <= 3 and 1 <= row["val_mean_steps"] <= 3
    assert row["test_windows"] == 1500 - int(0.8 * 1500) - 8 + 1
    for prefix in ("", "val_"):
        assert all(row[f"{prefix}mse_step{k}"] > 0 for k in (1, 2, 3))
    assert row["mse"] > 0 and row["flops"] > 0 and row["epochs"] == 2


def test_h4_verdict_compares_with_the_fixed_curve_at_the_same_steps(script):
    def row(seed, halting, steps=1.5):
        curve = {f"mse_step{k}": v for k, v in zip((1, 2, 3), (1.0, 0.8, 0.7), strict=True)}
        val = {f"val_{k}": v for k, v in curve.items()}
        return {"hypothesis": "H4", "data": "d", "seed": seed, "mse": halting, "val_mse": halting,
                "mean_steps": steps, "val_mean_steps": steps, **curve, **val}  # fmt: skip

    assert script.fixed_at(row(0, 0.0)) == pytest.approx(0.9)  # between 1 and 2 steps
    better = [row(s, 0.8 + 0.01 * s) for s in range(3)]
    assert script.judge_h4(better) == "wins"
    assert script.judge_h4([row(s, 0.95 + 0.01 * s) for s in range(3)]) == "loses"
    assert "| d | 3 | 0.8100 | 1.5000 |" in script.report_h4(better)[2]
    assert script.report_h4(better)[2].endswith("| 0.9000 | wins |")


def test_h3_verdict_takes_the_better_control_seed_by_seed(script):
    def rows(config, values):
        return {(config, str(s)): {"qcrps": str(v)} for s, v in enumerate(values)}

    latest = {**rows("R", (0.17, 0.171, 0.169)), **rows("A", (0.18, 0.178, 0.177)),
              **rows("R-conformal", (0.137, 0.1371, 0.1369))}  # fmt: skip
    (line,) = script.h3_verdicts(latest)
    assert line.startswith("\nR against R-conformal: loses")
    latest.update(rows("R", (0.130, 0.131, 0.1305)))
    assert "R against R-conformal: wins" in script.h3_verdicts(latest)[0]


def test_plots_draw_one_figure_per_hypothesis_with_results(script, tmp_path):
    pytest.importorskip("matplotlib")
    h3 = [{"hypothesis": "H3", "data": d, "config": c, "seed": str(s), "qcrps": str(0.1 + s / 100)}
          for d in ("ETTh1", "M4-Hourly") for c in ("R", "R-conformal", "A", "quantile", "ets")
          for s in range(3)]  # fmt: skip
    curve = {"mse_step1": "0.3", "mse_step2": "0.29", "mse_step3": "0.29"}
    h4 = [{"hypothesis": "H4", "data": "sensor", "seed": str(s), "mse": "0.29",
           "mean_steps": "1.5", **curve} for s in range(3)]  # fmt: skip
    paths = script.plots(h3 + h4, tmp_path)
    assert [p.name for p in paths] == ["recursion_h3.png", "recursion_h4.png"]
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in paths)
