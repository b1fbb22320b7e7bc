"""The reading step of the reports: layers and raster windows from a workspace, nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.errors import PlannerError
from gis.raster import Raster, RasterSource, hillshade
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


def _window(path: Path, extent: Bounds, crs: str, max_px: int) -> Raster:
    """Band 1 of ``path`` over ``extent`` (in ``crs``), at most ``max_px`` cells a side."""
    return RasterSource.from_file(path).read_resampled(extent, crs=crs, max_px=max_px)


def hillshade_backdrop(ws: Workspace, extent: Bounds, *, max_px: int = 500) -> MapRaster | None:
    """A grey hillshade of the workspace DEM over ``extent``, or ``None`` without a DEM."""
    path = ws.raster_path("dem")
    if path is None or not path.exists():
        return None
    try:
        dem = _window(path, extent, ws.analysis_crs, max_px)
    except (OSError, ValueError, PlannerError):
        return None
    if dem.array.size == 0 or np.isnan(dem.array).all() or max(dem.shape) < MIN_SHADE_CELLS:
        return None  # a DEM coarser than the map would only draw blocks
    x0, y0, x1, y1 = dem.bounds
    return MapRaster(hillshade(dem), (x0, x1, y0, y1), kind="hillshade", alpha=0.45)


def mask_overlay(ws: Workspace, name: str, extent: Bounds, *, min_value: float, label: str,
                 color: str = "#984ea3", max_px: int = 400) -> MapRaster | None:
    """Cells of raster ``name`` with value ≥ ``min_value`` as a one-colour overlay, or ``None``."""
    path = ws.raster_path(name)
    if path is None or not path.exists():
        return None
    try:
        r = _window(path, extent, ws.analysis_crs, max_px)
    except (OSError, ValueError, PlannerError):
        return None
    if r.array.size == 0:
        return None
    x0, y0, x1, y1 = r.bounds
    with np.errstate(invalid="ignore"):
        mask = r.array >= min_value
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
