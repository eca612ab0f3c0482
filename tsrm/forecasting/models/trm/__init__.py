"""TS-TRM: the tiny recursive network, its training, and :class:`~tsrm.TRMForecaster`."""
