"""Domain errors: one hierarchy, one line each.

Every error a user can cause by bad input is a :class:`TwinError`. Its message
names the file, the field (or variable) and the bad value, and says what would
be valid. The CLI prints ``str(err)`` on one line and exits with code 2; a
traceback on bad input is a bug.

Errors subclass :class:`ValueError` (or :class:`OSError` for output problems)
so that code which does not know placetwin can still catch them sensibly,
the way xarray's ``AlignmentError`` and xclim's ``ValidationError`` do.
"""

from __future__ import annotations

from os import PathLike
from typing import Any

__all__ = [
    "ClimateDataError",
    "InterventionError",
    "OutputError",
    "PlaceDataError",
    "ScenarioError",
    "TwinError",
]

_MISSING = object()


class TwinError(ValueError):
    """Base class of all placetwin input errors.

    Parameters
    ----------
    message
        What is wrong, in a few words ("must be between 0 and 1").
    file
        The file the bad value came from, if any.
    field
        The key, column, layer or variable that holds the bad value
        (dotted path for nested keys: ``options[1].interventions[0].increase``).
    value
        The bad value itself; quoted with ``repr`` in the message.
    line
        1-based line number in ``file``, when known (scenario files).
    hint
        What would be valid, when it is not obvious from ``message``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | PathLike[str] | None = None,
        field: str | None = None,
        value: Any = _MISSING,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = None if file is None else str(file)
        self.field = field
        self.value = value
        self.line = line
        self.hint = hint
        super().__init__(self._format())

    def _format(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.field is not None:
            parts.append(self.field)
        text = ": ".join(parts + [self.message]) if parts else self.message
        if self.value is not _MISSING:
            text += f" (got {_short_repr(self.value)})"
        if self.hint:
            text += f"; {self.hint}"
        # one line, always
        return " ".join(text.split())

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self._format()


def _short_repr(value: Any, limit: int = 200) -> str:
    try:
        text = repr(value)
    except ValueError:  # an integer of more digits than Python prints
        text = f"<{type(value).__name__} of about {int(value.bit_length() * 0.30103) + 1} digits>" if isinstance(value, int) \
            else f"<unprintable {type(value).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ScenarioError(TwinError):
    """A scenario file is malformed, has unknown keys, wrong types or bad values."""


class PlaceDataError(TwinError):
    """A place directory is missing a file or layer, or holds inconsistent data."""


class ClimateDataError(TwinError):
    """A climate file is missing variables, has wrong units, NaNs or bad times."""


class InterventionError(TwinError):
    """An intervention is unknown or its parameters cannot apply to the place."""


class OutputError(TwinError, OSError):
    """An output directory exists, is not writable, or holds a different run."""
