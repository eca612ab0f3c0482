"""``lookback="auto"`` and the training budget: candidates, the choice, the time budget."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning

from tsrm.exceptions import TSRMInputError
from tsrm.forecasting.neural.data import MIN_BATCH, epoch_plan, split_windows
from tsrm.forecasting.neural.selection import MAX_LOOKBACK, lookback_candidates
from tsrm.forecasting.series.windows import Permutation


def test_candidates_scale_with_the_data_and_the_season():
    assert lookback_candidates([115], 12, 12) == [48, 24, 12]  # a 144-point monthly series
    assert lookback_candidates([9216], 96, 24) == [MAX_LOOKBACK, 360, 168]
    assert lookback_candidates([24], 6, 1) == [9, 4, 2]
    assert lookback_candidates([8], 6, 1) == [1]  # the shortest still has one input


def test_epoch_plan_gives_short_series_enough_steps():
    assert epoch_plan(67, 256, 32) == (MIN_BATCH, 32 * MIN_BATCH)  # shrinks, draws again
    assert epoch_plan(10_000, 256, 32) == (256, 10_000)  # long data: one pass as before
    assert epoch_plan(67, 256, 0) == (256, 67)


def test_an_epoch_of_a_large_data_set_draws_a_bounded_number_of_windows():
    assert epoch_plan(5_000_000, 256, 32, max_windows=1 << 20) == (256, 1 << 20)
    assert epoch_plan(10_000, 256, 32, max_windows=1 << 20) == (256, 10_000)  # as without
    assert epoch_plan(67, 256, 32, max_windows=1 << 20) == (MIN_BATCH, 32 * MIN_BATCH)


def test_validation_of_many_series_keeps_evenly_spaced_series():
    # Ten series of 100 points, the last 20 held out: 16 validation windows each (L 10, H 5).
    def split(most):
        return split_windows([100] * 10, 10, 5, [20] * 10, data=torch.zeros(1000),
                             max_val_windows=most)  # fmt: skip

    train, val = split(50)
    full_train, full_val = split(None)
    assert len(full_val) == 160 and len(split(160)[1]) == 160
    assert len(val) == 3 * 16  # every 4th series: 0, 4 and 8
    assert len(train) == len(full_train)  # the other tails are still not trained on


def test_max_epoch_windows_leaves_smaller_data_alone_and_bounds_larger(tiny_model, long_frame):
    default = tiny_model().fit(long_frame)
    unbounded = tiny_model(max_epoch_windows=None).fit(long_frame)
    for p, q in zip(default.network_.parameters(), unbounded.network_.parameters(), strict=True):
        assert torch.equal(p, q)
    bounded = tiny_model(max_epoch_windows=40).fit(long_frame)
    assert 0 < bounded.calibration_.n[0] < default.calibration_.n[0]  # one series validates
    assert len(bounded.predict()) == len(default.predict())
    with pytest.raises(TSRMInputError, match="max_epoch_windows must be a positive integer"):
        tiny_model(max_epoch_windows=0).fit(long_frame)


def test_permutation_draws_every_window_before_any_twice():
    draws = list(Permutation(10, torch.Generator().manual_seed(0), draws=25))
    assert len(draws) == 25
    assert sorted(draws[:10]) == list(range(10)) == sorted(draws[10:20])
    same = list(Permutation(10, torch.Generator().manual_seed(0)))
    assert same == draws[:10]  # one pass: the permutation it always drew


def test_auto_lookback_trains_each_candidate_and_keeps_the_best(tiny_model, hourly_series):
    model = tiny_model(lookback="auto", min_epoch_steps=4).fit(hourly_series.iloc[:300])
    table = model.selection_
    assert list(table["lookback"]) == lookback_candidates([240], 6, 24)
    assert table["chosen"].sum() == 1
    best = table.loc[table["val_mse"].idxmin()]
    assert bool(best["chosen"]) and model.lookback_ == best["lookback"] == model.config_.lookback
    assert model.period_ == 24 and model.config_.first_guess == "periodic"
    assert len(model.predict()) == 6


def test_time_budget_skips_candidates_it_cannot_afford(tiny_model, hourly_series):
    model = tiny_model(lookback="auto", time_budget_s=1e-9).fit(hourly_series.iloc[:300])
    assert len(model.selection_) == 3 and model.selection_["val_mse"].notna().sum() == 1
    assert bool(model.selection_["chosen"].iloc[0])


def test_explicit_period_and_no_season(tiny_model, hourly_series):
    assert tiny_model(period=12).fit(hourly_series).config_.period == 12
    model = tiny_model(period=1).fit(hourly_series)
    assert model.period_ == 1 and model.config_.first_guess == "linear"


@pytest.mark.parametrize("bad", [0, -3, 2.5, "daily", True])
def test_bad_period_is_named(tiny_model, hourly_series, bad):
    with pytest.raises(ValueError, match="period must be"):
        tiny_model(period=bad).fit(hourly_series)


def test_warns_when_training_stops_while_still_improving(tiny_model, hourly_series):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = tiny_model(max_epochs=3, patience=3).fit(hourly_series)
    capped = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    assert (len(capped) == 1) == (model.history_["best_epoch"] == 2)


def test_short_series_in_a_panel_are_padded_not_refused(tiny_model, long_frame):
    is_a = long_frame["unique_id"] == "a"
    frame = long_frame[is_a | (long_frame.groupby("unique_id").cumcount() < 15)]
    forecast = tiny_model(lookback="auto").fit(frame).predict()
    assert forecast.groupby("unique_id").size().to_dict() == {"a": 6, "b": 6}
    assert np.isfinite(forecast["y"]).all()


def test_auto_model_saves_and_loads_what_fit_chose(tiny_model, hourly_series, tmp_path):
    model = tiny_model(lookback="auto", min_epoch_steps=4).fit(hourly_series.iloc[:300])
    loaded = type(model).load(model.save(tmp_path / "m"))
    assert (loaded.lookback_, loaded.period_) == (model.lookback_, model.period_)
    pd.testing.assert_frame_equal(loaded.selection_, model.selection_)
    np.testing.assert_array_equal(loaded.predict(), model.predict())


def _random_walk(n: int = 300) -> pd.Series:
    steps = np.random.default_rng(0).normal(0.0, 1.0, n)
    return pd.Series(np.cumsum(steps), index=pd.date_range("2024-01-01", periods=n, freq="h"))


def test_falls_back_to_naive_where_it_wins_on_validation(tiny_model, tmp_path):
    # A barely trained network cannot beat the last value of a random walk.
    model = tiny_model(max_epochs=1, min_epoch_steps=1, fallback=True, period=1)
    model.fit(_random_walk())
    rows = model.selection_.set_index("candidate")
    assert model.fallback_ == "naive" and model.n_params_ == 0
    assert bool(rows.loc["naive", "chosen"]) and not rows.loc["network", "chosen"]
    y = _random_walk()
    np.testing.assert_allclose(model.predict(), np.full(6, y.iloc[-1]))
    loaded = type(model).load(model.save(tmp_path / "m"))
    assert loaded.fallback_ == "naive"
    np.testing.assert_array_equal(loaded.predict(), model.predict())
    forecast, trace = model.predict(return_trace=True)  # no refinement: one step, itself
    assert len(trace.steps) == 1 and trace.halted_at is None
    np.testing.assert_array_equal(trace.steps[0], forecast)


def test_no_fallback_when_asked_or_for_quantiles(tiny_model):
    for settings in ({"fallback": False}, {"quantiles": (0.1, 0.9)}):
        model = tiny_model(max_epochs=1, min_epoch_steps=1, **settings).fit(_random_walk())
        assert model.fallback_ is None and "naive" not in set(model.selection_["candidate"])


def test_auto_learning_rate_follows_the_number_of_windows(tiny_model):
    model = tiny_model(learning_rate="auto", batch_size=64, min_epoch_steps=32)
    assert model._learning_rate(64 * 32) == 3e-4  # full passes of 32 batches: the long rate
    assert model._learning_rate(64 * 32 - 1) == 1e-3
    assert tiny_model(learning_rate=0.01)._learning_rate(10) == 0.01
    with pytest.raises(ValueError, match="learning_rate must be positive or 'auto'"):
        tiny_model(learning_rate="fast").fit(_random_walk())


def test_permutation_draws_a_subset_without_permuting_every_window(monkeypatch):
    def refuse(n, **kwargs):
        assert n < 10**6, "a permutation of every window"
        return real(n, **kwargs)

    real = torch.randperm
    monkeypatch.setattr(torch, "randperm", refuse)
    draws = list(Permutation(10**9, torch.Generator().manual_seed(0), draws=1000))
    assert len(draws) == len(set(draws)) == 1000 and 0 <= min(draws) and max(draws) < 10**9
    assert draws != sorted(draws)  # in a random order
    assert draws == list(Permutation(10**9, torch.Generator().manual_seed(0), draws=1000))
    small = list(Permutation(50, torch.Generator().manual_seed(1), draws=49))  # collisions
    assert len(set(small)) == 49 and set(small) < set(range(50))
