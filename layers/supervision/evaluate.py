"""Per-contract supervision as of a check date (whole days; dates after it have not happened).

Rules (《闲置土地处置办法》国土资源部令第53号, art. 2 and 14; the contract's 达产复核 clause):

- ``construction``: ``not_started`` (no actual start), ``started``, ``completed``.
- ``idle_status``: not started — ``late_start`` when D > agreed start, ``idle`` when
  more than 365 days late, ``idle_recoverable`` when more than 730; started and not
  completed — ``late_completion`` when D > agreed completion; else ``none``.
  ``days_late`` counts the days past the date that applies (0 when none).
- ``start_lag_days`` = actual start − handover (拿地即开工), empty if either is missing.
- ``review_due`` = ``review_date``, else agreed completion + 365 days. ``review_status``
  is ``pending`` while D < review_due; then, from the latest ``performance`` year with
  data, ``missing`` (none), ``pass`` (every committed indicator met: actual ≥ committed,
  for ``energy_per_output`` actual ≤ committed) or ``fail``. An indicator the contract
  leaves empty is held to the rulebook's contract condition for the parcel's industry
  (``floors``, see :mod:`layers.supervision.floors`), where the rulebook sets one.
- ``commitments_overdue``: items due before D and not fulfilled by D.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

__all__ = ["CSV_COLUMNS", "INDICATORS", "LOWER_IS_BETTER", "STATUS_COLORS", "STATUS_ORDER",
           "export_frame", "supervise"]

INDICATORS: tuple[str, ...] = ("invest_intensity", "far", "tax_per_mu", "energy_per_output",
                               "output_per_mu")
LOWER_IS_BETTER: frozenset[str] = frozenset({"energy_per_output"})
IDLE_DAYS = 365
RECOVERABLE_DAYS = 730
REVIEW_AFTER_DAYS = 365

# one status per contract, most serious first (map colours, filters, sort order)
STATUS_ORDER: tuple[str, ...] = ("idle_recoverable", "idle", "review_failed", "late_start",
                                 "late_completion", "commitment_overdue", "review_missing",
                                 "review_passed", "on_track")
# map and table colours per status (plus no_contract for supplied land with no contract)
STATUS_COLORS: dict[str, str] = {
    "idle_recoverable": "#67001f", "idle": "#d6604d", "review_failed": "#b2182b",
    "late_start": "#f4a582", "late_completion": "#fdae61", "commitment_overdue": "#fee08b",
    "review_missing": "#bababa", "review_passed": "#1a9641", "on_track": "#92c5de",
    "no_contract": "#878787",
}

CSV_COLUMNS: list[str] = ["parcel_id", "enterprise", "construction", "idle_status", "days_late",
                          "start_lag_days", "review_status", "failing_indicators",
                          "commitments_overdue"]


def _day(values: pd.Series | None, index: pd.Index) -> pd.Series:
    """Dates as ``datetime64`` normalised to midnight (NaT where missing)."""
    if values is None:
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    return pd.to_datetime(values, errors="coerce").dt.normalize()


def _days(a: pd.Series, b: pd.Series | pd.Timestamp) -> pd.Series:
    """Whole days ``a − b`` as a nullable integer."""
    return ((a - b).dt.days).astype("Int64")


def supervise(contracts: pd.DataFrame, performance: pd.DataFrame | None = None,
              commitments: pd.DataFrame | None = None, *, as_of: date,
              floors: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per contract: construction, idle status, 达产复核 and overdue commitments.

    Returns the :data:`CSV_COLUMNS` followed by ``status`` (one of
    :data:`STATUS_ORDER`), the contract's dates, ``review_due``, ``review_year``,
    ``commitments_total`` / ``commitments_fulfilled``, and for each indicator
    ``committed_<i>`` (the contract's value), ``floor_<i>`` (the rulebook's contract
    condition from ``floors``, indexed by parcel id; used where the contract has no
    value), ``actual_<i>`` and ``shortfall_<i>`` (how far the actual value falls short
    of the commitment, in the indicator's unit; positive when failing).
    """
    d = pd.Timestamp(as_of).normalize()
    c = contracts.reset_index(drop=True)
    idx = c.index
    col = c.get
    agreed_start = _day(col("agreed_start_date"), idx)
    agreed_done = _day(col("agreed_completion_date"), idx)
    handover = _day(col("handover_date"), idx)
    # a date after the check date has not happened yet
    start = _day(col("actual_start_date"), idx)
    start = start.where(start <= d)
    done = _day(col("actual_completion_date"), idx)
    done = done.where((done <= d) & start.notna())

    construction = np.where(start.isna(), "not_started",
                            np.where(done.isna(), "started", "completed"))
    late_start_days = _days(pd.Series(d, index=idx), agreed_start)
    late_done_days = _days(pd.Series(d, index=idx), agreed_done)
    not_started = construction == "not_started"
    building = construction == "started"
    ls = late_start_days.fillna(0).to_numpy(dtype="int64")
    lc = late_done_days.fillna(0).to_numpy(dtype="int64")
    idle_status = np.select(
        [not_started & (ls > RECOVERABLE_DAYS), not_started & (ls > IDLE_DAYS),
         not_started & (ls > 0), building & (lc > 0)],
        ["idle_recoverable", "idle", "late_start", "late_completion"], default="none")
    days_late = np.where(not_started & (ls > 0), ls,
                         np.where(building & (lc > 0), lc, 0)).astype("int64")

    out = pd.DataFrame({
        "parcel_id": c["parcel_id"].astype("string"),
        "enterprise": (c["enterprise"] if "enterprise" in c else pd.Series(pd.NA, index=idx)
                       ).astype("string"),
        "construction": construction,
        "idle_status": idle_status,
        "days_late": days_late,
        "start_lag_days": _days(start, handover),
    })
    review_date = _day(col("review_date"), idx)
    review_due = review_date.fillna(agreed_done + pd.Timedelta(days=REVIEW_AFTER_DAYS))
    review = _review(c, performance, review_due, d, floors)
    out = pd.concat([out, review], axis=1)
    overdue, total, fulfilled = _commitments(out["parcel_id"], commitments, d)
    out["commitments_overdue"] = overdue
    out["status"] = _status(out)
    out["handover_date"] = handover.dt.date
    out["agreed_start_date"] = agreed_start.dt.date
    out["agreed_completion_date"] = agreed_done.dt.date
    out["actual_start_date"] = start.dt.date
    out["actual_completion_date"] = done.dt.date
    out["review_due"] = review_due.dt.date
    out["commitments_total"] = total
    out["commitments_fulfilled"] = fulfilled
    if "delay_reason" in c:
        out["delay_reason"] = c["delay_reason"].astype("string")
    first = [*CSV_COLUMNS, "status"]
    return out[first + [k for k in out.columns if k not in first]]


