"""The scenario report: the projects assumed built and the parcels whose readiness changes."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import pandas as pd

from layers.reports._common import base_context, is_missing, safe_name
from layers.reports.i18n import check_lang, fmt_num, t, value_label
from layers.reports.render import Report, render_html

if TYPE_CHECKING:
    from layers.planning.outcome import ScenarioRun
    from layers.workspace import Workspace

__all__ = ["build_scenario_report"]


def _projects(ids: list[str], projects: pd.DataFrame | None, lang: str) -> list[dict[str, Any]]:
    rows = {} if projects is None else {str(r["project_id"]).strip(): r
                                        for r in projects.to_dict("records")}
    out = []
    for pid in ids:
        r = rows.get(pid, {})
        cost = r.get("cost_wan")
        day = r.get("planned_date")
        out.append({"id": pid, "name": "" if is_missing(r.get("name")) else str(r.get("name")),
                    "kind": value_label("project_kind", r.get("kind"), lang) or "—",
                    "cost": "—" if is_missing(cost) else fmt_num(float(cost), 0),
                    "date": "—" if is_missing(day) else str(pd.Timestamp(day).date())})
    return out


def build_scenario_report(ws: Workspace, run: ScenarioRun, *, lang: str = "zh") -> Report:
    """A printable report of a scenario run (:func:`layers.planning.outcome.run_scenario`)."""
    t0 = time.perf_counter()
    lang = check_lang(lang)
    s = run.summary
    name = s["scenario"] or "—"
    cph = s["cost_per_ha_wan"]
    facts = [
        (t("scen.name", lang), name),
        (t("scen.parcels", lang), f"{s['parcels_unlocked']} · {fmt_num(s['ha_unlocked'], 2)} "
         f"{t('unit.ha', lang)}"),
        (t("scen.changed_n", lang), str(s["changed"])),
        (t("scen.cost", lang), fmt_num(s["cost_wan"], 0)),
        (t("scen.cost_ha", lang), "—" if cph is None else fmt_num(cph, 1)),
    ]
    if run.scenario.assume_planned:
        facts.append((t("scen.assume", lang), run.result.as_of.isoformat()))
    changes = [{"parcel_id": r["parcel_id"], "before_code": r["before"],
                "before": value_label("readiness", r["before"], lang),
                "after_code": r["after"], "after": value_label("readiness", r["after"], lang),
                "area": fmt_num(r["area_ha"], 2), "by": r["unlocked_by"] or "—"}
               for r in run.changes.to_dict("records")]
    rb = run.result.rulebook
    ctx = base_context(ws, lang=lang, title=t("scen.title", lang), as_of=run.result.as_of,
                       subtitle=f"{name} · {ws.name}", sources=[], missing=[], notes=[],
                       rulebook=f"{rb.name} v{rb.version}")
    projects = ws.read("projects") if ws.has("projects") else None
    ctx.update(facts=facts, projects=_projects(s["projects"], projects, lang), changes=changes)
    html = render_html("scenario.html", **ctx)
    return Report(html=html, title=f"{t('scen.title', lang)} {name}",
                  filename=f"scenario_{safe_name(name)}", lang=lang, notes=[],
                  seconds=time.perf_counter() - t0)
