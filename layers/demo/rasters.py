"""Demo rasters: the DEM, the 5G RSRP coverage and the NDVI epochs around the mines."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine

from layers.demo._common import _STREAMS, BASIN_COUNTIES, NODATA, _rng, _xy, _xys
from layers.demo._shapes import _fractal, _random_points_in, _smoothstep, _unrot, _value_noise
from layers.demo.containers import DemoRaster
from layers.demo.mines import _MineMeta
from layers.demo.networks import RSRP_D0, RSRP_FLOOR, RSRP_N, _rsrp_at
from layers.demo.zones import _Grid


def _grid_for(counties: gpd.GeoDataFrame, cell: float, margin: float
              ) -> tuple[Affine, int, int]:
    xmin, ymin, xmax, ymax = counties.total_bounds
    xmin = math.floor((xmin - margin) / cell) * cell
    ymin = math.floor((ymin - margin) / cell) * cell
    xmax = math.ceil((xmax + margin) / cell) * cell
    ymax = math.ceil((ymax + margin) / cell) * cell
    width = round((xmax - xmin) / cell)
    height = round((ymax - ymin) / cell)
    return Affine(cell, 0.0, xmin, 0.0, -cell, ymax), width, height


def _centres(transform: Affine, r0: int, r1: int, c0: int, c1: int
             ) -> tuple[np.ndarray, np.ndarray]:
    xs = transform.c + (np.arange(c0, c1) + 0.5) * transform.a
    ys = transform.f + (np.arange(r0, r1) + 0.5) * transform.e
    return np.meshgrid(xs, ys)


# mountain fronts (lon/lat): the land rises east of the Taihang line and west of the Taiyue line
TAIHANG_FRONT = [(113.235, 35.75), (113.215, 36.05), (113.255, 36.20), (113.335, 36.33),
                 (113.335, 36.45), (113.230, 36.62), (113.120, 36.80), (113.000, 37.20)]
TAIYUE_FRONT = [(112.600, 35.75), (112.620, 36.20), (112.580, 36.50), (112.620, 36.80),
                (112.700, 37.20)]


def _front_x(front: list[tuple[float, float]], y: np.ndarray) -> np.ndarray:
    xy = _xys(front)
    return np.interp(y, xy[:, 1], xy[:, 0])


def _dem(counties: gpd.GeoDataFrame, grids: list[_Grid], seed: int) -> DemoRaster:
    """Elevation (m): basin ≈ 900–950 m, Taihang east to ≈ 1800 m, Taiyue west, zones levelled."""
    rng = _rng(seed, "dem")
    transform, width, height = _grid_for(counties, 100.0, 3000.0)
    x, y = _centres(transform, 0, height, 0, width)
    east = x - _front_x(TAIHANG_FRONT, y)
    west = _front_x(TAIYUE_FRONT, y) - x
    y_north = _xy(112.9, 36.62)[1]
    rise_e = 560.0 * _smoothstep(east / 30_000.0) + 160.0 * _smoothstep(east / 4_000.0)
    rise_w = 520.0 * _smoothstep(west / 32_000.0) + 100.0 * _smoothstep(west / 5_000.0)
    rise_n = 180.0 * _smoothstep((y - y_north) / 40_000.0)
    mountains = np.maximum.reduce([_smoothstep(east / 15_000.0), _smoothstep(west / 15_000.0),
                                   0.5 * _smoothstep((y - y_north) / 30_000.0)])
    noise = _fractal((height, width), rng, beta=3.2)
    detail = _fractal((height, width), rng, beta=2.2)
    amp = 12.0 + 150.0 * mountains
    # levelled ground in and around the zones (site levelling done)
    flat = np.zeros_like(x)
    for g in grids:
        u, v = _unrot(x, y, g.origin, g.angle)
        du = np.maximum(np.maximum(-u, u - g.xs[-1]), 0.0)
        dv = np.maximum(np.maximum(-v, v - g.ys[-1]), 0.0)
        flat = np.maximum(flat, 1.0 - _smoothstep((np.hypot(du, dv) - 300.0) / 1500.0))
    elev = (925.0 + rise_e + rise_w + rise_n + amp * noise * (1.0 - 0.9 * flat)
            + (2.0 + 40.0 * mountains) * detail * (1.0 - flat))
    # a few rounded hills in the basin, away from the zones
    basin = shapely.union_all(counties.geometry[counties.county.isin(BASIN_COUNTIES)].array)
    away = shapely.difference(basin, shapely.buffer(shapely.union_all(
        [g.polygon for g in grids]), 6000.0))
    for hx, hy in _random_points_in(away, 7, rng):
        rise, sigma = rng.uniform(60.0, 240.0), rng.uniform(1200.0, 3000.0)
        elev += rise * np.exp(-((x - hx) ** 2 + (y - hy) ** 2) / (2 * sigma**2))
    # CZJK's east edge: the first Taihang foothill (an escarpment ≈ 150 m high)
    for g in grids:
        if g.steep_u is None:
            continue
        u, v = _unrot(x, y, g.origin, g.angle)
        vc, half = g.ys[-1] / 2, g.ys[-1] / 2
        taper = 1.0 - _smoothstep((np.abs(v - vc) - half) / 2500.0)
        taper *= 1.0 - _smoothstep((u - g.steep_u - 2000.0) / 5000.0)  # a hill, not a wall
        elev += 150.0 * 0.5 * (1.0 + np.tanh((u - g.steep_u) / 280.0)) * taper  # logistic
    return DemoRaster("rasters/dem.tif", transform, width, height,
                      array=np.round(elev, 1).astype("float32"), unit="m")


def _rsrp(counties: gpd.GeoDataFrame, stations: gpd.GeoDataFrame, seed: int) -> DemoRaster:
    """Best-server RSRP (dBm) from the existing stations: log-distance path loss + shadowing."""
    from rasterio.features import geometry_mask

    rng = _rng(seed, "rsrp")
    cell = 50.0
    transform, width, height = _grid_for(counties, cell, 1000.0)
    out = np.full((height, width), RSRP_FLOOR, dtype="float32")
    live = stations[stations.status == "existing"]
    xy = shapely.get_coordinates(live.geometry.array)
    r0s = live["rsrp_ref_dbm"].to_numpy(dtype=float)
    reach = RSRP_D0 * 10.0 ** ((r0s - RSRP_FLOOR) / (10.0 * RSRP_N))
    waves = [(rng.uniform(0, 2 * np.pi), 2 * np.pi / rng.uniform(600.0, 3000.0),
              rng.uniform(0, 2 * np.pi)) for _ in range(4)]
    for (sx, sy), r0, rad in zip(xy, r0s, reach, strict=True):
        c0 = max(int((sx - rad - transform.c) / cell), 0)
        c1 = min(int((sx + rad - transform.c) / cell) + 1, width)
        r0_ = max(int((transform.f - (sy + rad)) / cell), 0)
        r1 = min(int((transform.f - (sy - rad)) / cell) + 1, height)
        if c0 >= c1 or r0_ >= r1:
            continue
        gx, gy = _centres(transform, r0_, r1, c0, c1)
        val = _rsrp_at(np.hypot(gx - sx, gy - sy), r0)
        shadow = sum(np.sin(k * (gx * math.cos(a) + gy * math.sin(a)) + p)
                     for a, k, p in waves)
        val = val + 2.0 * shadow
        np.maximum(out[r0_:r1, c0:c1], val.astype("float32"), out=out[r0_:r1, c0:c1])
    np.clip(out, RSRP_FLOOR, -40.0, out=out)
    city = shapely.union_all(counties.geometry.to_numpy())
    outside = geometry_mask([city], out_shape=(height, width), transform=transform)
    out[outside] = NODATA
    return DemoRaster("rasters/rsrp_5g.tif", transform, width, height,
                      array=np.round(out, 1), unit="dBm")


NDVI_EPOCHS = {"2020": pd.Timestamp("2020-07-15"), "2025": pd.Timestamp("2025-06-15")}


def _site_ndvi(mines: gpd.GeoDataFrame, meta: _MineMeta, rng: np.random.Generator
               ) -> dict[str, np.ndarray]:
    """Mean NDVI of each site per epoch, from the stage it had reached by then."""
    out = {}
    for epoch, when in NDVI_EPOCHS.items():
        level = np.empty(len(mines))
        for i, ms in enumerate(meta.milestones):
            reached = [k for k in range(1, len(ms)) if ms[k] <= when]
            k = max(reached) if reached else 0
            if k >= 4:  # accepted and later: vegetation established
                val = rng.uniform(0.50, 0.65)
            elif k == 3:
                val = rng.uniform(0.30, 0.42)
            elif k == 2:
                val = 0.12 + 0.18 * rng.uniform(0.3, 1.0)
            else:
                val = rng.uniform(0.07, 0.14)
            if meta.special[i] == "no_green" and epoch != "2020":
                val = rng.uniform(0.12, 0.19)
            level[i] = val
        out[epoch] = level
    return out


def _ndvi(counties: gpd.GeoDataFrame, mines: gpd.GeoDataFrame, meta: _MineMeta, seed: int
          ) -> dict[str, DemoRaster]:
    """NDVI (−1..1) at 20 m, written only in 128-cell blocks around the mine sites (sparse)."""
    from rasterio.features import rasterize

    rng = _rng(seed, "ndvi")
    cell, block = 20.0, 128
    transform, width, height = _grid_for(counties, cell, 1000.0)
    levels = _site_ndvi(mines, meta, rng)
    salt = int(rng.integers(0, 2**31))
    geoms = mines.geometry.array
    tree = shapely.STRtree(geoms)
    need: set[tuple[int, int]] = set()
    for xmin, ymin, xmax, ymax in shapely.bounds(shapely.buffer(geoms, 700.0)):
        c0 = int((xmin - transform.c) / cell) // block
        c1 = int((xmax - transform.c) / cell) // block
        r0 = int((transform.f - ymax) / cell) // block
        r1 = int((transform.f - ymin) / cell) // block
        need.update((r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1))
    rasters = {e: DemoRaster(f"rasters/ndvi_{e}.tif", transform, width, height, block=block,
                             unit="NDVI") for e in NDVI_EPOCHS}
    for br, bc in sorted(need):
        r0, c0 = br * block, bc * block
        r1, c1 = min(r0 + block, height), min(c0 + block, width)
        if r0 >= r1 or c0 >= c1:
            continue
        gx, gy = _centres(transform, r0, r1, c0, c1)
        # land cover: grass and crops 0.45–0.70, woods +0.12, villages and bare fields ≈ 0.2
        cover = 0.45 + 0.25 * (0.7 * _value_noise(gx, gy, 1500.0, salt)
                               + 0.3 * _value_noise(gx, gy, 400.0, salt + 1))
        cover += 0.12 * _smoothstep((_value_noise(gx, gy, 2500.0, salt + 2) - 0.6) / 0.15)
        bare = _smoothstep((_value_noise(gx, gy, 500.0, salt + 3) - 0.72) / 0.08)
        cover = cover * (1 - bare) + (0.14 + 0.1 * _value_noise(gx, gy, 200.0, salt + 4)) * bare
        btf = transform @ Affine.translation(c0, r0)
        bbox = shapely.box(btf.c, btf.f + (r1 - r0) * btf.e, btf.c + (c1 - c0) * btf.a, btf.f)
        hits = tree.query(bbox)
        ids = np.zeros((r1 - r0, c1 - c0), dtype="int32")
        if len(hits):
            ids = rasterize(((geoms[i], int(i) + 1) for i in hits), out_shape=ids.shape,
                            transform=btf, fill=0, dtype="int32")
        brng = np.random.default_rng([seed, _STREAMS["ndvi"], br, bc])
        for j, epoch in enumerate(NDVI_EPOCHS):
            val = cover + 0.015 * j + brng.normal(0.0, 0.025, ids.shape)
            inside = ids > 0
            if inside.any():
                site_level = levels[epoch][ids[inside] - 1]
                val[inside] = site_level + brng.normal(0.0, 0.03, int(inside.sum()))
            full = np.full((block, block), NODATA, dtype="float32")
            full[: r1 - r0, : c1 - c0] = np.round(np.clip(val, -1.0, 1.0), 3)
            rasters[epoch].blocks[(br, bc)] = full
    return rasters
