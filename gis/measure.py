"""Vectorised distance, overlap and cell-membership measurements of many geometries at once.

The raster-cell part (:func:`cell_runs`, :func:`zonal_stat`, …) lives in :mod:`gis.zonal`
and is re-exported here.
"""

from __future__ import annotations

import threading

import numpy as np
import shapely

from gis.errors import InputError
from gis.nearest import NearestIndex, prebuild, to_segments
from gis.zonal import CellRuns, cell_runs, zonal_share_at_least, zonal_stat
from gis.zorder import zorder

__all__ = [
    "AreaIndex",
    "CellRuns",
    "NearestIndex",
    "area_ha",
    "cell_runs",
    "centroids",
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


def centroids(geoms: object) -> np.ndarray:
    """``(n, 2)`` x, y of each geometry's centroid, as ``shapely.centroid`` (NaN when the
    geometry is missing or empty).

    Polygons without holes, the usual parcel, are computed from their coordinates in
    NumPy, from the same fan of triangles GEOS uses (from the ring's first vertex): for
    1e5 parcels, 0.04 s instead of 0.12 s. Other geometries and rings without area are
    left to GEOS.
    """
    arr = _as_array(geoms)
    out = np.full((len(arr), 2), np.nan)
    simple = shapely.get_type_id(arr) == shapely.GeometryType.POLYGON
    simple[simple] = shapely.get_num_interior_rings(arr[simple]) == 0
    pos = np.flatnonzero(simple)
    xy, ring = shapely.get_coordinates(arr[pos], return_index=True)  # closed exterior rings
    done = np.zeros(len(arr), dtype=bool)
    if len(xy):
        first = np.flatnonzero(np.r_[True, ring[1:] != ring[:-1]])
        d = xy - np.repeat(xy[first], np.diff(np.r_[first, len(xy)]), axis=0)
        k = np.flatnonzero(ring[1:] == ring[:-1])  # edge k: vertex k to k + 1 of one ring
        cross = d[k, 0] * d[k + 1, 1] - d[k + 1, 0] * d[k, 1]  # twice the triangle's area
        n = len(pos)
        area2 = np.bincount(ring[k], weights=cross, minlength=n)
        sx = np.bincount(ring[k], weights=(d[k, 0] + d[k + 1, 0]) * cross, minlength=n)
        sy = np.bincount(ring[k], weights=(d[k, 1] + d[k + 1, 1]) * cross, minlength=n)
        base = np.zeros((n, 2))
        base[ring[first]] = xy[first]
        ok = area2 != 0  # not an empty polygon nor a ring without area
        with np.errstate(divide="ignore", invalid="ignore"):
            out[pos[ok], 0] = base[ok, 0] + sx[ok] / (3 * area2[ok])
            out[pos[ok], 1] = base[ok, 1] + sy[ok] / (3 * area2[ok])
        done[pos[ok]] = True
    rest = np.flatnonzero(~done & ~shapely.is_missing(arr))
    c = shapely.centroid(arr[rest])
    rest, c = rest[~shapely.is_empty(c)], c[~shapely.is_empty(c)]
    out[rest] = shapely.get_coordinates(c)
    return out


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
