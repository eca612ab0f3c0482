"""The long-horizon protocol: split boundaries, train-only scaling and lazy windows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from torch.utils.data import DataLoader

from tsrm.exceptions import TSRMInputError
from tsrm.forecasting.datasets import (
    LTSFDataset,
    StandardScaler,
    get_info,
    make_splits,
    make_windows,
    split_boundaries,
)
from tsrm.forecasting.series.windows import WindowDataset, collate_batch

# --- boundaries (no data needed) -------------------------------------------------------------


@pytest.mark.parametrize("name", ["ETTh1", "etth2"])
def test_etth_boundaries(name):
    b = split_boundaries(name, 17420, 336)
    assert (b.train, b.val, b.test) == ((0, 8640), (8304, 11520), (11184, 14400))
    assert b["val"] == b.val and b.n_rows_used == 14400


@pytest.mark.parametrize("lookback", [96, 336, 512])
def test_ettm_boundaries_are_etth_times_four(lookback):
    b = split_boundaries("ETTm1", 69680, lookback)
    assert b.train == (0, 34560)
    assert b.val == (34560 - lookback, 46080)
    assert b.test == (46080 - lookback, 57600)


@pytest.mark.parametrize(
    ("name", "n", "n_train", "n_test"),
    [("Weather", 52696, 36887, 10539), ("Exchange", 7588, 5311, 1517), ("ILI", 966, 676, 193)],
)
@pytest.mark.parametrize("lookback", [36, 96])
def test_fraction_boundaries_follow_time_series_library(name, n, n_train, n_test, lookback):
    b = split_boundaries(get_info(name), n, lookback)
    assert b.train == (0, n_train)
    assert b.val == (n_train - lookback, n - n_test)
    assert b.test == (n - n_test - lookback, n)
    assert (n_train, n_test) == (int(n * 0.7), int(n * 0.2))


def test_boundary_errors():
    with pytest.raises(TSRMInputError, match="panel"):
        split_boundaries("M4-Hourly", 1000, 48)
    with pytest.raises(TSRMInputError, match="at least 14400 rows"):
        split_boundaries("ETTh1", 14399, 96)
    with pytest.raises(TSRMInputError, match="lookback"):
        split_boundaries("ILI", 966, 677)
    with pytest.raises(TSRMInputError, match="lookback"):
        split_boundaries("ETTh1", 17420, 0)
    with pytest.raises(TSRMInputError, match="Unknown split"):
        split_boundaries("ETTh1", 17420, 96)["valid"]


# --- the scaler ------------------------------------------------------------------------------


def test_scaler_round_trip_and_frames():
    rng = np.random.default_rng(0)
    values = rng.normal([5.0, -3.0, 0.0], [2.0, 0.5, 1.0], size=(200, 3))
    values[:, 2] = 7.0  # a constant column scales by 1, not by 0
    scaler = StandardScaler().fit(values)
    scaled = scaler.transform(values)
    np.testing.assert_allclose(scaled[:, :2].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(scaled[:, :2].std(axis=0), 1.0)
    assert scaler.scale_[2] == 1.0
    np.testing.assert_allclose(scaler.inverse_transform(scaled), values)
    frame = pd.DataFrame(values, columns=["a", "b", "c"])
    out = scaler.transform(frame)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["a", "b", "c"]
    pd.testing.assert_frame_equal(scaler.inverse_transform(out), frame)
    np.testing.assert_allclose(StandardScaler().fit_transform(values), scaled)


def test_scaler_errors():
    with pytest.raises(TSRMInputError, match="not fitted"):
        StandardScaler().transform(np.zeros((2, 2)))
    with pytest.raises(TSRMInputError, match="non-empty"):
        StandardScaler().fit(np.zeros(5))


# --- splits of the real data -----------------------------------------------------------------


@pytest.fixture(scope="module")
def etth1_splits(loaded):
    return make_splits(loaded("ETTh1"), lookback=336, horizon=96)


def test_etth1_window_counts(etth1_splits):
    counts = {s: etth1_splits.windows_per_channel(s) for s in ("train", "val", "test")}
    assert counts == {"train": 8209, "val": 2785, "test": 2785}
    assert len(etth1_splits.train) == 8209 * 7
    assert len(etth1_splits.val) == 2785 * 7
    assert len(etth1_splits.test) == 2785 * 7
    assert "train=8209" in repr(etth1_splits)


def test_windows_are_the_scaled_rows(etth1_splits):
    values = etth1_splits.values
    per = etth1_splits.windows_per_channel("test")
    x, y = etth1_splits.test[0]  # channel 0, first test window: its target starts at row 11520
    np.testing.assert_allclose(x.numpy(), values[11184:11520, 0], rtol=1e-6)
    np.testing.assert_allclose(y.numpy(), values[11520:11616, 0], rtol=1e-6)
    x, y = etth1_splits.test[per * 6 + per - 1]  # channel 6 (OT), last window ends at row 14400
    np.testing.assert_allclose(y.numpy(), values[14304:14400, 6], rtol=1e-6)
    _, y = etth1_splits.val[per - 1]  # channel 0, last validation target ends at 11520
    np.testing.assert_allclose(y.numpy(), values[11424:11520, 0], rtol=1e-6)


def test_scaling_uses_training_rows_only(etth1_splits, loaded):
    frame = loaded("ETTh1").frame
    scaler = etth1_splits.scaler
    np.testing.assert_allclose(scaler.mean_, frame.iloc[:8640].mean().to_numpy())
    np.testing.assert_allclose(scaler.scale_, frame.iloc[:8640].std(ddof=0).to_numpy())
    train = etth1_splits.values[:8640]
    np.testing.assert_allclose(train.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(train.std(axis=0), 1.0, atol=1e-9)
    test = etth1_splits.values[11520:14400]
    assert np.abs(test.mean(axis=0)).max() > 0.05  # fitted elsewhere: not exactly standard
    np.testing.assert_allclose(
        scaler.inverse_transform(etth1_splits.values), frame.to_numpy()[:14400], atol=1e-9
    )


def test_unscaled_and_single_split_windows(loaded):
    ili = loaded("ILI")
    raw = make_splits(ili, lookback=36, horizon=24, scale=False)
    assert raw.scaler is None
    np.testing.assert_array_equal(raw.values, ili.frame.to_numpy())
    windows = make_windows(ili, 36, 24, "test")
    assert isinstance(windows, WindowDataset)
    # n=966: test rows [966 - 193 - 36, 966) -> 229 - 36 - 24 + 1 windows per channel
    assert len(windows) == 170 * 7
    with pytest.raises(TSRMInputError, match="too few"):
        make_splits(ili, lookback=36, horizon=120).windows("val")
    with pytest.raises(TSRMInputError, match="horizon"):
        make_splits(ili, lookback=36, horizon=0)


def test_batches_through_a_dataloader(etth1_splits):
    loader = DataLoader(etth1_splits.val, batch_size=512, collate_fn=collate_batch)
    sizes = [x.shape[0] for x, _ in loader]
    assert sum(sizes) == 2785 * 7 and sizes[-1] == 2785 * 7 % 512  # last partial batch kept
    x, y = next(iter(loader))
    assert x.shape == (512, 336) and y.shape == (512, 96) and x.dtype == torch.float32


def test_other_sets_split(loaded):
    for name, lookback, horizon, expected in [
        ("ETTm1", 336, 96, (34129, 11425, 11425)),
        ("Weather", 96, 96, (36696, 5175, 10444)),
        ("Exchange", 96, 96, (5120, 665, 1422)),
    ]:
        splits = make_splits(loaded(name), lookback, horizon)
        counts = tuple(splits.windows_per_channel(s) for s in ("train", "val", "test"))
        assert counts == expected, name


# --- laziness --------------------------------------------------------------------------------


def test_windows_over_a_million_points_stay_small():
    n, lookback, horizon = 1_000_000, 512, 96
    series = np.arange(n, dtype=np.float32)
    windows = WindowDataset([series], lookback, horizon, [(0, n)])
    assert len(windows) == n - lookback - horizon + 1
    tensors = [v for v in vars(windows).values() if isinstance(v, torch.Tensor)]
    total = sum(t.numel() * t.element_size() for t in tensors)
    # about 1M float32 values + 1M int64 starts; materialised windows would be ~2.4 GB
    assert total <= n * 4 + n * 8 + 10_000
    assert total < len(windows) * (lookback + horizon) * 4 / 100
    x, y = windows[123_456]
    assert x[0].item() == 123_456 and y[-1].item() == 123_456 + lookback + horizon - 1


def test_splits_accept_any_ltsf_frame():
    info = get_info("ILI")
    frame = pd.DataFrame(
        {"a": np.arange(1000.0), "OT": np.sin(np.arange(1000.0))},
        index=pd.date_range("2000-01-01", periods=1000, freq="W-TUE", name="date"),
    )
    splits = make_splits(LTSFDataset(frame=frame, info=info), lookback=24, horizon=12)
    assert splits.boundaries.train == (0, 700)
    assert splits.windows_per_channel("train") == 700 - 24 - 12 + 1
