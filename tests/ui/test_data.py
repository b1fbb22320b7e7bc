"""The app's data helpers: rulebook edits, parcel table, exports (no Streamlit session needed)."""

from __future__ import annotations

import io
import json
import tomllib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from ui.data import apply_overrides, export_bytes, numeric_parameters

RULES = """
[meta]
name = "测试"
version = "1"

[[rule]]
id = "road"
kind = "distance"
label = { zh = "通路", en = "Road access" }
layer = "roads"
filter = { status = "existing" }
max_m = 50.0
required = true

[[rule]]
id = "indicators"
kind = "indicators"
label = { zh = "控制指标", en = "Indicators" }
[rule.by_industry.photovoltaic]
far = { min = 1.0 }
"""


def test_numeric_parameters_lists_thresholds_including_nested_ones() -> None:
    params = numeric_parameters(RULES)
    assert ("road", "max_m", 50.0) in params
    assert ("indicators", "by_industry.photovoltaic.far.min", 1.0) in params
    assert not any(k in ("required", "id") for _, k, _ in params)


def test_overrides_change_only_the_named_threshold() -> None:
    text = apply_overrides(RULES, {("road", "max_m"): 80.0,
                                   ("indicators", "by_industry.photovoltaic.far.min"): 1.2,
                                   ("nope", "max_m"): 1.0})
    doc = tomllib.loads(text)
    road, ind = doc["rule"]
    assert road["max_m"] == 80.0 and road["label"]["zh"] == "通路"
    assert ind["by_industry"]["photovoltaic"]["far"]["min"] == 1.2
    assert apply_overrides(RULES, {}) == RULES


@pytest.fixture
def named_parcels() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"parcel_id": ["P1", "P2"], "name": ["光伏地块", "芯片地块"]},
                            geometry=[shapely.box(390000, 4000000, 390100, 4000100),
                                      shapely.box(390200, 4000000, 390300, 4000100)],
                            crs="EPSG:4547")


def test_geojson_export_is_rfc7946_wgs84(named_parcels: gpd.GeoDataFrame) -> None:
    doc = json.loads(export_bytes(named_parcels, "geojson", layer="parcels"))
    assert "crs" not in doc
    lon, lat = doc["features"][0]["geometry"]["coordinates"][0][0]
    assert 112 < lon < 114 and 35 < lat < 37
    assert [f["properties"]["name"] for f in doc["features"]] == ["光伏地块", "芯片地块"]


def test_csv_export_opens_in_excel_with_chinese(named_parcels: gpd.GeoDataFrame) -> None:
    raw = export_bytes(named_parcels, "csv", layer="parcels")
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    table = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig")
    assert list(table["name"]) == ["光伏地块", "芯片地块"]


def test_gpkg_export_round_trips(named_parcels: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "p.gpkg"
    path.write_bytes(export_bytes(named_parcels, "gpkg", layer="parcels"))
    back = gpd.read_file(path, layer="parcels")
    assert list(back["name"]) == ["光伏地块", "芯片地块"] and back.crs.to_epsg() == 4547
