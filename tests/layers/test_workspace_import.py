"""Workspace manifest, atomic import/export and `devzone validate|import|export`."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from cli.main import main
from gis.errors import WorkspaceError
from layers.access import Actor, Role
from layers.importing import ImportRefused, export_layer, import_layer
from layers.workspace import Workspace

CRS = "EPSG:4547"
EDITOR = Actor("编辑甲", Role.editor)


def _parcels(ids, x0=500_000.0) -> gpd.GeoDataFrame:
    geoms = [box(x0 + i * 200, 4_000_000, x0 + i * 200 + 100, 4_000_100) for i in range(len(ids))]
    return gpd.GeoDataFrame({"parcel_id": ids, "name": [f"地块{i}" for i in ids],
                             "area_ha": [1.0] * len(ids)}, geometry=geoms, crs=CRS)


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    root = tmp_path / "ws"
    root.mkdir()
    _parcels(["P1", "P2"]).to_file(root / "layers.gpkg", layer="parcels", driver="GPKG")
    (root / "workspace.toml").write_text(
        'name = "测试"\ncrs = "EPSG:4547"\n[layers]\nparcels = "layers.gpkg:parcels"\n',
        encoding="utf-8")
    return Workspace.load(root)


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def test_load_and_read(ws: Workspace):
    parcels = ws.read("parcels")
    assert list(parcels.parcel_id) == ["P1", "P2"]
    assert parcels.crs.to_epsg() == 4547
    assert ws.read("mines") is None
    assert ws.name == "测试"


def test_missing_file_named_in_manifest(tmp_path: Path):
    (tmp_path / "workspace.toml").write_text('[layers]\nzones = "nope.gpkg:zones"\n')
    with pytest.raises(WorkspaceError, match=r"nope\.gpkg"):
        Workspace.load(tmp_path)


def test_no_manifest(tmp_path: Path):
    with pytest.raises(WorkspaceError, match="devzone demo"):
        Workspace.load(tmp_path)


def test_manifest_round_trip(ws: Workspace):
    ws.ndvi = {"2020": "a.tif"}
    ws.rasters = {"dem": "d.tif"}
    doc = tomllib.loads(ws.to_toml())
    assert doc["rasters"] == {"dem": "d.tif", "ndvi": {"2020": "a.tif"}}
    assert doc["layers"] == {"parcels": "layers.gpkg:parcels"} and doc["name"] == "测试"


def test_import_appends_with_aliases_and_reprojects(ws: Workspace, tmp_path: Path):
    new = _parcels(["P3"], x0=510_000).to_crs(4490).rename(
        columns={"parcel_id": "地块编号", "name": "名称"})
    src = tmp_path / "新地块.geojson"
    new.to_file(src, driver="GeoJSON")
    report = import_layer(ws, "parcels", src, actor=EDITOR)
    assert report.n_features == 1
    out = Workspace.load(ws.root).read("parcels")
    assert list(out.parcel_id) == ["P1", "P2", "P3"]
    assert out.loc[2, "name"] == "地块P3"
    assert out.geometry.iloc[2].bounds[0] == pytest.approx(510_000, abs=0.01)


def test_refused_import_leaves_workspace_identical(ws: Workspace, tmp_path: Path):
    before = _digest(ws.root)
    bad = _parcels(["P9", "P9"])  # duplicate ids
    src = tmp_path / "bad.gpkg"
    bad.to_file(src, driver="GPKG")
    with pytest.raises(ImportRefused, match="P9"):
        import_layer(ws, "parcels", src, actor=EDITOR)
    clash = tmp_path / "clash.geojson"
    _parcels(["P1"]).to_file(clash, driver="GeoJSON")
    with pytest.raises(ImportRefused, match="already exist"):
        import_layer(ws, "parcels", clash, actor=EDITOR)
    assert _digest(ws.root) == before


def test_replace_and_export(ws: Workspace, tmp_path: Path):
    src = tmp_path / "p.gpkg"
    _parcels(["Q1"]).to_file(src, driver="GPKG")
    import_layer(ws, "parcels", src, actor=EDITOR, replace=True)
    assert list(ws.read("parcels").parcel_id) == ["Q1"]
    out = export_layer(ws, "parcels", tmp_path / "out.geojson")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["features"][0]["properties"]["name"] == "地块Q1"
    lon, lat = doc["features"][0]["geometry"]["coordinates"][0][0]
    assert 112 < lon < 116 and 30 < lat < 40
    csv = export_layer(ws, "parcels", tmp_path / "out.csv")
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    assert pd.read_csv(csv, encoding="utf-8-sig")["name"].iloc[0] == "地块Q1"


def test_import_table(ws: Workspace, tmp_path: Path):
    src = tmp_path / "评估.csv"
    pd.DataFrame({"评估范围": ["zone"], "范围编号": ["Z1"], "评估事项": ["环境影响评价"],
                  "状态": ["批复"], "有效期至": ["2030-01-01"]}).to_csv(
        src, index=False, encoding="utf-8")
    import_layer(ws, "assessments", src, actor=EDITOR)
    table = Workspace.load(ws.root).read("assessments")
    assert table.iloc[0]["kind"] == "eia" and table.iloc[0]["status"] == "approved"


def test_cli_validate_exit_codes(ws: Workspace, tmp_path: Path, capsys):
    assert main(["validate", str(ws.root)]) == 0
    bad = _parcels(["P1"])
    bad["area_ha"] = 5.0
    bad.to_file(ws.root / "layers.gpkg", layer="parcels", driver="GPKG")
    assert main(["validate", str(ws.root)]) == 1
    assert "area_ha" in capsys.readouterr().out
    (ws.root / "layers.gpkg").write_bytes(b"not a geopackage")
    assert main(["validate", str(ws.root)]) == 2
    assert main(["validate", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err


def test_cli_import_export(ws: Workspace, tmp_path: Path, capsys):
    src = tmp_path / "p.geojson"
    _parcels(["P7"], x0=520_000).to_file(src, driver="GeoJSON")
    assert main(["import", str(ws.root), "parcels", str(src)]) == 0
    assert "1 features appended" in capsys.readouterr().out
    assert main(["import", str(ws.root), "parcels", str(src)]) == 2
    assert "already exist" in capsys.readouterr().err
    assert main(["import", str(ws.root), "nonsense", str(src)]) == 2
    assert "Unknown layer kind" in capsys.readouterr().err
    out = tmp_path / "x.gpkg"
    assert main(["export", str(ws.root), "parcels", "--out", str(out)]) == 0
    assert len(gpd.read_file(out)) == 3
