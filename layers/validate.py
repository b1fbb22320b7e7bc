"""Validation as data: a table of findings (severity, feature, column, problem, hint, zh).

Like osmnx's ``_validate`` and momepy's ``verify_tessellation``, problems are
collected, not raised, and the offending features are named so a user can fix them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from gis.crs import metric_crs_for, same_crs
from gis.errors import PlannerError
from gis.measure import area_ha
from gis.raster import RasterSource
from layers.catalog import VALUE_ALIASES, ColumnSpec, get_spec
from layers.schema import (
    FINDING_COLUMNS,
    FINDING_COLUMNS_EN,
    Finding,
    column_zh,
    feature_label,
    normalize,
)

if TYPE_CHECKING:
    from layers.workspace import Workspace

__all__ = ["AREA_TOLERANCE", "DATE_ORDER", "findings_frame", "findings_in", "has_problems",
           "project_findings", "raster_findings", "reference_findings", "validate",
           "validate_raw", "validate_workspace"]

AREA_TOLERANCE = 0.05  # declared area_ha may differ from the geometry by 5 %

_FAMILIES = {
    "polygon": {"Polygon", "MultiPolygon"},
    "line": {"LineString", "MultiLineString"},
    "point": {"Point", "MultiPoint"},
    "line_or_point": {"LineString", "MultiLineString", "Point", "MultiPoint"},
}


_GEOMETRY_ZH = {"polygon": "面", "line": "线", "point": "点", "line_or_point": "线或点"}


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """Findings as a DataFrame, errors first.

    Columns: :data:`~layers.schema.FINDING_COLUMNS` (``problem``, ``hint`` in Chinese) then
    :data:`~layers.schema.FINDING_COLUMNS_EN` (``problem_en``, ``hint_en``).
    """
    df = pd.DataFrame([f.__dict__ for f in findings],
                      columns=[*FINDING_COLUMNS, *FINDING_COLUMNS_EN])
    order = {"error": 0, "warning": 1, "info": 2}
    return df.sort_values("severity", key=lambda s: s.map(order), kind="stable",
                          ignore_index=True)


def findings_in(findings: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The findings with ``problem``/``hint`` in ``lang`` and without the ``*_en`` columns.

    The other language fills in where the text in ``lang`` is empty; other columns
    (e.g. ``layer``) are kept.

    Examples
    --------
    >>> f = findings_frame([Finding("error", "P1", "far", "“容积率”（far）的值 'x' 不是数值",
    ...                             problem_en="value 'x' is not a float")])
    >>> findings_in(f, "zh").problem.iloc[0], findings_in(f, "en").problem.iloc[0]
    ("“容积率”（far）的值 'x' 不是数值", "value 'x' is not a float")
    """
    out = findings.drop(columns=[c for c in FINDING_COLUMNS_EN if c in findings.columns])
    for col in ("problem", "hint"):
        en = findings.get(f"{col}_en")
        if en is None:
            continue
        first, second = (out[col], en) if lang.startswith("zh") else (en, out[col])
        has = first.notna() & (first.astype("string").str.len() > 0)
        out[col] = first.where(has, second)
    return out


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
            found.append(Finding(
                "error", None, name,
                problem=f"缺少必填字段 {column_zh(spec, name)}",
                hint=f"请添加该字段（可用字段名：{name}、"
                     f"{aliases.replace(', ', '、')}）。",
                problem_en=f"required column {name!r} is missing",
                hint_en=f"Add it (accepted names: {name}, {aliases})."))
            continue
        empty = data[name].isna().to_numpy()
        for pos in np.flatnonzero(empty)[:50]:
            found.append(Finding(
                "error", feature_label(spec, data, int(pos)), name,
                problem=f"必填字段 {column_zh(spec, name)}为空",
                hint="请填写该值。",
                problem_en=f"required value {name!r} is empty",
                hint_en="Fill it in."))
    for col in spec.columns:
        if col.allowed and col.name in data.columns:
            values = data[col.name]
            bad = (values.notna() & ~values.isin(col.allowed)).to_numpy()
            for pos in np.flatnonzero(bad)[:50]:
                found.append(Finding(
                    "error", feature_label(spec, data, int(pos)), col.name,
                    problem=f"{column_zh(spec, col.name)}的值 {values.iloc[pos]!r} 不在允许范围内",
                    hint=f"请使用以下之一：{_allowed_zh(col)}。",
                    problem_en=f"value {values.iloc[pos]!r} is not allowed",
                    hint_en=f"Use one of: {', '.join(col.allowed)}."))
    if spec.id_column and spec.id_column in data.columns:
        ids = data[spec.id_column]
        dup = ids.notna() & ids.duplicated(keep=False)
        for value in pd.unique(ids[dup])[:50]:
            n = int((ids == value).sum())
            found.append(Finding(
                "error", str(value), spec.id_column,
                problem=f"编号 {value!r} 被 {n} 个要素重复使用",
                hint="每个要素都需要唯一的编号。",
                problem_en=f"id {value!r} is used by {n} features",
                hint_en="Every feature needs its own id."))
    if not spec.is_table:
        found.extend(_geometry_findings(spec.kind, data))
    found.extend(_date_order_findings(kind, data))
    found.extend(_duplicate_key_findings(kind, data))
    found.extend(_project_findings(kind, data))
    return findings_frame(found)


