"""The restoration progress report: city KPIs, stages, counties, priorities, sites and a map."""

from __future__ import annotations

import math
import time
from datetime import date
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from layers.catalog import MINE_STAGES, STAGE_LABELS
from layers.palette import STAGE_COLORS
from layers.reports import _gather
from layers.reports._common import as_date, base_context, grow, is_missing
from layers.reports.i18n import check_lang, fmt_num, layer_label, t, value_label
from layers.reports.render import Report, render_html
from layers.reports.staticmap import MapLayer, cjk_font, data_uri, render_map

if TYPE_CHECKING:
    from layers.restoration import RestorationResult
    from layers.settings import RestorationSettings
    from layers.workspace import Workspace

__all__ = ["build_restoration_report", "restoration_map"]

# codes of the engine's notes that the missing-data list already says
_SAID_IN_MISSING = frozenset({"no_inspections", "no_ndvi", "no_tourism_road"})
# KPI boxes shown at the top, in this order (metric codes of kpis()["summary"]).
KPI_METRICS = ("sites", "area_ha", "restored_ha", "restored_pct", "share_completed_pct",
               "share_accepted_pct", "overdue", "spent_pct")


def restoration_map(sites: gpd.GeoDataFrame, *, lang: str, font: str | None,
                    road: gpd.GeoDataFrame | None = None,
                    counties: gpd.GeoDataFrame | None = None, backdrop: Any = None,
                    ranks: dict[str, int] | None = None, size_mm: tuple[float, float] = (186, 120)
                    ) -> bytes:
    """PNG map of the sites coloured by stage, with the tourism road and county outlines."""
    extent = grow(tuple(sites.total_bounds), margin=0.06, min_size=2_000.0)
    layers: list[MapLayer] = []
    if counties is not None and len(counties):
        layers.append(MapLayer(counties, t("legend.counties", lang), edgecolor="#7f7f7f",
                               linewidth=0.6, linestyle="--", zorder=1))
    if road is not None and len(road):
        layers.append(MapLayer(road, t("legend.tourism_road", lang), edgecolor="#ff7f00",
                               linewidth=1.6, zorder=3))
    stage = sites["stage"].astype("string")
    for code in MINE_STAGES:
        part = sites[(stage == code).to_numpy(dtype=bool, na_value=False)]
        if len(part):
            # tiny sites would vanish at city scale: draw their centroid as a dot too
            layers.append(MapLayer(part, value_label("stage", code, lang),
                                   facecolor=STAGE_COLORS[code], edgecolor="#333333",
                                   linewidth=0.4, zorder=4))
            layers.append(MapLayer(part.geometry.representative_point(), "",
                                   facecolor=STAGE_COLORS[code], edgecolor="#333333",
                                   markersize=9, zorder=4))
    labels = []
    if ranks:
        pts = sites.geometry.representative_point()
        for sid, pt in zip(sites["site_id"], pts, strict=True):
            if sid in ranks:
                labels.append((pt.x, pt.y + 0.012 * (extent[3] - extent[1]), f"#{ranks[sid]}"))
    names = []
    if counties is not None and len(counties) and "county" in counties.columns:
        col = "county" if lang == "zh" or "county_en" not in counties.columns else "county_en"
        pts = counties.geometry.representative_point()
        names = [(p.x, p.y, str(n)) for p, n in zip(pts, counties[col], strict=True)
                 if not is_missing(n)]
    return render_map(layers, extent=extent, rasters=[backdrop] if backdrop else [],
                      labels=labels, area_labels=names, size_mm=size_mm, font=font,
                      legend_width=0.15)


def _kpi_boxes(summary: pd.DataFrame, lang: str) -> list[dict[str, str]]:
    by = {r.metric: r for r in summary.itertuples(index=False)}
    out = []
    for m in KPI_METRICS:
        r = by.get(m)
        if r is None or is_missing(r.value):
            continue
        digits = 0 if not r.unit else (1 if r.unit == "%" else 2)
        out.append({"value": fmt_num(r.value, digits, unit=_unit(r.unit, lang)),
                    "label": r.zh if lang == "zh" else r.en})
    return out


def _unit(unit: str, lang: str) -> str:
    if unit == "ha":
        return t("unit.ha", lang)
    if unit == "万元":
        return t("unit.wan", lang)
    return unit


def _flag_rows(summary: pd.DataFrame, lang: str) -> list[dict[str, str]]:
    rows = summary[summary["metric"].astype(str).str.startswith("flag_")]
    return [{"label": r.zh if lang == "zh" else r.en, "value": fmt_num(r.value, 0)}
            for r in rows.itertuples(index=False)]


