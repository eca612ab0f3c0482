"""Model-agnostic handling of user series: input kinds, validation, indices, windows."""

from tsrm.forecasting.series.panel import Panel, to_panel
from tsrm.forecasting.series.windows import WindowDataset, count_windows

__all__ = ["Panel", "WindowDataset", "count_windows", "to_panel"]
