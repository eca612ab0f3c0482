"""Puzzle TRM training through Lightning's DDP (2 CPU processes, gloo)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Lightning's "ddp" launcher starts rank 1 by re-running this script; each rank writes its
# model's accuracy and a checksum of its (EMA) weights.
SCRIPT = """
import json, os
import numpy as np
import torch
from types import SimpleNamespace
from tsrm.puzzles.config import PuzzleConfig
from tsrm.puzzles.training import evaluate, train, trained_model

torch.set_num_threads(1)
rng = np.random.default_rng(0)
x = rng.integers(1, 6, (256, 12))
data = SimpleNamespace(inputs=x, labels=(x * 2) % 6, puzzle_ids=np.zeros(256, dtype=np.int64))
cfg = PuzzleConfig(
    vocab_size=6, seq_len=12, hidden_dim=16, n_heads=2, expansion=2.0, multiple_of=16,
    n_recursions=1, n_cycles=2, n_supervision=3, prefix_len=2, batch_size=16, warmup_steps=5,
    learning_rate=3e-3, weight_decay=0.1, ema_decay=0.9,
)
ddp = {"strategy": "ddp", "devices": 2, "accelerator": "cpu"}
model = trained_model(train(cfg, data, max_steps=60, trainer_kwargs=ddp))
rank = int(os.environ.get("LOCAL_RANK", 0))
weights = torch.cat([p.detach().flatten() for p in model.parameters()]).double()
with open(f"rank-{rank}.json", "w") as fh:
    json.dump({"accuracy": evaluate(model, data)["token_accuracy"],
               "checksum": float(weights.sum()), "norm": float(weights.norm())}, fh)
"""


@pytest.mark.slow
def test_two_process_ddp_trains_one_synchronised_model(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("LOCAL_RANK", None)
    proc = subprocess.run(
        [sys.executable, str(script)], env=env, cwd=tmp_path, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    ranks = [json.loads((tmp_path / f"rank-{r}.json").read_text()) for r in (0, 1)]
    assert ranks[0] == ranks[1]  # both processes hold the same weights
    assert ranks[0]["accuracy"] > 0.6  # and it learnt (chance: 1/6)
