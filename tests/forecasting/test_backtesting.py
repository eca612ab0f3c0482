"""Rolling-origin backtesting with hand-checkable baselines (and one tiny TS-TRM fit)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pytest

from tsrm import Naive, SeasonalNaive
from tsrm.exceptions import SeriesTooShortError, TSRMInputError
from tsrm.forecasting.backtesting import BacktestResult, backtest

PATTERN = [1.0, 2.0, 3.0, 4.0]  # period 4: SeasonalNaive(4) forecasts it exactly


def periodic_series(n: int = 20) -> pd.Series:
    values = np.resize(PATTERN, n)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=n, freq="D"), name="p")


class Recorder(Naive):
    """Naive that logs every fit/predict call (class-level: backtest works on clones)."""

    log: ClassVar[list] = []

    def fit(self, y, X=None):
        Recorder.log.append(("fit", len(y)))
        return super().fit(y, X)

    def predict(self, h=None, y=None, X=None):
        Recorder.log.append(("predict", h, None if y is None else len(y)))
        return super().predict(h=h, y=y, X=X)


def wreck(y):
    """Overwrite the values of whatever data an estimator was handed."""
    if isinstance(y, pd.DataFrame) and "y" in y.columns:
        y["y"] = -1.0
    elif isinstance(y, pd.Series | pd.DataFrame):
        y.iloc[:] = -1.0
    else:
        y[...] = -1.0


class Vandal(Naive):
    """Naive that overwrites the data it is given, to show backtest protects the user's y."""

    def fit(self, y, X=None):
        super().fit(y, X)
        wreck(y)
        return self

    def predict(self, h=None, y=None, X=None):
        out = super().predict(h=h, y=y, X=X)
        if y is not None:
            wreck(y)
        return out


class NeedsEight(Naive):
    """Naive that refuses to fit on fewer than 8 points."""

    def fit(self, y, X=None):
        if len(y) < 8:
            raise SeriesTooShortError(f"need 8 points to fit, got {len(y)}")
        return super().fit(y, X)


# -- exact errors on hand-checkable series ----------------------------------------
@pytest.mark.parametrize("refit", [False, True])
def test_seasonal_naive_on_periodic_series_is_exact(refit):
    result = backtest(
        SeasonalNaive(season_length=4),
        periodic_series(),
        horizon=3,
        n_windows=3,
        refit=refit,
        metrics=("mae", "rmse", "smape", "mape"),
    )
    assert isinstance(result, BacktestResult)
    assert (result.forecasts["y_true"] == result.forecasts["y_pred"]).all()
    assert result.metrics[["mae", "rmse", "smape", "mape"]].to_numpy().max() == 0.0
    assert result.summary().to_dict() == {"mae": 0.0, "rmse": 0.0, "smape": 0.0, "mape": 0.0}


@pytest.mark.parametrize("refit", [False, True])
def test_naive_on_linear_trend_has_known_error(refit):
    # y_t = 2t: naive is off by 2, 4, 6, 8 at steps 1..4 in every window
    y = 2.0 * np.arange(20)
    result = backtest(
        Naive(), y, horizon=4, step=2, n_windows=3, refit=refit, metrics=("mae", "rmse", "mase")
    )
    errors = np.array([2.0, 4.0, 6.0, 8.0])
    assert result.metrics["mae"].tolist() == pytest.approx([5.0] * 3)
    assert result.metrics["rmse"].tolist() == pytest.approx([np.sqrt(np.mean(errors**2))] * 3)
    # in-sample naive error of 2t is 2, so MASE = MAE / 2
    assert result.metrics["mase"].tolist() == pytest.approx([2.5] * 3)
    np.testing.assert_allclose(
        result.forecasts["y_true"] - result.forecasts["y_pred"], [*errors] * 3
    )
    summary = result.summary()
    assert summary["mae"] == pytest.approx(5.0)
    assert list(summary.index) == ["mae", "rmse", "mase"]


