"""Progress of every restoration site as of a date: stage, area, overdue, forecast, NDVI, flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.errors import InputError
from gis.measure import area_ha
from layers.restoration.inputs import Note, RestorationInputs
from layers.restoration.inspections import AREA_TOLERANCE_HA, History
from layers.restoration.ndvi import endmembers, reference_rings, zonal_ndvi
from layers.restoration.stages import (
    ACCEPTED_STAGES,
    ACTIVE_STAGES,
    FLAG_CODES,
    FLAG_LABELS,
    STAGE_LABELS,
    parse_stage,
    stage_index,
)
from layers.settings import RestorationSettings

__all__ = ["LEAD_COLUMNS", "ProgressResult", "progress"]

LEAD_COLUMNS = ("site_id", "stage", "progress_pct", "days_overdue")
_IN_PROGRESS = stage_index("in_progress")
_COMPLETED = stage_index("completed")


def _as_ts(value: date | str | pd.Timestamp) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError):
        ts = pd.NaT
    if pd.isna(ts):
        raise InputError(f"as_of {value!r} is not a date.", hint="Use YYYY-MM-DD.",
                         zh=f"评估日期 {value!r} 不是有效日期。",
                         hint_zh="请使用 YYYY-MM-DD 格式。")
    return ts.normalize()


def _dates(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    return pd.to_datetime(frame[col], errors="coerce", format="mixed"
                          ).astype("datetime64[ns]").dt.normalize()


def _floats(frame: pd.DataFrame, col: str) -> pd.Series:
    if col not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[col], errors="coerce").astype("float64")


def _check_mines(mines: gpd.GeoDataFrame) -> None:
    missing = [c for c in ("site_id", "stage") if c not in mines.columns]
    if missing:
        raise InputError(f"The mines layer lacks column(s) {', '.join(missing)}.",
                         hint="Add them or use their Chinese names (图斑编号, 阶段).",
                         zh=f"矿山修复图斑（mines）图层缺少字段 {'、'.join(missing)}。",
                         hint_zh="请添加这些字段，或使用其中文字段名（图斑编号、阶段）。")
    if mines.crs is None or not mines.crs.is_projected:
        raise InputError(f"The mines layer is in {mines.crs or 'no CRS'}, not a metric CRS.",
                         hint="Reproject it to the workspace's analysis CRS (e.g. EPSG:4547).",
                         zh=f"矿山修复图斑（mines）图层的坐标系为 {mines.crs or '无'}，"
                         "不是以米为单位的投影坐标系。",
                         hint_zh="请将其投影到工作区的分析坐标系（如 EPSG:4547）。")


def _forecast(hist: pd.DataFrame, start: pd.Timestamp, area: float
              ) -> tuple[pd.Timestamp, tuple[str, str] | None]:
    """Date the linear trend of restored area reaches ``area``; NaT and a (zh, en) note
    if it cannot."""
    pts = hist.loc[hist["restored_area_ha"].notna(), ["date", "restored_area_ha"]]
    days = list((pts["date"] - pd.Timestamp(0)).dt.days.astype(float))
    vals = list(pts["restored_area_ha"])
    if len(pts) < 2 and pd.notna(start) and (not days or start < pts["date"].iloc[0]):
        days.insert(0, float((start - pd.Timestamp(0)).days))
        vals.insert(0, 0.0)
    if len(set(days)) < 2 or not np.isfinite(area) or area <= 0:
        return pd.NaT, ("巡查记录太少，无法预测完工日期", "too few inspections for a forecast")
    slope, intercept = np.polyfit(np.asarray(days), np.asarray(vals), 1)
    if slope <= 1e-9:
        return pd.NaT, ("巡查记录显示修复面积没有进展", "no progress in the inspection trend")
    reach = (area - intercept) / slope
    when = pd.Timestamp(0) + pd.Timedelta(days=float(np.ceil(max(reach, max(days)) - 1e-6)))
    return when.normalize(), None


def _site(row: dict[str, Any], hist: pd.DataFrame, area: float, as_of: pd.Timestamp,
          stale_days: int) -> dict[str, Any]:
    """The per-site figures that come from attributes and the inspection history."""
    notes: list[tuple[str, str]] = []  # (zh, en)
    site_stage = parse_stage(row.get("stage"))
    stage: str | None
    if len(hist):
        stage = str(hist["stage"].iloc[-1])
    else:
        stage = site_stage
        if stage is None:
            notes.append((f"阶段 {row.get('stage')!r} 无法识别",
                          f"stage {row.get('stage')!r} unknown"))
    with_area = hist["restored_area_ha"].dropna()
    restored = float(with_area.iloc[-1]) if len(with_area) else row["_restored_attr"]
    idx = stage_index(stage) if stage else -1
    start, target = row["_start"], row["_target"]

    stages_idx = [stage_index(s) for s in hist["stage"]]
    back = [i for i in range(1, len(stages_idx)) if stages_idx[i] < stages_idx[i - 1]]
    back_note = ""
    if back:
        note = hist["note"].iloc[back[-1]]
        back_note = str(note) if isinstance(note, str) else ""

    completed_on = pd.NaT
    if idx >= _COMPLETED and len(hist):
        below = [i for i, s in enumerate(stages_idx) if s < _COMPLETED]
        if below and below[-1] + 1 < len(hist):
            completed_on = hist["date"].iloc[below[-1] + 1]

    days_overdue = 0
    if 0 <= idx < _COMPLETED and pd.notna(target) and as_of > target:
        days_overdue = int((as_of - target).days)

    forecast = pd.NaT
    if _IN_PROGRESS <= idx < _COMPLETED:
        forecast, why = _forecast(hist, start, area)
        if why:
            notes.append(why)

    last = hist["date"].iloc[-1] if len(hist) else pd.NaT
    since = int((as_of - last).days) if pd.notna(last) else np.nan
    stale = stage in ACTIVE_STAGES and (pd.isna(last) or since >= stale_days)

    exceeds = bool(np.isfinite(restored) and np.isfinite(area)
                   and restored > area + AREA_TOLERANCE_HA)
    pct = (min(100.0, 100.0 * restored / area) if np.isfinite(restored) and area > 0
           else np.nan)
    cover = hist["veg_cover_pct"].dropna()
    flags = {
        "overdue": days_overdue > 0,
        "forecast_late": bool(pd.notna(forecast) and pd.notna(target) and forecast > target),
        "stale_inspection": bool(stale),
        "stage_backwards": bool(back),
        "restored_exceeds_area": exceeds,
    }
    return {
        "stage": stage,
        "progress_pct": pct,
        "days_overdue": days_overdue,
        "restored_area_ha": restored,
        "planned_days": (target - start).days if pd.notna(start) and pd.notna(target)
        else np.nan,
        "actual_days": (completed_on - start).days if pd.notna(completed_on) and pd.notna(start)
        else np.nan,
        "elapsed_days": (as_of - start).days if pd.notna(start) and idx < _COMPLETED
        and as_of >= start else np.nan,
        "completed_on": completed_on,
        "completion_delay_days": (completed_on - target).days
        if pd.notna(completed_on) and pd.notna(target) else np.nan,
        "forecast_date": forecast,
        "last_inspection": last,
        "days_since_inspection": since,
        "n_inspections": len(hist),
        "inspected_veg_cover_pct": float(cover.iloc[-1]) if len(cover) else np.nan,
        "backwards_note": back_note,
        "_flags": flags,
        "_notes": notes,
    }


@dataclass(frozen=True)
class ProgressResult:
    """The per-site progress table and what was learnt computing it.

    Attributes
    ----------
    sites
        One row per site (see :func:`progress`).
    notes
        What was missing or unreliable, as bilingual :class:`~gis.io.Note` s.
    endmembers
        The soil and vegetation NDVI of each epoch's scene.
    as_of
        The evaluation date, ``YYYY-MM-DD``.
    """

    sites: gpd.GeoDataFrame
    notes: list[Note] = field(default_factory=list)
    endmembers: dict[str, tuple[float, float]] = field(default_factory=dict)
    as_of: str = ""


def progress(inputs: RestorationInputs, *, as_of: date | str | pd.Timestamp,
             settings: RestorationSettings | None = None) -> ProgressResult:
    """Progress of each restoration site as of ``as_of`` (docs/restoration.md).

    Only inspections dated on or before ``as_of`` count. The current stage and
    restored area are those of the latest inspection (a later row wins a tie on
    date), else the site's attributes.

    Parameters
    ----------
    inputs
        Sites, inspections and NDVI sources (see :class:`RestorationInputs`).
    as_of
        The evaluation date.
    settings
        Reference ring, days without inspection, low-vegetation ratio, NDVI
        block size and endmembers (default :class:`~layers.settings.RestorationSettings`).

    Returns
    -------
    :class:`ProgressResult`: ``sites``, a GeoDataFrame with one row per site,
    columns ``site_id, stage, progress_pct, days_overdue, ndvi_<epoch>…,
    ndvi_change, flags`` first, then labels, areas, dates, durations, forecast,
    vegetation cover and reference ring, budget and the per-site notes
    (``notes``, ``notes_en``); ``notes``, what was missing or unreliable;
    ``endmembers``, the soil/vegetation NDVI per epoch.
    """
    cfg = settings if settings is not None else RestorationSettings()
    mines = inputs.mines
    _check_mines(mines)
    as_of_ts = _as_ts(as_of)
    notes = list(inputs.notes)
    sites = mines.reset_index(drop=True).copy()
    _normalise_site_ids(sites)
    area = np.asarray(area_ha(sites.geometry))
    sites["_restored_attr"] = _floats(sites, "restored_area_ha")
    sites["_start"] = _dates(sites, "start_date")
    sites["_target"] = _dates(sites, "target_date")
    _fill_county(sites, inputs.counties, notes)

    history = History.of(inputs.inspections)
    hist = history.frame
    _history_notes(history, set(sites["site_id"]), notes)
    hist = hist[hist["date"] <= as_of_ts]
    by_site = {k: g for k, g in hist.groupby("site_id", sort=False)}
    empty = hist.iloc[0:0]

    rows = []
    for pos, row in enumerate(sites.drop(columns=sites.geometry.name).to_dict("records")):
        rows.append(_site(row, by_site.get(row["site_id"], empty), float(area[pos]), as_of_ts,
                          cfg.stale_days))
    per = pd.DataFrame(rows, index=sites.index)

    epochs = sorted(inputs.ndvi)
    ndvi_cols = [f"ndvi_{e}" for e in epochs]
    site_notes = [list(r["_notes"]) for r in rows]
    veg, ends = _vegetation(sites, inputs, epochs, cfg, notes, site_notes)
    low = per["stage"].isin(ACCEPTED_STAGES) & (veg["veg_cover_ratio"] < cfg.low_veg_ratio)

    flag_lists = _flag_lists(rows, low)

    out = pd.DataFrame({"site_id": sites["site_id"]})
    out["stage"] = per["stage"].astype("string")
    out["progress_pct"] = per["progress_pct"].astype("float64").round(2)
    out["days_overdue"] = per["days_overdue"].astype("int64")
    for c in ndvi_cols:
        out[c] = veg[c].round(4)
    out["ndvi_change"] = veg["ndvi_change"].round(4)
    out["flags"] = pd.array([";".join(f) for f in flag_lists], dtype="string")
    out["stage_zh"] = out["stage"].map(lambda s: STAGE_LABELS[s][0] if isinstance(s, str)
                                       else pd.NA).astype("string")
    out["stage_en"] = out["stage"].map(lambda s: STAGE_LABELS[s][1] if isinstance(s, str)
                                       else pd.NA).astype("string")
    for c in ("name", "county", "mode", "mineral", "damage_type"):
        if c in sites.columns:
            out[c] = sites[c]
    out["site_area_ha"] = np.round(area, 4)
    if "area_ha" in sites.columns:
        out["declared_area_ha"] = _floats(sites, "area_ha")
    out["restored_area_ha"] = per["restored_area_ha"].astype("float64").round(4)
    out["start_date"] = sites["_start"]
    out["target_date"] = sites["_target"]
    for c in ("planned_days", "actual_days", "elapsed_days", "completion_delay_days",
              "days_since_inspection"):
        out[c] = pd.array(per[c], dtype="Int64")
    for c in ("completed_on", "forecast_date", "last_inspection"):
        out[c] = pd.to_datetime(per[c]).astype("datetime64[ns]")
    out["n_inspections"] = per["n_inspections"].astype("int64")
    out["inspected_veg_cover_pct"] = per["inspected_veg_cover_pct"]
    for c in ("veg_cover_pct", "ref_ndvi", "ref_veg_cover_pct", "veg_cover_ratio"):
        out[c] = veg[c].round(4)
    for e in epochs:
        out[f"ref_ndvi_{e}"] = veg[f"ref_ndvi_{e}"].round(4)
        out[f"veg_cover_{e}"] = veg[f"veg_cover_{e}"].round(2)
    for c in ("budget_wan", "spent_wan"):
        if c in sites.columns:
            out[c] = _floats(sites, c)
    out["backwards_note"] = per["backwards_note"].astype("string")
    out["flags_zh"] = pd.array(["；".join(FLAG_LABELS[c][0] for c in f) for f in flag_lists],
                               dtype="string")
    out["flags_en"] = pd.array(["; ".join(FLAG_LABELS[c][1] for c in f) for f in flag_lists],
                               dtype="string")
    out["notes"] = pd.array(["；".join(zh for zh, _ in n) for n in site_notes], dtype="string")
    out["notes_en"] = pd.array(["; ".join(en for _, en in n) for n in site_notes],
                               dtype="string")
    gdf = gpd.GeoDataFrame(out, geometry=sites.geometry.to_numpy(), crs=sites.crs)
    return ProgressResult(sites=gdf, notes=notes, endmembers=ends,
                          as_of=as_of_ts.date().isoformat())


def _normalise_site_ids(sites: gpd.GeoDataFrame) -> None:
    """Strip ``site_id`` in place; refuse a layer that repeats one."""
    sites["site_id"] = sites["site_id"].astype("string").str.strip()
    if sites["site_id"].duplicated().any():
        dup = sites.loc[sites["site_id"].duplicated(), "site_id"].unique()[:5]
        raise InputError(f"The mines layer repeats site_id {', '.join(map(str, dup))}.",
                         hint="Give every restoration site its own 图斑编号.",
                         zh="矿山修复图斑（mines）图层中图斑编号重复："
                         f"{'、'.join(map(str, dup))}。",
                         hint_zh="请为每个修复图斑设置唯一的图斑编号。")


def _history_notes(history: History, site_ids: set[str], notes: list[Note]) -> None:
    """Note the inspection rows dropped and the inspections naming unknown sites."""
    hist = history.frame
    if history.dropped:
        n = history.dropped
        notes.append(Note("warning", "inspections_dropped",
                          f"{n} inspection rows without site, date or known stage were ignored",
                          f"{n} 条巡查记录缺少图斑编号、日期或有效阶段，已忽略", n))
    unknown = sorted(set(hist["site_id"]) - site_ids)
    if unknown:
        notes.append(Note("warning", "unknown_sites",
                          f"inspections name {len(unknown)} unknown site(s): "
                          f"{', '.join(unknown[:5])}",
                          f"巡查记录中有 {len(unknown)} 个图斑不在矿山图层中："
                          f"{'、'.join(unknown[:5])}", len(unknown)))


def _vegetation(sites: gpd.GeoDataFrame, inputs: RestorationInputs, epochs: list[str],
                cfg: RestorationSettings, notes: list[Note],
                site_notes: list[list[tuple[str, str]]],
                ) -> tuple[pd.DataFrame, dict[str, tuple[float, float]]]:
    """NDVI and vegetation cover per site and epoch, with the reference ring's, and the
    scene endmembers; appends scene notes to ``notes`` and per-site ones to ``site_notes``."""
    veg = pd.DataFrame(index=sites.index)
    ends: dict[str, tuple[float, float]] = {}
    if epochs:
        rings = reference_rings(sites.geometry, inner=cfg.ring_inner_m, outer=cfg.ring_outer_m)
        masks: dict = {}  # shared by epochs on the same grid
        for e in epochs:
            src = inputs.ndvi[e]
            ends[e] = endmembers(src.values(max_cells=cfg.scene_sample_cells),
                                 low=cfg.endmember_low, high=cfg.endmember_high, label=e)
            if ends[e][1] - ends[e][0] < cfg.min_endmember_spread:
                lo, hi = f"{cfg.endmember_low:g}", f"{cfg.endmember_high:g}"
                notes.append(Note(
                    "warning", "endmembers_close",
                    f"NDVI {e}: the scene's {lo} %/{hi} % endmembers (soil {ends[e][0]:.2f}, "
                    f"vegetation {ends[e][1]:.2f}) are close together, so vegetation cover "
                    "and the low_vegetation flag are unreliable; use a scene that includes "
                    "bare ground and full vegetation",
                    f"NDVI {e}：影像的 {lo}%/{hi}% 端元（裸土 {ends[e][0]:.2f}，植被 "
                    f"{ends[e][1]:.2f}）过于接近，植被覆盖度及“{FLAG_LABELS['low_vegetation'][0]}”"
                    "标记不可靠；请使用同时包含裸地和茂密植被的影像"))
            z = zonal_ndvi(sites.geometry, rings, src, soil_veg=ends[e], tile=cfg.tile_m,
                           label=e, mask_cache=masks)
            veg[f"ndvi_{e}"] = z["ndvi"]
            veg[f"ref_ndvi_{e}"] = z["ref_ndvi"]
            veg[f"veg_cover_{e}"] = z["veg_cover"] * 100.0
            veg[f"ref_veg_cover_{e}"] = z["ref_veg_cover"] * 100.0
            for i, (zh, en) in enumerate(zip(z["note"], z["note_en"], strict=True)):
                if isinstance(zh, str) and zh:
                    site_notes[i].append((zh, en))
            missing = int(z["ndvi"].isna().sum())
            if missing:
                notes.append(Note("warning", "ndvi_missing",
                                  f"NDVI {e}: no value for {missing} of {len(sites)} sites",
                                  f"NDVI {e}：{len(sites)} 个图斑中有 {missing} 个无取值",
                                  missing))
        last = epochs[-1]
        veg["ndvi_change"] = (veg[f"ndvi_{last}"] - veg[f"ndvi_{epochs[0]}"]
                              if len(epochs) > 1 else np.nan)
        veg["veg_cover_pct"] = veg[f"veg_cover_{last}"]
        veg["ref_ndvi"] = veg[f"ref_ndvi_{last}"]
        veg["ref_veg_cover_pct"] = veg[f"ref_veg_cover_{last}"]
    else:
        for c in ("ndvi_change", "veg_cover_pct", "ref_ndvi", "ref_veg_cover_pct"):
            veg[c] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = veg["veg_cover_pct"] / veg["ref_veg_cover_pct"]
    veg["veg_cover_ratio"] = ratio.where(veg["ref_veg_cover_pct"] > 0)
    return veg, ends



def _flag_lists(rows: list[dict[str, Any]], low: pd.Series) -> list[list[str]]:
    """Each site's raised flags in :data:`FLAG_CODES` order (``low``: low vegetation)."""
    flag_lists = []
    for i, r in enumerate(rows):
        f = dict(r["_flags"], low_vegetation=bool(low.iloc[i]))
        flag_lists.append([c for c in FLAG_CODES if f[c]])
    return flag_lists

def _fill_county(sites: gpd.GeoDataFrame, counties: gpd.GeoDataFrame | None,
                 notes: list[Note]) -> None:
    """Fill missing ``county`` values from the county polygon holding each site."""
    if counties is None or "county" not in counties.columns or len(counties) == 0:
        return
    if "county" not in sites.columns:
        sites["county"] = pd.array([pd.NA] * len(sites), dtype="string")
    todo = sites["county"].isna()
    if not todo.any():
        return
    pts = gpd.GeoDataFrame(geometry=sites.loc[todo].representative_point(), crs=sites.crs)
    c = counties[["county", counties.geometry.name]].to_crs(sites.crs)
    hit = gpd.sjoin(pts, c, how="left", predicate="within")
    hit = hit[~hit.index.duplicated()]
    sites.loc[todo, "county"] = hit["county"].astype("string")
    n = int(hit["county"].notna().sum())
    notes.append(Note("info", "county_filled",
                      f"county taken from the counties layer for {n} site(s)",
                      f"{n} 个图斑的所属县区取自县域图层", n))
