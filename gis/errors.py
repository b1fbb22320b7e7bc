"""One exception tree for the whole tool.

Every error carries a readable sentence (which file, which feature, which column,
what was expected and how to fix it). Subclasses also derive from the matching
builtin so callers may catch ``ValueError`` or ``OSError`` as usual.
"""

from __future__ import annotations

__all__ = [
    "AccessError",
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
    """Base class: a problem the user can fix; the message says how.

    Parameters
    ----------
    message : str
        One English sentence naming the file, feature or column and what was expected.
    hint : str, optional
        How to fix it (English).
    zh, hint_zh : str, optional
        The same in Chinese; :meth:`text` shows them to a Chinese user.
        ``str(exc)`` is always the English text.
    """

    def __init__(self, message: str, *, hint: str | None = None, zh: str | None = None,
                 hint_zh: str | None = None) -> None:
        self.message = message
        self.hint = hint
        self.zh = zh
        self.hint_zh = hint_zh
        super().__init__(f"{message} {hint}".strip() if hint else message)

    def text(self, lang: str) -> str:
        """The message and hint in ``lang`` (``"zh"`` or ``"en"``).

        Chinese when ``lang == "zh"`` and a Chinese message exists, else English.

        Examples
        --------
        >>> e = PlannerError("File a.shp has no CRS.", hint="Add a .prj.",
        ...                  zh="文件 a.shp 未声明坐标系。", hint_zh="请补充 .prj 文件。")
        >>> e.text("zh"), e.text("en")
        ('文件 a.shp 未声明坐标系。请补充 .prj 文件。', 'File a.shp has no CRS. Add a .prj.')
        """
        if lang == "zh" and self.zh:
            if self.hint_zh:
                return f"{self.zh}{self.hint_zh}"
            return f"{self.zh} {self.hint}" if self.hint else self.zh
        return str(self)


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


class AccessError(PlannerError, PermissionError):
    """The caller's role does not allow this action (or nobody is signed in)."""
