"""Building blocks of the TS-TRM network: normalisation, patching, token maps, mixers."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from tsrm.core import ReasoningNet


def rms_norm(h: Tensor, eps: float = 1e-5) -> Tensor:
    """Weight-free RMSNorm over the last axis (as TRM uses, post-norm)."""
    return F.rms_norm(h, (h.shape[-1],), eps=eps)


class RevIN(nn.Module):
    """Reversible instance normalisation: each window by its own mean and std.

    Windows differ in level and scale far more than in shape; normalising them
    lets one small network serve all of them, and the statistics are put back
    on the forecast.
    """

    def __init__(self, enabled: bool = True, eps: float = 1e-5) -> None:
        super().__init__()
        self.enabled = enabled
        self.eps = eps

    def normalise(self, window: Tensor) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        if not self.enabled:
            zero = window.new_zeros(window.shape[0], 1)
            return window, (zero, zero + 1)
        mean = window.mean(dim=-1, keepdim=True)
        std = torch.sqrt(window.var(dim=-1, keepdim=True, unbiased=False) + self.eps)
        return (window - mean) / std, (mean, std)

    @staticmethod
    def denormalise(values: Tensor, stats: tuple[Tensor, Tensor]) -> Tensor:
        mean, std = stats
        return values * std + mean


def same_correlation(x: Tensor, kernel: Tensor) -> Tensor:
    """``conv1d(x, kernel, padding=k // 2)`` for ``(batch, n)`` rows and an odd ``(k,)`` kernel.

    Computed as one matrix product over blocks of ``k`` outputs: each block reads
    ``2k - 1`` inputs through a banded ``(2k - 1, k)`` matrix holding the kernel.
    A single-channel ``conv1d`` with a season-wide kernel is several times slower to
    train on a CPU (about 15x at the 97 taps of 15-minute data); the results are the same.
    """
    k = kernel.shape[0]
    batch, n = x.shape
    n_blocks = -(-n // k)
    padded = F.pad(x, (k // 2, k // 2 + n_blocks * k - n))
    blocks = padded.unfold(-1, 2 * k - 1, k)  # (batch, n_blocks, 2k - 1)
    # Row r of the band is [r zeros, kernel, k - 1 - r zeros]: cut from the kernel
    # followed by k zeros, repeated, so that each row starts one step later.
    band = F.pad(kernel, (0, k)).repeat(k)[: k * (2 * k - 1)].view(k, 2 * k - 1)
    return (blocks @ band.T).reshape(batch, n_blocks * k)[:, :n]


class PeriodicLinear(nn.Module):
    """Linear forecast shared across the phases of a season (SparseTSF's idea).

    The window is smoothed by a convolution one period wide (added to itself),
    cut into its ``period`` phase sub-series (every ``period``-th value), and
    one ``Linear(lookback / period -> horizon / period)`` maps each of them
    ahead: the weights see the trend across cycles, the phases share them.
    ``(batch, lookback) -> (batch, horizon)``; the window is left-padded with
    zeros (the mean of an instance-normalised window) to whole periods.
    """

    def __init__(self, lookback: int, horizon: int, period: int) -> None:
        super().__init__()
        self.lookback, self.horizon, self.period = lookback, horizon, period
        self.n_in = -(-lookback // period)
        self.n_out = -(-horizon // period)
        half = period // 2
        # Holds the kernel (its initialisation and the saved name ``smooth.weight``); it
        # is applied by same_correlation.
        self.smooth = nn.Conv1d(1, 1, kernel_size=2 * half + 1, padding=half, bias=False)
        self.map = nn.Linear(self.n_in, self.n_out, bias=False)

    def forward(self, window: Tensor) -> Tensor:
        batch, w = window.shape[0], self.period
        h = window + same_correlation(window, self.smooth.weight.view(-1))
        pad = self.n_in * w - self.lookback
        if pad:
            h = torch.cat([h.new_zeros(batch, pad), h], dim=-1)
        phases = h.view(batch, self.n_in, w).transpose(1, 2)  # (batch, period, cycles)
        out = self.map(phases).transpose(1, 2).reshape(batch, self.n_out * w)
        return out[:, : self.horizon]


def patchify(window: Tensor, patch_len: int, stride: int, padded_len: int) -> Tensor:
    """Cut ``(batch, L)`` into ``(batch, n_patches, patch_len)``, left-padding by
    repeating the first value so that whole strides fit."""
    pad = padded_len - window.shape[-1]
    if pad > 0:
        window = torch.cat([window[:, :1].expand(-1, pad), window], dim=-1)
    return window.unfold(-1, patch_len, stride)


class TokenMap(nn.Module):
    """Linear map of a ``(batch, tokens, features)`` array on both axes.

    ``(B, n_in, f_in) -> (B, n_out, f_out)`` with ``n_in * n_out + f_in * f_out``
    weights instead of a dense map's ``n_in * f_in * n_out * f_out``. It turns
    the forecast into tokens of ``y`` and back.
    """

    def __init__(self, n_in: int, f_in: int, n_out: int, f_out: int, zero_init: bool = False):
        super().__init__()
        self.features = nn.Linear(f_in, f_out)
        self.tokens = nn.Linear(n_in, n_out)
        if zero_init:
            nn.init.zeros_(self.tokens.weight)
            nn.init.zeros_(self.tokens.bias)

    def forward(self, h: Tensor) -> Tensor:
        h = self.features(h)
        return self.tokens(h.transpose(1, 2)).transpose(1, 2)


def _mlp(width: int, expansion: float, dropout: float) -> nn.Sequential:
    inner = max(1, round(width * expansion))
    return nn.Sequential(
        nn.Linear(width, inner), nn.GELU(), nn.Dropout(dropout), nn.Linear(inner, width)
    )


class MixerBlock(nn.Module):
    """Post-norm MLP-mixer block: mix across patches, then across features."""

    def __init__(self, n_tokens: int, dim: int, expansion: float, dropout: float) -> None:
        super().__init__()
        self.token_mlp = _mlp(n_tokens, expansion, dropout)
        self.feature_mlp = _mlp(dim, expansion, dropout)

    def forward(self, h: Tensor) -> Tensor:
        h = rms_norm(h + self.token_mlp(h.transpose(1, 2)).transpose(1, 2))
        return rms_norm(h + self.feature_mlp(h))


class AttentionBlock(nn.Module):
    """Post-norm Transformer block: non-causal self-attention over patches, then an MLP."""

    def __init__(self, dim: int, n_heads: int, expansion: float, dropout: float) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.out = nn.Linear(dim, dim, bias=False)
        self.mlp = _mlp(dim, expansion, dropout)

    def forward(self, h: Tensor) -> Tensor:
        b, t, d = h.shape
        q, k, v = self.qkv(h).view(b, t, 3, self.n_heads, d // self.n_heads).unbind(2)
        att = F.scaled_dot_product_attention(
            q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        )
        h = rms_norm(h + self.out(att.transpose(1, 2).reshape(b, t, d)))
        return rms_norm(h + self.mlp(h))


class BlockStack(ReasoningNet):
    """The shared network: two blocks applied to ``x + y + z`` or ``y + z``."""

    def __init__(self, blocks: list[nn.Module]) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(blocks)

    def forward(self, h: Tensor) -> Tensor:
        for block in self.blocks:
            h = block(h)
        return h


class SketchReasoner(ReasoningNet):
    """The original TS-TRM sketch: ``Linear(3d, d)``, SiLU, ``Linear(d, 2d)`` on
    the concatenation ``[x, y, z]``; the two halves of its output are the new
    ``z`` and the new ``y``. The answer update passes zeros for ``x``, as TRM's
    answer update has no ``x``."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(3 * dim, dim), nn.SiLU(), nn.Linear(dim, 2 * dim))

    def forward(self, xyz: Tensor) -> Tensor:
        return self.net(xyz)

    def latent_update(self, x: Tensor, y: Tensor, z: Tensor) -> Tensor:
        return self(torch.cat([x, y, z], dim=-1)).chunk(2, dim=-1)[0]

    def answer_update(self, y: Tensor, z: Tensor) -> Tensor:
        return self(torch.cat([torch.zeros_like(y), y, z], dim=-1)).chunk(2, dim=-1)[1]
