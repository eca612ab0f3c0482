"""A template for adding a window model to tsrm: copy it, rename it, fill it in.

A window model maps the last ``lookback`` values of a series to the next ``horizon``
values. Everything else -- validation split, scaling, training with Lightning, early
stopping, prediction beyond the horizon, intervals, quantiles, covariates, save/load,
ONNX export -- comes from :class:`~tsrm.forecasting.neural.estimator.WindowForecaster`.

To add one:

1. Put the network and its settings in ``tsrm/forecasting/models/<family>/module.py``
   and the estimator in ``.../<family>/estimator.py`` (split like this file's two halves).
2. Register it in ``tsrm/forecasting/models/registry.py`` (``NEURAL``) and give it tiny
   settings in ``tests/conftest.py`` (``TINY_SETTINGS``): the contract tests, the CLI and
   the benchmarks then know it.
3. Test what is its own (the network's shapes, what it learns) beside the contract tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from torch import Tensor, nn

from tsrm._config import check_int_fields
from tsrm.forecasting.base import check_positive_int
from tsrm.forecasting.neural.config import WindowConfig, make_config
from tsrm.forecasting.neural.estimator import WindowForecaster


# -- module.py: the network and its settings ------------------------------------------------
@dataclass(frozen=True)
class MLPConfig(WindowConfig):
    """Settings of :class:`MLPNetwork`; ``lookback`` and ``horizon`` come from the base.

    Model files store these as JSON, so every field is plain data with a default.
    """

    hidden: int = 32

    def __post_init__(self) -> None:
        super().__post_init__()  # checks lookback and horizon
        check_int_fields(self, ("hidden",))  # a ValueError; the estimator words it for users


class MLPNetwork(nn.Module):
    """``(batch, lookback) -> (batch, horizon)`` on scaled values (the estimator scales)."""

    def __init__(self, cfg: MLPConfig) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(cfg.lookback, cfg.hidden), nn.ReLU(), nn.Linear(cfg.hidden, cfg.horizon)
        )

    def forward(self, window: Tensor) -> Tensor:
        return self.layers(window)


# -- estimator.py: the scikit-learn face -------------------------------------------------------
class MLPForecaster(WindowForecaster):
    """A two-layer perceptron over the look-back window.

    Parameters
    ----------
    horizon : int, default 24
        Steps forecast at once.
    lookback : int, default 96
        Past values each forecast sees.
    hidden : int, default 32
        Width of the hidden layer.
    max_epochs, batch_size, learning_rate, weight_decay, loss, validation_size, patience,
    scaling, missing, random_state, trainer_kwargs, verbose
        Training settings; see :class:`~tsrm.forecasting.neural.estimator.WindowForecaster`.
    """

    _config_class = MLPConfig  # what load() rebuilds the settings with
    _file_format = "tsrm.MLPForecaster"  # what its model files say; never change it

    # scikit-learn reads the signature: every argument explicit, stored unchanged.
    def __init__(
        self,
        horizon: int = 24,
        lookback: int = 96,
        hidden: int = 32,
        max_epochs: int = 20,
        batch_size: int = 256,
        learning_rate: float = 1e-3,
        weight_decay: float = 0.0,
        loss: str = "mse",
        validation_size: float | int = 0.2,
        patience: int = 3,
        scaling: bool = True,
        missing: str = "mask",
        random_state: int | None = 0,
        trainer_kwargs: dict | None = None,
        verbose: bool = True,
    ) -> None:
        self.horizon = horizon
        self.lookback = lookback
        self.hidden = hidden
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.loss = loss
        self.validation_size = validation_size
        self.patience = patience
        self.scaling = scaling
        self.missing = missing
        self.random_state = random_state
        self.trainer_kwargs = trainer_kwargs
        self.verbose = verbose

    def _network_config(self, lookback: int, season: int = 1) -> MLPConfig:
        # Called by fit's validation: bad settings become a TSRMInputError naming them.
        # ``lookback`` is the constructor's or, with lookback="auto", a candidate's.
        return make_config(
            MLPConfig,
            lookback=check_positive_int(lookback, "lookback"),
            horizon=check_positive_int(self.horizon, "horizon"),
            hidden=self.hidden,
        )

    def _build_network(self, cfg: MLPConfig) -> MLPNetwork:
        return MLPNetwork(cfg)
