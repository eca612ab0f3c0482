"""Save and load a fitted WindowForecaster: JSON for settings, safetensors for arrays.

Nothing is unpickled and no code from the files runs: a model directory holds
``config.json`` (plain data) and ``model.safetensors`` (named tensors only).
``config.json`` names the estimator class that wrote it (``"format"``, e.g.
``"tsrm.TRMForecaster"``); only that class loads it.

Loading reads exactly those two files of the directory it is given. The files
name no other files; a config with keys this version does not write, a file
that is a link to somewhere outside the directory, tensors of unexpected names
or shapes, and non-finite tensors are all refused with a
:class:`~tsrm.exceptions.ModelFileError`.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pandas as pd
import torch

from tsrm._files import CONFIG_FILE, WEIGHTS_FILE, read_model_folder, write_model_folder
from tsrm._version import __version__
from tsrm.exceptions import ModelFileError
from tsrm.forecasting.neural.config import WindowConfig
from tsrm.forecasting.neural.conformal import Calibration
from tsrm.forecasting.neural.ensemble import MedianEnsemble
from tsrm.forecasting.neural.selection import SeasonalRepeat, selection_table
from tsrm.forecasting.series import Panel
from tsrm.forecasting.series.covariates import CovariateSpec, check_calendar

if TYPE_CHECKING:
    from tsrm.forecasting.neural.estimator import WindowForecaster

    W = TypeVar("W", bound=WindowForecaster)

FORMAT_VERSION = 1
CONFIG_KEYS = frozenset(
    {
        "format",
        "format_version",
        "tsrm_version",
        "params",
        "network",
        "context",
        "n_params",
        "history",
        "calibration",
        "covariates",
        # What fit chose (lookback="auto", period="auto") and its fallback, if any.
        "period",
        "selection",
        "fallback",
        # n_models > 1: each member's network settings.
        "ensemble",
    }
)
DATA_TENSORS = frozenset({"context.values", "scale.mean", "scale.std"})
# Written only for a model with conformal calibration (fitted with a validation split).
CALIBRATION_TENSORS = frozenset({"calibration.abs", "calibration.signed"})
# Written only for a model fitted with covariates (X or calendar features).
COVARIATE_TENSORS = frozenset({"covariates.mean", "covariates.std"})


def _json_params(params: dict) -> dict:
    """Constructor arguments that JSON can hold; others (e.g. callback objects) are dropped."""
    kept = {}
    for key, value in params.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            continue
        kept[key] = value
    return kept


def save_forecaster(model: WindowForecaster, path: Path) -> Path:
    """Write ``model`` to directory ``path``; returns ``path``."""
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)
    history = {
        k: (v if not isinstance(v, float) or math.isfinite(v) else None)
        for k, v in model.history_.items()
    }
    config = {
        "format": model._file_format,
        "format_version": FORMAT_VERSION,
        "tsrm_version": __version__,
        "params": _json_params(model.get_params(deep=False)),
        "network": model.config_.to_dict(),
        "context": model.context_.meta(),
        "n_params": model.n_params_,
        "history": history,
        "period": int(model.period_),
        "selection": _jsonable_records(model.selection_),
    }
    if isinstance(model.network_, MedianEnsemble):
        config["ensemble"] = [c.to_dict() for c in model.network_.configs]
    if model.fallback_ is not None:  # seasonal naive beat the network: no weights to keep
        config["fallback"] = {"kind": model.fallback_, "period": int(model.network_.period)}
    tensors = {f"network.{k}": v for k, v in model.network_.state_dict().items()}
    # float64 whatever the context's dtype (float32 data keep a float32 one): files as ever.
    values = np.stack(model.context_.values).astype(np.float64, copy=False)
    tensors["context.values"] = torch.from_numpy(values)
    tensors["scale.mean"] = torch.from_numpy(np.asarray(model.scale_mean_, dtype=np.float64))
    tensors["scale.std"] = torch.from_numpy(np.asarray(model.scale_std_, dtype=np.float64))
    if model.calibration_ is not None:
        config["calibration"] = {"n": [int(n) for n in model.calibration_.n]}
        tensors["calibration.abs"] = torch.from_numpy(model.calibration_.abs_quantiles.copy())
        tensors["calibration.signed"] = torch.from_numpy(model.calibration_.signed_quantiles.copy())
    spec = getattr(model, "covariates_", None)
    if spec is not None:
        config["covariates"] = {"columns": list(spec.columns), "calendar": list(spec.calendar)}
        # Written only when used: files of models without them stay as they were.
        if spec.past:
            config["covariates"]["past"] = list(spec.past)
        if spec.static:
            config["covariates"]["static"] = list(spec.static)
        tensors["covariates.mean"] = torch.from_numpy(np.asarray(spec.mean, dtype=np.float64))
        tensors["covariates.std"] = torch.from_numpy(np.asarray(spec.std, dtype=np.float64))
    return write_model_folder(path, config, tensors)


def _detail(err: BaseException) -> str:
    """The first informative line(s) of an error (torch puts the details on line two)."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()] or [repr(err)]
    return " ".join(lines[:2]) if lines[0].endswith(":") else lines[0]


