"""Vectorised distance, overlap and cell-membership measurements of many geometries at once."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import shapely
from affine import Affine

from gis.errors import InputError
from gis.nearest import NearestIndex, prebuild, to_segments
from gis.zorder import zorder

__all__ = [
    "AreaIndex",
    "CellRuns",
    "NearestIndex",
    "area_ha",
    "cell_runs",
    "to_segments",
    "zonal_share_at_least",
    "zonal_stat",
    "zorder",
]

M2_PER_HA = 10_000.0
_POLYS = (shapely.GeometryType.POLYGON,)


def _as_array(geoms: object) -> np.ndarray:
    arr = np.asarray(getattr(geoms, "values", geoms), dtype=object)
    return arr.ravel()


def area_ha(geoms: object) -> np.ndarray | float:
    """Area in hectares (m² / 10 000) of one geometry or of an array / GeoSeries of them.

    The geometries must be in a metric CRS; a GeoSeries or GeoDataFrame in a
    geographic one is refused. Missing geometries give NaN, empty ones 0.

    >>> float(area_ha(shapely.box(0, 0, 200, 50)))
    1.0
    """
    crs = getattr(geoms, "crs", None)
    if crs is not None and crs.is_geographic:
        raise InputError(f"Areas need a metric CRS, not {crs.name}.",
                         hint="Reproject to the workspace's analysis CRS first.",
                         zh=f"面积须在米制坐标系中计算，而不是 {crs.name}。",
                         hint_zh="请先投影到工作区的分析坐标系。")
    if geoms is None or isinstance(geoms, shapely.Geometry):
        return float(shapely.area(geoms)) / M2_PER_HA
    return shapely.area(_as_array(getattr(geoms, "geometry", geoms))) / M2_PER_HA


class AreaIndex:
    """Area of many geometries covered by a fixed set of polygons (dissolved first).

    The polygons are unioned so overlapping features count once, exploded into
    their (disjoint) parts and indexed. ``covered_area`` sums ``area(g ∩ part)``
    over parts, using prepared ``contains_properly`` / ``intersects`` tests to skip
    the intersection for geometries wholly inside or outside a part (GEOS clips a
    large part to the geometry's envelope, so big parts need no tiling, which would
    add rounding at shared edges). Prepared geometries are kept per thread
    (preparing is not thread-safe).

    Examples
    --------
    >>> import shapely
    >>> idx = AreaIndex([shapely.box(0, 0, 10, 10), shapely.box(5, 0, 15, 10)])
    >>> idx.fraction([shapely.box(10, 0, 20, 10), shapely.box(20, 0, 30, 10)]).tolist()
    [0.5, 0.0]
    """

    def __init__(self, polygons: object, *, dissolve: bool = True) -> None:
        arr = _as_array(polygons)
        arr = arr[~(shapely.is_missing(arr) | shapely.is_empty(arr))]
        parts = shapely.get_parts(arr)
        parts = parts[np.isin(shapely.get_type_id(parts), _POLYS)]
        self.source_index = None
        if dissolve and len(parts) > 1:
            parts = shapely.get_parts(shapely.union_all(parts))
            parts = parts[np.isin(shapely.get_type_id(parts), _POLYS)]
        elif not dissolve:
            # keep the link from each piece back to its source polygon
            parts, self.source_index = shapely.get_parts(arr, return_index=True)
            keep = np.isin(shapely.get_type_id(parts), _POLYS)
            parts, self.source_index = parts[keep], self.source_index[keep]
        self.parts = parts
        self.tree = shapely.STRtree(parts)
        prebuild(self.tree)
        self._wkb = shapely.to_wkb(parts)
        self._local = threading.local()

    def __len__(self) -> int:
        return len(self.parts)

    def _prepared(self) -> np.ndarray:
        parts = getattr(self._local, "parts", None)
        if parts is None:
            parts = shapely.from_wkb(self._wkb)
            shapely.prepare(parts)
            self._local.parts = parts
        return parts

    def pair_areas(self, geoms: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(i, j, area)``: intersection area of geometry ``i`` with piece ``j`` (> 0 only)."""
        arr = _as_array(geoms)
        if not len(self.parts) or not len(arr):
            e = np.zeros(0, dtype=np.intp)
            return e, e, np.zeros(0)
        gi, pj = self.tree.query(arr)
        if not len(gi):
            return gi, pj, np.zeros(0)
        parts = self._prepared()
        inside = shapely.contains_properly(parts[pj], arr[gi])
        area = np.zeros(len(gi))
        area[inside] = shapely.area(arr[gi[inside]])
        cand = np.flatnonzero(~inside)
        if len(cand):
            hit = shapely.intersects(parts[pj[cand]], arr[gi[cand]])
            cand = cand[hit]
            area[cand] = shapely.area(shapely.intersection(arr[gi[cand]], self.parts[pj[cand]]))
        keep = area > 0
        return gi[keep], pj[keep], area[keep]

    def covered_area(self, geoms: object) -> np.ndarray:
        """Area of each geometry inside the union of the polygons."""
        arr = _as_array(geoms)
        gi, _, area = self.pair_areas(arr)
        return np.bincount(gi, weights=area, minlength=len(arr))[: len(arr)]

    def fraction(self, geoms: object, *, areas: np.ndarray | None = None) -> np.ndarray:
        """Share of each geometry's area inside the polygons, in [0, 1] (``nan`` if no area).

        ``areas``: the geometries' own areas, when the caller has them.
        """
        arr = _as_array(geoms)
        total = shapely.area(arr) if areas is None else areas
        covered = self.covered_area(arr)
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.where(total > 0, np.minimum(covered / total, 1.0), np.nan)
        return frac

    def largest(self, geoms: object) -> tuple[np.ndarray, np.ndarray]:
        """For an index built with ``dissolve=False``: the source polygon holding the largest
        area of each geometry (``-1`` if none) and that area. Ties go to the first polygon.
        """
        if self.source_index is None:
            raise ValueError("largest() needs an AreaIndex built with dissolve=False")
        arr = _as_array(geoms)
        gi, pj, area = self.pair_areas(arr)
        src = self.source_index[pj]
        best = np.full(len(arr), -1, dtype=np.intp)
        best_area = np.zeros(len(arr))
        if not len(gi):
            return best, best_area
        # area per (geometry, source polygon), then the largest per geometry
        key = gi.astype(np.int64) * (int(src.max()) + 1) + src
        ukey, inv = np.unique(key, return_inverse=True)
        tot = np.bincount(inv, weights=area)
        ug = ukey // (int(src.max()) + 1)
        us = ukey % (int(src.max()) + 1)
        order = np.lexsort((us, -tot, ug))
        first = np.ones(len(order), dtype=bool)
        first[1:] = ug[order][1:] != ug[order][:-1]
        pick = order[first]
        best[ug[pick]] = us[pick]
        best_area[ug[pick]] = tot[pick]
        return best, best_area


