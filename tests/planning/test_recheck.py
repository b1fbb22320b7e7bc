"""The incremental re-check equals a full check where the projects' features are existing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layers.planning.outcome import run_scenario, scenario_changes
from layers.planning.recheck import evaluate_scenario, via_text
from layers.planning.scenario import INFRA_LAYERS, Scenario
from layers.readiness import evaluate, inputs_from_workspace, rulebook_in_force
from layers.readiness.inputs import ReadinessInputs
from layers.readiness.rulebook import load_rulebook
from layers.workspace import Workspace

CRS = "EPSG:4547"
DAY = date(2025, 6, 30)
RULES = load_rulebook(
    '[meta]\nname = "t"\nversion = "1"\n'
    '[[rule]]\nid = "road"\nkind = "distance"\nlabel = { zh = "通路", en = "Road" }\n'
    'layer = "roads"\nfilter = { status = "existing" }\nmax_m = 50.0\n'
    '[[rule]]\nid = "water"\nkind = "distance"\nlabel = { zh = "通水", en = "Water" }\n'
    'layer = "water"\nfilter = { status = "existing", kind = ["main"] }\nmax_m = 100.0\n'
    'cost_per_m = 500.0\n'
    '[[rule]]\nid = "in_zone"\nkind = "within"\nlabel = { zh = "区内", en = "In zone" }\n'
    'layer = "zones"\nmin_fraction = 0.9\n')


def _hand_made() -> ReadinessInputs:
    """Nine parcels in a row; two water projects, one road project, one plain planned road."""
    parcels = gpd.GeoDataFrame(
        {"parcel_id": [f"P{i}" for i in range(9)]},
        geometry=[shapely.box(i * 200, 0, i * 200 + 100, 100) for i in range(9)], crs=CRS)
    water = gpd.GeoDataFrame({
        "kind": ["main", "main", "main", "branch"],
        "status": ["existing", "planned", "planned", "planned"],
        "project_id": [None, "W1", "W2", "W1"],
        "planned_date": [None, "2026-01-01", "2027-01-01", "2026-01-01"],
    }, geometry=[shapely.LineString([(0, -50), (100, -50)]),
                 shapely.LineString([(200, -60), (700, -60)]),
                 shapely.LineString([(600, 170), (1700, 170)]),
                 shapely.LineString([(1400, -20), (1700, -20)])], crs=CRS)
    roads = gpd.GeoDataFrame({
        "status": ["existing", "under_construction", "planned"],
        "project_id": [None, "R1", None],
        "planned_date": [None, "2025-12-31", "2025-03-01"],
    }, geometry=[shapely.LineString([(0, 120), (500, 120)]),
                 shapely.LineString([(500, 130), (1300, 130)]),
                 shapely.LineString([(1300, 130), (1800, 130)])], crs=CRS)
    zones = gpd.GeoDataFrame({"zone_id": ["Z"]}, geometry=[shapely.box(-10, -10, 1500, 110)],
                             crs=CRS)
    return ReadinessInputs(parcels=parcels, layers={"water": water, "roads": roads,
                                                    "zones": zones})


def _edited(inputs: ReadinessInputs, build: set[str]) -> ReadinessInputs:
    """The inputs with the projects' features' status edited to existing (by hand)."""
    layers = {}
    for kind, gdf in inputs.layers.items():
        if kind in INFRA_LAYERS and "project_id" in gdf.columns:
            gdf = gdf.copy()
            gdf.loc[gdf["project_id"].isin(build).to_numpy(dtype=bool), "status"] = "existing"
        layers[kind] = gdf
    return ReadinessInputs(parcels=inputs.parcels, layers=layers,
                           assessments=inputs.assessments, rasters=inputs.rasters,
                           crs=inputs.crs)


def _strip_via(messages: pd.Series) -> np.ndarray:
    return messages.astype(str).str.replace(r"（经规划项目 [^）]*）$", "", regex=True).str.replace(
        r" via planned project \S+$", "", regex=True).to_numpy()


def _assert_same(got, full) -> None:
    assert (got.overall["readiness"].astype(str).to_numpy()
            == full.overall["readiness"].astype(str).to_numpy()).all()
    for col in ("failing_rules", "n_fail", "n_pass", "total_cost"):
        np.testing.assert_array_equal(got.overall[col].to_numpy(), full.overall[col].to_numpy())
    assert (got.long["status"].astype(str).to_numpy()
            == full.long["status"].astype(str).to_numpy()).all()
    for col in ("value", "gap", "cost", "threshold"):
        np.testing.assert_allclose(got.long[col].to_numpy(), full.long[col].to_numpy(),
                                   equal_nan=True)
    np.testing.assert_array_equal(got.status_matrix, full.status_matrix)
    np.testing.assert_allclose(got.value_matrix, full.value_matrix, equal_nan=True)
    for col in ("message", "message_en"):
        np.testing.assert_array_equal(_strip_via(got.long[col]), _strip_via(full.long[col]))


HAND = _hand_made()
HAND_BASE = evaluate(HAND, RULES, as_of=DAY)


@settings(max_examples=12, deadline=None)
@given(st.sets(st.sampled_from(["W1", "W2", "R1", "none"])))
def test_hand_made_scenarios_equal_a_full_check(build: set[str]) -> None:
    got = evaluate_scenario(HAND, RULES, Scenario.of(build), as_of=DAY, baseline=HAND_BASE)
    _assert_same(got, evaluate(_edited(HAND, build), RULES, as_of=DAY))


def test_hand_made_scenario_names_the_project_and_changes_parcels() -> None:
    got = evaluate_scenario(HAND, RULES, Scenario.of(["W1", "R1"]), as_of=DAY,
                            baseline=HAND_BASE)
    changes = scenario_changes(HAND_BASE, got)
    # P1..P3 gain water from W1 (P3 is also within 100 m of the planned branch of W1)
    water = got.long[(got.long.rule_id == "water") & (got.long.parcel_id == "P1")]
    assert water["message"].iloc[0].endswith(via_text("W1")[0])
    assert water["message_en"].iloc[0].endswith(" via planned project W1")
    p0 = got.long[(got.long.rule_id == "water") & (got.long.parcel_id == "P0")]
    assert "规划项目" not in p0["message"].iloc[0]  # the existing main serves P0
    assert set(changes["parcel_id"]) >= {"P1", "P2"}
    assert (changes["after"] == "ready").all()
    row = changes.set_index("parcel_id").loc["P1"]
    assert row["before"] == "not_ready" and row["unlocked_by"] == "W1"
    assert row["area_ha"] == pytest.approx(1.0)


def test_assume_planned_takes_features_due_by_the_date() -> None:
    day = date(2026, 1, 1)
    got = evaluate_scenario(HAND, RULES, Scenario.of(assume_planned=True), as_of=day,
                            baseline=evaluate(HAND, RULES, as_of=day))
    # due by 2026-01-01: W1 (both features), R1 and the planned road without a project
    edited = _edited(HAND, {"W1", "R1"})
    roads = edited.layers["roads"].copy()
    roads.loc[2, "status"] = "existing"
    edited = ReadinessInputs(parcels=HAND.parcels, layers={**edited.layers, "roads": roads})
    _assert_same(got, evaluate(edited, RULES, as_of=day))
    assert not got.overall["readiness"].equals(HAND_BASE.overall["readiness"])


def test_a_subset_baseline_is_spliced_in_place() -> None:
    base = evaluate(HAND, RULES, as_of=DAY, parcel_ids=["P2", "P7"])
    got = evaluate_scenario(HAND, RULES, Scenario.of(["W1", "W2", "R1"]), as_of=DAY,
                            baseline=base)
    full = evaluate(_edited(HAND, {"W1", "W2", "R1"}), RULES, as_of=DAY,
                    parcel_ids=["P2", "P7"])
    _assert_same(got, full)


# ------------------------------------------------------------------------------ the demo

@pytest.fixture(scope="module")
def demo(demo_ws: Path):
    ws = Workspace.load(demo_ws)
    rb = rulebook_in_force(ws, None)
    inputs = inputs_from_workspace(ws, rulebook=rb)
    return ws, rb, inputs, evaluate(inputs, rb, as_of=ws.as_of)


def test_demo_projects_unlock_parcels(demo) -> None:
    ws, rb, inputs, base = demo
    projects = ws.read("projects")
    assert len(projects) >= 5 and (projects["cost_wan"] > 0).all()
    run = run_scenario(inputs, rb, Scenario.of(["LZ-WS-01"]), as_of=ws.as_of,
                       projects=projects, baseline=base)
    assert run.summary["parcels_unlocked"] >= 3
    assert (run.changes["before"] == "not_ready").all()
    assert (run.changes["unlocked_by"] == "LZ-WS-01").all()
    assert run.summary["cost_wan"] == 3800.0
    assert run.summary["cost_per_ha_wan"] == pytest.approx(
        3800.0 / run.changes["area_ha"].sum(), rel=1e-3)


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(st.sampled_from(["LZ-WS-01", "SD-WS-01", "GX-RD-01", "JK-RD-01", "GX-PW-01"]),
               min_size=1))
def test_demo_scenarios_equal_a_full_check(demo, build: set[str]) -> None:
    ws, rb, inputs, base = demo
    got = evaluate_scenario(inputs, rb, Scenario.of(build), as_of=ws.as_of, baseline=base)
    _assert_same(got, evaluate(_edited(inputs, build), rb, as_of=ws.as_of))
