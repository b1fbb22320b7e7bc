"""`devzone supervise`: contracts after supply — idle land, 达产复核, commitments."""

from __future__ import annotations

from pathlib import Path

import typer

from cli._common import display_width, load_workspace, parse_date
from gis.errors import InputError

__all__ = ["format_summary", "register"]


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (CJK characters take two)."""
    return text + " " * max(width - display_width(text), 1)


def format_summary(summary: object) -> str:
    """The city summary as plain text for the terminal (zh and en labels)."""
    from layers.labels import value_label
    from layers.supervision import SupervisionSummary

    assert isinstance(summary, SupervisionSummary)
    titles = {"construction": "Construction 建设进度", "idle_status": "Idle land 闲置土地",
              "review_status": "达产复核 Review at full production",
              "status": "Overall status 综合状态"}
    lines = [f"Contracts 合同: {summary.n_contracts}"]
    for group, title in titles.items():
        lines.append(title)
        label_group = "supervision_status" if group == "status" else group
        for row in summary.counts[summary.counts["group"] == group].itertuples(index=False):
            zh = value_label(label_group, row.code, "zh")
            en = value_label(label_group, row.code, "en")
            lines.append(f"  {_pad(zh, 22)}{_pad(en, 42)}{row.n:>5}")
    rate = summary.start_rate
    median = "—" if summary.median_start_lag is None else f"{summary.median_start_lag:.0f}"
    lines.append("拿地即开工 Start after handover")
    lines.append(f"  started within {summary.target_days} days of handover 交地后"
                 f"{summary.target_days}日内开工: {summary.started_on_time}/"
                 f"{summary.started_with_handover}"
                 + ("" if rate is None else f" = {rate:.0%}")
                 + f"; median lag 中位数 {median} days 天")
    failing = summary.failing[summary.failing > 0]
    if len(failing):
        lines.append("Failed indicators 未达标指标: " + ", ".join(
            f"{value_label('indicator', k, 'zh')} {value_label('indicator', k, 'en')} {n}"
            for k, n in failing.items()))
    lines.append(f"Commitments overdue 逾期承诺事项: {summary.commitments_overdue} items in "
                 f"{summary.contracts_with_overdue} contracts")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add ``supervise`` to ``app``."""

    @app.command("supervise")
    def supervise_cmd(
        workspace: Path = typer.Argument(..., help="Workspace folder (with workspace.toml)."),
        as_of: str = typer.Option(None, "--as-of", help="Check date YYYY-MM-DD "
                                  "(default: the workspace's as_of, else today)."),
        out: Path = typer.Option(None, "--out", help="Write one row per contract (.csv, "
                                 "utf-8-sig)."),
        report: Path = typer.Option(None, "--report", help="Write a printable report "
                                    "(.html or .pdf): the city summary, or with --contract "
                                    "the report of one contract."),
        contract: str = typer.Option(None, "--contract", help="Parcel id (地块编号) of the "
                                     "contract to report on (with --report)."),
        lang: str = typer.Option("zh", "--lang", help="Report language: zh or en."),
    ) -> None:
        """Supervision after supply: idle land, late completion, 达产复核, commitments."""
        from gis import io as gio
        from layers.supervision import export_frame, summarize
        from layers.supervision.inputs import supervise_workspace

        if out is not None and out.suffix.lower() != ".csv":
            raise InputError(f"--out {out}: unknown format {out.suffix!r}.", hint="Use .csv.",
                             zh=f"--out {out}：不支持的格式 {out.suffix!r}。",
                             hint_zh="请使用 .csv。")
        if contract is not None and report is None:
            raise InputError("--contract needs --report F.html (or .pdf).",
                             hint="e.g. devzone supervise WS --contract GX-0304-1 --report r.pdf",
                             zh="--contract 需要与 --report 文件.html（或 .pdf）一起使用。",
                             hint_zh="例如 devzone supervise 工作区 --contract GX-0304-1 "
                             "--report r.pdf")
        if lang not in ("zh", "en"):
            raise InputError(f"--lang {lang!r} is not a report language.",
                             hint="Use --lang zh or --lang en.",
                             zh=f"--lang {lang!r} 不是报告可用的语言。",
                             hint_zh="请使用 --lang zh 或 --lang en。")
        ws = load_workspace(workspace)
        day = parse_date(as_of, default=ws.as_of)
        table = supervise_workspace(ws, day)
        typer.echo(f"{ws.name} — supervision as of {day.isoformat()}")
        typer.echo(format_summary(summarize(table)))
        if out is not None:
            gio.write_table(export_frame(table), out)
            typer.echo(f"wrote {out}")
        if report is not None:
            from layers.reports import (
                build_contract_report,
                build_supervision_report,
                write_report,
            )

            doc = (build_contract_report(ws, contract, lang=lang, as_of=day, table=table)
                   if contract is not None else
                   build_supervision_report(ws, lang=lang, as_of=day, table=table))
            path, _ = write_report(doc, report)
            typer.echo(f"wrote {path} ({doc.title})")
