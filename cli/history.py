"""`devzone history` (kept versions and the audit trail) and `devzone restore`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cli._common import load_workspace

if TYPE_CHECKING:  # pandas loads in the commands (a fast --help)
    import pandas as pd

__all__ = ["register"]


def _short(table: pd.DataFrame) -> pd.DataFrame:
    """Hashes cut to 12 characters for the terminal."""
    out = table.copy()
    for col in ("hash", "hash_before", "hash_after"):
        if col in out:
            out[col] = out[col].fillna("").astype(str).str[:12]
    return out


def _echo_table(table: pd.DataFrame) -> None:
    import pandas as pd

    with pd.option_context("display.max_rows", 1000, "display.width", 220,
                           "display.max_colwidth", 60):
        typer.echo(_short(table).astype(object).fillna("").to_string(index=False))


def register(app: typer.Typer) -> None:
    """Add ``history`` and ``restore`` to ``app``."""

    @app.command("history")
    def history_cmd(
        workspace: Path = typer.Argument(..., help="Workspace folder."),
        layer: str = typer.Argument(None, help="Layer, table or 'rules'; all when omitted."),
    ) -> None:
        """Kept versions of a layer and the audit trail (who changed what, when)."""
        from layers.history import audit_log, versions
        from layers.transaction import current_state

        ws = load_workspace(workspace)
        audit = audit_log(ws, layer)
        if layer is not None:
            kept = versions(ws, layer)
            typer.echo(f"Versions of {layer} 历史版本 (kept before each change): {len(kept)}")
            if len(kept):
                _echo_table(kept)
            rows, digest = current_state(ws, layer)
            shown = "none" if rows is None and not digest else f"{rows} rows, hash {digest[:12]}"
            typer.echo(f"Current 当前: {shown}")
        else:
            names = sorted(set(audit["layer"]))
            counts = ", ".join(f"{n} {len(versions(ws, n))}" for n in names)
            typer.echo(f"Kept versions 历史版本: {counts or 'none'}")
        typer.echo(f"Audit trail 审计记录: {len(audit)} rows")
        if len(audit):
            _echo_table(audit)

    @app.command("restore")
    def restore_cmd(
        workspace: Path = typer.Argument(..., help="Workspace folder."),
        layer: str = typer.Argument(..., help="Layer, table or 'rules'."),
        version: int = typer.Option(..., "--version", help="Version number (devzone history)."),
    ) -> None:
        """Bring a kept version back (audited; the replaced content is kept as a version)."""
        from layers.access import cli_actor
        from layers.history import restore_version

        ws = load_workspace(workspace)
        row = restore_version(ws, layer, version, actor=cli_actor())
        typer.echo(f"restored version {version} of {layer} in {ws.root}: "
                   f"{row['rows_after']} rows, hash {str(row['hash_after'])[:12]} "
                   f"(was {row['rows_before']} rows, hash {str(row['hash_before'])[:12]}).")
