"""Helpers for the restoration tests: sites, histories and rasters on a 10 m grid."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine

from gis.raster import Raster

CRS = "EPSG:4547"
X0, Y0 = 500_000.0, 4_000_000.0
CELL = 10.0
GRID = 600  # cells per side: a 6 × 6 km raster starting at (X0, Y0)


def square(x: float, y: float, side: float) -> shapely.Polygon:
    """A square with lower-left corner (X0 + x, Y0 + y), in metres."""
    return shapely.box(X0 + x, Y0 + y, X0 + x + side, Y0 + y + side)


def grid_transform() -> Affine:
    return Affine(CELL, 0.0, X0, 0.0, -CELL, Y0 + GRID * CELL)


def cell_slice(x: float, y: float, side: float) -> tuple[slice, slice]:
    """Rows/cols of the cells whose centres lie inside ``square(x, y, side)`` (grid-aligned)."""
    c0, c1 = int(x // CELL), int((x + side) // CELL)
    r0, r1 = GRID - int((y + side) // CELL), GRID - int(y // CELL)
    return slice(r0, r1), slice(c0, c1)


def make_sites(rows: list[dict]) -> gpd.GeoDataFrame:
    """Sites from dicts; ``x, y, side`` (m) give a square unless ``geometry`` is given."""
    recs, geoms = [], []
    for r in rows:
        r = dict(r)
        geom = r.pop("geometry", None)
        x, y, side = r.pop("x", 0.0), r.pop("y", 0.0), r.pop("side", 100.0)
        geoms.append(geom if geom is not None else square(x, y, side))
        recs.append(r)
    df = pd.DataFrame(recs)
    for c in ("start_date", "target_date"):
        if c in df:
            df[c] = pd.to_datetime(df[c]).astype("datetime64[ns]")
    return gpd.GeoDataFrame(df, geometry=geoms, crs=CRS)


def make_history(rows: list[tuple]) -> pd.DataFrame:
    """Inspections from ``(site_id, date, stage, restored_ha[, note])`` tuples."""
    recs = []
    for r in rows:
        site, day, stage, restored, *rest = r
        recs.append({"site_id": site, "date": pd.Timestamp(day), "stage": stage,
                     "restored_area_ha": restored, "veg_cover_pct": np.nan,
                     "note": rest[0] if rest else None, "recorded_by": "test"})
    df = pd.DataFrame(recs, columns=["site_id", "date", "stage", "restored_area_ha",
                                     "veg_cover_pct", "note", "recorded_by"])
    df["date"] = df["date"].astype("datetime64[ns]")
    return df


def raster(array: np.ndarray) -> Raster:
    assert array.shape == (GRID, GRID)
    return Raster(array.astype("float64"), grid_transform(), CRS, None)
