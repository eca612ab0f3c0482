"""Forecasters under one fit/predict contract, one folder per family.

- ``trm``: TS-TRM (:class:`~tsrm.TRMForecaster`);
- ``linear``: DLinear, NLinear; ``transformer``: PatchTST, TransformerForecaster (trained
  like TS-TRM, through :class:`~tsrm.forecasting.neural.estimator.WindowForecaster`);
- ``statistical``: Naive, SeasonalNaive, Naive2, ARIMA, AutoARIMA, ETS, Theta.

:mod:`~tsrm.forecasting.models.registry` names them all for the CLI and the benchmarks.
"""
