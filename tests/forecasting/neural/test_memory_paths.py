"""The memory-saving paths of neural training give the results of the plain ones (issue 7).

Float32 input is trained on without a float64 copy, series are scaled straight into the
float32 training buffer, and calibration works a column at a time: none of it may change
what is learnt.
"""

from __future__ import annotations

import numpy as np
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
    assert [v.dtype for v in a.context_.values] == [np.float64] * 3  # saved as before
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
