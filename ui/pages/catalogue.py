"""Parcel catalogue for investors: land on offer, filters, the indicator check, map, downloads.

Read-only. When ``DEVZONE_PUBLIC_CATALOGUE`` is on, visitors who have not signed in
see this page even where anonymous viewing of the rest of the app is off.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import streamlit as st

from layers.catalog import CATALOG
from layers.catalogue import (
    FACILITIES,
    MU_PER_HA,
    Offer,
    OfferFilter,
    Plan,
    check_plan,
    distance_column,
    filter_offer,
)
from ui import auth
from ui import catalogue_data as cdata
from ui import data as uidata
from ui.i18n import layer_name, t, value_label
from ui.map import READINESS_ORDER
from ui.state import AppState, get_state
from ui.text import md_escape
from ui.widgets import current_lang, guard, language_switch, readiness_label, workspace_map

FORMATS = {"geojson": "application/geo+json", "csv": "text/csv"}
PLAN_FIELDS = (("investment_wan", "catalogue.investment"),
               ("floor_area_m2", "catalogue.floor_area"),
               ("footprint_m2", "catalogue.footprint"), ("output_wan", "catalogue.output"),
               ("tax_wan", "catalogue.tax"), ("energy_tce", "catalogue.energy"))


def _facility(f: str, lang: str) -> str:
    return t(f"facility.{f}", lang)


def _public_sidebar(state: AppState, lang: str) -> str:
    """Language switch and sign-in for a visitor who may see this page only."""
    with st.sidebar:
        lang = language_switch(state, lang)
        st.caption(t("catalogue.public", lang))
        auth.sign_in_form(state, lang, auth.settings(), key="auth_catalogue")
    return lang


def _area_filter(cols: list, lang: str) -> tuple[float | None, float | None]:
    unit = cols[0].radio(t("catalogue.unit", lang), ["mu", "ha"], horizontal=True,
                         key="cat_unit", format_func=lambda u: t(f"catalogue.unit_{u}", lang))
    label = t(f"catalogue.unit_{unit}", lang)
    lo = cols[1].number_input(t("catalogue.min_area", lang, unit=label), min_value=0.0,
                              value=None, step=10.0 if unit == "mu" else 1.0, key="cat_min")
    hi = cols[2].number_input(t("catalogue.max_area", lang, unit=label), min_value=0.0,
                              value=None, step=10.0 if unit == "mu" else 1.0, key="cat_max")
    scale = 1.0 if unit == "mu" else MU_PER_HA
    return (None if lo is None else lo * scale), (None if hi is None else hi * scale)


def _choices(table: pd.DataFrame, col: str) -> list[str]:
    return sorted(table[col].dropna().astype(str).unique()) if col in table.columns else []


def _filters(offer: Offer, zone_names: dict[str, str], lang: str) -> OfferFilter:
    """The filter widgets; returns what they ask for."""
    table = offer.table
    cols = st.columns(3)
    min_mu, max_mu = _area_filter(cols, lang)
    anything = t("parcels.any", lang)
    cols = st.columns(3)
    zones = cols[0].multiselect(t("parcels.filter_zone", lang), _choices(table, "zone_id"),
                                key="cat_zone", placeholder=anything,
                                format_func=lambda z: zone_names.get(z, z))
    industries = cols[1].multiselect(t("parcels.filter_industry", lang),
                                     _choices(table, "industry"), key="cat_industry",
                                     placeholder=anything,
                                     format_func=lambda v: value_label("industry", v, lang))
    present = [s for s in READINESS_ORDER if s in set(table["readiness"])]
    readiness = cols[2].multiselect(t("parcels.filter_readiness", lang), present,
                                    key="cat_readiness", placeholder=anything,
                                    format_func=lambda s: readiness_label(s, lang))
    cols = st.columns(len(FACILITIES))
    distances: dict[str, float] = {}
    for col, (facility, (kind, _)) in zip(cols, FACILITIES.items(), strict=True):
        what = _facility(facility, lang)
        missing = facility in offer.missing
        km = col.number_input(t("catalogue.max_km", lang, what=what), min_value=0.0,
                              value=None, step=1.0, key=f"cat_km_{facility}", disabled=missing)
        if missing:
            col.caption(t("catalogue.missing", lang, what=what, layer=layer_name(kind, lang)))
        elif km is not None:
            distances[facility] = km * 1000.0
    return OfferFilter(min_mu=min_mu, max_mu=max_mu, zones=tuple(zones),
                       industries=tuple(industries), readiness=tuple(readiness),
                       max_distance_m=distances)


def _plan(lang: str) -> tuple[Plan | None, bool]:
    """The enterprise's plan (``None`` when nothing is entered) and "only those it meets"."""
    with st.expander(t("catalogue.plan", lang), expanded=False):
        st.caption(t("catalogue.plan_help", lang))
        cols = st.columns(3)
        values = {name: cols[i % 3].number_input(t(key, lang), min_value=0.0, value=None,
                                                 step=100.0, key=f"cat_{name}")
                  for i, (name, key) in enumerate(PLAN_FIELDS)}
        only = st.checkbox(t("catalogue.plan_only", lang), key="cat_plan_only")
    if all(v is None for v in values.values()):
        return None, False
    return Plan(**values), only


