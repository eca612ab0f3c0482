"""``TRMForecaster``: the scikit-learn-style public face of TS-TRM.

Training, prediction and save/load are those of every window forecaster
(:class:`~tsrm.forecasting.neural.estimator.WindowForecaster`); this module adds what is
TS-TRM's own: the presets and network settings, its LightningModule, and forecast traces.
"""

from __future__ import annotations

import torch
from torch import Tensor

from tsrm.exceptions import TSRMInputError
from tsrm.forecasting.base import check_positive_int
from tsrm.forecasting.models._params import store_arguments
from tsrm.forecasting.models.trm.config import NetworkConfig, preset_settings
from tsrm.forecasting.models.trm.lightning_module import TSTRMLightning
from tsrm.forecasting.models.trm.module import EveryStepHalting, TSTRMNetwork
from tsrm.forecasting.neural.ensemble import MedianEnsemble, median
from tsrm.forecasting.neural.estimator import WindowForecaster

# Constructor arguments that map one-to-one onto NetworkConfig fields.
_NETWORK_ARGS = (
    "hidden_dim",
    "n_recursions",
    "n_cycles",
    "n_supervision",
    "patch_len",
    "stride",
    "mixer",
    "dropout",
    "halting",
)


class TRMForecaster(WindowForecaster):
    """Tiny Recursive Model forecaster (TS-TRM).

    One tiny 2-layer network refines a latent state ``z`` and a forecast ``y``
    from an embedded look-back window ``x``, trained with deep supervision.
    Series are modelled channel-independently: one set of weights for all.

    Parameters
    ----------
    horizon : int, default 24
        Steps the network forecasts at once.
    lookback : int or "auto", default "auto"
        Past values each forecast sees. ``"auto"``: ``fit`` trains one network per
        candidate (the longest leaves half of a typical series' training part as
        targets, at most 720; then a half and a quarter of it; whole seasons) and
        keeps the one with the lowest validation MSE; ``lookback_`` and
        ``selection_`` say what was chosen and why.
    period : int or "auto", default "auto"
        Season length in steps (1: none). ``"auto"``: proposed by the index frequency
        (hourly 24, daily 7, weekly 52, monthly 12, quarterly 4, ...; for an integer
        index or numpy data, the strongest autocorrelation peak) and kept only if at
        least half of the series pass M4's 90 % seasonality test at that lag. A season
        that fits the look-back gives a periodic first guess, else a linear one.
    preset : {"default", "mixer", "sketch", "trm-depth"}, default "default"
        Named network settings; explicit arguments below override them.
        ``"default"``: the one-token sketch network with dropout 0.3 correcting a
        periodic first guess. ``"mixer"``: MLP-mixer blocks over patch tokens.
        ``"sketch"``: the original TS-TRM sketch (hidden 64, reasoner
        ``Linear(3d, d)``-SiLU-``Linear(d, 2d)``, N_sup 3, n 6, linear first guess).
        ``"trm-depth"``: the mixer at TRM's depth (T 3, n 6).
    hidden_dim, n_recursions, n_cycles, n_supervision : int or None
        Token width ``d``; TRM's ``n`` (latent updates per cycle), ``T`` (cycles
        per supervision step) and ``N_sup``. ``None`` takes the preset's value.
    patch_len, stride : int or None
        Look-back patching. ``mixer`` : {"mlp", "attention", "sketch"} or None.
    dropout : float or None
        Dropout in the shared network.
    halting : bool or None
        Learn a halting head; at inference each window stops at its own step.
    network_kwargs : dict or None
        Any other :class:`~tsrm.forecasting.models.trm.config.NetworkConfig` field
        (``expansion``, ``n_heads``, ``out_patch_len``, ``revin``).
    max_epochs : int, default 20
        Upper bound on epochs; a warning says when the last epoch was still the best.
    batch_size : int, default 256
    min_epoch_steps : int, default 32
        Optimiser steps each epoch takes at least: with few windows the batch
        shrinks (to 16) and windows are drawn again in a fresh order, so a short
        series trains as many steps as a long one. 0: one pass per epoch.
    max_epoch_windows : int or None, default 1048576
        Beyond this many training windows (a fleet of sensors: tens of millions) an
        epoch is this many windows drawn at random, afresh each epoch, and validation
        uses the windows of evenly spaced series, about this many: epochs and early
        stopping then keep a bounded cost. Smaller data sets (every benchmark set here)
        train as without it. None: every window, every epoch.
    learning_rate : float or "auto", default "auto"
        AdamW's rate. ``"auto"``: 3e-4 (what the long-horizon benchmarks used) when
        there are at least ``batch_size * min_epoch_steps`` training windows, 1e-3 below
        that, where training is short.
    weight_decay : float, default 0.0
    loss : {"mse", "mae", "huber"}, default "mae"
    quantiles : sequence of float or None, default None
        Quantile levels in (0, 1) to forecast besides the median (0.5 is always
        added), e.g. ``(0.1, 0.9)``: the readout then gives one horizon per
        level, all refined from the same answer state ``y``, trained with the
        pinball loss (``loss`` is not used); ``predict`` returns the median and
        :meth:`predict_quantiles` the levels. ``None``: a point forecaster
        (``predict_quantiles`` then derives quantiles from the validation errors).
    validation_size : float or int, default 0.2
        Tail of each series held out for early stopping: a fraction of its
        length or a number of steps (at least ``horizon``). 0 disables
        validation: training runs ``max_epochs`` and keeps the last weights.
    patience : int, default 3
        Epochs without validation improvement before stopping; the best
        weights are restored.
    ema_decay : float or None, default 0.999
        Evaluate and keep an exponential moving average of the weights.
    n_models : int, default 1
        Forecast by the median of this many networks (as N-BEATS ensembles): the
        best look-back candidate and ``n_models - 1`` more trainings of its look-back
        from further seeds (within ``time_budget_s``). Not with covariates.
        ``selection_`` marks the members and has the ensemble's own score.
    fallback : bool, default True
        After training, score seasonal naive (naive without a season) on the same
        validation windows as the network; where it is more accurate, the fitted model
        forecasts by it (``fallback_`` says so, ``selection_`` has its row, ``n_params_``
        is 0, a trace has one step). Not for quantile networks or covariates.
    time_budget_s : float or None, default 60
        With ``lookback="auto"``: no further candidate is trained once the time
        spent plus the last candidate's time would pass this (skipped ones are
        listed in ``selection_``). None: no limit.
    scaling : bool, default True
        Standardise each series with its training-part mean and std.
    missing : {"mask", "error"}, default "mask"
        NaN in ``y``: ``"mask"`` leaves missing targets out of the loss and
        fills missing inputs with the last observed value (see
        :class:`~tsrm.forecasting.neural.estimator.WindowForecaster`); ``"error"`` rejects them.
    random_state : int or None, default 0
        Seed; the same seed, data and machine give the same forecast.
    trainer_kwargs : dict or None
        Passed to ``lightning.Trainer`` (e.g. ``{"accelerator": "gpu"}``).
    verbose : bool, default False
        Progress bar (only on a terminal) and Lightning's messages.
    n_threads : int or None, default 1
        torch intra-op threads during ``fit`` and forecasts (restored afterwards); see
        :class:`~tsrm.forecasting.neural.estimator.WindowForecaster`.
    calendar_features : bool or tuple of str, default False
        Sin/cos calendar covariates from the index (e.g. ``("hour", "dayofweek")``;
        True: hour, day of week, month); see
        :class:`~tsrm.forecasting.neural.estimator.WindowForecaster`.
    past_covariates : tuple of str or None, default None
        Columns of ``X`` observed only up to the forecast origin; the model reads
        their look-back window. See :class:`~tsrm.forecasting.neural.estimator.WindowForecaster`.

    Attributes
    ----------
    lookback_ : int
        The look-back used (chosen on validation with ``lookback="auto"``).
    period_ : int
        The season length used (1: none).
    selection_ : pandas.DataFrame
        One row per candidate: ``candidate`` ("network", or the fallback "seasonal
        naive" / "naive"), ``lookback``, ``period``, ``val_mse`` (validation MSE on the
        scaled series), ``best_epoch``, ``epochs``, ``fit_s``, ``chosen``; a look-back
        skipped for ``time_budget_s`` has no score.
    fallback_ : str or None
        ``"seasonal naive"`` or ``"naive"`` where that beat the network on validation.
    network_ : TSTRMNetwork
    config_ : NetworkConfig
    n_params_ : int
    history_ : dict
        ``train_loss`` and ``val_loss`` per epoch, ``best_epoch``, ``fit_seconds``.
    context_ : Panel
        The last ``lookback`` values of each fitted series (what ``predict()`` continues).
    """

    _config_class = NetworkConfig
    _file_format = "tsrm.TRMForecaster"  # what model files say; never change it
    _tags = {**WindowForecaster._tags, "trace": True}

    def __init__(
        self,
        horizon: int = 24,
        lookback: int | str = "auto",
        period: int | str = "auto",
        preset: str = "default",
        hidden_dim: int | None = None,
        n_recursions: int | None = None,
        n_cycles: int | None = None,
        n_supervision: int | None = None,
        patch_len: int | None = None,
        stride: int | None = None,
        mixer: str | None = None,
        dropout: float | None = None,
        halting: bool | None = None,
        network_kwargs: dict | None = None,
        max_epochs: int = 20,
        batch_size: int = 256,
        min_epoch_steps: int = 32,
        max_epoch_windows: int | None = 1 << 20,
        learning_rate: float | str = "auto",
        weight_decay: float = 0.0,
        loss: str = "mae",
        quantiles: tuple[float, ...] | None = None,
        validation_size: float | int = 0.2,
        patience: int = 3,
        ema_decay: float | None = 0.999,
        time_budget_s: float | None = 60.0,
        n_models: int = 1,
        fallback: bool = True,
        scaling: bool = True,
        missing: str = "mask",
        random_state: int | None = 0,
        trainer_kwargs: dict | None = None,
        verbose: bool = False,
        calendar_features: bool | tuple[str, ...] = False,
        past_covariates: tuple[str, ...] | None = None,
        n_threads: int | None = 1,
    ) -> None:
        store_arguments(self, locals())

    # -- configuration --------------------------------------------------------
    def _network_config(self, lookback: int, season: int = 1) -> NetworkConfig:
        lookback = check_positive_int(lookback, "lookback")
        horizon = check_positive_int(self.horizon, "horizon")
        try:
            settings = preset_settings(self.preset, lookback, horizon)
            settings.update(
                {k: getattr(self, k) for k in _NETWORK_ARGS if getattr(self, k) is not None}
            )
            explicit = self.network_kwargs or {}
            settings["period"] = max(season, 1)
            if "first_guess" not in explicit and not 1 < season <= lookback:
                settings["first_guess"] = "linear"  # no season that fits the window
            settings.update(explicit)
            return NetworkConfig(lookback=lookback, horizon=horizon, **settings)
        except (TypeError, ValueError) as err:
            raise TSRMInputError(f"Invalid network settings: {err}") from None

    def _validate_params(self) -> None:
        ema = self.ema_decay
        if ema is not None and not (isinstance(ema, int | float) and 0 <= ema < 1):
            raise TSRMInputError(f"ema_decay must be in [0, 1) or None, got {self.ema_decay!r}.")
        super()._validate_params()

    def _build_network(self, cfg: NetworkConfig) -> TSTRMNetwork:
        return TSTRMNetwork(cfg)

    def _build_module(self, network: TSTRMNetwork, n_windows: int = 0) -> TSTRMLightning:
        return TSTRMLightning(
            network,
            self._learning_rate(n_windows),
            self.weight_decay,
            self.loss,
            ema_decay=self.ema_decay,
            quantiles=self._quantile_levels(),
        )

    def _export_network(self) -> torch.nn.Module:
        if isinstance(self.network_, MedianEnsemble):
            return self.network_.map_members(_exportable).eval()
        return _exportable(self.network_)

    def _network_steps(
        self, window: Tensor, covariates: Tensor | None = None
    ) -> tuple[Tensor, Tensor | None]:
        network = self.network_
        if not isinstance(network, MedianEnsemble):  # ensembles never have covariates
            args = (window,) if covariates is None else (window, covariates)
            final, steps, halted = network.every_step(*args)
            return torch.cat([final[:, None], steps], dim=1), halted
        # Every member refines through the same steps; each step is the members' median.
        parts = [
            self._member_steps(m, window[:, -n:])
            for m, n in zip(network.members, network.lookbacks, strict=True)
        ]
        return median(torch.stack(parts)), None

    @staticmethod
    def _member_steps(network: TSTRMNetwork, window: Tensor) -> Tensor:
        final, steps, _ = network.every_step(window)
        return torch.cat([final[:, None], steps], dim=1)


def _exportable(network: TSTRMNetwork) -> torch.nn.Module:
    # Early halting drops finished windows from the batch (data-dependent shapes);
    # the export runs every step for every window and keeps each one's halting step.
    if getattr(network, "halting_head", None) is not None:
        return EveryStepHalting(network).eval()
    return network
