"""Scenarios upgrade exactly the features of the chosen projects (or the due planned ones)."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import shapely

from layers.planning.scenario import (
    VIA_COLUMN,
    Scenario,
    apply_scenario,
    parcels_in_reach,
    upgraded,
)
from layers.readiness.inputs import ReadinessInputs
from layers.readiness.rulebook import load_rulebook

CRS = "EPSG:4547"


def _inputs() -> ReadinessInputs:
    parcels = gpd.GeoDataFrame({"parcel_id": ["P1"]}, geometry=[shapely.box(0, 0, 10, 10)],
                               crs=CRS)
    water = gpd.GeoDataFrame({
        "kind": ["main", "main", "main", "branch"],
        "status": ["existing", "planned", "under_construction", "planned"],
        "project_id": [None, "W1", "W2", None],
        "planned_date": [None, "2026-03-31", "2025-12-31", "2025-06-30"],
    }, geometry=[shapely.LineString([(0, i), (5, i)]) for i in range(4)], crs=CRS)
    roads = gpd.GeoDataFrame({"status": ["existing"]},
                             geometry=[shapely.LineString([(0, 0), (1, 1)])], crs=CRS)
    return ReadinessInputs(parcels=parcels, layers={"water": water, "roads": roads})


def test_build_upgrades_only_the_named_projects() -> None:
    inp = _inputs()
    out = apply_scenario(inp, Scenario.of(["W2", " "]), date(2025, 6, 30))
    w = out.layers["water"]
    assert w["status"].tolist() == ["existing", "planned", "existing", "planned"]
    assert w[VIA_COLUMN].fillna("-").tolist() == ["-", "-", "W2", "-"]
    assert out.layers["roads"] is inp.layers["roads"]  # untouched layers are shared
    assert inp.layers["water"]["status"].tolist()[2] == "under_construction"  # no mutation


def test_assume_planned_uses_the_check_date() -> None:
    w = _inputs().layers["water"]
    sc = Scenario.of(assume_planned=True)
    assert upgraded(w, sc, date(2025, 6, 29)).tolist() == [False, False, False, False]
    assert upgraded(w, sc, date(2025, 6, 30)).tolist() == [False, False, False, True]
    assert upgraded(w, sc, date(2026, 3, 31)).tolist() == [False, True, True, True]


def test_baseline_changes_nothing() -> None:
    inp = _inputs()
    assert apply_scenario(inp, Scenario(), date(2030, 1, 1)) is inp


def test_parcels_in_reach_use_the_rule_distance() -> None:
    parcels = gpd.GeoDataFrame({"parcel_id": ["near", "far", "other"]}, geometry=[
        shapely.box(0, 10, 10, 20), shapely.box(0, 200, 10, 210), shapely.box(500, 0, 510, 10)],
        crs=CRS)
    water = gpd.GeoDataFrame({"kind": ["main"], "status": ["planned"], "project_id": ["W1"]},
                             geometry=[shapely.LineString([(0, 0), (10, 0)])], crs=CRS)
    inp = ReadinessInputs(parcels=parcels, layers={"water": water})
    rb = load_rulebook(
        '[meta]\nname = "t"\nversion = "1"\n[[rule]]\nid = "water"\nkind = "distance"\n'
        'label = { zh = "通水", en = "Water" }\nlayer = "water"\nmax_m = 100.0\n')
    day = date(2025, 1, 1)
    assert parcels_in_reach(inp, rb, Scenario.of(["W1"]), day).tolist() == [0]
    assert parcels_in_reach(inp, rb, Scenario.of(["W9"]), day).tolist() == []
