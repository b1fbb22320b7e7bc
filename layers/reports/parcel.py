"""The one-page parcel readiness report for investors: facts, map, rule table, actions."""

from __future__ import annotations

import math
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from gis.errors import InputError
from gis.measure import area_ha
from layers.catalog import ASSESSMENT_KINDS, CATALOG
from layers.palette import READINESS_COLORS
from layers.reports import _gather
from layers.reports import _readiness as rd
from layers.reports._common import as_date, base_context, grow, is_missing, safe_name
from layers.reports.i18n import (
    check_lang,
    fmt_date,
    fmt_money,
    fmt_num,
    t,
    value_label,
)
from layers.reports.render import Report, render_html
from layers.reports.staticmap import MapLayer, cjk_font, data_uri, render_map

if TYPE_CHECKING:
    from layers.readiness.rulebook import Rulebook
    from layers.workspace import Workspace

__all__ = ["build_parcel_report", "find_parcel", "parcel_zone"]

MU_PER_HA = 15.0
# Largest distance (m) from the parcel that the map stretches to, to show the nearest features.
MAP_REACH_M = 2_500.0


def find_parcel(parcels: gpd.GeoDataFrame, parcel_id: str, *, where: str = "",
                where_zh: str = "") -> int:
    """Position of ``parcel_id`` in ``parcels`` or an ``InputError`` listing some ids.

    ``where``/``where_zh`` name the parcels' source in the message (" of workspace …").
    """
    ids = parcels["parcel_id"].astype("string").str.strip()
    hits = np.flatnonzero(ids.eq(str(parcel_id).strip()).fillna(False).to_numpy(bool))
    if len(hits) == 0:
        sample = ", ".join(ids.dropna().head(5).tolist())
        raise InputError(f"Parcel {parcel_id!r} is not in the parcels layer{where}.",
                         hint=f"Use a parcel_id (地块编号) of that layer, e.g. {sample}.",
                         zh=f"地块 {parcel_id!r} 不在{where_zh}标准地图层中。",
                         hint_zh=f"请使用该图层中的地块编号（parcel_id），如 {sample}。")
    return int(hits[0])


def parcel_zone(geom: shapely.Geometry, attrs: dict[str, Any],
                zones: gpd.GeoDataFrame | None) -> dict[str, Any] | None:
    """The parcel's zone: its ``zone_id`` attribute if the zones layer has it, else the zone
    holding the largest part of the parcel; ``None`` if it lies in none."""
    if zones is None or len(zones) == 0 or "zone_id" not in zones.columns:
        return None
    zid = attrs.get("zone_id")
    zone_ids = zones["zone_id"].astype("string").str.strip()
    row = None
    if not is_missing(zid):
        hit = np.flatnonzero(zone_ids.eq(str(zid).strip()).fillna(False).to_numpy(bool))
        if len(hit):
            row = int(hit[0])
    if row is None and geom is not None and not geom.is_empty:
        cand = zones.sindex.query(geom, predicate="intersects")
        if len(cand):
            areas = shapely.area(shapely.intersection(zones.geometry.to_numpy()[cand], geom))
            if areas.max() > 0:
                row = int(cand[int(np.argmax(areas))])
    if row is None:
        return None
    z = zones.iloc[row]
    return {"zone_id": str(z["zone_id"]), "name": "" if is_missing(z.get("name"))
            else str(z.get("name")), "kind": z.get("kind"), "geometry": z.geometry}


