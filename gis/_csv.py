"""CSV tables: type inference and geometries from lon/lat or WKT columns."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis._encoding import _decode_text
from gis._locate import _short_reason
from gis._notes import _MAX_LISTED
from gis.errors import CRSError, InputError

_X_ALIASES = ("lon", "lng", "long", "longitude", "x", "经度", "x坐标", "东经")
_Y_ALIASES = ("lat", "latitude", "y", "纬度", "y坐标", "北纬")
_WKT_ALIASES = ("wkt", "geometry", "geom", "the_geom", "shape", "几何")


_LEADING_ZERO = re.compile(r"^[+-]?0\d")


def _infer_types(df: pd.DataFrame) -> pd.DataFrame:
    """Turn all-numeric text columns into numbers; keep codes like '0012' as text."""
    out = {}
    for col in df.columns:
        s = df[col]
        values = s.dropna()
        values = values[values.str.strip() != ""]
        if len(values) and not values.str.match(_LEADING_ZERO).any():
            num = pd.to_numeric(values.str.strip(), errors="coerce")
            if num.notna().all():
                out[col] = pd.to_numeric(s.where(s.str.strip() != ""), errors="coerce")
                continue
        out[col] = s
    return pd.DataFrame(out, index=df.index)


def _read_csv_frame(path: Path, display: str, encoding: str | None) -> tuple[pd.DataFrame, str]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{display} cannot be read ({exc.strerror}).",
                         zh=f"无法读取 {display}（{exc.strerror}）。") from None
    text, used = _decode_text(raw, display, encoding)
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    sep = max((",", "\t", ";"), key=first.count)
    try:
        df = pd.read_csv(
            io.StringIO(text), sep=sep, dtype=str, keep_default_na=False, na_values=[""],
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as exc:
        reason = _short_reason(exc)
        raise InputError(
            f"{display} is not a readable CSV table ({reason}).",
            hint="Check the separators and quotes; one header row, one feature per row.",
            zh=f"{display} 不是可读取的 CSV 表格（{reason}）。",
            hint_zh="请检查分隔符和引号；表格应只有一行表头，每行一个要素。",
        ) from None
    df.columns = [str(c).strip() for c in df.columns]
    return _infer_types(df), used


def _find_column(columns: Sequence[str], aliases: Sequence[str]) -> str | None:
    lower = {c.strip().lower(): c for c in columns}
    return next((lower[a] for a in aliases if a in lower), None)


def _rows(index: Sequence[Any] | np.ndarray) -> str:
    shown = ", ".join(str(int(i) + 2) for i in list(index)[:_MAX_LISTED])  # +2: header, 1-based
    more = f" and {len(index) - _MAX_LISTED} more" if len(index) > _MAX_LISTED else ""
    return shown + more


def _rows_zh(index: Sequence[Any] | np.ndarray) -> str:
    shown = "、".join(str(int(i) + 2) for i in list(index)[:_MAX_LISTED])
    more = f" 等共 {len(index)} 行" if len(index) > _MAX_LISTED else ""
    return shown + more


def _csv_to_gdf(df: pd.DataFrame, display: str) -> tuple[gpd.GeoDataFrame, str | None]:
    """Build geometries from a WKT column or lon/lat columns; returns (gdf, declared CRS)."""
    wkt_col = _find_column(df.columns, _WKT_ALIASES)
    xcol, ycol = _find_column(df.columns, _X_ALIASES), _find_column(df.columns, _Y_ALIASES)
    declared: str | None = None
    if wkt_col is not None and df[wkt_col].notna().any():
        text = df[wkt_col].astype("string").str.strip()
        srid = text.str.extract(r"^SRID=(\d+);", flags=re.IGNORECASE)[0]
        if srid.notna().any():
            codes = set(srid.dropna())
            if len(codes) > 1:
                raise CRSError(
                    f"{display}: column {wkt_col!r} mixes SRIDs {sorted(codes)}.",
                    hint="Give every geometry of the file the same SRID (reproject the odd "
                    "ones first).",
                    zh=f"{display}：字段 {wkt_col!r} 混用了多个 SRID {sorted(codes)}。",
                    hint_zh="同一文件中的几何应使用同一坐标系。",
                )
            declared = f"EPSG:{codes.pop()}"
            text = text.str.replace(r"^SRID=\d+;", "", regex=True, flags=re.IGNORECASE)
        present = text.notna() & (text != "")
        arr = np.array(text.where(present, None).to_numpy(dtype=object, na_value=None))
        with np.errstate(invalid="ignore"):  # NaN in the WKT: refused by the reader, quietly
            geoms = shapely.from_wkt(arr, on_invalid="ignore")
        bad = np.flatnonzero(present.to_numpy() & pd.isna(geoms))
        if len(bad):
            raise InputError(
                f"{display}: column {wkt_col!r} holds text that is not WKT on row(s) "
                f"{_rows(bad)} (e.g. {str(text.iloc[bad[0]])[:40]!r}).",
                hint="Use WKT such as 'POLYGON ((x y, …))', or lon/lat columns.",
                zh=f"{display}：字段 {wkt_col!r} 第 {_rows_zh(bad)} 行的内容不是 WKT"
                f"（如 {str(text.iloc[bad[0]])[:40]!r}）。",
                hint_zh="请使用 'POLYGON ((x y, …))' 这样的 WKT，或改用经度/纬度字段。",
            )
        return gpd.GeoDataFrame(df.drop(columns=[wkt_col]), geometry=list(geoms)), declared
    if xcol is None or ycol is None:
        raise InputError(
            f"{display} has no coordinate columns; its columns are: "
            + ", ".join(map(str, df.columns[:20])) + ".",
            hint="Add lon/lat (经度/纬度, x/y) columns or a WKT column named wkt or geometry.",
            zh=f"{display} 没有坐标字段；现有字段：" + "、".join(map(str, df.columns[:20]))
            + "。",
            hint_zh="请添加经度/纬度（lon/lat、x/y）字段，或名为 wkt 或 geometry 的 WKT 字段。",
        )
    coords = {}
    for col in (xcol, ycol):
        raw = df[col]
        num = pd.to_numeric(raw, errors="coerce")
        bad = np.flatnonzero(num.isna().to_numpy() & raw.notna().to_numpy())
        if len(bad):
            raise InputError(
                f"{display}: column {col!r} must hold numbers, but row(s) {_rows(bad)} do not "
                f"(e.g. {raw.iloc[bad[0]]!r}).",
                hint="Use decimal degrees or metres without units or degree signs.",
                zh=f"{display}：字段 {col!r} 应为数值，但第 {_rows_zh(bad)} 行不是"
                f"（如 {raw.iloc[bad[0]]!r}）。",
                hint_zh="请填写以十进制度或米为单位的纯数字，不要带单位或度分秒符号。",
            )
        coords[col] = num.to_numpy(dtype="float64", na_value=np.nan)
    x, y = coords[xcol], coords[ycol]
    ok = ~(np.isnan(x) | np.isnan(y))  # blank cells; an "inf" is refused by the reader
    geoms = np.full(len(df), None, dtype=object)
    geoms[ok] = shapely.points(x[ok], y[ok])
    return gpd.GeoDataFrame(df, geometry=list(geoms)), declared
