"""Normalisation to the catalogue and validation findings."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
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


def test_shapefile_truncated_names_read_as_catalogue_columns(tmp_path: Path):
    from layers.workspace import Workspace

    root = tmp_path / "ws"
    root.mkdir()
    shp = parcels(name=["一号地块", "二号地块"], supply_sta=["待供应", "储备"],
                  site_level=["是", "否"], invest_int=[300.0, 250.5], energy_per=[0.5, 0.8],
                  building_c=[40.0, 35.0], GREEN_RATI=[15.0, 12.0], admin_rati=[7.0, 6.5])
    pyogrio.write_dataframe(shp, root / "parcels.shp", encoding="GBK")
    assert (root / "parcels.cpg").read_text().strip() == "GBK"
    assert "一号地块".encode("gbk") in (root / "parcels.dbf").read_bytes()
    (root / "workspace.toml").write_text(
        'name = "测试"\ncrs = "EPSG:4547"\n[layers]\nparcels = "parcels.shp"\n',
        encoding="utf-8")
    out = Workspace.load(root).read("parcels")
    assert list(out["name"]) == ["一号地块", "二号地块"]
    assert list(out["supply_status"]) == ["for_supply", "reserve"]
    assert list(out["site_leveled"]) == [True, False]
    assert list(out["invest_intensity"]) == [300.0, 250.5]
    assert list(out["energy_per_output"]) == [0.5, 0.8]
    assert list(out["building_coverage"]) == [40.0, 35.0]
    assert list(out["green_ratio"]) == [15.0, 12.0]
    assert list(out["admin_ratio"]) == [7.0, 6.5]
    assert not {"supply_sta", "GREEN_RATI", "admin_rati"} & set(out.columns)


def test_truncated_names_ambiguous_or_shadowed_are_not_used():
    from layers.catalog import ColumnSpec, LayerSpec, truncated_names

    spec = LayerSpec("t", "测试", "Test", "none", (
        ColumnSpec("committed_far"), ColumnSpec("committed_tax"), ColumnSpec("delay_reason"),
        ColumnSpec("note", aliases=("delay_reas",))))
    assert truncated_names(spec) == {"delay_reas": "delay_reason"}
    amap = alias_map(spec)
    assert "committed_" not in amap and amap["delay_reas"] == "note"
    contracts = normalize("contracts", pd.DataFrame({"committed_": [1.0], "SIGNED_DAT": [
        "2024-01-02"]}))
    assert contracts.renamed == {"SIGNED_DAT": "signed_date"}
    assert contracts.unknown == ["committed_"]
    full = normalize("parcels", parcels(supply_sta=["储备", "储备"],
                                        supply_status=["待供应", "已供应"]))
    assert list(full.data["supply_status"]) == ["for_supply", "supplied"]
    assert full.unknown == ["supply_sta"]
    alias = normalize("parcels", parcels(supply_sta=["储备", "储备"], 供应状态=["在建", "在建"]))
    assert alias.renamed == {"供应状态": "supply_status"} and alias.unknown == ["supply_sta"]
    assert list(alias.data["supply_status"]) == ["under_construction"] * 2


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


def _raster_rows(table: pd.DataFrame, text: str) -> pd.DataFrame:
    return table[table["problem_en"].str.contains(text, regex=False)]


def test_validate_flags_rasters_outside_the_analysis_crs(demo_ws_copy: Path):
    import numpy as np
    import rasterio
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    from layers.validate import validate_workspace
    from layers.workspace import Workspace

    table, unusable = validate_workspace(Workspace.load(demo_ws_copy))
    assert not unusable and _raster_rows(table, "raster ").empty
    path = demo_ws_copy / "rasters" / "rsrp_5g.tif"
    with rasterio.open(path) as src:
        profile, data = src.profile, src.read(1)
        transform, width, height = calculate_default_transform(
            src.crs, "EPSG:32649", src.width, src.height, *src.bounds)
        warped = np.full((height, width), src.nodata, dtype=data.dtype)
        reproject(data, warped, src_transform=src.transform, src_crs=src.crs,
                  dst_transform=transform, dst_crs="EPSG:32649", src_nodata=src.nodata,
                  dst_nodata=src.nodata, resampling=Resampling.nearest)
    profile.update(crs="EPSG:32649", transform=transform, width=width, height=height)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(warped, 1)
    (demo_ws_copy / "rasters" / "ndvi_2020.tif").write_bytes(b"not a GeoTIFF")

    table, unusable = validate_workspace(Workspace.load(demo_ws_copy))
    assert not unusable
    wrong = _raster_rows(table, "not the workspace's analysis CRS")
    assert len(wrong) == 1
    row = wrong.iloc[0]
    assert (row["layer"], row["severity"], row["feature"]) == (
        "coverage_5g", "warning", "rasters/rsrp_5g.tif")
    for text in ("rasters/rsrp_5g.tif", "EPSG:32649", "EPSG:4547"):
        assert text in row["problem_en"] and text in row["problem"]
    assert "gdalwarp -t_srs EPSG:4547 rasters/rsrp_5g.tif" in row["hint_en"]
    assert "gdalwarp" in row["hint"]
    broken = _raster_rows(table, "Cannot open raster")
    assert list(broken["layer"]) == ["ndvi.2020"] and list(broken["severity"]) == ["error"]
    assert "ndvi_2020.tif" in broken.iloc[0]["problem_en"] and broken.iloc[0]["problem"]
