"""Supervision page: contracts after supply — idle land, 达产复核, commitments, reports."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from layers.supervision import INDICATORS, LOWER_IS_BETTER, STATUS_ORDER, export_frame, summarize
from ui import data as uidata
from ui import supervision_data as svdata
from ui.i18n import column_label, t, value_label
from ui.state import get_state
from ui.supervision_widgets import status_style, supervision_map
from ui.text import md_escape
from ui.widgets import guard


def _metrics(table: pd.DataFrame, lang: str) -> None:
    s = summarize(table)
    cols = st.columns(5)
    cols[0].metric(t("sup.contracts", lang), s.n_contracts)
    cols[1].metric(t("sup.idle", lang),
                   s.count("idle_status", "idle") + s.count("idle_status", "idle_recoverable"))
    cols[2].metric(t("sup.late_start", lang), s.count("idle_status", "late_start"))
    cols[3].metric(t("sup.review_failed", lang), s.count("review_status", "fail"))
    rate = s.start_rate
    cols[4].metric(t("sup.start_rate", lang), "—" if rate is None else f"{rate:.0%}",
                   help=t("sup.start_rate_help", lang, days=s.target_days))


def _filters(table: pd.DataFrame, zone_names: dict[str, str], lang: str) -> pd.Series:
    mask = pd.Series(True, index=table.index)
    cols = st.columns(3)
    anything = t("parcels.any", lang)
    present = [s for s in STATUS_ORDER if s in set(table["status"])]
    pick = cols[0].multiselect(t("sup.filter_status", lang), present, key="sup_status",
                               placeholder=anything,
                               format_func=lambda s: value_label("supervision_status", s, lang))
    if pick:
        mask &= table["status"].isin(pick)
    zones = sorted(table["zone_id"].dropna().astype(str).unique())
    pick = cols[1].multiselect(t("sup.filter_zone", lang), zones, key="sup_zone",
                               placeholder=anything, format_func=lambda z: zone_names.get(z, z))
    if pick:
        mask &= table["zone_id"].astype(str).isin(pick)
    text = cols[2].text_input(t("sup.filter_enterprise", lang), key="sup_enterprise").strip()
    if text:
        mask &= table["enterprise"].astype("string").fillna("").str.contains(text, regex=False)
    return mask


def _view(shown: pd.DataFrame, zone_names: dict[str, str], lang: str) -> pd.DataFrame:
    """The contracts table in words: statuses as labels, failing indicators named."""
    def lab(col: str) -> str:
        return column_label("contracts", col, lang) if col in (
            "parcel_id", "enterprise", "agreed_start_date", "agreed_completion_date") \
            else t(f"supcol.{col}", lang)

    return pd.DataFrame({
        lab("parcel_id"): shown["parcel_id"],
        lab("enterprise"): shown["enterprise"],
        t("sup.filter_zone", lang): [zone_names.get(str(z), str(z)) if pd.notna(z) else ""
                                     for z in shown["zone_id"]],
        t("sup.filter_status", lang): [value_label("supervision_status", s, lang)
                                       for s in shown["status"]],
        lab("construction"): [value_label("construction", s, lang)
                              for s in shown["construction"]],
        lab("idle_status"): [value_label("idle_status", s, lang) for s in shown["idle_status"]],
        lab("days_late"): shown["days_late"],
        lab("start_lag_days"): shown["start_lag_days"],
        lab("review_status"): [value_label("review_status", s, lang)
                               for s in shown["review_status"]],
        lab("failing_indicators"): ["、".join(value_label("indicator", i, lang)
                                             for i in str(f).split(";") if i)
                                    for f in shown["failing_indicators"]],
        lab("commitments_overdue"): shown["commitments_overdue"],
        lab("agreed_start_date"): shown["agreed_start_date"],
        lab("agreed_completion_date"): shown["agreed_completion_date"],
    })


def _enterprise_panel(shown: pd.DataFrame, commitments: pd.DataFrame | None, lang: str) -> None:
    st.subheader(t("sup.enterprise", lang))
    if shown.empty:
        return
    options = shown["parcel_id"].astype(str).tolist()
    names = dict(zip(options, shown["enterprise"].astype("string").fillna(""), strict=True))
    # start on the most serious contract that has performance data to show
    has_data = shown[[f"actual_{i}" for i in INDICATORS]].notna().any(axis=1).to_numpy()
    first = int(has_data.argmax()) if has_data.any() else 0
    pid = st.selectbox(t("sup.pick", lang), options, index=first, key="sup_pick",
                       format_func=lambda p: f"{p} · {names.get(p, '')}")
    row = shown[shown["parcel_id"].astype(str) == pid].iloc[0]
    rows = []
    for i in INDICATORS:
        committed, actual = row[f"committed_{i}"], row[f"actual_{i}"]
        if pd.isna(committed):
            continue
        rows.append({"code": i, t("sup.indicator", lang): value_label("indicator", i, lang),
                     t("sup.committed", lang): float(committed),
                     t("sup.actual", lang): float(actual),
                     t("sup.shortfall", lang): float(row[f"shortfall_{i}"])})
    table = pd.DataFrame(rows)
    if table.empty or table[t("sup.actual", lang)].isna().all():
        st.info(t("sup.no_performance", lang))
    else:
        act = table[t("sup.actual", lang)].astype(float)
        com = table[t("sup.committed", lang)].astype(float)
        pct = [(c / a if code in LOWER_IS_BETTER else a / c) * 100 if a and c else None
               for code, a, c in zip(table["code"], act, com, strict=True)]
        name, share = t("sup.indicator", lang), t("sup.share", lang)
        chart = pd.DataFrame({name: table[name], share: pd.array(pct, dtype="Float64")})
        st.bar_chart(chart.dropna(), x=name, y=share, horizontal=True, height=220)
        year = row["review_year"]
        st.caption(t("sup.chart_caption", lang, year="—" if pd.isna(year) else int(year)))
    if not table.empty:
        st.dataframe(table.drop(columns=["code"]), hide_index=True, width="stretch")
    if commitments is not None and len(commitments):
        mine = commitments[commitments["parcel_id"].astype(str) == pid]
        if len(mine):
            st.markdown(f"**{t('sup.commitments', lang)}**")
            st.dataframe(pd.DataFrame({
                column_label("commitments", c, lang): mine[c].to_numpy()
                for c in ("item", "due_date", "fulfilled_date") if c in mine}),
                hide_index=True, width="stretch")


def _report_downloads(ws: object, table: pd.DataFrame, pid: str | None, lang: str,
                      as_of: object) -> None:
    """HTML and PDF of the chosen contract's report and of the city summary."""
    from layers.reports import build_contract_report, build_supervision_report

    docs = []
    if pid is not None:
        docs.append(("contract", build_contract_report(ws, pid, lang=lang, as_of=as_of,
                                                       table=table)))
    docs.append(("city", build_supervision_report(ws, lang=lang, as_of=as_of, table=table)))
    for kind, doc in docs:
        cols = st.columns(2)
        for col, fmt in zip(cols, ("HTML", "PDF"), strict=True):
            label = t("sup.report_contract", lang, id=pid, fmt=fmt) if kind == "contract" \
                else t("sup.report_city", lang, fmt=fmt)
            data = doc.html.encode("utf-8") if fmt == "HTML" else uidata.report_pdf(doc.html)
            col.download_button(label, data=data, file_name=f"{doc.filename}.{fmt.lower()}",
                                mime="text/html" if fmt == "HTML" else "application/pdf",
                                key=f"sup_report_{kind}_{fmt.lower()}", on_click="ignore")


