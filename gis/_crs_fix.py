"""Applying the declared, assumed or detected CRS to what was read (with notes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from gis._notes import CrsSource, Note
from gis.crs import check_declared_crs, describe_candidates, detect_crs
from gis.errors import CRSError


def _bounds_text(bounds: Sequence[float]) -> str:
    return "(" + ", ".join(f"{v:.6g}" for v in bounds) + ")"


def _swap_xy(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    def swap(coords: np.ndarray) -> np.ndarray:
        out = coords.copy()
        out[:, [0, 1]] = coords[:, [1, 0]]
        return out

    geoms = shapely.transform(np.asarray(gdf.geometry.values), swap, include_z=None)
    out = gdf.copy()
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=out.index, crs=gdf.crs)
    return out


def _candidates_zh(candidates: Sequence[Any]) -> str:
    """Chinese list of candidate codes, like :func:`gis.crs.describe_candidates`."""
    codes = [c.crs for c in candidates]
    if len(codes) > 4:
        return f"{codes[0]}、{codes[1]} … {codes[-1]}（共 {len(codes)} 个投影带）"
    return "、".join(codes)


def _crs_label(crs: Any) -> str:
    crs = pyproj.CRS.from_user_input(crs)
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.name


def _resolve_crs(
    gdf: gpd.GeoDataFrame, display: str, assume_crs: Any, notes: list[Note]
) -> tuple[gpd.GeoDataFrame, CrsSource]:
    geoms = gdf.geometry
    present = geoms[~(geoms.isna() | geoms.is_empty)]
    if len(present) == 0:
        return gdf, "declared" if gdf.crs is not None else "assumed"
    bounds = tuple(float(v) for v in present.total_bounds)
    box = _bounds_text(bounds)
    if gdf.crs is not None:
        return _resolve_declared(gdf, display, assume_crs, notes, bounds)

    if assume_crs is not None:
        label = _crs_label(assume_crs)
        out = gdf.set_crs(assume_crs)
        problem = check_declared_crs(out.crs, bounds)
        if problem:
            notes.append(Note(
                "warning", "crs_mismatch",
                f"{display}: {problem}",
                f"{display} 指定的坐标系 {label} 与坐标范围 {box} 不符，请检查。",
            ))
        else:
            notes.append(Note(
                "info", "crs_assumed",
                f"{display} has no CRS; {label} was used as given.",
                f"{display} 未声明坐标系，已按指定使用 {label}。",
            ))
        return out, "assumed"

    candidates = detect_crs(bounds)
    if not candidates:
        raise CRSError(
            f"{display} has no CRS and its coordinates {box} look neither like degrees within "
            "China nor like Gauss–Krüger metres.",
            hint="Add a .prj file or pass the CRS explicitly (assume_crs / --crs).",
            zh=f"{display} 未声明坐标系，其坐标范围 {box} 既不像中国境内的经纬度，"
            "也不像高斯–克吕格投影的米制坐标。",
            hint_zh="请补充 .prj 文件，或明确指定坐标系（assume_crs / --crs）。",
        )
    if len(candidates) > 1:
        swapped = " (with X and Y exchanged)" if candidates[0].swapped else ""
        swapped_zh = "（X、Y 互换后）" if candidates[0].swapped else ""
        raise CRSError(
            f"{display} has no CRS and its coordinates {box}{swapped} fit several Gauss–Krüger "
            f"zones without prefix: {describe_candidates(candidates)}; the zone cannot be told "
            "from the coordinates.",
            hint="Give the CRS explicitly (e.g. EPSG:4547 for CM 114°E: `devzone import --crs`, "
            "or the app's CRS field) or add a .prj file.",
            zh=f"{display} 未声明坐标系，其坐标范围 {box}{swapped_zh}可对应多个不带带号的"
            f"高斯–克吕格投影带：{_candidates_zh(candidates)}，仅凭坐标无法判断属于哪一带。",
            hint_zh="请明确指定坐标系（如中央经线 114°E 用 EPSG:4547：`devzone import --crs`，"
            "或界面中的“坐标系”栏），或补充 .prj 文件。",
        )
    cand = candidates[0]
    out = _swap_xy(gdf) if cand.swapped else gdf
    out = out.set_crs(cand.epsg)
    name = pyproj.CRS.from_epsg(cand.epsg).name
    if cand.swapped:
        notes.append(Note(
            "warning", "axes_swapped",
            f"{display}: X and Y were exchanged in the file ({box}); they were swapped back.",
            f"{display} 的 X、Y 坐标互换（{box}），已交换回来。",
        ))
    notes.append(Note(
        "warning", "crs_detected",
        f"{display} has no CRS; the coordinates {box} look like {cand.reason}, so "
        f"EPSG:{cand.epsg} ({name}) was assumed. Add a .prj file to make this explicit.",
        f"{display} 未声明坐标系；根据坐标范围 {box} 推断为 EPSG:{cand.epsg}（{name}），"
        "建议补充 .prj 文件。",
    ))
    return out, "detected"


def _resolve_declared(
    gdf: gpd.GeoDataFrame, display: str, assume_crs: Any, notes: list[Note],
    bounds: tuple[float, ...],
) -> tuple[gpd.GeoDataFrame, CrsSource]:
    """A layer with a declared CRS: keep it, override it, swap its axes back, or refuse."""
    box = _bounds_text(bounds)
    label = _crs_label(gdf.crs)
    problem = check_declared_crs(gdf.crs, bounds)
    if problem is None:
        if assume_crs is not None and not pyproj.CRS.from_user_input(assume_crs).equals(
            gdf.crs
        ):
            notes.append(Note(
                "info", "assume_crs_ignored",
                f"{display} declares {label}, which fits its coordinates; the assumed CRS "
                f"{_crs_label(assume_crs)} was not used.",
                f"{display} 已声明坐标系 {label} 且与坐标相符，未采用指定的 "
                f"{_crs_label(assume_crs)}。",
            ))
        return gdf, "declared"
    if assume_crs is not None:
        out = gdf.set_crs(assume_crs, allow_override=True)
        notes.append(Note(
            "warning", "crs_overridden",
            f"{display}: {problem} The CRS {_crs_label(assume_crs)} was used as asked.",
            f"{display} 声明的坐标系 {label} 与坐标范围 {box} 不符，已按指定改用 "
            f"{_crs_label(assume_crs)}。",
        ))
        return out, "assumed"
    detected = detect_crs(bounds)
    declared = pyproj.CRS.from_user_input(gdf.crs)
    if detected and detected[0].swapped and any(
        pyproj.CRS.from_epsg(c.epsg).equals(declared)
        or (c.epsg == 4490 and declared.is_geographic)
        for c in detected
    ):
        notes.append(Note(
            "warning", "axes_swapped",
            f"{display}: X and Y were exchanged in the file ({box}); they were swapped back "
            f"to fit the declared {label}.",
            f"{display} 的 X、Y 坐标互换（{box}），已按声明的 {label} 交换回来。",
        ))
        return _swap_xy(gdf), "declared"
    if declared.is_geographic and not (
        abs(bounds[0]) <= 180 and abs(bounds[2]) <= 180
        and abs(bounds[1]) <= 90 and abs(bounds[3]) <= 90
    ):
        raise CRSError(
            f"{display}: {problem}",
            hint="Fix the .prj, or pass the real CRS (assume_crs / --crs) to override it.",
            zh=f"{display}：坐标范围 {box} 是米制坐标，但声明的坐标系 {label} "
            "是以度为单位的地理坐标系"
            + (f"；这些坐标符合 {_candidates_zh(detected)}" if detected else "") + "。",
            hint_zh="请修正 .prj 文件，或指定真实坐标系（assume_crs / --crs）覆盖。",
        )
    notes.append(Note(
        "warning", "crs_mismatch",
        f"{display}: {problem}",
        f"{display} 声明的坐标系 {label} 与坐标范围 {box} 不符，请检查 .prj 或坐标。",
    ))
    return gdf, "declared"
