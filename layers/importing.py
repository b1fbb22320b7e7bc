"""Bring a file into a workspace layer (validated, atomic) and write a layer out.

The CLI (`devzone import` / `devzone export`) and the app's upload both call these.
A refused file leaves the workspace untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from gis import io as gio
from gis.errors import SchemaError
from layers.catalog import CATALOG, get_spec
from layers.references import with_parcel_references
from layers.validate import validate_raw
from layers.workspace import Workspace

__all__ = ["ImportRefused", "ImportReport", "export_layer", "import_layer", "prepare_import"]


@dataclass
class ImportReport:
    """What an import read, how it was repaired, and what validation found.

    ``notes`` are the reader's notes in English, ``notes_zh`` the same in Chinese;
    ``findings`` has ``problem_zh`` / ``hint_zh`` next to the English columns.
    """

    kind: str
    source: str
    n_features: int
    data: pd.DataFrame
    findings: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    notes_zh: list[str] = field(default_factory=list)

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
                   assume_crs: str | None = None, layer: str | None = None) -> ImportReport:
    """Read ``path`` safely, normalise it to ``kind`` and validate; nothing is written."""
    spec = get_spec(kind)
    path = Path(path)
    notes: list[str] = []
    notes_zh: list[str] = []
    if spec.is_table:
        raw: pd.DataFrame = gio.read_table(path, layer=layer)
    else:
        reader = gio.read_vector_isolated if isolated else gio.read_vector
        result = reader(path, layer=layer, expect=spec.geometry, assume_crs=assume_crs)
        raw = result.gdf
        notes = [n.message_en for n in result.notes]
        notes_zh = [n.message("zh") for n in result.notes]
    data, findings = validate_raw(kind, raw)
    findings = with_parcel_references(ws, kind, data, findings)
    if isinstance(data, gpd.GeoDataFrame):
        data = data.to_crs(ws.analysis_crs)
    return ImportReport(kind, str(path), len(data), data, findings, notes, notes_zh)


def import_layer(ws: Workspace, kind: str, path: str | Path, *, replace: bool = False,
                 isolated: bool = False, assume_crs: str | None = None,
                 layer: str | None = None) -> ImportReport:
    """Validate ``path`` and append it to (or replace) the workspace layer ``kind``.

    Raises :class:`ImportRefused` (a ``SchemaError``) naming the first problems when
    validation finds errors, or when appended ids collide with existing ones; the
    workspace is then left exactly as it was.
    """
    report = prepare_import(ws, kind, path, isolated=isolated, assume_crs=assume_crs,
                            layer=layer)
    spec = get_spec(kind)
    if not report.ok:
        first = report.errors.head(3)
        listing = "; ".join(
            f"{r.feature or 'layer'} / {r.column}: {r.problem}" for r in first.itertuples())
        more = len(report.errors) - len(first)
        listing_zh = "；".join(
            f"{r.feature or '图层'} / {r.column}：{r.problem_zh or r.problem}"
            for r in first.itertuples())
        raise ImportRefused(
            f"{path} was not imported as {kind}: {len(report.errors)} error(s) — {listing}"
            + (f" (and {more} more)" if more > 0 else "") + ".",
            report, hint="Run `devzone validate` style checks on the file, fix it and retry.",
            zh=f"{path} 未能导入为{_kind_zh(kind)}：共 {len(report.errors)} 处错误——"
            + listing_zh + (f"（另有 {more} 处）" if more > 0 else "") + "。",
            hint_zh="请用 `devzone validate` 等检查核对文件，修正后重新导入。",
        )
    new = report.data
    existing = None if replace else ws.read(kind)
    if existing is not None and len(existing):
        if spec.id_column and spec.id_column in new and spec.id_column in existing:
            clash = sorted(set(new[spec.id_column].dropna()) & set(existing[spec.id_column]))
            if clash:
                raise ImportRefused(
                    f"{path} was not imported as {kind}: {len(clash)} id(s) already exist in "
                    f"the workspace ({', '.join(map(str, clash[:5]))}).",
                    report, hint="Use --replace to replace the layer, or give new ids.",
                    zh=f"{path} 未能导入为{_kind_zh(kind)}：有 {len(clash)} 个编号"
                    f"（{spec.id_column}）在工作区中已存在（{'、'.join(map(str, clash[:5]))}）。",
                    hint_zh="如需整体替换该图层请使用 --replace，否则请使用新的编号。",
                )
        combined = pd.concat([existing, new], ignore_index=True)
        new = gpd.GeoDataFrame(combined, geometry=existing.geometry.name, crs=existing.crs) \
            if isinstance(existing, gpd.GeoDataFrame) else combined
    ws.write(kind, new, append=False)
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