_INFRA = ("roads", "water", "power", "gas")


def _project_findings(kind: str, data: pd.DataFrame) -> list[Finding]:
    """Planned features without a planned_date; projects with a negative cost."""
    spec = get_spec(kind)
    out: list[Finding] = []
    if kind in _INFRA and "status" in data.columns:
        due = data["status"].astype("string").isin(["planned", "under_construction"])
        day = data["planned_date"] if "planned_date" in data.columns else pd.Series(
            pd.NaT, index=data.index)
        for pos in np.flatnonzero((due & day.isna()).to_numpy(dtype=bool, na_value=False))[:50]:
            out.append(Finding(
                "warning", feature_label(spec, data, int(pos)), "planned_date",
                problem=f"规划或在建要素缺少{column_zh(spec, 'planned_date')}",
                hint="请填写计划建成日期（YYYY-MM-DD），情景与供地计划按此日期推算。",
                problem_en="a planned or under-construction feature has no planned_date",
                hint_en="Fill in the planned completion date (YYYY-MM-DD); scenarios and "
                        "the supply pipeline use it."))
    if kind == "projects" and "cost_wan" in data.columns:
        cost = pd.to_numeric(data["cost_wan"], errors="coerce")
        for pos in np.flatnonzero((cost < 0).to_numpy(dtype=bool, na_value=False))[:50]:
            out.append(Finding(
                "error", feature_label(spec, data, int(pos)), "cost_wan",
                problem=f"{column_zh(spec, 'cost_wan')} {cost.iloc[pos]:g} 为负数",
                hint="请填写不小于 0 的投资（万元）。",
                problem_en=f"cost_wan {cost.iloc[pos]:g} is negative",
                hint_en="Give a cost of 0 or more (万元, 10k CNY)."))
    return out


def project_findings(kind: str, data: pd.DataFrame, project_ids: object) -> pd.DataFrame:
    """Features of an infrastructure layer naming a ``project_id`` the projects table lacks."""
    if kind not in _INFRA or "project_id" not in data.columns:
        return findings_frame([])
    spec = get_spec(kind)
    known = set(pd.Series(list(project_ids), dtype="string").dropna())  # type: ignore[call-overload]
    ids = data["project_id"].astype("string").str.strip()
    unknown = (ids.notna() & (ids != "") & ~ids.isin(known)).to_numpy(dtype=bool)
    found: list[Finding] = []
    for pos in np.flatnonzero(unknown)[:50]:
        value = ids.iloc[pos]
        found.append(Finding(
            "error", feature_label(spec, data, int(pos)), "project_id",
            problem=f"{column_zh(spec, 'project_id')} {value!r} 在项目表（projects）中不存在",
            hint="请更正项目编号，或在项目表中添加该项目。",
            problem_en=f"project {value!r} does not exist in the projects table",
            hint_en="Correct the project id, or add the project to the projects table."))
    return findings_frame(found)


# kind -> (earlier column, later column, severity): dates that must come in this order
DATE_ORDER: dict[str, tuple[tuple[str, str, str], ...]] = {
    "contracts": (
        ("signed_date", "handover_date", "error"),
        ("signed_date", "agreed_start_date", "error"),
        ("agreed_start_date", "agreed_completion_date", "error"),
        ("actual_start_date", "actual_completion_date", "error"),
        ("agreed_completion_date", "review_date", "error"),
        ("handover_date", "actual_start_date", "warning"),
    ),
}
# kind -> columns that together name one row (beyond the catalogue's id column)
ROW_KEYS: dict[str, tuple[str, ...]] = {"performance": ("parcel_id", "year"),
                                        "commitments": ("parcel_id", "item")}


