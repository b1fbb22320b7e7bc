"""Restoration page: sites by stage on a map, restored area over time, progress and NDVI,
overdue/flagged sites, priorities, inspections."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from layers.access import Role
from layers.catalog import MINE_STAGES
from layers.restoration import flag_label
from layers.restoration.history import restored_over_time
from ui import data as uidata
from ui import map_files
from ui.assets import missing_files
from ui.auth import can
from ui.i18n import column_label, t, value_label
from ui.state import get_state
from ui.text import md_escape
from ui.widgets import guard

SITES_MAP_PX = 460


def _flag_text(flags: object, lang: str) -> str:
    sep = "、" if lang == "zh" else "; "
    return sep.join(flag_label(f, lang) for f in str(flags or "").split(";") if f)


def _site_table(sites: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, dict[str, object]]:
    ndvi = [c for c in sites.columns if c.startswith("ndvi_") and c[5:].isdigit()]
    cols = ["site_id", *[c for c in ("name", "county") if c in sites.columns], "stage",
            "progress_pct", "days_overdue", *ndvi,
            *[c for c in ("ndvi_change",) if c in sites.columns]]
    out = pd.DataFrame(sites[cols]).copy()
    out["stage"] = out["stage"].map(lambda s: value_label("stage", s, lang))
    if "flags" in sites.columns:
        out["flags"] = sites["flags"].map(lambda f: _flag_text(f, lang)).to_numpy()
    config: dict[str, object] = {
        "site_id": st.column_config.TextColumn(t("restoration.site", lang)),
        "stage": st.column_config.TextColumn(t("restoration.stage", lang)),
        "name": st.column_config.TextColumn(column_label("mines", "name", lang)),
        "county": st.column_config.TextColumn(column_label("mines", "county", lang)),
        "flags": st.column_config.TextColumn(t("restoration.flags", lang)),
        "progress_pct": st.column_config.ProgressColumn(
            t("restoration.progress_pct", lang), min_value=0, max_value=100, format="%.0f%%"),
        "days_overdue": st.column_config.NumberColumn(t("restoration.days_overdue", lang)),
        "ndvi_change": st.column_config.NumberColumn("ΔNDVI", format="%.3f"),
        **{c: st.column_config.NumberColumn(f"NDVI {c[5:]}", format="%.3f") for c in ndvi},
    }
    return out, config


def _inspection_form(ws: object, sites: pd.DataFrame, lang: str) -> None:
    from layers.restoration import append_inspection

    state = get_state()
    with st.form("inspection_form", clear_on_submit=False):
        st.subheader(t("restoration.form", lang))
        c1, c2, c3 = st.columns(3)
        ids = sites["site_id"].astype(str).tolist()
        site = c1.selectbox(t("restoration.site", lang), ids, key="insp_site")
        when = c2.date_input(t("restoration.date", lang), value=state.as_of, key="insp_date")
        stage = c3.selectbox(t("restoration.stage", lang), MINE_STAGES, key="insp_stage",
                             format_func=lambda s: value_label("stage", s, lang))
        c4, c5, c6 = st.columns(3)
        restored = c4.number_input(t("restoration.restored", lang), min_value=0.0, value=None,
                                   step=0.1, key="insp_restored")
        veg = c5.number_input(t("restoration.veg", lang), min_value=0.0, max_value=100.0,
                              value=None, step=1.0, key="insp_veg")
        note = c6.text_input(t("restoration.note", lang), key="insp_note")
        if st.form_submit_button(t("restoration.submit", lang)):
            row = {"site_id": site, "date": when, "stage": stage, "restored_area_ha": restored,
                   "veg_cover_pct": veg, "note": note or None}
            # recorded by the signed-in user; InputError → one readable sentence via guard()
            append_inspection(ws, row, actor=state.user)
            st.success(t("restoration.saved", lang, site=md_escape(site)))


def _sites_map(snap: object, ws: object, lang: str) -> None:
    """The sites coloured by their current stage (a view only: no clicks are sent back)."""
    from streamlit_folium import st_folium

    from ui.map import build_sites_map

    state = get_state()
    if missing_files():
        st.error(t("msg.assets_missing", lang))
        return
    text = None
    with guard(lang):  # the same cached map data as the Map page (rules included)
        text = uidata.rules_text(ws, state.rule_overrides)
    data, _notes = uidata.map_data(snap, text, state.as_of)
    m = build_sites_map(data, lang=lang, basemap=state.basemap,
                        tianditu_key=state.tianditu_key or None, publish=map_files.publish)
    st_folium(m, key="sites_map", height=SITES_MAP_PX, use_container_width=True,
              returned_objects=[])


def _restored_chart(ws: object, lang: str) -> None:
    """Restored hectares over time, summed over the sites' latest inspections."""
    state = get_state()
    history = restored_over_time(ws.read("inspections") if ws.has("inspections") else None,
                                 as_of=state.as_of)
    if history.empty:
        st.caption(t("restoration.no_history", lang))
        return
    x, y = t("restoration.date_axis", lang), t("restoration.restored_axis", lang)
    st.area_chart(history.rename(columns={"date": x, "restored_ha": y}), x=x, y=y,
                  height=SITES_MAP_PX - 40)


