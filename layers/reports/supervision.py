"""Supervision reports after supply: one per contract (to send to the enterprise) and the city's.

The per-contract report states the facts (dates, construction, idle status),
each committed indicator against the latest actual value with its shortfall,
the commitments, and for every breach the clause that applies (《闲置土地处置办法》
国土资源部令第53号, the investment agreement's review clause, the commitment letter).
"""

from __future__ import annotations

import time
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd

from gis.errors import InputError
from layers.reports import _gather
from layers.reports._common import as_date, base_context, is_missing, safe_name
from layers.reports.i18n import check_lang, fmt_date, fmt_num, t, value_label
from layers.reports.render import Report, render_html
from layers.supervision import INDICATORS, STATUS_COLORS, summarize
from layers.supervision.summary import GROUPS

if TYPE_CHECKING:
    from layers.workspace import Workspace

__all__ = ["build_contract_report", "build_supervision_report", "stock_facts"]

_DIGITS = {"invest_intensity": 0, "far": 2, "tax_per_mu": 1, "energy_per_output": 3,
           "output_per_mu": 0}


def _table(ws: Workspace, as_of: date, table: pd.DataFrame | None) -> pd.DataFrame:
    from layers.supervision.inputs import supervise_workspace

    return supervise_workspace(ws, as_of) if table is None else table


def _indicator_rows(row: pd.Series, lang: str) -> list[dict[str, str]]:
    rows = []
    reviewed = row["review_status"] in ("pass", "fail")
    failing = set(str(row["failing_indicators"]).split(";"))
    for i in INDICATORS:
        committed = row.get(f"committed_{i}")
        if is_missing(committed):
            continue
        actual = row.get(f"actual_{i}")
        if is_missing(actual):
            css, result = "unknown", t("res.no_value", lang)
        elif reviewed and i in failing:
            css, result = "fail", t("res.not_met", lang)
        else:
            css, result = "pass", t("res.met", lang)
        if not reviewed and not is_missing(actual):
            css, result = "unknown", "—"
        d = _DIGITS[i]
        rows.append({"label": value_label("indicator", i, lang), "committed": fmt_num(committed, d),
                     "actual": fmt_num(actual, d), "shortfall": fmt_num(row.get(f"shortfall_{i}"),
                                                                        d),
                     "css": css, "result": result})
    return rows


def _commitment_rows(commitments: pd.DataFrame | None, parcel_id: str, as_of: date,
                     lang: str) -> list[dict[str, str]]:
    if commitments is None or commitments.empty:
        return []
    mine = commitments[commitments["parcel_id"].astype(str) == parcel_id]
    day = pd.Timestamp(as_of)
    rows = []
    for r in mine.itertuples(index=False):
        due = pd.Timestamp(r.due_date) if not is_missing(r.due_date) else None
        done = getattr(r, "fulfilled_date", None)
        done = pd.Timestamp(done) if not is_missing(done) else None
        if done is not None and done <= day:
            css, result = "pass", t("res.fulfilled", lang)
        elif due is not None and due < day:
            css, result = "fail", t("res.overdue", lang)
        else:
            css, result = "unknown", t("res.open", lang)
        rows.append({"item": str(r.item), "due": fmt_date(due), "css": css, "result": result,
                     "fulfilled": fmt_date(done) if done is not None and done <= day else "—"})
    return rows


def _findings(row: pd.Series, lang: str) -> list[str]:
    out = []
    idle, days = row["idle_status"], int(row["days_late"])
    if idle in ("late_start", "idle", "idle_recoverable"):
        out.append(t(f"clause.{idle}", lang, days=days))
        out.append(t("clause.exempt", lang))
        reason = row.get("delay_reason")
        if not is_missing(reason) and str(reason).strip():
            out.append(t("sup.delay_reason", lang, reason=reason))
    elif idle == "late_completion":
        out.append(t("clause.late_completion", lang, days=days))
    if row["review_status"] == "fail":
        sep = "；" if lang == "zh" else "; "
        items = sep.join(
            t("sup.shortfall_item", lang, name=value_label("indicator", i, lang),
              value=fmt_num(row.get(f"shortfall_{i}"), _DIGITS[i])
              if not is_missing(row.get(f"shortfall_{i}")) else t("res.no_value", lang))
            for i in str(row["failing_indicators"]).split(";") if i)
        out.append(t("clause.review_fail", lang, items=items))
    elif row["review_status"] == "missing":
        out.append(t("clause.review_missing", lang))
    if int(row["commitments_overdue"]) > 0:
        out.append(t("clause.commitment", lang, n=int(row["commitments_overdue"])))
    return out


