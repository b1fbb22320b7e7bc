"""After supply: about a third of the parcels supplied, with contracts, performance, commitments.

Every supervision case is designed at least once as of ``AS_OF`` (2025-06-30):
on track (building, or not due to start yet), late start, idle over one and over
two years (one idle case gives a reason), late completion, completed with the
review not yet due, review passed, review failed on tax per mu, review failed on
energy per output, review due with no performance data; energy-saving
commitments (承诺制, 经开区) fulfilled, overdue and not yet due.

Supply status follows the case: not started or completed → ``supplied``,
building → ``under_construction``. Readiness does not read the supply status, so
the readiness mix of the demo is unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from layers.demo._common import AS_OF, _rng, _strings

__all__ = ["CASES", "SUPPLIED_SHARE", "supervision_tables"]

SUPPLIED_SHARE = 1 / 3

# designed case -> how many contracts (the rest are "building" on track)
CASES: dict[str, int] = {
    "late_start": 3, "idle": 2, "idle_recoverable": 2, "late_completion": 3,
    "not_yet_due": 3, "completed_pending": 4, "review_pass": 6, "review_fail_tax": 2,
    "review_fail_energy": 2, "review_missing": 1,
}
_NAMES = ("晋阳", "太行", "上党", "潞安", "漳河", "紫云", "华晟", "鑫泰", "恒瑞", "中科", "天脊",
          "黎侯", "长兴", "沁新", "晋东")
_TRADE = {"photovoltaic": "光伏科技", "semiconductor": "半导体", "it_innovation": "信息技术",
          "coal_chemical": "煤化工", "equipment": "装备制造", "new_materials": "新材料"}
_IDLE_REASON = "企业融资未到位，申请延期开工（非政府原因）"
_D = pd.Timestamp(AS_OF)


def _days(n: float) -> pd.Timedelta:
    return pd.Timedelta(days=int(n))


def _choose_supplied(parcels: pd.DataFrame, special: pd.Series,
                     rng: np.random.Generator) -> np.ndarray:
    """Positions of the supplied parcels: those drawn as supplied, topped up to a third."""
    status = parcels["supply_status"].astype("string")
    designed = special.notna().to_numpy()
    supplied = status.isin(["supplied", "under_construction"]).to_numpy(dtype=bool) & designed
    target = round(int(designed.sum()) * SUPPLIED_SHARE)
    pool = np.flatnonzero((status == "for_supply").to_numpy(dtype=bool, na_value=False)
                          & (special == "").to_numpy(dtype=bool, na_value=False)
                          & parcels["zone_id"].notna().to_numpy())
    extra = max(0, min(target - int(supplied.sum()), len(pool)))
    chosen = rng.choice(pool, size=extra, replace=False) if extra else np.array([], dtype=int)
    supplied[chosen] = True
    return np.flatnonzero(supplied)


def _assign(positions: np.ndarray, in_zone: np.ndarray, rng: np.random.Generator) -> list[str]:
    """A case per supplied parcel: the designed cases on parcels in a zone, the rest building."""
    order = rng.permutation(len(positions))
    zoned = [i for i in order if in_zone[positions[i]]]
    cases = ["building"] * len(positions)
    queue = [case for case, n in CASES.items() for _ in range(n)]
    for i, case in zip(zoned, queue, strict=False):
        cases[i] = case
    return cases


def _agreed_done(case: str, agreed_start: pd.Timestamp, rng: np.random.Generator
                 ) -> pd.Timestamp:
    """The agreed completion date for a case (draws from ``rng`` like the rest of _dates)."""
    u = rng.uniform
    if case == "late_completion":
        return _D - _days(u(30, 200))
    if case == "completed_pending":
        return _D - _days(u(60, 300))
    if case.startswith("review"):
        return _D - _days(u(550, 800))  # completed in 2023: 2024 is a full year
    agreed_done = agreed_start + _days(u(540, 730))
    if case == "building":
        agreed_done = max(agreed_done, _D + _days(u(30, 300)))
    return agreed_done

def _dates(case: str, rng: np.random.Generator) -> dict[str, Any]:
    """The contract's dates for a case (as of ``AS_OF``)."""
    u = rng.uniform
    started = True
    done = False
    if case == "not_yet_due":
        agreed_start = _D + _days(u(10, 90))
        started = False
    elif case == "late_start":
        agreed_start = _D - _days(u(30, 300))
        started = False
    elif case == "idle":
        agreed_start = _D - _days(u(400, 700))
        started = False
    elif case == "idle_recoverable":
        agreed_start = _D - _days(u(760, 1000))
        started = False
    elif case == "late_completion":
        agreed_start = _D - _days(u(700, 850))
    elif case == "building":
        agreed_start = _D - _days(u(30, 420))
    elif case == "completed_pending":
        agreed_start = _D - _days(u(800, 950))
        done = True
    else:  # reviews: completed more than a year ago
        agreed_start = _D - _days(u(1300, 1500))
        done = True
    handover = agreed_start - _days(u(20, 90))
    if case == "not_yet_due":  # handed over recently, start agreed for the coming months
        handover = _D - _days(u(5, 60))
    signed = handover - _days(u(10, 40))
    agreed_done = _agreed_done(case, agreed_start, rng)
    # 拿地即开工: most start within days of handover, some take months
    lag = u(0, 21) if rng.random() < 0.75 else u(45, 150)
    actual_start = min(handover + _days(lag), agreed_start + _days(u(0, 20))) if started \
        else pd.NaT
    actual_done = agreed_done - _days(u(0, 60)) if done else pd.NaT
    return {"signed_date": signed, "handover_date": handover, "agreed_start_date": agreed_start,
            "agreed_completion_date": agreed_done, "actual_start_date": actual_start,
            "actual_completion_date": actual_done}


