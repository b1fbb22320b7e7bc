"""The Changzhi demo workspace exercises every stage and every flag of the tracker."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from layers.restoration import (
    FLAG_CODES,
    MINE_STAGES,
    evaluate,
    inputs_from_workspace,
)
from layers.workspace import Workspace


@pytest.fixture(scope="module")
def demo_result(demo_ws: Path):
    from layers.demo import AS_OF

    return evaluate(inputs_from_workspace(Workspace.load(demo_ws)), as_of=AS_OF)


def test_demo_has_sites_at_every_stage(demo_result) -> None:
    sites = demo_result.sites
    assert 40 <= len(sites) <= 80
    assert set(sites["stage"]) == set(MINE_STAGES)
    by_stage = demo_result.kpis["by_stage"]
    assert by_stage["sites"].sum() == len(sites)
    assert (by_stage["sites"] > 0).all()


@pytest.mark.parametrize("flag", FLAG_CODES)
def test_demo_triggers_every_flag(demo_result, flag: str) -> None:
    flags = demo_result.sites["flags"].fillna("").str.split(";")
    hits = demo_result.sites.loc[flags.map(lambda f: flag in f), "site_id"]
    assert len(hits) >= 1, f"no demo site is flagged {flag}"


def test_demo_flags_are_consistent_with_the_figures(demo_result) -> None:
    s = demo_result.sites.set_index("site_id")
    has = s["flags"].fillna("").str.split(";")
    low = s[has.map(lambda f: "low_vegetation" in f)]
    assert low["stage"].isin(["accepted", "maintenance", "closed"]).all()
    assert (low["veg_cover_ratio"] < 0.5).all()
    # a site flagged as not green must also look bare in raw NDVI next to its ring
    last = sorted(c for c in s.columns if c.startswith("ndvi_") and c[5:].isdigit())[-1]
    assert (low["ref_ndvi"] - low[last] >= 0.15).all(), low[[last, "ref_ndvi"]]
    assert not any(n.code == "endmembers_close" for n in demo_result.notes), demo_result.notes
    over = s[has.map(lambda f: "overdue" in f)]
    assert (over["days_overdue"] > 0).all() and (over["target_date"] < pd.Timestamp(
        demo_result.as_of)).all()
    back = s[has.map(lambda f: "stage_backwards" in f)]
    assert back["backwards_note"].str.len().gt(0).all()


def test_demo_ndvi_covers_every_site_and_restored_sites_green_up(demo_result) -> None:
    s = demo_result.sites
    ndvi_cols = [c for c in s.columns if c.startswith("ndvi_") and c != "ndvi_change"]
    assert len(ndvi_cols) >= 2
    assert s[ndvi_cols].notna().all().all()
    assert s["ref_ndvi"].notna().all()
    change = s.groupby("stage")["ndvi_change"].median()
    assert change["maintenance"] > change["not_started"]


def test_demo_kpis_add_up(demo_result) -> None:
    k = demo_result.kpis
    summary = k["summary"].set_index("metric")["value"]
    assert summary["sites"] == len(demo_result.sites)
    assert k["by_county"]["sites"].sum() == len(demo_result.sites)
    assert summary["completed"] + summary["remaining"] == summary["sites"]
    assert 0 < summary["restored_ha"] < summary["area_ha"]
    assert "（未知）" not in set(k["by_county"]["county"])
    ranking = demo_result.ranking
    assert ranking["priority_rank"].tolist() == list(range(1, len(ranking) + 1))
    assert ranking["reasons_zh"].str.contains("太行旅游公路").any()
