"""Training says nothing by default and never relays Lightning's product advertisement."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from tsrm import DLinear, TRMForecaster


def _series() -> np.ndarray:
    return 10 + np.sin(2 * np.pi * np.arange(300) / 24)


def _lightning_messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("lightning")]


@pytest.mark.parametrize("cls", [TRMForecaster, DLinear])
def test_fit_is_quiet_by_default(cls, caplog, capfd):
    caplog.set_level(logging.INFO)
    cls(horizon=6, lookback=24, max_epochs=1).fit(_series())
    assert _lightning_messages(caplog) == []
    assert capfd.readouterr() == ("", "")


def test_verbose_fit_shows_lightning_but_no_advertisement(caplog):
    caplog.set_level(logging.INFO)
    DLinear(horizon=6, lookback=24, max_epochs=1, verbose=True).fit(_series())
    said = " ".join(_lightning_messages(caplog))
    assert "max_epochs=1" in said  # Lightning's own messages do come through
    assert "litlogger" not in said.lower()
