"""Builders of tiny synthetic readiness inputs in EPSG:4547 and brute-force references."""

from __future__ import annotations

from datetime import date

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from affine import Affine

from gis.raster import Raster
from layers.readiness import ReadinessInputs, load_rulebook

CRS = "EPSG:4547"  # CGCS2000 3° Gauss–Krüger CM 114°E, the demo's analysis CRS
X0, Y0 = 410_000.0, 4_000_000.0  # near Changzhi
AS_OF = date(2025, 6, 30)

META = '[meta]\nname = "test"\nversion = "1"\n'


def rulebook(*rules: str):
    """A rulebook from rule tables written as TOML text (without ``[[rule]]``)."""
    return load_rulebook(META + "".join(f"\n[[rule]]\n{r.strip()}\n" for r in rules))


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A box in local metres (offset to the GK origin used by the tests)."""
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def line(*pts: tuple[float, float]) -> shapely.LineString:
    return shapely.LineString([(X0 + x, Y0 + y) for x, y in pts])


def point(x: float, y: float) -> shapely.Point:
    return shapely.Point(X0 + x, Y0 + y)


def gdf(geoms: list, **cols: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=list(geoms), crs=CRS)


def parcels(geoms: list, **cols: list) -> gpd.GeoDataFrame:
    ids = cols.pop("parcel_id", [f"P{i + 1}" for i in range(len(geoms))])
    return gdf(geoms, parcel_id=ids, **cols)


def raster(array: np.ndarray, *, cell: float = 10.0, x0: float = 0.0, y1: float = 1000.0,
           crs: str | None = CRS) -> Raster:
    """A north-up raster whose top-left corner is at local (x0, y1)."""
    return Raster(np.asarray(array, dtype=float), Affine(cell, 0, X0 + x0, 0, -cell, Y0 + y1),
                  crs)


def inputs(parcel_gdf: gpd.GeoDataFrame, **kw: object) -> ReadinessInputs:
    return ReadinessInputs(parcel_gdf, **kw)  # type: ignore[arg-type]


def rows(result, rule_id: str) -> pd.DataFrame:
    """The long-table rows of one rule, one per parcel, in parcel order."""
    long = result.long
    out = long[long["rule_id"] == rule_id].reset_index(drop=True)
    return out.astype({"parcel_id": "str", "status": "str", "message": "str",
                       "message_en": "str"})


def cell_centres(r: Raster) -> tuple[np.ndarray, np.ndarray]:
    h, w = r.shape
    rows_, cols = np.mgrid[0:h, 0:w]
    x = r.transform.c + (cols + 0.5) * r.transform.a
    y = r.transform.f + (rows_ + 0.5) * r.transform.e
    return x, y


def brute_cells(geom: shapely.Geometry, r: Raster) -> np.ndarray:
    """Values of the cells whose centres lie inside ``geom`` (else the centroid's cell)."""
    x, y = cell_centres(r)
    inside = shapely.contains_xy(geom, x, y)
    if inside.any():
        return r.array[inside]
    c = geom.centroid
    col = int(np.floor((c.x - r.transform.c) / r.transform.a))
    row = int(np.floor((c.y - r.transform.f) / r.transform.e))
    return r.array[row:row + 1, col:col + 1].ravel()


def reference_overall(status: np.ndarray, required: np.ndarray) -> np.ndarray:
    """The precedence of docs/rulebook.md, written plainly, parcel by parcel."""
    out = []
    for col in status.T:
        req = [s for s, r in zip(col, required, strict=True) if r]
        if "fail" in req:
            out.append("not_ready")
        elif "unknown" in req:
            out.append("incomplete")
        elif "committed" in req:
            out.append("ready_with_commitments")
        else:
            out.append("ready")
    return np.array(out, dtype=object)
