"""``lookback="auto"`` and the fallback: candidate look-backs, seasonal naive as a network,
validation scores, and the table of what was tried."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from torch import Tensor, nn

from tsrm._distributed import gathered
from tsrm.forecasting.neural.probabilistic import validation_residuals
from tsrm.forecasting.series import WindowDataset

#: The longest look-back tried: beyond it long-horizon benchmarks gain nothing.
MAX_LOOKBACK = 720
#: Candidates per fit; each costs one training.
N_CANDIDATES = 3
SELECTION_COLUMNS = (
    "candidate", "lookback", "period", "seed", "val_mse", "best_epoch", "epochs", "fit_s", "chosen",
)  # fmt: skip
#: Validation windows per forecast call when scoring the fallback.
_BATCH = 4096


def lookback_candidates(train_lengths: list[int], horizon: int, season: int) -> list[int]:
    """Look-backs to try, longest first.

    The longest leaves at least half of a typical (median) series' training part as
    targets, and at most :data:`MAX_LOOKBACK`; the others are a half and a quarter of
    it. Each is rounded down to whole seasons where it holds at least one.
    """
    room = int(np.median(train_lengths)) - horizon
    longest = max(min(MAX_LOOKBACK, room // 2), 1)
    out: list[int] = []
    for k in range(N_CANDIDATES):
        length = max(longest >> k, 1)
        if season > 1 and length >= season:
            length -= length % season
        if length not in out:
            out.append(length)
    return out


def selection_table(rows: list[dict]) -> pd.DataFrame:
    """One row per candidate tried (or skipped for time), in the order they were tried."""
    table = pd.DataFrame(rows, columns=list(SELECTION_COLUMNS))
    # Counts stay whole numbers where other rows (skipped, fallback, ensemble) have none.
    return table.astype({"seed": "Int64", "best_epoch": "Int64", "epochs": "Int64"})


class SeasonalRepeat(nn.Module):
    """Seasonal naive as a network: the window's last ``period`` values repeated over the
    horizon (``period=1``: the last value). No weights; what ``fit`` falls back to."""

    def __init__(self, horizon: int, period: int) -> None:
        super().__init__()
        self.horizon, self.period = horizon, period

    def forward(self, window: Tensor, *covariates: Tensor) -> Tensor:
        season = window[:, -self.period :]
        return season.repeat(1, -(-self.horizon // self.period))[:, : self.horizon]


def validation_mse(
    forecast: Callable[..., Tensor], val: WindowDataset, shared: bool = False
) -> float:
    """MSE of ``forecast`` over the validation windows' observed target steps (scaled units).

    ``shared``: ``val`` is one launched process's share; the MSE is over every process's.
    """
    total, count = 0.0, 0
    for residual in validation_residuals(forecast, val, np.arange(len(val)), _BATCH):
        observed = ~np.isnan(residual)
        total += float(np.square(residual[observed], dtype=np.float64).sum())
        count += int(observed.sum())
    if shared:
        total, count = map(sum, zip(*gathered((total, count)), strict=True))
    return total / count if count else float("nan")