def _date_order_findings(kind: str, data: pd.DataFrame) -> list[Finding]:
    """Dates out of order (e.g. completion before start), and a completion with no start."""
    spec = get_spec(kind)
    out: list[Finding] = []
    for early, late, severity in DATE_ORDER.get(kind, ()):
        if early not in data.columns or late not in data.columns:
            continue
        a = pd.to_datetime(data[early], errors="coerce")
        b = pd.to_datetime(data[late], errors="coerce")
        for pos in np.flatnonzero((a > b).to_numpy())[:50]:
            da, db = a.iloc[pos].date(), b.iloc[pos].date()
            out.append(Finding(
                severity, feature_label(spec, data, int(pos)), late,
                problem=f"{column_zh(spec, late)} {db} 早于{column_zh(spec, early)} {da}",
                hint=f"请核对这两个日期：{column_zh(spec, late)}不应早于{column_zh(spec, early)}。",
                problem_en=f"{late} {db} is before {early} {da}",
                hint_en=f"Check both dates: {late} must not come before {early}."))
    if kind == "contracts" and {"actual_start_date", "actual_completion_date"} <= set(data):
        orphan = (data["actual_completion_date"].notna()
                  & data["actual_start_date"].isna()).to_numpy()
        for pos in np.flatnonzero(orphan)[:50]:
            out.append(Finding(
                "error", feature_label(spec, data, int(pos)), "actual_start_date",
                problem=f"已填{column_zh(spec, 'actual_completion_date')}，"
                        f"但{column_zh(spec, 'actual_start_date')}为空",
                hint="请填写实际开工日期。",
                problem_en="actual_completion_date is set but actual_start_date is empty",
                hint_en="Fill in the actual start date."))
    return out


def _duplicate_key_findings(kind: str, data: pd.DataFrame) -> list[Finding]:
    """Rows that repeat the same key (e.g. two performance rows for one parcel and year)."""
    keys = ROW_KEYS.get(kind)
    if not keys or not set(keys) <= set(data.columns):
        return []
    spec = get_spec(kind)
    frame = data[list(keys)]
    dup = frame.notna().all(axis=1) & frame.duplicated(keep="first")
    out: list[Finding] = []
    names = " + ".join(keys)
    names_zh = "、".join(column_zh(spec, k) for k in keys)
    for pos in np.flatnonzero(dup.to_numpy())[:50]:
        value = " / ".join(f"{v:g}" if isinstance(v, float) else str(v)
                           for v in frame.iloc[pos])
        out.append(Finding(
            "error", feature_label(spec, data, int(pos)), keys[-1],
            problem=f"{names_zh} {value} 重复出现",
            hint="同一组取值只保留一行（合并或删除重复行）。",
            problem_en=f"{names} {value} appears more than once",
            hint_en="Keep one row per key (merge or delete the repeats)."))
    return out


def reference_findings(kind: str, data: pd.DataFrame, parcel_ids: object) -> pd.DataFrame:
    """Rows of a table that name a ``parcel_id`` the parcels layer does not hold.

    ``parcel_ids`` is any iterable of the workspace's parcel ids. Only tables with a
    ``parcel_id`` column (contracts, performance, commitments) are checked.
    """
    spec = get_spec(kind)
    if "parcel_id" not in spec.names or "parcel_id" not in data.columns:
        return findings_frame([])
    known = set(pd.Series(list(parcel_ids), dtype="string").dropna())  # type: ignore[call-overload]
    ids = data["parcel_id"].astype("string")
    unknown = (ids.notna() & ~ids.isin(known)).to_numpy()
    found: list[Finding] = []
    for pos in np.flatnonzero(unknown)[:50]:
        value = ids.iloc[pos]
        found.append(Finding(
            "error", f"#{pos + 1}" if spec.id_column is None else str(value), "parcel_id",
            problem=f"{column_zh(spec, 'parcel_id')} {value!r} 在标准地图层中不存在",
            hint="请更正地块编号，或先导入该地块。",
            problem_en=f"parcel {value!r} does not exist in the parcels layer",
            hint_en="Correct the parcel id, or import the parcel first."))
    if unknown.sum() > 50:
        found.append(Finding(
            "error", None, "parcel_id",
            problem=f"另有 {int(unknown.sum()) - 50} 行的地块编号不存在",
            problem_en=f"{int(unknown.sum()) - 50} more rows name unknown parcels"))
    return findings_frame(found)


