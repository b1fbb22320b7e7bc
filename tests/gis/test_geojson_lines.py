"""The one-feature-per-line GeoJSON fast path reads exactly what GDAL reads, or steps aside."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from gis._geojson import read_geojson_lines
from gis.errors import CRSError
from gis.io import read_vector

_POLY = {"type": "Polygon", "coordinates": [[[113.1, 36.1], [113.2, 36.1], [113.2, 36.2],
                                            [113.1, 36.1]]]}
_HOLE = {"type": "Polygon", "coordinates": [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
                                           [[1, 1], [2, 1], [2, 2], [1, 1]]]}
_MULTI = {"type": "MultiPolygon", "coordinates": [_POLY["coordinates"], _HOLE["coordinates"]]}
_LINE = {"type": "LineString", "coordinates": [[113.1, 36.1], [113, 36]]}
_POINT = {"type": "Point", "coordinates": [113.1, 36.1]}
_EPSG4490 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}}
_CRS84 = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}


def _feature(props, geom, **extra):
    return {"type": "Feature", "properties": props, "geometry": geom, **extra}


def _write(path: Path, features: list, crs: dict | None = _EPSG4490) -> Path:
    """A FeatureCollection laid out as GDAL writes it: one feature per line."""
    head = '{\n"type": "FeatureCollection",\n"name": "t",\n'
    if crs is not None:
        head += f'"crs": {json.dumps(crs)},\n'
    lines = ",\n".join(json.dumps(f, ensure_ascii=False) for f in features)
    path.write_text(head + '"features": [\n' + lines + "\n]\n}\n", encoding="utf-8")
    return path


def _gdal(path: Path) -> gpd.GeoDataFrame:
    with np.errstate(invalid="ignore"):
        return pyogrio.read_dataframe(path, use_arrow=True, on_invalid="ignore")


def _assert_same(fast: gpd.GeoDataFrame, gdal: gpd.GeoDataFrame) -> None:
    assert list(fast.columns) == list(gdal.columns)
    assert list(fast.dtypes) == list(gdal.dtypes)
    assert fast.crs == gdal.crs
    wkb = shapely.to_wkb(np.asarray(fast.geometry.values))
    assert list(wkb) == list(shapely.to_wkb(np.asarray(gdal.geometry.values)))
    pd.testing.assert_frame_equal(pd.DataFrame(fast.drop(columns="geometry")),
                                  pd.DataFrame(gdal.drop(columns="geometry")), check_exact=True)


SAME = {
    "types": [_feature({"a": 1, "b": "甲", "c": 1.5, "d": True, "e": None}, _POLY),
              _feature({"a": 2, "b": "乙", "c": 2, "d": False, "e": None}, _POLY)],
    "nulls": [_feature({"a": None, "b": None, "c": None}, _POLY),
              _feature({"a": 3, "b": "y", "c": 2.5}, _POLY)],
    "missing_properties": [_feature({"a": 1}, _POLY), _feature({"b": "q"}, _POLY),
                           _feature(None, _POLY)],
    "int64": [_feature({"a": 2**40}, _POLY), _feature({"a": 1}, _POLY)],
    "multipolygon_with_hole": [_feature({"a": 1}, _MULTI)] * 3,
    "hole": [_feature({"a": 1}, _HOLE)],
    "lines": [_feature({"a": 1}, _LINE)] * 3,
    "points": [_feature({"a": "p"}, _POINT)] * 3,
    "blank_text": [_feature({"a": ""}, _POINT), _feature({"a": "  "}, _POINT)],
}

ASIDE = {
    "date_text": [_feature({"d": "2024-05-01"}, _POINT)],
    "mixed_geometry_types": [_feature({"a": 1}, _POLY), _feature({"a": 1}, _MULTI)],
    "feature_ids": [_feature({"a": 1}, _POLY, id=5)],
    "null_geometry": [_feature({"a": 1}, None), _feature({"a": 2}, _POLY)],
    "3d": [_feature({"a": 1}, {"type": "Point", "coordinates": [1, 2, 3]})],
    "unclosed_ring": [_feature({"a": 1}, {"type": "Polygon", "coordinates": [
        [[0, 0], [1, 0], [1, 1], [0, 1]]]})],
    "nested_value": [_feature({"a": {"x": 1}}, _POINT)],
    "list_value": [_feature({"a": [1, 2]}, _POINT)],
    "text_then_number": [_feature({"a": "1"}, _POINT), _feature({"a": 2}, _POINT)],
}


@pytest.mark.parametrize("crs", [_EPSG4490, _CRS84, None], ids=["4490", "crs84", "none"])
@pytest.mark.parametrize("case", sorted(SAME))
def test_reads_what_gdal_reads(tmp_path, case, crs):
    path = _write(tmp_path / f"{case}.geojson", SAME[case], crs)
    fast = read_geojson_lines(path)
    assert fast is not None
    _assert_same(fast, _gdal(path))


@pytest.mark.parametrize("case", sorted(ASIDE))
def test_steps_aside_when_gdal_reads_it_otherwise(tmp_path, case):
    assert read_geojson_lines(_write(tmp_path / f"{case}.geojson", ASIDE[case])) is None


def test_steps_aside_for_other_layouts_and_crs(tmp_path):
    doc = {"type": "FeatureCollection", "features": SAME["types"]}
    one_line = tmp_path / "one_line.geojson"
    one_line.write_text(json.dumps(doc), encoding="utf-8")
    pretty = tmp_path / "pretty.geojson"
    pretty.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    other_crs = _write(tmp_path / "wkt.geojson", SAME["types"],
                       {"type": "name", "properties": {"name": "EPSG:4490"}})
    for path in (one_line, pretty, other_crs):
        assert read_geojson_lines(path) is None


def test_file_written_by_geopandas(tmp_path):
    gdf = gpd.GeoDataFrame({"a": [1, 2], "名称": ["甲", "乙"]},
                           geometry=[shapely.Point(113, 36), shapely.Point(113.5, 36.5)],
                           crs=4490)
    path = tmp_path / "gpd.geojson"
    gdf.to_file(path, driver="GeoJSON")
    fast = read_geojson_lines(path)
    assert fast is not None
    _assert_same(fast, _gdal(path))


def test_read_vector_gives_the_same_either_way(tmp_path):
    fast_path = _write(tmp_path / "lines.geojson", SAME["types"])
    slow_path = tmp_path / "one_line.geojson"
    slow_path.write_text(json.dumps({"type": "FeatureCollection", "crs": _EPSG4490,
                                     "features": SAME["types"]}), encoding="utf-8")
    fast, slow = read_vector(fast_path), read_vector(slow_path)
    _assert_same(fast.gdf, slow.gdf)
    assert [n.code for n in fast.notes] == [n.code for n in slow.notes]


def test_windows_line_breaks(tmp_path):
    unix = _write(tmp_path / "unix.geojson", SAME["types"])
    windows = tmp_path / "windows.geojson"
    windows.write_bytes(unix.read_bytes().replace(b"\n", b"\r\n"))
    fast = read_geojson_lines(windows)
    assert fast is not None
    _assert_same(fast, _gdal(windows))


@pytest.mark.parametrize("props", [{"名称": "高新区"}, {"name": "高新区"}], ids=["key", "value"])
def test_steps_aside_for_text_that_is_not_utf8(tmp_path, props):
    path = _write(tmp_path / "utf8.geojson", [_feature(props, _POINT)])
    gbk = tmp_path / "gbk.geojson"
    gbk.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    assert read_geojson_lines(gbk) is None


@pytest.mark.parametrize("shift", [-3, -2, -1, 0, 1])
@pytest.mark.parametrize("end", [b",\n", b",\r\n"], ids=["unix", "windows"])
def test_line_end_commas_blanked_across_megabyte_steps(end, shift):
    from gis._geojson import _blank_line_end_commas

    # the line end falls on each side of the first megabyte step, and across it
    text = bytearray(b"a" * ((1 << 20) + shift) + end + b"b" * 9 + end + b"c,d\n")
    want = bytes(text).replace(end, b" " + end[1:])
    _blank_line_end_commas(np.frombuffer(text, dtype=np.uint8))
    assert bytes(text) == want and b"c,d" in want


@pytest.mark.parametrize("crs", [_EPSG4490, _CRS84, None], ids=["4490", "crs84", "none"])
@pytest.mark.parametrize("case", ["types", "multipolygon_china", "lines", "points"])
def test_coordinates_transformed_while_read_are_those_to_crs_makes(tmp_path, case, crs):
    features = SAME.get(case) or [_feature({"a": 1}, {
        "type": "MultiPolygon", "coordinates": [_POLY["coordinates"]] * 2})] * 3
    path = _write(tmp_path / f"{case}.geojson", features, crs)
    fast = read_geojson_lines(path, to_crs="EPSG:4547")
    assert fast is not None and fast.crs.to_epsg() == 4547
    _assert_same(fast, _gdal(path).to_crs("EPSG:4547"))


def test_read_vector_in_another_crs_gives_the_same_either_way(tmp_path):
    fast_path = _write(tmp_path / "lines.geojson", SAME["types"])
    slow_path = tmp_path / "one_line.geojson"
    slow_path.write_text(json.dumps({"type": "FeatureCollection", "crs": _EPSG4490,
                                     "features": SAME["types"]}), encoding="utf-8")
    fast = read_vector(fast_path, to_crs="EPSG:4547")
    slow = read_vector(slow_path, to_crs="EPSG:4547")
    assert fast.gdf.crs.to_epsg() == slow.gdf.crs.to_epsg() == 4547
    _assert_same(fast.gdf, slow.gdf)
    _assert_same(slow.gdf, read_vector(slow_path).gdf.to_crs("EPSG:4547"))
    assert [n.code for n in fast.notes] == [n.code for n in slow.notes]


def test_coordinates_that_do_not_fit_their_crs_are_checked_before_any_transform(tmp_path):
    """Metres labelled as degrees are refused with the reader's own sentence, and degrees
    far from the CRS's area are warned of in the file's own numbers, then reprojected."""
    metres = _write(tmp_path / "metres.geojson", [_feature({"a": 1}, {
        "type": "Point", "coordinates": [38_500_000.0, 4_000_000.0]})])
    assert read_geojson_lines(metres, to_crs="EPSG:4547").crs.to_epsg() == 4490
    with pytest.raises(CRSError, match="metre-sized") as plain:
        read_vector(metres)
    with pytest.raises(CRSError) as asked:
        read_vector(metres, to_crs="EPSG:4547")
    assert str(asked.value) == str(plain.value)
    far = _write(tmp_path / "far.geojson", SAME["hole"])
    plain_read, asked_read = read_vector(far), read_vector(far, to_crs="EPSG:4547")
    assert [n.message_en for n in asked_read.notes] == [n.message_en for n in plain_read.notes]
    _assert_same(asked_read.gdf, plain_read.gdf.to_crs("EPSG:4547"))
