"""Configuration of the puzzle TRM and the paper's presets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tsrm._config import Config, check_int_fields


@dataclass(frozen=True)
class PuzzleConfig(Config):
    """Everything that defines a puzzle TRM network and its training recipe.

    Defaults are the TRM paper's (Jolicoeur-Martineau 2025): hidden 512, 8 heads, 2
    layers, SwiGLU expansion 4, n = 6 latent updates, T = 3 cycles, 16
    supervision steps, 16 prefix positions.

    Parameters
    ----------
    vocab_size, seq_len : int
        Token vocabulary and puzzle length (81 for 9x9 Sudoku, 900 for mazes/ARC).
    n_puzzle_ids : int
        Number of learned per-puzzle embeddings (1 when every puzzle shares one).
    mixer : {"attention", "mlp"}
        TRM-Att or TRM-MLP (SwiGLU over the sequence axis).
    hidden_dim, n_heads, n_layers, expansion : int, int, int, float
        Network size; SwiGLU inner width = expansion * dim * 2/3, rounded up to a
        multiple of ``multiple_of`` (256 in the paper; use less for tiny CPU models).
    n_recursions, n_cycles, n_supervision : int
        n, T and N_sup.
    prefix_len : int
        Positions in front of the puzzle; the first holds the puzzle embedding.
    rope_theta : float
        RoPE base (attention variant).
    halt_exploration : float
        Probability that a training sample must run a random minimum number of steps.
    halt_loss_weight : float
        Weight of the halting BCE next to the answer loss.
    learning_rate, puzzle_emb_lr, weight_decay, warmup_steps, batch_size, ema_decay : ...
        Optimiser recipe: AdamW with betas (0.9, 0.95), linear warm-up then constant.
        The puzzle embeddings get their own rate (they are updated rarely).
    """

    vocab_size: int = 11
    seq_len: int = 81
    n_puzzle_ids: int = 1
    mixer: str = "attention"
    hidden_dim: int = 512
    n_heads: int = 8
    n_layers: int = 2
    expansion: float = 4.0
    multiple_of: int = 256
    n_recursions: int = 6
    n_cycles: int = 3
    n_supervision: int = 16
    prefix_len: int = 16
    rope_theta: float = 10000.0
    halt_exploration: float = 0.1
    halt_loss_weight: float = 0.5
    learning_rate: float = 1e-4
    puzzle_emb_lr: float = 1e-2
    weight_decay: float = 1.0
    warmup_steps: int = 2000
    batch_size: int = 768
    ema_decay: float = 0.999

    def __post_init__(self) -> None:
        positive = ("vocab_size", "seq_len", "n_puzzle_ids", "hidden_dim", "n_heads", "n_layers")
        check_int_fields(
            self, positive + ("n_cycles", "n_supervision", "batch_size", "multiple_of")
        )
        check_int_fields(self, ("n_recursions", "prefix_len", "warmup_steps"), minimum=0)
        if self.mixer not in ("attention", "mlp"):
            raise ValueError(f"mixer must be 'attention' or 'mlp', got {self.mixer!r}.")
        if self.mixer == "attention" and self.hidden_dim % self.n_heads:
            raise ValueError(
                f"hidden_dim ({self.hidden_dim}) must be divisible by n_heads ({self.n_heads})."
            )
        if not 0.0 <= self.halt_exploration <= 1.0:
            raise ValueError(f"halt_exploration must be in [0, 1], got {self.halt_exploration}.")
        if not 0.0 <= self.ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1), got {self.ema_decay}.")

    @property
    def total_len(self) -> int:
        """Positions the network sees: prefix + puzzle."""
        return self.prefix_len + self.seq_len


# The paper's configurations. Sudoku: 9x9, tokens pad/blank/1-9 -> vocab 11, all
# puzzles share one puzzle embedding. Maze and ARC: 30x30 canvases.
PRESETS: dict[str, PuzzleConfig] = {
    "sudoku-mlp": PuzzleConfig(mixer="mlp"),
    "sudoku-att": PuzzleConfig(mixer="attention"),
    "maze-att": PuzzleConfig(vocab_size=6, seq_len=900, n_puzzle_ids=1, mixer="attention"),
    "arc-att": PuzzleConfig(
        vocab_size=12,
        seq_len=900,
        n_puzzle_ids=1,  # set to the number of (task, augmentation) ids when building
        mixer="attention",
        n_recursions=6,
        n_cycles=3,
        weight_decay=0.1,
    ),
}

# CPU-scale TRM (about 0.1M parameters): the paper's recursion (n=6, T=3) at width 64 and
# a recipe that learns in a few thousand steps of batch 64. vocab_size and seq_len come
# from the data set (the CLI fills them in).
_CPU = dict(
    hidden_dim=64,
    n_heads=4,
    expansion=4.0,
    multiple_of=64,
    prefix_len=1,
    n_supervision=8,
    batch_size=64,
    learning_rate=1e-3,
    puzzle_emb_lr=1e-3,
    weight_decay=0.1,
    warmup_steps=100,
    ema_decay=0.995,
)
PRESETS["cpu-mlp"] = PuzzleConfig(mixer="mlp", **_CPU)
PRESETS["cpu-att"] = PuzzleConfig(mixer="attention", **_CPU)


def preset(name: str, **changes: Any) -> PuzzleConfig:
    """The named preset, optionally with some fields changed."""
    if name not in PRESETS:
        raise ValueError(f"Unknown puzzle preset {name!r}; choose one of {sorted(PRESETS)}.")
    return PRESETS[name].with_(**changes)
