"""``WindowForecaster``: the model-agnostic estimator behind every neural forecaster.

A subclass supplies a network (its settings, how to build it, optionally its
LightningModule); this class does the rest: validation split, per-series scaling,
lazy training windows, a quiet Lightning ``Trainer`` with early stopping and
best-weights restore, prediction through the one inference path
(:mod:`tsrm.forecasting.neural.inference`), intervals, quantiles, export and save/load.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted
from torch import Tensor, nn

from tsrm._distributed import from_rank_zero, gathered, trainer_options
from tsrm._threads import torch_threads
from tsrm.exceptions import NumericalRangeError, TSRMInputError
from tsrm.forecasting.base import BaseForecaster, Inputs, check_finite_forecast, check_positive_int
from tsrm.forecasting.neural import inference, probabilistic
from tsrm.forecasting.neural.config import WindowConfig
from tsrm.forecasting.neural.conformal import Calibration
from tsrm.forecasting.neural.covariate_head import WithCovariates
from tsrm.forecasting.neural.data import (
    check_observed,
    check_trainable,
    epoch_plan,
    left_padded,
    series_validation,
    split_windows,
    window_loader,
)
from tsrm.forecasting.neural.ensemble import MedianEnsemble
from tsrm.forecasting.neural.inference import ForecastTrace, scaled_forecast
from tsrm.forecasting.neural.lightning_module import LOSSES, PointForecastModule
from tsrm.forecasting.neural.selection import (
    SeasonalRepeat,
    lookback_candidates,
    selection_table,
    validation_mse,
)
from tsrm.forecasting.series import Panel, WindowDataset
from tsrm.forecasting.series.covariates import (
    CovariateSpec,
    check_calendar,
    check_past,
    fit_covariates,
    future_covariates,
)
from tsrm.forecasting.series.panel import appended
from tsrm.forecasting.series.scaling import (
    flat_scaled,
    last_filled,
    mean_std,
    scaled_series,
)
from tsrm.forecasting.series.season import detect_season
from tsrm.forecasting.uncertainty import (
    DEFAULT_QUANTILES,
    Interval,
    check_coverage,
    check_quantile_levels,
)

W = TypeVar("W", bound="WindowForecaster")

MISSING_POLICIES = ("mask", "error")
# learning_rate="auto": the rate the long-horizon benchmarks were measured with (thousands
# of windows), and a faster one where few windows give a short run (dev_set.py: geometric
# mean MASE 1.29 against 1.45 with 3e-4 on 20 M3/M4 series, 2026-12-02).
LONG_LR, SHORT_LR = 3e-4, 1e-3
# Scaled values beyond this would overflow float32 arithmetic (squared errors) in training.
_FLOAT32_SAFE = 1e15


class WindowForecaster(BaseForecaster):
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
    n_threads : int or None
        torch intra-op threads while fitting and forecasting, restored afterwards.
        One (the default) costs a little on an idle CPU and saves much on a busy one:
        on 2 cores two threads fitted the default TS-TRM 1.5x faster when idle but 7x
        slower with the other core busy, and slowed forecasts' p90 from 5 to 230 ms
        (``benchmarks/threads.py``). ``None`` leaves torch's setting as it is (e.g. for
        large models or a GPU). Another thread count changes forecasts only in the last
        bits of float32 (the order of sums).

    Covariates (``X``), static features and checkpoints go to ``fit`` (see
    :meth:`~tsrm.forecasting.base.BaseForecaster.fit`): ``X`` holds future-known
    covariates, one value per covariate at every step of ``y`` (a DataFrame on ``y``'s
    index, a long frame with ``unique_id``, ``ds`` and the covariate columns, or an array
    ``(len(y), k)`` for 1-D numpy ``y``); they are standardised with their training-part
    mean and std and enter through a linear term added to every forecast step (zero at
    the start of training). ``static``: a DataFrame indexed by series id, one numeric
    column per feature. ``checkpoint_dir``: a checkpoint is written there after every
    epoch, atomically; if it already holds one of this same run (same settings, same
    data), training continues from it and ends with the model an uninterrupted run
    would have given; a checkpoint of another run is refused. ``predict`` then needs
    ``X`` for the forecast steps (past-observed columns up to each series' end) and
    ``static`` for every series.

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

    _tags: ClassVar[dict[str, bool]] = {
        **BaseForecaster._tags,
        "covariates": True,
        "checkpoint": True,
        # _fit reads the panel one series at a time in float64 (flat_scaled): float32
        # input is used as it is, with no float64 copy of the data.
        "fit_keeps_float32": True,
        "sharded_fit": True,
    }

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
    n_threads: int | None

    # -- for subclasses -------------------------------------------------------
    def _network_config(self) -> WindowConfig:
        """The network settings from the constructor arguments (TSRMInputError if bad)."""
        raise NotImplementedError

    def _build_network(self, cfg: WindowConfig) -> nn.Module:
        """A freshly initialised network: ``(batch, lookback) -> (batch, horizon)``."""
        raise NotImplementedError

    def _build_module(self, network: nn.Module, n_windows: int = 0) -> PointForecastModule:
        """The LightningModule that trains ``network`` on ``n_windows`` training windows."""
        return PointForecastModule(
            network,
            self._learning_rate(n_windows),
            self.weight_decay,
            self.loss,
            # Only some estimators expose a learning-rate schedule (DLinear, NLinear).
            lr_decay=getattr(self, "lr_decay", None),
            quantiles=self._quantile_levels(),
        )

    def _export_network(self) -> nn.Module:
        """The fitted network as the ONNX export traces it.

        ``(batch, lookback) -> output`` on scaled windows, equal to what ``predict``
        runs but without data-dependent shapes. Subclasses whose inference path has
        them (e.g. per-window early halting) override this.
        """
        return self.network_

    def _network_steps(
        self, window: Tensor, covariates: Tensor | None = None
    ) -> tuple[Tensor, Tensor | None]:
        """(Forecasters tagged ``trace``.) One run of the network on scaled windows (and
        their scaled covariates): ``(n, 1 + n_steps, out)`` holding the final output then
        each supervision step's, and each window's halting step (1-based) or None."""
        raise NotImplementedError

    # -- validation -------------------------------------------------------------
    def _validate_params(self) -> None:
        super()._validate_params()
        for name in ("max_epochs", "batch_size", "patience"):
            check_positive_int(getattr(self, name), name)
        if self.loss not in LOSSES:
            raise TSRMInputError(f"loss must be one of {LOSSES}, got {self.loss!r}.")
        lr = self.learning_rate
        if lr != "auto" and not (isinstance(lr, int | float) and lr > 0):
            raise TSRMInputError(f"learning_rate must be positive or 'auto', got {lr!r}.")
        if self._n_threads() is not None:
            check_positive_int(self._n_threads(), "n_threads")
        self._missing_policy()
        self._calendar()
        self._past()
        check_lookback(self.lookback)
        season = check_period(getattr(self, "period", "auto"))
        if self.lookback != "auto":  # else each candidate's settings are checked in fit
            self._network_config(self.lookback, 1 if season == "auto" else season)
        budget = self._time_budget()
        if budget is not None and not (isinstance(budget, int | float) and budget > 0):
            raise TSRMInputError(f"time_budget_s must be positive or None, got {budget!r}.")
        if self._min_epoch_steps():
            check_positive_int(self._min_epoch_steps(), "min_epoch_steps")
        if self._max_epoch_windows() is not None:
            check_positive_int(self._max_epoch_windows(), "max_epoch_windows")
        self._quantile_levels()
        self._n_models()

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

    def _learning_rate(self, n_windows: int) -> float:
        """The AdamW rate; ``"auto"``: :data:`LONG_LR` once an epoch is a full pass of at
        least ``min_epoch_steps`` batches of ``batch_size``, :data:`SHORT_LR` below that."""
        if self.learning_rate != "auto":
            return float(self.learning_rate)
        long = n_windows >= self.batch_size * max(self._min_epoch_steps(), 1)
        return LONG_LR if long else SHORT_LR

    def _max_epoch_windows(self) -> int | None:
        # Only TRMForecaster exposes it; the others use every window every epoch.
        return getattr(self, "max_epoch_windows", None)

    def _min_epoch_steps(self) -> int:
        # Only some estimators expose it (TRMForecaster); the others make one pass per epoch.
        return getattr(self, "min_epoch_steps", 0) or 0

    def _n_models(self) -> int:
        # Only TRMForecaster exposes n_models; the others fit one network.
        return check_positive_int(getattr(self, "n_models", 1), "n_models")

    def _n_threads(self) -> int | None:
        # Estimators that do not expose n_threads (e.g. a new model) run on one thread.
        return getattr(self, "n_threads", 1)

    def _quantile_levels(self) -> tuple[float, ...] | None:
        return probabilistic.quantile_levels(getattr(self, "quantiles", None))

    def _allows_missing(self) -> bool:
        return self._missing_policy() == "mask"

    def _missing_hint(self) -> str:
        return ", or pass missing='mask' to leave them out of the training loss"

    # -- fit ------------------------------------------------------------------
    def _fit(self, panel: Panel, inputs: Inputs) -> None:
        horizon = check_positive_int(self.horizon, "horizon")
        if panel.share is not None:
            _check_shareable(inputs)
        val_steps = series_validation(self.validation_size, panel, horizon)
        if any(np.isnan(v).any() for v in panel.values):
            check_observed(panel, val_steps)
        n_models = self._n_models()
        if n_models > 1 and (inputs.X is not None or self._calendar()):
            raise TSRMInputError(
                f"n_models={n_models} does not combine networks with covariates (X or "
                "calendar_features) yet; use n_models=1 or leave the covariates out."
            )
        # Processes training on shares of one data set all take rank 0's data-driven choices.
        season = _agreed(panel, self._season(panel))
        search = _Search(panel, inputs, val_steps, season, self._time_budget())
        candidates = _agreed(panel, self._lookbacks(panel, val_steps, horizon, season))
        search.several = len(candidates) > 1 or n_models > 1
        for lookback in candidates:
            self._attempt(search, lookback, self.random_state, f"lookback-{lookback}")
        for k, lookback in enumerate(search.extra_lookbacks(n_models)):
            seed = None if self.random_state is None else self.random_state + 1 + k
            self._attempt(search, lookback, seed, f"lookback-{lookback}-seed-{seed}")
        members = search.best(n_models)
        chosen = members[0] if len(members) == 1 else self._ensemble(members, search)
        self._store_fit(
            chosen.cfg,
            chosen.network,
            chosen.context,
            chosen.mean,
            chosen.std,
            chosen.history,
            chosen.spec,
        )
        self.lookback_, self.period_ = chosen.cfg.lookback, season
        with torch_threads(self._n_threads()):
            if self._may_fall_back(chosen):
                search.rows.append(self._fall_back_if_better(chosen, season, search.rows))
            self.calibration_ = probabilistic.calibrate(
                self._point_network, chosen.val, horizon, shared=panel.share is not None
            )
        self.selection_ = selection_table(search.rows)
        if self.fallback_ is None:
            _warn_if_capped(chosen.history, self.max_epochs, len(chosen.val) > 0)

    def _attempt(self, search: _Search, lookback: int, seed: int | None, folder: str) -> None:
        """Train one candidate into ``search``, or list it as skipped for ``time_budget_s``."""
        if _agreed(search.panel, search.out_of_time()):
            search.rows.append(
                {"candidate": "network", "lookback": lookback, "period": search.season,
                 "seed": seed, "chosen": False}
            )  # fmt: skip
            return
        checkpoint = search.inputs.checkpoint_dir
        if checkpoint is not None and search.several:
            checkpoint = checkpoint / folder
        cfg = self._network_config(lookback, search.season)
        fitted = self._fit_lookback(search, cfg, checkpoint, seed)
        search.add(fitted, seed)

    def _ensemble(self, members: list[_Fitted], search: _Search) -> _Fitted:
        """The median of ``members`` as one fitted candidate; its row in ``search``."""
        longest = max(members, key=lambda f: f.cfg.lookback)
        network = MedianEnsemble([f.network for f in members], [f.cfg for f in members])
        levels, H = self._quantile_levels(), longest.cfg.horizon
        with torch_threads(self._n_threads()):
            score = validation_mse(
                lambda w: probabilistic.point_output(network(w), levels, H),
                longest.val,
                shared=search.panel.share is not None,
            )
        search.rows.append(
            {"candidate": f"median of {len(members)}", "lookback": longest.cfg.lookback,
             "period": search.season, "val_mse": score, "chosen": True}
        )  # fmt: skip
        best = members[0]
        return _Fitted(
            longest.cfg, network, longest.context, longest.mean, longest.std, best.history,
            best.spec, longest.val, score,
        )  # fmt: skip

    def _may_fall_back(self, chosen: _Fitted) -> bool:
        # Only estimators that expose ``fallback`` (TRMForecaster); a quantile or covariate
        # network answers more than a seasonal naive forecast can.
        return (
            bool(getattr(self, "fallback", False))
            and len(chosen.val) > 0
            and self.quantile_levels_ is None
            and chosen.spec is None
        )

    def _fall_back_if_better(self, chosen: _Fitted, season: int, rows: list[dict]) -> dict:
        """Score seasonal naive on the chosen network's validation windows (both with one
        function); where it is better, it becomes the fitted network. Its selection row."""
        period = season if 1 < season <= chosen.cfg.lookback else 1
        naive = SeasonalRepeat(chosen.cfg.horizon, period)
        shared = chosen.context.share is not None
        network_mse = validation_mse(self._point_network, chosen.val, shared=shared)
        naive_mse = validation_mse(naive, chosen.val, shared=shared)
        better = naive_mse < network_mse
        name = "seasonal naive" if period > 1 else "naive"
        if better:
            self.network_, self.n_params_, self.fallback_ = naive, count_parameters(naive), name
            for row in rows:
                row["chosen"] = False
        return {"candidate": name, "lookback": chosen.cfg.lookback, "period": period,
                "val_mse": naive_mse, "chosen": better}  # fmt: skip

    def _season(self, panel: Panel) -> int:
        """The season length: the ``period`` argument, else detected from the data."""
        if not hasattr(self, "period") and self.lookback != "auto":
            return 1  # only the look-back candidates or a ``period`` argument use it
        period = getattr(self, "period", "auto")
        return detect_season(panel) if period == "auto" else period

    def _lookbacks(self, panel: Panel, val_steps: list[int], horizon: int, season: int) -> list:
        """The look-backs to try: the argument, or candidates for ``lookback="auto"``."""
        if self.lookback != "auto":
            return [self.lookback]
        train = [n - v for n, v in zip(panel.lengths, val_steps, strict=True)]
        candidates = lookback_candidates(train, horizon, season)
        # Without validation data nothing tells candidates apart: train one.
        return candidates if any(val_steps) else candidates[:1]

    def _time_budget(self) -> float | None:
        return getattr(self, "time_budget_s", None)

    def _fit_lookback(
        self, search: _Search, cfg: WindowConfig, checkpoint_dir: Path | None, seed: int | None
    ) -> _Fitted:
        """Train one network of settings ``cfg`` on ``search``'s data from ``seed``; what
        ``fit`` may keep."""
        L, H, val_steps = cfg.lookback, cfg.horizon, search.val_steps
        panel, inputs = search.panel, search.inputs
        if inputs.X is None and not self._calendar():
            panel = left_padded(panel, val_steps, L, H)
        check_trainable(panel, val_steps, L, H)
        spec, covariates = fit_covariates(
            panel, inputs.X, inputs.static, self._calendar(), self._past(), val_steps
        )
        lengths = [len(v) for v in panel.values]
        shared = search.scaled if search.scaled and search.scaled.lengths == lengths else None
        data = shared or self._scaled(panel, val_steps, lengths)
        # Candidates whose look-backs pad the same series train on the same values: they
        # share one copy of the data (the windows of another look-back over it).
        train, val = split_windows(
            lengths, L, H, val_steps, data.observed, covariates, data=data.flat,
            covariate_input=spec is not None and spec.has_history,
            max_val_windows=self._max_epoch_windows(), share=data.train,
        )  # fmt: skip
        search.scaled = replace(data, flat=None, observed=None, train=train)
        mean, std = data.mean, data.std
        fingerprint = None
        if checkpoint_dir is not None:
            fingerprint = self._fingerprint(panel, mean, std, covariates or [], cfg, seed)
        del data, covariates  # the windows hold their own float32 copy from here on
        network, history, score = self._train(
            cfg, spec, train, val, checkpoint_dir, fingerprint, seed, panel.share is not None
        )
        context = replace(panel, values=last_filled(panel.values, L))
        return _Fitted(cfg, network, context, mean, std, history, spec, val, score)

    def _scaled(self, panel: Panel, val_steps: list[int], lengths: list[int]) -> _Scaled:
        """``panel`` scaled into one float32 buffer, with its statistics and observed steps."""
        mean, std = self._scaling_stats(panel, val_steps)
        # Scaled one series at a time straight into the float32 training buffer: no
        # float64 copies of the whole panel (memory proportional to the data).
        flat, largest = flat_scaled(panel.values, mean, std)
        if largest > _FLOAT32_SAFE:
            fix = "rescale the series" if self.scaling else "use scaling=True (the default)"
            raise NumericalRangeError(
                f"y reaches {largest:.3g} after scaling, beyond the range float32 training "
                f"can handle; {fix}."
            )
        has_missing = any(np.isnan(v).any() for v in panel.values)
        observed = [~np.isnan(v) for v in panel.values] if has_missing else None
        return _Scaled(lengths, mean, std, flat, observed)

    def _train(
        self,
        cfg: WindowConfig,
        spec: CovariateSpec | None,
        train: WindowDataset,
        val: WindowDataset,
        checkpoint_dir: Path | None,
        fingerprint: str | None,
        seed: int | None,
        shared: bool = False,
    ) -> tuple[nn.Module, dict, float]:
        """Build the network and train it: the network (best weights), history, best val MSE.

        ``shared``: this process trains on its share of the data together with the other
        launched processes (DDP); all draw as many windows per epoch as the largest share
        has, so that every process takes the same number of steps (or DDP waits forever).
        """
        from lightning.pytorch.callbacks import EarlyStopping

        from tsrm._trainer import make_trainer, quiet_lightning
        from tsrm.forecasting.neural.callbacks import BestWeights, EpochHistory
        from tsrm.forecasting.neural.checkpoint import EpochCheckpoint, prepare_run

        # One seed drives both the weight initialisation and the batch order.
        generator = torch.Generator().manual_seed(
            seed if seed is not None else int(torch.seed() % 2**31)
        )
        torch.manual_seed(int(torch.randint(0, 2**31 - 1, (1,), generator=generator)))
        n_windows, validated = len(train), len(val) > 0
        if shared:
            n_windows, validated = _agreed_windows(train, val)
        module = self._build_module(self._make_network(cfg, spec), n_windows)
        history, best = EpochHistory(), BestWeights("val_loss")
        callbacks: list = [history, best]
        batch_size, draws = epoch_plan(
            n_windows, self.batch_size, self._min_epoch_steps(), self._max_epoch_windows()
        )
        loaders = {"train_dataloaders": window_loader(train, batch_size, generator, draws)}
        if validated:
            callbacks.append(EarlyStopping("val_loss", patience=self.patience))
            loaders["val_dataloaders"] = window_loader(val, 4 * batch_size, None)
        resume_from, options = None, dict(self.trainer_kwargs or {})
        if shared:
            options = trainer_options(options)
        if checkpoint_dir is not None:
            resume_from = prepare_run(checkpoint_dir, fingerprint)
            callbacks.append(EpochCheckpoint(checkpoint_dir, generator))
            options["enable_checkpointing"] = True
        start = time.perf_counter()
        with quiet_lightning(self.verbose), torch_threads(self._n_threads()):
            trainer = make_trainer(self.max_epochs, self.verbose, callbacks, options)
            trainer.fit(
                module,
                **loaders,
                ckpt_path=str(resume_from) if resume_from is not None else None,
                weights_only=True,  # a checkpoint file never runs code
            )
        network = _best_network(module, best)
        fit_history = {
            **history.history,
            "best_epoch": best.best_epoch,
            "fit_seconds": time.perf_counter() - start,
        }
        return network, fit_history, best.best_score

    def _fingerprint(
        self,
        panel: Panel,
        mean: np.ndarray,
        std: np.ndarray,
        covariates: list[np.ndarray],
        cfg: WindowConfig,
        seed: int | None,
    ) -> str:
        """What identifies a training run: the settings that change what is learnt, the data."""
        from tsrm.forecasting.neural.checkpoint import run_fingerprint

        settings = {"class": type(self).__name__, **self.get_params(deep=False)}
        settings["random_state"] = seed  # an ensemble member's own
        settings.pop("n_models", None)  # each member is one run
        for key in ("lookback", "period"):  # "auto": the run's own value
            if settings.get(key) == "auto":
                settings[key] = cfg.lookback if key == "lookback" else cfg.to_dict().get(key)
        settings.pop("time_budget_s", None)
        for key in ("verbose", "trainer_kwargs", "n_threads"):  # do not change what is learnt
            settings.pop(key, None)
        if not settings.get("calendar_features", True):  # fingerprints as before
            settings.pop("calendar_features")
        if settings.get("past_covariates", 0) is None:
            settings.pop("past_covariates")
        if settings.get("max_epoch_windows", 0) == 1 << 20:  # the default: as before it
            settings.pop("max_epoch_windows")
        # The same bytes as ever (float64 scaled series, then float64 values), one
        # series at a time: runs checkpointed by earlier versions still resume.
        data = chain(
            (scaled for _, scaled in scaled_series(panel.values, mean, std)),
            (np.asarray(v, dtype=np.float64) for v in panel.values),
            covariates,
        )
        return run_fingerprint(settings, data)

    def _make_network(self, cfg: WindowConfig, spec: CovariateSpec | None) -> nn.Module:
        """``_build_network(cfg)``, widened to one horizon per quantile level if any, and
        wrapped with the covariate head when fitted with covariates."""
        levels = self._quantile_levels()
        wide = cfg
        if levels is not None:
            try:
                wide = cfg.with_(horizon=cfg.horizon * len(levels))
            except (TypeError, ValueError) as err:
                raise TSRMInputError(f"Invalid network settings for quantiles: {err}") from None
        network = self._build_network(wide)
        if spec is None:
            return network
        # After the network: its random draws are those without covariates.
        return WithCovariates(
            network,
            spec.width,
            lookback=cfg.lookback,
            horizon=cfg.horizon,
            n_past=len(spec.past),
            n_static=len(spec.static),
        )

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
        self.fallback_: str | None = None  # set by fit or load where seasonal naive won

    # -- the inference path -----------------------------------------------------
    def _fitted_panel(self) -> Panel:
        return self.context_

    def _point_network(self, *inputs: Tensor) -> Tensor:
        """The point forecast of the fitted network on scaled windows (and covariates)."""
        output = self.network_(*inputs)
        return probabilistic.point_output(output, self.quantile_levels_, self.config_.horizon)

    def _windows(self, panel: Panel, new_data: bool) -> tuple[Tensor, Tensor, Tensor]:
        """The raw last windows ``(n, L)`` and the scaling ``(n, 1)`` to apply, float64."""
        window = inference.last_windows(panel, self.config_.lookback)
        if new_data and self.scaling:
            mean, std = mean_std(panel.values)
        elif new_data:
            mean, std = np.zeros(panel.n_series), np.ones(panel.n_series)
        else:
            mean, std = self.scale_mean_, self.scale_std_
        return window, torch.from_numpy(mean)[:, None], torch.from_numpy(std)[:, None]

    def _predict(self, panel: Panel, h: int, new_data: bool, inputs: Inputs) -> np.ndarray:
        return self._point(panel, h, inputs, self._windows(panel, new_data))

    def _point(
        self, panel: Panel, h: int, inputs: Inputs, windows: tuple[Tensor, Tensor, Tensor]
    ) -> np.ndarray:
        """Point forecasts ``(n, h)`` on the data scale from :meth:`_windows`' output."""
        H, L = self.config_.horizon, self.config_.lookback
        future = future_covariates(self.covariates_, panel, inputs.X, inputs.static, h, L, H)
        joint = future is not None and self.covariates_.has_history

        def step(window: Tensor, covariates: Tensor | None) -> Tensor:
            output = inference.batched(self.network_, window, covariates)
            return probabilistic.point_output(output, self.quantile_levels_, H)

        run = inference.recursive(step, h, H, future, joint)
        with torch.inference_mode(), torch_threads(self._n_threads()):
            return scaled_forecast(run, *windows).numpy()

    def _predict_trace(
        self, panel: Panel, h: int, new_data: bool, inputs: Inputs
    ) -> tuple[np.ndarray, ForecastTrace]:
        H = self.config_.horizon
        if h > H:
            raise TSRMInputError(f"return_trace=True needs h <= horizon ({H}), got h={h}.")
        if getattr(self, "fallback_", None) is not None:  # no refinement: one step, itself
            point = self._point(panel, h, inputs, self._windows(panel, new_data))
            return point, ForecastTrace([panel.output(point)], None)
        covariates = self._first_chunk_covariates(panel, inputs, h)
        halted: list = []

        def run(window: Tensor) -> Tensor:
            steps, halted_at = self._network_steps(window, covariates)
            halted.append(halted_at)
            levels = self.quantile_levels_
            flat = steps.flatten(0, 1)
            point = probabilistic.point_output(flat, levels, H).view(*steps.shape[:2], H)
            return point[:, :, :h]

        with torch.inference_mode(), torch_threads(self._n_threads()):
            every = scaled_forecast(run, *self._windows(panel, new_data)).numpy()
        outputs = [panel.output(every[:, i]) for i in range(1, every.shape[1])]
        halted_at = None if halted[0] is None else halted[0].numpy()
        return every[:, 0], ForecastTrace(outputs, halted_at)

    def _first_chunk_covariates(self, panel: Panel, inputs: Inputs, h: int) -> Tensor | None:
        """The scaled covariates of the first ``h <= horizon`` forecast steps (None without)."""
        H, L = self.config_.horizon, self.config_.lookback
        future = future_covariates(self.covariates_, panel, inputs.X, inputs.static, h, L, H)
        joint = future is not None and self.covariates_.has_history
        return inference.covariate_chunk(future, 0, h, H, joint)

    def _network_quantiles(
        self, panel: Panel, h: int, new_data: bool, inputs: Inputs
    ) -> np.ndarray:
        """A quantile network's forecasts ``(n, n_levels, h)``, sorted along levels."""
        levels, H = self.quantile_levels_, self.config_.horizon
        covariates = self._first_chunk_covariates(panel, inputs, h)

        def run(window: Tensor) -> Tensor:
            output = inference.batched(self.network_, window, covariates)
            return probabilistic.sorted_levels(output, levels, H)[:, :, :h]

        with torch.inference_mode(), torch_threads(self._n_threads()):
            return scaled_forecast(run, *self._windows(panel, new_data)).numpy()

    # -- probabilistic ----------------------------------------------------------
    def predict_interval(
        self,
        h: int | None = None,
        y: Any = None,
        coverage: float = 0.9,
        X: Any = None,
        *,
        static: Any = None,
    ) -> Interval:
        """Split-conformal prediction interval around the point forecast.

        The half-width at forecast step ``s`` is the conformal quantile of the
        absolute errors the fitted model made at step ``s`` on the validation
        windows (level ``ceil((n + 1) * coverage) / n`` for ``n`` windows),
        times the series' scale; intervals are symmetric around ``predict``.
        Coverage holds on average over windows when future errors behave like the
        validation errors (exchangeability); the validation windows also chose
        the early-stopping epoch, which can make intervals slightly narrow.

        Parameters
        ----------
        h : int, optional
            Steps (default ``horizon``; at most ``horizon``).
        y : Series, DataFrame or array, optional
            New history to forecast from, as in ``predict``.
        coverage : float, default 0.9
            Probability, strictly between 0 and 1, that the interval holds the value.
        X, static
            Covariates of the forecast steps and static features, as in ``predict``, for a
            model fitted with them (its validation errors were made with them too).

        Returns
        -------
        Interval
            ``(lower, upper)``, each of the kind ``predict`` returns (Series,
            wide or long DataFrame, numpy array) with the same index.

        Raises
        ------
        TSRMInputError
            ``coverage`` outside (0, 1); ``h > horizon``; a model fitted with
            ``validation_size=0``; too few validation windows for ``coverage``.
        """
        panel, h, new_data = self._probabilistic_inputs(h, y, X, static, "predict_interval")
        coverage = check_coverage(coverage)
        calibration = self._calibration("predict_interval")
        width = calibration.half_width(coverage)[:h]  # before forecasting: may raise
        windows = self._windows(panel, new_data)
        point = self._checked(self._point(panel, h, Inputs(X, static), windows))
        width = width * windows[2].numpy()
        return Interval(panel.output(point - width), panel.output(point + width))

    def predict_quantiles(
        self,
        h: int | None = None,
        y: Any = None,
        quantiles: Any = None,
        X: Any = None,
        *,
        static: Any = None,
    ) -> dict[float, Any]:
        """Quantile forecasts: from the quantile network, or from the conformal residuals.

        - A model fitted with ``quantiles=...`` returns its network's quantile
          outputs (trained with the pinball loss); levels between the trained
          ones are interpolated linearly, levels outside them are an error.
        - Otherwise each level ``q`` is the point forecast plus the ``q``-quantile
          of the signed validation errors at that step less their median (times the
          series' scale): level 0.5 is the ``predict`` forecast.

        Either way the levels are sorted ascending and the values are sorted
        along them, so quantiles never cross.

        Parameters
        ----------
        h, y, X, static
            As in :meth:`predict_interval`.
        quantiles : sequence of float, optional
            Levels strictly between 0 and 1. Default: the trained levels of a
            quantile model, else ``(0.1, 0.5, 0.9)``.

        Returns
        -------
        dict
            ``{level: forecast}`` in ascending order of level, each forecast of
            the kind ``predict`` returns; ``pd.DataFrame(result)`` makes a frame
            with one column per level from Series forecasts.

        Raises
        ------
        TSRMInputError
            Levels outside (0, 1) or outside a quantile model's trained range;
            ``h > horizon``; no calibration (``validation_size=0``) for a model
            without quantile outputs.
        """
        check_is_fitted(self)
        trained = self.quantile_levels_
        levels = check_quantile_levels(
            quantiles if quantiles is not None else trained or DEFAULT_QUANTILES
        )
        panel, h, new_data = self._probabilistic_inputs(h, y, X, static, "predict_quantiles")
        if trained is not None:
            probabilistic.check_within_trained(levels, trained)
            values = self._checked(self._network_quantiles(panel, h, new_data, Inputs(X, static)))
            values = probabilistic.interpolate_levels(values, trained, levels)
        else:
            calibration = self._calibration("predict_quantiles")
            windows = self._windows(panel, new_data)
            point = self._checked(self._point(panel, h, Inputs(X, static), windows))
            scale = windows[2].numpy()
            values = probabilistic.conformal_quantiles(point, scale, calibration, levels)
        return {q: panel.output(values[:, i]) for i, q in enumerate(levels)}

    def _probabilistic_inputs(
        self, h: Any, y: Any, X: Any, static: Any, what: str
    ) -> tuple[Panel, int, bool]:
        check_is_fitted(self)
        self._refuse_unsupported(X=X, static=static)
        h = check_positive_int(self.horizon if h is None else h, "h")
        h = probabilistic.check_probabilistic_h(h, self.config_.horizon, what)
        panel = self._fitted_panel() if y is None else self._to_panel(y)
        return panel, h, y is not None

    def _calibration(self, what: str) -> Calibration:
        calibration = getattr(self, "calibration_", None)
        return probabilistic.require_calibration(
            calibration, getattr(self, "validation_size", None), what
        )

    def _checked(self, forecasts: np.ndarray) -> np.ndarray:
        check_finite_forecast(forecasts, self)
        return forecasts

    # -- export ---------------------------------------------------------------
    def export_onnx(
        self, path: str | Path, *, opset: int | None = None, quantize: bool = False
    ) -> Path:
        """Export the fitted model as one ONNX file, scaling and network included.

        The graph takes ``window``, float32 of shape ``(batch, lookback)``: the last ``lookback``
        raw values of each series (oldest first, any batch size; NaN is filled and left out of the
        statistics as ``predict`` does), and returns ``forecast``, float32 ``(batch, horizon)`` on
        the raw scale. Row ``i`` equals ``predict(y=window[i])`` for a history of exactly
        ``lookback`` values: each window is standardised by its own mean and std (with
        ``scaling=True``), a constant window forecasts its constant. Running it needs only
        ``onnxruntime`` and ``numpy``; the file's metadata records ``lookback``, ``horizon`` and the
        estimator. A model fitted with ``X`` takes a second input, ``covariates``, float32
        ``(batch, horizon, k)``: the raw covariates of the forecast steps, in the column order
        of the metadata ``covariates``; ``calendar_features``, ``past_covariates`` and static
        features are not exported yet.

        Parameters
        ----------
        path : str or Path
            File to write (``.onnx``); its folder is created if needed.
        opset : int, optional
            ONNX opset version, 18 or newer (default: the exporter's, 20 with torch 2.13).
        quantize : bool, default False
            Store the weights of matrix multiplications as int8 (onnxruntime's
            dynamic quantisation, 7-bit weights so that CPUs without VNNI do not
            saturate): usually faster on a CPU, slightly different forecasts. For
            networks this small the graph itself is most of the file, so it shrinks
            little (about a tenth); the file's metadata ``float32_file_bytes`` gives
            the float32 size and ``tsrm export --int8`` prints the saving.

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

        return export_onnx(self, Path(path), opset=opset, quantize=quantize)

    def update(self: W, y: Any) -> W:
        """Move the forecast origin past new observations, without refitting.

        ``predict()`` then forecasts from the end of ``y``: each series' look-back window
        takes in its new values. The network, its scaling statistics (from the fitted
        data) and its intervals stay as fitted; refit, or forecast with
        ``predict(y=recent history)`` (which scales by that history), when the series
        have drifted far from what the model was fitted on.

        Parameters
        ----------
        y : Series, DataFrame or array
            The values observed after the fitted data (or after the last ``update``), in
            the kind the model was fitted with (a Parquet data set: a long DataFrame): per
            series, the steps right after its last one. Series a long or wide frame leaves
            out keep their origin. Missing values follow ``missing``.

        Returns
        -------
        self
        """
        check_is_fitted(self)
        if self.covariates_ is not None and self.covariates_.past:
            raise TSRMInputError(
                "update does not keep past-observed covariates; forecast with "
                "predict(y=..., X=...) on the recent history instead."
            )
        panel = appended(
            self.context_,
            y,
            allow_missing=self._allows_missing(),
            missing_hint=self._missing_hint(),
        )
        lookback = self.config_.lookback
        self.context_ = replace(panel, values=last_filled(panel.values, lookback))
        return self

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


@dataclass
class _Fitted:
    """One trained candidate: what ``fit`` keeps if it is chosen."""

    cfg: WindowConfig
    network: nn.Module
    context: Panel | None  # None once it can no longer be chosen
    mean: np.ndarray
    std: np.ndarray
    history: dict
    spec: CovariateSpec | None
    val: WindowDataset
    score: float

    def row(self, season: int, seed: int | None) -> dict:
        """Its row of ``selection_``."""
        best = self.history["best_epoch"]
        return {
            "candidate": "network",
            "lookback": self.cfg.lookback,
            "period": season,
            "seed": seed,
            "val_mse": self.score if np.isfinite(self.score) else np.nan,
            "best_epoch": best + 1 if best is not None else None,
            "epochs": len(self.history["train_loss"]),
            "fit_s": self.history["fit_seconds"],
            "chosen": False,
        }


@dataclass
class _Scaled:
    """A panel scaled for training (series ``lengths`` long after any padding): its
    statistics, its float32 values end to end and where they were observed, or, once a
    candidate has trained on them, its windows (``train``), whose data the next shares."""

    lengths: list[int]
    mean: np.ndarray
    std: np.ndarray
    flat: Tensor | None
    observed: list[np.ndarray] | None
    train: WindowDataset | None = None


@dataclass
class _Search:
    """What ``fit`` tries: the shared inputs, each trained candidate and its row, the time."""

    panel: Panel
    inputs: Inputs
    val_steps: list[int]
    season: int
    budget: float | None
    several: bool = False  # each candidate checkpoints into its own folder
    scaled: _Scaled | None = None  # the data the last candidate trained on
    fits: list[_Fitted] = field(default_factory=list)
    fit_rows: list[dict] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # also the skipped ones, in order
    start: float = field(default_factory=time.perf_counter)

    def out_of_time(self) -> bool:
        """Whether one more training, as long as the last, would pass the budget."""
        if not self.fits or self.budget is None:
            return False
        spent = time.perf_counter() - self.start
        return spent + self.fits[-1].history["fit_seconds"] > self.budget

    def add(self, fitted: _Fitted, seed: int | None) -> None:
        self.fits.append(fitted)
        self.fit_rows.append(fitted.row(self.season, seed))
        self.rows.append(self.fit_rows[-1])
        # Only networks of the best look-back can still be chosen (see best): the others'
        # forecast context (the last look-back values of every series) is let go.
        best = self.fits[self.ranked()[0]].cfg.lookback
        self.fits = [f if f.cfg.lookback == best else replace(f, context=None) for f in self.fits]

    def ranked(self) -> list[int]:
        """Trained candidates, best validation score first (without validation: in order)."""
        scores = [f.score if np.isfinite(f.score) else np.inf for f in self.fits]
        return sorted(range(len(self.fits)), key=scores.__getitem__)

    def extra_lookbacks(self, n_models: int) -> list[int]:
        """The best look-back once for each further seed ``n_models`` networks need."""
        if not self.fits:
            return []
        return [self.fits[self.ranked()[0]].cfg.lookback] * (n_models - 1)

    def best(self, n: int) -> list[_Fitted]:
        """The best candidate and the other seeds of its look-back (``n`` at most), marked
        as chosen: the members."""
        order = self.ranked()
        lookback = self.fits[order[0]].cfg.lookback
        members = [i for i in order if self.fits[i].cfg.lookback == lookback][:n]
        for i in members:
            self.fit_rows[i]["chosen"] = True
        return [self.fits[i] for i in members]


def _agreed(panel: Panel, value: Any) -> Any:
    """``value``, or rank 0's when ``panel`` is one process's share of the data."""
    return value if panel.share is None else from_rank_zero(value)


def _agreed_windows(train: WindowDataset, val: WindowDataset) -> tuple[int, bool]:
    """Across the processes training on shares: the most training windows one has, and
    whether they validate (all, or none: a process without validation windows would leave
    the others waiting for its scores)."""
    counts = gathered((len(train), len(val)))
    with_val = [v > 0 for _, v in counts]
    if any(with_val) and not all(with_val):
        raise TSRMInputError(
            f"Only {sum(with_val)} of the {len(counts)} processes have validation windows in "
            "their share of the series; use a larger validation_size, or validation_size=0."
        )
    return max(n for n, _ in counts), all(with_val)


def _check_shareable(inputs: Inputs) -> None:
    """What a fit on one share of the data among launched processes does not take yet."""
    if inputs.X is not None or inputs.static is not None:
        raise TSRMInputError(
            "Covariates (X, static) are not read per process when several launched "
            "processes fit one model on a Parquet data set; fit without them, or in one "
            "process."
        )
    if inputs.checkpoint_dir is not None:
        raise TSRMInputError(
            "checkpoint_dir is not supported when several launched processes fit one model "
            "(each would write the same folder); fit without it, or in one process."
        )


def check_lookback(lookback: Any) -> None:
    """``lookback`` is a positive int or ``"auto"``."""
    if lookback != "auto":
        check_positive_int(lookback, "lookback")


def check_period(period: Any) -> int | str:
    """``period`` is a positive int (1: no season) or ``"auto"``."""
    if period == "auto":
        return period
    if isinstance(period, bool) or not isinstance(period, int | np.integer) or period < 1:
        raise TSRMInputError(
            f"period must be a positive int (1: no season) or 'auto', got {period!r}."
        )
    return int(period)


def _warn_if_capped(history: dict, max_epochs: int, validated: bool) -> None:
    """Warn when training ran all its epochs (three or more) and the last was the best."""
    epochs, best = len(history["train_loss"]), history["best_epoch"]
    if validated and epochs >= max(max_epochs, 3) and best == epochs - 1:
        warnings.warn(
            f"Training stopped at max_epochs={max_epochs} while the validation loss was "
            f"still improving (best epoch {best + 1}); a larger max_epochs may forecast "
            "better.",
            ConvergenceWarning,
            stacklevel=4,
        )


def count_parameters(module: nn.Module) -> int:
    """Trainable parameters (fixed projections such as TS-TRM's answer embedding excluded)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def _best_network(module: PointForecastModule, best: Any) -> nn.Module:
    """The trained network on the CPU with the best (or EMA) weights; refuses NaN weights."""
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
    return network
