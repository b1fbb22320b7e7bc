"""The demo's transport facilities: motorway exits, rail freight yards and the airport.

Placed by hand at plausible places around the three zones (approximate, synthetic):
exits of the 长邯, 太长 and 长晋 motorways, the freight yards of 长治北 and 潞城 on
the 邯长 railway, and 长治王村机场. They feed the parcel catalogue's distance filters.
"""

from __future__ import annotations

import geopandas as gpd
import shapely

from layers.demo._common import ANALYSIS_CRS, _strings, _xys

# (kind, name, route, lon, lat)
FACILITIES: tuple[tuple[str, str, str, float, float], ...] = (
    ("motorway_exit", "长治北出口", "太长高速", 113.092, 36.268),
    ("motorway_exit", "长治东出口", "长邯高速", 113.196, 36.188),
    ("motorway_exit", "潞城出口", "长邯高速", 113.262, 36.318),
    ("motorway_exit", "长治南出口", "长晋高速", 113.071, 36.079),
    ("motorway_exit", "屯留出口", "长临高速", 112.905, 36.296),
    ("rail_freight", "长治北站货场", "太焦铁路", 113.131, 36.276),
    ("rail_freight", "潞城站货场", "邯长铁路", 113.216, 36.331),
    ("rail_station", "长治东站", "太焦高铁", 113.170, 36.210),
    ("airport", "长治王村机场", "", 113.126, 36.247),
)


def _transport() -> gpd.GeoDataFrame:
    """The transport layer (points, existing) in the analysis CRS."""
    xy = _xys((lon, lat) for *_, lon, lat in FACILITIES)
    gdf = gpd.GeoDataFrame(
        {"kind": [f[0] for f in FACILITIES], "name": [f[1] for f in FACILITIES],
         "status": "existing", "route": [f[2] or None for f in FACILITIES]},
        geometry=shapely.points(xy), crs=ANALYSIS_CRS)
    return _strings(gdf, ["kind", "name", "status", "route"])
