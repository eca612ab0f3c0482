"""The estimator contract, checked the same way for every model in the registry.

scikit-learn's rules (``__init__`` stores its arguments, ``clone``, fitted attributes end
in ``_``, nothing set on the estimator by ``predict``) and tsrm's own (public ``fit`` /
``predict`` are the contract's, the same kind comes out as went in, bad input gets a
clear error naming the fix, the user's data is never modified).
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from tsrm.exceptions import MissingValuesError, TSRMInputError
from tsrm.forecasting.base import BaseForecaster
from tsrm.forecasting.models.registry import MODELS, NEURAL, model_class

NAMES = sorted(MODELS)


def monthly(n: int = 120, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 20 + 0.05 * t + 3 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.3, n)
    return pd.Series(values, index=pd.date_range("2010-01-01", periods=n, freq="MS"), name="sales")


@pytest.fixture(scope="module")
def fitted(request):
    """name -> (the fitted tiny model, its training series); fitted once per module."""
    from tests.conftest import make_tiny_model

    y = monthly()
    return {name: (make_tiny_model(name).fit(y), y) for name in NAMES}


@pytest.mark.parametrize("name", NAMES)
def test_init_only_stores_its_arguments(name, tiny_model):
    model = tiny_model(name)
    signature = inspect.signature(type(model).__init__)
    assert not any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    params = model.get_params(deep=False)
    assert set(vars(model)) == set(params)
    assert clone(model).get_params(deep=False) == params


@pytest.mark.parametrize("name", NAMES)
def test_fit_and_predict_are_the_contracts(name):
    cls = model_class(name)
    assert issubclass(cls, BaseForecaster)
    assert cls.fit is BaseForecaster.fit and cls.predict is BaseForecaster.predict


@pytest.mark.parametrize("name", NAMES)
def test_fit_returns_self_and_sets_only_fitted_attributes(name, tiny_model):
    model = tiny_model(name)
    y = monthly()
    assert model.fit(y) is model
    params = set(model.get_params(deep=False))
    extra = set(vars(model)) - params
    assert extra and all(a.endswith("_") and not a.startswith("_") for a in extra), extra


@pytest.mark.parametrize("name", NAMES)
def test_predict_sets_nothing_and_gives_the_same_kind(name, fitted):
    model, y = fitted[name]
    before = dict(vars(model))
    forecast = model.predict()
    assert vars(model).keys() == before.keys()
    assert all(vars(model)[k] is v for k, v in before.items())
    assert isinstance(forecast, pd.Series) and len(forecast) == model.horizon
    assert forecast.index[0] == y.index[-1] + y.index.freq and forecast.name == y.name
    array = model.predict(h=3, y=y.to_numpy())
    assert isinstance(array, np.ndarray) and array.shape == (3,)


@pytest.mark.parametrize("name", NAMES)
def test_clone_of_a_fitted_model_is_unfitted(name, fitted):
    model, _ = fitted[name]
    with pytest.raises(NotFittedError):
        clone(model).predict()


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_forecast(name, tiny_model):
    y = monthly()
    first = tiny_model(name).fit(y).predict()
    second = tiny_model(name).fit(y).predict()
    pd.testing.assert_series_equal(first, second)


@pytest.mark.parametrize("name", NAMES)
def test_the_users_data_is_not_modified(name, tiny_model):
    y = monthly()
    copy = y.copy()
    tiny_model(name).fit(y).predict(y=y)
    pd.testing.assert_series_equal(y, copy)


@pytest.mark.parametrize("name", NAMES)
def test_bad_settings_and_inputs_get_clear_errors(name, tiny_model):
    y = monthly()
    with pytest.raises(TSRMInputError, match="horizon must be a positive integer"):
        tiny_model(name, horizon=0).fit(y)
    with pytest.raises(TSRMInputError, match="y"):
        tiny_model(name).fit("not a series")
    gappy = y.copy()
    gappy.iloc[5] = np.nan
    if name not in NEURAL:  # the neural models mask missing values
        with pytest.raises(MissingValuesError, match="missing"):
            tiny_model(name).fit(gappy)


@pytest.mark.parametrize("name", NAMES)
def test_unsupported_arguments_are_refused_by_name(name, fitted):
    model, y = fitted[name]
    tags = type(model)._tags
    if not tags["covariates"]:
        with pytest.raises(TSRMInputError, match="X"):
            model.predict(X=pd.DataFrame({"x": np.ones(6)}))
    if not tags["trace"]:
        with pytest.raises(TSRMInputError, match="return_trace"):
            model.predict(return_trace=True)
    if not tags["checkpoint"]:
        with pytest.raises(TSRMInputError, match="checkpoint_dir"):
            clone(model).fit(y, checkpoint_dir="somewhere")
