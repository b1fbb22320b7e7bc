"""Widgets shared by the pages: sidebar, error guard, the map widget, rule tables, downloads."""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from gis.errors import PlannerError
from layers.readiness import Rulebook
from layers.reports import rule_rows as report_rule_rows
from ui import data as uidata
from ui import map_files, map_first, warm
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
from ui.text import md_escape, public_text

__all__ = [
    "STATUS_COLORS",
    "as_of",
    "current_lang",
    "guard",
    "language_switch",
    "page_language",
    "readiness_label",
    "rule_details",
    "rule_labels",
    "rule_rows",
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

    ``PlannerError`` → its sentence; anything else → a short note (the traceback
    goes to the server log only).
    """
    try:
        yield
    except PlannerError as exc:
        st.error(t("msg.error", lang, message=md_escape(public_text(exc.text(lang)))))
    except Exception as exc:
        log.exception("unexpected error in a page section")
        st.error(t("msg.unexpected", lang, kind=type(exc).__name__))


def language_switch(state: AppState, lang: str) -> str:
    """The 中文 / English switch (in the current container); returns the language."""
    choice = st.radio(t("sidebar.language", lang), ["zh", "en"],
                      index=0 if lang == "zh" else 1, horizontal=True,
                      format_func=lambda v: "中文" if v == "zh" else "English",
                      key="sidebar_lang")
    if choice != state.lang:
        state.lang = choice
        st.rerun()
    return lang


def sidebar(state: AppState) -> str:
    """Language switch, basemap, Tianditu key and check date; returns the language."""
    lang = current_lang()
    with st.sidebar:
        lang = language_switch(state, lang)
        state.basemap = st.selectbox(
            t("sidebar.basemap", lang), BASEMAPS, index=BASEMAPS.index(state.basemap),
            format_func=lambda b: t(f"basemap.{b}", lang), key="sidebar_basemap")
        if state.basemap == "tianditu":
            # never prefilled: a configured key is not sent back to the browser in a form
            typed = st.text_input(t("sidebar.tianditu_key", lang), value="", type="password",
                                  help=t("sidebar.tianditu_help", lang), key="sidebar_tianditu",
                                  placeholder=t("sidebar.tianditu_configured", lang)
                                  if state.tianditu_key else None)
            if typed:
                state.tianditu_key = typed
        if state.basemap in ("osm", "tianditu", "gaode"):
            st.warning(t("sidebar.online_warning", lang))
        else:
            st.caption(t("sidebar.offline", lang))
        state.as_of = st.date_input(t("sidebar.as_of", lang), value=as_of(),
                                    key="sidebar_as_of")
        # the folder's name only: visitors never see where it lives on the server
        st.caption(f"{t('sidebar.workspace', lang)}: {md_escape(uidata.workspace_path().name)}")
    return lang


def page_language(lang: str) -> None:
    """Tell the browser the page's language (screen readers, fonts, hyphenation)."""
    st.html(f"<script>document.documentElement.lang = {html_lang(lang)!r};</script>",
            unsafe_allow_javascript=True)


# --------------------------------------------------------------------------- rules
def rule_labels(text: str | None, lang: str) -> dict[str, str]:
    """Rule id → label in ``lang`` of the rulebook TOML ``text`` (``{}`` without one)."""
    return uidata.rulebook(text).labels(lang) if text else {}


def rule_rows(long: pd.DataFrame, lang: str, labels: dict[str, str], *, rules: Rulebook,
              industry: Any = None) -> pd.DataFrame:
    """Display rows of a long result table, one per rule, formatted as in the printable report.

    Columns ``rule, rule_label, status, status_label, value, threshold, gap, cost,
    message`` (all text, from :func:`layers.reports.rule_rows`: fractions as %,
    metres, costs in 万元 / CNY, the requirement in words). ``rules`` is the
    rulebook the results came from; ``labels`` may rename rules.
    """
    rows = report_rule_rows(long, rules, lang, industry=industry)
    out = pd.DataFrame(rows, columns=["id", "label", "status", "status_label", "value",
                                      "threshold", "gap", "cost", "message"])
    out = out.rename(columns={"id": "rule", "label": "rule_label"})
    out["rule_label"] = [labels.get(r, lbl) for r, lbl in zip(out["rule"], out["rule_label"],
                                                                 strict=True)]
    return out.reset_index(drop=True)


def readiness_label(status: str, lang: str) -> str:
    """The readiness status as a word in ``lang``."""
    return value_label("readiness", status, lang)


def _status_style(table: pd.DataFrame, lang: str) -> Any:
    """The table with its status cells coloured (pass green, fail red, …)."""
    colours = {value_label("rule_status", k, lang): c for k, c in STATUS_COLORS.items()}
    return table.style.map(lambda v: f"background-color: {colours.get(v, '')}",
                           subset=[t("status", lang)])


_md = md_escape  # text shown literally in Streamlit markdown


def _rule_lines(rows: pd.DataFrame, lang: str) -> str:
    """A markdown list: each rule with its status, message, gap and cost."""
    zh = lang == "zh"
    lines = []
    for r in rows.itertuples():
        extra = ("；" if zh else "; ").join(
            f"{t(k, lang)} {v}" for k, v in (("gap", r.gap), ("cost_est", r.cost)) if v)
        status = f"（{r.status_label}）" if zh else f" ({r.status_label})"
        text = f"{'：' if zh else ': '}{r.message}" if r.message else ""
        tail = f"{' —— ' if zh else ' — '}{extra}" if extra else ""
        lines.append(f"- **{_md(r.rule_label)}**{_md(status + text + tail)}")
    return "\n".join(lines)


def rule_details(long: pd.DataFrame, lang: str, labels: dict[str, str], *, key: str,
                 rules: Rulebook, industry: Any = None) -> pd.DataFrame:
    """The rule-by-rule result, readable in a narrow column; returns the display rows.

    A compact table (rule, status, measured value, requirement), then every rule
    that does not pass with its message, gap and cost as wrapped text, and an
    expander with the same for all rules.
    """
    rows = rule_rows(long, lang, labels, rules=rules, industry=industry)
    compact = pd.DataFrame({
        t("rule", lang): rows["rule_label"], t("status", lang): rows["status_label"],
        t("value", lang): rows["value"], t("requirement", lang): rows["threshold"]})
    st.dataframe(_status_style(compact, lang), hide_index=True, width="stretch", key=key,
                 height=min(35 * (len(compact) + 1) + 3, 720),
                 column_config={t("status", lang): st.column_config.TextColumn(width="small"),
                                t("value", lang): st.column_config.TextColumn(width="small")})
    issues = rows[rows["status"] != "pass"]
    if len(issues):
        st.markdown(f"**{_md(t('rules.issues', lang))}**\n\n" + _rule_lines(issues, lang))
    else:
        st.success(t("rules.all_pass", lang))
    with st.expander(t("rules.details", lang)):  # wrapped text: readable at any width
        st.markdown(_rule_lines(rows, lang))
    return rows


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
                  dynamic=True, publish=map_files.publish)
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
    warm.map_sent()  # the warm-up's remaining loads may follow (they wait for a first map)
    map_first.map_drawn()
    if info.mode == "summary":
        st.caption(t("map.summarised", lang, total=info.in_view))
    elif info.mode == "parcels":
        st.caption(t("map.shown", lang, shown=info.shown, total=info.total))


def as_of() -> date:
    """The session's check date, set to the default (what the sidebar shows) when unset."""
    state = get_state()
    if state.as_of is None:
        state.as_of = uidata.default_as_of()
    return state.as_of
