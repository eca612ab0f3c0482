"""The TS-TRM forecasting wing: network, Lightning module and the public estimator."""

from tsrm.forecasting.config import NetworkConfig
from tsrm.forecasting.estimator import ForecastTrace, TRMForecaster
from tsrm.forecasting.network import TSTRMNetwork

__all__ = ["ForecastTrace", "NetworkConfig", "TRMForecaster", "TSTRMNetwork"]
