"""DLinear and NLinear (Zeng et al. 2023), trained through the same path as TS-TRM.

Both are single linear layers over the look-back window, the strong and cheap
baselines of "Are Transformers Effective for Time Series Forecasting?" (AAAI
2023). Data handling, training, prediction and save/load are those of
:class:`~tsrm.forecasting.neural.WindowForecaster`, so a comparison with
:class:`~tsrm.TRMForecaster` differs only in the network.

Series are modelled channel-independently with shared weights (the paper's
``individual=False``). The paper's ``individual=True`` (one layer per
channel) is not offered: training batches mix the windows of all series, and
predict may be asked for any number of series.

Defaults follow the paper's ETTh1 setting (lookback 336, 10 epochs, early-stopping
patience 3; the paper's batches of 32 seven-channel windows hold 224 univariate
windows, close to the batch size 256 used here) except the learning rate. The
paper starts at 0.005 and halves it after every epoch; here it stays constant, and
a constant 0.005 overshoots (ETTh1, L=336, H=96: test MSE 0.420, best epoch the
first), so the default is 5e-4 (MSE 0.378 against the published 0.375; measured
2026-11-23, seed 0; both rows in benchmarks/results/long_horizon.csv).
"""

from __future__ import annotations

from tsrm.forecasting.base import check_positive_int
from tsrm.forecasting.models.linear.module import (
    DLinearConfig,
    DLinearNetwork,
    NLinearConfig,
    NLinearNetwork,
)
from tsrm.forecasting.neural import WindowForecaster
from tsrm.forecasting.neural.config import make_config


class NLinear(WindowForecaster):
    """NLinear: one linear layer on the window minus its last value, which is added back.

    Parameters
    ----------
    horizon : int, default 24
        Steps forecast at once; ``predict(h)`` beyond it feeds forecasts back.
    lookback : int, default 336
        Past values each forecast sees.
    max_epochs : int, default 10
    batch_size : int, default 256
    learning_rate : float, default 5e-4
    lr_decay : float or None, default None
        Multiply the learning rate by this after each epoch (the paper: 0.5).
    weight_decay : float, default 0.0
    loss : {"mse", "mae", "huber"}, default "mse"
    quantiles : sequence of float or None, default None
        Also forecast these quantile levels (pinball loss; see
        :class:`~tsrm.forecasting.neural.WindowForecaster`).
    validation_size : float or int, default 0.2
    patience : int, default 3
    scaling : bool, default True
    missing : {"mask", "error"}, default "mask"
    random_state : int or None, default 0
    trainer_kwargs : dict or None, default None
    verbose : bool, default True
        Training settings; see :class:`~tsrm.forecasting.neural.WindowForecaster`.
    calendar_features : bool or tuple of str, default False
        Sin/cos calendar covariates from the index; see
        :class:`~tsrm.forecasting.neural.WindowForecaster`.
    past_covariates : tuple of str or None, default None
        Columns of ``X`` observed only up to the forecast origin; see
        :class:`~tsrm.forecasting.neural.WindowForecaster`.

    Attributes
    ----------
    network_ : nn.Module
    config_ : NLinearConfig
    n_params_ : int
    history_ : dict
        ``train_loss`` and ``val_loss`` per epoch, ``best_epoch``, ``fit_seconds``.
    context_ : Panel
        The last ``lookback`` values of each fitted series (what ``predict()`` continues).
    """

    _config_class = NLinearConfig
    _file_format = "tsrm.NLinear"

    def __init__(
        self,
        horizon: int = 24,
        lookback: int = 336,
        max_epochs: int = 10,
        batch_size: int = 256,
        learning_rate: float = 5e-4,
        lr_decay: float | None = None,
        weight_decay: float = 0.0,
        loss: str = "mse",
        quantiles: tuple[float, ...] | None = None,
        validation_size: float | int = 0.2,
        patience: int = 3,
        scaling: bool = True,
        missing: str = "mask",
        random_state: int | None = 0,
        trainer_kwargs: dict | None = None,
        verbose: bool = True,
        calendar_features: bool | tuple[str, ...] = False,
        past_covariates: tuple[str, ...] | None = None,
    ) -> None:
        self.horizon = horizon
        self.lookback = lookback
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.lr_decay = lr_decay
        self.weight_decay = weight_decay
        self.loss = loss
        self.quantiles = quantiles
        self.validation_size = validation_size
        self.patience = patience
        self.scaling = scaling
        self.missing = missing
        self.random_state = random_state
        self.trainer_kwargs = trainer_kwargs
        self.verbose = verbose
        self.calendar_features = calendar_features
        self.past_covariates = past_covariates

    def _network_config(self) -> NLinearConfig:
        return make_config(
            NLinearConfig,
            lookback=check_positive_int(self.lookback, "lookback"),
            horizon=check_positive_int(self.horizon, "horizon"),
        )

    def _build_network(self, cfg: NLinearConfig) -> NLinearNetwork:
        return NLinearNetwork(cfg)