def main() -> None:
    state = get_state()
    lang = state.lang or "zh"
    st.title(t("restoration.title", lang))
    with guard(lang):
        snap = uidata.snapshot()
        ws = uidata.load(snap)
        result = uidata.restoration(snap, state.as_of)
        sites = result.sites
        summary = result.kpis["summary"]
        k = summary.set_index("metric")["value"]
        c = st.columns(5)
        c[0].metric(t("overview.restoration_done", lang), f"{k.get('share_completed_pct', 0):.0f}%")
        c[1].metric(value_label("stage", "accepted", lang), int(k.get("accepted", 0)))
        c[2].metric(t("overview.overdue", lang), int(k.get("overdue", 0)))
        c[3].metric(t("area_ha", lang), f"{k.get('area_ha', 0):,.1f}")
        c[4].metric(t("restoration.restored", lang), f"{k.get('restored_ha', 0):,.1f}")

        where, when = st.columns([1, 1])
        with where, guard(lang):
            st.subheader(t("restoration.sites_map", lang))
            _sites_map(snap, ws, lang)
        with when, guard(lang):
            st.subheader(t("restoration.restored_chart", lang))
            _restored_chart(ws, lang)

        left, right = st.columns([1, 1])
        with left:
            st.subheader(t("restoration.stage_chart", lang))
            by_stage = result.kpis["by_stage"]
            chart = pd.DataFrame({
                t("restoration.stage", lang): [f"{i + 1}. {value_label('stage', s, lang)}"
                                               for i, s in enumerate(by_stage["stage"])],
                t("count", lang): by_stage["sites"].to_numpy()})
            # horizontal bars: stage names read left to right (rotated labels did not)
            st.bar_chart(chart, x=t("restoration.stage", lang), y=t("count", lang),
                         horizontal=True, height=300)
        with right:
            st.subheader(t("restoration.kpis", lang))
            st.dataframe(pd.DataFrame({
                t("indicator", lang): summary["zh" if lang == "zh" else "en"],
                t("kpi_value", lang): summary["value"].round(2),
                t("unit", lang): summary["unit"]}), hide_index=True, width="stretch",
                height=300)

        st.subheader(t("restoration.progress", lang) + " · " + t("restoration.ndvi", lang))
        table, config = _site_table(sites, lang)
        st.dataframe(table, hide_index=True, width="stretch", column_config=config,
                     key="sites_table")
        o, f = st.columns(2)
        with o:
            st.subheader(t("restoration.overdue", lang))
            overdue = table[sites["days_overdue"].fillna(0).to_numpy() > 0]
            if overdue.empty:
                st.caption(t("restoration.none", lang))
            else:
                cols = [c for c in ("site_id", "name", "stage", "days_overdue")
                        if c in overdue.columns]
                st.dataframe(overdue.sort_values("days_overdue", ascending=False)[cols],
                             hide_index=True, width="stretch", column_config=config)
        with f:
            st.subheader(t("restoration.flagged", lang))
            flagged = table[table.get("flags", pd.Series("", index=table.index)).astype(bool)]
            if flagged.empty:
                st.caption(t("restoration.none", lang))
            else:
                st.dataframe(flagged[["site_id", "stage", "flags"]], hide_index=True,
                             width="stretch", column_config=config)
        st.subheader(t("restoration.priority", lang))
        rank = result.ranking
        reasons = "reasons_zh" if lang == "zh" else "reasons_en"
        labels = {"priority_rank": "restoration.rank", "site_id": "restoration.site",
                  "priority_score": "restoration.score", "remaining_ha": "restoration.remaining",
                  "road_distance_m": "restoration.road_m", "town_distance_m": "restoration.town_m",
                  "nearest_town": "restoration.town", reasons: "restoration.reasons"}
        show = [c for c in labels if c in rank.columns]
        number = {"priority_score": "%g", "remaining_ha": "%.2f", "road_distance_m": "%.0f",
                  "town_distance_m": "%.0f"}
        st.dataframe(rank[show].head(20), hide_index=True, width="stretch",
                     key="priority_table", column_config={
                         c: (st.column_config.NumberColumn(t(labels[c], lang), format=number[c])
                             if c in number else st.column_config.Column(t(labels[c], lang)))
                         for c in show})
        if can(state, Role.inspector):  # nobody else sees the form at all
            with guard(lang):
                _inspection_form(ws, sites, lang)


main()
