"""Shared docstring text: a docstring line ``{name}`` stands for lines kept in one place."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

_PLACEHOLDER = re.compile(r"(\s*)\{(\w+)\}\s*")


def insert_docs(doc: str | None, lines_for: Callable[[str], Iterable[str]]) -> str:
    """``doc`` with each line ``{name}`` replaced by ``lines_for(name)``.

    The inserted lines take the indentation of the line they replace, so that the
    docstring stays evenly indented (whether or not Python stripped its indentation).
    Other braces, as in ``{"mse", "mae"}``, are left as they are.
    """
    lines = []
    for line in (doc or "").splitlines():
        match = _PLACEHOLDER.fullmatch(line)
        if match is None:
            lines.append(line)
        else:
            lines += [match.group(1) + text if text else "" for text in lines_for(match.group(2))]
    return "\n".join(lines)


def shared_doc(**texts: str) -> Callable[[T], T]:
    """A decorator writing ``texts[name]`` into the docstring lines ``{name}`` of its target."""
    blocks = {name: text.strip("\n").splitlines() for name, text in texts.items()}

    def decorate(obj: T) -> T:
        obj.__doc__ = insert_docs(obj.__doc__, blocks.__getitem__)
        return obj

    return decorate
