"""Adapters to other forecasting libraries; each imports its library only when used.

- :mod:`tsrm.forecasting.integrations.sktime`: any tsrm forecaster as an sktime forecaster
  (``pip install "tsrm[sktime]"``).
"""
