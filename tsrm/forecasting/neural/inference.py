"""The one inference path of window models: raw windows -> scaled -> network -> data scale.

:func:`scaled_forecast` is what ``predict``, traces, quantiles, intervals and the ONNX
graph all run. It is written in torch so that the exported graph is this same code:
the scaling and un-scaling in float64, the network in float32.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

from tsrm.exceptions import SeriesTooShortError
from tsrm.forecasting.series import Panel
from tsrm.forecasting.series.panel import series_label
from tsrm.forecasting.series.scaling import fill_missing

#: Windows per network call: bounds the activations, whatever the number of series.
BATCH = 8192


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


def last_windows(panel: Panel, lookback: int) -> Tensor:
    """The last ``lookback`` values of every series, missing ones filled, ``(n, L)`` float64.

    A shorter history is left-padded with its first value, as ``fit`` treats series
    shorter than a window (padding there is missing, and missing inputs are filled so).
    """
    values = [np.asarray(v, dtype=np.float64) for v in panel.values]
    empty = [sid for sid, v in zip(panel.ids, values, strict=True) if len(v) == 0]
    if empty:
        raise SeriesTooShortError(f"{series_label(empty[0])} is empty; pass its history.")
    windows = []
    for v in values:
        window = fill_missing(v)[-lookback:]
        if len(window) < lookback:
            window = np.concatenate([np.full(lookback - len(window), window[0]), window])
        windows.append(window)
    return torch.from_numpy(np.stack(windows))


def window_stats(
    window: Tensor, scaling: bool, observed: Tensor | None = None
) -> tuple[Tensor, Tensor]:
    """Each window's own mean and population std of its ``observed`` values (default: all;
    1 for a flat window), ``(n, 1)`` each."""
    big = window.abs().amax(dim=1, keepdim=True)
    one = torch.ones_like(big)
    if not scaling:
        return torch.zeros_like(big), one
    if observed is None:
        observed = torch.ones_like(window, dtype=torch.bool)
    count = observed.sum(dim=1, keepdim=True).to(window.dtype)
    zero = torch.zeros_like(window)
    mean = torch.where(observed, window, zero).sum(dim=1, keepdim=True) / count
    spread = torch.where(observed, (window - mean).square(), zero)
    std = (spread.sum(dim=1, keepdim=True) / count).sqrt()
    return mean, torch.where(std > 1e-12 * big, std, one)


def scaled_forecast(
    run: Callable[[Tensor], Tensor], window: Tensor, mean: Tensor, std: Tensor
) -> Tensor:
    """Standardise raw windows, ``run`` them, undo the scaling; a flat window forecasts itself.

    Parameters
    ----------
    run : callable
        Scaled float32 windows ``(n, L)`` -> scaled forecasts ``(n, ..., h)``.
    window : Tensor
        Raw float64 windows ``(n, L)``, no NaN.
    mean, std : Tensor
        Per-window scaling ``(n, 1)`` float64 (the fitted series' or the new data's).

    Returns
    -------
    Tensor
        ``(n, ..., h)`` float64 on the data scale. A window whose values are all equal
        (up to 1e-12 of their magnitude) is forecast as that value: after scaling it
        carries nothing but its level.
    """
    scaled = (window - mean) / std
    # Near float64's limits the difference overflows: divide first.
    scaled = torch.where(torch.isfinite(scaled), scaled, window / std - mean / std)
    output = run(scaled.float()).double()
    shape = (-1,) + (1,) * (output.dim() - 1)  # no fixed batch size: export keeps it dynamic
    forecast = output * std.view(shape) + mean.view(shape)
    big = window.abs().amax(dim=1, keepdim=True)
    unit = window / torch.where(big > 0, big, torch.ones_like(big))
    flat = unit.amax(dim=1) - unit.amin(dim=1) <= 1e-12
    return torch.where(flat.view(shape), window[:, -1].view(shape), forecast)


def batched(network: nn.Module, window: Tensor, covariates: Tensor | None = None) -> Tensor:
    """``network(window[, covariates])`` in batches of :data:`BATCH` windows."""
    parts = range(0, len(window), BATCH)
    if covariates is None:
        return torch.cat([network(window[i : i + BATCH]) for i in parts])
    return torch.cat([network(window[i : i + BATCH], covariates[i : i + BATCH]) for i in parts])


def covariate_chunk(
    future: np.ndarray | None, done: int, h: int, horizon: int, joint: bool
) -> Tensor | None:
    """The network's covariates for the horizon starting ``done`` steps into the forecast:
    all of ``future`` when ``joint`` (look-back and horizon, one chunk only), else its
    ``horizon`` steps from ``done`` (rows beyond ``h`` are zeros); None without covariates."""
    if future is None:
        return None
    if joint:
        return torch.from_numpy(future)
    chunk = np.zeros((len(future), horizon, future.shape[2]), dtype=np.float32)
    chunk[:, : min(horizon, h - done)] = future[:, done : done + horizon]
    return torch.from_numpy(chunk)


def recursive(
    step: Callable[[Tensor, Tensor | None], Tensor],
    h: int,
    horizon: int,
    future: np.ndarray | None,
    joint_covariates: bool,
) -> Callable[[Tensor], Tensor]:
    """A ``run`` for :func:`scaled_forecast` that forecasts ``h`` steps, ``horizon`` at a time.

    Beyond the horizon the forecasts are fed back as history (in scaled units).
    ``step(window, covariates)`` gives one horizon of point forecasts. ``future`` holds
    the scaled covariates of the forecast steps ``(n, h, k)``, or of the look-back and
    horizon together when ``joint_covariates`` (one chunk only).
    """

    def run(window: Tensor) -> Tensor:
        lookback, parts, done = window.shape[1], [], 0
        while done < h:
            covariates = covariate_chunk(future, done, h, horizon, joint_covariates)
            forecast = step(window, covariates)
            parts.append(forecast)
            done += forecast.shape[1]
            window = torch.cat([window, forecast], dim=1)[:, -lookback:]
        return torch.cat(parts, dim=1)[:, :h]

    return run
