"""`devzone report`: printable parcel, zone and restoration reports (HTML or A4 PDF)."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from cli._common import echo_err, load_workspace, parse_date
from gis.errors import InputError

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``report`` to ``app``."""

    @app.command("report")
    def report_cmd(
        workspace: Path = typer.Argument(..., help="Workspace folder (with workspace.toml)."),
        out: Path = typer.Option(..., "--out", help="Output file: .html (self-contained) "
                                 "or .pdf (A4)."),
        parcel: str = typer.Option(None, "--parcel", help="Parcel readiness report of this "
                                   "parcel id (地块编号)."),
        zone: str = typer.Option(None, "--zone", help="Summary report of this zone id "
                                 "(开发区编号)."),
        restoration: bool = typer.Option(False, "--restoration", help="Mine restoration "
                                         "progress report."),
        lang: str = typer.Option("zh", "--lang", help="Language: zh or en."),
        as_of: str = typer.Option(None, "--as-of", help="Check date YYYY-MM-DD "
                                  "(default: the workspace's as_of, else today)."),
        rules: Path = typer.Option(None, "--rules", help="Rulebook TOML for parcel and zone "
                                   "reports (default: the workspace's, else the Changzhi one)."),
    ) -> None:
        """Write a printable report: --parcel ID, --zone ID or --restoration."""
        from layers.reports import (
            FORMATS,
            build_parcel_report,
            build_restoration_report,
            build_zone_report,
            write_report,
        )

        chosen = [name for name, on in (("--parcel", parcel is not None),
                                        ("--zone", zone is not None),
                                        ("--restoration", restoration)) if on]
        if len(chosen) != 1:
            raise InputError(
                "Choose exactly one report: --parcel ID, --zone ID or --restoration"
                + (f" (got {' and '.join(chosen)})." if chosen else "."),
                hint="e.g. devzone report data/demo --parcel GX-0105-1 --out report.pdf",
                zh="请只选择一种报告：--parcel 地块编号、--zone 开发区编号或 --restoration"
                + (f"（收到 {'、'.join(chosen)}）。" if chosen else "。"),
                hint_zh="例如 devzone report data/demo --parcel GX-0105-1 --out report.pdf")
        if out.suffix.lower() not in FORMATS:
            raise InputError(f"--out {out}: unknown report format {out.suffix!r}.",
                             hint="Use .html or .pdf.",
                             zh=f"--out {out}：未知的报告格式 {out.suffix!r}。",
                             hint_zh="请使用 .html 或 .pdf。")
        if lang not in ("zh", "en"):
            raise InputError(f"--lang {lang!r} is not a report language.",
                             hint="Use --lang zh or --lang en.",
                             zh=f"--lang {lang!r} 不是报告可用的语言。",
                             hint_zh="请使用 --lang zh 或 --lang en。")
        if rules is not None and restoration:
            raise InputError("--rules applies to parcel and zone reports, not to "
                             "--restoration.", hint="Drop --rules.",
                             zh="--rules 只用于地块和开发区报告，不用于 --restoration。",
                             hint_zh="请去掉 --rules。")
        t0 = time.perf_counter()
        ws = load_workspace(workspace)
        day = parse_date(as_of, default=ws.as_of)
        if parcel is not None:
            report = build_parcel_report(ws, parcel, lang=lang, as_of=day, rulebook=rules)
        elif zone is not None:
            report = build_zone_report(ws, zone, lang=lang, as_of=day, rulebook=rules)
        else:
            report = build_restoration_report(ws, lang=lang, as_of=day)
        path, write_s = write_report(report, out)
        for note in report.notes:
            echo_err(f"note: {note}")
        total = time.perf_counter() - t0
        typer.echo(f"wrote {path} ({report.title}; built in {report.seconds:.2f} s, "
                   f"{out.suffix.lower().lstrip('.')} in {write_s:.2f} s, total {total:.2f} s)")
