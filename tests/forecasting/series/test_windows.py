"""Behaviour of :class:`tsrm.forecasting.series.WindowDataset` and :func:`count_windows`."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from tsrm.forecasting.series import WindowDataset, count_windows
from tsrm.forecasting.series.windows import collate_batch


def _series(lengths: list[int]) -> list[np.ndarray]:
    """Series i holds i * 1000 + t at time t, so every value says where it came from."""
    return [i * 1000.0 + np.arange(n, dtype=np.float64) for i, n in enumerate(lengths)]


def _brute_force(series, lookback, horizon, ranges):
    """Every (series, start) whose input fits in the series and whose target lies in the range."""
    out = []
    for i, (s, (lo, hi)) in enumerate(zip(series, ranges, strict=True)):
        for t in range(len(s)):
            target_lo, target_hi = t + lookback, t + lookback + horizon
            if target_hi <= len(s) and lo <= target_lo and target_hi <= hi:
                out.append((i, t))
    return out


def _all(ds: WindowDataset):
    return ds.__getitems__(list(range(len(ds))))


# --- count_windows ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "lookback", "horizon", "expected"),
    [
        (14400, 336, 96, 13969),
        (10, 3, 2, 6),
        (5, 3, 2, 1),
        (4, 3, 2, 0),
        (0, 3, 2, 0),
    ],
)
def test_count_windows(length, lookback, horizon, expected):
    assert count_windows(length, lookback, horizon) == expected


@pytest.mark.parametrize("lengths", [[10], [7, 12, 5], [4, 9]])
def test_full_ranges_match_count_windows(lengths):
    series = _series(lengths)
    ds = WindowDataset(series, 3, 2, [(0, n) for n in lengths])
    assert len(ds) == sum(count_windows(n, 3, 2) for n in lengths)


# --- exact counts (ETTh1-like protocol) ------------------------------------------------------


@pytest.mark.parametrize(
    ("target_range", "expected"),
    [((0, 8640), 8209), ((8640, 11520), 2785), ((11520, 14400), 2785), ((0, 14400), 13969)],
)
def test_etth1_like_window_counts(target_range, expected):
    series = [np.zeros(14400)]
    ds = WindowDataset(series, lookback=336, horizon=96, target_ranges=[target_range])
    assert len(ds) == expected


def test_etth1_like_val_windows_start_before_the_range():
    series = [np.arange(14400, dtype=np.float64)]
    ds = WindowDataset(series, 336, 96, [(8640, 11520)])
    x0, y0 = ds[0]
    assert y0[0].item() == 8640.0  # first target is the first step of the range
    assert x0[0].item() == 8640.0 - 336  # its input reaches back before the range
    x_last, y_last = ds[len(ds) - 1]
    assert y_last[-1].item() == 11519.0  # last target ends on the range's last step


# --- contents --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lengths", "ranges", "lookback", "horizon"),
    [
        ([20], [(0, 20)], 4, 3),
        ([20, 15, 9], [(0, 20), (0, 15), (0, 9)], 4, 3),
        ([20, 15, 9], [(10, 20), (2, 12), (0, 9)], 4, 3),
        ([20, 15, 9], [(5, 5), (6, 15), (0, 3)], 4, 3),
        ([30, 8], [(12, 30), (0, 8)], 5, 1),
    ],
)
def test_windows_equal_brute_force_slices(lengths, ranges, lookback, horizon):
    series = _series(lengths)
    ds = WindowDataset(series, lookback, horizon, ranges)
    expected = _brute_force(series, lookback, horizon, ranges)
    assert len(ds) == len(expected)
    if not expected:
        return
    x, y = _all(ds)
    assert x.shape == (len(expected), lookback)
    assert y.shape == (len(expected), horizon)
    assert x.dtype == y.dtype == torch.float32
    for k, (i, t) in enumerate(expected):
        s = series[i]
        np.testing.assert_array_equal(x[k].numpy(), s[t : t + lookback])
        np.testing.assert_array_equal(y[k].numpy(), s[t + lookback : t + lookback + horizon])


def test_windows_never_cross_series_boundaries():
    lengths = [11, 6, 13]
    series = _series(lengths)
    ds = WindowDataset(series, 4, 2, [(0, n) for n in lengths])
    x, y = _all(ds)
    window = torch.cat([x, y], dim=1)
    series_id = torch.div(window, 1000, rounding_mode="floor")
    assert (series_id == series_id[:, :1]).all()  # one series per window
    assert (window.diff(dim=1) == 1).all()  # consecutive time steps


def test_targets_stay_inside_target_range():
    lengths = [40, 40]
    ranges = [(25, 33), (10, 18)]
    series = _series(lengths)
    ds = WindowDataset(series, 6, 3, ranges)
    _, y = _all(ds)
    for row in y:
        i = int(row[0].item()) // 1000
        t = row - i * 1000
        lo, hi = ranges[i]
        assert t.min() >= lo and t.max() < hi
    assert len(ds) == (33 - 25 - 3 + 1) + (18 - 10 - 3 + 1)


def test_getitem_agrees_with_getitems():
    series = _series([15, 10])
    ds = WindowDataset(series, 3, 2, [(0, 15), (4, 10)])
    idx = [len(ds) - 1, 0, 5, 5, 3]
    xb, yb = ds.__getitems__(idx)
    for k, i in enumerate(idx):
        x, y = ds[i]
        assert x.shape == (3,) and y.shape == (2,)
        assert torch.equal(x, xb[k])
        assert torch.equal(y, yb[k])


def test_dataloader_batches_via_getitems():
    series = _series([15, 10])
    ds = WindowDataset(series, 3, 2, [(0, 15), (0, 10)])
    loader = DataLoader(ds, batch_size=4, shuffle=False, collate_fn=collate_batch)
    xs, ys = zip(*loader, strict=True)
    x_all, y_all = _all(ds)
    assert xs[0].shape == (4, 3) and ys[0].shape == (4, 2)
    assert torch.equal(torch.cat(xs), x_all)
    assert torch.equal(torch.cat(ys), y_all)


def test_series_values_are_not_shared():
    series = _series([10])
    ds = WindowDataset(series, 3, 2, [(0, 10)])
    series[0][:] = -1.0
    x, _ = ds[0]
    assert x.tolist() == [0.0, 1.0, 2.0]


# --- empty ranges ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ranges",
    [[(5, 5), (0, 0)], [(0, 6), (3, 5)], [(10, 10), (10, 10)], [(8, 10), (0, 2)]],
    ids=["empty", "shorter-than-window", "at-end", "too-short-for-horizon"],
)
def test_empty_ranges_give_no_windows(ranges):
    ds = WindowDataset(_series([10, 10]), 4, 3, ranges)
    assert len(ds) == 0


def test_empty_range_between_series_keeps_offsets_right():
    series = _series([10, 10, 10])
    ds = WindowDataset(series, 3, 2, [(0, 10), (0, 0), (0, 10)])
    assert len(ds) == 2 * count_windows(10, 3, 2)
    x, _ = ds[count_windows(10, 3, 2)]  # first window of the third series
    assert x.tolist() == [2000.0, 2001.0, 2002.0]


# --- regression: target ranges past a series' end ----------------------------------------


def test_range_past_series_end_does_not_cross_boundaries():
    series = _series([10, 10])
    try:
        ds = WindowDataset(series, 3, 2, [(0, 12), (0, 10)])
    except ValueError:
        return
    x, y = _all(ds)
    window = torch.cat([x, y], dim=1)
    series_id = torch.div(window, 1000, rounding_mode="floor")
    assert (series_id == series_id[:, :1]).all()


# --- arithmetic window index (no per-window table) -------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_window_starts_follow_brute_force_order(seed):
    """Windows are numbered series by series, start by start, whatever the lengths and ranges.

    Some series have no window at all (too short, or an empty range): the index must skip
    them without shifting the others.
    """
    rng = np.random.default_rng(seed)
    lengths = [int(n) for n in rng.integers(1, 30, size=12)]
    ranges = []
    for n in lengths:
        lo = int(rng.integers(0, n + 1))
        ranges.append((lo, int(rng.integers(lo, n + 3))))
    series = _series(lengths)
    ds = WindowDataset(series, 4, 3, ranges)
    expected = _brute_force(series, 4, 3, ranges)
    assert len(ds) == len(expected)
    offsets = np.cumsum([0, *lengths[:-1]])
    want = [offsets[i] + t for i, t in expected]
    assert ds.window_starts(torch.arange(len(ds))).tolist() == want
    order = rng.permutation(len(ds))  # any order, as a shuffling sampler asks
    x, y = ds.__getitems__(order.tolist())
    for row, k in enumerate(order):
        i, t = expected[k]
        assert x[row].tolist() == (series[i][t : t + 4]).tolist()
        assert y[row].tolist() == (series[i][t + 4 : t + 7]).tolist()


def test_window_index_negative_and_out_of_range():
    ds = WindowDataset(_series([10, 8]), 3, 2, [(0, 10), (0, 8)])
    last = ds[len(ds) - 1]
    assert all(torch.equal(a, b) for a, b in zip(ds[-1], last, strict=True))
    with pytest.raises(IndexError):
        ds[len(ds)]
    with pytest.raises(IndexError):
        ds[-len(ds) - 1]


def test_prebuilt_flat_data_gives_the_same_windows():
    lengths = [9, 6, 12]
    series = _series(lengths)
    ranges = [(0, n) for n in lengths]
    flat = torch.from_numpy(np.concatenate(series).astype(np.float32))
    a = WindowDataset(series, 3, 2, ranges)
    b = WindowDataset(lengths, 3, 2, ranges, data=flat)
    assert len(a) == len(b)
    for u, v in zip(_all(a), _all(b), strict=True):
        assert torch.equal(u, v)


@pytest.mark.parametrize("n", [1, 7, 1000, 70_001])
def test_permutation_matches_random_sampler_order(n):
    """The int32 permutation is RandomSampler's order, epoch after epoch."""
    from torch.utils.data import RandomSampler

    from tsrm.forecasting.series.windows import Permutation

    ours = Permutation(n, torch.Generator().manual_seed(3))
    theirs = RandomSampler(range(n), generator=torch.Generator().manual_seed(3))
    for _ in range(2):
        assert list(ours) == list(theirs)
    assert torch.equal(ours.generator.get_state(), theirs.generator.get_state())
