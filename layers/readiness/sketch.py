"""Check one ad-hoc polygon (drawn on the map, in EPSG:4326) against the rulebook."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry import shape

from gis.errors import GeometryError
from layers.readiness.evaluate import evaluate
from layers.readiness.inputs import ReadinessInputs
from layers.readiness.rulebook import AttributeRule, IndicatorsRule, Rulebook

__all__ = ["SKETCH_ID", "SketchResult", "check_sketch", "sketch_geometry"]

SKETCH_ID = "sketch"
_NO_ATTRS = ("草图没有属性，无法检查此项", "a sketch has no attributes, so this cannot be checked")


@dataclass(frozen=True)
class SketchResult:
    """The check of one drawn polygon: its long results table and its overall status."""

    long: pd.DataFrame
    readiness: str


def sketch_geometry(geometry: Any) -> shapely.Geometry:
    """A polygon from shapely, a GeoJSON geometry or a GeoJSON Feature (as the map returns it).

    Raises :class:`~gis.errors.GeometryError` for anything that is not a usable polygon
    in longitude/latitude.
    """
    geom = geometry
    if isinstance(geom, dict):
        if geom.get("type") == "Feature":
            geom = geom.get("geometry")
        try:
            geom = shape(geom)
        except (AttributeError, KeyError, IndexError, TypeError, ValueError,
                shapely.errors.ShapelyError):
            raise GeometryError("The sketch is not a GeoJSON geometry.",
                                hint="Draw a polygon on the map and try again.",
                                zh="所绘图形不是 GeoJSON 几何对象。",
                                hint_zh="请在地图上绘制一个多边形后重试。") from None
    if not isinstance(geom, shapely.Geometry) or geom.is_empty:
        raise GeometryError("The sketch is empty.", hint="Draw a polygon on the map first.",
                            zh="所绘图形为空。", hint_zh="请先在地图上绘制一个多边形。")
    if not shapely.is_valid(geom):
        geom = shapely.make_valid(geom)
    parts = shapely.get_parts(geom)
    polys = [p for p in parts if p.geom_type in ("Polygon", "MultiPolygon") and p.area > 0]
    if not polys:
        raise GeometryError(f"The sketch is a {geom.geom_type}, not a polygon.",
                            hint="Use the polygon or rectangle drawing tool.",
                            zh=f"所绘图形是 {geom.geom_type}，不是多边形。",
                            hint_zh="请使用多边形或矩形绘图工具。")
    geom = shapely.union_all(polys)
    x0, y0, x1, y1 = geom.bounds
    if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
        raise GeometryError("The sketch's coordinates are not longitude/latitude (EPSG:4326).",
                            hint="Pass the polygon as drawn on the map, in degrees.",
                            zh="所绘图形的坐标不是经纬度（EPSG:4326）。",
                            hint_zh="请传入地图上绘制的多边形（单位为度）。")
    return geom


def check_sketch(inputs: ReadinessInputs, geometry_wgs84: Any, rulebook: Rulebook, *,
                 as_of: date) -> SketchResult:
    """Check one drawn polygon (``parcel_id`` ``"sketch"``): long results and overall status.

    The polygon is reprojected to the analysis CRS and checked against the same rules
    as the parcels; attribute and indicator rules are ``unknown`` (a sketch has no
    attributes). Layer indexes are cached on ``inputs``, so repeated checks are fast.
    """
    geom = sketch_geometry(geometry_wgs84)
    gs = gpd.GeoSeries([geom], crs="EPSG:4326").to_crs(inputs.crs)
    parcels = gpd.GeoDataFrame({"parcel_id": [SKETCH_ID]}, geometry=gs.values, crs=inputs.crs)
    res = evaluate(inputs.with_parcels(parcels), rulebook, as_of=as_of, workers=1)
    long = res.long.copy()
    for col in ("parcel_id", "rule_id", "status", "unit", "message", "message_en"):
        long[col] = long[col].astype("str")
    no_attr = [r.id for r in rulebook.rules if isinstance(r, AttributeRule | IndicatorsRule)]
    sel = long["rule_id"].isin(no_attr)
    long.loc[sel, "message"] = _NO_ATTRS[0]
    long.loc[sel, "message_en"] = _NO_ATTRS[1]
    return SketchResult(long=long, readiness=str(res.overall["readiness"].iloc[0]))
