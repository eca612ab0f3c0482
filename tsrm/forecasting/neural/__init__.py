"""Neural forecasters' shared machinery: window data, Lightning training, predict, save/load.

:class:`WindowForecaster` is the estimator base of TS-TRM and the neural
baselines; a subclass adds only its network (and, if needed, its
LightningModule). Knows no particular network.
"""

from tsrm.forecasting.neural.config import WindowConfig
from tsrm.forecasting.neural.estimator import WindowForecaster
from tsrm.forecasting.neural.lightning_module import LOSSES, PointForecastModule
from tsrm.forecasting.neural.probabilistic import Interval

__all__ = ["LOSSES", "Interval", "PointForecastModule", "WindowConfig", "WindowForecaster"]
