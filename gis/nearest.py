"""Exact distances from many geometries to the nearest of a fixed set of targets.

Nearby geometries are resolved from envelope candidates; distant ones group by group:
geometries close together share their candidate targets, so each needs only a few exact
distances instead of a nearest-neighbour search of its own.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

from gis.zorder import zorder

__all__ = ["NearestIndex", "outline", "prebuild", "to_segments"]

_LINES = (shapely.GeometryType.LINESTRING, shapely.GeometryType.LINEARRING)
#: Distant geometries per group (consecutive along a Z-order curve).
GROUP = 16
#: Segments per line in the targets of distant geometries.
RUN = 8


def _as_array(geoms: object) -> np.ndarray:
    arr = np.asarray(getattr(geoms, "values", geoms), dtype=object)
    return arr.ravel()


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
    if max_length is None or max_length <= 0:  # no cutting: the pieces are the segments
        return exact, exact, np.arange(len(exact))
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

    Lines are split into two-point segments. Geometries within ``start_radius`` of a
    target are resolved from the segments within that distance; the rest, disjoint
    from every target, group by group (:meth:`_far`). Either way the value equals
    ``min(shapely.distance(g, t) for t in targets)``.

    Examples
    --------
    >>> import shapely
    >>> idx = NearestIndex([shapely.LineString([(0, 0), (100, 0)])])
    >>> idx.distance([shapely.box(10, 5, 20, 15), shapely.box(0, -1, 1, 1)]).tolist()
    [5.0, 0.0]
    """

    def __init__(self, targets: object) -> None:
        self.targets = to_segments(targets)[0]
        self.exact_tree = shapely.STRtree(self.targets)
        self.runs = _runs(self.targets)
        self.run_bounds = shapely.bounds(self.runs)
        self.run_tree = shapely.STRtree(self.runs)
        prebuild(self.exact_tree, self.run_tree)
        if len(self.targets):
            x0, y0, x1, y1 = shapely.total_bounds(self.targets)
            self.spacing = max(x1 - x0, y1 - y0, 1.0) / math.sqrt(len(self.targets))
        else:
            self.spacing = 1.0

    def __len__(self) -> int:
        return len(self.targets)

    def distance(self, geoms: object, *, start_radius: float | None = None,
                 bounds: np.ndarray | None = None, outlines: np.ndarray | None = None
                 ) -> np.ndarray:
        """Distance from each geometry to the nearest target (``inf`` when there is none).

        Missing or empty geometries give ``nan``. ``bounds`` (``shapely.bounds`` of the
        geometries) and ``outlines`` (their boundaries, polygons' only) may be passed
        when the caller already has them.
        """
        arr = _as_array(geoms)
        if bounds is None:
            bounds = shapely.bounds(arr)
        out = np.full(len(arr), np.inf)
        bad = np.isnan(bounds[:, 0])  # missing or empty
        out[bad] = np.nan
        if not len(self.targets):
            return out
        todo = np.flatnonzero(~bad)
        r = np.maximum(start_radius if start_radius is not None else self.spacing / 2,
                       1e-6)  # r > 0: the far geometries are disjoint
        # near geometries: the targets within r, exact distances (complete when <= r)
        qi, ti = self.exact_tree.query(arr[todo], predicate="dwithin", distance=r)
        best = np.full(len(todo), np.inf)
        if len(qi):
            d = shapely.distance(arr[todo[qi]], self.targets[ti])
            np.minimum.at(best, qi, d)
        done = best <= r
        out[todo[done]] = best[done]
        todo = todo[~done]
        if len(todo):
            # far geometries are disjoint from every target (d > r > 0): the distance
            # from a polygon's boundary is its distance, and cheaper to compute
            far = outline(arr[todo]) if outlines is None else outlines[todo]
            out[todo] = self._far(far, bounds[todo])
        return out

    def _far(self, geoms: np.ndarray, bounds: np.ndarray) -> np.ndarray:
        """Exact distances of geometries disjoint from every target.

        The geometries are grouped along a Z-order curve. Each member's exact distance
        to the target nearest its group's centre is an upper bound ``u`` of its
        distance. Groups are grouped again, level by level, each node's envelope
        holding its children and its bound being their largest ``u``. Candidates go
        down the levels: a target stays a candidate of a node while its envelope lies
        within the node's bound of the node's envelope. A member then computes exact
        distances only to the candidates whose envelope lies within its ``u`` of its own.
        The targets here are runs of consecutive segments (:func:`_runs`): fewer
        candidates, and the same least distance.
        """
        n = len(geoms)
        cx, cy = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
        order = np.argsort(zorder(cx, cy), kind="stable")
        geoms, bounds = geoms[order], bounds[order]
        boxes = [bounds, _group_boxes(bounds)]
        g = boxes[1]
        near = self.run_tree.query_nearest(
            shapely.points((g[:, 0] + g[:, 2]) / 2, (g[:, 1] + g[:, 3]) / 2),
            all_matches=False)[1]
        group = np.arange(n) // GROUP
        upper = shapely.distance(geoms, self.runs[near[group]])
        reach = [upper, np.maximum.reduceat(upper, np.arange(0, n, GROUP))]
        while len(boxes[-1]) > GROUP:
            boxes.append(_group_boxes(boxes[-1]))
            reach.append(np.maximum.reduceat(reach[-1], np.arange(0, len(reach[-1]), GROUP)))
        tb = self.run_bounds
        node = np.repeat(np.arange(len(boxes[-1])), len(tb))
        cand = np.tile(np.arange(len(tb)), len(boxes[-1]))
        for level in range(len(boxes) - 1, -1, -1):
            if level < len(boxes) - 1:  # the children of each node, with its candidates
                size = np.minimum(GROUP, len(boxes[level]) - node * GROUP)
                node = np.repeat(node * GROUP, size) + (
                    np.arange(size.sum()) - np.repeat(np.cumsum(size) - size, size))
                cand = np.repeat(cand, size)
            gap = _box_gap(boxes[level][node], tb[cand])
            keep = gap <= reach[level][node]
            node, cand = node[keep], cand[keep]
        keep = cand != near[group[node]]
        member, cand = node[keep], cand[keep]
        best = upper.copy()
        np.minimum.at(best, member, shapely.distance(geoms[member], self.runs[cand]))
        result = np.empty(n)
        result[order] = best
        return result


