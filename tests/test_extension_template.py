"""The extension template is a working model: it fits, forecasts, saves and loads."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from tsrm.exceptions import TSRMInputError

TEMPLATE = Path(__file__).resolve().parents[1] / "extension_templates" / "window_model.py"


@pytest.fixture(scope="module")
def template():
    spec = importlib.util.spec_from_file_location("window_model", TEMPLATE)
    module = importlib.util.module_from_spec(spec)
    sys.modules["window_model"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules["window_model"]


def test_the_template_model_fits_forecasts_and_round_trips(template, tmp_path):
    y = pd.Series(np.sin(np.arange(200) / 4.0), name="y")
    model = template.MLPForecaster(horizon=6, lookback=24, max_epochs=2, verbose=False)
    forecast = model.fit(y).predict()
    assert len(forecast) == 6 and np.isfinite(forecast).all()
    loaded = template.MLPForecaster.load(model.save(tmp_path / "mlp"))
    pd.testing.assert_series_equal(loaded.predict(), forecast)
    assert clone(model).get_params() == model.get_params()


def test_the_template_words_bad_settings(template):
    with pytest.raises(TSRMInputError, match="hidden"):
        template.MLPForecaster(hidden=0, verbose=False).fit(np.arange(300.0))
