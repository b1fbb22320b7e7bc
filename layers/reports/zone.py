"""The zone summary report: parcels by readiness, failing rules, cheapest parcels, a map."""

from __future__ import annotations

import math
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from gis.errors import InputError
from gis.measure import area_ha
from layers.palette import READINESS_COLORS
from layers.reports import _gather
from layers.reports import _readiness as rd
from layers.reports._common import as_date, base_context, grow, is_missing, safe_name
from layers.reports.i18n import check_lang, fmt_money, fmt_num, t, value_label
from layers.reports.render import Report, render_html
from layers.reports.staticmap import MapLayer, cjk_font, data_uri, render_map
from layers.reports.supervision import stock_facts

if TYPE_CHECKING:
    from layers.readiness import ReadinessSummary
    from layers.readiness.rulebook import Rulebook
    from layers.workspace import Workspace

__all__ = ["READINESS_ORDER", "build_zone_report", "cheapest_parcels", "failing_rules"]

READINESS_ORDER = ("ready", "ready_with_commitments", "not_ready", "incomplete")


def failing_rules(summary: ReadinessSummary, lang: str, top: int = 8) -> list[dict[str, Any]]:
    """Rules sorted by the number of parcels failing them (then unknown), with total cost."""
    rows = []
    for r in summary.rules.to_dict("records"):
        if r["fail"] == 0 and r["unknown"] == 0:
            continue
        rows.append({"label": r["label_zh" if lang == "zh" else "label_en"],
                     "required": bool(r["required"]), "fail": int(r["fail"]),
                     "unknown": int(r["unknown"]),
                     "cost": "" if is_missing(r["cost"]) else fmt_money(r["cost"], lang)})
    rows.sort(key=lambda r: (-r["fail"], -r["unknown"], r["label"]))
    return rows[:top]


def cheapest_parcels(result: Any, ids: list[str], areas: dict[str, float], lang: str,
                     top: int = 10) -> list[dict[str, Any]]:
    """Not-ready parcels of ``ids`` whose every failing required rule has a cost estimate,
    cheapest first (from :func:`layers.readiness.gap_to_ready`)."""
    from layers.readiness import gap_to_ready

    gaps = gap_to_ready(result)
    gaps = gaps[gaps["parcel_id"].astype(str).isin(ids).to_numpy()
                & (pd.to_numeric(gaps["uncosted_rules"], errors="coerce").fillna(1) == 0
                   ).to_numpy()
                & pd.to_numeric(gaps["total_cost"], errors="coerce").notna().to_numpy()]
    out = []
    for i, r in enumerate(gaps.head(top).to_dict("records"), start=1):
        pid = str(r["parcel_id"])
        out.append({"rank": i, "parcel_id": pid, "cost": fmt_money(r["total_cost"], lang),
                    "area": fmt_num(areas.get(pid, math.nan), 2),
                    "gaps": str(r["gaps"] if lang == "zh" else r["gaps_en"])})
    return out


def zone_map(ws: Workspace, zone_geom: Any, members: gpd.GeoDataFrame,
             readiness: pd.Series, *, layers: dict[str, gpd.GeoDataFrame | None],
             rulebook: Rulebook, lang: str, font: str | None,
             labels: list[tuple[float, float, str]]) -> bytes:
    """The zone map: parcels coloured by readiness over infrastructure and constraints."""
    bounds = zone_geom.bounds if zone_geom is not None else tuple(members.total_bounds)
    if len(members):
        mb = members.total_bounds
        bounds = (min(bounds[0], mb[0]), min(bounds[1], mb[1]), max(bounds[2], mb[2]),
                  max(bounds[3], mb[3]))
    extent = grow(bounds, margin=0.05, min_size=800.0)
    rasters, circles = rd.coverage_overlay(ws, rulebook, extent, layers, lang)
    backdrop = _gather.hillshade_backdrop(ws, extent, max_px=600)
    if backdrop is not None:
        rasters = [backdrop, *rasters]
    draw = rd.context_layers(layers, extent, lang, g5_circles=circles)
    status = readiness.reindex(members["parcel_id"].astype(str)).fillna("incomplete")
    for code in READINESS_ORDER:
        part = members[status.eq(code).to_numpy()]
        if len(part):
            draw.append(MapLayer(part, value_label("readiness", code, lang),
                                 facecolor=READINESS_COLORS[code], edgecolor="#333333",
                                 linewidth=0.3, alpha=0.8, zorder=5))
    return render_map(draw, extent=extent, rasters=rasters, labels=labels, size_mm=(186, 108),
                      font=font, legend_width=0.2)


def _find_zone(zones: gpd.GeoDataFrame, zone_id: str, ws: Workspace) -> int:
    ids = zones["zone_id"].astype("string").str.strip()
    hit = np.flatnonzero(ids.eq(str(zone_id).strip()).fillna(False).to_numpy(bool))
    if not len(hit):
        raise InputError(f"Zone {zone_id!r} is not in the zones layer of workspace {ws.root}.",
                         hint=f"Use a zone_id (开发区编号) of that layer: "
                         f"{', '.join(ids.dropna().head(8).tolist())}.",
                         zh=f"开发区 {zone_id!r} 不在工作区 {ws.root} 的开发区图层中。",
                         hint_zh="请使用该图层中的开发区编号（zone_id）："
                         f"{'、'.join(ids.dropna().head(8).tolist())}。")
    return int(hit[0])


