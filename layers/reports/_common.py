"""Pieces shared by the three reports: dates, file names, the footer context, map extents."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pandas as pd

from gis.errors import InputError, PlannerError
from layers.reports.i18n import check_lang, t
from layers.workspace import to_date

if TYPE_CHECKING:
    from layers.workspace import Workspace

__all__ = ["as_date", "base_context", "grow", "safe_name", "translator"]

Bounds = tuple[float, float, float, float]


def as_date(value: date | str | None, default: date | None = None) -> date:
    """The check date: a ``date``, an ISO text, or ``default`` (the workspace's
    snapshot date) / today when ``None``."""
    try:
        day = to_date(value)
    except ValueError:
        raise InputError(f"The report date {value!r} is not a date.",
                         hint="Use the ISO form YYYY-MM-DD, e.g. 2025-06-30.",
                         zh=f"报告日期 {value!r} 不是有效日期。",
                         hint_zh="请使用 YYYY-MM-DD 格式，如 2025-06-30。") from None
    return day or default or date.today()


def safe_name(text: object) -> str:
    """An ASCII file-name fragment of ``text`` (other characters become ``_``)."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", str(text)).strip("._")
    return name or "report"


def translator(lang: str) -> Any:
    """``t`` bound to ``lang`` for the templates."""
    check_lang(lang)

    def tr(key: str, **fmt: object) -> str:
        return t(key, lang, **fmt)

    return tr


def grow(bounds: Bounds, *, margin: float = 0.1, min_size: float = 0.0) -> Bounds:
    """``bounds`` grown by ``margin`` of its size on each side and to at least ``min_size``."""
    minx, miny, maxx, maxy = bounds
    w, h = maxx - minx, maxy - miny
    pad = margin * max(w, h)
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    hw = max(w / 2 + pad, min_size / 2)
    hh = max(h / 2 + pad, min_size / 2)
    return cx - hw, cy - hh, cx + hw, cy + hh


def base_context(ws: Workspace, *, lang: str, title: str, subtitle: str, as_of: date,
                 sources: list[dict[str, object]], missing: list[str], notes: list[str],
                 rulebook: str = "") -> dict[str, Any]:
    """What ``base.html`` needs: labels, footer metadata, missing-data list and notes."""
    generated = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z").strip()
    return {
        "lang": lang,
        "t": translator(lang),
        "title": title,
        "subtitle": subtitle,
        "missing": list(dict.fromkeys(missing)),
        "notes": list(dict.fromkeys(n for n in notes if n)),
        "sources": sources,
        "meta": {
            "workspace": ws.name,
            "crs": _crs_text(ws),
            "as_of": as_of.isoformat(),
            "generated": generated,
            "rulebook": rulebook,
        },
    }


def _crs_text(ws: Workspace) -> str:
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        crs = ws.analysis_crs
    except PlannerError:
        return "—"
    try:
        c = CRS.from_user_input(crs)
    except CRSError:
        return str(crs)
    auth = c.to_authority()
    code = f"{auth[0]}:{auth[1]}" if auth else str(crs)
    return f"{code} ({c.name})"


def is_missing(value: object) -> bool:
    """True for None, NA, NaN and NaT."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
