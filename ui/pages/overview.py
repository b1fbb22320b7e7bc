"""Overview page: parcel readiness and restoration KPIs, the per-zone table and the map."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import data as uidata
from ui.i18n import layer_name, t, value_label
from ui.map import READINESS_ORDER
from ui.state import get_state
from ui.widgets import guard, readiness_label, workspace_map


def _zone_table(table: pd.DataFrame, zones: pd.DataFrame | None, lang: str) -> pd.DataFrame:
    names = {} if zones is None else dict(zip(zones["zone_id"].astype(str),
                                              zones["name"].astype(str), strict=False))
    zone = table["zone_id"].astype("string").fillna("") if "zone_id" in table else \
        pd.Series("", index=table.index)
    counts = pd.crosstab(zone, table["readiness"])
    out = pd.DataFrame(index=counts.index)
    out[t("overview.zone", lang)] = [names.get(z, z) or t("overview.no_zone", lang)
                                    for z in counts.index]
    out[t("overview.parcels", lang)] = counts.sum(axis=1)
    for status in READINESS_ORDER:
        if status in counts.columns:
            out[value_label("readiness", status, lang)] = counts[status]
    out[t("area_ha", lang)] = table.groupby(zone)["area_ha"].sum().round(1)
    return out.reset_index(drop=True)


def main() -> None:
    state = get_state()
    lang = state.lang or "zh"
    st.title(f"{t('overview.title', lang)} · {t('app.city', lang)}")
    with guard(lang):
        snap = uidata.snapshot()
        ws = uidata.load(snap)
        st.caption(ws.name)
        text = None
        result = None
        with guard(lang):
            text = uidata.rules_text(ws, state.rule_overrides)
            result = uidata.readiness(snap, text, state.as_of)
        table = uidata.parcel_table(ws, result)
        ready = table["readiness"].isin(["ready", "ready_with_commitments"])
        c1, c2, c3, c4, c5 = st.columns(5)
        c1.metric(t("overview.parcels", lang), f"{len(table):,}")
        c2.metric(t("overview.ready", lang), f"{int(ready.sum()):,}")
        c3.metric(t("overview.ready_area", lang), f"{table.loc[ready, 'area_ha'].sum():,.1f}")
        with guard(lang):
            rest = uidata.restoration(snap, state.as_of)
            summary = rest.kpis["summary"].set_index("metric")["value"]
            c4.metric(t("overview.restoration_done", lang),
                      f"{summary.get('share_completed_pct', 0):.0f}%")
            c5.metric(t("overview.overdue", lang), int(summary.get("overdue", 0)))

        # one above the other: side by side, the English headers did not fit in 1440 px
        left, _ = st.columns([2, 3])
        with left:
            st.subheader(t("overview.by_readiness", lang))
            by = table.groupby("readiness").agg(n=("parcel_id", "size"),
                                                area=("area_ha", "sum"))
            by = by.reindex([s for s in READINESS_ORDER if s in by.index])
            st.dataframe(pd.DataFrame({
                t("readiness", lang): [readiness_label(s, lang) for s in by.index],
                t("count", lang): by["n"].to_numpy(),
                t("area_ha", lang): by["area"].round(1).to_numpy(),
            }), hide_index=True, width="stretch")
        st.subheader(t("overview.by_zone", lang))
        zones = ws.read("zones") if "zones" in ws.layers else None
        st.dataframe(_zone_table(table, zones, lang), hide_index=True, width="stretch")
        st.subheader(layer_name("parcels", lang) + " · " + t("nav.map", lang))
        data, notes = uidata.map_data(snap, text, state.as_of)
        for note in notes:
            st.warning(note.text(lang))
        workspace_map("overview_map", data, lang, height=480)


main()