def build_zone_report(ws: Workspace, zone_id: str, *, lang: str = "zh",
                      as_of: date | str | None = None,
                      rulebook: Rulebook | str | Path | None = None,
                      result: Any = None, top: int = 10) -> Report:
    """The summary report of one development zone (HTML).

    Parameters
    ----------
    ws
        The workspace (needs ``zones`` and ``parcels``; the rest is optional).
    zone_id
        The zone's ``zone_id`` (开发区编号).
    lang, as_of, rulebook
        As for :func:`~layers.reports.build_parcel_report`.
    result
        A readiness result covering the zone's parcels (the app's; its rulebook is
        used unless ``rulebook`` is given); evaluated here when ``None``.
    top
        Length of the cheapest-parcels list.
    """
    from layers.readiness import evaluate, inputs_from_workspace, parcel_zones, summarize

    t0 = time.perf_counter()
    lang = check_lang(lang)
    day = as_date(as_of, ws.as_of)
    rb = rd.rulebook_for(ws, rulebook, result)
    inputs = inputs_from_workspace(ws, rulebook=rb)
    notes: list[str] = []
    layers: dict[str, gpd.GeoDataFrame | None] = dict(inputs.layers)
    for kind in rd.MAP_KINDS:
        if kind not in layers:
            layers[kind] = _gather.read_kind(ws, kind, notes)
    zones = layers.get("zones")
    if zones is None or "zone_id" not in zones.columns:
        raise InputError(f"Workspace {ws.root} has no zones layer with a zone_id column, which "
                         "the zone report needs.",
                         hint='Add zones = "file.gpkg:layer" under [layers] in workspace.toml.',
                         zh=f"工作区 {ws.root} 没有含 zone_id 字段的开发区（zones）图层，"
                         "无法生成开发区报告。",
                         hint_zh='请在 workspace.toml 的 [layers] 下添加 '
                         'zones = "文件.gpkg:图层名"。')
    zrow = zones.iloc[_find_zone(zones, zone_id, ws)]
    zid = str(zrow["zone_id"]).strip()
    zgeom = zrow.geometry
    parcels = inputs.parcels
    members = parcels[parcel_zones(parcels, zones).eq(zid).fillna(False).to_numpy()]
    ids = members["parcel_id"].astype(str).str.strip().tolist()
    if ids and (result is None or not set(ids) <= set(result.overall["parcel_id"].astype(str))):
        result = evaluate(inputs, rb, as_of=day, parcel_ids=ids)
    summary = summarize(result, members, zones=zones)
    overall = result.overall if ids else pd.DataFrame(columns=["parcel_id", "readiness"])
    overall = overall[overall["parcel_id"].astype(str).isin(ids)]
    readiness = pd.Series(overall["readiness"].astype(str).to_numpy(),
                          index=overall["parcel_id"].astype(str).to_numpy())
    areas = dict(zip(ids, np.asarray(area_ha(members.geometry), dtype=float), strict=True))
    total_area = summary.total_ha
    by = [{"code": code, "label": value_label("readiness", code, lang),
           "count": summary.readiness[code], "area": fmt_num(summary.hectares[code], 2),
           "share": fmt_num(100 * summary.hectares[code] / total_area, 1, unit="%")
           if total_area else "—"} for code in READINESS_ORDER]
    cheap = cheapest_parcels(result, ids, areas, lang, top=top) if ids else []
    pts = members.set_index(members["parcel_id"].astype(str).str.strip()).geometry
    labels = [(pts[c["parcel_id"]].representative_point().x,
               pts[c["parcel_id"]].representative_point().y, str(c["rank"])) for c in cheap]

    missing = rd.missing_inputs(ws, rb, lang, parcel_columns=list(parcels.columns))
    font = cjk_font()
    if font is None and lang == "zh":
        notes.append(t("missing.font", lang))
    png = zone_map(ws, zgeom, members, readiness, layers=layers, rulebook=rb,
                   lang=lang if font else "en", font=font, labels=labels)
    zname = "" if is_missing(zrow.get("name")) else str(zrow.get("name"))
    facts = [
        (t("zone.id", lang), zid), (t("zone.name", lang), zname),
        (t("zone.kind", lang), value_label("zone_kind", zrow.get("kind"), lang) or "—"),
        (t("zone.area", lang), f"{fmt_num(area_ha(zgeom), 1)} {t('unit.ha', lang)}"),
        (t("zone.parcels", lang), f"{len(members)} · {fmt_num(total_area, 2)} "
         f"{t('unit.ha', lang)}"),
    ]
    # the stock on offer versus land already supplied (after-supply supervision)
    facts += stock_facts(ws, result, members, zones, day, lang)
    counts = {k: len(v) for k, v in layers.items() if v is not None}
    counts["parcels"] = len(parcels)
    title = t("zone.title", lang)
    ctx = base_context(ws, lang=lang, title=title, as_of=day,
                       subtitle=f"{zname} ({zid}) · {ws.name}",
                       sources=_gather.source_rows(ws, counts, lang), missing=missing,
                       notes=notes, rulebook=f"{rb.name} v{rb.version}")
    ctx.update(facts=facts, by_readiness=by, total={"count": len(members),
                                                      "area": fmt_num(total_area, 2)},
               failing=failing_rules(summary, lang), cheapest=cheap,
               map_uri=data_uri(png), map_note=t("map.note", lang, crs=ctx["meta"]["crs"]))
    html = render_html("zone.html", **ctx)
    return Report(html=html, title=f"{title} {zid}", filename=f"zone_{safe_name(zid)}",
                  lang=lang, notes=[*missing, *ctx["notes"]], seconds=time.perf_counter() - t0)
