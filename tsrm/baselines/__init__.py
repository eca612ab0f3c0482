"""Classical baselines under the same fit/predict contract as TRMForecaster."""

from tsrm.baselines.arima import ARIMA
from tsrm.baselines.naive import Naive, SeasonalNaive

__all__ = ["ARIMA", "Naive", "SeasonalNaive"]
