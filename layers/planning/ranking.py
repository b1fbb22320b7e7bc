"""Project ranking: what each planned project makes ready on its own, and at what cost per ha."""

from __future__ import annotations

import numpy as np
import pandas as pd

from layers.planning.works import PlanWorks

__all__ = ["RANK_COLUMNS", "rank_projects"]

#: Columns of :func:`rank_projects`.
RANK_COLUMNS = ["rank", "project_id", "name", "kind", "cost_wan", "planned_date", "parcels",
                "ha", "cost_per_ha", "gaps_closed"]


def rank_projects(pw: PlanWorks) -> pd.DataFrame:
    """One row per project: parcels and hectares it makes ready alone, cost per hectare.

    ``parcels``/``ha``: candidates whose every failing rule the project alone closes
    (no extensions, no other project); ``gaps_closed``: parcels with at least one gap it
    closes. ``cost_per_ha`` is ``cost_wan / ha`` (万元/ha; empty when it unlocks nothing
    or has no cost). Ranked by hectares (most first), then cost per hectare, then id.
    """
    problem = pw.problem(include_unpriced=True)
    area = pw.parcels["area_ha"].to_numpy(dtype=float)
    proj = np.flatnonzero(pw.works["kind"].eq("project").to_numpy())
    helped: dict[int, set[int]] = {int(j): set() for j in proj}
    for p, _, ws in pw.needs:
        for w in ws:
            if w in helped:
                helped[w].add(p)
    rows = []
    for j in proj:
        mask = np.zeros(problem.n_works, dtype=bool)
        mask[j] = True
        ready = problem.ready(mask)
        ha = float(area[ready].sum())
        w = pw.works.iloc[j]
        cost = float(w["cost_wan"])
        rows.append({"project_id": w["work_id"], "name": w["name"], "kind": w["project_kind"],
                     "cost_wan": cost, "planned_date": w["planned_date"],
                     "parcels": int(ready.sum()), "ha": ha,
                     "cost_per_ha": cost / ha if ha > 0 and np.isfinite(cost) else np.nan,
                     "gaps_closed": len(helped[int(j)])})
    out = pd.DataFrame(rows, columns=RANK_COLUMNS[1:])
    out = out.sort_values(["ha", "cost_per_ha", "project_id"], ascending=[False, True, True],
                          na_position="last", kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out[RANK_COLUMNS]
