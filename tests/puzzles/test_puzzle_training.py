from __future__ import annotations

import numpy as np
import pytest
import torch

from tsrm.puzzles.module import PuzzleTRM
from tsrm.puzzles.training import as_tensors, evaluate, train, trained_model


def test_accuracy_rises_with_training(tiny_config, toy):
    cfg = tiny_config()
    before = evaluate(PuzzleTRM(cfg), toy)
    module = train(cfg, toy, max_steps=80, seed=0)
    after = evaluate(trained_model(module), toy)
    assert after["token_accuracy"] > before["token_accuracy"] + 0.3
    assert after["token_accuracy"] > 0.6
    assert after["mean_steps"] == cfg.n_supervision


def test_same_seed_same_model(tiny_config, toy):
    a = train(tiny_config(), toy, max_steps=6, seed=3).model.state_dict()
    b = train(tiny_config(), toy, max_steps=6, seed=3).model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_resume_from_checkpoint_ends_with_the_uninterrupted_model(tiny_config, toy, tmp_path):
    # 256 puzzles / 32 slots = 8 steps per epoch; exploration on, so the carried state,
    # the exploration generator and the EMA must all come back for an exact match.
    cfg = tiny_config(halt_exploration=0.5)
    full = train(cfg, toy, max_steps=20, seed=1)
    train(cfg, toy, max_steps=8, seed=1, checkpoint_dir=tmp_path)
    checkpoint = tmp_path / "last.ckpt"
    saved = torch.load(checkpoint, weights_only=True)  # plain tensors and dicts, no code
    assert {"state_dict", "optimizer_states", "ema", "carry", "explore_rng"} <= set(saved)
    assert saved["global_step"] == 8
    resumed = train(cfg, toy, max_steps=20, seed=1, resume_from=checkpoint)
    a, b = full.model.state_dict(), resumed.model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert all(torch.equal(full.ema.shadow[k], resumed.ema.shadow[k]) for k in full.ema.shadow)


def test_ema_model_differs_from_raw_weights(tiny_config, toy):
    module = train(tiny_config(), toy, max_steps=5)
    ema, raw = trained_model(module), trained_model(module, use_ema=False)
    assert not torch.equal(ema.output_head.weight, raw.output_head.weight)


def test_bad_data_is_named(tiny_config, toy):
    cfg = tiny_config()
    with pytest.raises(ValueError, match=r"shape \(n, 12\)"):
        as_tensors(type(toy)(inputs=toy.inputs[:, :5], labels=toy.labels[:, :5]), cfg)
    with pytest.raises(ValueError, match="vocab_size"):
        as_tensors(type(toy)(inputs=toy.inputs + 10, labels=toy.labels), cfg)
    with pytest.raises(TypeError, match="integer"):
        as_tensors(type(toy)(inputs=toy.inputs * 1.0, labels=toy.labels), cfg)
    with pytest.raises(ValueError, match="n_puzzle_ids"):
        ids = np.full(len(toy.inputs), 4)
        as_tensors(type(toy)(inputs=toy.inputs, labels=toy.labels, puzzle_ids=ids), cfg)
    with pytest.raises(ValueError, match="batch_size"):
        train(tiny_config(batch_size=1000), toy, max_steps=1)
    with pytest.raises(ValueError, match="max_steps"):
        train(cfg, toy, max_steps=0)
