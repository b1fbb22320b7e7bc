"""The extent check: features beyond the workspace's counties/zones + 20 km are refused."""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from gis.errors import CRSError
from layers.access import cli_actor
from layers.extent import MARGIN_M, check_extent, find_outside, workspace_extent
from layers.importing import import_layer, prepare_import
from layers.workspace import Workspace
from tests.hardening.hardening_corpus import BEIJING, GOOD, build_workspace

GK = "EPSG:4547"


def _gk(*geoms: shapely.Geometry) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"parcel_id": [f"X-{i}" for i in range(len(geoms))]},
                            geometry=list(geoms), crs=4490).to_crs(GK)


def test_workspace_extent_skips_missing_and_empty_layers() -> None:
    a = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 10, 10)], crs=GK)
    b = gpd.GeoDataFrame(geometry=[shapely.box(20, -5, 30, 5)], crs=GK)
    empty = gpd.GeoDataFrame(geometry=[], crs=GK)
    assert workspace_extent([a, None, empty, b]) == (0.0, -5.0, 30.0, 10.0)
    assert workspace_extent([None, empty]) is None


def test_find_outside_margin_edges() -> None:
    extent = (0.0, 0.0, 1000.0, 1000.0)
    inside = gpd.GeoDataFrame(geometry=[shapely.Point(1000 + MARGIN_M - 1, 500)], crs=GK)
    assert find_outside(inside, extent) is None
    # a long feature reaching into the grown extent is not "outside"
    line = gpd.GeoDataFrame(geometry=[shapely.LineString([(-90_000, 500), (-19_000, 500)])],
                            crs=GK)
    assert find_outside(line, extent) is None
    beyond = gpd.GeoDataFrame(geometry=[shapely.Point(1000 + MARGIN_M + 1, 500),
                                        shapely.Point(500, 500)], crs=GK)
    out = find_outside(beyond, extent)
    assert out is not None and (out.count, out.total) == (1, 2)
    assert out.distance_km == pytest.approx(20.0, abs=0.2)


def test_find_outside_reports_where_in_degrees() -> None:
    ws_box = _gk(shapely.box(112.6, 35.8, 113.5, 36.6))
    extent = workspace_extent([ws_box])
    out = find_outside(_gk(BEIJING), extent)
    assert out is not None
    assert out.where() == "116.41E 39.91N"
    assert out.where_zh() == "东经 116.41°、北纬 39.91°"
    # Beijing is ~440 km from the nearest corner of that box (113.5E 36.6N), on the ellipsoid
    assert 400 < out.distance_km < 480


def test_unplaceable_coordinates_are_outside() -> None:
    extent = (0.0, 0.0, 1000.0, 1000.0)
    gdf = gpd.GeoDataFrame(geometry=[shapely.Point(float("inf"), 0.0)], crs=GK)
    out = find_outside(gdf, extent)
    assert out is not None and out.lon is None and out.where() == "an unplaceable position"


def test_check_extent_sentence_in_both_languages() -> None:
    extent = workspace_extent([_gk(shapely.box(112.6, 35.8, 113.5, 36.6))])
    with pytest.raises(CRSError) as info:
        check_extent(_gk(BEIJING, GOOD), extent, display="bj.geojson",
                     reference="its counties and zones", reference_zh="县区和开发区")
    en, zh = info.value.text("en"), info.value.text("zh")
    assert re.search(r"bj\.geojson: 1 of 2 feature\(s\) lie outside .* 116\.41E 39\.91N — "
                     r"about \d+ km from the workspace; is the CRS right\?", en)
    assert "--allow-outside" in en
    assert "bj.geojson" in zh and "东经 116.41°" in zh and "--allow-outside" in zh
    check_extent(_gk(GOOD), extent, display="ok", reference="r", reference_zh="r")
    check_extent(_gk(BEIJING), None, display="x", reference="r", reference_zh="r")  # no extent


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace.load(build_workspace(tmp_path / "ws"))


def _geojson(path: Path, *geoms: shapely.Geometry) -> Path:
    gpd.GeoDataFrame({"parcel_id": [f"N-{i}" for i in range(len(geoms))]}, geometry=list(geoms),
                     crs=4326).to_file(path)
    return path


def test_prepare_import_refuses_and_allow_outside_accepts(ws: Workspace, tmp_path: Path) -> None:
    path = _geojson(tmp_path / "beijing.geojson", BEIJING)
    with pytest.raises(CRSError, match=r"beijing\.geojson: 1 of 1 .* 116\.41E 39\.91N"):
        prepare_import(ws, "parcels", path)
    report = import_layer(ws, "parcels", path, actor=cli_actor(), allow_outside=True)
    assert report.n_features == 1
    assert len(ws.read("parcels")) == 4


def test_isolated_upload_is_checked_too(ws: Workspace, tmp_path: Path) -> None:
    path = _geojson(tmp_path / "beijing.geojson", BEIJING)
    with pytest.raises(CRSError, match="outside the workspace extent"):
        prepare_import(ws, "parcels", path, isolated=True)


def test_parcels_are_the_reference_without_counties_and_zones(tmp_path: Path) -> None:
    root = build_workspace(tmp_path / "ws")
    text = (root / "workspace.toml").read_text(encoding="utf-8")
    (root / "workspace.toml").write_text(
        "\n".join(ln for ln in text.splitlines() if not ln.startswith(("counties", "zones"))),
        encoding="utf-8")
    ws = Workspace.load(root)
    # 40 km east of the parcels but inside the old counties: now outside
    far = shapely.box(113.55, 36.16, 113.56, 36.17)
    with pytest.raises(CRSError, match="its parcels grown by 20 km"):
        prepare_import(ws, "parcels", _geojson(tmp_path / "east.geojson", far))
    prepare_import(ws, "parcels", _geojson(tmp_path / "ok.geojson", GOOD))


def test_empty_workspace_has_no_extent_to_check(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    (root / "workspace.toml").write_text('name = "空"\ncrs = "EPSG:4547"\n', encoding="utf-8")
    ws = Workspace.load(root)
    report = prepare_import(ws, "parcels", _geojson(tmp_path / "bj.geojson", BEIJING))
    assert report.n_features == 1


def test_cli_allow_outside(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cli.main import main

    root = build_workspace(tmp_path / "ws")
    path = _geojson(tmp_path / "beijing.geojson", BEIJING)
    assert main(["import", str(root), "parcels", str(path)]) == 2
    assert "--allow-outside" in capsys.readouterr().err
    assert main(["import", str(root), "parcels", str(path), "--allow-outside"]) == 0
    assert "1 features appended" in capsys.readouterr().out