def _geometry_findings(kind: str, data: pd.DataFrame) -> list[Finding]:
    spec = get_spec(kind)
    if not isinstance(data, gpd.GeoDataFrame) or data.geometry.name not in data:
        return [Finding(
            "error", None, "geometry",
            problem="该图层没有几何图形",
            hint=f"{spec.zh}（{kind}）图层需要{_GEOMETRY_ZH[spec.geometry]}要素。",
            problem_en="the layer has no geometry",
            hint_en=f"A {kind} layer needs {spec.geometry} geometries.")]
    geoms = data.geometry.array
    out: list[Finding] = []
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    invalid = ~missing & ~shapely.is_valid(geoms)
    types = shapely.get_type_id(geoms)
    names = np.array(["Point", "LineString", "LinearRing", "Polygon", "MultiPoint",
                      "MultiLineString", "MultiPolygon", "GeometryCollection"])
    tname = np.where(types >= 0, names[np.clip(types, 0, 7)], "")
    wrong = ~missing & ~np.isin(tname, list(_FAMILIES[spec.geometry]))
    for mask, problem, hint, problem_en, hint_en in (
        (missing, "几何图形缺失或为空", "请绘制该要素，或删除这一行。",
         "geometry is missing or empty", "Draw the feature or remove the row."),
        (invalid, "几何图形无效", "请修复（如 make_valid，或消除自相交）。",
         "geometry is invalid", "Repair it (e.g. make_valid, or fix self-intersections)."),
    ):
        for pos in np.flatnonzero(mask)[:50]:
            out.append(Finding("error", feature_label(spec, data, int(pos)), "geometry",
                               problem, hint, problem_en, hint_en))
    geom_zh = _GEOMETRY_ZH[spec.geometry]
    for pos in np.flatnonzero(wrong)[:50]:
        out.append(Finding(
            "error", feature_label(spec, data, int(pos)), "geometry",
            problem=f"几何类型为 {tname[pos]}，应为{geom_zh}（{spec.geometry}）",
            hint=f"{spec.zh}（{kind}）请使用{geom_zh}图层。",
            problem_en=f"geometry is a {tname[pos]}, expected {spec.geometry}",
            hint_en=f"Use a {spec.geometry} layer for {kind}."))
    if "area_ha" in data.columns and spec.geometry == "polygon" and data.crs is not None:
        ok = ~(missing | invalid | wrong)
        if ok.any():
            metric = data if data.crs.is_projected else data.to_crs(metric_crs_for(data))
            area = np.where(ok, area_ha(metric.geometry), np.nan)
            declared = pd.to_numeric(data["area_ha"], errors="coerce").to_numpy(dtype=float)
            rel = np.abs(declared - area) / np.where(area > 0, area, np.nan)
            for pos in np.flatnonzero(np.nan_to_num(rel, nan=0.0) > AREA_TOLERANCE)[:50]:
                out.append(Finding(
                    "warning", feature_label(spec, data, int(pos)), "area_ha",
                    problem=f"填报面积 {declared[pos]:.2f} 公顷与图形面积 {area[pos]:.2f} 公顷"
                            f"相差 {rel[pos]:.0%}",
                    hint="请核对填报面积或地块边界（允许误差 5%）。",
                    problem_en=f"declared area {declared[pos]:.2f} ha differs from the geometry's "
                               f"{area[pos]:.2f} ha by {rel[pos]:.0%}",
                    hint_en="Check the declared area or the boundary (tolerance 5 %)."))
    return out


def _allowed_zh(col: ColumnSpec) -> str:
    """``reserve（储备）、for_supply（待供应）…`` — the allowed codes with a Chinese name."""
    names: dict[str, str] = {}
    for zh, code in VALUE_ALIASES.get(col.name, {}).items():
        names.setdefault(code, zh)
    return "、".join(f"{code}（{names[code]}）" if code in names else code
                    for code in col.allowed or ())


