"""save() / load(): exact round trips, clear errors for damaged files, and no pickle."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest
import torch

from tsrm import ModelFileError, TRMForecaster


@pytest.fixture(scope="module")
def saved_series_dir(fitted_series_model, tmp_path_factory):
    return fitted_series_model.save(tmp_path_factory.mktemp("series") / "model")


@pytest.fixture
def damaged_copy(saved_series_dir, tmp_path):
    """A fresh copy of the saved series model that a test may damage."""
    target = tmp_path / "model"
    target.mkdir()
    for file in saved_series_dir.iterdir():
        (target / file.name).write_bytes(file.read_bytes())
    return target


def edit_config(path, edit) -> None:
    file = path / "config.json"
    config = json.loads(file.read_text())
    edit(config)
    file.write_text(json.dumps(config))


# -- round trips ---------------------------------------------------------------------
def test_save_writes_json_and_safetensors(saved_series_dir):
    names = sorted(p.name for p in saved_series_dir.iterdir())
    assert names == ["config.json", "model.safetensors"]
    json.loads((saved_series_dir / "config.json").read_text())


def test_series_model_round_trip(fitted_series_model, saved_series_dir, hourly_series):
    loaded = TRMForecaster.load(saved_series_dir)
    assert isinstance(loaded, TRMForecaster)
    assert loaded.get_params() == fitted_series_model.get_params()
    assert loaded.n_params_ == fitted_series_model.n_params_
    assert loaded.history_["train_loss"] == fitted_series_model.history_["train_loss"]
    assert loaded.history_["best_epoch"] == fitted_series_model.history_["best_epoch"]

    original, restored = fitted_series_model.predict(), loaded.predict()
    assert np.array_equal(restored.to_numpy(), original.to_numpy())
    pd.testing.assert_series_equal(restored, original, check_freq=True)

    long_h = 2 * fitted_series_model.horizon + 1
    assert np.array_equal(
        loaded.predict(h=long_h).to_numpy(), fitted_series_model.predict(h=long_h).to_numpy()
    )
    new = hourly_series.iloc[:200]
    assert np.array_equal(
        loaded.predict(y=new).to_numpy(), fitted_series_model.predict(y=new).to_numpy()
    )
    _, trace = loaded.predict(return_trace=True)
    _, trace0 = fitted_series_model.predict(return_trace=True)
    for a, b in zip(trace.steps, trace0.steps, strict=True):
        assert np.array_equal(a.to_numpy(), b.to_numpy())


def test_long_frame_model_round_trip(fitted_long_model, tmp_path):
    path = fitted_long_model.save(tmp_path / "long")
    loaded = TRMForecaster.load(path)
    original, restored = fitted_long_model.predict(), loaded.predict()
    assert np.array_equal(restored["y"].to_numpy(), original["y"].to_numpy())
    pd.testing.assert_frame_equal(restored, original)
    assert loaded.get_params() == fitted_long_model.get_params()


def test_load_accepts_str_path(saved_series_dir, fitted_series_model):
    loaded = TRMForecaster.load(str(saved_series_dir))
    assert np.array_equal(loaded.predict().to_numpy(), fitted_series_model.predict().to_numpy())


def test_saving_over_an_existing_model_replaces_it(
    fitted_series_model, fitted_long_model, tmp_path
):
    path = tmp_path / "model"
    fitted_series_model.save(path)
    fitted_long_model.save(path)
    forecast = TRMForecaster.load(path).predict()
    assert isinstance(forecast, pd.DataFrame)
    assert set(forecast["unique_id"]) == {"a", "b"}


def test_halting_and_sketch_models_round_trip(tiny_model, hourly_series, tmp_path):
    for i, overrides in enumerate(
        [{"halting": True, "n_supervision": 3}, {"preset": "sketch", "hidden_dim": None}]
    ):
        model = tiny_model(max_epochs=1, **overrides).fit(hourly_series.iloc[:200])
        loaded = TRMForecaster.load(model.save(tmp_path / str(i)))
        assert np.array_equal(loaded.predict().to_numpy(), model.predict().to_numpy())
        assert loaded.config_ == model.config_


def test_load_never_unpickles(saved_series_dir, fitted_series_model, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("pickle/torch.load must not be used to load a model")

    monkeypatch.setattr(pickle, "load", forbidden)
    monkeypatch.setattr(pickle, "loads", forbidden)
    monkeypatch.setattr(torch, "load", forbidden)
    loaded = TRMForecaster.load(saved_series_dir)
    assert np.array_equal(loaded.predict().to_numpy(), fitted_series_model.predict().to_numpy())


# -- damaged or foreign files ---------------------------------------------------------------
def test_missing_directory(tmp_path):
    with pytest.raises(ModelFileError, match="config.json"):
        TRMForecaster.load(tmp_path / "does-not-exist")


def test_corrupted_json(damaged_copy):
    (damaged_copy / "config.json").write_text('{"format": "tsrm.TRMForecaster", ')
    with pytest.raises(ModelFileError, match="JSON"):
        TRMForecaster.load(damaged_copy)


def test_not_a_tsrm_file(damaged_copy):
    edit_config(damaged_copy, lambda c: c.update(format="something.else"))
    with pytest.raises(ModelFileError, match="not a tsrm"):
        TRMForecaster.load(damaged_copy)


def test_wrong_format_version(damaged_copy):
    edit_config(damaged_copy, lambda c: c.update(format_version=999))
    with pytest.raises(ModelFileError, match="version"):
        TRMForecaster.load(damaged_copy)


@pytest.mark.parametrize("keep", [0.5, 0.01])
def test_truncated_safetensors(damaged_copy, keep):
    weights = damaged_copy / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: max(4, int(len(data) * keep))])
    with pytest.raises(ModelFileError, match="corrupted or truncated"):
        TRMForecaster.load(damaged_copy)


def test_missing_weights_file(damaged_copy):
    (damaged_copy / "model.safetensors").unlink()
    with pytest.raises(ModelFileError, match="model.safetensors"):
        TRMForecaster.load(damaged_copy)


def test_edited_hidden_dim_disagrees_with_tensors(damaged_copy):
    edit_config(damaged_copy, lambda c: c["network"].update(hidden_dim=8))
    with pytest.raises(ModelFileError, match="do not match"):
        TRMForecaster.load(damaged_copy)


def test_edited_lookback_disagrees_with_tensors(damaged_copy):
    edit_config(damaged_copy, lambda c: c["network"].update(lookback=30))
    with pytest.raises(ModelFileError):
        TRMForecaster.load(damaged_copy)


@pytest.mark.parametrize("key", ["network", "params", "context"])
def test_config_missing_a_section(damaged_copy, key):
    edit_config(damaged_copy, lambda c: c.pop(key))
    with pytest.raises(ModelFileError):
        TRMForecaster.load(damaged_copy)


@pytest.mark.parametrize("key", ["history", "n_params"])
def test_config_missing_bookkeeping_key_still_loads(damaged_copy, key):
    # Bookkeeping is not needed to forecast: n_params_ is recounted, history_ may be empty.
    edit_config(damaged_copy, lambda c: c.pop(key))
    model = TRMForecaster.load(damaged_copy)
    assert model.n_params_ == sum(p.numel() for p in model.network_.parameters() if p.requires_grad)
    assert np.isfinite(np.asarray(model.predict())).all()


def test_model_file_errors_are_value_errors(tmp_path):
    with pytest.raises(ValueError):
        TRMForecaster.load(tmp_path)
