"""Every supervision status on hand-made contracts, at the day boundaries."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from layers.supervision import STATUS_ORDER, stock_split, summarize, supervise

START = date(2023, 3, 1)
DONE = date(2024, 6, 30)


def _contract(**over) -> pd.DataFrame:
    row = {"parcel_id": "P1", "enterprise": "长治某某科技有限公司",
           "handover_date": date(2023, 2, 1), "agreed_start_date": START,
           "agreed_completion_date": DONE, "actual_start_date": None,
           "actual_completion_date": None, "review_date": None,
           "committed_invest_intensity": 300.0, "committed_tax_per_mu": 15.0,
           "committed_energy_per_output": 0.30}
    row.update(over)
    df = pd.DataFrame([row])
    for c in df.columns:
        if c.endswith("_date"):
            df[c] = pd.to_datetime(df[c])
    return df


def _one(as_of: date, contract: pd.DataFrame | None = None, perf: pd.DataFrame | None = None,
         comm: pd.DataFrame | None = None) -> pd.Series:
    table = supervise(_contract() if contract is None else contract, perf, comm, as_of=as_of)
    assert len(table) == 1
    return table.iloc[0]


@pytest.mark.parametrize(("days", "idle", "late"), [
    (0, "none", 0),
    (1, "late_start", 1),
    (365, "late_start", 365),  # exactly one year: not yet idle
    (366, "idle", 366),
    (730, "idle", 730),  # exactly two years: not yet recoverable
    (731, "idle_recoverable", 731),
])
def test_not_started_at_the_day_boundaries(days: int, idle: str, late: int) -> None:
    row = _one(START + timedelta(days=days))
    assert row["construction"] == "not_started"
    assert row["idle_status"] == idle and row["days_late"] == late
    assert pd.isna(row["start_lag_days"])


def test_before_the_agreed_start_nothing_is_late() -> None:
    row = _one(START - timedelta(days=10))
    assert (row["idle_status"], row["days_late"], row["status"]) == ("none", 0, "on_track")


def test_started_late_completion_and_start_lag() -> None:
    c = _contract(actual_start_date=pd.Timestamp("2023-02-15"))
    on_time = _one(DONE, c)
    assert (on_time["construction"], on_time["idle_status"], on_time["days_late"]) == \
        ("started", "none", 0)
    assert on_time["start_lag_days"] == 14
    late = _one(DONE + timedelta(days=40), c)
    assert (late["idle_status"], late["days_late"], late["status"]) == \
        ("late_completion", 40, "late_completion")


def test_a_start_after_the_check_date_has_not_happened() -> None:
    c = _contract(actual_start_date=pd.Timestamp("2024-05-01"))
    before = _one(date(2024, 4, 30), c)
    assert before["construction"] == "not_started" and before["idle_status"] == "idle"
    after = _one(date(2024, 5, 1), c)
    assert after["construction"] == "started" and after["start_lag_days"] == 455


def _perf(**values) -> pd.DataFrame:
    rows = [{"parcel_id": "P1", "year": 2024, "invest_intensity": 280.0, "tax_per_mu": 9.0,
             "energy_per_output": 0.50},
            {"parcel_id": "P1", "year": 2025, "invest_intensity": 320.0, "tax_per_mu": 16.0,
             "energy_per_output": 0.28}]
    rows[1].update(values)
    return pd.DataFrame(rows)


def _done_contract(**over) -> pd.DataFrame:
    return _contract(actual_start_date=pd.Timestamp("2023-03-01"),
                     actual_completion_date=pd.Timestamp("2024-05-01"), **over)


def test_review_is_pending_until_its_due_date_then_passes() -> None:
    due = DONE + timedelta(days=365)  # no review_date: agreed completion + 365 days
    c = _done_contract()
    before = _one(due - timedelta(days=1), c, _perf())
    assert before["construction"] == "completed" and before["review_status"] == "pending"
    assert before["review_due"] == due
    on_due = _one(due, c, _perf())
    assert on_due["review_status"] == "pass" and on_due["review_year"] == 2025
    assert on_due["failing_indicators"] == "" and on_due["status"] == "review_passed"


def test_review_date_overrides_and_latest_year_is_used() -> None:
    c = _done_contract(review_date=pd.Timestamp("2024-12-31"))
    row = _one(date(2024, 12, 31), c, _perf())
    # 2025 is after the check date's year: the 2024 figures are the latest
    assert row["review_status"] == "fail" and row["review_year"] == 2024
    assert row["failing_indicators"] == "invest_intensity;tax_per_mu;energy_per_output"
    assert row["shortfall_invest_intensity"] == pytest.approx(20.0)
    assert row["shortfall_tax_per_mu"] == pytest.approx(6.0)
    assert row["shortfall_energy_per_output"] == pytest.approx(0.20)
    assert row["status"] == "review_failed"


@pytest.mark.parametrize(("values", "failing"), [
    ({"tax_per_mu": 14.9}, "tax_per_mu"),
    ({"energy_per_output": 0.31}, "energy_per_output"),  # lower is better
    ({"energy_per_output": 0.30, "tax_per_mu": 15.0}, ""),  # equal to the commitment passes
])
def test_each_failing_indicator_and_its_shortfall(values: dict, failing: str) -> None:
    row = _one(date(2025, 9, 1), _done_contract(), _perf(**values))
    assert row["failing_indicators"] == failing
    assert row["review_status"] == ("fail" if failing else "pass")
    if failing:
        assert row[f"shortfall_{failing}"] == pytest.approx(0.1 if failing == "tax_per_mu"
                                                            else 0.01)


def test_review_without_performance_is_missing() -> None:
    row = _one(date(2025, 9, 1), _done_contract(), pd.DataFrame(
        {"parcel_id": ["OTHER"], "year": [2024], "tax_per_mu": [1.0]}))
    assert row["review_status"] == "missing" and row["status"] == "review_missing"


def test_commitments_overdue_on_the_day_after_due() -> None:
    comm = pd.DataFrame({"parcel_id": ["P1", "P1", "P1"],
                         "item": ["节能承诺", "环评承诺", "水保方案"],
                         "due_date": pd.to_datetime(["2024-01-31", "2024-01-31", "2023-12-31"]),
                         "fulfilled_date": pd.to_datetime([None, "2024-03-01", "2023-12-01"])})
    c = _contract(actual_start_date=pd.Timestamp("2023-03-01"))
    on_due = _one(date(2024, 1, 31), c, None, comm)
    assert on_due["commitments_overdue"] == 0
    after = _one(date(2024, 2, 1), c, None, comm)
    assert after["commitments_overdue"] == 2 and after["status"] == "commitment_overdue"
    later = _one(date(2024, 3, 1), c, None, comm)  # fulfilled late, on this day
    assert later["commitments_overdue"] == 1
    assert (later["commitments_total"], later["commitments_fulfilled"]) == (3, 2)


def test_summary_counts_every_code_and_the_start_rate() -> None:
    contracts = pd.concat([
        _contract(parcel_id="A", actual_start_date=pd.Timestamp("2023-02-01")),  # lag 0
        _contract(parcel_id="B", actual_start_date=pd.Timestamp("2023-04-01")),  # lag 59
        _contract(parcel_id="C"),
    ], ignore_index=True)
    table = supervise(contracts, as_of=date(2024, 6, 1))
    s = summarize(table)
    assert s.n_contracts == 3 and s.count("idle_status", "idle") == 1
    assert s.count("construction", "started") == 2 and s.count("review_status", "pending") == 3
    assert (s.started_with_handover, s.started_on_time) == (2, 1) and s.start_rate == 0.5
    assert set(s.counts.loc[s.counts.group == "status", "code"]) == set(STATUS_ORDER)


def test_stock_split_counts_only_parcels_on_offer_as_ready() -> None:
    import geopandas as gpd
    from shapely.geometry import box

    sides = [100.0, 200.0, 100.0, 100.0, 100.0]  # 1 ha, 4 ha, 1 ha, 1 ha, 1 ha
    parcels = gpd.GeoDataFrame({
        "parcel_id": ["A", "B", "C", "D", "E"],
        "supply_status": ["for_supply", "supplied", "reserve", "under_construction", None],
    }, geometry=[box(i * 1000, 0, i * 1000 + s, s) for i, s in enumerate(sides)],
        crs="EPSG:4547")
    readiness = pd.DataFrame({"parcel_id": list("ABCDE"),
                              "readiness": ["ready", "ready", "ready_with_commitments",
                                            "not_ready", "ready"]})

    class Result:  # the part of a ReadinessResult the summary reads
        overall = readiness
        rulebook = type("RB", (), {"rules": ()})()
        long = pd.DataFrame({"cost": []})
        status_matrix = None

    split = stock_split(Result(), parcels, pd.DataFrame({"parcel_id": ["B"],
                                                         "status": ["idle"]}))
    assert (split.offer.parcels, split.supplied_n) == (3, 2)
    assert (split.ready_n, split.ready_ha) == (3, pytest.approx(3.0))
    assert (split.moved_out, split.moved_out_ha) == (1, pytest.approx(4.0))
    assert split.supplied.loc["idle", "n"] == 1
    assert split.supplied.loc["no_contract", "ha"] == pytest.approx(1.0)
    assert split.offer.readiness["ready"] == 2
