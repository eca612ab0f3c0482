"""Write ``promo_sales.csv``: a year of made-up daily sales driven by price and promotions.

The data of the README's command-line example with covariates: ``price`` (cut on some weeks)
and ``promo`` (1 on days with an in-store display) are planned ahead and drive ``sales``, on
top of a weekly pattern. The last 14 rows are the future: price and promo are known, sales are
left empty, so ``tsrm fit`` and ``tsrm predict`` read history and future covariates from the
one file. A fixed seed makes the file the same on every run (a test checks the shipped file
against this script)::

    python examples/data/make_promo_sales.py      # rewrites examples/data/promo_sales.csv
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

PATH = Path(__file__).with_name("promo_sales.csv")
FUTURE_DAYS = 14


def promo_sales_frame(seed: int = 11) -> pd.DataFrame:
    """The data: columns ``date``, ``sales`` (whole units; empty in the last 14 rows),
    ``price`` and ``promo``, 2024-01-01 to 2025-01-14."""
    dates = pd.date_range("2024-01-01", "2025-01-14", freq="D")
    rng = np.random.default_rng(seed)
    weeks = np.arange(len(dates)) // 7
    cut = rng.random(weeks.max() + 1) < 0.25  # a quarter of the weeks sell at a lower price
    price = np.where(cut[weeks], 3.99, 4.99)
    promo = (rng.random(len(dates)) < 0.15).astype(int)
    weekly = np.array([0.9, 0.85, 0.9, 0.95, 1.1, 1.35, 1.2])[dates.dayofweek]
    level = 120 * weekly * (price / 4.99) ** -2.0 * (1 + 0.4 * promo)
    sales = np.round(level * (1 + rng.normal(0, 0.05, len(dates))))
    sales[-FUTURE_DAYS:] = np.nan  # the future: to forecast
    return pd.DataFrame(
        {
            "date": dates.strftime("%Y-%m-%d"),
            "sales": pd.array(sales, dtype="Int64"),
            "price": price,
            "promo": promo,
        }
    )


if __name__ == "__main__":
    promo_sales_frame().to_csv(PATH, index=False)
    print(f"wrote {PATH}")