def _pct_cell(value: object) -> dict[str, object]:
    if is_missing(value):
        return {"text": "—", "pct": 0.0}
    v = float(value)  # type: ignore[arg-type]
    return {"text": f"{v:.0f}%", "pct": round(max(0.0, min(v, 100.0)), 1)}


def _site_rows(sites: pd.DataFrame, lang: str) -> list[dict[str, object]]:
    df = pd.DataFrame(sites.drop(columns=sites.geometry.name) if isinstance(
        sites, gpd.GeoDataFrame) else sites)
    order = {s: i for i, s in enumerate(MINE_STAGES)}
    df["_stage_i"] = df["stage"].map(lambda s: order.get(s, -1))
    county = df["county"].astype("string").fillna("") if "county" in df else ""
    df["_county"] = county
    df = df.sort_values(["_county", "_stage_i", "site_id"], kind="stable")
    rows = []
    for r in df.to_dict("records"):
        flags = r.get("flags_zh" if lang == "zh" else "flags_en")
        rows.append({
            "site_id": r["site_id"],
            "name": "" if is_missing(r.get("name")) else r.get("name"),
            "county": "" if is_missing(r.get("county")) else r.get("county"),
            "stage": value_label("stage", r.get("stage"), lang),
            "stage_code": r.get("stage") or "",
            "progress": _pct_cell(r.get("progress_pct")),
            "overdue": fmt_num(r.get("days_overdue"), 0) if (r.get("days_overdue") or 0) > 0
            else "",
            "ndvi_change": _signed(r.get("ndvi_change")),
            "flags": "" if is_missing(flags) else str(flags),
        })
    return rows


def _signed(value: object) -> str:
    if is_missing(value):
        return "—"
    v = float(value)  # type: ignore[arg-type]
    return "0.000" if math.isclose(v, 0.0, abs_tol=5e-4) else f"{v:+.3f}"


def _stage_rows(by_stage: pd.DataFrame, lang: str) -> list[dict[str, object]]:
    return [{"stage": value_label("stage", r.stage, lang), "code": r.stage,
             "sites": fmt_num(r.sites, 0), "area": fmt_num(r.area_ha, 2),
             "restored": fmt_num(r.restored_ha, 2), "share": fmt_num(r.share_sites_pct, 1,
                                                                    unit="%")}
            for r in by_stage.itertuples(index=False)]


def _county_rows(by_county: pd.DataFrame) -> list[dict[str, object]]:
    return [{"county": r.county, "sites": fmt_num(r.sites, 0), "area": fmt_num(r.area_ha, 2),
             "restored": fmt_num(r.restored_ha, 2), "completed": fmt_num(r.completed, 0),
             "share": fmt_num(r.share_completed_pct, 1, unit="%"),
             "accepted": fmt_num(r.accepted, 0), "overdue": fmt_num(r.overdue, 0),
             "budget": fmt_num(r.budget_wan, 1), "spent": fmt_num(r.spent_wan, 1)}
            for r in by_county.itertuples(index=False)]


def _priority_rows(ranking: pd.DataFrame, sites: pd.DataFrame, lang: str, top: int
                   ) -> list[dict[str, object]]:
    info = sites.set_index("site_id")
    rows = []
    for r in ranking.head(top).to_dict("records"):
        sid = r["site_id"]
        meta = info.loc[sid] if sid in info.index else {}
        reasons = r.get("reasons_zh" if lang == "zh" else "reasons_en")
        rows.append({
            "rank": int(r["priority_rank"]), "site_id": sid,
            "name": "" if is_missing(meta.get("name")) else meta.get("name"),
            "county": "" if is_missing(meta.get("county")) else meta.get("county"),
            "stage": value_label("stage", meta.get("stage"), lang),
            "score": fmt_num(r["priority_score"], 1),
            "remaining": fmt_num(r["remaining_ha"], 2),
            "reasons": "" if is_missing(reasons) else str(reasons),
        })
    return rows


