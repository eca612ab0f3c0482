"""Training killed mid-run resumes from its last checkpoint and ends with the same model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

from tsrm import DLinear
from tsrm.exceptions import TSRMInputError

REPO = Path(__file__).resolve().parents[3]

# Dropout on, so that a resume that lost the random state could not match.
SETTINGS = {"max_epochs": 6, "patience": 10, "dropout": 0.1}

CHILD = """
import os, signal, sys
import lightning as L
import torch
torch.set_num_threads(1)
sys.path.insert(0, {tests!r})
from tests.conftest import TINY, make_hourly_series
from tsrm import TRMForecaster

KILL_EPOCH, MODE = 3, {mode!r}

class Kill(L.Callback):
    def on_train_epoch_start(self, trainer, module):
        if trainer.current_epoch == KILL_EPOCH and MODE == "between-epochs":
            os.kill(os.getpid(), signal.SIGKILL)

if MODE == "during-write":
    # Die half-way through writing the checkpoint of epoch KILL_EPOCH.
    real = L.Trainer.save_checkpoint
    def dying_save(self, path, *args, **kwargs):
        if self.current_epoch == KILL_EPOCH:
            real(self, path, *args, **kwargs)
            data = open(path, "rb").read()
            open(path, "wb").write(data[: len(data) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        return real(self, path, *args, **kwargs)
    L.Trainer.save_checkpoint = dying_save

model = TRMForecaster(**{{**TINY, **{settings!r}, "trainer_kwargs": {{"callbacks": [Kill()]}}}})
model.fit(make_hourly_series(), checkpoint_dir={directory!r})
print("finished without being killed")
"""


@pytest.fixture
def trm(tiny_model):
    """Factory of the suite's tiny TRMForecaster with dropout and six epochs."""
    return lambda **kw: tiny_model(**{**SETTINGS, **kw})


def _run_killed_child(mode: str, directory: Path) -> None:
    code = CHILD.format(
        tests=str(REPO / "tests"), mode=mode, settings=SETTINGS, directory=str(directory)
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, timeout=240
    )
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]  # died of SIGKILL


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["between-epochs", "during-write"])
def test_sigkilled_training_resumes_to_the_uninterrupted_model(mode, trm, make_data, tmp_path):
    y = make_data.hourly_series()
    uninterrupted = trm().fit(y)
    _run_killed_child(mode, tmp_path)
    if mode == "during-write":
        # the half-written file is a temporary; the checkpoint of the epoch before is whole
        assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
    saved = torch.load(tmp_path / "last.ckpt", weights_only=True)
    assert saved["epoch"] == 2  # the last epoch that finished, checkpoint and all
    resumed = trm().fit(y, checkpoint_dir=tmp_path)
    np.testing.assert_array_equal(resumed.predict(), uninterrupted.predict())
    assert resumed.history_["val_loss"] == uninterrupted.history_["val_loss"]
    assert resumed.history_["best_epoch"] == uninterrupted.history_["best_epoch"]


def test_checkpoint_holds_the_training_state(make_data, tmp_path):
    model = DLinear(horizon=6, lookback=24, max_epochs=3, lr_decay=0.5, verbose=False)
    model.fit(make_data.hourly_series(), checkpoint_dir=tmp_path)
    saved = torch.load(tmp_path / "last.ckpt", weights_only=True)  # no code runs on load
    assert saved["epoch"] == 2 and saved["optimizer_states"] and saved["lr_schedulers"]
    states = " ".join(saved["callbacks"])
    for name in ("EpochCheckpoint", "BestWeights", "EpochHistory", "EarlyStopping"):
        assert name in states
    assert json.loads((tmp_path / "run.json").read_text())["fingerprint"]


def test_finished_run_refits_to_the_same_model(trm, make_data, tmp_path):
    y = make_data.hourly_series()
    first = trm(max_epochs=2).fit(y, checkpoint_dir=tmp_path)
    again = trm(max_epochs=2).fit(y, checkpoint_dir=tmp_path)
    np.testing.assert_array_equal(first.predict(), again.predict())


def test_a_directory_of_another_run_is_refused(trm, make_data, tmp_path):
    y = make_data.hourly_series()
    trm(max_epochs=1).fit(y, checkpoint_dir=tmp_path)
    with pytest.raises(TSRMInputError, match="another run"):
        trm(max_epochs=1, learning_rate=0.01).fit(y, checkpoint_dir=tmp_path)
    with pytest.raises(TSRMInputError, match="another run"):
        trm(max_epochs=1).fit(y * 2, checkpoint_dir=tmp_path)
