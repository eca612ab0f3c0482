"""Adapters to other forecasting libraries; each imports its library only when used.

- :mod:`tsrm.integrations.sktime`: any tsrm forecaster as an sktime forecaster
  (``pip install "tsrm[sktime]"``).
"""
