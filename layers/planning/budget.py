"""The budget plan: the works to pay for, the parcels they make ready, cost and hectares."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from layers.planning.optimise import PlanSolution, solve
from layers.planning.works import PlanWorks

__all__ = ["PLAN_COLUMNS", "READY_COLUMNS", "BudgetPlan", "budget_plan"]

#: Columns of :attr:`BudgetPlan.works` (the ``devzone plan --out`` CSV).
PLAN_COLUMNS = ["work_id", "kind", "cost_wan", "parcels", "ha", "name", "name_en",
                "project_kind", "planned_date", "parcel_id", "rule_id", "gap_m"]
#: Columns of :attr:`BudgetPlan.ready`.
READY_COLUMNS = ["parcel_id", "zone_id", "area_ha", "failing_rules", "closed_by"]


@dataclass(frozen=True)
class BudgetPlan:
    """The chosen works (:data:`PLAN_COLUMNS`: ``parcels``/``ha`` = the parcels made
    ready that the work helps) and the parcels made ready (:data:`READY_COLUMNS`)."""

    budget_wan: float
    works: pd.DataFrame
    ready: pd.DataFrame
    cost_wan: float
    ha: float
    optimal: bool
    message: str
    unpriced: tuple[str, ...]

    @property
    def parcels(self) -> int:
        return len(self.ready)


def _tables(pw: PlanWorks, sol: PlanSolution) -> tuple[pd.DataFrame, pd.DataFrame]:
    chosen = np.flatnonzero(sol.chosen)
    area = pw.parcels["area_ha"].to_numpy(dtype=float)
    helps: dict[int, list[int]] = {int(w): [] for w in chosen}
    closed_by: dict[int, list[str]] = {}
    ids = pw.works["work_id"].astype(str).to_numpy()
    for p, _, ws in pw.needs:
        if not sol.ready[p]:
            continue
        for w in ws:
            if sol.chosen[w]:
                if p not in helps[w]:
                    helps[w].append(p)
                closed_by.setdefault(p, [])
                if ids[w] not in closed_by[p]:
                    closed_by[p].append(ids[w])
    works = pw.works.iloc[chosen].copy()
    works["parcels"] = [len(helps[int(w)]) for w in chosen]
    works["ha"] = [float(area[helps[int(w)]].sum()) for w in chosen]
    works = works.sort_values(["kind", "ha", "work_id"], ascending=[False, False, True],
                              kind="stable")
    ready_pos = np.flatnonzero(sol.ready)
    ready = pw.parcels.iloc[ready_pos].copy()
    ready["closed_by"] = [";".join(closed_by.get(int(p), [])) for p in ready_pos]
    return (works[PLAN_COLUMNS].reset_index(drop=True),
            ready[READY_COLUMNS].reset_index(drop=True))


def budget_plan(pw: PlanWorks, budget_wan: float, *, time_limit: float = 60.0) -> BudgetPlan:
    """The works within ``budget_wan`` (万元) that make the most hectares ready, at least cost.

    Solved exactly (:func:`layers.planning.optimise.solve`); projects without a cost are
    left out and listed in ``unpriced``.
    """
    sol = solve(pw.problem(), float(budget_wan), time_limit=time_limit)
    works, ready = _tables(pw, sol)
    proj = pw.works["kind"].eq("project").to_numpy()
    unpriced = tuple(pw.works["work_id"].astype(str).to_numpy()[proj & ~pw.priced()])
    return BudgetPlan(budget_wan=float(budget_wan), works=works, ready=ready,
                      cost_wan=sol.cost, ha=float(ready["area_ha"].sum()),
                      optimal=sol.optimal, message=sol.message, unpriced=unpriced)
