"""What a scenario changes: the parcels whose overall status changes, a summary, comparisons."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from gis.errors import InputError
from gis.measure import area_ha
from layers.planning.recheck import evaluate_scenario
from layers.planning.scenario import Scenario
from layers.readiness.evaluate import OVERALL_STATUSES, ReadinessResult, evaluate
from layers.readiness.inputs import ReadinessInputs
from layers.readiness.rulebook import Rulebook

__all__ = ["CHANGE_COLUMNS", "ScenarioRun", "check_projects", "compare", "project_costs",
           "run_scenario", "scenario_changes", "scenario_summary"]

#: Columns of the changed-parcels table (``devzone scenario --out``).
CHANGE_COLUMNS = ["parcel_id", "before", "after", "area_ha", "unlocked_by"]
_READY = ("ready", "ready_with_commitments")
_VIA = re.compile(r" via planned project (\S+)$")


@dataclass
class ScenarioRun:
    """A scenario evaluated next to its baseline."""

    scenario: Scenario
    baseline: ReadinessResult
    result: ReadinessResult
    changes: pd.DataFrame
    summary: dict[str, Any]


def project_costs(projects: pd.DataFrame | None) -> dict[str, float]:
    """Project id → ``cost_wan`` (NaN when unknown) from the ``projects`` table."""
    if projects is None or not len(projects):
        return {}
    cost = (pd.to_numeric(projects["cost_wan"], errors="coerce") if "cost_wan" in projects
            else pd.Series(np.nan, index=projects.index))
    return dict(zip(projects["project_id"].astype("string").str.strip(), cost.astype(float),
                    strict=True))


def check_projects(scenario: Scenario, inputs: ReadinessInputs,
                   projects: pd.DataFrame | None) -> None:
    """Refuse project ids that neither the projects table nor any feature knows."""
    known = set(project_costs(projects))
    for gdf in inputs.layers.values():
        if "project_id" in gdf.columns:
            known |= set(gdf["project_id"].dropna().astype("string").str.strip())
    unknown = sorted(scenario.build - known)
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise InputError(f"Unknown project {unknown[0]!r} in --build"
                         + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
                         + f"; known projects: {listed}.",
                         hint="Use ids from the projects table or the layers' project_id.",
                         zh=f"--build 中的项目 {unknown[0]!r} 不存在；已知项目：{listed}。",
                         hint_zh="请使用项目表（projects）或图层 project_id 中的项目编号。")


def _unlocked_by(result: ReadinessResult, pos: np.ndarray) -> list[str]:
    """Per parcel at ``pos``: the projects its passing distance rules are met through."""
    en = result.long["message_en"]
    proj = pd.Series(en.cat.categories).str.extract(_VIA, expand=False).to_numpy(dtype=object)
    nr = len(result.rulebook.rules)
    rows = (pos[:, None] * nr + np.arange(nr)[None, :])
    named = proj[en.cat.codes.to_numpy()[rows]] if len(proj) else np.full(rows.shape, np.nan)
    return [", ".join(sorted({str(p) for p in r if isinstance(p, str)})) for r in named]


def scenario_changes(baseline: ReadinessResult, result: ReadinessResult) -> pd.DataFrame:
    """The parcels whose overall status differs: :data:`CHANGE_COLUMNS`, best ``after`` first."""
    # both use the categories OVERALL_STATUSES: compare codes, not text
    before = baseline.overall["readiness"].cat.codes.to_numpy()
    after = result.overall["readiness"].cat.codes.to_numpy()
    pos = np.flatnonzero(before != after)
    names = np.array(OVERALL_STATUSES, dtype=object)
    ids = baseline.overall["parcel_id"].iloc[pos].astype(str).to_numpy()
    area = np.asarray(area_ha(baseline.parcels.geometry.iloc[pos]), dtype=float)
    out = pd.DataFrame({"parcel_id": ids, "before": names[before[pos]],
                        "after": names[after[pos]], "area_ha": np.round(area, 4),
                        "unlocked_by": _unlocked_by(result, pos)}, columns=CHANGE_COLUMNS)
    rank = {s: k for k, s in enumerate(reversed(OVERALL_STATUSES))}
    return out.sort_values(["after", "parcel_id"], key=lambda s: s.map(rank) if s.name == "after"
                           else s, kind="stable").reset_index(drop=True)


def scenario_summary(changes: pd.DataFrame, scenario: Scenario,
                     costs: dict[str, float]) -> dict[str, Any]:
    """Parcels and hectares that become ready (or ready with commitments), cost, cost per ha."""
    gained = changes[changes["after"].isin(_READY) & ~changes["before"].isin(_READY)]
    lost = changes[~changes["after"].isin(_READY) & changes["before"].isin(_READY)]
    ids = sorted(scenario.build)
    priced = [costs[p] for p in ids if p in costs and np.isfinite(costs[p])]
    cost = float(sum(priced)) if ids else 0.0
    ha = float(gained["area_ha"].sum())
    return {
        "scenario": scenario.name or ", ".join(ids) or ("assume planned" if
                                                        scenario.assume_planned else ""),
        "projects": ids,
        "changed": len(changes),
        "parcels_unlocked": len(gained),
        "ha_unlocked": round(ha, 4),
        "parcels_lost": len(lost),
        "cost_wan": cost,
        "uncosted_projects": [p for p in ids if not np.isfinite(costs.get(p, np.nan))],
        "cost_per_ha_wan": round(cost / ha, 2) if ha > 0 and cost > 0 else None,
    }


def run_scenario(inputs: ReadinessInputs, rulebook: Rulebook, scenario: Scenario, *,
                 as_of: date, projects: pd.DataFrame | None = None,
                 baseline: ReadinessResult | None = None) -> ScenarioRun:
    """Evaluate ``scenario`` incrementally against the baseline and describe the changes."""
    check_projects(scenario, inputs, projects)
    if baseline is None:
        baseline = evaluate(inputs, rulebook, as_of=as_of)
    result = evaluate_scenario(inputs, rulebook, scenario, as_of=as_of, baseline=baseline)
    changes = scenario_changes(baseline, result)
    return ScenarioRun(scenario, baseline, result, changes,
                       scenario_summary(changes, scenario, project_costs(projects)))


def compare(runs: dict[str, ScenarioRun], baseline: ReadinessResult) -> pd.DataFrame:
    """Side by side: baseline and each scenario's parcels and hectares per overall status.

    Rows ``<status>_parcels`` / ``<status>_ha`` for every overall status, then
    ``cost_wan``; one column per scenario after ``baseline``.
    """
    area = np.asarray(area_ha(baseline.parcels.geometry), dtype=float)
    cols: dict[str, list[float]] = {}
    index: list[str] = []
    for name, res, cost in [("baseline", baseline, 0.0)] + [
            (k, r.result, r.summary["cost_wan"]) for k, r in runs.items()]:
        status = res.overall["readiness"].astype("str").to_numpy()
        vals: list[float] = []
        index = []
        for s in reversed(OVERALL_STATUSES):
            m = status == s
            vals += [float(m.sum()), round(float(np.nansum(area[m])), 2)]
            index += [f"{s}_parcels", f"{s}_ha"]
        cols[name] = [*vals, float(cost)]
        index.append("cost_wan")
    return pd.DataFrame(cols, index=pd.Index(index, name="measure"))
