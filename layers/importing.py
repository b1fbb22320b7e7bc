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
from layers.catalog import get_spec
from layers.validate import validate_raw
from layers.workspace import Workspace

__all__ = ["ImportRefused", "ImportReport", "export_layer", "import_layer", "prepare_import"]


@dataclass
class ImportReport:
    """What an import read, how it was repaired, and what validation found."""

    kind: str
    source: str
    n_features: int
    data: pd.DataFrame
    findings: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> pd.DataFrame:
        return self.findings[self.findings["severity"] == "error"]

    @property
    def ok(self) -> bool:
        return self.errors.empty


class ImportRefused(SchemaError):
    """Validation found errors; ``report`` holds the full findings table."""

    def __init__(self, message: str, report: ImportReport, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.report = report


def prepare_import(ws: Workspace, kind: str, path: str | Path, *, isolated: bool = False,
                   assume_crs: str | None = None, layer: str | None = None) -> ImportReport:
    """Read ``path`` safely, normalise it to ``kind`` and validate; nothing is written."""
    spec = get_spec(kind)
    path = Path(path)
    notes: list[str] = []
    if spec.is_table:
        raw: pd.DataFrame = gio.read_table(path, layer=layer)
    else:
        reader = gio.read_vector_isolated if isolated else gio.read_vector
        result = reader(path, layer=layer, expect=spec.geometry, assume_crs=assume_crs)
        raw = result.gdf
        notes = [n.message_en for n in result.notes]
    data, findings = validate_raw(kind, raw)
    if isinstance(data, gpd.GeoDataFrame):
        data = data.to_crs(ws.analysis_crs)
    return ImportReport(kind, str(path), len(data), data, findings, notes)


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
        raise ImportRefused(
            f"{path} was not imported as {kind}: {len(report.errors)} error(s) — {listing}"
            + (f" (and {more} more)" if more > 0 else "") + ".",
            report, hint="Run `devzone validate` style checks on the file, fix it and retry.",
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
                          hint=f"Layers present: {', '.join([*ws.layers, *ws.tables])}.")
    out = Path(out)
    if isinstance(data, gpd.GeoDataFrame):
        return gio.write_vector(data, out, layer=kind)
    return gio.write_table(data, out, layer=kind)

