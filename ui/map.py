"""The map builder: display-ready layers and a ``folium.Map`` with offline assets, legend and tools.

:func:`prepare_map_data` turns the workspace's layers (any CRS) and the engine
results into a :class:`MapData` once per workspace: WGS84 display copies with
their GeoJSON pre-serialised, parcel centroids for summaries, and the DEM
hillshade and 5G coverage as PNG overlays reprojected to Web Mercator.
:func:`build_map` then assembles a map from it in a few milliseconds, and
:func:`parcel_layer` sends only what the view needs: the parcels in view
when they are few enough, else a hexagon summary. Every layer is styled in
JavaScript from a property, so the page's load grows with N, not N².
Nothing here imports Streamlit; ``build_map`` is testable on its own.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.map import Layer
from folium.raster_layers import ImageOverlay
from jinja2 import Template

from gis.raster import Raster, hillshade
from ui.i18n import layer_name, t, value_label

__all__ = [
    "BASEMAPS",
    "DETAIL_ZOOM",
    "MAX_PARCELS",
    "READINESS_COLORS",
    "ImageLayer",
    "MapData",
    "ParcelLayerInfo",
    "View",
    "build_map",
    "coverage_image",
    "drawing_to_wgs84",
    "focus_on",
    "hillshade_image",
    "layer_control",
    "parcel_at",
    "parcel_layer",
    "prepare_map_data",
]

Basemap = Literal["hillshade", "none", "osm", "tianditu", "gaode"]
BASEMAPS: tuple[Basemap, ...] = ("hillshade", "none", "osm", "tianditu", "gaode")

DETAIL_ZOOM = 13          # below it parcels are drawn only when few; else summarised
OVERVIEW_PARCELS = 1500   # most parcels drawn below DETAIL_ZOOM
MAX_PARCELS = 4000        # most parcels drawn per render (≈1.5 MB); more → hexagons
HEX_PX = 40               # hexagon width on screen, pixels
STATIC_LAYER_BUDGET = 1_500_000  # bytes of GeoJSON per static layer before more simplification
EARTH_R = 6378137.0
HOME_PX = (480, 420)      # the narrowest map the pages show: the first view fits in it

READINESS_ORDER = ("ready", "ready_with_commitments", "not_ready", "incomplete", "unchecked")
READINESS_COLORS = {
    "ready": "#1a9641",
    "ready_with_commitments": "#a6d96a",
    "not_ready": "#d7191c",
    "incomplete": "#fdae61",
    "unchecked": "#9e9e9e",
}
STAGE_COLORS = {
    "not_started": "#d73027", "approved": "#fc8d59", "in_progress": "#fee08b",
    "completed": "#d9ef8b", "accepted": "#91cf60", "maintenance": "#1a9850", "closed": "#006837",
}
WATER_COLORS = {"main": "#08519c", "branch": "#4292c6", "plant": "#08306b",
                "reservoir": "#2171b5", "pump": "#6baed6"}
CONSTRAINT_COLORS = {"ecological_redline": "#1b7837", "basic_farmland": "#bf812d",
                     "flood": "#4393c3", "geohazard": "#b2182b", "mining_right": "#762a83"}
STATUS_DASH = {"under_construction": "8 4", "planned": "2 6"}
COVERAGE_CLASSES = (  # (lower bound dBm, colour, label)
    (-85.0, "#1a9850", "≥ −85"), (-95.0, "#91cf60", "−95 … −85"),
    (-105.0, "#fee08b", "−105 … −95"), (-math.inf, "#d73027", "< −105"),
)
SHARE_COLORS = ((0.8, "#1a9641"), (0.6, "#a6d96a"), (0.4, "#ffffbf"), (0.2, "#fdae61"),
                (-1.0, "#d7191c"))

# per layer kind: (properties kept for display, tooltip fields as (property, value group))
DISPLAY: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str | None], ...]]] = {
    "zones": (("zone_id", "name", "kind", "level"),
              (("name", None), ("zone_id", None), ("kind", "zone_kind"), ("level", None))),
    "mines": (("site_id", "name", "stage", "mineral", "county", "progress_pct", "days_overdue"),
              (("site_id", None), ("name", None), ("stage", "stage"), ("mineral", None),
               ("county", None), ("progress_pct", None), ("days_overdue", None))),
    "water": (("kind", "status", "name", "diameter_mm", "system"),
              (("name", None), ("kind", "water_kind"), ("status", "infra_status"),
               ("diameter_mm", None), ("system", None))),
    "roads": (("class", "status", "name"),
              (("name", None), ("class", None), ("status", "infra_status"))),
    "power": (("kind", "voltage_kv", "status", "name"),
              (("name", None), ("kind", "power_kind"), ("voltage_kv", None),
               ("status", "infra_status"))),
    "tourism_road": (("segment_id", "name", "status"),
                     (("name", None), ("segment_id", None), ("status", "infra_status"))),
    "constraints": (("kind", "name"), (("kind", "constraint_kind"), ("name", None))),
    "base_stations": (("name", "radius_m", "status"),
                      (("name", None), ("radius_m", None), ("status", "infra_status"))),
    "counties": (("name",), (("name", None),)),
}
PARCEL_PROPS = ("parcel_id", "name", "zone_id", "industry", "readiness")
PARCEL_TIP = (("parcel_id", None), ("name", None), ("readiness", "readiness"),
              ("industry", "industry"), ("zone_id", None))
# drawing order (bottom to top) and which layers start hidden
LAYER_ORDER = ("counties", "constraints", "zones", "mines", "roads", "tourism_road", "water",
               "power", "base_stations")
HIDDEN_AT_START = frozenset({"base_stations", "counties"})

# the JavaScript helpers every styled layer uses (defined once per page)
_HELPERS_JS = """
if (!document.getElementById('devzone-css')) {
  // a compact layer control: with Bootstrap's 16 px labels it hid a third of a narrow map
  var css = document.createElement('style');
  css.id = 'devzone-css';
  css.textContent = '.leaflet-control-layers-expanded{padding:4px 8px 4px 6px;font-size:12px;'
    + 'line-height:1.35}.leaflet-control-layers label{margin:0;font-size:12px}'
    + '.leaflet-control-layers-selector{margin:0 3px 0 0;vertical-align:-2px}'
    + '.leaflet-control-layers-separator{margin:3px -8px 3px -6px}';
  document.head.appendChild(css);
}
if (!window.devzone) {
  window.devzone = {
    esc: function (v) {
      return String(v).replace(/[&<>"']/g, function (c) {
        return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
      });
    },
    style: function (spec, p) {
      var s = Object.assign({}, spec.base);
      if (spec.by) {
        var c = spec.colors[p[spec.by]];
        if (c === undefined) { c = spec.other; }
        for (var i = 0; c && i < spec.paint.length; i++) { s[spec.paint[i]] = c; }
      }
      if (spec.color_prop && p[spec.color_prop]) {
        s.fillColor = p[spec.color_prop];
      }
      if (spec.dash_by) {
        var d = spec.dashes[p[spec.dash_by]];
        if (d) { s.dashArray = d; }
      }
      return s;
    },
    tip: function (spec, p) {
      var rows = [];
      for (var i = 0; i < spec.f.length; i++) {
        var k = spec.f[i][0], label = spec.f[i][1], group = spec.f[i][2];
        var v = p[k];
        if (v === null || v === undefined || v === '') { continue; }
        if (group && spec.v[group] && spec.v[group][v] !== undefined) { v = spec.v[group][v]; }
        rows.push(label ? '<b>' + window.devzone.esc(label) + '</b> ' + window.devzone.esc(v)
                        : window.devzone.esc(v));
      }
      return rows.join('<br>');
    }
  };
}
"""


# --------------------------------------------------------------------------- view
@dataclass(frozen=True)
class View:
    """The map's visible extent (degrees) and zoom, as ``st_folium`` reports them."""

    west: float
    south: float
    east: float
    north: float
    zoom: int

    @classmethod
    def from_st_folium(cls, returned: Mapping[str, Any] | None) -> View | None:
        """Read ``bounds``/``zoom`` from ``st_folium``'s return value; ``None`` if absent."""
        if not returned:
            return None
        b, zoom = returned.get("bounds"), returned.get("zoom")
        try:
            sw, ne = b["_southWest"], b["_northEast"]
            view = cls(float(sw["lng"]), float(sw["lat"]), float(ne["lng"]), float(ne["lat"]),
                       int(zoom))
        except (KeyError, TypeError, ValueError):
            return None
        if not all(map(math.isfinite, (view.west, view.south, view.east, view.north))):
            return None
        return view

    def padded(self, frac: float = 0.2) -> tuple[float, float, float, float]:
        dx, dy = (self.east - self.west) * frac, (self.north - self.south) * frac
        return self.west - dx, self.south - dy, self.east + dx, self.north + dy


