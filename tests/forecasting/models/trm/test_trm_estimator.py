"""TRMForecaster follows the scikit-learn estimator contract and is reproducible."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from tsrm import TRMForecaster
from tsrm.forecasting.models.trm.config import NetworkConfig, preset_settings
from tsrm.forecasting.models.trm.module import TSTRMNetwork


def n_params(module: torch.nn.Module) -> int:
    """Trainable parameters: what n_params_ reports."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


# -- scikit-learn contract ------------------------------------------------------
def test_clone_gives_unfitted_copy_with_equal_params(fitted_series_model):
    copy = clone(fitted_series_model)
    assert copy is not fitted_series_model
    assert copy.get_params() == fitted_series_model.get_params()
    assert not hasattr(copy, "network_")
    with pytest.raises(NotFittedError):
        copy.predict()


def test_clone_of_unfitted_model_keeps_every_param(tiny_model):
    model = tiny_model(mixer="attention", loss="huber", validation_size=30, ema_decay=0.9)
    assert clone(model).get_params() == model.get_params()


def test_get_params_set_params_round_trip(tiny_model):
    model = tiny_model(dropout=0.05)
    params = model.get_params()
    other = TRMForecaster()
    assert other.set_params(**params) is other
    assert other.get_params() == params
    model.set_params(hidden_dim=8, loss="mae")
    assert model.get_params()["hidden_dim"] == 8
    assert model.get_params()["loss"] == "mae"


def test_set_params_rejects_unknown_name(tiny_model):
    with pytest.raises(ValueError, match="no_such_param"):
        tiny_model().set_params(no_such_param=1)


def test_init_stores_arguments_unchanged():
    trainer_kwargs = {"accelerator": "cpu"}
    network_kwargs = {"expansion": 1.5}
    model = TRMForecaster(
        horizon=7, trainer_kwargs=trainer_kwargs, network_kwargs=network_kwargs, preset="sketch"
    )
    assert model.trainer_kwargs is trainer_kwargs
    assert model.network_kwargs is network_kwargs
    assert model.horizon == 7
    assert model.preset == "sketch"
    # None means "take the preset's value": __init__ must not resolve it.
    assert model.hidden_dim is None
    assert model.n_supervision is None


def test_fit_returns_self_and_leaves_trainer_kwargs_alone(tiny_model, hourly_series):
    callbacks: list = []
    trainer_kwargs = {"accelerator": "cpu", "callbacks": callbacks}
    model = tiny_model(max_epochs=1, trainer_kwargs=trainer_kwargs)
    assert model.fit(hourly_series) is model
    assert model.trainer_kwargs is trainer_kwargs
    assert trainer_kwargs == {"accelerator": "cpu", "callbacks": []}
    assert callbacks == []


def test_predict_and_save_before_fit_raise_not_fitted(tiny_model, tmp_path):
    model = tiny_model()
    with pytest.raises(NotFittedError):
        model.predict()
    with pytest.raises(NotFittedError):
        model.predict(y=np.arange(100.0))
    with pytest.raises(NotFittedError):
        model.save(tmp_path / "model")
    assert not (tmp_path / "model").exists()


def test_fitted_attributes(fitted_series_model):
    model = fitted_series_model
    assert isinstance(model.n_params_, int)
    assert model.n_params_ == n_params(model.network_) > 0
    history = model.history_
    train, val = history["train_loss"], history["val_loss"]
    assert 1 <= len(train) <= model.max_epochs
    assert len(val) == len(train)
    assert all(np.isfinite(v) for v in train + val)
    assert history["best_epoch"] in range(len(val))
    assert history["best_epoch"] == int(np.argmin(val))
    assert history["fit_seconds"] > 0


@pytest.mark.filterwarnings("ignore:You defined a `validation_step`")
def test_validation_size_zero_trains_all_epochs_without_validation(tiny_model, hourly_series):
    model = tiny_model(validation_size=0, max_epochs=2).fit(hourly_series.iloc[:200])
    assert len(model.history_["train_loss"]) == 2
    assert model.history_["val_loss"] == []
    assert model.history_["best_epoch"] is None
    assert np.isfinite(model.predict().to_numpy()).all()


def test_quiet_fit_emits_no_warnings(tiny_model, hourly_series):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tiny_model(max_epochs=1).fit(hourly_series).predict()
    assert [str(w.message) for w in caught] == []


def test_quiet_fit_without_validation_emits_no_warnings(tiny_model, hourly_series):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tiny_model(max_epochs=1, validation_size=0).fit(hourly_series).predict()
    assert [str(w.message) for w in caught] == []


# -- model size -------------------------------------------------------------------
def test_default_network_has_under_a_million_parameters():
    network = TSTRMNetwork(NetworkConfig(336, 96))
    assert 0 < n_params(network) < 1_000_000


def test_default_estimator_reports_network_size(hourly_series):
    model = TRMForecaster(horizon=6, lookback=48, max_epochs=1, fallback=False)
    model.fit(hourly_series.iloc[:200])
    assert model.n_params_ == n_params(TSTRMNetwork(model.config_)) > 0


def test_sketch_preset_has_the_sketch_reasoner():
    settings = preset_settings("sketch", 336, 96)
    network = TSTRMNetwork(NetworkConfig(336, 96, **settings))
    assert network.cfg.hidden_dim == 64
    shapes = {
        (m.in_features, m.out_features)
        for m in network.reasoner.modules()
        if isinstance(m, torch.nn.Linear)
    }
    assert shapes == {(3 * 64, 64), (64, 2 * 64)}
    assert n_params(network) < 1_000_000


# -- reproducibility ---------------------------------------------------------------
def test_same_seed_same_forecast_other_seed_other_forecast(
    tiny_model, hourly_series, fitted_series_model
):
    again = tiny_model(random_state=0).fit(hourly_series).predict()
    reference = fitted_series_model.predict()
    assert np.array_equal(again.to_numpy(), reference.to_numpy())
    other = tiny_model(random_state=1).fit(hourly_series).predict()
    assert not np.allclose(other.to_numpy(), reference.to_numpy())


def test_fit_writes_nothing_to_the_working_directory(
    tiny_model, hourly_series, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    tiny_model(max_epochs=1).fit(hourly_series).predict()
    assert not (tmp_path / "lightning_logs").exists()
    assert list(tmp_path.iterdir()) == []
