"""Save and load a fitted TRMForecaster: JSON for settings, safetensors for arrays.

Nothing is unpickled and no code from the files runs: a model directory holds
``config.json`` (plain data) and ``model.safetensors`` (named tensors only).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

import tsrm
from tsrm.exceptions import ModelFileError
from tsrm.forecasting.config import NetworkConfig
from tsrm.forecasting.network import TSTRMNetwork, count_parameters
from tsrm.timeseries import Panel

if TYPE_CHECKING:
    from tsrm.forecasting.estimator import TRMForecaster

FORMAT = "tsrm.TRMForecaster"
FORMAT_VERSION = 1
CONFIG_FILE, WEIGHTS_FILE = "config.json", "model.safetensors"


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


def _atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def save_forecaster(model: TRMForecaster, path: Path) -> Path:
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)
    path.mkdir(parents=True, exist_ok=True)
    history = {
        k: (v if not isinstance(v, float) or math.isfinite(v) else None)
        for k, v in model.history_.items()
    }
    config = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "tsrm_version": tsrm.__version__,
        "params": _json_params(model.get_params(deep=False)),
        "network": model.config_.to_dict(),
        "context": model.context_.meta(),
        "n_params": model.n_params_,
        "history": history,
    }
    tensors = {f"network.{k}": v.contiguous() for k, v in model.network_.state_dict().items()}
    tensors["context.values"] = torch.from_numpy(np.stack(model.context_.values))
    tensors["scale.mean"] = torch.from_numpy(np.asarray(model.scale_mean_, dtype=np.float64))
    tensors["scale.std"] = torch.from_numpy(np.asarray(model.scale_std_, dtype=np.float64))
    _atomic_write(path / WEIGHTS_FILE, lambda tmp: save_file(tensors, tmp))
    _atomic_write(
        path / CONFIG_FILE, lambda tmp: Path(tmp).write_text(json.dumps(config, indent=2))
    )
    return path


def _read_config(path: Path) -> dict:
    file = path / CONFIG_FILE
    if not file.is_file():
        raise ModelFileError(
            f"No {CONFIG_FILE} in {str(path)!r}; pass the directory that "
            "TRMForecaster.save() wrote."
        )
    try:
        config = json.loads(file.read_text())
    except (ValueError, UnicodeDecodeError) as err:
        raise ModelFileError(f"{file} is not valid JSON ({err}); the file is corrupted.") from None
    if not isinstance(config, dict) or config.get("format") != FORMAT:
        raise ModelFileError(f"{file} is not a tsrm TRMForecaster model file.")
    version = config.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(
            f"{file} has model format version {version!r} (written by tsrm "
            f"{config.get('tsrm_version')}); this tsrm ({tsrm.__version__}) reads version "
            f"{FORMAT_VERSION}. Install the tsrm version that saved it, or refit."
        )
    return config


def load_forecaster(cls: type[TRMForecaster], path: Path) -> TRMForecaster:
    config = _read_config(path)
    weights = path / WEIGHTS_FILE
    if not weights.is_file():
        raise ModelFileError(
            f"No {WEIGHTS_FILE} in {str(path)!r}; the model directory is incomplete."
        )
    try:
        tensors = load_file(str(weights))
    except (SafetensorError, OSError, ValueError) as err:
        raise ModelFileError(
            f"{weights} cannot be read ({err}); the file is corrupted or truncated."
        ) from None
    try:
        cfg = NetworkConfig.from_dict(config["network"])
        model = cls(**config["params"])
        network = TSTRMNetwork(cfg)
        state = {k[len("network.") :]: v for k, v in tensors.items() if k.startswith("network.")}
        network.load_state_dict(state, strict=True)
        values = tensors["context.values"].numpy()
        context = Panel.from_meta(config["context"], [v.copy() for v in values])
        mean, std = tensors["scale.mean"].numpy(), tensors["scale.std"].numpy()
    except (KeyError, TypeError, ValueError, RuntimeError) as err:
        raise ModelFileError(
            f"{path}: the config and the tensors do not match ({str(err).splitlines()[0]}); "
            "the model files are corrupted or were edited."
        ) from None
    if values.shape != (context.n_series, cfg.lookback) or mean.shape != (context.n_series,):
        raise ModelFileError(f"{path}: stored context does not match the config; files corrupted.")
    network.eval()
    model.config_ = cfg
    model.network_ = network
    model.n_params_ = count_parameters(network)
    model.history_ = config.get("history") or {}
    model.context_ = context
    model.scale_mean_, model.scale_std_ = mean.copy(), std.copy()
    return model
