"""benchmarks/dev_set.py: the series drawn apart from the training seed, the summary."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def script():
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(BENCHMARKS))
        yield importlib.import_module("dev_set")


def _row(settings: str, seed: int, series: str, mase: float, commit: str = "abc") -> dict:
    return {"git_commit": commit, "model": "tsrm", "settings": settings, "seed": str(seed),
            "series": series, "mase": str(mase), "fit_s": "2.0"}  # fmt: skip


def test_summary_gives_the_geometric_mean_per_seed(script):
    rows = [
        _row("", 0, "a", 1.0), _row("", 0, "b", 4.0), _row("", 1, "a", 1.0),
        _row("", 1, "b", 1.0), _row("x=1", 0, "a", 2.0), _row("x=1", 0, "b", 2.0),
        _row("", 0, "a", 9.0, commit="other"),
    ]  # fmt: skip
    lines = script.summary(rows, "abc")
    assert lines[2] == "| tsrm | defaults | 2/2 | 2.000 / 1.000 | 1.500 | 2.0 |"
    assert lines[3] == "| tsrm | x=1 | 2 | 2.000 | 2.000 | 2.0 |"
    with pytest.raises(SystemExit, match="no rows of commit"):
        script.summary(rows, "missing")


def test_series_seed_fixes_the_series_whatever_the_training_seed(script, monkeypatch):
    drawn = []
    data = SimpleNamespace(info=SimpleNamespace(seasonal_period=1), horizon=6)
    monkeypatch.setattr(script, "load_dataset", lambda name, data_dir: data)
    monkeypatch.setattr(script, "sample", lambda data, k, seed, dated: drawn.append(seed) or [])
    for seed in (0, 1):
        script.main(["--dataset", "M3-Yearly", "--seed", str(seed), "--series-seed", "7"])
    script.main(["--dataset", "M3-Yearly", "--seed", "3"])
    assert drawn == [7, 7, 3]


@pytest.mark.parametrize("fallback", [False, True])
def test_step_scores_give_one_mase_per_supervision_step(script, fallback):
    from tsrm import TRMForecaster
    from tsrm.forecasting.metrics import mase

    y = np.sin(np.arange(120) / 3) + 0.05 * np.random.default_rng(0).normal(size=120)
    history, holdout = y[:-6], y[-6:]
    model = TRMForecaster(horizon=6, lookback=12, max_epochs=1, fallback=fallback)
    model.fit(history)
    if fallback:  # make it fall back, as a series where naive wins would
        model.fallback_ = "seasonal naive"
    steps = script.step_scores(model, history, holdout, 1)
    assert len(steps) == model.config_.n_supervision == 3
    final = mase(holdout, np.asarray(model.predict(), dtype=float), history, season_length=1)
    assert steps[-1] == pytest.approx(final)
    assert len(set(steps)) == 1 or not fallback
