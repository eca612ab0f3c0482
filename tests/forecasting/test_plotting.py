"""plotting draws forecasts, intervals and refinement traces (Agg backend, no display)."""

from __future__ import annotations

import builtins

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from tsrm.exceptions import TSRMInputError  # noqa: E402
from tsrm.forecasting.neural.inference import ForecastTrace  # noqa: E402
from tsrm.forecasting.plotting import plot_forecast, plot_refinement  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def fitted(fitted_series_model, make_data):
    series = make_data.hourly_series()
    forecast, trace = fitted_series_model.predict(return_trace=True)
    interval = fitted_series_model.predict_interval()
    return series, forecast, trace, interval


def test_forecast_with_history_actuals_and_interval(fitted):
    series, forecast, _, interval = fitted
    actuals = forecast + 0.1
    ax = plot_forecast(series, forecast, actuals=actuals, interval=interval, last=48)
    assert len(ax.lines) == 3
    assert len(ax.collections) == 1  # the interval band
    history_x = ax.lines[0].get_xdata()
    assert len(history_x) == 48
    labels = {t.get_text() for t in ax.get_legend().get_texts()}
    assert labels == {"history", "forecast", "actual", "interval"}


def test_forecast_alone_on_given_axes(fitted):
    _, forecast, _, _ = fitted
    fig, ax = plt.subplots()
    assert plot_forecast(None, forecast, ax=ax, title="t") is ax
    assert len(ax.lines) == 1 and ax.get_title() == "t"


def test_numpy_forecast_continues_the_history_positions():
    history, forecast = np.arange(10.0), np.array([10.0, 11.0, 12.0])
    ax = plot_forecast(history, forecast, interval=(forecast - 1, forecast + 1))
    np.testing.assert_array_equal(ax.lines[1].get_xdata(), [10, 11, 12])


def test_wide_frame_needs_a_series_choice(make_data):
    frame = make_data.wide_frame()
    with pytest.raises(TSRMInputError, match="series=.*'a'"):
        plot_forecast(frame, frame.iloc[-5:])
    ax = plot_forecast(frame, frame.iloc[-5:], series="b")
    assert len(ax.lines) == 2
    with pytest.raises(TSRMInputError, match="no series 'c'"):
        plot_forecast(frame, frame.iloc[-5:], series="c")


def test_long_frame_selects_a_unique_id(fitted_long_model, make_data):
    long_frame = make_data.long_frame()
    forecast = fitted_long_model.predict()
    interval = fitted_long_model.predict_interval()
    ax = plot_forecast(long_frame, forecast, interval=interval, series="b")
    assert len(ax.lines) == 2 and len(ax.collections) == 1
    assert len(ax.lines[1].get_xdata()) == 6


def test_refinement_draws_one_line_per_supervision_step(fitted):
    series, forecast, trace, _ = fitted
    ax = plot_refinement(trace, history=series, actuals=forecast, last=24)
    assert len(ax.lines) == 1 + len(trace.steps) + 1
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["history", "step 1", "step 2", "actual"]


def test_refinement_shows_four_horizons_of_history_and_steps_light_to_dark(fitted):
    series, forecast, trace, _ = fitted
    ax = plot_refinement(trace, history=series)
    assert len(ax.lines[0].get_xdata()) == 4 * len(forecast)
    first, last = (np.mean(matplotlib.colors.to_rgb(line.get_color())) for line in ax.lines[1:])
    assert first > last  # the first step is the lightest
    assert len(plot_refinement(trace, history=series, last=None).lines[0].get_xdata()) == len(
        series
    )


def test_refinement_marks_the_halting_step():
    steps = [np.full(4, float(k)) for k in (1, 2, 3)]
    ax = plot_refinement(ForecastTrace(steps, np.array([2])))
    assert len(ax.lines) == 3
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["step 1", "step 2 (halted)", "step 3"]
    assert ax.lines[2].get_linestyle() == "--"  # computed after halting, unused


def test_refinement_of_a_wide_trace_uses_the_chosen_series_halting_step(make_data):
    frame = make_data.wide_frame().iloc[:4]
    steps = [frame + k for k in range(3)]
    ax = plot_refinement(ForecastTrace(steps, np.array([3, 1])), series="b")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "step 1 (halted)"


def test_refinement_rejects_something_else():
    with pytest.raises(TSRMInputError, match="ForecastTrace"):
        plot_refinement([1, 2, 3])


def test_missing_matplotlib_names_the_plot_extra(monkeypatch):
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match=r"tsrm\[plot\]"):
        plot_forecast(None, np.arange(3.0))