def test_mase_uses_season_length():
    # history 1,2,3,4,1,2,3,4 then a level shift of +10: SeasonalNaive(4) is off by 10
    y = np.resize(PATTERN, 12)
    y[-4:] += 10.0
    kw = dict(horizon=4, n_windows=1, metrics=("mae", "mase"))
    m1 = backtest(SeasonalNaive(season_length=4), y, season_length=1, **kw).metrics.iloc[0]
    # in-sample |y_t - y_{t-1}|: 1, 1, 1, 3, 1, 1, 1 -> scale 9/7
    assert m1["mae"] == pytest.approx(10.0)
    assert m1["mase"] == pytest.approx(10.0 / (9.0 / 7.0))
    # |y_t - y_{t-2}| is 2 everywhere -> scale 2
    m2 = backtest(SeasonalNaive(season_length=4), y, season_length=2, **kw).metrics.iloc[0]
    assert m2["mase"] == pytest.approx(5.0)


# -- window layout ---------------------------------------------------------------
def test_cutoffs_and_counts_for_numpy():
    result = backtest(Naive(), np.arange(20.0), horizon=3, step=2, n_windows=4)
    # offsets 3 + 2 * (3, 2, 1, 0) = 9, 7, 5, 3 -> histories end at positions 10, 12, 14, 16
    assert result.metrics["cutoff"].tolist() == [10, 12, 14, 16]
    assert result.metrics["window"].tolist() == [0, 1, 2, 3]
    assert len(result.forecasts) == 4 * 3
    assert result.forecasts["ds"].tolist()[:3] == [11, 12, 13]
    assert result.forecasts["ds"].tolist()[-3:] == [17, 18, 19]  # last window ends at the end
    assert list(result.forecasts.columns) == [
        "window",
        "cutoff",
        "unique_id",
        "ds",
        "y_true",
        "y_pred",
    ]
    assert (result.horizon, result.step, result.n_windows, result.refit) == (3, 2, 4, False)


def test_default_step_is_horizon_and_windows_do_not_overlap():
    y = periodic_series(20)
    result = backtest(Naive(), y, horizon=5, n_windows=3)
    assert result.step == 5
    assert result.metrics["cutoff"].tolist() == list(y.index[[4, 9, 14]])
    assert result.forecasts["ds"].tolist() == list(y.index[5:])
    assert result.forecasts["y_true"].tolist() == y.iloc[5:].tolist()


def test_step_larger_than_horizon_leaves_gaps():
    result = backtest(Naive(), np.arange(12.0), horizon=2, step=4, n_windows=2)
    assert result.forecasts["ds"].tolist() == [6, 7, 10, 11]
    assert result.forecasts["y_pred"].tolist() == [5.0, 5.0, 9.0, 9.0]


def test_shortest_possible_series():
    # span (n_windows - 1) * step + horizon = 5, plus one point to fit on
    result = backtest(Naive(), np.arange(6.0), horizon=3, step=2, n_windows=2)
    assert result.metrics["cutoff"].tolist() == [0, 2]
    with pytest.raises(SeriesTooShortError, match=r"5 points.*one earlier point"):
        backtest(Naive(), np.arange(5.0), horizon=3, step=2, n_windows=2)


# -- refit: how often the model is fitted ---------------------------------------------
def test_refit_false_fits_once_and_predicts_from_each_history():
    Recorder.log.clear()
    estimator = Recorder(horizon=7)
    backtest(estimator, np.arange(20.0), horizon=3, step=2, n_windows=4, refit=False)
    assert Recorder.log == [
        ("fit", 11),
        ("predict", 3, 11),
        ("predict", 3, 13),
        ("predict", 3, 15),
        ("predict", 3, 17),
    ]


