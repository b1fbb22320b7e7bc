"""Raster cells of polygons (scan-line fill) and zonal statistics over them."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from affine import Affine

from gis.errors import InputError

__all__ = ["CellRuns", "PolygonEdges", "cell_runs", "polygon_edges", "zonal_share_at_least",
           "zonal_stat"]

_POLYS = (shapely.GeometryType.POLYGON,)


def _as_array(geoms: object) -> np.ndarray:
    arr = np.asarray(getattr(geoms, "values", geoms), dtype=object)
    return arr.ravel()


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


@dataclass(frozen=True)
class PolygonEdges:
    """The ring edges of many (multi)polygons in their own coordinates, for
    :func:`cell_runs` on any grid: edge ``k`` runs from ``(x0, y0)`` to ``(x1, y1)`` and
    belongs to geometry ``geom``.
    """

    x0: np.ndarray
    y0: np.ndarray
    x1: np.ndarray
    y1: np.ndarray
    geom: np.ndarray


def polygon_edges(geoms: object) -> PolygonEdges:
    """The edges of the polygons' rings (parts of other types are left out).

    Polygons without holes are read straight from their coordinates; multi-part
    geometries and polygons with holes are split into rings first.
    """
    arr = _as_array(geoms)
    kind = shapely.get_type_id(arr)  # -1: missing
    simple = kind == shapely.GeometryType.POLYGON
    simple[simple] = shapely.get_num_interior_rings(arr[simple]) == 0
    # a simple polygon's coordinates are its exterior ring, closed (none if empty)
    xy, ring = shapely.get_coordinates(arr[simple], return_index=True)
    owner = np.flatnonzero(simple)
    rest = np.flatnonzero(~simple & (kind >= 0))
    rest = rest[~shapely.is_empty(arr[rest])]
    if len(rest):
        polys, pidx = shapely.get_parts(arr[rest], return_index=True)
        pidx = rest[pidx]
        keep = np.isin(shapely.get_type_id(polys), _POLYS)
        polys, pidx = polys[keep], pidx[keep]
        rings, ridx = shapely.get_rings(polys, return_index=True)
        rxy, rring = shapely.get_coordinates(rings, return_index=True)
        xy = np.concatenate([xy, rxy])
        ring = np.concatenate([ring, rring + len(owner)])
        owner = np.concatenate([owner, pidx[ridx]])
    k = np.flatnonzero(ring[1:] == ring[:-1])  # edge k: vertex k to k + 1 of one ring
    x, y = xy[:, 0], xy[:, 1]
    return PolygonEdges(x[k], y[k], x[k + 1], y[k + 1], owner[ring[k]])


def cell_runs(geoms: object, transform: Affine, shape: tuple[int, int], *,
              edges: PolygonEdges | None = None) -> CellRuns:
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
    edges : PolygonEdges, optional
        ``polygon_edges(geoms)``, when already at hand (one set serves every grid).
    """
    if transform.b != 0 or transform.d != 0:
        raise InputError("Rotated rasters are not supported.",
                         hint="Warp the raster to a north-up grid (gdalwarp) first.",
                         zh="不支持旋转的栅格。",
                         hint_zh="请先用 gdalwarp 将栅格重采样为北向朝上的格网。")
    arr = _as_array(geoms)
    n = len(arr)
    h, w = int(shape[0]), int(shape[1])
    if edges is None:
        edges = polygon_edges(arr)
    a, c, e, f = transform.a, transform.c, transform.e, transform.f
    # grid coordinates: column and row units, rows running down
    y0, y1 = (edges.y0 - f) / e, (edges.y1 - f) / e
    lo, hi = np.minimum(y0, y1), np.maximum(y0, y1)
    # rows whose centre (r + 0.5) satisfies lo <= r + 0.5 < hi (none for a flat edge)
    r0 = np.clip(np.ceil(lo - 0.5), 0, h).astype(np.int64)
    r1 = np.clip(np.ceil(hi - 0.5), 0, h).astype(np.int64)
    cnt = r1 - r0
    cross = np.flatnonzero(cnt > 0)
    cnt, r0 = cnt[cross], r0[cross]
    x0 = (edges.x0[cross] - c) / a
    x1 = (edges.x1[cross] - c) / a
    y0, y1 = y0[cross], y1[cross]
    g = edges.geom[cross]
    total = int(cnt.sum())
    eidx = np.repeat(np.arange(len(cnt)), cnt)
    rows = np.arange(total) - np.repeat(np.cumsum(cnt) - cnt - r0, cnt)
    xc = x0[eidx] + ((rows + 0.5) - y0[eidx]) * ((x1 - x0) / (y1 - y0))[eidx]
    key = g[eidx] * (h + 1) + rows
    # crossings by (geometry, row), then by x within each: the edges come geometry by
    # geometry, so a stable sort on the key alone is quick; x is ordered group by group
    order = np.argsort(key, kind="stable")
    key, xc = key[order], xc[order]
    newgrp = np.ones(total, dtype=bool)
    newgrp[1:] = key[1:] != key[:-1]
    starts = np.flatnonzero(newgrp)
    size = np.diff(starts, append=total)
    two = starts[size == 2]
    swap = two[xc[two] > xc[two + 1]]
    xc[swap], xc[swap + 1] = xc[swap + 1], xc[swap]
    if (size > 2).any():
        many = np.flatnonzero(np.repeat(size > 2, size))
        xc[many] = xc[many][np.lexsort((xc[many], key[many]))]
    # pair crossings 0-1, 2-3, … within each group (even-odd fill)
    if (size == 2).all():
        left = starts
    else:
        rank = np.arange(total) - np.repeat(starts, size)
        left = np.flatnonzero((rank % 2 == 0) & (rank + 1 < np.repeat(size, size)))
    cs0 = np.clip(np.ceil(xc[left] - 0.5), 0, w).astype(np.int64)
    cs1 = np.clip(np.ceil(xc[left + 1] - 0.5), 0, w).astype(np.int64)
    nonempty = cs1 > cs0
    run_key = key[left][nonempty]
    run_g, run_r = run_key // (h + 1), run_key % (h + 1)
    run_c0, run_c1 = cs0[nonempty], cs1[nonempty]
    has = np.zeros(n, dtype=bool)
    has[run_g] = True
    lonely = np.flatnonzero(~has)
    lonely = lonely[~(shapely.is_missing(arr[lonely]) | shapely.is_empty(arr[lonely]))]
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


