"""`devzone validate`, `devzone import` and `devzone export`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cli._common import echo_err, load_workspace
from gis.errors import PlannerError

if TYPE_CHECKING:  # pandas loads in the commands (a fast --help)
    import pandas as pd

__all__ = ["register", "validate_workspace"]


def validate_workspace(ws) -> tuple[pd.DataFrame, list[str]]:  # ws: Workspace
    """Findings for every layer, table and raster of ``ws`` (column ``layer`` added).

    Returns the findings and the list of layers that could not be read at all.
    """
    import pandas as pd

    from gis import io as gio
    from layers.catalog import get_spec
    from layers.references import with_parcel_references
    from layers.validate import findings_frame, raster_findings, validate_raw

    frames: list[pd.DataFrame] = []
    unusable: list[str] = []
    for kind in [*ws.layers, *ws.tables]:
        path, layer = ws.source(kind)
        spec = get_spec(kind)
        try:
            if spec.is_table:
                raw = gio.read_table(path, layer=layer)
                notes: list = []
            else:
                res = gio.read_vector(path, layer=layer, expect=spec.geometry)
                raw, notes = res.gdf, res.notes
        except PlannerError as exc:
            unusable.append(f"{kind}: {exc}")
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


def register(app: typer.Typer) -> None:
    """Add validate / import / export to ``app``."""

    @app.command("validate")
    def validate_cmd(
        workspace: Path = typer.Argument(..., help="Workspace folder (with workspace.toml)."),
        show_info: bool = typer.Option(False, "--info", help="Also list info findings."),
    ) -> None:
        """Validation report of every layer; exit 0 clean, 1 problems found, 2 unusable."""
        import pandas as pd

        from layers.validate import findings_in, has_problems

        ws = load_workspace(workspace)
        table, unusable = validate_workspace(ws)
        for line in unusable:
            echo_err(f"error: cannot read {line}")
        shown = findings_in(table if show_info else table[table["severity"] != "info"], "en")
        if len(shown):
            with pd.option_context("display.max_rows", 500, "display.width", 200,
                                   "display.max_colwidth", 80):
                typer.echo(shown.fillna("").to_string(index=False))
        counts = table["severity"].value_counts()
        typer.echo(f"{ws.name}: {len(ws.layers) + len(ws.tables)} layers checked — "
                   f"{counts.get('error', 0)} errors, {counts.get('warning', 0)} warnings, "
                   f"{counts.get('info', 0)} notes.")
        if unusable:
            raise typer.Exit(2)
        raise typer.Exit(1 if has_problems(table) else 0)

    @app.command("import")
    def import_cmd(
        workspace: Path = typer.Argument(..., help="Workspace folder."),
        layer_kind: str = typer.Argument(..., metavar="LAYER", help="Layer kind, e.g. parcels."),
        file: Path = typer.Argument(..., help="GeoJSON, GPKG, (zipped) Shapefile, KML or CSV."),
        replace: bool = typer.Option(False, "--replace", help="Replace instead of appending."),
        crs: str | None = typer.Option(None, "--crs", help="CRS for a file that has none."),
        source_layer: str | None = typer.Option(None, "--source-layer",
                                                help="Layer inside a multi-layer file."),
        allow_outside: bool = typer.Option(
            False, "--allow-outside",
            help="Accept features lying outside the workspace extent (counties/zones + 20 km)."),
    ) -> None:
        """Bring a layer in: read safely, map column aliases, reproject, validate, write.

        Audited under the operating-system user; the replaced version is kept
        (`devzone history`). Inspections can only be appended.
        """
        import pandas as pd

        from layers.access import cli_actor
        from layers.importing import ImportRefused, import_layer
        from layers.validate import findings_in

        ws = load_workspace(workspace)
        try:
            report = import_layer(ws, layer_kind, file, actor=cli_actor(), replace=replace,
                                  assume_crs=crs, layer=source_layer,
                                  allow_outside=allow_outside)
        except ImportRefused as exc:
            errs = findings_in(exc.report.errors, "en")
            with pd.option_context("display.max_rows", 50, "display.width", 200):
                echo_err(errs.head(50).fillna("").to_string(index=False))
            raise
        for note in report.notes_en:
            echo_err(f"note: {note}")
        warnings = report.findings[report.findings["severity"] == "warning"]
        for row in warnings.itertuples():
            echo_err(f"warning: {row.feature or ''} {row.column or ''}: {row.problem_en}")
        verb = "replaced" if replace else "appended"
        typer.echo(f"{report.n_features} features {verb} into {layer_kind} of {ws.root}.")

    @app.command("export")
    def export_cmd(
        workspace: Path = typer.Argument(..., help="Workspace folder."),
        layer_kind: str = typer.Argument(..., metavar="LAYER", help="Layer kind, e.g. parcels."),
        out: Path = typer.Option(..., "--out", help="Output .geojson (RFC 7946), .gpkg or .csv."),
    ) -> None:
        """Write one layer out."""
        from layers.importing import export_layer

        ws = load_workspace(workspace)
        path = export_layer(ws, layer_kind, out)
        typer.echo(f"wrote {path}")