def test_refit_true_fits_a_fresh_clone_per_window():
    Recorder.log.clear()
    backtest(Recorder(), np.arange(20.0), horizon=3, step=2, n_windows=3, refit=True)
    fits = [entry for entry in Recorder.log if entry[0] == "fit"]
    assert fits == [("fit", 13), ("fit", 15), ("fit", 17)]
    assert [e for e in Recorder.log if e[0] == "predict"] == [("predict", 3, None)] * 3


@pytest.mark.parametrize("refit", [False, True])
def test_passed_estimator_is_not_fitted_or_changed(refit):
    estimator = SeasonalNaive(horizon=9, season_length=4)
    backtest(estimator, periodic_series(), horizon=3, refit=refit)
    assert not hasattr(estimator, "history_")
    assert estimator.get_params() == {"horizon": 9, "season_length": 4}


# -- input kinds -------------------------------------------------------------------
def test_wide_frame_two_series():
    frame = pd.DataFrame(
        {"a": np.resize(PATTERN, 16), "b": 10.0 * np.resize(PATTERN, 16)},
        index=pd.date_range("2024-01-01", periods=16, freq="h"),
    )
    result = backtest(SeasonalNaive(season_length=4), frame, horizon=2, n_windows=2)
    assert result.metrics["unique_id"].tolist() == ["a", "b", "a", "b"]
    assert result.metrics["cutoff"].tolist() == list(frame.index[[11, 11, 13, 13]])
    assert result.summary()["mae"] == 0.0
    rows = result.forecasts[result.forecasts["unique_id"] == "b"]
    assert rows["y_true"].tolist() == (10.0 * frame["a"].iloc[12:]).tolist()


def test_long_frame_cuts_each_series_at_its_own_end():
    a = pd.DataFrame(
        {
            "unique_id": "a",
            "ds": pd.date_range("2024-01-01", periods=12),
            "y": np.resize(PATTERN, 12),
        }
    )
    b = pd.DataFrame(
        {"unique_id": "b", "ds": pd.date_range("2024-01-03", periods=8), "y": 2.0 * np.arange(8)}
    )
    # shuffled rows: series are sorted by ds internally
    frame = pd.concat([a, b], ignore_index=True).sample(frac=1.0, random_state=0)
    result = backtest(SeasonalNaive(season_length=4), frame, horizon=2, n_windows=2)
    m = result.metrics.set_index(["window", "unique_id"])
    assert m.loc[(0, "a"), "cutoff"] == a["ds"].iloc[7]
    assert m.loc[(1, "a"), "cutoff"] == a["ds"].iloc[9]
    assert m.loc[(0, "b"), "cutoff"] == b["ds"].iloc[3]
    assert m.loc[(1, "b"), "cutoff"] == b["ds"].iloc[5]
    assert m.loc[(0, "a"), "mae"] == 0.0
    # b = 2t with SeasonalNaive(4): the forecast repeats t-4, so every error is 8
    assert m.loc[(0, "b"), "mae"] == pytest.approx(8.0)
    b_rows = result.forecasts[result.forecasts["unique_id"] == "b"]
    assert b_rows["ds"].tolist() == list(b["ds"].iloc[4:])


