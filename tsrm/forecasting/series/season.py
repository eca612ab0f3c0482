"""The season length of a panel: from its index frequency, confirmed by the data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tsrm.forecasting.series.index import TimeIndex
from tsrm.forecasting.series.panel import Panel

Z_90 = 1.645  # one-sided 95 % normal quantile, i.e. M4's "90 %" two-sided test
_DAY = 86_400.0
# Calendar frequencies whose step has no fixed length in seconds.
_CALENDAR = {"W": 52, "M": 12, "Q": 4, "Y": 1, "A": 1}
# Series scanned for the test: enough to decide, bounded for very large panels.
_MAX_SERIES = 200
# Series that search for a season on their own when the index says nothing.
_MAX_VOTERS = 25
# The share of those series (long enough to show it) that must find a season.
_MIN_SUPPORT = 0.2
# The longest season searched for when the index says nothing (integer or numpy data).
_MAX_SEARCHED = 720
# How far a searched season's autocorrelation peak must rise above the trough before it.
_CLEAR_PEAK = 0.4
# Standard errors a searched peak of the differences' autocorrelation must clear: about
# a 5 % chance over 1,000 lags of white noise (Bonferroni).
_Z_SEARCH = 4.0
# How near the strongest peak a shorter one must be to be taken as the season, among
# the detrended values' peaks and among the differences' (which are lower and flatter).
_NEAR_TOP = {"detrended": 0.9, "differenced": 0.8}


def acf(values: np.ndarray, max_lag: int) -> np.ndarray:
    """Sample autocorrelations at lags ``1..max_lag`` (zeros for a constant series)."""
    with np.errstate(all="ignore"):  # magnitudes near float64's limit: divided out below
        x = values - values.mean()
        scale = np.abs(x).max() if len(x) else 0.0
        if not np.isfinite(scale) or scale == 0:
            return np.zeros(max_lag)
        x = x / scale
    denom = np.dot(x, x)
    n = len(x)
    return np.array([np.dot(x[: n - k], x[k:]) for k in range(1, max_lag + 1)]) / denom


def is_seasonal(values: np.ndarray, m: int) -> bool:
    """M4's 90 % autocorrelation test for seasonality at lag ``m``.

    True when ``m > 1``, ``n >= 3 * m`` and ``|acf_m| > 1.645 * sqrt((1 + 2 *
    sum_{k=1}^{m-1} acf_k^2) / n)``, with ``acf_k`` the lag-``k`` sample autocorrelation.
    """
    n = len(values)
    if m <= 1 or n < 3 * m:
        return False
    r = acf(values, m)
    limit = Z_90 * np.sqrt((1 + 2 * np.sum(r[: m - 1] ** 2)) / n)
    return bool(abs(r[m - 1]) > limit)


def frequency_seasons(index: TimeIndex | None) -> list[int]:
    """Season lengths a calendar implies for an index, most natural first.

    Sub-daily steps: a day, then a week (hourly: 24, 168); daily: a week (7), a year
    (365); weekly 52, monthly 12, quarterly 4, yearly 1; nothing for an integer index.
    """
    if index is None or index.kind == "integer":
        return []
    offset = _offset(index)
    base = offset.rule_code.split("-")[0].rstrip("SE").upper()
    if base in _CALENDAR or base in ("BM", "BQ", "BY", "BA"):
        per_year = _CALENDAR[base[-1]]
        return [max(per_year // max(offset.n, 1), 1)]
    if base == "B":
        return [5]
    try:  # a calendar day has no fixed length in pandas 3, but a season counts days
        seconds = offset.n * _DAY if base == "D" else pd.Timedelta(offset).total_seconds()
    except ValueError:
        return []
    seasons = [round(span / seconds) for span in (_DAY, 7 * _DAY, 365 * _DAY) if span > seconds]
    return [m for m in seasons if m > 1][:2] if seconds < _DAY else seasons[:2]


def _offset(index: TimeIndex) -> pd.DateOffset:
    if index.kind == "period":  # period aliases ("M") are not offset aliases ("ME")
        return pd.Period(index.last, freq=index.step).freq
    return pd.tseries.frequencies.to_offset(index.step)


def _observed(values: np.ndarray) -> np.ndarray:
    return values[~np.isnan(values)]


def _detrended(values: np.ndarray) -> np.ndarray:
    t = np.arange(len(values), dtype=np.float64)
    with np.errstate(all="ignore"):  # near float64's limit acf() copes with what is left
        slope, level = np.polyfit(t, values, 1)
        return values - (slope * t + level) if np.isfinite(slope) else values


def seasonal_at(values: np.ndarray, m: int) -> bool:
    """M4's test at lag ``m`` on the differences, or on the linearly detrended values where
    their autocorrelation peaks at ``m``, 0.4 above its lowest before ``m``: a trend
    correlates every lag (differencing removes it), and differencing buries a long, smooth
    season in noise (detrending does not)."""
    if m <= 1 or len(values) <= 3 * m:
        return False
    if is_seasonal(np.diff(values), m):
        return True
    x = _detrended(values)
    r = acf(x, m + 1)
    peak = r[m - 1] > r[m - 2] and r[m - 1] >= r[m]
    # A wandering series (random walk) decays slowly with small wiggles: a season dips.
    return bool(peak and r[m - 1] - r[: m - 1].min() >= _CLEAR_PEAK and is_seasonal(x, m))


def _share_seasonal(series: list[np.ndarray], m: int) -> float:
    """The share of the series long enough to test that are seasonal at lag ``m``."""
    tested = [v for v in series if len(v) > 3 * m]
    if not tested:
        return 0.0
    return float(np.mean([seasonal_at(v, m) for v in tested]))


def _peaks(r: np.ndarray) -> list[int]:
    """Indices ``k`` (lag ``k + 1``) where the autocorrelation ``r`` has a local maximum."""
    return [k for k in range(1, len(r) - 1) if r[k] > r[k - 1] and r[k] >= r[k + 1]]


def _clear_peaks(r: np.ndarray) -> dict[int, float]:
    """Lags whose autocorrelation peaks 0.4 above the lowest value before them: a season
    dips between its peaks, a trend or random walk only decays."""
    return {k + 1: float(r[k]) for k in _peaks(r) if r[k] - r[:k].min() >= _CLEAR_PEAK}


def _significant_peaks(r: np.ndarray, n: int) -> dict[int, float]:
    """Lags whose autocorrelation swings from :data:`_Z_SEARCH` Bartlett standard errors
    below zero (after lag 1) to as far above it: M4's test made strict enough to be tried
    at hundreds of lags at once, on a cycle's dip and its peak. Lag 1 is left out of the
    dip, since noise alone makes it negative in differences."""
    before = np.concatenate([[0.0], np.cumsum(r**2)[:-1]])
    limit = _Z_SEARCH * np.sqrt((1 + 2 * before) / n)
    return {k + 1: float(r[k]) for k in _peaks(r)
            if k >= 2 and r[k] > limit[k] and r[1:k].min() < -limit[k]}  # fmt: skip


def _series_season(values: np.ndarray) -> int:
    """One series' season: its shortest autocorrelation peak near the strongest (see
    :data:`_NEAR_TOP`) that passes :func:`seasonal_at`, else 1; a season's multiples peak
    about as high as the season. Peaks of the detrended values count where they are clear
    (:func:`_clear_peaks`), then those of the differences where they are significant
    (:func:`_significant_peaks`): a wandering level keeps every detrended lag high and
    hides a short season, which its differences show."""
    max_lag = min(len(values) // 3, _MAX_SEARCHED)
    if max_lag < 2:
        return 1
    found = {
        "detrended": _clear_peaks(acf(_detrended(values), max_lag)),
        "differenced": _significant_peaks(acf(np.diff(values), max_lag), len(values) - 1),
    }
    for kind, peaks in found.items():
        top = max(peaks.values(), default=0.0)
        for m, height in peaks.items():
            if height >= _NEAR_TOP[kind] * top and seasonal_at(values, m):
                return m
    return 1


def _searched_season(series: list[np.ndarray]) -> int:
    """The season that most of up to :data:`_MAX_VOTERS` series find on their own
    (:func:`_series_season`), else 1. A season needs the votes (within 2 %) of a fifth
    of the voters long enough to show it, and half of all the series passing the test
    at it: one series' chance peak (a pressure channel's four-day weather systems, one
    exchange rate's wiggle) does not decide for a panel."""
    voters = series[:: -(-len(series) // _MAX_VOTERS)]
    votes = np.array([_series_season(v) for v in voters])
    able = np.array([len(v) // 3 for v in voters])
    seasons = [int(m) for m in np.unique(votes[votes > 1])]
    support = {m: np.mean(np.abs(votes[able >= m] - m) <= max(1, 0.02 * m)) for m in seasons}
    for m in sorted(seasons, key=lambda m: (-support[m], -np.sum(votes == m), m)):
        if support[m] >= _MIN_SUPPORT and _share_seasonal(series, m) >= 0.5:
            return m
    return 1


def detect_season(panel: Panel) -> int:
    """The season length of ``panel``'s series (1: none found).

    The index frequency proposes candidates (:func:`frequency_seasons`); the first at
    which at least half of the series long enough to test pass :func:`is_seasonal` (on
    their first differences, so that a trend is not taken for a season) is the season.
    Without a calendar (integer index, numpy data) each of a few series searches its
    autocorrelation peaks and the panel takes the season most of them find
    (:func:`_searched_season`).
    At most 200 series, evenly spread over the panel, are examined.
    """
    step = max(panel.n_series // _MAX_SERIES, 1)
    series = [_observed(np.asarray(v, dtype=np.float64)) for v in panel.values[::step]]
    series = [v for v in series if len(v) > 2]
    if not series:
        return 1
    proposed = frequency_seasons(panel.indexes[0])
    if not proposed:
        return _searched_season(series)
    for m in proposed:
        if m > 1 and _share_seasonal(series, m) >= 0.5:
            return m
    return 1
