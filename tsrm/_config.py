"""The base of every settings class: a frozen dataclass with a plain-data round trip."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any, TypeVar

C = TypeVar("C", bound="Config")


@dataclass(frozen=True)
class Config:
    """Frozen settings that model files store as JSON (:meth:`to_dict` / :meth:`from_dict`).

    Subclasses add fields with defaults and check them in ``__post_init__``
    (raising ``ValueError``).
    """

    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON-ready plain data."""
        return asdict(self)

    @classmethod
    def from_dict(cls: type[C], data: dict[str, Any]) -> C:
        """Rebuild the settings from :meth:`to_dict`; unknown keys are an error."""
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"Unknown {cls.__name__} settings: {sorted(unknown)}.")
        return cls(**data)

    def with_(self: C, **changes: Any) -> C:
        """A copy with some fields changed (checked again)."""
        return replace(self, **changes)


def check_int_fields(config: Any, names: tuple[str, ...], minimum: int = 1) -> None:
    """Raise ``ValueError`` unless every named field is an int ``>= minimum`` (bool is not)."""
    for name in names:
        value = getattr(config, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
            raise ValueError(f"{name} must be {what}, got {value!r}.")
