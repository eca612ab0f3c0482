"""``lookback="auto"`` and the training budget: candidates, the choice, the time budget."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from sklearn.exceptions import ConvergenceWarning

from tsrm.forecasting.neural.data import MIN_BATCH, epoch_plan
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
