"""Cached scenario runs for the Scenarios page (Streamlit caching around layers.planning)."""

from __future__ import annotations

from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import streamlit as st

from layers.planning.outcome import ScenarioRun, compare, run_scenario
from layers.planning.saved import saved_scenarios
from layers.planning.scenario import Scenario
from ui import data as uidata
from ui.map import MapData, prepare_map_data

__all__ = ["changed_parcels", "comparison", "projects_table", "run", "scenario_map_data"]

_INFRA = ("roads", "water", "power", "gas")


def projects_table(ws: Any) -> pd.DataFrame:
    """The projects to pick from: the ``projects`` table, plus ids only the layers name."""
    table = ws.read("projects") if ws.has("projects") else None
    cols = ["project_id", "name", "kind", "cost_wan", "planned_date", "funded"]
    table = pd.DataFrame(columns=cols) if table is None else pd.DataFrame(table).copy()
    known = set(table["project_id"].astype(str))
    extra = []
    for kind in _INFRA:
        gdf = ws.read(kind) if ws.has(kind) else None
        if gdf is not None and "project_id" in gdf.columns:
            extra += [p for p in gdf["project_id"].dropna().astype(str).str.strip().unique()
                      if p and p not in known]
    if extra:
        table = pd.concat([table, pd.DataFrame({"project_id": sorted(set(extra))})],
                          ignore_index=True)
    for col in cols:
        if col not in table.columns:
            table[col] = pd.NA
    return table[cols].reset_index(drop=True)


@st.cache_resource(max_entries=16, show_spinner=False)
def _run(path: str, key: str, text: str, as_of: date, build: tuple[str, ...],
         assume: bool) -> ScenarioRun:
    inputs, rules = uidata._inputs(path, key, text)
    baseline = uidata._readiness(path, key, text, as_of)
    ws = uidata._workspace(path, key)
    projects = ws.read("projects") if ws.has("projects") else None
    return run_scenario(inputs, rules, Scenario.of(build, assume_planned=assume), as_of=as_of,
                        projects=projects, baseline=baseline)


def run(snap: uidata.Snapshot, text: str, as_of: date, scenario: Scenario) -> ScenarioRun:
    """The scenario evaluated incrementally against the cached baseline check."""
    return _run(snap.path, snap.key, text, as_of, tuple(sorted(scenario.build)),
                scenario.assume_planned)


def comparison(snap: uidata.Snapshot, text: str, as_of: date, names: list[str]) -> pd.DataFrame:
    """Baseline vs the saved scenarios ``names``: parcels and hectares per status, cost."""
    ws = uidata.load(snap)
    saved = saved_scenarios(ws)
    runs = {n: run(snap, text, as_of, saved[n]) for n in names if n in saved}
    return compare(runs, uidata._readiness(snap.path, snap.key, text, as_of))


def changed_parcels(snap: uidata.Snapshot, sc_run: ScenarioRun) -> gpd.GeoDataFrame:
    """The changed parcels with before/after, area and projects, geometry in EPSG:4326."""
    parcels = sc_run.baseline.parcels
    pos = pd.Index(parcels["parcel_id"].astype(str)).get_indexer(sc_run.changes["parcel_id"])
    geoms = parcels.geometry.iloc[pos].to_crs("EPSG:4326").to_numpy()
    return gpd.GeoDataFrame(sc_run.changes.copy(), geometry=np.asarray(geoms, dtype=object),
                            crs="EPSG:4326")


@st.cache_resource(max_entries=8, show_spinner=False)
def _map(path: str, key: str, text: str, as_of: date, build: tuple[str, ...],
         assume: bool) -> MapData:
    ws = uidata._workspace(path, key)
    sc_run = _run(path, key, text, as_of, build, assume)
    layers = {k: ws.read(k) for k in ("zones", "parcels", *_INFRA) if ws.has(k)}
    return prepare_map_data(layers, overall=sc_run.result.overall)


def scenario_map_data(snap: uidata.Snapshot, text: str, as_of: date,
                      scenario: Scenario) -> MapData:
    """Map data with the parcels coloured by their readiness under the scenario (cached)."""
    return _map(snap.path, snap.key, text, as_of, tuple(sorted(scenario.build)),
                scenario.assume_planned)
