"""Validation as data: a table of findings (severity, feature, column, problem, hint).

Like osmnx's ``_validate`` and momepy's ``verify_tessellation``, problems are
collected, not raised, and the offending features are named so a user can fix them.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.crs import metric_crs_for
from layers.catalog import get_spec
from layers.schema import FINDING_COLUMNS, Finding, feature_label, normalize

__all__ = ["AREA_TOLERANCE", "findings_frame", "has_problems", "validate", "validate_raw"]

AREA_TOLERANCE = 0.05  # declared area_ha may differ from the geometry by 5 %

_FAMILIES = {
    "polygon": {"Polygon", "MultiPolygon"},
    "line": {"LineString", "MultiLineString"},
    "point": {"Point", "MultiPoint"},
    "line_or_point": {"LineString", "MultiLineString", "Point", "MultiPoint"},
}


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """Findings as a DataFrame with the standard columns, errors first."""
    df = pd.DataFrame([f.__dict__ for f in findings], columns=FINDING_COLUMNS)
    order = {"error": 0, "warning": 1, "info": 2}
    return df.sort_values("severity", key=lambda s: s.map(order), kind="stable",
                          ignore_index=True)


def has_problems(findings: pd.DataFrame) -> bool:
    """True when any finding is an error or a warning (``devzone validate`` exits 1)."""
    return bool(findings["severity"].isin(["error", "warning"]).any())


def validate(kind: str, data: pd.DataFrame) -> pd.DataFrame:
    """Check normalised ``data`` of layer ``kind`` against the catalogue.

    Reports missing required columns, empty required values, values outside the
    allowed codes, duplicate ids, missing/empty/invalid geometries, geometries of
    the wrong type and declared ``area_ha`` that differs from the geometry by more
    than 5 %.
    """
    spec = get_spec(kind)
    found: list[Finding] = []
    for name in spec.required:
        if name not in data.columns:
            col = spec.column(name)
            aliases = ", ".join((col.zh, *col.aliases[:3])) if col else ""
            found.append(Finding("error", None, name, f"required column {name!r} is missing",
                                 f"Add it (accepted names: {name}, {aliases})."))
            continue
        empty = data[name].isna().to_numpy()
        for pos in np.flatnonzero(empty)[:50]:
            found.append(Finding("error", feature_label(spec, data, int(pos)), name,
                                 f"required value {name!r} is empty", "Fill it in."))
    for col in spec.columns:
        if col.allowed and col.name in data.columns:
            values = data[col.name]
            bad = (values.notna() & ~values.isin(col.allowed)).to_numpy()
            for pos in np.flatnonzero(bad)[:50]:
                found.append(Finding(
                    "error", feature_label(spec, data, int(pos)), col.name,
                    f"value {values.iloc[pos]!r} is not allowed",
                    f"Use one of: {', '.join(col.allowed)}.",
                ))
    if spec.id_column and spec.id_column in data.columns:
        ids = data[spec.id_column]
        dup = ids.notna() & ids.duplicated(keep=False)
        for value in pd.unique(ids[dup])[:50]:
            n = int((ids == value).sum())
            found.append(Finding("error", str(value), spec.id_column,
                                 f"id {value!r} is used by {n} features",
                                 "Every feature needs its own id."))
    if not spec.is_table:
        found.extend(_geometry_findings(spec.kind, data))
    return findings_frame(found)


def _geometry_findings(kind: str, data: pd.DataFrame) -> list[Finding]:
    spec = get_spec(kind)
    if not isinstance(data, gpd.GeoDataFrame) or data.geometry.name not in data:
        return [Finding("error", None, "geometry", "the layer has no geometry",
                        f"A {kind} layer needs {spec.geometry} geometries.")]
    geoms = data.geometry.array
    out: list[Finding] = []
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    invalid = ~missing & ~shapely.is_valid(geoms)
    types = shapely.get_type_id(geoms)
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                      "MultiLineString", "MultiPolygon", "GeometryCollection"])
    tname = np.where(types >= 0, names[np.clip(types, 0, 7)], "")
    wrong = ~missing & ~np.isin(tname, list(_FAMILIES[spec.geometry]))
    for mask, problem, hint in (
        (missing, "geometry is missing or empty", "Draw the feature or remove the row."),
        (invalid, "geometry is invalid", "Repair it (e.g. make_valid, or fix self-intersections)."),
    ):
        for pos in np.flatnonzero(mask)[:50]:
            out.append(Finding("error", feature_label(spec, data, int(pos)), "geometry",
                               problem, hint))
    for pos in np.flatnonzero(wrong)[:50]:
        out.append(Finding("error", feature_label(spec, data, int(pos)), "geometry",
                           f"geometry is a {tname[pos]}, expected {spec.geometry}",
                           f"Use a {spec.geometry} layer for {kind}."))
    if "area_ha" in data.columns and spec.geometry == "polygon" and data.crs is not None:
        ok = ~(missing | invalid | wrong)
        if ok.any():
            metric = data if data.crs.is_projected else data.to_crs(metric_crs_for(data))
            area = np.where(ok, shapely.area(metric.geometry.array) / 1e4, np.nan)
            declared = pd.to_numeric(data["area_ha"], errors="coerce").to_numpy(dtype=float)
            rel = np.abs(declared - area) / np.where(area > 0, area, np.nan)
            for pos in np.flatnonzero(np.nan_to_num(rel, nan=0.0) > AREA_TOLERANCE)[:50]:
                out.append(Finding(
                    "warning", feature_label(spec, data, int(pos)), "area_ha",
                    f"declared area {declared[pos]:.2f} ha differs from the geometry's "
                    f"{area[pos]:.2f} ha by {rel[pos]:.0%}",
                    "Check the declared area or the boundary (tolerance 5 %).",
                ))
    return out


def validate_raw(kind: str, data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Normalise then validate raw data; return (normalised data, all findings)."""
    norm = normalize(kind, data)
    table = validate(kind, norm.data)
    merged = findings_frame([*norm.findings,
                             *(Finding(**row) for row in table.to_dict("records"))])
    return norm.data, merged
