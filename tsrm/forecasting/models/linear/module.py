"""The networks of DLinear and NLinear (Zeng et al. 2023), one channel at a time.

Zeng, Chen, Zhang and Xu, "Are Transformers Effective for Time Series
Forecasting?", AAAI 2023. Both map a window ``(batch, lookback)`` to a
forecast ``(batch, horizon)`` with linear layers over time; the estimators are
in :mod:`tsrm.forecasting.models.linear.estimator`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from tsrm._config import check_int_fields
from tsrm.forecasting.neural.config import WindowConfig


@dataclass(frozen=True)
class NLinearConfig(WindowConfig):
    """Settings of :class:`NLinearNetwork`: only the window (``lookback``, ``horizon``)."""


@dataclass(frozen=True)
class DLinearConfig(WindowConfig):
    """Settings of :class:`DLinearNetwork`.

    ``lookback`` and ``horizon``: see :class:`WindowConfig`.

    Attributes
    ----------
    kernel_size : int
        Width of the moving average that extracts the trend.
    """

    kernel_size: int = 25

    def __post_init__(self) -> None:
        super().__post_init__()
        check_int_fields(self, ("kernel_size",))


def moving_average(window: Tensor, kernel_size: int) -> Tensor:
    """Centred moving average of each row, the same length as the row.

    Both ends are padded by repeating the first and last value, as in the
    DLinear reference code. An even kernel gets one more value of padding at
    the end than at the start (the reference code would return a shorter row).
    """
    front, back = (kernel_size - 1) // 2, kernel_size // 2
    padded = torch.cat(
        [window[:, :1].expand(-1, front), window, window[:, -1:].expand(-1, back)], dim=1
    )
    return F.avg_pool1d(padded.unsqueeze(1), kernel_size, stride=1).squeeze(1)


class NLinearNetwork(nn.Module):
    """NLinear: subtract the window's last value, one ``Linear(lookback, horizon)``, add it back.

    The subtraction makes the forecast shift with the level of the window,
    which helps when the test data sit at another level than the training data.
    """

    def __init__(self, cfg: NLinearConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.linear = nn.Linear(cfg.lookback, cfg.horizon)

    def forward(self, window: Tensor) -> Tensor:
        last = window[:, -1:]
        return self.linear(window - last) + last


class DLinearNetwork(nn.Module):
    """DLinear: split the window into trend (moving average) and seasonal remainder.

    One ``Linear(lookback, horizon)`` maps each part; the forecast is their sum.
    """

    def __init__(self, cfg: DLinearConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.linear_seasonal = nn.Linear(cfg.lookback, cfg.horizon)
        self.linear_trend = nn.Linear(cfg.lookback, cfg.horizon)

    def decompose(self, window: Tensor) -> tuple[Tensor, Tensor]:
        """``(seasonal, trend)`` with ``seasonal + trend == window``."""
        trend = moving_average(window, self.cfg.kernel_size)
        return window - trend, trend

    def forward(self, window: Tensor) -> Tensor:
        seasonal, trend = self.decompose(window)
        return self.linear_seasonal(seasonal) + self.linear_trend(trend)