def _expand(runs: CellRuns) -> tuple[np.ndarray, np.ndarray]:
    """Geometry index and flat cell index of every cell (grouped by geometry)."""
    length = runs.col1 - runs.col0
    total = int(length.sum())
    first = runs.row * runs.shape[1] + runs.col0 - (np.cumsum(length) - length)
    return np.repeat(runs.geom, length), np.arange(total) + np.repeat(first, length)


def _valid_count(g: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    """Number of non-nan values per geometry."""
    return np.bincount(g[~np.isnan(v)], minlength=n)[:n].astype(np.int64)


def zonal_stat(runs: CellRuns, array: np.ndarray, stat: str) -> tuple[np.ndarray, np.ndarray]:
    """A statistic of ``array`` (nan = nodata) over each geometry's cells.

    ``stat`` is ``mean``, ``sum``, ``count``, ``std`` (population), ``min``, ``max``,
    ``median`` or ``pNN`` (percentile, linear interpolation as ``numpy.percentile``).
    Returns ``(value, valid_cell_count)``; the value is ``nan`` where no valid cell.
    """
    if array.shape != runs.shape:
        raise ValueError(f"array shape {array.shape} does not match runs {runs.shape}")
    g, cell = _expand(runs)
    v = array.ravel()[cell]
    count = _valid_count(g, v, runs.n)
    has = count > 0
    out = np.full(runs.n, np.nan)
    if stat == "count":
        return count.astype(np.float64), count
    if stat in ("mean", "sum", "std"):
        # cell by cell, in row-major order within each geometry: a float sum that does not
        # depend on where the window starts (differences of row cumsums would, in the last
        # bits), so any chunking of the parcels gives the same values
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
    if array.shape != runs.shape:
        raise ValueError(f"array shape {array.shape} does not match runs {runs.shape}")
    g, cell = _expand(runs)
    v = array.ravel()[cell]
    count = _valid_count(g, v, runs.n)
    with np.errstate(invalid="ignore"):
        hits = np.bincount(g[v >= threshold], minlength=runs.n)[: runs.n]
    out = np.full(runs.n, np.nan)
    has = count > 0
    out[has] = hits[has] / count[has]
    return out, count
