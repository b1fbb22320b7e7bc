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

from gis.errors import RulebookError
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
                                   ("indicators", "by_industry.photovoltaic.far.min"): 1.2})
    doc = tomllib.loads(text)
    road, ind = doc["rule"]
    assert road["max_m"] == 80.0 and road["label"]["zh"] == "通路"
    assert ind["by_industry"]["photovoltaic"]["far"]["min"] == 1.2
    assert apply_overrides(RULES, {}) == RULES
    # an override of a rule the rulebook lacks is refused, naming it (no longer ignored)
    with pytest.raises(RulebookError, match="'nope'"):
        apply_overrides(RULES, {("nope", "max_m"): 1.0})


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


def test_parcel_table_failing_rules_are_the_engines_required_ones(demo_ws: Path) -> None:
    """The g5 5G rule (telecom) is advisory in the default rulebook: never listed as failing."""
    from layers.readiness import evaluate, inputs_from_workspace, rulebook_in_force
    from layers.workspace import Workspace
    from ui.data import parcel_table

    ws = Workspace.load(demo_ws)
    rb = rulebook_in_force(ws)
    assert rb.get("telecom").required is False
    result = evaluate(inputs_from_workspace(ws, rulebook=rb), rb, as_of=ws.as_of)
    long = result.long
    advisory_fails = long[(long["rule_id"] == "telecom") & (long["status"] == "fail")]
    assert len(advisory_fails)  # the demo has parcels without 5G: the case is exercised
    table = parcel_table(ws, result).set_index("parcel_id")
    assert not table["failing_rules"].str.contains("telecom").any()
    engine = result.overall.set_index(result.overall["parcel_id"].astype(str))
    assert table["failing_rules"].to_dict() == engine["failing_rules"].astype(str).to_dict()
    assert table.loc[table["readiness"] == "not_ready", "failing_rules"].ne("").all()
    assert table["area_ha"].sum() == pytest.approx(
        result.summary().total_ha, abs=0.01 * len(table))
