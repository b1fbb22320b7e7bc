"""Which sites to restore first: visibility from the tourism road and towns, plus open problems."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from layers.restoration.inputs import Note, RestorationInputs
from layers.restoration.stages import DONE_STAGES
from layers.settings import RestorationSettings

__all__ = ["DEFAULT_WEIGHTS", "PRIORITY_COLUMNS", "PriorityResult", "priorities"]

# Points per criterion; a city changes them with ``weights=``.
DEFAULT_WEIGHTS: dict[str, float] = {
    "road": 3.0,          # visible from the Taihang tourism road
    "town": 2.0,          # next to a town (residents)
    "unfinished": 2.0,    # works not completed yet
    "overdue": 2.0,
    "low_vegetation": 2.0,
    "forecast_late": 1.0,
    "stale_inspection": 1.0,
    "stage_backwards": 1.0,
}
PRIORITY_COLUMNS = ("priority_rank", "site_id", "priority_score", "road_distance_m",
                    "town_distance_m", "nearest_town", "remaining_ha", "reasons_zh",
                    "reasons_en")

_FLAG_REASONS = {
    "overdue": ("逾期未完工", "overdue"),
    "low_vegetation": ("已验收但植被明显低于周边", "accepted but vegetation well below "
                       "surroundings"),
    "forecast_late": ("预计无法按期完工", "forecast misses the target date"),
    "stale_inspection": ("长期未巡查", "no recent inspection"),
    "stage_backwards": ("阶段倒退", "stage moved backwards"),
}


def _distances(sites: gpd.GeoSeries, layer: gpd.GeoDataFrame | None, *, points: bool = False
               ) -> tuple[np.ndarray, np.ndarray]:
    """Distance (m) from each site to the nearest feature of ``layer``, and that feature."""
    n = len(sites)
    if layer is None or len(layer) == 0:
        return np.full(n, np.nan), np.full(n, -1)
    geoms = layer.to_crs(sites.crs).geometry
    if points:
        geoms = geoms.representative_point()
    geoms = geoms[~(geoms.is_empty | geoms.isna())].to_numpy()
    if len(geoms) == 0:
        return np.full(n, np.nan), np.full(n, -1)
    tree = shapely.STRtree(geoms)
    idx = tree.nearest(sites.to_numpy())
    dist = shapely.distance(sites.to_numpy(), geoms[idx])
    return np.asarray(dist, dtype="float64"), np.asarray(idx)


@dataclass(frozen=True)
class PriorityResult:
    """The ranking (:data:`PRIORITY_COLUMNS`) and the criteria dropped for missing layers."""

    ranking: pd.DataFrame
    notes: list[Note] = field(default_factory=list)


def priorities(progress_df: gpd.GeoDataFrame, inputs: RestorationInputs, *,
               settings: RestorationSettings | None = None,
               weights: dict[str, float] | None = None) -> PriorityResult:
    """Rank the sites: visible ones (near the tourism road or a town) and open problems first.

    Points (:data:`DEFAULT_WEIGHTS`) add up: within ``settings.road_distance_m`` of
    the Taihang tourism road, within ``settings.town_distance_m`` of a town (default
    :class:`~layers.settings.RestorationSettings`), works not yet
    completed, and each open flag. Visibility counts only for a site with
    something to do: a completed site without open flags scores 0. Ties are
    broken by the unrestored area (larger first), then by distance to the road.
    A missing road or town layer drops that criterion (a bilingual
    :class:`~layers.restoration.inputs.Note` in ``notes`` says so).

    Returns
    -------
    :class:`PriorityResult`: ``ranking``, a DataFrame sorted by rank with
    :data:`PRIORITY_COLUMNS` (reasons ``；``/``; ``-joined), and ``notes``.
    """
    cfg = settings if settings is not None else RestorationSettings()
    road_distance_m, town_distance_m = cfg.road_distance_m, cfg.town_distance_m
    w = {**DEFAULT_WEIGHTS, **(weights or {})}
    notes: list[Note] = []
    sites = progress_df.geometry
    road_d, _ = _distances(sites, inputs.tourism_road)
    if inputs.tourism_road is None:
        notes.append(Note(
            "info", "no_tourism_road",
            "no tourism_road layer: the road criterion of the priorities is dropped",
            "无太行旅游公路（tourism_road）图层：优先级不计旅游公路可视性"))
    town_d, town_i = _distances(sites, inputs.towns, points=True)
    if inputs.towns is None:
        notes.append(Note(
            "info", "no_towns",
            "no towns or counties layer: the town criterion of the priorities is dropped",
            "无城镇或县域图层：优先级不计城镇距离"))
    town_names = np.full(len(sites), None, dtype=object)
    if inputs.towns is not None and "name" in inputs.towns.columns:
        names = inputs.towns["name"].to_numpy()
        valid = inputs.towns.geometry.notna() & ~inputs.towns.geometry.is_empty
        names = names[valid.to_numpy()]
        town_names = np.array([names[i] if i >= 0 else None for i in town_i], dtype=object)

    restored = np.fmin(progress_df["restored_area_ha"].to_numpy(dtype="float64"),
                       progress_df["site_area_ha"].to_numpy(dtype="float64"))
    remaining = progress_df["site_area_ha"].to_numpy(dtype="float64") - np.nan_to_num(restored)
    done = progress_df["stage"].isin(DONE_STAGES).to_numpy()
    remaining = np.where(done, 0.0, remaining)
    flags = progress_df["flags"].fillna("").astype(str).str.split(";").to_list()

    scores, zh_all, en_all = [], [], []
    for i in range(len(progress_df)):
        score, zh, en = 0.0, [], []
        if done[i] and not any(code in flags[i] for code in _FLAG_REASONS):
            scores.append(0.0)
            zh_all.append("已完工，无待处理问题")
            en_all.append("works completed, nothing open")
            continue
        if np.isfinite(road_d[i]) and road_d[i] <= road_distance_m:
            score += w["road"]
            zh.append(f"距太行旅游公路 {road_d[i]:.0f} 米（≤{road_distance_m:.0f} 米）")
            en.append(f"{road_d[i]:.0f} m from the Taihang tourism road "
                      f"(≤ {road_distance_m:.0f} m)")
        if np.isfinite(town_d[i]) and town_d[i] <= town_distance_m:
            score += w["town"]
            town = town_names[i]
            zh.append(f"距城镇{town or ''} {town_d[i]:.0f} 米（≤{town_distance_m:.0f} 米）")
            en.append(f"{town_d[i]:.0f} m from {f'town {town}' if town else 'a town'} "
                      f"(≤ {town_distance_m:.0f} m)")
        if not done[i]:
            score += w["unfinished"]
            zh.append(f"尚未完工，待修复 {remaining[i]:.2f} 公顷")
            en.append(f"works not completed, {remaining[i]:.2f} ha to restore")
        for code, (fzh, fen) in _FLAG_REASONS.items():
            if code in flags[i]:
                score += w[code]
                zh.append(fzh)
                en.append(fen)
        scores.append(score)
        zh_all.append("；".join(zh))
        en_all.append("; ".join(en))

    out = pd.DataFrame({
        "site_id": progress_df["site_id"].to_numpy(),
        "priority_score": np.asarray(scores, dtype="float64"),
        "road_distance_m": np.round(road_d, 1),
        "town_distance_m": np.round(town_d, 1),
        "nearest_town": pd.array(town_names, dtype="string"),
        "remaining_ha": np.round(remaining, 2),
        "reasons_zh": pd.array(zh_all, dtype="string"),
        "reasons_en": pd.array(en_all, dtype="string"),
    })
    out["_road"] = np.nan_to_num(road_d, nan=np.inf)
    out = out.sort_values(["priority_score", "remaining_ha", "_road", "site_id"],
                          ascending=[False, False, True, True], kind="stable")
    out = out.drop(columns="_road").reset_index(drop=True)
    out.insert(0, "priority_rank", np.arange(1, len(out) + 1))
    return PriorityResult(ranking=out[list(PRIORITY_COLUMNS)], notes=notes)
