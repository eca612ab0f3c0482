"""examples/data/sales.csv, the README's command-line data, is what its script writes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

DATA = Path(__file__).resolve().parents[2] / "examples" / "data"


def test_shipped_sales_csv_is_the_scripts_output():
    spec = importlib.util.spec_from_file_location("make_sales", DATA / "make_sales.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.sales_frame()
    shipped = pd.read_csv(DATA / "sales.csv", dtype={"date": str})
    pd.testing.assert_frame_equal(shipped, expected)
    assert len(shipped) == 731 and shipped["sales"].gt(0).all()
