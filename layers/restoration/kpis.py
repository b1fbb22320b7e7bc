"""City key figures of mine restoration: by stage, by county, and a one-table summary."""

from __future__ import annotations

import numpy as np
import pandas as pd

from layers.restoration.stages import (
    ACCEPTED_STAGES,
    DONE_STAGES,
    FLAG_CODES,
    FLAG_LABELS,
    MINE_STAGES,
    STAGE_LABELS,
)

__all__ = ["kpis"]

UNKNOWN_COUNTY = "（未知）"


def _share(num: float, den: float) -> float:
    return round(100.0 * num / den, 1) if den else np.nan


def _money(df: pd.DataFrame) -> tuple[float, float, float]:
    """Budget, spending and spending share over the sites that give both figures."""
    if "budget_wan" not in df.columns or "spent_wan" not in df.columns:
        return np.nan, np.nan, np.nan
    both = df["budget_wan"].notna() & df["spent_wan"].notna()
    budget = float(df.loc[both, "budget_wan"].sum())
    spent = float(df.loc[both, "spent_wan"].sum())
    if not both.any():
        return np.nan, np.nan, np.nan
    return round(budget, 2), round(spent, 2), _share(spent, budget)


def _restored(df: pd.DataFrame) -> pd.Series:
    """Restored area per site, capped at the site's area (an excess is not restoration)."""
    return np.minimum(df["restored_area_ha"], df["site_area_ha"])


def kpis(progress_df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """City KPIs from the table returned by :func:`~layers.restoration.progress.progress`.

    Returns
    -------
    dict with
        ``by_stage``: every stage in order with ``sites``, ``area_ha``, ``restored_ha``
        and shares of sites and area (%);
        ``by_county``: ``sites``, ``area_ha``, ``restored_ha``, ``completed``
        (works completed or later), ``share_completed`` (%), ``accepted``,
        ``overdue``, ``budget_wan``, ``spent_wan``, ``spent_pct``;
        ``summary``: one row per metric with ``metric``, ``zh``, ``en``, ``value``, ``unit``.
        Restored areas are capped at each site's area.
    """
    df = pd.DataFrame(progress_df).copy()
    df["_restored"] = _restored(df)
    df["_done"] = df["stage"].isin(DONE_STAGES)
    df["_accepted"] = df["stage"].isin(ACCEPTED_STAGES)
    df["_overdue"] = df["days_overdue"] > 0
    n, total_area = len(df), float(df["site_area_ha"].sum())

    rows = []
    for s in MINE_STAGES:
        part = df[df["stage"] == s]
        a = float(part["site_area_ha"].sum())
        rows.append({"stage": s, "stage_zh": STAGE_LABELS[s][0], "stage_en": STAGE_LABELS[s][1],
                     "sites": len(part), "area_ha": round(a, 2),
                     "restored_ha": round(float(part["_restored"].sum()), 2),
                     "share_sites_pct": _share(len(part), n),
                     "share_area_pct": _share(a, total_area)})
    by_stage = pd.DataFrame(rows)

    county = (df["county"].astype("string").fillna(UNKNOWN_COUNTY) if "county" in df.columns
              else pd.Series(UNKNOWN_COUNTY, index=df.index, dtype="string"))
    crow = []
    for name, part in df.groupby(county, sort=True):
        budget, spent, pct = _money(part)
        crow.append({"county": name, "sites": len(part),
                     "area_ha": round(float(part["site_area_ha"].sum()), 2),
                     "restored_ha": round(float(part["_restored"].sum()), 2),
                     "completed": int(part["_done"].sum()),
                     "share_completed_pct": _share(int(part["_done"].sum()), len(part)),
                     "accepted": int(part["_accepted"].sum()),
                     "overdue": int(part["_overdue"].sum()),
                     "budget_wan": budget, "spent_wan": spent, "spent_pct": pct})
    by_county = pd.DataFrame(crow, columns=[
        "county", "sites", "area_ha", "restored_ha", "completed", "share_completed_pct",
        "accepted", "overdue", "budget_wan", "spent_wan", "spent_pct"])

    budget, spent, pct = _money(df)
    restored = float(df["_restored"].sum())
    flags = df["flags"].fillna("").astype(str).str.split(";") if "flags" in df.columns \
        else pd.Series([[]] * n, index=df.index)
    metrics: list[tuple[str, str, str, float, str]] = [
        ("sites", "图斑数", "Sites", n, ""),
        ("area_ha", "图斑面积", "Site area", round(total_area, 2), "ha"),
        ("restored_ha", "已修复面积", "Area restored", round(restored, 2), "ha"),
        ("restored_pct", "面积修复率", "Share of area restored", _share(restored, total_area),
         "%"),
        ("completed", "已完工及以后", "Works completed or later", int(df["_done"].sum()), ""),
        ("share_completed_pct", "完工率", "Share completed", _share(int(df["_done"].sum()), n),
         "%"),
        ("accepted", "已验收及以后", "Accepted or later", int(df["_accepted"].sum()), ""),
        ("share_accepted_pct", "验收率", "Share accepted",
         _share(int(df["_accepted"].sum()), n), "%"),
        ("remaining", "未完工", "Not yet completed", int((~df["_done"]).sum()), ""),
        ("overdue", "逾期未完工", "Overdue", int(df["_overdue"].sum()), ""),
        ("budget_wan", "预算", "Budget", budget, "万元"),
        ("spent_wan", "已支出", "Spent", spent, "万元"),
        ("spent_pct", "支出比例", "Share of budget spent", pct, "%"),
    ]
    for code in FLAG_CODES:
        zh, en = FLAG_LABELS[code]
        metrics.append((f"flag_{code}", zh, en, int(flags.map(lambda f, c=code: c in f).sum()),
                        ""))
    summary = pd.DataFrame(metrics, columns=["metric", "zh", "en", "value", "unit"])
    summary["value"] = summary["value"].astype("float64")
    return {"by_stage": by_stage, "by_county": by_county, "summary": summary}
