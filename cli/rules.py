"""`devzone rules`: the rulebook in force as a table (threshold in words, cited document)."""

from __future__ import annotations

from pathlib import Path

import typer

from cli._common import check_csv_out, check_lang, display_width, load_workspace

__all__ = ["format_table", "register"]

_CAP = 40  # terminal columns


def format_table(table: object, headers: tuple[str, ...]) -> str:
    """The rulebook table as aligned text; the last column (the citation) is not padded."""
    import pandas as pd

    assert isinstance(table, pd.DataFrame)
    rows = [list(headers)] + [[str(v) for v in row] for row in table.itertuples(index=False)]
    # a cell wider than _CAP (the indicators' summary) overflows instead of widening the column
    widths = [max([display_width(r[k]) for r in rows if display_width(r[k]) <= _CAP] or [_CAP])
              for k in range(len(headers) - 1)]
    lines = []
    for r in rows:
        cells = [c + " " * max(w - display_width(c), 0) for c, w in zip(r, widths, strict=False)]
        lines.append("  ".join([*cells, r[-1]]).rstrip())
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add ``rules`` to ``app``."""

    @app.command("rules")
    def rules_cmd(
        workspace: Path = typer.Argument(..., help="Workspace folder (with workspace.toml)."),
        rules: Path = typer.Option(None, "--rules", help="Rulebook TOML (default: the "
                                   "workspace's [rules] file, else the Changzhi rulebook)."),
        lang: str = typer.Option("zh", "--lang", help="Language of the table: zh or en."),
        out: Path = typer.Option(None, "--out", help="Also write the table as .csv "
                                 "(utf-8-sig; columns id, label, kind, threshold, "
                                 "required, citation)."),
    ) -> None:
        """The rulebook in force: each rule's threshold, whether it is required, its source."""
        from gis import io as gio
        from layers.readiness import rulebook_in_force
        from layers.readiness.rulebook_table import (
            HEADERS,
            INDUSTRY_HEADERS,
            industry_table,
            rulebook_table,
        )

        check_lang(lang, "the table")
        check_csv_out(out)
        ws = load_workspace(workspace)
        rulebook = rulebook_in_force(ws, rules)
        table = rulebook_table(rulebook, lang)
        typer.echo(f"{rulebook.name} {rulebook.version} · {rulebook.source}")
        typer.echo(format_table(table, HEADERS[lang]))
        industries = industry_table(rulebook, lang)
        if len(industries):
            typer.echo("")
            typer.echo("控制性指标（按产业）" if lang == "zh" else "Control indicators by industry")
            typer.echo(format_table(industries, INDUSTRY_HEADERS[lang]))
        if out is not None:
            gio.write_table(table, out)
            typer.echo(f"已写出 {out}" if lang == "zh" else f"wrote {out}")
