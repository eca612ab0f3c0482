"""DLinear and NLinear (Zeng et al. 2023), trained through the same path as TS-TRM.

Both are single linear layers over the look-back window, the strong and cheap
baselines of "Are Transformers Effective for Time Series Forecasting?" (AAAI
2023). Data handling, training, prediction and save/load are those of
:class:`~tsrm.forecasting.neural.estimator.WindowForecaster`, so a comparison with
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

from tsrm.forecasting.models._params import checked_ints, fill_doc, store_arguments
from tsrm.forecasting.models.linear.module import (
    DLinearConfig,
    DLinearNetwork,
    NLinearConfig,
    NLinearNetwork,
)
from tsrm.forecasting.neural.config import make_config
from tsrm.forecasting.neural.estimator import WindowForecaster


@fill_doc
class NLinear(WindowForecaster):
    """NLinear: one linear layer on the window minus its last value, which is added back.

    Parameters
    ----------
    {window}
    {training}

    Attributes
    ----------
    network_ : nn.Module
    config_ : NLinearConfig
    {fitted}
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
        verbose: bool = False,
        calendar_features: bool | tuple[str, ...] = False,
        past_covariates: tuple[str, ...] | None = None,
        n_threads: int | None = 1,
    ) -> None:
        store_arguments(self, locals())

    def _network_config(self, lookback: int, season: int = 1) -> NLinearConfig:
        settings = {**vars(self), "lookback": lookback}
        return make_config(NLinearConfig, **checked_ints(settings, ("lookback", "horizon")))

    def _build_network(self, cfg: NLinearConfig) -> NLinearNetwork:
        return NLinearNetwork(cfg)


@fill_doc
class DLinear(WindowForecaster):
    """DLinear: trend (moving average) and remainder, one linear layer each, summed.

    Parameters
    ----------
    {window}
    kernel_size : int, default 25
        Width of the moving average; the window is padded at both ends by
        repeating its first and last value.
    {training}

    Attributes
    ----------
    network_ : nn.Module
    config_ : DLinearConfig
    {fitted}
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
        verbose: bool = False,
        calendar_features: bool | tuple[str, ...] = False,
        past_covariates: tuple[str, ...] | None = None,
        n_threads: int | None = 1,
    ) -> None:
        store_arguments(self, locals())

    def _network_config(self, lookback: int, season: int = 1) -> DLinearConfig:
        names = ("lookback", "horizon", "kernel_size")
        settings = {**vars(self), "lookback": lookback}
        return make_config(DLinearConfig, **checked_ints(settings, names))

    def _build_network(self, cfg: DLinearConfig) -> DLinearNetwork:
        return DLinearNetwork(cfg)
