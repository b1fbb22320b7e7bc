"""Widgets shared by the pages: sidebar, error guard, the map widget, rule tables, downloads."""

from __future__ import annotations

import functools
import logging
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from gis.errors import PlannerError
from ui import data as uidata
from ui.assets import missing_files
from ui.i18n import html_lang, lang_from_locale, t, value_label
from ui.map import (
    BASEMAPS,
    MapData,
    View,
    build_map,
    drawing_to_wgs84,
    focus_on,
    layer_control,
    parcel_at,
    parcel_layer,
)
from ui.state import AppState, get_state

__all__ = [
    "STATUS_COLORS",
    "current_lang",
    "guard",
    "rule_labels",
    "rule_table",
    "sidebar",
    "workspace_map",
]

log = logging.getLogger("devzone.ui")
# cell colours of rule statuses (no emoji: intranet machines often lack an emoji font)
STATUS_COLORS = {"pass": "#d9f0d3", "fail": "#f4cccc", "unknown": "#fde9c9",
                 "committed": "#e5f5c0"}
MAP_RETURNS = ["last_object_clicked", "last_active_drawing", "bounds", "zoom"]


def current_lang() -> str:
    """The session's language: the sidebar choice, else the browser locale (default zh)."""
    state = get_state()
    if state.lang is None:
        try:
            locale = st.context.locale
        except Exception:
            locale = None
        state.lang = lang_from_locale(locale)
    return state.lang


@contextmanager
def guard(lang: str) -> Iterator[None]:
    """Show an error inside the block as one readable message; the rest of the page goes on.

    ``PlannerError`` → its sentence; a missing engine → "not yet available";
    anything else → a short note (the traceback goes to the server log only).
    """
    try:
        yield
    except uidata.EngineMissing as exc:
        st.info(t("msg.not_yet", lang, what=t(exc.key, lang)))
    except PlannerError as exc:
        st.error(t("msg.error", lang, message=str(exc)))
    except Exception as exc:
        log.exception("unexpected error in a page section")
        st.error(t("msg.unexpected", lang, kind=type(exc).__name__))


def sidebar(state: AppState) -> str:
    """Language switch, basemap, Tianditu key and check date; returns the language."""
    lang = current_lang()
    with st.sidebar:
        choice = st.radio(t("sidebar.language", lang), ["zh", "en"],
                          index=0 if lang == "zh" else 1, horizontal=True,
                          format_func=lambda v: "中文" if v == "zh" else "English",
                          key="sidebar_lang")
        if choice != state.lang:
            state.lang = lang = choice
            st.rerun()
        state.basemap = st.selectbox(
            t("sidebar.basemap", lang), BASEMAPS, index=BASEMAPS.index(state.basemap),
            format_func=lambda b: t(f"basemap.{b}", lang), key="sidebar_basemap")
        if state.basemap == "tianditu":
            state.tianditu_key = st.text_input(t("sidebar.tianditu_key", lang),
                                               value=state.tianditu_key, type="password",
                                               help=t("sidebar.tianditu_help", lang))
        if state.basemap in ("osm", "tianditu", "gaode"):
            st.warning(t("sidebar.online_warning", lang))
        else:
            st.caption(t("sidebar.offline", lang))
        if state.as_of is None:
            state.as_of = uidata.default_as_of()
        state.as_of = st.date_input(t("sidebar.as_of", lang), value=state.as_of,
                                    key="sidebar_as_of")
        st.caption(f"{t('sidebar.workspace', lang)}: `{uidata.workspace_path()}`")
    st.html(f"<script>document.documentElement.lang = {html_lang(lang)!r};</script>",
            unsafe_allow_javascript=True)
    return lang


# --------------------------------------------------------------------------- rules
def rule_labels(text: str | None, lang: str) -> dict[str, str]:
    """Rule id → label in ``lang``, read from the rulebook TOML text."""
    if not text:
        return {}
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}
    out = {}
    for rule in doc.get("rule", []):
        label = rule.get("label", {})
        out[str(rule.get("id"))] = (label.get(lang) or label.get("zh") or str(rule.get("id"))) \
            if isinstance(label, dict) else str(label)
    return out


