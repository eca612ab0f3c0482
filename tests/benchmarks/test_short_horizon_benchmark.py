"""benchmarks/short_horizon.py --dev scores the end of each training part, never the test."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.fixture
def script():
    with pytest.MonkeyPatch.context() as mp:
        mp.syspath_prepend(str(BENCHMARKS))
        yield importlib.import_module("short_horizon")


def long_frame(lengths: dict[str, int]) -> pd.DataFrame:
    parts = [
        pd.DataFrame({"unique_id": uid, "ds": np.arange(n), "y": np.arange(n, dtype=float)})
        for uid, n in lengths.items()
    ]
    return pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=0)


def test_dev_split_holds_out_each_training_part_end(script):
    train, held = script.dev_split(long_frame({"a": 20, "b": 9, "c": 10}), horizon=4)
    # "b" keeps 5 points before its last 4, fewer than horizon + 2: dropped, not padded.
    assert sorted(train["unique_id"].unique()) == ["a", "c"]
    assert train.groupby("unique_id").size().to_dict() == {"a": 16, "c": 6}
    for uid, g in held.groupby("unique_id"):
        assert list(g["y"]) == [
            float(v) for v in range({"a": 16, "c": 6}[uid], {"a": 20, "c": 10}[uid])
        ]


def test_dev_panel_never_reads_the_test_part(script, data_dir):
    data = script.load_dataset("M3-Yearly", data_dir=data_dir)
    dev = script.PanelData(data, limit=None, dev=True)
    full = script.PanelData(data, limit=None)
    for uid in dev.ids:
        h = data.horizon
        np.testing.assert_array_equal(dev.test[uid], full.train[uid][-h:])
        np.testing.assert_array_equal(dev.train[uid], full.train[uid][:-h])
