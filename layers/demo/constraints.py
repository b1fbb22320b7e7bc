"""Constraint areas: ecological red lines, basic farmland, mining rights, geohazard zones."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.demo._common import ANALYSIS_CRS, BASIN_COUNTIES, SEATS, _rng, _strings, _xy, _xys
from layers.demo._shapes import _blobs, _polygonal, _random_points_in, _rot_boxes, _wiggle
from layers.demo.zones import _Grid


def _constraints(counties: gpd.GeoDataFrame, grids: list[_Grid], parcels: gpd.GeoDataFrame,
                 seed: int) -> gpd.GeoDataFrame:
    """Red lines (mountains, rivers), basic farmland (basin), mining rights (coal counties).

    ``parcels`` are the zones' full candidate parcels: random patches keep clear of
    them, designed patches reach into chosen ones.
    """
    rng = _rng(seed, "constraints")
    city = shapely.union_all(counties.geometry.to_numpy())
    by_county = dict(zip(counties.county, counties.geometry, strict=True))
    zones = shapely.union_all([g.polygon for g in grids])
    keep_clear = shapely.buffer(zones, 600.0)
    recs: list[dict[str, Any]] = []

    def add(kind: str, name: str, geoms: Iterable[shapely.Geometry]) -> None:
        for i, geom in enumerate(geoms):
            if geom is None or geom.is_empty:
                continue
            recs.append({"kind": kind, "name": name.format(i=i + 1), "geometry": geom})

    # ecological red line: eastern Taihang, western Taiyue, along rivers
    mountain = [("平顺县", 4, 6e7), ("壶关县", 3, 5e7), ("黎城县", 3, 5e7), ("沁源县", 4, 9e7),
                ("武乡县", 2, 4e7)]
    for county, k, area in mountain:
        poly = by_county[county]
        pts = _random_points_in(shapely.buffer(poly, -4000.0), k, rng)
        blobs = _blobs(pts[:, 0], pts[:, 1], area * rng.uniform(0.4, 1.0, k), rng, n=40,
                       rough=0.3, stretch=rng.uniform(1.0, 2.0, k))
        blobs = shapely.difference(shapely.intersection(blobs, city), keep_clear)
        add("ecological_redline", f"{county[:-1]}太行山生态保护红线{{i}}"
            if county != "沁源县" else "太岳山生态保护红线{i}", blobs)
    rivers = [
        ("浊漳河南源生态保护红线", [(113.03, 35.90), (113.08, 36.00), (113.104, 36.110),
                                     (113.16, 36.26), (113.22, 36.40), (113.30, 36.55)]),
        ("浊漳河西源生态保护红线", [(112.45, 36.60), (112.65, 36.50), (112.85, 36.45),
                                     (113.00, 36.47)]),
        ("绛河生态保护红线", [(112.55, 36.25), (112.75, 36.28), (112.90, 36.30)]),
    ]
    jk = next(g for g in grids if g.design.zone_id == "CZJK")
    for name, river_pts in rivers:
        xy = _xys(river_pts)
        if name.startswith("浊漳河南源"):
            # the river crosses the south-west corner of CZJK
            c = int(np.flatnonzero(jk.mask[1])[0])
            u = np.array([jk.xs[c] - 900.0, jk.xs[c] + 0.5 * (jk.xs[c + 1] - jk.xs[c]),
                          jk.xs[c + 1] + 200.0])
            v = np.array([jk.ys[2] + 700.0, jk.ys[1] + 0.4 * (jk.ys[2] - jk.ys[1]),
                          jk.ys[0] - 900.0])
            x, y = jk.world(u, v)
            near = np.column_stack([x, y])
            north = xy[xy[:, 1] > near[0, 1] + 2000.0]
            south = xy[xy[:, 1] < near[-1, 1] - 2000.0]
            xy = np.concatenate([south, near[::-1], north])
            line = shapely.LineString(_wiggle(xy, rng, amp=300.0, step=100.0,
                                              wavelengths=(1500.0, 4000.0)))
            corridor = shapely.buffer(line, 110.0)
            # keep the corridor away from the zones except where it crosses CZJK on purpose
            other = shapely.union_all([shapely.buffer(g.polygon, 300.0) for g in grids
                                       if g is not jk])
            corridor = shapely.difference(corridor, other)
        else:
            line = shapely.LineString(_wiggle(xy, rng, amp=1500.0, step=200.0))
            corridor = shapely.difference(shapely.buffer(line, 250.0), keep_clear)
        add("ecological_redline", name, [shapely.intersection(corridor, city)])
    # basic farmland: patches in the basin, clear of the zones ...
    basin = shapely.union_all([by_county[c] for c in BASIN_COUNTIES])
    pts = _random_points_in(basin, 70, rng)
    blobs = _blobs(pts[:, 0], pts[:, 1], rng.uniform(5e5, 6e6, len(pts)), rng, rough=0.3,
                   stretch=rng.uniform(1.0, 1.8, len(pts)))
    blobs = shapely.difference(shapely.intersection(blobs, basin), keep_clear)
    add("basic_farmland", "永久基本农田保护图斑{i}", blobs)
    # ... and the designed patches reaching into CZGX's western parcels
    gx = next(g for g in grids if g.design.zone_id == "CZGX")
    west = parcels[(parcels.zone == "CZGX") & (parcels.special == "farmland")]
    for _, p in west.iterrows():
        reach = rng.uniform(25.0, 60.0)
        u0, v0 = p.u0 - 700.0, p.v0 + rng.uniform(0.0, 0.3) * (p.v1 - p.v0)
        u1, v1 = p.u0 + reach, p.v1 - rng.uniform(0.0, 0.3) * (p.v1 - p.v0)
        box = _rot_boxes(np.array([u0]), np.array([v0]), np.array([u1]), np.array([v1]),
                         gx.origin, gx.angle)[0]
        add("basic_farmland", f"永久基本农田保护图斑（高新区西侧{p.row + 1}）", [box])
    # ... and one that touches a parcel by a digitising sliver (0.15 m wide: passes)
    for _, p in parcels[(parcels.zone == "CZGX") & (parcels.special == "farmland_sliver")
                        ].iterrows():
        box = _rot_boxes(np.array([p.u0 - 500.0]), np.array([p.v0 + 0.1 * (p.v1 - p.v0)]),
                         np.array([p.u0 + SLIVER_M]), np.array([p.v1 - 0.1 * (p.v1 - p.v0)]),
                         gx.origin, gx.angle)
        add("basic_farmland", "永久基本农田保护图斑（高新区西侧，边界误差）", box)
    # mining rights: quadrilaterals in the coal counties, one reaching into CZJK's south
    for county, k in (("襄垣县", 4), ("屯留区", 3), ("长子县", 2), ("沁源县", 3), ("武乡县", 2),
                      ("潞城区", 1), ("上党区", 2)):
        poly = shapely.buffer(by_county[county], -2000.0)
        pts = _random_points_in(poly, k, rng)
        w = rng.uniform(1500.0, 4500.0, k)
        h = rng.uniform(1200.0, 3500.0, k)
        quads = shapely.box(pts[:, 0] - w / 2, pts[:, 1] - h / 2, pts[:, 0] + w / 2,
                            pts[:, 1] + h / 2)
        quads = shapely.difference(shapely.intersection(quads, city), keep_clear)
        add("mining_right", f"{county}煤矿采矿权范围{{i}}", quads)
    target = parcels[(parcels.zone == "CZJK") & (parcels.special == "mining_right")]
    if len(target):
        u0, u1 = float(target.u0.min()), float(target.u1.max())
        box = _rot_boxes(np.array([u0 + 0.3 * (u1 - u0)]), np.array([-2500.0]),
                         np.array([u1 + 800.0]),
                         np.array([float(target.v0.min()) + 40.0]), jk.origin, jk.angle)
        add("mining_right", "上党区经开区南采矿权范围", box)
    # geohazard zones along the Taihang front (not used by the default rules)
    pts = _random_points_in(shapely.intersection(by_county["壶关县"], by_county["壶关县"]), 3, rng)
    add("geohazard", "壶关县地质灾害易发区{i}",
        shapely.difference(_blobs(pts[:, 0], pts[:, 1], np.full(3, 8e6), rng), keep_clear))
    add("urban_development_boundary", "长治市城镇开发边界{i}",
        _development_boundary(grids, parcels))
    df = pd.DataFrame.from_records(recs)
    geoms = shapely.make_valid(df.geometry.to_numpy())
    geoms = np.array([_polygonal(gm) for gm in geoms], dtype=object)
    df["geometry"] = geoms
    geoms = df.geometry.to_numpy()
    df = df[~shapely.is_empty(geoms) & (shapely.area(geoms) > 1e3)]
    gdf = gpd.GeoDataFrame(df[["kind", "name"]], geometry=df.geometry.values, crs=ANALYSIS_CRS)
    return _strings(gdf.reset_index(drop=True), ["kind", "name"])


SLIVER_M = 0.15  # width of the designed farmland sliver (m)


def _development_boundary(grids: list[_Grid], parcels: gpd.GeoDataFrame
                          ) -> list[shapely.Geometry]:
    """城镇开发边界: the central city, the county seats and the zones with a margin, except
    for the designed CZLC parcel left outside it (a zone drawn beyond the plan)."""
    seats = [shapely.buffer(shapely.Point(_xy(*ll)), 5000.0 if c == "潞州区" else 1500.0)
             for c, ll in SEATS.items()]
    zones = [shapely.buffer(g.polygon, 600.0) for g in grids]
    boundary = shapely.union_all([*seats, *zones])
    for g in grids:
        for _, p in parcels[(parcels.zone == g.design.zone_id)
                            & (parcels.special == "outside_boundary")].iterrows():
            cut = _rot_boxes(np.array([p.u0 - 2.0]), np.array([p.v0 - 3000.0]),
                             np.array([p.u1 + 2.0]), np.array([p.v1 + 2.0]), g.origin,
                             g.angle)[0]
            boundary = shapely.difference(boundary, cut)
    return list(shapely.get_parts(boundary))