def _read_config(cls: type[WindowForecaster], path: Path) -> tuple[dict, dict]:
    """The checked config and the tensors of a model folder written by ``cls.save``."""
    config, tensors = read_model_folder(
        path, cls._file_format, FORMAT_VERSION, CONFIG_KEYS, f"{cls.__name__}.save()"
    )
    file = path / CONFIG_FILE
    for key in ("params", "network", "context"):
        if not isinstance(config.get(key), dict):
            raise ModelFileError(
                f"{file}: {key!r} is missing or not a JSON object; the file is corrupted."
            )
    if not isinstance(config.get("history", {}), dict | None):
        raise ModelFileError(f"{file}: 'history' is not a JSON object; the file is corrupted.")
    unexpected = sorted(
        k
        for k in tensors
        if not k.startswith("network.")
        and k not in DATA_TENSORS | CALIBRATION_TENSORS | COVARIATE_TENSORS
    )
    if unexpected:
        raise ModelFileError(
            f"{path / WEIGHTS_FILE} holds tensors this tsrm never writes "
            f"({', '.join(unexpected[:5])}); the file was edited or is not a tsrm model."
        )
    return config, tensors


def load_forecaster(cls: type[W], path: Path) -> W:
    """Rebuild a fitted ``cls`` from directory ``path`` (see :meth:`WindowForecaster.load`)."""
    config, tensors = _read_config(cls, path)
    try:
        cfg = cls._config_class.from_dict(config["network"])
        model = cls(**config["params"])
        for name in ("lookback", "horizon"):
            if getattr(model, name) not in ("auto", getattr(cfg, name)):
                raise ValueError(
                    f"params say {name}={getattr(model, name)!r}, the network settings "
                    f"{getattr(cfg, name)!r}"
                )
        spec = _read_covariates(config, tensors)
        network = model._make_network(cfg, spec)
        if "ensemble" in config:
            configs = [cls._config_class.from_dict(c) for c in config["ensemble"]]
            if any(c.lookback > cfg.lookback or c.horizon != cfg.horizon for c in configs):
                raise ValueError("an ensemble member reads beyond the stored window")
            members = [model._make_network(c, spec) for c in configs]
            network = MedianEnsemble(members, configs)
        if "fallback" in config:
            network = SeasonalRepeat(cfg.horizon, int(config["fallback"]["period"]))
        state = {k[len("network.") :]: v for k, v in tensors.items() if k.startswith("network.")}
        network.load_state_dict(state, strict=True)
        values = tensors["context.values"].double().numpy()
        context = Panel.from_meta(config["context"], [v.copy() for v in values])
        mean = tensors["scale.mean"].double().numpy()
        std = tensors["scale.std"].double().numpy()
    except (KeyError, TypeError, ValueError, RuntimeError, AttributeError) as err:
        raise ModelFileError(
            f"{path}: the config and the tensors do not match ({_detail(err)}); "
            "the model files are corrupted or were edited."
        ) from None
    if values.shape != (context.n_series, cfg.lookback) or mean.shape != (context.n_series,):
        raise ModelFileError(
            f"{path}: the stored context has shape {tuple(values.shape)} and scaling "
            f"{tuple(mean.shape)}, but the config says {context.n_series} series of lookback "
            f"{cfg.lookback}; the model files are corrupted or were edited."
        )
    if std.shape != mean.shape:
        raise ModelFileError(f"{path}: scale.std and scale.mean differ in shape; files corrupted.")
    finite = all(torch.isfinite(t).all() for t in network.state_dict().values())
    if not (finite and np.isfinite(values).all() and np.isfinite(mean).all()):
        raise ModelFileError(
            f"{path}: the stored weights or context hold NaN or infinite values; the model "
            "files are corrupted."
        )
    if not (np.isfinite(std).all() and (std > 0).all()):
        raise ModelFileError(
            f"{path}: the stored scaling (scale.std) is not positive and finite; the model "
            "files are corrupted."
        )
    model._store_fit(
        cfg, network, context, mean.copy(), std.copy(), config.get("history") or {}, spec
    )
    model.calibration_ = _read_calibration(config, tensors, cfg.horizon, path)
    _restore_selection(model, config, cfg)
    return model


