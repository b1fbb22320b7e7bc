"""The works a budget can buy and the parcels' gaps each one closes (the plan's incidence).

Works are the planned projects of the ``projects`` table (at ``cost_wan``) and, per
not-ready parcel, one extension per failing distance rule that has a ``cost_per_m``
(gap × cost_per_m, in 万元). A parcel can be made ready only when its failing required
rules are all distance rules and no required rule is unknown: each such rule is then
closed by its extension or by a project that brings a filtered feature within ``max_m``
(found by evaluating the rule with the project built). A project that would make a
passing required rule of the parcel fail (a setback) *breaks* it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from gis.measure import area_ha
from layers.planning.optimise import PlanProblem
from layers.planning.scenario import (
    INFRA_LAYERS,
    Scenario,
    apply_scenario,
    parcels_in_reach,
)
from layers.readiness._base import COMMITTED, FAIL, PASS, UNKNOWN
from layers.readiness.evaluate import ReadinessResult, evaluate
from layers.readiness.inputs import ReadinessInputs
from layers.readiness.rulebook import DistanceRule, Rulebook
from layers.readiness.summary import parcel_zones

__all__ = ["WORK_COLUMNS", "PlanWorks", "build_works", "project_table"]

#: Columns of :attr:`PlanWorks.works`.
WORK_COLUMNS = ["work_id", "kind", "cost_wan", "name", "name_en", "project_kind",
                "planned_date", "parcel_id", "rule_id", "gap_m"]
_WAN = 10_000.0  # CNY per 万元


def project_table(projects: pd.DataFrame | None) -> pd.DataFrame:
    """The ``projects`` table tidied: one row per non-empty ``project_id``, ``cost_wan`` numeric."""
    cols = ["project_id", "name", "kind", "cost_wan", "planned_date", "funded"]
    if projects is None or "project_id" not in projects.columns:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in cols})
    out = pd.DataFrame(projects).copy()
    for c in cols:
        if c not in out.columns:
            out[c] = pd.NA
    out["project_id"] = out["project_id"].astype("string").str.strip()
    out = out[out["project_id"].fillna("").ne("")].drop_duplicates("project_id")
    out["cost_wan"] = pd.to_numeric(out["cost_wan"], errors="coerce")
    return out[cols].reset_index(drop=True)


@dataclass(frozen=True)
class PlanWorks:
    """Works, the parcels that can be made ready, and which works close which gaps.

    Attributes
    ----------
    works : DataFrame
        :data:`WORK_COLUMNS`; projects first (``kind = "project"``, ``cost_wan`` NaN when
        the table gives no cost), then extensions (``kind = "extension"``).
    parcels : DataFrame
        The candidate parcels: ``parcel_id, zone_id, area_ha, failing_rules``.
    needs : tuple of (parcel, rule_id, works)
        Per candidate parcel and failing rule, the works (positions in ``works``) that
        close it; an empty tuple when nothing can.
    breaks : tuple of (parcel, work)
        Projects that would make a passing required rule of the parcel fail.
    baseline : ReadinessResult
        The check the gaps come from.
    """

    works: pd.DataFrame
    parcels: pd.DataFrame
    needs: tuple[tuple[int, str, tuple[int, ...]], ...]
    breaks: tuple[tuple[int, int], ...]
    baseline: ReadinessResult

    def priced(self) -> np.ndarray:
        """Mask of the works with a cost (unpriced projects cannot be planned)."""
        cost = self.works["cost_wan"].to_numpy(dtype=float)
        return np.isfinite(cost) & (cost >= 0)

    def problem(self, *, include_unpriced: bool = False) -> PlanProblem:
        """The :class:`PlanProblem` (unpriced works kept only with ``include_unpriced``,
        at cost 0 — for ranking, never for a budget)."""
        keep = np.ones(len(self.works), dtype=bool) if include_unpriced else self.priced()
        cost = np.nan_to_num(self.works["cost_wan"].to_numpy(dtype=float), nan=0.0)
        cost = np.where(keep, cost, 0.0)
        needs = tuple((p, tuple(w for w in ws if keep[w])) for p, _, ws in self.needs)
        breaks = tuple((p, w) for p, w in self.breaks if keep[w])
        return PlanProblem(cost=cost, area_ha=self.parcels["area_ha"].to_numpy(dtype=float),
                           needs=needs, breaks=breaks)


def _candidates(base: ReadinessResult) -> tuple[np.ndarray, list[int]]:
    """Positions of parcels that closing distance gaps can make ready; the distance rules."""
    rules = base.rulebook.rules
    req = np.array([r.required for r in rules], dtype=bool)
    dist = np.array([isinstance(r, DistanceRule) for r in rules], dtype=bool)
    s = base.status_matrix
    fail_dist = ((s == FAIL) & (req & dist)[:, None]).any(axis=0)
    other = ((s == FAIL) & (req & ~dist)[:, None]).any(axis=0)
    unknown = ((s == UNKNOWN) & req[:, None]).any(axis=0)
    cand = np.flatnonzero(fail_dist & ~other & ~unknown)
    return cand, [i for i in range(len(rules)) if req[i] and dist[i]]


def _project_layers(inputs: ReadinessInputs) -> dict[str, set[str]]:
    """Project id → the infrastructure layers holding its features."""
    out: dict[str, set[str]] = {}
    for kind in INFRA_LAYERS:
        gdf = inputs.layers.get(kind)
        if gdf is None or "project_id" not in gdf.columns:
            continue
        for pid in gdf["project_id"].astype("string").str.strip().dropna().unique():
            out.setdefault(str(pid), set()).add(kind)
    return out


def _project_effect(inputs: ReadinessInputs, rulebook: Rulebook, base: ReadinessResult,
                    pid: str, layers: set[str], cand: np.ndarray, as_of: date
                    ) -> tuple[dict[tuple[int, int], bool], set[int]]:
    """What building ``pid`` alone does to the candidates: closed (parcel, rule) and broken."""
    sub = tuple(r for r in rulebook.rules if r.required and getattr(r, "layer", None) in layers)
    if not sub or not len(cand):
        return {}, set()
    sc = Scenario.of([pid])
    pos = np.intersect1d(parcels_in_reach(inputs, rulebook, sc, as_of), cand)
    if not len(pos):
        return {}, set()
    ids = base.parcels["parcel_id"].to_numpy()[pos]
    res = evaluate(apply_scenario(inputs, sc, as_of), dataclasses.replace(rulebook, rules=sub),
                   as_of=as_of, parcel_ids=ids, workers=1)
    index = {r.id: i for i, r in enumerate(rulebook.rules)}
    closed: dict[tuple[int, int], bool] = {}
    broken: set[int] = set()
    for k, rule in enumerate(sub):
        r = index[rule.id]
        before, after = base.status_matrix[r, pos], res.status_matrix[k]
        if isinstance(rule, DistanceRule):
            for p in pos[(before == FAIL) & (after == PASS)]:
                closed[(int(p), r)] = True
        worse = np.isin(before, (PASS, COMMITTED)) & np.isin(after, (FAIL, UNKNOWN))
        broken.update(int(p) for p in pos[worse])
    return closed, broken


def _extensions(base: ReadinessResult, cand: np.ndarray, dist: list[int]) -> pd.DataFrame:
    """One extension per candidate parcel and failing distance rule with a unit cost."""
    rules, nr = base.rulebook.rules, len(base.rulebook.rules)
    long = base.long
    ids = base.parcels["parcel_id"].to_numpy()
    rows = []
    for r in dist:
        rule = rules[r]
        if not isinstance(rule, DistanceRule) or rule.cost_per_m is None:
            continue
        sel = cand[base.status_matrix[r, cand] == FAIL]
        gap = long["gap"].to_numpy()[sel * nr + r]
        cost = long["cost"].to_numpy()[sel * nr + r]
        for p, g, c in zip(sel, gap, cost, strict=True):
            if not (np.isfinite(g) and np.isfinite(c)):
                continue
            rows.append({"work_id": f"EXT-{ids[p]}-{rule.id}", "kind": "extension",
                         "cost_wan": float(c) / _WAN,
                         "name": f"地块 {ids[p]} {rule.label_zh}延伸 {g:,.0f} 米",
                         "name_en": f"{rule.label_en}: {g:,.0f} m extension to parcel {ids[p]}",
                         "project_kind": "", "planned_date": "", "parcel_id": str(ids[p]),
                         "rule_id": rule.id, "gap_m": float(g), "_pos": int(p), "_rule": r})
    return pd.DataFrame(rows, columns=[*WORK_COLUMNS, "_pos", "_rule"])


def build_works(inputs: ReadinessInputs, rulebook: Rulebook, projects: pd.DataFrame | None,
                as_of: date, *, baseline: ReadinessResult | None = None) -> PlanWorks:
    """Evaluate the baseline (unless given) and every project alone on the parcels it reaches."""
    base = baseline if baseline is not None else evaluate(inputs, rulebook, as_of=as_of)
    cand, dist = _candidates(base)
    table = project_table(projects)
    where_is = _project_layers(inputs)
    effects = [_project_effect(inputs, rulebook, base, str(pid), where_is.get(str(pid), set()),
                               cand, as_of) for pid in table["project_id"]]
    proj = pd.DataFrame({
        "work_id": table["project_id"].astype(str), "kind": "project",
        "cost_wan": table["cost_wan"].to_numpy(dtype=float),
        "name": table["name"].astype("string").fillna("").astype(str),
        "name_en": table["name"].astype("string").fillna("").astype(str),
        "project_kind": table["kind"].astype("string").fillna("").astype(str),
        "planned_date": table["planned_date"].astype("string").fillna("").astype(str),
        "parcel_id": "", "rule_id": "", "gap_m": np.nan})
    ext = _extensions(base, cand, dist)
    works = pd.concat([proj, ext[WORK_COLUMNS]], ignore_index=True) if len(ext) else proj
    nproj = len(proj)
    where = {p: k for k, p in enumerate(cand)}
    ext_of = {(int(p), int(r)): nproj + k
              for k, (p, r) in enumerate(zip(ext["_pos"], ext["_rule"], strict=True))}
    needs = []
    rules = base.rulebook.rules
    for p in cand:
        for r in dist:
            if base.status_matrix[r, p] != FAIL:
                continue
            ws = [ext_of[(int(p), r)]] if (int(p), r) in ext_of else []
            ws += [j for j, (closed, _) in enumerate(effects) if (int(p), r) in closed]
            needs.append((where[p], rules[r].id, tuple(ws)))
    breaks = tuple((where[p], j) for j, (_, broken) in enumerate(effects) for p in sorted(broken))
    parcels = base.parcels.iloc[cand]
    ha = np.asarray(area_ha(parcels.geometry), dtype=float)
    zones = parcel_zones(parcels, inputs.layers.get("zones"))
    cands = pd.DataFrame({
        "parcel_id": parcels["parcel_id"].astype(str).to_numpy(),
        "zone_id": zones.fillna("").astype(str).to_numpy(),
        "area_ha": np.where(np.isfinite(ha), ha, 0.0),
        "failing_rules": base.overall["failing_rules"].astype(str).to_numpy()[cand],
    })
    return PlanWorks(works=works.reset_index(drop=True), parcels=cands, needs=tuple(needs),
                     breaks=breaks, baseline=base)