def _assessment_rows(table: pd.DataFrame | None, parcel_id: str, zone_id: str | None,
                     as_of: date, lang: str) -> list[dict[str, str]]:
    if table is None or not {"scope", "scope_id", "kind"} <= set(table.columns):
        return []
    scope = table["scope"].astype("string").str.strip()
    sid = table["scope_id"].astype("string").str.strip()
    mine = scope.eq("parcel") & sid.eq(str(parcel_id))
    if zone_id:
        mine |= scope.eq("zone") & sid.eq(str(zone_id))
    recs = table[mine.fillna(False).to_numpy(bool)].copy()
    order = {k: i for i, k in enumerate(ASSESSMENT_KINDS)}
    recs["_o"] = recs["kind"].map(lambda k: order.get(k, 99))
    recs["_s"] = recs["scope"].map(lambda s: 0 if s == "parcel" else 1)
    rows = []
    for r in recs.sort_values(["_o", "_s"], kind="stable").to_dict("records"):
        until = r.get("valid_until")
        if is_missing(until):
            expiry, cls = (t("expiry.none", lang), "") if r.get("status") == "approved" \
                else ("", "")
        else:
            days = (pd.Timestamp(until).date() - as_of).days
            if days < 0:
                expiry, cls = t("expiry.expired", lang, days=-days), "s-fail"
            elif days <= 180:
                expiry, cls = t("expiry.soon", lang, days=days), "s-committed"
            else:
                expiry, cls = t("expiry.left", lang, days=days), ""
        rows.append({
            "kind": value_label("assessment_kind", r.get("kind"), lang),
            "scope": t(f"scope.{r.get('scope')}", lang) + f" {r.get('scope_id')}",
            "status": value_label("assessment_status", r.get("status"), lang),
            "status_code": str(r.get("status") or ""),
            "approved_on": fmt_date(r.get("approved_on")),
            "valid_until": fmt_date(until),
            "expiry": expiry, "expiry_class": cls,
            "ref": "" if is_missing(r.get("ref")) else str(r.get("ref")),
        })
    return rows


def _indicator_rows(rulebook: Rulebook, attrs: dict[str, Any], lang: str
                    ) -> list[dict[str, str]]:
    """The industry's pre-supply indicators (judged), then its contract conditions
    (the parcel's planned values, shown but judged only at 达产复核)."""
    from layers.readiness.rulebook import IndicatorsRule

    rule = next((r for r in rulebook.rules if isinstance(r, IndicatorsRule)), None)
    if rule is None or is_missing(attrs.get(rule.industry_attribute)):
        return []
    industry = str(attrs.get(rule.industry_attribute)).strip()
    table = rule.by_industry.get(industry) or {}
    contract = rule.contract_floors(industry) if table else {}
    rows = [_indicator_row(col, bound, attrs, lang, contract=False)
            for col, bound in table.items()]
    return rows + [_indicator_row(col, bound, attrs, lang, contract=True)
                   for col, bound in contract.items()]


def _indicator_row(col: str, bound: Any, attrs: dict[str, Any], lang: str, *,
                   contract: bool) -> dict[str, str]:
    from layers.readiness.rulebook import indicator_unit

    c = CATALOG["parcels"].column(col) or CATALOG["performance"].column(col)
    label = (c.zh if lang == "zh" else c.en) if c else col
    unit = indicator_unit(col)
    num = pd.to_numeric(pd.Series([attrs.get(col)]), errors="coerce").iloc[0]
    req = " – ".join(x for x in (
        f"≥ {fmt_num(bound.min)}" if bound.min is not None else "",
        f"≤ {fmt_num(bound.max)}" if bound.max is not None else "") if x)
    row = {"label": label, "value": fmt_num(num, 2, unit=unit),
           "threshold": f"{req} {unit}".strip()}
    if contract:  # an outcome of production: a contract condition, not judged before supply
        return {**row, "status": "contract", "status_label": t("parcel.contract_condition", lang)}
    ok = None if is_missing(num) else bool(
        (bound.min is None or num >= bound.min) and (bound.max is None or num <= bound.max))
    status = "unknown" if ok is None else ("pass" if ok else "fail")
    return {**row, "status": status, "status_label": value_label("rule_status", status, lang)}


def _actions(rows: list[dict[str, Any]], lang: str) -> list[str]:
    out = []
    for r in rows:
        if not r["required"]:
            continue
        if r["status"] == "fail":
            text = t("action.fail", lang, rule=r["label"], message=r["message"])
            if r["cost"]:
                text += f"（{r['cost']}）" if lang == "zh" else f" ({r['cost']})"
            out.append(text)
        elif r["status"] == "unknown":
            out.append(t("action.unknown", lang, rule=r["label"], message=r["message"]))
        elif r["status"] == "committed":
            out.append(t("action.committed", lang, rule=r["label"]))
    return out


