"""The parcel catalogue's pure part: land on offer, distances, filters and the indicator check."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layers.catalog import CATALOG
from layers.catalogue import (
    MU_PER_HA,
    OfferFilter,
    Plan,
    check_plan,
    distance_column,
    filter_offer,
    floors_by_industry,
    implied_indicators,
    offer_table,
)
from layers.readiness import Bound, IndicatorsRule
from layers.schema import normalize

CRS = "EPSG:4547"
X0, Y0 = 390_000.0, 4_000_000.0


def _parcels() -> gpd.GeoDataFrame:
    """Four 100 m squares (1 ha = 15 mu) in a row, 1 km apart; one supplied; C is 2 ha."""
    boxes = [shapely.box(X0 + i * 1000, Y0, X0 + i * 1000 + 100, Y0 + 100) for i in range(4)]
    boxes[2] = shapely.box(X0 + 2000, Y0, X0 + 2200, Y0 + 100)
    return gpd.GeoDataFrame({
        "parcel_id": ["A", "B", "C", "D"], "name": ["甲地块", "乙地块", "丙地块", "丁地块"],
        "zone_id": ["Z1", "Z1", "Z2", "Z2"],
        "industry": ["photovoltaic", "equipment", "photovoltaic", None],
        "supply_status": ["reserve", "for_supply", "for_supply", "supplied"]},
        geometry=boxes, crs=CRS)


def _transport() -> gpd.GeoDataFrame:
    """A motorway exit 500 m west of A, a planned one beside C (does not count), a yard."""
    return gpd.GeoDataFrame({
        "kind": ["motorway_exit", "motorway_exit", "rail_freight"],
        "name": ["长治北出口", "规划出口", "长治北站货场"],
        "status": ["existing", "planned", None]},
        geometry=[shapely.Point(X0 - 500, Y0 + 50), shapely.Point(X0 + 2100, Y0 + 150),
                  shapely.Point(X0 + 1050, Y0 + 2100)], crs=CRS)


def test_only_land_on_offer_with_area_in_mu_and_hectares() -> None:
    offer = offer_table(_parcels())
    assert offer.table["parcel_id"].tolist() == ["A", "B", "C"]
    assert offer.table["area_ha"].tolist() == pytest.approx([1.0, 1.0, 2.0])
    assert offer.table["area_mu"].tolist() == pytest.approx([15.0, 15.0, 30.0])
    assert MU_PER_HA == 15.0
    assert offer.table["name"].tolist() == ["甲地块", "乙地块", "丙地块"]
    assert set(offer.table["readiness"]) == {"unchecked"}
    assert len(offer.geometry) == 3 and offer.geometry.crs == CRS


def test_readiness_comes_from_the_result() -> None:
    overall = pd.DataFrame({"parcel_id": ["A", "C"], "readiness": ["ready", "not_ready"]})
    offer = offer_table(_parcels(), overall=overall)
    assert offer.table["readiness"].tolist() == ["ready", "unchecked", "not_ready"]


def test_distances_to_existing_facilities_in_metres() -> None:
    power = gpd.GeoDataFrame({"kind": ["substation", "line"], "status": ["existing"] * 2},
                             geometry=[shapely.Point(X0 + 1100, Y0 + 400),
                                       shapely.LineString([(X0, Y0 - 10), (X0 + 3000, Y0 - 10)])],
                             crs=CRS)
    offer = offer_table(_parcels(), layers={"transport": _transport().to_crs(4326),
                                            "power": power})
    t = offer.table
    assert offer.missing == ()
    # the planned exit beside C does not count; the WGS84 layer is measured in metres
    assert t[distance_column("motorway_exit")].tolist() == pytest.approx([500, 1500, 2500],
                                                                         abs=0.05)
    assert t[distance_column("rail_freight")].tolist() == pytest.approx(
        [np.hypot(950, 2000), 2000, np.hypot(950, 2000)], abs=0.05)
    assert t[distance_column("substation")].tolist() == pytest.approx(
        [np.hypot(1000, 300), 300, np.hypot(900, 300)], abs=0.05)


def test_a_missing_layer_or_kind_disables_its_filter_without_a_crash() -> None:
    power_lines = gpd.GeoDataFrame({"kind": ["line"]}, geometry=[
        shapely.LineString([(X0, Y0), (X0 + 10, Y0)])], crs=CRS)
    offer = offer_table(_parcels(), layers={"power": power_lines})
    assert offer.missing == ("motorway_exit", "rail_freight", "substation")
    assert offer.table[distance_column("substation")].isna().all()
    keep = filter_offer(offer, OfferFilter(max_distance_m={"substation": 10.0}))
    assert keep.tolist() == [True, True, True]


def test_distance_filter_at_its_threshold() -> None:
    offer = offer_table(_parcels(), layers={"transport": _transport()})
    at = filter_offer(offer, OfferFilter(max_distance_m={"motorway_exit": 1500.0}))
    assert at.tolist() == [True, True, False]
    below = filter_offer(offer, OfferFilter(max_distance_m={"motorway_exit": 1499.0}))
    assert below.tolist() == [True, False, False]


def test_area_zone_industry_and_readiness_filters() -> None:
    overall = pd.DataFrame({"parcel_id": ["A", "B", "C"],
                            "readiness": ["ready", "not_ready", "ready"]})
    offer = offer_table(_parcels(), overall=overall)
    assert filter_offer(offer, OfferFilter(min_mu=15.0)).tolist() == [True, True, True]
    assert filter_offer(offer, OfferFilter(min_mu=15.1)).tolist() == [False, False, True]
    assert filter_offer(offer, OfferFilter(max_mu=15.0)).tolist() == [True, True, False]
    assert filter_offer(offer, OfferFilter(max_mu=14.9)).tolist() == [False, False, False]
    assert filter_offer(offer, OfferFilter(min_mu=2 * MU_PER_HA)).tolist() == [False, False, True]
    assert filter_offer(offer, OfferFilter(zones=("Z2",))).tolist() == [False, False, True]
    assert filter_offer(offer, OfferFilter(industries=("equipment",))).tolist() == \
        [False, True, False]
    assert filter_offer(offer, OfferFilter(readiness=("ready",), zones=("Z1",))).tolist() == \
        [True, False, False]


def test_no_supply_status_column_means_nothing_is_on_offer() -> None:
    offer = offer_table(_parcels().drop(columns="supply_status"))
    assert offer.table.empty and len(offer.geometry) == 0


# --------------------------------------------------------------------------- indicators
RULE = IndicatorsRule(id="indicators", kind="indicators", label_zh="控制性指标",
                      label_en="Control indicators", by_industry={
                          "photovoltaic": {"invest_intensity": Bound(min=300.0),
                                           "far": Bound(min=1.0),
                                           "energy_per_output": Bound(max=0.5)},
                          "equipment": {"invest_intensity": Bound(min=250.0)}})


def test_implied_indicators_per_mu_and_per_square_metre() -> None:
    plan = Plan(investment_wan=4500.0, floor_area_m2=10_000.0, footprint_m2=4_000.0,
                output_wan=9000.0, tax_wan=300.0, energy_tce=900.0)
    got = implied_indicators(np.array([1.0, 2.0]), plan)
    assert got["invest_intensity"].tolist() == pytest.approx([300.0, 150.0])
    assert got["far"].tolist() == pytest.approx([1.0, 0.5])
    assert got["building_coverage"].tolist() == pytest.approx([40.0, 20.0])
    assert got["tax_per_mu"].tolist() == pytest.approx([20.0, 10.0])
    assert got["output_per_mu"].tolist() == pytest.approx([600.0, 300.0])
    assert got["energy_per_output"].tolist() == pytest.approx([0.1, 0.1])
    assert implied_indicators([1.0], Plan()).isna().all(axis=None)


def test_plan_at_the_floors_meets_them_and_just_below_fails_with_reasons() -> None:
    table = offer_table(_parcels()).table  # A: 15 mu photovoltaic, B: equipment, C: 30 mu
    at = check_plan(table, Plan(investment_wan=4500.0, floor_area_m2=10_000.0), [RULE])
    # A: 300 万元/亩 and FAR 1.0 exactly at the floors; C (2 ha): 150 and 0.5
    assert at["plan_status"].tolist() == ["meets", "meets", "fails"]
    assert "单位能耗：未提供" in at.loc[0, "reasons"] and at.loc[1, "reasons"] == ""
    assert "投资强度 150 万元/亩 低于下限 300 万元/亩" in at.loc[2, "reasons"]
    assert "Floor-area ratio 0.5 below the floor 1" in at.loc[2, "reasons_en"]
    below = check_plan(table, Plan(investment_wan=4499.0, floor_area_m2=10_000.0), [RULE])
    assert below["plan_status"].tolist() == ["fails", "meets", "fails"]
    assert "投资强度 299.93" in below.loc[0, "reasons"]
    assert "容积率" not in below.loc[0, "reasons"]  # FAR 1.0 still meets


def test_a_ceiling_is_met_at_its_value_and_failed_above() -> None:
    table = offer_table(_parcels()).table.iloc[:1]
    at = check_plan(table, Plan(output_wan=1000.0, energy_tce=500.0), [RULE])
    assert at["plan_status"].tolist() == ["meets"]
    above = check_plan(table, Plan(output_wan=1000.0, energy_tce=501.0), [RULE])
    assert above["plan_status"].tolist() == ["fails"]
    assert "高于上限 0.5" in above.loc[0, "reasons"]


def test_nothing_judgeable_and_no_floors() -> None:
    parcels = _parcels()
    parcels.loc[1, "industry"] = "food"  # no floors in the rule
    parcels.loc[2, "industry"] = None
    table = offer_table(parcels).table
    got = check_plan(table, Plan(tax_wan=100.0), [RULE])
    assert got["plan_status"].tolist() == ["not_judged", "no_floors", "no_floors"]
    assert got.loc[2, "reasons_en"] == "the parcel has no industry"
    assert check_plan(table, Plan(investment_wan=1.0), [])["plan_status"].eq("no_floors").all()


def test_floors_of_several_rules_combine_to_the_stricter() -> None:
    other = IndicatorsRule(id="more", kind="indicators", label_zh="", label_en="", by_industry={
        "photovoltaic": {"invest_intensity": Bound(min=350.0), "far": Bound(min=0.8, max=3.0)}})
    floors = floors_by_industry([RULE, other])
    assert floors["photovoltaic"]["invest_intensity"] == Bound(350.0, None)
    assert floors["photovoltaic"]["far"] == Bound(1.0, 3.0)
    assert floors["equipment"] == {"invest_intensity": Bound(250.0, None)}


# --------------------------------------------------------------------------- the layer kind
def test_transport_layer_kind_reads_chinese_columns_and_values() -> None:
    spec = CATALOG["transport"]
    assert spec.geometry == "point" and spec.required == ["kind"]
    raw = gpd.GeoDataFrame({"设施类型": ["高速出口", "铁路货场", "机场"],
                            "名称": ["长治北出口", "长治北站货场", "长治王村机场"]},
                           geometry=[shapely.Point(X0, Y0)] * 3, crs=CRS)
    out = normalize("transport", raw).data
    assert out["kind"].tolist() == ["motorway_exit", "rail_freight", "airport"]
    assert out["name"].tolist() == ["长治北出口", "长治北站货场", "长治王村机场"]


def test_contract_conditions_count_as_floors_too() -> None:
    rule = IndicatorsRule(id="indicators", kind="indicators", label_zh="", label_en="",
                          by_industry={"photovoltaic": {"far": Bound(min=1.0)}},
                          contract_by_industry={"photovoltaic": {"tax_per_mu": Bound(min=15.0)}})
    table = offer_table(_parcels()).table.iloc[:1]  # 15 mu
    at = check_plan(table, Plan(floor_area_m2=10_000.0, tax_wan=225.0), [rule])
    assert at["plan_status"].tolist() == ["meets"]
    below = check_plan(table, Plan(floor_area_m2=10_000.0, tax_wan=224.0), [rule])
    assert below["plan_status"].tolist() == ["fails"] and "亩均税收" in below.loc[0, "reasons"]
