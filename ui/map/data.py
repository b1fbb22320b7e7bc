"""The map's data, prepared once per workspace: WGS84 display copies, parcel index, images."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.gcj02 import geoms_to_gcj02
from gis.raster import Raster
from ui.map.geojson import feature_collection, props_records, round_geoms
from ui.map.images import ImageLayer, coverage_image, hillshade_image
from ui.map.index import ParcelIndex
from ui.map.styles import DISPLAY, PARCEL_PROPS
from ui.map.view import HOME_PX, View

__all__ = ["MapData", "prepare_map_data"]

STATIC_LAYER_BUDGET = 1_500_000  # bytes of GeoJSON per static layer before more simplification
CHANGZHI = (112.7, 35.8, 113.7, 37.1)  # the city, shown when the workspace is empty


class MapData:
    """Everything the map draws, in WGS84, prepared once per workspace (treat as read-only).

    ``index`` answers questions about parcels (by id, place or name);
    :meth:`geojson` memoises each static layer's GeoJSON text. Map data read back from
    the results cache (:mod:`ui.map.stored`) decodes its parcels on first use of
    :attr:`parcels`: the opening map needs only the index and the opening view's layer.
    """

    def __init__(self, layers: dict[str, gpd.GeoDataFrame], parcels: gpd.GeoDataFrame | None,
                 images: dict[str, ImageLayer], bounds: tuple[float, float, float, float]
                 ) -> None:
        self.layers = layers
        self.images = images
        self.bounds = bounds  # west, south, east, north
        self._parcels = parcels
        self._load: Callable[[], gpd.GeoDataFrame | None] | None = None
        self._lock = threading.Lock()
        self.index = ParcelIndex(parcels)
        self._json: dict[tuple[str, bool], str] = {}
        self._opening: dict[tuple[int, int], View] = {}
        #: renders kept for reuse (the opening view's parcel layer, see ``ui.map.parcels``)
        self.renders: dict[tuple[Any, ...], Any] = {}

    @classmethod
    def deferred(cls, layers: dict[str, gpd.GeoDataFrame],
                 parcels: Callable[[], gpd.GeoDataFrame | None], index: pd.DataFrame,
                 images: dict[str, ImageLayer], bounds: tuple[float, float, float, float]
                 ) -> MapData:
        """Map data whose parcels ``parcels()`` reads on first use; ``index`` holds their
        :meth:`ParcelIndex.columns`, row for row."""
        data = cls(layers, None, images, bounds)
        data._load = parcels
        data.index = ParcelIndex.stored(index, lambda: data.parcels)
        return data

    def with_parcels(self, parcels: gpd.GeoDataFrame | None) -> MapData:
        """The same map with other parcels; the static layers' GeoJSON memo is shared."""
        data = MapData(self.layers, parcels, self.images, self.bounds)
        data._json = self._json
        return data

    @property
    def parcels(self) -> gpd.GeoDataFrame | None:
        """The displayed parcels (WGS84), read on first use for deferred map data."""
        if self._load is not None:
            with self._lock:  # one reader; the pages and the warm-up may ask at once
                if self._load is not None:
                    self._parcels = self._load()
                    self._load = None
        return self._parcels

    @property
    def n_parcels(self) -> int:
        return len(self.index)

    @property
    def home(self) -> tuple[float, float, float, float]:
        """The extent of parcels and zones (west, south, east, north).

        The whole workspace when it has neither; county outlines or distant mine
        sites would otherwise shrink the parcels to specks on the first view.
        """
        boxes = self.index.boxes
        parts = [np.concatenate([np.nanmin(boxes[:, :2], axis=0),
                                 np.nanmax(boxes[:, 2:], axis=0)])] if len(boxes) else []
        zones = self.layers.get("zones")
        if zones is not None and len(zones):
            parts.append(zones.total_bounds)
        if not parts:
            return self.bounds
        arr = np.array(parts)
        return (float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()),
                float(arr[:, 3].max()))

    def opening_view(self, px: tuple[int, int] = HOME_PX) -> View:
        """The view the map opens on: parcels large enough to click (see ``ParcelIndex``)."""
        if px not in self._opening:
            self._opening[px] = self.index.opening_view(self.home, px)
        return self._opening[px]

    def parcel_value(self, parcel_id: str, column: str) -> Any:
        """A display property of one parcel (``None`` for an unknown parcel or column)."""
        pos = self.index.position(parcel_id)
        if pos is None or self.parcels is None or column not in self.parcels.columns:
            return None
        value = self.parcels[column].iloc[pos]
        return None if value is None or bool(pd.isna(value)) else value

    def geojson(self, kind: str, *, gcj02: bool = False) -> str:
        """The pre-serialised GeoJSON of a static layer (memoised per GCJ-02 flag)."""
        key = (kind, gcj02)
        if key not in self._json:
            gdf = self.layers[kind]
            props = props_records(gdf, DISPLAY.get(kind, (("name",), ()))[0])
            geoms = np.asarray(gdf.geometry.values)
            self._json[key] = feature_collection(geoms_to_gcj02(geoms) if gcj02 else geoms,
                                                 props)
        return self._json[key]

    def site_points(self, *, gcj02: bool = False) -> str:
        """GeoJSON of one point per mine site (inside its polygon), with its display properties."""
        key = ("site_points", gcj02)
        if key not in self._json:
            gdf = self.layers.get("mines")
            if gdf is None or not len(gdf):
                return feature_collection(np.empty(0, dtype=object), [])
            pts = shapely.point_on_surface(np.asarray(gdf.geometry.values))
            self._json[key] = feature_collection(geoms_to_gcj02(pts) if gcj02 else pts,
                                                 props_records(gdf, DISPLAY["mines"][0]))
        return self._json[key]

    def static_bytes(self) -> int:
        """Bytes of every static layer's GeoJSON and image (what each render sends)."""
        return (sum(len(self.geojson(k)) for k in self.layers)
                + sum(i.nbytes for i in self.images.values()))


