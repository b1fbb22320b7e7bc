"""Tests for gis._read (via the gis.io facade): formats, encodings, CRS, geometry repair."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from gis.errors import CRSError, GeometryError, InputError
from gis.io import list_layers, read_table, read_vector, read_vector_isolated


def _codes(result) -> list[str]:
    return [n.code for n in result.notes]


def _note(result, code: str):
    return next(n for n in result.notes if n.code == code)


def _assert_same_place(got: gpd.GeoDataFrame, want: gpd.GeoDataFrame, tol_m: float = 1.0):
    a = got.to_crs(4547).geometry.reset_index(drop=True)
    b = want.to_crs(4547).geometry.reset_index(drop=True)
    assert len(a) == len(b)
    assert (a.hausdorff_distance(b) < tol_m).all()


# ---------------------------------------------------------------------------
# formats with Chinese attributes
# ---------------------------------------------------------------------------


def _write(parcels: gpd.GeoDataFrame, tmp_path: Path, fmt: str, make_zip) -> tuple[Path, dict]:
    if fmt == "geojson":
        path = tmp_path / "地块.geojson"
        parcels.to_file(path, driver="GeoJSON")
        return path, {}
    if fmt == "gpkg":
        path = tmp_path / "layers.gpkg"
        parcels.to_file(path, layer="parcels")
        return path, {}
    if fmt == "fgb":
        path = tmp_path / "parcels.fgb"
        parcels.to_file(path)
        return path, {}
    if fmt == "kml":
        path = tmp_path / "parcels.kml"
        parcels.to_crs(4326).to_file(path, driver="KML")
        return path, {}
    folder = tmp_path / "shp"
    folder.mkdir()
    shp = folder / "parcels.shp"
    parcels.to_file(shp, encoding="UTF-8")
    if fmt == "shp":
        return shp, {}
    files = sorted(folder.iterdir())
    return make_zip(tmp_path / "parcels.zip", files, folder="图层/"), {}


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shp", "zip", "kml", "fgb"])
def test_formats_round_trip_chinese(fmt, parcels, tmp_path, make_zip) -> None:
    path, kw = _write(parcels, tmp_path, fmt, make_zip)
    res = read_vector(path, expect="polygon", **kw)
    gdf = res.gdf.sort_values("parcel_id")  # FlatGeobuf's spatial index reorders features
    assert list(gdf["名称"]) == list(parcels["名称"])
    assert list(gdf["parcel_id"]) == ["CZ-001", "CZ-002", "CZ-003"]
    assert res.crs_source == "declared"
    assert gdf.crs is not None
    _assert_same_place(gdf, parcels, tol_m=0.5)
    assert res.warnings == []
    assert str(path) in res.source


def test_gpkg_layers(parcels, tmp_path) -> None:
    path = tmp_path / "ws.gpkg"
    parcels.to_file(path, layer="parcels")
    parcels.iloc[:1].to_file(path, layer="zones")
    assert list_layers(path) == ["parcels", "zones"]
    with pytest.raises(InputError, match=r"ws\.gpkg has 2 layers: parcels, zones"):
        read_vector(path)
    assert len(read_vector(path, layer="zones").gdf) == 1
    assert len(read_vector(path, layer="PARCELS").gdf) == 3
    with pytest.raises(InputError, match=r"no layer 'roads'; its layers are: parcels, zones"):
        read_vector(path, layer="roads")


def test_gpkg_with_one_spatial_layer_and_a_table(parcels, tmp_path) -> None:
    path = tmp_path / "ws.gpkg"
    parcels.to_file(path, layer="parcels")
    table = pd.DataFrame({"site_id": ["K01"], "note": ["复绿完成"]})
    pyogrio.write_dataframe(table, path, layer="inspections")
    assert len(read_vector(path).gdf) == 3  # the only spatial layer
    out = read_table(path, layer="inspections")
    assert list(out["note"]) == ["复绿完成"]
    with pytest.raises(InputError, match="2 layers"):
        read_table(path)  # a table read must name one of both
    with pytest.raises(GeometryError, match="without geometries"):
        read_vector(path, layer="inspections")


def test_zip_with_several_datasets(parcels, tmp_path, make_zip) -> None:
    a = tmp_path / "zones.geojson"
    b = tmp_path / "roads.geojson"
    parcels.to_file(a)
    parcels.iloc[:2].to_file(b)
    path = make_zip(tmp_path / "both.zip", [a, b])
    with pytest.raises(InputError, match=r"2 vector datasets: roads\.geojson, zones\.geojson"):
        read_vector(path)
    assert list_layers(path) == ["roads.geojson", "zones.geojson"]
    assert len(read_vector(path, layer="roads").gdf) == 2
    assert len(read_vector(path, layer="zones.geojson").gdf) == 3


def test_zip_without_vector_data(tmp_path, make_zip) -> None:
    txt = tmp_path / "readme.txt"
    txt.write_text("nothing here")
    with pytest.raises(InputError, match="contains no vector dataset"):
        read_vector(make_zip(tmp_path / "empty.zip", [txt]))


# ---------------------------------------------------------------------------
# shapefile encodings
# ---------------------------------------------------------------------------


def test_gbk_shapefile_without_cpg(gbk_shapefile: Path, parcels) -> None:
    assert gbk_shapefile.with_suffix(".dbf").read_bytes()[29] == 0
    assert not gbk_shapefile.with_suffix(".cpg").exists()
    naive = pyogrio.read_dataframe(gbk_shapefile)
    assert "名称" not in naive.columns  # GDAL alone decodes Latin-1: mojibake
    res = read_vector(gbk_shapefile, expect="polygon")
    assert list(res.gdf["名称"]) == list(parcels["名称"])
    note = _note(res, "gbk_encoding")
    assert note.severity == "warning" and "GB18030" in note.message_en and note.message_zh


def test_gbk_shapefile_zipped_in_subfolder(gbk_shapefile, parcels, tmp_path, make_zip,
                                           shapefile_parts_of) -> None:
    path = make_zip(tmp_path / "上传.zip", shapefile_parts_of(gbk_shapefile), folder="数据/")
    res = read_vector(path, expect="polygon")
    assert list(res.gdf["名称"]) == list(parcels["名称"])
    assert "gbk_encoding" in _codes(res)
    assert res.source.endswith("数据/parcels.shp")
    table = read_table(path)
    assert list(table["名称"]) == list(parcels["名称"])
    assert "geometry" not in table.columns


def test_utf8_shapefile_without_cpg(parcels, tmp_path) -> None:
    shp = tmp_path / "u.shp"
    parcels.to_file(shp, encoding="UTF-8")
    shp.with_suffix(".cpg").unlink()
    raw = bytearray(shp.with_suffix(".dbf").read_bytes())
    raw[29] = 0
    shp.with_suffix(".dbf").write_bytes(bytes(raw))
    res = read_vector(shp)
    assert list(res.gdf["名称"]) == list(parcels["名称"])
    assert "utf8_encoding" in _codes(res)


def test_explicit_encoding_wins(gbk_shapefile, parcels) -> None:
    res = read_vector(gbk_shapefile, encoding="GBK")
    assert list(res.gdf["名称"]) == list(parcels["名称"])
    assert "gbk_encoding" not in _codes(res)


# ---------------------------------------------------------------------------
# CRS
# ---------------------------------------------------------------------------


def _without_prj(gdf: gpd.GeoDataFrame, path: Path) -> Path:
    gdf.to_file(path, encoding="UTF-8")
    path.with_suffix(".prj").unlink()
    return path


def test_no_crs_prefixed_gk_is_detected(parcels, tmp_path) -> None:
    shp = _without_prj(parcels.to_crs(4526), tmp_path / "gk38.shp")
    res = read_vector(shp, expect="polygon")
    assert res.crs_source == "detected"
    assert res.gdf.crs.to_epsg() == 4526
    _assert_same_place(res.gdf, parcels, tol_m=1.0)
    note = _note(res, "crs_detected")
    assert note.severity == "warning" and "EPSG:4526" in note.message_en


def test_no_crs_plain_gk_is_ambiguous(parcels, tmp_path) -> None:
    shp = _without_prj(parcels.to_crs(4547), tmp_path / "gk.shp")
    with pytest.raises(CRSError, match=r"gk\.shp has no CRS") as info:
        read_vector(shp)
    text = str(info.value)
    assert "EPSG:4534" in text and "EPSG:4554" in text and "--crs" in text
    res = read_vector(shp, assume_crs="EPSG:4547")
    assert res.crs_source == "assumed"
    _assert_same_place(res.gdf, parcels)
    assert "crs_assumed" in _codes(res)


def test_no_crs_degrees_detected(parcels, tmp_path) -> None:
    shp = _without_prj(parcels, tmp_path / "deg.shp")
    res = read_vector(shp)
    assert res.gdf.crs.to_epsg() == 4490 and res.crs_source == "detected"


def test_no_crs_outside_china(tmp_path) -> None:
    gdf = gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(2.35, 48.85)])
    path = tmp_path / "paris.csv"
    pd.DataFrame({"lon": [2.35], "lat": [48.85]}).to_csv(path, index=False)
    with pytest.raises(CRSError, match="look neither like degrees within China"):
        read_vector(path)
    assert read_vector(path, assume_crs=4326).gdf.geometry.iloc[0].equals(gdf.geometry.iloc[0])


def test_swapped_xy_survey_table(parcels, tmp_path) -> None:
    """Survey tables store the northing as X: detected and swapped back."""
    pts = parcels.to_crs(4526).geometry.centroid
    path = tmp_path / "界址点.csv"
    pd.DataFrame({"点号": ["J1", "J2", "J3"], "X": pts.y, "Y": pts.x}).to_csv(path, index=False)
    res = read_vector(path, expect="point")
    assert res.gdf.crs.to_epsg() == 4526
    assert "axes_swapped" in _codes(res)
    assert (res.gdf.geometry.distance(pts.reset_index(drop=True)) < 0.01).all()
    assert list(res.gdf["点号"]) == ["J1", "J2", "J3"]


def test_swapped_xy_with_declared_crs(parcels, tmp_path) -> None:
    gk = parcels.to_crs(4526)
    swapped = gk.copy()
    swapped.geometry = shapely.transform(gk.geometry.values, lambda c: c[:, ::-1])
    path = tmp_path / "swapped.gpkg"
    swapped.to_file(path)
    res = read_vector(path, expect="polygon")
    assert "axes_swapped" in _codes(res)
    _assert_same_place(res.gdf, parcels)


def test_metres_labelled_as_degrees(parcels, tmp_path) -> None:
    path = tmp_path / "wrong.geojson"
    wrong = parcels.to_crs(4547).set_crs(4326, allow_override=True)
    pyogrio.write_dataframe(wrong, path, driver="GeoJSON")
    with pytest.raises(CRSError, match=r"wrong\.geojson.*metre-sized.*EPSG:4326"):
        read_vector(path)
    res = read_vector(path, assume_crs="EPSG:4547")
    assert res.crs_source == "assumed" and "crs_overridden" in _codes(res)
    _assert_same_place(res.gdf, parcels)


def test_degrees_labelled_as_gk_is_warned(parcels, tmp_path) -> None:
    path = tmp_path / "deg_as_gk.gpkg"
    parcels.set_crs(4547, allow_override=True).to_file(path)
    res = read_vector(path)
    note = _note(res, "crs_mismatch")
    assert "look like degrees" in note.message_en and note.message_zh


def test_fitting_declared_crs_ignores_assume(parcels, tmp_path) -> None:
    path = tmp_path / "ok.gpkg"
    parcels.to_file(path)
    res = read_vector(path, assume_crs="EPSG:4547")
    assert res.crs_source == "declared" and res.gdf.crs.to_epsg() == 4490
    assert "assume_crs_ignored" in _codes(res)


# ---------------------------------------------------------------------------
# geometry repair
# ---------------------------------------------------------------------------


def _geojson(path: Path, geoms: list, names: list[str] | None = None) -> Path:
    names = names or [f"要素{i}" for i in range(len(geoms))]
    features = [
        {"type": "Feature", "properties": {"名称": n},
         "geometry": None if g is None else json.loads(shapely.to_geojson(g))}
        for n, g in zip(names, geoms, strict=True)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False), encoding="utf-8")
    return path


BOWTIE = shapely.Polygon([(113.0, 36.0), (113.01, 36.01), (113.01, 36.0), (113.0, 36.01)])


def test_bowtie_is_repaired_and_counted(tmp_path) -> None:
    path = _geojson(tmp_path / "b.geojson", [BOWTIE, shapely.box(113.1, 36.1, 113.2, 36.2)])
    res = read_vector(path, expect="polygon")
    assert res.gdf.geometry.iloc[0].geom_type == "MultiPolygon"
    assert res.gdf.is_valid.all()
    assert res.gdf.to_crs(4547).area.iloc[0] > 0
    note = _note(res, "geometry_repaired")
    assert note.count == 1 and "feature index 0" in note.message_en


def test_collection_keeps_expected_parts(tmp_path) -> None:
    mixed = shapely.GeometryCollection(
        [shapely.box(113.0, 36.0, 113.01, 36.01), shapely.LineString([(113, 36), (114, 37)])]
    )
    path = _geojson(tmp_path / "gc.geojson", [mixed, shapely.box(113.1, 36.1, 113.2, 36.2)])
    res = read_vector(path, expect="polygon")
    assert list(res.gdf.geom_type) == ["Polygon", "Polygon"]
    assert _note(res, "parts_dropped").count == 1


def test_stray_points_in_polygon_layer_are_dropped_and_counted(tmp_path) -> None:
    geoms = [shapely.box(113 + i / 100, 36, 113.005 + i / 100, 36.005) for i in range(5)]
    geoms[3] = shapely.Point(113.03, 36.0)
    path = _geojson(tmp_path / "mostly.geojson", geoms)
    res = read_vector(path, expect="polygon")
    assert len(res.gdf) == 4
    assert "要素3" not in set(res.gdf["名称"])
    note = _note(res, "wrong_type_dropped")
    assert note.count == 1 and "feature index 3" in note.message_en and "Point" in note.message_en


def test_points_for_polygon_layer_are_refused(tmp_path) -> None:
    path = _geojson(tmp_path / "stations.geojson",
                    [shapely.Point(113, 36), shapely.Point(113.1, 36.1)])
    with pytest.raises(GeometryError, match=r"stations\.geojson holds 2 feature\(s\) \(2 Point\)"
                       r" but a polygon layer was expected"):
        read_vector(path, expect="polygon")
    assert len(read_vector(path, expect="line_or_point").gdf) == 2


def test_null_geometries_dropped(tmp_path) -> None:
    path = _geojson(tmp_path / "n.geojson", [None, shapely.box(113, 36, 113.1, 36.1), None])
    res = read_vector(path, expect="polygon")
    assert len(res.gdf) == 1 and list(res.gdf["名称"]) == ["要素1"]
    assert _note(res, "null_geometry_dropped").count == 2
    all_null = _geojson(tmp_path / "all_null.geojson", [None])
    with pytest.raises(InputError, match="none with a geometry"):
        read_vector(all_null)


# ---------------------------------------------------------------------------
# CSV and KML
# ---------------------------------------------------------------------------


def test_csv_gbk_lonlat_with_chinese_headers(parcels, tmp_path) -> None:
    c = parcels.to_crs(4547).centroid.to_crs(4490)
    frame = pd.DataFrame({"编号": ["007", "012", "100"], "名称": parcels["名称"],
                          "经度": c.x, "纬度": c.y, "面积": [1.5, 2.0, 2.5]})
    path = tmp_path / "基站.csv"
    path.write_bytes(frame.to_csv(index=False).encode("gbk"))
    res = read_vector(path, expect="point")
    assert list(res.gdf["名称"]) == list(parcels["名称"])
    assert res.gdf.crs.to_epsg() == 4490 and res.crs_source == "detected"
    assert "csv_encoding" in _codes(res)
    assert np.allclose(res.gdf.geometry.x, c.x)
    table = read_table(path)
    assert list(table["编号"]) == ["007", "012", "100"]  # codes keep their leading zeros
    assert table["面积"].dtype.kind == "f"


def test_csv_utf8_sig_wkt(parcels, tmp_path) -> None:
    path = tmp_path / "zones.csv"
    frame = pd.DataFrame({"名称": parcels["名称"], "WKT": parcels.geometry.to_wkt()})
    path.write_text(frame.to_csv(index=False), encoding="utf-8-sig")
    res = read_vector(path, expect="polygon")
    assert list(res.gdf["名称"]) == list(parcels["名称"])
    assert "WKT" not in res.gdf.columns
    _assert_same_place(res.gdf.set_crs(4490, allow_override=True), parcels, tol_m=0.01)


def test_csv_ewkt_srid_is_used(parcels, tmp_path) -> None:
    gk = parcels.to_crs(4547)
    path = tmp_path / "ewkt.csv"
    pd.DataFrame({"geometry": "SRID=4547;" + gk.geometry.to_wkt()}).to_csv(path, index=False)
    res = read_vector(path)
    assert res.crs_source == "declared" and res.gdf.crs.to_epsg() == 4547
    _assert_same_place(res.gdf, parcels)


def test_csv_bad_values(tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("name,lon,lat\na,113.1,36.2\nb,113.2,三十六\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.csv: column 'lat' must hold numbers.*row\(s\) 3"):
        read_vector(path)
    path.write_text("name,wkt\na,POINT (113 36)\nb,POINT (113\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"column 'wkt' holds text that is not WKT on row\(s\) 3"):
        read_vector(path)
    path.write_text("name,value\na,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="no coordinate columns"):
        read_vector(path)


def test_kml_with_folders_needs_a_layer(parcels, tmp_path) -> None:
    path = tmp_path / "two.kml"
    parcels.to_crs(4326).to_file(path, driver="KML", layer="地块")
    parcels.iloc[:1].to_crs(4326).to_file(path, driver="KML", layer="园区", append=True)
    layers = list_layers(path)
    assert set(layers) == {"地块", "园区"}
    with pytest.raises(InputError, match="2 layers"):
        read_vector(path)
    assert list(read_vector(path, layer="园区").gdf["名称"]) == [parcels["名称"].iloc[0]]


# ---------------------------------------------------------------------------
# bad files
# ---------------------------------------------------------------------------


def test_missing_and_unsupported(tmp_path) -> None:
    with pytest.raises(InputError, match=r"nope\.gpkg does not exist"):
        read_vector(tmp_path / "nope.gpkg")
    doc = tmp_path / "plan.docx"
    doc.write_bytes(b"PK")
    with pytest.raises(InputError, match=r"plan\.docx has the unsupported file type '\.docx'"):
        read_vector(doc)
    with pytest.raises(InputError, match="is a folder"):
        read_vector(tmp_path)


@pytest.mark.parametrize("name", ["broken.gpkg", "broken.geojson", "broken.shp", "broken.kml"])
def test_corrupt_file(tmp_path, name) -> None:
    path = tmp_path / name
    path.write_bytes(b"\x00\x01garbage" * 100)
    with pytest.raises(InputError, match=re.escape(name) + " could not be read") as info:
        read_vector(path)
    assert "Traceback" not in str(info.value) and str(tmp_path) not in str(info.value)


def test_truncated_shapefile(parcels, tmp_path) -> None:
    shp = tmp_path / "cut.shp"
    parcels.to_file(shp)
    shp.write_bytes(shp.read_bytes()[:120])
    with pytest.raises(InputError, match=r"cut\.shp"):
        read_vector(shp)


def test_empty_layer(tmp_path) -> None:
    path = tmp_path / "empty.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    with pytest.raises(InputError, match=r"empty\.geojson contains no features"):
        read_vector(path)


def test_renamed_vrt_is_refused(tmp_path) -> None:
    """An OGR VRT disguised as GeoJSON could make GDAL read any file on the server."""
    secret = tmp_path / "secret.csv"
    secret.write_text("x,y,password\n113,36,hunter2\n", encoding="utf-8")
    path = tmp_path / "upload.geojson"
    path.write_text(
        f"<OGRVRTDataSource><OGRVRTLayer name='s'><SrcDataSource>{secret}</SrcDataSource>"
        "<GeometryField encoding='PointFromColumns' x='x' y='y'/></OGRVRTLayer>"
        "</OGRVRTDataSource>",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"upload\.geojson") as info:
        read_vector(path)
    assert "hunter2" not in str(info.value)


# ---------------------------------------------------------------------------
# isolated reading
# ---------------------------------------------------------------------------


def test_isolated_read_matches_direct_read(gbk_shapefile, parcels) -> None:
    iso = read_vector_isolated(gbk_shapefile, expect="polygon")
    direct = read_vector(gbk_shapefile, expect="polygon")
    assert list(iso.gdf["名称"]) == list(parcels["名称"])
    assert iso.gdf.geometry.equals(direct.gdf.geometry)
    assert _codes(iso) == _codes(direct)


def test_isolated_read_reraises_our_errors(tmp_path) -> None:
    path = _geojson(tmp_path / "pts.geojson", [shapely.Point(113, 36)])
    with pytest.raises(GeometryError, match=r"pts\.geojson holds 1 feature"):
        read_vector_isolated(path, expect="polygon")
    shp = _without_prj(
        gpd.GeoDataFrame(geometry=[shapely.Point(113, 36)], crs=4490).to_crs(4547),
        tmp_path / "gk.shp",
    )
    with pytest.raises(CRSError, match="EPSG:4534"):
        read_vector_isolated(shp)
    res = read_vector_isolated(shp, assume_crs="EPSG:4547")
    assert res.crs_source == "assumed" and res.gdf.crs.to_epsg() == 4547


def test_isolated_read_timeout(parcels, tmp_path) -> None:
    path = tmp_path / "p.geojson"
    parcels.to_file(path)
    with pytest.raises(InputError, match=r"p\.geojson could not be parsed safely.*longer than"):
        read_vector_isolated(path, timeout=0.05)


def test_isolated_read_memory_limit(parcels, tmp_path) -> None:
    path = tmp_path / "p.geojson"
    parcels.to_file(path)
    # 64 MiB of address space is too little even to load the GDAL libraries
    with pytest.raises(InputError, match=r"p\.geojson could not be parsed safely"):
        read_vector_isolated(path, memory_limit=64 * 1024**2)


def test_isolated_rejects_unknown_arguments(parcels, tmp_path) -> None:
    path = tmp_path / "p.geojson"
    parcels.to_file(path)
    with pytest.raises(TypeError):
        read_vector_isolated(path, bogus=1)
