"""Vectorised measurements against brute-force shapely / numpy computations."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st

from gis.errors import InputError
from gis.measure import (
    AreaIndex,
    NearestIndex,
    cell_runs,
    centroids,
    to_segments,
    zonal_share_at_least,
    zonal_stat,
)
from gis.zonal import polygon_edges

X0, Y0 = 410_000.0, 4_000_000.0  # Gauss–Krüger metres (EPSG:4547), near Changzhi

coord = st.floats(0, 2000, allow_nan=False)
size = st.floats(0.5, 300, allow_nan=False)


@st.composite
def polygons(draw: st.DrawFn) -> shapely.Geometry:
    """Valid polygons: boxes, buffered points (with holes now and then), multipolygons."""
    x, y, w, h = draw(coord), draw(coord), draw(size), draw(size)
    kind = draw(st.sampled_from(["box", "disc", "ring", "multi"]))
    if kind == "box":
        return shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)
    disc = shapely.Point(X0 + x, Y0 + y).buffer(w, quad_segs=draw(st.integers(1, 8)))
    if kind == "disc":
        return disc
    if kind == "ring":
        return disc.difference(shapely.Point(X0 + x, Y0 + y).buffer(w / 3))
    other = shapely.box(X0 + x + 2 * w + 1, Y0 + y, X0 + x + 3 * w + 1, Y0 + y + h)
    return shapely.MultiPolygon([disc, other])


@st.composite
def lines(draw: st.DrawFn) -> shapely.LineString:
    n = draw(st.integers(2, 6))
    pts = [(X0 + draw(coord), Y0 + draw(coord)) for _ in range(n)]
    return shapely.LineString(pts)


def brute_distance(geoms: list, targets: list) -> np.ndarray:
    return np.array([min(shapely.distance(g, t) for t in targets) for g in geoms])


@settings(max_examples=40, deadline=None)
@given(st.lists(polygons(), min_size=1, max_size=12),
       st.lists(st.one_of(lines(), st.builds(lambda x, y: shapely.Point(X0 + x, Y0 + y),
                                             coord, coord)), min_size=1, max_size=6),
       st.floats(0, 500))
def test_nearest_distance_agrees_with_shapely(geoms, targets, radius) -> None:
    idx = NearestIndex(targets)
    got = idx.distance(geoms, start_radius=radius)
    np.testing.assert_array_equal(got, brute_distance(geoms, targets))


def test_distance_is_zero_when_touching_or_containing() -> None:
    road = shapely.LineString([(X0, Y0), (X0 + 1000, Y0)])
    touching = shapely.box(X0 + 10, Y0, X0 + 50, Y0 + 40)          # shares the road's line
    crossing = shapely.box(X0 + 100, Y0 - 5, X0 + 150, Y0 + 5)
    polygon_target = shapely.box(X0 + 2000, Y0, X0 + 3000, Y0 + 1000)
    inside = shapely.box(X0 + 2100, Y0 + 100, X0 + 2200, Y0 + 200)
    idx = NearestIndex([road, polygon_target])
    assert idx.distance([touching, crossing, inside]).tolist() == [0.0, 0.0, 0.0]


def test_distance_without_targets_or_geometry() -> None:
    assert np.isinf(NearestIndex([]).distance([shapely.box(0, 0, 1, 1)])).all()
    got = NearestIndex([shapely.Point(0, 0)]).distance([None, shapely.Polygon()])
    assert np.isnan(got).all()


def test_far_geometries_use_the_exact_segments() -> None:
    # a long road split into short pieces for indexing; parcels kilometres away
    road = shapely.LineString([(X0, Y0), (X0 + 7000, Y0 + 3000), (X0 + 7100, Y0 - 2000)])
    rng = np.random.default_rng(3)
    xy = rng.uniform(-20_000, 20_000, (200, 2))
    geoms = shapely.box(X0 + xy[:, 0], Y0 + xy[:, 1], X0 + xy[:, 0] + 80, Y0 + xy[:, 1] + 60)
    got = NearestIndex([road]).distance(geoms, start_radius=10.0)
    np.testing.assert_array_equal(got, shapely.distance(geoms, road))


def test_far_geometries_in_many_groups_match_brute_force() -> None:
    # thousands of parcels far from winding lines, points, a polygon with a hole (some
    # parcels sit in the hole) and lines meeting end to end: the grouped far search
    # must give exactly shapely's least distance for every one
    rng = np.random.default_rng(11)
    walk = np.cumsum(rng.normal(0, 40, (300, 2)), axis=0)
    origin = np.array([X0, Y0])
    road = shapely.LineString(walk + origin)
    spur = shapely.LineString([walk[-1] + origin, walk[-1] + origin + [900, -4000]])
    lake = shapely.Polygon(shapely.box(X0 + 9000, Y0, X0 + 12000, Y0 + 3000).exterior,
                           [shapely.box(X0 + 10000, Y0 + 1000, X0 + 11000, Y0 + 2000).exterior])
    wells = shapely.MultiPoint([(X0 - 6000, Y0 + 7000), (X0 + 3000, Y0 - 9000)])
    targets = [road, spur, lake, wells]
    xy = rng.uniform(-15_000, 15_000, (4000, 2))
    xy = np.vstack([xy, rng.uniform([10_100, 1_100], [10_800, 1_800], (40, 2))])  # the hole
    geoms = shapely.box(X0 + xy[:, 0], Y0 + xy[:, 1], X0 + xy[:, 0] + rng.uniform(5, 150, len(xy)),
                        Y0 + xy[:, 1] + rng.uniform(5, 150, len(xy)))
    geoms = geoms[~shapely.intersects(geoms, shapely.GeometryCollection(targets))]
    got = NearestIndex(targets).distance(geoms, start_radius=1.0)
    np.testing.assert_array_equal(got, brute_distance(list(geoms), targets))


def test_to_segments_pieces_belong_to_their_segments() -> None:
    road = shapely.LineString([(0, 0), (100, 0), (100, 250)])
    exact, pieces, owner = to_segments([road, shapely.Point(5, 5)], max_length=40)
    assert len(exact) == 3 and len(pieces) == 3 + 7 + 1  # ceil(100/40) + ceil(250/40) + point
    assert shapely.covers(exact[owner], pieces).all()
    assert sum(shapely.length(exact[:2])) == pytest.approx(road.length)


@settings(max_examples=40, deadline=None)
@given(st.lists(polygons(), min_size=1, max_size=10),
       st.lists(polygons(), min_size=0, max_size=6))
def test_overlap_fraction_agrees_with_union(geoms, layer) -> None:
    frac = AreaIndex(layer).fraction(geoms)
    union = shapely.union_all(layer) if layer else shapely.Polygon()
    ref = shapely.area(shapely.intersection(geoms, union)) / shapely.area(geoms)
    assert ((frac >= 0) & (frac <= 1)).all()
    np.testing.assert_allclose(frac, ref, rtol=1e-9, atol=1e-12)


def test_overlapping_features_count_once_and_shared_edges_do_not_overlap() -> None:
    a = shapely.box(0, 0, 10, 10)
    b = shapely.box(5, 0, 15, 10)
    idx = AreaIndex([a, b])
    assert idx.fraction([shapely.box(0, 0, 20, 10)]).tolist() == [0.75]
    # a parcel cut along a red line's boundary (shared edge, many vertices) does not overlap
    red = shapely.Point(X0, Y0).buffer(1000, quad_segs=256)
    outside = shapely.difference(shapely.box(X0 - 50, Y0 + 900, X0 + 50, Y0 + 1100), red)
    inside = shapely.intersection(shapely.box(X0 - 50, Y0 + 900, X0 + 50, Y0 + 1100), red)
    frac = AreaIndex([red]).fraction([outside, inside])
    assert frac[0] == 0.0 and frac[1] == pytest.approx(1.0, abs=1e-12)


def test_largest_overlap_picks_the_bigger_share_and_breaks_ties_by_order() -> None:
    zones = [shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)]
    idx = AreaIndex(zones, dissolve=False)
    best, area = idx.largest([shapely.box(7, 0, 11, 1), shapely.box(9, 0, 18, 1),
                              shapely.box(9, 0, 11, 1), shapely.box(50, 50, 51, 51)])
    assert best.tolist() == [0, 1, 0, -1]
    assert area.tolist() == [3.0, 8.0, 1.0, 0.0]


def _brute_cells(geom: shapely.Geometry, transform: Affine, shape: tuple[int, int]) -> set:
    h, w = shape
    rows, cols = np.mgrid[0:h, 0:w]
    x = transform.c + (cols + 0.5) * transform.a
    y = transform.f + (rows + 0.5) * transform.e
    return set(np.flatnonzero(shapely.contains_xy(geom, x, y).ravel()).tolist())


def _run_cells(runs, i: int) -> set:
    sel = runs.geom == i
    return {int(r * runs.shape[1] + c) for r, c0, c1 in
            zip(runs.row[sel], runs.col0[sel], runs.col1[sel], strict=True)
            for c in range(c0, c1)}


@settings(max_examples=30, deadline=None)
@given(st.lists(polygons(), min_size=1, max_size=8), st.floats(3.3, 41.7),
       st.floats(-50, 50), st.floats(-50, 50))
def test_cell_runs_are_the_cells_whose_centres_are_inside(geoms, cell, dx, dy) -> None:
    transform = Affine(cell, 0, X0 + dx, 0, -cell, Y0 + 2400 + dy)
    shape = (int(2500 / cell), int(2500 / cell))
    runs = cell_runs(geoms, transform, shape)
    for i, g in enumerate(geoms):
        expected = _brute_cells(g, transform, shape)
        got = _run_cells(runs, i)
        if expected:
            assert got == expected
            assert not runs.centroid_only[i]
        elif runs.centroid_only[i]:  # smaller than a cell: the cell under the centroid
            c = g.centroid
            col = int((c.x - transform.c) // transform.a)
            row = int((c.y - transform.f) // transform.e)
            assert got == {row * shape[1] + col}
        else:  # centroid off the raster
            assert got == set()


def test_one_set_of_edges_serves_every_grid() -> None:
    """Missing, empty, holed, multi-part and mixed geometries; edges computed once."""
    ring = shapely.box(X0 + 100, Y0 + 100, X0 + 700, Y0 + 500)
    geoms = [None, shapely.Polygon(),
             shapely.Polygon(ring.exterior.coords,
                             [shapely.box(X0 + 200, Y0 + 200, X0 + 400, Y0 + 400).exterior.coords]),
             shapely.MultiPolygon([shapely.box(X0, Y0, X0 + 90, Y0 + 90),
                                   shapely.box(X0 + 800, Y0, X0 + 990, Y0 + 330)]),
             shapely.GeometryCollection([shapely.Point(X0, Y0), shapely.box(X0 + 50, Y0 + 600,
                                                                            X0 + 450, Y0 + 900),
                                         shapely.LineString([(X0, Y0), (X0 + 9, Y0 + 9)])]),
             shapely.Point(X0 + 5, Y0 + 5).buffer(200, quad_segs=3)]
    edges = polygon_edges(geoms)
    for cell in (10.0, 37.5):
        t = Affine(cell, 0, X0 - 13, 0, -cell, Y0 + 1000)
        shape = (int(1100 / cell), int(1100 / cell))
        runs = cell_runs(geoms, t, shape, edges=edges)
        fresh = cell_runs(geoms, t, shape)
        for name in ("geom", "row", "col0", "col1", "centroid_only"):
            assert np.array_equal(getattr(runs, name), getattr(fresh, name))
        for i, g in enumerate(geoms):
            polys = (shapely.union_all([p for p in shapely.get_parts(g)
                                        if p.geom_type == "Polygon"])
                     if g is not None and not g.is_empty else None)
            want = _brute_cells(polys, t, shape) if polys is not None else set()
            assert _run_cells(runs, i) == want
            assert not runs.centroid_only[i]


def test_overlapping_polygons_each_get_their_cells() -> None:
    t = Affine(1, 0, 0, 0, -1, 10)
    runs = cell_runs([shapely.box(0, 0, 6, 10), shapely.box(4, 0, 10, 10)], t, (10, 10))
    assert runs.cell_count.tolist() == [60, 60]


def test_rotated_rasters_are_refused() -> None:
    with pytest.raises(InputError, match="Rotated"):
        cell_runs([shapely.box(0, 0, 1, 1)], Affine(1, 0.5, 0, 0, -1, 10), (10, 10))


@pytest.mark.parametrize("stat", ["mean", "min", "max", "median", "p90", "p5", "std", "sum",
                                  "count"])
def test_zonal_statistics_match_numpy(stat: str) -> None:
    rng = np.random.default_rng(7)
    arr = rng.normal(100, 20, (60, 50))
    arr[rng.random(arr.shape) < 0.15] = np.nan
    t = Affine(10, 0, X0, 0, -10, Y0 + 600)
    geoms = [shapely.Point(X0 + x, Y0 + y).buffer(r) for x, y, r in
             rng.uniform([0, 0, 3], [500, 600, 80], (25, 3))]
    runs = cell_runs(geoms, t, arr.shape)
    val, count = zonal_stat(runs, arr, stat)
    funcs = {"mean": np.mean, "min": np.min, "max": np.max, "median": np.median,
             "p90": lambda v: np.percentile(v, 90), "p5": lambda v: np.percentile(v, 5),
             "std": np.std, "sum": np.sum, "count": len}
    for i in range(len(geoms)):
        cells = _run_cells(runs, i)
        v = arr.ravel()[sorted(cells)]
        v = v[~np.isnan(v)]
        assert count[i] == len(v)
        if len(v):
            assert val[i] == pytest.approx(funcs[stat](v), rel=1e-12, abs=1e-9)
        elif stat != "count":
            assert np.isnan(val[i])


def test_share_at_least_ignores_nodata() -> None:
    arr = np.array([[-100.0, -110.0, np.nan, -90.0]])
    runs = cell_runs([shapely.box(0, 0, 4, 1)], Affine(1, 0, 0, 0, -1, 1), arr.shape)
    share, count = zonal_share_at_least(runs, arr, -105.0)
    assert count.tolist() == [3] and share.tolist() == [2 / 3]


def test_area_ha_of_one_geometry_an_array_and_a_geoseries() -> None:
    import geopandas as gpd

    from gis.errors import InputError
    from gis.measure import area_ha

    assert area_ha(shapely.box(0, 0, 200, 50)) == pytest.approx(1.0)
    arr = area_ha(np.array([shapely.box(0, 0, 100, 100), None, shapely.Polygon()]))
    assert arr[0] == pytest.approx(1.0) and np.isnan(arr[1]) and arr[2] == 0
    series = gpd.GeoSeries([shapely.box(0, 0, 300, 100)], crs="EPSG:4547")
    assert area_ha(series).tolist() == pytest.approx([3.0])
    with pytest.raises(InputError, match="metric CRS"):
        area_ha(series.to_crs(4326))


def _shapely_centroids(geoms: np.ndarray) -> np.ndarray:
    c = shapely.centroid(geoms)
    out = np.full((len(geoms), 2), np.nan)
    has = ~(shapely.is_missing(c) | shapely.is_empty(c))
    out[has] = shapely.get_coordinates(c[has])
    return out


@settings(max_examples=60, deadline=None)
@given(st.lists(polygons(), min_size=1, max_size=25), st.booleans())
def test_centroids_are_shapely_centroids(polys: list[shapely.Geometry], flip: bool) -> None:
    """Polygons of either orientation, with holes, multipolygons: GEOS's centroid."""
    geoms = np.array(polys, dtype=object)
    if flip:  # clockwise exterior rings
        geoms = shapely.reverse(geoms)
    got, want = centroids(geoms), _shapely_centroids(geoms)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def test_centroids_of_other_and_degenerate_geometries() -> None:
    """Missing and empty give NaN; lines, points and rings without area are GEOS's."""
    geoms = np.array([
        None, shapely.Polygon(), shapely.Point(3, 4), shapely.LineString([(0, 0), (2, 2)]),
        shapely.Polygon([(0, 0), (1, 1), (2, 2), (0, 0)]),  # no area: the line's centroid
        shapely.box(0, 0, 10, 10).difference(shapely.box(2, 2, 3, 3)),
        shapely.Polygon([(0, 0), (4, 0), (4, 1), (1, 1), (1, 3), (0, 3)]),  # an L
        shapely.GeometryCollection([shapely.box(0, 0, 1, 1)]),
    ], dtype=object)
    got, want = centroids(geoms), _shapely_centroids(geoms)
    assert np.isnan(got[:2]).all()
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    assert centroids(np.array([], dtype=object)).shape == (0, 2)
