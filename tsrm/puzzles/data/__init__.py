"""Puzzle data builders: encodings, exact solvers, generators and augmentations (numpy only)."""