# --------------------------------------------------------------------------- raster cells

@dataclass(frozen=True)
class CellRuns:
    """Raster cells of each geometry as row runs: cells ``[col0, col1)`` of ``row`` belong
    to geometry ``geom``. ``centroid_only`` flags geometries with no cell centre inside,
    represented by the cell under their centroid. Runs are sorted by ``geom``.
    """

    geom: np.ndarray
    row: np.ndarray
    col0: np.ndarray
    col1: np.ndarray
    n: int
    shape: tuple[int, int]
    centroid_only: np.ndarray

    @property
    def cell_count(self) -> np.ndarray:
        """Number of cells per geometry."""
        return np.bincount(self.geom, weights=self.col1 - self.col0,
                           minlength=self.n).astype(np.int64)


def cell_runs(geoms: object, transform: Affine, shape: tuple[int, int]) -> CellRuns:
    """The raster cells whose centres lie inside each polygon, by a vectorised scan-line fill.

    A centre on an edge belongs to the cells right of / below it (half-open rule, as
    GDAL's rasteriser). Overlapping polygons each get their own cells. A polygon with
    no centre inside gets the cell under its centroid (when that lies on the raster).

    Parameters
    ----------
    geoms : array-like of (multi)polygons
    transform : affine.Affine
        North-up raster transform (no rotation).
    shape : (rows, cols)
    """
    if transform.b != 0 or transform.d != 0:
        raise InputError("Rotated rasters are not supported.",
                         hint="Warp the raster to a north-up grid (gdalwarp) first.",
                         zh="不支持旋转的栅格。",
                         hint_zh="请先用 gdalwarp 将栅格重采样为北向朝上的格网。")
    arr = _as_array(geoms)
    n = len(arr)
    h, w = int(shape[0]), int(shape[1])
    ok = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    polys, pidx = shapely.get_parts(arr[ok], return_index=True)
    pidx = np.flatnonzero(ok)[pidx]
    keep = np.isin(shapely.get_type_id(polys), _POLYS)
    polys, pidx = polys[keep], pidx[keep]
    rings, ridx = shapely.get_rings(polys, return_index=True)
    xy, cidx = shapely.get_coordinates(rings, return_index=True)
    a, c, e, f = transform.a, transform.c, transform.e, transform.f
    px = (xy[:, 0] - c) / a
    py = (xy[:, 1] - f) / e
    same = cidx[1:] == cidx[:-1]
    x0, y0 = px[:-1][same], py[:-1][same]
    x1, y1 = px[1:][same], py[1:][same]
    g = pidx[ridx[cidx[:-1][same]]]
    nonflat = y0 != y1
    x0, y0, x1, y1, g = x0[nonflat], y0[nonflat], x1[nonflat], y1[nonflat], g[nonflat]
    lo, hi = np.minimum(y0, y1), np.maximum(y0, y1)
    # rows whose centre (r + 0.5) satisfies lo <= r + 0.5 < hi
    r0 = np.clip(np.ceil(lo - 0.5), 0, h).astype(np.int64)
    r1 = np.clip(np.ceil(hi - 0.5), 0, h).astype(np.int64)
    cnt = np.maximum(r1 - r0, 0)
    total = int(cnt.sum())
    eidx = np.repeat(np.arange(len(cnt)), cnt)
    start = np.cumsum(cnt) - cnt
    rows = r0[eidx] + (np.arange(total) - start[eidx])
    yc = rows + 0.5
    xc = x0[eidx] + (yc - y0[eidx]) * ((x1 - x0) / (y1 - y0))[eidx]
    gg = g[eidx]
    order = np.lexsort((xc, rows, gg))
    gg, rows, xc = gg[order], rows[order], xc[order]
    # pair crossings 0-1, 2-3, … within each (geometry, row) group (even-odd fill)
    key = gg * (h + 1) + rows
    newgrp = np.ones(total, dtype=bool)
    newgrp[1:] = key[1:] != key[:-1]
    grp_start = np.maximum.accumulate(np.where(newgrp, np.arange(total), 0))
    rank = np.arange(total) - grp_start
    left = np.flatnonzero(rank % 2 == 0)
    left = left[left + 1 < total]
    left = left[key[left + 1] == key[left]]
    cs0 = np.clip(np.ceil(xc[left] - 0.5), 0, w).astype(np.int64)
    cs1 = np.clip(np.ceil(xc[left + 1] - 0.5), 0, w).astype(np.int64)
    nonempty = cs1 > cs0
    run_g, run_r = gg[left][nonempty], rows[left][nonempty]
    run_c0, run_c1 = cs0[nonempty], cs1[nonempty]
    has = np.zeros(n, dtype=bool)
    has[run_g] = True
    lonely = np.flatnonzero(ok & ~has)
    centroid_only = np.zeros(n, dtype=bool)
    if len(lonely):
        cxy = shapely.get_coordinates(shapely.centroid(arr[lonely]))
        col = np.floor((cxy[:, 0] - c) / a)
        row = np.floor((cxy[:, 1] - f) / e)
        on = (col >= 0) & (col < w) & (row >= 0) & (row < h)
        lonely, col, row = lonely[on], col[on].astype(np.int64), row[on].astype(np.int64)
        centroid_only[lonely] = True
        run_g = np.concatenate([run_g, lonely])
        run_r = np.concatenate([run_r, row])
        run_c0 = np.concatenate([run_c0, col])
        run_c1 = np.concatenate([run_c1, col + 1])
        srt = np.argsort(run_g, kind="stable")
        run_g, run_r, run_c0, run_c1 = run_g[srt], run_r[srt], run_c0[srt], run_c1[srt]
    return CellRuns(run_g, run_r, run_c0, run_c1, n, (h, w), centroid_only)


