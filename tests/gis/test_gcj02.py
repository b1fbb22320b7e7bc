"""Tests for gis.gcj02: WGS84 ↔ GCJ-02 for arrays, geometries and GeoDataFrames."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

from gis.errors import CRSError
from gis.gcj02 import (
    from_gcj02,
    gcj02_to_wgs84,
    geoms_from_gcj02,
    geoms_to_gcj02,
    to_gcj02,
    wgs84_to_gcj02,
)

GEOD = pyproj.Geod(ellps="GRS80")


def test_gcj02_round_trip_across_china() -> None:
    lon, lat = np.meshgrid(np.linspace(74.0, 134.0, 31), np.linspace(18.0, 53.0, 19))
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert glon.shape == lon.shape
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert np.abs(wlon - lon).max() < 1e-7
    assert np.abs(wlat - lat).max() < 1e-7


def test_gcj02_offset_magnitude_in_changzhi() -> None:
    lon = np.array([112.8, 113.1, 113.4, 113.1])
    lat = np.array([36.0, 36.2, 36.5, 36.8])
    glon, glat = wgs84_to_gcj02(lon, lat)
    _, _, dist = GEOD.inv(lon, lat, glon, glat)
    assert np.all((dist > 100) & (dist < 700)), dist


def test_gcj02_identity_outside_china() -> None:
    lon, lat = np.array([2.35, -74.0]), np.array([48.85, 40.7])
    for func in (wgs84_to_gcj02, gcj02_to_wgs84):
        out_lon, out_lat = func(lon, lat)
        np.testing.assert_array_equal(out_lon, lon)
        np.testing.assert_array_equal(out_lat, lat)


def test_gcj02_scalars() -> None:
    glon, glat = wgs84_to_gcj02(113.1, 36.2)
    assert np.ndim(glon) == 0 and np.ndim(glat) == 0
    assert float(glon) != 113.1 and float(glat) != 36.2


def test_to_and_from_gcj02_geodataframe(parcels: gpd.GeoDataFrame) -> None:
    projected = parcels.to_crs(4547)
    gcj = to_gcj02(projected)
    assert gcj.crs.to_epsg() == 4326 and gcj.attrs["coordinate_system"] == "GCJ-02"
    assert list(gcj["名称"]) == list(parcels["名称"])
    a = shapely.get_coordinates(gcj.geometry.values)
    b = shapely.get_coordinates(parcels.to_crs(4326).geometry.values)
    _, _, shift = GEOD.inv(b[:, 0], b[:, 1], a[:, 0], a[:, 1])
    assert ((shift > 100) & (shift < 700)).all()  # every vertex moved by hundreds of metres
    back = from_gcj02(gcj)
    orig = parcels.to_crs(4326)
    for a, b in zip(back.geometry, orig.geometry, strict=True):
        np.testing.assert_allclose(shapely.get_coordinates(a), shapely.get_coordinates(b),
                                   atol=1e-7)
    assert "coordinate_system" not in back.attrs
    series = to_gcj02(parcels.geometry)
    assert isinstance(series, gpd.GeoSeries) and series.crs.to_epsg() == 4326


def test_from_gcj02_refuses_projected(parcels: gpd.GeoDataFrame) -> None:
    with pytest.raises(CRSError, match="longitude/latitude"):
        from_gcj02(parcels.to_crs(4547))
    with pytest.raises(CRSError, match="no CRS"):
        to_gcj02(parcels.set_crs(None, allow_override=True))


def test_geometries_shift_vertex_by_vertex_and_come_back() -> None:
    poly = shapely.box(113.10, 36.19, 113.11, 36.20)
    line = shapely.LineString([(113, 36), (113.2, 36.3)])
    arr = np.array([poly, shapely.Point(113.1, 36.2), line])
    shifted = geoms_to_gcj02(arr)
    assert [g.geom_type for g in shifted] == ["Polygon", "Point", "LineString"]
    a, b = shapely.get_coordinates(arr), shapely.get_coordinates(shifted)
    glon, glat = wgs84_to_gcj02(a[:, 0], a[:, 1])
    np.testing.assert_allclose(b, np.column_stack([glon, glat]))
    back = shapely.get_coordinates(geoms_from_gcj02(shifted))
    assert np.abs(back - a).max() < 1e-8
    one = geoms_to_gcj02(poly)  # a single geometry stays a single geometry
    assert isinstance(one, shapely.Polygon) and one.area == pytest.approx(poly.area, rel=1e-3)
