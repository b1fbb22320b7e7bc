"""Web Mercator (EPSG:3857) maths for slippy maps: metres ↔ degrees, pixel size, zoom to fit.

Vectorised with numpy; the map builder uses it for hexagon summaries, view
tests and opening zooms without building a pyproj transformer per call.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = [
    "EARTH_R",
    "MAX_LAT",
    "fit_zoom",
    "lonlat_to_merc",
    "merc_to_lonlat",
    "merc_x",
    "merc_y",
    "pixel_m",
    "zoom_for_pixel_m",
]

EARTH_R = 6378137.0  # WGS84 semi-major axis: the sphere of EPSG:3857
MAX_LAT = 85.0       # latitudes are clipped here (the projection diverges at the poles)
TILE_PX = 256


def merc_x(lon: Any) -> Any:
    """Web Mercator x (metres) of longitudes (degrees; scalar or array)."""
    return np.radians(lon) * EARTH_R


def merc_y(lat: Any) -> Any:
    """Web Mercator y (metres) of latitudes (degrees), clipped to ±``MAX_LAT``.

    Examples
    --------
    >>> abs(float(merc_y(0.0))) < 1e-9
    True
    >>> round(float(merc_y(45.0)))
    5621521
    """
    lat = np.clip(lat, -MAX_LAT, MAX_LAT)
    return EARTH_R * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def lonlat_to_merc(lon: Any, lat: Any) -> tuple[Any, Any]:
    """(x, y) metres of lon/lat degrees."""
    return merc_x(lon), merc_y(lat)


def merc_to_lonlat(x: Any, y: Any) -> tuple[Any, Any]:
    """(lon, lat) degrees of Web Mercator metres: the inverse of :func:`lonlat_to_merc`."""
    x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
    return np.degrees(x / EARTH_R), np.degrees(2 * np.arctan(np.exp(y / EARTH_R)) - np.pi / 2)


def pixel_m(zoom: float) -> float:
    """Web Mercator metres per screen pixel at ``zoom`` (true metres: times cos(lat)).

    Examples
    --------
    >>> round(pixel_m(0), 2)
    156543.03
    """
    return 2 * math.pi * EARTH_R / (TILE_PX * 2**zoom)


def zoom_for_pixel_m(metres: float) -> float:
    """The (fractional) zoom at which one pixel is ``metres`` Web Mercator metres."""
    return math.log2(2 * math.pi * EARTH_R / (TILE_PX * metres))


def fit_zoom(bounds: tuple[float, float, float, float], px: tuple[int, int] = (900, 600), *,
             max_zoom: int = 18) -> int:
    """The largest whole zoom at which ``bounds`` (west, south, east, north; degrees) fit
    in a window of ``px`` (width, height) pixels, between 1 and ``max_zoom``.

    Examples
    --------
    >>> fit_zoom((-180.0, -80.0, 180.0, 80.0), (256, 256))
    1
    >>> fit_zoom((113.0, 36.0, 113.01, 36.01), (256, 256))
    14
    """
    west, south, east, north = bounds
    dx = max(float(merc_x(east) - merc_x(west)), 1.0)
    dy = max(float(merc_y(north) - merc_y(south)), 1.0)
    z = min(zoom_for_pixel_m(dx / px[0]), zoom_for_pixel_m(dy / px[1]))
    return int(max(1, min(max_zoom, math.floor(z))))
