"""CRS detection from coordinate ranges and choice of a metric CRS (GCJ-02: :mod:`gis.gcj02`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pyproj

from gis.errors import CRSError

__all__ = [
    "CHINA_BOUNDS",
    "Candidate",
    "check_declared_crs",
    "describe_candidates",
    "detect_crs",
    "gk_zone_epsg",
    "metric_crs_for",
    "same_crs",
]

#: China in degrees (lon_min, lat_min, lon_max, lat_max), generous on every side.
CHINA_BOUNDS = (73.0, 3.0, 136.0, 54.0)

_GEOGRAPHIC_CHINA = 4490  # CGCS2000 geographic
_GK3_NOPREFIX_FIRST = 4534  # CGCS2000 / 3-degree GK CM 75E … 4554 CM 135E
_GK3_PREFIX_FIRST = 4513  # CGCS2000 / 3-degree GK zone 25 … 4533 zone 45
_GK6_PREFIX_FIRST = 4491  # CGCS2000 / GK zone 13 (6-degree) … 4501 zone 23
_GK3_ZONES = range(25, 46)  # CM 75°E … 135°E
_GK6_ZONES = range(13, 24)  # CM 75°E … 135°E
# plausible Gauss–Krüger northings for China (≈ 9°N … 55°N) and eastings within a zone
_NORTHING = (1.0e6, 6.2e6)
_EASTING_IN_ZONE = (1.0e5, 9.0e5)


@dataclass(frozen=True)
class Candidate:
    """A CRS that fits a set of bounds.

    Attributes
    ----------
    epsg : int
        EPSG code of the candidate CRS.
    reason : str
        One sentence saying why the coordinates fit this CRS.
    swapped : bool
        True when the coordinates fit only with X and Y exchanged
        (northing stored in the x column, as survey tables often do).
    """

    epsg: int
    reason: str
    swapped: bool = False

    @property
    def crs(self) -> str:
        """The candidate as an ``"EPSG:xxxx"`` string."""
        return f"EPSG:{self.epsg}"


# ---------------------------------------------------------------------------
# Gauss–Krüger zones and metric CRS
# ---------------------------------------------------------------------------


def gk_zone_epsg(lon: float, *, prefix: bool) -> int:
    """EPSG code of the CGCS2000 3-degree Gauss–Krüger zone nearest to ``lon``.

    Parameters
    ----------
    lon : float
        Longitude in degrees east (75–135 for China; values outside are clamped).
    prefix : bool
        True for the zone-prefixed variant (eastings like ``38 500 000``,
        EPSG:4513–4533), False for plain eastings (``500 000``, EPSG:4534–4554).

    Examples
    --------
    >>> gk_zone_epsg(113.1, prefix=False), gk_zone_epsg(113.1, prefix=True)
    (4547, 4526)
    """
    if not math.isfinite(lon):
        raise CRSError(f"Cannot choose a Gauss–Krüger zone for longitude {lon!r}.",
                       zh=f"经度 {lon!r} 无法确定高斯–克吕格投影带。")
    zone = min(max(round(lon / 3.0), _GK3_ZONES.start), _GK3_ZONES.stop - 1)
    first = _GK3_PREFIX_FIRST if prefix else _GK3_NOPREFIX_FIRST
    return first + zone - _GK3_ZONES.start


def same_crs(a: Any, b: Any) -> bool:
    """Whether ``a`` and ``b`` name the same CRS: ``None`` on either side is taken as yes
    (a raster that declares none), a CRS pyproj cannot read as no."""
    if a is None or b is None:
        return True
    try:
        return pyproj.CRS.from_user_input(a).equals(pyproj.CRS.from_user_input(b))
    except pyproj.exceptions.CRSError:
        return False


def _is_web_mercator(crs: pyproj.CRS) -> bool:
    op = crs.coordinate_operation
    return op is not None and "mercator" in op.method_name.lower() and "pseudo" in (
        op.method_name.lower()
    )


def _crs_string(crs: pyproj.CRS) -> str:
    epsg = crs.to_epsg()
    if epsg is not None:
        return f"EPSG:{epsg}"
    auth = crs.to_authority()
    return f"{auth[0]}:{auth[1]}" if auth else crs.to_wkt()


def metric_crs_for(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> str:
    """A metric CRS for measuring ``gdf``: its own if projected in metres, else its GK zone.

    Web Mercator (EPSG:3857) is not accepted as metric: its scale error is ~25 % in Shanxi.

    Parameters
    ----------
    gdf : GeoDataFrame or GeoSeries
        Data with a CRS.

    Returns
    -------
    str
        ``"EPSG:xxxx"`` (the CGCS2000 3-degree GK zone without prefix for the
        centre of the data's bounds), or the data's own projected CRS.
    """
    if gdf.crs is None:
        raise CRSError(
            "The data has no coordinate reference system, so no metric CRS can be chosen.",
            hint="Set one first (e.g. gdf.set_crs('EPSG:4490')).",
            zh="数据没有坐标系，无法选择以米为单位的投影坐标系。",
            hint_zh="请先设置坐标系（如 gdf.set_crs('EPSG:4490')）。",
        )
    crs = pyproj.CRS.from_user_input(gdf.crs)
    if crs.is_projected and not _is_web_mercator(crs):
        unit = crs.axis_info[0].unit_name.lower() if crs.axis_info else ""
        if unit in ("metre", "meter", "m"):
            return _crs_string(crs)
    geoms = gdf.geometry if isinstance(gdf, gpd.GeoDataFrame) else gdf
    valid = geoms[~(geoms.isna() | geoms.is_empty)]
    if len(valid) == 0:
        raise CRSError("The data has no geometries, so no metric CRS can be chosen.",
                       zh="数据没有几何图形，无法选择以米为单位的投影坐标系。")
    to_lonlat = pyproj.Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    west, _south, east, _north = to_lonlat.transform_bounds(*valid.total_bounds)
    lon = (west + east) / 2.0
    return f"EPSG:{gk_zone_epsg(float(lon), prefix=False)}"


# ---------------------------------------------------------------------------
# Detection from bounds
# ---------------------------------------------------------------------------


def _fmt_bounds(bounds: Sequence[float]) -> str:
    return "(" + ", ".join(f"{v:.6g}" for v in bounds) + ")"


def _within(lo: float, hi: float, rng: tuple[float, float]) -> bool:
    return rng[0] <= lo and hi <= rng[1]


def _degree_candidates(minx: float, miny: float, maxx: float, maxy: float) -> list[Candidate]:
    lon_min, lat_min, lon_max, lat_max = CHINA_BOUNDS
    if _within(minx, maxx, (lon_min, lon_max)) and _within(miny, maxy, (lat_min, lat_max)):
        return [Candidate(_GEOGRAPHIC_CHINA, "coordinates are degrees within China")]
    if _within(miny, maxy, (lon_min, lon_max)) and _within(minx, maxx, (lat_min, lat_max)):
        return [
            Candidate(
                _GEOGRAPHIC_CHINA,
                "coordinates are degrees within China with latitude and longitude exchanged",
                swapped=True,
            )
        ]
    return []


def _prefixed_zone(lo: float, hi: float) -> int | None:
    """Zone number when both eastings carry the same valid zone prefix, else None."""
    zone_lo, zone_hi = int(lo // 1_000_000), int(hi // 1_000_000)
    if zone_lo != zone_hi:
        return None
    if zone_lo not in _GK3_ZONES and zone_lo not in _GK6_ZONES:
        return None
    inner_lo, inner_hi = lo - zone_lo * 1e6, hi - zone_lo * 1e6
    return zone_lo if _within(inner_lo, inner_hi, _EASTING_IN_ZONE) else None


def _prefixed_candidate(zone: int, swapped: bool) -> Candidate:
    if zone in _GK3_ZONES:
        epsg = _GK3_PREFIX_FIRST + zone - _GK3_ZONES.start
        kind = f"3-degree Gauss–Krüger zone {zone} (CM {zone * 3}°E)"
    else:
        epsg = _GK6_PREFIX_FIRST + zone - _GK6_ZONES.start
        kind = f"6-degree Gauss–Krüger zone {zone} (CM {zone * 6 - 3}°E)"
    where = "in the y column" if swapped else ""
    reason = f"8-digit eastings {where} carry the zone prefix {zone}: {kind}".replace("  ", " ")
    return Candidate(epsg, reason, swapped=swapped)


def _plain_gk_candidates(swapped: bool) -> list[Candidate]:
    where = " (in the y column)" if swapped else ""
    reason = (
        f"6-digit eastings{where} and northings fit any CGCS2000 3-degree Gauss–Krüger zone "
        "without prefix; the zone cannot be told from the coordinates"
    )
    return [
        Candidate(_GK3_NOPREFIX_FIRST + i, reason, swapped=swapped) for i in range(len(_GK3_ZONES))
    ]


def detect_crs(bounds: Sequence[float]) -> list[Candidate]:
    """CRS candidates that fit ``bounds`` = (minx, miny, maxx, maxy), for data in China.

    Rules: degrees within China → EPSG:4490; 8-digit eastings with a zone prefix
    → the prefixed Gauss–Krüger EPSG of that zone; 6-digit eastings with northings
    of 1e6–6.2e6 → every CGCS2000 3-degree zone without prefix (ambiguous);
    the same patterns with x and y exchanged → ``swapped=True``.
    An empty list means the coordinates fit none of these.

    Examples
    --------
    >>> [c.epsg for c in detect_crs((38_400_000, 4_000_000, 38_410_000, 4_010_000))]
    [4526]
    >>> detect_crs((4_000_000, 38_400_000, 4_010_000, 38_410_000))[0].swapped
    True
    """
    if len(bounds) != 4:
        raise ValueError(f"bounds must be (minx, miny, maxx, maxy), got {bounds!r}")
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return []
    if max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 180:
        return _degree_candidates(minx, miny, maxx, maxy)
    for (elo, ehi, nlo, nhi), swapped in (
        ((minx, maxx, miny, maxy), False),
        ((miny, maxy, minx, maxx), True),
    ):
        if not _within(nlo, nhi, _NORTHING):
            continue
        zone = _prefixed_zone(elo, ehi)
        if zone is not None:
            return [_prefixed_candidate(zone, swapped)]
        if _within(elo, ehi, _EASTING_IN_ZONE):
            return _plain_gk_candidates(swapped)
    return []


def describe_candidates(candidates: Sequence[Candidate]) -> str:
    """A short human list of candidate codes, e.g. ``"EPSG:4534 … EPSG:4554"``."""
    codes = [c.crs for c in candidates]
    if len(codes) > 4:
        return f"{codes[0]}, {codes[1]} … {codes[-1]} ({len(codes)} zones)"
    return ", ".join(codes)


# ---------------------------------------------------------------------------
# Declared CRS sanity check
# ---------------------------------------------------------------------------


def _false_easting(crs: pyproj.CRS) -> float | None:
    op = crs.coordinate_operation
    if op is None:
        return None
    for param in op.params:
        if param.name.lower() in ("false easting", "easting at false origin"):
            return float(param.value)
    return None


def check_declared_crs(crs: Any, bounds: Sequence[float]) -> str | None:
    """A warning sentence when the declared ``crs`` does not fit the coordinates, else None.

    Catches metre-sized coordinates labelled as degrees, degrees labelled as a
    projected CRS, Gauss–Krüger zone-prefix mismatches (8-digit eastings with a
    CRS without prefix and vice versa, or a different zone prefix), swapped
    axes, and coordinates far outside the CRS's area of use.
    """
    if crs is None:
        return None
    crs = pyproj.CRS.from_user_input(crs)
    name = _crs_string(crs) if crs.to_epsg() is not None else crs.name
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return None
    box = _fmt_bounds((minx, miny, maxx, maxy))
    looks_degrees = max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 90
    detected = detect_crs((minx, miny, maxx, maxy))

    if crs.is_geographic:
        if not looks_degrees:
            guess = (
                f"; they fit {describe_candidates(detected)}" if detected else ""
            )
            return (
                f"The coordinates {box} are metre-sized but the declared CRS {name} is in "
                f"degrees{guess}."
            )
        if detected and detected[0].swapped:
            return (
                f"The coordinates {box} look like latitude/longitude with the axes exchanged "
                f"(declared CRS {name})."
            )
        return _outside_area_of_use(crs, name, box, minx, miny, maxx, maxy)

    if looks_degrees:
        return (
            f"The coordinates {box} look like degrees but the declared CRS {name} is "
            "projected (metres)."
        )
    fe = _false_easting(crs)
    if fe is not None and detected and detected[0].swapped:
        return (
            f"The coordinates {box} look like northing/easting with X and Y exchanged "
            f"(declared CRS {name})."
        )
    if fe is not None and fe >= 1e6:
        fe_zone = int(fe // 1e6)
        if maxx < 1e7:
            return (
                f"The declared CRS {name} expects 8-digit eastings with zone prefix {fe_zone}, "
                f"but the coordinates {box} have no zone prefix; use the CRS of the same zone "
                "without prefix."
            )
        zone = _prefixed_zone(minx, maxx)
        if zone is not None and zone != fe_zone:
            return (
                f"The coordinates {box} carry the zone prefix {zone} but the declared CRS "
                f"{name} is zone {fe_zone}."
            )
    elif fe is not None and 0 <= fe < 1e6 and minx >= 1e7:
        zone = _prefixed_zone(minx, maxx)
        fix = f"; they fit {describe_candidates(detected)}" if detected else ""
        where = f" {zone}" if zone is not None else ""
        return (
            f"The coordinates {box} carry a zone prefix{where} (8-digit eastings) but the "
            f"declared CRS {name} has none{fix}."
        )
    return _outside_area_of_use(crs, name, box, minx, miny, maxx, maxy)


def _outside_area_of_use(
    crs: pyproj.CRS, name: str, box: str, minx: float, miny: float, maxx: float, maxy: float
) -> str | None:
    """Warn when the centre of the bounds falls far outside the CRS's area of use."""
    area = crs.area_of_use
    if area is None:
        return None
    if crs.is_geographic:
        lon, lat = (minx + maxx) / 2.0, (miny + maxy) / 2.0
    else:
        try:
            to_geo = pyproj.Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
            lon, lat = to_geo.transform((minx + maxx) / 2.0, (miny + maxy) / 2.0)
        except pyproj.exceptions.ProjError:
            return f"The coordinates {box} cannot be converted from the declared CRS {name}."
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return f"The coordinates {box} fall outside the valid range of the declared CRS {name}."
    margin = 3.0  # degrees: data just beyond a zone edge is normal
    west, south, east, north = area.bounds
    if west > east:  # area crossing the antimeridian: don't judge
        return None
    if (west - margin <= lon <= east + margin) and (south - margin <= lat <= north + margin):
        return None
    return (
        f"The coordinates {box} fall at about {lon:.2f}°E {lat:.2f}°N, outside the area of use "
        f"of the declared CRS {name} ({area.name}); check the CRS."
    )
