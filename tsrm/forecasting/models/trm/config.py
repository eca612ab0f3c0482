"""Configuration of the TS-TRM network and its named presets."""

from __future__ import annotations

import math
from dataclasses import dataclass

from tsrm._config import check_int_fields
from tsrm.forecasting.neural.config import WindowConfig

MIXERS = ("mlp", "attention", "sketch")
FIRST_GUESSES = ("linear", "periodic")
ANSWER_FEEDBACKS = ("latent", "forecast")


@dataclass(frozen=True)
class NetworkConfig(WindowConfig):
    """Every knob of :class:`~tsrm.forecasting.models.trm.module.TSTRMNetwork`.

    Attributes
    ----------
    lookback, horizon : int
        Window length fed to the model and number of steps it forecasts.
    patch_len, stride : int
        Look-back patches: each token of ``x`` embeds ``patch_len`` values, a new
        token every ``stride`` values.
    out_patch_len : int or None
        Forecast values per token of the readout (``None``: ``min(patch_len, horizon)``).
    hidden_dim : int
        Token feature size ``d`` of ``x``, ``y`` and ``z``.
    expansion : float
        Hidden width of the mixer MLPs as a multiple of their input width.
    mixer : {"mlp", "attention", "sketch"}
        The shared 2-layer network: MLP-mixer blocks over patches (fast on a CPU),
        self-attention blocks, or the original TS-TRM sketch (concatenated
        ``[x, y, z]`` through ``Linear(3d, d)``, SiLU, ``Linear(d, 2d)``).
    n_heads : int
        Attention heads (``mixer="attention"``).
    n_recursions, n_cycles, n_supervision : int
        TRM's ``n`` (latent updates per cycle), ``T`` (cycles per step, the
        first ``T - 1`` without gradients) and ``N_sup`` (supervision steps).
    dropout : float
        Dropout inside the mixer MLPs (for the sketch: on the embedded window ``x``).
    revin : bool
        Normalise each window by its own mean and standard deviation and undo
        it on the forecast (reversible instance normalisation).
    halting : bool
        Add a learned halting head that lets inference stop early per window.
    first_guess : {"linear", "periodic"}
        The forecast the recursion starts from and corrects: one dense linear
        map of the look-back window (``lookback * horizon`` weights), or one
        small linear map shared by every phase of a ``period`` after a smoothing
        convolution (SparseTSF's idea; about ``(lookback / period) * (horizon /
        period)`` weights), which over-fits far less at long horizons.
    period : int
        Season length in steps for ``first_guess="periodic"`` (24 for hourly data
        with a daily cycle).
    answer_feedback : {"latent", "forecast"}
        What the next supervision step starts from: the latent answer ``y`` as
        it is (TRM's way), or the forecast decoded from it and embedded again by
        a learned map, so that every step sees the forecast it is correcting.
        ``"forecast"`` does not combine with ``halting``.
    """

    patch_len: int = 16
    stride: int = 16
    out_patch_len: int | None = None
    hidden_dim: int = 64
    expansion: float = 2.0
    mixer: str = "mlp"
    n_heads: int = 4
    n_recursions: int = 2
    n_cycles: int = 2
    n_supervision: int = 3
    dropout: float = 0.0
    revin: bool = True
    halting: bool = False
    first_guess: str = "linear"
    period: int = 24
    answer_feedback: str = "latent"

    def __post_init__(self) -> None:
        super().__post_init__()
        check_int_fields(
            self,
            (
                "patch_len",
                "stride",
                "hidden_dim",
                "n_heads",
                "n_recursions",
                "n_cycles",
                "n_supervision",
                "period",
            ),
        )
        if self.out_patch_len is not None and self.out_patch_len < 1:
            raise ValueError(f"out_patch_len must be positive or None, got {self.out_patch_len!r}.")
        if self.first_guess not in FIRST_GUESSES:
            raise ValueError(
                f"first_guess must be one of {FIRST_GUESSES}, got {self.first_guess!r}."
            )
        if self.first_guess == "periodic" and self.period > self.lookback:
            raise ValueError(
                f"period ({self.period}) is longer than lookback ({self.lookback}); "
                "use a longer lookback or a shorter period."
            )
        if self.answer_feedback not in ANSWER_FEEDBACKS:
            raise ValueError(
                f"answer_feedback must be one of {ANSWER_FEEDBACKS}, got {self.answer_feedback!r}."
            )
        if self.answer_feedback == "forecast" and self.halting:
            raise ValueError(
                "answer_feedback='forecast' does not support halting=True; use "
                "answer_feedback='latent' with halting, or turn halting off."
            )
        if self.mixer not in MIXERS:
            raise ValueError(f"mixer must be one of {MIXERS}, got {self.mixer!r}.")
        if self.patch_len > self.lookback:
            raise ValueError(
                f"patch_len ({self.patch_len}) is longer than lookback ({self.lookback}); "
                "use a shorter patch_len or a longer lookback."
            )
        if self.mixer == "attention" and self.hidden_dim % self.n_heads:
            raise ValueError(
                f"hidden_dim ({self.hidden_dim}) must be divisible by n_heads ({self.n_heads})."
            )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}.")
        if self.expansion <= 0:
            raise ValueError(f"expansion must be positive, got {self.expansion!r}.")

    @property
    def n_patches(self) -> int:
        """Number of look-back tokens (the window is left-padded to fit whole strides)."""
        return math.ceil(max(self.lookback - self.patch_len, 0) / self.stride) + 1

    @property
    def padded_lookback(self) -> int:
        return (self.n_patches - 1) * self.stride + self.patch_len

    @property
    def horizon_patch_len(self) -> int:
        return min(self.out_patch_len or self.patch_len, self.horizon)

    @property
    def n_horizon_patches(self) -> int:
        return math.ceil(self.horizon / self.horizon_patch_len)


