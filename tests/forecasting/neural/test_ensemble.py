"""``n_models``: the median of several networks, fitted, forecast, saved and exported as one."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from tsrm import TRMForecaster
from tsrm.exceptions import TSRMInputError
from tsrm.forecasting.neural.ensemble import MedianEnsemble, median


def test_median_of_odd_and_even_counts():
    stacked = torch.tensor([[3.0, -1.0], [1.0, 5.0], [2.0, 0.0], [10.0, 2.0]])
    torch.testing.assert_close(median(stacked[:3]), torch.tensor([2.0, 0.0]))
    torch.testing.assert_close(median(stacked), torch.tensor([2.5, 1.0]))  # middle two


class _LastValue(nn.Module):
    """Repeats the first value of the window it is given: shows which slice it read."""

    def forward(self, window: torch.Tensor) -> torch.Tensor:
        return window[:, :1].repeat(1, 2)


def test_each_member_reads_its_own_look_back(tiny_model):
    configs = [tiny_model()._network_config(n) for n in (8, 4, 2)]
    ensemble = MedianEnsemble([_LastValue() for _ in configs], configs)
    window = torch.arange(8.0)[None]  # members of different look-backs (a saved file may hold them)
    torch.testing.assert_close(ensemble.each(window)[:, 0, 0], torch.tensor([0.0, 4.0, 6.0]))
    torch.testing.assert_close(ensemble(window), torch.tensor([[4.0, 4.0]]))


@pytest.fixture(scope="module")
def fitted(tiny_model, make_data):
    y = make_data.hourly_series().iloc[:300]
    return tiny_model(lookback="auto", n_models=4, min_epoch_steps=4).fit(y), y


def test_members_are_seeds_of_the_best_look_back(fitted):
    model, _ = fitted
    table = model.selection_
    networks = table[table["candidate"] == "network"]
    assert list(networks["seed"]) == [0, 0, 0, 1, 2, 3]  # three look-backs, then seeds
    best = networks.loc[networks["val_mse"].iloc[:3].idxmin(), "lookback"]
    assert (networks["lookback"].iloc[3:] == best).all()
    members = networks[networks["chosen"]]
    assert len(members) == 4 and (members["lookback"] == best).all()
    row = table.iloc[-1]
    assert row["candidate"] == "median of 4" and bool(row["chosen"])
    assert model.lookback_ == best == model.config_.lookback
    assert np.isfinite(row["val_mse"])


def test_forecast_is_the_members_median(fitted):
    model, _ = fitted
    network = model.network_
    assert isinstance(network, MedianEnsemble) and len(network.members) == 4
    mean, std = model.scale_mean_[0], model.scale_std_[0]
    scaled_context = (model.context_.values[0] - mean) / std
    singles = []
    for member, n in zip(network.members, network.lookbacks, strict=True):
        window = torch.from_numpy(scaled_context[-n:]).float()[None]
        with torch.inference_mode():
            singles.append(member(window)[0].numpy())
    expected = np.median(np.stack(singles), axis=0) * std + mean
    np.testing.assert_allclose(model.predict().to_numpy(), expected, rtol=1e-5)
    assert model.n_params_ == sum(p.numel() for p in network.parameters() if p.requires_grad)


def test_same_seed_same_ensemble(fitted, tiny_model):
    model, y = fitted
    again = tiny_model(lookback="auto", n_models=4, min_epoch_steps=4).fit(y)
    np.testing.assert_array_equal(again.predict(), model.predict())


def test_save_load_and_trace(fitted, tmp_path):
    model, _ = fitted
    loaded = TRMForecaster.load(model.save(tmp_path / "ensemble"))
    assert isinstance(loaded.network_, MedianEnsemble)
    assert loaded.network_.lookbacks == model.network_.lookbacks
    np.testing.assert_array_equal(loaded.predict(), model.predict())
    np.testing.assert_array_equal(loaded.selection_["seed"], model.selection_["seed"])
    forecast, trace = model.predict(return_trace=True)
    np.testing.assert_allclose(trace.steps[-1].to_numpy(), forecast.to_numpy(), rtol=1e-5)


def test_onnx_graph_matches_predict(fitted, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    pytest.importorskip("onnxscript")
    model, _ = fitted
    path = model.export_onnx(tmp_path / "ensemble.onnx")
    window = model.context_.values[0][None].astype(np.float32)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    out = session.run(None, {"window": window})[0][0]
    np.testing.assert_allclose(out, model.predict().to_numpy(), atol=1e-4)


def test_refuses_covariates_and_bad_counts(tiny_model, make_data):
    y = make_data.hourly_series().iloc[:200]
    with pytest.raises(TSRMInputError, match="n_models=2 does not combine"):
        tiny_model(n_models=2, calendar_features=True).fit(y)
    with pytest.raises(TSRMInputError, match="n_models"):
        tiny_model(n_models=0).fit(y)
