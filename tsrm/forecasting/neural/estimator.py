"""``WindowForecaster``: the model-agnostic estimator behind every neural forecaster.

A subclass supplies a network (its settings, how to build it, optionally its
LightningModule); this class does the rest: validation split, per-series
scaling, lazy training windows, a quiet Lightning ``Trainer`` with early
stopping and best-weights restore, vectorised and recursive prediction, and
save/load.
"""

from __future__ import annotations

import time
from itertools import chain
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np
import torch
from torch import nn

from tsrm.exceptions import NumericalRangeError, SeriesTooShortError, TSRMInputError
from tsrm.forecasting.base import BaseForecaster, check_positive_int
from tsrm.forecasting.neural.config import WindowConfig
from tsrm.forecasting.neural.covariate_head import WithCovariates
from tsrm.forecasting.neural.data import (
    check_observed,
    check_trainable,
    fill_missing,
    flat_scaled,
    is_flat,
    mean_std,
    scaled_series,
    split_windows,
    standardise,
    validation_steps,
    window_loader,
)
from tsrm.forecasting.neural.lightning_module import LOSSES, PointForecastModule
from tsrm.forecasting.neural.probabilistic import ProbabilisticForecaster
from tsrm.forecasting.series import Panel
from tsrm.forecasting.series.covariates import (
    CovariateSpec,
    check_calendar,
    check_columns,
    check_past,
    covariate_columns,
    fit_scaling,
    past_rows,
    raw_covariates,
    split_past,
    static_matrix,
)

W = TypeVar("W", bound="WindowForecaster")

MISSING_POLICIES = ("mask", "error")
# Scaled values beyond this would overflow float32 arithmetic (squared errors) in training.
_FLOAT32_SAFE = 1e15


