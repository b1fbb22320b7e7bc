"""Tests for gis.crs: GK zones, metric CRS, detection from bounds, declared-CRS checks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest

from gis.crs import (
    check_declared_crs,
    detect_crs,
    gk_zone_epsg,
    metric_crs_for,
)
from gis.errors import CRSError

GEOD = pyproj.Geod(ellps="GRS80")


def _project_bounds(epsg: int, lon: float, lat: float, half_deg: float = 0.05) -> tuple:
    """Bounds in ``epsg`` of a small lon/lat box, computed with pyproj (not hard-coded)."""
    tr = pyproj.Transformer.from_crs(4490, epsg, always_xy=True)
    xs, ys = tr.transform([lon - half_deg, lon + half_deg], [lat - half_deg, lat + half_deg])
    return (min(xs), min(ys), max(xs), max(ys))


@pytest.mark.parametrize("zone", range(25, 46))
def test_gk_zone_epsg_matches_epsg_database(zone: int) -> None:
    lon = zone * 3.0 + 0.7
    plain = pyproj.CRS.from_epsg(gk_zone_epsg(lon, prefix=False))
    prefixed = pyproj.CRS.from_epsg(gk_zone_epsg(lon, prefix=True))
    assert plain.name == f"CGCS2000 / 3-degree Gauss-Kruger CM {zone * 3}E"
    assert prefixed.name == f"CGCS2000 / 3-degree Gauss-Kruger zone {zone}"


def test_gk_zone_epsg_changzhi() -> None:
    assert gk_zone_epsg(113.1, prefix=False) == 4547
    assert gk_zone_epsg(113.1, prefix=True) == 4526
    # zone boundary: 112.4°E is nearer CM 111°E
    assert gk_zone_epsg(112.4, prefix=False) == 4546


def test_metric_crs_for(parcels: gpd.GeoDataFrame) -> None:
    assert metric_crs_for(parcels) == "EPSG:4547"
    assert metric_crs_for(parcels.to_crs(4547)) == "EPSG:4547"
    assert metric_crs_for(parcels.to_crs(32649)) == "EPSG:32649"  # UTM 49N is metric already
    assert metric_crs_for(parcels.to_crs(3857)) == "EPSG:4547"  # web mercator is not
    assert metric_crs_for(parcels.geometry) == "EPSG:4547"
    with pytest.raises(CRSError, match="no coordinate reference system"):
        metric_crs_for(parcels.set_crs(None, allow_override=True))


def test_detect_degrees_in_china() -> None:
    (cand,) = detect_crs((113.0, 36.0, 113.3, 36.4))
    assert (cand.epsg, cand.swapped) == (4490, False)
    (cand,) = detect_crs((36.0, 113.0, 36.4, 113.3))
    assert (cand.epsg, cand.swapped) == (4490, True)
    assert detect_crs((2.3, 48.8, 2.4, 48.9)) == []  # Paris: not China


def test_detect_prefixed_gk_gives_the_zone() -> None:
    bounds = _project_bounds(4526, 113.1, 36.2)
    assert bounds[0] > 38_000_000
    (cand,) = detect_crs(bounds)
    assert (cand.epsg, cand.swapped) == (4526, False)
    minx, miny, maxx, maxy = bounds
    (cand,) = detect_crs((miny, minx, maxy, maxx))
    assert (cand.epsg, cand.swapped) == (4526, True)


def test_detect_plain_gk_is_ambiguous() -> None:
    bounds = _project_bounds(4547, 113.1, 36.2)
    cands = detect_crs(bounds)
    codes = [c.epsg for c in cands]
    assert codes == list(range(4534, 4555))
    assert not any(c.swapped for c in cands)
    assert "cannot be told" in cands[0].reason
    minx, miny, maxx, maxy = bounds
    swapped = detect_crs((miny, minx, maxy, maxx))
    assert [c.epsg for c in swapped] == codes and all(c.swapped for c in swapped)


def test_detect_nonsense() -> None:
    assert detect_crs((0.0, 0.0, 5e5, 5e5)) == []  # northings too small for China
    assert detect_crs((np.nan, 0, 1, 1)) == []
    with pytest.raises(ValueError):
        detect_crs((1, 2, 3))


def test_check_declared_crs_accepts_fitting_crs() -> None:
    assert check_declared_crs("EPSG:4490", (113.0, 36.0, 113.3, 36.4)) is None
    assert check_declared_crs("EPSG:4547", _project_bounds(4547, 113.1, 36.2)) is None
    assert check_declared_crs("EPSG:4526", _project_bounds(4526, 113.1, 36.2)) is None
    assert check_declared_crs(None, (0, 0, 1, 1)) is None


def test_check_declared_crs_catches_mismatches() -> None:
    plain = _project_bounds(4547, 113.1, 36.2)
    prefixed = _project_bounds(4526, 113.1, 36.2)
    msg = check_declared_crs("EPSG:4490", plain)
    assert msg and "metre-sized" in msg and "EPSG:4490" in msg
    msg = check_declared_crs("EPSG:4547", (113.0, 36.0, 113.3, 36.4))
    assert msg and "look like degrees" in msg
    msg = check_declared_crs("EPSG:4547", prefixed)
    assert msg and "zone prefix 38" in msg and "EPSG:4526" in msg
    msg = check_declared_crs("EPSG:4526", plain)
    assert msg and "no zone prefix" in msg
    msg = check_declared_crs("EPSG:4527", prefixed)  # zone 39 declared, data in zone 38
    assert msg and "prefix 38" in msg and "zone 39" in msg
    msg = check_declared_crs("EPSG:2154", plain)  # French Lambert: far outside its area
    assert msg and "area of use" in msg
    minx, miny, maxx, maxy = prefixed
    msg = check_declared_crs("EPSG:4526", (miny, minx, maxy, maxx))
    assert msg and "exchanged" in msg
