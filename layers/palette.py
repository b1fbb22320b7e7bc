"""Colours of readiness and restoration stages: the one table the map and the reports share.

Fills (``READINESS_COLORS``, ``STAGE_COLORS``) colour parcels and sites on the
interactive map, in the printed report maps and in their legends; badges
(``BADGE_COLORS``: background and text) mark statuses in report tables.
Hex strings ``#rrggbb`` only, so Leaflet, matplotlib and CSS all read them.
"""

from __future__ import annotations

__all__ = [
    "BADGE_COLORS",
    "READINESS_COLORS",
    "READINESS_ORDER",
    "STAGE_COLORS",
    "badge_css",
]

# best first; "unchecked" = no result for the parcel (a new parcel, or the engine failed)
READINESS_ORDER: tuple[str, ...] = ("ready", "ready_with_commitments", "not_ready", "incomplete",
                                    "unchecked")
READINESS_COLORS: dict[str, str] = {
    "ready": "#1a9641",
    "ready_with_commitments": "#a6d96a",
    "not_ready": "#d7191c",
    "incomplete": "#fdae61",
    "unchecked": "#9e9e9e",
}
# restoration stages in order, red (untouched) to dark green (closed)
STAGE_COLORS: dict[str, str] = {
    "not_started": "#d73027",
    "approved": "#fc8d59",
    "in_progress": "#fee08b",
    "completed": "#d9ef8b",
    "accepted": "#91cf60",
    "maintenance": "#1a9850",
    "closed": "#006837",
}
# status badges in tables (background, text): readiness and rule statuses, pale and legible
BADGE_COLORS: dict[str, tuple[str, str]] = {
    "ready": ("#d9f0d3", "#1b7837"),
    "ready_with_commitments": ("#e5f5c0", "#4d7a0f"),
    "not_ready": ("#fbd5d5", "#b2182b"),
    "incomplete": ("#fde9c9", "#8c510a"),
    "unchecked": ("#e6e6e6", "#555555"),
    "pass": ("#d9f0d3", "#1b7837"),
    "committed": ("#e5f5c0", "#4d7a0f"),
    "fail": ("#fbd5d5", "#b2182b"),
    "unknown": ("#fde9c9", "#8c510a"),
}


def badge_css(prefix: str = ".s-") -> str:
    """CSS rules ``.s-<status> { background; color }`` for every badge.

    Examples
    --------
    >>> ".s-ready { background: #d9f0d3; color: #1b7837; }" in badge_css()
    True
    """
    return "\n".join(f"{prefix}{k} {{ background: {bg}; color: {fg}; }}"
                     for k, (bg, fg) in BADGE_COLORS.items())