def outline(geoms: np.ndarray) -> np.ndarray:
    """Polygons replaced by their boundary, other geometries as they are (the distance of a
    polygon to what lies outside it is its boundary's)."""
    poly = np.isin(shapely.get_type_id(geoms), (3, 6))
    return np.where(poly, shapely.boundary(geoms), geoms) if poly.any() else geoms


def _runs(targets: np.ndarray, length: int = RUN) -> np.ndarray:
    """Targets for distant geometries: consecutive two-point segments joined back into
    lines of at most ``length`` segments (the distance to such a line is the least
    distance to its segments); other targets as they are."""
    two = (shapely.get_type_id(targets) == 1) & (shapely.get_num_coordinates(targets) == 2)
    segs = targets[two]
    if not len(segs):
        return targets
    xy = shapely.get_coordinates(segs).reshape(-1, 4)
    joined = np.zeros(len(segs), dtype=bool)
    joined[1:] = (xy[1:, 0] == xy[:-1, 2]) & (xy[1:, 1] == xy[:-1, 3])
    run = np.cumsum(~joined) - 1
    first = np.flatnonzero(~joined)
    step = np.arange(len(segs)) - first[run]
    run = np.cumsum(~joined | (step % length == 0)) - 1
    last = np.append(run[1:] != run[:-1], True)
    coords = np.concatenate([xy[:, :2], xy[last, 2:]])
    index = np.concatenate([run, run[last]])
    pos = np.concatenate([np.arange(len(segs)) * 2, np.flatnonzero(last) * 2 + 1])
    o = np.argsort(pos, kind="stable")
    lines = shapely.linestrings(coords[o], indices=index[o])
    return np.concatenate([lines, targets[~two]])


def _group_boxes(bounds: np.ndarray) -> np.ndarray:
    """The envelopes of consecutive runs of ``GROUP`` envelopes."""
    starts = np.arange(0, len(bounds), GROUP)
    return np.column_stack([np.minimum.reduceat(bounds[:, 0], starts),
                            np.minimum.reduceat(bounds[:, 1], starts),
                            np.maximum.reduceat(bounds[:, 2], starts),
                            np.maximum.reduceat(bounds[:, 3], starts)])


def _box_gap(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Distances between envelopes ``(xmin, ymin, xmax, ymax)``, row by row."""
    dx = np.maximum(np.maximum(b[:, 0] - a[:, 2], a[:, 0] - b[:, 2]), 0.0)
    dy = np.maximum(np.maximum(b[:, 1] - a[:, 3], a[:, 1] - b[:, 3]), 0.0)
    return np.hypot(dx, dy)


def prebuild(*trees: shapely.STRtree) -> None:
    """Query each tree once so it is fully built before threads share it."""
    probe = shapely.Point(0.0, 0.0)
    for tree in trees:
        tree.query(probe)
        tree.query_nearest(probe)


