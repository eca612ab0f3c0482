"""The original Tiny Recursive Model on puzzles (Sudoku, Maze, ARC-AGI).

This wing imports the recursion engine from :mod:`tsrm.core` and never the
forecasting wing.
"""
