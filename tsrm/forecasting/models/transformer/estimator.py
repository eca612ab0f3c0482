"""PatchTST (Nie et al. 2023) and a plain patch Transformer, trained the way TS-TRM is.

Data handling, training, prediction and save/load are those of
:class:`~tsrm.forecasting.neural.estimator.WindowForecaster`, so a comparison with
:class:`~tsrm.TRMForecaster`, :class:`~tsrm.forecasting.models.DLinear` and these
differs only in the network. Series are modelled channel-independently with
shared weights, as in the paper. The networks are in
:mod:`tsrm.forecasting.models.transformer.module`.

PatchTST presets (``PatchTST(preset=...)``), from the paper's supervised
scripts (github.com/yuqinie98/PatchTST, ``PatchTST_supervised/scripts``) and
its appendix; both use patch_len 16, stride 8, RevIN and head dropout 0.
Trainable parameters at lookback 336, horizon 96:

==========  =======  =======  ====  ========  =======  ==========  ===========================
preset      d_model  n_heads  d_ff  n_layers  dropout  parameters  used by the paper for
==========  =======  =======  ====  ========  =======  ==========  ===========================
"etth"      16       4        128   3         0.3      81,728      ETTh1, ETTh2
"default"   128      16       256   3         0.2      921,184     ETTm1/2, Weather, Electricity,
                                                                   Traffic
==========  =======  =======  ====  ========  =======  ==========  ===========================

Training departs from the paper's scripts in ways the shared training path
imposes or a CPU asks for: the learning rate stays constant (the ETTh and
Weather scripts decay it by 0.9 per epoch after the third, the ETTm1 script
follows a one-cycle schedule), and early stopping waits 20 epochs (as in the
ETTm1 and Weather scripts; the ETTh scripts keep the default 100, i.e. the
best of all 100 epochs). The
scripts' batches hold 128 multivariate windows, that is 128 x channels
univariate windows (896 on ETTh1); ``batch_size`` here counts univariate
windows, and its default 128 gives more, smaller steps per epoch.
"""

from __future__ import annotations

from tsrm.exceptions import TSRMInputError
from tsrm.forecasting.models._params import checked_ints, fill_doc, store_arguments
from tsrm.forecasting.models.transformer.module import (
    PATCHTST_PRESETS,
    PatchTSTConfig,
    PatchTSTNetwork,
    TransformerConfig,
    TransformerNetwork,
)
from tsrm.forecasting.neural.config import make_config
from tsrm.forecasting.neural.estimator import WindowForecaster

_SIZES = ("d_model", "n_heads", "d_ff", "n_layers", "dropout")


@fill_doc
class PatchTST(WindowForecaster):
    """PatchTST/supervised: a Transformer encoder over overlapping patches of the window.

    The window is normalised by its own mean and std (RevIN), padded at the
    end with ``stride`` copies of its last value and cut into
    ``(lookback - patch_len) // stride + 2`` patches of ``patch_len`` values
    (42 at lookback 336); each patch is embedded linearly, a learnable
    position added, and ``n_layers`` post-norm encoder layers (BatchNorm, as
    in the paper) mix them; a linear head maps all tokens to the forecast.
    See :class:`~tsrm.forecasting.models.transformer.module.PatchTSTNetwork` for the
    two small departures from the paper's code.

    Parameters
    ----------
    {horizon}
    lookback : int, default 336
        Past values each forecast sees (the paper's PatchTST/42 setting).
    preset : {"default", "etth"}, default "default"
        Network size: ``"default"`` is d_model 128, 16 heads, d_ff 256, 3
        layers, dropout 0.2 (the paper's ETTm, Weather, Electricity and
        Traffic model); ``"etth"`` is d_model 16, 4 heads, d_ff 128, 3
        layers, dropout 0.3 (its ETTh1/ETTh2 model).
    d_model, n_heads, d_ff, n_layers : int or None, default None
        Override the preset's token width, heads, feed-forward width, layers.
    dropout : float or None, default None
        Override the preset's dropout.
    patch_len : int, default 16
    stride : int, default 8
        Patch length and step between patches.
    head_dropout : float, default 0.0
        Dropout on the forecast during training.
    norm : {"batch", "layer"}, default "batch"
        Normalisation in the encoder layers (the paper uses BatchNorm).
    pre_norm : bool, default False
        Pre-norm instead of the paper's post-norm encoder layers.
    revin : bool, default True
        Reversible instance normalisation of each window.
    {training}

    Attributes
    ----------
    network_ : nn.Module
    config_ : PatchTSTConfig
        The resolved network settings (preset and overrides).
    {fitted}
    """

    _config_class = PatchTSTConfig
    _file_format = "tsrm.PatchTST"

    def __init__(
        self,
        horizon: int = 24,
        lookback: int = 336,
        preset: str = "default",
        d_model: int | None = None,
        n_heads: int | None = None,
        d_ff: int | None = None,
        n_layers: int | None = None,
        dropout: float | None = None,
        patch_len: int = 16,
        stride: int = 8,
        head_dropout: float = 0.0,
        norm: str = "batch",
        pre_norm: bool = False,
        revin: bool = True,
        max_epochs: int = 100,
        batch_size: int = 128,
        learning_rate: float = 1e-4,
        weight_decay: float = 0.0,
        loss: str = "mse",
        quantiles: tuple[float, ...] | None = None,
        validation_size: float | int = 0.2,
        patience: int = 20,
        scaling: bool = True,
        missing: str = "mask",
        random_state: int | None = 0,
        trainer_kwargs: dict | None = None,
        verbose: bool = False,
        n_threads: int | None = 1,
    ) -> None:
        store_arguments(self, locals())

    def _network_config(self, lookback: int, season: int = 1) -> PatchTSTConfig:
        if not isinstance(self.preset, str) or self.preset not in PATCHTST_PRESETS:
            raise TSRMInputError(
                f"preset must be one of {sorted(PATCHTST_PRESETS)}, got {self.preset!r}."
            )
        sizes = dict(PATCHTST_PRESETS[self.preset])
        sizes.update({k: getattr(self, k) for k in _SIZES if getattr(self, k) is not None})
        sizes.update(checked_ints(sizes, ("d_model", "n_heads", "d_ff", "n_layers")))
        return make_config(
            PatchTSTConfig,
            **checked_ints(
                {**vars(self), "lookback": lookback}, ("lookback", "horizon", "patch_len", "stride")
            ),
            head_dropout=self.head_dropout,
            norm=self.norm,
            pre_norm=self.pre_norm,
            revin=self.revin,
            **sizes,
        )

    def _build_network(self, cfg: PatchTSTConfig) -> PatchTSTNetwork:
        return PatchTSTNetwork(cfg)


