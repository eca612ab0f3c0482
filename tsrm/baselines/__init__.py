"""Baselines under the same fit/predict contract as TRMForecaster.

Classical: Naive, SeasonalNaive, Naive2, ARIMA, AutoARIMA, ETS, Theta.
Neural (trained like TS-TRM, through :class:`~tsrm.neural.WindowForecaster`):
DLinear, NLinear.
Transformers (the same way): PatchTST, TransformerForecaster.
"""

from tsrm.baselines._statsmodels import FitFailedError
from tsrm.baselines.arima import ARIMA
from tsrm.baselines.auto_arima import AutoARIMA
from tsrm.baselines.ets import ETS
from tsrm.baselines.linear import DLinear, NLinear
from tsrm.baselines.naive import Naive, SeasonalNaive
from tsrm.baselines.naive2 import Naive2
from tsrm.baselines.theta import Theta
from tsrm.baselines.transformers import PatchTST, TransformerForecaster

__all__ = [
    "ARIMA",
    "ETS",
    "AutoARIMA",
    "DLinear",
    "FitFailedError",
    "NLinear",
    "Naive",
    "Naive2",
    "PatchTST",
    "SeasonalNaive",
    "Theta",
    "TransformerForecaster",
]
