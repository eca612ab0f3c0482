"""Classical baselines under the same fit/predict contract as TRMForecaster."""

from tsrm.baselines._statsmodels import FitFailedError
from tsrm.baselines.arima import ARIMA
from tsrm.baselines.auto_arima import AutoARIMA
from tsrm.baselines.ets import ETS
from tsrm.baselines.naive import Naive, SeasonalNaive
from tsrm.baselines.naive2 import Naive2
from tsrm.baselines.theta import Theta

__all__ = [
    "ARIMA",
    "ETS",
    "AutoARIMA",
    "FitFailedError",
    "Naive",
    "Naive2",
    "SeasonalNaive",
    "Theta",
]
