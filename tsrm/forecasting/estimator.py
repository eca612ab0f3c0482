"""``TRMForecaster``: the scikit-learn-style public face of TS-TRM."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from tsrm.base import BaseForecaster, check_positive_int
from tsrm.exceptions import SeriesTooShortError, TSRMInputError
from tsrm.forecasting.config import NetworkConfig, preset_settings
from tsrm.forecasting.module import LOSSES
from tsrm.forecasting.network import TSTRMNetwork, count_parameters
from tsrm.timeseries import Panel, WindowDataset

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


@dataclass
class ForecastTrace:
    """Forecasts after each supervision step, as returned by ``predict(return_trace=True)``.

    Attributes
    ----------
    steps : list
        The forecast after supervision step 1, 2, ... (same kind as the forecast).
    halted_at : np.ndarray or None
        Per series, the step at which the halting head stopped it (1-based), or
        ``None`` when the model has no halting head.
    """

    steps: list
    halted_at: np.ndarray | None


class TRMForecaster(BaseForecaster):
    """Tiny Recursive Model forecaster (TS-TRM).

    One tiny 2-layer network refines a latent state ``z`` and a forecast ``y``
    from an embedded look-back window ``x``, trained with deep supervision.
    Series are modelled channel-independently: one set of weights for all.

    Parameters
    ----------
    horizon : int, default 24
        Steps the network forecasts at once.
    lookback : int, default 96
        Past values each forecast sees.
    preset : {"default", "sketch", "trm-depth"}, default "default"
        Named network settings; explicit arguments below override them.
        ``"sketch"`` is the original TS-TRM sketch (hidden 64, reasoner
        ``Linear(3d, d)``-SiLU-``Linear(d, 2d)``, N_sup 3, n 6).
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
        Any other :class:`~tsrm.forecasting.config.NetworkConfig` field
        (``expansion``, ``n_heads``, ``out_patch_len``, ``revin``).
    max_epochs : int, default 30
    batch_size : int, default 256
    learning_rate : float, default 1e-3
    weight_decay : float, default 0.0
    loss : {"mse", "mae", "huber"}, default "mse"
    validation_size : float or int, default 0.2
        Tail of each series held out for early stopping: a fraction of its
        length or a number of steps (at least ``horizon``). 0 disables
        validation: training runs ``max_epochs`` and keeps the last weights.
    patience : int, default 5
        Epochs without validation improvement before stopping; the best
        weights are restored.
    ema_decay : float or None
        Evaluate and keep an exponential moving average of the weights.
    scaling : bool, default True
        Standardise each series with its training-part mean and std.
    random_state : int or None, default 0
        Seed; the same seed, data and machine give the same forecast.
    trainer_kwargs : dict or None
        Passed to ``lightning.Trainer`` (e.g. ``{"accelerator": "gpu"}``).
    verbose : bool, default True
        Progress bar (only on a terminal) and Lightning's messages.

    Attributes
    ----------
    network_ : TSTRMNetwork
    config_ : NetworkConfig
    n_params_ : int
    history_ : dict
        ``train_loss`` and ``val_loss`` per epoch, ``best_epoch``, ``fit_seconds``.
    context_ : Panel
        The last ``lookback`` values of each fitted series (what ``predict()`` continues).
    """

    def __init__(
        self,
        horizon: int = 24,
        lookback: int = 96,
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
        max_epochs: int = 30,
        batch_size: int = 256,
        learning_rate: float = 1e-3,
        weight_decay: float = 0.0,
        loss: str = "mse",
        validation_size: float | int = 0.2,
        patience: int = 5,
        ema_decay: float | None = None,
        scaling: bool = True,
        random_state: int | None = 0,
        trainer_kwargs: dict | None = None,
        verbose: bool = True,
    ) -> None:
        self.horizon = horizon
        self.lookback = lookback
        self.preset = preset
        self.hidden_dim = hidden_dim
        self.n_recursions = n_recursions
        self.n_cycles = n_cycles
        self.n_supervision = n_supervision
        self.patch_len = patch_len
        self.stride = stride
        self.mixer = mixer
        self.dropout = dropout
        self.halting = halting
        self.network_kwargs = network_kwargs
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.loss = loss
        self.validation_size = validation_size
        self.patience = patience
        self.ema_decay = ema_decay
        self.scaling = scaling
        self.random_state = random_state
        self.trainer_kwargs = trainer_kwargs
        self.verbose = verbose

    # -- configuration --------------------------------------------------------
    def _network_config(self) -> NetworkConfig:
        lookback = check_positive_int(self.lookback, "lookback")
        horizon = check_positive_int(self.horizon, "horizon")
        try:
            settings = preset_settings(self.preset, lookback, horizon)
            settings.update(
                {k: getattr(self, k) for k in _NETWORK_ARGS if getattr(self, k) is not None}
            )
            settings.update(self.network_kwargs or {})
            return NetworkConfig(lookback=lookback, horizon=horizon, **settings)
        except (TypeError, ValueError) as err:
            raise TSRMInputError(f"Invalid network settings: {err}") from None

    def _validate_params(self) -> None:
        super()._validate_params()
        for name in ("max_epochs", "batch_size", "patience"):
            check_positive_int(getattr(self, name), name)
        if self.loss not in LOSSES:
            raise TSRMInputError(f"loss must be one of {LOSSES}, got {self.loss!r}.")
        if not (isinstance(self.learning_rate, int | float) and self.learning_rate > 0):
            raise TSRMInputError(f"learning_rate must be positive, got {self.learning_rate!r}.")
        ema = self.ema_decay
        if ema is not None and not (isinstance(ema, int | float) and 0 <= ema < 1):
            raise TSRMInputError(f"ema_decay must be in [0, 1) or None, got {self.ema_decay!r}.")
        self._network_config()

    def _validation_steps(self, length: int) -> int:
        v = self.validation_size
        if isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
            raise TSRMInputError(
                f"validation_size must be a fraction in [0, 1), a number of steps, or 0; got {v!r}."
            )
        if v == 0:
            return 0
        steps = int(round(v * length)) if isinstance(v, float) and v < 1 else int(v)
        return max(steps, self.horizon)

    # -- fit ------------------------------------------------------------------
    def _fit(self, panel: Panel) -> None:
        from tsrm.forecasting.module import TSTRMLightning
        from tsrm.training import BestWeights, EpochHistory, make_trainer, quiet_lightning

        cfg = self._network_config()
        L, H = cfg.lookback, cfg.horizon
        val_steps = [self._validation_steps(n) for n in panel.lengths]
        for sid, n, v in zip(panel.ids, panel.lengths, val_steps, strict=True):
            if n - v < L + H:
                raise SeriesTooShortError(
                    f"Series {sid!r} has {n} points, but lookback + horizon = {L + H} training "
                    f"points are needed{f' besides {v} validation points' if v else ''}; use a "
                    "longer series, a smaller lookback, or a smaller validation_size."
                )
        mean, std = self._scaling_stats(panel, val_steps)
        scaled = [(v - m) / s for v, m, s in zip(panel.values, mean, std, strict=True)]
        train = WindowDataset(
            scaled, L, H, [(0, n - v) for n, v in zip(panel.lengths, val_steps, strict=True)]
        )
        val = WindowDataset(
            scaled,
            L,
            H,
            [(n - v, n) if v else (0, 0) for n, v in zip(panel.lengths, val_steps, strict=True)],
        )

        seed = self.random_state
        generator = torch.Generator().manual_seed(
            seed if seed is not None else int(torch.seed() % 2**31)
        )
        torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=generator)))
        network = TSTRMNetwork(cfg)
        module = TSTRMLightning(
            network, self.learning_rate, self.weight_decay, self.loss, ema_decay=self.ema_decay
        )
        history, best = EpochHistory(), BestWeights("val_loss")
        callbacks: list = [history, best]
        loaders = {"train_dataloaders": _loader(train, self.batch_size, generator)}
        if len(val):
            from lightning.pytorch.callbacks import EarlyStopping

            callbacks.append(EarlyStopping("val_loss", patience=self.patience))
            loaders["val_dataloaders"] = _loader(val, 4 * self.batch_size, None)
        start = time.perf_counter()
        with quiet_lightning(self.verbose):
            trainer = make_trainer(self.max_epochs, self.verbose, callbacks, self.trainer_kwargs)
            trainer.fit(module, **loaders)
        network = module.network.cpu()
        if best.best_state is not None:
            network.load_state_dict(best.best_state)
        elif module.ema is not None:
            module.ema.copy_to(network)
        network.eval()

        self.config_ = cfg
        self.network_ = network
        self.n_params_ = count_parameters(network)
        self.scale_mean_, self.scale_std_ = mean, std
        self.history_ = {
            **history.history,
            "best_epoch": best.best_epoch,
            "fit_seconds": time.perf_counter() - start,
        }
        self.context_ = Panel(
            [v[-L:].copy() for v in panel.values],
            panel.ids,
            panel.indexes,
            panel.kind,
            panel.name,
            panel.columns_name,
        )

    def _scaling_stats(self, panel: Panel, val_steps: list[int]) -> tuple[np.ndarray, np.ndarray]:
        if not self.scaling:
            return np.zeros(panel.n_series), np.ones(panel.n_series)
        train_parts = [v[: len(v) - s] for v, s in zip(panel.values, val_steps, strict=True)]
        return _mean_std(train_parts)

    # -- predict --------------------------------------------------------------
    def _fitted_panel(self) -> Panel:
        return self.context_

    def predict(
        self,
        h: int | None = None,
        y: Any = None,
        X: Any = None,
        return_trace: bool = False,
    ) -> Any:
        """Forecast ``h`` steps ahead.

        Parameters
        ----------
        h : int, optional
            Steps to forecast (default ``horizon``). Beyond ``horizon`` the
            model feeds its own forecasts back as history, ``horizon`` steps at
            a time; errors compound, so prefer training with a longer horizon.
        y : Series, DataFrame or array, optional
            New history to forecast from instead of the fitted data (no refit).
            Only its last ``lookback`` values are used. A 2-D array of shape
            ``(lookback, k)`` forecasts ``k`` windows in one vectorised call.
        X : None
            Exogenous variables are not supported yet.
        return_trace : bool, default False
            Also return a :class:`ForecastTrace` with the forecast after each
            supervision step (requires ``h <= horizon``).

        Returns
        -------
        forecast
            Same kind as the input (Series, DataFrame, long DataFrame or
            array) with the index continued into the future.
        trace : ForecastTrace
            Only when ``return_trace=True``.
        """
        forecast = super().predict(h=h, y=y, X=X)
        if not return_trace:
            return forecast
        h = self.horizon if h is None else h
        if h > self.horizon:
            raise TSRMInputError(
                f"return_trace=True needs h <= horizon ({self.horizon}), got h={h}."
            )
        panel = self.context_ if y is None else _to_panel(y)
        windows, mean, std = self._windows(panel, y is not None)
        with torch.inference_mode():
            steps = self.network_.supervised(torch.from_numpy(windows))
            halted = None
            if self.network_.halting_head is not None:
                _, used = self.network_.forecast_with_steps(torch.from_numpy(windows))
                halted = used.numpy()
        outputs = [panel.output(f.double().numpy()[:, :h] * std + mean) for f, _ in steps]
        return forecast, ForecastTrace(outputs, halted)

    def _windows(self, panel: Panel, new_data: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scaled last windows ``(n, lookback)`` float32, and the scaling to undo."""
        L = self.config_.lookback
        short = [(sid, n) for sid, n in zip(panel.ids, panel.lengths, strict=True) if n < L]
        if short:
            sid, n = short[0]
            raise SeriesTooShortError(
                f"Series {sid!r} has {n} points; the model needs the last lookback = {L} "
                "values to forecast. Pass a longer history."
            )
        if new_data and self.scaling:
            mean, std = _mean_std(panel.values)
        elif new_data:
            mean, std = np.zeros(panel.n_series), np.ones(panel.n_series)
        else:
            mean, std = self.scale_mean_, self.scale_std_
        windows = (panel.last_windows(L) - mean[:, None]) / std[:, None]
        return windows.astype(np.float32), mean[:, None], std[:, None]

    def _predict(self, panel: Panel, h: int, new_data: bool) -> np.ndarray:
        windows, mean, std = self._windows(panel, new_data)
        window = torch.from_numpy(windows)
        parts, done = [], 0
        with torch.inference_mode():
            while done < h:  # beyond the horizon, feed forecasts back as history
                step = _batched(self.network_, window)
                parts.append(step)
                done += step.shape[1]
                window = torch.cat([window, step], dim=1)[:, -self.config_.lookback :]
        forecast = torch.cat(parts, dim=1)[:, :h].double().numpy()
        return forecast * std + mean

    # -- persistence ----------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Save to directory ``path`` (``config.json`` + ``model.safetensors``); returns it."""
        from tsrm.forecasting.serialization import save_forecaster

        return save_forecaster(self, Path(path))

    @classmethod
    def load(cls, path: str | Path) -> TRMForecaster:
        """Load a model saved by :meth:`save`. Never unpickles or executes file content."""
        from tsrm.forecasting.serialization import load_forecaster

        return load_forecaster(cls, Path(path))


def _to_panel(y: Any) -> Panel:
    from tsrm.timeseries import to_panel

    return to_panel(y, "y")


def _mean_std(values: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    mean = np.array([v.mean() for v in values])
    std = np.array([v.std() for v in values])
    # A constant series has std 0: keep its level, do not divide by zero.
    return mean, np.where(std > 1e-12 * np.maximum(np.abs(mean), 1.0), std, 1.0)


def _loader(dataset: WindowDataset, batch_size: int, generator: torch.Generator | None):
    from torch.utils.data import DataLoader

    from tsrm.timeseries.windows import collate_batch

    return DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=generator is not None,
        generator=generator,
        collate_fn=collate_batch,
        drop_last=False,
    )


def _batched(network: TSTRMNetwork, windows: torch.Tensor, batch: int = 8192) -> torch.Tensor:
    return torch.cat([network(windows[i : i + batch]) for i in range(0, len(windows), batch)])