def _latest_performance(performance: pd.DataFrame | None, parcel_ids: pd.Series,
                        as_of: pd.Timestamp) -> pd.DataFrame:
    """Per parcel, the latest year (≤ the check date's year) with any indicator value."""
    cols = ["review_year", *(f"actual_{i}" for i in INDICATORS)]
    if performance is None or performance.empty or "parcel_id" not in performance:
        return pd.DataFrame(index=pd.Index(parcel_ids), columns=cols, dtype="float64")
    p = performance.copy()
    for i in INDICATORS:
        p[i] = pd.to_numeric(p[i], errors="coerce") if i in p else np.nan
    p["year"] = pd.to_numeric(p["year"], errors="coerce")
    p = p[p["year"].notna() & (p["year"] <= as_of.year) & p[list(INDICATORS)].notna().any(axis=1)]
    p = p.sort_values(["parcel_id", "year"], kind="stable").drop_duplicates("parcel_id",
                                                                             keep="last")
    p = p.set_index(p["parcel_id"].astype("string"))
    latest = pd.DataFrame({"review_year": p["year"],
                           **{f"actual_{i}": p[i] for i in INDICATORS}})
    return latest.reindex(pd.Index(parcel_ids))


def _review(c: pd.DataFrame, performance: pd.DataFrame | None, review_due: pd.Series,
            as_of: pd.Timestamp, floors: pd.DataFrame | None = None) -> pd.DataFrame:
    ids = c["parcel_id"].astype("string")
    floor_of = floors.reindex(ids.str.strip().to_numpy()) if floors is not None else None
    latest = _latest_performance(performance, ids, as_of).reset_index(drop=True)
    due = (review_due <= as_of).to_numpy()
    has_data = latest["review_year"].notna().to_numpy()
    failing: list[list[str]] = [[] for _ in range(len(c))]
    cols: dict[str, object] = {}
    for i in INDICATORS:
        committed = pd.to_numeric(c[f"committed_{i}"], errors="coerce") \
            if f"committed_{i}" in c else pd.Series(np.nan, index=c.index)
        floor = pd.Series(floor_of[i].to_numpy(dtype=float) if floor_of is not None
                          and i in floor_of else np.nan, index=c.index, dtype="float64")
        target = committed.fillna(floor)
        actual = latest[f"actual_{i}"].astype("float64")
        gap = (actual - target) if i in LOWER_IS_BETTER else (target - actual)
        fails = target.notna() & (actual.isna() | (gap > 0))
        for pos in np.flatnonzero(fails.to_numpy() & due & has_data):
            failing[pos].append(i)
        cols[f"committed_{i}"] = committed.to_numpy()
        cols[f"floor_{i}"] = floor.to_numpy()
        cols[f"actual_{i}"] = actual.to_numpy()
        cols[f"shortfall_{i}"] = np.where(fails & due & has_data, gap, np.nan)
    status = np.where(~due, "pending", np.where(~has_data, "missing", np.where(
        np.array([bool(f) for f in failing], dtype=bool), "fail", "pass")))
    return pd.DataFrame({
        "review_status": status,
        "failing_indicators": [";".join(f) for f in failing],
        "review_year": pd.array(latest["review_year"].to_numpy(dtype=float), dtype="Int64"),
        **cols,
    }, index=c.index)


