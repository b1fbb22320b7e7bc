"""NDVI recovery per site: zonal means over sites and reference rings, two-endmember cover."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from pyproj import CRS

from gis.errors import InputError
from gis.raster import Raster, RasterSource
from layers.settings import RestorationSettings

__all__ = [
    "NDVI_COLUMNS",
    "endmembers",
    "reference_rings",
    "vegetation_cover",
    "zonal_ndvi",
]

_DEFAULTS = RestorationSettings()
NDVI_COLUMNS = ("ndvi", "cells", "veg_cover", "ref_ndvi", "ref_cells", "ref_veg_cover", "note",
                "note_en")


def endmembers(values: np.ndarray, *, low: float = _DEFAULTS.endmember_low,
               high: float = _DEFAULTS.endmember_high, label: str = "NDVI"
               ) -> tuple[float, float]:
    """Soil and vegetation NDVI: the ``low`` / ``high`` percentiles of the scene's valid cells.

    Raises :class:`InputError` when the values are not NDVI (outside −1…1), which
    usually means an undeclared nodata value or a scaled product.
    """
    values = np.asarray(values, dtype="float64")
    values = values[~np.isnan(values)]
    if values.size == 0:
        raise InputError(f"NDVI raster {label} has no valid cells.",
                         hint="Check its nodata value and that it covers the city.",
                         zh=f"NDVI 栅格 {label} 没有有效像元。",
                         hint_zh="请检查其无数据值（nodata）设置，并确认其覆盖全市范围。")
    lo, hi = float(values.min()), float(values.max())
    if lo < -1.0 - 1e-6 or hi > 1.0 + 1e-6:
        raise InputError(
            f"NDVI raster {label} has values from {lo:g} to {hi:g}, but NDVI lies in −1…1.",
            hint="Declare its nodata value (gdal_edit.py -a_nodata) or rescale a scaled "
            "product (e.g. divide by 10000).",
            zh=f"NDVI 栅格 {label} 的取值范围为 {lo:g} 至 {hi:g}，而 NDVI 应在 −1…1 之间。",
            hint_zh="请声明其无数据值（gdal_edit.py -a_nodata），或将缩放过的产品还原"
            "（如除以 10000）。")
    soil, veg = np.percentile(values, [low, high])
    return float(soil), float(veg)


def vegetation_cover(ndvi: np.ndarray | float, soil: float, veg: float) -> np.ndarray:
    """Fractional vegetation cover by the two-endmember model, clipped to [0, 1].

    ``FC = (NDVI − NDVI_soil) / (NDVI_veg − NDVI_soil)``; nan when ``veg <= soil``.

    Examples
    --------
    >>> float(vegetation_cover(0.5, 0.0, 0.8))
    0.625
    """
    arr = np.asarray(ndvi, dtype="float64")
    if not veg > soil:
        return np.full(arr.shape, np.nan)
    return np.clip((arr - soil) / (veg - soil), 0.0, 1.0)


def reference_rings(sites: gpd.GeoSeries, *, inner: float = _DEFAULTS.ring_inner_m,
                    outer: float = _DEFAULTS.ring_outer_m,
                    exclude: gpd.GeoSeries | None = None) -> gpd.GeoSeries:
    """The band ``inner``–``outer`` metres outside each site, minus every site in ``exclude``.

    ``exclude`` defaults to ``sites`` themselves, so a ring never contains any
    mine site (its own or a neighbour's).
    """
    if not 0 <= inner < outer:
        raise InputError(f"Reference ring {inner:g}–{outer:g} m is not a band outside the site.",
                         hint="Use 0 ≤ inner < outer, e.g. ring=(200, 500).",
                         zh=f"参照环带 {inner:g}–{outer:g} 米不是图斑外的一圈环带。",
                         hint_zh="请满足 0 ≤ 内径 < 外径，如 ring=(200, 500)。")
    exclude = sites if exclude is None else exclude
    outer_g = sites.buffer(outer)
    inner_g = sites.buffer(inner) if inner > 0 else sites
    bands = outer_g.difference(inner_g, align=False)
    ex_geoms = exclude.geometry.to_numpy() if hasattr(exclude, "geometry") else exclude.to_numpy()
    tree = shapely.STRtree(ex_geoms)
    out = []
    for band in bands.to_numpy():
        hits = tree.query(band, predicate="intersects")
        if len(hits):
            band = shapely.difference(band, shapely.union_all(ex_geoms[hits]))
        out.append(band)
    return gpd.GeoSeries(out, index=sites.index, crs=sites.crs)


def _same_crs(a: object, b: object) -> bool:
    if a is None or b is None:
        return True
    return CRS.from_user_input(a).equals(CRS.from_user_input(b))


def _mask(geom: object, shape: tuple[int, int], transform: Affine) -> np.ndarray:
    """Cells of a window whose centres lie inside ``geom`` (GDAL's rasterize rule)."""
    from rasterio.features import rasterize

    return rasterize([(geom, 1)], out_shape=shape, transform=transform, fill=0,
                     all_touched=False, dtype="uint8").astype(bool)


def zonal_ndvi(sites: gpd.GeoSeries, rings: gpd.GeoSeries, source: RasterSource, *,
               soil_veg: tuple[float, float] | None = None, tile: float = _DEFAULTS.tile_m,
               label: str = "", mask_cache: dict | None = None) -> pd.DataFrame:
    """Mean NDVI and cover of each site and of its reference ring, for one epoch.

    A cell counts when its centre lies inside the polygon; a site smaller than a
    cell uses the cell under its representative point. Sites and rings may
    overlap (each is masked in its own window). The raster is read once per
    ``tile`` × ``tile`` block of sites (analysis-CRS units), never whole.

    Parameters
    ----------
    sites, rings
        Polygons in the analysis CRS, same index.
    source
        The epoch's raster (in any CRS; the sites are reprojected to it).
    soil_veg
        Endmembers for the cover model; default: the 5 % / 95 % percentiles of the scene
        (:class:`~layers.settings.RestorationSettings`).
    mask_cache
        A dict shared between epochs on the same grid, so each site's cell
        masks are computed once.

    Returns
    -------
    DataFrame indexed like ``sites`` with :data:`NDVI_COLUMNS`: mean NDVI,
    valid cell count and mean cover (0–1) of site and ring, and a note (Chinese
    ``note``, English ``note_en``; empty when there is nothing to say).
    """
    label = label or source.label
    if soil_veg is None:
        soil_veg = endmembers(source.values(max_cells=_DEFAULTS.scene_sample_cells),
                              label=label)
    soil, veg = soil_veg
    if not _same_crs(sites.crs, source.crs):
        sites_r, rings_r = sites.to_crs(source.crs), rings.to_crs(source.crs)
    else:
        sites_r, rings_r = sites, rings
    site_geoms = sites_r.to_numpy()
    ring_geoms = rings_r.to_numpy()
    shapely.prepare(site_geoms)
    shapely.prepare(ring_geoms)
    ring_bounds = shapely.bounds(ring_geoms)
    site_bounds = shapely.bounds(site_geoms)
    win_bounds = np.where(np.isnan(ring_bounds), site_bounds, ring_bounds)
    win_bounds[:, :2] = np.fmin(win_bounds[:, :2], site_bounds[:, :2])
    win_bounds[:, 2:] = np.fmax(win_bounds[:, 2:], site_bounds[:, 2:])

    cent = shapely.centroid(sites.to_numpy())
    keys = np.floor(np.column_stack([shapely.get_x(cent), shapely.get_y(cent)]) / tile)
    n = len(sites)
    out = {c: np.full(n, np.nan) for c in NDVI_COLUMNS[:-2]}
    notes = np.full(n, None, dtype=object)  # (zh, en) per site
    order = np.lexsort((keys[:, 1], keys[:, 0]))
    groups = np.split(order, np.flatnonzero(np.any(np.diff(keys[order], axis=0) != 0,
                                                   axis=1)) + 1) if n else []
    cache = {} if mask_cache is None else mask_cache.setdefault(str(source.crs), {})
    import rasterio

    with rasterio.Env():  # one GDAL environment for all the rasterize calls
        for group in groups:
            gb = win_bounds[group]
            block = source.read((float(gb[:, 0].min()), float(gb[:, 1].min()),
                                 float(gb[:, 2].max()), float(gb[:, 3].max())))
            for pos in group:
                _one_site(pos, block, site_geoms[pos], ring_geoms[pos], win_bounds[pos],
                          soil, veg, out, notes, label, cache)
    frame = pd.DataFrame(out, index=sites.index)
    frame["note"] = pd.array([n[0] if n else "" for n in notes], dtype="string")
    frame["note_en"] = pd.array([n[1] if n else "" for n in notes], dtype="string")
    return frame


def _one_site(pos: int, block: Raster, site: object, ring: object, bounds: np.ndarray,
              soil: float, veg: float, out: dict[str, np.ndarray], notes: np.ndarray,
              label: str, cache: dict) -> None:
    window = block.window(tuple(bounds))
    win, win_tr = window.array, window.transform
    if win.size == 0:
        notes[pos] = (f"位于 NDVI {label} 范围之外", f"outside NDVI {label}")
        return
    key = (pos, tuple(win_tr)[:6], win.shape)
    if key not in cache:
        cache[key] = (_mask(site, win.shape, win_tr),
                      None if ring is None or shapely.is_empty(ring)
                      else _mask(ring, win.shape, win_tr))
    inside, ring_in = cache[key]
    inside = inside.copy()
    if not inside.any():  # smaller than a cell: the cell under the site
        p = shapely.point_on_surface(site)
        c = int(np.floor((shapely.get_x(p) - win_tr.c) / win_tr.a))
        r = int(np.floor((shapely.get_y(p) - win_tr.f) / win_tr.e))
        if 0 <= r < win.shape[0] and 0 <= c < win.shape[1]:
            inside[r, c] = True
    vals = win[inside]
    vals = vals[~np.isnan(vals)]
    if vals.size:
        out["ndvi"][pos] = vals.mean()
        out["veg_cover"][pos] = vegetation_cover(vals, soil, veg).mean()
    else:
        notes[pos] = (f"图斑内没有 NDVI {label} 的有效像元", f"no valid NDVI {label} cells")
    out["cells"][pos] = vals.size
    if ring_in is None:
        out["ref_cells"][pos] = 0
        return
    rv = win[ring_in]
    rv = rv[~np.isnan(rv)]
    out["ref_cells"][pos] = rv.size
    if rv.size:
        out["ref_ndvi"][pos] = rv.mean()
        out["ref_veg_cover"][pos] = vegetation_cover(rv, soil, veg).mean()