def parcel_map(ws: Workspace, parcel: shapely.Geometry, status: str, *, parcels: gpd.GeoDataFrame,
               layers: dict[str, gpd.GeoDataFrame | None], rulebook: Rulebook,
               values: dict[str, float], lang: str, font: str | None,
               size_mm: tuple[float, float] = (100.0, 60.0)) -> bytes:
    """The parcel's map: neighbours, zone, constraints, infrastructure, 5G, measured distances."""
    meas = rd.measures(parcel, rulebook, layers, values, lang)
    bounds = np.array(parcel.bounds)
    reach = shapely.box(*parcel.buffer(MAP_REACH_M).bounds)
    for m in meas:
        if m.line.within(reach):
            lb = np.array(m.line.bounds)
            bounds = np.r_[np.minimum(bounds[:2], lb[:2]), np.maximum(bounds[2:], lb[2:])]
    extent = grow(tuple(bounds), margin=0.12, min_size=600.0)
    rasters, circles = rd.coverage_overlay(ws, rulebook, extent, layers, lang)
    backdrop = _gather.hillshade_backdrop(ws, extent, max_px=400)
    if backdrop is not None:
        rasters = [backdrop, *rasters]
    draw = rd.context_layers(layers, extent, lang, g5_circles=circles)
    near = rd.clip(parcels, extent)
    if near is not None and len(near):
        draw.insert(0, MapLayer(near, t("legend.parcels", lang), facecolor="#ffffff",
                                edgecolor="#888888", linewidth=0.5, alpha=0.7, zorder=2))
    color = READINESS_COLORS.get(status, READINESS_COLORS["unchecked"])
    draw.append(MapLayer(gpd.GeoSeries([parcel]), t("legend.parcel", lang), facecolor=color,
                         edgecolor="#000000", linewidth=1.6, alpha=0.55, zorder=6))
    return render_map(draw, extent=extent, rasters=rasters, measures=meas, size_mm=size_mm,
                      font=font, legend_width=0.31)


