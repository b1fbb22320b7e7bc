"""Standard-land parcels: blocks cut into parcels, designed special cases, indicators."""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.measure import area_ha, zorder
from layers.demo._common import ANALYSIS_CRS, _rng
from layers.demo._shapes import _rot_boxes
from layers.demo.zones import _Grid

INDUSTRY_LAND_USE = {"semiconductor": "100101", "it_innovation": "100101",
                     "photovoltaic": "100102", "new_materials": "100102",
                     "equipment": "100102", "coal_chemical": "100103",
                     "steel": "100103", "coke": "100103", "power": "100103"}
LEGACY_LAND_USE = {"100101": "M1", "100102": "M2", "100103": "M3"}
COMMERCIAL_LAND_USE = "0901"  # 商业用地: the designed parcel whose planned use is not industrial
ADMIN_RATIO_MAX, GREEN_RATIO_MAX = 7.0, 20.0  # the rulebook's admin_ratio and green_ratio caps

# Indicator bounds used when no rulebook text is given (mirror the default rulebook:
# its pre-supply ``by_industry`` and its ``contract_by_industry`` tables merged).
_DEFAULT_ROWS = {  # industry: invest_intensity, far, tax_per_mu, energy_per_output
    "photovoltaic": (300.0, 1.0, 15.0, 0.5), "semiconductor": (400.0, 1.2, 20.0, 0.3),
    "it_innovation": (350.0, 1.5, 25.0, 0.2), "coal_chemical": (250.0, 0.6, 12.0, 1.5),
    "equipment": (250.0, 0.8, 12.0, 0.5), "new_materials": (300.0, 1.0, 15.0, 0.6),
    "steel": (250.0, 0.6, 10.0, 1.2), "coke": (200.0, 0.5, 8.0, 2.0),
    "power": (200.0, 0.5, 10.0, 2.5),
}
DEFAULT_INDICATORS: dict[str, dict[str, dict[str, float]]] = {
    code: {"invest_intensity": {"min": inv}, "far": {"min": far},
           "building_coverage": {"min": 30.0}, "tax_per_mu": {"min": tax},
           "energy_per_output": {"max": energy}}
    for code, (inv, far, tax, energy) in _DEFAULT_ROWS.items()
}
# a parcel without one of these cannot be judged before supply (incomplete)
PRE_SUPPLY = ("far", "building_coverage")
INDICATORS = ("invest_intensity", "far", "building_coverage", "tax_per_mu", "energy_per_output")
_DECIMALS = {"invest_intensity": 0, "far": 2, "building_coverage": 1, "tax_per_mu": 1,
             "energy_per_output": 3}

PARCEL_GAP = 6.0  # between parcels of one block (m)


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
        _planning_cases(df, g, industry, seed)
        ind = _indicator_values(industry, bounds, rng)
        for name, values in ind.items():
            df[name] = values
        low = (df.special == "low_investment").to_numpy()
        for i in np.flatnonzero(low):
            floor = (bounds.get(str(industry[i])) or DEFAULT_INDICATORS[str(industry[i])]
                     ).get("invest_intensity", {"min": 300.0}).get("min", 300.0)
            df.loc[df.index[i], "invest_intensity"] = round(floor * rng.uniform(0.6, 0.85))
        miss = np.flatnonzero((df.special == "missing_indicator").to_numpy())
        for j, i in enumerate(miss):  # a planned value and a pre-supply indicator not set yet
            df.loc[df.index[i], ["tax_per_mu", PRE_SUPPLY[0]] if j % 2 == 0
                   else ["energy_per_output", PRE_SUPPLY[1]]] = np.nan
        industry[(df.special == "no_industry").to_numpy()] = None
        df["industry"] = industry
        df["green_ratio"] = np.round(rng.uniform(8.0, 18.0, n), 1)
        land_use = np.array([INDUSTRY_LAND_USE.get(str(i), "100102") for i in industry],
                            dtype=object)
        legacy = rng.random(n) < 0.12
        land_use[legacy] = [LEGACY_LAND_USE[v] for v in land_use[legacy]]
        land_use[(df.special == "commercial_use").to_numpy()] = COMMERCIAL_LAND_USE
        _ratios(df, seed)
        df["land_use"] = land_use
        df["supply_status"] = rng.choice(["for_supply", "reserve", "supplied",
                                          "under_construction"], size=n,
                                         p=[0.55, 0.25, 0.12, 0.08])
        df.loc[df.special.isin(["expansion", "outside"]), "supply_status"] = "reserve"
        df["net_land"] = (df.special != "not_net_land").to_numpy()
        df["site_leveled"] = ~df.special.isin(["steep", "expansion", "outside"]).to_numpy()
        # numpy's stubs reject None as a choice; at run time it makes an object array
        df["zone_id"] = np.where(df.outside, None, d.zone_id)  # type: ignore[call-overload]
        df["rand"] = rng.permutation(n)
        frames.append(df)
    all_ = pd.concat(frames, ignore_index=True)
    all_["priority"] = _priority(all_)
    area = area_ha(all_.geometry)
    all_["area_ha"] = np.round(area * (1 + rng.uniform(-0.012, 0.012, len(all_))), 2)
    return gpd.GeoDataFrame(all_, geometry="geometry", crs=ANALYSIS_CRS)


