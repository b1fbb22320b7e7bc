"""Rule kinds and filters of a defensible rulebook, at their thresholds: ``min_distance``,
``when``, overlap slivers (``max_area_m2``), the default rulebook's voltage, raw-water,
road-class, stage, planning and ratio rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gis.errors import RulebookError
from layers.readiness import default_rulebook_path, evaluate, load_rulebook
from tests.readiness.readiness_helpers import (
    AS_OF,
    box,
    gdf,
    inputs,
    line,
    parcels,
    point,
    rows,
    rulebook,
)

SETBACK = '''id = "setback"
kind = "min_distance"
label = { zh = "居住区防护距离", en = "Setback from housing" }
layer = "residential"
filter = { status = "existing" }
min_m = 200.0'''


@pytest.fixture(scope="module")
def default():
    return load_rulebook(default_rulebook_path())


def test_min_distance_at_its_threshold() -> None:
    housing = gdf([box(0, 0, 100, 100), box(5000, 0, 5100, 100)],
                  status=["existing", "planned"])
    ps = parcels([box(300, 0, 400, 100),      # exactly 200 m: passes
                  box(299.5, 0, 400, 100),    # 199.5 m: fails by 0.5 m
                  box(4900, 0, 4990, 100)])   # 10 m from a planned area (filtered out)
    res = evaluate(inputs(ps, layers={"residential": housing}), rulebook(SETBACK), as_of=AS_OF)
    r = rows(res, "setback")
    assert r["status"].tolist() == ["pass", "fail", "pass"]
    np.testing.assert_allclose(r["value"], [200.0, 199.5, 4800.0])
    np.testing.assert_allclose(r["gap"], [0.0, 0.5, 0.0])
    assert r["cost"].isna().all() and (r["threshold"] == 200.0).all()
    assert r.loc[1, "message"] == "距居住区（现状）不足 200 米"
    assert r.loc[1, "message_en"] == "less than 200 m from residential areas (status=existing)"
    assert res.overall["readiness"].tolist() == ["ready", "not_ready", "ready"]


def test_min_distance_without_features_or_layer() -> None:
    ps = parcels([box(0, 0, 10, 10)])
    planned = gdf([box(20, 0, 30, 10)], status=["planned"])
    res = evaluate(inputs(ps, layers={"residential": planned}), rulebook(SETBACK), as_of=AS_OF)
    r = rows(res, "setback")
    assert r.loc[0, "status"] == "pass" and "nothing to keep away from" in r.loc[0, "message_en"]
    res = evaluate(inputs(ps), rulebook(SETBACK), as_of=AS_OF)
    r = rows(res, "setback")
    assert r.loc[0, "status"] == "unknown" and "no residential layer" in r.loc[0, "message_en"]
    no_col = gdf([box(20, 0, 30, 10)])
    r = rows(evaluate(inputs(ps, layers={"residential": no_col}), rulebook(SETBACK),
                      as_of=AS_OF), "setback")
    assert r.loc[0, "status"] == "unknown" and "'status'" in r.loc[0, "message_en"]


WHEN = SETBACK + '\nwhen = { industry = ["steel", "coke"] }'


def test_when_limits_a_rule_to_some_parcels() -> None:
    housing = gdf([box(0, 0, 100, 100)], status=["existing"])
    ps = parcels([box(150, 0, 200, 50)] * 4, industry=["steel", "photovoltaic", None, " "])
    res = evaluate(inputs(ps, layers={"residential": housing}), rulebook(WHEN), as_of=AS_OF)
    r = rows(res, "setback")
    assert r["status"].tolist() == ["fail", "pass", "unknown", "unknown"]
    assert r.loc[0, "value"] == pytest.approx(50.0)
    assert np.isnan(r.loc[1, "value"]) and r.loc[1, "gap"] == 0.0
    assert r.loc[1, "message_en"] == ("not applicable: the rule applies only to parcels with "
                                      "industry=steel/coke")
    assert r.loc[1, "message"] == "不适用：本规则仅适用于钢铁/焦化的地块"
    assert "no 'industry' value" in r.loc[2, "message_en"]
    assert res.overall["readiness"].tolist() == ["not_ready", "ready", "incomplete",
                                                 "incomplete"]


def test_when_column_missing_is_unknown_naming_it() -> None:
    housing = gdf([box(0, 0, 100, 100)], status=["existing"])
    ps = parcels([box(150, 0, 200, 50), box(5000, 0, 5050, 50)])
    res = evaluate(inputs(ps, layers={"residential": housing}), rulebook(WHEN), as_of=AS_OF)
    r = rows(res, "setback")
    assert (r["status"] == "unknown").all()
    assert r["message_en"].str.contains("no column 'industry'").all()
    assert r["message"].str.contains("缺少字段 industry").all()


def test_when_applies_to_every_rule_kind() -> None:
    rb = rulebook('''id = "green"
kind = "attribute"
label = "绿地率"
attribute = "green_ratio"
max = 20.0
when = { supply_status = "for_supply" }''')
    ps = parcels([box(0, 0, 10, 10)] * 3, green_ratio=[25.0, 25.0, 10.0],
                 supply_status=["for_supply", "supplied", "for_supply"])
    r = rows(evaluate(inputs(ps), rb, as_of=AS_OF), "green")
    assert r["status"].tolist() == ["fail", "pass", "pass"]
    assert r.loc[1, "message_en"].startswith("not applicable")


@pytest.mark.parametrize(("when", "needle"), [
    ("when = 3", "expected a table"),
    ("when = {}", "expected a table"),
    ('when = { industry = [] }', "value or a list of values"),
    ('when = { supply_status = "sold" }', "parcels.supply_status has no value 'sold'"),
])
def test_when_is_validated_with_bilingual_errors(when: str, needle: str) -> None:
    with pytest.raises(RulebookError) as err:
        rulebook(SETBACK + "\n" + when)
    assert needle in str(err.value) and "'setback'" in str(err.value)
    assert err.value.zh and "规则 'setback'" in err.value.zh and "when" in err.value.zh


@pytest.mark.parametrize(("extra", "needle"), [
    ("", "'min_m'"),
    ("min_m = -1.0", "at least 0"),
    ("min_m = 10.0\nmax_m = 5.0", "unknown key"),
])
def test_min_distance_is_validated(extra: str, needle: str) -> None:
    text = SETBACK.replace("min_m = 200.0", extra)
    with pytest.raises(RulebookError) as err:
        rulebook(text)
    assert needle in str(err.value) and err.value.zh


OVERLAP = '''id = "farmland"
kind = "overlap"
label = { zh = "不占永久基本农田", en = "Outside basic farmland" }
layer = "constraints"
filter = { kind = "basic_farmland" }
max_area_m2 = 100.0'''


def test_overlap_slivers_up_to_max_area_pass() -> None:
    farmland = gdf([box(-500, 0, 0, 1000)], kind=["basic_farmland"])
    ps = parcels([box(-1.0, 0, 99.0, 100),     # 100 m² inside: a sliver, passes
                  box(-1.01, 0, 98.99, 100),   # 101 m²: fails
                  box(10, 0, 110, 100)])       # no overlap
    res = evaluate(inputs(ps, layers={"constraints": farmland}), rulebook(OVERLAP),
                   as_of=AS_OF)
    r = rows(res, "farmland")
    assert r["status"].tolist() == ["pass", "fail", "pass"]
    np.testing.assert_allclose(r["value"], [0.01, 0.0101, 0.0])
    assert r.loc[0, "gap"] == 0.0 and r.loc[1, "gap"] == pytest.approx(0.0101)
    assert "digitising sliver" in r.loc[0, "message_en"]
    assert "数字化误差" in r.loc[0, "message"]
    assert r.loc[1, "message_en"] == ("more than 100 m² overlaps constraint zones "
                                      "(kind=basic_farmland)")
    assert r.loc[2, "message_en"] == "no overlap with constraint zones (kind=basic_farmland)"
    # either tolerance passes: a share at most max_fraction, or an area at most max_area_m2
    both = rulebook(OVERLAP + "\nmax_fraction = 0.02")
    r = rows(evaluate(inputs(ps, layers={"constraints": farmland}), both, as_of=AS_OF),
             "farmland")
    assert r["status"].tolist() == ["pass", "pass", "pass"]
    with pytest.raises(RulebookError, match="at least 0"):
        rulebook(OVERLAP.replace("100.0", "-5.0"))


# ------------------------------------------------------------------ the default rulebook


def _run(default, rule_id: str, ps, **kw):
    rb = type(default)(name="t", version="1", rules=(default.get(rule_id),))
    return rows(evaluate(inputs(ps, **kw), rb, as_of=AS_OF), rule_id)


def test_power_counts_110_kv_but_not_220_kv(default) -> None:
    power = gdf([line((0, 0), (5000, 0)), point(0, 1000), point(3000, 1600),
                 line((0, 2600), (5000, 2600))],
                kind=["line", "substation", "substation", "line"],
                voltage_kv=[220.0, 110.0, 220.0, 10.0], status=["existing"] * 4)
    ps = parcels([box(0, 10, 100, 100),        # 10 m from 220 kV, 900 m from 110 kV
                  box(0, 400, 100, 500),       # exactly 500 m below the 110 kV substation
                  box(3000, 1500, 3050, 1550), # 50 m from a 220 kV substation only
                  box(0, 2200, 100, 2300)])    # 300 m from a 10 kV feeder
    r = _run(default, "power", ps, layers={"power": power})
    assert r["status"].tolist() == ["fail", "pass", "fail", "pass"]
    np.testing.assert_allclose(r["value"], [900.0, 500.0, 1050.0, 300.0])
    no_col = power.drop(columns="voltage_kv")
    r = _run(default, "power", ps, layers={"power": no_col})
    assert (r["status"] == "unknown").all() and "'voltage_kv'" in r.loc[0, "message_en"]


def test_water_raw_main_is_not_supply(default) -> None:
    water = gdf([line((0, 0), (1000, 0)), line((0, 500), (1000, 500))],
                kind=["raw_main", "main"], status=["existing", "existing"])
    ps = parcels([box(0, 10, 100, 100),        # 10 m from a raw-water main, 400 m from a main
                  box(0, 300, 100, 400)])      # 100 m from the treated main: at max_m
    r = _run(default, "water", ps, layers={"water": water})
    assert r["status"].tolist() == ["fail", "pass"]
    np.testing.assert_allclose(r["value"], [400.0, 100.0])


def test_road_class_expressway_gives_no_access(default) -> None:
    roads = gdf([line((0, 0), (1000, 0)), line((0, 300), (1000, 300))],
                **{"class": ["expressway", "county"], "status": ["existing", "existing"]})
    ps = parcels([box(0, 10, 100, 100),        # 10 m from the expressway, 200 m from the county
                  box(0, 200, 100, 250)])      # 50 m from the county road: at max_m
    r = _run(default, "road", ps, layers={"roads": roads})
    assert r["status"].tolist() == ["fail", "pass"]
    np.testing.assert_allclose(r["value"], [200.0, 50.0])
    no_class = roads.drop(columns="class")
    r = _run(default, "road", ps, layers={"roads": no_class})
    assert (r["status"] == "unknown").all() and "'class'" in r.loc[0, "message_en"]


@pytest.mark.parametrize(("stage", "status"), [
    ("in_progress", "fail"), ("completed", "fail"), ("accepted", "pass"),
    ("maintenance", "pass"), ("closed", "pass"),
])
def test_a_mine_counts_as_restored_only_once_accepted(default, stage: str, status: str) -> None:
    mines = gdf([box(0, 0, 100, 100)], site_id=["K1"], stage=[stage])
    ps = parcels([box(50, 0, 150, 100)])
    r = _run(default, "unrestored_mine", ps, layers={"mines": mines})
    assert r.loc[0, "status"] == status


def test_development_boundary_and_planned_land_use(default) -> None:
    udb = gdf([box(0, 0, 1000, 1000)], kind=["urban_development_boundary"])
    ps = parcels([box(0, 0, 100, 100),         # inside
                  box(-1, 0, 99, 100),         # 99 % inside: at min_fraction
                  box(-2, 0, 98, 100)],        # 98 %: fails
                 land_use=["100101", "M2", "0901"])
    r = _run(default, "development_boundary", ps, layers={"constraints": udb})
    assert r["status"].tolist() == ["pass", "pass", "fail"]
    r = _run(default, "land_use", ps)
    assert r["status"].tolist() == ["pass", "pass", "fail"]
    assert "1001" in r.loc[2, "message_en"]
    r = _run(default, "land_use", ps.drop(columns="land_use"))
    assert (r["status"] == "unknown").all() and "'land_use'" in r.loc[0, "message_en"]


@pytest.mark.parametrize(("rule_id", "limit"), [("admin_ratio", 7.0), ("green_ratio", 20.0)])
def test_site_plan_ratios_at_their_caps(default, rule_id: str, limit: float) -> None:
    ps = parcels([box(0, 0, 10, 10)] * 3, **{rule_id: [limit, limit + 0.1, None]})
    r = _run(default, rule_id, ps)
    assert r["status"].tolist() == ["pass", "fail", "unknown"]
    assert r.loc[1, "gap"] == pytest.approx(0.1)
    r = _run(default, rule_id, parcels([box(0, 0, 10, 10)]))
    assert r.loc[0, "status"] == "unknown" and f"no column {rule_id!r}" in r.loc[0, "message_en"]


def test_archaeology_before_supply(default) -> None:
    zones = gdf([box(0, 0, 1000, 1000)], zone_id=["Z1"])
    ps = parcels([box(0, 0, 100, 100), box(5000, 0, 5100, 100), box(6000, 0, 6100, 100)])
    table = pd.DataFrame({"scope": ["zone", "parcel", "parcel"], "scope_id": ["Z1", "P2", "P3"],
                          "kind": ["archaeology", "archaeology", "考古调查勘探"],
                          "status": ["approved", "pending", "committed"]})
    r = _run(default, "archaeology", ps, layers={"zones": zones}, assessments=table)
    assert r["status"].tolist() == ["pass", "fail", "fail"]
    assert "archaeological survey and exploration is pending" in r.loc[1, "message_en"]


def test_default_setbacks_apply_to_heavy_industry_only(default) -> None:
    housing = gdf([box(0, 0, 100, 100)], kind=["village"], status=["existing"])
    ps = parcels([box(1100, 0, 1200, 100), box(1099, 0, 1200, 100), box(200, 0, 300, 100)],
                 industry=["coke", "coal_chemical", "photovoltaic"])
    r = _run(default, "residential_setback", ps, layers={"residential": housing})
    assert r["status"].tolist() == ["pass", "fail", "pass"]
    assert r.loc[1, "gap"] == pytest.approx(1.0)
    assert r.loc[2, "message_en"].startswith("not applicable")
    road = gdf([line((0, -200), (2000, -200))], segment_id=["TH-01"])
    r = _run(default, "tourism_setback", ps, layers={"tourism_road": road})
    assert r["status"].tolist() == ["pass"] * 3  # exactly 200 m: every parcel, any industry
    np.testing.assert_allclose(r["value"], [200.0, 200.0, 200.0])
    closer = gdf([line((0, -199), (2000, -199))], segment_id=["TH-01"])
    r = _run(default, "tourism_setback", ps, layers={"tourism_road": closer})
    assert r["status"].tolist() == ["fail"] * 3 and r.loc[0, "gap"] == pytest.approx(1.0)


def test_when_measures_only_the_parcels_it_applies_to(monkeypatch) -> None:
    from layers.readiness.vector_rules import MinDistanceEvaluator

    seen: list[int] = []
    run = MinDistanceEvaluator.run
    monkeypatch.setattr(MinDistanceEvaluator, "run",
                        lambda self, chunk: seen.append(len(chunk)) or run(self, chunk))
    housing = gdf([box(0, 0, 100, 100)], status=["existing"])
    ps = parcels([box(150 + 40 * i, 0, 180 + 40 * i, 50) for i in range(6)],
                 industry=["steel", "photovoltaic", "coke", None, "steel", "photovoltaic"])
    lay = {"residential": housing}
    r = rows(evaluate(inputs(ps, layers=lay), rulebook(WHEN), as_of=AS_OF), "setback")
    assert seen == [3]
    every = rows(evaluate(inputs(ps, layers=lay), rulebook(SETBACK), as_of=AS_OF), "setback")
    steel = [0, 2, 4]
    pd.testing.assert_frame_equal(r.iloc[steel], every.iloc[steel])
    assert r["status"].tolist() == ["fail", "pass", "fail", "unknown", "pass", "pass"]
    assert (r["threshold"] == 200.0).all()
    seen.clear()
    none = parcels([box(150, 0, 180, 50)] * 2, industry=["photovoltaic", "chip"])
    r = rows(evaluate(inputs(none, layers=lay), rulebook(WHEN), as_of=AS_OF), "setback")
    assert seen == [0]
    assert r["status"].tolist() == ["pass", "pass"] and (r["threshold"] == 200.0).all()
