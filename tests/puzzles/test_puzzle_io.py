from __future__ import annotations

import json

import pytest
import torch

from tsrm.exceptions import ModelFileError
from tsrm.puzzles.io import load_model, save_model
from tsrm.puzzles.module import PuzzleTRM


def test_round_trip_gives_the_same_answers(tiny_config, tmp_path):
    model = PuzzleTRM(tiny_config(mixer="mlp", n_puzzle_ids=3)).eval()
    save_model(model, tmp_path / "m", extra={"note": "x"})
    loaded = load_model(tmp_path / "m")
    assert loaded.config == model.config
    inputs, ids = torch.randint(0, 6, (4, 12)), torch.tensor([0, 1, 2, 1])
    for a, b in zip(model.solve(inputs, ids), loaded.solve(inputs, ids), strict=True):
        assert torch.equal(a, b)
    assert json.loads((tmp_path / "m" / "config.json").read_text())["extra"] == {"note": "x"}


def test_missing_truncated_and_mismatched_files(tiny_config, tmp_path):
    with pytest.raises(ModelFileError, match="No config.json"):
        load_model(tmp_path / "nothing")
    save_model(PuzzleTRM(tiny_config()), tmp_path / "m")
    weights = tmp_path / "m" / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="corrupted or truncated"):
        load_model(tmp_path / "m")
    weights.write_bytes(data)
    meta = json.loads((tmp_path / "m" / "config.json").read_text())
    meta["config"]["hidden_dim"] = 32
    (tmp_path / "m" / "config.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="do not match"):
        load_model(tmp_path / "m")
    meta["format_version"] = 99
    (tmp_path / "m" / "config.json").write_text(json.dumps(meta))
    with pytest.raises(ModelFileError, match="format version 99"):
        load_model(tmp_path / "m")
    (tmp_path / "m" / "config.json").write_text(json.dumps({"format": "tsrm.TRMForecaster"}))
    with pytest.raises(ModelFileError, match="not a tsrm PuzzleTRM model"):
        load_model(tmp_path / "m")
