"""The networks of PatchTST (Nie et al. 2023) and a plain patch Transformer, one channel at a time.

Nie, Nguyen, Sinthong and Kalagnanam, "A Time Series is Worth 64 Words:
Long-term Forecasting with Transformers", ICLR 2023. Both networks map a
window ``(batch, lookback)`` to a forecast ``(batch, horizon)``: reversible
instance normalisation (RevIN), patches of the window as tokens, a
Transformer encoder, a linear head, the window's statistics put back. The
estimators are in :mod:`tsrm.forecasting.models.transformer.estimator`.

Attention is ``torch.nn.functional.scaled_dot_product_attention`` with the
kernel torch picks. The math backend was measured, not assumed (forward +
backward of the attention alone, batch 256, median of 15 runs, best of 5
rounds; torch 2.13.0 CPU, this 2-core shared machine under load)::

    tokens x d_model, heads     1 thread: default / math     2 threads: default / math
    42 x 128, 16 (PatchTST)          82.7 /  98.0 ms              186.1 / 452.3 ms
    42 x 16, 4 (PatchTST etth)       14.6 /  17.0 ms               28.6 /  40.5 ms
    21 x 64, 4 (Transformer)          5.5 /   8.4 ms               16.6 /  22.2 ms

The default CPU kernel was 1.2-2.4x faster than ``sdpa_kernel([SDPBackend.MATH])``
at every shape, so no backend is forced (other workloads have been reported to
favour the math kernel). In a whole forward + backward of the
``"default"`` PatchTST network (batch 256, lookback 336, 1 thread) attention
is a small share and the two were within noise (about 720-770 ms either way).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from tsrm._config import check_int_fields
from tsrm.forecasting._docs import shared_doc
from tsrm.forecasting.neural.config import WindowConfig

#: PatchTST network sizes from the paper's supervised scripts (github.com/yuqinie98/PatchTST,
#: ``PatchTST_supervised/scripts/PatchTST/*.sh``, as in the paper's appendix):
#: ``"etth"`` is the small model of ETTh1/ETTh2; ``"default"`` the model of the
#: larger sets (ETTm1/ETTm2, Weather, Electricity, Traffic) and of ``PatchTST``'s code.
PATCHTST_PRESETS: dict[str, dict] = {
    "etth": {"d_model": 16, "n_heads": 4, "d_ff": 128, "n_layers": 3, "dropout": 0.3},
    "default": {"d_model": 128, "n_heads": 16, "d_ff": 256, "n_layers": 3, "dropout": 0.2},
}

NORMS = ("batch", "layer")
HEADS = ("flatten", "mean")


# -- settings -------------------------------------------------------------------------------
def _check_encoder(cfg: PatchTSTConfig | TransformerConfig) -> None:
    check_int_fields(cfg, ("patch_len", "d_model", "n_heads", "d_ff", "n_layers"))
    if cfg.d_model % cfg.n_heads:
        raise ValueError(f"d_model ({cfg.d_model}) must be a multiple of n_heads ({cfg.n_heads}).")
    if cfg.patch_len > cfg.lookback:
        raise ValueError(f"patch_len ({cfg.patch_len}) must not exceed lookback ({cfg.lookback}).")
    for name in ("dropout", "head_dropout"):
        value = getattr(cfg, name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
            raise ValueError(f"{name} must be a number in [0, 1), got {value!r}.")
    if not isinstance(cfg.revin, bool):
        raise ValueError(f"revin must be True or False, got {cfg.revin!r}.")


#: The encoder settings both configurations document alike.
_ENCODER_DOC = """
d_model, n_heads, d_ff, n_layers : int
    Token width, attention heads, feed-forward width, encoder layers.
dropout : float
    Dropout after the patch embedding, inside the feed-forward block and
    on each residual branch.