def build_restoration_report(ws: Workspace, *, lang: str = "zh",
                             as_of: date | str | None = None,
                             result: RestorationResult | None = None, top: int = 15,
                             settings: RestorationSettings | None = None) -> Report:
    """The restoration progress report of ``ws`` as of ``as_of`` (default today).

    Parameters
    ----------
    ws
        The workspace (needs a ``mines`` layer; everything else is optional and
        the report lists what is missing).
    lang
        ``zh`` or ``en``.
    as_of
        Evaluation date.
    result
        A :class:`~layers.restoration.RestorationResult` already computed for the
        same date (the app passes its own); computed here when ``None``.
    top
        Length of the priority list.
    settings
        Restoration settings when ``result`` is computed here (default
        :class:`~layers.settings.RestorationSettings`).
    """
    from layers.restoration import evaluate, inputs_from_workspace

    t0 = time.perf_counter()
    lang = check_lang(lang)
    day = as_date(as_of, ws.as_of)
    inputs = inputs_from_workspace(ws)
    if result is None:
        result = evaluate(inputs, as_of=day, settings=settings)
    sites = result.sites
    # the engine's notes on absent inputs are said (translated) in the missing-data list
    notes = [n.message(lang) for n in result.notes if n.code not in _SAID_IN_MISSING]

    missing: list[str] = []
    if inputs.inspections is None:
        missing.append(t("missing.table", lang, what=layer_label("inspections", lang),
                         effect=_effect("inspections", lang)))
    if inputs.tourism_road is None:
        missing.append(t("missing.layer", lang, what=layer_label("tourism_road", lang),
                         effect=_effect("tourism_road", lang)))
    if not inputs.ndvi:
        missing.append(t("missing.raster", lang, what="NDVI", effect=t("rest.no_ndvi", lang)))
    font = cjk_font()
    if font is None and lang == "zh":
        notes.append(t("missing.font", lang))

    crs = str(sites.crs) if sites.crs is not None else ws.analysis_crs
    extent = grow(tuple(sites.total_bounds), margin=0.06, min_size=2_000.0)
    backdrop = _gather.hillshade_backdrop(ws, extent, max_px=700)
    if backdrop is None and ws.raster_path("dem") is None:
        missing.append(t("missing.raster", lang, what=layer_label("dem", lang),
                         effect=t("missing.map_only", lang)))
    counties = _gather.counties(ws, crs)
    if counties is not None:
        box = gpd.GeoSeries.from_xy([extent[0], extent[2]], [extent[1], extent[3]], crs=crs)
        counties = counties[counties.intersects(box.union_all().envelope)]
    ranks = {r.site_id: int(r.priority_rank) for r in result.ranking.head(top).itertuples()}
    png = restoration_map(sites, lang=lang if font else "en", font=font,
                          road=inputs.tourism_road, counties=counties, backdrop=backdrop,
                          ranks=ranks)

    epochs = sorted(inputs.ndvi)
    summary = result.kpis["summary"]
    counts = {"mines": len(sites)}
    if inputs.inspections is not None:
        counts["inspections"] = len(inputs.inspections)
    if inputs.tourism_road is not None:
        counts["tourism_road"] = len(inputs.tourism_road)
    title = t("restoration.title", lang)
    ctx = base_context(
        ws, lang=lang, title=title, as_of=day,
        subtitle=f"{ws.name} · {t('as_of', lang)} {result.as_of or day.isoformat()}",
        sources=_gather.source_rows(ws, counts, lang), missing=missing, notes=notes)
    ctx.update(
        kpis=_kpi_boxes(summary, lang), flags=_flag_rows(summary, lang),
        map_uri=data_uri(png), map_note=t("map.note", lang, crs=ctx["meta"]["crs"]),
        stages=_stage_rows(result.kpis["by_stage"], lang),
        counties=_county_rows(result.kpis["by_county"]),
        priorities=_priority_rows(result.ranking, pd.DataFrame(sites), lang, top),
        sites=_site_rows(sites, lang),
        epochs=t("rest.ndvi_epochs", lang, epochs=" → ".join(epochs)) if epochs
        else t("rest.no_ndvi", lang),
        stage_colors=STAGE_COLORS, stage_labels=STAGE_LABELS,
    )
    html = render_html("restoration.html", **ctx)
    return Report(html=html, title=title, filename=f"restoration_{day.isoformat()}", lang=lang,
                  notes=[*missing, *ctx["notes"]], seconds=time.perf_counter() - t0)


def _effect(kind: str, lang: str) -> str:
    zh, en = {
        "inspections": ("阶段与修复面积取自图斑属性", "stages and restored areas come from the "
                        "mines layer"),
        "tourism_road": ("优先级不考虑旅游公路可视性", "the priorities ignore visibility from "
                         "the tourism road"),
    }[kind]
    return zh if lang == "zh" else en