def rule_table(long: pd.DataFrame, lang: str, labels: dict[str, str]) -> pd.DataFrame:
    """Rule-by-rule rows (status, value, threshold, gap, cost, message) with localised headers."""
    msg_col = "message" if lang == "zh" or "message_en" not in long.columns else "message_en"
    out = pd.DataFrame({
        t("rule", lang): long["rule_id"].map(lambda r: labels.get(str(r), str(r))),
        t("status", lang): long["status"].map(lambda s: value_label("rule_status", s, lang)),
    })
    for col in ("value", "threshold", "unit", "gap", "cost"):
        if col in long.columns:
            out[t(col, lang)] = long[col].to_numpy()
    out[t("message", lang)] = long[msg_col].to_numpy() if msg_col in long.columns else ""
    return out.reset_index(drop=True)


def readiness_label(status: str, lang: str) -> str:
    """The readiness status as a word in ``lang``."""
    return value_label("readiness", status, lang)


def styled_rules(table: pd.DataFrame, lang: str) -> Any:
    """A rule table with its status cells coloured (pass green, fail red, …)."""
    colours = {value_label("rule_status", k, lang): c for k, c in STATUS_COLORS.items()}
    col = t("status", lang)
    return table.style.map(lambda v: f"background-color: {colours.get(v, '')}",
                           subset=[col]).format(precision=2, na_rep="")


# --------------------------------------------------------------------------- map
def _on_map_change(key: str, data: MapData, gcj02: bool) -> None:
    """Store the view, the clicked parcel and a new sketch before the rerun builds the page."""
    ret = st.session_state.get(key) or {}
    state = get_state()
    view = View.from_st_folium(ret)
    if view is not None:
        state.views[key] = view
    click = ret.get("last_object_clicked")
    if isinstance(click, dict) and "lat" in click and "lng" in click:
        point = (float(click["lat"]), float(click["lng"]))
        if point != state.last_click:
            state.last_click = point
            pid = parcel_at(data, point[1], point[0], gcj02=gcj02)
            if pid is not None:
                state.selected_parcel = pid
    drawing = ret.get("last_active_drawing")
    # clicking a feature also reports it as "last_active_drawing": sketches have no properties
    if isinstance(drawing, dict) and not drawing.get("properties"):
        geom = drawing_to_wgs84(drawing, gcj02=gcj02)
        if geom is not None and geom.wkt != state.last_drawing:
            state.last_drawing = state.sketch = geom.wkt


def workspace_map(key: str, data: MapData, lang: str, *, height: int = 620,
                  focus: str | None = None) -> None:
    """The interactive map: static layers once, parcels for the current view, tools, legend."""
    if missing_files():
        st.error(t("msg.assets_missing", lang))
        return
    from streamlit_folium import st_folium

    state = get_state()
    gcj = state.basemap == "gaode"
    m = build_map(data, lang=lang, basemap=state.basemap, tianditu_key=state.tianditu_key or None,
                  dynamic=True)
    fg, info = parcel_layer(data, lang=lang, view=state.view(key), gcj02=gcj,
                            selected=state.selected_parcel)
    center = zoom = None
    if focus is not None:
        target = focus_on(data, focus, gcj02=gcj)
        if target is not None:
            center, zoom = target
    st_folium(m, key=key, height=height, use_container_width=True,
              returned_objects=MAP_RETURNS, feature_group_to_add=fg,
              layer_control=layer_control(), center=center, zoom=zoom,
              on_change=functools.partial(_on_map_change, key, data, gcj))
    if info.mode == "summary":
        st.caption(t("map.summarised", lang, total=info.in_view))
    elif info.mode == "parcels":
        st.caption(t("map.shown", lang, shown=info.shown, total=info.total))


def as_of() -> date:
    state = get_state()
    if state.as_of is None:
        state.as_of = uidata.default_as_of()
    return state.as_of
