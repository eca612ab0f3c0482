"""n_threads: torch's intra-op threads during fit and forecasts, restored afterwards."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tsrm.exceptions import TSRMInputError


@pytest.fixture
def two_threads():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(before)


def test_fit_and_predict_run_with_n_threads_and_restore_the_setting(
    tiny_model, hourly_series, two_threads
):
    model = tiny_model(n_threads=1)
    seen = []
    model.fit(hourly_series)
    handle = model.network_.patch_embed.register_forward_hook(
        lambda *_: seen.append(torch.get_num_threads())
    )
    model.predict()
    model.predict_interval()
    handle.remove()
    assert seen == [1, 1]
    assert torch.get_num_threads() == 2


def test_none_leaves_torch_alone(tiny_model, hourly_series, two_threads):
    model = tiny_model(n_threads=None).fit(hourly_series)
    seen = []
    model.network_.patch_embed.register_forward_hook(
        lambda *_: seen.append(torch.get_num_threads())
    )
    model.predict()
    assert seen == [2]


def test_forecasts_differ_by_threads_only_in_float32_rounding(tiny_model, hourly_series):
    one = tiny_model(n_threads=1).fit(hourly_series).predict()
    two = tiny_model(n_threads=2).fit(hourly_series).predict()
    np.testing.assert_allclose(one.to_numpy(), two.to_numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2"])
def test_bad_n_threads_is_named(tiny_model, hourly_series, bad):
    with pytest.raises(TSRMInputError, match="n_threads"):
        tiny_model(n_threads=bad).fit(hourly_series)
