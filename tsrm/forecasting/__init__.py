"""The forecasting wing: series handling, window-trained networks, baselines, evaluation.

- :mod:`~tsrm.forecasting.base`: the estimator contract every forecaster follows;
- :mod:`~tsrm.forecasting.series`: user data to panels, indices, windows, scaling, covariates;
- :mod:`~tsrm.forecasting.neural`: what every window-trained network shares (estimator,
  Lightning training, inference, save/load, ONNX, intervals);
- :mod:`~tsrm.forecasting.models`: one folder per model family (``trm``, ``linear``,
  ``transformer``, ``statistical``) and the name -> class registry;
- :mod:`~tsrm.forecasting.datasets`, ``metrics``, ``backtesting``, ``plotting``, ``cli``.

The public estimators are importable from :mod:`tsrm` itself.
"""