"""


@shared_doc(encoder=_ENCODER_DOC)
@dataclass(frozen=True)
class PatchTSTConfig(WindowConfig):
    """Settings of :class:`PatchTSTNetwork` (defaults: the ``"default"`` preset).

    ``lookback`` and ``horizon``: see :class:`WindowConfig`.

    Attributes
    ----------
    patch_len, stride : int
        Patch length and step between patch starts (the paper's 16 and 8).
    {encoder}
    head_dropout : float
        Dropout on the forecast (the paper's 0).
    norm : {"batch", "layer"}
        Normalisation in the encoder layers: BatchNorm over all tokens of the
        batch (the paper's choice) or LayerNorm over each token.
    pre_norm : bool
        Normalise before each sub-block (and once after the last layer)
        instead of after each residual sum (the paper's post-norm).
    revin : bool
        Normalise each window by its own mean and std and de-normalise the
        forecast (the paper's RevIN, without its optional affine weights).
    """

    patch_len: int = 16
    stride: int = 8
    d_model: int = 128
    n_heads: int = 16
    d_ff: int = 256
    n_layers: int = 3
    dropout: float = 0.2
    head_dropout: float = 0.0
    norm: str = "batch"
    pre_norm: bool = False
    revin: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        check_int_fields(self, ("stride",))
        _check_encoder(self)
        if self.norm not in NORMS:
            raise ValueError(f"norm must be one of {NORMS}, got {self.norm!r}.")
        if not isinstance(self.pre_norm, bool):
            raise ValueError(f"pre_norm must be True or False, got {self.pre_norm!r}.")

    @property
    def n_patches(self) -> int:
        """Patches of a window padded at the end with ``stride`` copies of its last value."""
        return (self.lookback - self.patch_len) // self.stride + 2

    @classmethod
    def from_preset(cls, preset: str, lookback: int, horizon: int, **overrides) -> PatchTSTConfig:
        """The settings of a named preset (see ``PATCHTST_PRESETS``), with ``overrides``."""
        if preset not in PATCHTST_PRESETS:
            raise ValueError(f"preset must be one of {sorted(PATCHTST_PRESETS)}, got {preset!r}.")
        return cls(lookback=lookback, horizon=horizon, **{**PATCHTST_PRESETS[preset], **overrides})


@shared_doc(encoder=_ENCODER_DOC)
@dataclass(frozen=True)
class TransformerConfig(WindowConfig):
    """Settings of :class:`TransformerNetwork`.

    ``lookback`` and ``horizon``: see :class:`WindowConfig`.

    Attributes
    ----------
    patch_len : int
        Length of the non-overlapping patches that are the tokens.
    {encoder}
    head_dropout : float
        Dropout on the forecast.
    head : {"flatten", "mean"}
        ``Linear(n_patches * d_model, horizon)`` on all tokens, or
        ``Linear(d_model, horizon)`` on their mean.
    revin : bool
        Normalise each window by its own mean and std and de-normalise the forecast.
    """

    patch_len: int = 16
    d_model: int = 64
    n_heads: int = 4
    d_ff: int = 128
    n_layers: int = 2
    dropout: float = 0.1
    head_dropout: float = 0.0
    head: str = "flatten"
    revin: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_encoder(self)
        if self.head not in HEADS:
            raise ValueError(f"head must be one of {HEADS}, got {self.head!r}.")

    @property
    def n_patches(self) -> int:
        """Patches of a window padded at the front to a multiple of ``patch_len``."""
        return math.ceil(self.lookback / self.patch_len)


# -- building blocks ------------------------------------------------------------------------
def revin_normalise(window: Tensor, eps: float = 1e-5) -> tuple[Tensor, Tensor, Tensor]:
    """``(window - mean) / std`` per row, with ``std = sqrt(var + eps)``; returns the stats too."""
    mean = window.mean(dim=-1, keepdim=True)
    std = torch.sqrt(window.var(dim=-1, keepdim=True, unbiased=False) + eps)
    return (window - mean) / std, mean, std


def patch_end_padded(window: Tensor, patch_len: int, stride: int) -> Tensor:
    """PatchTST's patches: ``stride`` copies of the last value appended, then every
    ``stride``-th run of ``patch_len`` values; ``(batch, L) -> (batch, n_patches, patch_len)``
    with ``n_patches = (L - patch_len) // stride + 2`` (the paper's ``padding_patch="end"``)."""
    padded = torch.cat([window, window[:, -1:].expand(-1, stride)], dim=1)
    return padded.unfold(1, patch_len, stride)


def patch_front_padded(window: Tensor, patch_len: int) -> Tensor:
    """Non-overlapping patches; a window that is not a whole number of patches is padded at
    the front with copies of its first value, so the last patch ends at the last value."""
    pad = -window.shape[1] % patch_len
    if pad:
        window = torch.cat([window[:, :1].expand(-1, pad), window], dim=1)
    return window.unfold(1, patch_len, patch_len)


class TokenBatchNorm(nn.BatchNorm1d):
    """BatchNorm over every token of the batch, per feature: ``(B, T, d) -> (B, T, d)``."""

    def forward(self, h: Tensor) -> Tensor:
        return super().forward(h.flatten(0, 1)).view_as(h)


def _norm(kind: str, width: int) -> nn.Module:
    return TokenBatchNorm(width) if kind == "batch" else nn.LayerNorm(width)


class SelfAttention(nn.Module):
    """Multi-head non-causal self-attention with biases, by ``scaled_dot_product_attention``."""

    def __init__(self, d_model: int, n_heads: int) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)

    def forward(self, h: Tensor) -> Tensor:
        b, t, d = h.shape
        q, k, v = self.qkv(h).view(b, t, 3, self.n_heads, d // self.n_heads).permute(2, 0, 3, 1, 4)
        att = F.scaled_dot_product_attention(q, k, v)  # (b, heads, t, d / heads)
        return self.out(att.transpose(1, 2).reshape(b, t, d))


class EncoderLayer(nn.Module):
    """Transformer encoder layer: self-attention, then a GELU feed-forward block.

    Post-norm: ``h = norm(h + drop(block(h)))`` for each block; pre-norm:
    ``h = h + drop(block(norm(h)))``.
    """

    def __init__(
        self, d_model: int, n_heads: int, d_ff: int, dropout: float, norm: str, pre_norm: bool
    ) -> None:
        super().__init__()
        self.pre_norm = pre_norm
        self.attention = SelfAttention(d_model, n_heads)
        self.norm_attention = _norm(norm, d_model)
        self.feed_forward = nn.Sequential(
            nn.Linear(d_model, d_ff), nn.GELU(), nn.Dropout(dropout), nn.Linear(d_ff, d_model)
        )
        self.norm_feed_forward = _norm(norm, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, h: Tensor) -> Tensor:
        if self.pre_norm:
            h = h + self.dropout(self.attention(self.norm_attention(h)))
            return h + self.dropout(self.feed_forward(self.norm_feed_forward(h)))
        h = self.norm_attention(h + self.dropout(self.attention(h)))
        return self.norm_feed_forward(h + self.dropout(self.feed_forward(h)))


class PatchEncoder(nn.Module):
    """Linear patch embedding plus a learnable position embedding, dropout, encoder layers
    (and a final norm when pre-norm): ``(B, n_patches, patch_len) -> (B, n_patches, d_model)``."""

    def __init__(
        self,
        n_patches: int,
        patch_len: int,
        d_model: int,
        n_heads: int,
        d_ff: int,
        n_layers: int,
        dropout: float,
        norm: str,
        pre_norm: bool,
    ) -> None:
        super().__init__()
        self.embed = nn.Linear(patch_len, d_model)
        # Learnable, initialised as in PatchTST's code (uniform in +-0.02).
        self.position = nn.Parameter(torch.empty(n_patches, d_model).uniform_(-0.02, 0.02))
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList(
            EncoderLayer(d_model, n_heads, d_ff, dropout, norm, pre_norm) for _ in range(n_layers)
        )
        self.final_norm = _norm(norm, d_model) if pre_norm else nn.Identity()

    @classmethod
    def from_config(
        cls, cfg: PatchTSTConfig | TransformerConfig, norm: str, pre_norm: bool
    ) -> PatchEncoder:
        """The encoder of a network with settings ``cfg`` and the given normalisation."""
        sizes = (cfg.n_patches, cfg.patch_len, cfg.d_model, cfg.n_heads, cfg.d_ff, cfg.n_layers)
        return cls(*sizes, cfg.dropout, norm, pre_norm)

    def forward(self, patches: Tensor) -> Tensor:
        h = self.dropout(self.embed(patches) + self.position)
        for layer in self.layers:
            h = layer(h)
        return self.final_norm(h)


def revin_forecast(window: Tensor, revin: bool, forecast: Callable[[Tensor], Tensor]) -> Tensor:
    """``forecast(window)``; with ``revin``, of the normalised window, de-normalised after."""
    if not revin:
        return forecast(window)
    window, mean, std = revin_normalise(window)
    return forecast(window) * std + mean


# -- networks -------------------------------------------------------------------------------
class PatchTSTNetwork(nn.Module):
    """PatchTST/supervised for one channel: RevIN, overlapping patches, encoder, flatten head.

    Follows the paper's code with two documented departures: attention is the
    standard one (the code's default "residual attention", which adds the
    previous layer's attention scores, needs the scores and so cannot use
    ``scaled_dot_product_attention``), and each residual branch has one
    dropout (the code applies ``dropout`` twice after the attention output
    projection). The head is ``Linear(n_patches * d_model, horizon)`` on the
    flattened tokens, then ``head_dropout``.
    """

    def __init__(self, cfg: PatchTSTConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.encoder = PatchEncoder.from_config(cfg, cfg.norm, cfg.pre_norm)
        self.head = nn.Linear(cfg.n_patches * cfg.d_model, cfg.horizon)
        self.head_dropout = nn.Dropout(cfg.head_dropout)

    def _forecast(self, window: Tensor) -> Tensor:
        h = self.encoder(patch_end_padded(window, self.cfg.patch_len, self.cfg.stride))
        return self.head_dropout(self.head(h.flatten(1)))

    def forward(self, window: Tensor) -> Tensor:
        return revin_forecast(window, self.cfg.revin, self._forecast)


class TransformerNetwork(nn.Module):
    """A plain Transformer forecaster for one channel.

    RevIN, non-overlapping patches of ``patch_len`` as tokens (per-patch
    rather than per-step tokens, for speed on a CPU: at lookback 336, 21 tokens
    instead of 336 make attention 256 times and the rest 16 times cheaper), linear
    embedding plus learnable positions, pre-norm LayerNorm encoder layers and a
    final LayerNorm, then a flatten or mean-pool linear head.
    """

    def __init__(self, cfg: TransformerConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.encoder = PatchEncoder.from_config(cfg, "layer", True)
        width = cfg.n_patches * cfg.d_model if cfg.head == "flatten" else cfg.d_model
        self.head = nn.Linear(width, cfg.horizon)
        self.head_dropout = nn.Dropout(cfg.head_dropout)

    def _forecast(self, window: Tensor) -> Tensor:
        h = self.encoder(patch_front_padded(window, self.cfg.patch_len))
        pooled = h.flatten(1) if self.cfg.head == "flatten" else h.mean(dim=1)
        return self.head_dropout(self.head(pooled))

    def forward(self, window: Tensor) -> Tensor:
        return revin_forecast(window, self.cfg.revin, self._forecast)
