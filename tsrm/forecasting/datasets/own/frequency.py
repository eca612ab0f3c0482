"""The grid frequency of a sensor log: parsing a given ``freq`` or inferring one from the
spacing of the timestamps."""

from __future__ import annotations

import warnings
from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from tsrm.exceptions import IrregularIndexError, TSRMInputError

# Spacings whose interquartile range exceeds this fraction of their median are too
# irregular to guess a grid from; the rounded alias may be off by this much.
_MAX_SPACING_IQR = 0.5
_ALIAS_TOLERANCE = 0.05
_UNITS_NS = (
    ("D", 86_400 * 10**9),
    ("h", 3_600 * 10**9),
    ("min", 60 * 10**9),
    ("s", 10**9),
    ("ms", 10**6),
    ("us", 10**3),
)


def _to_offset(freq: Any) -> pd.DateOffset:
    try:
        return to_offset(freq)
    except (TypeError, ValueError):
        raise TSRMInputError(
            f"freq={freq!r} is not a pandas frequency; pass an alias such as '5min', 'h' or 'D'."
        ) from None


def _fixed_step(offset: pd.DateOffset, freq: Any) -> pd.Timedelta | None:
    """The length of one ``offset`` step, None for calendar frequencies (months, weeks...)."""
    try:
        step = pd.Timedelta(offset)
    except (TypeError, ValueError):
        return None
    if step <= pd.Timedelta(0):
        raise TSRMInputError(f"freq must be a positive step, got {freq!r}; e.g. freq='5min'.")
    return step


def _infer_log_freq(series: list[tuple[Hashable, pd.DatetimeIndex, np.ndarray]]) -> str:
    """Rounded median spacing of the coarsest series (see ``resample_log``).

    Called by ``resample_log`` itself: its warning points at ``resample_log``'s caller.
    """
    medians = {}
    for sid, times, _ in series:
        distinct = times.unique().sort_values()
        if len(distinct) < 3:
            raise IrregularIndexError(
                f"cannot infer the log's frequency: series {sid!r} has {len(distinct)} distinct "
                "timestamp(s) and 3 or more are needed; pass freq explicitly, e.g. freq='5min'."
            )
        spacings = np.diff(distinct.as_unit("ns").asi8).astype(np.float64)
        median = float(np.median(spacings))
        q25, q75 = np.percentile(spacings, [25, 75])
        if q75 - q25 > _MAX_SPACING_IQR * median:
            raise IrregularIndexError(
                f"cannot infer the log's frequency: the spacing of series {sid!r}'s timestamps "
                f"varies too much (median {pd.Timedelta(median, unit='ns')}, interquartile range "
                f"{pd.Timedelta(q75 - q25, unit='ns')}); pass the grid you want explicitly, e.g. "
                f"freq={_freq_alias(median)!r}, and readings are aggregated into its bins."
            )
        # Mean of the typical spacings: jitter averages out, missed readings are left out.
        typical = spacings[np.abs(spacings - median) <= 0.5 * median]
        medians[sid] = float(typical.mean())
    coarsest = max(medians.values())
    if coarsest > 2 * min(medians.values()):
        fastest = min(medians, key=medians.get)
        warnings.warn(
            f"series sample at different rates (e.g. {fastest!r} every "
            f"{pd.Timedelta(medians[fastest], unit='ns')}); using the coarsest spacing "
            f"{_freq_alias(coarsest)!r} for all. Pass freq=... to choose another grid.",
            UserWarning,
            stacklevel=3,
        )
    return _freq_alias(coarsest)


def _freq_alias(spacing_ns: float) -> str:
    """Pandas alias of a spacing: a whole number of the largest unit that fits within 5%."""
    for unit, size in _UNITS_NS:
        k = round(spacing_ns / size)
        if k >= 1 and abs(k * size - spacing_ns) <= _ALIAS_TOLERANCE * spacing_ns:
            return to_offset(f"{k}{unit}").freqstr
    return to_offset(f"{max(round(spacing_ns), 1)}ns").freqstr