# Named settings that override NetworkConfig's defaults.
PRESETS: dict[str, dict] = {
    # The default: the sketch's one-token network with dropout 0.3 on the embedded
    # window, correcting a periodic first guess (linear where there is no season).
    # With the estimator's defaults (MAE loss, EMA 0.999, lr 3e-4) it is the
    # configuration measured best on the long-horizon benchmarks.
    "default": {
        "mixer": "sketch",
        "hidden_dim": 64,
        "n_supervision": 3,
        "n_recursions": 6,
        "n_cycles": 1,
        "dropout": 0.3,
        "first_guess": "periodic",
        "whole_window": True,
    },
    # MLP-mixer over patch tokens (the first default): slower to train, no more accurate.
    "mixer": {},
    # The original TS-TRM sketch: one token for the whole window, hidden 64, a
    # reasoner Linear(3d->d), SiLU, Linear(d->2d); N_sup 3, n 6.
    "sketch": {
        "mixer": "sketch",
        "hidden_dim": 64,
        "n_supervision": 3,
        "n_recursions": 6,
        "n_cycles": 1,
        "dropout": 0.0,
        "whole_window": True,
    },
    # TRM's own depth (T=3, n=6) on the mixer network: slower, for comparison.
    "trm-depth": {"n_recursions": 6, "n_cycles": 3},
}


def preset_settings(name: str, lookback: int, horizon: int) -> dict:
    """Settings of preset ``name`` for a given ``lookback`` and ``horizon``."""
    if name not in PRESETS:
        raise ValueError(f"Unknown preset {name!r}; choose one of {sorted(PRESETS)}.")
    settings = dict(PRESETS[name])
    if settings.pop("whole_window", False):
        settings.update(patch_len=lookback, stride=lookback, out_patch_len=horizon)
    default_patch = NetworkConfig.__dataclass_fields__["patch_len"].default
    if "patch_len" not in settings and lookback < default_patch:
        settings.update(patch_len=lookback, stride=lookback)  # a short window is one patch
    return settings
