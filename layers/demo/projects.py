"""Planned infrastructure projects of the demo: the ``projects`` table and its features.

Every planned or under-construction feature of roads, water and power gets a
``planned_date``; the features of five projects also get a ``project_id``. Building
a project in a scenario (``devzone scenario --build``) makes the parcels it serves
ready. Costs are plausible round figures in 万元, not real budgets.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

__all__ = ["DEMO_PROJECTS", "tag_projects"]


@dataclass(frozen=True)
class _Project:
    project_id: str
    name: str
    kind: str
    cost_wan: float
    planned_date: str
    funded: bool
    layer: str
    zone: str | None          # features inside (100 m around) this zone only
    names: tuple[str, ...]    # features whose name starts with one of these (empty: any)
    also: tuple[tuple[str, str], ...] = ()  # (layer, name prefix): its features in other layers


DEMO_PROJECTS: tuple[_Project, ...] = (
    _Project("LZ-WS-01", "潞州区小水网高新区扩展区供水管网", "water", 3800.0, "2026-06-30", True,
             "water", "CZGX", ("高新区供水干管", "高新区配水支管")),
    _Project("SD-WS-01", "上党区城乡供水一体化荫城线", "water", 2600.0, "2027-03-31", False,
             "water", None, ("城乡供水一体化荫城线", "荫城加压泵站")),
    _Project("GX-RD-01", "高新区扩展区路网工程", "road", 4200.0, "2026-09-30", True,
             "roads", "CZGX", (), also=(("water", "高新区扩展区道路配套给水管"),)),
    _Project("JK-RD-01", "经开区山前道路工程", "road", 2900.0, "2027-06-30", False,
             "roads", "CZJK", ()),
    _Project("GX-PW-01", "高新区北110kV输变电工程及10kV配套线路", "power", 9600.0, "2026-12-31",
             False, "power", None, ("高新区北110kV", "长治220kV东郊—高新区北110kV",
                                    "高新区10kV配电线路")),
)
#: planned completion of not-yet-built features outside every project (per layer)
_OTHER_DATES = {"roads": "2027-12-31", "water": "2026-03-31", "power": "2026-10-31"}


_REGIONAL = ["expressway", "national", "provincial", "county"]
#: the supply pipe laid with GX-RD-01's roads, under the sidewalk (m from the centre line)
_ROAD_PIPE = "高新区扩展区道路配套给水管"
_ROAD_PIPE_OFFSET = 8.0


def _due(gdf: gpd.GeoDataFrame) -> np.ndarray:
    return gdf["status"].astype("string").isin(["planned", "under_construction"]).to_numpy(
        dtype=bool, na_value=False)


def _select(gdf: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, p: _Project) -> np.ndarray:
    """The not-yet-built features of ``gdf`` (project ``p``'s own layer) that ``p`` builds."""
    sel = _due(gdf) & _named(gdf, p.names)
    if p.zone is not None:
        area = zones.geometry[zones["zone_id"] == p.zone].buffer(100.0).union_all()
        sel &= np.asarray(gdf.geometry.intersects(area), dtype=bool)
        if "class" in gdf.columns:
            sel &= ~gdf["class"].astype("string").isin(_REGIONAL).to_numpy(
                dtype=bool, na_value=False)
    return sel


def _named(gdf: gpd.GeoDataFrame, prefixes: tuple[str, ...]) -> np.ndarray:
    """Features whose name starts with one of ``prefixes`` (all when there are none)."""
    if not prefixes:
        return np.ones(len(gdf), dtype=bool)
    name = gdf["name"].astype("string")
    return np.any([name.str.startswith(n).to_numpy(dtype=bool, na_value=False)
                   for n in prefixes], axis=0)


def _add_road_pipes(layers: dict[str, gpd.GeoDataFrame]) -> None:
    """Append the planned supply pipe that GX-RD-01 lays along each of its roads.

    Deterministic (a parallel offset of each road, no random draw), so nothing else in
    the demo changes; planned, so the baseline check does not count it.
    """
    gx = next(p for p in DEMO_PROJECTS if p.project_id == "GX-RD-01")
    roads, water = layers["roads"], layers["water"]
    lines = shapely.offset_curve(roads.geometry.array[_select(roads, layers["zones"], gx)],
                                 _ROAD_PIPE_OFFSET)
    pipes = gpd.GeoDataFrame({"kind": "branch", "status": "planned", "diameter_mm": 200.0,
                              "system": "潞州区小水网", "name": _ROAD_PIPE},
                             index=pd.RangeIndex(len(lines)), geometry=list(lines), crs=water.crs)
    out = pd.concat([water, pipes[water.columns]], ignore_index=True)
    out = gpd.GeoDataFrame(out, geometry=water.geometry.name, crs=water.crs)
    for c in ("kind", "status", "system", "name"):
        out[c] = out[c].astype(water[c].dtype)
    layers["water"] = out


def tag_projects(layers: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """Add ``project_id`` and ``planned_date`` to roads, water and power; the projects table.

    ``layers`` is updated in place: new columns, and the planned pipe GX-RD-01 lays along
    its roads appended to ``water``. Returns the ``projects`` table.
    """
    zones = layers["zones"]
    _add_road_pipes(layers)
    for kind in ("roads", "water", "power"):
        gdf = layers[kind]
        pid = np.full(len(gdf), None, dtype=object)
        day = np.full(len(gdf), None, dtype=object)
        day[_due(gdf)] = _OTHER_DATES[kind]
        for p in DEMO_PROJECTS:
            if p.layer == kind:
                sel = _select(gdf, zones, p)
            else:
                sel = _due(gdf) & np.any([_named(gdf, (n,)) for lay, n in p.also if lay == kind]
                                         + [np.zeros(len(gdf), dtype=bool)], axis=0)
            pid[sel] = p.project_id
            day[sel] = p.planned_date
        gdf["project_id"] = pd.array(pid, dtype="string")
        gdf["planned_date"] = pd.to_datetime(pd.Series(day, index=gdf.index)).astype(
            "datetime64[ms]")
    table = pd.DataFrame({
        "project_id": [p.project_id for p in DEMO_PROJECTS],
        "name": [p.name for p in DEMO_PROJECTS],
        "kind": [p.kind for p in DEMO_PROJECTS],
        "cost_wan": [p.cost_wan for p in DEMO_PROJECTS],
        "planned_date": [p.planned_date for p in DEMO_PROJECTS],
        "funded": [p.funded for p in DEMO_PROJECTS],
    })
    table["planned_date"] = pd.to_datetime(table["planned_date"]).astype("datetime64[ms]")
    return table
