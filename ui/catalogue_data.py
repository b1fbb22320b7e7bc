"""Cached data of the parcel catalogue page: the land on offer and its map.

Like :mod:`ui.data`, each result is computed once per workspace state, rulebook text
and date and shared by every session (treat results as read-only). The catalogue's
map holds only layers an investor may see (no mine sites, constraints or 5G).
"""

from __future__ import annotations

import logging
from datetime import date

import geopandas as gpd
import numpy as np
import streamlit as st

from gis.errors import PlannerError
from layers.catalogue import FACILITIES, Offer, offer_table
from ui import data as uidata
from ui.map import MapData, prepare_map_data

__all__ = ["PUBLIC_LAYERS", "offer", "shortlist_map"]

log = logging.getLogger("devzone.ui")
# the context a visitor sees around the land on offer
PUBLIC_LAYERS = ("counties", "zones", "roads", "power", "transport")


@st.cache_resource(max_entries=6, show_spinner=False)
def _offer(path: str, key: str, text: str | None, as_of: date, _snap: uidata.Snapshot
           ) -> Offer:
    ws = uidata.load(_snap)
    result = uidata.readiness(_snap, text, as_of) if text is not None else None
    layers: dict[str, gpd.GeoDataFrame | None] = {}
    for kind in {k for k, _ in FACILITIES.values()}:
        try:
            layers[kind] = ws.read(kind) if ws.has(kind) else None
        except PlannerError:  # an unreadable layer disables its filter, like a missing one
            log.exception("catalogue: layer %s unreadable", kind)
            layers[kind] = None
    parcels = ws.read_required("parcels", needed_for="the parcel catalogue",
                               needed_for_zh="标准地招商目录")
    return offer_table(parcels, overall=None if result is None else result.overall,
                       layers=layers)


def offer(snap: uidata.Snapshot, text: str | None, as_of: date) -> Offer:
    """Land on offer with area, readiness, distances (:func:`layers.catalogue.offer_table`)."""
    return _offer(snap.path, snap.key, text, as_of, snap)


@st.cache_resource(max_entries=4, show_spinner=False)
def _public_map(path: str, key: str, text: str | None, as_of: date, _snap: uidata.Snapshot
                ) -> MapData:
    ws = uidata.load(_snap)
    found = _offer(path, key, text, as_of, _snap)
    layers: dict[str, gpd.GeoDataFrame | None] = {}
    for kind in PUBLIC_LAYERS:
        if ws.has(kind):
            try:
                layers[kind] = ws.read(kind)
            except PlannerError:
                log.exception("catalogue map: layer %s unreadable", kind)
    parcels = gpd.GeoDataFrame(found.table[["parcel_id", *[
        c for c in ("name", "zone_id", "industry") if c in found.table.columns]]],
        geometry=found.geometry.values, crs=found.geometry.crs)
    layers["parcels"] = parcels
    dem = None
    p = ws.raster_path("dem")
    if p is not None:
        from gis.raster import read_raster

        try:
            dem = read_raster(p)
        except PlannerError:
            log.exception("catalogue map: DEM unreadable")
    return prepare_map_data(layers, overall=found.table[["parcel_id", "readiness"]], dem=dem)


def shortlist_map(snap: uidata.Snapshot, text: str | None, as_of: date,
                  parcel_ids: list[str]) -> MapData:
    """The catalogue's map with only the shortlisted parcels (the rest is shared, cached)."""
    base = _public_map(snap.path, snap.key, text, as_of, snap)
    if base.parcels is None:
        return base
    keep = np.isin(base.parcels["parcel_id"].to_numpy(dtype=str), np.asarray(parcel_ids, str))
    # the static layers' GeoJSON memo is shared: only the parcels differ
    return base.with_parcels(base.parcels[keep].reset_index(drop=True))
