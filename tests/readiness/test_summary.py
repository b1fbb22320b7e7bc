"""The readiness summary: parcels and hectares per status, per zone and per rule."""

from __future__ import annotations

import math

import pytest

from gis.errors import InputError
from layers.readiness import evaluate, parcel_zones, summarize
from tests.readiness.readiness_helpers import AS_OF, box, gdf, inputs, line, parcels, rulebook

RULES = ['''id = "road"
kind = "distance"
label = { zh = "通路", en = "Road access" }
layer = "roads"
max_m = 50.0
cost_per_m = 3000.0''', '''id = "net_land"
kind = "attribute"
label = { zh = "净地", en = "Net land" }
attribute = "net_land"
equals = true''', '''id = "near_road"
kind = "distance"
label = { zh = "紧邻道路", en = "Next to a road" }
layer = "roads"
max_m = 5.0
required = false''']


def _case():
    """Four parcels: 1 ha ready (Z1), 2 ha not ready (Z1, road 150 m short), 0.5 ha
    incomplete (no zone_id, inside Z2's polygon), 3 ha ready (in no zone)."""
    ps = parcels([box(0, 10, 100, 110), box(0, 200, 200, 300), box(500, 20, 600, 70),
                  box(1000, 10, 1300, 110)],
                 zone_id=["Z1", "Z1", None, None], net_land=[True, True, None, True])
    zones = gdf([box(-50, -50, 250, 350), box(400, 0, 700, 400)], zone_id=["Z1", "Z2"],
                name=["高新区", "经开区"])
    ins = inputs(ps, layers={"roads": gdf([line((0, 0), (2000, 0))])})
    return ps, zones, ins


def test_counts_and_hectares_per_status_zone_and_rule() -> None:
    ps, zones, ins = _case()
    s = summarize(evaluate(ins, rulebook(*RULES), as_of=AS_OF), ps, zones=zones)
    assert s.parcels == 4 and s.total_ha == pytest.approx(6.5)
    assert s.readiness == {"not_ready": 1, "incomplete": 1, "ready_with_commitments": 0,
                           "ready": 2}
    assert s.hectares == pytest.approx({"not_ready": 2.0, "incomplete": 0.5,
                                        "ready_with_commitments": 0.0, "ready": 4.0})
    assert s.n_ready == 2 and s.ready_ha == pytest.approx(4.0)
    z = s.zones.set_index("zone_id")
    assert list(z.index) == ["Z1", "Z2", ""]  # parcels in no zone last
    assert list(z["name"]) == ["高新区", "经开区", ""]
    assert list(z["parcels"]) == [2, 1, 1]
    assert list(z["area_ha"]) == pytest.approx([3.0, 0.5, 3.0])
    assert (z.loc["Z1", "ready"], z.loc["Z1", "not_ready"]) == (1, 1)
    assert (z.loc["Z1", "ready_ha"], z.loc["Z1", "not_ready_ha"]) == pytest.approx((1.0, 2.0))
    assert z.loc["Z2", "incomplete"] == 1 and z.loc["Z2", "incomplete_ha"] == pytest.approx(0.5)
    assert z.loc["", "ready"] == 1 and z.loc["", "ready_ha"] == pytest.approx(3.0)
    r = s.rules.set_index("rule_id")
    assert (r.loc["road", "pass"], r.loc["road", "fail"]) == (3, 1)
    assert r.loc["road", "cost"] == pytest.approx(150 * 3000.0)
    assert (r.loc["net_land", "pass"], r.loc["net_land", "unknown"]) == (3, 1)
    assert r.loc["near_road", "fail"] == 4 and math.isnan(r.loc["near_road", "cost"])
    assert s.top_failing == [("road", 1)]  # the advisory rule is not among them
    zh, en = s.text("zh"), s.text("en")
    assert "共 4 宗地块，6.50 公顷" in zh and "已就绪 (ready): 2 宗 · 4.00 公顷" in zh
    assert "高新区: 2 宗 · 3.00 公顷，就绪 1 宗" in zh and "通路 (road): 1" in zh
    assert "4 parcels, 6.50 ha" in en and "in no zone: 1 · 3.00 ha, 1 ready" in en


def test_the_result_s_own_parcels_count_as_when_passed() -> None:
    """Without ``parcels`` the result's own are counted in place (no lookup by id): the
    same summary as passing them, in another order."""
    ps, zones, ins = _case()
    result = evaluate(ins, rulebook(*RULES), as_of=AS_OF)
    own, passed = summarize(result, zones=zones), summarize(result, ps.iloc[::-1], zones=zones)
    assert (own.readiness, own.hectares) == (passed.readiness, passed.hectares)
    assert own.readiness == {"not_ready": 1, "incomplete": 1, "ready_with_commitments": 0,
                             "ready": 2}
    assert own.rules.equals(passed.rules) and own.top_failing == passed.top_failing
    assert own.zones.equals(passed.zones)


def test_parcels_the_result_does_not_cover_are_unchecked() -> None:
    ps, zones, ins = _case()
    result = evaluate(ins, rulebook(*RULES), as_of=AS_OF, parcel_ids=["P1", "P2"])
    s = summarize(result, ps, zones=zones)
    assert s.readiness["unchecked"] == 2 and s.hectares["unchecked"] == pytest.approx(3.5)
    assert s.readiness["ready"] == 1 and s.readiness["not_ready"] == 1
    assert s.rules.set_index("rule_id").loc["road", ["pass", "fail"]].tolist() == [1, 1]
    assert "unchecked" not in summarize(result).readiness  # default: the evaluated parcels
    nothing = summarize(None, ps, zones=zones)
    assert nothing.readiness == {"not_ready": 0, "incomplete": 0, "ready_with_commitments": 0,
                                 "ready": 0, "unchecked": 4}
    assert nothing.rules.empty and nothing.top_failing == []
    assert result.summary().parcels == 2  # ReadinessResult.summary() is summarize(result)


