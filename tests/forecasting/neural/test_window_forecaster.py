"""The contract WindowForecaster gives every neural forecaster, exercised through DLinear."""

from __future__ import annotations

import json
import pickle
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from tests.conftest import make_tiny_model
from tsrm import (
    DLinear,
    ModelFileError,
    NLinear,
    SeriesTooShortError,
    TRMForecaster,
    TSRMInputError,
)
from tsrm.forecasting.neural.estimator import WindowForecaster

H, L = 6, 24
PACKAGE = Path(__file__).resolve().parents[3] / "tsrm"


def tiny_dlinear(**kw) -> DLinear:
    return make_tiny_model("dlinear", **kw)


@pytest.fixture(scope="module")
def fitted(make_data) -> DLinear:
    """A tiny DLinear fitted on the hourly series; tests must not modify it."""
    return tiny_dlinear().fit(make_data.hourly_series())


@pytest.fixture(scope="module")
def saved(fitted, tmp_path_factory) -> Path:
    return fitted.save(tmp_path_factory.mktemp("dlinear") / "model")


# -- fit / predict, every input kind -----------------------------------------------------
def test_is_a_window_forecaster_and_fit_returns_self(hourly_series):
    model = tiny_dlinear(max_epochs=1)
    assert isinstance(model, WindowForecaster)
    assert model.fit(hourly_series) is model


def test_fitted_attributes(fitted):
    assert fitted.n_params_ == 2 * (L * H + H)  # two Linear(L, H)
    assert fitted.config_.lookback == L and fitted.config_.kernel_size == 5
    assert not fitted.network_.training
    history = fitted.history_
    assert len(history["train_loss"]) == len(history["val_loss"]) == 2
    assert history["best_epoch"] == int(np.argmin(history["val_loss"]))
    assert history["fit_seconds"] > 0
    np.testing.assert_array_equal(fitted.context_.values[0], fitted.context_.values[0][-L:])
    assert len(fitted.context_.values[0]) == L


def test_series_forecast_continues_the_index(fitted, hourly_series):
    forecast = fitted.predict()
    assert isinstance(forecast, pd.Series) and forecast.name == "load"
    expected = pd.date_range(hourly_series.index[-1], periods=H + 1, freq="h")[1:]
    assert forecast.index.equals(expected)
    assert np.isfinite(forecast.to_numpy()).all()


def test_wide_frame_and_long_frame(wide_frame, long_frame):
    wide = tiny_dlinear(max_epochs=1).fit(wide_frame).predict()
    assert isinstance(wide, pd.DataFrame) and list(wide.columns) == ["a", "b"]
    assert wide.columns.name == "sensor" and wide.shape == (H, 2)
    long = tiny_dlinear(max_epochs=1).fit(long_frame).predict()
    assert list(long.columns) == ["unique_id", "ds", "y"] and len(long) == 2 * H
    last = long_frame.groupby("unique_id")["ds"].max()
    first = long.groupby("unique_id")["ds"].min()
    assert (first - last == pd.Timedelta("1h")).all()  # each series continues from its own end


def test_numpy_inputs_and_vectorised_windows(fitted, hourly_series):
    values = hourly_series.to_numpy()
    model = tiny_dlinear(max_epochs=1).fit(values)
    assert model.predict().shape == (H,)
    assert model.predict(h=4).shape == (4,)
    # (lookback, k) forecasts k windows in one call, each as if it were alone.
    windows = np.stack([values[i : i + L] for i in (0, 50, 100)], axis=1)
    batch = model.predict(y=windows)
    assert batch.shape == (H, 3)
    for j in range(3):
        np.testing.assert_allclose(batch[:, j], model.predict(y=windows[:, j]), rtol=1e-6)


def test_new_history_is_used_without_refit(fitted, hourly_series):
    before = {k: v.clone() for k, v in fitted.network_.state_dict().items()}
    new = hourly_series.iloc[:200]
    forecast = fitted.predict(y=new)
    assert forecast.index[0] == new.index[-1] + pd.Timedelta("1h")
    assert not np.array_equal(forecast.to_numpy(), fitted.predict().to_numpy())
    for k, v in fitted.network_.state_dict().items():
        assert torch.equal(v, before[k])


def test_h_beyond_horizon_feeds_forecasts_back():
    rng = np.random.default_rng(0)
    y = np.sin(np.arange(300) / 3.0) + rng.normal(0, 0.1, 300)
    model = tiny_dlinear(max_epochs=1, scaling=False).fit(y)
    long = model.predict(h=2 * H + 1)
    assert long.shape == (2 * H + 1,)
    np.testing.assert_array_equal(long[:H], model.predict())
    # The second block is the forecast from the history extended by the first block.
    extended = np.concatenate([y, long[:H]])
    np.testing.assert_allclose(long[H : 2 * H], model.predict(y=extended), rtol=1e-6, atol=1e-6)


def test_same_seed_same_forecast(fitted, hourly_series):
    again = tiny_dlinear().fit(hourly_series).predict()
    assert np.array_equal(again.to_numpy(), fitted.predict().to_numpy())
    other = tiny_dlinear(random_state=1).fit(hourly_series).predict()
    assert not np.allclose(other.to_numpy(), again.to_numpy())


@pytest.mark.filterwarnings("ignore:You defined a `validation_step`")
def test_validation_size_zero_trains_every_epoch(hourly_series):
    model = tiny_dlinear(validation_size=0, max_epochs=3).fit(hourly_series.iloc[:100])
    assert len(model.history_["train_loss"]) == 3
    assert model.history_["val_loss"] == [] and model.history_["best_epoch"] is None