class WindowForecaster(ProbabilisticForecaster, BaseForecaster):
    """Base class of forecasters that train a network on sliding windows.

    Not used directly. Subclasses declare every constructor argument in their
    own ``__init__`` (scikit-learn reads the subclass signature), including
    the shared ones below, and implement :meth:`_network_config` and
    :meth:`_build_network`; :meth:`_build_module` may return a richer
    :class:`~tsrm.forecasting.neural.lightning_module.PointForecastModule`.

    Series are modelled channel-independently: one set of weights, trained on
    the windows of every series.

    Parameters
    ----------
    horizon : int
        Steps the network forecasts at once.
    lookback : int
        Past values each forecast sees.
    max_epochs : int
        Upper bound on training epochs.
    batch_size : int
        Windows per training step (validation uses four times as many).
    learning_rate, weight_decay : float
        AdamW settings.
    loss : {"mse", "mae", "huber"}
        Training loss on the scaled series. Validation always uses MSE.
    quantiles : sequence of float or None
        (Subclasses that expose it.) Quantile levels in (0, 1) the network
        forecasts besides the median (0.5 is always added): it then outputs one
        horizon per level and is trained and validated with the pinball loss
        instead of ``loss``; ``predict`` returns the median and
        :meth:`predict_quantiles` the levels. ``None``: a point forecaster.
    validation_size : float or int
        Tail of each series held out for early stopping: a fraction of its
        length or a number of steps (at least ``horizon``). 0 disables
        validation: training runs ``max_epochs`` and keeps the last weights.
    patience : int
        Epochs without validation improvement before stopping; the best
        weights are restored.
    scaling : bool
        Standardise each series with its training-part mean and std.
    missing : {"mask", "error"}
        NaN values in ``y`` (``fit`` and ``predict``). ``"mask"``: missing
        target steps are left out of the training and validation loss (every
        window is still used), and wherever a missing value is a network input
        it is replaced by the last observed value before it (the first observed
        value for a leading gap); scaling statistics use observed values only.
        ``"error"``: NaN raises :class:`~tsrm.exceptions.MissingValuesError`.
        Infinite values are always an error.
    random_state : int or None
        Seed; the same seed, data and machine give the same forecast.
    calendar_features : bool or tuple of str
        (Subclasses that expose it.) Covariates derived from a DatetimeIndex or
        PeriodIndex, each as a sin/cos pair: names from ``"hour"``,
        ``"dayofweek"``, ``"dayofmonth"``, ``"month"``, ``"dayofyear"``; True
        means ``("hour", "dayofweek", "month")``. They are fed like ``X``
        (see :meth:`fit`) and need no future values from you.
    past_covariates : tuple of str or None
        (Subclasses that expose it.) Columns of ``X`` observed only up to the
        forecast origin (not known ahead, e.g. a related series). The model reads
        their ``lookback`` values before the origin, standardised, through a linear
        map onto the horizon (zero at the start of training); ``predict`` needs them
        only up to the origin. Not for numpy ``y``; ``predict`` then forecasts at
        most ``horizon`` steps (no recursion: their future values are unknown).
    trainer_kwargs : dict or None
        Passed to ``lightning.Trainer`` (e.g. ``{"accelerator": "gpu"}``).
    verbose : bool
        Progress bar (only on a terminal) and Lightning's messages.

    Attributes
    ----------
    network_ : nn.Module
        The trained network, in eval mode on the CPU.
    config_ : WindowConfig
        Its settings.
    n_params_ : int
        Trainable parameters of the network.
    history_ : dict
        ``train_loss`` and ``val_loss`` per epoch, ``best_epoch``, ``fit_seconds``.
    scale_mean_, scale_std_ : np.ndarray
        Per-series scaling of the fitted data.
    context_ : Panel
        The last ``lookback`` values of each fitted series (what ``predict()``
        continues), missing values filled as the network sees them.
    calibration_ : Calibration or None
        Quantiles of the validation errors per horizon step (scaled units) for
        :meth:`predict_interval` and :meth:`predict_quantiles`; None without a
        validation split.
    quantile_levels_ : tuple of float or None
        The levels the network forecasts (``quantiles`` plus 0.5), or None.
    covariates_ : CovariateSpec or None
        The ``X`` columns (future-known ``columns``, past-observed ``past``),
        calendar features and static features (``static``) the model was fitted
        with and their scaling (training-part mean and std per column); None without.

    Notes
    -----
    A look-back window whose values are all equal (up to 1e-12 of their
    magnitude) is forecast as that value, whatever the network says: after
    scaling it carries no information but its level, and a constant series
    then forecasts its constant exactly at any magnitude.
    """

    # _fit reads the panel one series at a time in float64 (data.flat_scaled): float32
    # input is used as it is, with no float64 copy of the data (issue 7).
    _fit_keeps_float32: ClassVar[bool] = True

    # Settings class of the network, and the "format" tag of its model files (a file
    # is only loaded by the class that wrote it).
    _config_class: ClassVar[type[WindowConfig]]
    _file_format: ClassVar[str]

    lookback: int
    max_epochs: int
    batch_size: int
    learning_rate: float
    weight_decay: float
    loss: str
    validation_size: float | int
    patience: int
    scaling: bool
    missing: str
    random_state: int | None
    trainer_kwargs: dict | None
    verbose: bool

    # -- for subclasses -------------------------------------------------------
    def _network_config(self) -> WindowConfig:
        """The network settings from the constructor arguments (TSRMInputError if bad)."""
        raise NotImplementedError

    def _build_network(self, cfg: WindowConfig) -> nn.Module:
        """A freshly initialised network: ``(batch, lookback) -> (batch, horizon)``."""
        raise NotImplementedError

    def _build_module(self, network: nn.Module) -> PointForecastModule:
        """The LightningModule that trains ``network``."""
        return PointForecastModule(
            network,
            self.learning_rate,
            self.weight_decay,
            self.loss,
            # Only some estimators expose a learning-rate schedule (DLinear, NLinear).
            lr_decay=getattr(self, "lr_decay", None),
            quantiles=self._quantile_levels(),
        )

    # -- validation -------------------------------------------------------------
    def _validate_params(self) -> None:
        super()._validate_params()
        for name in ("max_epochs", "batch_size", "patience"):
            check_positive_int(getattr(self, name), name)
        if self.loss not in LOSSES:
            raise TSRMInputError(f"loss must be one of {LOSSES}, got {self.loss!r}.")
        if not (isinstance(self.learning_rate, int | float) and self.learning_rate > 0):
            raise TSRMInputError(f"learning_rate must be positive, got {self.learning_rate!r}.")
        self._missing_policy()
        self._calendar()
        self._past()
        self._network_config()
        self._quantile_levels()

    def _missing_policy(self) -> str:
        policy = getattr(self, "missing", "mask")
        if not isinstance(policy, str) or policy not in MISSING_POLICIES:
            raise TSRMInputError(
                f"missing must be one of {MISSING_POLICIES} (what to do with NaN values), "
                f"got {policy!r}."
            )
        return policy

    def _calendar(self) -> tuple[str, ...]:
        # Only some estimators expose calendar_features (TRMForecaster, DLinear, NLinear).
        return check_calendar(getattr(self, "calendar_features", False))

    def _past(self) -> tuple:
        # Only the estimators that expose calendar_features expose past_covariates.
        return check_past(getattr(self, "past_covariates", None))

    def _allows_missing(self) -> bool:
        return self._missing_policy() == "mask"

    def _missing_hint(self) -> str:
        return ", or pass missing='mask' to leave them out of the training loss"

    # -- fit ------------------------------------------------------------------
    def fit(
        self: W,
        y: Any,
        X: Any = None,
        *,
        static: Any = None,
        checkpoint_dir: str | Path | None = None,
    ) -> W:
        """Fit to ``y`` (Series, wide or long DataFrame, or numpy); returns ``self``.

        Parameters
        ----------
        y : Series, DataFrame or ndarray
            The series to learn from.
        X : DataFrame, Series or ndarray, optional
            Future-known covariates, one value per covariate at every step of ``y``:
            a DataFrame of covariate columns on ``y``'s index (Series or wide ``y``;
            the series of a wide frame share them), a long frame with ``unique_id``,
            ``ds`` and the covariate columns (long ``y``), or an array ``(len(y), k)``
            (1-D numpy ``y``). ``predict`` then needs them for the forecast steps.
            They are standardised with their training-part mean and std and enter
            through a linear term added to every forecast step (zero at the start of
            training), see :class:`~tsrm.forecasting.neural.covariate_head.WithCovariates`.
            Columns named in ``past_covariates`` are past-observed instead: see there.
        static : DataFrame, optional
            Static per-series features: indexed by series id (the columns of a wide
            ``y``, the ``unique_id`` of a long one; or with a ``unique_id`` column),
            one numeric column per feature, a row for every series. Standardised
            across series and added through a linear map onto the horizon (zero at
            the start of training). ``predict`` then needs them too.
        checkpoint_dir : str or Path, optional
            Write a checkpoint there after every epoch (weights, optimiser, scheduler,
            epoch, early-stopping state, random state), atomically. If the directory
            already holds a checkpoint of this same run -- same settings, same data --
            training continues from it and ends with the model an uninterrupted run
            would have given; a checkpoint of another run is refused with an error.
            The directory holds ``last.ckpt`` (a Lightning checkpoint; resuming loads it
            with ``weights_only=True``) and ``run.json``.
        """
        self._checkpoint_dir, self._exogenous, self._static = checkpoint_dir, X, static
        try:
            return super().fit(y, None)  # X and static travel in self._exogenous, _static
        finally:
            del self._checkpoint_dir, self._exogenous, self._static

    def predict(
        self, h: int | None = None, y: Any = None, X: Any = None, *, static: Any = None
    ) -> Any:
        """Forecast ``h`` steps after the fitted data, or after ``y`` if given (no refit).

        ``X`` (a model fitted with covariates only): the covariates of the ``h``
        forecast steps, in the form ``fit`` took them, with the same columns; other
        rows are ignored (for numpy ``y``: its first ``h`` rows are the future).
        Past-observed columns (``past_covariates``) are read at the ``lookback``
        steps up to each series' end instead. ``static`` (a model fitted with
        static features only): a row for every forecast series, as in ``fit``.
        """
        self._exogenous, self._static = X, static
        try:
            return super().predict(h=h, y=y, X=None)
        finally:
            del self._exogenous, self._static

    def _fit_covariates(
        self, panel: Panel, val_steps: list[int]
    ) -> tuple[CovariateSpec | None, list[np.ndarray] | None]:
        """The covariate spec and the scaled covariates of every series (None, None: none)."""
        X, calendar, past = getattr(self, "_exogenous", None), self._calendar(), self._past()
        static = getattr(self, "_static", None)
        if past and X is None:
            raise TSRMInputError(
                f"past_covariates names columns of X ({list(past)}), but fit got no X."
            )
        if past and panel.kind in ("array1d", "array2d"):
            raise TSRMInputError(
                "past_covariates need y and X as pandas objects (their index places the "
                "look-back window); pass y as a Series or DataFrame."
            )
        if X is None and not calendar and static is None:
            return None, None
        columns = () if X is None else covariate_columns(X, panel.kind)
        columns = split_past(columns, past)
        # Columns: future-known (X, calendar), then past-observed, then static (see
        # CovariateSpec); past columns are read at every step, like the others.
        raw = [np.zeros((n, 0)) for n in panel.lengths]
        if columns or calendar:
            raw = raw_covariates(panel, X, columns, calendar)
        if past:
            raw_past = raw_covariates(panel, X, past, ())
            raw = [np.concatenate(p, axis=1) for p in zip(raw, raw_past, strict=True)]
        mean, std = fit_scaling(raw, val_steps)
        scaled = [(c - mean) / std for c in raw]
        names: tuple = ()
        if static is not None:
            values, names = static_matrix(static, panel.ids)
            # Across series, one row each whatever its length.
            s_mean, s_std = fit_scaling([values], [0])
            mean, std = np.concatenate([mean, s_mean]), np.concatenate([std, s_std])
            rows = (values - s_mean) / s_std
            scaled = [
                np.concatenate([c, np.broadcast_to(r, (len(c), len(r)))], axis=1)
                for c, r in zip(scaled, rows, strict=True)
            ]
        return CovariateSpec(columns, calendar, mean, std, past, names), scaled

    def _future_covariates(self, panel: Panel, h: int) -> np.ndarray | None:
        """Scaled covariates of the ``h`` forecast steps, ``(n_series, h, k)`` float32."""
        spec, X = self.covariates_, getattr(self, "_exogenous", None)
        static = getattr(self, "_static", None)
        if static is not None and (spec is None or not spec.static):
            raise TSRMInputError(
                "static was given to predict, but the model was fitted without static "
                "features; refit with fit(y, static=...) or call predict without static."
            )
        if spec is None:
            check_columns(X, panel.kind, ())
            return None
        check_columns(X, panel.kind, spec.columns + spec.past)
        w, n = spec.width, panel.n_series
        future = np.zeros((n, h, 0))
        if w:
            raw = raw_covariates(panel, X, spec.columns, spec.calendar, h)
            future = (np.stack(raw) - spec.mean[:w]) / spec.std[:w]
        if not spec.has_history:
            return future.astype(np.float32)
        # (n, lookback + horizon, every column): see WithCovariates.
        L, H = self.config_.lookback, self.config_.horizon
        if h > H:
            raise TSRMInputError(
                f"A model with past_covariates or static features forecasts at most horizon "
                f"= {H} steps (beyond, past covariates would be needed after the forecast "
                f"origin); got h={h}."
            )
        out = np.zeros((n, L + H, spec.n_inputs))
        out[:, L : L + h, :w] = future
        p = w + len(spec.past)
        if spec.past:
            raw_past = np.stack(past_rows(panel, X, spec.past, L))
            out[:, :L, w:p] = (raw_past - spec.mean[w:p]) / spec.std[w:p]
        if spec.static:
            if static is None:
                raise TSRMInputError(
                    f"This model was fitted with static features {list(spec.static)}; predict "
                    "needs static with a row for every series."
                )
            values, _ = static_matrix(static, panel.ids, spec.static)
            out[:, :, p:] = ((values - spec.mean[p:]) / spec.std[p:])[:, None, :]
        return out.astype(np.float32)

    def _refuse_covariates(self, what: str) -> None:
        if getattr(self, "covariates_", None) is not None:
            raise TSRMInputError(
                f"{what} is not supported yet for a model fitted with covariates (X or "
                "calendar_features); use predict, or fit without covariates."
            )

    def _fit(self, panel: Panel) -> None:
        from lightning.pytorch.callbacks import EarlyStopping

        from tsrm._trainer import make_trainer, quiet_lightning
        from tsrm.forecasting.neural.callbacks import BestWeights, EpochHistory
        from tsrm.forecasting.neural.checkpoint import (
            EpochCheckpoint,
            prepare_run,
            run_fingerprint,
        )

        cfg = self._network_config()
        L, H = cfg.lookback, cfg.horizon
        val_steps = [validation_steps(self.validation_size, n, H) for n in panel.lengths]
        check_trainable(panel, val_steps, L, H)
        has_missing = any(np.isnan(v).any() for v in panel.values)
        if has_missing:
            check_observed(panel, val_steps)
        mean, std = self._scaling_stats(panel, val_steps)
        # Scaled one series at a time straight into the float32 training buffer: no
        # float64 copies of the whole panel (issue 7: memory proportional to the data).
        flat, largest, last_values = flat_scaled(panel.values, mean, std, keep_last=L)
        if largest > _FLOAT32_SAFE:
            fix = "rescale the series" if self.scaling else "use scaling=True (the default)"
            raise NumericalRangeError(
                f"y reaches {largest:.3g} after scaling, beyond the range float32 training "
                f"can handle; {fix}."
            )
        observed = [~np.isnan(v) for v in panel.values] if has_missing else None
        spec, covariates = self._fit_covariates(panel, val_steps)
        lengths = [len(v) for v in panel.values]
        history = spec is not None and spec.has_history
        train, val = split_windows(
            lengths, L, H, val_steps, observed, covariates, data=flat, covariate_input=history
        )
        del flat, observed

        # One seed drives both the weight initialisation and the batch order.
        seed = self.random_state
        generator = torch.Generator().manual_seed(
            seed if seed is not None else int(torch.seed() % 2**31)
        )
        torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=generator)))
        network = self._make_network(cfg)
        if spec is not None:  # after the network: its random draws are those without X
            network = WithCovariates(
                network,
                spec.width,
                lookback=L,
                horizon=H,
                n_past=len(spec.past),
                n_static=len(spec.static),
            )
        module = self._build_module(network)
        history, best = EpochHistory(), BestWeights("val_loss")
        callbacks: list = [history, best]
        loaders = {"train_dataloaders": window_loader(train, self.batch_size, generator)}
        if len(val):
            callbacks.append(EarlyStopping("val_loss", patience=self.patience))
            loaders["val_dataloaders"] = window_loader(val, 4 * self.batch_size, None)
        resume_from, options = None, dict(self.trainer_kwargs or {})
        checkpoint_dir = getattr(self, "_checkpoint_dir", None)
        if checkpoint_dir is not None:
            settings = {"class": type(self).__name__, **self.get_params(deep=False)}
            for key in ("verbose", "trainer_kwargs"):  # do not change what is learnt
                settings.pop(key, None)
            if not settings.get("calendar_features", True):  # fingerprints as before
                settings.pop("calendar_features")
            if settings.get("past_covariates", 0) is None:
                settings.pop("past_covariates")
            # The same bytes as ever (float64 scaled series, then float64 values), one
            # series at a time: runs checkpointed by earlier versions still resume.
            data = chain(
                (scaled for _, scaled in scaled_series(panel.values, mean, std)),
                (np.asarray(v, dtype=np.float64) for v in panel.values),
                covariates or [],
            )
            fingerprint = run_fingerprint(settings, data)
            resume_from = prepare_run(checkpoint_dir, fingerprint)
            callbacks.append(EpochCheckpoint(checkpoint_dir, generator))
            options["enable_checkpointing"] = True
        del covariates  # the windows hold their own float32 copy from here on
        start = time.perf_counter()
        with quiet_lightning(self.verbose):
            trainer = make_trainer(self.max_epochs, self.verbose, callbacks, options)
            trainer.fit(
                module,
                **loaders,
                ckpt_path=str(resume_from) if resume_from is not None else None,
                weights_only=True,  # a checkpoint file never runs code
            )
        network = module.network.cpu()
        if best.best_state is not None:
            network.load_state_dict(best.best_state)
        elif module.ema is not None:
            module.ema.copy_to(network)
        if not all(torch.isfinite(t).all() for t in network.state_dict().values()):
            raise NumericalRangeError(
                "Training diverged: the network's weights became NaN or infinite. Use a smaller "
                "learning_rate, or scaling=True (the default) for series of large magnitude."
            )
        fit_history = {
            **history.history,
            "best_epoch": best.best_epoch,
            "fit_seconds": time.perf_counter() - start,
        }
        context = Panel(
            last_values,
            panel.ids,
            panel.indexes,
            panel.kind,
            panel.name,
            panel.columns_name,
        )
        self._store_fit(cfg, network, context, mean, std, fit_history, spec)
        self.calibration_ = self._calibrate(val)

    def _scaling_stats(self, panel: Panel, val_steps: list[int]) -> tuple[np.ndarray, np.ndarray]:
        if not self.scaling:
            return np.zeros(panel.n_series), np.ones(panel.n_series)
        # Observed values only (mean_std skips NaN).
        return mean_std([v[: len(v) - s] for v, s in zip(panel.values, val_steps, strict=True)])

    def _store_fit(
        self,
        cfg: WindowConfig,
        network: nn.Module,
        context: Panel,
        mean: np.ndarray,
        std: np.ndarray,
        history: dict,
        covariates: CovariateSpec | None = None,
    ) -> None:
        """Set the fitted attributes (shared by ``fit`` and ``load``)."""
        self.covariates_ = covariates
        network.eval()
        self.config_ = cfg
        self.network_ = network
        self.n_params_ = count_parameters(network)
        self.scale_mean_, self.scale_std_ = mean, std
        self.history_ = history
        self.context_ = context
        self.quantile_levels_ = self._quantile_levels()
        self.calibration_ = None  # set by fit (validation errors) or load (the saved ones)

    # -- predict --------------------------------------------------------------
    def _fitted_panel(self) -> Panel:
        return self.context_

    def _windows(self, panel: Panel, new_data: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scaled last windows ``(n, lookback)`` float32, and the scaling to undo.

        Missing values (NaN, only with ``missing="mask"``) are filled as in training.
        """
        L = self.config_.lookback
        short = [(sid, n) for sid, n in zip(panel.ids, panel.lengths, strict=True) if n < L]
        if short:
            sid, n = short[0]
            raise SeriesTooShortError(
                f"Series {sid!r} has {n} points; the model needs the last lookback = {L} "
                "values to forecast. Pass a longer history."
            )
        if new_data and self.scaling:
            mean, std = mean_std(panel.values)
        elif new_data:
            mean, std = np.zeros(panel.n_series), np.ones(panel.n_series)
        else:
            mean, std = self.scale_mean_, self.scale_std_
        last = np.stack([fill_missing(v)[-L:] for v in panel.values])
        windows = standardise(last, mean[:, None], std[:, None])
        return windows.astype(np.float32), mean[:, None], std[:, None]

    @staticmethod
    def _constant_levels(panel: Panel, lookback: int) -> np.ndarray:
        """Per series, the value of its last window if that window is constant, else NaN."""
        last = np.stack([fill_missing(v)[-lookback:] for v in panel.values])
        return np.where(is_flat(last), last[:, -1], np.nan)

    def _pin_constant(self, forecast: np.ndarray, panel: Panel) -> np.ndarray:
        """``forecast`` with the rows of constant windows set to their constant."""
        levels = self._constant_levels(panel, self.config_.lookback)
        rows = ~np.isnan(levels)
        if rows.any():
            forecast = forecast.copy()
            forecast[rows] = levels[rows, None]
        return forecast

    def _predict(self, panel: Panel, h: int, new_data: bool) -> np.ndarray:
        windows, mean, std = self._windows(panel, new_data)
        future = self._future_covariates(panel, h)
        window = torch.from_numpy(windows)
        parts, done, H = [], 0, self.config_.horizon
        with torch.inference_mode():
            while done < h:  # beyond the horizon, feed forecasts back as history
                covariates = None
                if future is not None and self.covariates_.has_history:
                    covariates = torch.from_numpy(future)  # one chunk: h <= horizon
                elif future is not None:  # this chunk's steps; rows beyond h are zeros
                    chunk = np.zeros((len(future), H, future.shape[2]), dtype=np.float32)
                    chunk[:, : min(H, h - done)] = future[:, done : done + H]
                    covariates = torch.from_numpy(chunk)
                step = self._point_output(_batched(self.network_, window, covariates))
                parts.append(step)
                done += step.shape[1]
                window = torch.cat([window, step], dim=1)[:, -self.config_.lookback :]
        forecast = torch.cat(parts, dim=1)[:, :h].double().numpy()
        return self._pin_constant(forecast * std + mean, panel)

    def _raw_forecast(self, windows: torch.Tensor) -> torch.Tensor:
        """The network's whole output for scaled windows (every quantile level)."""
        with torch.inference_mode():
            return _batched(self.network_, windows)

    # -- export ---------------------------------------------------------------
    def _export_network(self) -> nn.Module:
        """The fitted network as the ONNX export traces it.

        ``(batch, lookback) -> (batch, horizon)`` on scaled windows, equal to what
        ``predict`` runs but without data-dependent shapes. Subclasses whose
        inference path has them (e.g. per-window early halting) override this.
        """
        return self.network_

    def export_onnx(
        self, path: str | Path, *, opset: int | None = None, quantize: bool = False
    ) -> Path:
        """Export the fitted model as one ONNX file, scaling and network included.

        The graph takes ``window``, float32 of shape ``(batch, lookback)``: the last
        ``lookback`` raw values of each series (oldest first, no NaN; any batch
        size), and returns ``forecast``, float32 ``(batch, horizon)`` on the raw
        scale. Row ``i`` equals ``predict(y=window[i])`` for a history of exactly
        ``lookback`` values: each window is standardised by its own mean and std
        (with ``scaling=True``), a constant window forecasts its constant. Running
        it needs only ``onnxruntime`` and ``numpy``; the file's metadata records
        ``lookback``, ``horizon`` and the estimator.

        Parameters
        ----------
        path : str or Path
            File to write (``.onnx``); its folder is created if needed.
        opset : int, optional
            ONNX opset version, 18 or newer (default: the exporter's, 20 with torch 2.13).
        quantize : bool, default False
            Store the weights of matrix multiplications as int8 (onnxruntime's
            dynamic quantisation): a smaller file, usually faster on a CPU, slightly
            different forecasts.

        Returns
        -------
        Path
            The written file.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        ImportError
            Without the ``onnx`` extra (``pip install "tsrm[onnx]"``).
        """
        from tsrm.forecasting.neural.export import export_onnx

        self._refuse_covariates("export_onnx")
        return export_onnx(self, Path(path), opset=opset, quantize=quantize)

    # -- persistence ----------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Save to directory ``path`` (``config.json`` + ``model.safetensors``).

        Parameters
        ----------
        path : str or Path
            Directory to write; created if needed, an existing model in it is replaced.

        Returns
        -------
        Path
            The directory.
        """
        from tsrm.forecasting.neural.serialization import save_forecaster

        return save_forecaster(self, Path(path))

    @classmethod
    def load(cls: type[W], path: str | Path) -> W:
        """Load a model saved by :meth:`save` of the same class.

        Never unpickles or executes file content.

        Parameters
        ----------
        path : str or Path
            The directory :meth:`save` wrote.

        Returns
        -------
        WindowForecaster
            The fitted forecaster.

        Raises
        ------
        ModelFileError
            If the directory is missing, damaged, from another format version,
            or holds a model of another class.
        """
        from tsrm.forecasting.neural.serialization import load_forecaster

        return load_forecaster(cls, Path(path))


def count_parameters(module: nn.Module) -> int:
    """Trainable parameters (fixed projections such as TS-TRM's answer embedding excluded)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def _batched(
    network: nn.Module,
    windows: torch.Tensor,
    covariates: torch.Tensor | None = None,
    batch: int = 8192,
) -> torch.Tensor:
    if covariates is None:
        return torch.cat([network(windows[i : i + batch]) for i in range(0, len(windows), batch)])
    return torch.cat(
        [
            network(windows[i : i + batch], covariates[i : i + batch])
            for i in range(0, len(windows), batch)
        ]
    )
