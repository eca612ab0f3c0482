"""Building blocks of the puzzle TRM, as the paper describes them.

Post-norm blocks with a weight-free RMSNorm, bias-free linears, SwiGLU feed-forward
layers, and rotary position encoding.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def rms_norm(h: Tensor, eps: float = 1e-5) -> Tensor:
    """RMSNorm over the last axis, without a learned weight (computed in float32)."""
    dtype = h.dtype
    h = h.float()
    h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
    return h.to(dtype)


def swiglu_width(dim: int, expansion: float, multiple_of: int = 256) -> int:
    """Inner width of a SwiGLU: ``expansion * dim * 2/3`` rounded up to ``multiple_of``.

    The 2/3 keeps the parameter count of a plain MLP of the same expansion
    (three matrices instead of two); 512 hidden, expansion 4 -> 1536.
    """
    return multiple_of * math.ceil(expansion * dim * 2 / 3 / multiple_of)


def lecun_linear(in_features: int, out_features: int) -> nn.Linear:
    """A bias-free linear layer with truncated-normal LeCun initialisation."""
    layer = nn.Linear(in_features, out_features, bias=False)
    std = 1.0 / math.sqrt(in_features)
    nn.init.trunc_normal_(layer.weight, std=std, a=-2 * std, b=2 * std)
    return layer


class SwiGLU(nn.Module):
    """``down(silu(gate(h)) * up(h))`` over the last axis; gate and up share one matrix."""

    def __init__(self, dim: int, expansion: float, multiple_of: int = 256) -> None:
        super().__init__()
        inner = swiglu_width(dim, expansion, multiple_of)
        self.gate_up = lecun_linear(dim, 2 * inner)
        self.down = lecun_linear(inner, dim)

    def forward(self, h: Tensor) -> Tensor:
        gate, up = self.gate_up(h).chunk(2, dim=-1)
        return self.down(F.silu(gate) * up)


class Rotary(nn.Module):
    """Rotary position encoding (RoPE) tables for a fixed sequence length."""

    def __init__(self, head_dim: int, seq_len: int, theta: float = 10000.0) -> None:
        super().__init__()
        freqs = 1.0 / theta ** (torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
        angles = torch.outer(torch.arange(seq_len, dtype=torch.float32), freqs)
        angles = torch.cat([angles, angles], dim=-1)  # (seq_len, head_dim)
        self.register_buffer("cos", angles.cos(), persistent=False)
        self.register_buffer("sin", angles.sin(), persistent=False)

    def forward(self, t: Tensor) -> Tensor:
        """Rotate ``t`` of shape ``(batch, heads, seq, head_dim)``."""
        half = t.shape[-1] // 2
        rotated = torch.cat([-t[..., half:], t[..., :half]], dim=-1)
        return t * self.cos.to(t.dtype) + rotated * self.sin.to(t.dtype)


class Attention(nn.Module):
    """Non-causal multi-head self-attention with RoPE; bias-free projections."""

    def __init__(self, dim: int, n_heads: int, seq_len: int, rope_theta: float) -> None:
        super().__init__()
        if dim % n_heads:
            raise ValueError(f"hidden_dim {dim} must be divisible by n_heads {n_heads}.")
        self.n_heads = n_heads
        self.qkv = lecun_linear(dim, 3 * dim)
        self.out = lecun_linear(dim, dim)
        self.rotary = Rotary(dim // n_heads, seq_len, rope_theta)

    def forward(self, h: Tensor) -> Tensor:
        batch, seq, dim = h.shape
        qkv = self.qkv(h).view(batch, seq, 3, self.n_heads, dim // self.n_heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)  # each (batch, heads, seq, head_dim)
        q, k = self.rotary(q), self.rotary(k)
        att = F.scaled_dot_product_attention(q, k, v, is_causal=False)
        return self.out(att.transpose(1, 2).reshape(batch, seq, dim))


class Block(nn.Module):
    """One post-norm block: ``h = norm(h + mix(h)); h = norm(h + swiglu(h))``.

    With ``mixer="mlp"`` (TRM-MLP) the token mixer is a SwiGLU along the sequence
    axis -- Sudoku has a fixed layout, so a dense map over positions replaces
    attention and needs no position encoding -- and that residual's norm runs over
    the sequence axis too, as in the official code.
    """

    def __init__(
        self,
        dim: int,
        seq_len: int,
        *,
        mixer: str,
        n_heads: int,
        expansion: float,
        rope_theta: float,
        multiple_of: int = 256,
        eps: float = 1e-5,
    ) -> None:
        super().__init__()
        self.mixer_kind = mixer
        self.eps = eps
        if mixer == "attention":
            self.mixer: nn.Module = Attention(dim, n_heads, seq_len, rope_theta)
        elif mixer == "mlp":
            self.mixer = SwiGLU(seq_len, expansion, multiple_of)
        else:
            raise ValueError(f"mixer must be 'attention' or 'mlp', got {mixer!r}.")
        self.ffn = SwiGLU(dim, expansion, multiple_of)

    def forward(self, h: Tensor) -> Tensor:
        if self.mixer_kind == "mlp":
            t = h.transpose(1, 2)  # (batch, dim, seq): mix and normalise over positions
            h = rms_norm(t + self.mixer(t), self.eps).transpose(1, 2)
        else:
            h = rms_norm(h + self.mixer(h), self.eps)
        return rms_norm(h + self.ffn(h), self.eps)