def build_contract_report(ws: Workspace, parcel_id: str, *, lang: str = "zh",
                          as_of: date | str | None = None,
                          table: pd.DataFrame | None = None) -> Report:
    """The supervision report of the contract on ``parcel_id`` (to send to the enterprise).

    ``table`` is :func:`layers.supervision.supervise`'s result for the same date
    (the app passes its own); computed from the workspace when ``None``.
    """
    t0 = time.perf_counter()
    lang = check_lang(lang)
    day = as_date(as_of, ws.as_of)
    table = _table(ws, day, table)
    hit = table[table["parcel_id"].astype(str) == str(parcel_id)]
    if hit.empty:
        raise InputError(f"No contract for parcel {parcel_id!r} in {ws.root}.",
                         hint="Check the parcel id (devzone supervise lists the contracts).",
                         zh=f"工作区 {ws.root} 中没有地块 {parcel_id!r} 的供地合同。",
                         hint_zh="请核对地块编号（devzone supervise 会列出全部合同）。")
    row = hit.iloc[0]
    enterprise = "" if is_missing(row["enterprise"]) else str(row["enterprise"])
    lag = row["start_lag_days"]
    facts = [
        (t("col.enterprise", lang), enterprise or "—"),
        (t("fact.handover", lang), fmt_date(row["handover_date"])),
        (t("fact.agreed", lang), f"{fmt_date(row['agreed_start_date'])} / "
                                 f"{fmt_date(row['agreed_completion_date'])}"),
        (t("fact.actual", lang), f"{fmt_date(row['actual_start_date'])} / "
                                 f"{fmt_date(row['actual_completion_date'])}"),
        (t("fact.construction", lang), value_label("construction", row["construction"], lang)),
        (t("fact.idle", lang), value_label("idle_status", row["idle_status"], lang)
         + (f"（{t('fact.days', lang, n=int(row['days_late']))}）" if lang == "zh"
            and row["days_late"] else
            f" ({t('fact.days', lang, n=int(row['days_late']))})" if row["days_late"] else "")),
        (t("fact.start_lag", lang), "—" if is_missing(lag) else t("fact.days", lang, n=int(lag))),
    ]
    due = fmt_date(row["review_due"])
    review_line = {
        "pending": t("sup.review_pending", lang, due=due),
        "missing": t("sup.review_missing", lang, due=due),
    }.get(row["review_status"]) or t("sup.review_line", lang, due=due,
                                     year=int(row["review_year"]))
    commitments = ws.read("commitments") if ws.has("commitments") else None
    title = t("sup.title", lang)
    ctx = base_context(
        ws, lang=lang, title=title, as_of=day,
        subtitle=t("sup.subtitle", lang, parcel=parcel_id, enterprise=enterprise or "—",
                   date=day.isoformat()),
        sources=_gather.source_rows(ws, {"contracts": len(table)}, lang), missing=[],
        notes=[])
    ctx.update(
        status=value_label("supervision_status", row["status"], lang),
        status_color=STATUS_COLORS.get(str(row["status"]), "#555555"), enterprise=enterprise,
        facts=facts, review_line=review_line, indicators=_indicator_rows(row, lang),
        commitments=_commitment_rows(commitments, str(parcel_id), day, lang),
        findings=_findings(row, lang))
    html = render_html("supervision.html", **ctx)
    return Report(html=html, title=title, lang=lang, seconds=time.perf_counter() - t0,
                  filename=f"supervision_{safe_name(parcel_id)}_{day.isoformat()}")


def _kpis(table: pd.DataFrame, lang: str) -> list[dict[str, str]]:
    s = summarize(table)
    rate = s.start_rate
    return [
        {"label": t("sup.status", lang) + " · " + value_label("supervision_status", "on_track",
                                                              lang),
         "value": str(s.count("status", "on_track"))},
        {"label": value_label("idle_status", "idle", lang),
         "value": str(s.count("idle_status", "idle"))},
        {"label": value_label("idle_status", "idle_recoverable", lang),
         "value": str(s.count("idle_status", "idle_recoverable"))},
        {"label": value_label("review_status", "pass", lang),
         "value": str(s.count("review_status", "pass"))},
        {"label": value_label("review_status", "fail", lang),
         "value": str(s.count("review_status", "fail"))},
        {"label": t("sup.start_rate", lang, days=s.target_days),
         "value": "—" if rate is None else f"{rate:.0%}"},
        {"label": t("sup.median_lag", lang),
         "value": "—" if s.median_start_lag is None else f"{s.median_start_lag:.0f}"},
        {"label": t("sup.overdue_list", lang), "value": str(s.commitments_overdue)},
    ]


