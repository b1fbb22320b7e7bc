"""The works incidence on a hand-made case: which works close which parcels' gaps."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from layers.planning.budget import budget_plan
from layers.planning.ranking import rank_projects
from layers.planning.works import build_works
from tests.planning.planning_helpers import IN_ZONE, ROAD, WATER, rulebook, works_case

DAY = date(2025, 6, 30)


@pytest.fixture(scope="module")
def pw():
    inputs, projects = works_case()
    return build_works(inputs, rulebook(WATER, ROAD, IN_ZONE), projects, DAY)


def _needs(pw) -> dict[tuple[str, str], set[str]]:
    ids = pw.parcels["parcel_id"].tolist()
    works = pw.works["work_id"].tolist()
    return {(ids[p], r): {works[w] for w in ws} for p, r, ws in pw.needs}


def test_a_project_closes_two_parcels_gaps(pw) -> None:
    needs = _needs(pw)
    assert needs[("A", "water")] == {"W1", "EXT-A-water"}
    assert needs[("B", "water")] == {"W1", "EXT-B-water"}


def test_extension_cost_is_gap_times_cost_per_m_in_wan(pw) -> None:
    ext = pw.works.set_index("work_id").loc["EXT-A-water"]
    assert ext["gap_m"] == pytest.approx(200.0)  # 300 m from the main, max 100 m
    assert ext["cost_wan"] == pytest.approx(200.0 * 1500 / 10_000)


def test_a_parcel_with_a_non_distance_failure_never_counts(pw) -> None:
    assert "C" not in set(pw.parcels["parcel_id"])


def test_a_gap_without_price_needs_a_project(pw) -> None:
    needs = _needs(pw)
    assert needs[("D", "road")] == {"R1"}
    assert not any(w.startswith("EXT-D") for w in pw.works["work_id"])


def test_plan_and_ranking_on_the_case(pw) -> None:
    full = budget_plan(pw, 1_000)
    assert set(full.ready["parcel_id"]) == {"A", "B", "D"}
    assert set(full.works["work_id"]) == {"W1", "R1"}  # W1 (50) beats 2 × 30 of extensions
    assert full.cost_wan == pytest.approx(130.0)
    assert full.optimal
    small = budget_plan(pw, 70)  # R1 (80) is out of reach: W1 alone, both A and B
    assert set(small.ready["parcel_id"]) == {"A", "B"}
    assert small.cost_wan == pytest.approx(50.0)
    tiny = budget_plan(pw, 35)  # one extension (30) makes the bigger of A and B ready
    assert len(tiny.ready) == 1 and tiny.cost_wan == pytest.approx(30.0)
    rank = rank_projects(pw).set_index("project_id")
    assert rank.loc["W1", "parcels"] == 2 and rank.loc["W1", "ha"] == pytest.approx(2.0)
    assert rank.loc["W1", "cost_per_ha"] == pytest.approx(25.0)
    assert rank.loc["R1", "parcels"] == 1
    assert rank.loc["R1", "ha"] == pytest.approx(0.9)
    assert np.isfinite(rank["cost_per_ha"]).all()
