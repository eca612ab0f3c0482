"""Bring your own data: read CSV files and frames, convert wide <-> long, resample sensor logs.

Every function returns data in a form :func:`tsrm.forecasting.series.to_panel` (and so
``TRMForecaster.fit``) accepts: a wide DataFrame indexed by a regular
DatetimeIndex, or a long DataFrame with columns ``unique_id``, ``ds``, ``y``.
The caller's objects are never modified. Nothing here knows about models.

- :mod:`.read`: :func:`read_series` and date-column detection;
- :mod:`.reshape`: :func:`to_long` and :func:`to_wide`;
- :mod:`.sensor_log`: :func:`resample_log` and :class:`ResampledLog`, with the grid
  frequency parsed or inferred in :mod:`.frequency`.
"""

# LONG_COLUMNS, AGGREGATIONS and GAP_POLICIES were module constants of the single-module
# tsrm.forecasting.datasets.own; they stay importable from it, outside __all__ as before.
from tsrm.forecasting.datasets.own.read import read_series
from tsrm.forecasting.datasets.own.reshape import LONG_COLUMNS as LONG_COLUMNS
from tsrm.forecasting.datasets.own.reshape import to_long, to_wide
from tsrm.forecasting.datasets.own.sensor_log import AGGREGATIONS as AGGREGATIONS
from tsrm.forecasting.datasets.own.sensor_log import GAP_POLICIES as GAP_POLICIES
from tsrm.forecasting.datasets.own.sensor_log import ResampledLog, resample_log

__all__ = ["ResampledLog", "read_series", "resample_log", "to_long", "to_wide"]
