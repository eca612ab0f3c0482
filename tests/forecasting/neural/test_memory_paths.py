"""The memory-saving paths of neural training give the results of the plain ones (issue 7).

Float32 input is trained on without a float64 copy, series are scaled straight into the
float32 training buffer, and calibration works a column at a time: none of it may change
what is learnt.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from tests.conftest import TINY
from tsrm import TRMForecaster
from tsrm.forecasting.neural.conformal import Calibration


def _fit(y):
    model = TRMForecaster(**{**TINY, "max_epochs": 1, "missing": "mask", "random_state": 0})
    return model.fit(y)


def test_float32_input_learns_what_its_float64_copy_does():
    rng = np.random.default_rng(0)
    y32 = (10 + rng.standard_normal((160, 3))).astype(np.float32)
    y32[7:11, 1] = np.nan  # missing values take the same path too
    before = y32.copy()
    a, b = _fit(y32), _fit(y32.astype(np.float64))
    assert (a.predict().dtype, b.predict().dtype) == (np.float32, np.float64)
    assert np.array_equal(a.predict(), b.predict().astype(np.float32))  # float32 in, out
    for key, value in b.network_.state_dict().items():
        assert torch.equal(a.network_.state_dict()[key], value), key
    assert np.array_equal(a.scale_mean_, b.scale_mean_)
    assert np.array_equal(a.scale_std_, b.scale_std_)
    assert np.array_equal(a.calibration_.abs_quantiles, b.calibration_.abs_quantiles)
    # The forecast context keeps float32 data in float32: the same values, half the memory.
    assert [v.dtype for v in a.context_.values] == [np.float32] * 3
    for v32, v64 in zip(a.context_.values, b.context_.values, strict=True):
        assert np.array_equal(v32.astype(np.float64), v64)
    assert y32.flags.writeable and np.array_equal(y32, before, equal_nan=True)


def test_calibration_column_by_column_equals_whole_array_quantiles():
    from tsrm.forecasting.neural.conformal import grid_levels

    rng = np.random.default_rng(1)
    residuals = rng.standard_normal((5000, 4)).astype(np.float32)
    residuals[rng.random(residuals.shape) < 0.1] = np.nan
    wide = residuals.astype(np.float64)
    levels = grid_levels()
    for r in (residuals, wide):
        calibration = Calibration.from_residuals(r)
        assert np.array_equal(
            calibration.abs_quantiles,
            np.nanquantile(np.abs(wide), levels, axis=0, method="inverted_cdf"),
        )
        assert np.array_equal(calibration.signed_quantiles, np.nanquantile(wide, levels, axis=0))


def test_a_float32_context_is_saved_as_float64_and_forecasts_the_same(tmp_path):
    from safetensors.numpy import load_file

    y32 = (10 + np.random.default_rng(2).standard_normal((160, 2))).astype(np.float32)
    model = _fit(y32)
    loaded = TRMForecaster.load(model.save(tmp_path / "m"))
    assert load_file(tmp_path / "m" / "model.safetensors")["context.values"].dtype == np.float64
    assert np.array_equal(loaded.predict(), model.predict())


def test_look_back_candidates_scale_the_data_once(monkeypatch):
    from tsrm.forecasting.neural import estimator

    calls = []
    real = estimator.flat_scaled
    monkeypatch.setattr(estimator, "flat_scaled", lambda *a: calls.append(1) or real(*a))
    y = 10 + np.random.default_rng(3).standard_normal((400, 2))
    model = TRMForecaster(**{**TINY, "max_epochs": 1, "lookback": "auto", "random_state": 0})
    model.fit(y)
    assert model.selection_["lookback"].nunique() == 3  # three look-backs, one scaling
    assert len(calls) == 1
    # A series too short for a look-back's window is padded for it: scaled again.
    frame = pd.DataFrame({
        "unique_id": ["long"] * 400 + ["short"] * 60,
        "ds": np.r_[np.arange(400), np.arange(60)],
        "y": np.r_[y[:, 0], y[:60, 1]],
    })  # fmt: skip
    calls.clear()
    model.fit(frame)
    windows = [L + model.horizon + 12 for L in model.selection_["lookback"]]  # 12 validate
    assert len(calls) == len({max(w, 60) for w in windows}) == 3
