"""`devzone pipeline` and `devzone plan`: ready land per quarter, project ranking, budget plan."""

from __future__ import annotations

from pathlib import Path

import typer

from cli._common import check_csv_out, check_lang, echo_err, load_workspace, parse_date
from gis.errors import InputError

__all__ = ["register"]


def _table(df, cols: list[str]) -> str:  # df: DataFrame (pandas imported lazily)
    return df[cols].to_string(index=False, float_format=lambda v: f"{v:,.2f}") if len(df) \
        else "-"


def register(app: typer.Typer) -> None:
    """Add ``pipeline`` and ``plan`` to ``app``."""

    @app.command("pipeline")
    def pipeline_cmd(
        workspace: Path = typer.Argument(..., help="Workspace folder (with workspace.toml)."),
        start: str = typer.Option(None, "--from", help="Start date YYYY-MM-DD (default: the "
                                  "workspace's as_of, else today)."),
        quarters: int = typer.Option(8, "--quarters", min=1, max=40,
                                     help="Number of quarter ends."),
        rules: Path = typer.Option(None, "--rules", help="Rulebook TOML (default: the "
                                   "workspace's)."),
        out: Path = typer.Option(None, "--out", help="Write the table (.csv, utf-8-sig)."),
        lang: str = typer.Option("zh", "--lang", help="Language of the printout: zh or en."),
    ) -> None:
        """Ready parcels and hectares per zone at each quarter end (planned projects built
        on their dates, assessments lapsing on valid_until) and the parcels that drop out."""
        from gis import io as gio
        from layers.planning.pipeline import supply_pipeline
        from layers.readiness import inputs_from_workspace, rulebook_in_force

        check_csv_out(out)
        check_lang(lang)
        ws = load_workspace(workspace)
        day = parse_date(start, option="--from", default=ws.as_of)
        rulebook = rulebook_in_force(ws, rules)
        pipe = supply_pipeline(inputs_from_workspace(ws, rulebook=rulebook), rulebook, day,
                               quarters, projects=ws.read("projects"))
        zh = lang == "zh"
        typer.echo(f"供地储备 · 自 {day.isoformat()} 起 {quarters} 个季度" if zh else
                   f"Supply pipeline · {quarters} quarters from {day.isoformat()}")
        typer.echo(_table(pipe.table, ["quarter_end", "zone_id", "ready", "ready_ha",
                                       "ready_with_commitments", "ready_with_commitments_ha",
                                       "dropped_out"]))
        if len(pipe.dropouts):
            typer.echo("因区域评估到期而退出的地块：" if zh else
                       "Parcels that drop out because an assessment expires:")
            typer.echo(_table(pipe.dropouts, ["quarter_end", "parcel_id", "zone_id", "area_ha",
                                              "expired_rules"]))
        if out is not None:
            gio.write_table(pipe.table, out)
            typer.echo(f"已写出 {out}" if zh else f"wrote {out}")

    @app.command("plan")
    def plan_cmd(
        workspace: Path = typer.Argument(..., help="Workspace folder (with workspace.toml)."),
        budget: float = typer.Option(None, "--budget", min=0.0,
                                     help="Budget in 万元 (10,000 CNY)."),
        rank: bool = typer.Option(False, "--rank", help="Rank the planned projects: parcels "
                                  "and hectares each makes ready alone, cost per hectare."),
        as_of: str = typer.Option(None, "--as-of", help="Check date YYYY-MM-DD (default: the "
                                  "workspace's as_of, else today)."),
        rules: Path = typer.Option(None, "--rules", help="Rulebook TOML (default: the "
                                   "workspace's)."),
        out: Path = typer.Option(None, "--out", help="Write the chosen works (or, with "
                                 "--rank, the ranking) as .csv (utf-8-sig)."),
        time_limit: float = typer.Option(60.0, "--time-limit", min=1.0, help="Seconds HiGHS "
                                         "may spend per stage before giving up on a proof."),
        lang: str = typer.Option("zh", "--lang", help="Language of the printout: zh or en."),
    ) -> None:
        """The works (planned projects, per-parcel extensions) that make the most hectares
        ready within --budget at least cost (exact MILP, HiGHS); or --rank the projects."""
        from gis import io as gio
        from layers.planning.budget import budget_plan
        from layers.planning.ranking import rank_projects
        from layers.planning.works import build_works
        from layers.readiness import inputs_from_workspace, rulebook_in_force

        check_csv_out(out)
        check_lang(lang)
        if budget is None and not rank:
            raise InputError("devzone plan needs --budget WAN (万元) or --rank.",
                             hint="E.g. devzone plan WS --budget 5000, or devzone plan WS --rank.",
                             zh="devzone plan 需要 --budget（预算，万元）或 --rank。",
                             hint_zh="例如 devzone plan WS --budget 5000，"
                             "或 devzone plan WS --rank。")
        ws = load_workspace(workspace)
        day = parse_date(as_of, default=ws.as_of)
        rulebook = rulebook_in_force(ws, rules)
        inputs = inputs_from_workspace(ws, rulebook=rulebook)
        pw = build_works(inputs, rulebook, ws.read("projects"), day)
        zh = lang == "zh"
        if rank:
            table = rank_projects(pw)
            typer.echo("项目排序（单独建成可使多少地块达标）" if zh else
                       "Project ranking (what each project makes ready alone)")
            typer.echo(_table(table, ["rank", "project_id", "name", "cost_wan", "parcels", "ha",
                                      "cost_per_ha", "gaps_closed"]))
            if out is not None:
                gio.write_table(table, out)
                typer.echo(f"已写出 {out}" if zh else f"wrote {out}")
            if budget is None:
                return
        plan = budget_plan(pw, budget, time_limit=time_limit)
        proof = ("最优（HiGHS 已证明）" if zh else "optimal (proven by HiGHS)") if plan.optimal \
            else (f"未能在时限内证明最优：{plan.message}" if zh
                  else f"NOT proven optimal within the time limit: {plan.message}")
        typer.echo(f"预算 {budget:,.0f} 万元：{plan.parcels} 宗地块、{plan.ha:,.2f} 公顷可达标，"
                   f"花费 {plan.cost_wan:,.1f} 万元 · {proof}" if zh else
                   f"Budget {budget:,.0f} 万元: {plan.parcels} parcels, {plan.ha:,.2f} ha made "
                   f"ready for {plan.cost_wan:,.1f} 万元 · {proof}")
        typer.echo(_table(plan.works, ["work_id", "kind", "cost_wan", "parcels", "ha"]))
        if plan.unpriced:
            echo_err(("无投资估算、未纳入方案的项目：" if zh else
                      "projects without a cost, left out: ") + ", ".join(plan.unpriced))
        if out is not None and not rank:
            gio.write_table(plan.works, out)
            typer.echo(f"已写出 {out}" if zh else f"wrote {out}")