def _sorted(table: pd.DataFrame, offer: Offer, lang: str) -> pd.DataFrame:
    options = ["area_desc", "area_asc", "readiness", *[
        f for f in FACILITIES if f not in offer.missing]]
    pick = st.selectbox(t("catalogue.sort", lang), options, key="cat_sort", format_func=lambda o:
                        t(f"catalogue.sort.{o}", lang) if o in ("area_desc", "area_asc",
                                                               "readiness")
                        else t("catalogue.sort.dist", lang, what=_facility(o, lang)))
    if pick in ("area_desc", "area_asc"):
        return table.sort_values("area_mu", ascending=pick == "area_asc", kind="stable")
    if pick == "readiness":
        rank = {s: i for i, s in enumerate(READINESS_ORDER)}
        return table.sort_values("readiness", key=lambda s: s.map(rank), kind="stable")
    return table.sort_values(distance_column(pick), kind="stable")


def _view(shown: pd.DataFrame, offer: Offer, zone_names: dict[str, str], lang: str
          ) -> pd.DataFrame:
    """The table as shown: labelled columns, words for codes, distances in km."""
    spec = CATALOG["parcels"]

    def label(c: str) -> str:
        col = spec.column(c)
        return (col.zh if lang == "zh" else col.en) if col else c

    view = pd.DataFrame({label("parcel_id"): shown["parcel_id"]})
    if "name" in shown.columns:
        view[label("name")] = shown["name"]
    if "zone_id" in shown.columns:
        view[t("parcels.zone_name", lang)] = [
            "" if pd.isna(z) else zone_names.get(str(z), str(z)) for z in shown["zone_id"]]
    for c in ("industry", "supply_status"):
        if c in shown.columns:
            view[label(c)] = shown[c].map(lambda v, g=c: value_label(g, v, lang))
    view[t("catalogue.area_mu", lang)] = shown["area_mu"].round(1)
    view[t("catalogue.area_ha", lang)] = shown["area_ha"].round(2)
    view[t("readiness", lang)] = shown["readiness"].map(lambda s: readiness_label(s, lang))
    for f in FACILITIES:
        if f not in offer.missing:
            view[t("catalogue.dist_km", lang, what=_facility(f, lang))] = (
                shown[distance_column(f)] / 1000.0).round(1)
    if "plan_status" in shown.columns:
        view[t("catalogue.plan_status", lang)] = shown["plan_status"].map(
            lambda s: t(f"plan_status.{s}", lang))
        view[t("catalogue.reasons", lang)] = shown["reasons" if lang == "zh" else "reasons_en"]
    return view.reset_index(drop=True)


def _downloads(offer: Offer, shown: pd.DataFrame, lang: str) -> None:
    """The shortlist as GeoJSON (EPSG:4326) and CSV (utf-8-sig)."""
    st.subheader(t("catalogue.download", lang))
    pos = offer.table.index.get_indexer(shown.index)
    cols = [c for c in shown.columns if c not in ("reasons_en",)]
    out = gpd.GeoDataFrame(shown[cols].reset_index(drop=True),
                           geometry=offer.geometry.iloc[pos].to_numpy(), crs=offer.geometry.crs)
    for fmt, mime in FORMATS.items():
        st.download_button(t("catalogue.download_fmt", lang, fmt=fmt.upper(), n=len(out)),
                           data=uidata.export_bytes(out, fmt, layer="catalogue"),
                           file_name=f"catalogue.{fmt}", mime=mime, key=f"cat_download_{fmt}",
                           on_click="ignore")


