"""The city's supervision summary: idle land, reviews, 拿地即开工 rate, commitments."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from layers.supervision.evaluate import INDICATORS, STATUS_ORDER

__all__ = ["START_TARGET_DAYS", "SupervisionSummary", "summarize"]

START_TARGET_DAYS = 30  # "拿地即开工": construction starts within a few weeks of handover

GROUPS: dict[str, tuple[str, ...]] = {
    "construction": ("not_started", "started", "completed"),
    "idle_status": ("none", "late_start", "idle", "idle_recoverable", "late_completion"),
    "review_status": ("pending", "missing", "pass", "fail"),
    "status": STATUS_ORDER,
}


@dataclass(frozen=True)
class SupervisionSummary:
    """Counts per group and code, the 拿地即开工 rate and the failing indicators.

    ``start_rate`` is the share of started contracts with a known handover date
    whose construction began within ``target_days`` of handover (``None`` when
    there is none).
    """

    n_contracts: int
    counts: pd.DataFrame  # group, code, n
    started_with_handover: int
    started_on_time: int
    target_days: int
    median_start_lag: float | None
    failing: pd.Series  # indicator -> number of failed reviews citing it
    commitments_overdue: int
    contracts_with_overdue: int

    @property
    def start_rate(self) -> float | None:
        if not self.started_with_handover:
            return None
        return self.started_on_time / self.started_with_handover

    def count(self, group: str, code: str) -> int:
        hit = self.counts[(self.counts["group"] == group) & (self.counts["code"] == code)]
        return int(hit["n"].sum())

    def table(self) -> pd.DataFrame:
        """The counts as one table, plus the 拿地即开工 rate and the overdue commitments."""
        extra = pd.DataFrame([
            {"group": "start_lag", "code": f"within_{self.target_days}_days",
             "n": self.started_on_time},
            {"group": "start_lag", "code": "started_with_handover",
             "n": self.started_with_handover},
            {"group": "commitments", "code": "overdue_items", "n": self.commitments_overdue},
            {"group": "commitments", "code": "contracts_with_overdue",
             "n": self.contracts_with_overdue},
        ])
        return pd.concat([self.counts, extra], ignore_index=True)


def summarize(table: pd.DataFrame, *, target_days: int = START_TARGET_DAYS
              ) -> SupervisionSummary:
    """Summarise :func:`layers.supervision.supervise`'s table (every code listed, zeros too)."""
    rows = []
    for group, codes in GROUPS.items():
        counts = table[group].value_counts() if group in table else pd.Series(dtype="int64")
        rows += [{"group": group, "code": code, "n": int(counts.get(code, 0))} for code in codes]
    lag = pd.to_numeric(table["start_lag_days"], errors="coerce").dropna() \
        if "start_lag_days" in table else pd.Series(dtype="float64")
    failing = pd.Series({i: int(table["failing_indicators"].fillna("").str.split(";")
                                .apply(lambda xs, i=i: i in xs).sum())
                         for i in INDICATORS}, dtype="int64") \
        if "failing_indicators" in table else pd.Series(0, index=list(INDICATORS))
    overdue = table["commitments_overdue"] if "commitments_overdue" in table else \
        pd.Series(dtype="int64")
    return SupervisionSummary(
        n_contracts=len(table),
        counts=pd.DataFrame(rows, columns=["group", "code", "n"]),
        started_with_handover=len(lag),
        started_on_time=int((lag <= target_days).sum()),
        target_days=target_days,
        median_start_lag=float(lag.median()) if len(lag) else None,
        failing=failing,
        commitments_overdue=int(overdue.sum()),
        contracts_with_overdue=int((overdue > 0).sum()),
    )
