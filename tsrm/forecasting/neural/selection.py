"""``lookback="auto"``: the candidate look-backs for a panel, and the table of what was tried."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The longest look-back tried: beyond it long-horizon benchmarks gain nothing.
MAX_LOOKBACK = 720
#: Candidates per fit; each costs one training.
N_CANDIDATES = 3
SELECTION_COLUMNS = ("lookback", "period", "val_mse", "best_epoch", "epochs", "fit_s", "chosen")


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
    return pd.DataFrame(rows, columns=list(SELECTION_COLUMNS))
