"""What every window-trained network shares; knows no particular network.

- ``estimator``: :class:`~tsrm.forecasting.neural.estimator.WindowForecaster`, the estimator
  base of TS-TRM and the neural baselines (a subclass adds only its network and, if
  needed, its LightningModule);
- ``inference``: the one path from raw windows to forecasts on the data scale;
- ``data``, ``lightning_module``, ``callbacks``, ``checkpoint``: training;
- ``probabilistic``, ``conformal``: intervals and quantiles;
- ``covariate_head``, ``config``, ``serialization``, ``export``.
"""
