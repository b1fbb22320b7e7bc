"""`devzone scenario`: what building planned projects changes; saved scenarios; comparisons."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer

from cli._common import check_csv_out, load_workspace, parse_date, scenario_of, split_ids
from gis.errors import InputError

__all__ = ["register", "with_scenario"]


def with_scenario(ws: Any, inputs: Any, rulebook: Any, result: Any, scenario: Any, day: date,
                  lang: str) -> Any:
    """``result`` under ``scenario`` (unchanged for the baseline), announcing the scenario."""
    if scenario.is_baseline:
        return result
    from layers.planning.outcome import check_projects
    from layers.planning.recheck import evaluate_scenario

    check_projects(scenario, inputs, ws.read("projects"))
    what = ", ".join(sorted(scenario.build)) or (
        f"按计划于 {day.isoformat()} 前建成的全部项目" if lang == "zh"
        else f"every planned feature due by {day.isoformat()}")
    typer.echo(f"情景：建成 {what}" if lang == "zh" else f"scenario: built {what}")
    return evaluate_scenario(inputs, rulebook, scenario, as_of=day, baseline=result)


def _summary_lines(s: dict[str, Any], lang: str) -> list[str]:
    cph = "—" if s["cost_per_ha_wan"] is None else f"{s['cost_per_ha_wan']:,.1f}"
    uncosted = ", ".join(s["uncosted_projects"])
    if lang == "zh":
        lines = [f"情景 {s['scenario']}：{s['changed']} 个地块状态变化，"
                 f"{s['parcels_unlocked']} 个地块（{s['ha_unlocked']:.2f} 公顷）变为可供地",
                 f"投资 {s['cost_wan']:,.0f} 万元，每公顷 {cph} 万元"]
        if uncosted:
            lines.append(f"未列投资的项目：{uncosted}")
        return lines
    lines = [f"scenario {s['scenario']}: {s['changed']} parcels change status, "
             f"{s['parcels_unlocked']} parcels ({s['ha_unlocked']:.2f} ha) become ready",
             f"cost {s['cost_wan']:,.0f} 万元 (10k CNY), {cph} 万元 per hectare unlocked"]
    if uncosted:
        lines.append(f"projects without a cost: {uncosted}")
    return lines


def _chosen(ws: Any, build: list[str] | None, assume_planned: bool, name: str | None) -> Any:
    from layers.planning.saved import scenario_named

    if name:
        if split_ids(build) or assume_planned:
            raise InputError("--name cannot be combined with --build or --assume-planned.",
                             hint="Use a saved scenario by --name, or describe one.",
                             zh="--name 不能与 --build 或 --assume-planned 同时使用。",
                             hint_zh="请用 --name 使用已保存情景，或直接指定项目。")
        return scenario_named(ws, name)
    return scenario_of(build, assume_planned)


def register(app: typer.Typer) -> None:
    """Add ``scenario`` to ``app``."""

    @app.command("scenario")
    def scenario_cmd(
        workspace: Path = typer.Argument(..., help="Workspace folder (with workspace.toml)."),
        build: list[str] = typer.Option(None, "--build", help="Projects assumed built (ids, "
                                        "comma-separated or repeated)."),
        assume_planned: bool = typer.Option(False, "--assume-planned", help="Every planned "
                                            "feature due by the check date is built."),
        name: str = typer.Option(None, "--name", help="Use the saved scenario NAME."),
        save: str = typer.Option(None, "--save", help="Save --build/--assume-planned as NAME "
                                 "in the workspace (editor role, audited, undoable)."),
        note: str = typer.Option("", "--note", help="Note stored with --save."),
        compare_names: str = typer.Option(None, "--compare", help="Compare saved scenarios "
                                          "A,B side by side with the baseline."),
        as_of: str = typer.Option(None, "--as-of", help="Check date YYYY-MM-DD (default: the "
                                  "workspace's as_of, else today)."),
        rules: Path = typer.Option(None, "--rules", help="Rulebook TOML (default: the "
                                   "workspace's)."),
        out: Path = typer.Option(None, "--out", help="Write the changed parcels (.csv) or the "
                                 "comparison (.csv with --compare)."),
        lang: str = typer.Option("zh", "--lang", help="Language: zh or en."),
    ) -> None:
        """List the parcels whose overall readiness changes when planned projects are built."""
        from gis import io as gio
        from layers.access import cli_actor
        from layers.planning.outcome import compare, run_scenario
        from layers.planning.saved import save_scenario, scenario_named
        from layers.readiness import evaluate, inputs_from_workspace, rulebook_in_force

        check_csv_out(out)
        ws = load_workspace(workspace)
        day = parse_date(as_of, default=ws.as_of)
        if save:
            sc = save_scenario(ws, cli_actor(), save, scenario_of(build, assume_planned),
                               note=note)
            typer.echo(f"已保存情景 {save}" if lang == "zh" else f"saved scenario {save}")
            if not compare_names:
                build, assume_planned, name = None, False, sc.name
        rulebook = rulebook_in_force(ws, rules)
        inputs = inputs_from_workspace(ws, rulebook=rulebook)
        projects = ws.read("projects")
        baseline = evaluate(inputs, rulebook, as_of=day)
        if compare_names:
            runs = {n: run_scenario(inputs, rulebook, scenario_named(ws, n), as_of=day,
                                    projects=projects, baseline=baseline)
                    for n in split_ids(compare_names)}
            table = compare(runs, baseline)
            typer.echo(table.to_string())
            if out is not None:
                gio.write_table(table.reset_index(), out)
                typer.echo(f"已写出 {out}" if lang == "zh" else f"wrote {out}")
            return
        scenario = _chosen(ws, build, assume_planned, name)
        if scenario.is_baseline:
            raise InputError("No scenario given.",
                             hint="Use --build P1,P2, --assume-planned, --name or --compare.",
                             zh="未指定情景。",
                             hint_zh="请使用 --build P1,P2、--assume-planned、--name "
                             "或 --compare。")
        run = run_scenario(inputs, rulebook, scenario, as_of=day, projects=projects,
                           baseline=baseline)
        for line in _summary_lines(run.summary, lang):
            typer.echo(line)
        if len(run.changes):
            typer.echo(run.changes.to_string(index=False))
        if out is not None:
            gio.write_table(run.changes, out)
            typer.echo(f"已写出 {out}" if lang == "zh" else f"wrote {out}")
