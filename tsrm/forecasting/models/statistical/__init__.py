"""Classical baselines: naive forecasts and statsmodels' ARIMA, ETS and Theta."""
