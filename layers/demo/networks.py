"""Infrastructure layers: roads, water, power, the Taihang tourism road and 5G base stations."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.demo._common import ANALYSIS_CRS, SEATS, _rng, _strings, _xy, _xys
from layers.demo._shapes import _clip_out_zones, _wiggle
from layers.demo.zones import MAIN_EVERY, _Grid


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
    for name, cls, road_status, via in regional:
        # roads meet the city's ring at different places, not in one point
        pts = np.array([seat[v] + (rng.normal(0.0, 1500.0, 2) if v == "潞州区" else 0.0)
                        for v in via])
        lines.append((name, cls, road_status,
                      shapely.linestrings(_wiggle(pts, rng, amp=1500.0))))
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
    out = pd.concat([zone_roads, reg, _corridor_rows(grids, "roads")], ignore_index=True)
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
    for name, via, trunk_status, dia, system in trunks:
        p = np.array([node.get(v, corner.get(v)) for v in via])
        tl.append({"kind": "main", "name": name, "status": trunk_status, "diameter_mm": dia,
                   "system": system,
                   "geometry": shapely.linestrings(_wiggle(p, rng, amp=400.0, step=150.0))})
    trunk = pd.DataFrame.from_records(tl)
    # mains that leave a reservoir carry raw water to a plant: transmission, not supply
    trunk.loc[trunk["name"].str.contains("水库"), "kind"] = "raw_main"
    trunk["geometry"] = _clip_out_zones(trunk.geometry.to_numpy(),
                                        np.array([g.polygon for g in grids]), margin=150.0)
    out = pd.concat([lines, trunk, points, _corridor_rows(grids, "water")], ignore_index=True)
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
    out = pd.concat([feeders, hv, sub, _corridor_rows(grids, "power")], ignore_index=True)
    out = out[~shapely.is_empty(out.geometry.to_numpy())]
    gdf = gpd.GeoDataFrame(out[["kind", "voltage_kv", "status", "name"]],
                           geometry=out.geometry.values, crs=ANALYSIS_CRS)
    return _strings(gdf, ["kind", "status", "name"])


# A corridor along the north edge of CZGX's expansion area: an expressway without an exit,
# a raw-water main and a 220 kV line pass the top row's parcels (offsets north of the
# zone's top grid line, m). None of them serves a parcel: the rulebook's filters say so.
CORRIDOR: dict[str, tuple[float, dict[str, object]]] = {
    "roads": (25.0, {"name": "G5512晋新高速（长治北段，无出入口）", "class": "expressway",
                     "status": "existing"}),
    "water": (45.0, {"name": "漳泽水库—高新区北原水输水管", "kind": "raw_main",
                     "status": "existing", "diameter_mm": 1200.0, "system": "潞州区小水网"}),
    "power": (80.0, {"name": "长治220kV东郊—屯留220kV线路", "kind": "line", "voltage_kv": 220.0,
                     "status": "existing"}),
}


def _corridor_rows(grids: list[_Grid], layer: str) -> pd.DataFrame:
    """The corridor feature of ``layer`` (one row, the layer's columns)."""
    g = next(g for g in grids if g.design.zone_id == "CZGX")
    offset, attrs = CORRIDOR[layer]
    u = np.array([g.xs[0] - 1500.0, g.xs[-1] + 1500.0])
    x, y = g.world(u, np.full(2, g.ys[-1] + offset))
    return pd.DataFrame([{**attrs, "geometry": shapely.LineString(np.column_stack([x, y]))}])


def _tourism_connector(tourism: gpd.GeoDataFrame, grids: list[_Grid]) -> gpd.GeoDataFrame:
    """The tourism road with its connector past CZJK's foothill column (setback case)."""
    g = next(g for g in grids if g.design.zone_id == "CZJK")
    u = np.full(2, g.xs[-1] + 120.0)
    x, y = g.world(u, np.array([g.ys[0] - 1000.0, g.ys[-1] + 1000.0]))
    extra = gpd.GeoDataFrame({"segment_id": ["TH-LJ"], "name": ["太行一号旅游公路长治连接线"],
                              "status": ["existing"]},
                             geometry=[shapely.LineString(np.column_stack([x, y]))],
                             crs=tourism.crs)
    out = pd.concat([tourism, extra], ignore_index=True)
    return _strings(gpd.GeoDataFrame(out, geometry="geometry", crs=tourism.crs),
                    ["segment_id", "name", "status"])


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
