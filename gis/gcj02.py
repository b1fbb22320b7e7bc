"""GCJ-02, the shifted lon/lat of Gaode and Tencent basemaps: to and from WGS84.

One implementation for arrays, geometries and GeoDataFrames: the map shifts
its overlays onto a Gaode basemap with it and converts clicks and sketches
back; the county script converts Gaode boundaries to WGS84.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from gis.errors import CRSError

__all__ = [
    "from_gcj02",
    "gcj02_to_wgs84",
    "geoms_from_gcj02",
    "geoms_to_gcj02",
    "to_gcj02",
    "wgs84_to_gcj02",
]

_KRASOVSKY_A = 6378245.0
_KRASOVSKY_EE = 0.00669342162296594323
# the published rectangle outside which GCJ-02 equals WGS84
_GCJ_LON = (72.004, 137.8347)
_GCJ_LAT = (0.8293, 55.8271)


def _in_gcj_area(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (
        (lon >= _GCJ_LON[0]) & (lon <= _GCJ_LON[1]) & (lat >= _GCJ_LAT[0]) & (lat <= _GCJ_LAT[1])
    )


def _gcj_offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(dlon, dlat) in degrees that GCJ-02 adds to WGS84 at (lon, lat)."""
    x, y = lon - 105.0, lat - 35.0
    pi = np.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += common
    dlat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlon += common
    dlon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * pi
    magic = 1.0 - _KRASOVSKY_EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_KRASOVSKY_A * (1.0 - _KRASOVSKY_EE)) / (magic * sqrtmagic) * pi)
    dlon = (dlon * 180.0) / (_KRASOVSKY_A / sqrtmagic * np.cos(radlat) * pi)
    inside = _in_gcj_area(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def wgs84_to_gcj02(lon: Any, lat: Any) -> tuple[np.ndarray, np.ndarray]:
    """Convert WGS84 lon/lat (scalars or arrays, degrees) to GCJ-02; identity outside China.

    Examples
    --------
    >>> glon, glat = wgs84_to_gcj02(113.1, 36.2)
    >>> 0.001 < float(glon) - 113.1 < 0.01
    True
    """
    lon_a = np.asarray(lon, dtype="float64")
    lat_a = np.asarray(lat, dtype="float64")
    dlon, dlat = _gcj_offset(lon_a, lat_a)
    return lon_a + dlon, lat_a + dlat


def gcj02_to_wgs84(
    lon: Any, lat: Any, *, tol: float = 1e-10, max_iter: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 lon/lat to WGS84 by fixed-point iteration (error < 1e-9°; ~3 rounds).

    Examples
    --------
    >>> w = gcj02_to_wgs84(*wgs84_to_gcj02(113.1, 36.2))
    >>> abs(float(w[0]) - 113.1) < 1e-8 and abs(float(w[1]) - 36.2) < 1e-8
    True
    """
    glon = np.asarray(lon, dtype="float64")
    glat = np.asarray(lat, dtype="float64")
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(max_iter):
        dlon, dlat = _gcj_offset(wlon, wlat)
        new_lon, new_lat = glon - dlon, glat - dlat
        change = np.nanmax(np.abs(np.concatenate([np.ravel(new_lon - wlon),
                                                  np.ravel(new_lat - wlat)])), initial=0.0)
        wlon, wlat = new_lon, new_lat
        if change < tol:
            break
    return wlon, wlat


def _apply(geoms: Any, func: Any) -> Any:
    """``geoms`` (a geometry or an array of them) with ``func`` applied to every lon/lat."""

    def _coords(coords: np.ndarray) -> np.ndarray:
        lon, lat = func(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geoms, _coords)


def geoms_to_gcj02(geoms: Any) -> Any:
    """WGS84 geometries (one, or an array) shifted to GCJ-02, vertex by vertex.

    Examples
    --------
    >>> p = geoms_to_gcj02(shapely.Point(113.1, 36.2))
    >>> 0.001 < p.x - 113.1 < 0.01
    True
    """
    return _apply(geoms, wgs84_to_gcj02)


def geoms_from_gcj02(geoms: Any) -> Any:
    """GCJ-02 geometries (one, or an array) converted back to WGS84."""
    return _apply(geoms, gcj02_to_wgs84)


def _transform_lonlat(gdf: gpd.GeoDataFrame | gpd.GeoSeries, func: Any) -> Any:
    geoms = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    new = _apply(np.asarray(geoms.values), func)
    out = gdf.copy()
    if isinstance(out, gpd.GeoDataFrame):
        out[out.geometry.name] = gpd.GeoSeries(new, index=out.index, crs="EPSG:4326")
        return out.set_crs("EPSG:4326", allow_override=True)
    return gpd.GeoSeries(new, index=out.index, crs="EPSG:4326", name=out.name)


def to_gcj02(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> Any:
    """Reproject to WGS84 and shift to GCJ-02 (for drawing on Gaode/Tencent basemaps).

    GCJ-02 has no EPSG code: the result is labelled EPSG:4326 and carries
    ``attrs["coordinate_system"] = "GCJ-02"``; do not use it for analysis.
    """
    if gdf.crs is None:
        raise CRSError("Cannot convert to GCJ-02: the data has no CRS.",
                       zh="无法转换为 GCJ-02：数据没有坐标系。")
    out = _transform_lonlat(gdf.to_crs("EPSG:4326"), wgs84_to_gcj02)
    out.attrs["coordinate_system"] = "GCJ-02"
    return out


def from_gcj02(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> Any:
    """Convert GCJ-02 lon/lat (e.g. digitised on a Gaode map) back to WGS84 (EPSG:4326).

    The input must hold lon/lat degrees: CRS None, or a geographic CRS label.
    """
    if gdf.crs is not None and not pyproj.CRS.from_user_input(gdf.crs).is_geographic:
        raise CRSError(
            f"GCJ-02 coordinates are longitude/latitude, but the data is in the projected CRS "
            f"{gdf.crs.to_string()}.",
            hint="Pass the lon/lat coordinates as digitised on the Gaode/Tencent map.",
            zh=f"GCJ-02 坐标应为经纬度，但数据位于投影坐标系 {gdf.crs.to_string()} 中。",
            hint_zh="请传入在高德/腾讯地图上采集的经纬度坐标。",
        )
    out = _transform_lonlat(gdf, gcj02_to_wgs84)
    out.attrs.pop("coordinate_system", None)
    return out