def validate_raw(kind: str, data: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Normalise then validate raw data; return (normalised data, all findings)."""
    norm = normalize(kind, data)
    table = validate(kind, norm.data)
    merged = findings_frame([*norm.findings,
                             *(Finding(**row) for row in table.to_dict("records"))])
    return norm.data, merged


def raster_findings(ws: Workspace) -> pd.DataFrame:
    """Findings on the rasters of ``ws``, with a first column ``layer`` (``dem``, ``ndvi.2020``).

    A raster that cannot be opened is an error. A ``[rasters]`` entry in another CRS
    than the analysis CRS is a warning: the readiness rules cannot use it. A raster
    declaring no CRS is taken to be in the analysis CRS, as the rules and the NDVI
    statistics take it (a note). NDVI rasters may be in any CRS (sites are reprojected).
    """
    analysis = _analysis_crs(ws)
    entries = [*((name, ref, True) for name, ref in ws.rasters.items()),
               *((f"ndvi.{k}", ref, False) for k, ref in sorted(ws.ndvi.items()))]
    rows = [{"layer": label, **f.__dict__}
            for label, ref, rules_use in entries
            for f in _raster_file_findings(ws.root / ref, ref, label,
                                           analysis if rules_use else None)]
    return pd.DataFrame(rows, columns=["layer", *FINDING_COLUMNS, *FINDING_COLUMNS_EN])


def _analysis_crs(ws: Workspace) -> str | None:
    """The workspace's analysis CRS as text, ``None`` when it cannot be told."""
    try:
        text = ws.analysis_crs
        pyproj.CRS.from_user_input(text)
    except (PlannerError, pyproj.exceptions.CRSError):
        return None  # no crs and no layer to derive one from: reported with the layers
    return text


def _raster_file_findings(path: Path, ref: str, label: str,
                          analysis: str | None) -> list[Finding]:
    """Whether raster ``ref`` opens, declares a CRS and (if ``analysis``) is in that CRS."""
    try:
        crs = RasterSource.from_file(path).crs
    except PlannerError as exc:
        return [Finding("error", ref, None, problem=exc.zh or exc.message,
                        hint=exc.hint_zh or "", problem_en=exc.message, hint_en=exc.hint or "")]
    if crs is None:
        return [Finding(
            "info", ref, None,
            problem=f"栅格 {ref}（{label}）未声明坐标系，按分析坐标系处理",
            hint=f"如并非如此，请为其声明坐标系（gdal_edit.py -a_srs EPSG:… {ref}）。",
            problem_en=f"raster {ref} ({label}) declares no CRS; it is taken to be in the "
                       "analysis CRS",
            hint_en=f"If it is not, declare its CRS (gdal_edit.py -a_srs EPSG:… {ref}).")]
    if analysis is None or same_crs(crs, analysis):
        return []
    epsg = pyproj.CRS.from_user_input(analysis).to_epsg()
    src = Path(ref)
    out = src.with_name(f"{src.stem}_{epsg or 'warped'}{src.suffix}").as_posix()
    warp = f"gdalwarp -t_srs {analysis} {ref} {out}"
    return [Finding(
        "warning", ref, None,
        problem=f"栅格 {ref}（{label}）的坐标系为 {crs}，与工作区分析坐标系 {analysis} 不同，"
                "出让条件核查无法使用该栅格",
        hint=f"请重投影：{warp}，再在 workspace.toml 的 [rasters] 中改为 "
             f'{label} = "{out}"。',
        problem_en=f"raster {ref} ({label}) is in {crs}, not the workspace's analysis CRS "
                   f"{analysis}; the readiness rules cannot use it",
        hint_en=f'Reproject it: {warp}, then set {label} = "{out}" under [rasters] in '
                "workspace.toml.")]


def validate_workspace(ws: Workspace) -> tuple[pd.DataFrame, list[tuple[str, PlannerError]]]:
    """Findings for every layer, table and raster of ``ws`` (``devzone validate``, the Data
    page's data check), with a first column ``layer``.

    Layers are read from their sources (the reader's notes are findings too), not from
    the workspace's converted copies. Returns the findings and, for each layer that could
    not be read at all, its kind and the error.
    """
    from gis import io as gio
    from layers.references import with_parcel_references

    frames: list[pd.DataFrame] = []
    unusable: list[tuple[str, PlannerError]] = []
    for kind in [*ws.layers, *ws.tables]:
        source = ws.source(kind)
        if source is None:
            continue
        path, layer = source
        spec = get_spec(kind)
        try:
            if spec.is_table:
                raw = gio.read_table(path, layer=layer)
                notes: list[Any] = []
            else:
                res = gio.read_vector(path, layer=layer, expect=spec.geometry)
                raw, notes = res.gdf, res.notes
        except PlannerError as exc:
            unusable.append((kind, exc))
            continue
        data, found = validate_raw(kind, raw)
        found = with_parcel_references(ws, kind, data, found)
        for note in notes:
            found.loc[len(found)] = [note.severity, None, None, note.message_zh, "",
                                     note.message_en, ""]
        found.insert(0, "layer", kind)
        frames.append(found)
    rasters = raster_findings(ws)
    if len(rasters):
        frames.append(rasters)
    table = pd.concat(frames, ignore_index=True) if frames else findings_frame([])
    return table, unusable
