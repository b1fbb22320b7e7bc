"""`devzone validate`, `devzone import` and `devzone export`."""

from __future__ import annotations

from pathlib import Path

import typer

from cli._common import echo_err, load_workspace

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add validate / import / export to ``app``."""

    @app.command("validate")
    def validate_cmd(
        workspace: Path = typer.Argument(..., help="Workspace folder (with workspace.toml)."),
        show_info: bool = typer.Option(False, "--info", help="Also list info findings."),
    ) -> None:
        """Validation report of every layer; exit 0 clean, 1 problems found, 2 unusable."""
        import pandas as pd

        from layers.validate import findings_in, has_problems, validate_workspace

        ws = load_workspace(workspace)
        table, unusable = validate_workspace(ws)
        for kind, exc in unusable:
            echo_err(f"error: cannot read {kind}: {exc}")
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