def test_long_frame_with_string_dates_and_integer_ds():
    frame = pd.DataFrame(
        {
            "unique_id": ["x"] * 6,
            "ds": [f"2024-01-0{d}" for d in range(1, 7)],
            "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    result = backtest(Naive(), frame, horizon=2, n_windows=2, step=1)
    assert result.metrics["cutoff"].tolist() == list(pd.to_datetime(["2024-01-03", "2024-01-04"]))
    assert result.metrics["mae"].tolist() == pytest.approx([1.5, 1.5])
    frame_int = frame.assign(ds=np.arange(100, 106))
    result = backtest(Naive(), frame_int, horizon=2, n_windows=1)
    assert result.forecasts["ds"].tolist() == [104, 105]


def test_numpy_2d_and_unnamed_series():
    arr = np.stack([np.resize(PATTERN, 12), np.arange(12.0)], axis=1)
    result = backtest(SeasonalNaive(season_length=4), arr, horizon=4, n_windows=2)
    assert result.metrics["unique_id"].tolist() == [0, 1, 0, 1]
    assert result.metrics["mae"].tolist() == pytest.approx([0.0, 4.0, 0.0, 4.0])
    unnamed = pd.Series(np.arange(10.0))
    result = backtest(Naive(), unnamed, horizon=2, n_windows=1)
    assert result.forecasts["unique_id"].tolist() == [0, 0]  # not None, so groupby keeps it
    assert result.forecasts["ds"].tolist() == [8, 9]


def test_list_input():
    result = backtest(Naive(), [1.0, 2.0, 3.0, 4.0], horizon=1, n_windows=2)
    assert result.forecasts["y_pred"].tolist() == [2.0, 3.0]


# -- the user's data and estimator are left alone --------------------------------------
@pytest.mark.parametrize("kind", ["series", "wide", "long", "array1d", "array2d"])
def test_input_not_modified(kind):
    series = periodic_series(16)
    data = {
        "series": series,
        "wide": series.to_frame().assign(q=series * 2.0),
        "long": pd.DataFrame({"unique_id": "u", "ds": series.index, "y": series.to_numpy()}),
        "array1d": series.to_numpy(),
        "array2d": np.stack([series.to_numpy(), series.to_numpy()], axis=1),
    }[kind]
    before = data.copy()
    for refit in (False, True):
        backtest(Vandal(), data, horizon=2, n_windows=3, refit=refit)
    if isinstance(data, np.ndarray):
        np.testing.assert_array_equal(data, before)
    elif isinstance(data, pd.Series):
        pd.testing.assert_series_equal(data, before)
    else:
        pd.testing.assert_frame_equal(data, before)


# -- errors ------------------------------------------------------------------------
BAD_INTEGERS = [0, -1, 1.5, True, "3", None]


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        (name, bad)
        for name in ("horizon", "step", "n_windows", "season_length")
        for bad in BAD_INTEGERS
        if not (name == "step" and bad is None)  # step=None means "horizon"
    ],
)
def test_bad_integer_arguments(name, bad):
    kwargs = {"horizon": 2, name: bad}
    with pytest.raises(TSRMInputError, match=f"{name} must be a positive integer"):
        backtest(Naive(), np.arange(20.0), **kwargs)


def test_too_short_names_series_and_sizes():
    long_frame = pd.DataFrame(
        {
            "unique_id": ["a"] * 20 + ["b"] * 6,
            "ds": list(range(20)) + list(range(6)),
            "y": np.arange(26.0),
        }
    )
    with pytest.raises(SeriesTooShortError, match=r"series 'b' has 6 points.*span.*= 9 points"):
        backtest(Naive(), long_frame, horizon=3, n_windows=3)
    with pytest.raises(TSRMInputError, match="too short"):
        backtest(Naive(), np.arange(9.0), horizon=3, n_windows=3)


def test_estimator_errors_name_the_window():
    # histories of 6 then 9 points; each estimator refuses the first one
    with pytest.raises(SeriesTooShortError, match=r"backtest window 0, while fitting: need 8"):
        backtest(NeedsEight(), np.arange(12.0), horizon=3, n_windows=2)
    with pytest.raises(SeriesTooShortError, match=r"backtest window 0, while forecasting.*season"):
        backtest(SeasonalNaive(season_length=8), np.arange(12.0), horizon=3, n_windows=2)
    with pytest.raises(SeriesTooShortError, match=r"backtest window 0, while fitting: need 8"):
        backtest(NeedsEight(), np.arange(12.0), horizon=3, n_windows=2, refit=True)