def _fit_zoom(bounds: tuple[float, float, float, float], px: tuple[int, int] = (900, 600)) -> int:
    """The largest zoom at which ``bounds`` (degrees) fit in ``px`` pixels."""
    west, south, east, north = bounds
    dx = max(_merc_x(east) - _merc_x(west), 1.0)
    dy = max(_merc_y(north) - _merc_y(south), 1.0)
    world = 2 * math.pi * EARTH_R
    zx = math.log2(px[0] * world / (256 * dx))
    zy = math.log2(px[1] * world / (256 * dy))
    return int(max(1, min(18, math.floor(min(zx, zy)))))


def _merc_x(lon: Any) -> Any:
    return np.radians(lon) * EARTH_R


def _merc_y(lat: Any) -> Any:
    lat = np.clip(lat, -85.0, 85.0)
    return EARTH_R * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def _merc_inv(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.degrees(x / EARTH_R), np.degrees(2 * np.arctan(np.exp(y / EARTH_R)) - np.pi / 2)


def _pixel_m(zoom: int) -> float:
    """Web Mercator metres per screen pixel at ``zoom``."""
    return 2 * math.pi * EARTH_R / (256 * 2**zoom)


# --------------------------------------------------------------------------- images
@dataclass(frozen=True)
class ImageLayer:
    """A raster drawn as an image overlay: PNG data URL and its (south, west, north, east)."""

    key: str
    url: str
    bounds: tuple[float, float, float, float]
    opacity: float = 1.0

    @property
    def nbytes(self) -> int:
        return len(self.url)


def _to_web_mercator(r: Raster, *, max_px: int, resampling: str) -> tuple[np.ndarray, tuple]:
    """Reproject a raster to EPSG:3857 at most ``max_px`` wide/high; nan outside the data."""
    from affine import Affine
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    if r.crs is None:
        raise ValueError("raster has no CRS")
    arr, transform = r.array, r.transform
    h, w = arr.shape
    step = max(1, math.ceil(max(h, w) / (2 * max_px)))  # decimate huge rasters first
    if step > 1:
        arr = arr[::step, ::step]
        transform = transform @ Affine.scale(step)
        h, w = arr.shape
    left, top = transform @ (0, 0)
    right, bottom = transform @ (w, h)
    _, dw, dh = calculate_default_transform(r.crs, "EPSG:3857", w, h, min(left, right),
                                            min(top, bottom), max(left, right), max(top, bottom))
    scale = max(dw, dh) / max_px
    if scale > 1:
        dw, dh = max(1, round(dw / scale)), max(1, round(dh / scale))
    dst_transform, dw, dh = calculate_default_transform(
        r.crs, "EPSG:3857", w, h, min(left, right), min(top, bottom), max(left, right),
        max(top, bottom), dst_width=dw, dst_height=dh)
    out = np.full((dh, dw), np.nan, dtype="float64")
    reproject(np.ascontiguousarray(arr, dtype="float64"), out, src_transform=transform,
              src_crs=r.crs, dst_transform=dst_transform, dst_crs="EPSG:3857",
              resampling=getattr(Resampling, resampling), src_nodata=np.nan, dst_nodata=np.nan)
    x0, y0 = dst_transform @ (0, 0)
    x1, y1 = dst_transform @ (dw, dh)
    lon, lat = _merc_inv(np.array([x0, x1]), np.array([y0, y1]))
    bounds = (float(min(lat)), float(min(lon)), float(max(lat)), float(max(lon)))
    return out, bounds


def _png_data_url(rgba: np.ndarray) -> str:
    from PIL import Image

    mode = {2: "LA", 4: "RGBA"}[rgba.shape[2]]
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba, dtype="uint8"), mode=mode).save(
        buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


NODATA_GREY = 0xDD  # Leaflet's background: cells without elevation blend into it


def hillshade_image(dem: Raster, *, max_px: int = 1024, quality: int = 75) -> ImageLayer:
    """The DEM's hillshade (as ``gdaldem hillshade``), light grey, as a JPEG in Web Mercator.

    JPEG keeps a noisy relief ~6× smaller than PNG (≈120 KB for 1024 px), which
    matters because the image is sent with every render; cells without elevation
    take Leaflet's background grey instead of transparency.
    """
    from PIL import Image

    shade = hillshade(dem).astype("float64")
    shade[np.isnan(dem.array)] = np.nan
    merc, bounds = _to_web_mercator(Raster(shade, dem.transform, dem.crs, None),
                                    max_px=max_px, resampling="bilinear")
    grey = np.where(np.isfinite(merc), 90.0 + np.nan_to_num(merc) * (165.0 / 255.0),
                    NODATA_GREY).astype("uint8")
    buf = io.BytesIO()
    Image.fromarray(grey, mode="L").save(buf, format="JPEG", quality=quality)
    url = "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
    return ImageLayer("hillshade", url, bounds, opacity=1.0)


def coverage_image(coverage: Raster, *, max_px: int = 1024) -> ImageLayer:
    """5G signal strength (RSRP, dBm) in four classes, as a semi-transparent PNG overlay."""
    merc, bounds = _to_web_mercator(coverage, max_px=max_px, resampling="nearest")
    rgba = np.zeros((*merc.shape, 4), dtype="uint8")
    valid = np.isfinite(merc)
    assigned = np.zeros(merc.shape, dtype=bool)
    for lower, colour, _ in COVERAGE_CLASSES:
        sel = valid & ~assigned & (np.nan_to_num(merc, nan=-math.inf) >= lower)
        rgba[sel, :3] = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
        rgba[sel, 3] = 255
        assigned |= sel
    return ImageLayer("coverage_5g", _png_data_url(rgba), bounds, opacity=0.45)


# --------------------------------------------------------------------------- GeoJSON
def _round_geoms(geoms: np.ndarray, decimals: int) -> np.ndarray:
    return shapely.transform(geoms, lambda c: np.round(c, decimals))


def _props_frame(df: pd.DataFrame, cols: tuple[str, ...]) -> list[dict[str, Any]]:
    present = [c for c in cols if c in df.columns]
    out = pd.DataFrame(index=df.index)
    for c in present:
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            s = s.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_float_dtype(s):
            s = s.round(2)
        out[c] = s.astype(object).where(s.notna(), None)
    return out.to_dict("records")


def _feature_collection(geoms: np.ndarray, props: list[dict[str, Any]], *,
                        decimals: int = 6) -> str:
    """A GeoJSON FeatureCollection string; geometry serialised by GEOS (vectorised)."""
    if len(geoms) == 0:
        return '{"type":"FeatureCollection","features":[]}'
    gj = shapely.to_geojson(_round_geoms(geoms, decimals))
    parts = []
    for g, p in zip(gj, props, strict=True):
        if g is None:
            continue
        parts.append('{"type":"Feature","properties":' + json.dumps(
            p, ensure_ascii=False, default=str, separators=(",", ":")) + ',"geometry":' + g + "}")
    text = '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"
    return text.replace("</", "<\\/")  # safe inside an inline <script>


def _gcj(geoms: np.ndarray) -> np.ndarray:
    from gis.crs import wgs84_to_gcj02

    def _apply(c: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(c[:, 0], c[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geoms, _apply)


# --------------------------------------------------------------------------- map data
@dataclass
class MapData:
    """Everything the map draws, in WGS84, prepared once per workspace (treat as read-only)."""

    layers: dict[str, gpd.GeoDataFrame]
    parcels: gpd.GeoDataFrame | None
    images: dict[str, ImageLayer]
    bounds: tuple[float, float, float, float]  # west, south, east, north
    _json: dict[tuple[str, bool], str] = field(default_factory=dict, repr=False)
    _mx: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    _my: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)
    _codes: np.ndarray = field(default_factory=lambda: np.empty(0, dtype="int8"), repr=False)
    _pos: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.parcels is not None and len(self.parcels):
            pts = shapely.centroid(np.asarray(self.parcels.geometry.values))
            xy = shapely.get_coordinates(pts)
            self._mx, self._my = _merc_x(xy[:, 0]), _merc_y(xy[:, 1])
            code = {k: i for i, k in enumerate(READINESS_ORDER)}
            self._codes = (self.parcels["readiness"].map(code).fillna(len(READINESS_ORDER) - 1)
                           .to_numpy(dtype="int8"))
            self._pos = {str(p): i for i, p in enumerate(self.parcels["parcel_id"])}

    @property
    def n_parcels(self) -> int:
        return 0 if self.parcels is None else len(self.parcels)

    @property
    def home(self) -> tuple[float, float, float, float]:
        """The extent the map opens on: parcels and zones (west, south, east, north).

        The whole workspace when it has neither; county outlines or distant mine
        sites would otherwise shrink the parcels to specks on the first view.
        """
        parts = [g.total_bounds for g in (self.parcels, self.layers.get("zones"))
                 if g is not None and len(g)]
        if not parts:
            return self.bounds
        arr = np.array(parts)
        return (float(arr[:, 0].min()), float(arr[:, 1].min()), float(arr[:, 2].max()),
                float(arr[:, 3].max()))

    def parcel_value(self, parcel_id: str, column: str) -> Any:
        """A display property of one parcel (``None`` for an unknown parcel or column)."""
        pos = self._pos.get(str(parcel_id))
        if pos is None or self.parcels is None or column not in self.parcels.columns:
            return None
        value = self.parcels[column].iloc[pos]
        return None if value is None or bool(pd.isna(value)) else value

    def geojson(self, kind: str, *, gcj02: bool = False) -> str:
        """The pre-serialised GeoJSON of a static layer (memoised per GCJ-02 flag)."""
        key = (kind, gcj02)
        if key not in self._json:
            gdf = self.layers[kind]
            props = _props_frame(gdf, DISPLAY.get(kind, (("name",), ()))[0])
            geoms = np.asarray(gdf.geometry.values)
            self._json[key] = _feature_collection(_gcj(geoms) if gcj02 else geoms, props)
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
        size = sum(len(s) for s in shapely.to_geojson(_round_geoms(simple, 6)) if s)
        if size <= STATIC_LAYER_BUDGET:
            break
        tol *= 4
    out = out.set_geometry(gpd.GeoSeries(simple, index=out.index, crs="EPSG:4326"))
    return out


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
            cols = [c for c in ("stage", "progress_pct", "days_overdue") if c in progress.columns]
            upd = pd.DataFrame(progress).drop_duplicates("site_id").set_index("site_id")[cols]
            gdf = gdf.drop(columns=[c for c in cols if c in gdf.columns and c != "site_id"])
            gdf = gdf.join(upd, on="site_id")
        static[kind] = _display_copy(kind, gdf)

    parcels = None
    pg = layers.get("parcels")
    if pg is not None and len(pg):
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
        parcels = parcels.reset_index(drop=True)

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
    else:  # Changzhi city, when the workspace is empty
        bounds = (112.7, 35.8, 113.7, 37.1)
    return MapData(static, parcels, images, bounds)


# --------------------------------------------------------------------------- elements
class _Helpers(MacroElement):
    """Defines ``window.devzone`` (style/tooltip helpers), the iframe's lang and draw labels."""

    _template = Template("""
{% macro script(this, kwargs) %}
{{ this.js }}
document.documentElement.lang = {{ this.html_lang|tojson }};
{% if this.draw_local %}
if (window.L && L.drawLocal) {
  L.drawLocal.draw.toolbar.buttons.polygon = {{ this.draw_local.polygon|tojson }};
  L.drawLocal.draw.toolbar.buttons.rectangle = {{ this.draw_local.rectangle|tojson }};
  L.drawLocal.draw.toolbar.actions.text = "取消";
  L.drawLocal.draw.toolbar.finish.text = "完成";
  L.drawLocal.draw.toolbar.undo.text = "删除最后一点";
  L.drawLocal.draw.handlers.polygon.tooltip.start = "点击开始绘制";
  L.drawLocal.draw.handlers.polygon.tooltip.cont = "点击继续绘制";
  L.drawLocal.draw.handlers.polygon.tooltip.end = "点击第一个点结束";
  L.drawLocal.draw.handlers.rectangle.tooltip.start = "按住并拖动绘制矩形";
  L.drawLocal.edit.toolbar.buttons.edit = "编辑";
  L.drawLocal.edit.toolbar.buttons.remove = "删除";
}
{% endif %}
{% endmacro %}
""")

    def __init__(self, lang: str) -> None:
        super().__init__()
        self._name = "DevzoneHelpers"
        self.js = _HELPERS_JS
        self.html_lang = "zh-CN" if lang == "zh" else "en"
        self.draw_local = ({"polygon": t("map.draw_polygon", lang),
                            "rectangle": t("map.draw_rectangle", lang)} if lang == "zh" else None)


class _RawScript(Element):
    """Script text added to the figure as is (branca would compile it as a jinja template)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: Any) -> str:
        return self._text


def _render_raw(el: MacroElement, **kwargs: Any) -> None:
    """Render a layer like ``folium.map.Layer.render`` without jinja-compiling its output.

    branca wraps every element's rendered script in ``Element(template=...)``,
    i.e. compiles megabytes of GeoJSON or a base64 image as a jinja template on
    every render (≈ 0.1 s per rerun here), and evaluates any ``{{ … }}`` that
    feature names happen to contain. The output is added verbatim instead.
    """
    from folium.elements import ElementAddToElement

    if getattr(el, "show", True) and isinstance(el, Layer):
        el.add_child(ElementAddToElement(element_name=el.get_name(),
                                         element_parent_name=el._parent.get_name()),
                     name=el.get_name() + "_add")
    figure = el.get_root()
    for name, url in getattr(el, "default_js", []):
        figure.header.add_child(JavascriptLink(url), name=name)
    for name, url in getattr(el, "default_css", []):
        figure.header.add_child(CssLink(url), name=name)
    script = el._template.module.__dict__.get("script")
    if script is not None:
        figure.script.add_child(_RawScript(script(el, kwargs)), name=el.get_name())
    for child in el._children.values():
        child.render(**kwargs)


class _VectorLayer(Layer):
    """A GeoJSON layer styled and labelled in JavaScript from feature properties."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }}_style = {{ this.style_spec }};
var {{ this.get_name() }}_tip = {{ this.tip_spec }};
var {{ this.get_name() }} = L.geoJson({{ this.data }}, {
  style: function (f) { return window.devzone.style({{ this.get_name() }}_style, f.properties); },
  pointToLayer: function (f, ll) {
    return L.circleMarker(ll, window.devzone.style({{ this.get_name() }}_style, f.properties));
  },
  onEachFeature: function (f, layer) {
    var tip = window.devzone.tip({{ this.get_name() }}_tip, f.properties);
    if (tip) { layer.bindTooltip(tip, {sticky: true}); }
  }
});
{% endmacro %}
""")

    def __init__(self, data: str, *, name: str, style: dict[str, Any], tip: dict[str, Any],
                 show: bool = True, kind: str = "") -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "VectorLayer"
        self.kind = kind
        self.data = data
        self.style_spec = json.dumps(style, ensure_ascii=False)
        self.tip_spec = json.dumps(tip, ensure_ascii=False).replace("</", "<\\/")

    def render(self, **kwargs: Any) -> None:
        _render_raw(self, **kwargs)


class _ImageOverlay(ImageOverlay):
    """folium's image overlay, its data URL not jinja-compiled (see ``_render_raw``)."""

    def render(self, **kwargs: Any) -> None:
        _render_raw(self, **kwargs)


class _Legend(MacroElement):
    """A collapsible legend control (HTML built and escaped in Python)."""

    _template = Template("""
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = L.control({position: "bottomright"});
{{ this.get_name() }}.onAdd = function () {
  var div = L.DomUtil.create("div", "devzone-legend");
  div.innerHTML = {{ this.body|tojson }};
  L.DomEvent.disableClickPropagation(div);
  L.DomEvent.disableScrollPropagation(div);
  return div;
};
{{ this.get_name() }}.addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, body: str) -> None:
        super().__init__()
        self._name = "Legend"
        self.body = body


def _tip_spec(kind: str, fields: tuple[tuple[str, str | None], ...], lang: str) -> dict[str, Any]:
    from ui.i18n import VALUE_LABELS, column_label

    groups = {g for _, g in fields if g}
    return {
        "f": [[prop, column_label(kind, prop, lang) if prop not in ("readiness",)
               else t("readiness", lang), group] for prop, group in fields],
        "v": {g: {k: v[0 if lang == "zh" else 1] for k, v in VALUE_LABELS[g].items()}
              for g in groups if g in VALUE_LABELS},
    }


def _style_spec(kind: str) -> dict[str, Any]:
    from layers.catalog import CATALOG

    spec = CATALOG.get(kind)
    base: dict[str, Any] = {"color": "#555555", "weight": 1.5, "fillOpacity": 0.3, "opacity": 0.9}
    if spec is not None:
        base.update({k: v for k, v in spec.style.items() if k != "radius"})
        if "radius" in spec.style:
            base["radius"] = spec.style["radius"]
    out: dict[str, Any] = {"base": base}
    if kind == "mines":
        out.update(by="stage", colors=STAGE_COLORS, paint=["fillColor", "color"], other="#8c510a")
        base.update(weight=1.5, fillOpacity=0.6)
    elif kind == "water":
        out.update(by="kind", colors=WATER_COLORS, paint=["color", "fillColor"],
                   dash_by="status", dashes=STATUS_DASH)
        base.update(radius=5, fillOpacity=0.9)
    elif kind == "constraints":
        out.update(by="kind", colors=CONSTRAINT_COLORS, paint=["color", "fillColor"])
    elif kind in ("roads", "power", "tourism_road"):
        out.update(dash_by="status", dashes=STATUS_DASH)
        if kind == "power":
            base.update(radius=6, fillOpacity=0.9, fillColor=base.get("color", "#e31a1c"))
    elif kind == "base_stations":
        base.update(radius=4, fillOpacity=0.9, fillColor=base.get("color", "#984ea3"))
    elif kind == "counties":
        base.update(color="#737373", weight=1, fillOpacity=0.0, dashArray="2 4")
    return out


def _legend_html(data: MapData, lang: str) -> str:
    esc = html.escape

    def swatch(colour: str, label: str, *, line: bool = False, dash: str = "") -> str:
        if line:
            style = (f"display:inline-block;width:18px;height:0;border-top:3px "
                     f"{'dashed' if dash else 'solid'} {colour};vertical-align:middle")
        else:
            style = (f"display:inline-block;width:12px;height:12px;background:{colour};"
                     "border:1px solid #555;vertical-align:middle")
        return f'<div><span style="{style}"></span> {esc(label)}</div>'

    parts = [f"<b>{esc(layer_name('parcels', lang))}</b>"]
    parts += [swatch(READINESS_COLORS[k], value_label("readiness", k, lang))
              for k in READINESS_ORDER]
    parts.append(f"<div style='margin-top:2px'><i>{esc(t('map.hex_share', lang))}</i></div>")
    parts.append("<div>" + "".join(
        f'<span title="≥{int(lo * 100) if lo >= 0 else 0}%" style="display:inline-block;'
        f'width:16px;height:10px;background:{c}"></span>'
        for lo, c in reversed(SHARE_COLORS)) + " 0 → 100%</div>")
    if "mines" in data.layers:
        parts.append(f"<b>{esc(layer_name('mines', lang))}</b>")
        parts += [swatch(c, value_label("stage", k, lang)) for k, c in STAGE_COLORS.items()]
    if "water" in data.layers:
        parts.append(f"<b>{esc(layer_name('water', lang))}</b>")
        kinds = set(data.layers["water"].get("kind", pd.Series(dtype=object)).dropna())
        parts += [swatch(c, value_label("water_kind", k, lang), line=True)
                  for k, c in WATER_COLORS.items() if k in kinds]
    if "constraints" in data.layers:
        parts.append(f"<b>{esc(layer_name('constraints', lang))}</b>")
        kinds = set(data.layers["constraints"].get("kind", pd.Series(dtype=object)).dropna())
        parts += [swatch(c, value_label("constraint_kind", k, lang))
                  for k, c in CONSTRAINT_COLORS.items() if k in kinds]
    lines = [k for k in ("zones", "roads", "power", "tourism_road") if k in data.layers]
    if lines:
        parts.append(f"<b>{esc(t('map.lines', lang))}</b>")
        parts += [swatch(str(_style_spec(k)["base"].get("color", "#555")), layer_name(k, lang),
                         line=True, dash="6" if k == "zones" else "") for k in lines]
        parts.append(swatch("#555", value_label("infra_status", "planned", lang), line=True,
                            dash="2"))
    if "coverage_5g" in data.images:
        parts.append(f"<b>{esc(t('map.layers.coverage_5g', lang))} ({t('map.dbm', lang)})</b>")
        parts += [swatch(c, label) for _, c, label in COVERAGE_CLASSES]
    body = "".join(parts)
    return ('<details style="background:rgba(255,255,255,0.92);padding:6px 8px;'
            'border-radius:4px;font:12px/1.45 sans-serif;max-height:320px;overflow:auto">'
            f"<summary style='cursor:pointer'><b>{esc(t('map.legend', lang))}</b></summary>"
            f"{body}</details>")


# --------------------------------------------------------------------------- parcels
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
    size = HEX_PX / 2 * _pixel_m(zoom) / math.sqrt(3) * 2  # centre-to-corner, metres
    x, y = data._mx[sel], data._my[sel]
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
        dense = np.bincount(cell * n_codes + data._codes[sel], minlength=n_cells * n_codes)
        dense = dense.reshape(n_cells, n_codes)
        occupied = np.flatnonzero(dense.sum(axis=1))
        counts = dense[occupied]
    else:  # scattered outliers: sort instead of a huge dense grid
        occupied, inv = np.unique(cell, return_inverse=True)
        counts = np.bincount(inv * n_codes + data._codes[sel],
                             minlength=len(occupied) * n_codes).reshape(-1, n_codes)
    hq = (occupied // width + q0).astype(float)
    hr = (occupied % width + r0).astype(float)
    uniq = occupied
    hx = size * (math.sqrt(3) * hq + math.sqrt(3) / 2 * hr)
    hy = size * 1.5 * hr
    ang = np.radians(np.arange(6) * 60 - 30)
    px = hx[:, None] + size * np.cos(ang)[None, :]
    py = hy[:, None] + size * np.sin(ang)[None, :]
    lon, lat = _merc_inv(px, py)
    rings = np.concatenate([np.stack([lon, lat], axis=2), np.stack([lon[:, :1], lat[:, :1]],
                                                                    axis=2)], axis=1)
    geoms = shapely.polygons(rings)
    if gcj02:
        geoms = _gcj(geoms)
    props = []
    for row in counts:
        n = int(row.sum())
        checked = n - int(row[4])
        ready = int(row[0] + row[1])
        share = ready / checked if checked else None
        colour = READINESS_COLORS["unchecked"] if share is None else next(
            c for lo, c in SHARE_COLORS if share >= lo)
        props.append({"c": colour, "label": t("map.summary_tip", lang, n=n, ready=ready,
                                              not_ready=int(row[2]), incomplete=int(row[3]))})
    return _feature_collection(geoms, props, decimals=5), len(uniq)


def parcel_layer(data: MapData, *, lang: str = "zh", view: View | None = None,
                 gcj02: bool = False, selected: str | None = None,
                 max_parcels: int = MAX_PARCELS) -> tuple[Any, ParcelLayerInfo]:
    """The parcels for one render, as a ``folium.FeatureGroup``, and what it holds.

    Parcels whose centroid lies in the (padded) view are drawn when there are
    at most ``OVERVIEW_PARCELS`` of them, or at most ``max_parcels`` at zoom ≥
    ``DETAIL_ZOOM``; otherwise they are summarised by hexagon. Coordinates are
    simplified to half a pixel and rounded accordingly, so the payload stays
    bounded whatever the workspace size.
    """
    import folium

    name = layer_name("parcels", lang)
    fg = folium.FeatureGroup(name=name, overlay=True, control=True, show=True)
    _Helpers(lang).add_to(fg)
    total = data.n_parcels
    if not total:
        return fg, ParcelLayerInfo("empty", 0, 0, 0, 0)
    if view is None:
        west, south, east, north = data.home
        zoom = _fit_zoom(data.home, px=HOME_PX)
        sel = np.ones(total, dtype=bool)
    else:
        west, south, east, north = view.padded(0.2)
        zoom = view.zoom
        sel = ((data._mx >= _merc_x(west)) & (data._mx <= _merc_x(east))
               & (data._my >= _merc_y(south)) & (data._my <= _merc_y(north)))
    in_view = int(sel.sum())
    draw = in_view <= OVERVIEW_PARCELS or (zoom >= DETAIL_ZOOM and in_view <= max_parcels)
    if in_view == 0:
        info = ParcelLayerInfo("empty", 0, total, 0, 0)
    elif draw:
        idx = np.flatnonzero(sel)
        sub = data.parcels.iloc[idx]
        px_deg = 360.0 / (256 * 2**zoom)
        geoms = shapely.simplify(np.asarray(sub.geometry.values), px_deg / 2,
                                 preserve_topology=True)
        if gcj02:
            geoms = _gcj(geoms)
        decimals = int(min(6, max(4, math.ceil(-math.log10(px_deg / 4)))))
        text = _feature_collection(geoms, _props_frame(sub, PARCEL_PROPS), decimals=decimals)
        _VectorLayer(text, name=name, kind="parcels", show=True, style={
            "base": {"color": "#333333", "weight": 0.8, "fillOpacity": 0.65, "opacity": 0.9},
            "by": "readiness", "colors": READINESS_COLORS, "paint": ["fillColor"],
            "other": READINESS_COLORS["unchecked"]},
            tip=_tip_spec("parcels", PARCEL_TIP, lang)).add_to(fg)
        info = ParcelLayerInfo("parcels", len(idx), total, in_view, len(text))
    else:
        text, n_hex = _hex_summary(data, sel, zoom, lang, gcj02)
        _VectorLayer(text, name=t("map.layers.parcels_summary", lang), kind="parcels_summary",
                     style={"base": {"color": "#ffffff", "weight": 1, "fillOpacity": 0.7},
                            "color_prop": "c"},
                     tip={"f": [["label", None, None]], "v": {}}).add_to(fg)
        info = ParcelLayerInfo("summary", n_hex, total, in_view, len(text))
    if selected is not None and selected in data._pos:
        row = data.parcels.iloc[[data._pos[selected]]]
        geoms = np.asarray(row.geometry.values)
        text = _feature_collection(_gcj(geoms) if gcj02 else geoms,
                                   _props_frame(row, PARCEL_PROPS))
        _VectorLayer(text, name=t("map.layers.selected", lang), kind="selected", style={
            "base": {"color": "#00e5ff", "weight": 4, "fillOpacity": 0.0, "opacity": 1.0}},
            tip=_tip_spec("parcels", PARCEL_TIP, lang)).add_to(fg)
    return fg, info


def parcel_at(data: MapData, lon: float, lat: float, *, gcj02: bool = False) -> str | None:
    """The id of the parcel containing the clicked point (WGS84, or GCJ-02 when ``gcj02``)."""
    if not data.n_parcels:
        return None
    if gcj02:
        from gis.crs import gcj02_to_wgs84

        lon_a, lat_a = gcj02_to_wgs84(lon, lat)
        lon, lat = float(lon_a), float(lat_a)
    hits = data.parcels.sindex.query(shapely.Point(lon, lat), predicate="intersects")
    if not len(hits):
        return None
    return str(data.parcels["parcel_id"].iloc[int(np.min(hits))])


def focus_on(data: MapData, parcel_id: str, *, gcj02: bool = False
             ) -> tuple[tuple[float, float], int] | None:
    """Centre (lat, lon) and zoom that show one parcel; ``None`` for an unknown id."""
    pos = data._pos.get(str(parcel_id))
    if pos is None:
        return None
    geom = data.parcels.geometry.iloc[pos]
    c = geom.centroid
    lon, lat = c.x, c.y
    if gcj02:
        from gis.crs import wgs84_to_gcj02

        glon, glat = wgs84_to_gcj02(lon, lat)
        lon, lat = float(glon), float(glat)
    w, s, e, n = geom.bounds
    zoom = min(17, max(DETAIL_ZOOM, _fit_zoom((w, s, e, n), px=(300, 200))))
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
        from gis.crs import gcj02_to_wgs84

        def _apply(c: np.ndarray) -> np.ndarray:
            lon, lat = gcj02_to_wgs84(c[:, 0], c[:, 1])
            return np.column_stack([lon, lat])

        geom = shapely.transform(geom, _apply)
    return shapely.make_valid(geom) if not geom.is_valid else geom


# --------------------------------------------------------------------------- the map
def layer_control() -> Any:
    """The layer control (expanded), last element of a map."""
    import folium

    return folium.LayerControl(position="topright", collapsed=False)


def _basemap_tiles(m: Any, basemap: str, tianditu_key: str | None, lang: str) -> None:
    import folium

    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", name=t("basemap.osm", lang), overlay=False,
                         control=True).add_to(m)
    elif basemap == "tianditu" and tianditu_key:
        for layer, label in (("vec", "basemap.tianditu"), ("cva", None)):
            url = (f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
                   f"&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
                   f"&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={tianditu_key}")
            folium.TileLayer(url, attr="© 天地图 Tianditu", subdomains="01234567",
                             name=t(label, lang) if label else "注记 labels",
                             overlay=label is None, control=label is not None).add_to(m)
    elif basemap == "gaode":
        folium.TileLayer(
            "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
            "&x={x}&y={y}&z={z}", attr="© 高德 AutoNavi", subdomains="1234",
            name=t("basemap.gaode", lang), overlay=False, control=True).add_to(m)


def build_map(
    data: MapData,
    *,
    lang: str = "zh",
    basemap: str = "hillshade",
    tianditu_key: str | None = None,
    gcj02: bool | None = None,
    view: View | None = None,
    selected: str | None = None,
    dynamic: bool = False,
) -> Any:
    """A ``folium.Map`` of the workspace: every layer, legend, layer control and tools.

    Parameters
    ----------
    data
        From :func:`prepare_map_data`.
    lang
        ``"zh"`` or ``"en"``: layer names, tooltips, legend and draw-tool labels.
    basemap
        ``"hillshade"`` (local DEM hillshade, default, offline), ``"none"``, or the
        online ``"osm"``, ``"tianditu"`` (needs ``tianditu_key``), ``"gaode"``.
    gcj02
        Shift every overlay to GCJ-02 (default: only for the Gaode basemap).
    view
        The current view; decides which parcels are drawn (see :func:`parcel_layer`).
    dynamic
        Leave parcels and layer control out: the caller passes ``parcel_layer(...)``
        and :func:`layer_control` to ``st_folium`` so panning never reloads the map.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> parcels = gpd.GeoDataFrame({"parcel_id": ["P1"]},
    ...     geometry=[shapely.box(500000, 4000000, 500100, 4000100)], crs="EPSG:4547")
    >>> m = build_map(prepare_map_data({"parcels": parcels}), lang="en")
    >>> "P1" in m.get_root().render()
    True
    """
    import folium
    import folium.plugins as plugins

    from ui.assets import use_local_assets

    use_local_assets()
    gcj = (basemap == "gaode") if gcj02 is None else gcj02
    west, south, east, north = data.home
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2],
                   zoom_start=_fit_zoom(data.home, px=HOME_PX), tiles=None, control_scale=True,
                   max_zoom=19, prefer_canvas=False)
    _Helpers(lang).add_to(m)
    _basemap_tiles(m, basemap, tianditu_key, lang)

    if "hillshade" in data.images:
        img = data.images["hillshade"]
        _image_overlay(img, t("map.layers.hillshade", lang), gcj,
                       show=basemap in ("hillshade", "none")).add_to(m)
    if "coverage_5g" in data.images:
        _image_overlay(data.images["coverage_5g"], t("map.layers.coverage_5g", lang), gcj,
                       show=False).add_to(m)

    order = [k for k in LAYER_ORDER if k in data.layers] + \
        [k for k in data.layers if k not in LAYER_ORDER]
    for kind in order:
        fields = DISPLAY.get(kind, (("name",), (("name", None),)))[1]
        _VectorLayer(data.geojson(kind, gcj02=gcj), name=layer_name(kind, lang), kind=kind,
                     style=_style_spec(kind), tip=_tip_spec(kind, fields, lang),
                     show=kind not in HIDDEN_AT_START).add_to(m)

    _Legend(_legend_html(data, lang)).add_to(m)
    plugins.Draw(
        export=False, position="topleft", show_geometry_on_click=False,
        draw_options={"polyline": False, "circle": False, "marker": False,
                      "circlemarker": False,
                      "polygon": {"allowIntersection": False, "showArea": True},
                      "rectangle": {"showArea": True}},
        edit_options={"edit": False},
    ).add_to(m)
    plugins.MeasureControl(position="topleft", primary_length_unit="meters",
                           secondary_length_unit="kilometers", primary_area_unit="hectares",
                           secondary_area_unit="sqmeters",
                           localization="cn" if lang == "zh" else "en").add_to(m)
    plugins.Fullscreen(position="topleft",
                       title="全屏" if lang == "zh" else "Full screen",
                       title_cancel="退出全屏" if lang == "zh" else "Exit full screen").add_to(m)
    plugins.MousePosition(position="bottomleft", separator=" , ", num_digits=6, empty_string="",
                          prefix="WGS84" if not gcj else "GCJ-02").add_to(m)
    if not dynamic:
        parcel_layer(data, lang=lang, view=view, gcj02=gcj, selected=selected)[0].add_to(m)
        layer_control().add_to(m)
    return m


def _image_overlay(img: ImageLayer, name: str, gcj02: bool, *, show: bool) -> Any:
    s, w, n, e = img.bounds
    if gcj02:  # the GCJ-02 offset varies by metres across a city: shift the whole image
        from gis.crs import wgs84_to_gcj02

        glon, glat = wgs84_to_gcj02((w + e) / 2, (s + n) / 2)
        dlon, dlat = float(glon) - (w + e) / 2, float(glat) - (s + n) / 2
        s, w, n, e = s + dlat, w + dlon, n + dlat, e + dlon
    return _ImageOverlay(
        image=img.url, bounds=[[s, w], [n, e]], opacity=img.opacity, name=name,
        overlay=True, control=True, show=show, interactive=False, zindex=1)
