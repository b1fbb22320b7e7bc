"""The map: display-ready layers and a ``folium.Map`` with offline assets, legend and tools.

:func:`prepare_map_data` turns the workspace's layers (any CRS) and the engine
results into a :class:`MapData` once per workspace: WGS84 display copies with
their GeoJSON pre-serialised, a :class:`ParcelIndex` (ids, names, centroids),
and the DEM hillshade and 5G coverage as images in Web Mercator.
:func:`build_map` then assembles a map from it in a few milliseconds, and
:func:`parcel_layer` sends only what the view needs: the parcels in view
when they are few enough, else a hexagon summary. Every layer is styled in
JavaScript from a property, so the page's load grows with N, not N².
Nothing here imports Streamlit; ``build_map`` is testable on its own.

Modules: ``view`` (the view), ``index`` (parcel look-ups), ``images`` (raster
overlays), ``geojson`` and ``data`` (preparation), ``styles`` (colours, legend),
``elements`` (Leaflet elements), ``parcels`` (the parcel layer), ``build``
(assembly), ``lazy_plugins`` (folium's plugins, each imported when used).
Web Mercator and GCJ-02 maths live in :mod:`gis.webmercator` and :mod:`gis.gcj02`.
"""

from __future__ import annotations

from ui.map.build import BASEMAPS, Basemap, build_map, build_sites_map, layer_control
from ui.map.data import MapData, prepare_map_data
from ui.map.elements import Publish
from ui.map.images import NODATA_GREY, ImageLayer, coverage_image, hillshade_image
from ui.map.index import ParcelIndex
from ui.map.lazy_plugins import install as _lazy_plugins
from ui.map.parcels import (
    MAX_PARCELS,
    ParcelLayerInfo,
    drawing_to_wgs84,
    focus_on,
    parcel_at,
    parcel_layer,
)
from ui.map.styles import READINESS_COLORS, READINESS_ORDER, STAGE_COLORS
from ui.map.view import DETAIL_ZOOM, View

__all__ = [
    "BASEMAPS",
    "DETAIL_ZOOM",
    "MAX_PARCELS",
    "NODATA_GREY",
    "READINESS_COLORS",
    "READINESS_ORDER",
    "STAGE_COLORS",
    "Basemap",
    "ImageLayer",
    "MapData",
    "ParcelIndex",
    "ParcelLayerInfo",
    "Publish",
    "View",
    "build_map",
    "build_sites_map",
    "coverage_image",
    "drawing_to_wgs84",
    "focus_on",
    "hillshade_image",
    "layer_control",
    "parcel_at",
    "parcel_layer",
    "prepare_map_data",
]

_lazy_plugins()  # before streamlit-folium or a map imports folium.plugins
