"""Vectorised distance, overlap and cell-membership measurements of many geometries at once.

The raster-cell part (:func:`cell_runs`, :func:`zonal_stat`, …) lives in :mod:`gis.zonal`
and is re-exported here.
"""

from __future__ import annotations

import math
import threading

import numpy as np
import shapely

from gis.errors import InputError
from gis.zonal import CellRuns, cell_runs, zonal_share_at_least, zonal_stat

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
_LINES = (shapely.GeometryType.LINESTRING, shapely.GeometryType.LINEARRING)
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


def to_segments(geoms: object, *, max_length: float | None = None
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split lines into their two-point segments, and long segments into short pieces.

    Parameters
    ----------
    geoms : array-like of shapely geometries
        Any mix of (multi)points, (multi)lines, (multi)polygons and collections.
    max_length : float, optional
        Segments longer than this are also cut into pieces of at most this length,
        so each piece's envelope stays small for spatial-index queries.

    Returns
    -------
    exact : numpy.ndarray of geometries
        The input's two-point segments, points and polygons (a polygon stays whole:
        distance to it is zero inside it). Distances to these equal distances to the input.
    pieces : numpy.ndarray of geometries
        ``exact`` with long segments cut into pieces (for indexing only).
    owner : numpy.ndarray of int
        For each piece, the position of its segment in ``exact``.
    """
    arr = _as_array(geoms)
    arr = arr[~(shapely.is_missing(arr) | shapely.is_empty(arr))]
    parts = shapely.get_parts(arr)
    # collections may nest one level (GeometryCollection of multi-geometries)
    while np.any(shapely.get_num_geometries(parts) > 1):
        parts = shapely.get_parts(parts)
    types = shapely.get_type_id(parts)
    is_line = np.isin(types, _LINES)
    lines, others = parts[is_line], parts[~is_line]
    if not len(lines):
        return others, others, np.arange(len(others))
    xy, idx = shapely.get_coordinates(lines, return_index=True)
    same = idx[1:] == idx[:-1]
    a, b = xy[:-1][same], xy[1:][same]
    exact = np.concatenate([shapely.linestrings(np.stack([a, b], axis=1)), others])
    k = np.ones(len(a), dtype=np.int64)
    if max_length is not None and max_length > 0:
        k = np.maximum(np.ceil(np.hypot(*(b - a).T) / max_length), 1).astype(np.int64)
    owner = np.repeat(np.arange(len(a)), k)
    step = np.arange(len(owner)) - np.repeat(np.cumsum(k) - k, k)
    t0 = (step / k[owner])[:, None]
    t1 = ((step + 1) / k[owner])[:, None]
    d = b - a
    p0 = np.where(t0 == 0, a[owner], a[owner] + d[owner] * t0)
    p1 = np.where(t1 == 1, b[owner], a[owner] + d[owner] * t1)
    pieces = np.concatenate([shapely.linestrings(np.stack([p0, p1], axis=1)), others])
    owner = np.concatenate([owner, len(a) + np.arange(len(others))])
    return exact, pieces, owner


class NearestIndex:
    """Exact shapely distances from many geometries to the nearest of a fixed target set.

    Lines are split into two-point segments, indexed as short pieces so envelope
    queries stay selective. Geometries within ``start_radius`` of a target are
    resolved from envelope candidates (``shapely.distance`` to the candidates'
    segments); the rest by GEOS nearest-neighbour search over the segments. Either
    way the value equals ``min(shapely.distance(g, t) for t in targets)``.

    Examples
    --------
    >>> import shapely
    >>> idx = NearestIndex([shapely.LineString([(0, 0), (100, 0)])])
    >>> idx.distance([shapely.box(10, 5, 20, 15), shapely.box(0, -1, 1, 1)]).tolist()
    [5.0, 0.0]
    """

    def __init__(self, targets: object, *, segment_length: float = 200.0) -> None:
        self.targets, pieces, self.owner = to_segments(targets, max_length=segment_length)
        self.tree = shapely.STRtree(pieces)
        self.exact_tree = shapely.STRtree(self.targets)
        _build(self.tree, self.exact_tree)
        if len(pieces):
            x0, y0, x1, y1 = shapely.total_bounds(pieces)
            span = max(x1 - x0, y1 - y0, 1.0)
            self.spacing = span / math.sqrt(len(pieces))
        else:
            self.spacing = 1.0

    def __len__(self) -> int:
        return len(self.targets)

    def distance(self, geoms: object, *, start_radius: float | None = None) -> np.ndarray:
        """Distance from each geometry to the nearest target (``inf`` when there is none).

        Missing or empty geometries give ``nan``.
        """
        arr = _as_array(geoms)
        out = np.full(len(arr), np.inf)
        bad = shapely.is_missing(arr) | shapely.is_empty(arr)
        out[bad] = np.nan
        if not len(self.targets):
            return out
        todo = np.flatnonzero(~bad)
        bounds = shapely.bounds(arr)
        radius = np.full(len(arr), start_radius if start_radius is not None
                         else self.spacing / 2)
        radius = np.maximum(radius, 1e-6)  # r > 0: the far geometries are disjoint
        # near geometries: envelope candidates within r, exact distances (complete when <= r)
        r = radius[todo]
        b = bounds[todo]
        boxes = shapely.box(b[:, 0] - r, b[:, 1] - r, b[:, 2] + r, b[:, 3] + r)
        qi, ti = self.tree.query(boxes)
        best = np.full(len(todo), np.inf)
        if len(qi):
            d = shapely.distance(arr[todo[qi]], self.targets[self.owner[ti]])
            np.minimum.at(best, qi, d)
        done = best <= r
        out[todo[done]] = best[done]
        todo = todo[~done]
        if len(todo):
            # far geometries: GEOS nearest-neighbour search over the unsplit segments. They
            # are disjoint from every target (d > r > 0), so the distance from a polygon's
            # boundary is its distance, and cheaper to compute.
            far = arr[todo]
            poly = np.isin(shapely.get_type_id(far), (3, 6))
            far = np.where(poly, shapely.boundary(far), far) if poly.any() else far
            idx, d = self.exact_tree.query_nearest(far, all_matches=False,
                                                   return_distance=True)
            out[todo[idx[0]]] = d
        return out


def _build(*trees: shapely.STRtree) -> None:
    """Query each tree once so it is fully built before threads share it."""
    probe = shapely.Point(0.0, 0.0)
    for tree in trees:
        tree.query(probe)
        tree.query_nearest(probe)


def zorder(x: np.ndarray, y: np.ndarray,
           bounds: tuple[float, float, float, float] | None = None) -> np.ndarray:
    """Z-order (Morton) keys of points, 16 bits per axis.

    The axes are scaled to the points' own extent, or to ``bounds`` (xmin, ymin,
    xmax, ymax) so that keys computed piece by piece compare across pieces.
    """
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return np.zeros(len(x), dtype=np.uint64)

    def scale(v: np.ndarray, axis: int) -> np.ndarray:
        lo, hi = ((v[ok].min(), v[ok].max()) if bounds is None
                  else (bounds[axis], bounds[axis + 2]))
        s = np.where(ok, (v - lo) / max(hi - lo, 1e-9) * 65535, 0)
        return np.clip(s, 0, 65535).astype(np.uint64)

    xs, ys = scale(x, 0), scale(y, 1)
    key = np.zeros(len(x), dtype=np.uint64)
    for bit in range(16):
        key |= ((xs >> np.uint64(bit)) & np.uint64(1)) << np.uint64(2 * bit)
        key |= ((ys >> np.uint64(bit)) & np.uint64(1)) << np.uint64(2 * bit + 1)
    return key


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
        _build(self.tree)
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

    def fraction(self, geoms: object) -> np.ndarray:
        """Share of each geometry's area inside the polygons, in [0, 1] (``nan`` if no area)."""
        arr = _as_array(geoms)
        total = shapely.area(arr)
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
