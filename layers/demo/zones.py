"""The three development zones: designed block grids, zone polygons and the zones layer."""

from __future__ import annotations

import math
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from layers.demo._common import ANALYSIS_CRS, _rng, _strings, _xy
from layers.demo._shapes import _rot, _rot_boxes


@dataclass(frozen=True)
class _ZoneDesign:
    zone_id: str
    name: str
    short: str
    kind: str
    level: str
    code: str  # parcel id prefix
    anchor: tuple[float, float]  # lon/lat of the grid's south-west corner
    angle_deg: float
    cols: int
    rows: int
    industries: tuple[tuple[str, float], ...]
    system: str  # water system serving the zone


ZONE_DESIGNS: tuple[_ZoneDesign, ...] = (
    _ZoneDesign("CZGX", "长治高新技术产业开发区", "高新区", "high_tech", "国家级", "GX",
                (113.083, 36.1715), 4.0, 11, 8,
                (("semiconductor", 0.3), ("it_innovation", 0.25), ("photovoltaic", 0.2),
                 ("new_materials", 0.15), ("equipment", 0.1)), "潞州区小水网"),
    _ZoneDesign("CZJK", "长治经济技术开发区", "经开区", "econ_tech", "省级", "JK",
                (113.119, 36.1225), 12.0, 9, 7,
                (("equipment", 0.35), ("new_materials", 0.25), ("photovoltaic", 0.2),
                 ("coal_chemical", 0.2)), "上党区城乡供水一体化"),
    _ZoneDesign("CZLC", "潞城经济技术开发区", "潞城经开区", "econ_tech", "省级", "LC",
                (113.226, 36.3045), -14.0, 7, 5,
                (("coal_chemical", 0.45), ("new_materials", 0.3), ("equipment", 0.25)),
                "潞城区小水网"),
)

MAIN_EVERY = 3  # every third grid line is a main road (wider, with water main and feeder)
HALF_MAIN, HALF_LOCAL = 20.0, 12.0  # half road widths (m)


@dataclass
class _Grid:
    design: _ZoneDesign
    origin: tuple[float, float]
    angle: float
    xs: np.ndarray  # grid line positions along u (cols + 1)
    ys: np.ndarray  # along v (rows + 1)
    mask: np.ndarray  # (rows, cols) cells inside the zone
    used: np.ndarray  # cells with parcels (mask + a few outside)
    expansion: np.ndarray  # cells whose infrastructure is not built yet
    polygon: shapely.Geometry | None = None  # the zone (world coordinates)
    steep_u: float | None = None  # CZJK: u of the foothill escarpment

    def half(self, idx: int | np.ndarray) -> np.ndarray:
        return np.where(np.asarray(idx) % MAIN_EVERY == 0, HALF_MAIN, HALF_LOCAL)

    def world(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return _rot(u, v, self.origin, self.angle)


def _zone_grids(seed: int) -> list[_Grid]:
    rng = _rng(seed, "zones")
    grids = []
    for d in ZONE_DESIGNS:
        xs = np.concatenate([[0.0], np.cumsum(rng.uniform(300.0, 420.0, d.cols))])
        ys = np.concatenate([[0.0], np.cumsum(rng.uniform(240.0, 340.0, d.rows))])
        cu = (xs[:-1] + xs[1:]) / 2 / xs[-1] - 0.5
        cv = (ys[:-1] + ys[1:]) / 2 / ys[-1] - 0.5
        du, dv = np.meshgrid(cu * 2, cv * 2)
        theta = np.arctan2(dv, du)
        radius = 1.08 + 0.16 * np.cos(2 * theta + rng.uniform(0, 2 * np.pi)) \
            + 0.1 * np.cos(3 * theta + rng.uniform(0, 2 * np.pi))
        mask = np.hypot(du, dv) < radius
        mask[:, 0] &= np.abs(dv[:, 0]) < 0.8  # round off the corners a little
        used = mask.copy()
        expansion = np.zeros_like(mask)
        grid = _Grid(d, _xy(*d.anchor), math.radians(d.angle_deg), xs, ys, mask, used, expansion)
        if d.zone_id == "CZGX":
            # northern expansion area: the top two rows (roads being built, water planned)
            expansion[d.rows - 2:, :] = mask[d.rows - 2:, :]
            # one block just outside the zone (a village enterprise), beside a built row
            for r in range(1, d.rows - 2):
                inside = np.flatnonzero(mask[r])
                c = int(inside[-1]) + 1 if len(inside) else d.cols
                if c < d.cols:
                    used[r, c] = True
                    break
        grids.append(grid)
    return grids


def _zone_polygons(grids: list[_Grid]) -> None:
    for g in grids:
        rows, cols = np.nonzero(g.mask)
        cells = _rot_boxes(g.xs[cols], g.ys[rows], g.xs[cols + 1], g.ys[rows + 1],
                           g.origin, g.angle)
        poly = shapely.union_all(shapely.buffer(cells, 0.01, join_style="mitre"))
        poly = shapely.buffer(poly, -0.01, join_style="mitre")
        if g.design.zone_id == "CZGX":
            # the approved boundary cuts the north-east corner diagonally (straddling parcels)
            r = g.design.rows - 3
            c = int(np.flatnonzero(g.mask[r])[-1])
            u0 = g.xs[c] + 0.45 * (g.xs[c + 1] - g.xs[c])
            v0 = g.ys[r + 1]
            far = 1e4
            tri_u = np.array([u0, u0 + far, u0 + far, u0])
            tri_v = np.array([v0 - 0.6 * (g.ys[r + 1] - g.ys[r]), v0 - far, v0 + far, v0 + far])
            x, y = g.world(tri_u, tri_v)
            cut = shapely.Polygon(np.column_stack([x, y]))
            poly = shapely.difference(poly, cut)
        g.polygon = shapely.normalize(poly)


def _zones_layer(grids: list[_Grid]) -> gpd.GeoDataFrame:
    d = [g.design for g in grids]
    gdf = gpd.GeoDataFrame({
        "zone_id": [z.zone_id for z in d], "name": [z.name for z in d],
        "kind": [z.kind for z in d], "level": [z.level for z in d],
    }, geometry=[g.polygon for g in grids], crs=ANALYSIS_CRS)
    return _strings(gdf, ["zone_id", "name", "kind", "level"])
