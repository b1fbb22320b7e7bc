"""Parcels page: filterable table linked to the map, downloads, per-parcel report."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from layers.readiness import FAILING_SEP
from ui import data as uidata
from ui.i18n import column_label, t, value_label
from ui.map import READINESS_ORDER
from ui.state import get_state
from ui.supervision_widgets import stock_filter
from ui.text import md_escape
from ui.widgets import guard, readiness_label, rule_labels, workspace_map

FORMATS = {"geojson": "application/geo+json", "gpkg": "application/geopackage+sqlite3",
           "csv": "text/csv"}


def _failing(text: object) -> list[str]:
    """Rule ids of the engine's ``failing_rules`` text (required rules, in rulebook order)."""
    return [r for r in str(text).split(FAILING_SEP) if r]


def _filters(table: pd.DataFrame, labels: dict[str, str], zone_names: dict[str, str],
             lang: str) -> pd.Series:
    """Sidebar-free filter widgets above the table; returns the boolean mask."""
    mask = pd.Series(True, index=table.index)
    cols = st.columns(4)
    zones = sorted(table["zone_id"].dropna().astype(str).unique()) if "zone_id" in table else []
    anything = t("parcels.any", lang)
    pick = cols[0].multiselect(t("parcels.filter_zone", lang), zones, key="f_zone",
                               placeholder=anything,
                               format_func=lambda z: zone_names.get(z, z))
    if pick:
        mask &= table["zone_id"].astype(str).isin(pick)
    industries = sorted(table["industry"].dropna().astype(str).unique()) \
        if "industry" in table else []
    pick = cols[1].multiselect(t("parcels.filter_industry", lang), industries, key="f_industry",
                               placeholder=anything,
                               format_func=lambda v: value_label("industry", v, lang))
    if pick:
        mask &= table["industry"].astype(str).isin(pick)
    present = [s for s in READINESS_ORDER if s in set(table["readiness"])]
    pick = cols[2].multiselect(t("parcels.filter_readiness", lang), present, key="f_readiness",
                               placeholder=anything,
                               format_func=lambda s: value_label("readiness", s, lang))
    if pick:
        mask &= table["readiness"].isin(pick)
    rules = sorted(set().union(*table["failing_rules"].map(_failing)))
    pick = cols[3].multiselect(t("parcels.filter_rule", lang), rules, key="f_rule",
                               placeholder=anything, format_func=lambda r: labels.get(r, r))
    if pick:
        mask &= table["failing_rules"].map(lambda f: bool(set(_failing(f)) & set(pick)))
    return mask


def main() -> None:
    state = get_state()
    lang = state.lang or "zh"
    st.title(t("parcels.title", lang))
    with guard(lang):
        snap = uidata.snapshot()
        ws = uidata.load(snap)
        text = result = None
        with guard(lang):
            text = uidata.rules_text(ws, state.rule_overrides)
            result = uidata.readiness(snap, text, state.as_of)
        labels = rule_labels(text, lang)
        table = uidata.parcel_table(ws, result)
        zones = ws.read("zones") if "zones" in ws.layers else None
        zone_names = {} if zones is None else dict(zip(
            zones["zone_id"].astype(str), zones["name"].astype(str), strict=False))
        mask = _filters(table, labels, zone_names, lang) & stock_filter(table, lang)
        shown = table[mask].reset_index(drop=True)
        st.caption(t("parcels.count", lang, n=len(shown)) + " · " + t("parcels.select_hint", lang))
        coded = {"industry": "industry", "supply_status": "supply_status"}
        view = pd.DataFrame({
            column_label("parcels", c, lang): (
                shown[c].map(lambda v, g=coded[c]: value_label(g, v, lang)) if c in coded
                else shown[c])
            for c in shown.columns if c not in ("readiness", "failing_rules", "zone_id")})
        if "zone_id" in shown.columns:  # the zone's name, not its code
            view.insert(min(2, len(view.columns)), t("parcels.zone_name", lang), [
                t("overview.no_zone", lang) if pd.isna(z) else zone_names.get(str(z), str(z))
                for z in shown["zone_id"]])
        view[t("readiness", lang)] = shown["readiness"].map(lambda s: readiness_label(s, lang))
        view[t("parcels.filter_rule", lang)] = shown["failing_rules"].map(
            lambda f: "、".join(labels.get(r, r) for r in _failing(f)))
        event = st.dataframe(view, hide_index=True, width="stretch", height=320,
                             on_select="rerun", selection_mode="single-row", key="parcel_table")
        rows = event.selection.rows if event is not None else []
        focus = None
        if rows:
            focus = str(shown["parcel_id"].iloc[rows[0]])
            state.selected_parcel = focus

        left, right = st.columns([3, 2])
        with left:
            data, _ = uidata.map_data(snap, text, state.as_of)
            workspace_map("parcels_map", data, lang, height=480, focus=focus)
        with right:
            st.subheader(t("parcels.download", lang))
            with guard(lang):
                parcels = ws.read("parcels")
                parcels["parcel_id"] = parcels["parcel_id"].astype(str)
                out = parcels[parcels["parcel_id"].isin(set(shown["parcel_id"]))]
                out = out.merge(shown[["parcel_id", "readiness", "failing_rules"]],
                                on="parcel_id", how="left")
                fmt = st.radio(t("data.format", lang), list(FORMATS), horizontal=True,
                               format_func=lambda f: t(f"format.{f}", lang), key="parcels_fmt")
                st.download_button(
                    t("parcels.download", lang) + f" ({len(out)})",
                    data=uidata.export_bytes(out, fmt, layer="parcels"),
                    file_name=f"parcels.{fmt}", mime=FORMATS[fmt], key="parcels_download",
                                   on_click="ignore")
            st.subheader(t("parcels.report", lang))
            with guard(lang):
                pid = state.selected_parcel
                shown_id = md_escape(pid)  # labels are Markdown
                if pid is None:
                    st.info(t("parcels.report_pick", lang))
                elif st.toggle(t("parcels.report_make", lang, id=shown_id), key="report_make"):
                    report = uidata.parcel_report(snap, text, pid, lang, state.as_of)
                    st.download_button(t("parcels.report_download", lang, id=shown_id, fmt="HTML"),
                                       data=report.html.encode("utf-8"),
                                       file_name=f"{report.filename}.html", mime="text/html",
                                       key="parcel_report_html", on_click="ignore")
                    st.download_button(t("parcels.report_download", lang, id=shown_id, fmt="PDF"),
                                       data=uidata.report_pdf(report.html),
                                       file_name=f"{report.filename}.pdf",
                                       mime="application/pdf", key="parcel_report_pdf",
                                       on_click="ignore")


main()
