"""The recursion engine shared by every TRM in tsrm.

It knows nothing of forecasting or puzzles: it runs one shared network over an
input ``x``, an answer ``y`` and a latent state ``z``.

- :func:`recurse` -- the TRM loop of one supervision step (read this first).
- :func:`deep_supervision` -- repeats it, carrying ``(y, z)`` detached.
- :class:`HaltingHead` and friends -- the learned "stop here" signal.
- :class:`EMA` -- exponential moving average of weights.
"""

from tsrm.core.ema import EMA
from tsrm.core.halting import (
    HaltingHead,
    draw_min_steps,
    halting_loss,
    halting_with_exploration,
    run_until_halted,
)
from tsrm.core.recursion import ReasoningNet, recurse
from tsrm.core.supervision import SupervisionStep, deep_supervision

__all__ = [
    "EMA",
    "HaltingHead",
    "ReasoningNet",
    "SupervisionStep",
    "deep_supervision",
    "draw_min_steps",
    "halting_loss",
    "halting_with_exploration",
    "recurse",
    "run_until_halted",
]
