"""The TS-TRM network (a plain ``nn.Module``; training lives in ``module.py``)."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from tsrm.core import HaltingHead, deep_supervision, run_until_halted
from tsrm.forecasting.models.trm.config import NetworkConfig
from tsrm.forecasting.models.trm.layers import (
    AttentionBlock,
    BlockStack,
    MixerBlock,
    PeriodicLinear,
    RevIN,
    SketchReasoner,
    TokenMap,
    patchify,
)


def build_reasoner(cfg: NetworkConfig) -> nn.Module:
    if cfg.mixer == "sketch":
        return SketchReasoner(cfg.hidden_dim)
    if cfg.mixer == "attention":
        blocks = [
            AttentionBlock(cfg.hidden_dim, cfg.n_heads, cfg.expansion, cfg.dropout)
            for _ in range(2)
        ]
    else:
        blocks = [
            MixerBlock(cfg.n_patches, cfg.hidden_dim, cfg.expansion, cfg.dropout) for _ in range(2)
        ]
    return BlockStack(blocks)


class TSTRMNetwork(nn.Module):
    """Tiny recursive forecaster for one channel at a time.

    ``x`` embeds the patches of the (instance-normalised) look-back window;
    ``y`` is the forecast state, started from a linear first guess of the
    horizon and refined by the shared network; ``z`` is the latent state. After
    every supervision step the forecast is ``first_guess + readout(y)``.

    Input ``(batch, lookback)``, output ``(batch, horizon)``.
    """

    def __init__(self, cfg: NetworkConfig) -> None:
        super().__init__()
        self.cfg = cfg
        d, n_tok = cfg.hidden_dim, cfg.n_patches
        self.revin = RevIN(cfg.revin)
        self.patch_embed = nn.Linear(cfg.patch_len, d)
        self.position = nn.Parameter(torch.randn(n_tok, d) * 0.02)
        self.first_guess = (
            PeriodicLinear(cfg.lookback, cfg.horizon, cfg.period)
            if cfg.first_guess == "periodic"
            else nn.Linear(cfg.lookback, cfg.horizon)
        )
        q, n_out = cfg.horizon_patch_len, cfg.n_horizon_patches
        # The initial y only feeds the first cycle, which runs without gradients when
        # T > 1, so its embedding could never learn: it is a fixed random projection
        # of the first guess (TRM starts y from a fixed random vector too).
        self.embed_answer = TokenMap(n_out, q, n_tok, d).requires_grad_(False)
        self.readout = TokenMap(n_tok, d, n_out, q, zero_init=True)
        # answer_feedback="forecast": each later step starts from its forecast, embedded
        # by a map that learns (it sits inside the step whose loss it feeds).
        self.embed_forecast = (
            TokenMap(n_out, q, n_tok, d) if cfg.answer_feedback == "forecast" else None
        )
        self.reasoner = build_reasoner(cfg)
        # The sketch's reasoner has no inner MLP to drop out of: drop the embedded window.
        self.input_dropout = (
            nn.Dropout(cfg.dropout) if cfg.mixer == "sketch" and cfg.dropout > 0 else nn.Identity()
        )
        # TRM starts z from a fixed random vector broadcast to every position.
        self.register_buffer("z_init", torch.randn(d).clamp_(-2.0, 2.0))
        self.halting_head = HaltingHead(d) if cfg.halting else None

    # -- pieces ---------------------------------------------------------------
    def _encode(self, window: Tensor):
        cfg = self.cfg
        normed, stats = self.revin.normalise(window)
        patches = patchify(normed, cfg.patch_len, cfg.stride, cfg.padded_lookback)
        x = self.input_dropout(self.patch_embed(patches) + self.position)
        guess = self.first_guess(normed)
        y = self.embed_answer(self._to_horizon_tokens(guess))
        z = self.z_init.expand_as(x)
        return x, y, z, guess, stats

    def _to_horizon_tokens(self, values: Tensor) -> Tensor:
        q, n_out = self.cfg.horizon_patch_len, self.cfg.n_horizon_patches
        pad = n_out * q - values.shape[-1]
        if pad:
            values = torch.cat([values, values[:, -1:].expand(-1, pad)], dim=-1)
        return values.view(values.shape[0], n_out, q)

    def _normalised_forecast(self, y: Tensor, guess: Tensor) -> Tensor:
        return guess + self.readout(y).flatten(1)[:, : self.cfg.horizon]

    def _decode(self, y: Tensor, guess: Tensor, stats) -> Tensor:
        return self.revin.denormalise(self._normalised_forecast(y, guess), stats)

    def _feedback(self, guess: Tensor) -> Callable[[Tensor], Tensor] | None:
        """The answer each later supervision step starts from (``None``: ``y`` itself)."""
        if self.embed_forecast is None:
            return None

        def refeed(y: Tensor) -> Tensor:
            # Detached like y and z: nothing flows back into an earlier step.
            forecast = self._normalised_forecast(y, guess).detach()
            return self.embed_forecast(self._to_horizon_tokens(forecast))

        return refeed

    # -- public ---------------------------------------------------------------
    def supervised(self, window: Tensor) -> list[tuple[Tensor, Tensor | None]]:
        """Forecast and halting logit after every supervision step (for training and traces)."""
        cfg = self.cfg
        x, y, z, guess, stats = self._encode(window)
        steps = deep_supervision(
            self.reasoner,
            x,
            y,
            z,
            n=cfg.n_recursions,
            T=cfg.n_cycles,
            n_steps=cfg.n_supervision,
            halting_head=self.halting_head,
            feedback=self._feedback(guess),
        )
        return [(self._decode(s.y, guess, stats), s.halt_logit) for s in steps]

    def forward(self, window: Tensor, use_halting: bool = True) -> Tensor:
        """Final forecast; with a halting head, each window stops at its own step."""
        return self.forecast_with_steps(window, use_halting)[0]

    def forecast_with_steps(
        self, window: Tensor, use_halting: bool = True
    ) -> tuple[Tensor, Tensor]:
        """Final forecast and the supervision steps each window used."""
        cfg = self.cfg
        x, y, z, guess, stats = self._encode(window)
        if use_halting and self.halting_head is not None:
            y, steps = run_until_halted(
                self.reasoner,
                x,
                y,
                z,
                n=cfg.n_recursions,
                T=cfg.n_cycles,
                n_steps=cfg.n_supervision,
                halting_head=self.halting_head,
            )
        else:
            for s in deep_supervision(
                self.reasoner,
                x,
                y,
                z,
                n=cfg.n_recursions,
                T=cfg.n_cycles,
                n_steps=cfg.n_supervision,
                feedback=self._feedback(guess),
            ):
                y = s.y
            steps = torch.full(
                (window.shape[0],), cfg.n_supervision, dtype=torch.long, device=window.device
            )
        return self._decode(y, guess, stats), steps

    def every_step(self, window: Tensor) -> tuple[Tensor, Tensor, Tensor | None]:
        """One run of every supervision step for every window, without data-dependent shapes.

        Returns the final forecast ``(batch, horizon)``, each step's ``(batch, n_supervision,
        horizon)`` and, with a halting head, each window's halting step (1-based: the first
        step whose halting logit is positive, else the last) or None. With a halting head
        the final forecast is the halting step's, as :meth:`forward` gives it (windows
        never interact); without, the last step's. Traceable for export.
        """
        supervised = self.supervised(window)
        steps = torch.stack([forecast for forecast, _ in supervised], dim=1)
        if self.halting_head is None:
            return steps[:, -1], steps, None
        stop = torch.stack([logit > 0 for _, logit in supervised], dim=1)
        stop = torch.cat([stop[:, :-1], torch.ones_like(stop[:, -1:])], dim=1)
        halted = stop.long().argmax(dim=1)  # the first step that stops
        final = steps.gather(1, halted.view(-1, 1, 1).expand(-1, 1, steps.shape[2]))[:, 0]
        return final, steps, halted + 1


class EveryStepHalting(nn.Module):
    """A halting :class:`TSTRMNetwork` as ``forward(window)`` without data-dependent shapes."""

    def __init__(self, network: TSTRMNetwork) -> None:
        super().__init__()
        self.network = network

    def forward(self, window: Tensor, *covariates: Tensor) -> Tensor:
        return self.network.every_step(window, *covariates)[0]
