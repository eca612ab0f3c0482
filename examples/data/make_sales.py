"""Write ``sales.csv``: two years of made-up daily sales for the README's command-line examples.

A slow trend, a weekly pattern (busy weekends), a yearly swing and noise, from a fixed seed, so
the file is the same on every run (a test checks the shipped file against this script)::

    python examples/data/make_sales.py            # rewrites examples/data/sales.csv
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

PATH = Path(__file__).with_name("sales.csv")


def sales_frame(seed: int = 7) -> pd.DataFrame:
    """The data: columns ``date`` and ``sales`` (whole units), 2024-01-01 to 2025-12-31."""
    dates = pd.date_range("2024-01-01", "2025-12-31", freq="D")
    t = np.arange(len(dates))
    weekly = np.array([0.9, 0.85, 0.9, 0.95, 1.1, 1.35, 1.2])[dates.dayofweek]
    yearly = 1 + 0.15 * np.sin(2 * np.pi * (dates.dayofyear - 80) / 365.25)
    level = (200 + 0.08 * t) * weekly * yearly
    noise = np.random.default_rng(seed).normal(0, 0.05, len(t))
    return pd.DataFrame(
        {"date": dates.strftime("%Y-%m-%d"), "sales": np.round(level * (1 + noise)).astype(int)}
    )


if __name__ == "__main__":
    sales_frame().to_csv(PATH, index=False)
    print(f"wrote {PATH}")