def main() -> None:
    state = get_state()
    lang = state.lang or "zh"
    st.title(t("sup.title", lang))
    with guard(lang):
        snap = uidata.snapshot()
        ws = uidata.load(snap)
        table = svdata.supervision(snap, state.as_of)
        st.caption(md_escape(ws.name) + " · " + t("sup.as_of", lang, date=state.as_of))
        if table is None:
            st.info(t("sup.no_contracts", lang))
            return
        parcels = ws.read("parcels")
        zones = ws.read("zones") if ws.has("zones") else None
        zone_names = {} if zones is None else dict(zip(
            zones["zone_id"].astype(str), zones["name"].astype(str), strict=False))
        if parcels is not None and "zone_id" in parcels:
            zone_of = dict(zip(parcels["parcel_id"].astype(str), parcels["zone_id"], strict=False))
            table = table.assign(zone_id=table["parcel_id"].astype(str).map(zone_of))
        else:
            table = table.assign(zone_id=pd.NA)
        _metrics(table, lang)
        rank = {s: i for i, s in enumerate(STATUS_ORDER)}  # most serious first
        table = table.iloc[table["status"].map(rank).argsort(kind="stable")]
        mask = _filters(table, zone_names, lang)
        shown = table[mask].reset_index(drop=True)
        st.caption(t("sup.count", lang, n=len(shown)))
        view = _view(shown, zone_names, lang)
        labels = {value_label("supervision_status", s, lang): s for s in STATUS_ORDER}
        st.dataframe(view.style.map(status_style(labels),
                                    subset=[t("sup.filter_status", lang)]),
                     hide_index=True, width="stretch", height=320, key="sup_table")
        left, right = st.columns([3, 2])
        with left:
            st.subheader(t("sup.map", lang))
            with guard(lang):
                if parcels is not None:
                    geo = parcels[["parcel_id", parcels.geometry.name]].assign(
                        parcel_id=parcels["parcel_id"].astype(str)).merge(
                        shown[["parcel_id", "enterprise", "status"]], on="parcel_id")
                    base, _ = uidata.map_data(snap, None, state.as_of)
                    supervision_map("sup_map", base, geo, lang)
        with right, guard(lang):
            commitments = ws.read("commitments") if ws.has("commitments") else None
            _enterprise_panel(shown, commitments, lang)
        st.subheader(t("sup.download", lang))
        with guard(lang):
            st.download_button(t("sup.download_csv", lang),
                               data=uidata.export_bytes(export_frame(shown), "csv",
                                                        layer="supervision"),
                               file_name="supervision.csv", mime="text/csv",
                               key="sup_download_csv", on_click="ignore")
            if st.toggle(t("sup.report_make", lang), key="sup_report_make"):
                _report_downloads(ws, table, st.session_state.get("sup_pick"), lang,
                                  state.as_of)


main()
