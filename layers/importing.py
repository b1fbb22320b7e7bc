"""Bring a file into a workspace layer (validated, atomic) and write a layer out.

The CLI (`devzone import` / `devzone export`) and the app's upload both call these.
A refused file leaves the workspace untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd

from gis import io as gio
from gis.errors import SchemaError
from layers.access import Actor, Role, require
from layers.catalog import CATALOG, get_spec
from layers.extent import check_extent, workspace_extent
from layers.references import with_parcel_references
from layers.schema import Finding
from layers.validate import findings_frame, validate_raw
from layers.workspace import Workspace

__all__ = ["ImportRefused", "ImportReport", "export_layer", "import_layer", "prepare_import"]


@dataclass
class ImportReport:
    """What an import read, how it was repaired, and what validation found.

    ``notes`` are the reader's notes in Chinese, ``notes_en`` the same in English;
    ``findings`` has ``problem_en`` / ``hint_en`` next to the Chinese columns.
    """

    kind: str
    source: str
    n_features: int
    data: pd.DataFrame
    findings: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    notes_en: list[str] = field(default_factory=list)

    @property
    def errors(self) -> pd.DataFrame:
        return self.findings[self.findings["severity"] == "error"]

    @property
    def ok(self) -> bool:
        return self.errors.empty


class ImportRefused(SchemaError):
    """Validation found errors; ``report`` holds the full findings table."""

    def __init__(self, message: str, report: ImportReport, *, hint: str | None = None,
                 zh: str | None = None, hint_zh: str | None = None) -> None:
        super().__init__(message, hint=hint, zh=zh, hint_zh=hint_zh)
        self.report = report


def _kind_zh(kind: str) -> str:
    """"标准地（parcels）图层" — the kind's Chinese name for messages."""
    spec = CATALOG.get(kind)
    if spec is None:
        return f"{kind} 图层"
    return f"{spec.zh}（{kind}）" + ("表" if spec.is_table else "图层")


def prepare_import(ws: Workspace, kind: str, path: str | Path, *, isolated: bool = False,
                   assume_crs: str | None = None, layer: str | None = None,
                   allow_outside: bool = False) -> ImportReport:
    """Read ``path`` safely, normalise it to ``kind`` and validate; nothing is written.

    ``isolated`` parses the file in a child process (uploads). Features lying
    outside the workspace extent (see :mod:`layers.extent`) are refused with a
    :class:`~gis.errors.CRSError` unless ``allow_outside``.
    """
    spec = get_spec(kind)
    path = Path(path)
    notes: list[str] = []
    notes_en: list[str] = []
    if spec.is_table:
        table_reader = gio.read_table_isolated if isolated else gio.read_table
        raw: pd.DataFrame = table_reader(path, layer=layer)
    else:
        reader = gio.read_vector_isolated if isolated else gio.read_vector
        result = reader(path, layer=layer, expect=spec.geometry, assume_crs=assume_crs)
        raw = result.gdf
        notes = [n.message("zh") for n in result.notes]
        notes_en = [n.message_en for n in result.notes]
    data, findings = validate_raw(kind, raw)
    findings = with_parcel_references(ws, kind, data, findings)
    if isinstance(data, gpd.GeoDataFrame):
        data = data.to_crs(ws.analysis_crs)
        if not allow_outside:
            _check_extent(ws, data, path.name)
    return ImportReport(kind, str(path), len(data), data, findings, notes, notes_en)


def _refuse(path: str | Path, kind: str, report: ImportReport, errors: pd.DataFrame) -> None:
    """Raise :class:`ImportRefused` naming the first of ``errors`` in English and Chinese."""
    first = errors.head(3)
    listing = "; ".join(
        f"{r.feature or 'layer'} / {r.column}: {r.problem_en or r.problem}"
        for r in first.itertuples())
    more = len(errors) - len(first)
    listing_zh = "；".join(
        f"{r.feature or '图层'} / {r.column}：{r.problem or r.problem_en}"
        for r in first.itertuples())
    raise ImportRefused(
        f"{path} was not imported as {kind}: {len(errors)} error(s) — {listing}"
        + (f" (and {more} more)" if more > 0 else "") + ".",
        report, hint="Run `devzone validate` style checks on the file, fix it and retry.",
        zh=f"{path} 未能导入为{_kind_zh(kind)}：共 {len(errors)} 处错误——"
        + listing_zh + (f"（另有 {more} 处）" if more > 0 else "") + "。",
        hint_zh="请用 `devzone validate` 等检查核对文件，修正后重新导入。",
    )


def _check_inspections(tx_ws: Workspace, path: str | Path, report: ImportReport,
                       today: date | None) -> None:
    """Refuse imported inspections that `devzone inspect` would refuse (all listed)."""
    from layers.restoration.inspections import inspection_problems

    problems = inspection_problems(tx_ws, report.data, today=today)
    if not problems:
        return
    data = report.data
    found = findings_frame([
        Finding(
            "error", f"{data['site_id'].iloc[pos]} {_day(data['date'].iloc[pos])}", p.field,
            problem=p.zh,
            problem_en=p.en) for pos, p in problems])
    report.findings = pd.concat([found, report.findings], ignore_index=True)
    _refuse(path, "inspections", report, found)


