"""PatchTST and TransformerForecaster: the networks do what the paper says, the estimators learn."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
from sklearn.base import clone

from tests.conftest import TINY_SETTINGS
from tsrm import DLinear, ModelFileError, Naive, PatchTST, TransformerForecaster, TSRMInputError
from tsrm.forecasting.metrics import mae
from tsrm.forecasting.models.transformer.module import (
    PATCHTST_PRESETS,
    PatchTSTConfig,
    PatchTSTNetwork,
    TransformerConfig,
    TransformerNetwork,
    patch_end_padded,
    patch_front_padded,
)

H, L = 6, 24
TINY_NET = dict(d_model=8, n_heads=2, d_ff=16, n_layers=1, patch_len=8)
TINY = {
    PatchTST: TINY_SETTINGS["patchtst"],
    TransformerForecaster: TINY_SETTINGS["transformer"],
}


def n_params(module: torch.nn.Module) -> int:
    return sum(p.numel() for p in module.parameters() if p.requires_grad)


def networks() -> list[torch.nn.Module]:
    """Small untrained networks of every kind, variants included."""
    torch.manual_seed(0)
    return [
        PatchTSTNetwork(PatchTSTConfig(lookback=L, horizon=H, stride=4, **TINY_NET)),
        PatchTSTNetwork(
            PatchTSTConfig(lookback=L, horizon=H, **TINY_NET, norm="layer", pre_norm=True)
        ),
        TransformerNetwork(TransformerConfig(lookback=L + 3, horizon=H, **TINY_NET)),
        TransformerNetwork(TransformerConfig(lookback=L, horizon=H, **TINY_NET, head="mean")),
    ]


# -- patching -------------------------------------------------------------------------------
def test_end_padded_patches_by_hand():
    window = torch.arange(10.0).unsqueeze(0)
    patches = patch_end_padded(window, patch_len=4, stride=3)
    # 0..9 then three copies of 9; patches start at 0, 3, 6, 9: (10 - 4) // 3 + 2 = 4 patches
    expected = [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9], [9, 9, 9, 9]]
    assert torch.equal(patches, torch.tensor([expected], dtype=torch.float32))
    assert PatchTSTConfig(lookback=10, horizon=1, patch_len=4, stride=3).n_patches == 4


def test_the_papers_setting_has_42_patches():
    cfg = PatchTSTConfig(lookback=336, horizon=96)
    assert (cfg.patch_len, cfg.stride, cfg.n_patches) == (16, 8, 42)
    assert patch_end_padded(torch.zeros(2, 336), 16, 8).shape == (2, 42, 16)


def test_front_padded_patches_by_hand():
    window = torch.arange(10.0).unsqueeze(0)
    # two copies of the first value in front, so the last patch ends at the last value
    expected = [[0, 0, 0, 1], [2, 3, 4, 5], [6, 7, 8, 9]]
    assert torch.equal(patch_front_padded(window, 4), torch.tensor([expected]).float())
    assert torch.equal(patch_front_padded(window, 5), window.view(1, 2, 5))
    assert TransformerConfig(lookback=10, horizon=1, patch_len=4).n_patches == 3


# -- networks -------------------------------------------------------------------------------
@pytest.mark.parametrize("index", range(4))
def test_output_shapes(index):
    network = networks()[index]
    assert network(torch.randn(5, network.cfg.lookback)).shape == (5, H)
    assert network(torch.randn(1, network.cfg.lookback)).shape == (1, H)


@pytest.mark.parametrize("index", range(4))
@pytest.mark.parametrize(("scale", "shift"), [(1.0, -1000.0), (1.0, 7.5), (3.0, 0.0), (0.2, 40.0)])
def test_revin_makes_the_forecast_shift_and_scale_with_the_window(index, scale, shift):
    network = networks()[index].double().eval()
    window = 5.0 * torch.randn(8, network.cfg.lookback, dtype=torch.float64)
    with torch.no_grad():
        moved, base = network(scale * window + shift), network(window)
    # Not exact only through RevIN's eps (1e-5 added to a variance of about 25 * scale**2).
    atol = 1e-5 * (1.0 + abs(shift))
    torch.testing.assert_close(moved, scale * base + shift, rtol=1e-5, atol=atol)


def test_without_revin_a_shift_is_not_passed_through():
    torch.manual_seed(0)
    cfg = PatchTSTConfig(lookback=L, horizon=H, stride=4, revin=False, **TINY_NET)
    network = PatchTSTNetwork(cfg).eval()
    window = torch.randn(4, L)
    with torch.no_grad():
        assert not torch.allclose(network(window + 10.0), network(window) + 10.0, atol=1e-2)


def test_batchnorm_in_eval_mode_forecasts_each_window_alone():
    network = networks()[0].eval()
    assert isinstance(network.encoder.layers[0].norm_attention, torch.nn.BatchNorm1d)
    windows = torch.randn(6, L)
    with torch.no_grad():
        together = network(windows)
        alone = torch.cat([network(w.unsqueeze(0)) for w in windows])
    torch.testing.assert_close(together, alone)


def test_parameter_counts_by_hand():
    # ETTh preset at L=336, H=96: d=16, 4 heads, d_ff=128, 3 layers, 42 patches of 16.
    #   patch embedding Linear(16, 16):                     16*16 + 16           =    272
    #   learnable positions 42 x 16:                                             =    672
    #   per layer: Q, K, V Linear(16, 16) with bias          3 * (16*16 + 16)    =    816
    #              output projection Linear(16, 16)          16*16 + 16          =    272
    #              feed-forward Linear(16, 128), Linear(128, 16)
    #                                                        16*128+128 + 128*16+16 = 4240
    #              two BatchNorms (weight, bias)             2 * 2 * 16          =     64
    #              = 5392, times 3 layers                                        = 16,176
    #   flatten head Linear(42*16, 96):                      672*96 + 96         = 64,608
    #   total                                                                    = 81,728
    cfg = PatchTSTConfig.from_preset("etth", lookback=336, horizon=96)
    assert n_params(PatchTSTNetwork(cfg)) == 81_728
    # "default" preset, same arithmetic with d=128, d_ff=256: 2,176 + 5,376 + 3 * 132,480
    # + (42*128*96 + 96) = 921,184; BatchNorm and LayerNorm have the same weights.
    cfg = PatchTSTConfig.from_preset("default", lookback=336, horizon=96)
    assert n_params(PatchTSTNetwork(cfg)) == 921_184
    layer_norm = PatchTSTConfig.from_preset("default", lookback=336, horizon=96, norm="layer")
    assert n_params(PatchTSTNetwork(layer_norm)) == 921_184
    # Transformer defaults (21 patches of 16, d=64, d_ff=128, 2 pre-norm layers): 1,088
    # + 1,344 + 2 * 33,472 + final LayerNorm 128 + head (21*64*96 + 96 = 129,120) = 198,624.
    assert n_params(TransformerNetwork(TransformerConfig(lookback=336, horizon=96))) == 198_624


def test_presets():
    assert PATCHTST_PRESETS["etth"] == dict(
        d_model=16, n_heads=4, d_ff=128, n_layers=3, dropout=0.3
    )
    default = PatchTST(horizon=96)._network_config(336)
    assert default == PatchTSTConfig(lookback=336, horizon=96)  # the "default" preset
    etth = PatchTST(horizon=96, preset="etth", d_model=32)._network_config(336)
    assert (etth.d_model, etth.n_heads, etth.d_ff, etth.dropout) == (32, 4, 128, 0.3)
    assert (etth.patch_len, etth.stride, etth.head_dropout, etth.norm) == (16, 8, 0.0, "batch")


@pytest.mark.parametrize(
    ("cls", "bad", "match"),
    [
        (PatchTST, {"preset": "ettm"}, "preset"),
        (PatchTST, {"d_model": 10, "n_heads": 4}, "multiple of n_heads"),
        (PatchTST, {"stride": 0}, "stride"),
        (PatchTST, {"norm": "rms"}, "norm"),
        (PatchTST, {"patch_len": 30}, "patch_len"),
        (TransformerForecaster, {"head": "last"}, "head"),
        (TransformerForecaster, {"dropout": 1.0}, "dropout"),
        (TransformerForecaster, {"n_layers": 0}, "n_layers"),
    ],
)
def test_bad_settings_are_reported_before_training(cls, bad, match, hourly_series):
    with pytest.raises(TSRMInputError, match=match):
        cls(**{**TINY[cls], **bad}).fit(hourly_series)


@pytest.mark.parametrize("cls", [PatchTST, TransformerForecaster])
def test_clone_and_get_params(cls):
    model = cls(**TINY[cls])
    params = model.get_params()
    assert clone(model).get_params() == params
    assert params["d_model"] == 8 and params["horizon"] == H
    model.set_params(d_model=np.int64(4))  # numpy integers are plain ints in the settings
    assert type(model._network_config(model.lookback).d_model) is int
    assert cls().get_params()["lookback"] == 336


# -- fit, predict, save, load ---------------------------------------------------------------
@pytest.fixture(scope="module", params=[PatchTST, TransformerForecaster])
def fitted(request, make_data):
    cls = request.param
    series = make_data.hourly_series(n=300)
    start = time.perf_counter()
    model = cls(**TINY[cls]).fit(series)
    return model, series, time.perf_counter() - start


def test_fit_predict(fitted):
    model, series, seconds = fitted
    assert not model.network_.training
    assert model.n_params_ == n_params(model.network_)
    assert len(model.history_["train_loss"]) == 2
    forecast = model.predict()
    assert forecast.shape == (H,) and np.isfinite(forecast.to_numpy()).all()
    assert model.predict(h=2 * H + 1).shape == (2 * H + 1,)
    assert seconds < 10  # the first fit of the session also imports Lightning


def test_save_load_round_trip_is_bitwise_identical(fitted, tmp_path):
    model, series, _ = fitted
    loaded = type(model).load(model.save(tmp_path / "m"))
    assert type(loaded) is type(model)
    assert loaded.get_params() == model.get_params() and loaded.config_ == model.config_
    state, saved_state = loaded.network_.state_dict(), model.network_.state_dict()
    assert state.keys() == saved_state.keys()  # BatchNorm's running statistics included
    assert all(torch.equal(state[k], saved_state[k]) for k in state)
    for kw in ({}, {"h": 2 * H + 1}, {"y": series.iloc[:100]}):
        assert np.array_equal(loaded.predict(**kw).to_numpy(), model.predict(**kw).to_numpy())


def test_a_patchtst_file_is_refused_by_other_classes(fitted, tmp_path):
    model, _, _ = fitted
    path = model.save(tmp_path / "m")
    name = type(model).__name__
    others = [DLinear, PatchTST if name != "PatchTST" else TransformerForecaster]
    for other in others:
        with pytest.raises(ModelFileError, match=rf"{name} model; load it with {name}\.load"):
            other.load(path)


@pytest.mark.parametrize(
    ("cls", "settings"),
    [
        (PatchTST, dict(patch_len=8, stride=4, learning_rate=3e-3)),
        (TransformerForecaster, dict(patch_len=8, learning_rate=3e-3)),
    ],
)
def test_learns_a_noisy_sine_better_than_naive(cls, settings):
    rng = np.random.default_rng(1)
    t = np.arange(400)
    y = np.sin(2 * np.pi * t / 12) + rng.normal(0.0, 0.3, t.size)
    train, test = y[:-12], y[-12:]

    start = time.perf_counter()
    model = cls(
        horizon=12,
        lookback=48,
        d_model=16,
        n_heads=2,
        d_ff=32,
        n_layers=1,
        dropout=0.0,
        max_epochs=4,
        batch_size=32,
        verbose=False,
        **settings,
    ).fit(train)
    elapsed = time.perf_counter() - start

    model_mae = mae(test, model.predict())
    naive_mae = mae(test, Naive(horizon=12).fit(train).predict())
    # Measured: 0.12-0.15 of naive's 1.36 over three seeds, about 0.1 s per fit.
    assert model_mae < 0.3 * naive_mae, (model_mae, naive_mae)
    assert model_mae < 0.35  # the noise floor is E|N(0, 0.3)| ~ 0.24
    losses = model.history_["train_loss"]
    assert losses[-1] < 0.5 * losses[0]
    assert elapsed < 5
