"""Priorities (tourism road, towns, open problems) and the city KPIs."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from layers.restoration import (
    MINE_STAGES,
    RestorationInputs,
    evaluate,
    kpis,
    priorities,
    progress,
)
from layers.settings import RestorationSettings
from tests.restoration.restoration_helpers import CRS, X0, Y0, make_sites

AS_OF = "2025-06-01"


@pytest.fixture
def scene() -> RestorationInputs:
    # four identical 1 ha in-progress sites, different places; one finished site
    mines = make_sites([
        {"site_id": "ROAD", "stage": "in_progress", "x": 0, "y": 800},      # 700 m from road
        {"site_id": "TOWN", "stage": "in_progress", "x": 20_000, "y": 20_000},
        {"site_id": "FAR", "stage": "in_progress", "x": 40_000, "y": 40_000},
        {"site_id": "BOTH", "stage": "in_progress", "x": 20_000, "y": 1500},
        {"site_id": "DONE", "stage": "closed", "x": 0, "y": -600},
    ])
    road = gpd.GeoDataFrame({"name": ["太行一号旅游公路"]}, geometry=[
        shapely.LineString([(X0 - 5000, Y0), (X0 + 30_000, Y0)])], crs=CRS)
    towns = gpd.GeoDataFrame({"name": ["平顺县城", "壶关县城"]}, geometry=[
        shapely.Point(X0 + 21_000, Y0 + 20_050), shapely.Point(X0 + 20_050, Y0 + 4000)],
        crs=CRS)
    hist = pd.DataFrame({"site_id": ["ROAD", "TOWN", "FAR", "BOTH"],
                         "date": pd.to_datetime(["2025-05-01"] * 4),
                         "stage": ["in_progress"] * 4, "restored_area_ha": [0.5] * 4})
    return RestorationInputs(mines=mines, inspections=hist, tourism_road=road, towns=towns)


def test_sites_near_the_road_and_towns_rank_higher(scene: RestorationInputs) -> None:
    prog = progress(scene, as_of=AS_OF).sites
    rank = priorities(prog, scene).ranking
    order = list(rank["site_id"])
    assert order == ["BOTH", "ROAD", "TOWN", "FAR", "DONE"]
    assert list(rank["priority_rank"]) == [1, 2, 3, 4, 5]
    both = rank.iloc[0]
    assert both["priority_score"] == 3 + 2 + 2
    assert both["road_distance_m"] == pytest.approx(1500)
    assert both["nearest_town"] == "壶关县城"
    assert "1500 m from the Taihang tourism road" in both["reasons_en"]
    assert "距太行旅游公路 1500 米" in both["reasons_zh"] and "壶关县城" in both["reasons_zh"]
    road = rank.set_index("site_id").loc["ROAD"]
    assert road["road_distance_m"] == pytest.approx(800) and road["priority_score"] == 5
    done = rank.set_index("site_id").loc["DONE"]
    # visible from the road, but finished with nothing open: no priority
    assert done["priority_score"] == 0 and done["remaining_ha"] == 0
    assert done["reasons_en"] == "works completed, nothing open"


def test_distances_are_configurable(scene: RestorationInputs) -> None:
    prog = progress(scene, as_of=AS_OF).sites
    near = RestorationSettings(road_distance_m=1000, town_distance_m=100)
    rank = priorities(prog, scene, settings=near).ranking.set_index("site_id")
    assert rank.loc["BOTH", "priority_score"] == 2  # only "unfinished" is left
    assert rank.loc["ROAD", "priority_score"] == 5


def test_missing_layers_drop_their_criterion(scene: RestorationInputs) -> None:
    scene.tourism_road = None
    scene.towns = None
    result = priorities(progress(scene, as_of=AS_OF).sites, scene)
    rank = result.ranking
    assert rank["road_distance_m"].isna().all()
    assert set(rank["priority_score"]) == {2.0, 0.0}
    notes = {n.code: n for n in result.notes}
    assert "no tourism_road layer" in notes["no_tourism_road"].message_en
    assert "no towns or counties" in notes["no_towns"].message_en
    assert "旅游公路" in notes["no_tourism_road"].message("zh")
    assert "城镇" in notes["no_towns"].message("zh")


def test_flags_add_points_and_reasons(scene: RestorationInputs) -> None:
    scene.mines.loc[scene.mines["site_id"] == "FAR", "target_date"] = pd.Timestamp("2025-01-01")
    prog = progress(scene, as_of=AS_OF).sites
    far = priorities(prog, scene).ranking.set_index("site_id").loc["FAR"]
    assert far["priority_score"] == 2 + 2
    assert "overdue" in far["reasons_en"] and "逾期未完工" in far["reasons_zh"]


def test_evaluate_merges_the_ranking_into_the_site_table(scene: RestorationInputs) -> None:
    res = evaluate(scene, as_of=AS_OF)
    assert list(res.sites.columns[:5]) == ["site_id", "stage", "progress_pct", "days_overdue",
                                           "ndvi_change"]
    assert res.sites.columns[-3:].tolist() == ["notes", "notes_en", "geometry"]
    assert {"priority_rank", "priority_score", "priority_reasons_zh",
            "priority_reasons_en"} <= set(res.sites.columns)
    assert res.sites.set_index("site_id").loc["BOTH", "priority_rank"] == 1
    assert res.as_of == AS_OF


# ---------------------------------------------------------------------- KPIs
def _table() -> pd.DataFrame:
    return pd.DataFrame({
        "site_id": ["a", "b", "c", "d", "e"],
        "stage": ["not_started", "in_progress", "in_progress", "accepted", "closed"],
        "site_area_ha": [10.0, 4.0, 6.0, 2.0, 3.0],
        "restored_area_ha": [np.nan, 1.0, 7.0, 2.0, 3.0],   # c exceeds its area
        "days_overdue": [0, 30, 0, 0, 0],
        "county": ["平顺县", "平顺县", "壶关县", None, "壶关县"],
        "budget_wan": [100.0, 50.0, np.nan, 20.0, 30.0],
        "spent_wan": [10.0, 25.0, 5.0, np.nan, 30.0],
        "flags": ["", "overdue", "restored_exceeds_area", "", ""],
    })


def test_kpis_by_stage_cover_every_stage() -> None:
    k = kpis(_table())["by_stage"].set_index("stage")
    assert list(k.index) == list(MINE_STAGES)
    assert k.loc["in_progress", "sites"] == 2
    assert k.loc["in_progress", "area_ha"] == 10.0
    assert k.loc["in_progress", "restored_ha"] == 7.0  # 1 + min(7, 6)
    assert k.loc["approved", "sites"] == 0
    assert k.loc["accepted", "stage_zh"] == "已验收"
    assert k["share_sites_pct"].sum() == pytest.approx(100.0)


def test_kpis_summary_figures() -> None:
    s = kpis(_table())["summary"].set_index("metric")["value"]
    assert s["sites"] == 5 and s["area_ha"] == 25.0
    assert s["restored_ha"] == 12.0  # 1 + 6 + 2 + 3
    assert s["restored_pct"] == pytest.approx(48.0)
    assert s["completed"] == 2 and s["share_completed_pct"] == 40.0
    assert s["accepted"] == 2 and s["remaining"] == 3
    assert s["overdue"] == 1
    # only sites that give both budget and spending: a, b, e
    assert s["budget_wan"] == 180.0 and s["spent_wan"] == 65.0
    assert s["spent_pct"] == pytest.approx(36.1)
    assert s["flag_overdue"] == 1 and s["flag_restored_exceeds_area"] == 1
    assert s["flag_low_vegetation"] == 0


def test_kpis_by_county() -> None:
    c = kpis(_table())["by_county"].set_index("county")
    assert set(c.index) == {"平顺县", "壶关县", "（未知）"}
    assert c.loc["平顺县", "sites"] == 2 and c.loc["平顺县", "overdue"] == 1
    assert c.loc["壶关县", "completed"] == 1 and c.loc["壶关县", "share_completed_pct"] == 50.0
    assert c.loc["壶关县", "budget_wan"] == 30.0  # c has no budget
    assert np.isnan(c.loc["（未知）", "budget_wan"])
    assert c["sites"].sum() == 5
