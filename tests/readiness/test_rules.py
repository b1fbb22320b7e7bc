"""Each rule kind against a brute-force shapely / numpy computation on tiny fixtures."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
import shapely

from gis.raster import slope_degrees
from layers.readiness import LONG_COLUMNS, evaluate
from layers.readiness.evaluate import _rule_groups, make_evaluator
from tests.readiness.readiness_helpers import (
    AS_OF,
    box,
    brute_cells,
    gdf,
    inputs,
    line,
    parcels,
    point,
    raster,
    rows,
    rulebook,
)

ROAD = '''id = "road"
kind = "distance"
label = { zh = "通路", en = "Road access" }
layer = "roads"
filter = { status = "existing" }
max_m = 50.0
cost_per_m = 3000.0'''


def test_distance_rule_matches_shapely_and_prices_the_gap() -> None:
    roads = gdf([line((0, 0), (1000, 0)), line((0, 300), (1000, 300)), line((0, 20), (5, 20))],
                status=["existing", "planned", None])
    ps = parcels([box(100, 0, 150, 40),      # touches the road: 0
                  box(100, 30, 150, 80),     # 30 m
                  box(400, 120, 450, 170),   # 120 m (the planned road is nearer)
                  box(600, -500, 700, -400)])
    res = evaluate(inputs(ps, layers={"roads": roads}), rulebook(ROAD), as_of=AS_OF)
    r = rows(res, "road")
    existing = roads.geometry.iloc[0]
    np.testing.assert_array_equal(r["value"], shapely.distance(ps.geometry.values, existing))
    assert r["value"].tolist() == [0.0, 30.0, 120.0, 400.0]
    assert r["status"].tolist() == ["pass", "pass", "fail", "fail"]
    assert r["gap"].tolist() == [0.0, 0.0, 70.0, 350.0]
    assert r["cost"].tolist() == [0.0, 0.0, 70.0 * 3000, 350.0 * 3000]
    assert (r["threshold"] == 50).all() and (r["unit"] == "m").all()
    assert "50" in r["message"][2] and "road" in r["message_en"][2]


def test_distance_rule_without_matching_features_or_layer() -> None:
    ps = parcels([box(0, 0, 10, 10)])
    planned = gdf([line((0, 0), (10, 0))], status=["planned"])
    res = evaluate(inputs(ps, layers={"roads": planned}), rulebook(ROAD), as_of=AS_OF)
    r = rows(res, "road")
    assert r["status"][0] == "fail" and "status=existing" in r["message_en"][0]
    res = evaluate(inputs(ps), rulebook(ROAD), as_of=AS_OF)
    r = rows(res, "road")
    assert r["status"][0] == "unknown" and "no roads layer" in r["message_en"][0]
    nostatus = gdf([line((0, 0), (10, 0))])
    res = evaluate(inputs(ps, layers={"roads": nostatus}), rulebook(ROAD), as_of=AS_OF)
    r = rows(res, "road")
    assert r["status"][0] == "unknown" and "'status'" in r["message_en"][0]


FRACTIONS = '''id = "in_zone"
kind = "within"
label = { zh = "位于开发区内", en = "In a zone" }
layer = "zones"
min_fraction = 0.95

[[rule]]
id = "redline"
kind = "overlap"
label = { zh = "不占生态保护红线", en = "Outside the red line" }
layer = "constraints"
filter = { kind = "ecological_redline" }
max_fraction = 0.0

[[rule]]
id = "mine"
kind = "overlap"
label = { zh = "不占未修复矿山", en = "No unrestored mine" }
layer = "mines"
filter = { stage = ["not_started", "approved", "in_progress"] }
max_fraction = 0.1'''


def test_within_and_overlap_fractions_match_the_union() -> None:
    zones = gdf([box(0, 0, 500, 500), box(400, 0, 900, 500)], zone_id=["Z1", "Z2"],
                name=["甲", "乙"])
    cons = gdf([box(100, 100, 200, 200), box(150, 150, 260, 260), box(0, 600, 50, 650)],
               kind=["ecological_redline", "ecological_redline", "basic_farmland"])
    mines = gdf([box(700, 0, 800, 100), box(800, 0, 900, 100)],
                site_id=["K1", "K2"], stage=["in_progress", "accepted"])
    ps = parcels([box(10, 10, 60, 60), box(180, 180, 230, 230), box(880, 400, 980, 450),
                  box(750, 50, 850, 80), box(0, 590, 40, 640)])
    res = evaluate(inputs(ps, layers={"zones": zones, "constraints": cons, "mines": mines}),
                   rulebook(FRACTIONS), as_of=AS_OF)
    g = ps.geometry.values
    zone_u = shapely.union_all(zones.geometry.values)
    red_u = shapely.union_all(cons.geometry.values[:2])
    mine_u = mines.geometry.values[0]
    for rid, union in (("in_zone", zone_u), ("redline", red_u), ("mine", mine_u)):
        ref = shapely.area(shapely.intersection(g, union)) / shapely.area(g)
        np.testing.assert_allclose(rows(res, rid)["value"], ref, atol=1e-12)
    assert rows(res, "in_zone")["status"].tolist() == ["pass", "pass", "fail", "pass", "fail"]
    assert rows(res, "redline")["status"].tolist() == ["pass", "fail", "pass", "pass", "pass"]
    # 50 % of parcel 4 over the unrestored mine; the accepted one does not count
    mine = rows(res, "mine")
    assert mine["value"][3] == pytest.approx(0.5)
    assert mine["status"].tolist() == ["pass", "pass", "pass", "fail", "pass"]
    assert mine["gap"][3] == pytest.approx(0.4)


def test_parcel_touching_a_red_line_does_not_overlap_it() -> None:
    cons = gdf([box(100, 0, 200, 100)], kind=["ecological_redline"])
    ps = parcels([box(50, 0, 100, 100)])
    res = evaluate(inputs(ps, layers={"constraints": cons, "zones": gdf([box(0, 0, 1, 1)])}),
                   rulebook(FRACTIONS), as_of=AS_OF)
    red = rows(res, "redline")
    assert red["value"][0] == 0.0 and red["status"][0] == "pass"
    assert rows(res, "mine")["status"][0] == "unknown"  # no mines layer: unknown, not pass


SLOPE = '''id = "leveled"
kind = "raster"
label = { zh = "场地平整", en = "Site levelled" }
raster = "slope"
stat = "mean"
max = 5.0
fallback_attribute = "site_leveled"'''


def _dem() -> np.ndarray:
    rng = np.random.default_rng(11)
    y, x = np.mgrid[0:100, 0:100]
    return 800 + 0.02 * x ** 2 + 3 * np.sin(y / 7.0) + rng.normal(0, 0.3, (100, 100))


def test_slope_rule_matches_numpy_over_cell_centres() -> None:
    dem = raster(_dem())
    slope = slope_degrees(dem)
    ps = parcels([box(50, 600, 130, 680), box(700, 100, 760, 190), box(331, 331, 334, 333),
                  shapely.Point(410_500, 4_000_500).buffer(40)],
                 site_leveled=[False, True, None, True])
    res = evaluate(inputs(ps, rasters={"dem": dem}), rulebook(SLOPE), as_of=AS_OF)
    r = rows(res, "leveled")
    ref = [np.nanmean(brute_cells(g, slope)) for g in ps.geometry.values]
    np.testing.assert_allclose(r["value"], ref, rtol=1e-12)
    expect = ["pass" if v <= 5 else "fail" for v in ref]
    assert r["status"].tolist() == expect
    assert r["unit"][0] == "°" and (r["threshold"] == 5).all()
    # parcel 3 (3 m × 2 m) is smaller than a 10 m cell: the centroid's cell, said so
    assert "centroid" in r["message_en"][2]


@pytest.mark.parametrize("stat", ["max", "p90", "min", "median"])
def test_raster_statistics(stat: str) -> None:
    dem = raster(_dem())
    rb = rulebook(f'id = "elev"\nkind = "raster"\nlabel = "高程"\nraster = "dem"\nstat = "{stat}"'
                  "\nmin = 810\nmax = 900")
    ps = parcels([box(10, 10, 300, 200), box(600, 600, 990, 990)])
    res = evaluate(inputs(ps, rasters={"dem": dem}), rb, as_of=AS_OF)
    func = {"max": np.max, "min": np.min, "median": np.median,
            "p90": lambda v: np.percentile(v, 90)}[stat]
    ref = [func(brute_cells(g, dem)) for g in ps.geometry.values]
    r = rows(res, "elev")
    np.testing.assert_allclose(r["value"], ref, rtol=1e-12)
    for v, s, gap, thr in zip(ref, r["status"], r["gap"], r["threshold"], strict=True):
        if v < 810:
            assert (s, thr) == ("fail", 810) and gap == pytest.approx(810 - v)
        elif v > 900:
            assert (s, thr) == ("fail", 900) and gap == pytest.approx(v - 900)
        else:
            assert (s, gap) == ("pass", 0.0)


def test_missing_dem_falls_back_on_the_attribute() -> None:
    ps = parcels([box(0, 0, 10, 10)] * 3, parcel_id=["甲1", "乙2", "丙3"],
                 site_leveled=pd.array([True, False, None], dtype="boolean"))
    res = evaluate(inputs(ps), rulebook(SLOPE), as_of=AS_OF)
    r = rows(res, "leveled")
    assert r["status"].tolist() == ["pass", "fail", "unknown"]
    assert all("dem" in m and "site_leveled" in m for m in r["message_en"])
    assert r["parcel_id"].tolist() == ["甲1", "乙2", "丙3"]
    # no fallback column either: unknown, naming the raster and the column
    res = evaluate(inputs(ps.drop(columns="site_leveled")), rulebook(SLOPE), as_of=AS_OF)
    msg = rows(res, "leveled")["message_en"][0]
    assert rows(res, "leveled")["status"][0] == "unknown" and "dem" in msg and "site_leveled" in msg


def test_raster_in_another_crs_is_unknown_not_wrong() -> None:
    dem = raster(_dem(), crs="EPSG:4546")
    rb = rulebook(SLOPE.replace('fallback_attribute = "site_leveled"', ""))
    res = evaluate(inputs(parcels([box(10, 10, 50, 50)]), rasters={"dem": dem}), rb,
                   as_of=AS_OF)
    r = rows(res, "leveled")
    assert r["status"][0] == "unknown" and "EPSG:4546" in r["message_en"][0]


COVERAGE = '''id = "g5"
kind = "raster_coverage"
label = { zh = "5G覆盖", en = "5G coverage" }
raster = "coverage_5g"
min_value = -105.0
min_fraction = 0.9
required = false
fallback_layer = "base_stations"
fallback_filter = { status = "existing" }'''


def test_coverage_share_and_base_station_fallback() -> None:
    rsrp = np.full((100, 100), -95.0)
    rsrp[:, 50:] = -115.0
    ps = parcels([box(100, 100, 300, 300), box(450, 100, 550, 300), box(700, 700, 800, 800)])
    res = evaluate(inputs(ps, rasters={"coverage_5g": raster(rsrp)}), rulebook(COVERAGE),
                   as_of=AS_OF)
    r = rows(res, "g5")
    cov = raster(rsrp)
    ref = [np.mean(brute_cells(g, cov) >= -105) for g in ps.geometry.values]
    np.testing.assert_allclose(r["value"], ref)
    assert r["status"].tolist() == ["pass", "fail", "fail"] and r["value"][1] == 0.5
    assert (res.overall["readiness"] == "ready").all()  # advisory: never changes the overall
    stations = gdf([point(200, 200), point(750, 750), point(500, 200)],
                   radius_m=[400.0, 30.0, 5000.0], status=["existing", "existing", "planned"])
    res = evaluate(inputs(ps, layers={"base_stations": stations}), rulebook(COVERAGE),
                   as_of=AS_OF)
    r = rows(res, "g5")
    circles = shapely.union_all(shapely.buffer(stations.geometry.values[:2], [400.0, 30.0],
                                               quad_segs=16))
    g = ps.geometry.values
    np.testing.assert_allclose(r["value"], shapely.area(shapely.intersection(g, circles))
                               / shapely.area(g), atol=1e-12)
    # the planned 5 km station does not count, so the third parcel stays uncovered
    assert r["status"].tolist() == ["pass", "pass", "fail"]
    assert all("base_stations" in m for m in r["message_en"])


def _assessment_rules() -> str:
    return '''id = "eia"
kind = "assessment"
label = { zh = "环评", en = "EIA" }
assessment = "eia"

[[rule]]
id = "energy"
kind = "assessment"
label = { zh = "节能", en = "Energy" }
assessment = "energy"
commitment_allowed = true

[[rule]]
id = "geohazard"
kind = "assessment"
label = { zh = "地灾", en = "Geohazard" }
assessment = "geohazard"'''


def _assessments() -> pd.DataFrame:
    return pd.DataFrame.from_records([
        ("zone", "Z1", "eia", "approved", "2022-01-05", "2030-12-31"),
        ("zone", "Z2", "eia", "approved", "2021-01-05", "2024-12-31"),      # expired
        ("zone", "Z1", "energy", "committed", None, None),
        ("zone", "Z2", "energy", "pending", None, None),
        ("zone", "Z1", "geohazard", "committed", None, None),                # not allowed
        ("zone", "Z2", "geohazard", "not_required", None, None),
        ("parcel", "P3", "eia", "approved", "2025-03-01", None),             # no expiry
        ("parcel", "P4", "geohazard", "approved", "2025-03-01", "2030-01-01"),
    ], columns=["scope", "scope_id", "kind", "status", "approved_on", "valid_until"])


def _zone_fixture():
    zones = gdf([box(0, 0, 100, 100), box(100, 0, 200, 100)], zone_id=["Z1", "Z2"],
                name=["高新区", "经开区"])
    ps = parcels([box(10, 10, 50, 50),     # P1 in Z1
                  box(90, 10, 150, 50),    # P2: 10 m in Z1, 50 m in Z2 -> Z2
                  box(150, 10, 190, 50),   # P3 in Z2, own EIA
                  box(60, 10, 105, 50),    # P4: mostly Z1, own geohazard
                  box(500, 500, 520, 520)])  # P5 outside every zone
    return zones, ps


def test_assessments_are_inherited_from_the_zone_holding_most_of_the_parcel() -> None:
    zones, ps = _zone_fixture()
    res = evaluate(inputs(ps, layers={"zones": zones}, assessments=_assessments()),
                   rulebook(_assessment_rules()), as_of=AS_OF)
    eia, energy, geo = rows(res, "eia"), rows(res, "energy"), rows(res, "geohazard")
    assert eia["status"].tolist() == ["pass", "fail", "pass", "pass", "fail"]
    assert "expired on 2024-12-31" in eia["message_en"][1] and "Z2" in eia["message_en"][1]
    assert "no expiry" in eia["message_en"][2]
    assert energy["status"].tolist() == ["committed", "fail", "fail", "committed", "fail"]
    assert "pending" in energy["message_en"][1]
    assert geo["status"].tolist() == ["fail", "pass", "pass", "pass", "fail"]
    assert "does not accept" in geo["message_en"][0] and "not required" in geo["message_en"][1]
    assert "lies in no zone" in geo["message_en"][4]
    # P4: EIA from Z1, energy committed (allowed), its own geohazard approval
    assert res.overall["readiness"].astype(str).tolist() == [
        "not_ready", "not_ready", "not_ready", "ready_with_commitments", "not_ready"]
    # as of 2024-06-30 the Z2 EIA had not expired yet
    res = evaluate(inputs(ps, layers={"zones": zones}, assessments=_assessments()),
                   rulebook(_assessment_rules()), as_of=date(2024, 6, 30))
    assert rows(res, "eia")["status"][1] == "pass"


def test_assessments_without_table_or_zones() -> None:
    zones, ps = _zone_fixture()
    res = evaluate(inputs(ps, layers={"zones": zones}), rulebook(_assessment_rules()),
                   as_of=AS_OF)
    r = rows(res, "eia")
    assert (r["status"] == "unknown").all() and "assessments" in r["message_en"][0]
    res = evaluate(inputs(ps, assessments=_assessments()), rulebook(_assessment_rules()),
                   as_of=AS_OF)
    r = rows(res, "eia")
    # the parcel's own record still counts; the others cannot inherit without zones
    assert r["status"].tolist() == ["unknown", "unknown", "pass", "unknown", "unknown"]
    assert "zones" in r["message_en"][0]


ATTRS = '''id = "net_land"
kind = "attribute"
label = { zh = "净地", en = "Net land" }
attribute = "net_land"
equals = true

[[rule]]
id = "far"
kind = "attribute"
label = { zh = "容积率", en = "FAR" }
attribute = "far"
min = 1.0
max = 3.0

[[rule]]
id = "use"
kind = "attribute"
label = { zh = "用地性质", en = "Land use" }
attribute = "land_use"
one_of = ["100101", "100102", "M1"]

[[rule]]
id = "indicators"
kind = "indicators"
label = { zh = "控制性指标", en = "Indicators" }
[rule.by_industry.photovoltaic]
invest_intensity = { min = 300.0 }
far = { min = 1.0 }
energy_per_output = { max = 0.5 }'''


def test_attribute_and_indicator_rules() -> None:
    ps = parcels([box(0, 0, 10, 10)] * 6,
                 net_land=pd.array([True, False, None, True, True, True], dtype="boolean"),
                 far=[1.5, 0.8, 3.5, None, 1.0, 2.0],
                 land_use=["100101", "0601", None, "M1", "100102", "100101"],
                 industry=["photovoltaic", "photovoltaic", "photovoltaic", None, "光伏",
                           "photovoltaic"],
                 invest_intensity=[350.0, 200.0, 310.0, 400.0, 400.0, None],
                 energy_per_output=[0.4, 0.9, 0.5, 0.1, 0.1, 0.2])
    res = evaluate(inputs(ps), rulebook(ATTRS), as_of=AS_OF)
    assert rows(res, "net_land")["status"].tolist() == ["pass", "fail", "unknown", "pass",
                                                        "pass", "pass"]
    far = rows(res, "far")
    assert far["status"].tolist() == ["pass", "fail", "fail", "unknown", "pass", "pass"]
    assert far["gap"][1] == pytest.approx(0.2) and far["gap"][2] == pytest.approx(0.5)
    assert far["threshold"][1] == 1.0 and far["threshold"][2] == 3.0
    assert rows(res, "use")["status"].tolist() == ["pass", "fail", "unknown", "pass", "pass",
                                                   "pass"]
    ind = rows(res, "indicators")
    assert ind["status"].tolist() == ["pass", "fail", "pass", "unknown", "unknown", "unknown"]
    assert ind["value"][1] == 3  # invest_intensity, far and energy_per_output all fail
    for name in ("invest_intensity", "far", "energy_per_output"):
        assert name in ind["message_en"][1]
    assert "投资强度" in ind["message"][1]
    assert "no industry" in ind["message_en"][3]
    assert "光伏" in ind["message_en"][4] and "photovoltaic" in ind["message_en"][4]
    assert "missing" in ind["message_en"][5] and "invest_intensity" in ind["message_en"][5]
    # a column the parcels do not have: unknown, naming it
    res = evaluate(inputs(ps.drop(columns=["net_land", "industry"])), rulebook(ATTRS),
                   as_of=AS_OF)
    assert (rows(res, "net_land")["status"] == "unknown").all()
    assert "'net_land'" in rows(res, "net_land")["message_en"][0]
    assert "'industry'" in rows(res, "indicators")["message_en"][0]


def test_long_table_shape_and_columns() -> None:
    ps = parcels([box(0, 0, 10, 10), box(20, 0, 30, 10)], parcel_id=["长治-1", "长治-2"],
                 net_land=[True, False])
    rb = rulebook(ATTRS, ROAD)
    res = evaluate(inputs(ps), rb, as_of=AS_OF)
    assert list(res.long.columns) == LONG_COLUMNS
    assert len(res.long) == len(ps) * len(rb)
    assert res.long["parcel_id"].astype(str).tolist() == ["长治-1"] * 5 + ["长治-2"] * 5
    assert res.long["rule_id"].astype(str).tolist()[:5] == rb.ids
    assert res.long["message"].astype(str).str.len().gt(0).all()
    assert res.long["message_en"].astype(str).str.len().gt(0).all()
    assert set(res.long["status"].astype(str)) <= {"pass", "fail", "unknown", "committed"}
    wide = res.wide()
    assert {"readiness", "road_status", "road_value", "far_status", "net_land_value"} <= set(
        wide.columns)
    assert wide["net_land_status"].tolist() == ["pass", "fail"]


def test_chunks_and_threads_do_not_change_results() -> None:
    rng = np.random.default_rng(5)
    xy = rng.uniform(0, 3000, (400, 2))
    ps = parcels(list(shapely.box(410_000 + xy[:, 0], 4_000_000 + xy[:, 1],
                                  410_000 + xy[:, 0] + 40, 4_000_000 + xy[:, 1] + 30)),
                 site_leveled=rng.choice([True, False], 400),
                 industry=rng.choice(["steel", "food"], 400))
    roads = gdf([line((0, 0), (3000, 3000)), line((0, 3000), (3000, 0))], status=["existing"] * 2)
    zones = gdf([box(0, 0, 1500, 3000)], zone_id=["Z1"], name=["a"])
    cons = gdf([shapely.Point(411_500, 4_001_500).buffer(600)], kind=["ecological_redline"])
    dem = raster(np.add.outer(np.arange(300.0) ** 1.5 / 50, np.arange(300.0)), cell=10,
                 y1=3000)
    inp = inputs(ps, layers={"roads": roads, "zones": zones, "constraints": cons},
                 rasters={"dem": dem})
    # two rules with one `when` in different groups share their sub-chunk across threads
    steel = [ROAD.replace('"road"', f'"road_{m}"').replace("50.0", f"{m}.0")
             + '\nwhen = { industry = "steel" }' for m in (40, 80)]
    rb = rulebook(ROAD, FRACTIONS, SLOPE, *steel)
    ids = [r.id for r in rb.rules]
    groups = [[ids[r] for r in g]
              for g in _rule_groups([make_evaluator(r, inp, AS_OF) for r in rb.rules], 2)]
    assert sorted(r for g in groups for r in g) == sorted(ids)
    # the three distance rules (the heaviest) are spread; the two `when` rules apart
    assert sorted(len({"road", "road_40", "road_80"} & set(g)) for g in groups) == [1, 2]
    assert not any({"road_40", "road_80"} <= set(g) for g in groups)
    one = evaluate(inp, rb, as_of=AS_OF, workers=1)
    many = evaluate(inp, rb, as_of=AS_OF, workers=2, chunk_size=37)
    pd.testing.assert_frame_equal(one.long, many.long)
    pd.testing.assert_frame_equal(one.overall, many.overall)
    # messages are numbered as threads meet them; their categories (a Parquet file's
    # dictionary) are in text order, whichever thread came first
    for col in ("message", "message_en"):
        cats = list(many.long[col].cat.categories)
        assert cats == sorted(cats) and len(cats) > 3


def test_selected_parcels_and_bad_ids() -> None:
    from gis.errors import InputError, SchemaError

    ps = parcels([box(0, 0, 10, 10), box(20, 0, 30, 10), box(40, 0, 50, 10)])
    res = evaluate(inputs(ps), rulebook(ATTRS), as_of=AS_OF, parcel_ids=["P3", "P1"])
    assert res.overall["parcel_id"].tolist() == ["P1", "P3"]
    with pytest.raises(InputError, match="'P9'"):
        evaluate(inputs(ps), rulebook(ATTRS), as_of=AS_OF, parcel_ids=["P9"])
    dup = parcels([box(0, 0, 1, 1)] * 2, parcel_id=["A", "A"])
    with pytest.raises(SchemaError, match="'A'"):
        evaluate(inputs(dup), rulebook(ATTRS), as_of=AS_OF)


def test_missing_geometry_is_unknown_not_a_crash() -> None:
    ps = parcels([box(0, 0, 10, 10), None])
    roads = gdf([line((0, 0), (100, 0))], status=["existing"])
    res = evaluate(inputs(ps, layers={"roads": roads}), rulebook(ROAD, SLOPE, FRACTIONS),
                   as_of=AS_OF)
    second = res.long[res.long["parcel_id"] == "P2"]
    assert (second["status"] == "unknown").all()
    assert "no geometry" in str(second["message_en"].iloc[0])


def test_default_rulebook_on_bare_parcels_never_passes_silently() -> None:
    from layers.readiness import default_rulebook_path, load_rulebook

    rb = load_rulebook(default_rulebook_path())
    ps = parcels([box(0, 0, 100, 100), box(200, 0, 260, 80)])
    res = evaluate(inputs(ps), rb, as_of=AS_OF)
    long = res.long.astype({"status": str, "rule_id": str, "message_en": str})
    assert (long["status"] == "unknown").all()
    assert long["message_en"].str.len().gt(10).all()
    assert (res.overall["readiness"] == "incomplete").all()
    empty = evaluate(inputs(ps.iloc[:0]), rb, as_of=AS_OF)
    assert len(empty.long) == 0 and len(empty.overall) == 0
    assert list(empty.long.columns) == LONG_COLUMNS


def test_assessment_records_in_chinese_codes() -> None:
    zones, ps = _zone_fixture()
    table = pd.DataFrame({"scope": ["开发区", "开发区"], "scope_id": ["Z1", "Z2"],
                          "kind": ["环境影响评价", "节能评价"], "status": ["已批准", "承诺制"]})
    res = evaluate(inputs(ps, layers={"zones": zones}, assessments=table),
                   rulebook(_assessment_rules()), as_of=AS_OF)
    assert rows(res, "eia")["status"].tolist()[:2] == ["pass", "fail"]
    assert rows(res, "energy")["status"].tolist()[:3] == ["fail", "committed", "committed"]


@pytest.mark.parametrize(("values", "dtype", "want"), [
    ([True, None, False], "boolean", [1.0, np.nan, 0.0]),
    ([True, False], "bool", [1.0, 0.0]),
    ([" 2.5", "M1", None, "", "7"], "string", [2.5, np.nan, np.nan, np.nan, 7.0]),
    (["3", "3", "x", None], object, [3.0, 3.0, np.nan, np.nan]),
    ([True, "4", 1.5, None, np.bool_(False)], object, [1.0, 4.0, 1.5, np.nan, 0.0]),
    ([1, None, 3], "Int64", [1.0, np.nan, 3.0]),
])
def test_attribute_values_as_numbers_in_any_column_type(values, dtype, want) -> None:
    from layers.readiness.attribute import _numbers

    got = _numbers(pd.Series(values, dtype=dtype))
    np.testing.assert_array_equal(got, np.array(want, dtype=float))
