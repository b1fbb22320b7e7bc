"""What the readers report: the bilingual ``Note`` and the literal types they share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Expect = Literal["polygon", "line", "point", "line_or_point", "none"] | None
CrsSource = Literal["declared", "detected", "assumed"]

_MAX_LISTED = 5


@dataclass(frozen=True)
class Note:
    """Something the reader noticed or changed, in English and Chinese.

    Attributes
    ----------
    severity : {"info", "warning"}
    code : str
        Stable identifier, e.g. ``"gbk_encoding"``, ``"geometry_repaired"``.
    message_en, message_zh : str
        One sentence each.
    count : int or None
        Number of features concerned, when that makes sense.
    """

    severity: Literal["info", "warning"]
    code: str
    message_en: str
    message_zh: str = ""
    count: int | None = None

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` ("zh…" or "en"), falling back to English."""
        return self.message_zh if lang.startswith("zh") and self.message_zh else self.message_en
