"""The parcel layer of one render (parcels in view, or hexagon summaries) and parcel look-ups.

:func:`parcel_layer` sends only what the view needs: the parcels in view when
they are few enough, else hexagons counting them by readiness, so the page's
load stays bounded whatever the workspace size.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import shapely

from gis.gcj02 import gcj02_to_wgs84, geoms_from_gcj02, geoms_to_gcj02, wgs84_to_gcj02
from gis.webmercator import fit_zoom, merc_to_lonlat, pixel_m
from layers.palette import READINESS_ORDER
from ui.i18n import layer_name, t
from ui.map.data import MapData
from ui.map.elements import VectorLayer
from ui.map.geojson import feature_collection, props_records
from ui.map.styles import (
    PARCEL_PROPS,
    PARCEL_TIP,
    parcel_style,
    selected_style,
    share_color,
    summary_style,
    tip_spec,
)
from ui.map.view import DETAIL_ZOOM, HOME_PX, View

__all__ = [
    "MAX_PARCELS",
    "OVERVIEW_PARCELS",
    "ParcelLayerInfo",
    "drawing_to_wgs84",
    "focus_on",
    "opening_key",
    "opening_text",
    "parcel_at",
    "parcel_layer",
]

OVERVIEW_PARCELS = 1500   # most parcels drawn below DETAIL_ZOOM
MAX_PARCELS = 4000        # most parcels drawn per render (≈1.5 MB); more → hexagons
HEX_PX = 40               # hexagon width on screen, pixels
FOCUS_PX = (300, 200)     # a parcel flown to fills at least this much of the map


@dataclass(frozen=True)
class ParcelLayerInfo:
    """What the parcel layer of one render holds: ``parcels``, ``summary`` or ``empty``."""

    mode: Literal["parcels", "summary", "empty"]
    shown: int
    total: int
    in_view: int
    nbytes: int


def _hex_summary(data: MapData, sel: np.ndarray, zoom: int, lang: str, gcj02: bool
                 ) -> tuple[str, int]:
    """Hexagons (≈ ``HEX_PX`` wide on screen) counting the selected parcels by readiness."""
    idx = data.index
    size = HEX_PX / 2 * pixel_m(zoom) / math.sqrt(3) * 2  # centre-to-corner, metres
    x, y = idx.mx[sel], idx.my[sel]
    codes = idx.codes[sel]
    q = (math.sqrt(3) / 3 * x - y / 3) / size
    r = (2 / 3 * y) / size
    cx, cz = q, r
    cy = -cx - cz
    rx, ry, rz = np.round(cx), np.round(cy), np.round(cz)
    dx, dy, dz = np.abs(rx - cx), np.abs(ry - cy), np.abs(rz - cz)
    m1 = (dx > dy) & (dx > dz)
    rx[m1] = -ry[m1] - rz[m1]
    m3 = ~m1 & ~(dy > dz)
    rz[m3] = -rx[m3] - ry[m3]
    # dense cell index over the occupied axial range (no sort: O(N) at 1e6 parcels)
    qi, ri = rx.astype("int64"), rz.astype("int64")
    q0, r0 = int(qi.min()), int(ri.min())
    width = int(ri.max()) - r0 + 1
    cell = (qi - q0) * width + (ri - r0)
    n_codes = len(READINESS_ORDER)
    n_cells = int(cell.max()) + 1
    if n_cells <= 4_000_000:
        dense = np.bincount(cell * n_codes + codes, minlength=n_cells * n_codes)
        dense = dense.reshape(n_cells, n_codes)
        occupied = np.flatnonzero(dense.sum(axis=1))
        counts = dense[occupied]
    else:  # scattered outliers: sort instead of a huge dense grid
        occupied, inv = np.unique(cell, return_inverse=True)
        counts = np.bincount(inv * n_codes + codes,
                             minlength=len(occupied) * n_codes).reshape(-1, n_codes)
    hq = (occupied // width + q0).astype(float)
    hr = (occupied % width + r0).astype(float)
    hx = size * (math.sqrt(3) * hq + math.sqrt(3) / 2 * hr)
    hy = size * 1.5 * hr
    ang = np.radians(np.arange(6) * 60 - 30)
    px = hx[:, None] + size * np.cos(ang)[None, :]
    py = hy[:, None] + size * np.sin(ang)[None, :]
    lon, lat = merc_to_lonlat(px, py)
    rings = np.concatenate([np.stack([lon, lat], axis=2), np.stack([lon[:, :1], lat[:, :1]],
                                                                    axis=2)], axis=1)
    geoms = shapely.polygons(rings)
    if gcj02:
        geoms = geoms_to_gcj02(geoms)
    props = []
    for row in counts:
        n = int(row.sum())
        checked = n - int(row[4])
        ready = int(row[0] + row[1])
        props.append({"c": share_color(ready / checked if checked else None),
                      "label": t("map.summary_tip", lang, n=n, ready=ready,
                                 not_ready=int(row[2]), incomplete=int(row[3]))})
    return feature_collection(geoms, props, decimals=5), len(occupied)


def _parcel_text(data: MapData, lang: str, view: View | None, gcj02: bool,
                 max_parcels: int) -> tuple[str | None, ParcelLayerInfo]:
    """The GeoJSON of the parcels (or hexagons) one render draws, and what it holds."""
    total = data.n_parcels
    if not total:
        return None, ParcelLayerInfo("empty", 0, 0, 0, 0)
    idx = data.index
    if view is None and total <= OVERVIEW_PARCELS:
        zoom = data.opening_view(HOME_PX).zoom
        sel = np.ones(total, dtype=bool)
    else:
        view = data.opening_view(HOME_PX) if view is None else view
        zoom = view.zoom
        sel = idx.in_box(*view.padded(0.2))
    in_view = int(sel.sum())
    if in_view == 0:
        return None, ParcelLayerInfo("empty", 0, total, 0, 0)
    if in_view <= OVERVIEW_PARCELS or (zoom >= DETAIL_ZOOM and in_view <= max_parcels):
        rows = np.flatnonzero(sel)
        sub = data.parcels.iloc[rows]
        px_deg = 360.0 / (256 * 2**zoom)
        geoms = shapely.simplify(np.asarray(sub.geometry.values), px_deg / 2,
                                 preserve_topology=True)
        if gcj02:
            geoms = geoms_to_gcj02(geoms)
        decimals = int(min(6, max(4, math.ceil(-math.log10(px_deg / 4)))))
        text = feature_collection(geoms, props_records(sub, PARCEL_PROPS), decimals=decimals)
        return text, ParcelLayerInfo("parcels", len(rows), total, in_view, len(text))
    text, n_hex = _hex_summary(data, sel, zoom, lang, gcj02)
    return text, ParcelLayerInfo("summary", n_hex, total, in_view, len(text))


def opening_key(*, gcj02: bool = False, max_parcels: int = MAX_PARCELS) -> tuple[Any, ...]:
    """Where :func:`opening_text` keeps a layer of parcels in ``MapData.renders`` (a layer
    of hexagons under this key plus the language)."""
    return ("opening", gcj02, max_parcels)


def opening_text(data: MapData, lang: str, *, gcj02: bool = False,
                 max_parcels: int = MAX_PARCELS) -> tuple[str | None, ParcelLayerInfo]:
    """The GeoJSON of the opening view's parcel layer and what it holds, kept on ``data``.

    Parcels read the same in every language (kept once); hexagon labels do not.
    """
    key = opening_key(gcj02=gcj02, max_parcels=max_parcels)
    for k in (key, (*key, lang)):
        if k in data.renders:
            return data.renders[k]
    text, info = _parcel_text(data, lang, None, gcj02, max_parcels)
    data.renders[(*key, lang) if info.mode == "summary" else key] = (text, info)
    return text, info


def parcel_layer(data: MapData, *, lang: str = "zh", view: View | None = None,
                 gcj02: bool = False, selected: str | None = None,
                 max_parcels: int = MAX_PARCELS) -> tuple[Any, ParcelLayerInfo]:
    """The parcels for one render, as a ``folium.FeatureGroup``, and what it holds.

    Parcels whose centroid lies in the (padded) view are drawn when there are
    at most ``OVERVIEW_PARCELS`` of them, or at most ``max_parcels`` at zoom ≥
    ``DETAIL_ZOOM``; otherwise they are summarised by hexagon. Without a view
    (the first render, before the map reports its bounds) every parcel counts
    when they are few, else those of the opening view. Coordinates are
    simplified to half a pixel and rounded accordingly, so the payload stays
    bounded whatever the workspace size. The opening view's layer is kept on ``data``
    (the warm start makes it before the first visitor asks).
    """
    from ui.map.folium_classes import FeatureGroup

    name = layer_name("parcels", lang)
    fg = FeatureGroup(name=name, overlay=True, control=True, show=True)
    if view is None:  # the opening view: the same on every first render, so kept
        text, info = opening_text(data, lang, gcj02=gcj02, max_parcels=max_parcels)
    else:
        text, info = _parcel_text(data, lang, view, gcj02, max_parcels)
    if text is not None and info.mode == "parcels":
        VectorLayer(text, name=name, kind="parcels", show=True, style=parcel_style(),
                    tip=tip_spec("parcels", PARCEL_TIP, lang)).add_to(fg)
    elif text is not None:
        VectorLayer(text, name=t("map.layers.parcels_summary", lang), kind="parcels_summary",
                    style=summary_style(), tip={"f": [["label", None, None]], "v": {}}).add_to(fg)
    pos = data.index.position(selected) if selected is not None else None
    if pos is not None:
        row = data.parcels.iloc[[pos]]
        geoms = np.asarray(row.geometry.values)
        text = feature_collection(geoms_to_gcj02(geoms) if gcj02 else geoms,
                                  props_records(row, PARCEL_PROPS))
        VectorLayer(text, name=t("map.layers.selected", lang), kind="selected",
                    style=selected_style(), tip=tip_spec("parcels", PARCEL_TIP, lang)).add_to(fg)
    return fg, info


def parcel_at(data: MapData, lon: float, lat: float, *, gcj02: bool = False) -> str | None:
    """The id of the parcel containing the clicked point (WGS84, or GCJ-02 when ``gcj02``)."""
    if gcj02:
        lon_a, lat_a = gcj02_to_wgs84(lon, lat)
        lon, lat = float(lon_a), float(lat_a)
    return data.index.at(lon, lat)


def focus_on(data: MapData, parcel_id: str, *, gcj02: bool = False
             ) -> tuple[tuple[float, float], int] | None:
    """Centre (lat, lon) and zoom that show one parcel; ``None`` for an unknown id."""
    pos = data.index.position(parcel_id)
    if pos is None:
        return None
    geom = data.parcels.geometry.iloc[pos]
    c = geom.centroid
    lon, lat = c.x, c.y
    if gcj02:
        glon, glat = wgs84_to_gcj02(lon, lat)
        lon, lat = float(glon), float(glat)
    zoom = min(17, max(DETAIL_ZOOM, fit_zoom(geom.bounds, px=FOCUS_PX)))
    return (lat, lon), zoom


def drawing_to_wgs84(feature: Mapping[str, Any] | None, *, gcj02: bool = False
                     ) -> shapely.Geometry | None:
    """The polygon of a Leaflet.draw GeoJSON feature in WGS84; ``None`` if not a polygon."""
    if not feature:
        return None
    geom_json = feature.get("geometry", feature)
    try:
        geom = shapely.geometry.shape(geom_json)
    except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.GEOSException):
        return None
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    if gcj02:
        geom = geoms_from_gcj02(geom)
    return shapely.make_valid(geom) if not geom.is_valid else geom