def build_parcel_report(ws: Workspace, parcel_id: str, *, lang: str = "zh",
                        as_of: date | str | None = None,
                        rulebook: Rulebook | str | Path | None = None,
                        result: Any = None) -> Report:
    """The readiness report of one parcel (HTML; :func:`~layers.reports.to_pdf` for PDF).

    Parameters
    ----------
    ws
        The workspace; a missing layer, raster or table is listed in the report.
    parcel_id
        The parcel's ``parcel_id`` (地块编号).
    lang
        ``zh`` or ``en``.
    as_of
        Check date (assessment expiry); default today.
    rulebook
        A parsed rulebook or its path; default the workspace's, else the Changzhi one.
    result
        A :class:`~layers.readiness.ReadinessResult` already computed for this date
        (the app's; its rulebook is used unless ``rulebook`` is given); evaluated
        here for this parcel when ``None`` or when it does not cover the parcel.
    """
    from layers.readiness import evaluate, inputs_from_workspace

    t0 = time.perf_counter()
    lang = check_lang(lang)
    day = as_date(as_of, ws.as_of)
    rb = rd.rulebook_for(ws, rulebook, result)
    inputs = inputs_from_workspace(ws, rulebook=rb)
    parcels = inputs.parcels
    pos = find_parcel(parcels, parcel_id, where=f" of workspace {ws.root}",
                      where_zh=f"工作区 {ws.root} 的")
    row = parcels.iloc[pos]
    pid = str(row["parcel_id"]).strip()
    if result is None or pid not in set(result.overall["parcel_id"].astype(str)):
        result = evaluate(inputs, rb, as_of=day, parcel_ids=[pid])
    long = result.long[result.long["parcel_id"].astype(str) == pid]
    # the engine's overall row: status, failing required rules, their number and cost
    ov = result.overall[result.overall["parcel_id"].astype(str) == pid].iloc[0]
    status = str(ov["readiness"])

    layers: dict[str, gpd.GeoDataFrame | None] = dict(inputs.layers)
    notes: list[str] = []
    for kind in rd.MAP_KINDS:
        if kind not in layers:
            layers[kind] = _gather.read_kind(ws, kind, notes)
    attrs = {k: row[k] for k in parcels.columns if k != parcels.geometry.name}
    geom = row.geometry
    zone = parcel_zone(geom, attrs, layers.get("zones"))
    rows = rd.rule_rows(long, rb, lang, industry=attrs.get("industry"))
    values = {r["rule_id"]: float(r["value"]) for r in long.to_dict("records")
              if not is_missing(r["value"])}

    missing = rd.missing_inputs(ws, rb, lang, parcel_columns=list(parcels.columns))
    font = cjk_font()
    if font is None and lang == "zh":
        notes.append(t("missing.font", lang))
    png = parcel_map(ws, geom, status, parcels=parcels, layers=layers, rulebook=rb,
                     values=values, lang=lang if font else "en", font=font)

    ha = float(area_ha(geom))
    declared: Any = attrs.get("area_ha")  # a raw attribute value: number, text or missing
    area_text = t("parcel.area_value", lang, ha=fmt_num(ha, 2), mu=fmt_num(ha * MU_PER_HA, 1))
    if not is_missing(declared) and abs(float(declared) - ha) > max(0.01 * ha, 0.01):
        area_text += t("parcel.declared", lang, ha=fmt_num(declared, 2))
    industry = attrs.get("industry")
    facts = [
        (t("parcel.id", lang), pid),
        (t("parcel.name", lang), "" if is_missing(attrs.get("name")) else str(attrs["name"])),
        (t("parcel.zone", lang), f"{zone['name']}（{zone['zone_id']}）" if zone and lang == "zh"
         else f"{zone['name']} ({zone['zone_id']})" if zone else t(
             "parcel.zone_none" if layers.get("zones") is not None else "parcel.zone_unknown",
             lang)),
        (t("parcel.area", lang), area_text),
        (t("parcel.land_use", lang), "—" if is_missing(attrs.get("land_use"))
         else str(attrs["land_use"])),
        (t("parcel.industry", lang), "—" if is_missing(industry) else
         f"{value_label('industry', industry, lang)}" + (
             f" ({industry})" if value_label("industry", industry, lang) != str(industry)
             else "")),
        (t("parcel.supply_status", lang), value_label("supply_status",
                                                      attrs.get("supply_status"), lang) or "—"),
    ]
    n_fail, n_unknown, cost = int(ov["n_fail"]), int(ov["n_unknown"]), float(ov["total_cost"])
    counts = {k: len(v) for k, v in layers.items() if v is not None}
    counts["parcels"] = len(parcels)
    if inputs.assessments is not None:
        counts["assessments"] = len(inputs.assessments)
    title = t("parcel.title", lang)
    ctx = base_context(
        ws, lang=lang, title=title, as_of=day,
        subtitle=f"{pid}" + (f" · {attrs['name']}" if not is_missing(attrs.get("name")) else "")
        + f" · {ws.name}",
        sources=_gather.source_rows(ws, counts, lang), missing=missing,
        notes=notes, rulebook=f"{rb.name} v{rb.version}")
    assessments = inputs.assessments if inputs.assessments is not None else \
        _gather.read_kind(ws, "assessments", notes)
    ctx.update(
        facts=facts, status=status, status_label=value_label("readiness", status, lang),
        overall_text=t(f"overall.{status}", lang, n=n_fail if status == "not_ready"
                       else n_unknown),
        rules=rows, actions=_actions(rows, lang),
        show_gap=any(r["gap"] for r in rows), show_cost=any(r["cost"] for r in rows),
        total_cost=t("parcel.total_cost", lang, cost=fmt_money(cost, lang))
        if math.isfinite(cost) and cost > 0 else "",
        indicators=_indicator_rows(rb, attrs, lang),
        assessments=_assessment_rows(assessments, pid, zone["zone_id"] if zone else None, day,
                                     lang),
        map_uri=data_uri(png), map_note=t("map.note", lang, crs=ctx["meta"]["crs"]),
    )
    html = render_html("parcel.html", **ctx)
    return Report(html=html, title=f"{title} {pid}", filename=f"parcel_{safe_name(pid)}",
                  lang=lang, notes=[*missing, *ctx["notes"]], seconds=time.perf_counter() - t0)
