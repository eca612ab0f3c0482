"""The part every window network's settings share: lookback, horizon, plain-data round trip."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from tsrm._config import Config, check_int_fields
from tsrm.exceptions import TSRMInputError

C = TypeVar("C", bound=Config)


@dataclass(frozen=True)
class WindowConfig(Config):
    """Settings of a network that maps ``lookback`` values to ``horizon`` values.

    Subclasses add their own fields (with defaults); the estimator reads only
    ``lookback`` and ``horizon``, and model files store :meth:`to_dict`.

    Attributes
    ----------
    lookback, horizon : int
        Window length fed to the network and number of steps it forecasts.
    """

    lookback: int
    horizon: int

    def __post_init__(self) -> None:
        check_int_fields(self, ("lookback", "horizon"))


def make_config(cls: type[C], **settings: Any) -> C:
    """``cls(**settings)``, with a bad setting reported as a :class:`TSRMInputError`."""
    try:
        return cls(**settings)
    except (TypeError, ValueError) as err:
        raise TSRMInputError(f"Invalid network settings: {err}") from None