def _commitments(parcel_ids: pd.Series, commitments: pd.DataFrame | None,
                 as_of: pd.Timestamp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per contract: items overdue (due before D, not fulfilled by D), total, fulfilled by D."""
    zeros = np.zeros(len(parcel_ids), dtype="int64")
    if commitments is None or commitments.empty or "parcel_id" not in commitments:
        return zeros, zeros.copy(), zeros.copy()
    due = pd.to_datetime(commitments["due_date"], errors="coerce").dt.normalize()
    done = pd.to_datetime(commitments.get("fulfilled_date"), errors="coerce").dt.normalize() \
        if "fulfilled_date" in commitments else pd.Series(pd.NaT, index=commitments.index)
    fulfilled = done.notna() & (done <= as_of)
    frame = pd.DataFrame({"parcel_id": commitments["parcel_id"].astype("string"),
                          "overdue": (due < as_of) & ~fulfilled, "fulfilled": fulfilled,
                          "total": 1})
    counts = frame.groupby("parcel_id").sum().reindex(pd.Index(parcel_ids)).fillna(0)
    return (counts["overdue"].to_numpy(dtype="int64"), counts["total"].to_numpy(dtype="int64"),
            counts["fulfilled"].to_numpy(dtype="int64"))


def _status(out: pd.DataFrame) -> np.ndarray:
    """The one status that says most about a contract (see :data:`STATUS_ORDER`)."""
    idle = out["idle_status"].to_numpy()
    review = out["review_status"].to_numpy()
    over = out["commitments_overdue"].to_numpy() > 0
    return np.select(
        [idle == "idle_recoverable", idle == "idle", review == "fail", idle == "late_start",
         idle == "late_completion", over, review == "missing", review == "pass"],
        list(STATUS_ORDER[:-1]), default="on_track")



def export_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The exported columns: :data:`CSV_COLUMNS` first, then status, review dates, shortfalls."""
    extra = ["status", "review_due", "review_year", *(f"shortfall_{i}" for i in INDICATORS)]
    return table[[*CSV_COLUMNS, *(c for c in extra if c in table)]]
