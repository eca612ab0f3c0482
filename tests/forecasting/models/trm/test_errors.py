"""Bad input raises a tsrm error (a ValueError) whose message names the problem."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from tsrm import (
    IrregularIndexError,
    MissingValuesError,
    SeriesTooShortError,
    TSRMInputError,
)


def with_value(series: pd.Series, position: int, value) -> pd.Series:
    out = series.copy()
    out.iloc[position] = value
    return out


# Each case: (id, how to build the bad input from a clean series, error, message word).
FIT_CASES = [
    ("nan", lambda y: with_value(y, 5, np.nan), MissingValuesError, "NaN"),
    ("inf", lambda y: with_value(y, 5, np.inf), MissingValuesError, "infinite"),
    ("too_short", lambda y: y.iloc[:7], SeriesTooShortError, r"horizon \+ 2 = 8"),
    (
        "duplicated",
        lambda y: pd.Series(y.to_numpy(), index=y.index[[0, *range(len(y) - 1)]]),
        IrregularIndexError,
        "duplicated",
    ),
    ("irregular", lambda y: y.drop(y.index[100]), IrregularIndexError, "regular"),
    ("unsorted", lambda y: y.iloc[np.r_[1, 0, 2 : len(y)]], IrregularIndexError, "order"),
    (
        "text_column",
        lambda y: pd.DataFrame({"a": y.to_numpy(), "b": "x"}, index=y.index),
        TSRMInputError,
        "non-numeric",
    ),
    ("bool", lambda y: y > y.mean(), TSRMInputError, "boolean"),
    ("3d_array", lambda y: y.to_numpy()[:600].reshape(100, 3, 2), TSRMInputError, "3-D"),
    ("dict", lambda y: {"y": list(y)}, TSRMInputError, "pandas Series"),
    ("empty_array", lambda y: np.array([]), TSRMInputError, "empty"),
]


@pytest.mark.parametrize(
    ("make", "error", "word"),
    [case[1:] for case in FIT_CASES],
    ids=[case[0] for case in FIT_CASES],
)
def test_fit_rejects_bad_data(make, error, word, tiny_model, hourly_series):
    # missing="error": NaN is rejected instead of masked (the default, tests/reliability/).
    with pytest.raises(error, match=word):
        tiny_model(missing="error").fit(make(hourly_series))


@pytest.mark.parametrize(
    ("make", "error", "word"),
    [case[1:] for case in FIT_CASES if case[0] != "too_short"],
    ids=[case[0] for case in FIT_CASES if case[0] != "too_short"],
)
def test_predict_rejects_bad_data(make, error, word, fitted_series_model, hourly_series):
    model = copy.copy(fitted_series_model).set_params(missing="error")  # fixture unchanged
    with pytest.raises(error, match=word):
        model.predict(y=make(hourly_series))


@pytest.mark.filterwarnings("ignore:You defined a `validation_step`")
def test_shorter_than_a_window_is_padded_down_to_horizon_plus_two(tiny_model, hourly_series):
    # lookback 24 + horizon 6 = 30; shorter series are left-padded, masked, and still fit.
    model = tiny_model(validation_size=0).fit(hourly_series.iloc[:8])
    assert np.isfinite(model.predict().to_numpy()).all()
    with pytest.raises(SeriesTooShortError, match=r"has 7 points.*at least horizon \+ 2 = 8"):
        tiny_model(validation_size=0).fit(hourly_series.iloc[:7])


def test_too_short_names_the_series(tiny_model, long_frame):
    is_a = long_frame["unique_id"] == "a"
    short = pd.concat([long_frame[is_a], long_frame[~is_a].head(5)])
    with pytest.raises(SeriesTooShortError, match="'b'"):
        tiny_model().fit(short)


def test_predict_history_shorter_than_lookback_is_padded(fitted_series_model, hourly_series):
    # Left-padded with the first value (see inference.last_windows' own test).
    assert np.isfinite(fitted_series_model.predict(y=hourly_series.iloc[:10]).to_numpy()).all()
    fitted_series_model.predict(y=hourly_series.iloc[:24])  # exactly lookback


@pytest.mark.parametrize("h", [0, -1, 1.5, True, "3"])
def test_bad_h(h, fitted_series_model):
    with pytest.raises(TSRMInputError, match="positive integer"):
        fitted_series_model.predict(h=h)


def test_numpy_integer_h_is_accepted(fitted_series_model):
    assert len(fitted_series_model.predict(h=np.int64(4))) == 4


def test_trace_beyond_horizon(fitted_series_model):
    with pytest.raises(TSRMInputError, match="horizon"):
        fitted_series_model.predict(h=7, return_trace=True)


def test_exogenous_x_checked(tiny_model, hourly_series, fitted_series_model):
    # Covariates are supported (tests/neural/test_covariates.py); bad X is refused clearly.
    with pytest.raises(TSRMInputError, match="X is a list"):
        tiny_model().fit(hourly_series, X=[1.0] * len(hourly_series))
    with pytest.raises(TSRMInputError, match="fitted without X"):
        fitted_series_model.predict(X=hourly_series)


PARAM_CASES = [
    ("loss", {"loss": "l2"}, TSRMInputError, "loss"),
    ("validation_negative", {"validation_size": -0.1}, TSRMInputError, "validation_size"),
    ("validation_text", {"validation_size": "0.2"}, TSRMInputError, "validation_size"),
    ("patch_len", {"patch_len": 30}, TSRMInputError, "patch_len"),
    ("horizon", {"horizon": 0}, TSRMInputError, "horizon"),
    ("lookback", {"lookback": 2.5}, TSRMInputError, "lookback"),
    ("max_epochs", {"max_epochs": 0}, TSRMInputError, "max_epochs"),
    ("batch_size", {"batch_size": -3}, TSRMInputError, "batch_size"),
    ("learning_rate", {"learning_rate": -1e-3}, TSRMInputError, "learning_rate"),
    ("ema_decay", {"ema_decay": 1.0}, TSRMInputError, "ema_decay"),
    ("mixer", {"mixer": "cnn"}, TSRMInputError, "mixer"),
    ("dropout", {"dropout": 1.0}, TSRMInputError, "dropout"),
    ("hidden_dim", {"hidden_dim": 0}, TSRMInputError, "hidden_dim"),
    ("heads", {"mixer": "attention", "hidden_dim": 10}, TSRMInputError, "n_heads"),
    ("network_kwargs", {"network_kwargs": {"nope": 1}}, TSRMInputError, "nope"),
]


@pytest.mark.parametrize(
    ("params", "error", "word"),
    [case[1:] for case in PARAM_CASES],
    ids=[case[0] for case in PARAM_CASES],
)
def test_fit_rejects_bad_params(params, error, word, tiny_model, hourly_series):
    with pytest.raises(error, match=word):
        tiny_model(**params).fit(hourly_series)


def test_bad_preset_is_a_value_error_naming_the_presets(tiny_model, hourly_series):
    with pytest.raises(ValueError, match="preset") as info:
        tiny_model(preset="tiny").fit(hourly_series)
    assert "sketch" in str(info.value)


def test_bad_preset_is_a_tsrm_input_error(tiny_model, hourly_series):
    with pytest.raises(TSRMInputError, match="preset"):
        tiny_model(preset="tiny").fit(hourly_series)


def test_non_numeric_ema_decay(tiny_model, hourly_series):
    with pytest.raises(TSRMInputError, match="ema_decay"):
        tiny_model(ema_decay="0.9").fit(hourly_series)


# -- every error is a ValueError from tsrm, never a torch/pandas internal ----------
ALL_BAD_CALLS = [
    ("nan", lambda m, y: m.set_params(missing="error").fit(with_value(y, 3, np.nan))),
    ("short", lambda m, y: m.fit(y.iloc[:5])),
    ("unsorted", lambda m, y: m.fit(y.iloc[::-1])),
    ("bool", lambda m, y: m.fit(y > 0)),
    ("3d", lambda m, y: m.fit(np.zeros((50, 2, 2)))),
    ("loss", lambda m, y: m.set_params(loss="l2").fit(y)),
    ("patch", lambda m, y: m.set_params(patch_len=99).fit(y)),
    ("validation", lambda m, y: m.set_params(validation_size=-1).fit(y)),
]


@pytest.mark.parametrize("call", [c[1] for c in ALL_BAD_CALLS], ids=[c[0] for c in ALL_BAD_CALLS])
def test_errors_are_tsrm_value_errors(call, tiny_model, hourly_series):
    with pytest.raises(ValueError) as info:
        call(tiny_model(), hourly_series)
    assert isinstance(info.value, TSRMInputError)
    assert type(info.value).__module__.startswith("tsrm")


def test_not_fitted_error_is_sklearns(tiny_model):
    with pytest.raises(NotFittedError, match="not fitted"):
        tiny_model().predict(h=3)


def test_an_unnamed_series_is_not_called_none(tiny_model):
    with pytest.raises(SeriesTooShortError, match=r"^The series has 5 points") as err:
        tiny_model().fit(pd.Series(np.arange(5.0)))
    assert "None" not in str(err.value)