def _day(value: object) -> str:
    stamp = pd.Timestamp(value) if value is not None and not pd.isna(value) else None
    return stamp.date().isoformat() if stamp is not None else "?"


def _check_extent(ws: Workspace, data: gpd.GeoDataFrame, display: str) -> None:
    """Refuse features outside the workspace's counties/zones (else parcels) + 20 km."""
    extent = workspace_extent([ws.read(k) for k in ("counties", "zones") if ws.has(k)])
    what, what_zh = "its counties and zones", "县区和开发区"
    if extent is None and ws.has("parcels"):
        extent = workspace_extent([ws.read("parcels")])
        what, what_zh = "its parcels", "标准地"
    check_extent(data, extent, display=display, reference=what, reference_zh=what_zh)


def import_layer(ws: Workspace, kind: str, path: str | Path, *, actor: Actor,
                 replace: bool = False, isolated: bool = False, assume_crs: str | None = None,
                 layer: str | None = None, today: date | None = None,
                 allow_outside: bool = False) -> ImportReport:
    """Validate ``path`` and append it to (or replace) the workspace layer ``kind``.

    Needs the ``editor`` role. The file is read and validated first; then, under
    the workspace lock, the current layer is re-read, ids are checked against it,
    the previous version is kept and the write is audited. Inspections can only
    be appended, and each row passes the checks of ``devzone inspect`` (dates up
    to ``today``, areas, cover, stage, order per site).

    Raises :class:`ImportRefused` (a ``SchemaError``) naming the first problems when
    validation finds errors, or when appended ids collide with existing ones; the
    workspace is then left exactly as it was. ``AccessError`` for a role below editor.
    """
    require(actor, Role.editor, f"import the {kind} layer", f"导入{_kind_zh(kind)}")
    if kind == "inspections" and replace:
        raise SchemaError(
            f"{path} was not imported: the inspections history can only be appended to, "
            "not replaced.",
            hint="Import without --replace to append the new inspections; a wrong earlier "
            "state can be brought back with `devzone restore` by an administrator.",
            zh=f"{path} 未导入：巡查记录只能追加，不能整体替换。",
            hint_zh="请去掉 --replace 以追加新的巡查记录；如需回到先前版本，请由管理员使用 "
            "`devzone restore`。")
    report = prepare_import(ws, kind, path, isolated=isolated, assume_crs=assume_crs,
                            layer=layer, allow_outside=allow_outside)
    spec = get_spec(kind)
    if not report.ok:
        _refuse(path, kind, report, report.errors)
    action = "replace" if replace else "import"
    with ws.writing(actor, action, role=Role.editor, note=Path(path).name) as tx:
        if kind == "inspections":
            _check_inspections(tx.ws, path, report, today)
            tx.append(kind, report.data)
            return report
        new = report.data
        existing = None if replace else tx.read(kind)
        if existing is not None and len(existing):
            if spec.id_column and spec.id_column in new and spec.id_column in existing:
                clash = sorted(set(new[spec.id_column].dropna()) & set(existing[spec.id_column]))
                if clash:
                    raise ImportRefused(
                        f"{path} was not imported as {kind}: {len(clash)} id(s) already exist "
                        f"in the workspace ({', '.join(map(str, clash[:5]))}).",
                        report, hint="Use --replace to replace the layer, or give new ids.",
                        zh=f"{path} 未能导入为{_kind_zh(kind)}：有 {len(clash)} 个编号"
                        f"（{spec.id_column}）在工作区中已存在"
                        f"（{'、'.join(map(str, clash[:5]))}）。",
                        hint_zh="如需整体替换该图层请使用 --replace，否则请使用新的编号。",
                    )
            combined = pd.concat([existing, new], ignore_index=True)
            new = gpd.GeoDataFrame(combined, geometry=existing.geometry.name,
                                   crs=existing.crs) \
                if isinstance(existing, gpd.GeoDataFrame) else combined
        tx.replace(kind, new)
    return report


def export_layer(ws: Workspace, kind: str, out: str | Path) -> Path:
    """Write workspace layer ``kind`` to ``out`` (.geojson RFC 7946, .gpkg or .csv)."""
    data = ws.read(kind)
    if data is None:
        raise SchemaError(f"The workspace {ws.root} has no {kind} layer to export.",
                          hint=f"Layers present: {', '.join([*ws.layers, *ws.tables])}.",
                          zh=f"工作区 {ws.root} 中没有可导出的{_kind_zh(kind)}。",
                          hint_zh=f"现有图层：{'、'.join([*ws.layers, *ws.tables])}。")
    out = Path(out)
    if isinstance(data, gpd.GeoDataFrame):
        return gio.write_vector(data, out, layer=kind)
    return gio.write_table(data, out, layer=kind)

