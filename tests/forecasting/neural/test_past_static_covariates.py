"""Past-observed covariates (``past_covariates``) and static per-series features (``static``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from tests.conftest import TINY
from tsrm import DLinear, TRMForecaster
from tsrm.exceptions import MissingValuesError, TSRMInputError

H = TINY["horizon"]
# Enough optimiser steps for the zero-initialised covariate weights to reach their values.
TRAIN = dict(TINY, max_epochs=12, batch_size=16, learning_rate=1e-2, validation_size=0.1)
LINEAR = dict(horizon=H, lookback=3, max_epochs=12, batch_size=16, learning_rate=1e-2)
LINEAR["verbose"] = False


def lagged(n: int = 360, seed: int = 0) -> tuple[pd.Series, pd.DataFrame]:
    """y_t = noise + 3 x_{t-H}, x random: the history of y says nothing, x's history all.

    The lag is the horizon so that every forecast step depends on an x value observed
    before the forecast origin (with lag 1 only the first step could use it).
    """
    rng = np.random.default_rng(seed)
    index = pd.date_range("2021-01-01", periods=n, freq="h")
    x = rng.normal(size=n)
    y = pd.Series(0.3 * rng.normal(size=n) + 3 * np.r_[np.zeros(H), x[:-H]], index=index)
    return y.rename("load"), pd.DataFrame({"x": x}, index=index)


def levels(m: int = 240, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Six noisy series whose level is twice a static feature; the true level per series.

    Per-series scaling would remove the level (and with it what the feature explains),
    so the models of this test run with scaling=False.
    """
    rng = np.random.default_rng(seed)
    ids = [f"s{i}" for i in range(6)]
    feature = np.array([-2.0, -1.0, 0.0, 1.0, 2.0, 3.0])
    index = pd.date_range("2021-01-01", periods=m, freq="h")
    wide = pd.DataFrame(
        {sid: 2 * f + 2 * rng.normal(size=m) for sid, f in zip(ids, feature, strict=True)},
        index=index,
    )
    return wide, pd.DataFrame({"level": feature}, index=ids), 2 * feature


@pytest.fixture(scope="module")
def past_fitted():
    y, X = lagged()
    return TRMForecaster(**TRAIN, past_covariates=("x",)).fit(y[: -8 * H], X=X[: -8 * H])


@pytest.fixture(scope="module")
def static_fitted():
    wide, static, _ = levels()
    return DLinear(**LINEAR, scaling=False).fit(wide.iloc[:-H], static=static)


def tail_mae(model, y: pd.Series, X: pd.DataFrame | None, folds: int = 8) -> float:
    """Mean MAE over the last ``folds`` horizons, each forecast from the history before it."""
    errors = []
    for end in range(len(y) - folds * H, len(y), H):
        # X only up to the origin: a past covariate is not known beyond it.
        forecast = model.predict(y=y[:end], X=None if X is None else X[:end])
        errors.append(np.abs(forecast.to_numpy() - y[end : end + H].to_numpy()).mean())
    return float(np.mean(errors))


def test_past_covariate_beats_history_alone(past_fitted):
    y, X = lagged()
    plain = TRMForecaster(**TRAIN).fit(y[: -8 * H])
    plain_mae, past_mae = tail_mae(plain, y, None), tail_mae(past_fitted, y, X)
    # noise 0.3 vs signal 3 x: the history alone is near 2.4 MAE (measured 1.96 vs 0.29)
    assert past_mae < 0.4 * plain_mae, (past_mae, plain_mae)
    assert past_fitted.covariates_.past == ("x",)
    assert past_fitted.covariates_.columns == ()
    # one lookback -> horizon map for the one past column, nothing else
    assert past_fitted.n_params_ == plain.n_params_ + TINY["lookback"] * H


def test_static_feature_beats_history_alone(static_fitted):
    wide, static, level = levels()
    plain = DLinear(**LINEAR, scaling=False).fit(wide.iloc[:-H])
    truth = np.broadcast_to(level, (H, len(level)))
    plain_err = np.abs(plain.predict().to_numpy() - truth).mean()
    static_err = np.abs(static_fitted.predict(static=static).to_numpy() - truth).mean()
    assert static_err < 0.7 * plain_err, (static_err, plain_err)  # measured 0.47 vs 1.03
    assert static_fitted.covariates_.static == ("level",)
    # the same feature rows in another order, or as a long-style frame, read the same
    shuffled = static.iloc[::-1]
    pd.testing.assert_frame_equal(
        static_fitted.predict(static=shuffled), static_fitted.predict(static=static)
    )
    long_style = static.rename_axis("unique_id").reset_index()
    pd.testing.assert_frame_equal(
        static_fitted.predict(static=long_style), static_fitted.predict(static=static)
    )


