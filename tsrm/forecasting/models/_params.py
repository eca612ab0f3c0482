"""What the window forecasters' constructors share: storing the arguments and their docs.

:func:`store_arguments` is the whole body of an estimator's ``__init__`` (scikit-learn
reads the explicit signature and expects the arguments stored unchanged).
:func:`fill_doc` writes the shared numpydoc text of :data:`PARAMETER_DOCS` and
:data:`ATTRIBUTE_DOCS` into a class docstring, so that each description exists once;
the default shown for a parameter is read from the class's signature.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from tsrm.forecasting._docs import insert_docs
from tsrm.forecasting.base import check_positive_int

T = TypeVar("T", bound=type)

#: Parameter entries by block, numpydoc without the defaults (``fill_doc`` adds them).
PARAMETER_DOCS: dict[str, str] = {
    "window": """
horizon : int
    Steps forecast at once; ``predict(h)`` beyond it feeds forecasts back.
lookback : int
    Past values each forecast sees.
""",
    "training": """
max_epochs : int
batch_size : int
learning_rate : float
lr_decay : float or None
    Multiply the learning rate by this after each epoch (the paper: 0.5).
weight_decay : float
loss : {"mse", "mae", "huber"}
quantiles : sequence of float or None
    Also forecast these quantile levels (pinball loss; see
    :class:`~tsrm.forecasting.neural.estimator.WindowForecaster`).
validation_size : float or int
patience : int
scaling : bool
missing : {"mask", "error"}
random_state : int or None
trainer_kwargs : dict or None
verbose : bool
n_threads : int or None
    Training settings; see :class:`~tsrm.forecasting.neural.estimator.WindowForecaster`.
calendar_features : bool or tuple of str
    Sin/cos calendar covariates from the index; see
    :class:`~tsrm.forecasting.neural.estimator.WindowForecaster`.
past_covariates : tuple of str or None
    Columns of ``X`` observed only up to the forecast origin; see
    :class:`~tsrm.forecasting.neural.estimator.WindowForecaster`.
""",
}

#: Attribute entries by block, inserted as they stand.
ATTRIBUTE_DOCS: dict[str, str] = {
    "fitted": """
n_params_ : int
history_ : dict
    ``train_loss`` and ``val_loss`` per epoch, ``best_epoch``, ``fit_seconds``.
context_ : Panel
    The last ``lookback`` values of each fitted series (what ``predict()`` continues).
""",
}


def store_arguments(obj: object, arguments: Mapping[str, Any]) -> None:
    """Set each of ``arguments`` (``locals()`` of an ``__init__``) as an attribute of ``obj``.

    ``self`` and ``__class__`` are skipped; the values are stored unchanged.
    """
    for name, value in arguments.items():
        if name not in ("self", "__class__"):
            setattr(obj, name, value)


def checked_ints(values: Mapping[str, Any], names: Sequence[str]) -> dict[str, int]:
    """The named settings as plain ints (numpy integers accepted), or a TSRMInputError."""
    return {name: check_positive_int(values[name], name) for name in names}


def _entries(text: str) -> dict[str, list[str]]:
    """Numpydoc entries of ``text`` by name: the ``name : type`` line, then its description."""
    entries: dict[str, list[str]] = {}
    name = ""
    for line in text.strip("\n").splitlines():
        if not line.startswith(" "):
            name = line.partition(" : ")[0]
            entries[name] = []
        entries[name].append(line)
    return entries


def _show(value: Any) -> str:
    """A default as the docs write it: ``"mse"``, ``None``, ``0.2``, ``5e-4``."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, float) and 0 < abs(value) < 0.01:
        mantissa, exponent = f"{value:e}".split("e")
        return f"{float(mantissa):g}e{int(exponent)}"
    return repr(value)


def _parameter_lines(key: str, defaults: Mapping[str, Any]) -> list[str]:
    """The entries of block ``key`` (or of the one parameter ``key``) that are constructor
    parameters, each with its default."""
    if key in PARAMETER_DOCS:
        entries = _entries(PARAMETER_DOCS[key])
    else:
        found = [_entries(text) for text in PARAMETER_DOCS.values() if key in _entries(text)]
        if not found:
            raise KeyError(f"no shared docs for {{{key}}}")
        entries = {key: found[0][key]}
    lines = []
    for name, (head, *description) in entries.items():
        if name in defaults:
            lines += [f"{head}, default {_show(defaults[name])}", *description]
    return lines


def fill_doc(cls: T) -> T:
    """Replace each docstring line ``{name}`` of ``cls`` by the shared text it names.

    ``name`` is a block of :data:`PARAMETER_DOCS` (its entries for the parameters of
    ``cls.__init__``, defaults from the signature), one parameter of those blocks, or a
    block of :data:`ATTRIBUTE_DOCS`. The text takes the indentation of the line it replaces.
    """
    signature = inspect.signature(cls.__init__).parameters.values()
    defaults = {p.name: p.default for p in signature if p.default is not p.empty}

    def lines_for(key: str) -> list[str]:
        if key in ATTRIBUTE_DOCS:
            return ATTRIBUTE_DOCS[key].strip("\n").splitlines()
        return _parameter_lines(key, defaults)

    cls.__doc__ = insert_docs(cls.__doc__, lines_for)
    return cls