def build_supervision_report(ws: Workspace, *, lang: str = "zh", as_of: date | str | None = None,
                             table: pd.DataFrame | None = None) -> Report:
    """The city summary: idle land, reviews passed and failed, 拿地即开工 rate, commitments."""
    t0 = time.perf_counter()
    lang = check_lang(lang)
    day = as_date(as_of, ws.as_of)
    table = _table(ws, day, table)
    s = summarize(table)
    groups = [{"title": t(f"group.{g}", lang),
               "rows": [{"label": value_label(g, r.code, lang), "n": r.n}
                        for r in s.counts[s.counts["group"] == g].itertuples(index=False)]}
              for g in GROUPS if g != "status"]
    idle = table[table["idle_status"].isin(["late_start", "idle", "idle_recoverable"])] \
        .sort_values("days_late", ascending=False)
    failed = table[table["review_status"] == "fail"]
    overdue = table[table["commitments_overdue"] > 0]

    def name(v: object) -> str:
        return "—" if is_missing(v) else str(v)

    def shortfalls(r: pd.Series) -> str:
        return ("、" if lang == "zh" else "; ").join(
            t("sup.shortfall_item", lang, name=value_label("indicator", i, lang),
              value=fmt_num(r.get(f"shortfall_{i}"), _DIGITS[i]))
            for i in str(r["failing_indicators"]).split(";") if i)

    lists = [
        {"title": t("sup.idle_list", lang), "numeric": {5},
         "header": ["ID", t("col.enterprise", lang),
                    t("fact.idle", lang), t("fact.agreed_start", lang), t("col.days_late", lang)],
         "rows": [[r["parcel_id"], name(r["enterprise"]),
                   value_label("idle_status", r["idle_status"], lang),
                   fmt_date(r["agreed_start_date"]), int(r["days_late"])]
                  for _, r in idle.iterrows()]},
        {"title": t("sup.failed_list", lang), "numeric": set(),
         "header": ["ID", t("col.enterprise", lang), t("col.failing", lang)],
         "rows": [[r["parcel_id"], name(r["enterprise"]), shortfalls(r)]
                  for _, r in failed.iterrows()]},
        {"title": t("sup.overdue_list", lang), "numeric": {3},
         "header": ["ID", t("col.enterprise", lang), t("col.count", lang)],
         "rows": [[r["parcel_id"], name(r["enterprise"]), int(r["commitments_overdue"])]
                  for _, r in overdue.iterrows()]},
    ]
    title = t("sup.city_title", lang)
    ctx = base_context(ws, lang=lang, title=title, as_of=day,
                       subtitle=t("sup.city_subtitle", lang, ws=ws.name, date=day.isoformat()),
                       sources=_gather.source_rows(ws, {"contracts": len(table)}, lang),
                       missing=[], notes=[])
    ctx.update(kpis=_kpis(table, lang), groups=groups, lists=lists)
    html = render_html("supervision_city.html", **ctx)
    return Report(html=html, title=title, lang=lang, seconds=time.perf_counter() - t0,
                  filename=f"supervision_city_{day.isoformat()}")


def stock_facts(ws: Workspace, result: object, parcels: pd.DataFrame, zones: object,
                as_of: date, lang: str) -> list[tuple[str, str]]:
    """Two fact rows for a zone report: the stock on offer (and how much of it is ready)
    and the land already supplied, by supervision status."""
    from layers.supervision import NO_CONTRACT, STATUS_ORDER, stock_split
    from layers.supervision.inputs import supervise_workspace

    table = supervise_workspace(ws, as_of) if ws.has("contracts") else None
    split = stock_split(result, parcels, table, zones=zones)  # type: ignore[arg-type]
    ha = t("unit.ha", lang)
    offer = t("stock.offer_fact", lang, n=split.offer.parcels,
              ha=fmt_num(split.offer.total_ha, 2), unit=ha, ready=split.ready_n,
              ready_ha=fmt_num(split.ready_ha, 2))
    sep = "、" if lang == "zh" else ", "
    counts = split.supplied["n"]
    by = sep.join(f"{value_label('supervision_status', code, lang)} {int(counts[code])}"
                  for code in (*STATUS_ORDER, NO_CONTRACT) if code in counts.index)
    supplied = t("stock.supplied_fact", lang, n=split.supplied_n,
                 ha=fmt_num(split.supplied_ha, 2), unit=ha, moved=split.moved_out)
    return [(t("stock.offer", lang), offer),
            (t("stock.supplied", lang), supplied + (t("stock.by_status", lang, list=by)
                                                     if by else ""))]