def test_past_and_future_columns_together():
    y, X = lagged(200)
    X = X.assign(known=np.sin(np.arange(len(X))))
    model = DLinear(**LINEAR, past_covariates=("x",)).fit(y[:-H], X=X[:-H])
    assert model.covariates_.columns == ("known",) and model.covariates_.past == ("x",)
    # the past column up to the origin, the future one for the h steps after it
    forecast = model.predict(X=X)
    assert forecast.index.equals(y.index[-H:])
    with pytest.raises(TSRMInputError, match="lacks"):
        model.predict(X=X[:-H])  # no future rows for the future-known column


def test_unknown_past_column_is_named():
    y, X = lagged(120)
    with pytest.raises(TSRMInputError, match=r"past_covariates names \['nope'\]"):
        DLinear(**LINEAR, past_covariates=("nope",)).fit(y, X=X)
    with pytest.raises(TSRMInputError, match="but fit got no X"):
        DLinear(**LINEAR, past_covariates=("x",)).fit(y)
    with pytest.raises(TSRMInputError, match="past_covariates must be"):
        DLinear(**LINEAR, past_covariates=(1,)).fit(y, X=X)


def test_past_covariates_limits(past_fitted):
    y, X = lagged()
    with pytest.raises(TSRMInputError, match="at most horizon"):
        past_fitted.predict(h=H + 1, X=X)
    with pytest.raises(TSRMInputError, match="predict needs X"):
        past_fitted.predict()
    with pytest.raises(TSRMInputError, match="pandas"):
        DLinear(**LINEAR, past_covariates=("x",)).fit(y.to_numpy(), X=X.to_numpy())


def test_static_errors(static_fitted):
    wide, static, _ = levels(80)
    with pytest.raises(TSRMInputError, match=r"static lacks 1 series \('s5'\)"):
        DLinear(**LINEAR).fit(wide, static=static.iloc[:-1])
    with pytest.raises(MissingValuesError, match="'s2'"):
        DLinear(**LINEAR).fit(
            wide, static=static.assign(level=static.level.where(static.level != 0))
        )
    with pytest.raises(TSRMInputError, match=r"static lacks 2 series \('s0', 's1'\)"):
        static_fitted.predict(static=static.iloc[2:])
    with pytest.raises(TSRMInputError, match="predict needs static"):
        static_fitted.predict()
    with pytest.raises(TSRMInputError, match="columns it had in fit"):
        static_fitted.predict(static=static.rename(columns={"level": "other"}))
    plain = DLinear(**{**LINEAR, "max_epochs": 1}).fit(wide)
    with pytest.raises(TSRMInputError, match="fitted without static"):
        plain.predict(static=static)


def test_unsupported_paths_refuse_clearly(past_fitted, tmp_path):
    pytest.importorskip("onnxscript")
    with pytest.raises(TSRMInputError, match="future-known covariates.*uses past_covariates"):
        past_fitted.export_onnx(tmp_path / "m.onnx")


def test_intervals_and_traces_read_the_past_covariates(past_fitted):
    _, X = lagged()
    past = X[: -8 * H]  # up to the forecast origin
    point = past_fitted.predict(X=past)
    lower, upper = past_fitted.predict_interval(X=past)
    assert (lower <= point).all() and (point <= upper).all()
    np.testing.assert_allclose(past_fitted.predict_quantiles(X=past)[0.5], point)
    forecast, trace = past_fitted.predict(X=past, return_trace=True)
    pd.testing.assert_series_equal(forecast, point)
    pd.testing.assert_series_equal(trace.steps[-1], point)
    # The past covariates move the forecast of every step.
    _, moved = past_fitted.predict(X=past * 2.0, return_trace=True)
    assert not np.allclose(moved.steps[0], trace.steps[0])


def test_save_load_round_trip(past_fitted, static_fitted, tmp_path):
    y, X = lagged()
    X = X[: -8 * H]
    past_fitted.save(tmp_path / "p")
    loaded = TRMForecaster.load(tmp_path / "p")
    assert loaded.covariates_.past == ("x",)
    np.testing.assert_array_equal(loaded.covariates_.std, past_fitted.covariates_.std)
    pd.testing.assert_series_equal(loaded.predict(X=X), past_fitted.predict(X=X))

    _, static, _ = levels()
    static_fitted.save(tmp_path / "s")
    again = DLinear.load(tmp_path / "s")
    assert again.covariates_.static == ("level",)
    np.testing.assert_array_equal(again.covariates_.mean, static_fitted.covariates_.mean)
    pd.testing.assert_frame_equal(
        again.predict(static=static), static_fitted.predict(static=static)
    )


def test_models_without_them_are_unchanged():
    y, _ = lagged(200)
    kw = dict(LINEAR, random_state=3)
    a, b = DLinear(**kw).fit(y), DLinear(**kw, past_covariates=None).fit(y)
    assert a.covariates_ is None and b.covariates_ is None
    pd.testing.assert_series_equal(a.predict(), b.predict())
    assert not any("past" in k or "static" in k for k in a.network_.state_dict())
    torch.testing.assert_close(
        torch.cat([p.flatten() for p in a.network_.parameters()]),
        torch.cat([p.flatten() for p in b.network_.parameters()]),
    )
