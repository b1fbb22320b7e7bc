"""Normalisation to the catalogue and validation findings."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from layers.catalog import CATALOG, LAYER_KINDS, TABLE_KINDS, alias_map
from layers.schema import normalize
from layers.validate import has_problems, validate, validate_raw

CRS = "EPSG:4547"


def parcels(**cols) -> gpd.GeoDataFrame:
    geoms = cols.pop("geometry", [box(500_000, 4_000_000, 500_100, 4_000_100),
                                  box(500_200, 4_000_000, 500_300, 4_000_100)])
    base = {"parcel_id": ["P1", "P2"], "area_ha": [1.0, 1.0]}
    base.update(cols)
    return gpd.GeoDataFrame(base, geometry=geoms, crs=CRS)


def test_catalogue_is_complete():
    assert set(LAYER_KINDS) >= {"zones", "parcels", "mines", "water", "roads", "power",
                                "tourism_road", "constraints", "base_stations"}
    assert set(TABLE_KINDS) == {"assessments", "inspections", "contracts", "performance",
                                "commitments", "projects", "scenarios"}
    for spec in CATALOG.values():
        assert spec.zh and spec.en
        for col in spec.columns:
            assert col.zh and col.en, (spec.kind, col.name)


def test_project_columns_survive_a_shapefile():
    for kind in ("roads", "water", "power", "gas"):
        amap = alias_map(CATALOG[kind])
        assert amap["planned_da"] == "planned_date" and amap["项目编号"] == "project_id"


def test_alias_map_knows_chinese_names():
    amap = alias_map(CATALOG["parcels"])
    assert amap["地块编号"] == "parcel_id"
    assert amap["容积率"] == "far"
    assert alias_map(CATALOG["mines"])["阶段"] == "stage"


def test_normalize_renames_aliases_and_maps_chinese_values():
    raw = gpd.GeoDataFrame(
        {"图斑编号": ["K1", "K2"], "阶段": ["施工中", "已验收"], "面积": ["3.5", "abc"],
         "备用字段": ["x", "y"]},
        geometry=[box(0, 0, 1, 1), box(2, 2, 3, 3)], crs=CRS)
    n = normalize("mines", raw)
    assert list(n.data["stage"]) == ["in_progress", "accepted"]
    assert n.renamed == {"图斑编号": "site_id", "阶段": "stage", "面积": "area_ha"}
    assert n.unknown == ["备用字段"]
    assert n.data["area_ha"].iloc[0] == 3.5
    assert pd.isna(n.data["area_ha"].iloc[1])
    bad = [f for f in n.findings if f.severity == "error"]
    assert len(bad) == 1 and bad[0].feature == "K2" and bad[0].column == "area_ha"
    assert "abc" in bad[0].problem_en


def test_normalize_booleans_and_dates():
    raw = pd.DataFrame({"site_id": ["A", "B", "C"],
                        "date": ["2024-01-05", "2024/02/06", "not a date"],
                        "stage": ["approved", "approved", "approved"]})
    n = normalize("inspections", raw)
    assert n.data["date"].iloc[1] == pd.Timestamp("2024-02-06")
    assert [f.feature for f in n.findings if f.severity == "error"] == ["#3"]
    p = normalize("parcels", parcels(净地=["是", "否"]))
    assert list(p.data["net_land"]) == [True, False]


def test_clean_layer_has_no_problems():
    table = validate("parcels", normalize("parcels", parcels()).data)
    assert not has_problems(table)


def test_missing_required_column_is_named():
    gdf = parcels().drop(columns="parcel_id")
    table = validate("parcels", gdf)
    row = table.iloc[0]
    assert (row.severity, row.column) == ("error", "parcel_id")
    assert "地块编号" in row.hint


def test_duplicate_ids_enum_values_and_area_mismatch():
    gdf = normalize("parcels", parcels(parcel_id=["P1", "P1"], area_ha=[1.0, 1.3],
                                       supply_status=["reserve", "sold"])).data
    table = validate("parcels", gdf)
    problems = set(zip(table.column, table.severity, strict=True))
    assert ("parcel_id", "error") in problems
    assert ("supply_status", "error") in problems
    area = table[table.column == "area_ha"]
    assert len(area) == 1 and area.iloc[0].severity == "warning"
    assert "30%" in area.iloc[0].problem_en


def test_area_within_tolerance_is_fine():
    gdf = parcels(area_ha=[1.04, 0.96])
    assert validate("parcels", gdf).query("column == 'area_ha'").empty


def test_area_check_in_geographic_crs():
    gdf = parcels().to_crs(4490)
    assert validate("parcels", gdf).query("column == 'area_ha'").empty


def test_wrong_and_invalid_geometry():
    bowtie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    gdf = parcels(geometry=[Point(0, 0), bowtie])
    table = validate("parcels", gdf).query("column == 'geometry'")
    assert set(table.feature) == {"P1", "P2"}
    assert any("expected polygon" in p for p in table.problem_en)
    assert any("invalid" in p for p in table.problem_en)


def test_water_accepts_lines_and_points():
    gdf = gpd.GeoDataFrame({"kind": ["main", "plant"]},
                           geometry=[LineString([(0, 0), (1, 1)]), Point(3, 3)], crs=CRS)
    assert not has_problems(validate("water", gdf))


def test_table_required_values():
    raw = pd.DataFrame({"scope": ["zone"], "scope_id": [None], "kind": ["环境影响评价"],
                        "status": ["批复"]})
    data, findings = validate_raw("assessments", raw)
    assert data["kind"].iloc[0] == "eia" and data["status"].iloc[0] == "approved"
    errors = findings[findings.severity == "error"]
    assert list(errors.column) == ["scope_id"]


@pytest.mark.parametrize("kind", LAYER_KINDS)
def test_empty_layer_reports_missing_required(kind):
    gdf = gpd.GeoDataFrame({"x": []}, geometry=[], crs=CRS)
    table = validate(kind, gdf)
    assert set(table[table.severity == "error"].column) == set(CATALOG[kind].required)
