"""Abandoned-mine restoration sites and their inspection histories."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis import measure
from layers.demo._common import ANALYSIS_CRS, AS_OF, _rng, _strings
from layers.demo._shapes import _blobs, _random_points_in
from layers.demo.zones import _Grid

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


def _mine_centres(by_county: dict[str, Any], avoid: Any, road: Any, rng: np.random.Generator
                  ) -> tuple[list[np.ndarray], list[str], list[str]]:
    """Site centres per county of :data:`MINE_COUNTIES`, at least 1.5 km apart, away from
    the zones (``avoid``); rock quarries lie beside the tourism ``road``. Returns the
    centres and each one's county and mine group."""
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
    return centres, county_of, group_of

def _mines(counties: gpd.GeoDataFrame, grids: list[_Grid], candidates: gpd.GeoDataFrame,
           tourism: gpd.GeoDataFrame, seed: int) -> tuple[gpd.GeoDataFrame, _MineMeta]:
    rng = _rng(seed, "mines")
    by_county = dict(zip(counties.county, counties.geometry, strict=True))
    adcode = dict(zip(counties.county, counties.adcode, strict=True))
    avoid = shapely.buffer(shapely.union_all([g.polygon for g in grids]), 2000.0)
    road = shapely.union_all(tourism.geometry.to_numpy())
    centres, county_of, group_of = _mine_centres(by_county, avoid, road, rng)
    n = len(centres)
    xy = np.array(centres)
    area_ha = np.exp(rng.uniform(np.log(1.2), np.log(28.0), n))
    geoms = list(_blobs(xy[:, 0], xy[:, 1], area_ha * 1e4, rng, n=30, rough=0.3,
                        stretch=rng.uniform(1.0, 2.2, n)))
    stages = [s for s, c in STAGE_COUNTS.items() for _ in range(c)]
    stages = list(rng.permutation(stages))[:n] + ["not_started"] * max(0, n - sum(
        STAGE_COUNTS.values()))
    special = [""] * n
    jk = next(g for g in grids if g.design.zone_id == "CZJK")

    def designed(case: str, stage: str, label: str, blob_rng: np.random.Generator) -> None:
        """A site reaching ~55 m into the CZJK parcel designed as ``case``."""
        nonlocal xy, n
        target = candidates[candidates.special == case]
        if not len(target):
            return
        t = target.iloc[0]
        x, y = jk.world(np.array([(t.u0 + t.u1) / 2]), np.array([t.v0 - 95.0]))
        geoms.append(_blobs(x, y, np.array([7e4]), blob_rng, rough=0.05)[0])
        xy = np.concatenate([xy, [[x[0], y[0]]]])
        hit = [c for c, pl in by_county.items() if pl.contains(shapely.Point(x[0], y[0]))]
        county_of.append(hit[0] if hit else "上党区")
        group_of.append("coal")
        stages.append(stage)
        special.append(label)
        n += 1

    designed("unrestored_mine", "not_started", "designed_unrestored", rng)
    # works completed but not accepted: still unrestored for the rulebook
    designed("completed_mine", "completed", "designed_completed", _rng(seed, "planning"))
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
        target_date.append(_target_date(t0, gaps, s, special[i], as_of, rng))
    area_geom = measure.area_ha(np.array(geoms))
    final = np.select([stage_idx <= 1, stage_idx == 2, stage_idx == 3],
                      [0.0, rng.uniform(0.15, 0.7, n), rng.uniform(0.85, 0.98, n)],
                      rng.uniform(0.95, 1.0, n))
    final = np.where(np.array(special) == "overflow", 1.07, final)
    # rounded down: only the designed "overflow" site reports more than its area
    restored = np.floor(area_geom * final * 100.0) / 100.0
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


def _target_date(t0: pd.Timestamp, gaps: np.ndarray, s: int, special: str,
                 as_of: pd.Timestamp, rng: np.random.Generator) -> pd.Timestamp:
    """The planned completion of a site started on ``t0`` and now in stage ``s``: overdue
    and due-soon sites by design, other unfinished ones still ahead of ``as_of``."""
    planned = gaps[1:3].sum() * rng.uniform(0.9, 1.3)  # planned completion
    tgt = t0 + pd.Timedelta(days=float(planned))
    if special == "overdue":
        tgt = t0 + pd.Timedelta(days=float(rng.uniform(300.0, 450.0)))
    elif special == "due_soon":
        tgt = pd.Timestamp(str(rng.choice(["2025-09-30", "2026-03-31"])))
    elif s < _STAGE_IDX["completed"] and tgt < as_of:
        tgt = as_of + pd.Timedelta(days=int(rng.integers(200, 700)))
    return tgt.normalize()

def _restored_fraction(stage_i: int, d: pd.Timestamp, t_ip: pd.Timestamp | None,
                       t_done: pd.Timestamp | None, last: pd.Timestamp, final_hist: float
                       ) -> float:
    """Share of the site restored at inspection date ``d`` (stage index ``stage_i``): none
    before works start, growing during works (``t_ip`` to ``t_done``), then final."""
    if stage_i <= 1 or t_ip is None:
        return 0.0
    if stage_i == 2:
        end = t_done if t_done is not None else last
        span = max((end - t_ip).days, 1)
        return min(0.95, (d - t_ip).days / span) * (final_hist / 0.95
                                                  if t_done is None else 1.0)
    return final_hist

def _inspections(mines: gpd.GeoDataFrame, meta: _MineMeta, seed: int) -> pd.DataFrame:
    rng = _rng(seed, "inspections")
    as_of = pd.Timestamp(AS_OF)
    stage_names = list(STAGE_COUNTS)
    rows: list[dict[str, Any]] = []
    area = np.asarray(measure.area_ha(mines.geometry), dtype=float)
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
            frac = _restored_fraction(stage_i, d, t_ip, t_done, last, final_hist)
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
