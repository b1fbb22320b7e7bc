"""Inspection history: normalising, validating a new inspection, appending it (never rewriting)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from gis.errors import InputError
from gis.measure import area_ha
from layers.access import Actor, Role, require
from layers.catalog import CATALOG
from layers.restoration.stages import MINE_STAGES, is_backwards, parse_stage, stage_label

if TYPE_CHECKING:
    from layers.workspace import Workspace

__all__ = [
    "AREA_TOLERANCE_HA",
    "INSPECTION_COLUMNS",
    "History",
    "Problem",
    "append_inspection",
    "empty_history",
    "inspection_problems",
    "normalize_history",
    "site_area_ha",
    "validate_inspection",
]

INSPECTION_COLUMNS: tuple[str, ...] = tuple(CATALOG["inspections"].names)
# Restored areas are reported to 0.01 ha; anything beyond that over the site is an error.
AREA_TOLERANCE_HA = 0.01


@dataclass(frozen=True)
class Problem:
    """One reason a new inspection is refused: the field, a short code, and zh/en text."""

    field: str
    code: str
    en: str
    zh: str

    def __str__(self) -> str:
        return self.en


def empty_history() -> pd.DataFrame:
    """An inspections table with no rows and the catalogue's columns and types."""
    return normalize_history(pd.DataFrame({c: [] for c in INSPECTION_COLUMNS}))


def _to_ts(value: Any) -> pd.Timestamp | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    return None if pd.isna(ts) else ts.normalize()


@dataclass(frozen=True)
class History:
    """Normalised inspections (:func:`normalize_history`) and how many rows were dropped."""

    frame: pd.DataFrame
    dropped: int = 0

    @classmethod
    def of(cls, df: pd.DataFrame | None) -> History:
        """Normalise ``df``; rows without a site, a date or a known stage are dropped, counted."""
        if df is None:
            df = pd.DataFrame({c: [] for c in INSPECTION_COLUMNS})
        out = pd.DataFrame(df).copy()
        for col in INSPECTION_COLUMNS:
            if col not in out.columns:
                out[col] = pd.NA
        out["_row"] = range(len(out))
        out["site_id"] = out["site_id"].astype("string").str.strip()
        out["date"] = pd.to_datetime(out["date"], errors="coerce", format="mixed"
                                     ).astype("datetime64[ns]").dt.normalize()
        out["stage"] = out["stage"].map(parse_stage).astype("string")
        for col in ("restored_area_ha", "veg_cover_pct"):
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64")
        ok = out["site_id"].notna() & (out["site_id"] != "") & out["date"].notna() \
            & out["stage"].notna()
        frame = out[ok].sort_values(["site_id", "date", "_row"], kind="stable")
        return cls(frame=frame.reset_index(drop=True), dropped=int((~ok).sum()))


def normalize_history(df: pd.DataFrame | None) -> pd.DataFrame:
    """Inspections with ``site_id`` as text, ``date`` as datetime64, known stages only.

    Rows keep their original order in ``_row`` (a later row wins a tie on date)
    and are sorted by site, date and that order. Rows without a site, a date or
    a known stage are dropped; :meth:`History.of` also counts them.
    """
    return History.of(df).frame


def site_area_ha(geometry: object) -> float:
    """Geometric area of a polygon in hectares (the geometry must be in a metric CRS)."""
    return float(area_ha(geometry))


def _num(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, str) and not value.strip():
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return float("nan")
    return None if math.isnan(out) and not isinstance(value, str) else out