class DLinear(WindowForecaster):
    """DLinear: trend (moving average) and remainder, one linear layer each, summed.

    Parameters
    ----------
    horizon : int, default 24
        Steps forecast at once; ``predict(h)`` beyond it feeds forecasts back.
    lookback : int, default 336
        Past values each forecast sees.
    kernel_size : int, default 25
        Width of the moving average; the window is padded at both ends by
        repeating its first and last value.
    max_epochs : int, default 10
    batch_size : int, default 256
    learning_rate : float, default 5e-4
    lr_decay : float or None, default None
        Multiply the learning rate by this after each epoch (the paper: 0.5).
    weight_decay : float, default 0.0
    loss : {"mse", "mae", "huber"}, default "mse"
    quantiles : sequence of float or None, default None
        Also forecast these quantile levels (pinball loss; see
        :class:`~tsrm.forecasting.neural.WindowForecaster`).
    validation_size : float or int, default 0.2
    patience : int, default 3
    scaling : bool, default True
    missing : {"mask", "error"}, default "mask"
    random_state : int or None, default 0
    trainer_kwargs : dict or None, default None
    verbose : bool, default True
        Training settings; see :class:`~tsrm.forecasting.neural.WindowForecaster`.
    calendar_features : bool or tuple of str, default False
        Sin/cos calendar covariates from the index; see
        :class:`~tsrm.forecasting.neural.WindowForecaster`.
    past_covariates : tuple of str or None, default None
        Columns of ``X`` observed only up to the forecast origin; see
        :class:`~tsrm.forecasting.neural.WindowForecaster`.

    Attributes
    ----------
    network_ : nn.Module
    config_ : DLinearConfig
    n_params_ : int
    history_ : dict
        ``train_loss`` and ``val_loss`` per epoch, ``best_epoch``, ``fit_seconds``.
    context_ : Panel
        The last ``lookback`` values of each fitted series (what ``predict()`` continues).
    """

    _config_class = DLinearConfig
    _file_format = "tsrm.DLinear"

    def __init__(
        self,
        horizon: int = 24,
        lookback: int = 336,
        kernel_size: int = 25,
        max_epochs: int = 10,
        batch_size: int = 256,
        learning_rate: float = 5e-4,
        lr_decay: float | None = None,
        weight_decay: float = 0.0,
        loss: str = "mse",
        quantiles: tuple[float, ...] | None = None,
        validation_size: float | int = 0.2,
        patience: int = 3,
        scaling: bool = True,
        missing: str = "mask",
        random_state: int | None = 0,
        trainer_kwargs: dict | None = None,
        verbose: bool = True,
        calendar_features: bool | tuple[str, ...] = False,
        past_covariates: tuple[str, ...] | None = None,
    ) -> None:
        self.horizon = horizon
        self.lookback = lookback
        self.kernel_size = kernel_size
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.lr_decay = lr_decay
        self.weight_decay = weight_decay
        self.loss = loss
        self.quantiles = quantiles
        self.validation_size = validation_size
        self.patience = patience
        self.scaling = scaling
        self.missing = missing
        self.random_state = random_state
        self.trainer_kwargs = trainer_kwargs
        self.verbose = verbose
        self.calendar_features = calendar_features
        self.past_covariates = past_covariates

    def _network_config(self) -> DLinearConfig:
        return make_config(
            DLinearConfig,
            lookback=check_positive_int(self.lookback, "lookback"),
            horizon=check_positive_int(self.horizon, "horizon"),
            kernel_size=check_positive_int(self.kernel_size, "kernel_size"),
        )

    def _build_network(self, cfg: DLinearConfig) -> DLinearNetwork:
        return DLinearNetwork(cfg)
