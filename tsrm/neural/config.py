"""The part every window network's settings share: lookback, horizon, plain-data round trip."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, TypeVar

from tsrm.exceptions import TSRMInputError

C = TypeVar("C", bound="WindowConfig")


@dataclass(frozen=True)
class WindowConfig:
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
        check_positive_fields(self, ("lookback", "horizon"))

    def to_dict(self) -> dict:
        """The settings as JSON-ready plain data."""
        return asdict(self)

    @classmethod
    def from_dict(cls: type[C], data: dict) -> C:
        """Rebuild the settings from :meth:`to_dict`; unknown keys are an error."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"Unknown network settings: {sorted(unknown)}.")
        return cls(**data)


def check_positive_fields(config: Any, names: tuple[str, ...]) -> None:
    """Raise ``ValueError`` unless every named field is a positive int (bool is not)."""
    for name in names:
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")


def make_config(cls: type[C], **settings: Any) -> C:
    """``cls(**settings)``, with a bad setting reported as a :class:`TSRMInputError`."""
    try:
        return cls(**settings)
    except (TypeError, ValueError) as err:
        raise TSRMInputError(f"Invalid network settings: {err}") from None
