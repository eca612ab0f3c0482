"""The missing-values policy: NaN targets are masked out of the loss, NaN inputs filled."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from reliability_helpers import NEURAL, hourly, trm

from tsrm.exceptions import MissingValuesError
from tsrm.forecasting.models.trm.lightning_module import TSTRMLightning
from tsrm.forecasting.models.trm.module import TSTRMNetwork
from tsrm.forecasting.neural.lightning_module import Batch, PointForecastModule
from tsrm.forecasting.series import WindowDataset
from tsrm.forecasting.series.scaling import fill_missing


def _gappy(n: int = 400, fraction: float = 0.1, seed: int = 3) -> pd.Series:
    y = hourly(n, seed=seed)
    rng = np.random.default_rng(seed)
    y.iloc[rng.choice(n, int(fraction * n), replace=False)] = np.nan
    return y


@pytest.mark.parametrize("name", list(NEURAL))
def test_ten_percent_gaps_train_and_forecast_finite_values(name):
    y = _gappy()
    assert y.isna().mean() == pytest.approx(0.1)
    model = NEURAL[name](max_epochs=3).fit(y)
    forecast = model.predict(h=15)  # beyond the horizon: forecasts fed back as history
    assert np.isfinite(forecast.to_numpy()).all()
    assert np.isfinite(model.history_["train_loss"]).all()
    assert np.isfinite(model.history_["val_loss"]).all()
    assert np.isfinite(model.context_.values[0]).all()
    # Gaps do not make the forecast leave the series' range.
    assert forecast.between(y.min() - 3, y.max() + 3).all()


def test_gaps_in_the_lookback_window_are_filled_as_documented():
    """predict(y=...) with NaN equals predict on the forward-filled history (no scaling)."""
    model = trm(scaling=False).fit(hourly(200))
    y = hourly(200, seed=9)
    y.iloc[[0, 1, 150, 190, 191, 199]] = np.nan  # leading, middle and final gaps
    filled = y.ffill().bfill()
    np.testing.assert_array_equal(model.predict(y=y), model.predict(y=filled))


def test_fill_missing():
    values = np.array([np.nan, np.nan, 1.0, np.nan, 3.0, np.nan])
    np.testing.assert_array_equal(fill_missing(values), [1.0, 1.0, 1.0, 1.0, 3.0, 3.0])
    clean = np.arange(3.0)
    assert fill_missing(clean) is clean


def test_window_dataset_mask_marks_missing_targets():
    series = np.arange(10.0)
    observed = np.ones(10, dtype=bool)
    observed[[3, 8]] = False
    ds = WindowDataset([series], 3, 2, [(0, 10)], [observed])
    x, y, m = ds.__getitems__(list(range(len(ds))))
    assert x.shape == (6, 3) and y.shape == m.shape == (6, 2)
    np.testing.assert_array_equal(m.numpy() == 0, np.isin(y.numpy(), [3.0, 8.0]))


@pytest.mark.parametrize("kind", ["mse", "mae", "huber"])
@pytest.mark.parametrize("module_cls", ["point", "trm"])
def test_masked_targets_do_not_change_loss_or_gradients(kind, module_cls):
    """Whatever value sits at a masked target, loss and gradients are those of the rest."""
    torch.manual_seed(0)
    if module_cls == "point":
        module = PointForecastModule(torch.nn.Linear(12, 4), loss=kind)
    else:
        from tsrm.forecasting.models.trm.config import NetworkConfig

        cfg = NetworkConfig(lookback=12, horizon=4, hidden_dim=8, patch_len=4, stride=4)
        module = TSTRMLightning(TSTRMNetwork(cfg), loss=kind)
    window, target = torch.randn(5, 12), torch.randn(5, 4)
    mask = torch.ones(5, 4)
    mask[0, 1] = mask[2, :] = mask[4, 3] = 0.0

    def loss_and_grads(garbage: float):
        module.zero_grad()
        poisoned = torch.where(mask.bool(), target, torch.full_like(target, garbage))
        loss = module._training_loss(Batch(window, poisoned, mask))
        loss.backward()
        grads = [p.grad.clone() for p in module.network.parameters() if p.grad is not None]
        return loss.detach(), grads

    loss_a, grads_a = loss_and_grads(0.0)
    loss_b, grads_b = loss_and_grads(1e6)
    assert torch.equal(loss_a, loss_b)
    for a, b in zip(grads_a, grads_b, strict=True):
        assert torch.equal(a, b)
    if module_cls == "point":  # and it is the mean over observed values only
        from tsrm.forecasting.neural.lightning_module import pointwise_loss

        errors = pointwise_loss(kind, module.network(window)[..., None], target[..., None])
        expected = errors[mask.bool()].mean()
        torch.testing.assert_close(loss_a, expected.detach())


@pytest.mark.parametrize("name", list(NEURAL))
def test_training_with_nan_targets_equals_training_without_them(name):
    """Behaviour of the estimator: with horizon 1 and one batch per epoch, NaN at the last
    three points leaves exactly the windows of the truncated series in the loss (their
    inputs never touch the NaN), so both fits must end with the same weights. A loss that
    counted the filled values as targets would differ (checked below)."""
    y = hourly(150).to_numpy()
    settings = dict(horizon=1, validation_size=0, max_epochs=3, batch_size=1024, random_state=4)
    if name == "TRMForecaster":  # one pass, no dropout: both fits then draw the same numbers
        settings.update(min_epoch_steps=0, dropout=0.0)
    gappy = y.copy()
    gappy[-3:] = np.nan
    masked = NEURAL[name](**settings).fit(gappy)
    truncated = NEURAL[name](**settings).fit(y[:-3])
    filled = NEURAL[name](**settings).fit(fill_missing(gappy))  # filled values as targets
    np.testing.assert_allclose(masked.scale_mean_, truncated.scale_mean_, rtol=1e-12)
    np.testing.assert_allclose(masked.scale_std_, truncated.scale_std_, rtol=1e-12)
    differs = False
    for key, value in masked.network_.state_dict().items():
        torch.testing.assert_close(value, truncated.network_.state_dict()[key], atol=1e-6, rtol=0)
        differs |= not torch.allclose(value, filled.network_.state_dict()[key], atol=1e-6)
    assert differs, "the test cannot tell a masked loss from one that uses filled targets"


def test_missing_error_policy_rejects_nan_at_predict_too():
    model = trm(missing="error").fit(hourly(200))
    y = hourly(200)
    y.iloc[-3] = np.nan
    with pytest.raises(MissingValuesError, match="missing='mask'"):
        model.predict(y=y)


def test_long_frame_with_gaps_and_an_all_missing_series():
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], 150),
            "ds": np.tile(pd.date_range("2024-01-01", periods=150, freq="h"), 2),
            "y": np.r_[_gappy(150).to_numpy(), _gappy(150, seed=5).to_numpy()],
        }
    )
    forecast = trm().fit(frame).predict()
    assert np.isfinite(forecast["y"]).all() and len(forecast) == 12
    frame.loc[frame["unique_id"] == "b", "y"] = np.nan
    with pytest.raises(MissingValuesError, match="series 'b' holds only NaN"):
        trm().fit(frame)


def test_model_fitted_on_gaps_round_trips(tmp_path):
    model = trm().fit(_gappy(200))
    loaded = type(model).load(model.save(tmp_path / "m"))
    pd.testing.assert_series_equal(model.predict(), loaded.predict())