def _planning_cases(df: pd.DataFrame, g: _Grid, industry: np.ndarray, seed: int) -> None:
    """The designed cases of the planning and setback rules (their own random stream, so
    the other designed cases and values stay as they were)."""
    rng = _rng(seed, "planning")
    zone = g.design.zone_id

    def free(extra: np.ndarray | None = None) -> np.ndarray:
        ok = (df.special == "").to_numpy()
        return np.flatnonzero(ok if extra is None else ok & extra)

    def mark(pool: np.ndarray, label: str) -> None:
        if len(pool):
            df.loc[df.index[int(rng.choice(pool))], "special"] = label

    if zone == "CZGX":
        mark(free(), "commercial_use")            # planned use 商业用地, not industrial
        mark(free(), "green_over")                # green ratio above 20 %
        # a farmland patch touches the west-most parcel of row 4 by a digitising sliver
        west = np.flatnonzero(g.mask[4])
        if len(west):
            cell = free(((df.row == 4) & (df.col == int(west[0]))).to_numpy())
            if len(cell):
                df.loc[df.loc[df.index[cell], "u0"].idxmin(), "special"] = "farmland_sliver"
    elif zone == "CZJK":
        row0 = np.flatnonzero(g.mask[0])
        if len(row0) >= 4:  # a restored-but-not-accepted mine reaches into row 0
            mark(free(((df.row == 0) & (df.col == int(row0[1]))).to_numpy()), "completed_mine")
        mark(free(), "admin_over")                # administrative facilities above 7 %
    elif zone == "CZLC":
        mark(free((df.row == 0).to_numpy()), "outside_boundary")  # 城镇开发边界 cuts it off
        mark(free(), "archaeology_pending")       # its 考古调查勘探 is still pending
        # a coal-chemical parcel on the east edge, a village beyond (residential setback)
        mid = g.design.rows // 2
        east = np.flatnonzero(g.mask[mid])
        if len(east):
            cell = free(((df.row == mid) & (df.col == int(east[-1]))).to_numpy())
            if len(cell):
                i = df.loc[df.index[cell], "u1"].idxmax()
                df.loc[i, "special"] = "near_village"
                industry[df.index.get_loc(i)] = "coal_chemical"


def _ratios(df: pd.DataFrame, seed: int) -> None:
    """``admin_ratio`` (%) within its cap and the designed cases above the caps."""
    rng = _rng(seed, "planning")
    df["admin_ratio"] = np.round(rng.uniform(2.5, 6.5, len(df)), 1)
    df.loc[df.special == "admin_over", "admin_ratio"] = ADMIN_RATIO_MAX + 2.5
    df.loc[df.special == "green_over", "green_ratio"] = GREEN_RATIO_MAX + 4.0


def _priority(cand: pd.DataFrame) -> np.ndarray:
    """The designed cases first, then a random order (which parcels ``--parcels N`` keeps)."""
    return cand["rand"].to_numpy() + np.where(cand["special"] != "", 0, 100_000)


PARCEL_COLUMNS = ["parcel_id", "name", "zone_id", "land_use", "area_ha", "supply_status",
                  "industry", "site_leveled", "net_land", *INDICATORS, "green_ratio",
                  "admin_ratio"]


_Blocks = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _outer_blocks(n: int, rng: np.random.Generator, grids: list[_Grid],
                  centre: tuple[float, float]) -> tuple[_Blocks, float]:
    """Blocks (x0, y0, x1, y1, holds two parcels) nearest ``centre`` for ``n`` parcels; pitch."""
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
    return (x0, y0, x1, y1, two), pitch


def _outer_frame(blocks: _Blocks, pitch: float, rng: np.random.Generator,
                 bounds: dict[str, dict[str, dict[str, float]]], planning: np.random.Generator,
                 first: int = 1) -> gpd.GeoDataFrame:
    """The parcels of ``blocks`` (one or two each), numbered from ``CZ{first:07d}``.

    ``planning`` draws the planning indicators (its own stream, as for the zones).
    """
    x0, y0, x1, y1, two = blocks
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
    codes = np.array(sorted(INDUSTRY_LAND_USE))  # the industries the zones hold
    industry = codes[rng.integers(0, len(codes), m)].astype(object)
    ind = _indicator_values(industry, bounds, rng)
    missing = rng.random(m) < 0.05
    ind["tax_per_mu"][missing] = np.nan
    ind[PRE_SUPPLY[0]][missing] = np.nan
    area = (px1 - px0) * (py1 - py0) / 1e4
    land_use = np.array([INDUSTRY_LAND_USE[i] for i in industry], dtype=object)
    data: dict[str, Any] = {
        "parcel_id": np.char.add("CZ", np.char.zfill(np.arange(first, first + m).astype(str),
                                                     7)),
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
        "admin_ratio": np.round(planning.uniform(2.5, 6.5, m), 1),
    }
    return gpd.GeoDataFrame(data, geometry=geom, crs=ANALYSIS_CRS)


