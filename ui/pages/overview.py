"""Overview page: parcel readiness and restoration KPIs, the per-zone table and the map."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from layers.readiness import ReadinessSummary
from ui import data as uidata
from ui import supervision_data as svdata
from ui.i18n import layer_name, t, value_label
from ui.map import READINESS_ORDER
from ui.state import get_state
from ui.supervision_widgets import supplied_land
from ui.text import md_escape, public_text
from ui.widgets import guard, readiness_label, workspace_map


def _zone_table(summary: ReadinessSummary, lang: str) -> pd.DataFrame:
    """Parcels per zone and readiness status, and the zone's parcel area."""
    z = summary.zones
    out = pd.DataFrame({t("overview.zone", lang): [
        name or zid or t("overview.no_zone", lang)
        for zid, name in zip(z["zone_id"], z["name"], strict=True)]})
    out[t("overview.parcels", lang)] = z["parcels"].to_numpy()
    for status in READINESS_ORDER:
        if status in summary.readiness:
            out[value_label("readiness", status, lang)] = z[status].to_numpy()
    out[t("area_ha", lang)] = z["area_ha"].round(1).to_numpy()
    return out


def main() -> None:
    state = get_state()
    lang = state.lang or "zh"
    st.title(f"{t('overview.title', lang)} · {t('app.city', lang)}")
    with guard(lang):
        snap = uidata.snapshot()
        ws = uidata.load(snap)
        st.caption(md_escape(ws.name))
        text = None
        result = None
        with guard(lang):
            text = uidata.rules_text(ws, state.rule_overrides)
            result = uidata.readiness(snap, text, state.as_of)
        summary = uidata.readiness_summary(snap, text if result is not None else None,
                                           state.as_of)
        # "ready" counts the stock on offer only; supplied land is counted below by status
        split = svdata.stock(snap, text if result is not None else None, state.as_of)
        offer = split.offer
        c1, c2, c3, c4, c5 = st.columns(5)
        c1.metric(t("overview.parcels", lang), f"{summary.parcels:,}")
        c2.metric(t("overview.ready", lang), f"{offer.n_ready:,}",
                  help=t("stock.ready_help", lang, n=split.moved_out))
        c3.metric(t("overview.ready_area", lang), f"{offer.ready_ha:,.1f}")
        with guard(lang):
            rest = uidata.restoration(snap, state.as_of)
            kpis = rest.kpis["summary"].set_index("metric")["value"]
            c4.metric(t("overview.restoration_done", lang),
                      f"{kpis.get('share_completed_pct', 0):.0f}%")
            c5.metric(t("overview.overdue", lang), int(kpis.get("overdue", 0)))

        # one above the other: side by side, the English headers did not fit in 1440 px
        left, _ = st.columns([2, 3])
        with left:
            st.subheader(t("overview.by_readiness", lang))
            st.caption(t("stock.offer_caption", lang, n=offer.parcels, ha=offer.total_ha))
            shown = [s for s in READINESS_ORDER if offer.readiness.get(s)]
            st.dataframe(pd.DataFrame({
                t("readiness", lang): [readiness_label(s, lang) for s in shown],
                t("count", lang): [offer.readiness[s] for s in shown],
                t("area_ha", lang): [round(offer.hectares[s], 1) for s in shown],
            }), hide_index=True, width="stretch")
            supplied_land(split, lang)
        st.subheader(t("overview.by_zone", lang))
        st.dataframe(_zone_table(offer, lang), hide_index=True, width="stretch")
        st.subheader(layer_name("parcels", lang) + " · " + t("nav.map", lang))
        data, notes = uidata.map_data(snap, text, state.as_of)
        for note in notes:
            st.warning(md_escape(public_text(note.text(lang))))
        workspace_map("overview_map", data, lang, height=480)


main()