def validate_inspection(history_for_site: pd.DataFrame | None, site_row: Mapping[str, Any],
                        new_row: Mapping[str, Any], *, today: date | None = None
                        ) -> list[Problem]:
    """Everything wrong with appending ``new_row`` to a site's inspection history.

    Checks: a known stage; a date that is neither in the future nor before the
    last inspection; no move backwards without a ``note`` giving the reason;
    a restored area between 0 and the site's geometric area; a vegetation
    cover between 0 and 100 %.

    Parameters
    ----------
    history_for_site
        The site's earlier inspections (any order; see :func:`normalize_history`).
    site_row
        The site's feature: ``site_id``, ``stage``, ``geometry`` (analysis CRS).
    new_row
        ``date``, ``stage`` and optionally ``restored_area_ha``, ``veg_cover_pct``, ``note``.
    today
        The date after which inspections are "in the future"; default today.

    Returns
    -------
    list of :class:`Problem` — empty when the inspection may be appended.
    """
    today = today or date.today()
    site = str(site_row.get("site_id", "?"))
    problems: list[Problem] = []
    hist = normalize_history(history_for_site)
    stage = parse_stage(new_row.get("stage"))
    if stage is None:
        problems.append(Problem(
            "stage", "unknown_stage",
            f"Site {site}: stage {new_row.get('stage')!r} is not a restoration stage; use one "
            f"of {', '.join(MINE_STAGES)} (or the Chinese label).",
            f"图斑 {site}：阶段 {new_row.get('stage')!r} 无效，应为 "
            f"{'、'.join(stage_label(s) for s in MINE_STAGES)} 之一。"))
    when = _to_ts(new_row.get("date"))
    last = hist["date"].max() if len(hist) else None
    if when is None:
        problems.append(Problem(
            "date", "bad_date",
            f"Site {site}: inspection date {new_row.get('date')!r} is not a date; use "
            "YYYY-MM-DD.",
            f"图斑 {site}：巡查日期 {new_row.get('date')!r} 不是有效日期，应为 YYYY-MM-DD。"))
    elif when > pd.Timestamp(today):
        problems.append(Problem(
            "date", "future_date",
            f"Site {site}: inspection date {when.date()} is in the future (today is {today}); "
            "record inspections on or after they happen.",
            f"图斑 {site}：巡查日期 {when.date()} 晚于今天（{today}），不能登记未来的巡查。"))
    elif last is not None and when < last:
        problems.append(Problem(
            "date", "before_last",
            f"Site {site}: inspection date {when.date()} is before the last inspection "
            f"({last.date()}); history is append-only, so use a date on or after it.",
            f"图斑 {site}：巡查日期 {when.date()} 早于上次巡查（{last.date()}），"
            "巡查记录只能追加。"))
    current = (str(hist["stage"].iloc[-1]) if len(hist)
               else parse_stage(site_row.get("stage")))
    note = new_row.get("note")
    has_note = isinstance(note, str) and bool(note.strip())
    if stage is not None and current is not None and is_backwards(current, stage) \
            and not has_note:
        problems.append(Problem(
            "stage", "backwards_without_reason",
            f"Site {site}: stage {stage} comes before the current stage {current}; a move "
            "backwards needs the reason in the note (--note).",
            f"图斑 {site}：阶段由“{stage_label(current)}”退回“{stage_label(stage)}”，"
            "须在备注中说明原因。"))
    restored = _num(new_row.get("restored_area_ha"))
    area = site_area_ha(site_row.get("geometry"))
    if restored is not None:
        if math.isnan(restored) or restored < 0:
            problems.append(Problem(
                "restored_area_ha", "bad_area",
                f"Site {site}: restored area {new_row.get('restored_area_ha')!r} is not a "
                "non-negative number of hectares.",
                f"图斑 {site}：已修复面积 {new_row.get('restored_area_ha')!r} "
                "应为非负数（公顷）。"))
        elif not math.isnan(area) and restored > area + AREA_TOLERANCE_HA:
            problems.append(Problem(
                "restored_area_ha", "restored_exceeds_area",
                f"Site {site}: restored area {restored:g} ha is larger than the site "
                f"({area:.2f} ha); check the figure or the site boundary.",
                f"图斑 {site}：已修复面积 {restored:g} 公顷大于图斑面积 {area:.2f} 公顷。"))
    cover = _num(new_row.get("veg_cover_pct"))
    if cover is not None and (math.isnan(cover) or not 0 <= cover <= 100):
        problems.append(Problem(
            "veg_cover_pct", "bad_cover",
            f"Site {site}: vegetation cover {new_row.get('veg_cover_pct')!r} is not a "
            "percentage between 0 and 100.",
            f"图斑 {site}：植被覆盖度 {new_row.get('veg_cover_pct')!r} 应在 0–100 之间。"))
    return problems