def _jsonable_records(table: pd.DataFrame) -> list[dict]:
    """``selection_`` as JSON rows (missing scores as null)."""
    rows = table.astype(object).where(table.notna(), None).to_dict("records")
    return [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in r.items()} for r in rows]


def _restore_selection(model: WindowForecaster, config: dict, cfg: WindowConfig) -> None:
    """``lookback_``, ``period_``, ``selection_`` and ``fallback_`` as ``fit`` left them (files
    written before they existed: the stored network's look-back and season, one row)."""
    period = int(config.get("period", getattr(cfg, "period", 1)))
    model.lookback_, model.period_ = cfg.lookback, period
    rows = config.get("selection") or [
        {"candidate": "network", "lookback": cfg.lookback, "period": period, "chosen": True}
    ]
    model.selection_ = selection_table(rows)
    model.fallback_ = (config.get("fallback") or {}).get("kind")


def _read_covariates(config: dict, tensors: dict[str, torch.Tensor]) -> CovariateSpec | None:
    """The saved covariate spec, or None; ValueError / KeyError / TypeError when inconsistent."""
    if "covariates" not in config and not COVARIATE_TENSORS & set(tensors):
        return None
    meta = config["covariates"]
    columns, calendar = tuple(meta["columns"]), check_calendar(tuple(meta["calendar"]) or False)
    mean = tensors["covariates.mean"].double().numpy().copy()
    std = tensors["covariates.std"].double().numpy().copy()
    past, static = tuple(meta.get("past", ())), tuple(meta.get("static", ()))
    spec = CovariateSpec(columns, calendar, mean, std, past, static)
    width = spec.n_inputs
    if not (mean.shape == std.shape == (width,) and width > 0):
        raise ValueError(f"covariate scaling of shape {mean.shape} for {width} covariates")
    if not (np.isfinite(mean).all() and np.isfinite(std).all() and (std > 0).all()):
        raise ValueError("covariate scaling is not finite and positive")
    return spec


def _read_calibration(
    config: dict, tensors: dict[str, torch.Tensor], horizon: int, path: Path
) -> Calibration | None:
    """The saved conformal calibration, or None for a model saved without one."""
    present = "calibration" in config, *(k in tensors for k in sorted(CALIBRATION_TENSORS))
    if not any(present):
        return None
    broken = ModelFileError(
        f"{path}: the stored calibration (for predict_interval) is incomplete or does not "
        "match the network's horizon; the model files are corrupted or were edited."
    )
    if not all(present) or not isinstance(config["calibration"], dict):
        raise broken
    try:
        n = np.asarray(config["calibration"]["n"], dtype=np.int64)
    except (KeyError, TypeError, ValueError):
        raise broken from None
    absolute = tensors["calibration.abs"].double().numpy()
    signed = tensors["calibration.signed"].double().numpy()
    if not (
        n.shape == (horizon,)
        and (n >= 1).all()
        and absolute.ndim == 2
        and absolute.shape[0] >= 2
        and absolute.shape[1] == horizon
        and signed.shape == absolute.shape
        and np.isfinite(absolute).all()
        and np.isfinite(signed).all()
    ):
        raise broken
    return Calibration(n, absolute.copy(), signed.copy())
