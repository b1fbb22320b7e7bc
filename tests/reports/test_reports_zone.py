"""The zone summary report from the demo: counts by readiness, failing rules, cheapest parcels."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from gis.errors import InputError

ZONE = "CZGX"  # the demo's high-tech zone: ready parcels and costed water gaps


@pytest.fixture(scope="module")
def zone_members(ws, readiness) -> pd.DataFrame:
    """The engine's overall table for the parcels whose zone_id is ZONE."""
    parcels = ws.read("parcels")
    ids = set(parcels.loc[parcels["zone_id"] == ZONE, "parcel_id"].astype(str))
    ov = readiness.overall
    return ov[ov["parcel_id"].astype(str).isin(ids)]


@pytest.fixture(scope="module")
def zone_report(ws, as_of):
    from layers.reports import build_zone_report

    return build_zone_report(ws, ZONE, lang="zh", as_of=as_of)


@pytest.fixture(scope="module")
def zone_pdf(zone_report) -> bytes:
    from layers.reports import to_pdf

    return to_pdf(zone_report.html)


def _count_cell(html: str, code: str) -> int:
    m = re.search(rf'class="badge s-{code}">[^<]*</span></td><td class="num">(\d+)</td>', html)
    assert m, f"no row for {code}"
    return int(m.group(1))


def test_counts_by_readiness_match_the_engine(zone_report, zone_members):
    counts = zone_members["readiness"].astype(str).value_counts()
    for code in ("ready", "ready_with_commitments", "not_ready", "incomplete"):
        assert _count_cell(zone_report.html, code) == int(counts.get(code, 0)), code
    assert len(zone_members) > 0


def test_pdf_text_has_zone_top_failing_rule_and_cheapest_parcel(zone_pdf, pdf_text, ws,
                                                                 readiness, zone_members,
                                                                 pdf_resources):
    from layers.readiness import gap_to_ready

    text = pdf_text(zone_pdf)
    zones = ws.read("zones")
    name = str(zones.loc[zones["zone_id"] == ZONE, "name"].iloc[0])
    assert ZONE in text and name in text
    ids = set(zone_members["parcel_id"].astype(str))
    long = readiness.long[readiness.long["parcel_id"].astype(str).isin(ids)]
    fails = long[long["status"].astype(str) == "fail"]["rule_id"].astype(str).value_counts()
    top = fails.index[0]
    label = readiness.rulebook.get(top).label_zh
    assert f"{label}{int(fails.iloc[0])}" in text  # label followed by its count
    gaps = gap_to_ready(readiness)
    gaps = gaps[gaps["parcel_id"].astype(str).isin(ids) & (gaps["uncosted_rules"] == 0)
                & (gaps["total_cost"] > 0)]
    assert len(gaps)
    first = gaps.iloc[0]
    assert f"{first['parcel_id']}" in text
    assert f"{first['total_cost'] / 10_000:,.2f}万元" in text
    res = pdf_resources(zone_pdf)
    assert res["images"] and any("CJK" in f for f, _ in res["fonts"])


def test_html_is_self_contained(zone_report, external_refs):
    assert external_refs(zone_report.html) == []


def test_unknown_zone_is_a_clear_error(ws, as_of):
    from layers.reports import build_zone_report

    with pytest.raises(InputError, match=r"NOPE.*zone_id.*CZGX"):
        build_zone_report(ws, "NOPE", as_of=as_of)