def _row_cumsum(values: np.ndarray) -> np.ndarray:
    out = np.zeros((values.shape[0], values.shape[1] + 1),
                   dtype=np.float64 if values.dtype.kind == "f" else np.int64)
    np.cumsum(values, axis=1, out=out[:, 1:])
    return out


def _run_sum(cs: np.ndarray, runs: CellRuns) -> np.ndarray:
    per_run = cs[runs.row, runs.col1] - cs[runs.row, runs.col0]
    return np.bincount(runs.geom, weights=per_run, minlength=runs.n)[: runs.n]


def _expand(runs: CellRuns) -> tuple[np.ndarray, np.ndarray]:
    """Geometry index and flat cell index of every cell (grouped by geometry)."""
    length = runs.col1 - runs.col0
    total = int(length.sum())
    ridx = np.repeat(np.arange(len(length)), length)
    start = np.cumsum(length) - length
    col = runs.col0[ridx] + (np.arange(total) - start[ridx])
    return runs.geom[ridx], runs.row[ridx] * runs.shape[1] + col


def zonal_stat(runs: CellRuns, array: np.ndarray, stat: str) -> tuple[np.ndarray, np.ndarray]:
    """A statistic of ``array`` (nan = nodata) over each geometry's cells.

    ``stat`` is ``mean``, ``sum``, ``count``, ``std`` (population), ``min``, ``max``,
    ``median`` or ``pNN`` (percentile, linear interpolation as ``numpy.percentile``).
    Returns ``(value, valid_cell_count)``; the value is ``nan`` where no valid cell.
    """
    if array.shape != runs.shape:
        raise ValueError(f"array shape {array.shape} does not match runs {runs.shape}")
    valid = ~np.isnan(array)
    count = _run_sum(_row_cumsum(valid.astype(np.int64)), runs).astype(np.int64)
    has = count > 0
    out = np.full(runs.n, np.nan)
    if stat == "count":
        return count.astype(np.float64), count
    if stat in ("mean", "sum", "std"):
        # cell by cell, in row-major order within each geometry: a float sum that does not
        # depend on where the window starts (differences of row cumsums would, in the last
        # bits), so any chunking of the parcels gives the same values
        g, cell = _expand(runs)
        v = array.ravel()[cell]
        s = np.bincount(g, weights=np.where(np.isnan(v), 0.0, v), minlength=runs.n)[: runs.n]
        if stat == "sum":
            out[has] = s[has]
        elif stat == "mean":
            out[has] = s[has] / count[has]
        else:
            # two-pass: squared deviations from each geometry's mean, cell by cell
            mean = np.zeros(runs.n)
            mean[has] = s[has] / count[has]
            dev = np.where(np.isnan(v), 0.0, (v - mean[g]) ** 2)
            ss = np.bincount(g, weights=dev, minlength=runs.n)[: runs.n]
            out[has] = np.sqrt(ss[has] / count[has])
        return out, count
    g, cell = _expand(runs)
    v = array.ravel()[cell]
    if stat in ("min", "max"):
        fill = np.inf if stat == "min" else -np.inf
        acc = np.full(runs.n, fill)
        (np.minimum if stat == "min" else np.maximum).at(acc, g, np.where(np.isnan(v), fill, v))
        out[has] = acc[has]
        return out, count
    q = 50.0 if stat == "median" else float(stat[1:])
    order = np.lexsort((v, g))  # nan sorts last within each geometry
    vs = v[order]
    first = np.searchsorted(g[order], np.arange(runs.n))
    pos = (count - 1) * (q / 100.0)
    lo = np.floor(pos).astype(np.int64)
    hi = np.ceil(pos).astype(np.int64)
    idx = np.flatnonzero(has)
    vlo, vhi = vs[first[idx] + lo[idx]], vs[first[idx] + hi[idx]]
    out[idx] = vlo + (vhi - vlo) * (pos[idx] - lo[idx])
    return out, count


def zonal_share_at_least(runs: CellRuns, array: np.ndarray,
                         threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Share of each geometry's valid cells with value ≥ ``threshold``, and the valid count."""
    valid = ~np.isnan(array)
    count = _run_sum(_row_cumsum(valid.astype(np.int64)), runs).astype(np.int64)
    with np.errstate(invalid="ignore"):
        ge = valid & (array >= threshold)
    hits = _run_sum(_row_cumsum(ge.astype(np.int64)), runs)
    out = np.full(runs.n, np.nan)
    has = count > 0
    out[has] = hits[has] / count[has]
    return out, count
