"""`devzone restoration` (per-site progress, priorities, KPIs) and `devzone inspect` (append)."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cli._common import echo_err, load_workspace, parse_date
from gis.errors import InputError
from layers.settings import RestorationSettings

if TYPE_CHECKING:  # pandas loads in the commands (a fast --help)
    import pandas as pd

__all__ = ["format_kpis", "register"]

_SPATIAL = {".geojson", ".json", ".gpkg"}
_DEFAULTS = RestorationSettings()


def _fmt(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "%":
        return f"{value:.1f} %"
    if not unit:
        return f"{value:,.0f}"
    return f"{value:,.2f} {unit}"


def format_kpis(kpis: dict[str, pd.DataFrame], *, top: pd.DataFrame | None = None,
                lang: str = "zh") -> str:
    """The KPI tables as plain text for the terminal (zh and en labels; the priority
    reasons in ``lang``)."""
    import pandas as pd

    lines = ["全市指标 City KPIs"]
    for row in kpis["summary"].itertuples(index=False):
        if row.metric.startswith("flag_"):
            continue
        lines.append(f"  {row.zh:<12}{row.en:<28}{_fmt(row.value, row.unit):>14}")
    flags = kpis["summary"][kpis["summary"]["metric"].str.startswith("flag_")]
    lines.append("预警 Flags")
    for row in flags.itertuples(index=False):
        lines.append(f"  {row.zh:<14}{row.en:<50}{int(row.value):>5}")
    with pd.option_context("display.width", 200, "display.max_columns", 20,
                           "display.max_colwidth", 60):
        lines.append("按阶段 By stage")
        lines.append(kpis["by_stage"].drop(columns=["stage"]).to_string(index=False))
        lines.append("按县区 By county")
        lines.append(kpis["by_county"].to_string(index=False))
        if top is not None and len(top):
            lines.append(f"优先治理前 {len(top)} 位 Top {len(top)} priorities")
            reasons = "reasons_en" if lang == "en" else "reasons_zh"
            lines.append(top[["priority_rank", "site_id", "priority_score",
                              reasons]].to_string(index=False))
    return "\n".join(lines)


def _write(result: object, out: Path) -> None:
    from gis import io as gio
    from layers.restoration import export_frame

    suffix = out.suffix.lower()
    sites = result.sites  # type: ignore[attr-defined]
    if suffix == ".csv":
        gio.write_table(export_frame(sites, spatial=False), out)
    elif suffix in _SPATIAL:
        gio.write_vector(export_frame(sites, spatial=True), out, layer="restoration")
    else:
        raise InputError(f"--out {out}: unknown format {out.suffix!r}.",
                         hint="Use .csv, .geojson or .gpkg.")


def register(app: typer.Typer) -> None:
    """Add ``restoration`` and ``inspect`` to ``app``."""

    @app.command("restoration")
    def restoration_cmd(
        workspace: Path = typer.Argument(..., help="Workspace folder (with workspace.toml)."),
        as_of: str = typer.Option(None, "--as-of", help="Evaluation date YYYY-MM-DD "
                                  "(default: the workspace's as_of, else today)."),
        out: Path = typer.Option(None, "--out", help="Write the per-site table: .csv "
                                 "(utf-8-sig) or .geojson / .gpkg."),
        ring_inner: float = typer.Option(_DEFAULTS.ring_inner_m, "--ring-inner",
                                         help="Reference ring inner distance (m)."),
        ring_outer: float = typer.Option(_DEFAULTS.ring_outer_m, "--ring-outer",
                                         help="Reference ring outer distance (m)."),
        stale_days: int = typer.Option(_DEFAULTS.stale_days, "--stale-days",
                                       help="Flag live sites not inspected for this many days."),
        road_m: float = typer.Option(_DEFAULTS.road_distance_m, "--road-m",
                                     help="Priority: distance to the tourism road (m)."),
        town_m: float = typer.Option(_DEFAULTS.town_distance_m, "--town-m",
                                     help="Priority: distance to a town (m)."),
        top: int = typer.Option(10, "--top", help="How many priorities to print."),
        lang: str = typer.Option("zh", "--lang", help="Language of the notes and the "
                                 "priority reasons: zh or en."),
    ) -> None:
        """Per-site restoration progress, priorities and city KPIs."""
        from dataclasses import replace

        from layers.restoration import evaluate, inputs_from_workspace

        if lang not in ("zh", "en"):
            raise InputError(f"--lang {lang!r} is not a language of the summary.",
                             hint="Use --lang zh or --lang en.",
                             zh=f"--lang {lang!r} 不是汇总可用的语言。",
                             hint_zh="请使用 --lang zh 或 --lang en。")
        t0 = time.perf_counter()
        settings = replace(_DEFAULTS, ring_inner_m=ring_inner, ring_outer_m=ring_outer,
                           stale_days=stale_days, road_distance_m=road_m,
                           town_distance_m=town_m)
        ws = load_workspace(workspace)
        day = parse_date(as_of, default=ws.as_of)
        result = evaluate(inputs_from_workspace(ws), as_of=day, settings=settings)
        if out is not None:
            _write(result, out)
        elapsed = time.perf_counter() - t0
        typer.echo(f"{ws.name} — 修复进展，截至 {result.as_of}（{len(result.sites)} 个图斑，"
                   f"{elapsed:.2f} 秒）" if lang == "zh" else
                   f"{ws.name} — restoration as of {result.as_of} "
                   f"({len(result.sites)} sites, {elapsed:.2f} s)")
        for note in result.notes:
            echo_err(f"说明：{note.message('zh')}" if lang == "zh" else
                     f"note: {note.message_en}")
        typer.echo(format_kpis(result.kpis, top=result.ranking.head(top) if top > 0 else None,
                               lang=lang))
        if out is not None:
            typer.echo(f"已写出 {out}" if lang == "zh" else f"wrote {out}")

    @app.command("inspect")
    def inspect_cmd(
        workspace: Path = typer.Argument(..., help="Workspace folder."),
        site: str = typer.Argument(..., help="Site ID (图斑编号)."),
        on: str = typer.Option(..., "--date", help="Inspection date YYYY-MM-DD."),
        stage: str = typer.Option(..., "--stage", help="Stage code (in_progress …) or "
                                  "Chinese label (施工中 …)."),
        restored_ha: float = typer.Option(None, "--restored-ha", help="Restored area (ha)."),
        veg_cover: float = typer.Option(None, "--veg-cover", help="Vegetation cover (%)."),
        note: str = typer.Option(None, "--note", help="Note; required when the stage "
                                 "moves backwards."),
    ) -> None:
        """Append one validated inspection to the workspace (history is never rewritten).

        Recorded by, and audited under, the operating-system user.
        """
        import pandas as pd

        from layers.access import cli_actor
        from layers.restoration import append_inspection, stage_label

        day = parse_date(on, option="--date")
        ws = load_workspace(workspace)
        row = append_inspection(ws, {
            "site_id": site, "date": day, "stage": stage, "restored_area_ha": restored_ha,
            "veg_cover_pct": veg_cover, "note": note,
        }, actor=cli_actor()).iloc[0]
        extra = "" if pd.isna(row["restored_area_ha"]) else \
            f", restored {row['restored_area_ha']:g} ha"
        typer.echo(f"appended inspection: site {row['site_id']}, {day.isoformat()}, "
                   f"{row['stage']} ({stage_label(row['stage'])}){extra}")
