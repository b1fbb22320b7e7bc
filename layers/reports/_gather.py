"""The reading step of the reports: layers and raster windows from a workspace, nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.errors import PlannerError
from layers.reports.staticmap import MapRaster

if TYPE_CHECKING:
    from layers.workspace import Workspace

__all__ = ["counties", "hillshade_backdrop", "mask_overlay", "read_kind", "source_rows"]

Bounds = tuple[float, float, float, float]
MIN_SHADE_CELLS = 40  # fewer DEM cells across the map than this: no hillshade
COUNTIES_FILE = Path(__file__).resolve().parents[1] / "data" / "changzhi_counties.geojson"


def read_kind(ws: Workspace, kind: str, notes: list[str]) -> pd.DataFrame | None:
    """``ws.read(kind)``, or ``None`` when absent or unreadable (the reason goes to ``notes``)."""
    if not ws.has(kind):
        return None
    try:
        return ws.read(kind)
    except PlannerError as exc:
        notes.append(f"{kind}: {exc}")
        return None


def _window(path: Path, extent: Bounds, crs: str, max_px: int) -> tuple[np.ndarray, Bounds,
                                                                           tuple[float, float]]:
    """Band 1 of ``path`` over ``extent`` (in ``crs``), at most ``max_px`` cells a side.

    Returns the array (nan for nodata) in ``crs``, its extent and its cell size.
    """
    import rasterio
    from affine import Affine
    from rasterio.enums import Resampling
    from rasterio.warp import reproject, transform_bounds
    from rasterio.windows import Window, from_bounds

    minx, miny, maxx, maxy = extent
    with rasterio.open(path) as src:
        src_crs = src.crs
        same = src_crs is None or src_crs == rasterio.crs.CRS.from_user_input(crs)
        b = extent if same else transform_bounds(crs, src_crs, *extent, densify_pts=11)
        win = from_bounds(*b, transform=src.transform)
        col0, row0 = max(int(np.floor(win.col_off)), 0), max(int(np.floor(win.row_off)), 0)
        col1 = min(int(np.ceil(win.col_off + win.width)), src.width)
        row1 = min(int(np.ceil(win.row_off + win.height)), src.height)
        if col1 <= col0 or row1 <= row0:
            return np.full((0, 0), np.nan), extent, (1.0, 1.0)
        window = Window(col0, row0, col1 - col0, row1 - row0)
        step = max(1.0, max(window.width, window.height) / max_px)
        shape = (max(int(window.height / step), 1), max(int(window.width / step), 1))
        data = src.read(1, window=window, out_shape=shape, masked=True,
                        resampling=Resampling.bilinear if step > 1 else Resampling.nearest)
        arr = np.asarray(data.astype("float64").filled(np.nan))
        # the window's transform (rasterio's window_transform uses affine's deprecated `*`)
        wt = (src.transform @ Affine.translation(col0, row0)
              @ Affine.scale(window.width / shape[1], window.height / shape[0]))
        if same:
            x0, y0 = wt @ (0, 0)
            x1, y1 = wt @ (shape[1], shape[0])
            return arr, (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), (
                abs(wt.a), abs(wt.e))
        cell = max(maxx - minx, maxy - miny) / max_px
        w = max(int(np.ceil((maxx - minx) / cell)), 1)
        h = max(int(np.ceil((maxy - miny) / cell)), 1)
        dst_t = Affine(cell, 0, minx, 0, -cell, maxy)
        dst = np.full((h, w), np.nan)
        reproject(arr, dst, src_transform=wt, src_crs=src_crs, dst_transform=dst_t,
                  dst_crs=crs, src_nodata=np.nan, dst_nodata=np.nan,
                  resampling=Resampling.bilinear)
        return dst, (minx, maxy - h * cell, minx + w * cell, maxy), (cell, cell)


def hillshade_backdrop(ws: Workspace, extent: Bounds, *, max_px: int = 500) -> MapRaster | None:
    """A grey hillshade of the workspace DEM over ``extent``, or ``None`` without a DEM."""
    from affine import Affine

    from gis.raster import Raster, hillshade

    path = ws.raster_path("dem")
    if path is None or not path.exists():
        return None
    try:
        arr, (x0, y0, x1, y1), (cx, cy) = _window(path, extent, ws.analysis_crs, max_px)
    except (OSError, ValueError, PlannerError):
        return None
    if arr.size == 0 or np.isnan(arr).all() or max(arr.shape) < MIN_SHADE_CELLS:
        return None  # a DEM coarser than the map would only draw blocks
    shade = hillshade(Raster(arr, Affine(cx, 0, x0, 0, -cy, y1), ws.analysis_crs))
    return MapRaster(shade, (x0, x1, y0, y1), kind="hillshade", alpha=0.45)


def mask_overlay(ws: Workspace, name: str, extent: Bounds, *, min_value: float, label: str,
                 color: str = "#984ea3", max_px: int = 400) -> MapRaster | None:
    """Cells of raster ``name`` with value ≥ ``min_value`` as a one-colour overlay, or ``None``."""
    path = ws.raster_path(name)
    if path is None or not path.exists():
        return None
    try:
        arr, (x0, y0, x1, y1), _ = _window(path, extent, ws.analysis_crs, max_px)
    except (OSError, ValueError, PlannerError):
        return None
    if arr.size == 0:
        return None
    with np.errstate(invalid="ignore"):
        mask = arr >= min_value
    return MapRaster(mask, (x0, x1, y0, y1), kind="mask", color=color, alpha=0.13, label=label,
                     zorder=1)


def counties(ws: Workspace, crs: str) -> gpd.GeoDataFrame | None:
    """County outlines: the workspace's ``counties`` layer, else the bundled Changzhi file."""
    from layers.catalog import CATALOG

    if "counties" in CATALOG and ws.has("counties"):
        data = read_kind(ws, "counties", [])
        if isinstance(data, gpd.GeoDataFrame):
            return data.to_crs(crs)
    if not COUNTIES_FILE.exists():
        return None
    from gis import io as gio

    try:
        gdf = gio.read_vector(COUNTIES_FILE, expect="polygon").gdf
    except PlannerError:
        return None
    return gdf.to_crs(crs)


def source_rows(ws: Workspace, counts: dict[str, int], lang: str) -> list[dict[str, object]]:
    """The workspace's files, each with the layers, tables and rasters it holds (and counts)."""
    from layers.reports.i18n import layer_label

    files: dict[str, list[str]] = {}
    for kind, ref in [*ws.layers.items(), *ws.tables.items()]:
        path, _, _layer = ref.partition(":")
        n = counts.get(kind)
        files.setdefault(path, []).append(layer_label(kind, lang) + (f" {n}" if n is not None
                                                                      else ""))
    for name, ref in ws.rasters.items():
        files.setdefault(ref, []).append(layer_label(name, lang))
    for epoch, ref in ws.ndvi.items():
        files.setdefault(ref, []).append(f"NDVI {epoch}")
    if ws.rules:
        files.setdefault(ws.rules, []).append("rules" if lang == "en" else "规则")
    sep = "、" if lang == "zh" else ", "
    return [{"file": f, "label": sep.join(items)} for f, items in files.items()]
