"""The budget plan as a mixed-integer programme: most hectares ready, then least cost.

A :class:`PlanProblem` is pure numbers: works with a cost, parcels with an area, and
for every parcel its *needs* — one per failing rule, each the set of works that close
it. A parcel is made ready when every one of its needs has a chosen work and no chosen
work *breaks* it (a project that would make one of its passing rules fail). A need with
no work can never be met.

:func:`solve` finds the exact optimum with HiGHS (``scipy.optimize.milp``) in two
stages: the largest area within the budget, then the least cost reaching that area.
Areas enter the model in whole square metres so the second stage's area floor is exact.
:func:`brute_force` enumerates every subset of works (small problems, for tests).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

__all__ = ["PlanProblem", "PlanSolution", "brute_force", "solve"]

#: Relative slack on the budget so a plan costing exactly the budget is never refused
#: because of floating-point rounding of the costs.
BUDGET_SLACK = 1e-9


@dataclass(frozen=True)
class PlanProblem:
    """Works × parcels incidence.

    Attributes
    ----------
    cost : (W,) float
        Cost of each work (万元, ≥ 0).
    area_ha : (P,) float
        Area of each parcel (ha).
    needs : tuple of (parcel, works)
        One entry per failing rule of a parcel: the parcel's position and the
        positions of the works any one of which closes that rule.
    breaks : tuple of (parcel, work)
        Works that would keep a parcel from being ready when chosen.
    """

    cost: np.ndarray
    area_ha: np.ndarray
    needs: tuple[tuple[int, tuple[int, ...]], ...]
    breaks: tuple[tuple[int, int], ...] = ()

    @property
    def n_works(self) -> int:
        return len(self.cost)

    @property
    def n_parcels(self) -> int:
        return len(self.area_ha)

    def area_m2(self) -> np.ndarray:
        """Parcel areas in whole square metres (the model's objective units)."""
        return np.rint(np.asarray(self.area_ha, dtype=float) * 10_000).astype(np.int64)

    def ready(self, chosen: np.ndarray) -> np.ndarray:
        """Which parcels the chosen works (boolean mask over works) make ready."""
        chosen = np.asarray(chosen, dtype=bool)
        ok = np.ones(self.n_parcels, dtype=bool)
        has_need = np.zeros(self.n_parcels, dtype=bool)
        for p, works in self.needs:
            has_need[p] = True
            if not any(chosen[w] for w in works):
                ok[p] = False
        for p, w in self.breaks:
            if chosen[w]:
                ok[p] = False
        return ok & has_need


@dataclass(frozen=True)
class PlanSolution:
    """The chosen works, the parcels they make ready, and whether HiGHS proved it optimal."""

    chosen: np.ndarray
    ready: np.ndarray
    area_ha: float
    cost: float
    optimal: bool
    message: str = ""


def _within(cost: float, budget: float) -> bool:
    return cost <= budget + BUDGET_SLACK * max(1.0, abs(budget))


def _solution(problem: PlanProblem, chosen: np.ndarray, optimal: bool,
              message: str = "") -> PlanSolution:
    chosen = np.asarray(chosen, dtype=bool)
    ready = problem.ready(chosen)
    return PlanSolution(chosen=chosen, ready=ready,
                        area_ha=float(problem.area_m2()[ready].sum()) / 10_000,
                        cost=float(np.asarray(problem.cost)[chosen].sum()),
                        optimal=optimal, message=message)


def brute_force(problem: PlanProblem, budget: float) -> PlanSolution:
    """The optimum by trying every subset of works (for tests: ``n_works`` ≤ ~16)."""
    cost = np.asarray(problem.cost, dtype=float)
    area = problem.area_m2()
    best: tuple[int, float] | None = None
    best_mask = np.zeros(problem.n_works, dtype=bool)
    for bits in itertools.product((False, True), repeat=problem.n_works):
        mask = np.array(bits, dtype=bool)
        c = float(cost[mask].sum())
        if not _within(c, budget):
            continue
        a = int(area[problem.ready(mask)].sum())
        if best is None or a > best[0] or (a == best[0] and c < best[1]):
            best, best_mask = (a, c), mask
    return _solution(problem, best_mask, optimal=True)


@dataclass(frozen=True)
class _Reduced:
    """The problem with each *private* need folded into its parcel.

    A work is private when it appears in exactly one need and breaks nothing; a need
    whose works are all private is met, at least cost, by its cheapest work exactly
    when its parcel is made ready, so that cost moves onto the parcel's variable.
    """

    works: np.ndarray  # positions of the works kept as variables
    parcel_cost: np.ndarray  # folded cost per parcel
    folded: tuple[tuple[int, int], ...]  # (parcel, cheapest private work) per folded need
    needs: tuple[tuple[int, tuple[int, ...]], ...]  # the other needs, over kept positions
    breaks: tuple[tuple[int, int], ...]
    closable: np.ndarray  # parcels with needs, none of them empty


def _reduce(problem: PlanProblem) -> _Reduced:
    cost = np.asarray(problem.cost, dtype=float)
    count = np.zeros(problem.n_works, dtype=np.int64)
    for _, works in problem.needs:
        count[list(works)] += 1
    for _, w in problem.breaks:
        count[w] += 2
    private = count == 1
    closable = np.zeros(problem.n_parcels, dtype=bool)
    empty = np.zeros(problem.n_parcels, dtype=bool)
    pcost = np.zeros(problem.n_parcels)
    folded: list[tuple[int, int]] = []
    rest: list[tuple[int, tuple[int, ...]]] = []
    for p, works in problem.needs:
        closable[p] = True
        if not works:
            empty[p] = True
        elif all(private[w] for w in works):
            best = min(works, key=lambda w: (cost[w], w))
            pcost[p] += cost[best]
            folded.append((p, best))
        else:
            rest.append((p, works))
    keep = np.flatnonzero(count > 0)
    keep = keep[~np.isin(keep, [w for _, w in folded])]
    pos = {int(w): k for k, w in enumerate(keep)}
    return _Reduced(works=keep, parcel_cost=pcost, folded=tuple(folded),
                    needs=tuple((p, tuple(pos[w] for w in ws if w in pos)) for p, ws in rest),
                    breaks=tuple((p, pos[w]) for p, w in problem.breaks),
                    closable=closable & ~empty)


def _constraints(red: _Reduced, cost: np.ndarray, budget: float):  # -> list[LinearConstraint]
    """``y_p ≤ Σ x_w`` per need, ``y_p + x_w ≤ 1`` per break, ``Σ c x + Σ c_p y ≤ budget``."""
    from scipy.optimize import LinearConstraint
    from scipy.sparse import coo_array

    nw, npar = len(red.works), len(red.parcel_cost)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    ub: list[float] = []
    for r, (p, works) in enumerate(red.needs):
        rows.extend([r] * (len(works) + 1))
        cols.extend([nw + p, *works])
        vals.extend([1.0] + [-1.0] * len(works))
        ub.append(0.0)
    for p, w in red.breaks:
        r = len(ub)
        rows.extend([r, r])
        cols.extend([nw + p, w])
        vals.extend([1.0, 1.0])
        ub.append(1.0)
    out = []
    if ub:
        a = coo_array((vals, (rows, cols)), shape=(len(ub), nw + npar)).tocsr()
        out.append(LinearConstraint(a, -np.inf, np.array(ub)))
    cost_row = np.concatenate([cost[red.works], red.parcel_cost])
    out.append(LinearConstraint(cost_row[None, :], -np.inf,
                                budget + BUDGET_SLACK * max(1.0, abs(budget))))
    return out


def solve(problem: PlanProblem, budget: float, *, time_limit: float = 60.0) -> PlanSolution:
    """The works that make the most area ready within ``budget``, then cost the least.

    Two exact MILP stages (HiGHS, relative gap 0): maximise the area ready (in m²), then
    minimise the cost with the area held at that maximum. ``optimal`` is False (and
    ``message`` says why) only when HiGHS stopped at ``time_limit`` seconds per stage.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    if problem.n_parcels == 0 or problem.n_works == 0:
        return _solution(problem, np.zeros(problem.n_works, dtype=bool), optimal=True)
    cost = np.asarray(problem.cost, dtype=float)
    red = _reduce(problem)
    nw, npar = len(red.works), problem.n_parcels
    area = problem.area_m2().astype(float)
    ub = np.concatenate([np.ones(nw), red.closable.astype(float)])
    bounds = Bounds(np.zeros(nw + npar), ub)
    integrality = np.ones(nw + npar)
    cons = _constraints(red, cost, budget)
    # HiGHS's presolve is slow on one dense knapsack row over ~1e4 binaries; its root
    # reduced-cost fixing does the same work in a fraction of the time
    opts = {"mip_rel_gap": 0.0, "time_limit": time_limit, "presolve": False}

    c1 = np.concatenate([np.zeros(nw), -area])
    res1 = milp(c1, constraints=cons, integrality=integrality, bounds=bounds, options=opts)
    if res1.x is None:
        return _solution(problem, np.zeros(problem.n_works, dtype=bool), optimal=False,
                         message=f"stage 1: {res1.message}")
    best_area = float(np.rint(-res1.fun))
    floor = LinearConstraint(np.concatenate([np.zeros(nw), area])[None, :],
                             best_area - 0.5, np.inf)
    c2 = np.concatenate([cost[red.works], red.parcel_cost])
    res2 = milp(c2, constraints=[*cons, floor], integrality=integrality, bounds=bounds,
                options=opts)
    x = res2.x if res2.x is not None else res1.x
    proven = res1.status == 0 and res2.status == 0
    msg = "" if proven else f"stage 1: {res1.message}; stage 2: {res2.message}"
    chosen = np.zeros(problem.n_works, dtype=bool)
    chosen[red.works[np.rint(x[:nw]) > 0.5]] = True
    made = np.rint(x[nw:]) > 0.5
    for p, w in red.folded:
        if made[p]:
            chosen[w] = True
    return _solution(problem, chosen, optimal=proven, message=msg)
