"""The puzzle TRM network: token and puzzle embeddings, the shared 2-layer net, and heads."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from tsrm.core import HaltingHead, ReasoningNet, recurse, run_until_halted
from tsrm.puzzles.config import PuzzleConfig
from tsrm.puzzles.layers import Block, lecun_linear


class Reasoner(ReasoningNet):
    """The one tiny network shared by the latent and the answer update: a stack of blocks."""

    def __init__(self, config: PuzzleConfig) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(
            Block(
                config.hidden_dim,
                config.total_len,
                mixer=config.mixer,
                n_heads=config.n_heads,
                expansion=config.expansion,
                rope_theta=config.rope_theta,
                multiple_of=config.multiple_of,
            )
            for _ in range(config.n_layers)
        )

    def forward(self, h: Tensor) -> Tensor:
        for block in self.blocks:
            h = block(h)
        return h


class PuzzleTRM(nn.Module):
    """Tiny Recursive Model for fixed-size puzzles (Sudoku, Maze, ARC).

    ``x`` is the embedded puzzle (with its prefix), ``y`` the embedded answer and
    ``z`` the latent reasoning state, all ``(batch, prefix_len + seq_len, hidden)``.
    One supervision step is :func:`tsrm.core.recurse`; the answer is read from
    ``y`` by a linear head, and the halting head reads ``y``'s first position.
    """

    def __init__(self, config: PuzzleConfig) -> None:
        super().__init__()
        self.config = config
        dim = config.hidden_dim
        self.embed_scale = math.sqrt(dim)
        self.token_embed = nn.Embedding(config.vocab_size, dim)
        std = 1.0 / self.embed_scale  # scaled back up by sqrt(dim): unit-size inputs
        nn.init.trunc_normal_(self.token_embed.weight, std=std, a=-2 * std, b=2 * std)
        # One learned vector per puzzle id, zero at first: a new puzzle starts neutral.
        self.puzzle_embed = nn.Embedding(config.n_puzzle_ids, dim) if config.prefix_len else None
        if self.puzzle_embed is not None:
            nn.init.zeros_(self.puzzle_embed.weight)
        self.reasoner = Reasoner(config)
        self.output_head = lecun_linear(dim, config.vocab_size)
        self.halting_head = HaltingHead(dim, n_outputs=2, pool="first")
        # Fixed random starting answer and latent state, broadcast to every position.
        self.register_buffer("y_init", nn.init.trunc_normal_(torch.empty(dim), std=1.0, a=-2, b=2))
        self.register_buffer("z_init", nn.init.trunc_normal_(torch.empty(dim), std=1.0, a=-2, b=2))

    # -- pieces --------------------------------------------------------------
    def embed(self, inputs: Tensor, puzzle_ids: Tensor) -> Tensor:
        """Token embeddings with the prefix in front: ``(batch, prefix + seq, hidden)``."""
        tokens = self.token_embed(inputs)
        prefix_len = self.config.prefix_len
        if prefix_len:
            prefix = tokens.new_zeros(tokens.shape[0], prefix_len, tokens.shape[-1])
            prefix[:, 0] = self.puzzle_embed(puzzle_ids).to(tokens.dtype)
            tokens = torch.cat([prefix, tokens], dim=1)
        return self.embed_scale * tokens

    def initial_state(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """The fixed starting ``(y, z)`` broadcast to ``x``'s shape."""
        return self.y_init.to(x.dtype).expand_as(x), self.z_init.to(x.dtype).expand_as(x)

    def step(self, x: Tensor, y: Tensor, z: Tensor) -> tuple[Tensor, Tensor]:
        """One supervision step: T cycles of n latent updates and one answer update."""
        return recurse(self.reasoner, x, y, z, n=self.config.n_recursions, T=self.config.n_cycles)

    def logits(self, y: Tensor) -> Tensor:
        """Token logits of the answer, prefix positions dropped: ``(batch, seq, vocab)``."""
        return self.output_head(y[:, self.config.prefix_len :])

    def halt_logit(self, y: Tensor) -> Tensor:
        return self.halting_head(y)

    # -- inference -----------------------------------------------------------
    @torch.no_grad()
    def solve(
        self, inputs: Tensor, puzzle_ids: Tensor | None = None, *, halt: bool = False
    ) -> tuple[Tensor, Tensor, Tensor]:
        """Predict answers; return ``(tokens, steps_used, halt_logit)``.

        ``halt=False`` runs all ``n_supervision`` steps (the official evaluation);
        ``halt=True`` stops each puzzle at its first positive halting logit.
        """
        if puzzle_ids is None:
            puzzle_ids = torch.zeros(inputs.shape[0], dtype=torch.long, device=inputs.device)
        x = self.embed(inputs, puzzle_ids)
        y, z = self.initial_state(x)
        n_steps = self.config.n_supervision
        if halt:
            y, steps = run_until_halted(
                self.reasoner,
                x,
                y.contiguous(),
                z.contiguous(),
                n=self.config.n_recursions,
                T=self.config.n_cycles,
                n_steps=n_steps,
                halting_head=self.halting_head,
            )
        else:
            for _ in range(n_steps):
                y, z = self.step(x, y, z)
            steps = torch.full((inputs.shape[0],), n_steps, dtype=torch.long)
        return self.logits(y).argmax(-1), steps, self.halt_logit(y)


def count_parameters(model: PuzzleTRM) -> int:
    """Trainable parameters, puzzle embeddings excluded (the paper's convention)."""
    excluded = {id(p) for p in model.puzzle_embed.parameters()} if model.puzzle_embed else set()
    return sum(p.numel() for p in model.parameters() if id(p) not in excluded)