def _committed(row: pd.Series, rng: np.random.Generator,
               bounds: dict[str, dict[str, float]] | None = None) -> dict[str, float]:
    """Committed indicators: the parcel's planned values; where unset, the rulebook's
    bound for its industry (``bounds``) with a margin, else a typical value."""
    def value(col: str, lo: float, hi: float, nd: int) -> float:
        v = row.get(col)
        if v is not None and pd.notna(v):
            return round(float(v), nd)
        b = (bounds or {}).get(col, {})
        if "min" in b:
            return round(float(b["min"]) * float(rng.uniform(1.0, 1.3)), nd)
        if "max" in b:
            return round(float(b["max"]) * float(rng.uniform(0.7, 1.0)), nd)
        return round(float(rng.uniform(lo, hi)), nd)

    tax = value("tax_per_mu", 12.0, 30.0, 1)
    return {"committed_invest_intensity": value("invest_intensity", 300.0, 450.0, 0),
            "committed_far": value("far", 0.8, 1.5, 2),
            "committed_tax_per_mu": tax,
            "committed_energy_per_output": value("energy_per_output", 0.2, 0.6, 3),
            "committed_output_per_mu": round(tax * float(rng.uniform(8.0, 12.0)), 0)}


def _performance(pid: str, case: str, c: dict[str, Any], rng: np.random.Generator
                 ) -> list[dict[str, Any]]:
    """Yearly actual values from the start year to the last full year (2024)."""
    if pd.isna(c["actual_start_date"]) or case == "review_missing":
        return []
    rows = []
    first = c["actual_start_date"].year
    done_year = c["actual_completion_date"].year if pd.notna(c["actual_completion_date"]) \
        else None
    for year in range(first, _D.year):
        producing = done_year is not None and year >= done_year
        build = min(1.0, (year - first + 1) / 2.5)
        row: dict[str, Any] = {
            "parcel_id": pid, "year": year,
            "invest_intensity": round(c["committed_invest_intensity"] * build
                                      * float(rng.uniform(1.0, 1.15)), 0),
            "far": round(c["committed_far"] * build * float(rng.uniform(1.0, 1.1)), 2)
            if producing else np.nan,
            "tax_per_mu": np.nan, "energy_per_output": np.nan, "output_per_mu": np.nan}
        if producing:
            ramp = 0.6 if year == done_year else 1.0
            row["tax_per_mu"] = round(c["committed_tax_per_mu"] * ramp
                                      * float(rng.uniform(1.02, 1.25)), 1)
            row["energy_per_output"] = round(c["committed_energy_per_output"]
                                             * float(rng.uniform(0.8, 0.97)), 3)
            row["output_per_mu"] = round(c["committed_output_per_mu"] * ramp
                                         * float(rng.uniform(1.02, 1.2)), 0)
            if year == _D.year - 1 and case == "review_fail_tax":
                row["tax_per_mu"] = round(c["committed_tax_per_mu"]
                                          * float(rng.uniform(0.55, 0.8)), 1)
            if year == _D.year - 1 and case == "review_fail_energy":
                row["energy_per_output"] = round(c["committed_energy_per_output"]
                                                 * float(rng.uniform(1.15, 1.4)), 3)
        rows.append(row)
    return rows


