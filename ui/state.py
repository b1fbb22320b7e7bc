"""The app's session state: one typed object per browser session in ``st.session_state``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import streamlit as st

from gis.errors import PlannerError
from layers.access import Actor
from layers.settings import DeploymentSettings
from ui.map import View

__all__ = ["KEY", "AppState", "get_state"]

KEY = "devzone_state"


def _server_tianditu_key() -> str:
    try:
        return DeploymentSettings.from_env().tianditu_key
    except PlannerError:  # the app reports a bad setting itself
        return ""


@dataclass
class AppState:
    """Everything the pages remember between reruns of one session.

    Attributes
    ----------
    lang
        ``"zh"`` / ``"en"`` chosen in the sidebar; ``None`` follows the browser locale.
    basemap, tianditu_key
        Map background (``ui.map.BASEMAPS``) and the Tianditu browser key (default:
        environment variable ``DEVZONE_TIANDITU_KEY``; never shown in a form field).
    as_of
        The date readiness and restoration are evaluated for; ``None`` until the
        sidebar sets it to the workspace's snapshot date (``as_of``), else today.
    selected_parcel
        Parcel whose rule table is shown beside the map (clicked or chosen in a table).
    sketch
        The last drawn polygon as WKT (WGS84), checked like a parcel.
    views
        Last reported view (bounds + zoom) per map widget key.
    rule_overrides
        Unsaved rulebook edits: ``(rule_id, key) -> value``.
    last_click, last_drawing
        The last map click and drawn polygon (WKT) handled, so a rerun does not
        handle them twice.
    upload_result
        The Data page's last upload, kept until it is accepted or discarded.
    user, signed_in_at
        The signed-in actor (``None``: anonymous) and when they signed in (UTC); see
        ``ui.auth`` for expiry.
    failed_logins, login_blocked_until, expired
        Sign-in throttle of this session, and whether the last sign-in ran out.
    """

    lang: str | None = None
    basemap: str = "hillshade"
    tianditu_key: str = field(default_factory=_server_tianditu_key)
    as_of: date | None = None
    selected_parcel: str | None = None
    sketch: str | None = None
    views: dict[str, View] = field(default_factory=dict)
    rule_overrides: dict[tuple[str, str], Any] = field(default_factory=dict)
    last_click: tuple[float, float] | None = None
    last_drawing: str | None = None
    upload_result: Any = None
    user: Actor | None = None
    signed_in_at: datetime | None = None
    failed_logins: int = 0
    login_blocked_until: datetime | None = None
    expired: bool = False

    def view(self, key: str) -> View | None:
        return self.views.get(key)


def get_state() -> AppState:
    """This session's :class:`AppState` (created on first use)."""
    state = st.session_state.get(KEY)
    if not isinstance(state, AppState):
        state = AppState()
        st.session_state[KEY] = state
    return state
