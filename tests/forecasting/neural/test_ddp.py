"""Multi-process training through Lightning's DDP (2 CPU processes, gloo)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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