# -- scikit-learn contract -----------------------------------------------------------------
def test_clone_gives_an_unfitted_copy(fitted):
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "network_")
    with pytest.raises(NotFittedError):
        copy.predict()


def test_init_only_stores_its_arguments():
    trainer_kwargs = {"accelerator": "cpu"}
    model = DLinear(horizon=7, lookback=0, kernel_size=-1, trainer_kwargs=trainer_kwargs)
    assert model.trainer_kwargs is trainer_kwargs
    assert (model.horizon, model.lookback, model.kernel_size) == (7, 0, -1)  # checked at fit


@pytest.mark.parametrize("cls", [DLinear, NLinear])
def test_get_params_set_params(cls):
    params = cls(horizon=5).get_params()
    assert params["horizon"] == 5 and params["lookback"] == 336
    other = cls().set_params(**params)
    assert other.get_params() == params


# -- errors -------------------------------------------------------------------------------
def test_too_short_series(hourly_series):
    with pytest.raises(SeriesTooShortError, match=rf"horizon \+ 2 = {H + 2}"):
        tiny_dlinear().fit(hourly_series.iloc[: H + 1])
    # Shorter than one window: left-padded and masked.
    assert np.isfinite(tiny_dlinear().fit(hourly_series.iloc[:35]).predict()).all()
    tiny_dlinear(validation_size=0).fit(hourly_series.iloc[: L + H])  # exactly one window


def test_short_history_at_predict_is_forecast(fitted, hourly_series):
    forecast = fitted.predict(y=hourly_series.iloc[: L - 5])
    assert len(forecast) == H and np.isfinite(forecast.to_numpy()).all()


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"loss": "l2"}, "loss"),
        ({"lookback": 0}, "lookback"),
        ({"horizon": 1.5}, "horizon"),
        ({"kernel_size": 0}, "kernel_size"),
        ({"max_epochs": 0}, "max_epochs"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"validation_size": -1}, "validation_size"),
    ],
)
def test_bad_params(params, word, hourly_series):
    with pytest.raises(TSRMInputError, match=word):
        tiny_dlinear(**params).fit(hourly_series)


def test_predict_and_save_before_fit(tmp_path):
    with pytest.raises(NotFittedError):
        tiny_dlinear().predict()
    with pytest.raises(NotFittedError):
        tiny_dlinear().save(tmp_path / "m")
    assert not (tmp_path / "m").exists()


# -- save / load ---------------------------------------------------------------------------
def test_round_trip_is_identical(fitted, saved, hourly_series, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("loading must not unpickle")

    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(torch, "load", forbidden)
    loaded = DLinear.load(str(saved))
    assert type(loaded) is DLinear
    assert loaded.get_params() == fitted.get_params()
    assert loaded.config_ == fitted.config_ and loaded.n_params_ == fitted.n_params_
    assert loaded.history_["train_loss"] == fitted.history_["train_loss"]
    pd.testing.assert_series_equal(loaded.predict(), fitted.predict(), check_exact=True)
    for kw in ({"h": 2 * H + 1}, {"y": hourly_series.iloc[:100]}):
        assert np.array_equal(loaded.predict(**kw).to_numpy(), fitted.predict(**kw).to_numpy())


def test_model_file_names_its_class(saved):
    config = json.loads((saved / "config.json").read_text())
    assert config["format"] == "tsrm.DLinear"
    assert config["network"] == {"lookback": L, "horizon": H, "kernel_size": 5}


def test_nlinear_round_trip(hourly_series, tmp_path):
    model = make_tiny_model("nlinear").fit(hourly_series)
    loaded = NLinear.load(model.save(tmp_path / "n"))
    assert np.array_equal(loaded.predict().to_numpy(), model.predict().to_numpy())


@pytest.mark.parametrize("other", [TRMForecaster, NLinear])
def test_a_file_of_another_class_is_refused(saved, other):
    with pytest.raises(ModelFileError, match="DLinear"):
        other.load(saved)


def test_a_trm_file_is_refused_by_dlinear(fitted_series_model, tmp_path):
    path = fitted_series_model.save(tmp_path / "trm")
    with pytest.raises(ModelFileError, match=r"not a tsrm DLinear .*TRMForecaster\.load"):
        DLinear.load(path)


def test_damaged_network_settings(saved, tmp_path):
    target = tmp_path / "m"
    target.mkdir()
    for file in saved.iterdir():
        (target / file.name).write_bytes(file.read_bytes())
    config = json.loads((target / "config.json").read_text())
    config["network"]["lookback"] = L + 1
    (target / "config.json").write_text(json.dumps(config))
    with pytest.raises(ModelFileError, match="do not match"):
        DLinear.load(target)


def test_quiet_fit_emits_no_warnings(hourly_series):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tiny_dlinear(max_epochs=1).fit(hourly_series).predict()
        make_tiny_model("nlinear", validation_size=0).fit(hourly_series).predict()
    assert [str(w.message) for w in caught] == []


def test_float32_series_get_float32_forecasts_intervals_and_after_load(tiny_model, tmp_path):
    y = pd.Series(
        (10 + np.sin(np.arange(120) / 3)).astype(np.float32),
        index=pd.date_range("2024", periods=120, freq="h"),
    )
    model = tiny_model().fit(y)
    lower, upper = model.predict_interval()
    quantiles = model.predict_quantiles(quantiles=(0.1, 0.9))
    for out in (model.predict(), model.predict(y=y), lower, upper, *quantiles.values()):
        assert out.dtype == np.float32
    assert model.predict(y=y.astype(np.float64)).dtype == np.float64
    model.save(tmp_path / "m")
    loaded = type(model).load(tmp_path / "m")
    assert loaded.predict().dtype == np.float32
    pd.testing.assert_series_equal(loaded.predict(), model.predict())
