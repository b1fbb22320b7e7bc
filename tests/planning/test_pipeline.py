"""Pipeline quarter counts on a hand-made case: a project completing, an assessment lapsing."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import shapely

from layers.planning.pipeline import quarter_ends, supply_pipeline
from layers.readiness.inputs import ReadinessInputs
from tests.planning.planning_helpers import EIA, WATER, gdf, rulebook


def test_quarter_ends() -> None:
    assert quarter_ends(date(2026, 1, 1), 3) == [date(2026, 3, 31), date(2026, 6, 30),
                                                 date(2026, 9, 30)]
    assert quarter_ends(date(2026, 12, 31), 2) == [date(2026, 12, 31), date(2027, 3, 31)]
    assert quarter_ends(date(2026, 11, 5), 1) == [date(2026, 12, 31)]


def _case() -> ReadinessInputs:
    # zone Z1: A has water, B gets it from W1 on 2026-02-10; Z1's EIA lapses on 2026-05-15.
    # zone Z2: C has water and only a commitment for its EIA (ready with commitments).
    parcels = gdf([{"parcel_id": "A"}, {"parcel_id": "B"}, {"parcel_id": "C"}], [
        shapely.box(0, 0, 100, 100), shapely.box(0, 500, 200, 600),
        shapely.box(5000, 0, 5100, 100)])
    zones = gdf([{"zone_id": "Z1", "name": "一区"}, {"zone_id": "Z2", "name": "二区"}],
                [shapely.box(-1000, -1000, 1000, 1000), shapely.box(4000, -1000, 6000, 1000)])
    water = gdf([{"kind": "main", "status": "existing", "project_id": None,
                  "planned_date": None},
                 {"kind": "main", "status": "planned", "project_id": "W1",
                  "planned_date": "2026-02-10"}],
                [shapely.LineString([(-100, -20), (6000, -20)]),
                 shapely.LineString([(0, 650), (200, 650)])])
    assessments = pd.DataFrame({"scope": ["zone", "zone"], "scope_id": ["Z1", "Z2"],
                                "kind": ["eia", "eia"], "status": ["approved", "committed"],
                                "valid_until": ["2026-05-15", None]})
    return ReadinessInputs(parcels=parcels, layers={"zones": zones, "water": water},
                           assessments=assessments)


def test_pipeline_counts_per_quarter_and_zone() -> None:
    pipe = supply_pipeline(_case(), rulebook(WATER, EIA), date(2026, 1, 1), 3)
    t = pipe.table.set_index(["quarter_end", "zone_id"])
    q1, q2, q3 = "2026-03-31", "2026-06-30", "2026-09-30"
    assert t.loc[(q1, "Z1"), "ready"] == 2  # A, and B since W1 was built on 02-10
    assert t.loc[(q1, "Z1"), "ready_ha"] == pytest.approx(1.0 + 2.0)
    assert t.loc[(q1, "Z1"), "name"] == "一区"
    assert t.loc[(q2, "Z1"), "ready"] == 0  # the EIA lapsed on 05-15
    assert t.loc[(q2, "Z1"), "dropped_out"] == 2
    assert t.loc[(q2, "Z1"), "dropped_out_ids"] == "A;B"
    assert t.loc[(q3, "Z1"), "dropped_out"] == 0  # dropped once, not every quarter
    for q in (q1, q2, q3):
        assert t.loc[(q, "Z2"), "ready"] == 0
        assert t.loc[(q, "Z2"), "ready_with_commitments"] == 1
        assert t.loc[(q, "Z2"), "supply_ha"] == pytest.approx(1.0)
    d = pipe.dropouts
    assert d["parcel_id"].tolist() == ["A", "B"]
    assert set(d["quarter_end"]) == {q2} and set(d["expired_rules"]) == {"eia"}
    assert set(d["before"]) == {"ready"} and set(d["after"]) == {"not_ready"}


def test_a_project_due_later_counts_only_from_its_quarter() -> None:
    pipe = supply_pipeline(_case(), rulebook(WATER), date(2025, 10, 1), 2)
    t = pipe.table.set_index(["quarter_end", "zone_id"])
    assert t.loc[("2025-12-31", "Z1"), "ready"] == 1  # A only: W1 is not built yet
    assert t.loc[("2026-03-31", "Z1"), "ready"] == 2
    assert pipe.dropouts.empty  # no assessment rule: nothing lapses


def test_features_without_a_date_take_their_projects_date() -> None:
    inp = _case()
    water = inp.layers["water"].copy()
    water["planned_date"] = None
    inp = ReadinessInputs(parcels=inp.parcels, layers={**inp.layers, "water": water},
                          assessments=inp.assessments)
    projects = pd.DataFrame({"project_id": ["W1"], "planned_date": ["2026-02-10"]})
    t = supply_pipeline(inp, rulebook(WATER), date(2025, 10, 1), 2,
                        projects=projects).table.set_index(["quarter_end", "zone_id"])
    assert t.loc[("2026-03-31", "Z1"), "ready"] == 2
    undated = supply_pipeline(inp, rulebook(WATER), date(2025, 10, 1), 2).table
    assert undated.set_index(["quarter_end", "zone_id"]).loc[("2026-03-31", "Z1"), "ready"] == 1