def _clean_row(row: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(row) - set(INSPECTION_COLUMNS)
    if unknown:
        raise InputError(f"Inspection has unknown fields {sorted(unknown)}.",
                         hint=f"Use only {', '.join(INSPECTION_COLUMNS)}.",
                         zh=f"巡查记录含有未知字段 {sorted(unknown)}。",
                         hint_zh=f"只能使用 {'、'.join(INSPECTION_COLUMNS)}。")
    site = str(row.get("site_id") or "").strip()
    if not site:
        raise InputError("Inspection has no site_id.", hint="Name the mine site (图斑编号).",
                         zh="巡查记录缺少图斑编号（site_id）。",
                         hint_zh="请填写所巡查的矿山图斑编号。")
    return {**{c: None for c in INSPECTION_COLUMNS}, **row, "site_id": site}


def _one_row_frame(row: Mapping[str, Any]) -> pd.DataFrame:
    """The inspection as a one-row table in catalogue column order and types."""
    data = {
        "site_id": [row["site_id"]],
        "date": [pd.Timestamp(row["date"]).normalize()],
        "stage": [row["stage"]],
        "restored_area_ha": [_num(row.get("restored_area_ha"))],
        "veg_cover_pct": [_num(row.get("veg_cover_pct"))],
        "note": [row.get("note") or None],
        "recorded_by": [row.get("recorded_by") or None],
    }
    df = pd.DataFrame(data)
    df["date"] = df["date"].astype("datetime64[ms]")
    for col in ("restored_area_ha", "veg_cover_pct"):
        df[col] = df[col].astype("float64")
    for col in ("site_id", "stage", "note", "recorded_by"):
        df[col] = df[col].astype("string")
    return df


def _mines(ws: Workspace) -> pd.DataFrame:
    return ws.read_required("mines", needed_for="recording inspections",
                            needed_for_zh="登记巡查")


def _unknown_site(site: str, ws: Workspace, ids: pd.Series) -> Problem:
    sample = ", ".join(ids.dropna().head(5))
    return Problem(
        "site_id", "unknown_site",
        f"Site {site!r} is not in the mines layer of {ws.root}; use a site_id of that layer "
        f"(e.g. {sample}).",
        f"图斑 {site!r} 不在 {ws.root} 的矿山修复图斑图层中，请使用该图层中的图斑编号"
        f"（如 {sample}）。")


def _site_rows(mines: pd.DataFrame, wanted: set[str]
               ) -> tuple[pd.Series, dict[str, dict[str, Any]]]:
    """The mines' ids (stripped text) and the first feature of each ``wanted`` site."""
    ids = mines["site_id"].astype("string").str.strip()
    sites: dict[str, dict[str, Any]] = {}
    for pos in np.flatnonzero(ids.isin(wanted).fillna(False).to_numpy(dtype=bool)):
        site = ids.iloc[pos]
        if site not in sites:
            row = mines.iloc[pos].to_dict()
            row["geometry"] = mines.geometry.iloc[pos]
            sites[str(site)] = row
    return ids, sites


def inspection_problems(ws: Workspace, rows: pd.DataFrame, *, today: date | None = None
                        ) -> list[tuple[int, Problem]]:
    """Check inspections to be imported as :func:`append_inspection` checks one.

    ``rows`` are normalised inspections (``site_id``, ``date``, ``stage`` …).
    They are checked in date order per site, each against the site, the
    workspace's history and the rows before it, so an import cannot bring in
    what ``devzone inspect`` would refuse (a future date, an area below zero or
    above the site, a cover outside 0–100 %, an unknown stage or site, a date
    before the last inspection, a move backwards without a note).

    Returns ``(position in rows, problem)`` pairs; empty when all may be appended.
    """
    wanted = set(rows["site_id"].astype("string").str.strip().dropna())
    ids, sites = _site_rows(_mines(ws), wanted)
    history = normalize_history(ws.read("inspections"))
    by_site = {str(k): g for k, g in history.groupby("site_id")}
    order = rows.assign(_pos=range(len(rows)),
                        _site=rows["site_id"].astype("string").str.strip(),
                        _day=pd.to_datetime(rows["date"], errors="coerce", format="mixed"))
    order = order.sort_values(["_site", "_day", "_pos"], kind="stable", na_position="first")
    found: list[tuple[int, Problem]] = []
    for rec in order.to_dict("records"):
        pos, site = int(rec.pop("_pos")), rec.pop("_site")
        rec.pop("_day")
        site_row = sites.get(str(site)) if pd.notna(site) else None
        if site_row is None:
            found.append((pos, _unknown_site(str(rec.get("site_id")), ws, ids)))
            continue
        earlier = by_site.get(str(site))
        problems = validate_inspection(earlier, site_row, rec, today=today)
        found.extend((pos, p) for p in problems)
        if not problems:
            new = pd.DataFrame([{c: rec.get(c) for c in INSPECTION_COLUMNS}])
            by_site[str(site)] = new if earlier is None else pd.concat(
                [earlier[list(INSPECTION_COLUMNS)], new], ignore_index=True)
    return sorted(found, key=lambda item: item[0])


def append_inspection(ws: Workspace, row: Mapping[str, Any], *, actor: Actor,
                      today: date | None = None) -> pd.DataFrame:
    """Validate one inspection against the site and its history, then append it.

    Needs the ``inspector`` role; ``recorded_by`` is the actor's name. Reading the
    history, validating and appending happen under the workspace lock (see
    :meth:`layers.workspace.Workspace.writing`), so concurrent writers neither
    lose rows nor validate against a stale history; the append is audited.
    Earlier rows are never rewritten.

    Raises
    ------
    AccessError
        The actor's role is below ``inspector``.
    InputError
        Unknown site, ``recorded_by`` naming someone else, or the problems
        :func:`validate_inspection` found (one sentence each).

    Returns
    -------
    The appended row as a one-row DataFrame.
    """
    require(actor, Role.inspector, "record inspections", "登记巡查记录")
    clean = _clean_row(row)
    given = clean.get("recorded_by")
    if given is not None and str(given).strip() not in ("", actor.name):
        raise InputError(
            f"Inspection of site {clean['site_id']}: recorded_by is the signed-in user "
            f"({actor.name}) and cannot be set to {given!r}.",
            hint="Sign in as the inspector who made the inspection.",
            zh=f"图斑 {clean['site_id']} 的巡查记录：记录人为当前登录用户（{actor.name}），"
            f"不能填写为 {given!r}。", hint_zh="请以实际巡查人的账号登录后登记。")
    clean["recorded_by"] = actor.name
    note = f"site {clean['site_id']}, {clean.get('date')}"
    with ws.writing(actor, "inspect", role=Role.inspector, note=note) as tx:
        ids, sites = _site_rows(_mines(tx.ws), {clean["site_id"]})
        site_row = sites.get(clean["site_id"])
        if site_row is None:
            problem = _unknown_site(clean["site_id"], tx.ws, ids)
            raise InputError(problem.en, zh=problem.zh)
        history = normalize_history(tx.read("inspections"))
        history = history[history["site_id"] == clean["site_id"]]
        problems = validate_inspection(history, site_row, clean, today=today)
        if problems:
            raise InputError(" ".join(str(p) for p in problems),
                             zh="".join(p.zh for p in problems))
        clean["stage"] = parse_stage(clean["stage"])
        frame = _one_row_frame(clean)
        tx.append("inspections", frame)
    return frame
