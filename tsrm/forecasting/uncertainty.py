"""What every forecaster's intervals and quantiles share: the result type and the checks of
``coverage`` and quantile levels (no model, no torch)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from tsrm.exceptions import TSRMInputError

#: Levels of ``predict_quantiles()`` when none are given (and none were trained).
DEFAULT_QUANTILES = (0.1, 0.5, 0.9)


class Interval(NamedTuple):
    """A prediction interval: ``lower`` and ``upper``, each the kind ``predict`` returns.

    Unpacks as a pair: ``lower, upper = model.predict_interval()``.
    """

    lower: Any
    upper: Any


def check_coverage(coverage: Any) -> float:
    """``coverage`` as a float strictly between 0 and 1, else a clear error."""
    if (
        isinstance(coverage, bool)
        or not isinstance(coverage, numbers.Real)
        or not 0.0 < float(coverage) < 1.0
    ):
        raise TSRMInputError(
            f"coverage must be a probability strictly between 0 and 1 (e.g. 0.9 for a 90 % "
            f"interval), got {coverage!r}."
        )
    return float(coverage)


def percent(probability: float) -> str:
    """A probability as the percentage in a column label: 0.9 -> ``"90"``, 0.975 -> ``"97.5"``."""
    text = repr(round(100 * probability, 9))  # 100 * 0.9 is 90.00000000000001
    return text.removesuffix(".0")


def check_quantile_levels(quantiles: Any, name: str = "quantiles") -> tuple[float, ...]:
    """Distinct levels strictly between 0 and 1, sorted ascending, else a clear error."""
    example = "e.g. (0.1, 0.5, 0.9)"
    if isinstance(quantiles, str | bytes) or not isinstance(quantiles, Sequence | np.ndarray):
        raise TSRMInputError(
            f"{name} must be a sequence of quantile levels, {example}; got {quantiles!r}."
        )
    levels = list(quantiles)
    if not levels:
        raise TSRMInputError(f"{name} is empty; pass at least one level, {example}.")
    for q in levels:
        if isinstance(q, bool) or not isinstance(q, numbers.Real) or not 0.0 < float(q) < 1.0:
            raise TSRMInputError(
                f"{name} must lie strictly between 0 and 1 ({example}); got {q!r} in {quantiles!r}."
            )
    return tuple(sorted({float(q) for q in levels}))
