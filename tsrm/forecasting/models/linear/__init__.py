"""DLinear and NLinear: one linear layer over the look-back window."""