def _display_copy(kind: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """WGS84 copy with only the display columns; lines/polygons simplified to ~2 m."""
    cols = [c for c in DISPLAY.get(kind, (("name",), ()))[0] if c in gdf.columns]
    out = gdf[[*cols, gdf.geometry.name]].copy()
    out = out[~out.geometry.isna() & ~out.geometry.is_empty]
    out = out.to_crs("EPSG:4326") if out.crs is not None else out.set_crs("EPSG:4326")
    geoms = np.asarray(out.geometry.values)
    tol = 2e-5
    for _ in range(4):  # escalate simplification until the layer fits its budget
        simple = shapely.simplify(geoms, tol, preserve_topology=True)
        size = sum(len(s) for s in shapely.to_geojson(round_geoms(simple, 6)) if s)
        if size <= STATIC_LAYER_BUDGET:
            break
        tol *= 4
    return out.set_geometry(gpd.GeoSeries(simple, index=out.index, crs="EPSG:4326"))


def _with_progress(gdf: gpd.GeoDataFrame, progress: pd.DataFrame) -> gpd.GeoDataFrame:
    """Mine sites with their current stage, progress and overdue days from the engine."""
    cols = [c for c in ("stage", "progress_pct", "days_overdue") if c in progress.columns]
    upd = pd.DataFrame(progress).drop_duplicates("site_id").set_index("site_id")[cols]
    gdf = gdf.drop(columns=[c for c in cols if c in gdf.columns and c != "site_id"])
    return gdf.join(upd, on="site_id")


def _display_parcels(pg: gpd.GeoDataFrame, overall: pd.DataFrame | None) -> gpd.GeoDataFrame:
    """WGS84 parcels with the display columns and their readiness (``unchecked`` if none)."""
    cols = [c for c in PARCEL_PROPS if c in pg.columns and c != "readiness"]
    parcels = pg[[*cols, pg.geometry.name]].copy()
    parcels = parcels[~parcels.geometry.isna() & ~parcels.geometry.is_empty]
    parcels = parcels.to_crs("EPSG:4326") if parcels.crs is not None \
        else parcels.set_crs("EPSG:4326")
    parcels["parcel_id"] = parcels["parcel_id"].astype(str)
    if overall is not None and len(overall):
        status = overall.drop_duplicates("parcel_id").set_index(
            overall["parcel_id"].drop_duplicates().astype(str))["readiness"]
        parcels["readiness"] = parcels["parcel_id"].map(status).fillna("unchecked")
    else:
        parcels["readiness"] = "unchecked"
    return parcels.reset_index(drop=True)


def prepare_map_data(
    layers: Mapping[str, gpd.GeoDataFrame | None],
    *,
    overall: pd.DataFrame | None = None,
    progress: pd.DataFrame | None = None,
    dem: Raster | None = None,
    coverage: Raster | None = None,
    max_image_px: int = 1024,
) -> MapData:
    """Display-ready map data from the workspace's layers and the engines' results.

    Parameters
    ----------
    layers
        Layer kind → GeoDataFrame (any CRS; ``None`` or absent when the workspace
        has no such layer). ``parcels`` is drawn dynamically, the rest statically.
    overall
        Readiness per parcel (``parcel_id``, ``readiness``); parcels without a
        result are drawn as ``unchecked``.
    progress
        Restoration progress per site (``site_id``, ``stage``, ``progress_pct``,
        ``days_overdue``): the map shows the current stage, not the declared one.
    dem, coverage
        DEM (metres) for the hillshade and 5G RSRP (dBm) rasters, or ``None``.
    """
    static: dict[str, gpd.GeoDataFrame] = {}
    for kind, gdf in layers.items():
        if kind == "parcels" or gdf is None or not isinstance(gdf, gpd.GeoDataFrame) \
                or not len(gdf):
            continue
        if kind == "mines" and progress is not None and "site_id" in progress.columns:
            gdf = _with_progress(gdf, progress)
        static[kind] = _display_copy(kind, gdf)

    pg = layers.get("parcels")
    parcels = _display_parcels(pg, overall) if pg is not None and len(pg) else None

    images: dict[str, ImageLayer] = {}
    if dem is not None and dem.array.size and dem.crs:
        images["hillshade"] = hillshade_image(dem, max_px=max_image_px)
    if coverage is not None and coverage.array.size and coverage.crs:
        images["coverage_5g"] = coverage_image(coverage, max_px=max_image_px)

    totals = [g.total_bounds for g in (*static.values(), *([parcels] if parcels is not None
                                                              else []))]
    if totals:
        arr = np.array(totals)
        bounds = (float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()),
                  float(arr[:, 3].max()))
    elif images:
        s, w, n, e = next(iter(images.values())).bounds
        bounds = (w, s, e, n)
    else:
        bounds = CHANGZHI
    return MapData(static, parcels, images, bounds)