def test_metric_errors():
    with pytest.raises(ValueError, match="Unknown metric 'r2'"):
        backtest(Naive(), np.arange(10.0), horizon=2, metrics=("mae", "r2"))
    # a constant history makes MASE undefined; the message says where
    with pytest.raises(ValueError, match=r"window 0, series 0: MASE is undefined"):
        backtest(Naive(), np.ones(10), horizon=2, metrics="mase")
    with pytest.raises(ValueError, match=r"series 0: MAPE is undefined"):
        backtest(Naive(), np.zeros(10), horizon=2, metrics="mape")


def test_callable_metric():
    def bias(y_true, y_pred):
        return float(np.mean(np.asarray(y_pred) - np.asarray(y_true)))

    result = backtest(Naive(), np.arange(10.0), horizon=2, n_windows=2, metrics=[bias, "mae"])
    assert result.summary().to_dict() == pytest.approx({"bias": -1.5, "mae": 1.5})


# -- works with the neural model too ------------------------------------------------------
def test_trm_forecaster_backtest(tiny_model):
    model = tiny_model(max_epochs=1, hidden_dim=8, lookback=12, horizon=3, validation_size=0)
    y = periodic_series(40)
    result = backtest(model, y, horizon=3, n_windows=2)
    assert len(result.forecasts) == 6
    assert np.isfinite(result.forecasts["y_pred"]).all()
    assert set(result.summary().index) == {"mae", "rmse"}
    assert not hasattr(model, "network_")  # the passed model stays unfitted


# -- missing values: the estimator's own policy ---------------------------------------------
def test_missing_values_follow_the_estimator_policy(tiny_model):
    from tsrm.exceptions import MissingValuesError

    y = periodic_series(40)
    y.iloc[[5, 6, 30, 37]] = np.nan  # gaps in the history and in the scored windows
    before = y.copy()
    with pytest.raises(MissingValuesError, match="SeasonalNaive does not handle missing"):
        backtest(SeasonalNaive(horizon=3, season_length=4), y, horizon=3, n_windows=2)
    model = tiny_model(max_epochs=1, hidden_dim=8, lookback=12, horizon=3, validation_size=0)
    result = backtest(model, y, horizon=3, n_windows=2, metrics=("mae", "mase"))
    pd.testing.assert_series_equal(y, before)
    assert np.isfinite(result.forecasts["y_pred"]).all()
    # The missing actual (position 37) is left out of its window's score, not the forecast.
    assert result.forecasts["y_true"].isna().sum() == 1
    window = result.forecasts[result.forecasts["window"] == 1]
    observed = window["y_true"].notna()
    expected = np.abs(window["y_true"][observed] - window["y_pred"][observed]).mean()
    assert result.metrics.loc[result.metrics["window"] == 1, "mae"].item() == pytest.approx(
        expected
    )
    assert np.isfinite(result.metrics["mase"]).all()


def test_a_window_with_nothing_observed_scores_nan(tiny_model):
    y = periodic_series(40).to_numpy(copy=True)
    y[-3:] = np.nan
    model = tiny_model(max_epochs=1, hidden_dim=8, lookback=12, horizon=3, validation_size=0)
    result = backtest(model, y, horizon=3, n_windows=2)
    assert result.metrics["mae"].isna().tolist() == [False, True]


def test_mase_scale_skips_missing_history():
    from tsrm.forecasting.metrics import mase

    # Observed seasonal differences: |3 - 1| (positions 0, 2) only; 2 and 4 pair with NaN.
    assert mase([5.0], [6.0], [1.0, np.nan, 3.0, np.nan], season_length=2) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="no two observed"):
        mase([5.0], [6.0], [1.0, np.nan, np.nan])
    with pytest.raises(ValueError, match="infinite"):
        mase([5.0], [6.0], [1.0, np.inf, 2.0])