def _outer_parcels(n: int, seed: int, grids: list[_Grid], centre: tuple[float, float],
                   bounds: dict[str, dict[str, dict[str, float]]]) -> gpd.GeoDataFrame:
    """``n`` synthetic parcels on a jittered grid in the basin around the zones (vectorised)."""
    rng = _rng(seed, "outer")
    blocks, pitch = _outer_blocks(n, rng, grids, centre)
    return _outer_frame(blocks, pitch, rng, bounds, _rng(seed, "planning"))


def outer_parcel_batches(n: int, seed: int, grids: list[_Grid], centre: tuple[float, float],
                         bounds: dict[str, dict[str, dict[str, float]]], *,
                         batch: int = 250_000) -> Iterator[gpd.GeoDataFrame]:
    """The basin parcels of :func:`_outer_parcels`' layout, ~``batch`` at a time.

    Blocks are taken in Z-order of their centres, so each batch is a compact area
    (a spatial partition); each batch draws its attributes from its own random
    stream, so only one batch is in memory at a time.
    """
    blocks, pitch = _outer_blocks(n, _rng(seed, "outer"), grids, centre)  # same layout
    x0, y0, x1, y1, _ = blocks
    order = np.argsort(zorder((x0 + x1) / 2, (y0 + y1) / 2), kind="stable")
    step = max(1, int(batch / 1.5))
    first = 1
    for i, start in enumerate(range(0, len(order), step)):
        sel = order[start:start + step]
        gdf = _typed_parcels(_outer_frame(tuple(a[sel] for a in blocks),  # type: ignore[arg-type]
                                          pitch, _rng(seed, "outer", i + 1), bounds,
                                          _rng(seed, "planning", i + 1), first))
        first += len(gdf)
        yield gdf


def _parcels(candidates: gpd.GeoDataFrame, n: int, seed: int, grids: list[_Grid],
             centre: tuple[float, float], bounds: dict[str, dict[str, dict[str, float]]]
             ) -> gpd.GeoDataFrame:
    chosen = candidates.sort_values("priority", kind="stable").head(n)
    chosen = chosen.sort_values(["zone", "row", "col", "k"], kind="stable")
    out = gpd.GeoDataFrame(chosen[PARCEL_COLUMNS], geometry=chosen.geometry.values,
                           crs=ANALYSIS_CRS).reset_index(drop=True)
    _heavy_industry(out, seed, bounds)
    if n > len(candidates):
        outer = _outer_parcels(n - len(candidates), seed, grids, centre, bounds)
        out = pd.concat([out, outer], ignore_index=True)
    return _typed_parcels(out)


#: 潞城经开区's coking, steel and power plants (the zone's coal-based industries)
HEAVY_INDUSTRIES = ("steel", "coke", "power", "coke")


def _heavy_industry(df: pd.DataFrame, seed: int,
                    bounds: dict[str, dict[str, dict[str, float]]]) -> None:
    """Turn a few of 潞城's coal-chemical parcels into steel, coke and power plants.

    Chosen among parcels whose indicators are complete, on their own random stream
    (so every other parcel keeps its values), with indicators that meet the new
    industry's bounds; their planned use stays 三类工业 (100103, or M3).
    """
    rng = _rng(seed, "heavy_industry")
    pool = np.flatnonzero((df["zone_id"].astype("string") == "CZLC").to_numpy(dtype=bool,
                                                                            na_value=False)
                          & (df["industry"] == "coal_chemical").to_numpy(dtype=bool)
                          & df[list(INDICATORS)].notna().all(axis=1).to_numpy())
    picked = _choose(rng, pool, len(HEAVY_INDUSTRIES))
    if not len(picked):
        return
    codes = np.array(HEAVY_INDUSTRIES[:len(picked)], dtype=object)
    values = _indicator_values(codes, bounds, rng)
    rows = df.index[np.sort(picked)]
    df.loc[rows, "industry"] = codes
    for name, vals in values.items():
        df.loc[rows, name] = vals


def _typed_parcels(df: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    for col in ("parcel_id", "name", "zone_id", "land_use", "supply_status", "industry"):
        df[col] = df[col].astype("string")
    for col in ("site_leveled", "net_land"):
        df[col] = df[col].astype(bool)
    return df


def indicator_bounds(rules_text: str | None) -> dict[str, dict[str, dict[str, float]]]:
    """Per industry, the bounds of the rulebook's indicators rule (defaults if absent).

    The pre-supply ``by_industry`` table and the contract conditions
    (``contract_by_industry``) are merged: a demo parcel carries both its
    planned FAR and its planned tax per mu.
    """
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
                out = {str(k): dict(v) for k, v in table.items() if isinstance(v, dict)}
                contract = rule.get("contract_by_industry")
                for k, v in (contract.items() if isinstance(contract, dict) else ()):
                    if isinstance(v, dict):
                        out.setdefault(str(k), {}).update(v)
                return out
    return DEFAULT_INDICATORS