def test_zone_of_a_parcel_is_its_attribute_else_the_polygon_holding_it() -> None:
    ps, zones, _ = _case()
    assert parcel_zones(ps, zones).fillna("").tolist() == ["Z1", "Z1", "Z2", ""]
    assert parcel_zones(ps).fillna("").tolist() == ["Z1", "Z1", "", ""]


def test_a_parcel_is_placed_by_its_representative_point_wherever_it_lies() -> None:
    """Shortcuts for parcels inside one zone or outside all must give what the point gives:
    overlapping zones (the first by position holds), a zone with a hole, a parcel inside
    one zone and touching the next, straddling parcels, a missing geometry."""
    import numpy as np

    rng = np.random.default_rng(7)
    x, y = rng.uniform(-100, 1100, 400), rng.uniform(-100, 700, 400)
    w, h = rng.uniform(5, 150, 400), rng.uniform(5, 150, 400)
    shapes = [box(a, b, a + c, b + d) for a, b, c, d in zip(x, y, w, h, strict=True)]
    shapes += [box(100, 300, 200, 400),  # inside Z1, its edge on Z1's, meeting no other zone
               box(150, 100, 200, 150),  # inside Z1, its right edge on Z3's left edge
               box(620, 320, 680, 380),  # in Z2's hole
               box(430, 50, 470, 90),    # inside both Z4 and Z2 (overlap)
               None]
    zones = gdf([box(0, 0, 200, 500),
                 box(420, 40, 480, 100),  # inside Z2, and first: its parcels are its own
                 box(400, 0, 900, 600).difference(box(600, 300, 700, 400)),
                 box(200, 0, 300, 150)],
                zone_id=["Z1", "Z4", "Z2", "Z3"], name=["a", "d", "b", "c"])
    ps = parcels(shapes, zone_id=[None] * len(shapes))
    got = parcel_zones(ps, zones).fillna("").tolist()
    want = []
    for g in ps.geometry:
        if g is None:
            want.append("")
            continue
        point = g.representative_point()
        holding = [z for z, zg in zip(zones["zone_id"], zones.geometry, strict=True)
                   if point.within(zg)]
        want.append(holding[0] if holding else "")
    assert got == want
    assert {"", "Z1", "Z2", "Z3", "Z4"} <= set(got)  # every case occurs


def test_areas_need_a_metric_crs() -> None:
    ps, _, _ = _case()
    with pytest.raises(InputError, match="metric CRS"):
        summarize(None, ps.to_crs(4326))


def test_parcels_in_another_order_or_repeated_keep_their_own_status() -> None:
    """The parcels are matched to the result by id, not by position."""
    ps, zones, ins = _case()
    result = evaluate(ins, rulebook(*RULES), as_of=AS_OF)
    same = summarize(result, zones=zones)
    flipped = summarize(result, ps.iloc[::-1].reset_index(drop=True), zones=zones)
    assert flipped.readiness == same.readiness and flipped.hectares == same.hectares
    assert flipped.rules.equals(same.rules)
    twice = summarize(result, ps.iloc[[1, 1, 0, 2]].reset_index(drop=True), zones=zones)
    assert twice.readiness == {"not_ready": 2, "incomplete": 1, "ready_with_commitments": 0,
                               "ready": 1}
    r = twice.rules.set_index("rule_id")
    assert (r.loc["road", "fail"], r.loc["road", "cost"]) == (2, pytest.approx(2 * 150 * 3000.0))


def test_zone_table_counts_as_a_plain_group_by_does() -> None:
    """The per-zone counts and hectares, checked against pandas on 5,000 random parcels
    in 7 zones (one of them the empty 'no zone'), statuses drawn from every key."""
    import numpy as np
    import pandas as pd

    from layers.readiness.summary import _KEYS, _zone_table

    rng = np.random.default_rng(7)
    zone = pd.Series(rng.choice(["Z3", "Z1", "", "Z10", "Z2", "高新区", "Z0"], 5000))
    codes = rng.integers(0, len(_KEYS), 5000).astype(np.int8)
    ha = rng.uniform(0.1, 20.0, 5000)
    keys = list(_KEYS)
    got = _zone_table(zone, codes, ha, keys, {"Z1": "一号区"}).set_index("zone_id")
    frame = pd.DataFrame({"zone": zone, "status": np.array(keys)[codes], "ha": ha})
    counts = pd.crosstab(frame["zone"], frame["status"])
    areas = frame.pivot_table(index="zone", columns="status", values="ha", aggfunc="sum")
    assert list(got.index) == ["Z0", "Z1", "Z10", "Z2", "Z3", "高新区", ""]
    assert got.loc["Z1", "name"] == "一号区" and got.loc["Z2", "name"] == ""
    for z in got.index:
        assert got.loc[z, "parcels"] == (zone == z).sum()
        assert got.loc[z, "area_ha"] == pytest.approx(ha[zone == z].sum(), rel=1e-12)
        for s in keys:
            assert got.loc[z, s] == counts.loc[z, s]
            assert got.loc[z, f"{s}_ha"] == pytest.approx(areas.loc[z, s], rel=1e-12)