# -- intervals, quantiles and covariates -----------------------------------------------
def noisy_trend(n: int = 80, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2024-01-01", periods=n, freq="D")
    return pd.Series(0.1 * np.arange(n) + rng.normal(size=n), index=index, name="v")


def test_intervals_and_quantiles_are_forecast_and_scored():
    from tsrm import ETS

    levels = (0.1, 0.3, 0.5, 0.7, 0.9)
    result = backtest(
        ETS(horizon=6), noisy_trend(), horizon=6, n_windows=4, coverage=(0.5, 0.9),
        quantiles=levels,
    )  # fmt: skip
    f, m = result.forecasts, result.metrics
    assert (f["lower_0.9"] <= f["lower_0.5"]).all() and (f["upper_0.5"] <= f["upper_0.9"]).all()
    # The normal distribution's median is the point forecast.
    np.testing.assert_allclose(f["q_0.5"], f["y_pred"])
    inside = (f["lower_0.9"] <= f["y_true"]) & (f["y_true"] <= f["upper_0.9"])
    np.testing.assert_allclose(m["coverage_0.9"], inside.groupby(f["window"]).mean())
    assert (m["width_0.9"] > m["width_0.5"]).all()
    q = f[[f"q_{x:g}" for x in levels]].to_numpy()
    diff = f["y_true"].to_numpy()[:, None] - q
    pinball = np.maximum(np.asarray(levels) * diff, (np.asarray(levels) - 1) * diff).mean(axis=1)
    np.testing.assert_allclose(m["pinball"], pinball.reshape(4, 6).mean(axis=1))
    np.testing.assert_allclose(m["crps"], 2 * m["pinball"])
    assert {"coverage_0.9", "width_0.5", "pinball", "crps"} <= set(result.summary().index)


def test_an_uneven_quantile_grid_scores_pinball_only():
    result = backtest(Naive(horizon=3), noisy_trend(30), horizon=3, quantiles=(0.05, 0.5, 0.8))
    assert "pinball" in result.metrics and "crps" not in result.metrics


def test_point_only_models_and_bad_levels_are_refused_clearly():
    from tsrm import Naive2

    with pytest.raises(TSRMInputError, match="window 0.*point forecasts only"):
        backtest(Naive2(horizon=3), noisy_trend(30), horizon=3, coverage=0.9)
    with pytest.raises(TSRMInputError, match="coverage must be a probability"):
        backtest(Naive(horizon=3), noisy_trend(30), horizon=3, coverage=90)
    with pytest.raises(TSRMInputError, match="quantiles must lie strictly between 0 and 1"):
        backtest(Naive(horizon=3), noisy_trend(30), horizon=3, quantiles=(0.5, 1.5))


def driven(n: int = 240, seed: int = 0) -> tuple[pd.Series, pd.DataFrame]:
    """y = 3 x + small noise, x random and known ahead: only X can forecast y."""
    rng = np.random.default_rng(seed)
    index = pd.date_range("2024-01-01", periods=n, freq="h")
    x = rng.normal(size=n)
    return (
        pd.Series(3 * x + 0.1 * rng.normal(size=n), index=index, name="load"),
        pd.DataFrame({"x": x}, index=index),
    )


@pytest.mark.parametrize("kind", ["pandas", "numpy"])
def test_covariates_reach_each_window(kind):
    from tsrm import DLinear

    y, X = driven()
    if kind == "numpy":
        y, X = y.to_numpy(), X.to_numpy()
    X_before = X.copy()
    model = DLinear(
        horizon=4, lookback=16, max_epochs=15, batch_size=16, learning_rate=1e-2, verbose=False
    )
    kwargs = dict(horizon=4, n_windows=3, refit=kind == "numpy")
    with_x = backtest(model, y, X=X, **kwargs).summary()["mae"]
    without = backtest(model, y, **kwargs).summary()["mae"]
    assert with_x < 0.5 * without
    if kind == "numpy":
        np.testing.assert_array_equal(X, X_before)
    else:
        pd.testing.assert_frame_equal(X, X_before)
