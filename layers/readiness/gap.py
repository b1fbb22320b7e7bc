"""Gap-to-ready: what each not-ready parcel lacks, by how much, and what it would cost."""

from __future__ import annotations

import numpy as np
import pandas as pd

from layers.readiness._base import FAIL
from layers.readiness.evaluate import ReadinessResult

__all__ = ["GAP_COLUMNS", "gap_to_ready"]

GAP_COLUMNS = ["rank", "parcel_id", "n_failing", "failing_rules", "gaps", "gaps_en",
               "total_cost", "uncosted_rules"]


def _fmt(gap: float, unit: str) -> str:
    if unit == "fraction":
        return f"{gap:.1%}"
    return f"{gap:.4g} {unit}".rstrip() if unit else f"{gap:.4g}"


def gap_to_ready(result: ReadinessResult) -> pd.DataFrame:
    """For each ``not_ready`` parcel: failing required rules, their gaps and the estimated cost.

    Rows are ranked cheapest first: parcels whose every failing rule has a unit cost
    come first, by ``total_cost`` (CNY), then those with failures that have no cost
    estimate (``uncosted_rules`` > 0), by the number of failing rules.

    Returns
    -------
    DataFrame
        ``rank, parcel_id, n_failing, failing_rules, gaps, gaps_en, total_cost,
        uncosted_rules``; ``gaps`` lists each failing rule with its gap (and cost) or,
        where the gap is not a number, its message.
    """
    ov = result.overall
    sel = np.flatnonzero((ov["readiness"] == "not_ready").to_numpy(dtype=bool))
    rules = result.rulebook.rules
    nr = len(rules)
    long = result.long
    gaps_zh = np.full(len(sel), "", dtype=object)
    gaps_en = np.full(len(sel), "", dtype=object)
    for r, rule in enumerate(rules):
        if not rule.required:
            continue
        fail = result.status_matrix[r, sel] == FAIL
        if not fail.any():
            continue
        rows = sel[fail] * nr + r
        sub = long.iloc[rows]
        gap = sub["gap"].to_numpy()
        cost = sub["cost"].to_numpy()
        unit = str(sub["unit"].iloc[0])
        text_zh, text_en = [], []
        for g, c, mz, me in zip(gap, cost, sub["message"].astype("str"),
                                sub["message_en"].astype("str"), strict=True):
            if np.isfinite(g):
                extra = f"，约 {c:,.0f} 元" if np.isfinite(c) else ""
                extra_en = f", ≈ {c:,.0f} CNY" if np.isfinite(c) else ""
                text_zh.append(f"{rule.label_zh}：差 {_fmt(g, unit)}{extra}")
                text_en.append(f"{rule.label_en}: short by {_fmt(g, unit)}{extra_en}")
            else:
                text_zh.append(f"{rule.label_zh}：{mz}")
                text_en.append(f"{rule.label_en}: {me}")
        idx = np.flatnonzero(fail)
        for arr, texts, sep in ((gaps_zh, text_zh, "；"), (gaps_en, text_en, "; ")):
            arr[idx] = [f"{a}{sep}{t}" if a else t for a, t in zip(arr[idx], texts, strict=True)]
    out = pd.DataFrame({
        "parcel_id": ov["parcel_id"].to_numpy()[sel],
        "n_failing": ov["n_fail"].to_numpy()[sel],
        "failing_rules": ov["failing_rules"].to_numpy()[sel],
        "gaps": pd.array(gaps_zh, dtype="str"),
        "gaps_en": pd.array(gaps_en, dtype="str"),
        "total_cost": ov["total_cost"].to_numpy()[sel],
        "uncosted_rules": ov["uncosted_rules"].to_numpy()[sel],
    })
    out = out.sort_values(["uncosted_rules", "total_cost", "n_failing", "parcel_id"],
                          key=lambda s: s.gt(0) if s.name == "uncosted_rules" else s,
                          kind="stable").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out[GAP_COLUMNS]
