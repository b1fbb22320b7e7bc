"""One exception tree for the whole tool.

Every error carries a readable sentence (which file, which feature, which column,
what was expected and how to fix it). Subclasses also derive from the matching
builtin so callers may catch ``ValueError`` or ``OSError`` as usual.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "GeometryError",
    "InputError",
    "PlannerError",
    "RulebookError",
    "SchemaError",
    "UnsafeArchiveError",
    "WorkspaceError",
]


class PlannerError(Exception):
    """Base class: a problem the user can fix; the message says how."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(f"{message} {hint}".strip() if hint else message)


class InputError(PlannerError, ValueError):
    """An input file or value cannot be used as given."""


class UnsafeArchiveError(InputError):
    """An archive looks hostile (zip bomb, path traversal, too many members)."""


class CRSError(InputError):
    """The coordinate reference system is missing, implausible or ambiguous."""


class SchemaError(InputError):
    """Columns or values do not match the layer catalogue."""


class GeometryError(InputError):
    """Geometries are of the wrong type or cannot be repaired."""


class WorkspaceError(PlannerError, OSError):
    """A workspace folder or its manifest is missing or inconsistent."""


class RulebookError(InputError):
    """A readiness rulebook cannot be parsed; the message names the rule and the key."""
