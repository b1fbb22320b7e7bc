"""The MILP optimum equals brute force: most area within the budget, then least cost."""

from __future__ import annotations

import numpy as np
import pytest

from layers.planning.optimise import PlanProblem, brute_force, solve


def _random_problem(rng: np.random.Generator) -> tuple[PlanProblem, float]:
    nw, npar = int(rng.integers(1, 9)), int(rng.integers(1, 7))
    # costs on a coarse grid so equal-area plans of different cost (ties) are common
    cost = rng.integers(0, 6, nw).astype(float) * 10.0
    area = rng.choice([0.5, 1.0, 1.5, 2.25], npar)
    needs = []
    for p in range(npar):
        for _ in range(int(rng.integers(1, 4))):
            k = int(rng.integers(0, min(nw, 3) + 1))  # 0: a gap nothing closes
            needs.append((p, tuple(sorted(rng.choice(nw, k, replace=False).tolist()))))
    breaks = tuple((int(rng.integers(npar)), int(rng.integers(nw)))
                   for _ in range(int(rng.integers(0, 2))))
    budget = float(rng.choice([0.0, 10.0, 30.0, 60.0, 1e9]))
    return PlanProblem(cost=cost, area_ha=area, needs=tuple(needs), breaks=breaks), budget


def _check(problem: PlanProblem, budget: float) -> None:
    got, want = solve(problem, budget), brute_force(problem, budget)
    assert got.optimal
    assert got.area_ha == pytest.approx(want.area_ha, abs=1e-9)
    assert got.cost == pytest.approx(want.cost, abs=1e-6)
    assert got.cost <= budget + 1e-6
    # the reported parcels are what the chosen works really make ready
    assert np.array_equal(got.ready, problem.ready(got.chosen))


@pytest.mark.parametrize("seed", range(120))
def test_milp_equals_brute_force_on_random_instances(seed: int) -> None:
    _check(*_random_problem(np.random.default_rng(seed)))


def test_ties_go_to_the_cheaper_works() -> None:
    # parcel 0 (1 ha) closable by work 0 (cost 30) or work 1 (cost 20); work 2 adds nothing
    p = PlanProblem(cost=np.array([30.0, 20.0, 0.0]), area_ha=np.array([1.0]),
                    needs=((0, (0, 1)),))
    sol = solve(p, 100.0)
    assert sol.chosen.tolist() == [False, True, False] and sol.cost == 20.0
    _check(p, 100.0)


def test_budget_zero_buys_only_free_works() -> None:
    p = PlanProblem(cost=np.array([0.0, 5.0]), area_ha=np.array([1.0, 3.0]),
                    needs=((0, (0,)), (1, (1,))))
    sol = solve(p, 0.0)
    assert sol.ready.tolist() == [True, False] and sol.cost == 0.0
    _check(p, 0.0)


def test_nothing_closable_gives_an_empty_plan() -> None:
    p = PlanProblem(cost=np.array([1.0, 2.0]), area_ha=np.array([1.0, 2.0]),
                    needs=((0, ()), (1, ())))
    sol = solve(p, 100.0)
    assert not sol.chosen.any() and not sol.ready.any() and sol.area_ha == 0.0
    _check(p, 100.0)


def test_a_breaking_project_is_not_counted() -> None:
    # work 0 closes both parcels but breaks parcel 1 (3 ha); work 1 closes parcel 1 only
    p = PlanProblem(cost=np.array([1.0, 1.0]), area_ha=np.array([1.0, 3.0]),
                    needs=((0, (0,)), (1, (0, 1))), breaks=((1, 0),))
    assert solve(p, 1.0).ready.tolist() == [False, True]
    assert solve(p, 2.0).ready.tolist() == [False, True]  # both works: only parcel 0 (1 ha)
    _check(p, 1.0)
    _check(p, 2.0)


def test_the_budget_is_a_hard_limit() -> None:
    p = PlanProblem(cost=np.array([10.0, 10.0, 10.0]), area_ha=np.array([1.0, 1.0, 1.0]),
                    needs=((0, (0,)), (1, (1,)), (2, (2,))))
    assert solve(p, 29.99).ready.sum() == 2
    assert solve(p, 30.0).ready.sum() == 3
