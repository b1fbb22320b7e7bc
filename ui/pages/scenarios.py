"""Scenarios page: pick planned projects (or a saved scenario), see what becomes ready."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from gis.gcj02 import geoms_to_gcj02
from layers.access import Role
from layers.planning.saved import save_scenario, saved_scenarios
from layers.planning.scenario import Scenario
from ui import auth, map_files
from ui import data as uidata
from ui import scenario_data as sd
from ui.i18n import t, value_label
from ui.map import build_map, layer_control, parcel_layer
from ui.map.elements import VectorLayer
from ui.map.geojson import feature_collection, props_records
from ui.map.styles import selected_style
from ui.state import get_state
from ui.text import md_escape
from ui.widgets import guard

MAP_KEY = "scenario_map"


def _project_label(row: pd.Series, lang: str) -> str:
    parts = [str(row["project_id"])]
    if pd.notna(row["name"]):
        parts.append(str(row["name"]))
    if pd.notna(row["kind"]):
        parts.append(value_label("project_kind", str(row["kind"]), lang))
    if pd.notna(row["cost_wan"]):
        parts.append(t("scen.cost_short", lang, cost=float(row["cost_wan"])))
    if pd.notna(row["planned_date"]):
        parts.append(str(pd.Timestamp(row["planned_date"]).date()))
    return " · ".join(parts)


def _choose(ws, projects: pd.DataFrame, lang: str) -> Scenario:
    saved = saved_scenarios(ws)
    modes = ["projects", "saved"] if saved else ["projects"]
    mode = st.radio(t("scen.mode", lang), modes, horizontal=True, key="scen_mode",
                    format_func=lambda m: t(f"scen.mode_{m}", lang))
    if mode == "saved":
        name = st.selectbox(t("scen.saved", lang), list(saved), key="scen_saved")
        return saved[name]
    labels = {str(r["project_id"]): _project_label(r, lang) for _, r in projects.iterrows()}
    build = st.multiselect(t("scen.pick", lang), list(labels), key="scen_build",
                           format_func=lambda p: labels.get(p, p),
                           placeholder=t("scen.pick_placeholder", lang))
    return Scenario.of(build)


def _metrics(summary: dict, lang: str) -> None:
    cols = st.columns(4)
    cols[0].metric(t("scen.m_parcels", lang), f"{summary['parcels_unlocked']}")
    cols[1].metric(t("scen.m_ha", lang), f"{summary['ha_unlocked']:.2f}")
    cols[2].metric(t("scen.m_cost", lang), f"{summary['cost_wan']:,.0f}")
    cph = summary["cost_per_ha_wan"]
    cols[3].metric(t("scen.m_cost_ha", lang), "—" if cph is None else f"{cph:,.1f}")


def _map(snap, text: str, as_of, scenario: Scenario, changed, lang: str) -> None:
    from streamlit_folium import st_folium

    state = get_state()
    gcj = state.basemap == "gaode"
    data = sd.scenario_map_data(snap, text, as_of, scenario)
    # parcels, the outline of the changed ones, then the layer control (which lists them)
    m = build_map(data, lang=lang, basemap=state.basemap,
                  tianditu_key=state.tianditu_key or None, dynamic=True,
                  publish=map_files.publish)
    parcel_layer(data, lang=lang, gcj02=gcj)[0].add_to(m)
    if len(changed):
        geoms = np.asarray(changed.geometry.values)
        props = props_records(changed.assign(
            before=[value_label("readiness", v, lang) for v in changed["before"]],
            after=[value_label("readiness", v, lang) for v in changed["after"]]),
            ("parcel_id", "before", "after", "unlocked_by"))
        text_gj = feature_collection(geoms_to_gcj02(geoms) if gcj else geoms, props)
        VectorLayer(text_gj, name=t("scen.changed_layer", lang), kind="scenario_changed",
                    style=selected_style(), tip={"f": [["parcel_id", None, None],
                                                       ["before", t("scen.before", lang), None],
                                                       ["after", t("scen.after", lang), None],
                                                       ["unlocked_by", t("scen.by", lang),
                                                        None]], "v": {}}).add_to(m)
    layer_control().add_to(m)
    st_folium(m, key=MAP_KEY, height=520, use_container_width=True, returned_objects=[])


def _table(changed, lang: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("scen.col_parcel", lang): changed["parcel_id"].astype(str),
        t("scen.before", lang): [value_label("readiness", v, lang) for v in changed["before"]],
        t("scen.after", lang): [value_label("readiness", v, lang) for v in changed["after"]],
        t("scen.col_area", lang): changed["area_ha"].round(2),
        t("scen.by", lang): changed["unlocked_by"],
    })


def _downloads(ws, sc_run, changed, scenario: Scenario, lang: str) -> None:
    from layers.reports import build_scenario_report

    stem = "scenario_" + ("_".join(sorted(scenario.build)) or "planned")
    cols = st.columns(4)
    cols[0].download_button(t("scen.download_csv", lang),
                            uidata.export_bytes(pd.DataFrame(changed.drop(columns="geometry")),
                                                "csv", layer="scenario"),
                            file_name=f"{stem}.csv", mime="text/csv", key="scen_dl_csv",
                            on_click="ignore")
    cols[1].download_button(t("scen.download_geojson", lang),
                            uidata.export_bytes(changed, "geojson", layer="scenario"),
                            file_name=f"{stem}.geojson", mime="application/geo+json",
                            key="scen_dl_geojson", on_click="ignore")
    report = build_scenario_report(ws, sc_run, lang=lang)
    cols[2].download_button(t("scen.report", lang, fmt="HTML"), report.html.encode("utf-8"),
                            file_name=f"{report.filename}.html", mime="text/html",
                            key="scen_dl_html", on_click="ignore")
    if cols[3].button(t("scen.report_pdf", lang), key="scen_make_pdf"):
        with guard(lang):
            cols[3].download_button(t("scen.report", lang, fmt="PDF"),
                                    uidata.report_pdf(report.html),
                                    file_name=f"{report.filename}.pdf",
                                    mime="application/pdf", key="scen_dl_pdf", on_click="ignore")


def _save(ws, scenario: Scenario, lang: str) -> None:
    state = get_state()
    st.subheader(t("scen.save", lang))
    if not auth.can(state, Role.editor):
        st.caption(t("scen.read_only", lang))
        return
    cols = st.columns([2, 3, 1])
    name = cols[0].text_input(t("scen.save_name", lang), key="scen_save_name")
    note = cols[1].text_input(t("scen.save_note", lang), key="scen_save_note")
    if cols[2].button(t("scen.save_button", lang), key="scen_save_btn",
                      disabled=scenario.is_baseline or not name.strip()):
        with guard(lang):
            save_scenario(ws, auth.current_user(state), name, scenario, note=note)
            st.success(t("scen.saved_ok", lang, name=md_escape(name.strip())))


def _compare(ws, snap, text: str, as_of, lang: str) -> None:
    saved = saved_scenarios(ws)
    if not saved:
        return
    st.subheader(t("scen.compare", lang))
    names = st.multiselect(t("scen.compare_pick", lang), list(saved), key="scen_compare",
                           default=list(saved)[:2])
    if names:
        table = sd.comparison(snap, text, as_of, names)
        table.index = [t(f"scen.row.{i}", lang) for i in table.index]
        table = table.rename(columns={"baseline": t("scen.baseline", lang)})
        st.dataframe(table, use_container_width=True)


def _pipeline_section(snap, text: str, as_of, lang: str) -> None:
    """The supply-pipeline chart (ui/planning_widgets.py)."""
    from ui.planning_widgets import pipeline_section

    pipeline_section(snap, text, as_of, lang)


def _budget_section(snap, text: str, as_of, lang: str) -> None:
    """The project ranking and budget plan (ui/planning_widgets.py)."""
    from ui.planning_widgets import plan_section

    plan_section(snap, text, as_of, lang)


def main() -> None:
    state = get_state()
    lang = state.lang or "zh"
    st.title(t("scen.title", lang))
    with guard(lang):
        snap = uidata.snapshot()
        ws = uidata.load(snap)
        text = uidata.rules_text(ws, state.rule_overrides)
        projects = sd.projects_table(ws)
        if not len(projects):
            st.info(t("scen.no_projects", lang))
            return
        scenario = _choose(ws, projects, lang)
        if scenario.is_baseline:
            st.caption(t("scen.pick_hint", lang))
        else:
            sc_run = sd.run(snap, text, state.as_of, scenario)
            _metrics(sc_run.summary, lang)
            changed = sd.changed_parcels(snap, sc_run)
            st.caption(t("scen.count", lang, n=len(changed)))
            _map(snap, text, state.as_of, scenario, changed, lang)
            if len(changed):
                st.dataframe(_table(changed, lang), hide_index=True,
                             use_container_width=True)
            _downloads(ws, sc_run, changed, scenario, lang)
        _save(ws, scenario, lang)
        _compare(ws, snap, text, state.as_of, lang)
        with guard(lang):
            _pipeline_section(snap, text, state.as_of, lang)
        with guard(lang):
            _budget_section(snap, text, state.as_of, lang)


main()