@fill_doc
class TransformerForecaster(WindowForecaster):
    """A plain Transformer encoder over non-overlapping patches of the window.

    The window is normalised by its own mean and std (RevIN) and cut into
    patches of ``patch_len`` values (padded at the front by repeating the
    first value when ``lookback`` is not a multiple), which are the tokens:
    per-patch rather than per-step tokens, because on a CPU attention over
    ``lookback`` tokens is too slow to train (21 tokens instead of 336 at the
    default lookback). Linear patch embedding, learnable positions, pre-norm
    LayerNorm encoder layers, and a linear head on the flattened tokens or on
    their mean.

    Parameters
    ----------
    {window}
    patch_len : int, default 16
        Length of the patches (the tokens).
    d_model : int, default 64
    n_heads : int, default 4
    d_ff : int, default 128
    n_layers : int, default 2
        Token width, attention heads, feed-forward width, encoder layers.
    dropout : float, default 0.1
    head_dropout : float, default 0.0
    head : {"flatten", "mean"}, default "flatten"
        Forecast from all tokens (``Linear(n_patches * d_model, horizon)``) or
        from their mean (``Linear(d_model, horizon)``, independent of the lookback).
    revin : bool, default True
        Reversible instance normalisation of each window.
    {training}

    Attributes
    ----------
    network_ : nn.Module
    config_ : TransformerConfig
    {fitted}
    """

    _config_class = TransformerConfig
    _file_format = "tsrm.TransformerForecaster"

    def __init__(
        self,
        horizon: int = 24,
        lookback: int = 336,
        patch_len: int = 16,
        d_model: int = 64,
        n_heads: int = 4,
        d_ff: int = 128,
        n_layers: int = 2,
        dropout: float = 0.1,
        head_dropout: float = 0.0,
        head: str = "flatten",
        revin: bool = True,
        max_epochs: int = 20,
        batch_size: int = 256,
        learning_rate: float = 1e-3,
        weight_decay: float = 0.0,
        loss: str = "mse",
        quantiles: tuple[float, ...] | None = None,
        validation_size: float | int = 0.2,
        patience: int = 3,
        scaling: bool = True,
        missing: str = "mask",
        random_state: int | None = 0,
        trainer_kwargs: dict | None = None,
        verbose: bool = False,
        n_threads: int | None = 1,
    ) -> None:
        store_arguments(self, locals())

    def _network_config(self, lookback: int, season: int = 1) -> TransformerConfig:
        integers = ("lookback", "horizon", "patch_len", "d_model", "n_heads", "d_ff", "n_layers")
        return make_config(
            TransformerConfig,
            **checked_ints({**vars(self), "lookback": lookback}, integers),
            dropout=self.dropout,
            head_dropout=self.head_dropout,
            head=self.head,
            revin=self.revin,
        )

    def _build_network(self, cfg: TransformerConfig) -> TransformerNetwork:
        return TransformerNetwork(cfg)