def _sheet(snap: uidata.Snapshot, text: str | None, pid: str | None, lang: str,
           as_of: object) -> None:
    """The one-page parcel sheet (the parcel report) of the selected parcel."""
    st.subheader(t("catalogue.sheet", lang))
    if pid is None or text is None:
        st.info(t("catalogue.sheet_pick", lang))
        return
    shown_id = md_escape(pid)
    if st.toggle(t("parcels.report_make", lang, id=shown_id), key="cat_report_make"):
        report = uidata.parcel_report(snap, text, pid, lang, as_of)
        st.download_button(t("parcels.report_download", lang, id=shown_id, fmt="HTML"),
                           data=report.html.encode("utf-8"), file_name=f"{report.filename}.html",
                           mime="text/html", key="cat_report_html", on_click="ignore")
        st.download_button(t("parcels.report_download", lang, id=shown_id, fmt="PDF"),
                           data=uidata.report_pdf(report.html),
                           file_name=f"{report.filename}.pdf", mime="application/pdf",
                           key="cat_report_pdf", on_click="ignore")


def _shortlist(offer: Offer, text: str | None, lang: str,
               zone_names: dict[str, str]) -> pd.DataFrame:
    """Filters and the indicator check applied: the shortlist with its plan columns."""
    with st.container(border=True):
        st.markdown(f"**{t('catalogue.filters', lang)}**")
        flt = _filters(offer, zone_names, lang)
    plan, only = _plan(lang)
    table = offer.table
    keep = filter_offer(offer, flt)
    if plan is not None and text is not None:
        checked = check_plan(table, plan, uidata.rulebook(text).rules)
        table = table.assign(**{c: checked[c].to_numpy() for c in checked.columns
                                if c != "parcel_id"})
        counts = checked["plan_status"].value_counts()
        st.info(t("catalogue.plan_summary", lang, meets=int(counts.get("meets", 0)),
                  fails=int(counts.get("fails", 0)),
                  other=int(len(checked) - counts.get("meets", 0) - counts.get("fails", 0))))
        if only:
            keep &= (checked["plan_status"] == "meets").to_numpy()
    return table[keep]


def main() -> None:
    state = get_state()
    cfg = auth.settings()
    lang = current_lang()
    public = not auth.may_view(state, cfg)
    if public:
        lang = _public_sidebar(state, lang)
    st.title(t("catalogue.title", lang))
    with guard(lang):
        snap = uidata.snapshot()
        ws = uidata.load(snap)
        as_of = state.as_of or uidata.default_as_of()
        text = None
        with guard(lang):
            text = uidata.rules_text(ws, {} if public else state.rule_overrides)
        offer = cdata.offer(snap, text, as_of)
        total = offer.table
        st.caption(t("catalogue.intro", lang, n=len(total), mu=f"{total['area_mu'].sum():,.0f}",
                     ha=f"{total['area_ha'].sum():,.1f}"))
        zones = ws.read("zones") if ws.has("zones") else None
        zone_names = {} if zones is None else dict(zip(
            zones["zone_id"].astype(str), zones["name"].astype(str), strict=False))
        shown = _sorted(_shortlist(offer, text, lang, zone_names), offer, lang)
        st.caption(t("catalogue.count", lang, n=len(shown), mu=f"{shown['area_mu'].sum():,.0f}"))
        if not len(shown):
            st.info(t("catalogue.none", lang))
        event = st.dataframe(_view(shown, offer, zone_names, lang), hide_index=True,
                             width="stretch", height=360, on_select="rerun",
                             selection_mode="single-row", key="catalogue_table")
        rows = event.selection.rows if event is not None else []
        ids = shown["parcel_id"].astype(str).tolist()
        focus = ids[rows[0]] if rows and rows[0] < len(ids) else None
        if focus is not None:
            state.selected_parcel = focus
        left, right = st.columns([3, 2])
        with left, guard(lang):
            data = cdata.shortlist_map(snap, text, as_of, ids)
            workspace_map("catalogue_map", data, lang, height=480, focus=focus)
        with right:
            with guard(lang):
                _downloads(offer, shown, lang)
            with guard(lang):
                pid = state.selected_parcel
                _sheet(snap, text, pid if pid in set(ids) else None, lang, as_of)


main()
