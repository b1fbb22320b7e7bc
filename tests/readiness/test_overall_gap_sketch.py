"""Overall status precedence, gap-to-ready ranking and checking a drawn sketch."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from gis.errors import GeometryError
from layers.readiness import GAP_COLUMNS, check_sketch, evaluate, gap_to_ready
from tests.readiness.readiness_helpers import (
    AS_OF,
    CRS,
    box,
    gdf,
    inputs,
    line,
    parcels,
    reference_overall,
    rows,
    rulebook,
)

STATUSES = ["pass", "fail", "unknown", "committed"]


def _status_rules(n: int, required: list[bool]) -> str:
    """Attribute rules whose outcome is set by a text column: pass / fail / unknown, and
    assessments for committed."""
    out = []
    for k in range(n):
        out.append(f'''id = "r{k}"
kind = "attribute"
label = "r{k}"
attribute = "c{k}"
one_of = ["ok"]
required = {str(required[k]).lower()}''')
    return out


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5).flatmap(lambda n: st.tuples(
    st.lists(st.booleans(), min_size=n, max_size=n),
    st.lists(st.lists(st.sampled_from(STATUSES), min_size=n, max_size=n), min_size=1,
             max_size=6))))
def test_overall_status_precedence(case) -> None:
    required, grid = case
    n = len(required)
    rules = _status_rules(n, required)
    # committed comes from an assessment record; pass/fail/unknown from the attribute
    values = {"pass": "ok", "fail": "no", "unknown": None}
    cols: dict[str, list] = {}
    for k in range(n):
        cols[f"c{k}"] = [values.get(row[k], "ok") for row in grid]
    assess_rules, records = [], []
    for k in range(n):
        if any(row[k] == "committed" for row in grid):
            rules[k] = (f'id = "r{k}"\nkind = "assessment"\nlabel = "r{k}"\n'
                        f'assessment = "{["eia", "energy", "seismic", "geohazard", "flood"][k]}"'
                        f"\ncommitment_allowed = true\nrequired = {str(required[k]).lower()}")
            assess_rules.append(k)
    ids = [f"P{i}" for i in range(len(grid))]
    status = np.array(grid, dtype=object).T.copy()
    for k in assess_rules:
        kind = ["eia", "energy", "seismic", "geohazard", "flood"][k]
        for i, row in enumerate(grid):
            st_ = {"pass": "approved", "fail": "pending", "committed": "committed"}.get(row[k])
            if st_ is None:  # unknown cannot come from a record: make it a fail
                status[k, i] = "fail"
                st_ = "pending"
            records.append(("parcel", ids[i], kind, st_))
    table = pd.DataFrame(records, columns=["scope", "scope_id", "kind", "status"])
    ps = parcels([box(0, 0, 10, 10)] * len(grid), parcel_id=ids, **cols)
    res = evaluate(inputs(ps, assessments=table, layers={"zones": gdf([box(500, 500, 501, 501)],
                                                                       zone_id=["Z"])}),
                   rulebook(*rules), as_of=AS_OF)
    got = res.long["status"].astype(str).to_numpy().reshape(len(grid), n).T
    np.testing.assert_array_equal(got, status)
    expected = reference_overall(status, np.array(required))
    assert res.overall["readiness"].astype(str).tolist() == expected.tolist()
    req = np.array(required)
    assert res.overall["n_fail"].tolist() == [(status[req, i] == "fail").sum()
                                              for i in range(len(grid))]
    assert res.overall["n_advisory_fail"].tolist() == [(status[~req, i] == "fail").sum()
                                                       for i in range(len(grid))]


ROAD = '''id = "road"
kind = "distance"
label = { zh = "通路", en = "Road" }
layer = "roads"
max_m = 50.0
cost_per_m = 3000.0

[[rule]]
id = "water"
kind = "distance"
label = { zh = "通水", en = "Water" }
layer = "water"
max_m = 100.0
cost_per_m = 1500.0

[[rule]]
id = "net_land"
kind = "attribute"
label = { zh = "净地", en = "Net land" }
attribute = "net_land"
equals = true'''


def _gap_case():
    roads = gdf([line((0, 0), (2000, 0))])
    water = gdf([line((0, 0), (2000, 0))], kind=["main"])
    ps = parcels([box(0, 10, 40, 50),        # ready
                  box(100, 80, 140, 120),    # road 80 m: 30 m × 3000
                  box(200, 150, 240, 190),   # road 100 m short, water 50 m short
                  box(300, 10, 340, 50),     # net land false: no cost estimate
                  box(400, 60, 440, 100)],   # road 10 m short
                 net_land=[True, True, True, False, True])
    return evaluate(inputs(ps, layers={"roads": roads, "water": water}), rulebook(ROAD),
                    as_of=AS_OF)


def test_gap_to_ready_lists_failures_costs_and_ranks_cheapest_first() -> None:
    res = _gap_case()
    gaps = gap_to_ready(res)
    assert list(gaps.columns) == GAP_COLUMNS
    assert gaps["parcel_id"].tolist() == ["P5", "P2", "P3", "P4"]
    assert gaps["rank"].tolist() == [1, 2, 3, 4]
    assert gaps["total_cost"].tolist() == pytest.approx([30_000, 90_000, 300_000 + 75_000, 0])
    assert gaps["uncosted_rules"].tolist() == [0, 0, 0, 1]
    p3 = gaps.set_index("parcel_id").loc["P3"]
    assert p3["failing_rules"] == "road, water" and p3["n_failing"] == 2
    assert "100 m" in p3["gaps_en"] and "50 m" in p3["gaps_en"] and "300,000" in p3["gaps_en"]
    assert "通路" in p3["gaps"]
    assert "Net land" in gaps.set_index("parcel_id").loc["P4", "gaps_en"]
    # the overall table's totals agree with the long table
    long = res.long
    fails = long[(long["status"] == "fail")]
    by = fails.groupby("parcel_id", observed=True)["cost"].sum()
    assert res.overall.set_index("parcel_id")["total_cost"].loc[by.index].tolist() == \
        pytest.approx(by.tolist())


def test_summary_counts_every_status() -> None:
    res = _gap_case()
    s = res.summary()
    assert s.parcels == 5
    assert s.readiness == {"not_ready": 4, "incomplete": 0, "ready_with_commitments": 0,
                           "ready": 1}
    assert s.top_failing[0] == ("road", 3)
    assert "通路" in s.text("zh") and "Road" in s.text("en")


def _sketch_inputs():
    roads = gdf([line((0, 0), (2000, 0))], status=["existing"])
    zones = gdf([box(0, 0, 1000, 1000)], zone_id=["Z1"], name=["高新区"])
    cons = gdf([box(500, 500, 700, 700)], kind=["ecological_redline"])
    table = pd.DataFrame([("zone", "Z1", "eia", "approved", None)],
                         columns=["scope", "scope_id", "kind", "status", "valid_until"])
    ps = parcels([box(100, 100, 200, 200)], net_land=[True])
    return inputs(ps, layers={"roads": roads, "zones": zones, "constraints": cons},
                  assessments=table)


SKETCH_RULES = ROAD.split("[[rule]]")[0] + '''
filter = { status = "existing" }

[[rule]]
id = "in_zone"
kind = "within"
label = { zh = "位于开发区内", en = "In a zone" }
layer = "zones"
min_fraction = 0.95

[[rule]]
id = "redline"
kind = "overlap"
label = { zh = "红线", en = "Red line" }
layer = "constraints"
filter = { kind = "ecological_redline" }

[[rule]]
id = "eia"
kind = "assessment"
label = { zh = "环评", en = "EIA" }
assessment = "eia"

[[rule]]
id = "net_land"
kind = "attribute"
label = { zh = "净地", en = "Net land" }
attribute = "net_land"
equals = true'''


def test_sketch_gives_the_same_answers_as_a_parcel_with_that_shape() -> None:
    inp = _sketch_inputs()
    rb = rulebook(SKETCH_RULES)
    poly = box(550, 300, 650, 600)  # overlaps the red line, 300 m from the road
    wgs = gpd.GeoSeries([poly], crs=CRS).to_crs(4326).iloc[0]
    result = check_sketch(inp, wgs, rb, as_of=AS_OF)
    sk = result.long
    assert list(sk["parcel_id"].unique()) == ["sketch"]
    as_parcel = evaluate(inp.with_parcels(parcels([poly])), rb, as_of=AS_OF)
    for rid in ("road", "in_zone", "redline", "eia"):
        a, b = sk[sk["rule_id"] == rid].iloc[0], rows(as_parcel, rid).iloc[0]
        assert a["status"] == b["status"], rid
        assert a["value"] == pytest.approx(b["value"], abs=1e-6, nan_ok=True), rid
    net = sk[sk["rule_id"] == "net_land"].iloc[0]
    assert net["status"] == "unknown" and "sketch has no attributes" in net["message_en"]
    assert result.readiness == "not_ready"
    # a GeoJSON Feature, as the map's drawing tool returns it
    feature = {"type": "Feature", "properties": {},
               "geometry": shapely.geometry.mapping(wgs)}
    sk2 = check_sketch(inp, feature, rb, as_of=AS_OF).long
    pd.testing.assert_frame_equal(sk.drop(columns="value"), sk2.drop(columns="value"))


@pytest.mark.parametrize("bad", [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": [113.1, 36.2]}},
    {"type": "Nonsense"},
    shapely.Polygon(),
    shapely.box(410_000, 4_000_000, 410_100, 4_000_100),  # metres, not degrees
])
def test_bad_sketches_are_refused_with_a_clear_error(bad) -> None:
    with pytest.raises(GeometryError):
        check_sketch(_sketch_inputs(), bad, rulebook(SKETCH_RULES), as_of=AS_OF)
