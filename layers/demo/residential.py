"""Residential areas (居住区): villages near the zones, one beside a heavy-industry parcel."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.demo._common import ANALYSIS_CRS, SEATS, _strings, _xy
from layers.demo._shapes import _rot_boxes
from layers.demo.zones import _Grid

VILLAGE_GAP_M = 450.0  # from the designed coal-chemical parcel's east edge to the village


def _residential(grids: list[_Grid], parcels: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Villages at the county seats' edges and the designed one east of CZLC (too close to
    a coal-chemical parcel for the heavy-industry setback)."""
    recs = []
    for county, (lon, lat) in SEATS.items():
        if county == "潞州区":
            continue
        x, y = _xy(lon - 0.012, lat + 0.009)
        recs.append({"name": f"{county[:-1]}北关村", "kind": "village", "status": "existing",
                     "geometry": shapely.box(x - 180.0, y - 140.0, x + 180.0, y + 140.0)})
    for g in grids:
        near = parcels[(parcels.zone == g.design.zone_id) & (parcels.special == "near_village")]
        for _, p in near.iterrows():
            u0 = p.u1 + VILLAGE_GAP_M
            box = _rot_boxes(np.array([u0]), np.array([p.v0 - 100.0]), np.array([u0 + 350.0]),
                             np.array([p.v1 + 100.0]), g.origin, g.angle)[0]
            recs.append({"name": "潞城区黄池村", "kind": "village", "status": "existing",
                         "geometry": box})
    df = pd.DataFrame.from_records(recs)
    gdf = gpd.GeoDataFrame(df[["name", "kind", "status"]], geometry=df.geometry.values,
                           crs=ANALYSIS_CRS)
    return _strings(gdf, ["name", "kind", "status"])