def _commitments(pid: str, zone: object, case: str, c: dict[str, Any], k: int
                 ) -> list[dict[str, Any]]:
    """经开区's energy review is committed (承诺制): each contract there carries the item."""
    if str(zone) != "CZJK":
        return []
    due = c["handover_date"] + _days(180)
    overdue = case in ("late_completion", "idle") or (case == "building" and k % 4 == 0)
    fulfilled = pd.NaT if overdue or due > _D else due - _days(20 + k % 30)
    rows = [{"parcel_id": pid, "item": "项目节能审查：投产前取得节能审查意见（区域节能评价承诺制）",
             "assessment": "energy", "due_date": due, "fulfilled_date": fulfilled}]
    if k % 3 == 0:
        eia_due = c["handover_date"] + _days(90)
        rows.append({"parcel_id": pid, "item": "环评告知承诺：开工前完成环境影响登记表备案",
                     "assessment": "eia", "due_date": eia_due,
                     "fulfilled_date": eia_due - _days(5) if eia_due <= _D else pd.NaT})
    return rows


def _enterprise(industry: object, rng: np.random.Generator) -> str:
    trade = _TRADE.get(str(industry), "实业")
    return f"长治市{_NAMES[int(rng.integers(0, len(_NAMES)))]}{trade}有限公司"


def supervision_tables(parcels: pd.DataFrame, special: pd.Series, seed: int,
                       bounds: dict[str, dict[str, dict[str, float]]] | None = None
                       ) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Parcels with the supplied third marked, and the contracts / performance / commitments.

    ``bounds`` (per industry, as :func:`layers.demo.indicator_bounds`) gives the
    committed value of an indicator the parcel has no planned value for.

    ``special`` is each parcel's designed readiness case ("" for none); parcels with
    a designed readiness defect are not supplied on top of those already drawn. It
    is missing for the basin grid that ``--parcels N`` adds for benchmarks: those
    keep their drawn supply status and have no contract (``no_contract``).
    """
    rng = _rng(seed, "contracts")
    parcels = parcels.copy()
    positions = _choose_supplied(parcels, special.reset_index(drop=True), rng)
    in_zone = parcels["zone_id"].notna().to_numpy()
    cases = _assign(positions, in_zone, rng)
    status = parcels["supply_status"].astype(object).to_numpy().copy()
    contracts, perf, comm = [], [], []
    reason_given = False
    for k, (pos, case) in enumerate(zip(positions, cases, strict=True)):
        row = parcels.iloc[pos]
        pid = str(row["parcel_id"])
        reason = _IDLE_REASON if case == "idle" and not reason_given else None
        reason_given = reason_given or reason is not None
        c: dict[str, Any] = {"parcel_id": pid, "enterprise": _enterprise(row["industry"], rng),
                             **_dates(case, rng), "review_date": pd.NaT,
                             **_committed(row, rng, (bounds or {}).get(str(row["industry"]))),
                             "delay_reason": reason}
        contracts.append(c)
        perf += _performance(pid, case, c, rng)
        comm += _commitments(pid, row.get("zone_id"), case, c, k)
        building = pd.notna(c["actual_start_date"]) and pd.isna(c["actual_completion_date"])
        status[pos] = "under_construction" if building else "supplied"
    parcels["supply_status"] = pd.array(status, dtype="string")
    tables = {"contracts": _frame(contracts, "contracts", ["enterprise", "delay_reason"]),
              "performance": _frame(perf, "performance", []),
              "commitments": _frame(comm, "commitments", ["item", "assessment"])}
    return parcels, tables


def _frame(rows: list[dict[str, Any]], kind: str, text: list[str]) -> pd.DataFrame:
    from layers.catalog import get_spec

    spec = get_spec(kind)
    df = pd.DataFrame.from_records(rows, columns=spec.names)
    for col in spec.columns:
        if col.dtype in ("float", "int"):
            df[col.name] = df[col.name].astype("int64" if col.dtype == "int" else "float64")
    for col in df.columns:
        if col.endswith("_date"):
            df[col] = pd.to_datetime(df[col]).astype("datetime64[ms]")
    return _strings(df, ["parcel_id", *text])
