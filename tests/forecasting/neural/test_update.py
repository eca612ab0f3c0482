"""update(y_new): the forecast origin moves past new observations, with no refit."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import torch

from tests.conftest import make_hourly_series, make_long_frame, make_tiny_model, make_wide_frame
from tsrm.exceptions import IrregularIndexError, TSRMInputError


def _weights(model) -> list[torch.Tensor]:
    return [p.detach().clone() for p in model.network_.parameters()]


@pytest.mark.parametrize(
    "data, split",
    [
        (make_hourly_series(), lambda y, n: (y.iloc[:n], y.iloc[n:])),
        (make_wide_frame(), lambda y, n: (y.iloc[:n], y.iloc[n:])),
        (make_hourly_series().to_numpy(), lambda y, n: (y[:n], y[n:])),
        (make_wide_frame().to_numpy(), lambda y, n: (y[:n], y[n:])),
    ],
    ids=["series", "wide", "array1d", "array2d"],
)
def test_update_moves_the_origin_and_keeps_the_network(data, split):
    """After update the look-back window is the full history's last one and the forecast
    starts after the new data; network and scaling stay as fitted; the input is untouched."""
    fitted, new = split(data, len(data) - 5)
    model = make_tiny_model().fit(fitted)
    weights, scaling = _weights(model), model.scale_mean_.copy()
    new_copy = copy.deepcopy(new)
    before = np.asarray(model.predict())
    assert model.update(new) is model
    after = model.predict()
    window = np.asarray(data, dtype=np.float64)[-model.config_.lookback :]
    context = np.stack(model.context_.values, axis=1)
    np.testing.assert_array_equal(context.reshape(window.shape), window)
    assert not np.allclose(before, np.asarray(after))
    if isinstance(after, pd.Series | pd.DataFrame):
        assert after.index[0] == data.index[-1] + pd.Timedelta("1h")
    for w0, w1 in zip(weights, _weights(model), strict=True):
        assert torch.equal(w0, w1)
    np.testing.assert_array_equal(model.scale_mean_, scaling)
    np.testing.assert_array_equal(np.asarray(new), np.asarray(new_copy))


def test_update_one_step_at_a_time_equals_one_update():
    """A sensor that reports one value at a time: five single-step updates, one of five."""
    y = make_hourly_series()
    stepwise = make_tiny_model().fit(y.iloc[:-5])
    for i in range(5, 0, -1):
        stepwise.update(y.iloc[len(y) - i : len(y) - i + 1])
    at_once = make_tiny_model().fit(y.iloc[:-5]).update(y.iloc[-5:])
    pd.testing.assert_series_equal(stepwise.predict(), at_once.predict())


def test_update_moves_only_the_series_given_in_a_long_frame():
    frame = make_long_frame()
    last = frame.groupby("unique_id").tail(3)
    model = make_tiny_model().fit(frame.drop(last.index))
    before = model.predict()
    only_a = last[last["unique_id"] == "a"]
    model.update(only_a)
    after = model.predict()
    b_before, b_after = (f[f["unique_id"] == "b"].reset_index(drop=True) for f in (before, after))
    pd.testing.assert_frame_equal(b_before, b_after)
    a_first = after[after["unique_id"] == "a"]["ds"].iloc[0]
    assert a_first == only_a["ds"].iloc[-1] + pd.Timedelta("1h")


@pytest.mark.parametrize(
    "new, error, words",
    [
        (lambda y: y.iloc[-3:], IrregularIndexError, "does not continue"),  # overlap
        (lambda y: y.iloc[-1:].set_axis(y.index[-1:] + pd.Timedelta("3h")), IrregularIndexError,
         "does not continue"),  # a gap
        (lambda y: y.iloc[-2:].to_numpy(), TSRMInputError, "pandas Series"),
        (lambda y: y.iloc[-2:].to_frame(), TSRMInputError, "pandas Series"),
    ],
    ids=["overlap", "gap", "numpy-for-series", "frame-for-series"],
)  # fmt: skip
def test_update_refuses_what_does_not_continue_the_fitted_data(
    fitted_series_model, new, error, words
):
    model = copy.deepcopy(fitted_series_model)
    context = copy.deepcopy(model.context_)
    y = make_hourly_series()
    with pytest.raises(error, match=words):
        model.update(new(y))
    np.testing.assert_array_equal(model.context_.values[0], context.values[0])


def test_update_refuses_series_the_model_never_saw(fitted_long_model):
    model = copy.deepcopy(fitted_long_model)
    new = pd.DataFrame({"unique_id": ["zz"], "ds": [pd.Timestamp("2030-01-01")], "y": [1.0]})
    with pytest.raises(TSRMInputError, match="not fitted on.*predict\\(y="):
        model.update(new)


def test_update_before_fit_is_a_clear_error():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        make_tiny_model().update(make_hourly_series())
