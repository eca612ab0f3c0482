"""Multi-process training through Lightning's DDP (2 CPU processes, gloo): started by
Lightning on in-memory data, and by torchrun on a Parquet data set read in shares."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import TINY
from tsrm import TRMForecaster
from tsrm.exceptions import TSRMInputError

REPO = Path(__file__).resolve().parents[3]

# Lightning's "ddp" launcher starts the other ranks by re-running this script, as a real
# multi-GPU or multi-node job would; every rank writes its forecast to its own file.
SCRIPT = """
import json, os, sys
import torch
torch.set_num_threads(1)
sys.path.insert(0, {tests!r})
from tests.conftest import TINY, make_hourly_series
from tsrm import TRMForecaster
from tsrm.forecasting.metrics import mae

y = make_hourly_series(n=1200)
train, test = y[:-24], y[-24:].to_numpy()
processes, epochs = int(sys.argv[1]), int(sys.argv[2])
# One pass over the windows per epoch (split between the ranks under DDP).
kw = {{**TINY, "horizon": 24, "max_epochs": epochs, "patience": 3, "min_epoch_steps": 0}}
if processes > 1:
    kw["trainer_kwargs"] = {{"strategy": "ddp", "devices": processes, "accelerator": "cpu"}}
model = TRMForecaster(**kw).fit(train)
forecast = model.predict().to_numpy()
rank = int(os.environ.get("LOCAL_RANK", 0))
with open(f"result-{{processes}}-{{rank}}.json", "w") as fh:
    json.dump({{"rank": rank, "mae": mae(test, forecast), "forecast": forecast.tolist()}}, fh)
"""


def _run(script: Path, processes: int, epochs: int) -> list[dict]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("LOCAL_RANK", None)
    proc = subprocess.run(
        [sys.executable, str(script), str(processes), str(epochs)],
        env=env, capture_output=True, text=True, timeout=300, cwd=script.parent,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    files = sorted(script.parent.glob(f"result-{processes}-*.json"))
    return [json.loads(f.read_text()) for f in files]


@pytest.mark.slow
def test_two_process_ddp_trains_as_well_as_one_process(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT.format(tests=str(REPO / "tests")))
    (single,) = _run(script, 1, 10)
    ranks = _run(script, 2, 20)  # each rank sees half the windows per epoch: twice the epochs
    assert sorted(r["rank"] for r in ranks) == [0, 1]
    assert ranks[0]["forecast"] == ranks[1]["forecast"]  # one model, kept in sync
    assert ranks[0]["mae"] < 1.2 * single["mae"]


# torchrun starts every rank itself; each fits on its share of the series of one Parquet
# file and writes what it learnt and forecast.
SHARDED = """
import hashlib, json, os, sys
import numpy as np
import torch
torch.set_num_threads(1)
sys.path.insert(0, {tests!r})
from tests.conftest import TINY
from tsrm import TRMForecaster

kw = {{**TINY, "horizon": 8, "lookback": 48, "max_epochs": 8, "fallback": True}}
model = TRMForecaster(**kw).fit("train.parquet")
weights = b"".join(p.detach().numpy().tobytes() for p in model.network_.parameters())
everything = model.predict(y="train.parquet")
mine = everything[everything["unique_id"].isin(model.context_.ids)].reset_index(drop=True)
rank = int(os.environ.get("RANK", -1))
with open(f"sharded-{{rank}}.json", "w") as fh:
    json.dump({{
        "ids": list(model.context_.ids),
        "weights": hashlib.sha256(weights).hexdigest(),
        "history": model.history_["val_loss"],
        "calibration": model.calibration_.abs_quantiles.tolist(),
        # (the network sees other batches: equal up to float32 rounding)
        "own_forecast_is_the_full_one": bool(np.allclose(model.predict()["y"], mine["y"])),
        "forecast": everything["y"].tolist(),
    }}, fh)
"""


def _fleet_files(folder: Path) -> np.ndarray:
    """Seven hourly series of different lengths and levels: all but the last 8 points in
    ``train.parquet``; the last 8 points of each returned, in order."""
    rng = np.random.default_rng(0)
    train, truth = [], []
    for k in range(7):
        n = 400 + 20 * k
        t = np.arange(n)
        y = 10 + k + (1 + k / 3) * np.sin(2 * np.pi * t / 24) + 0.1 * rng.standard_normal(n)
        ds = pd.date_range("2026-01-01", periods=n, freq="h")
        train.append(pd.DataFrame({"unique_id": f"s{k}", "ds": ds, "y": y})[:-8])
        truth.append(y[-8:])
    pd.concat(train).to_parquet(folder / "train.parquet")
    return np.concatenate(truth)


@pytest.mark.slow
def test_torchrun_ranks_train_one_model_each_on_its_share_of_the_series(tmp_path):
    truth = _fleet_files(tmp_path)
    script = tmp_path / "sharded.py"
    script.write_text(SHARDED.format(tests=str(REPO)))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for key in ("RANK", "WORLD_SIZE", "LOCAL_RANK"):
        env.pop(key, None)
    launch = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2"]
    for command in ([sys.executable, str(script)], [*launch, str(script)]):
        proc = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
    single, *ranks = (json.loads((tmp_path / f"sharded-{r}.json").read_text()) for r in (-1, 0, 1))
    assert [r["ids"] for r in ranks] == [["s0", "s2", "s4", "s6"], ["s1", "s3", "s5"]]
    # One model: the same weights, scores and intervals in both ranks.
    for key in ("weights", "history", "calibration", "forecast"):
        assert ranks[0][key] == ranks[1][key], key
    assert all(r["own_forecast_is_the_full_one"] for r in ranks)
    sharded_mae = np.abs(np.array(ranks[0]["forecast"]) - truth).mean()
    single_mae = np.abs(np.array(single["forecast"]) - truth).mean()
    assert sharded_mae < 1.25 * single_mae, (sharded_mae, single_mae)


@pytest.mark.parametrize(
    "extra, words",
    [({"checkpoint_dir": "ckpt"}, "checkpoint_dir is not supported"),
     ({"X": pd.DataFrame({"x": [1.0]})}, r"Covariates \(X, static\) are not read per process")],
    ids=["checkpoint", "covariates"],
)  # fmt: skip
def test_what_a_sharded_fit_does_not_take_is_refused(tmp_path, monkeypatch, extra, words):
    pytest.importorskip("pyarrow")
    _fleet_files(tmp_path)
    monkeypatch.setenv("WORLD_SIZE", "2")  # as torchrun sets them: this is rank 0 of 2
    monkeypatch.setenv("RANK", "0")
    with pytest.raises(TSRMInputError, match=words):
        TRMForecaster(**{**TINY, "horizon": 8}).fit(tmp_path / "train.parquet", **extra)
