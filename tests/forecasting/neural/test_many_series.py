"""A global model over thousands of series in one long frame, and series never seen in fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsrm import TRMForecaster

N_SERIES, LENGTH, H = 2000, 40, 4


def many_series(n_series: int, seed: int, prefix: str = "s") -> tuple[pd.DataFrame, np.ndarray]:
    """Daily series of different lengths and ends; levels and scales over 4 orders of magnitude.

    Returns the long frame and each series' (level, scale).
    """
    rng = np.random.default_rng(seed)
    lengths = rng.integers(LENGTH - 10, LENGTH + 1, n_series)
    ends = pd.Timestamp("2024-06-30") - pd.to_timedelta(rng.integers(0, 30, n_series), unit="D")
    level = rng.uniform(-1e3, 1e3, n_series)
    scale = 10.0 ** rng.uniform(-1, 2, n_series)
    ids = [f"{prefix}{i}" for i in range(n_series)]
    uid = np.repeat(ids, lengths)
    ds = np.concatenate(
        [pd.date_range(end=e, periods=n, freq="D") for e, n in zip(ends, lengths, strict=True)]
    )
    t = np.concatenate([np.arange(n) for n in lengths])
    pattern = np.sin(2 * np.pi * t / 7) + rng.normal(0.0, 0.1, len(t))
    y = np.repeat(level, lengths) + np.repeat(scale, lengths) * pattern
    return pd.DataFrame({"unique_id": uid, "ds": ds, "y": y}), np.c_[level, scale]


@pytest.fixture(scope="module")
def global_model() -> tuple[TRMForecaster, pd.DataFrame, np.ndarray]:
    frame, truth = many_series(N_SERIES, seed=0)
    model = TRMForecaster(
        horizon=H,
        lookback=14,
        patch_len=7,
        stride=7,
        hidden_dim=8,
        n_supervision=1,
        n_recursions=1,
        n_cycles=1,
        max_epochs=1,
        batch_size=512,
        validation_size=0,
        verbose=False,
    )
    return model.fit(frame), frame, truth


def check_continues(forecast: pd.DataFrame, frame: pd.DataFrame) -> None:
    """One block of H rows per series, in order of first appearance, from its own end on."""
    ids = frame["unique_id"].unique()
    assert list(forecast.columns) == ["unique_id", "ds", "y"]
    assert len(forecast) == len(ids) * H
    assert (forecast["unique_id"].to_numpy() == np.repeat(ids, H)).all()
    ends = frame.groupby("unique_id", sort=False)["ds"].max().to_numpy()
    expected = (ends[:, None] + pd.to_timedelta(np.arange(1, H + 1), unit="D").to_numpy()).ravel()
    assert (forecast["ds"].to_numpy() == expected).all()


def test_one_model_fits_thousands_of_series(global_model) -> None:
    model, frame, truth = global_model
    assert model.context_.n_series == N_SERIES
    forecast = model.predict()
    check_continues(forecast, frame)
    # Per-series scaling: every series is forecast at its own level and scale, from -1000
    # to 1000 and from 0.1 to 100, by one set of weights (the seasonal swing is +-1 scale).
    values = forecast["y"].to_numpy().reshape(N_SERIES, H)
    level, scale = truth[:, :1], truth[:, 1:]
    assert np.all(np.abs(values - level) < 5 * scale)
    assert np.allclose(model.scale_std_, truth[:, 1] * np.sqrt(0.5), rtol=0.3)


def test_series_unseen_in_fit_get_forecasts(global_model) -> None:
    model, _, _ = global_model
    new, truth = many_series(300, seed=1, prefix="new-")
    forecast = model.predict(y=new)
    check_continues(forecast, new)
    values = forecast["y"].to_numpy().reshape(300, H)
    assert np.all(np.abs(values - truth[:, :1]) < 5 * truth[:, 1:])
    # Each series is forecast on its own: alone it gets the same forecast as in the batch.
    for uid in ("new-0", "new-299"):
        alone = model.predict(y=new[new["unique_id"] == uid])
        np.testing.assert_allclose(
            alone["y"].to_numpy(), forecast.loc[forecast["unique_id"] == uid, "y"].to_numpy()
        )


def test_unseen_series_shorter_than_the_lookback_are_forecast(global_model) -> None:
    model, _, _ = global_model
    new, _ = many_series(3, seed=2, prefix="short-")
    short = new.groupby("unique_id", sort=False).tail(5)
    forecast = model.predict(y=short)
    assert forecast["unique_id"].nunique() == 3 and np.isfinite(forecast["y"]).all()
