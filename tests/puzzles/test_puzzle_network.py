from __future__ import annotations

import pytest
import torch

from tsrm.puzzles.config import PRESETS, PuzzleConfig, preset
from tsrm.puzzles.layers import swiglu_width
from tsrm.puzzles.module import PuzzleTRM, count_parameters


@pytest.mark.parametrize(
    ("name", "expected"),
    [("sudoku-mlp", 5_028_866), ("sudoku-att", 6_828_034)],  # the official implementation's
)
def test_paper_parameter_counts(name, expected):
    assert count_parameters(PuzzleTRM(preset(name))) == expected


def test_paper_presets_have_the_paper_shape():
    for name in ("sudoku-mlp", "sudoku-att", "maze-att", "arc-att"):
        cfg = PRESETS[name]
        assert (cfg.hidden_dim, cfg.n_layers, cfg.n_recursions, cfg.n_cycles) == (512, 2, 6, 3)
        assert cfg.n_supervision == 16 and cfg.prefix_len == 16, name
    assert preset("cpu-mlp").n_recursions == 6 and preset("cpu-att").hidden_dim == 64
    assert preset("arc-att").weight_decay == 0.1 and preset("sudoku-mlp").weight_decay == 1.0


def test_swiglu_width_follows_the_paper():
    assert swiglu_width(512, 4.0) == 1536
    assert swiglu_width(97, 4.0) == 512  # TRM-MLP's sequence mixer on Sudoku (81 + 16)


def test_puzzle_embeddings_are_excluded_from_the_count(tiny_config):
    small = PuzzleTRM(tiny_config(n_puzzle_ids=1))
    many = PuzzleTRM(tiny_config(n_puzzle_ids=500))
    assert count_parameters(small) == count_parameters(many)
    assert sum(p.numel() for p in many.parameters()) > sum(p.numel() for p in small.parameters())


@pytest.mark.parametrize("mixer", ["attention", "mlp"])
def test_solve_shapes_and_halting_untrained(mixer, tiny_config):
    model = PuzzleTRM(tiny_config(mixer=mixer)).eval()
    inputs = torch.randint(0, 6, (5, 12))
    tokens, steps, halt = model.solve(inputs)
    assert tokens.shape == (5, 12) and tokens.dtype == torch.long
    assert steps.tolist() == [3] * 5
    # the halting head starts at weights 0, bias -5: never halts before training
    assert torch.allclose(halt, torch.full((5,), -5.0))
    _, steps, _ = model.solve(inputs, halt=True)
    assert steps.tolist() == [3] * 5


def test_halting_stops_early_when_the_head_says_so(tiny_config):
    model = PuzzleTRM(tiny_config()).eval()
    torch.nn.init.constant_(model.halting_head.linear.bias, 5.0)
    _, steps, _ = model.solve(torch.randint(0, 6, (4, 12)), halt=True)
    assert steps.tolist() == [1] * 4


def test_puzzle_embedding_sits_in_the_first_prefix_position(tiny_config):
    model = PuzzleTRM(tiny_config(n_puzzle_ids=3))
    with torch.no_grad():
        model.puzzle_embed.weight[2] = 1.0
    x = model.embed(torch.ones(2, 12, dtype=torch.long), torch.tensor([0, 2]))
    assert x.shape == (2, 14, 16)
    assert torch.all(x[0, 0] == 0) and torch.all(x[1, 0] == model.embed_scale)
    assert torch.all(x[:, 1] == 0)  # the other prefix positions stay zero


def test_answer_update_sees_no_input(tiny_config):
    # y = net(y + z): changing x changes z's updates but the answer update itself ignores x
    model = PuzzleTRM(tiny_config(n_recursions=0, n_cycles=1))
    x1 = model.embed(torch.ones(1, 12, dtype=torch.long), torch.tensor([0]))
    x2 = model.embed(torch.full((1, 12), 3, dtype=torch.long), torch.tensor([0]))
    y, z = model.initial_state(x1)
    assert torch.equal(model.step(x1, y, z)[0], model.step(x2, y, z)[0])


def test_config_rejects_bad_values():
    with pytest.raises(ValueError, match="mixer"):
        PuzzleConfig(mixer="conv")
    with pytest.raises(ValueError, match="divisible"):
        PuzzleConfig(hidden_dim=30, n_heads=8)
    with pytest.raises(ValueError, match="n_supervision"):
        PuzzleConfig(n_supervision=0)
    with pytest.raises(ValueError, match="Unknown puzzle preset"):
        preset("chess")
