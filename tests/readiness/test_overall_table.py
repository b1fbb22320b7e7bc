"""The overall table (one row per parcel) equals its definition over whole (rules, parcels)
arrays, though it is built one rule at a time."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from layers.readiness._base import COMMITTED, FAIL, UNKNOWN
from layers.readiness.evaluate import FAILING_SEP, OVERALL_STATUSES, _overall


def _expected(rules: list[SimpleNamespace], status: np.ndarray, cost: np.ndarray
              ) -> dict[str, object]:
    """The overall columns computed on whole (rules, parcels) arrays."""
    req = np.array([r.required for r in rules], dtype=bool)
    s, c = status[req], cost[req]
    fail = s == FAIL
    readiness = np.where(fail.any(axis=0), 0, np.where(
        (s == UNKNOWN).any(axis=0), 1, np.where((s == COMMITTED).any(axis=0), 2, 3)))
    ids = [r.id for r in rules if r.required]
    return {
        "readiness": [OVERALL_STATUSES[k] for k in readiness],
        "n_fail": fail.sum(axis=0),
        "n_advisory_fail": (status[~req] == FAIL).sum(axis=0),
        "failing_rules": [FAILING_SEP.join(i for i, f in zip(ids, col, strict=True) if f)
                          for col in fail.T],
        "total_cost": np.where(fail & ~np.isnan(c), c, 0.0).sum(axis=0),
        "uncosted_rules": (fail & np.isnan(c)).sum(axis=0),
    }


@pytest.mark.parametrize(("n_required", "n_advisory"), [(13, 12), (0, 3), (3, 0), (70, 2)])
def test_overall_is_the_whole_array_definition(n_required: int, n_advisory: int) -> None:
    rng = np.random.default_rng(n_required)
    rules = [SimpleNamespace(id=f"r{k}", required=k < n_required)
             for k in range(n_required + n_advisory)]
    n = 500
    status = rng.integers(0, 4, size=(n, len(rules))).astype(np.int8)
    cost = rng.random((n, len(rules))) * 1e4
    cost[rng.random(cost.shape) < 0.3] = np.nan
    cost[rng.random(cost.shape) < 0.05] = -0.0
    ids = pd.Series([f"P{k}" for k in range(n)])
    got = _overall(ids, tuple(rules), status.T, cost.T)  # type: ignore[arg-type]
    want = _expected(rules, status.T, cost.T)
    assert got["parcel_id"].tolist() == ids.tolist()
    assert got["readiness"].astype(str).tolist() == want["readiness"]
    assert got["failing_rules"].tolist() == want["failing_rules"]
    for col in ("n_fail", "n_advisory_fail", "uncosted_rules"):
        assert np.array_equal(got[col].to_numpy(), want[col])  # type: ignore[arg-type]
    # the same sums, added in the same order: equal to the last bit
    assert np.array_equal(got["total_cost"].to_numpy(), want["total_cost"])  # type: ignore[arg-type]
    assert (got[["n_pass", "n_fail", "n_unknown", "n_committed"]].sum(axis=1)
            == n_required).all()
