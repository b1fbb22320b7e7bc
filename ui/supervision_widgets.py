"""Streamlit pieces of the after-supply views: supplied-land table, status colours, the map."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from layers.supervision import NO_CONTRACT, STATUS_COLORS, STATUS_ORDER, StockSplit
from ui.i18n import t, value_label

__all__ = ["status_style", "stock_filter", "supervision_map", "supplied_land"]


def supplied_land(split: StockSplit, lang: str) -> None:
    """The supplied land: parcels and hectares per supervision status, and what left the stock."""
    if not split.supplied_n:
        return
    st.subheader(t("stock.supplied", lang))
    st.caption(t("stock.supplied_caption", lang, n=split.supplied_n, ha=split.supplied_ha,
                 moved=split.moved_out))
    order = [s for s in (*STATUS_ORDER, NO_CONTRACT) if s in split.supplied.index]
    by = split.supplied.reindex(order)
    st.dataframe(pd.DataFrame({
        t("sup.filter_status", lang): [value_label("supervision_status", s, lang) for s in order],
        t("count", lang): by["n"].astype(int).to_numpy(),
        t("area_ha", lang): by["ha"].round(1).to_numpy(),
    }), hide_index=True, width="stretch")


def status_style(labels: dict[str, str]) -> Any:
    """A Styler function colouring cells whose text is a status label (``label -> code``)."""
    def style(value: object) -> str:
        code = labels.get(str(value))
        if code is None:
            return ""
        colour = STATUS_COLORS.get(code, "#ffffff")
        dark = code in ("idle_recoverable", "review_failed", "review_passed")
        return f"background-color: {colour}; color: {'#ffffff' if dark else '#000000'}"
    return style


def _legend(present: list[str], lang: str) -> str:
    rows = "".join(
        f'<div><span style="display:inline-block;width:12px;height:12px;margin-right:4px;'
        f'background:{STATUS_COLORS[s]};border:1px solid #555"></span>'
        f"{value_label('supervision_status', s, lang)}</div>" for s in present)
    return ('<div style="position:absolute;bottom:60px;left:10px;z-index:9999;background:'
            'rgba(255,255,255,.9);padding:6px 8px;font-size:12px;border-radius:4px">'
            f"{rows}</div>")


def supervision_map(key: str, base: Any, parcels: gpd.GeoDataFrame, lang: str, *,
                    height: int = 460) -> None:
    """The workspace map (static layers, local basemap) with the supplied parcels on top.

    ``base`` is the page's ``MapData`` (from ``ui.data.map_data``); ``parcels``
    the supplied parcels with ``parcel_id``, ``enterprise`` and ``status``.
    """
    import folium
    from streamlit_folium import st_folium

    from ui import map_files
    from ui.assets import missing_files
    from ui.map import build_map, layer_control
    from ui.state import get_state

    if missing_files():
        st.error(t("msg.assets_missing", lang))
        return
    state = get_state()
    m = build_map(base, lang=lang, basemap=state.basemap,
                  tianditu_key=state.tianditu_key or None, dynamic=True,
                  publish=map_files.publish)
    shown = parcels.to_crs(4326)
    shown = gpd.GeoDataFrame({
        "parcel_id": shown["parcel_id"].astype(str),
        "enterprise": shown["enterprise"].astype("string").fillna("").astype(str),
        "status": shown["status"].astype(str),
        "label": [value_label("supervision_status", s, lang) for s in shown["status"]],
    }, geometry=shown.geometry.simplify(0.00001), crs=4326)
    layer = folium.FeatureGroup(name=t("sup.map", lang), show=True)
    folium.GeoJson(
        shown.__geo_interface__,
        style_function=lambda f: {"color": "#333333", "weight": 1, "fillOpacity": 0.8,
                                  "fillColor": STATUS_COLORS.get(f["properties"]["status"],
                                                                 "#878787")},
        tooltip=folium.GeoJsonTooltip(["parcel_id", "enterprise", "label"],
                                      aliases=["", "", ""], labels=False),
    ).add_to(layer)
    layer.add_to(m)
    center = None
    if len(shown):  # open on the supplied parcels
        west, south, east, north = shown.total_bounds
        center = ((south + north) / 2, (west + east) / 2)
    present = [s for s in (*STATUS_ORDER, NO_CONTRACT) if s in set(shown["status"])]
    m.get_root().html.add_child(folium.Element(_legend(present, lang)))
    st_folium(m, key=key, height=height, use_container_width=True, returned_objects=[],
              layer_control=layer_control(), center=center, zoom=12 if center else None)


def stock_filter(table: pd.DataFrame, lang: str) -> pd.Series:
    """A choice between every parcel, the stock on offer and the land already supplied."""
    from layers.supervision import on_offer

    choice = st.radio(t("stock.filter", lang), ["all", "on_offer", "supplied"], horizontal=True,
                      key="f_stock", format_func=lambda c: {
                          "all": t("parcels.any", lang), "on_offer": t("stock.on_offer", lang),
                          "supplied": t("stock.supplied_short", lang)}[c])
    offer = pd.Series(on_offer(table), index=table.index)
    if choice == "on_offer":
        return offer
    if choice == "supplied":
        return ~offer
    return pd.Series(True, index=table.index)
