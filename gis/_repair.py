"""Geometry cleaning: drop missing geometries, repair invalid ones, keep the expected family."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis._notes import _MAX_LISTED, Expect, Note
from gis.errors import GeometryError, InputError

_FAMILIES: dict[str, frozenset[str]] = {
    "polygon": frozenset({"Polygon", "MultiPolygon"}),
    "line": frozenset({"LineString", "MultiLineString", "LinearRing"}),
    "point": frozenset({"Point", "MultiPoint"}),
}
_FAMILIES["line_or_point"] = _FAMILIES["line"] | _FAMILIES["point"]
_TYPE_NAMES = ("Point", "LineString", "LinearRing", "Polygon", "MultiPoint", "MultiLineString",
               "MultiPolygon", "GeometryCollection")
_TYPE_IDS = {name: i for i, name in enumerate(_TYPE_NAMES)}
_FAMILY_ZH = {"polygon": "面", "line": "线", "point": "点", "line_or_point": "线或点"}
_TYPE_ZH = {"Point": "点", "LineString": "线", "LinearRing": "线环", "Polygon": "面",
            "MultiPoint": "多点", "MultiLineString": "多线", "MultiPolygon": "多面",
            "GeometryCollection": "几何集合", "None": "空"}


def _type_names(type_ids: np.ndarray) -> list[str]:
    return [_TYPE_NAMES[i] if 0 <= i < len(_TYPE_NAMES) else "None" for i in type_ids]


def _singles(geom: Any) -> list[Any]:
    if geom.geom_type in ("GeometryCollection", "MultiPolygon", "MultiLineString", "MultiPoint"):
        return [s for part in geom.geoms for s in _singles(part)]
    return [] if geom.is_empty else [geom]


def _keep_family(geom: Any, family: str) -> Any | None:
    """The parts of ``geom`` in ``family`` (None if there are none)."""
    singles = _singles(geom)
    for fam in (("line", "point") if family == "line_or_point" else (family,)):
        parts = [g for g in singles if g.geom_type in _FAMILIES[fam]]
        if not parts:
            continue
        if len(parts) == 1:
            return parts[0]
        if fam == "polygon":
            return shapely.union_all(parts)
        return shapely.MultiLineString(parts) if fam == "line" else shapely.MultiPoint(parts)
    return None


def _indices(idx: Sequence[Any] | np.ndarray) -> str:
    shown = ", ".join(str(i) for i in list(idx)[:_MAX_LISTED])
    return shown + (f" … ({len(idx)} in all)" if len(idx) > _MAX_LISTED else "")


def _refuse_non_finite(gdf: gpd.GeoDataFrame, display: str) -> None:
    """Raise when any X/Y coordinate is NaN or infinite (GEOS cannot handle them)."""
    arr = np.asarray(gdf.geometry.values, dtype=object)
    coords, owner = shapely.get_coordinates(arr, return_index=True)
    bad = ~np.isfinite(coords).all(axis=1)
    if not bad.any():
        return
    features = np.unique(owner[bad])
    raise GeometryError(
        f"{display}: {len(features)} feature(s) have coordinates that are not finite numbers "
        f"(NaN or Infinity; feature index {_indices(features)}).",
        hint="Fix or delete those features in the source software and export the file again.",
        zh=f"{display}：{len(features)} 个要素的坐标不是有限数值（NaN 或 Infinity；要素序号 "
        f"{_indices(features)}）。",
        hint_zh="请在原软件中修正或删除这些要素后重新导出。",
    )


def _clean_geometries(
    gdf: gpd.GeoDataFrame, display: str, expect: Expect, notes: list[Note]
) -> gpd.GeoDataFrame:
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    arr = np.array(geoms, dtype=object)
    missing = pd.isna(arr) | shapely.is_empty(arr)
    if missing.all():
        raise InputError(
            f"{display} has {len(arr)} feature(s) but none with a geometry.",
            hint="Export the layer again with its geometries.",
            zh=f"{display} 有 {len(arr)} 个要素，但都没有几何图形。",
            hint_zh="请连同几何图形重新导出该图层。",
        )
    if missing.any():
        n = int(missing.sum())
        notes.append(Note(
            "warning", "null_geometry_dropped",
            f"{display}: {n} feature(s) without geometry were dropped "
            f"(feature index {_indices(np.flatnonzero(missing))}).",
            f"{display}：{n} 个要素没有几何，已剔除。",
            count=n,
        ))
    keep = ~missing
    invalid = keep.copy()
    invalid[keep] = ~shapely.is_valid(arr[keep])
    if invalid.any():
        n = int(invalid.sum())
        arr[invalid] = shapely.make_valid(arr[invalid])
        notes.append(Note(
            "warning", "geometry_repaired",
            f"{display}: {n} invalid geometr{'y was' if n == 1 else 'ies were'} repaired "
            f"(feature index {_indices(np.flatnonzero(invalid))}).",
            f"{display}：修复了 {n} 个无效几何（如自相交）。",
            count=n,
        ))
        emptied = invalid & shapely.is_empty(arr)
        keep &= ~emptied
    if expect in _FAMILIES:
        allowed = _FAMILIES[str(expect)]
        type_ids = shapely.get_type_id(arr)
        other = keep & ~np.isin(type_ids, [_TYPE_IDS[t] for t in allowed])
        trimmed = np.zeros(len(arr), dtype=bool)
        wrong = np.zeros(len(arr), dtype=bool)
        for i in np.flatnonzero(other):
            kept = _keep_family(arr[i], str(expect))
            if kept is None:
                wrong[i] = True
            else:
                arr[i] = kept
                trimmed[i] = True
        fam_en = str(expect).replace("_", " ")
        if wrong[keep].all():
            found = pd.Series(_type_names(type_ids[keep])).value_counts()
            summary = ", ".join(f"{c} {t}" for t, c in found.items())
            summary_zh = "、".join(f"{_TYPE_ZH.get(t, t)} {c} 个" for t, c in found.items())
            fam_zh = _FAMILY_ZH[str(expect)]
            raise GeometryError(
                f"{display} holds {int(keep.sum())} feature(s) ({summary}) but a {fam_en} layer "
                "was expected; none can be used.",
                hint=f"Choose a file with {fam_en} geometries for this layer.",
                zh=f"{display} 有 {int(keep.sum())} 个要素（{summary_zh}），但此处需要{fam_zh}"
                "图层，没有可用的要素。",
                hint_zh=f"请为该图层选择{fam_zh}几何的文件。",
            )
        if trimmed.any():
            n = int(trimmed.sum())
            notes.append(Note(
                "warning", "parts_dropped",
                f"{display}: {n} feature(s) also held non-{fam_en} parts, which were removed "
                f"(feature index {_indices(np.flatnonzero(trimmed))}).",
                f"{display}：{n} 个要素含有非{_FAMILY_ZH[str(expect)]}部分，已去除。",
                count=n,
            ))
        if wrong.any():
            n = int(wrong.sum())
            kinds = ", ".join(sorted(set(_type_names(type_ids[wrong]))))
            notes.append(Note(
                "warning", "wrong_type_dropped",
                f"{display}: {n} feature(s) of the wrong geometry type ({kinds}; a {fam_en} "
                f"layer was expected) were dropped (feature index "
                f"{_indices(np.flatnonzero(wrong))}).",
                f"{display}：{n} 个要素几何类型不符（{kinds}，应为{_FAMILY_ZH[str(expect)]}），"
                "已剔除。",
                count=n,
            ))
        keep &= ~wrong
    out = gdf.copy()
    out[out.geometry.name] = gpd.GeoSeries(arr, index=gdf.index, crs=gdf.crs)
    return out.loc[keep].reset_index(drop=True)
